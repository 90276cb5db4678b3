//! Archival copies: the report's data travels inside the PDF/A-3b file as an
//! associated file (written by the render step, [`crate::render::archive`]),
//! with the seal image beside it when there is one, and comes out again with
//! [`extract_data`].

use lopdf::{Document, Object};

use super::pdfdoc::{self, deref, dict_get};
use super::{ExportError, PdfStandard};
use crate::render::archive::{DATA_NAME, DESCRIPTION_PREFIX, SEAL_PNG_NAME, SEAL_SVG_NAME};

/// What an archival copy carries.
#[derive(Clone, Debug)]
pub struct Extracted {
    /// The report's data, canonical JSON, exactly as embedded.
    pub data: Vec<u8>,
    /// The nianbao version that wrote the copy.
    pub version: Option<String>,
    /// The seal image: its file name (`seal.png`/`seal.svg`) and bytes.
    pub seal: Option<(String, Vec<u8>)>,
    /// The standards the copy declares in its XMP metadata (PDF/A-3b or -3a,
    /// and PDF/UA-1): a re-render uses the same.
    pub standards: Vec<PdfStandard>,
}

/// Takes the data out of an archival copy (`name` is how errors name it).
pub fn extract_data(name: &str, pdf: &[u8]) -> Result<Extracted, ExportError> {
    pdfdoc::load(pdf)
        .and_then(|doc| extract_from(&doc))
        .map_err(|e| e.in_file(name))
}

pub(crate) fn extract_from(doc: &Document) -> Result<Extracted, ExportError> {
    let files = attached_files(doc);
    let find = |name: &str| files.iter().find(|f| f.0 == name);
    let Some((_, data, desc)) = find(DATA_NAME) else {
        return Err(ExportError::archive(format!(
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
        standards: declared_standards(doc),
    })
}

/// The PDF/A level and PDF/UA part the XMP metadata declares
/// (`pdfaid:part`/`pdfaid:conformance`, `pdfuaid:part`).
fn declared_standards(doc: &Document) -> Vec<PdfStandard> {
    let xmp = doc
        .catalog()
        .ok()
        .and_then(|c| dict_get(doc, c, b"Metadata"))
        .and_then(|o| o.as_stream().ok())
        .map(|s| {
            s.decompressed_content()
                .unwrap_or_else(|_| s.content.clone())
        })
        .unwrap_or_default();
    let xmp = String::from_utf8_lossy(&xmp);
    let value = |name: &str| -> Option<String> {
        // Written as an element (`<pdfaid:part>3</pdfaid:part>`) or an attribute (`pdfaid:part="3"`).
        let element = format!("<{name}>");
        if let Some(at) = xmp.find(&element) {
            let rest = &xmp[at + element.len()..];
            return rest.split('<').next().map(|v| v.trim().to_string());
        }
        let attribute = format!("{name}=\"");
        let at = xmp.find(&attribute)?;
        xmp[at + attribute.len()..]
            .split('"')
            .next()
            .map(|v| v.trim().to_string())
    };
    let mut out = Vec::new();
    let level = value("pdfaid:part").zip(value("pdfaid:conformance"));
    match level
        .as_ref()
        .map(|(p, c)| (p.as_str(), c.to_ascii_uppercase()))
    {
        Some(("2", c)) if c == "A" => out.push(PdfStandard::A2a),
        Some(("2", c)) if c == "B" => out.push(PdfStandard::A2b),
        Some(("3", c)) if c == "A" => out.push(PdfStandard::A3a),
        Some(("3", c)) if c == "B" => out.push(PdfStandard::A3b),
        _ => {}
    }
    if value("pdfuaid:part").as_deref() == Some("1") {
        out.push(PdfStandard::Ua1);
    }
    out
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
