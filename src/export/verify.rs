//! Verifying signed (archival) copies: every signature's byte range and
//! digest, the CMS signature, the signer's certificate chain, the PAdES level
//! and the time-stamp; and, for archival copies, whether re-rendering the
//! embedded data reproduces the signed revision byte for byte.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::OctetString;
use der::{Decode, Encode, Reader, SliceReader};
use lopdf::{Document, Object, ObjectId};
use serde::Serialize;
use x509_cert::Certificate;

use super::pdfdoc::{self, dict_get};
use super::sign::{
    SigningCertificateV2, ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2,
    ID_AA_TIME_STAMP_TOKEN,
};
use super::x509;
use super::ExportError;

const ID_MESSAGE_DIGEST: const_oid::ObjectIdentifier = rfc5911::ID_MESSAGE_DIGEST;
const ID_SIGNING_TIME: const_oid::ObjectIdentifier = rfc5911::ID_SIGNING_TIME;

/// What to verify against.
#[derive(Default)]
pub struct VerifyOptions {
    /// Trusted root certificates (`--trust`).
    pub trust: Vec<Certificate>,
}

/// The verdict on one file.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    /// True only when every check below holds.
    pub ok: bool,
    pub file_size: usize,
    pub signatures: Vec<SignatureReport>,
    /// For archival copies: the re-rendering check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveReport>,
    /// Problems of the file as a whole.
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    pub field: String,
    pub byte_range: Vec<i64>,
    /// The signed revision ends at this byte.
    pub signed_bytes: usize,
    pub covers_whole_file: bool,
    /// Byte range well-formed and the digest matches.
    pub intact: bool,
    /// The CMS signature verifies with the signer certificate's key.
    pub signature_valid: bool,
    pub signer: Option<CertReport>,
    /// Subjects from the signer up, ending at the trust root when one is reached.
    pub chain: Vec<String>,
    /// Chains to a `--trust` root (false when none was given).
    pub trusted: bool,
    pub sub_filter: String,
    /// "B-B", "B-T", or "none" when it is not a PAdES signature.
    pub pades_level: String,
    /// The signing time claimed in the signature dictionary (`/M`).
    pub claimed_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<TimestampReport>,
    pub problems: Vec<String>,
    pub ok: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CertReport {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimestampReport {
    pub time: String,
    pub authority: String,
    /// The token's imprint matches the signature and its own signature verifies.
    pub intact: bool,
    pub trusted: bool,
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ArchiveReport {
    /// The nianbao version that wrote the copy.
    pub written_by: Option<String>,
    /// This nianbao's version.
    pub verified_with: String,
    /// Re-rendering the embedded data gives the copy's original revision exactly.
    pub reproduced: bool,
    pub original_bytes: usize,
    pub detail: String,
}

/// Re-renders embedded data to PDF bytes (the caller's publisher and fonts).
pub type Rerender<'a> = &'a dyn Fn(&super::Extracted) -> Result<Vec<u8>, String>;

/// Verifies a PDF's signatures (and, with `rerender`, its embedded data).
pub fn verify_pdf(
    pdf: &[u8],
    options: &VerifyOptions,
    rerender: Option<Rerender<'_>>,
) -> Result<Verification, ExportError> {
    let doc = match pdfdoc::load(pdf) {
        Ok(doc) => doc,
        Err(strict) => pdfdoc::load_lenient(pdf).map_err(|_| strict)?,
    };
    let mut problems = Vec::new();
    let mut signatures: Vec<SignatureReport> = find_signatures(&doc)
        .into_iter()
        .map(|(field, id)| check_signature(pdf, &doc, &field, id, options))
        .collect();
    signatures.sort_by_key(|s| s.signed_bytes);
    if signatures.is_empty() {
        problems.push("the PDF is not signed".to_string());
    } else if let Some(last) = signatures.last() {
        if last.signed_bytes < pdf.len() && last.intact {
            problems.push(format!(
                "{} bytes after the last signed revision are not covered by any signature",
                pdf.len() - last.signed_bytes
            ));
        }
    }
    let archive = match (rerender, super::archive::extract_from(&doc)) {
        (Some(rerender), Ok(extracted)) => {
            let report = check_archive(pdf, &extracted, rerender, signatures.first());
            if !report.reproduced {
                problems.push(format!("archival copy: {}", report.detail));
            }
            Some(report)
        }
        _ => None,
    };
    let ok = problems.is_empty() && signatures.iter().all(|s| s.ok);
    Ok(Verification {
        ok,
        file_size: pdf.len(),
        signatures,
        archive,
        problems,
    })
}

fn check_archive(
    pdf: &[u8],
    extracted: &super::Extracted,
    rerender: Rerender<'_>,
    first_signature: Option<&SignatureReport>,
) -> ArchiveReport {
    let mut report = ArchiveReport {
        written_by: extracted.version.clone(),
        verified_with: crate::VERSION.to_string(),
        reproduced: false,
        original_bytes: 0,
        detail: String::new(),
    };
    match rerender(extracted) {
        Err(e) => report.detail = format!("the embedded data does not render: {e}"),
        Ok(bytes) => {
            report.original_bytes = bytes.len();
            if !pdf.starts_with(&bytes) {
                let at = pdf.iter().zip(&bytes).position(|(a, b)| a != b);
                report.detail = format!(
                    "re-rendering the embedded data with nianbao {} gives other bytes than the copy's original revision ({} bytes re-rendered{})",
                    crate::VERSION,
                    bytes.len(),
                    match at {
                        Some(i) => format!(", first difference at byte {i}"),
                        None => String::from(", the copy is shorter"),
                    }
                );
            } else if first_signature.is_some_and(|s| s.signed_bytes < bytes.len()) {
                report.detail = "the first signature does not cover the original revision".into();
            } else {
                report.reproduced = true;
                report.detail = format!(
                    "re-rendering the embedded data with nianbao {} reproduces the original revision (bytes 0–{}) byte for byte",
                    crate::VERSION,
                    bytes.len()
                );
            }
        }
    }
    report
}

/// (field name, signature dictionary id) of every signature field with a value.
fn find_signatures(doc: &Document) -> Vec<(String, ObjectId)> {
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if !pdfdoc::name_is(d.get(b"FT").ok(), b"Sig") {
            continue;
        }
        let Ok(Object::Reference(v)) = d.get(b"V") else {
            continue;
        };
        let name = d
            .get(b"T")
            .ok()
            .and_then(|t| t.as_str().ok())
            .map(pdfdoc::text_string)
            .unwrap_or_else(|| format!("{} {} R", v.0, v.1));
        if !out.iter().any(|(_, id)| id == v) {
            out.push((name, *v));
        }
    }
    out
}

fn cert_report(c: &Certificate) -> CertReport {
    let v = &c.tbs_certificate.validity;
    CertReport {
        subject: x509::subject(c),
        issuer: x509::issuer(c),
        serial: pdfdoc::hex(c.tbs_certificate.serial_number.as_bytes()),
        not_before: x509::format_time(v.not_before.to_unix_duration().as_secs()),
        not_after: x509::format_time(v.not_after.to_unix_duration().as_secs()),
    }
}

fn check_signature(
    pdf: &[u8],
    doc: &Document,
    field: &str,
    sig_id: ObjectId,
    options: &VerifyOptions,
) -> SignatureReport {
    let mut r = SignatureReport {
        field: field.to_string(),
        byte_range: Vec::new(),
        signed_bytes: 0,
        covers_whole_file: false,
        intact: false,
        signature_valid: false,
        signer: None,
        chain: Vec::new(),
        trusted: false,
        sub_filter: String::new(),
        pades_level: "none".into(),
        claimed_time: None,
        timestamp: None,
        problems: Vec::new(),
        ok: false,
    };
    let Ok(sig) = doc.get_dictionary(sig_id) else {
        r.problems
            .push("the signature value is not a dictionary".into());
        return r;
    };
    r.sub_filter = match dict_get(doc, sig, b"SubFilter") {
        Some(Object::Name(n)) => String::from_utf8_lossy(n).into_owned(),
        _ => String::new(),
    };
    let claimed = dict_get(doc, sig, b"M")
        .and_then(|o| o.as_str().ok())
        .map(pdfdoc::text_string);
    let claimed_secs = claimed.as_deref().and_then(x509::parse_pdf_date);
    r.claimed_time = claimed_secs.map(x509::format_time);

    // The byte range: [0 b c d], the gap exactly the hex /Contents string.
    let range: Vec<i64> = match dict_get(doc, sig, b"ByteRange") {
        Some(Object::Array(a)) => a.iter().filter_map(|o| o.as_i64().ok()).collect(),
        _ => Vec::new(),
    };
    r.byte_range = range.clone();
    let cms_der = match gap(pdf, &range) {
        Ok((end, cms)) => {
            r.signed_bytes = end;
            r.covers_whole_file = end == pdf.len();
            cms
        }
        Err(e) => {
            r.problems.push(e);
            return r;
        }
    };
    let (b, c, end) = (range[1] as usize, range[2] as usize, r.signed_bytes);

    // The CMS SignedData.
    let sd = match parse_signed_data(&cms_der) {
        Ok(sd) => sd,
        Err(e) => {
            r.problems
                .push(format!("the signature is not CMS signed data: {e}"));
            return r;
        }
    };
    let infos: Vec<&SignerInfo> = sd.signer_infos.0.iter().collect();
    if infos.len() != 1 {
        r.problems
            .push(format!("{} signer infos (expected one)", infos.len()));
        return r;
    }
    let info = infos[0];
    let certs = embedded_certificates(&sd);
    let digest_alg = info.digest_alg.oid;
    let Some(digest) = x509::digest(digest_alg, &[&pdf[..b], &pdf[c..end]]) else {
        r.problems
            .push(format!("unsupported digest algorithm {digest_alg}"));
        return r;
    };
    let attrs = info.signed_attrs.as_ref();
    let attr = |oid| {
        attrs
            .and_then(|a| a.iter().find(|x| x.oid == oid))
            .and_then(|x| x.values.iter().next())
    };
    match attr(ID_MESSAGE_DIGEST).and_then(|v| v.decode_as::<OctetString>().ok()) {
        Some(md) if md.as_bytes() == digest.as_slice() => r.intact = true,
        Some(_) => r.problems.push(
            "the document was changed after signing: the digest of the signed bytes does not match"
                .into(),
        ),
        None => r.problems.push("no message-digest attribute".into()),
    }

    // The signer certificate and the signature itself.
    let Some(signer) = certs.iter().find(|c| matches_sid(c, &info.sid)) else {
        r.problems
            .push("the signer certificate is not in the signature".into());
        return r;
    };
    r.signer = Some(cert_report(signer));
    let signed_attrs_der = attrs.map(|a| a.to_der());
    match signed_attrs_der {
        Some(Ok(der)) => match x509::verify_signature(
            &signer.tbs_certificate.subject_public_key_info,
            &info.signature_algorithm,
            Some(digest_alg),
            &der,
            info.signature.as_bytes(),
        ) {
            Ok(()) => r.signature_valid = true,
            Err(e) => r.problems.push(format!("the CMS signature: {e}")),
        },
        _ => r.problems.push("no signed attributes".into()),
    }

    // PAdES baseline requirements.
    let mut pades = r.sub_filter == "ETSI.CAdES.detached";
    if !pades {
        r.problems.push(format!(
            "SubFilter is /{} (PAdES needs /ETSI.CAdES.detached)",
            r.sub_filter
        ));
    }
    let signer_der = signer.to_der().unwrap_or_default();
    match attr(ID_AA_SIGNING_CERTIFICATE_V2)
        .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
    {
        Some(ess) => {
            let first = ess.certs.first();
            let alg = first
                .and_then(|c| c.hash_algorithm.as_ref())
                .map_or(rfc5912::ID_SHA_256, |a| a.oid);
            let hash = x509::digest(alg, &[&signer_der]);
            if first.map(|c| c.cert_hash.as_bytes().to_vec()) != hash {
                pades = false;
                r.problems
                    .push("the signing-certificate-v2 attribute names another certificate".into());
            }
        }
        None if attr(ID_AA_SIGNING_CERTIFICATE).is_some() => {}
        None => {
            pades = false;
            r.problems
                .push("no ESS signing-certificate(-v2) attribute (PAdES requires one)".into());
        }
    }
    if attr(ID_SIGNING_TIME).is_some() {
        pades = false;
        r.problems
            .push("a CMS signing-time attribute (PAdES forbids it; the time is /M)".into());
    }

    // The time-stamp (B-T).
    let token = info
        .unsigned_attrs
        .as_ref()
        .and_then(|a| a.iter().find(|x| x.oid == ID_AA_TIME_STAMP_TOKEN))
        .and_then(|x| x.values.iter().next())
        .and_then(|v| v.to_der().ok());
    let mut time = claimed_secs.unwrap_or_else(|| x509::unix_seconds(std::time::SystemTime::now()));
    if let Some(token) = token {
        let ts = check_timestamp(&token, info.signature.as_bytes(), options);
        if let Some(t) = ts.1 {
            time = t;
        }
        if !ts.0.intact || !ts.0.trusted {
            r.problems
                .extend(ts.0.problems.iter().map(|p| format!("time-stamp: {p}")));
        }
        r.timestamp = Some(ts.0);
    }
    if pades && r.intact && r.signature_valid {
        r.pades_level = match &r.timestamp {
            Some(t) if t.intact => "B-T".into(),
            _ => "B-B".into(),
        };
    }

    // The chain, at the signing time (the time-stamp's when there is one).
    let (chain, trusted, chain_problems) = build_chain(signer, &certs, &options.trust, time);
    r.chain = chain;
    r.trusted = trusted;
    r.problems.extend(chain_problems);

    r.ok = r.intact
        && r.signature_valid
        && r.trusted
        && pades
        && r.timestamp.as_ref().is_none_or(|t| t.intact && t.trusted)
        && r.problems.is_empty();
    r
}

/// Checks the byte range against the file; returns the end of the signed
/// revision and the CMS bytes in the gap.
fn gap(pdf: &[u8], range: &[i64]) -> Result<(usize, Vec<u8>), String> {
    if range.len() != 4 || range.iter().any(|&v| v < 0) {
        return Err(format!("a malformed /ByteRange {range:?}"));
    }
    let [a, b, c, d] = [range[0], range[1], range[2], range[3]].map(|v| v as usize);
    let end = c.checked_add(d).ok_or("a malformed /ByteRange")?;
    if a != 0 || b >= c || end > pdf.len() {
        return Err(format!(
            "the /ByteRange {range:?} does not fit the file ({} bytes)",
            pdf.len()
        ));
    }
    if pdf[b] != b'<' || pdf[c - 1] != b'>' {
        return Err(
            "the /ByteRange gap is not exactly the /Contents string: more than the signature is left unsigned"
                .into(),
        );
    }
    let hex: Vec<u8> = pdf[b + 1..c - 1]
        .iter()
        .copied()
        .filter(|x| !x.is_ascii_whitespace())
        .collect();
    if !hex.len().is_multiple_of(2) || !hex.iter().all(|x| x.is_ascii_hexdigit()) {
        return Err("the /ByteRange gap holds something other than a hex string".into());
    }
    let bytes = hex
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect();
    let tail = pdf[..end].trim_ascii_end();
    if !tail.ends_with(b"%%EOF") {
        return Err("the signed range does not end at the end of a revision (%%EOF)".into());
    }
    Ok((end, bytes))
}

/// The SignedData in a ContentInfo, ignoring the zero padding after it.
fn parse_signed_data(der: &[u8]) -> Result<SignedData, String> {
    let mut reader = SliceReader::new(der).map_err(|e| e.to_string())?;
    let ci: ContentInfo = reader.decode().map_err(|e| e.to_string())?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(format!("content type {}", ci.content_type));
    }
    ci.content.decode_as().map_err(|e| e.to_string())
}

