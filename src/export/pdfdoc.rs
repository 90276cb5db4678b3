//! Reading PDFs (with lopdf), walking page content streams, and writing
//! incremental updates by hand.
//!
//! An incremental update appends new versions of some objects, a new
//! cross-reference section (a stream when the file uses streams, else a table)
//! and a trailer whose `/Prev` points at the previous section. The bytes before
//! it are never touched, so earlier signatures and PDF/A conformance stay intact.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use super::ExportError;

fn bad(reason: impl Into<String>) -> ExportError {
    ExportError::input(reason.into())
}

/// The byte offset of the last cross-reference section (`startxref`).
fn last_startxref(bytes: &[u8]) -> Option<usize> {
    let at = rfind(bytes, b"startxref")?;
    let rest = &bytes[at + b"startxref".len()..];
    let text: String = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    text.parse().ok()
}

pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// Parses a PDF leniently (lopdf repairs damaged cross-references): for
/// verification, which judges the bytes itself and must still report on a
/// file with bytes appended after its last revision.
pub fn load_lenient(bytes: &[u8]) -> Result<Document, ExportError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(bad("not a PDF file (it does not start with %PDF-)"));
    }
    let doc = Document::load_mem(bytes).map_err(|e| bad(format!("the PDF cannot be read: {e}")))?;
    doc.catalog()
        .map_err(|e| bad(format!("the PDF has no document catalog: {e}")))?;
    Ok(doc)
}

/// Checks that `bytes` look like one whole PDF file and parses it.
pub fn load(bytes: &[u8]) -> Result<Document, ExportError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(bad("not a PDF file (it does not start with %PDF-)"));
    }
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    if !bytes[..end].ends_with(b"%%EOF") {
        return Err(bad(
            "the PDF is truncated or damaged: it does not end with %%EOF",
        ));
    }
    let Some(xref) = last_startxref(bytes) else {
        return Err(bad("the PDF is damaged: no startxref before %%EOF"));
    };
    if xref >= bytes.len() {
        return Err(bad(
            "the PDF is truncated or damaged: startxref points past the end",
        ));
    }
    let options = lopdf::LoadOptions {
        strict: true,
        ..Default::default()
    };
    let doc = Document::load_mem_with_options(bytes, options)
        .map_err(|e| bad(format!("the PDF cannot be read: {e}")))?;
    if doc.is_encrypted() {
        return Err(bad("the PDF is encrypted"));
    }
    doc.catalog()
        .map_err(|e| bad(format!("the PDF has no document catalog: {e}")))?;
    Ok(doc)
}

/// Resolves references until a non-reference object.
pub fn deref<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    doc.dereference(obj).ok().map(|(_, o)| o)
}

pub fn dict_get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().and_then(|o| deref(doc, o))
}

pub fn name_is(obj: Option<&Object>, name: &[u8]) -> bool {
    matches!(obj, Some(Object::Name(n)) if n == name)
}

/// A PDF text string (PDFDocEncoding as Latin-1, or UTF-16BE with a BOM) as Rust text.
pub fn text_string(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(&bytes[3..]).into_owned()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// Serializes one object in PDF syntax.
pub fn write_object(obj: &Object, out: &mut Vec<u8>) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            let mut s = format!("{r:.6}");
            while s.contains('.') && (s.ends_with('0') || s.ends_with('.')) {
                s.pop();
            }
            if s.is_empty() || s == "-" {
                s = "0".into();
            }
            out.extend_from_slice(s.as_bytes());
        }
        Object::Name(n) => write_name(n, out),
        Object::String(s, StringFormat::Literal) if s.iter().all(|b| (0x20..0x7f).contains(b)) => {
            out.push(b'(');
            for &b in s {
                if matches!(b, b'(' | b')' | b'\\') {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b')');
        }
        Object::String(s, _) => {
            out.push(b'<');
            out.extend_from_slice(hex(s).as_bytes());
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(item, out);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(d, out),
        Object::Stream(s) => {
            let mut dict = s.dict.clone();
            dict.set("Length", Object::Integer(s.content.len() as i64));
            write_dict(&dict, out);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, gen)) => out.extend_from_slice(format!("{id} {gen} R").as_bytes()),
    }
}

fn write_dict(d: &Dictionary, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(k, out);
        out.push(b' ');
        write_object(v, out);
    }
    out.extend_from_slice(b">>");
}

