//! `nianbao check`: every rule of the format, for one or more data files.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use nianbao::check::{self, Finding, Severity};
use nianbao::model::Loaded;

use super::{exit, printer, CliError, CliResult, InputArgs, Printer};

#[derive(Args)]
pub struct CheckArgs {
    /// The reports' data files (.toml, .json, .yaml/.yml, or workbooks: .xlsx, .xls, .ods), or - for standard input.
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,
    /// Last year's report, for the rules that compare years (R7, R8, R11).
    #[arg(long, value_name = "LAST_YEAR")]
    pub prev: Option<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
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

/// How many findings of a severity a list holds.
pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn check(args: CheckArgs, printer: &Printer) -> CliResult {
    let prev = match &args.prev {
        Some(p) => Some(nianbao::load_data(p, None)?),
        None => None,
    };
    let (mut errors, mut warnings) = (0, 0);
    let mut files = Vec::new();
    for path in &args.data {
        let name = nianbao::model::display_name(path);
        match load_and_check(path, &args.input, prev.as_ref()) {
            Ok((loaded, findings)) => {
                let (e, w) = (
                    count(&findings, Severity::Error),
                    count(&findings, Severity::Warning),
                );
                errors += e;
                warnings += w;
                printer.findings(Some(&loaded.source), &findings);
                if findings.is_empty() {
                    printer.note(&format!("{name}: ok"));
                }
                let failed = e > 0 || (args.deny_warnings && w > 0);
                files.push(json!({
                    "file": name,
                    "status": if failed { "failed" } else { "ok" },
                    "findings": findings,
                    "error": null,
                }));
            }
            Err(e) => {
                errors += 1;
                if !printer.json() {
                    printer.error(&e);
                }
                files.push(json!({
                    "file": name,
                    "status": "failed",
                    "findings": [],
                    "error": printer::error_json(&e),
                }));
            }
        }
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
