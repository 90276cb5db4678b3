//! Choosing the reader by content: the magic bytes, the zip's parts, the
//! markup; the file name's extension only breaks ties.

use std::io::Cursor;

use super::ImportError;

/// The kinds of published files nianbao reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pdf,
    Docx,
    Html,
    Text,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pdf => "PDF",
            Kind::Docx => "Word (.docx)",
            Kind::Html => "web page",
            Kind::Text => "text",
        }
    }
}

/// Why the kind could not be chosen.
#[derive(Debug)]
pub enum SniffError {
    Unsupported(&'static str),
    Unknown(String),
}

impl SniffError {
    pub fn in_file(self, file: &str) -> ImportError {
        let file = file.to_string();
        match self {
            SniffError::Unsupported(what) => ImportError::Unsupported { file, what },
            SniffError::Unknown(detail) => ImportError::UnknownFormat { file, detail },
        }
    }
}

/// The kind of a published file, by its content.
pub fn sniff(bytes: &[u8], name: &str) -> Result<Kind, SniffError> {
    let ext = std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if bytes.is_empty() {
        return Err(SniffError::Unknown(": the file is empty".into()));
    }
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Ok(Kind::Pdf);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(SniffError::Unsupported(match ext.as_str() {
            "wps" => "WPS (.wps)",
            "et" | "xls" => "spreadsheet (.xls/.et)",
            _ => "Word 97–2003 (.doc) and WPS (.wps)",
        }));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(SniffError::Unsupported("RTF (.rtf)"));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes, &ext);
    }
    if ext == "ofd" {
        return Err(SniffError::Unsupported("OFD (.ofd)"));
    }
    let text = super::decode::decode_text(bytes, None);
    let Some(text) = text else {
        return Err(SniffError::Unknown(format!(
            ": the file is neither PDF, a Word .docx, a web page nor text (it begins with bytes {})",
            head.iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        )));
    };
    let lower = text[..text.floor_char_boundary(4096)].to_ascii_lowercase();
    let markup = [
        "<html",
        "<!doctype html",
        "<body",
        "<table",
        "<div",
        "<p>",
        "<p ",
        "<meta",
    ]
    .iter()
    .any(|m| lower.contains(m));
    if markup || matches!(ext.as_str(), "html" | "htm" | "shtml" | "xhtml") && lower.contains('<') {
        Ok(Kind::Html)
    } else {
        Ok(Kind::Text)
    }
}

fn zip_kind(bytes: &[u8], ext: &str) -> Result<Kind, SniffError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes));
    let Ok(archive) = archive else {
        return Err(match ext {
            "docx" => SniffError::Unknown(
                ": it is named .docx but is not a whole zip archive (truncated or damaged?)".into(),
            ),
            "ofd" => SniffError::Unsupported("OFD (.ofd)"),
            _ => SniffError::Unknown(": a damaged zip archive".into()),
        });
    };
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    if names.iter().any(|n| n == "word/document.xml") {
        Ok(Kind::Docx)
    } else if names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("OFD.xml") || n.ends_with("/OFD.xml"))
        || ext == "ofd"
    {
        Err(SniffError::Unsupported("OFD (.ofd)"))
    } else if names.iter().any(|n| n.starts_with("xl/")) {
        Err(SniffError::Unsupported("spreadsheet (.xlsx)"))
    } else if names.iter().any(|n| n.starts_with("ppt/")) {
        Err(SniffError::Unsupported("presentation (.pptx)"))
    } else {
        Err(SniffError::Unknown(
            ": a zip archive without a Word document in it".into(),
        ))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n", "x.txt").unwrap(), Kind::Pdf);
        assert_eq!(
            sniff("<html><body><p>一</p></body></html>".as_bytes(), "a.txt").unwrap(),
            Kind::Html
        );
        assert_eq!(
            sniff("一、总体情况\n".as_bytes(), "a.html").unwrap(),
            Kind::Text
        );
        assert!(matches!(
            sniff(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0],
                "a.doc"
            ),
            Err(SniffError::Unsupported(_))
        ));
        assert!(matches!(sniff(b"", "a.pdf"), Err(SniffError::Unknown(_))));
        assert!(matches!(
            sniff(&[0u8, 1, 2, 3, 0xff, 0xfe, 0, 0], "a.bin"),
            Err(SniffError::Unknown(_))
        ));
    }
}