fn write_name(n: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &b in n {
        let regular = b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// An incremental update under construction: objects by number, each already
/// serialized (so a caller can find placeholders in the final bytes).
pub struct Update<'a> {
    original: &'a [u8],
    doc: &'a Document,
    next_id: u32,
    objects: BTreeMap<u32, (u16, Vec<u8>)>,
}

impl<'a> Update<'a> {
    pub fn new(original: &'a [u8], doc: &'a Document) -> Update<'a> {
        let size = doc
            .trailer
            .get(b"Size")
            .and_then(|o| o.as_i64())
            .unwrap_or(0)
            .max(0) as u32;
        Update {
            original,
            doc,
            next_id: size.max(doc.max_id + 1),
            objects: BTreeMap::new(),
        }
    }

    /// A fresh object number.
    pub fn reserve(&mut self) -> ObjectId {
        let id = self.next_id;
        self.next_id += 1;
        (id, 0)
    }

    /// Sets (or replaces) the object `id` in the update.
    pub fn set(&mut self, id: ObjectId, obj: &Object) {
        let mut bytes = Vec::new();
        write_object(obj, &mut bytes);
        self.objects.insert(id.0, (id.1, bytes));
    }

    /// Sets the object `id` to bytes written by the caller (for placeholders).
    pub fn set_raw(&mut self, id: ObjectId, bytes: Vec<u8>) {
        self.objects.insert(id.0, (id.1, bytes));
    }

    /// The whole new file: the original bytes, then the update.
    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        let prev =
            last_startxref(self.original).ok_or_else(|| bad("the PDF is damaged: no startxref"))?;
        let stream_xref = !self.original[prev..].starts_with(b"xref");
        let mut out = self.original.to_vec();
        if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
            out.push(b'\n');
        }
        let mut offsets = BTreeMap::new();
        for (id, (gen, bytes)) in &self.objects {
            offsets.insert(*id, (out.len(), *gen));
            out.extend_from_slice(format!("{id} {gen} obj\n").as_bytes());
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\nendobj\n");
        }
        let mut trailer = Dictionary::new();
        for key in [&b"Root"[..], b"Info", b"ID"] {
            if let Ok(v) = self.doc.trailer.get(key) {
                trailer.set(key, v.clone());
            }
        }
        trailer.set("Prev", Object::Integer(prev as i64));
        let xref_at;
        if stream_xref {
            let xref_id = self.next_id;
            let size = xref_id + 1;
            offsets.insert(xref_id, (out.len(), 0));
            xref_at = out.len();
            let mut index = Vec::new();
            let mut data = Vec::new();
            for (start, run) in runs(&offsets) {
                index.push(Object::Integer(start as i64));
                index.push(Object::Integer(run.len() as i64));
                for (offset, gen) in run {
                    data.push(1u8);
                    data.extend_from_slice(&(offset as u32).to_be_bytes());
                    data.extend_from_slice(&gen.to_be_bytes());
                }
            }
            trailer.set("Type", Object::Name(b"XRef".to_vec()));
            trailer.set("Size", Object::Integer(size as i64));
            trailer.set("Index", Object::Array(index));
            trailer.set(
                "W",
                Object::Array(vec![
                    Object::Integer(1),
                    Object::Integer(4),
                    Object::Integer(2),
                ]),
            );
            let stream = Object::Stream(lopdf::Stream::new(trailer, data));
            out.extend_from_slice(format!("{xref_id} 0 obj\n").as_bytes());
            write_object(&stream, &mut out);
            out.extend_from_slice(b"\nendobj\n");
        } else {
            xref_at = out.len();
            out.extend_from_slice(b"xref\n");
            for (start, run) in runs(&offsets) {
                out.extend_from_slice(format!("{start} {}\n", run.len()).as_bytes());
                for (offset, gen) in run {
                    out.extend_from_slice(format!("{offset:010} {gen:05} n\r\n").as_bytes());
                }
            }
            trailer.set("Size", Object::Integer(self.next_id as i64));
            out.extend_from_slice(b"trailer\n");
            write_object(&Object::Dictionary(trailer), &mut out);
            out.push(b'\n');
        }
        out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
        Ok(out)
    }
}

