//! Verifying signed (archival) copies: every signature's byte range and
//! digest, the CMS signature, the signer's certificate chain, the PAdES level
//! and the time-stamp; and, for archival copies, whether re-rendering the
//! embedded data reproduces the signed revision byte for byte.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfo};
use const_oid::db::rfc5912;
use der::asn1::OctetString;
use der::{Decode, Encode};
use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;
use x509_cert::Certificate;

use super::cms::{
    embedded_certificates, matches_sid, parse_signed_data, SigningCertificateV2,
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2, ID_AA_TIME_STAMP_TOKEN,
    ID_MESSAGE_DIGEST, ID_SIGNING_TIME,
};
use super::pdfdoc::{self, dict_get};
use super::x509;
use super::ExportError;

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

/// Verifies a PDF's signatures (and, with `rerender`, its embedded data);
/// `name` is how errors name the file.
pub fn verify_pdf(
    name: &str,
    pdf: &[u8],
    options: &VerifyOptions,
    rerender: Option<Rerender<'_>>,
) -> Result<Verification, ExportError> {
    let doc = match pdfdoc::load(pdf) {
        Ok(doc) => doc,
        Err(strict) => pdfdoc::load_lenient(pdf).map_err(|_| strict.in_file(name))?,
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

/// Checks one signature, step by step: the signature dictionary, the signed
/// bytes, the CMS structure, the digest, the signer's signature, the PAdES
/// attributes, the time-stamp and the certificate chain. A step that fails
/// says why in the report; the steps after it that need its result are skipped.
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
    let pades = match check_steps(pdf, doc, sig_id, options, &mut r) {
        Ok(pades) => pades,
        Err(problem) => {
            r.problems.push(problem);
            false
        }
    };
    r.ok = r.intact
        && r.signature_valid
        && r.trusted
        && pades
        && r.timestamp.as_ref().is_none_or(|t| t.intact && t.trusted)
        && r.problems.is_empty();
    r
}

/// The steps of [`check_signature`]; returns whether the PAdES attributes hold.
fn check_steps(
    pdf: &[u8],
    doc: &Document,
    sig_id: ObjectId,
    options: &VerifyOptions,
    r: &mut SignatureReport,
) -> Result<bool, String> {
    let sig = doc
        .get_dictionary(sig_id)
        .map_err(|_| "the signature value is not a dictionary".to_string())?;
    let claimed_secs = signature_dictionary(doc, sig, r);
    let (b, c, cms_der) = signed_bytes(pdf, doc, sig, r)?;
    let sd = parse_signed_data(&cms_der)
        .map_err(|e| format!("the signature is not CMS signed data: {e}"))?;
    let info = match sd.signer_infos.0.as_slice() {
        [info] => info,
        infos => return Err(format!("{} signer infos (expected one)", infos.len())),
    };
    let certs = embedded_certificates(&sd);
    check_digest(pdf, (b, c, r.signed_bytes), info, r)?;
    let signer = certs
        .iter()
        .find(|cert| matches_sid(cert, &info.sid))
        .ok_or("the signer certificate is not in the signature")?;
    r.signer = Some(cert_report(signer));
    check_cms_signature(signer, info, r);
    let pades = check_pades_attributes(signer, info, r);
    let time = check_signature_timestamp(info, claimed_secs, options, r);
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
    Ok(pades)
}

/// Reads the signature dictionary's /SubFilter and /M; returns the claimed time.
fn signature_dictionary(doc: &Document, sig: &Dictionary, r: &mut SignatureReport) -> Option<u64> {
    r.sub_filter = match dict_get(doc, sig, b"SubFilter") {
        Some(Object::Name(n)) => String::from_utf8_lossy(n).into_owned(),
        _ => String::new(),
    };
    let claimed = dict_get(doc, sig, b"M")
        .and_then(|o| o.as_str().ok())
        .map(pdfdoc::text_string);
    let claimed_secs = claimed.as_deref().and_then(x509::parse_pdf_date);
    r.claimed_time = claimed_secs.map(x509::format_time);
    claimed_secs
}

/// The byte range [0 b c d] and the CMS bytes in its gap, which must be exactly
/// the hex /Contents string; returns (b, c, CMS).
fn signed_bytes(
    pdf: &[u8],
    doc: &Document,
    sig: &Dictionary,
    r: &mut SignatureReport,
) -> Result<(usize, usize, Vec<u8>), String> {
    let range: Vec<i64> = match dict_get(doc, sig, b"ByteRange") {
        Some(Object::Array(a)) => a.iter().filter_map(|o| o.as_i64().ok()).collect(),
        _ => Vec::new(),
    };
    r.byte_range = range.clone();
    let (end, cms) = gap(pdf, &range)?;
    r.signed_bytes = end;
    r.covers_whole_file = end == pdf.len();
    Ok((range[1] as usize, range[2] as usize, cms))
}

/// The digest of the signed bytes against the message-digest attribute.
fn check_digest(
    pdf: &[u8],
    (b, c, end): (usize, usize, usize),
    info: &SignerInfo,
    r: &mut SignatureReport,
) -> Result<(), String> {
    let digest_alg = info.digest_alg.oid;
    let digest = x509::digest(digest_alg, &[&pdf[..b], &pdf[c..end]])
        .ok_or_else(|| format!("unsupported digest algorithm {digest_alg}"))?;
    match signed_attr(info, ID_MESSAGE_DIGEST).and_then(|v| v.decode_as::<OctetString>().ok()) {
        Some(md) if md.as_bytes() == digest.as_slice() => r.intact = true,
        Some(_) => r.problems.push(
            "the document was changed after signing: the digest of the signed bytes does not match"
                .into(),
        ),
        None => r.problems.push("no message-digest attribute".into()),
    }
    Ok(())
}

/// A signed attribute's first value.
fn signed_attr(info: &SignerInfo, oid: const_oid::ObjectIdentifier) -> Option<&der::Any> {
    info.signed_attrs
        .as_ref()
        .and_then(|a| a.iter().find(|x| x.oid == oid))
        .and_then(|x| x.values.iter().next())
}

/// The CMS signature over the signed attributes, with the signer's key.
fn check_cms_signature(signer: &Certificate, info: &SignerInfo, r: &mut SignatureReport) {
    match info.signed_attrs.as_ref().map(|a| a.to_der()) {
        Some(Ok(der)) => match x509::verify_signature(
            &signer.tbs_certificate.subject_public_key_info,
            &info.signature_algorithm,
            Some(info.digest_alg.oid),
            &der,
            info.signature.as_bytes(),
        ) {
            Ok(()) => r.signature_valid = true,
            Err(e) => r.problems.push(format!("the CMS signature: {e}")),
        },
        _ => r.problems.push("no signed attributes".into()),
    }
}

/// The PAdES baseline requirements: the SubFilter, an ESS signing-certificate
/// attribute naming the signer, no CMS signing-time.
fn check_pades_attributes(
    signer: &Certificate,
    info: &SignerInfo,
    r: &mut SignatureReport,
) -> bool {
    let mut pades = r.sub_filter == "ETSI.CAdES.detached";
    if !pades {
        r.problems.push(format!(
            "SubFilter is /{} (PAdES needs /ETSI.CAdES.detached)",
            r.sub_filter
        ));
    }
    let signer_der = signer.to_der().unwrap_or_default();
    match signed_attr(info, ID_AA_SIGNING_CERTIFICATE_V2)
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
        None if signed_attr(info, ID_AA_SIGNING_CERTIFICATE).is_some() => {}
        None => {
            pades = false;
            r.problems
                .push("no ESS signing-certificate(-v2) attribute (PAdES requires one)".into());
        }
    }
    if signed_attr(info, ID_SIGNING_TIME).is_some() {
        pades = false;
        r.problems
            .push("a CMS signing-time attribute (PAdES forbids it; the time is /M)".into());
    }
    pades
}

/// The signature time-stamp (B-T), when there is one; returns the signing time
/// to check the chain at: the time-stamp's, else the claimed /M, else now.
fn check_signature_timestamp(
    info: &SignerInfo,
    claimed_secs: Option<u64>,
    options: &VerifyOptions,
    r: &mut SignatureReport,
) -> u64 {
    let token = info
        .unsigned_attrs
        .as_ref()
        .and_then(|a| a.iter().find(|x| x.oid == ID_AA_TIME_STAMP_TOKEN))
        .and_then(|x| x.values.iter().next())
        .and_then(|v| v.to_der().ok());
    let mut time = claimed_secs.unwrap_or_else(|| x509::unix_seconds(std::time::SystemTime::now()));
    if let Some(token) = token {
        let (report, at) = check_timestamp(&token, info.signature.as_bytes(), options);
        if let Some(t) = at {
            time = t;
        }
        if !report.intact || !report.trusted {
            r.problems
                .extend(report.problems.iter().map(|p| format!("time-stamp: {p}")));
        }
        r.timestamp = Some(report);
    }
    time
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
