//! Sealing an OFD package (GB/T 38540-2020, version 4; GB/T 33190-2016 §18):
//! the seal (Seal.esl: SESeal, signed by the seal maker), Signature.xml
//! (References with the SM3 CheckValue of every file, the stamp annotation),
//! SignedValue.dat (SES_Signature: SM2 with SM3 over TBS_Sign, which holds the
//! SM3 digest of Signature.xml) and Signatures.xml, named in OFD.xml.
//!
//! A seal with legal effect needs certified cryptographic hardware and a
//! seal-issuing authority; this implements the format, with software keys.
//! A seal made elsewhere (`Seal.esl`) can be used as it is.

use std::path::Path;
use std::time::SystemTime;

use base64::Engine;
use der::asn1::{BitString, GeneralizedTime, Ia5String, OctetString};
use der::{Decode, Encode};
use sm2::dsa::signature::Signer as _;
use sm2::dsa::SigningKey;
use sm3::{Digest, Sm3};
use x509_cert::Certificate;

use super::package::{dir_of, resolve, Package};
use super::seal::{
    any_of, SeSeal, SesHeader, SesPictureInfo, SesPropertyInfo, SesSealInfo, SesSignature, TbsSign,
    DIST_ID, SM2_WITH_SM3, SM3,
};
use super::xml::{escape, nums, XmlWriter, NAMESPACE};
use super::OfdError;
use crate::export::x509;

/// An SM2 key with its certificate.
pub struct Sm2Identity {
    key: SigningKey,
    cert: Certificate,
    cert_der: Vec<u8>,
}

impl std::fmt::Debug for Sm2Identity {
    /// Names the certificate, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sm2Identity")
            .field("cert", &x509::subject(&self.cert))
            .finish()
    }
}

impl Sm2Identity {
    /// An identity from PEM texts: an SM2 private key (PKCS#8 or SEC1) and its
    /// certificate (the first in the file).
    pub fn from_pem(key_pem: &str, cert_pem: &[u8]) -> Result<Sm2Identity, OfdError> {
        use sm2::elliptic_curve::pkcs8::DecodePrivateKey;
        if key_pem.contains("ENCRYPTED") {
            return Err(OfdError::sign(
                "the key is encrypted; give an unencrypted SM2 key",
            ));
        }
        let secret = sm2::SecretKey::from_pkcs8_pem(key_pem)
            .or_else(|_| sm2::SecretKey::from_sec1_pem(key_pem))
            .map_err(|e| {
                OfdError::sign(format!(
                    "the key is not an SM2 private key in PEM (PKCS#8 or SEC1): {e}; make one with `openssl genpkey -algorithm SM2`"
                ))
            })?;
        let key = SigningKey::new(DIST_ID, &secret)
            .map_err(|e| OfdError::sign(format!("the SM2 key: {e}")))?;
        let cert = x509::certs_from_pem(cert_pem)
            .map_err(|e| OfdError::sign(format!("the certificate: {e}")))?
            .remove(0);
        let cert_der = cert
            .to_der()
            .map_err(|e| OfdError::sign(format!("the certificate: {e}")))?;
        let public = super::verify::sm2_public_key(&cert)
            .map_err(|e| OfdError::sign(format!("the certificate: {e}")))?;
        if public.to_sec1_bytes() != key.verifying_key().to_sec1_bytes() {
            return Err(OfdError::sign(format!(
                "the key does not belong to the certificate of {} (wrong key for the certificate)",
                x509::subject(&cert)
            )));
        }
        Ok(Sm2Identity {
            key,
            cert,
            cert_der,
        })
    }

