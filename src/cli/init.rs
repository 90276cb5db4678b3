//! `nianbao init`: a complete TOML skeleton to fill in, or a workbook (`--xlsx`),
//! or one workbook per agency (`--xlsx --agencies`).

use std::path::{Path, PathBuf};

use clap::Args;

use nianbao::model::{skeleton, Edition, Report};
use nianbao::{export, workbook};

use super::{exit, CliError, CliResult, Printer};

#[derive(Args)]
pub struct InitArgs {
    /// The edition of the format: 2021 (国办公开办函〔2021〕30号, report years 2021 on) or
    /// 2019 (国办公开办函〔2019〕60号, report years 2019 and 2020). Default: by the year.
    #[arg(long, value_name = "EDITION", value_parser = ["2021", "2019"])]
    pub edition: Option<String>,
    /// The reporting agency (with --prev, default: last year's).
    #[arg(long, value_name = "NAME")]
    pub agency: Option<String>,
    /// The report year (default: last year; with --prev, the year after it).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2019..=2200))]
    pub year: Option<u16>,
    /// Write a workbook (.xlsx) to fill in with Excel or WPS 表格, laid out as the
    /// printed tables, instead of a TOML skeleton.
    #[arg(long)]
    pub xlsx: bool,
    /// Last year's report (any data file or workbook): its 四、结转下年度继续办理
    /// becomes this year's 二、上年结转, Table 2's 现行有效件数 carries over, and
    /// its prose is the starting point (with --xlsx).
    #[arg(
        long,
        value_name = "LAST_YEAR",
        requires = "xlsx",
        conflicts_with = "agencies"
    )]
    pub prev: Option<PathBuf>,
    /// A CSV list of agencies (first column, one per line; a header 机关名称 is
    /// skipped): one workbook per agency is written into the directory -o names
    /// (with --xlsx).
    #[arg(
        long,
        value_name = "FILE.csv",
        requires = "xlsx",
        conflicts_with = "agency"
    )]
    pub agencies: Option<PathBuf>,
    /// A directory of last year's reports (data files or workbooks), matched to
    /// the agencies by 机关名称 and year (with --agencies).
    #[arg(long, value_name = "DIR", requires = "agencies")]
    pub prev_dir: Option<PathBuf>,
    /// Where to write the skeleton (default: standard output) or the workbook;
    /// with --agencies, the directory for the workbooks.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE (or the workbooks in the directory) if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Last year, by the clock (reports are written in January for the year before).
fn last_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Seconds since 1970 → civil year (good to the day; the year is all we need).
    let year = 1970 + (secs as f64 / (365.2425 * 86400.0)) as u16;
    year.saturating_sub(1).max(2021)
}

/// The edition for a year, or the one asked for when it fits the year (R12).
fn edition_for(year: u16, asked: Option<&str>) -> Result<Edition, CliError> {
    let edition = asked
        .and_then(Edition::parse)
        .unwrap_or_else(|| Edition::for_year(year));
    if edition != Edition::for_year(year) {
        return Err(CliError::Usage(format!(
            "a {year} report uses the {} edition of the format, not {edition} (rule R12)",
            Edition::for_year(year)
        )));
    }
    Ok(edition)
}

fn refuse_overwrite(path: &Path, force: bool) -> Result<(), CliError> {
    if path.exists() && !force {
        return Err(CliError::Usage(format!(
            "{} exists; use --force to overwrite it",
            path.display()
        )));
    }
    Ok(())
}

pub fn init(args: InitArgs, printer: &Printer) -> CliResult {
    if args.xlsx {
        return match &args.agencies {
            Some(list) => init_many(&args, list, printer),
            None => init_workbook(&args, printer),
        };
    }
    let year = args.year.unwrap_or_else(last_year);
    let edition = edition_for(year, args.edition.as_deref())?;
    let agency = args.agency.as_deref().unwrap_or("［机关名称］");
    let text = skeleton(agency, year, edition);
    match &args.output {
        None => printer.stdout(text.as_bytes())?,
        Some(path) => {
            refuse_overwrite(path, args.force)?;
            export::write_atomic(path, text.as_bytes())?;
            printer.note(&format!(
                "wrote {}; fill it in, then: nianbao check {}",
                path.display(),
                path.display()
            ));
        }
    }
    Ok(exit(false))
}

