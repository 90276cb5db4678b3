//! Verifying sealed OFD packages: for every seal, the SM3 CheckValue of every
//! referenced file (and that every file of the document is referenced), the
//! SM3 digest of Signature.xml in TBS_Sign, the signer's SM2 signature over
//! TBS_Sign, the seal maker's SM2 signature over the seal information, the
//! seal's validity and certificate list, and both certificates against the
//! trust roots; for archival copies, whether the attached data re-renders to
//! the signed pages.

use base64::Engine;
use der::{Decode, Encode};
use serde::Serialize;
use sm2::dsa::signature::Verifier as _;
use sm3::{Digest, Sm3};
use x509_cert::Certificate;

use super::package::{dir_of, resolve, Package};
use super::seal::{self, parse_signature, DIST_ID, SM2_CURVE, SM2_WITH_SM3, SM3};
use super::xml::NAMESPACE;
use super::OfdError;
use crate::export::verify::{ArchiveReport, CertReport};
use crate::export::{x509, Extracted, VerifyOptions};

/// The verdict on one OFD package.
#[derive(Clone, Debug, Serialize)]
pub struct OfdVerification {
    /// True only when every check below holds.
    pub ok: bool,
    /// "OFD".
    pub format: &'static str,
    pub file_size: usize,
    pub seals: Vec<SealReport>,
    /// For archival copies: the re-rendering check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveReport>,
    /// Problems of the package as a whole.
    pub problems: Vec<String>,
}

/// One electronic seal (签章).
#[derive(Clone, Debug, Default, Serialize)]
pub struct SealReport {
    /// The Signature ID in Signatures.xml.
    pub id: String,
    /// Where Signature.xml is.
    pub signature_xml: String,
    /// The References' CheckMethod as written (an OID, or "SM3").
    pub check_method: String,
    pub references: usize,
    /// Every referenced file is there with the CheckValue it was signed with.
    pub files_intact: bool,
    /// Referenced files whose digest no longer matches (or that are gone).
    pub changed_files: Vec<String>,
    /// TBS_Sign's dataHash is the SM3 digest of Signature.xml.
    pub signed_info_intact: bool,
    /// The signer's SM2 signature over TBS_Sign verifies.
    pub signature_valid: bool,
    /// The seal maker's SM2 signature over the seal information verifies.
    pub seal_valid: bool,
    /// The signer's certificate is one the seal lists.
    pub signer_in_seal: bool,
    pub seal_name: String,
    pub seal_id: String,
    pub seal_valid_from: String,
    pub seal_valid_until: String,
    pub signed_at: Option<String>,
    pub signer: Option<CertReport>,
    pub seal_maker: Option<CertReport>,
    /// Subjects from the signer up, ending at the trust root when one is reached.
    pub chain: Vec<String>,
    /// The signer's certificate chains to a `--trust` root (false when none was given).
    pub trusted: bool,
    pub maker_chain: Vec<String>,
    pub maker_trusted: bool,
    /// The stamp: page ID and boundary (mm).
    pub stamp_page: Option<String>,
    pub stamp_boundary: Option<String>,
    pub problems: Vec<String>,
    pub ok: bool,
}

/// Re-renders embedded data to OFD bytes (the caller's publisher and fonts).
pub type Rerender<'a> = &'a dyn Fn(&Extracted) -> Result<Vec<u8>, String>;

/// What a verifier and a signer read from OFD.xml and Document.xml.
pub(crate) struct DocumentInfo {
    /// The path of Document.xml.
    pub doc_root: String,
    /// The Signatures location as OFD.xml gives it.
    pub signatures: Option<String>,
    pub author: Option<String>,
    pub creation_date: (u16, u8, u8),
    /// (page ID, path of its Content.xml).
    pub pages: Vec<(u32, String)>,
}

