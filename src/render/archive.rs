//! What an archival copy carries: the report's data as canonical JSON
//! (`nianbao-data.json`: `application/json`, relationship Data) and the seal
//! image beside it. The render step decides what is attached and the template
//! writes the attachments; the data reaches Typst as bytes the World serves at a
//! fixed virtual path, so no path from the data is ever given to Typst.

use serde::Serialize;

use crate::model::Report;
use crate::typeset::{Role, SealImage, ARCHIVE_DATA_PATH, SEAL_PNG_PATH, SEAL_SVG_PATH};

/// The attached data file's name in the PDF.
pub const DATA_NAME: &str = "nianbao-data.json";
/// The attached seal image's name in the PDF (PNG or SVG).
pub const SEAL_PNG_NAME: &str = "seal.png";
pub const SEAL_SVG_NAME: &str = "seal.svg";
/// The start of the data file's description; the nianbao version follows.
pub const DESCRIPTION_PREFIX: &str =
    "政府信息公开工作年度报告 data (nianbao data model 1), written by nianbao ";

/// The report as it is archived: the options that change the document
/// (`--font`, `--seal`) folded into the data, the seal named by its attachment.
pub fn archived_report(
    report: &Report,
    fonts: &[(Role, Vec<String>)],
    seal: Option<&SealImage>,
) -> Report {
    let mut report = report.clone();
    for (role, chain) in fonts {
        if let Some(slot) = report.fonts.slot_mut(role.key()) {
            *slot = Some(chain.clone());
        }
    }
    report.seal = seal.map(|s| {
        if s.svg {
            SEAL_SVG_NAME.to_string()
        } else {
            SEAL_PNG_NAME.to_string()
        }
    });
    report
}

/// The canonical JSON of a report: object keys sorted, two-space indentation,
/// a final newline. The same data always gives the same bytes.
pub fn canonical_json(report: &Report) -> Vec<u8> {
    let value = serde_json::to_value(report).expect("the model serializes");
    let mut out = serde_json::to_vec_pretty(&sorted(value)).expect("JSON");
    out.push(b'\n');
    out
}

fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        v => v,
    }
}

/// One file attached to the PDF, as the template writes it.
#[derive(Clone, Debug, Serialize)]
pub struct Attachment {
    /// The virtual path the World serves the bytes at.
    pub path: &'static str,
    pub relationship: &'static str,
    pub mime: &'static str,
    pub description: String,
}

/// The attachments of an archival copy: the data, and the seal when there is one.
pub fn attachments(seal: Option<&SealImage>) -> Vec<Attachment> {
    let mut out = vec![Attachment {
        path: ARCHIVE_DATA_PATH,
        relationship: "data",
        mime: "application/json",
        description: format!("{DESCRIPTION_PREFIX}{}", crate::VERSION),
    }];
    if let Some(seal) = seal {
        let (path, mime) = if seal.svg {
            (SEAL_SVG_PATH, "image/svg+xml")
        } else {
            (SEAL_PNG_PATH, "image/png")
        };
        out.push(Attachment {
            path,
            relationship: "source",
            mime,
            description: "seal image".into(),
        });
    }
    out
}
