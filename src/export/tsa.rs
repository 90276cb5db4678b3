//! RFC 3161 time-stamps: the request, the HTTP exchange (ureq, plain `http://`:
//! a time-stamp response is itself signed, so transport security adds nothing
//! to its integrity), and reading the token.

use std::io::Read;
use std::time::Duration;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::db::rfc5912;
use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

/// Asks the time-stamp authority at `url` for a token over `data` (SHA-256).
/// Returns the token (a CMS ContentInfo, DER).
pub fn request_token(url: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    let hash = super::x509::digest(rfc5912::ID_SHA_256, &[data]).expect("SHA-256");
    let nonce = nonce(data);
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier {
                oid: rfc5912::ID_SHA_256,
                parameters: None,
            },
            hashed_message: OctetString::new(hash.clone()).map_err(|e| e.to_string())?,
        },
        req_policy: None,
        nonce: Some(Int::new(&nonce).map_err(|e| e.to_string())?),
        cert_req: true,
        extensions: None,
    };
    let body = req.to_der().map_err(|e| e.to_string())?;
    let reply = http_post(url, "application/timestamp-query", &body)?;
    let resp = TimeStampResp::from_der(&reply).map_err(|e| {
        format!("the time-stamp authority's reply is not an RFC 3161 response: {e}")
    })?;
    let status = resp.status.status as u32;
    if status > 1 {
        let text = resp
            .status
            .status_string
            .as_ref()
            .map(|s| {
                s.iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        return Err(format!(
            "the time-stamp authority refused the request (status {status}{}{text})",
            if text.is_empty() { "" } else { ": " }
        ));
    }
    let token = resp
        .time_stamp_token
        .ok_or("the time-stamp authority sent no token")?;
    let info = token_info(&token)?;
    if info.message_imprint.hashed_message.as_bytes() != hash.as_slice() {
        return Err("the time-stamp token is for other data (message imprint mismatch)".into());
    }
    match &info.nonce {
        Some(n) if n.as_bytes() == Int::new(&nonce).map_err(|e| e.to_string())?.as_bytes() => {}
        _ => return Err("the time-stamp token does not carry our nonce".into()),
    }
    token.to_der().map_err(|e| e.to_string())
}

/// The TSTInfo inside a time-stamp token.
pub fn token_info(token: &ContentInfo) -> Result<TstInfo, String> {
    let sd: SignedData = token
        .content
        .decode_as()
        .map_err(|e| format!("the time-stamp token is not CMS signed data: {e}"))?;
    let content = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("the time-stamp token has no content")?;
    let octets = OctetString::from_der(&content.to_der().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    TstInfo::from_der(octets.as_bytes()).map_err(|e| format!("bad TSTInfo: {e}"))
}

/// A nonce from the data and the clock (uniqueness, not secrecy, is what counts).
fn nonce(data: &[u8]) -> Vec<u8> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
        .to_be_bytes();
    let pid = std::process::id().to_be_bytes();
    let h = super::x509::digest(rfc5912::ID_SHA_256, &[data, &now, &pid]).expect("SHA-256");
    let mut n = h[..8].to_vec();
    n[0] &= 0x7f; // positive
    if n[0] == 0 {
        n[0] = 1;
    }
    n
}

/// POSTs `body` to the authority and returns the body of a 200 reply.
fn http_post(url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, String> {
    let err = |m: String| format!("time-stamp authority {url}: {m}");
    if url.starts_with("https://") {
        return Err(err(
            "https is not supported; use the authority's http:// address (its replies are signed)"
                .into(),
        ));
    }
    if !url.starts_with("http://") {
        return Err(err("not an http:// URL".into()));
    }
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(&format!("nianbao/{}", crate::VERSION))
        .build();
    let response = agent
        .post(url)
        .set("Content-Type", content_type)
        .set("Accept", "application/timestamp-reply")
        .send_bytes(body)
        .map_err(|e| match e {
            ureq::Error::Status(code, r) => err(format!("HTTP error: {code} {}", r.status_text())),
            ureq::Error::Transport(t) => err(format!("unreachable: {t}")),
        })?;
    let mut reply = Vec::new();
    response
        .into_reader()
        .take(16 * 1024 * 1024)
        .read_to_end(&mut reply)
        .map_err(|e| err(format!("no reply: {e}")))?;
    Ok(reply)
}
