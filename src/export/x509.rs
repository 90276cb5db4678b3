//! Keys, certificates and signature checks for signing and verification
//! (RustCrypto: x509-cert, rsa, p256, sha2).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use const_oid::db::rfc5912;
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

/// A private key we can sign with.
pub enum PrivateKey {
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    P256(p256::ecdsa::SigningKey),
}

impl PrivateKey {
    /// Reads a PKCS#8 private key in PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pem(text: &str) -> Result<PrivateKey, String> {
        if text.contains("ENCRYPTED PRIVATE KEY") {
            return Err("the key is encrypted; give an unencrypted PKCS#8 key".into());
        }
        if text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY") {
            return Err(
                "the key is not PKCS#8; convert it with `openssl pkcs8 -topk8 -nocrypt`".into(),
            );
        }
        let (label, der) = der::pem::decode_vec(text.trim().as_bytes())
            .map_err(|e| format!("not a PEM key: {e}"))?;
        if label != "PRIVATE KEY" {
            return Err(format!("expected a PRIVATE KEY in PEM, found {label}"));
        }
        let info = pkcs8::PrivateKeyInfo::from_der(&der)
            .map_err(|e| format!("not a PKCS#8 private key: {e}"))?;
        let oid = info.algorithm.oid;
        if oid == rfc5912::RSA_ENCRYPTION {
            use rsa::pkcs8::DecodePrivateKey;
            let key = rsa::RsaPrivateKey::from_pkcs8_der(&der)
                .map_err(|e| format!("bad RSA key: {e}"))?;
            Ok(PrivateKey::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(
                key,
            ))))
        } else if oid == rfc5912::ID_EC_PUBLIC_KEY {
            use p256::pkcs8::DecodePrivateKey;
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(&der).map_err(|e| {
                format!("unsupported elliptic-curve key (only P-256 is supported): {e}")
            })?;
            Ok(PrivateKey::P256(key))
        } else {
            Err(format!(
                "unsupported key algorithm {oid}; use an RSA or a P-256 key"
            ))
        }
    }

    /// The public key, as SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> Result<Vec<u8>, String> {
        use spki::EncodePublicKey;
        let doc = match self {
            PrivateKey::Rsa(k) => {
                let public = rsa::RsaPublicKey::from(k.as_ref().as_ref());
                public.to_public_key_der()
            }
            PrivateKey::P256(k) => k.verifying_key().to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    pub fn algorithm(&self) -> &'static str {
        match self {
            PrivateKey::Rsa(_) => "RSA",
            PrivateKey::P256(_) => "ECDSA P-256",
        }
    }
}

/// Reads every certificate in a PEM file.
pub fn certs_from_pem(text: &[u8]) -> Result<Vec<Certificate>, String> {
    let certs =
        Certificate::load_pem_chain(text).map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in the file".into());
    }
    Ok(certs)
}

/// The digest named by an algorithm identifier.
pub fn digest(oid: ObjectIdentifier, data: &[&[u8]]) -> Option<Vec<u8>> {
    fn run<D: Digest>(data: &[&[u8]]) -> Vec<u8> {
        let mut h = D::new();
        for d in data {
            h.update(d);
        }
        h.finalize().to_vec()
    }
    if oid == rfc5912::ID_SHA_256 {
        Some(run::<Sha256>(data))
    } else if oid == rfc5912::ID_SHA_384 {
        Some(run::<Sha384>(data))
    } else if oid == rfc5912::ID_SHA_512 {
        Some(run::<Sha512>(data))
    } else {
        None
    }
}

