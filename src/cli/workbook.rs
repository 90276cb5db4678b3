//! `nianbao export` (a report's data as a workbook) and `nianbao summary`
//! (汇总: many reports summed up into a workbook and a CSV).

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use nianbao::{batch, export, workbook};

use super::{exit, CliError, CliResult, InputArgs, Printer};

#[derive(Args)]
pub struct ExportArgs {
    /// The report's data file (.toml, .json, .yaml/.yml, or a workbook), or - for standard input.
    #[arg(value_name = "DATA")]
    pub data: PathBuf,
    /// The workbook to write (.xlsx), laid out as `nianbao init --xlsx` lays it out.
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub output: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args)]
pub struct SummaryArgs {
    /// Reports: data files, workbooks, or directories searched recursively for them.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The summary workbook (.xlsx): one row per report, a totals row, the
    /// summed Tables 2–4 as printed, and a chart.
    #[arg(short, long, value_name = "SUMMARY.xlsx")]
    pub output: PathBuf,
    /// Also write the per-report table and its totals as CSV (UTF-8).
    #[arg(long, value_name = "FILE.csv")]
    pub csv: Option<PathBuf>,
}

pub fn export(args: ExportArgs, printer: &Printer) -> CliResult {
    if args.output.exists() && !args.force {
        return Err(CliError::Usage(format!(
            "{} exists; use --force to overwrite it",
            args.output.display()
        )));
    }
    let loaded = nianbao::load_data(&args.data, args.input.input_format)?;
    let bytes = workbook::export(&loaded)?;
    export::write_atomic(&args.output, &bytes)?;
    if !loaded.problems.is_empty() {
        printer.warning(&format!(
            "{}: {} value(s) are missing or bad and are left blank in the workbook (nianbao check lists them)",
            loaded.source.name,
            loaded.problems.len()
        ));
    }
    printer.note(&format!("wrote {}", args.output.display()));
    if printer.json() {
        printer.emit_json(&json!({
            "nianbao": nianbao::VERSION,
            "status": "ok",
            "file": loaded.source.name,
            "output": args.output,
            "blank": loaded.problems.len(),
        }))?;
    }
    Ok(exit(false))
}

pub fn summary(args: SummaryArgs, printer: &Printer) -> CliResult {
    let skip = args
        .output
        .parent()
        .map(|p| p.join(".nianbao-none"))
        .unwrap_or_default();
    let jobs = batch::discover(&args.inputs, &skip).map_err(|e| match e {
        e @ batch::BatchError::MissingInput { .. } => CliError::Usage(e.to_string()),
        e => e.into(),
    })?;
    let output = args.output.canonicalize().ok();
    let inputs: Vec<(String, Result<nianbao::model::Loaded, nianbao::Error>)> = jobs
        .iter()
        .filter(|j| j.path.canonicalize().ok() != output || output.is_none())
        .map(|j| {
            (
                j.path.display().to_string(),
                nianbao::load_data(&j.path, None),
            )
        })
        .collect();
    if inputs.is_empty() {
        return Err(CliError::Usage(
            "no report found among the inputs (.toml, .json, .yaml, .xlsx, .xls, .ods)".into(),
        ));
    }
    let summary = workbook::summary::summarize(inputs);
    export::write_atomic(&args.output, &summary.workbook()?)?;
    if let Some(csv) = &args.csv {
        export::write_atomic(csv, &summary.csv()?)?;
    }
    let included = summary.entries.iter().filter(|e| e.included).count();
    for e in summary.entries.iter().filter(|e| !e.included) {
        printer.warning(&format!(
            "{}: {}",
            e.file,
            e.note.as_deref().unwrap_or("not summed")
        ));
    }
    printer.note(&format!(
        "summed {included} of {} reports into {}{}",
        summary.entries.len(),
        args.output.display(),
        args.csv
            .as_ref()
            .map(|c| format!(" and {}", c.display()))
            .unwrap_or_default()
    ));
    if printer.json() {
        printer.emit_json(&json!({
            "nianbao": nianbao::VERSION,
            "status": if included == summary.entries.len() { "ok" } else { "partial" },
            "reports": summary.entries.len(),
            "summed": included,
            "output": args.output,
            "csv": args.csv,
            "not_summed": summary.entries.iter().filter(|e| !e.included).map(|e| json!({
                "file": e.file,
                "reason": e.note,
            })).collect::<Vec<_>>(),
        }))?;
    }
    Ok(exit(included < summary.entries.len()))
}