fn parse_xml<'a>(pkg: &'a Package, path: &str) -> Result<roxmltree::Document<'a>, OfdError> {
    let bytes = pkg
        .get(path)
        .ok_or_else(|| OfdError::input(format!("the package has no {path}")))?;
    let text =
        std::str::from_utf8(bytes).map_err(|_| OfdError::input(format!("{path} is not UTF-8")))?;
    roxmltree::Document::parse(text).map_err(|e| OfdError::input(format!("{path}: {e}")))
}

fn child_text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.descendants()
        .find(|n| n.has_tag_name((NAMESPACE, name)))
        .and_then(|n| n.text())
        .map(str::trim)
}

impl DocumentInfo {
    pub fn read(pkg: &Package) -> Result<DocumentInfo, OfdError> {
        let ofd = parse_xml(pkg, "OFD.xml")?;
        let root = ofd.root_element();
        let body = root
            .children()
            .find(|n| n.has_tag_name((NAMESPACE, "DocBody")))
            .ok_or_else(|| OfdError::input("OFD.xml has no DocBody".into()))?;
        let doc_root = child_text(body, "DocRoot")
            .map(|l| resolve("", l))
            .ok_or_else(|| OfdError::input("OFD.xml names no DocRoot".into()))?;
        let signatures = body
            .children()
            .find(|n| n.has_tag_name((NAMESPACE, "Signatures")))
            .and_then(|n| n.text())
            .map(|t| t.trim().to_string());
        let author = child_text(body, "Author").map(str::to_string);
        let creation_date = child_text(body, "CreationDate")
            .and_then(|d| {
                let mut it = d.get(..10)?.split('-');
                Some((
                    it.next()?.parse().ok()?,
                    it.next()?.parse().ok()?,
                    it.next()?.parse().ok()?,
                ))
            })
            .unwrap_or((1980, 1, 1));
        let document = parse_xml(pkg, &doc_root)?;
        let base = dir_of(&doc_root);
        let pages = document
            .descendants()
            .filter(|n| n.has_tag_name((NAMESPACE, "Page")))
            .filter_map(|n| {
                let id = n.attribute("ID")?.trim().parse().ok()?;
                Some((id, resolve(base, n.attribute("BaseLoc")?.trim())))
            })
            .collect();
        Ok(DocumentInfo {
            doc_root,
            signatures,
            author,
            creation_date,
            pages,
        })
    }
}

/// The entries of Signatures.xml: (ID, BaseLoc as written), and MaxSignId.
pub(crate) fn signature_entries(
    xml: &[u8],
    path: &str,
) -> Result<(Vec<(u32, String)>, u32), OfdError> {
    let text =
        std::str::from_utf8(xml).map_err(|_| OfdError::input(format!("{path} is not UTF-8")))?;
    let doc =
        roxmltree::Document::parse(text).map_err(|e| OfdError::input(format!("{path}: {e}")))?;
    let mut entries = Vec::new();
    for n in doc
        .descendants()
        .filter(|n| n.has_tag_name((NAMESPACE, "Signature")))
    {
        let id = n
            .attribute("ID")
            .and_then(|i| i.trim().trim_start_matches('s').parse().ok())
            .unwrap_or(0);
        if let Some(loc) = n.attribute("BaseLoc") {
            entries.push((id, loc.trim().to_string()));
        }
    }
    let max = child_text(doc.root_element(), "MaxSignId")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    Ok((entries, max))
}

/// The SM2 public key of a certificate (id-ecPublicKey on the SM2 curve).
pub(crate) fn sm2_public_key(cert: &Certificate) -> Result<sm2::dsa::VerifyingKey, String> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
    if spki.algorithm.oid != SM2_CURVE && curve != Some(SM2_CURVE) {
        return Err(format!(
            "the certificate of {} has no SM2 public key (algorithm {}{})",
            x509::subject(cert),
            spki.algorithm.oid,
            curve.map(|c| format!(", curve {c}")).unwrap_or_default()
        ));
    }
    let bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or("the public key is not whole bytes")?;
    sm2::dsa::VerifyingKey::from_sec1_bytes(DIST_ID, bytes)
        .map_err(|e| format!("the SM2 public key of {}: {e}", x509::subject(cert)))
}

