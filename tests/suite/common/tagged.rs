//! Reading a tagged PDF back with independent tools: the objects as qpdf's
//! JSON (`qpdf --json`), and the structure tree with the text of each element
//! as poppler prints it (`pdfinfo -struct-text`), and table cells resolved to
//! the texts of their header cells (by /ID and /Headers), as a screen reader
//! announces them.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use serde_json::{Map, Value};

/// Every object of a PDF, as qpdf's JSON (version 2) writes it.
pub struct QpdfJson {
    objects: Map<String, Value>,
}

impl QpdfJson {
    pub fn load(pdf: &Path) -> QpdfJson {
        let out = Command::new("qpdf")
            .args(["--json", "--json-key=qpdf"])
            .arg(pdf)
            .output()
            .expect("qpdf (scripts/test installs it)");
        assert!(
            out.status.success(),
            "qpdf --json: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).expect("qpdf writes JSON");
        let objects = json["qpdf"][1].as_object().expect("qpdf objects").clone();
        QpdfJson { objects }
    }

    /// An object, following an indirect reference ("12 0 R").
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.as_str() {
            Some(r) if r.ends_with(" R") => {
                let obj = &self.objects[&format!("obj:{r}")];
                obj.get("value")
                    .or_else(|| obj.get("stream").and_then(|s| s.get("dict")))
                    .unwrap_or(obj)
            }
            _ => value,
        }
    }

    /// The document catalog.
    pub fn catalog(&self) -> &Map<String, Value> {
        self.objects
            .values()
            .filter_map(|o| o.get("value").and_then(Value::as_object))
            .find(|d| d.get("/Type").and_then(Value::as_str) == Some("/Catalog"))
            .expect("a catalog")
    }

    /// Every structure element, in document order (depth first from the
    /// StructTreeRoot).
    pub fn struct_elements(&self) -> Vec<&Map<String, Value>> {
        let mut out = Vec::new();
        let root = &self.catalog()["/StructTreeRoot"];
        self.walk(self.resolve(root), &mut out, 0);
        out
    }

    fn walk<'a>(&'a self, node: &'a Value, out: &mut Vec<&'a Map<String, Value>>, depth: usize) {
        assert!(depth < 64, "the structure tree is too deep");
        let Some(dict) = node.as_object() else { return };
        if dict.contains_key("/S") {
            out.push(dict);
        }
        let kids = match dict.get("/K") {
            Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
            Some(v) => vec![v],
            None => Vec::new(),
        };
        for kid in kids {
            if kid.as_str().is_some_and(|s| s.ends_with(" R")) {
                self.walk(self.resolve(kid), out, depth + 1);
            }
        }
    }
}

/// A PDF text string as qpdf's JSON writes it ("u:…" for Unicode text).
pub fn text(value: &Value) -> String {
    let s = value.as_str().unwrap_or_default();
    s.strip_prefix("u:").unwrap_or(s).to_string()
}

/// One element of the structure tree as `pdfinfo -struct-text` prints it.
#[derive(Debug, Default, Clone)]
pub struct Element {
    /// The structure type: P, H1, Table, TH, TD, Figure …
    pub kind: String,
    /// The element's /ID (table header cells).
    pub id: Option<String>,
    /// The /Headers attribute: the ids of the header cells of a table cell.
    pub headers: Vec<String>,
    /// The /Scope attribute of a header cell (Row, Column, Both).
    pub scope: Option<String>,
    /// The text of the element's own content (its marked content, in order).
    pub own_text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The text of the element and everything inside it.
    pub fn text(&self) -> String {
        let mut s = self.own_text.clone();
        for c in &self.children {
            s.push_str(&c.text());
        }
        s
    }

    /// Every element inside this one (itself first), depth first.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.descendants());
        }
        out
    }
}

/// The structure tree of a PDF with the text of every element, read by poppler.
pub fn struct_tree(pdf: &Path) -> Element {
    let out = Command::new("pdfinfo")
        .arg("-struct-text")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils; scripts/test installs it)");
    assert!(
        out.status.success(),
        "pdfinfo -struct-text: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Text is UTF-8; a heading's /T is printed as its raw UTF-16 bytes (not read here).
    parse_struct_text(&String::from_utf8_lossy(&out.stdout))
}

