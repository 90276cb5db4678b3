//! PAdES baseline signatures (ETSI EN 319 142-1): B-B, and B-T with an RFC 3161
//! time-stamp, added as an incremental update that keeps PDF/A conformance.
//!
//! What makes it PAdES rather than plain PDF signing: `/SubFilter
//! /ETSI.CAdES.detached`, a detached CMS SignedData over the byte range with
//! SHA-256, the ESS signing-certificate-v2 attribute binding the signer
//! certificate, and no CMS signing-time attribute (the claimed time is the
//! signature dictionary's `/M`). What keeps PDF/A: the original bytes and the
//! trailer `/ID` are kept, the widget is printable with an appearance stream,
//! and no `NeedAppearances`.

use std::path::Path;
use std::time::SystemTime;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfos};
use const_oid::db::rfc5911;
use const_oid::db::rfc5912;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use lopdf::{Dictionary, Object, ObjectId};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::Certificate;

use super::cms::{
    EssCertIdV2, IssuerSerial, SigningCertificateV2, ID_AA_SIGNING_CERTIFICATE_V2,
    ID_AA_TIME_STAMP_TOKEN,
};
use super::pdfdoc::{self, deref, dict_get, Update};
use super::x509::{self, PrivateKey};
use super::ExportError;

/// Who signs, with what, and how.
pub struct Signer {
    key: PrivateKey,
    cert: Certificate,
    chain: Vec<Certificate>,
    /// An RFC 3161 time-stamp authority (`http://…`): makes the signature PAdES B-T.
    pub tsa: Option<String>,
    /// The signing time written as `/M` and checked against the certificate
    /// (default: now).
    pub time: Option<SystemTime>,
    /// Make the signature visible: a widget over the seal image on the last page
    /// (a PNG seal, which the page draws as an image XObject), whose appearance
    /// is that same image.
    pub visible: bool,
    /// `/Reason` of the signature dictionary.
    pub reason: Option<String>,
}

impl std::fmt::Debug for Signer {
    /// Names the certificate and options, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key", &self.key.algorithm())
            .field("cert", &x509::subject(&self.cert))
            .field("chain", &self.chain.len())
            .field("tsa", &self.tsa)
            .field("time", &self.time)
            .field("visible", &self.visible)
            .field("reason", &self.reason)
            .finish()
    }
}

impl Signer {
    /// A signer from PEM texts: a PKCS#8 key (RSA or P-256), its certificate and,
    /// optionally, the certificates of the issuing CAs.
    pub fn from_pem(
        key_pem: &str,
        cert_pem: &[u8],
        chain_pem: Option<&[u8]>,
    ) -> Result<Signer, ExportError> {
        let key = PrivateKey::from_pem(key_pem)
            .map_err(|e| ExportError::sign(format!("the key: {e}")))?;
        let mut certs = x509::certs_from_pem(cert_pem)
            .map_err(|e| ExportError::sign(format!("the certificate: {e}")))?;
        let cert = certs.remove(0);
        if let Some(pem) = chain_pem {
            certs.extend(
                x509::certs_from_pem(pem)
                    .map_err(|e| ExportError::sign(format!("the chain: {e}")))?,
            );
        }
        Signer::new(key, cert, certs)
    }

