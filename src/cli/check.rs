//! `nianbao check`: every rule of the format, for one or more data files.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use nianbao::check::{self, Finding, Severity};
use nianbao::model::{load_path, Loaded};

use super::{diagnostics, InputArgs, OutputFormat, Reporter, EXIT_FAILURE, EXIT_OK};

#[derive(Args)]
pub struct CheckArgs {
    /// The reports' data files (.toml, .json, .yaml/.yml), or - for standard input.
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,
    /// Last year's report, for the rules that compare years (R7, R8, R11).
    #[arg(long, value_name = "LAST_YEAR")]
    pub prev: Option<PathBuf>,
    /// Text for people, or one JSON document for programs.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

/// The result of checking one file.
pub struct FileResult {
    pub file: String,
    pub findings: Vec<Finding>,
    /// A load error that breaks no rule (unreadable file, unknown key, …).
    pub error: Option<nianbao::Error>,
}

/// Loads and checks one file; a load error that breaks a rule becomes a finding.
pub fn check_file(
    path: &std::path::Path,
    args: &InputArgs,
    prev: Option<&Loaded>,
) -> (Option<Loaded>, FileResult) {
    let file = if path == std::path::Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    match load_path(path, args.input_format) {
        Ok(loaded) => {
            let findings = check::check(&loaded, prev);
            (
                Some(loaded),
                FileResult {
                    file,
                    findings,
                    error: None,
                },
            )
        }
        Err(e) => match check::finding_for_load_error(&e) {
            Some(f) => (
                None,
                FileResult {
                    file,
                    findings: vec![f],
                    error: None,
                },
            ),
            None => (
                None,
                FileResult {
                    file,
                    findings: Vec::new(),
                    error: Some(e.into()),
                },
            ),
        },
    }
}

/// Prints findings for people.
pub fn print_findings(findings: &[Finding]) {
    for f in findings {
        eprintln!("{f}");
    }
}

pub fn check(args: CheckArgs) -> i32 {
    let reporter = Reporter::new(args.format);
    let prev = match &args.prev {
        Some(p) => match load_path(p, None) {
            Ok(l) => Some(l),
            Err(e) => {
                reporter.error(&e.into());
                return EXIT_FAILURE;
            }
        },
        None => None,
    };
    let results: Vec<FileResult> = args
        .data
        .iter()
        .map(|p| check_file(p, &args.input, prev.as_ref()).1)
        .collect();
    let errors = results
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.severity == Severity::Error)
        .count()
        + results.iter().filter(|r| r.error.is_some()).count();
    let warnings = results
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    match args.format {
        OutputFormat::Json => {
            let files: Vec<_> = results
                .iter()
                .map(|r| {
                    let file_errors = r.findings.iter().any(|f| f.severity == Severity::Error) || r.error.is_some();
                    let file_warnings = r.findings.iter().any(|f| f.severity == Severity::Warning);
                    json!({
                        "file": r.file,
                        "status": if file_errors || (args.deny_warnings && file_warnings) { "failed" } else { "ok" },
                        "findings": r.findings,
                        "error": r.error.as_ref().map(diagnostics::error_json),
                    })
                })
                .collect();
            let doc = json!({
                "nianbao": nianbao::VERSION,
                "status": if failed { "failed" } else { "ok" },
                "summary": { "files": results.len(), "errors": errors, "warnings": warnings },
                "files": files,
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        OutputFormat::Text => {
            for r in &results {
                if let Some(e) = &r.error {
                    reporter.error(e);
                }
                print_findings(&r.findings);
                if r.error.is_none() && r.findings.is_empty() {
                    eprintln!("{}: ok", r.file);
                }
            }
            eprintln!(
                "checked {} file{}: {errors} error{}, {warnings} warning{}",
                results.len(),
                if results.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            );
        }
    }
    if failed {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}
