//! The X.509/CMS pieces signing and verification share: the ESS and time-stamp
//! attributes of a PAdES signature, and reading a CMS SignedData.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::db::rfc5911;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Reader, SliceReader};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

/// id-messageDigest (RFC 5652).
pub const ID_MESSAGE_DIGEST: ObjectIdentifier = rfc5911::ID_MESSAGE_DIGEST;
/// id-signingTime (RFC 5652): PAdES forbids it (the time is the PDF's /M).
pub const ID_SIGNING_TIME: ObjectIdentifier = rfc5911::ID_SIGNING_TIME;
/// id-aa-signingCertificateV2 (RFC 5035).
pub const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-signingCertificate (RFC 2634, SHA-1).
pub const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const ID_AA_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }
#[derive(Clone, Debug, der::Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

/// ESSCertIDv2 with the default hash algorithm (SHA-256) left out, as DER requires.
#[derive(Clone, Debug, der::Sequence)]
pub struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, der::Sequence)]
pub struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// The SignedData in a ContentInfo, ignoring the zero padding after it.
pub fn parse_signed_data(der: &[u8]) -> Result<SignedData, String> {
    let mut reader = SliceReader::new(der).map_err(|e| e.to_string())?;
    let ci: ContentInfo = reader.decode().map_err(|e| e.to_string())?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(format!("content type {}", ci.content_type));
    }
    ci.content.decode_as().map_err(|e| e.to_string())
}

/// Whether a certificate is the one a signer identifier names.
pub fn matches_sid(cert: &Certificate, sid: &SignerIdentifier) -> bool {
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

/// The certificates a CMS SignedData carries.
pub fn embedded_certificates(sd: &SignedData) -> Vec<Certificate> {
    sd.certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}
