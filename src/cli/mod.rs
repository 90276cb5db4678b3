//! Command-line interface: argument parsing, exit codes, diagnostics output.

mod batch;
mod check;
mod extract;
mod fonts;
mod import;
mod init;
mod printer;
mod render;
mod serve;
mod sign;
mod sign_ofd;
mod verify;
mod verify_ofd;
mod workbook;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use nianbao::model::Format;
use nianbao::render::Templates;
use nianbao::typeset::{FontOptions, FontStore, Role, RoleFonts};
use nianbao::{Publisher, RenderOptions};

pub use printer::{OutputFormat, Printer};

/// Exit code: bad data or a failed render.
const EXIT_FAILURE: u8 = 1;
/// Exit code: bad usage.
const EXIT_USAGE: u8 = 2;

/// Why a command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Nianbao(#[from] nianbao::Error),
    /// Bad usage that clap cannot see (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Standard output is closed or failing (a closed pipe ends quietly).
    #[error("cannot write to standard output: {0}")]
    Stdout(#[source] std::io::Error),
}

macro_rules! into_cli_error {
    ($($t:ty),*) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> CliError {
                CliError::Nianbao(e.into())
            }
        }
    )*};
}
into_cli_error!(
    nianbao::model::LoadError,
    nianbao::export::ExportError,
    nianbao::batch::BatchError,
    nianbao::typeset::FontError,
    nianbao::render::RenderError,
    nianbao::workbook::WorkbookError,
    nianbao::import::ImportError
);

/// What a command returns: its exit code, or an error for the printer.
pub type CliResult = Result<ExitCode, CliError>;