    /// A signer from its key, its certificate and the issuing CAs' certificates,
    /// checking that the key belongs to the certificate.
    fn new(
        key: PrivateKey,
        cert: Certificate,
        chain: Vec<Certificate>,
    ) -> Result<Signer, ExportError> {
        let cert_key = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| ExportError::sign(e.to_string()))?;
        if key.public_key_der().map_err(ExportError::sign)? != cert_key {
            return Err(ExportError::sign(format!(
                "the key does not belong to the certificate of {} (wrong key for the certificate)",
                x509::subject(&cert)
            )));
        }
        Ok(Signer {
            key,
            cert,
            chain,
            tsa: None,
            time: None,
            visible: false,
            reason: None,
        })
    }

    /// A signer from PEM files; an error names the file it concerns.
    pub fn from_files(
        key: &Path,
        cert: &Path,
        chain: Option<&Path>,
    ) -> Result<Signer, ExportError> {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|e| {
                ExportError::sign(format!("cannot read the file: {e}"))
                    .in_file(&p.display().to_string())
            })
        };
        let key_text = String::from_utf8(read(key)?)
            .map_err(|_| ExportError::sign("not a PEM file").in_file(&key.display().to_string()))?;
        let cert_bytes = read(cert)?;
        let chain_bytes = chain.map(read).transpose()?;
        fn named(file: &Path) -> impl Fn(ExportError) -> ExportError + '_ {
            move |e| e.in_file(&file.display().to_string())
        }
        let private = PrivateKey::from_pem(&key_text)
            .map_err(|e| ExportError::sign(format!("the key: {e}")))
            .map_err(named(key))?;
        let mut certs = x509::certs_from_pem(&cert_bytes)
            .map_err(|e| ExportError::sign(format!("the certificate: {e}")))
            .map_err(named(cert))?;
        let first = certs.remove(0);
        if let (Some(path), Some(bytes)) = (chain, &chain_bytes) {
            certs.extend(
                x509::certs_from_pem(bytes)
                    .map_err(|e| ExportError::sign(format!("the chain: {e}")))
                    .map_err(named(path))?,
            );
        }
        Signer::new(private, first, certs).map_err(named(cert))
    }

    fn signing_time(&self) -> u64 {
        x509::unix_seconds(self.time.unwrap_or_else(SystemTime::now))
    }

    /// The detached CMS SignedData over a digest (SHA-256 of the byte range).
    fn cms(&self, digest: &[u8]) -> Result<Vec<u8>, String> {
        fn e<E: std::fmt::Display>(e: E) -> String {
            e.to_string()
        }
        let econtent = EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        };
        let sha256 = AlgorithmIdentifierOwned {
            oid: rfc5912::ID_SHA_256,
            parameters: None,
        };
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: self.cert.tbs_certificate.issuer.clone(),
            serial_number: self.cert.tbs_certificate.serial_number.clone(),
        });
        let cert_der = self.cert.to_der().map_err(e)?;
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(
                    x509::digest(rfc5912::ID_SHA_256, &[&cert_der]).unwrap(),
                )
                .map_err(e)?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(
                        self.cert.tbs_certificate.issuer.clone(),
                    )],
                    serial_number: self.cert.tbs_certificate.serial_number.clone(),
                }),
            }],
        };
        let ess_attr = Attribute {
            oid: ID_AA_SIGNING_CERTIFICATE_V2,
            values: SetOfVec::try_from(vec![Any::encode_from(&ess).map_err(e)?]).map_err(e)?,
        };
        let mut builder = SignedDataBuilder::new(&econtent);
        builder.add_digest_algorithm(sha256.clone()).map_err(e)?;
        for c in std::iter::once(&self.cert).chain(&self.chain) {
            builder
                .add_certificate(CertificateChoices::Certificate(c.clone()))
                .map_err(e)?;
        }
        let info = match &self.key {
            PrivateKey::Rsa(k) => {
                let mut b =
                    SignerInfoBuilder::new(k.as_ref(), sid, sha256, &econtent, Some(digest))
                        .map_err(e)?;
                b.add_signed_attribute(ess_attr).map_err(e)?;
                builder
                    .add_signer_info::<_, rsa::pkcs1v15::Signature>(b)
                    .map_err(e)?;
                builder.build().map_err(e)?
            }
            PrivateKey::P256(k) => {
                let mut b =
                    SignerInfoBuilder::new(k, sid, sha256, &econtent, Some(digest)).map_err(e)?;
                b.add_signed_attribute(ess_attr).map_err(e)?;
                builder
                    .add_signer_info::<_, p256::ecdsa::DerSignature>(b)
                    .map_err(e)?;
                builder.build().map_err(e)?
            }
        };
        info.to_der().map_err(e)
    }

    /// Adds an RFC 3161 signature time-stamp token to the (only) signer info.
    fn add_timestamp(&self, cms_der: &[u8], url: &str) -> Result<Vec<u8>, String> {
        let e = |e: der::Error| e.to_string();
        let ci = ContentInfo::from_der(cms_der).map_err(e)?;
        let mut sd: SignedData = ci.content.decode_as().map_err(e)?;
        let mut infos: Vec<_> = sd.signer_infos.0.into_vec();
        let token = super::tsa::request_token(url, infos[0].signature.as_bytes())?;
        let attr = Attribute {
            oid: ID_AA_TIME_STAMP_TOKEN,
            values: SetOfVec::try_from(vec![Any::from_der(&token).map_err(e)?]).map_err(e)?,
        };
        infos[0].unsigned_attrs = Some(SetOfVec::try_from(vec![attr]).map_err(e)?);
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).map_err(e)?);
        let ci = ContentInfo {
            content_type: rfc5911::ID_SIGNED_DATA,
            content: Any::encode_from(&sd).map_err(e)?,
        };
        ci.to_der().map_err(e)
    }
}

