//! `nianbao sign`: a PAdES signature (B-B, or B-T with `--tsa`) as an incremental update.

use std::path::{Path, PathBuf};

use clap::Args;

use nianbao::export::{self, ExportError, Signer};
use nianbao::Error;

use super::{OutputFormat, Reporter, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Who signs and how; shared by `sign` and (for `--sign`) `batch`.
#[derive(Args, Clone, Debug, Default)]
pub struct SignerArgs {
    /// The signer's private key: PKCS#8 PEM, RSA or P-256.
    #[arg(long, value_name = "KEY.pem")]
    pub key: Option<PathBuf>,
    /// The signer's certificate (PEM); further certificates in the file are taken as its chain.
    #[arg(long, value_name = "CERT.pem")]
    pub cert: Option<PathBuf>,
    /// Certificates of the issuing CAs (PEM), embedded in the signature.
    #[arg(long, value_name = "CA.pem")]
    pub chain: Option<PathBuf>,
    /// An RFC 3161 time-stamp authority (http://…): makes the signature PAdES B-T.
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
    /// Make the signature visible over the seal image (PNG) on the last page.
    #[arg(long)]
    pub visible: bool,
    /// The reason given in the signature.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

impl SignerArgs {
    /// The signer, or None when neither --key nor --cert is given.
    pub fn signer(&self) -> Result<Option<Signer>, ExportError> {
        let (key, cert) = match (&self.key, &self.cert) {
            (None, None) => return Ok(None),
            (Some(k), Some(c)) => (k, c),
            _ => return Err(ExportError::Sign("give both --key and --cert".to_string())),
        };
        let mut signer = Signer::from_files(key, cert, self.chain.as_deref())?;
        signer.tsa = self.tsa.clone();
        signer.visible = self.visible;
        signer.reason = self.reason.clone();
        Ok(Some(signer))
    }
}

#[derive(Args)]
pub struct SignArgs {
    /// The PDF to sign (an archival copy from `render --archive`, or any PDF).
    #[arg(value_name = "IN.pdf")]
    pub input: PathBuf,
    /// Where to write the signed PDF (default: next to IN, with .signed.pdf).
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub signer: SignerArgs,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

fn default_output(input: &Path) -> PathBuf {
    input.with_extension("signed.pdf")
}

pub fn sign(args: SignArgs) -> i32 {
    let reporter = Reporter::new(args.format);
    if args.signer.key.is_none() || args.signer.cert.is_none() {
        eprintln!("error: `nianbao sign` needs --key KEY.pem and --cert CERT.pem");
        return EXIT_USAGE;
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input));
    let result = (|| -> Result<(), ExportError> {
        let signer = args.signer.signer()?.expect("key and cert given");
        let bytes = std::fs::read(&args.input)
            .map_err(|e| ExportError::Input(format!("{}: {e}", args.input.display())))?;
        let signed = export::sign_pdf(&bytes, &signer).map_err(|e| match e {
            ExportError::Input(m) => ExportError::Input(format!("{}: {m}", args.input.display())),
            e => e,
        })?;
        export::write_atomic(&output, &signed)
    })();
    match result {
        Ok(()) => {
            let level = if args.signer.tsa.is_some() {
                "B-T"
            } else {
                "B-B"
            };
            reporter.note(&format!("wrote {} (PAdES {level})", output.display()));
            if args.format == OutputFormat::Json {
                println!(
                    "{}",
                    serde_json::json!({"status": "ok", "output": output, "level": level})
                );
            }
            EXIT_OK
        }
        Err(e) => {
            reporter.error(&Error::Export(e));
            EXIT_FAILURE
        }
    }
}