#[derive(Parser)]
#[command(
    name = "nianbao",
    version,
    about = "Publishes government information-disclosure annual reports (政府信息公开工作年度报告) as official-layout PDFs",
    long_about = "Publishes government information-disclosure annual reports (政府信息公开工作年度报告) as PDFs \
in the official layout (GB/T 9704-2012; format of 国办公开办函〔2021〕30号).\n\n\
A report is one data file (TOML, JSON or YAML). nianbao checks it, writes Typst source from templates, \
typesets it in-process with embedded fonts, and writes the PDF.",
    after_help = "Examples:\n  nianbao render examples/bianlukou-2023.toml -o bianlukou-2023.pdf\n  nianbao typst examples/bianlukou-2023.toml -o report.typ\n  nianbao fonts\n\nExit codes: 0 success, 1 bad data or failed render, 2 usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How results and errors are printed: text for people (standard error) or
    /// one JSON document for programs (standard output).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Render a report's data file to PDF.
    #[command(
        after_help = "Examples:\n  nianbao render examples/bianlukou-2023.toml -o bianlukou-2023.pdf\n  nianbao render report.yaml                  # writes report.pdf next to it\n  cat report.json | nianbao render - --input-format json -o out.pdf\n  nianbao render report.toml --font-dir ~/fonts --font body=FangSong_GB2312,FandolFang\\ R"
    )]
    Render(render::RenderArgs),
    /// Render many reports at once: in parallel, resumable, with a manifest.
    #[command(
        after_help = "Examples:\n  nianbao batch reports/ -o out/\n  nianbao batch reports/ -o out/ --jobs 2 --skip-unchanged\n  nianbao batch reports/ -o out/ --shard 2/8          # this machine renders shard 2 of 8\n  nianbao manifest merge out/manifest-*-of-8.json -o out/manifest.json\n\nA report that fails its checks or its render is listed and the others go on; exit 1 if any failed.\nOutputs are named {agency}{year}年政府信息公开工作年度报告.pdf; out/manifest.json and .csv list every report."
    )]
    Batch(batch::BatchArgs),
    /// Work with batch manifests.
    Manifest(batch::ManifestArgs),
    /// Write synthetic, valid reports (for tests and benchmarks).
    #[command(after_help = "Example:\n  nianbao generate 200 -o /tmp/reports --seed 1")]
    Generate(batch::GenerateArgs),
    /// Check reports against every rule of the format (R1–R13) without rendering.
    #[command(
        after_help = "Examples:\n  nianbao check examples/bianlukou-2023.toml\n  nianbao check reports/*.toml --format json\n  nianbao check 2024.toml --prev 2023.toml --deny-warnings\n\nErrors: R1–R6, R12 (and R7 with --prev). Warnings: R8 (with --prev), R9, R10, R11 (with --prev), R13.\nExit 1 when any error is found (or any warning, with --deny-warnings)."
    )]
    Check(check::CheckArgs),
    /// Import published reports (PDF, Word .docx, web page, text) as data files.
    #[command(
        after_help = "Examples:\n  nianbao import 2023年报.pdf -o 2023.toml\n  nianbao import page.html --to json --out-dir data/\n  nianbao import report.pdf -o r.json --explain     # where every table value came from\n\nThe kind of file is chosen by content. A value the report does not print is written as missing\n(JSON null; in TOML a commented-out key), so `nianbao check` reports it (R6): blank is not zero.\nExit 1 when a file cannot be imported (nothing is written for it)."
    )]
    Import(import::ImportArgs),
    /// Write a complete data skeleton (every key, zeros, official labels as comments), or a workbook to fill in.
    #[command(
        after_help = "Examples:\n  nianbao init --agency 某某县人民政府办公室 --year 2024 -o 2024.toml\n  nianbao init > skeleton.toml\n  nianbao init --xlsx --agency 某某县人民政府办公室 --year 2024 -o 2024.xlsx\n  nianbao init --xlsx --prev 2023.xlsx -o 2024.xlsx          # last year's figures carried over\n  nianbao init --xlsx --agencies agencies.csv --year 2024 --prev-dir 2023/ -o 2024/\n\nA workbook has the sheets 说明, 基本信息, 表二, 表三, 表四 (as printed) and 正文; every input row\nhas a defined name (requests_new, active_rules, …). Read it back with check, render or batch."
    )]
    Init(init::InitArgs),
    /// Write a report's data as a filled workbook (.xlsx), laid out as `init --xlsx` lays it out.
    #[command(
        after_help = "Examples:\n  nianbao export 2024.toml -o 2024.xlsx\n  nianbao export 2024.xlsx -o copy.xlsx --force\n\nThe workbook reads back to the same data: nianbao check 2024.xlsx."
    )]
    Export(workbook::ExportArgs),
    /// Sum many reports up (汇总): one row per report, totals, the summed tables, a chart.
    #[command(
        after_help = "Examples:\n  nianbao summary returned/ -o 汇总.xlsx --csv 汇总.csv\n  nianbao summary a.xlsx b.toml c.ods -o total.xlsx\n\nEach report is checked first; one that fails an error-level rule (or cannot be read, or is of\nanother edition or year than most) is listed and marked, not summed. Exit 1 when any is not summed."
    )]
    Summary(workbook::SummaryArgs),
    /// Write the reports of a folder in the browser: a local web editor (in
    /// Chinese) with live checks, a live preview and PDF downloads.
    #[command(
        after_help = "Examples:\n  nianbao serve reports/               # prints the address, e.g. http://127.0.0.1:41234/\n  nianbao serve --port 8080 --open\n  nianbao serve reports/ --listen 0.0.0.0 --port 8080   # the office network: anyone who can reach it can edit\n\nListens on 127.0.0.1 unless --listen says otherwise. The page and its scripts are in the binary: it works offline."
    )]
    Serve(serve::ServeArgs),
    /// Write the generated Typst source of a report, for inspection.
    #[command(
        after_help = "Examples:\n  nianbao typst examples/bianlukou-2023.toml -o report.typ\n  nianbao typst examples/bianlukou-2023.toml        # prints to standard output\n\nThe source imports /nianbao.typ, the embedded style library (templates/nianbao.typ)."
    )]
    Typst(render::TypstArgs),
    /// List the font roles, the face chosen for each, and where it was loaded from.
    #[command(
        after_help = "Examples:\n  nianbao fonts\n  nianbao fonts --font-dir /usr/share/fonts/truetype --font body=FangSong_GB2312\n  nianbao fonts --all          # also list every font face available"
    )]
    Fonts(fonts::FontsArgs),
    /// Sign a PDF with a PAdES signature (B-B; B-T with --tsa), keeping PDF/A.
    #[command(
        after_help = "Examples:\n  nianbao render report.toml --archive -o copy.pdf\n  nianbao sign copy.pdf --key key.pem --cert cert.pem --chain ca.pem -o signed.pdf\n  nianbao sign copy.pdf --key key.pem --cert cert.pem --tsa http://127.0.0.1:3180/ -o signed.pdf\n\nThe signature is added as an incremental update: the original bytes (and any earlier\nsignature) stay intact. Keys: PKCS#8 PEM, RSA or P-256. Nothing is written on error."
    )]
    Sign(sign::SignArgs),
    /// Seal an OFD package with a GB/T 38540 electronic seal (SM2 with SM3).
    #[command(
        name = "sign-ofd",
        after_help = "Examples:\n  nianbao render report.toml --ofd --archive -o copy.ofd\n  nianbao sign-ofd copy.ofd --key sm2.key --cert sm2.pem --seal-image seal.png -o sealed.ofd\n  nianbao sign-ofd copy.ofd --key sm2.key --cert sm2.pem --seal-image seal.png --page 1 --at 120,200\n\nKeys and certificates: SM2 (e.g. `openssl genpkey -algorithm SM2`). A seal with legal effect needs\ncertified hardware and a seal-issuing authority: nianbao writes the format (GB/T 38540-2020, v4).\nA seal made elsewhere can be given with --seal Seal.esl. Nothing is written on error."
    )]
    SignOfd(sign_ofd::SignOfdArgs),
    /// Verify a signed PDF: signatures, certificate chain, PAdES level, time-stamp, archived data.
    #[command(
        after_help = "Examples:\n  nianbao verify signed.pdf --trust root.pem\n  nianbao verify signed.pdf --trust root.pem --format json\n\nExit 0 only when every signature is intact, valid and trusted, the whole file is signed,\nand (for archival copies) re-rendering the embedded data reproduces the signed revision."
    )]
    Verify(verify::VerifyArgs),
    /// Take the report data out of an archival copy (`render --archive`).
    #[command(
        after_help = "Examples:\n  nianbao extract copy.pdf -o data.json\n  nianbao extract copy.pdf | jq .agency\n\nThe data re-renders to the same archival copy: nianbao render data.json --archive."
    )]
    Extract(extract::ExtractArgs),
}

