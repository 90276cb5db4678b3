//! `nianbao init`: a complete TOML skeleton to fill in.

use std::path::PathBuf;

use clap::Args;

use nianbao::export;
use nianbao::model::{skeleton, Edition};

use super::{exit, CliError, CliResult, Printer};

#[derive(Args)]
pub struct InitArgs {
    /// The edition of the format: 2021 (国办公开办函〔2021〕30号, report years 2021 on) or
    /// 2019 (国办公开办函〔2019〕60号, report years 2019 and 2020). Default: by the year.
    #[arg(long, value_name = "EDITION", value_parser = ["2021", "2019"])]
    pub edition: Option<String>,
    /// The reporting agency.
    #[arg(long, value_name = "NAME", default_value = "［机关名称］")]
    pub agency: String,
    /// The report year (default: last year).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2019..=2200))]
    pub year: Option<u16>,
    /// Where to write the skeleton (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE if it exists.
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

pub fn init(args: InitArgs, printer: &Printer) -> CliResult {
    let year = args.year.unwrap_or_else(last_year);
    let edition = match args.edition.as_deref().and_then(Edition::parse) {
        Some(e) => e,
        None => Edition::for_year(year),
    };
    if edition != Edition::for_year(year) {
        return Err(CliError::Usage(format!(
            "a {year} report uses the {} edition of the format, not {edition} (rule R12)",
            Edition::for_year(year)
        )));
    }
    let text = skeleton(&args.agency, year, edition);
    match &args.output {
        None => printer.stdout(text.as_bytes())?,
        Some(path) => {
            if path.exists() && !args.force {
                return Err(CliError::Usage(format!(
                    "{} exists; use --force to overwrite it",
                    path.display()
                )));
            }
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
