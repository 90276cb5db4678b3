//! `nianbao fonts`: the roles, the face chosen for each, and where it came from.

use clap::Args;

use nianbao::typeset::{Role, RoleFonts};

use std::fmt::Write;

use super::{exit, CliResult, FontArgs, OutputFormat, Printer};

#[derive(Args)]
pub struct FontsArgs {
    /// Also list every font face available.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub fonts: FontArgs,
}

pub fn fonts(args: FontsArgs, printer: &Printer) -> CliResult {
    let publisher = args.fonts.publisher()?;
    let mut out = String::new();
    let store = publisher.fonts();
    let mut roles = RoleFonts::default();
    for (role, chain) in &args.fonts.fonts {
        roles.set(*role, chain.clone());
    }
    let mut ok = true;
    let mut json_roles = Vec::new();
    if !printer.json() {
        let _ = writeln!(
            out,
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
        match printer.format {
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
                    let _ = writeln!(
                        out,
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
        match printer.format {
            OutputFormat::Text => {
                let _ = writeln!(out, "\nall faces:");
                for e in store.entries() {
                    let _ = writeln!(
                        out,
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
    if printer.json() {
        let all: Vec<_> = if args.all {
            store
                .entries()
                .iter()
                .map(|e| serde_json::json!({"family": e.info.family, "weight": e.info.variant.weight.to_number(), "origin": e.origin.to_string()}))
                .collect()
        } else {
            Vec::new()
        };
        printer.emit_json(&serde_json::json!({"roles": json_roles, "faces": all, "status": if ok { "ok" } else { "failed" }}))?;
    } else {
        printer.stdout(out.as_bytes())?;
    }
    if !ok {
        printer.note("error: some families of the role chains are not available; add fonts with --font-dir DIR");
    }
    Ok(exit(!ok))
}

fn weight_name(w: u16) -> &'static str {
    match w {
        0..=349 => "light",
        350..=549 => "regular",
        550..=649 => "semibold",
        _ => "bold",
    }
}
