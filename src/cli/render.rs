//! `nianbao render` and `nianbao typst`.

use std::path::{Path, PathBuf};

use clap::Args;

use nianbao::check::Severity;
use nianbao::model::load_path;
use nianbao::{export, typeset, Error};

use super::{FontArgs, InputArgs, OutputFormat, Reporter, EXIT_FAILURE, EXIT_OK};

#[derive(Args)]
pub struct RenderArgs {
    /// The report's data file (.toml, .json, .yaml/.yml), or - for standard input.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,
    /// Where to write the PDF (default: next to DATA, with .pdf).
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    /// A seal image (PNG or SVG) placed over the signature and date; overrides `seal` in the data.
    #[arg(long, value_name = "PATH")]
    pub seal: Option<PathBuf>,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Render even when the data breaks rules of the format (says so on standard error).
    #[arg(long)]
    pub force: bool,
    /// Conform to PDF/A: a-2b or a-3b (a glyph missing from its font is then an error).
    #[arg(long, value_name = "STANDARD")]
    pub pdf_standard: Option<export::PdfStandard>,
    /// Make an archival copy: PDF/A-3b with the report's data attached (take it out with `nianbao extract`).
    #[arg(long)]
    pub archive: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fonts: FontArgs,
}

#[derive(Args)]
pub struct TypstArgs {
    /// The report's data file (.toml, .json, .yaml/.yml), or - for standard input.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,
    /// Where to write the Typst source (default: standard output).
    #[arg(short, long, value_name = "OUT.typ")]
    pub output: Option<PathBuf>,
    /// Write a whole Typst project to DIR instead: main.typ, nianbao.typ (the
    /// style library), roles.typ (the fonts by role) and the seal image, so that
    /// `typst compile --root DIR DIR/main.typ --font-path fonts/fandol` builds it.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub project: Option<PathBuf>,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fonts: FontArgs,
}

/// The default output path: next to the data file, with `.pdf`.
fn default_output(data: &Path) -> PathBuf {
    if data == Path::new("-") {
        PathBuf::from("report.pdf")
    } else {
        data.with_extension("pdf")
    }
}

pub fn render(args: RenderArgs) -> i32 {
    let reporter = Reporter::new(args.format);
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.data));
    // Check first: a report that breaks a rule of the format is not printed.
    let (loaded, checked) = super::check::check_file(&args.data, &args.input, None);
    super::check::print_findings(&checked.findings);
    let errors = checked
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if let Some(e) = checked.error {
        reporter.error(&e);
        return EXIT_FAILURE;
    }
    if errors > 0 {
        if !args.force || loaded.is_none() {
            eprintln!(
                "error: not rendering {}: the data breaks {errors} rule{} of the format (fix the data, or use --force to render anyway)",
                checked.file,
                if errors == 1 { "" } else { "s" }
            );
            return EXIT_FAILURE;
        }
        eprintln!(
            "warning: rendering {} despite {errors} error{} (--force)",
            checked.file,
            if errors == 1 { "" } else { "s" }
        );
    }
    let Some(loaded) = loaded else {
        return EXIT_FAILURE;
    };
    let result = (|| -> Result<usize, Error> {
        let publisher = args.fonts.publisher()?;
        let export_options = export::ExportOptions {
            standard: args.pdf_standard,
            archive: args.archive,
        };
        let rendered = publisher.render_with(
            &loaded,
            &args.fonts.render_options(args.seal.clone()),
            &export_options,
        )?;
        export::write_atomic(&output, &rendered.pdf)?;
        Ok(rendered.pages)
    })();
    match result {
        Ok(pages) => {
            reporter.note(&format!("wrote {} ({pages} pages)", output.display()));
            if args.format == OutputFormat::Json {
                println!(
                    "{}",
                    serde_json::json!({"status": "ok", "output": output, "pages": pages})
                );
            }
            EXIT_OK
        }
        Err(e) => {
            reporter.error(&e);
            EXIT_FAILURE
        }
    }
}

pub fn typst(args: TypstArgs) -> i32 {
    let reporter = Reporter::new(args.format);
    let result = (|| -> Result<String, Error> {
        let loaded = load_path(&args.data, args.input.input_format)?;
        let publisher = args.fonts.publisher()?;
        let prepared = publisher.prepare(&loaded, &args.fonts.render_options(None))?;
        if let Some(dir) = &args.project {
            std::fs::create_dir_all(dir).map_err(|e| export::ExportError::Write {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
            let name = |p: &str| dir.join(p.trim_start_matches('/'));
            export::write_atomic(&name(typeset::MAIN_PATH), prepared.source.as_bytes())?;
            export::write_atomic(
                &name(typeset::LIBRARY_PATH),
                publisher.style_library().as_bytes(),
            )?;
            export::write_atomic(
                &name(typeset::ROLES_PATH),
                prepared.roles.typst_module().as_bytes(),
            )?;
            if let Some(seal) = &prepared.seal {
                export::write_atomic(&name(seal.virtual_path()), seal.bytes.as_slice())?;
            }
        }
        Ok(prepared.source)
    })();
    match result {
        Ok(_) if args.project.is_some() => EXIT_OK,
        Ok(source) => match &args.output {
            Some(path) => match export::write_atomic(path, source.as_bytes()) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    reporter.error(&e.into());
                    EXIT_FAILURE
                }
            },
            None => {
                print!("{source}");
                EXIT_OK
            }
        },
        Err(e) => {
            reporter.error(&e);
            EXIT_FAILURE
        }
    }
}
