//! `nianbao verify` on an OFD package: its GB/T 38540 seals and, for archival
//! copies, the re-render of the attached data.

use std::fmt::Write;

use nianbao::export::ofd::{self, OfdVerification};
use nianbao::export::{ExportError, Extracted, VerifyOptions};
use x509_cert::Certificate;

use super::verify::VerifyArgs;
use super::{exit, CliResult, Printer};

pub fn verify(
    args: &VerifyArgs,
    bytes: &[u8],
    trust: Vec<Certificate>,
    rerender: &dyn Fn(&Extracted) -> Result<Vec<u8>, String>,
    printer: &Printer,
) -> CliResult {
    let v = ofd::verify_ofd(
        &args.input.display().to_string(),
        bytes,
        &VerifyOptions { trust },
        Some(rerender),
    )
    .map_err(ExportError::from)?;
    if printer.json() {
        printer.emit_json(&serde_json::to_value(&v).expect("the report serializes"))?;
    } else {
        printer.stdout(text(&v).as_bytes())?;
    }
    Ok(exit(!v.ok))
}

/// The verdict for people.
fn text(v: &OfdVerification) -> String {
    let mut s = String::new();
    let mark = |ok: bool| if ok { "ok" } else { "FAILED" };
    if v.seals.is_empty() {
        s.push_str("no seals\n");
    }
    for (i, seal) in v.seals.iter().enumerate() {
        let _ = writeln!(
            s,
            "seal {} (Signature {}, {}): {}",
            i + 1,
            seal.id,
            seal.signature_xml,
            mark(seal.ok)
        );
        let _ = writeln!(
            s,
            "  files:       {} ({} references, CheckMethod {})",
            mark(seal.files_intact),
            seal.references,
            seal.check_method
        );
        let _ = writeln!(s, "  Signature.xml: {}", mark(seal.signed_info_intact));
        let _ = writeln!(
            s,
            "  signature:   {} (SM2 with SM3 over TBS_Sign)",
            mark(seal.signature_valid)
        );
        let _ = writeln!(
            s,
            "  seal:        {} — 「{}」 ({}), valid {} to {}",
            mark(seal.seal_valid),
            seal.seal_name,
            seal.seal_id,
            seal.seal_valid_from,
            seal.seal_valid_until
        );
        if let Some(c) = &seal.signer {
            let _ = writeln!(
                s,
                "  signer:      {} (issuer {}, serial {}, valid {} to {})",
                c.subject, c.issuer, c.serial, c.not_before, c.not_after
            );
        }
        if let Some(c) = &seal.seal_maker {
            let _ = writeln!(s, "  seal maker:  {} (issuer {})", c.subject, c.issuer);
        }
        let _ = writeln!(
            s,
            "  chain:       {} — {}",
            seal.chain.join(" ← "),
            if seal.trusted {
                "trusted"
            } else {
                "NOT trusted"
            }
        );
        let _ = writeln!(
            s,
            "  maker chain: {} — {}",
            seal.maker_chain.join(" ← "),
            if seal.maker_trusted {
                "trusted"
            } else {
                "NOT trusted"
            }
        );
        if let Some(t) = &seal.signed_at {
            let _ = writeln!(s, "  signed at:   {t}");
        }
        if let (Some(p), Some(b)) = (&seal.stamp_page, &seal.stamp_boundary) {
            let _ = writeln!(s, "  stamp:       page ID {p}, boundary {b} mm");
        }
        for p in &seal.problems {
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