fn matches_sid(cert: &Certificate, sid: &SignerIdentifier) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            is.issuer == cert.tbs_certificate.issuer
                && is.serial_number == cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
            .filter_map(|e| OctetString::from_der(e.extn_value.as_bytes()).ok())
            .any(|k| k.as_bytes() == ski.0.as_bytes()),
    }
}

/// Walks from `leaf` to a trusted root through `pool` and the trust roots,
/// checking each certificate's validity at `time`.
fn build_chain(
    leaf: &Certificate,
    pool: &[Certificate],
    trust: &[Certificate],
    time: u64,
) -> (Vec<String>, bool, Vec<String>) {
    let mut chain = vec![x509::subject(leaf)];
    let mut problems = Vec::new();
    let mut current = leaf.clone();
    let is_root = |c: &Certificate| trust.iter().any(|t| t == c);
    for _ in 0..10 {
        if let Err(e) = x509::check_validity(&current, time) {
            problems.push(format!("{e} at the signing time"));
        }
        if is_root(&current) {
            return (chain, problems.is_empty(), problems);
        }
        let issuer = trust
            .iter()
            .chain(pool)
            .find(|c| *c != &current && x509::issued_by(&current, c));
        match issuer {
            Some(i) => {
                chain.push(x509::subject(i));
                current = i.clone();
            }
            None => break,
        }
    }
    if trust.is_empty() {
        problems.push(
            "the signer's certificate is not checked against a trust root (give --trust ROOT.pem)"
                .into(),
        );
    } else {
        problems.push(format!(
            "the certificate of {} does not chain to a trusted root",
            x509::subject(leaf)
        ));
    }
    (chain, false, problems)
}

