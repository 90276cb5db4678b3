//! `nianbao verify`: signatures, certificate chain, PAdES level, time-stamp, and
//! for archival copies whether the embedded data re-renders to the same bytes.

use std::path::PathBuf;

use clap::Args;

use nianbao::export::{self, ExportError, ExportOptions, Extracted, VerifyOptions};
use nianbao::model::{load_str, Format};
use nianbao::{Error, Publisher, RenderOptions};

use super::{FontArgs, OutputFormat, Reporter, EXIT_FAILURE, EXIT_OK};

#[derive(Args)]
pub struct VerifyArgs {
    /// The signed PDF.
    #[arg(value_name = "COPY.pdf")]
    pub input: PathBuf,
    /// A trusted root certificate (PEM; repeatable, or several in one file).
    #[arg(long, value_name = "ROOT.pem")]
    pub trust: Vec<PathBuf>,
    /// Text for people, or JSON for programs (the full report either way).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub fonts: FontArgs,
}

/// Re-renders extracted data as an archival copy, with the seal from the copy.
pub fn rerender(publisher: &Publisher, extracted: &Extracted) -> Result<Vec<u8>, String> {
    let text = String::from_utf8(extracted.data.clone()).map_err(|e| e.to_string())?;
    let loaded =
        load_str(export::archive::DATA_NAME, &text, Format::Json).map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let seal = match &extracted.seal {
        Some((name, bytes)) => {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
            Some(path)
        }
        None => None,
    };
    let options = RenderOptions {
        seal,
        ..RenderOptions::default()
    };
    publisher
        .render_with(&loaded, &options, &ExportOptions::archive())
        .map(|r| r.pdf)
        .map_err(|e| e.to_string())
}

pub fn verify(args: VerifyArgs) -> i32 {
    let reporter = Reporter::new(args.format);
    let result = (|| -> Result<export::Verification, Error> {
        let mut trust = Vec::new();
        for path in &args.trust {
            let bytes = std::fs::read(path)
                .map_err(|e| ExportError::Input(format!("{}: {e}", path.display())))?;
            trust.extend(
                export::x509::certs_from_pem(&bytes)
                    .map_err(|e| ExportError::Input(format!("{}: {e}", path.display())))?,
            );
        }
        let bytes = std::fs::read(&args.input)
            .map_err(|e| ExportError::Input(format!("{}: {e}", args.input.display())))?;
        let publisher = args.fonts.publisher()?;
        let rerender = |x: &Extracted| rerender(&publisher, x);
        let v =
            export::verify_pdf(&bytes, &VerifyOptions { trust }, Some(&rerender)).map_err(|e| {
                match e {
                    ExportError::Input(m) => {
                        ExportError::Input(format!("{}: {m}", args.input.display()))
                    }
                    e => e,
                }
            })?;
        Ok(v)
    })();
    match result {
        Ok(v) => {
            match args.format {
                OutputFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(&v).expect("JSON"))
                }
                OutputFormat::Text => print!("{}", v.to_text()),
            }
            if v.ok {
                EXIT_OK
            } else {
                EXIT_FAILURE
            }
        }
        Err(e) => {
            reporter.error(&e);
            EXIT_FAILURE
        }
    }
}
