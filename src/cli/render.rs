//! `nianbao render` and `nianbao typst`.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use nianbao::check::Severity;
use nianbao::{export, typeset};

use super::check::{count, load_and_check};
use super::{exit, CliResult, FontArgs, InputArgs, Printer};

#[derive(Args)]
pub struct RenderArgs {
    /// The report's data file (.toml, .json, .yaml/.yml, or a workbook: .xlsx, .xls, .ods), or - for standard input.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,
    /// Where to write the PDF (default: next to DATA, with .pdf; with --html, .html).
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    /// Write the report as a portal web page instead: one self-contained HTML
    /// file (UTF-8, styles on the elements, no script, no external resource),
    /// the tables as real tables whose every number names its row and column.
    #[arg(long, conflicts_with_all = ["pdf_standard", "archive", "seal", "ofd"])]
    pub html: bool,
    /// A seal image (PNG or SVG) placed over the signature and date; overrides `seal` in the data.
    #[arg(long, value_name = "PATH")]
    pub seal: Option<PathBuf>,
    /// Render even when the data breaks rules of the format (says so). Missing or
    /// bad values (R5, R6) are never printed: fix them.
    #[arg(long)]
    pub force: bool,
    /// Conform to PDF standards: one PDF/A level (a-2b, a-2a, a-3b, a-3a) and/or
    /// ua-1 (PDF/UA-1, accessible), e.g. `a-2a,ua-1`. Anything a standard forbids
    /// (a glyph missing from its font, …) is then an error.
    #[arg(long, value_name = "STANDARD[,STANDARD]", value_delimiter = ',')]
    pub pdf_standard: Vec<export::PdfStandard>,
    /// Make an archival copy: PDF/A-3b with the report's data attached (take it out with `nianbao extract`).
    #[arg(long)]
    pub archive: bool,
    /// Write an OFD package (GB/T 33190-2016) from the same pages instead of a PDF
    /// (with --archive, the data attached); seal it with `nianbao sign-ofd`.
    #[arg(long, conflicts_with = "pdf_standard")]
    pub ofd: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fonts: FontArgs,
}

#[derive(Args)]
pub struct TypstArgs {
    /// The report's data file (.toml, .json, .yaml/.yml, or a workbook: .xlsx, .xls, .ods), or - for standard input.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,
    /// Where to write the Typst source (default: standard output).
    #[arg(short, long, value_name = "OUT.typ")]
    pub output: Option<PathBuf>,
    /// Write a whole Typst project to DIR instead: main.typ, nianbao.typ (the
    /// style library), roles.typ (the fonts by role) and the seal image, so that
    /// `typst compile --features a11y-extras --root DIR DIR/main.typ --font-path
    /// fonts/fandol` builds it.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub project: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fonts: FontArgs,
}

/// The default output path: next to the data file, with `.pdf` (or `.html`).
fn default_output(data: &Path, extension: &str) -> PathBuf {
    if data == Path::new("-") {
        PathBuf::from(format!("report.{extension}"))
    } else {
        data.with_extension(extension)
    }
}

pub fn render(args: RenderArgs, printer: &Printer) -> CliResult {
    let output = args.output.clone().unwrap_or_else(|| {
        let extension = if args.ofd {
            "ofd"
        } else if args.html {
            "html"
        } else {
            "pdf"
        };
        default_output(&args.data, extension)
    });
    // Check first: a report that breaks a rule of the format is not printed.
    let (loaded, findings) = load_and_check(&args.data, &args.input, None)?;
    let file = loaded.source.name.clone();
    printer.findings(Some(&loaded.source), &findings);
    let errors = count(&findings, Severity::Error);
    if errors > 0 && !args.force {
        let message = format!(
            "not rendering {file}: the data breaks {errors} rule{} of the format (fix the data, or use --force to render anyway)",
            if errors == 1 { "" } else { "s" }
        );
        if printer.json() {
            printer.emit_json(&json!({
                "nianbao": nianbao::VERSION,
                "status": "failed",
                "file": file,
                "message": message,
                "findings": findings,
            }))?;
        } else {
            printer.note(&format!("error: {message}"));
        }
        return Ok(exit(true));
    }
    if errors > 0 {
        printer.warning(&format!(
            "rendering {file} despite {errors} error{} (--force)",
            if errors == 1 { "" } else { "s" }
        ));
    }
    let publisher = args.fonts.publisher()?;
    if args.html {
        let page = publisher.render_html(&loaded)?;
        export::write_atomic(&output, page.as_bytes())?;
        printer.note(&format!("wrote {}", output.display()));
        if printer.json() {
            printer.emit_json(&json!({
                "nianbao": nianbao::VERSION,
                "status": "ok",
                "file": file,
                "output": output,
                "findings": findings,
            }))?;
        }
        return Ok(exit(false));
    }
    let export_options = export::ExportOptions {
        standards: args.pdf_standard.clone(),
        archive: args.archive,
        ofd: args.ofd,
    };
    let options = args.fonts.render_options(args.seal.as_deref())?;
    let rendered = publisher.render_with(&loaded, &options, &export_options)?;
    export::write_atomic(&output, &rendered.pdf)?;
    printer.note(&format!(
        "wrote {} ({} pages)",
        output.display(),
        rendered.pages
    ));
    if printer.json() {
        printer.emit_json(&json!({
            "nianbao": nianbao::VERSION,
            "status": "ok",
            "file": file,
            "output": output,
            "pages": rendered.pages,
            "findings": findings,
        }))?;
    }
    Ok(exit(false))
}

pub fn typst(args: TypstArgs, printer: &Printer) -> CliResult {
    let loaded = nianbao::load_data(&args.data, args.input.input_format)?;
    let publisher = args.fonts.publisher()?;
    let prepared = publisher.prepare(&loaded, &args.fonts.render_options(None)?, false)?;
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
        printer.note(&format!("wrote the Typst project to {}", dir.display()));
    } else if let Some(path) = &args.output {
        export::write_atomic(path, prepared.source.as_bytes())?;
        printer.note(&format!("wrote {}", path.display()));
    } else {
        printer.stdout(prepared.source.as_bytes())?;
    }
    Ok(exit(false))
}