/// Signs a PDF (`name` is how errors name it): returns the original bytes with a
/// PAdES signature appended as an incremental update. A PDF that is already
/// signed gets one more signature (the earlier ones stay valid: their bytes are
/// not touched).
pub fn sign_pdf(name: &str, bytes: &[u8], signer: &Signer) -> Result<Vec<u8>, ExportError> {
    sign_bytes(bytes, signer).map_err(|e| e.in_file(name))
}

fn sign_bytes(bytes: &[u8], signer: &Signer) -> Result<Vec<u8>, ExportError> {
    let time = signer.signing_time();
    x509::check_validity(&signer.cert, time).map_err(ExportError::sign)?;
    let doc = pdfdoc::load(bytes)?;
    // Room for the CMS: its size with a dummy digest, plus a time-stamp token.
    let base = signer.cms(&[0u8; 32]).map_err(ExportError::sign)?.len();
    let mut reserve = base + if signer.tsa.is_some() { 12 * 1024 } else { 0 } + 256;
    for _ in 0..2 {
        match sign_with_room(bytes, &doc, signer, time, reserve)? {
            Ok(out) => return Ok(out),
            Err(needed) => reserve = needed + 1024,
        }
    }
    Err(ExportError::sign(
        "the signature does not fit its placeholder",
    ))
}

const BYTE_RANGE_PLACEHOLDER: &[u8] = b"/ByteRange[0 0000000000 0000000000 0000000000]";