/// Checks an SM2-with-SM3 signature (DER) over `message` with a certificate's
/// key and the default signer ID.
pub(crate) fn sm2_verify(
    cert: &Certificate,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    sm2_verify_as(cert, DIST_ID, message, signature)
}

/// The same, with another signer ID.
fn sm2_verify_as(
    cert: &Certificate,
    dist_id: &str,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    sm2_public_key(cert)?;
    let bytes = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .as_bytes()
        .ok_or("the public key is not whole bytes")?;
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes(dist_id, bytes)
        .map_err(|e| format!("the SM2 public key of {}: {e}", x509::subject(cert)))?;
    let sig = sm2::dsa::Signature::from_der(signature)
        .map_err(|e| format!("the SM2 signature is not DER (r, s): {e}"))?;
    key.verify(message, &sig)
        .map_err(|_| "the SM2 signature does not verify".to_string())
}

/// Whether `issuer` signed `cert` with SM2-with-SM3.
fn sm2_issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject
        || cert.signature_algorithm.oid != SM2_WITH_SM3
    {
        return false;
    }
    let (Ok(tbs), Some(sig)) = (cert.tbs_certificate.to_der(), cert.signature.as_bytes()) else {
        return false;
    };
    // GM/T 0015 certificates are signed with the default ID; OpenSSL 3 signs
    // with an empty ID unless told `-sigopt distid:1234567812345678`.
    sm2_verify(issuer, &tbs, sig).is_ok() || sm2_verify_as(issuer, "", &tbs, sig).is_ok()
}

/// Walks from `leaf` to a trusted root through the trust roots, checking each
/// certificate's validity at `time`: (subjects, trusted, problems).
fn chain(leaf: &Certificate, trust: &[Certificate], time: u64) -> (Vec<String>, bool, Vec<String>) {
    let mut names = vec![x509::subject(leaf)];
    let mut problems = Vec::new();
    let mut current = leaf.clone();
    for _ in 0..10 {
        if let Err(e) = x509::check_validity(&current, time) {
            problems.push(format!("{e} at the signing time"));
        }
        if trust.iter().any(|t| t == &current) {
            return (names, problems.is_empty(), problems);
        }
        match trust
            .iter()
            .find(|c| *c != &current && sm2_issued_by(&current, c))
        {
            Some(i) => {
                names.push(x509::subject(i));
                current = i.clone();
            }
            None => break,
        }
    }
    if trust.is_empty() {
        problems.push(format!(
            "the certificate of {} is not checked against a trust root (give --trust ROOT.pem)",
            x509::subject(leaf)
        ));
    } else {
        problems.push(format!(
            "the certificate of {} does not chain to a trusted root",
            x509::subject(leaf)
        ));
    }
    (names, false, problems)
}

fn cert_report(c: &Certificate) -> CertReport {
    let v = &c.tbs_certificate.validity;
    CertReport {
        subject: x509::subject(c),
        issuer: x509::issuer(c),
        serial: c
            .tbs_certificate
            .serial_number
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect(),
        not_before: x509::format_time(v.not_before.to_unix_duration().as_secs()),
        not_after: x509::format_time(v.not_after.to_unix_duration().as_secs()),
    }
}