    /// An identity from PEM files; an error names the file it concerns.
    pub fn from_files(key: &Path, cert: &Path) -> Result<Sm2Identity, OfdError> {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|e| {
                OfdError::sign(format!("cannot read the file: {e}"))
                    .in_file(&p.display().to_string())
            })
        };
        let key_text = String::from_utf8(read(key)?)
            .map_err(|_| OfdError::sign("not a PEM file").in_file(&key.display().to_string()))?;
        let cert_bytes = read(cert)?;
        Sm2Identity::from_pem(&key_text, &cert_bytes).map_err(|e| {
            let file = if matches!(&e, OfdError::Sign { reason, .. } if reason.starts_with("the key is") || reason.starts_with("the SM2 key"))
            {
                key
            } else {
                cert
            };
            e.in_file(&file.display().to_string())
        })
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, OfdError> {
        let sig: sm2::dsa::Signature = self
            .key
            .try_sign(message)
            .map_err(|e| OfdError::sign(format!("SM2 signing failed: {e}")))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

/// Where the stamp goes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Placement {
    /// The page (1-based); default the last.
    pub page: Option<usize>,
    /// The stamp's top-left corner in millimetres from the page's top-left;
    /// default over the seal image the page shows, else centred on the last
    /// line naming the agency (the signature).
    pub at: Option<(f64, f64)>,
}

/// Where the seal comes from.
pub enum SealSource {
    /// Made here: the picture (PNG) and the seal maker (default: the signer).
    Make {
        picture: Vec<u8>,
        /// The seal's name (default: the document's author, the agency).
        name: Option<String>,
        maker: Option<Box<Sm2Identity>>,
        /// Width and height in millimetres (default 42 mm wide, the picture's proportions).
        size: Option<(f64, f64)>,
    },
    /// A seal made elsewhere (a Seal.esl: DER SESeal, version 4), used as it is.
    Given(Vec<u8>),
}

/// Who seals, with which seal, and where.
pub struct SealSigner {
    pub signer: Sm2Identity,
    pub seal: SealSource,
    pub placement: Placement,
    /// The signing time (default: now).
    pub time: Option<SystemTime>,
}

/// Seals an OFD package (`name` is how errors name it): returns the package
/// with the seal's files added and OFD.xml naming Signatures.xml. A sealed
/// package gets one more seal.
pub fn sign_ofd(name: &str, bytes: &[u8], signer: &SealSigner) -> Result<Vec<u8>, OfdError> {
    sign_bytes(bytes, signer).map_err(|e| e.in_file(name))
}

/// The SignatureDateTime text of a time (UTC).
fn datetime_text(secs: u64) -> String {
    x509::format_time(secs)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}