/// Checks a signature time-stamp token over `signature`; returns its report and time.
fn check_timestamp(
    token_der: &[u8],
    signature: &[u8],
    options: &VerifyOptions,
) -> (TimestampReport, Option<u64>) {
    let mut t = TimestampReport {
        time: String::new(),
        authority: String::new(),
        intact: false,
        trusted: false,
        problems: Vec::new(),
    };
    let parsed = ContentInfo::from_der(token_der)
        .map_err(|e| e.to_string())
        .and_then(|ci| {
            let info = super::tsa::token_info(&ci)?;
            let sd: SignedData = ci.content.decode_as().map_err(|e| e.to_string())?;
            Ok((info, sd))
        });
    let (tst, sd) = match parsed {
        Ok(x) => x,
        Err(e) => {
            t.problems.push(format!("not an RFC 3161 token: {e}"));
            return (t, None);
        }
    };
    let secs = tst.gen_time.to_unix_duration().as_secs();
    t.time = x509::format_time(secs);
    let imprint_ok = x509::digest(tst.message_imprint.hash_algorithm.oid, &[signature])
        .is_some_and(|h| h == tst.message_imprint.hashed_message.as_bytes());
    if !imprint_ok {
        t.problems
            .push("the token is not over this signature (imprint mismatch)".into());
    }
    let certs = embedded_certificates(&sd);
    let Some(info) = sd.signer_infos.0.iter().next() else {
        t.problems.push("the token has no signer".into());
        return (t, Some(secs));
    };
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.to_der().ok())
        .and_then(|d| OctetString::from_der(&d).ok());
    let md = info
        .signed_attrs
        .as_ref()
        .and_then(|a| a.iter().find(|x| x.oid == ID_MESSAGE_DIGEST))
        .and_then(|x| x.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok());
    let content_ok = match (econtent, md) {
        (Some(c), Some(md)) => {
            x509::digest(info.digest_alg.oid, &[c.as_bytes()]).is_some_and(|h| h == md.as_bytes())
        }
        _ => false,
    };
    if !content_ok {
        t.problems
            .push("the token's content does not match its message digest".into());
    }
    let Some(tsa) = certs.iter().find(|c| matches_sid(c, &info.sid)) else {
        t.problems
            .push("the authority's certificate is not in the token".into());
        return (t, Some(secs));
    };
    t.authority = x509::subject(tsa);
    let sig_ok = info
        .signed_attrs
        .as_ref()
        .and_then(|a| a.to_der().ok())
        .is_some_and(|der| {
            x509::verify_signature(
                &tsa.tbs_certificate.subject_public_key_info,
                &info.signature_algorithm,
                Some(info.digest_alg.oid),
                &der,
                info.signature.as_bytes(),
            )
            .is_ok()
        });
    if !sig_ok {
        t.problems
            .push("the token's signature does not verify".into());
    }
    t.intact = imprint_ok && content_ok && sig_ok;
    let (_, trusted, problems) = build_chain(tsa, &certs, &options.trust, secs);
    t.trusted = trusted;
    t.problems.extend(problems);
    (t, Some(secs))
}