/// Verifies the seals of an OFD package (and, with `rerender`, its attached
/// data); `name` is how errors name the file.
pub fn verify_ofd(
    name: &str,
    bytes: &[u8],
    options: &VerifyOptions,
    rerender: Option<Rerender<'_>>,
) -> Result<OfdVerification, OfdError> {
    let pkg = Package::from_zip(bytes).map_err(|e| e.in_file(name))?;
    let info = DocumentInfo::read(&pkg).map_err(|e| e.in_file(name))?;
    let mut problems = Vec::new();
    let mut seals = Vec::new();
    let mut signature_files: Vec<String> = Vec::new();
    match &info.signatures {
        None => problems.push("the OFD is not sealed (OFD.xml names no Signatures)".to_string()),
        Some(loc) => {
            let path = resolve("", loc);
            signature_files.push(path.clone());
            match pkg.get(&path) {
                None => problems.push(format!("OFD.xml names {loc}, which is not in the package")),
                Some(xml) => {
                    let (entries, _) =
                        signature_entries(xml, &path).map_err(|e| e.in_file(name))?;
                    if entries.is_empty() {
                        problems.push(format!("{path} lists no signature"));
                    }
                    for (id, loc) in entries {
                        let sig_path = resolve(dir_of(&path), &loc);
                        let report = check_seal(&pkg, &id.to_string(), &sig_path, options);
                        seals.push(report);
                    }
                }
            }
        }
    }
    // Every file of the document must be covered by a seal.
    let covered: Vec<&str> = seals
        .iter()
        .flat_map(|s| s.covered.iter().map(String::as_str))
        .collect();
    let own: Vec<&str> = seals
        .iter()
        .flat_map(|s| s.own.iter().map(String::as_str))
        .collect();
    for (path, _) in &pkg.files {
        let p = path.as_str();
        if !seals.is_empty()
            && !covered.contains(&p)
            && !own.contains(&p)
            && !signature_files.iter().any(|s| s == p)
        {
            problems.push(format!(
                "/{p} is not covered by any seal (added or renamed after sealing)"
            ));
        }
    }
    let archive = match (rerender, super::extract_from(&pkg)) {
        (Some(rerender), Ok(extracted)) => {
            let report = check_archive(&pkg, &info, &extracted, rerender);
            if !report.reproduced {
                problems.push(format!("archival copy: {}", report.detail));
            }
            Some(report)
        }
        _ => None,
    };
    let seals: Vec<SealReport> = seals.into_iter().map(|s| s.report).collect();
    let ok = problems.is_empty() && !seals.is_empty() && seals.iter().all(|s| s.ok);
    Ok(OfdVerification {
        ok,
        format: "OFD",
        file_size: bytes.len(),
        seals,
        archive,
        problems,
    })
}

/// A seal's report and the files it covers or consists of.
struct Checked {
    report: SealReport,
    covered: Vec<String>,
    own: Vec<String>,
}

fn check_seal(pkg: &Package, id: &str, sig_path: &str, options: &VerifyOptions) -> Checked {
    let mut c = Checked {
        report: SealReport {
            id: id.to_string(),
            signature_xml: format!("/{sig_path}"),
            ..SealReport::default()
        },
        covered: Vec::new(),
        own: vec![sig_path.to_string()],
    };
    if let Err(problem) = seal_steps(pkg, sig_path, options, &mut c) {
        c.report.problems.push(problem);
    }
    let r = &mut c.report;
    r.ok = r.files_intact
        && r.signed_info_intact
        && r.signature_valid
        && r.seal_valid
        && r.signer_in_seal
        && r.trusted
        && r.maker_trusted
        && r.problems.is_empty();
    c
}

