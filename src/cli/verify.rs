//! `nianbao verify`: signatures, certificate chain, PAdES level, time-stamp, and
//! for archival copies whether the embedded data re-renders to the same bytes.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;

use nianbao::export::{self, ExportOptions, Extracted, Verification, VerifyOptions};
use nianbao::model::{load_str, Format};
use nianbao::typeset::SealImage;
use nianbao::{Publisher, RenderOptions};

use super::{exit, CliResult, FontArgs, Printer};

#[derive(Args)]
pub struct VerifyArgs {
    /// The signed PDF, or a sealed OFD package.
    #[arg(value_name = "COPY.pdf|COPY.ofd")]
    pub input: PathBuf,
    /// A trusted root certificate (PEM; repeatable, or several in one file).
    #[arg(long, value_name = "ROOT.pem")]
    pub trust: Vec<PathBuf>,
    #[command(flatten)]
    pub fonts: FontArgs,
}

/// Re-renders extracted data as an archival copy, with the seal from the copy
/// and the standards it declares (PDF/A-3b or -3a, and PDF/UA-1).
pub fn rerender(publisher: &Publisher, extracted: &Extracted) -> Result<Vec<u8>, String> {
    let export = ExportOptions {
        standards: extracted.standards.clone(),
        archive: true,
        ofd: false,
    };
    rerender_as(publisher, extracted, &export)
}

/// Re-renders extracted data with the given export options (a PDF or an OFD copy).
fn rerender_as(
    publisher: &Publisher,
    extracted: &Extracted,
    export: &ExportOptions,
) -> Result<Vec<u8>, String> {
    let text = String::from_utf8(extracted.data.clone()).map_err(|e| e.to_string())?;
    let loaded = load_str(nianbao::render::archive::DATA_NAME, &text, Format::Json)
        .map_err(|e| e.to_string())?;
    let seal = match &extracted.seal {
        Some((_, bytes)) => Some(SealImage::from_bytes(bytes.clone())?),
        None => None,
    };
    let options = RenderOptions {
        seal,
        ..RenderOptions::default()
    };
    publisher
        .render_with(&loaded, &options, export)
        .map(|r| r.pdf)
        .map_err(|e| e.to_string())
}

pub fn verify(args: VerifyArgs, printer: &Printer) -> CliResult {
    let mut trust = Vec::new();
    for path in &args.trust {
        trust.extend(export::x509::read_certificates(path)?);
    }
    let bytes = export::read_pdf(&args.input)?;
    let publisher = args.fonts.publisher()?;
    if export::ofd::is_ofd(&bytes) {
        return super::verify_ofd::verify(
            &args,
            &bytes,
            trust,
            &|x: &Extracted| {
                let options = ExportOptions {
                    ofd: true,
                    archive: true,
                    standards: Vec::new(),
                };
                rerender_as(&publisher, x, &options)
            },
            printer,
        );
    }
    let rerender = |x: &Extracted| rerender(&publisher, x);
    let v = export::verify_pdf(
        &args.input.display().to_string(),
        &bytes,
        &VerifyOptions { trust },
        Some(&rerender),
    )?;
    if printer.json() {
        printer.emit_json(&serde_json::to_value(&v).expect("the report serializes"))?;
    } else {
        printer.stdout(text(&v).as_bytes())?;
    }
    Ok(exit(!v.ok))
}

/// The verdict for people.
fn text(v: &Verification) -> String {
    let mut s = String::new();
    let mark = |ok: bool| if ok { "ok" } else { "FAILED" };
    if v.signatures.is_empty() {
        s.push_str("no signatures\n");
    }
    for (i, sig) in v.signatures.iter().enumerate() {
        let _ = writeln!(s, "signature {} ({}): {}", i + 1, sig.field, mark(sig.ok));
        let _ = writeln!(
            s,
            "  byte range:  {:?} ({} of {} bytes{})",
            sig.byte_range,
            sig.signed_bytes,
            v.file_size,
            if sig.covers_whole_file {
                ", the whole file but the signature"
            } else {
                ", a revision followed by later updates"
            }
        );
        let _ = writeln!(s, "  intact:      {}", mark(sig.intact));
        let _ = writeln!(s, "  signature:   {}", mark(sig.signature_valid));
        if let Some(c) = &sig.signer {
            let _ = writeln!(
                s,
                "  signer:      {} (issuer {}, serial {}, valid {} to {})",
                c.subject, c.issuer, c.serial, c.not_before, c.not_after
            );
        }
        let _ = writeln!(
            s,
            "  chain:       {} — {}",
            sig.chain.join(" ← "),
            if sig.trusted {
                "trusted"
            } else {
                "NOT trusted"
            }
        );
        let _ = writeln!(
            s,
            "  PAdES level: {} (SubFilter /{})",
            sig.pades_level, sig.sub_filter
        );
        if let Some(m) = &sig.claimed_time {
            let _ = writeln!(s, "  signed at:   {m} (claimed, /M)");
        }
        match &sig.timestamp {
            Some(t) => {
                let _ = writeln!(
                    s,
                    "  time-stamp:  {} by {} — {}{}",
                    t.time,
                    t.authority,
                    mark(t.intact),
                    if t.trusted {
                        ", trusted"
                    } else {
                        ", NOT trusted"
                    }
                );
            }
            None => s.push_str("  time-stamp:  none\n"),
        }
        for p in &sig.problems {
            let _ = writeln!(s, "  problem:     {p}");
        }
    }
    if let Some(a) = &v.archive {
        let _ = writeln!(
            s,
            "archival copy: {} — {}\n  written by nianbao {}, verified with nianbao {}",
            mark(a.reproduced),
            a.detail,
            a.written_by.as_deref().unwrap_or("?"),
            a.verified_with
        );
    }
    for p in &v.problems {
        let _ = writeln!(s, "problem: {p}");
    }
    s.push_str(if v.ok {
        "result: valid\n"
    } else {
        "result: NOT valid\n"
    });
    s
}