impl Verification {
    /// A human-readable report.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let mark = |ok: bool| if ok { "ok" } else { "FAILED" };
        if self.signatures.is_empty() {
            s.push_str("no signatures\n");
        }
        for (i, sig) in self.signatures.iter().enumerate() {
            s.push_str(&format!(
                "signature {} ({}): {}\n",
                i + 1,
                sig.field,
                mark(sig.ok)
            ));
            s.push_str(&format!(
                "  byte range:  {:?} ({} of {} bytes{})\n",
                sig.byte_range,
                sig.signed_bytes,
                self.file_size,
                if sig.covers_whole_file {
                    ", the whole file but the signature"
                } else {
                    ", a revision followed by later updates"
                }
            ));
            s.push_str(&format!("  intact:      {}\n", mark(sig.intact)));
            s.push_str(&format!("  signature:   {}\n", mark(sig.signature_valid)));
            if let Some(c) = &sig.signer {
                s.push_str(&format!(
                    "  signer:      {} (issuer {}, serial {}, valid {} to {})\n",
                    c.subject, c.issuer, c.serial, c.not_before, c.not_after
                ));
            }
            s.push_str(&format!(
                "  chain:       {} — {}\n",
                sig.chain.join(" ← "),
                if sig.trusted {
                    "trusted"
                } else {
                    "NOT trusted"
                }
            ));
            s.push_str(&format!(
                "  PAdES level: {} (SubFilter /{})\n",
                sig.pades_level, sig.sub_filter
            ));
            if let Some(m) = &sig.claimed_time {
                s.push_str(&format!("  signed at:   {m} (claimed, /M)\n"));
            }
            match &sig.timestamp {
                Some(t) => s.push_str(&format!(
                    "  time-stamp:  {} by {} — {}{}\n",
                    t.time,
                    t.authority,
                    mark(t.intact),
                    if t.trusted {
                        ", trusted"
                    } else {
                        ", NOT trusted"
                    }
                )),
                None => s.push_str("  time-stamp:  none\n"),
            }
            for p in &sig.problems {
                s.push_str(&format!("  problem:     {p}\n"));
            }
        }
        if let Some(a) = &self.archive {
            s.push_str(&format!(
                "archival copy: {} — {}\n  written by nianbao {}, verified with nianbao {}\n",
                mark(a.reproduced),
                a.detail,
                a.written_by.as_deref().unwrap_or("?"),
                a.verified_with
            ));
        }
        for p in &self.problems {
            s.push_str(&format!("problem: {p}\n"));
        }
        s.push_str(if self.ok {
            "result: valid\n"
        } else {
            "result: NOT valid\n"
        });
        s
    }
}

/// The certificates a CMS SignedData carries.
fn embedded_certificates(sd: &SignedData) -> Vec<Certificate> {
    sd.certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}