/// One attempt with `reserve` bytes for the CMS; `Ok(Err(n))` when it needs `n`.
fn sign_with_room(
    bytes: &[u8],
    doc: &lopdf::Document,
    signer: &Signer,
    time: u64,
    reserve: usize,
) -> Result<Result<Vec<u8>, usize>, ExportError> {
    let err = |m: String| ExportError::sign(m);
    let mut update = Update::new(bytes, doc);
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(|o| o.as_reference())
        .map_err(|_| err("the PDF trailer has no /Root reference".into()))?;
    let mut catalog = doc
        .get_dictionary(root_id)
        .map_err(|e| err(format!("the document catalog: {e}")))?
        .clone();
    let pages = doc.get_pages();
    let (_, &page_id) = pages
        .iter()
        .next_back()
        .ok_or_else(|| err("the PDF has no pages".into()))?;
    let mut page = doc
        .get_dictionary(page_id)
        .map_err(|e| err(format!("the last page: {e}")))?
        .clone();

    // Existing form fields, and a field name not yet taken.
    let mut acroform = match catalog.get(b"AcroForm").ok().and_then(|o| deref(doc, o)) {
        Some(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    let mut fields = match dict_get(doc, &acroform, b"Fields") {
        Some(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let taken: Vec<String> = fields
        .iter()
        .filter_map(|f| deref(doc, f))
        .filter_map(|f| f.as_dict().ok())
        .filter_map(|d| d.get(b"T").ok())
        .filter_map(|t| t.as_str().ok())
        .map(pdfdoc::text_string)
        .collect();
    let name = (1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !taken.contains(n))
        .unwrap();

    let sig_id = update.reserve();
    let widget_id = update.reserve();
    let ap_id = update.reserve();

    // The appearance: empty, or the seal image where the page shows it.
    let (rect, ap) = match signer.visible {
        false => (
            [0.0, 0.0, 0.0, 0.0],
            appearance(&[0.0, 0.0, 0.0, 0.0], None),
        ),
        true => {
            let (image, m) = pdfdoc::largest_image(doc, page_id).ok_or_else(|| {
                err("--visible: the last page shows no seal image to place the signature on (render with a PNG seal: an SVG seal is drawn as vector paths, not an image)".into())
            })?;
            let rect = pdfdoc::bbox(&m);
            (rect, appearance(&rect, Some((image, m))))
        }
    };
    update.set(ap_id, &ap);

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set(
        "T",
        Object::String(name.clone().into_bytes(), lopdf::StringFormat::Literal),
    );
    widget.set("V", Object::Reference(sig_id));
    widget.set("F", Object::Integer(4 | 128)); // Print, Locked
    widget.set(
        "Rect",
        Object::Array(rect.iter().map(|&v| Object::Real(v)).collect()),
    );
    widget.set("P", Object::Reference(page_id));
    let mut ap_dict = Dictionary::new();
    ap_dict.set("N", Object::Reference(ap_id));
    widget.set("AP", Object::Dictionary(ap_dict));
    update.set(widget_id, &Object::Dictionary(widget));

    fields.push(Object::Reference(widget_id));
    acroform.set("Fields", Object::Array(fields));
    acroform.set("SigFlags", Object::Integer(3));
    acroform.remove(b"NeedAppearances");
    catalog.set("AcroForm", Object::Dictionary(acroform));
    update.set(root_id, &Object::Dictionary(catalog));

    let mut annots = match page.get(b"Annots").ok().and_then(|o| deref(doc, o)) {
        Some(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference(widget_id));
    page.set("Annots", Object::Array(annots));
    update.set(page_id, &Object::Dictionary(page));

    // The signature dictionary, with placeholders for the byte range and the CMS.
    let mut sig = Vec::new();
    sig.extend_from_slice(b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached");
    let mut extra = Dictionary::new();
    extra.set(
        "M",
        Object::String(
            x509::pdf_date(time).into_bytes(),
            lopdf::StringFormat::Literal,
        ),
    );
    extra.set(
        "Name",
        Object::String(
            utf16(&x509::subject(&signer.cert)),
            lopdf::StringFormat::Hexadecimal,
        ),
    );
    if let Some(reason) = &signer.reason {
        extra.set(
            "Reason",
            Object::String(utf16(reason), lopdf::StringFormat::Hexadecimal),
        );
    }
    for (k, v) in extra.iter() {
        let mut d = Dictionary::new();
        d.set(k.clone(), v.clone());
        let mut b = Vec::new();
        pdfdoc::write_object(&Object::Dictionary(d), &mut b);
        sig.extend_from_slice(&b[2..b.len() - 2]);
    }
    sig.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
    sig.extend_from_slice(b"/Contents<");
    sig.extend(std::iter::repeat_n(b'0', reserve * 2));
    sig.extend_from_slice(b">>>");
    update.set_raw(sig_id, sig);

    let mut out = update.finish()?;
    let br_at = pdfdoc::find(&out, BYTE_RANGE_PLACEHOLDER, bytes.len())
        .ok_or_else(|| err("internal: no byte-range placeholder".into()))?;
    let lt = br_at + BYTE_RANGE_PLACEHOLDER.len() + b"/Contents".len();
    let gt = lt + 1 + reserve * 2;
    debug_assert_eq!(out[lt], b'<');
    debug_assert_eq!(out[gt], b'>');
    let (b, c) = (lt, gt + 1);
    let d = out.len() - c;
    let range = format!("/ByteRange[0 {b} {c} {d}]");
    let mut range = range.into_bytes();
    range.resize(BYTE_RANGE_PLACEHOLDER.len(), b' ');
    out[br_at..br_at + range.len()].copy_from_slice(&range);

    let digest = x509::digest(rfc5912::ID_SHA_256, &[&out[..b], &out[c..]]).unwrap();
    let mut cms = signer.cms(&digest).map_err(err)?;
    if let Some(url) = &signer.tsa {
        cms = signer.add_timestamp(&cms, url).map_err(err)?;
    }
    if cms.len() > reserve {
        return Ok(Err(cms.len()));
    }
    let hex = pdfdoc::hex(&cms);
    out[lt + 1..lt + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(Ok(out))
}

fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xfe, 0xff];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
    out
}

/// The appearance stream of the widget: empty, or the seal image drawn with
/// the page's own transformation, relative to the rectangle.
fn appearance(rect: &[f32; 4], image: Option<(ObjectId, [f32; 6])>) -> Object {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set(
        "BBox",
        Object::Array(vec![
            Object::Real(0.0),
            Object::Real(0.0),
            Object::Real(w),
            Object::Real(h),
        ]),
    );
    let mut content = Vec::new();
    let mut resources = Dictionary::new();
    if let Some((id, m)) = image {
        let mut xobjects = Dictionary::new();
        xobjects.set("Seal", Object::Reference(id));
        resources.set("XObject", Object::Dictionary(xobjects));
        content = format!(
            "q {} {} {} {} {} {} cm /Seal Do Q",
            num(m[0]),
            num(m[1]),
            num(m[2]),
            num(m[3]),
            num(m[4] - rect[0]),
            num(m[5] - rect[1])
        )
        .into_bytes();
    }
    dict.set("Resources", Object::Dictionary(resources));
    Object::Stream(lopdf::Stream::new(dict, content))
}

fn num(v: f32) -> String {
    let mut b = Vec::new();
    pdfdoc::write_object(&Object::Real(v), &mut b);
    String::from_utf8(b).unwrap()
}