fn sign_bytes(bytes: &[u8], signer: &SealSigner) -> Result<Vec<u8>, OfdError> {
    let mut pkg = Package::from_zip(bytes)?;
    let time = x509::unix_seconds(signer.time.unwrap_or_else(SystemTime::now));
    x509::check_validity(&signer.signer.cert, time).map_err(OfdError::sign)?;
    let generalized = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(time))
        .map_err(|e| OfdError::sign(e.to_string()))?;

    let info = super::verify::DocumentInfo::read(&pkg)?;
    let (page_id, boundary) = stamp_place(&pkg, &info, signer)?;

    // The signatures list: the existing one, or a new one next to Document.xml.
    let signs_loc = info
        .signatures
        .clone()
        .unwrap_or_else(|| format!("/{}/Signs/Signatures.xml", dir_of(&info.doc_root)));
    let signs_path = resolve("", &signs_loc);
    let (mut entries, max_id) = match pkg.get(&signs_path) {
        Some(xml) => super::verify::signature_entries(xml, &signs_path)?,
        None => (Vec::new(), 0),
    };
    let number = entries.len();
    let id = max_id.max(entries.iter().map(|e| e.0).max().unwrap_or(0)) + 1;
    let sign_dir = format!("{}/Sign_{number}", dir_of(&signs_path));
    if pkg
        .files
        .iter()
        .any(|(p, _)| p.starts_with(&format!("{sign_dir}/")))
    {
        return Err(OfdError::sign(format!(
            "the package already has files in {sign_dir}/"
        )));
    }
    let signature_path = format!("{sign_dir}/Signature.xml");
    let seal_path = format!("{sign_dir}/Seal.esl");
    let value_path = format!("{sign_dir}/SignedValue.dat");

    if info.signatures.is_none() {
        let ofd_xml = pkg.get("OFD.xml").unwrap_or_default().to_vec();
        pkg.set("OFD.xml", with_signatures_entry(&ofd_xml, &signs_loc)?);
    }
    // Entry order: the signature list, then this seal's files.
    if pkg.get(&signs_path).is_none() {
        pkg.set(&signs_path, Vec::new());
    }
    let seal = make_seal(signer, &info, generalized)?;
    pkg.set(&seal_path, seal);

    // Signature.xml: the references of every file but the signature lists and this signature's own.
    let skip = |p: &str| {
        p == signs_path
            || p.ends_with("/Signatures.xml") && p.contains("/Signs/")
            || p == signature_path
            || p == value_path
    };
    let mut w = XmlWriter::new("Signature", &[]);
    w.start("SignedInfo", &[]);
    w.empty(
        "Provider",
        &[
            ("ProviderName", "nianbao"),
            ("Version", crate::VERSION),
            ("Company", "nianbao"),
        ],
    );
    w.leaf("SignatureMethod", &[], &SM2_WITH_SM3.to_string());
    w.leaf("SignatureDateTime", &[], &datetime_text(time));
    w.start("References", &[("CheckMethod", &SM3.to_string())]);
    for (path, bytes) in &pkg.files {
        if skip(path) {
            continue;
        }
        let digest = Sm3::digest(bytes);
        w.start("Reference", &[("FileRef", &format!("/{path}"))]);
        w.leaf(
            "CheckValue",
            &[],
            &base64::engine::general_purpose::STANDARD.encode(digest),
        );
        w.end();
    }
    w.end();
    w.empty(
        "StampAnnot",
        &[
            ("ID", "1"),
            ("PageRef", &page_id.to_string()),
            ("Boundary", &nums(&boundary)),
        ],
    );
    w.start("Seal", &[]);
    w.leaf("BaseLoc", &[], &format!("/{seal_path}"));
    w.end();
    w.end();
    w.leaf("SignedValue", &[], &format!("/{value_path}"));
    let signature_xml = w.finish();

    let tbs = TbsSign {
        version: 4,
        eseal: der::Any::from_der(pkg.get(&seal_path).unwrap_or_default())
            .map_err(|e| OfdError::sign(format!("the seal: {e}")))?,
        time_info: generalized,
        data_hash: BitString::from_bytes(&Sm3::digest(&signature_xml))
            .map_err(|e| OfdError::sign(e.to_string()))?,
        property_info: Ia5String::new(&format!("/{signature_path}"))
            .map_err(|e| OfdError::sign(e.to_string()))?,
        ext_datas: None,
    };
    let tbs_der = tbs.to_der().map_err(|e| OfdError::sign(e.to_string()))?;
    let value = SesSignature {
        to_sign: der::Any::from_der(&tbs_der).map_err(|e| OfdError::sign(e.to_string()))?,
        cert: OctetString::new(signer.signer.cert_der.clone())
            .map_err(|e| OfdError::sign(e.to_string()))?,
        signature_alg_id: SM2_WITH_SM3,
        signature: BitString::from_bytes(&signer.signer.sign(&tbs_der)?)
            .map_err(|e| OfdError::sign(e.to_string()))?,
        time_stamp: None,
    };
    let value = value.to_der().map_err(|e| OfdError::sign(e.to_string()))?;

    entries.push((id, format!("/{signature_path}")));
    let mut s = XmlWriter::new("Signatures", &[]);
    s.leaf("MaxSignId", &[], &id.to_string());
    for (id, loc) in &entries {
        s.empty(
            "Signature",
            &[("ID", &id.to_string()), ("Type", "Seal"), ("BaseLoc", loc)],
        );
    }
    pkg.set(&signs_path, s.finish());
    pkg.set(&signature_path, signature_xml);
    pkg.set(&value_path, value);
    let (y, m, d) = info.creation_date;
    pkg.to_zip((y, m, d))
}

