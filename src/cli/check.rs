//! `nianbao check`: every rule of the format, for data files and for published
//! reports (imported in memory), one by one or a directory at a time.

use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;
use serde_json::json;

use nianbao::check::{self, Finding, Severity};
use nianbao::import::{self, Imported, Level};
use nianbao::model::Loaded;

use super::{exit, printer, CliError, CliResult, InputArgs, Printer};

#[derive(Args)]
pub struct CheckArgs {
    /// Data files (.toml, .json, .yaml/.yml, or workbooks: .xlsx, .xls, .ods),
    /// published reports (PDF, Word .docx, web page .html, text .txt: imported
    /// in memory, chosen by content), or directories of them (searched
    /// recursively); - reads data from standard input.
    #[arg(value_name = "FILE", required = true)]
    pub data: Vec<PathBuf>,
    /// Last year's report (a data file or a published report), for the rules
    /// that compare years (R7, R8, R11).
    #[arg(long, value_name = "LAST_YEAR")]
    pub prev: Option<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Write one line per report to this CSV file: file, agency, year, status,
    /// counts of errors and warnings, the first findings (the audit table).
    #[arg(long, value_name = "AUDIT.csv")]
    pub summary: Option<PathBuf>,
    /// Reports checked at once (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Loads a data file and checks it: every problem of its values and every rule.
pub fn load_and_check(
    path: &Path,
    input: &InputArgs,
    prev: Option<&Loaded>,
) -> Result<(Loaded, Vec<Finding>), CliError> {
    let loaded = nianbao::load_data(path, input.input_format)?;
    let findings = check::check(&loaded, prev);
    Ok((loaded, findings))
}

/// Whether a path names a data file (by its extension, or standard input).
fn is_data(path: &Path, input: &InputArgs) -> bool {
    path == Path::new("-") || input.input_format.is_some() || nianbao::is_data_path(path)
}

/// The extensions a directory is searched for.
const EXTENSIONS: &[&str] = &[
    "toml", "json", "yaml", "yml", "xlsx", "xls", "ods", "pdf", "docx", "html", "htm", "shtml",
    "txt",
];

/// The files to check: files as given, directories searched recursively.
fn expand(paths: &[PathBuf], skip: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .filter(|f| {
                    let hidden = f
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with('.'));
                    let ext = f
                        .extension()
                        .and_then(|e| e.to_str())
                        .map(str::to_ascii_lowercase)
                        .unwrap_or_default();
                    !hidden && EXTENSIONS.contains(&ext.as_str()) && Some(f.as_path()) != skip
                })
                .collect();
            found.sort();
            if found.is_empty() {
                // Reported as the directory that holds no report.
                out.push(p.clone());
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// A report, loaded (from data, or imported from a published file) and checked.
pub struct Checked {
    pub loaded: Loaded,
    pub findings: Vec<Finding>,
    pub imported: Option<Imported>,
}

/// Reads a report of either kind: data, or a published report imported in memory.
pub fn load_any(path: &Path, input: &InputArgs) -> Result<(Loaded, Option<Imported>), CliError> {
    if is_data(path, input) {
        return Ok((nianbao::load_data(path, input.input_format)?, None));
    }
    let imported = import::import_path(path)?;
    let loaded = imported.load()?;
    Ok((loaded, Some(imported)))
}

/// Checks one report; findings on an imported report say where in the
/// published file the cell is.
pub fn check_one(
    path: &Path,
    input: &InputArgs,
    prev: Option<&Loaded>,
) -> Result<Checked, CliError> {
    let (loaded, imported) = load_any(path, input)?;
    let mut findings = check::check(&loaded, prev);
    if let Some(imp) = &imported {
        for f in &mut findings {
            f.origin = imp.describe(&f.key);
            // What the importer saw there (a row printed as one, a unit…).
            let extra: Vec<&str> = imp
                .notes
                .iter()
                .filter(|n| n.level == Level::Warning)
                .filter(|n| {
                    n.key
                        .as_deref()
                        .is_some_and(|k| k == f.key || f.key.starts_with(&format!("{k}[")))
                })
                .filter(|n| !n.message.contains("空白不是零，这一格按缺失处理"))
                .map(|n| n.message.as_str())
                .collect();
            if !extra.is_empty() {
                f.message = format!("{}（导入时：{}）", f.message, extra.join("；"));
            }
        }
    }
    Ok(Checked {
        loaded,
        findings,
        imported,
    })
}

/// How many findings of a severity a list holds.
pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn check(args: CheckArgs, printer: &Printer) -> CliResult {
    let prev = match &args.prev {
        Some(p) => Some(load_any(p, &InputArgs::default())?.0),
        None => None,
    };
    let paths = expand(&args.data, args.summary.as_deref());
    if paths.is_empty() {
        return Err(CliError::Usage(
            "no reports found: give data files, published reports, or directories holding them"
                .into(),
        ));
    }
    let work = |p: &PathBuf| check_one(p, &args.input, prev.as_ref());
    let results: Vec<Result<Checked, CliError>> = if paths.len() > 1 {
        let threads = args.jobs.unwrap_or(0);
        match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(pool) => pool.install(|| paths.par_iter().map(work).collect()),
            Err(_) => paths.iter().map(work).collect(),
        }
    } else {
        paths.iter().map(work).collect()
    };
    let (mut errors, mut warnings) = (0, 0);
    let mut files = Vec::new();
    let mut rows = Vec::new();
    for (path, result) in paths.iter().zip(results) {
        let name = nianbao::model::display_name(path);
        match result {
            Ok(c) => {
                let (e, w) = (
                    count(&c.findings, Severity::Error),
                    count(&c.findings, Severity::Warning),
                );
                errors += e;
                warnings += w;
                if let Some(imp) = &c.imported {
                    if !printer.json() {
                        for n in imp
                            .notes
                            .iter()
                            .filter(|n| n.level == Level::Warning && n.key.is_none())
                        {
                            printer.warning(&format!("{name}: {}", n.message));
                        }
                    }
                }
                printer.findings(Some(&c.loaded.source), &c.findings);
                if c.findings.is_empty() {
                    printer.note(&format!("{name}: ok"));
                }
                let failed = e > 0 || (args.deny_warnings && w > 0);
                let status = if failed { "failed" } else { "ok" };
                rows.push(summary_row(&name, Some(&c), status, e, w, None));
                files.push(json!({
                    "file": name,
                    "status": status,
                    "kind": c.imported.as_ref().map(|i| i.kind),
                    "import": c.imported.as_ref().map(|i| json!({
                        "edition": i.edition.as_str(),
                        "edition_evidence": i.edition_evidence,
                        "notes": i.notes,
                    })),
                    "findings": c.findings,
                    "error": null,
                }));
            }
            Err(e) => {
                errors += 1;
                if !printer.json() {
                    printer.error(&e);
                }
                rows.push(summary_row(
                    &name,
                    None,
                    "unreadable",
                    1,
                    0,
                    Some(e.to_string()),
                ));
                files.push(json!({
                    "file": name,
                    "status": "failed",
                    "findings": [],
                    "error": printer::error_json(&e),
                }));
            }
        }
    }
    if let Some(out) = &args.summary {
        write_summary(out, &rows)?;
        printer.note(&format!("wrote {} ({} reports)", out.display(), rows.len()));
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    if printer.json() {
        printer.emit_json(&json!({
            "nianbao": nianbao::VERSION,
            "status": if failed { "failed" } else { "ok" },
            "summary": { "files": files.len(), "errors": errors, "warnings": warnings },
            "files": files,
        }))?;
    } else {
        printer.note(&format!(
            "checked {}: {}, {}",
            plural(files.len(), "file"),
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
    }
    Ok(exit(failed))
}

/// The columns of the audit table (`--summary`).
const SUMMARY_COLUMNS: [&str; 10] = [
    "file",
    "kind",
    "agency",
    "year",
    "edition",
    "status",
    "errors",
    "warnings",
    "rules",
    "first_findings",
];

fn summary_row(
    file: &str,
    c: Option<&Checked>,
    status: &str,
    errors: usize,
    warnings: usize,
    error: Option<String>,
) -> Vec<String> {
    let (kind, agency, year, edition, rules, first) = match c {
        Some(c) => {
            let r = &c.loaded.report;
            let known = |k: &str| c.loaded.known(k);
            let mut rules: Vec<&str> = c.findings.iter().map(|f| f.rule.id()).collect();
            rules.dedup();
            let mut seen = Vec::new();
            rules.retain(|r| {
                let new = !seen.contains(r);
                seen.push(*r);
                new
            });
            let first: Vec<String> = c
                .findings
                .iter()
                .take(3)
                .map(|f| {
                    let place = f.place();
                    let origin = f
                        .origin
                        .as_deref()
                        .map(|o| format!(" [{o}]"))
                        .unwrap_or_default();
                    format!("{} {}: {}{origin}", f.rule, place, f.message)
                })
                .collect();
            (
                c.imported
                    .as_ref()
                    .map(|i| i.kind.name())
                    .unwrap_or("data")
                    .to_string(),
                if known("agency") {
                    r.agency.clone()
                } else {
                    String::new()
                },
                if known("year") {
                    r.year.0.to_string()
                } else {
                    String::new()
                },
                r.edition().as_str().to_string(),
                rules.join(" "),
                first.join(" | "),
            )
        }
        None => (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            error.unwrap_or_default(),
        ),
    };
    vec![
        file.to_string(),
        kind,
        agency,
        year,
        edition,
        status.to_string(),
        errors.to_string(),
        warnings.to_string(),
        rules,
        first,
    ]
}

fn write_summary(path: &Path, rows: &[Vec<String>]) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| nianbao::export::ExportError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    w.write_record(SUMMARY_COLUMNS).map_err(io)?;
    for r in rows {
        w.write_record(r).map_err(io)?;
    }
    let mut bytes = vec![0xEF, 0xBB, 0xBF]; // a BOM, so that Excel/WPS read UTF-8
    bytes.extend(
        w.into_inner()
            .map_err(|e| nianbao::export::ExportError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?,
    );
    nianbao::export::write_atomic(path, &bytes)?;
    Ok(())
}