fn init_workbook(args: &InitArgs, printer: &Printer) -> CliResult {
    let Some(path) = &args.output else {
        return Err(CliError::Usage(
            "--xlsx writes a workbook: give its file name with -o FILE.xlsx".into(),
        ));
    };
    refuse_overwrite(path, args.force)?;
    let prev = match &args.prev {
        Some(p) => Some(nianbao::load_data(p, None)?),
        None => None,
    };
    if let Some(p) = &prev {
        if !p.problems.is_empty() {
            printer.warning(&format!(
                "{}: {} value(s) of last year's report are missing or bad; they are carried over as zeros (nianbao check lists them)",
                p.source.name,
                p.problems.len()
            ));
        }
    }
    let prev_report = prev.as_ref().map(|p| &p.report);
    let year = args
        .year
        .or(prev_report.map(|r| r.year.0 + 1))
        .unwrap_or_else(last_year);
    let edition = edition_for(year, args.edition.as_deref())?;
    let agency = args
        .agency
        .clone()
        .or(prev_report.map(|r| r.agency.clone()))
        .unwrap_or_else(|| "［机关名称］".into());
    if let Some(r) = prev_report {
        if r.year.0 + 1 != year {
            printer.warning(&format!(
                "last year's report is of {}, not {}: its figures are carried over all the same",
                r.year.0,
                year - 1
            ));
        }
    }
    let report = workbook::template_report(&agency, year, edition, prev_report)?;
    let bytes = workbook::template(&report)?;
    export::write_atomic(path, &bytes)?;
    printer.note(&format!(
        "wrote {} ({} edition{}); fill it in with Excel or WPS 表格, then: nianbao check {}",
        path.display(),
        edition,
        if prev.is_some() {
            ", last year's figures carried over"
        } else {
            ""
        },
        path.display()
    ));
    Ok(exit(false))
}

fn init_many(args: &InitArgs, list: &Path, printer: &Printer) -> CliResult {
    let Some(dir) = &args.output else {
        return Err(CliError::Usage(
            "--agencies writes one workbook per agency: give the directory with -o OUTDIR".into(),
        ));
    };
    let agencies = workbook::read_agencies(list)?;
    let year = args.year.unwrap_or_else(last_year);
    let edition = edition_for(year, args.edition.as_deref())?;
    let previous = match &args.prev_dir {
        Some(prev_dir) => {
            let (reports, notes) = workbook::previous_reports(prev_dir, dir);
            for n in notes {
                printer.warning(&n);
            }
            reports
        }
        None => Default::default(),
    };
    std::fs::create_dir_all(dir).map_err(|e| export::ExportError::Write {
        path: dir.display().to_string(),
        reason: format!("cannot create the directory: {e}"),
    })?;
    let mut carried = 0;
    let mut written = Vec::new();
    for agency in &agencies {
        let path = dir.join(workbook::file_name(agency, year));
        refuse_overwrite(&path, args.force)?;
        let prev: Option<&Report> = previous.get(&(agency.clone(), year - 1));
        carried += usize::from(prev.is_some());
        let report = workbook::template_report(agency, year, edition, prev)?;
        let bytes = workbook::template(&report)?;
        export::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    if printer.json() {
        printer.emit_json(&serde_json::json!({
            "nianbao": nianbao::VERSION,
            "status": "ok",
            "year": year,
            "workbooks": written,
            "carried_over": carried,
        }))?;
    }
    printer.note(&format!(
        "wrote {} workbooks to {} ({} with last year's figures carried over); when they come back: nianbao batch {} -o PDFDIR",
        written.len(),
        dir.display(),
        carried,
        dir.display()
    ));
    Ok(exit(false))
}