/// Seal.esl: the given seal, or one made here and signed by its maker.
fn make_seal(
    signer: &SealSigner,
    info: &super::verify::DocumentInfo,
    now: GeneralizedTime,
) -> Result<Vec<u8>, OfdError> {
    let e = |e: der::Error| OfdError::sign(format!("the seal: {e}"));
    let (picture, name, maker, size) = match &signer.seal {
        SealSource::Given(bytes) => {
            super::seal::SeSeal::from_der(bytes).map_err(|err| {
                OfdError::sign(format!("the given seal is not a v4 SESeal: {err}"))
            })?;
            return Ok(bytes.clone());
        }
        SealSource::Make {
            picture,
            name,
            maker,
            size,
        } => (picture, name, maker, size),
    };
    let (px_w, px_h) = png_size(picture).ok_or_else(|| {
        OfdError::sign("the seal image is not a PNG (give --seal-image SEAL.png)")
    })?;
    let (w, h) = size.unwrap_or((42.0, 42.0 * px_h as f64 / px_w.max(1) as f64));
    let maker = maker.as_deref().unwrap_or(&signer.signer);
    let valid_end = maker
        .cert
        .tbs_certificate
        .validity
        .not_after
        .to_unix_duration()
        .min(
            signer
                .signer
                .cert
                .tbs_certificate
                .validity
                .not_after
                .to_unix_duration(),
        );
    let seal_name = name
        .clone()
        .or_else(|| info.author.clone())
        .unwrap_or_else(|| "nianbao".into());
    let es_id = {
        let digest =
            Sm3::digest([signer.signer.cert_der.as_slice(), seal_name.as_bytes()].concat());
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let seal_info = SesSealInfo {
        header: SesHeader {
            id: Ia5String::new("ES").map_err(e)?,
            version: 4,
            vid: Ia5String::new("nianbao").map_err(e)?,
        },
        es_id: Ia5String::new(&es_id).map_err(e)?,
        property: SesPropertyInfo {
            kind: 1,
            name: seal_name,
            cert_list_type: 1,
            cert_list: vec![OctetString::new(signer.signer.cert_der.clone()).map_err(e)?],
            create_date: now,
            valid_start: now,
            valid_end: GeneralizedTime::from_unix_duration(valid_end).map_err(e)?,
        },
        picture: SesPictureInfo {
            kind: Ia5String::new("PNG").map_err(e)?,
            data: OctetString::new(picture.clone()).map_err(e)?,
            width: w.round().max(1.0) as u32,
            height: h.round().max(1.0) as u32,
        },
        ext_datas: None,
    };
    let info_der = seal_info.to_der().map_err(e)?;
    let seal = SeSeal {
        seal_info: any_of(&seal_info).map_err(e)?,
        cert: OctetString::new(maker.cert_der.clone()).map_err(e)?,
        sign_alg_id: SM2_WITH_SM3,
        signed_value: BitString::from_bytes(&maker.sign(&info_der)?).map_err(e)?,
    };
    seal.to_der().map_err(e)
}

/// A PNG's size in pixels, from its IHDR.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") || png.len() < 24 || &png[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}

/// The page ID and the boundary (mm) of the stamp.
fn stamp_place(
    pkg: &Package,
    info: &super::verify::DocumentInfo,
    signer: &SealSigner,
) -> Result<(u32, [f64; 4]), OfdError> {
    let pages = &info.pages;
    if pages.is_empty() {
        return Err(OfdError::sign("the document has no pages"));
    }
    let index = match signer.placement.page {
        Some(n) if n == 0 || n > pages.len() => {
            return Err(OfdError::sign(format!(
                "--page {n}: the document has {} pages",
                pages.len()
            )))
        }
        Some(n) => n - 1,
        None => pages.len() - 1,
    };
    let (page_id, content_path) = &pages[index];
    let size = match &signer.seal {
        SealSource::Make { picture, size, .. } => size
            .or_else(|| png_size(picture).map(|(w, h)| (42.0, 42.0 * h as f64 / w.max(1) as f64))),
        SealSource::Given(bytes) => SeSeal::from_der(bytes)
            .ok()
            .and_then(|s| s.seal_info.decode_as::<SesSealInfo>().ok())
            .map(|i| (i.picture.width as f64, i.picture.height as f64)),
    }
    .unwrap_or((42.0, 42.0));
    if let Some((x, y)) = signer.placement.at {
        return Ok((*page_id, [x, y, size.0, size.1]));
    }
    let content = pkg
        .get(content_path)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| roxmltree::Document::parse(t).ok().map(|_| t.to_string()))
        .unwrap_or_default();
    let doc = roxmltree::Document::parse(&content).ok();
    let boxes = |tag: &str, keep: &dyn Fn(&roxmltree::Node) -> bool| -> Vec<[f64; 4]> {
        doc.as_ref()
            .map(|d| {
                d.descendants()
                    .filter(|n| n.has_tag_name((NAMESPACE, tag)) && keep(n))
                    .filter_map(|n| n.attribute("Boundary").and_then(parse_box))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Over the seal image the page shows (the report's own seal).
    if let Some(b) = boxes("ImageObject", &|_| true)
        .into_iter()
        .max_by(|a, b| (a[2] * a[3]).total_cmp(&(b[2] * b[3])))
    {
        let (cx, cy) = (b[0] + b[2] / 2.0, b[1] + b[3] / 2.0);
        return Ok((
            *page_id,
            [cx - size.0 / 2.0, cy - size.1 / 2.0, size.0, size.1],
        ));
    }
    // Else centred on the last line naming the agency (the signature).
    if let Some(author) = &info.author {
        let lines = boxes("TextObject", &|n| {
            let text: String = n
                .children()
                .filter(|c| c.has_tag_name((NAMESPACE, "TextCode")))
                .filter_map(|c| c.text())
                .collect();
            !author.is_empty() && text.contains(author.as_str())
        });
        if let Some(b) = lines.last() {
            let (cx, cy) = (b[0] + b[2] / 2.0, b[1] + b[3] / 2.0);
            return Ok((
                *page_id,
                [cx - size.0 / 2.0, cy - size.1 / 2.0, size.0, size.1],
            ));
        }
    }
    Err(OfdError::sign(format!(
        "page {}: no seal image and no line naming the agency to place the seal on; give --at X,Y (millimetres)",
        index + 1
    )))
}

fn parse_box(text: &str) -> Option<[f64; 4]> {
    let v: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
}

/// OFD.xml with `<Signatures>` naming the signature list, as the last child of
/// DocBody (its place in the schema), in the document's own prefix. Verifying
/// an archival copy applies the same change to the re-rendered OFD.xml.
pub fn with_signatures_entry(ofd_xml: &[u8], loc: &str) -> Result<Vec<u8>, OfdError> {
    let text = std::str::from_utf8(ofd_xml).map_err(|_| OfdError::sign("OFD.xml is not UTF-8"))?;
    let doc =
        roxmltree::Document::parse(text).map_err(|e| OfdError::sign(format!("OFD.xml: {e}")))?;
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name((NAMESPACE, "DocBody")))
        .ok_or_else(|| OfdError::sign("OFD.xml has no DocBody"))?;
    let range = body.range();
    let element = &text[range.clone()];
    let close = element
        .rfind("</")
        .ok_or_else(|| OfdError::sign("OFD.xml: DocBody is empty"))?;
    let prefix = doc
        .root_element()
        .tag_name()
        .namespace()
        .and_then(|ns| body.lookup_prefix(ns))
        .map(|p| format!("{p}:"))
        .unwrap_or_default();
    let at = range.start + close;
    let mut out = String::with_capacity(text.len() + 80);
    out.push_str(&text[..at]);
    out.push_str(&format!(
        "<{prefix}Signatures>{}</{prefix}Signatures>",
        escape(loc)
    ));
    out.push_str(&text[at..]);
    Ok(out.into_bytes())
}