fn seal_steps(
    pkg: &Package,
    sig_path: &str,
    options: &VerifyOptions,
    c: &mut Checked,
) -> Result<(), String> {
    let r = &mut c.report;
    let xml = pkg
        .get(sig_path)
        .ok_or_else(|| format!("/{sig_path} is not in the package"))?;
    let text = std::str::from_utf8(xml).map_err(|_| format!("/{sig_path} is not UTF-8"))?;
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("/{sig_path}: {e}"))?;
    let base = dir_of(sig_path);
    let root = doc.root_element();
    let value_loc = child_text(root, "SignedValue").ok_or("Signature.xml names no SignedValue")?;
    let value_path = resolve(base, value_loc);
    c.own.push(value_path.clone());

    // References: every CheckValue.
    let refs = root
        .descendants()
        .find(|n| n.has_tag_name((NAMESPACE, "References")))
        .ok_or("Signature.xml has no References")?;
    r.check_method = refs.attribute("CheckMethod").unwrap_or("").to_string();
    let sm3_method =
        r.check_method == SM3.to_string() || r.check_method.eq_ignore_ascii_case("SM3");
    if !sm3_method {
        r.problems.push(format!(
            "References use CheckMethod \"{}\"; only SM3 ({SM3}) is checked",
            r.check_method
        ));
    }
    let mut intact = sm3_method;
    for reference in refs
        .children()
        .filter(|n| n.has_tag_name((NAMESPACE, "Reference")))
    {
        r.references += 1;
        let file = reference.attribute("FileRef").unwrap_or("");
        let path = resolve(base, file);
        let expected = child_text(reference, "CheckValue").unwrap_or("");
        let expected = base64::engine::general_purpose::STANDARD
            .decode(expected)
            .unwrap_or_default();
        match pkg.get(&path) {
            Some(bytes) if Sm3::digest(bytes).as_slice() == expected.as_slice() => {}
            Some(_) => {
                intact = false;
                r.changed_files.push(format!("/{path}"));
            }
            None => {
                intact = false;
                r.changed_files.push(format!("/{path} (missing)"));
            }
        }
        c.covered.push(path);
    }
    if r.references == 0 {
        intact = false;
        r.problems.push("the seal references no file".into());
    }
    r.files_intact = intact;
    if !r.changed_files.is_empty() {
        r.problems.push(format!(
            "changed after sealing (the SM3 CheckValue does not match): {}",
            r.changed_files.join(", ")
        ));
    }
    if let Some(stamp) = root
        .descendants()
        .find(|n| n.has_tag_name((NAMESPACE, "StampAnnot")))
    {
        r.stamp_page = stamp.attribute("PageRef").map(str::to_string);
        r.stamp_boundary = stamp.attribute("Boundary").map(str::to_string);
    }
    if let Some(loc) = root
        .descendants()
        .find(|n| n.has_tag_name((NAMESPACE, "Seal")))
        .and_then(|n| child_text(n, "BaseLoc"))
    {
        c.own.push(resolve(base, loc));
    }

    // SignedValue.dat: SES_Signature.
    let value = pkg
        .get(&value_path)
        .ok_or_else(|| format!("/{value_path} is not in the package"))?;
    let parsed = parse_signature(value)?;
    let tbs_der = seal::der_of(&parsed.signature.to_sign);
    r.signed_info_intact = parsed.tbs.data_hash.as_bytes() == Some(Sm3::digest(xml).as_slice());
    if !r.signed_info_intact {
        r.problems.push(
            "Signature.xml was changed after sealing: its SM3 digest is not the one signed (TBS_Sign dataHash)"
                .into(),
        );
    }
    let time = parsed.tbs.time_info.to_unix_duration().as_secs();
    r.signed_at = Some(x509::format_time(time));
    let signer = Certificate::from_der(parsed.signature.cert.as_bytes())
        .map_err(|e| format!("the signer's certificate: {e}"))?;
    r.signer = Some(cert_report(&signer));
    if parsed.signature.signature_alg_id != SM2_WITH_SM3 {
        r.problems.push(format!(
            "signature algorithm {} (expected SM2 with SM3, {SM2_WITH_SM3})",
            parsed.signature.signature_alg_id
        ));
    }
    match parsed.signature.signature.as_bytes() {
        Some(sig) => match sm2_verify(&signer, &tbs_der, sig) {
            Ok(()) => r.signature_valid = true,
            Err(e) => r
                .problems
                .push(format!("the signer's signature over TBS_Sign: {e}")),
        },
        None => r.problems.push("the signature is not whole bytes".into()),
    }

    // The seal: its maker's signature, dates and certificate list.
    let info = &parsed.seal_info;
    r.seal_name = info.property.name.clone();
    r.seal_id = info.es_id.to_string();
    let from = info.property.valid_start.to_unix_duration().as_secs();
    let until = info.property.valid_end.to_unix_duration().as_secs();
    r.seal_valid_from = x509::format_time(from);
    r.seal_valid_until = x509::format_time(until);
    let maker = Certificate::from_der(parsed.seal.cert.as_bytes())
        .map_err(|e| format!("the seal maker's certificate: {e}"))?;
    r.seal_maker = Some(cert_report(&maker));
    let info_der = seal::der_of(&parsed.seal.seal_info);
    match parsed.seal.signed_value.as_bytes() {
        Some(sig) => match sm2_verify(&maker, &info_der, sig) {
            Ok(()) => r.seal_valid = true,
            Err(e) => r
                .problems
                .push(format!("the seal maker's signature over the seal: {e}")),
        },
        None => r
            .problems
            .push("the seal's signature is not whole bytes".into()),
    }
    if time < from || time > until {
        r.problems.push(format!(
            "the seal was not valid when it was used ({}): valid from {} to {}",
            x509::format_time(time),
            r.seal_valid_from,
            r.seal_valid_until
        ));
    }
    let signer_der = signer.to_der().unwrap_or_default();
    if info.property.cert_list_type == 1 {
        r.signer_in_seal = info
            .property
            .cert_list
            .iter()
            .any(|c| c.as_bytes() == signer_der.as_slice());
        if !r.signer_in_seal {
            r.problems
                .push("the signer's certificate is not one the seal lists".into());
        }
    } else {
        r.problems.push(format!(
            "the seal lists its certificates as digests (certListType {}), which are not checked",
            info.property.cert_list_type
        ));
    }
    let (names, trusted, problems) = chain(&signer, &options.trust, time);
    r.chain = names;
    r.trusted = trusted;
    r.problems.extend(problems);
    let made = info.property.create_date.to_unix_duration().as_secs();
    let (names, trusted, problems) = chain(&maker, &options.trust, made);
    r.maker_chain = names;
    r.maker_trusted = trusted;
    r.problems
        .extend(problems.into_iter().map(|p| format!("seal maker: {p}")));
    Ok(())
}

