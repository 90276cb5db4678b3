//! `nianbao import`: a published report (PDF, Word, web page, text) as a data file.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use nianbao::export;
use nianbao::import::{self, write, Imported, Level};
use nianbao::model::Format;

use super::{exit, CliError, CliResult, Printer};

#[derive(Args)]
pub struct ImportArgs {
    /// Published reports: PDF (with a text layer), Word .docx, a saved web
    /// page (.html), or text copied from one (UTF-8 or GBK). The kind is
    /// chosen by content.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the data (one FILE); its extension chooses the format.
    #[arg(short, long, value_name = "OUT", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Write each FILE's data into DIR, named after it (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The data format: toml, json or yaml (default: -o's extension, else toml).
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub to: Option<Format>,
    /// Print where every table value came from (page and position, table/row/column,
    /// or line) and the printed label it matched.
    #[arg(long)]
    pub explain: bool,
    /// Print the paragraphs and table grids the reader sees, and write nothing
    /// (for looking into a file the importer misreads).
    #[arg(long, hide = true)]
    pub layout: bool,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

/// Where a file's data goes, and in which format.
fn destination(args: &ImportArgs, file: &Path) -> Result<(PathBuf, Format), CliError> {
    if let Some(out) = &args.output {
        let format = args.to.or_else(|| Format::from_path(out)).ok_or_else(|| {
            CliError::Usage(format!(
                "cannot tell the data format from `{}`: use .toml, .json or .yaml, or --to",
                out.display()
            ))
        })?;
        return Ok((out.clone(), format));
    }
    let format = args.to.unwrap_or(Format::Toml);
    let stem = file
        .file_stem()
        .map(|s| s.to_os_string())
        .unwrap_or_else(|| "report".into());
    let mut name = PathBuf::from(stem);
    name.set_extension(format.name());
    let out = match &args.out_dir {
        Some(dir) => dir.join(name),
        None => file.parent().map(|p| p.join(&name)).unwrap_or(name),
    };
    if out == file {
        return Err(CliError::Usage(format!(
            "{}: the output would overwrite the input; use -o or --out-dir",
            file.display()
        )));
    }
    Ok((out, format))
}

pub fn import(args: ImportArgs, printer: &Printer) -> CliResult {
    if args.output.is_some() && args.files.len() > 1 {
        return Err(CliError::Usage(
            "-o names one output; with several files use --out-dir DIR".into(),
        ));
    }
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| export::ExportError::Write {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    if args.layout {
        for file in &args.files {
            let bytes = std::fs::read(file).map_err(|source| nianbao::import::ImportError::Io {
                file: file.display().to_string(),
                source,
            })?;
            let doc = import::read_layout(&file.display().to_string(), &bytes)?;
            printer.stdout(layout_text(&doc).as_bytes())?;
        }
        return Ok(exit(false));
    }
    let mut failed = false;
    let mut files = Vec::new();
    for file in &args.files {
        let (out, format) = destination(&args, file)?;
        match import::import_path(file) {
            Ok(imported) => {
                let text = write::to_format(&imported, format);
                export::write_atomic(&out, text.as_bytes())?;
                let summary = summarize(&imported);
                if !printer.json() {
                    print_notes(printer, &imported);
                    if args.explain {
                        explain(printer, &imported)?;
                    }
                    printer.note(&format!(
                        "wrote {} ({} {}, {} edition: {} table values, {} missing; `nianbao check {}` lists each)",
                        out.display(),
                        imported.kind.name(),
                        imported.file,
                        imported.edition,
                        summary.0,
                        summary.1,
                        out.display()
                    ));
                }
                files.push(json!({
                    "file": imported.file,
                    "status": "ok",
                    "output": out,
                    "format": format.name(),
                    "kind": imported.kind,
                    "edition": imported.edition.as_str(),
                    "edition_evidence": imported.edition_evidence,
                    "values": imported.values,
                    "notes": imported.notes,
                    "missing": summary.1,
                }));
            }
            Err(e) => {
                failed = true;
                let e = CliError::from(e);
                if !printer.json() {
                    printer.error(&e);
                }
                files.push(json!({
                    "file": nianbao::model::display_name(file),
                    "status": "failed",
                    "error": super::printer::error_json(&e),
                }));
            }
        }
    }
    if printer.json() {
        printer.emit_json(&json!({
            "nianbao": nianbao::VERSION,
            "status": if failed { "failed" } else { "ok" },
            "files": files,
        }))?;
    }
    Ok(exit(failed))
}

/// (table values printed, values missing).
fn summarize(imported: &Imported) -> (usize, usize) {
    fn count(v: &serde_json::Value, width: usize, acc: &mut (usize, usize)) {
        match v {
            serde_json::Value::Null => acc.1 += width,
            serde_json::Value::Array(a) => a.iter().for_each(|x| count(x, 1, acc)),
            serde_json::Value::Object(m) => m.values().for_each(|x| count(x, 1, acc)),
            _ => acc.0 += 1,
        }
    }
    let mut acc = (0, 0);
    for (table, width) in [("active", 1), ("requests", 7), ("appeals", 5)] {
        if let Some(t) = imported.data.get(table).and_then(|t| t.as_object()) {
            for (k, v) in t {
                if k != "paragraphs" {
                    count(v, width, &mut acc);
                }
            }
        }
    }
    acc
}

fn print_notes(printer: &Printer, imported: &Imported) {
    for n in &imported.notes {
        if n.level != Level::Warning {
            continue;
        }
        let place = n
            .origin
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default();
        printer.warning(&format!("{}: {}{place}", imported.file, n.message));
    }
}

fn explain(printer: &Printer, imported: &Imported) -> Result<(), CliError> {
    let mut out = String::new();
    out.push_str(&format!(
        "{}: {} edition ({})\n",
        imported.file, imported.edition, imported.edition_evidence
    ));
    for v in &imported.values {
        let value = value_at(&imported.data, &v.key);
        out.push_str(&format!(
            "{:<36} {:>10}  ← {} · printed “{}” in row “{}” · column “{}”{}\n",
            v.key,
            value,
            v.place,
            v.printed.trim().replace('\n', " "),
            v.row_label,
            v.column_label,
            v.variant
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default()
        ));
    }
    for n in &imported.notes {
        if n.level == Level::Info {
            out.push_str(&format!("note: {}\n", n.message));
        }
    }
    printer.stdout(out.as_bytes())
}

/// The value at a key path of the data, as text (`空白` for null).
fn value_at(data: &serde_json::Value, key: &str) -> String {
    let mut v = data;
    for part in key.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        v = match v.get(name) {
            Some(x) => x,
            None => return "?".into(),
        };
        if let Some(i) = index {
            v = match v.get(i) {
                Some(x) => x,
                None => return "?".into(),
            };
        }
    }
    match v {
        serde_json::Value::Null => "空白".into(),
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn layout_text(doc: &import::Document) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        match b {
            import::Block::Para(p) => out.push_str(&format!(
                "P [{}] {:?}{}{} lead={} {:?}\n",
                p.origin,
                p.align,
                if p.heading { " heading" } else { "" },
                "",
                p.lead,
                p.text
            )),
            import::Block::Table(g) => {
                out.push_str(&format!("TABLE [{}] loose={}\n", g.origin, g.loose));
                for (r, row) in g.rows.iter().enumerate() {
                    let cells: Vec<String> = row
                        .iter()
                        .map(|s| format!("{}:{:?}", s.cell, s.text.replace('\n', "⏎")))
                        .collect();
                    out.push_str(&format!("  r{r}: {}\n", cells.join(" | ")));
                }
            }
        }
    }
    for (o, n) in &doc.notes {
        out.push_str(&format!("NOTE [{o}] {n}\n"));
    }
    out
}
