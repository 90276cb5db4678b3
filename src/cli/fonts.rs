//! `nianbao fonts`: the roles, the face chosen for each, and where it came from.

use clap::Args;

use nianbao::typeset::{Role, RoleFonts};

use super::{FontArgs, OutputFormat, Reporter, EXIT_FAILURE, EXIT_OK};

#[derive(Args)]
pub struct FontsArgs {
    /// Also list every font face available.
    #[arg(long)]
    pub all: bool,
    /// Output as text or JSON.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub fonts: FontArgs,
}

pub fn fonts(args: FontsArgs) -> i32 {
    let reporter = Reporter::new(args.format);
    let publisher = match args.fonts.publisher() {
        Ok(p) => p,
        Err(e) => {
            reporter.error(&e);
            return EXIT_FAILURE;
        }
    };
    let store = publisher.fonts();
    let mut roles = RoleFonts::default();
    for (role, chain) in &args.fonts.fonts {
        roles.set(*role, chain.clone());
    }
    let mut ok = true;
    let mut json_roles = Vec::new();
    if args.format == OutputFormat::Text {
        println!(
            "{:<12} {:<28} {:<32} loaded from",
            "role", "chain", "face chosen"
        );
    }
    for role in Role::ALL {
        let chain = roles.chain(role);
        let mut faces = Vec::new();
        for family in chain {
            match store.select(family, role) {
                Some(entry) => faces.push((family.clone(), Some(entry))),
                None => {
                    ok = false;
                    faces.push((family.clone(), None));
                }
            }
        }
        match args.format {
            OutputFormat::Text => {
                for (i, (family, entry)) in faces.iter().enumerate() {
                    let role_col = if i == 0 { role.key() } else { "" };
                    let (face, origin) = match entry {
                        Some(e) => (
                            format!(
                                "{} ({})",
                                e.font
                                    .post_script_name()
                                    .unwrap_or_else(|| e.info.family.clone()),
                                weight_name(e.info.variant.weight.to_number())
                            ),
                            e.origin.to_string(),
                        ),
                        None => (
                            "MISSING".to_string(),
                            "no font has this family name".to_string(),
                        ),
                    };
                    println!(
                        "{role_col:<12} {:<28} {face:<32} {origin}",
                        format!("{}. {family}", i + 1)
                    );
                }
            }
            OutputFormat::Json => json_roles.push(serde_json::json!({
                "role": role.key(),
                "description": role.describe(),
                "chain": faces.iter().map(|(family, e)| serde_json::json!({
                    "family": family,
                    "face": e.map(|e| e.font.post_script_name()),
                    "weight": e.map(|e| e.info.variant.weight.to_number()),
                    "origin": e.map(|e| e.origin.to_string()),
                })).collect::<Vec<_>>(),
            })),
        }
    }
    if args.all {
        match args.format {
            OutputFormat::Text => {
                println!("\nall faces:");
                for e in store.entries() {
                    println!(
                        "  {:<24} {:<8} {:<32} {}",
                        e.info.family,
                        weight_name(e.info.variant.weight.to_number()),
                        e.font.post_script_name().unwrap_or_default(),
                        e.origin
                    );
                }
            }
            OutputFormat::Json => {}
        }
    }
    if args.format == OutputFormat::Json {
        let all: Vec<_> = if args.all {
            store
                .entries()
                .iter()
                .map(|e| serde_json::json!({"family": e.info.family, "weight": e.info.variant.weight.to_number(), "origin": e.origin.to_string()}))
                .collect()
        } else {
            Vec::new()
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"roles": json_roles, "faces": all}))
                .unwrap_or_default()
        );
    }
    if ok {
        EXIT_OK
    } else {
        eprintln!("error: some families of the role chains are not available; add fonts with --font-dir DIR");
        EXIT_FAILURE
    }
}

fn weight_name(w: u16) -> &'static str {
    match w {
        0..=349 => "light",
        350..=549 => "regular",
        550..=649 => "semibold",
        _ => "bold",
    }
}