/// Re-renders the attached data and compares every file with the signed package.
fn check_archive(
    pkg: &Package,
    info: &DocumentInfo,
    extracted: &Extracted,
    rerender: Rerender<'_>,
) -> ArchiveReport {
    let mut report = ArchiveReport {
        written_by: extracted.version.clone(),
        verified_with: crate::VERSION.to_string(),
        reproduced: false,
        original_bytes: 0,
        detail: String::new(),
    };
    let fresh =
        match rerender(extracted).and_then(|b| Package::from_zip(&b).map_err(|e| e.to_string())) {
            Ok(p) => p,
            Err(e) => {
                report.detail = format!("the attached data does not render: {e}");
                return report;
            }
        };
    report.original_bytes = fresh.files.iter().map(|(_, b)| b.len()).sum();
    let mut differ = Vec::new();
    for (path, bytes) in &fresh.files {
        let expected = if path == "OFD.xml" {
            match &info.signatures {
                Some(loc) => super::sign::with_signatures_entry(bytes, loc).unwrap_or_default(),
                None => bytes.clone(),
            }
        } else {
            bytes.clone()
        };
        if pkg.get(path) != Some(expected.as_slice()) {
            differ.push(format!("/{path}"));
        }
    }
    let extra: Vec<String> = pkg
        .files
        .iter()
        .filter(|(p, _)| fresh.get(p).is_none() && !p.contains("/Signs/"))
        .map(|(p, _)| format!("/{p}"))
        .collect();
    if differ.is_empty() && extra.is_empty() {
        report.reproduced = true;
        report.detail = format!(
            "re-rendering the attached data with nianbao {} reproduces every file of the package ({} files) byte for byte",
            crate::VERSION,
            fresh.files.len()
        );
    } else {
        report.detail = format!(
            "re-rendering the attached data with nianbao {} gives other files than the copy's: {}",
            crate::VERSION,
            differ
                .iter()
                .chain(extra.iter())
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    report
}
