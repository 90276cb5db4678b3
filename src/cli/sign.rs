//! `nianbao sign`: a PAdES signature (B-B, or B-T with `--tsa`) as an incremental update.

use std::path::{Path, PathBuf};

use clap::Args;

use nianbao::export::{self, Signer};

use super::{exit, CliError, CliResult, Printer};

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
    pub fn signer(&self) -> Result<Option<Signer>, CliError> {
        let (key, cert) = match (&self.key, &self.cert) {
            (None, None) => return Ok(None),
            (Some(k), Some(c)) => (k, c),
            _ => return Err(CliError::Usage("give both --key and --cert".to_string())),
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
}

fn default_output(input: &Path) -> PathBuf {
    input.with_extension("signed.pdf")
}

pub fn sign(args: SignArgs, printer: &Printer) -> CliResult {
    let Some(signer) = args.signer.signer()? else {
        return Err(CliError::Usage(
            "`nianbao sign` needs --key KEY.pem and --cert CERT.pem".into(),
        ));
    };
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input));
    let bytes = export::read_pdf(&args.input)?;
    let signed = export::sign_pdf(&args.input.display().to_string(), &bytes, &signer)?;
    export::write_atomic(&output, &signed)?;
    let level = if args.signer.tsa.is_some() {
        "B-T"
    } else {
        "B-B"
    };
    printer.note(&format!("wrote {} (PAdES {level})", output.display()));
    if printer.json() {
        printer
            .emit_json(&serde_json::json!({"status": "ok", "output": output, "level": level}))?;
    }
    Ok(exit(false))
}
