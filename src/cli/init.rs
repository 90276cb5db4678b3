//! `nianbao init`: a complete TOML skeleton to fill in.

use std::path::PathBuf;

use clap::Args;

use nianbao::export;
use nianbao::model::{skeleton, Edition};

use super::{OutputFormat, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

#[derive(Args)]
pub struct InitArgs {
    /// The edition of the format (only 2021 is supported for new reports).
    #[arg(long, default_value = "2021", value_parser = ["2021"])]
    pub edition: String,
    /// The reporting agency.
    #[arg(long, value_name = "NAME", default_value = "［机关名称］")]
    pub agency: String,
    /// The report year (default: last year).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2021..=2200))]
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
    // Days since 1970 → civil year (good to the day; the year is all we need).
    let year = 1970 + (secs as f64 / (365.2425 * 86400.0)) as u16;
    year.saturating_sub(1).max(2021)
}

pub fn init(args: InitArgs) -> i32 {
    let reporter = Reporter::new(OutputFormat::Text);
    let year = args.year.unwrap_or_else(last_year);
    let text = skeleton(&args.agency, year, Edition::E2021);
    match &args.output {
        None => {
            print!("{text}");
            EXIT_OK
        }
        Some(path) => {
            if path.exists() && !args.force {
                eprintln!(
                    "error: {} exists; use --force to overwrite it",
                    path.display()
                );
                return EXIT_USAGE;
            }
            match export::write_atomic(path, text.as_bytes()) {
                Ok(()) => {
                    reporter.note(&format!(
                        "wrote {}; fill it in, then: nianbao check {}",
                        path.display(),
                        path.display()
                    ));
                    EXIT_OK
                }
                Err(e) => {
                    reporter.error(&e.into());
                    EXIT_FAILURE
                }
            }
        }
    }
}
