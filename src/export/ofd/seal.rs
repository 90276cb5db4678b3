//! The GB/T 38540-2020 (version 4) electronic seal structures, in DER:
//! the seal (SESeal: the seal's information and picture, signed by its maker)
//! and the electronic signature (SES_Signature: TBS_Sign over the SM3 digest
//! of Signature.xml, signed with SM2). The signed parts are kept as the exact
//! DER bytes read (`Any`), so a signature is checked over what was signed.

use der::asn1::{BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence};

/// SM2 with SM3 (GM/T 0006): the signature algorithm of seals and signatures.
pub const SM2_WITH_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
/// SM3 (GM/T 0004): the digest of References' CheckValues.
pub const SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.401");
/// The SM2 curve (the `namedCurve` of SM2 public keys).
pub const SM2_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
/// The signer identity every SM2 signature here uses (GM/T 0009 default).
pub const DIST_ID: &str = "1234567812345678";

/// SES_Header: "ES", version 4, the vendor's identifier.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SesHeader {
    pub id: Ia5String,
    pub version: u32,
    pub vid: Ia5String,
}

/// SES_ESPropertyInfo: the seal's type, name, the certificates allowed to use
/// it (certListType 1: the certificates themselves), and its dates.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SesPropertyInfo {
    /// 1 单位印章 (an organisation's seal), 2 个人印章, 3 法人印章, …
    pub kind: u32,
    pub name: String,
    pub cert_list_type: u32,
    pub cert_list: Vec<OctetString>,
    pub create_date: GeneralizedTime,
    pub valid_start: GeneralizedTime,
    pub valid_end: GeneralizedTime,
}

/// SES_ESPictrueInfo: the picture readers draw at the stamp annotation.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SesPictureInfo {
    /// "PNG", "GIF", "JPG", "OFD", "SVG".
    pub kind: Ia5String,
    pub data: OctetString,
    /// Millimetres.
    pub width: u32,
    pub height: u32,
}

/// SES_SealInfo.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SesSealInfo {
    pub header: SesHeader,
    pub es_id: Ia5String,
    pub property: SesPropertyInfo,
    pub picture: SesPictureInfo,
    #[asn1(optional = "true")]
    pub ext_datas: Option<Any>,
}

/// SESeal: the seal information (exact DER), the maker's certificate, and
/// the maker's signature over the seal information.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SeSeal {
    pub seal_info: Any,
    pub cert: OctetString,
    pub sign_alg_id: ObjectIdentifier,
    pub signed_value: BitString,
}

/// TBS_Sign: what the signer signs.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TbsSign {
    pub version: u32,
    pub eseal: Any,
    pub time_info: GeneralizedTime,
    /// SM3 of Signature.xml.
    pub data_hash: BitString,
    /// Where the signed file is (the Signature.xml path).
    pub property_info: Ia5String,
    #[asn1(optional = "true")]
    pub ext_datas: Option<Any>,
}

/// SES_Signature: TBS_Sign (exact DER), the signer's certificate and signature.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SesSignature {
    pub to_sign: Any,
    pub cert: OctetString,
    pub signature_alg_id: ObjectIdentifier,
    pub signature: BitString,
    #[asn1(optional = "true")]
    pub time_stamp: Option<Any>,
}

/// The DER bytes of a kept `Any` (its whole TLV, as read or written).
pub fn der_of(any: &Any) -> Vec<u8> {
    any.to_der().unwrap_or_default()
}

/// An `Any` holding a structure's DER.
pub fn any_of<T: Encode>(value: &T) -> Result<Any, der::Error> {
    Any::from_der(&value.to_der()?)
}

/// A seal or signature as read: the pieces a verifier checks.
pub struct ParsedSignature {
    pub signature: SesSignature,
    pub tbs: TbsSign,
    pub seal: SeSeal,
    pub seal_info: SesSealInfo,
}

/// Parses SignedValue.dat (a v4 SES_Signature).
pub fn parse_signature(bytes: &[u8]) -> Result<ParsedSignature, String> {
    let signature = SesSignature::from_der(bytes)
        .map_err(|e| format!("not a GB/T 38540 (v4) SES_Signature: {e}"))?;
    let tbs: TbsSign = signature
        .to_sign
        .decode_as()
        .map_err(|e| format!("TBS_Sign: {e}"))?;
    if tbs.version != 4 {
        return Err(format!(
            "TBS_Sign version {} (only version 4, GB/T 38540-2020, is read)",
            tbs.version
        ));
    }
    let seal: SeSeal = tbs.eseal.decode_as().map_err(|e| format!("SESeal: {e}"))?;
    let seal_info: SesSealInfo = seal
        .seal_info
        .decode_as()
        .map_err(|e| format!("SES_SealInfo: {e}"))?;
    Ok(ParsedSignature {
        signature,
        tbs,
        seal,
        seal_info,
    })
}
