//! `nianbao sign-ofd`: a GB/T 38540-2020 electronic seal (SM2/SM3) on an OFD package.

use std::path::{Path, PathBuf};

use clap::Args;

use nianbao::export::ofd::{self, Placement, SealSigner};
use nianbao::export::{self, ExportError};

use super::{exit, CliError, CliResult, Printer};

#[derive(Args)]
pub struct SignOfdArgs {
    /// The OFD package to seal (from `render --ofd`, or any OFD).
    #[arg(value_name = "IN.ofd")]
    pub input: PathBuf,
    /// Where to write the sealed package (default: next to IN, with .sealed.ofd).
    #[arg(short, long, value_name = "OUT.ofd")]
    pub output: Option<PathBuf>,
    /// The signer's SM2 private key (PEM: PKCS#8 or SEC1).
    #[arg(long, value_name = "SM2KEY.pem")]
    pub key: PathBuf,
    /// The signer's SM2 certificate (PEM).
    #[arg(long, value_name = "SM2CERT.pem")]
    pub cert: PathBuf,
    /// The seal's picture (PNG), drawn where the stamp goes.
    #[arg(long, value_name = "SEAL.png", required_unless_present = "seal")]
    pub seal_image: Option<PathBuf>,
    /// A seal made elsewhere (Seal.esl, a GB/T 38540 v4 SESeal), used as it is.
    #[arg(long, value_name = "SEAL.esl", conflicts_with_all = ["seal_image", "seal_name", "maker_key", "maker_cert"])]
    pub seal: Option<PathBuf>,
    /// The seal's name (default: the document's author, the agency).
    #[arg(long, value_name = "NAME")]
    pub seal_name: Option<String>,
    /// The seal maker's SM2 key (default: the signer's own), with --maker-cert.
    #[arg(long, value_name = "KEY.pem", requires = "maker_cert")]
    pub maker_key: Option<PathBuf>,
    /// The seal maker's certificate (PEM).
    #[arg(long, value_name = "CERT.pem", requires = "maker_key")]
    pub maker_cert: Option<PathBuf>,
    /// The page the stamp goes on (1-based; default the last).
    #[arg(long, value_name = "N")]
    pub page: Option<usize>,
    /// The stamp's top-left corner, X,Y in millimetres from the page's top-left
    /// (default: over the report's seal image, else centred on the agency's name in the signature).
    #[arg(long, value_name = "X,Y", value_parser = parse_at)]
    pub at: Option<(f64, f64)>,
}

fn parse_at(text: &str) -> Result<(f64, f64), String> {
    let (x, y) = text
        .split_once(',')
        .ok_or_else(|| format!("`{text}`: expected X,Y in millimetres, e.g. 120,200"))?;
    let n = |v: &str| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("`{text}`: expected X,Y in millimetres, e.g. 120,200"))
    };
    Ok((n(x)?, n(y)?))
}

fn default_output(input: &Path) -> PathBuf {
    input.with_extension("sealed.ofd")
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    Ok(export::read_pdf(path)?)
}

pub fn sign_ofd(args: SignOfdArgs, printer: &Printer) -> CliResult {
    let signer = ofd::Sm2Identity::from_files(&args.key, &args.cert).map_err(ExportError::from)?;
    let seal = match &args.seal {
        Some(path) => ofd::SealSource::Given(read(path)?),
        None => {
            let picture = match &args.seal_image {
                Some(p) => read(p)?,
                None => return Err(CliError::Usage("give --seal-image SEAL.png".into())),
            };
            let maker = match (&args.maker_key, &args.maker_cert) {
                (Some(k), Some(c)) => Some(Box::new(
                    ofd::Sm2Identity::from_files(k, c).map_err(ExportError::from)?,
                )),
                _ => None,
            };
            ofd::SealSource::Make {
                picture,
                name: args.seal_name.clone(),
                maker,
                size: None,
            }
        }
    };
    let sealer = SealSigner {
        signer,
        seal,
        placement: Placement {
            page: args.page,
            at: args.at,
        },
        time: None,
    };
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input));
    let bytes = read(&args.input)?;
    let sealed = ofd::sign_ofd(&args.input.display().to_string(), &bytes, &sealer)
        .map_err(ExportError::from)?;
    export::write_atomic(&output, &sealed)?;
    printer.note(&format!(
        "wrote {} (GB/T 38540 seal, SM2 with SM3)",
        output.display()
    ));
    if printer.json() {
        printer.emit_json(&serde_json::json!({"status": "ok", "output": output}))?;
    }
    Ok(exit(false))
}