/// Consecutive object numbers grouped: (first number, [(offset, generation)]).
fn runs(offsets: &BTreeMap<u32, (usize, u16)>) -> Vec<(u32, Vec<(usize, u16)>)> {
    let mut runs: Vec<(u32, Vec<(usize, u16)>)> = Vec::new();
    for (&id, &entry) in offsets {
        match runs.last_mut() {
            Some((start, run)) if *start + run.len() as u32 == id => run.push(entry),
            _ => runs.push((id, vec![entry])),
        }
    }
    runs
}

// ---------------------------------------------------------------------------
// Page content
// ---------------------------------------------------------------------------

/// The bounding box of the unit square under `m`.
pub fn bbox(m: &[f32; 6]) -> [f32; 4] {
    let pts = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)];
    let xs = pts.map(|(x, y)| m[0] * x + m[2] * y + m[4]);
    let ys = pts.map(|(x, y)| m[1] * x + m[3] * y + m[5]);
    let min = |a: [f32; 4]| a.iter().cloned().fold(f32::INFINITY, f32::min);
    let max = |a: [f32; 4]| a.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    [min(xs), min(ys), max(xs), max(ys)]
}

/// The largest image XObject drawn on a page (through nested form XObjects
/// too), with the matrix it is drawn with in page space: the seal.
pub fn largest_image(doc: &Document, page_id: ObjectId) -> Option<(ObjectId, [f32; 6])> {
    let page = doc.get_dictionary(page_id).ok()?;
    let content = doc.get_page_content(page_id);
    let resources = dict_get(doc, page, b"Resources")?.as_dict().ok()?;
    let mut found = Vec::new();
    walk(
        doc,
        &content,
        resources,
        [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        0,
        &mut found,
    );
    found
        .into_iter()
        .max_by(|a, b| area(&a.1).total_cmp(&area(&b.1)))
}

fn area(m: &[f32; 6]) -> f32 {
    let r = bbox(m);
    (r[2] - r[0]) * (r[3] - r[1])
}

fn concat(m: &[f32; 6], n: &[f32; 6]) -> [f32; 6] {
    // m then n: m × n
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn walk(
    doc: &Document,
    content: &[u8],
    resources: &Dictionary,
    ctm: [f32; 6],
    depth: usize,
    found: &mut Vec<(ObjectId, [f32; 6])>,
) {
    if depth > 8 {
        return;
    }
    let Ok(ops) = lopdf::content::Content::decode(content) else {
        return;
    };
    let xobjects = dict_get(doc, resources, b"XObject").and_then(|o| o.as_dict().ok());
    let mut stack = vec![ctm];
    for op in ops.operations {
        let top = *stack.last().unwrap();
        match op.operator.as_str() {
            "q" => stack.push(top),
            "Q" if stack.len() > 1 => {
                stack.pop();
            }
            "cm" if op.operands.len() == 6 => {
                let mut m = [0f32; 6];
                for (i, o) in op.operands.iter().enumerate() {
                    m[i] = o.as_float().unwrap_or(0.0);
                }
                *stack.last_mut().unwrap() = concat(&m, &top);
            }
            "Do" => {
                let (Some(xobjects), Some(Ok(name))) =
                    (xobjects, op.operands.first().map(|o| o.as_name()))
                else {
                    continue;
                };
                let Ok(Object::Reference(id)) = xobjects.get(name) else {
                    continue;
                };
                let Ok(Object::Stream(s)) = doc.get_object(*id) else {
                    continue;
                };
                if name_is(s.dict.get(b"Subtype").ok(), b"Image") {
                    found.push((*id, top));
                } else if name_is(s.dict.get(b"Subtype").ok(), b"Form") {
                    let mut m = top;
                    if let Ok(Object::Array(a)) = s.dict.get(b"Matrix") {
                        if a.len() == 6 {
                            let mut f = [0f32; 6];
                            for (i, o) in a.iter().enumerate() {
                                f[i] = o.as_float().unwrap_or(0.0);
                            }
                            m = concat(&f, &top);
                        }
                    }
                    let inner = s
                        .decompressed_content()
                        .unwrap_or_else(|_| s.content.clone());
                    let res = dict_get(doc, &s.dict, b"Resources")
                        .and_then(|o| o.as_dict().ok())
                        .unwrap_or(resources);
                    walk(doc, &inner, res, m, depth + 1, found);
                }
            }
            _ => {}
        }
    }
}