/// Options shared by every command that typesets.
#[derive(Args, Clone, Debug, Default)]
pub struct FontArgs {
    /// Add the fonts in DIR (searched recursively; repeatable).
    #[arg(long = "font-dir", value_name = "DIR")]
    pub font_dirs: Vec<PathBuf>,
    /// Also use the fonts installed on this system.
    #[arg(long)]
    pub system_fonts: bool,
    /// Set a role's font chain: ROLE=FAMILY[,FAMILY…]; roles: title, body, heading1, heading2, table, page_number (repeatable).
    #[arg(long = "font", value_name = "ROLE=FAMILIES", value_parser = parse_font_assignment)]
    pub fonts: Vec<(Role, Vec<String>)>,
    /// Use the templates in DIR (report.typ.j2, nianbao.typ) in place of the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

fn parse_font_assignment(text: &str) -> Result<(Role, Vec<String>), String> {
    RoleFonts::parse_assignment(text)
}

impl FontArgs {
    pub fn publisher(&self) -> Result<Publisher, nianbao::Error> {
        let fonts = FontStore::new(&FontOptions {
            dirs: self.font_dirs.clone(),
            system: self.system_fonts,
        })?;
        let templates = match &self.templates {
            Some(dir) => Templates::with_dir(dir)?,
            None => Templates::embedded(),
        };
        Ok(Publisher::new(Arc::new(fonts), templates))
    }

    /// The render options: the role chains given, and the seal image `--seal` names.
    pub fn render_options(
        &self,
        seal: Option<&std::path::Path>,
    ) -> Result<RenderOptions, nianbao::Error> {
        Ok(RenderOptions {
            fonts: self.fonts.clone(),
            seal: seal.map(nianbao::read_seal).transpose()?,
        })
    }
}

/// How data is read.
#[derive(Args, Clone, Debug, Default)]
pub struct InputArgs {
    /// The data format when reading standard input (`-`) or a file without a known
    /// extension: toml, json or yaml (workbooks are recognised by their content).
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub input_format: Option<Format>,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

/// Runs the command line; the one place where errors are printed and exit
/// codes chosen.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let printer = Printer::new(cli.format);
    match run(cli.command, &printer) {
        Ok(code) => code,
        Err(CliError::Stdout(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            printer.error(&e);
            ExitCode::from(match e {
                CliError::Usage(_) => EXIT_USAGE,
                _ => EXIT_FAILURE,
            })
        }
    }
}

fn run(command: Command, printer: &Printer) -> CliResult {
    match command {
        Command::Render(args) => render::render(args, printer),
        Command::Check(args) => check::check(args, printer),
        Command::Batch(args) => batch::batch(args, printer),
        Command::Manifest(args) => batch::manifest(args, printer),
        Command::Generate(args) => batch::generate(args, printer),
        Command::Init(args) => init::init(args, printer),
        Command::Export(args) => workbook::export(args, printer),
        Command::Summary(args) => workbook::summary(args, printer),
        Command::Import(args) => import::import(args, printer),
        Command::Typst(args) => render::typst(args, printer),
        Command::Serve(args) => serve::serve(args, printer),
        Command::Fonts(args) => fonts::fonts(args, printer),
        Command::Sign(args) => sign::sign(args, printer),
        Command::SignOfd(args) => sign_ofd::sign_ofd(args, printer),
        Command::Verify(args) => verify::verify(args, printer),
        Command::Extract(args) => extract::extract(args, printer),
    }
}

/// The exit code for a result that is not an error: 0, or 1 when something failed.
pub fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    }
}
