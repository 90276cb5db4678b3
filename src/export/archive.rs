//! Archival copies: the report's data travels inside the PDF/A-3b file as an
//! associated file (canonical JSON, `application/json`, relationship Data),
//! with the seal image beside it when there is one, and comes out again with
//! [`extract_data`].
//!
//! The data reaches Typst as bytes our World serves at a fixed virtual path
//! ([`crate::typeset::ARCHIVE_DATA_PATH`]); no path from the data is
//! ever given to Typst.

use lopdf::{Document, Object};

use super::pdfdoc::{self, deref, dict_get};
use super::ExportError;
use crate::model::Report;
use crate::typeset::{Role, SealImage};

/// The attached data file's name in the PDF.
pub const DATA_NAME: &str = "nianbao-data.json";
/// The attached seal image's name in the PDF (PNG or SVG).
pub const SEAL_PNG_NAME: &str = "seal.png";
pub const SEAL_SVG_NAME: &str = "seal.svg";
/// The start of the data file's description; the nianbao version follows.
const DESCRIPTION_PREFIX: &str =
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
        let slot = match role {
            Role::Title => &mut report.fonts.title,
            Role::Body => &mut report.fonts.body,
            Role::Heading1 => &mut report.fonts.heading1,
            Role::Heading2 => &mut report.fonts.heading2,
            Role::Table => &mut report.fonts.table,
            Role::PageNumber => &mut report.fonts.page_number,
        };
        *slot = Some(chain.clone());
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

/// The Typst markup that attaches the data (and the seal) to the document.
pub fn attach_markup(seal: Option<&SealImage>) -> String {
    let mut s = format!(
        "\n#pdf.attach(\"{}\", relationship: \"data\", mime-type: \"application/json\", description: \"{}{}\")\n",
        crate::typeset::ARCHIVE_DATA_PATH,
        DESCRIPTION_PREFIX,
        crate::VERSION
    );
    if let Some(seal) = seal {
        let (path, mime) = if seal.svg {
            (crate::typeset::SEAL_SVG_PATH, "image/svg+xml")
        } else {
            (crate::typeset::SEAL_PNG_PATH, "image/png")
        };
        s.push_str(&format!(
            "#pdf.attach(\"{path}\", relationship: \"source\", mime-type: \"{mime}\", description: \"seal image\")\n"
        ));
    }
    s
}

/// What an archival copy carries.
#[derive(Clone, Debug)]
pub struct Extracted {
    /// The report's data, canonical JSON, exactly as embedded.
    pub data: Vec<u8>,
    /// The nianbao version that wrote the copy.
    pub version: Option<String>,
    /// The seal image: its file name (`seal.png`/`seal.svg`) and bytes.
    pub seal: Option<(String, Vec<u8>)>,
}

/// Takes the data out of an archival copy.
pub fn extract_data(pdf: &[u8]) -> Result<Extracted, ExportError> {
    let doc = pdfdoc::load(pdf)?;
    extract_from(&doc)
}

pub(crate) fn extract_from(doc: &Document) -> Result<Extracted, ExportError> {
    let files = attached_files(doc);
    let find = |name: &str| files.iter().find(|f| f.0 == name);
    let Some((_, data, desc)) = find(DATA_NAME) else {
        return Err(ExportError::Archive(format!(
            "the PDF carries no report data ({DATA_NAME}); it is not an archival copy made with `nianbao render --archive`"
        )));
    };
    let version = desc
        .as_deref()
        .and_then(|d| d.strip_prefix(DESCRIPTION_PREFIX))
        .map(|v| v.to_string());
    let seal = find(SEAL_PNG_NAME)
        .or_else(|| find(SEAL_SVG_NAME))
        .map(|(n, b, _)| (n.clone(), b.clone()));
    Ok(Extracted {
        data: data.clone(),
        version,
        seal,
    })
}

/// The embedded files: (name, bytes, description), from the catalog's /AF and
/// the /EmbeddedFiles name tree.
fn attached_files(doc: &Document) -> Vec<(String, Vec<u8>, Option<String>)> {
    let mut specs: Vec<&lopdf::Dictionary> = Vec::new();
    let Ok(catalog) = doc.catalog() else {
        return Vec::new();
    };
    if let Some(Object::Array(af)) = dict_get(doc, catalog, b"AF") {
        specs.extend(
            af.iter()
                .filter_map(|o| deref(doc, o))
                .filter_map(|o| o.as_dict().ok()),
        );
    }
    if let Some(Object::Dictionary(names)) = dict_get(doc, catalog, b"Names") {
        if let Some(Object::Dictionary(tree)) = dict_get(doc, names, b"EmbeddedFiles") {
            name_tree(doc, tree, 0, &mut specs);
        }
    }
    let mut out: Vec<(String, Vec<u8>, Option<String>)> = Vec::new();
    for spec in specs {
        let name = ["UF", "F"]
            .iter()
            .find_map(|k| dict_get(doc, spec, k.as_bytes()))
            .and_then(|o| o.as_str().ok())
            .map(pdfdoc::text_string);
        let Some(name) = name else { continue };
        let Some(Object::Dictionary(ef)) = dict_get(doc, spec, b"EF") else {
            continue;
        };
        let Some(Object::Stream(stream)) = ["UF", "F"]
            .iter()
            .find_map(|k| dict_get(doc, ef, k.as_bytes()))
        else {
            continue;
        };
        let bytes = if stream.dict.has(b"Filter") {
            match stream.decompressed_content() {
                Ok(b) => b,
                Err(_) => continue,
            }
        } else {
            stream.content.clone()
        };
        let desc = dict_get(doc, spec, b"Desc")
            .and_then(|o| o.as_str().ok())
            .map(pdfdoc::text_string);
        if !out.iter().any(|f| f.0 == name) {
            out.push((name, bytes, desc));
        }
    }
    out
}

fn name_tree<'a>(
    doc: &'a Document,
    node: &'a lopdf::Dictionary,
    depth: usize,
    specs: &mut Vec<&'a lopdf::Dictionary>,
) {
    if depth > 16 {
        return;
    }
    if let Some(Object::Array(names)) = dict_get(doc, node, b"Names") {
        for pair in names.chunks(2) {
            if let Some(Object::Dictionary(d)) = pair.get(1).and_then(|o| deref(doc, o)) {
                specs.push(d);
            }
        }
    }
    if let Some(Object::Array(kids)) = dict_get(doc, node, b"Kids") {
        for kid in kids {
            if let Some(Object::Dictionary(d)) = deref(doc, kid) {
                name_tree(doc, d, depth + 1, specs);
            }
        }
    }
}
