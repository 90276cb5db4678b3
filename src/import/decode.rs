//! Bytes to text: UTF-8, or GBK/GB2312/GB18030 as old portals and Chinese
//! Windows ("ANSI") save them. By the byte-order mark, then the page's own
//! `<meta charset>`, then UTF-8 if the bytes are valid UTF-8, then detection
//! (chardetng); decoding by encoding_rs (WHATWG labels: gb2312 → GBK).

use encoding_rs::Encoding;

/// Decodes text; `declared` is a charset label the file names (HTML meta).
/// None when the bytes do not look like text at all.
pub fn decode_text(bytes: &[u8], declared: Option<&str>) -> Option<String> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return looks_like_text(&text).then(|| text.into_owned());
    }
    // Valid UTF-8 wins over a label (pages that say GBK but are UTF-8 are
    // common, and GBK text is almost never valid UTF-8).
    if let Ok(text) = std::str::from_utf8(bytes) {
        return looks_like_text(text).then(|| text.to_string());
    }
    if let Some(enc) = declared.and_then(|l| Encoding::for_label(l.trim().as_bytes())) {
        if enc != encoding_rs::UTF_8 {
            let (text, _, _) = enc.decode(bytes);
            return looks_like_text(&text).then(|| text.into_owned());
        }
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let enc = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    let (text, _, _) = enc.decode(bytes);
    looks_like_text(&text).then(|| text.into_owned())
}

/// Text has no NUL and few control characters or replacement characters.
fn looks_like_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(200_000) {
        total += 1;
        if c == '\0' {
            return false;
        }
        if c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')) {
            bad += 1;
        }
    }
    total > 0 && bad * 50 <= total
}

/// The charset an HTML page declares in its first bytes (`<meta charset=gbk>`,
/// `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`).
pub fn html_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(8192)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"charset") {
        let at = from + i + b"charset".len();
        let rest = &lower[at..];
        let rest = rest.trim_ascii_start();
        if let Some(rest) = rest.strip_prefix(b"=") {
            let rest = rest.trim_ascii_start();
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let end = rest
                .iter()
                .position(|b| {
                    !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                })
                .unwrap_or(rest.len());
            if end > 0 {
                return Some(String::from_utf8_lossy(&rest[..end]).into_owned());
            }
        }
        from = at;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_text_is_decoded() {
        let text = "一、总体情况\n本年度报告根据《中华人民共和国政府信息公开条例》的要求编制。";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode_text(&gbk, None).as_deref(), Some(text));
        assert_eq!(decode_text(&gbk, Some("gb2312")).as_deref(), Some(text));
        assert_eq!(
            decode_text(text.as_bytes(), Some("gbk")).as_deref(),
            Some(text)
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode_text(&bom, None).as_deref(), Some(text));
        assert_eq!(decode_text(&[0, 1, 2, 0, 0], None), None);
    }

    #[test]
    fn meta_charsets() {
        assert_eq!(
            html_charset(b"<meta charset=\"GBK\">").as_deref(),
            Some("gbk")
        );
        assert_eq!(
            html_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" />"
            )
            .as_deref(),
            Some("gb2312")
        );
        assert_eq!(html_charset(b"<p>none</p>"), None);
    }
}