/// Checks `signature` over `message` with the public key in `spki`, the
/// signature algorithm `alg` (and, for CMS signer infos that name only the key
/// algorithm, the digest algorithm `digest_alg`).
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<ObjectIdentifier>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    use signature::Verifier;
    let spki_der = spki.to_der().map_err(|e| e.to_string())?;
    let key_alg = spki.algorithm.oid;
    let oid = alg.oid;
    let fail = |e: signature::Error| format!("the signature does not verify ({e})");
    if key_alg == rfc5912::RSA_ENCRYPTION {
        use rsa::pkcs8::DecodePublicKey;
        let key = rsa::RsaPublicKey::from_public_key_der(&spki_der).map_err(|e| e.to_string())?;
        let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|e| e.to_string())?;
        let hash = if oid == rfc5912::SHA_256_WITH_RSA_ENCRYPTION {
            rfc5912::ID_SHA_256
        } else if oid == rfc5912::SHA_384_WITH_RSA_ENCRYPTION {
            rfc5912::ID_SHA_384
        } else if oid == rfc5912::SHA_512_WITH_RSA_ENCRYPTION {
            rfc5912::ID_SHA_512
        } else if oid == rfc5912::RSA_ENCRYPTION {
            digest_alg.ok_or("no digest algorithm")?
        } else {
            return Err(format!("unsupported RSA signature algorithm {oid}"));
        };
        if hash == rfc5912::ID_SHA_256 {
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
                .verify(message, &sig)
                .map_err(fail)
        } else if hash == rfc5912::ID_SHA_384 {
            rsa::pkcs1v15::VerifyingKey::<Sha384>::new(key)
                .verify(message, &sig)
                .map_err(fail)
        } else if hash == rfc5912::ID_SHA_512 {
            rsa::pkcs1v15::VerifyingKey::<Sha512>::new(key)
                .verify(message, &sig)
                .map_err(fail)
        } else {
            Err(format!("unsupported digest algorithm {hash}"))
        }
    } else if key_alg == rfc5912::ID_EC_PUBLIC_KEY {
        use p256::pkcs8::DecodePublicKey;
        let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
            .map_err(|_| "unsupported elliptic curve (only P-256 is supported)".to_string())?;
        if oid != rfc5912::ECDSA_WITH_SHA_256
            && !(oid == rfc5912::ID_EC_PUBLIC_KEY && digest_alg == Some(rfc5912::ID_SHA_256))
        {
            return Err(format!("unsupported ECDSA signature algorithm {oid}"));
        }
        let sig = p256::ecdsa::DerSignature::try_from(signature).map_err(|e| e.to_string())?;
        key.verify(message, &sig).map_err(fail)
    } else {
        Err(format!("unsupported public-key algorithm {key_alg}"))
    }
}

/// Checks that `issuer` signed `cert`.
pub fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = cert.signature.as_bytes() else {
        return false;
    };
    verify_signature(
        &issuer.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        None,
        &tbs,
        sig,
    )
    .is_ok()
}

/// Seconds since the Unix epoch.
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Whether `cert` is valid at `at` (Unix seconds): Err names the problem.
pub fn check_validity(cert: &Certificate, at: u64) -> Result<(), String> {
    let v = &cert.tbs_certificate.validity;
    let from = v.not_before.to_unix_duration().as_secs();
    let until = v.not_after.to_unix_duration().as_secs();
    if at < from {
        Err(format!(
            "the certificate of {} is not yet valid (valid from {})",
            subject(cert),
            format_time(from)
        ))
    } else if at > until {
        Err(format!(
            "the certificate of {} has expired (valid until {})",
            subject(cert),
            format_time(until)
        ))
    } else {
        Ok(())
    }
}

pub fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

pub fn issuer(cert: &Certificate) -> String {
    cert.tbs_certificate.issuer.to_string()
}

/// `2024-01-02T03:04:05Z`.
pub fn format_time(secs: u64) -> String {
    match der::DateTime::from_unix_duration(Duration::from_secs(secs)) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minutes(),
            t.seconds()
        ),
        Err(_) => secs.to_string(),
    }
}

/// A PDF date string, `D:20240102030405+00'00'`.
pub fn pdf_date(secs: u64) -> String {
    match der::DateTime::from_unix_duration(Duration::from_secs(secs)) {
        Ok(t) => format!(
            "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minutes(),
            t.seconds()
        ),
        Err(_) => "D:19700101000000+00'00'".into(),
    }
}

/// Parses a PDF date string to Unix seconds (offsets honoured).
pub fn parse_pdf_date(s: &str) -> Option<u64> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let num = |from: usize, len: usize, default: u32| -> Option<u32> {
        if digits.len() >= from + len {
            digits[from..from + len].parse().ok()
        } else {
            Some(default)
        }
    };
    let dt = der::DateTime::new(
        num(0, 4, 0)? as u16,
        num(4, 2, 1)? as u8,
        num(6, 2, 1)? as u8,
        num(8, 2, 0)? as u8,
        num(10, 2, 0)? as u8,
        num(12, 2, 0)? as u8,
    )
    .ok()?;
    let mut secs = dt.unix_duration().as_secs() as i64;
    let rest = &s[digits.len()..];
    if let Some(sign @ ('+' | '-')) = rest.chars().next() {
        let off: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let h: i64 = off.get(0..2).and_then(|x| x.parse().ok()).unwrap_or(0);
        let m: i64 = off.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
        let delta = h * 3600 + m * 60;
        secs += if sign == '+' { -delta } else { delta };
    }
    u64::try_from(secs).ok()
}

/// The certificates in a PEM file, with an error naming the file.
pub fn read_certificates(path: &std::path::Path) -> Result<Vec<Certificate>, super::ExportError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| super::ExportError::Input {
        file: file.clone(),
        reason: format!("cannot read the file: {e}"),
    })?;
    certs_from_pem(&bytes).map_err(|reason| super::ExportError::Input { file, reason })
}
