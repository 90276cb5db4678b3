//! RFC 3161 time-stamps: the request, a minimal HTTP client (plain `http://`:
//! a time-stamp response is itself signed, so transport security adds nothing
//! to its integrity), and reading the token.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
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

/// POSTs `body` to an `http://` URL and returns the response body of a 200 reply.
fn http_post(url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, String> {
    let err = |m: String| format!("time-stamp authority {url}: {m}");
    let rest = if let Some(r) = url.strip_prefix("http://") {
        r
    } else if url.starts_with("https://") {
        return Err(err(
            "https is not supported; use the authority's http:// address (its replies are signed)"
                .into(),
        ));
    } else {
        return Err(err("not an http:// URL".into()));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(err("no host in the URL".into()));
    }
    let host_port = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addrs: Vec<_> = host_port
        .to_socket_addrs()
        .map_err(|e| err(format!("cannot resolve the host: {e}")))?
        .collect();
    let mut stream = None;
    let mut last = String::from("no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(10)) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e.to_string(),
        }
    }
    let mut stream = stream.ok_or_else(|| err(format!("unreachable: {last}")))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {content_type}\r\nAccept: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: nianbao/{}\r\n\r\n",
        body.len(),
        crate::VERSION
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body))
        .map_err(|e| err(format!("cannot send the request: {e}")))?;
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .map_err(|e| err(format!("no reply: {e}")))?;
    let split = super::pdfdoc::find(&reply, b"\r\n\r\n", 0)
        .ok_or_else(|| err("a malformed HTTP reply".into()))?;
    let head = String::from_utf8_lossy(&reply[..split]).to_string();
    let mut payload = reply[split + 4..].to_vec();
    let status_line = head.lines().next().unwrap_or_default();
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    if code != "200" {
        return Err(err(format!("HTTP error: {status_line}")));
    }
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        payload = dechunk(&payload).ok_or_else(|| err("a malformed chunked reply".into()))?;
    }
    Ok(payload)
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = super::pdfdoc::find(data, b"\r\n", 0)?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