/// Parses `pdfinfo -struct-text`: one element per line (`TH <U5x0y0>:`,
/// `P (block)`), its attributes below it (`/Headers [(a) (b)]`) and its text
/// as quoted lines, each nesting level indented by two more spaces.
pub fn parse_struct_text(text: &str) -> Element {
    // The stack of open elements with their indentation.
    let mut stack: Vec<(usize, Element)> = vec![(0, Element::default())];
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        if body.is_empty() {
            continue;
        }
        if let Some(quoted) = body.strip_prefix('"') {
            // Text belongs to the element two spaces to its left.
            while stack.len() > 1 && stack.last().unwrap().0 >= indent {
                let (_, done) = stack.pop().unwrap();
                stack.last_mut().unwrap().1.children.push(done);
            }
            let t = quoted.strip_suffix('"').unwrap_or(quoted);
            stack.last_mut().unwrap().1.own_text.push_str(t);
            continue;
        }
        if let Some(attr) = body.strip_prefix('/') {
            let (name, value) = attr.split_once(' ').unwrap_or((attr, ""));
            let element = &mut stack.last_mut().unwrap().1;
            match name {
                "Headers" => {
                    element.headers = value
                        .trim_matches(['[', ']'])
                        .split_whitespace()
                        .map(|h| h.trim_matches(['(', ')']).to_string())
                        .filter(|h| !h.is_empty())
                        .collect()
                }
                "Scope" => element.scope = Some(value.trim_start_matches('/').to_string()),
                _ => {}
            }
            continue;
        }
        // An element: close those at the same or a deeper indentation.
        while stack.len() > 1 && stack.last().unwrap().0 >= indent {
            let (_, done) = stack.pop().unwrap();
            stack.last_mut().unwrap().1.children.push(done);
        }
        let kind = body
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_string();
        let id = body
            .split_once(" <")
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(id, _)| id.to_string());
        stack.push((
            indent,
            Element {
                kind,
                id,
                ..Element::default()
            },
        ));
    }
    while stack.len() > 1 {
        let (_, done) = stack.pop().unwrap();
        stack.last_mut().unwrap().1.children.push(done);
    }
    stack.pop().unwrap().1
}

/// A table cell with the texts of every header cell it is associated with,
/// directly or through the header cells' own /Headers (row labels nested in
/// their groups).
#[derive(Debug, Clone)]
pub struct ResolvedCell {
    pub kind: String,
    pub text: String,
    pub headers: BTreeSet<String>,
}

/// The cells of a table with their header texts resolved.
pub fn resolve_cells(table: &Element) -> Vec<ResolvedCell> {
    let cells: Vec<&Element> = table
        .descendants()
        .into_iter()
        .filter(|e| e.kind == "TH" || e.kind == "TD")
        .collect();
    let by_id: HashMap<&str, &Element> = cells
        .iter()
        .filter_map(|c| c.id.as_deref().map(|id| (id, *c)))
        .collect();
    cells
        .iter()
        .map(|cell| {
            let mut headers = BTreeSet::new();
            let mut todo: Vec<&str> = cell.headers.iter().map(String::as_str).collect();
            let mut seen = BTreeSet::new();
            while let Some(id) = todo.pop() {
                if !seen.insert(id) {
                    continue;
                }
                let header = by_id
                    .get(id)
                    .unwrap_or_else(|| panic!("/Headers names {id}, which no cell has as /ID"));
                headers.insert(header.text());
                todo.extend(header.headers.iter().map(String::as_str));
            }
            ResolvedCell {
                kind: cell.kind.clone(),
                text: cell.text(),
                headers,
            }
        })
        .collect()
}

/// The one data cell whose headers include all of `labels`; panics when there
/// is none or more than one (a cell must be named by its row and column).
pub fn cell_headed_by<'a>(cells: &'a [ResolvedCell], labels: &[&str]) -> &'a ResolvedCell {
    let found: Vec<&ResolvedCell> = cells
        .iter()
        .filter(|c| c.kind == "TD" && labels.iter().all(|l| c.headers.contains(*l)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one data cell headed by {labels:?}, found {}: {found:?}",
        found.len()
    );
    found[0]
}
