//! Print bundles: many reports in one PDF, for printing them all at once.
//!
//! Every report starts on an odd page (a blank page goes after a report with
//! an odd number of pages), so that printed on both sides of the paper no
//! sheet carries two agencies. Each report's pages are copied as they are —
//! content, fonts, images, and so its own printed page numbers — and the
//! bundle has one bookmark (outline entry) per report, in the order given,
//! with the report's own bookmarks (its part headings) under it.
//!
//! A bundle is a print artifact: it keeps what prints and drops what belongs
//! to each report as a document. Dropped: the structure tree (tags), the
//! XMP metadata and the PDF/A and PDF/UA claims that go with it, attached
//! files (an archival copy's data), annotations and forms — and so
//! signatures, which cover the bytes of one file and cannot survive being
//! copied into another. The reports themselves stay the documents of record.

use std::collections::BTreeMap;

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, StringFormat};

use super::pdfdoc::{self, deref, dict_get};
use super::ExportError;

/// The Info title of a bundle of `n` reports.
fn bundle_title(n: usize) -> String {
    format!("政府信息公开工作年度报告（{n}份）")
}

/// A bookmark of the bundle: its title, the page it opens (in the bundle)
/// and the bookmarks under it.
#[derive(Clone, Debug, PartialEq)]
pub struct BundleBookmark {
    pub title: String,
    /// The destination: the page's object and, when the report's own bookmark
    /// gave one, the rest of its destination array (`/XYZ left top zoom`).
    target: Target,
    pub children: Vec<BundleBookmark>,
}

#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// The top of a page of the bundle (its index from 0).
    Page(usize),
    /// A destination array of a report, already copied into the bundle.
    Copied(Object),
}

/// One report placed in the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The bookmark's title.
    pub title: String,
    /// The report's first page in the bundle (from 1; always odd).
    pub first_page: usize,
    /// How many pages the report has.
    pub pages: usize,
}

/// Builds a print bundle one report at a time (each report's PDF is parsed,
/// copied and dropped, so only the bundle is held in memory).
pub struct BundleBuilder {
    doc: Document,
    pages_id: ObjectId,
    /// The bundle's pages, in order.
    kids: Vec<ObjectId>,
    bookmarks: Vec<BundleBookmark>,
    placed: Vec<Placed>,
    blank_pages: usize,
}

impl Default for BundleBuilder {
    fn default() -> Self {
        BundleBuilder::new()
    }
}

impl BundleBuilder {
    pub fn new() -> BundleBuilder {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        BundleBuilder {
            doc,
            pages_id,
            kids: Vec::new(),
            bookmarks: Vec::new(),
            placed: Vec::new(),
            blank_pages: 0,
        }
    }

    /// Adds a report (`name` is how errors name it; `title` its bookmark,
    /// else the report's own document title).
    pub fn add(&mut self, name: &str, pdf: &[u8], title: Option<&str>) -> Result<(), ExportError> {
        let source = pdfdoc::load_lenient(pdf).map_err(|e| e.in_file(name))?;
        let source_pages: Vec<ObjectId> = source.page_iter().collect();
        let Some(&first) = source_pages.first() else {
            return Err(ExportError::Input {
                file: name.to_string(),
                reason: "the PDF has no pages".into(),
            });
        };
        // A blank page first if the report would otherwise start on an even page.
        if self.kids.len() % 2 == 1 {
            let media_box = inherited(&source, first, b"MediaBox").unwrap_or_else(a4_media_box);
            let blank = self.doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => self.pages_id,
                "MediaBox" => media_box,
                "Resources" => Dictionary::new(),
            });
            self.kids.push(blank);
            self.blank_pages += 1;
        }
        let start = self.kids.len();
        let mut copier = Copier {
            source: &source,
            map: BTreeMap::new(),
        };
        // The pages: each with its inherited attributes made its own, without
        // what ties it to its document (parent, structure, annotations).
        let mut new_pages = Vec::with_capacity(source_pages.len());
        for &page in &source_pages {
            let new_id = self.doc.new_object_id();
            copier.map.insert(page, new_id);
            new_pages.push((page, new_id));
        }
        for (page, new_id) in &new_pages {
            let mut dict = source
                .get_dictionary(*page)
                .map_err(|e| ExportError::Input {
                    file: name.to_string(),
                    reason: format!("page {page:?}: {e}"),
                })?
                .clone();
            for key in [&b"MediaBox"[..], b"CropBox", b"Resources", b"Rotate"] {
                if !dict.has(key) {
                    if let Some(value) = inherited(&source, *page, key) {
                        dict.set(key, value);
                    }
                }
            }
            for key in [
                &b"Parent"[..],
                b"StructParents",
                b"Annots",
                b"Tabs",
                b"B",
                b"Metadata",
                b"PieceInfo",
                b"AA",
            ] {
                dict.remove(key);
            }
            let copied = copier.copy(&Object::Dictionary(dict), &mut self.doc);
            let Object::Dictionary(mut dict) = copied else {
                unreachable!("a dictionary copies to a dictionary")
            };
            dict.set("Parent", self.pages_id);
            self.doc.objects.insert(*new_id, Object::Dictionary(dict));
            self.kids.push(*new_id);
        }
        // The report's bookmarks, under one for the report.
        let children = outline_items(&source)
            .into_iter()
            .map(|item| copier.bookmark(item, start, &mut self.doc))
            .collect();
        let title = title
            .map(str::to_string)
            .or_else(|| document_title(&source))
            .unwrap_or_else(|| name.to_string());
        self.bookmarks.push(BundleBookmark {
            title: title.clone(),
            target: Target::Page(start),
            children,
        });
        self.placed.push(Placed {
            title,
            first_page: start + 1,
            pages: source_pages.len(),
        });
        Ok(())
    }

    /// The reports placed so far.
    pub fn placed(&self) -> &[Placed] {
        &self.placed
    }

    /// How many blank pages were inserted.
    pub fn blank_pages(&self) -> usize {
        self.blank_pages
    }

    /// The bundle's bytes. An empty bundle (no report) is an error: there is
    /// nothing to print.
    pub fn finish(mut self) -> Result<Vec<u8>, ExportError> {
        if self.kids.is_empty() {
            return Err(ExportError::Options(
                "no report to bundle: none of the batch's reports was rendered".into(),
            ));
        }
        let count = self.kids.len();
        let kids: Vec<Object> = self.kids.iter().map(|&id| Object::Reference(id)).collect();
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count as i64,
            }),
        );
        let bookmarks = std::mem::take(&mut self.bookmarks);
        let outlines = self.write_outline(&bookmarks);
        let n = self.placed.len();
        let catalog = self.doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => self.pages_id,
            "Outlines" => outlines,
            "PageMode" => "UseOutlines",
            "Lang" => text(crate::model::labels::LANGUAGE),
            "ViewerPreferences" => dictionary! { "DisplayDocTitle" => true },
        });
        let info = self.doc.add_object(dictionary! {
            "Title" => text(&bundle_title(n)),
            "Creator" => text(&format!("nianbao {}", crate::VERSION)),
        });
        self.doc.trailer.set("Root", catalog);
        self.doc.trailer.set("Info", info);
        self.doc.max_id = self.doc.objects.keys().map(|id| id.0).max().unwrap_or(0);
        let mut out = Vec::new();
        self.doc
            .save_to(&mut out)
            .map_err(|e| ExportError::Options(format!("cannot write the bundle: {e}")))?;
        Ok(out)
    }

    /// Writes the outline: one item per bookmark, its children under it (closed).
    fn write_outline(&mut self, bookmarks: &[BundleBookmark]) -> ObjectId {
        let root = self.doc.new_object_id();
        let (first, last, count) = self.write_items(bookmarks, root);
        let mut dict = dictionary! { "Type" => "Outlines", "Count" => count as i64 };
        if let (Some(first), Some(last)) = (first, last) {
            dict.set("First", first);
            dict.set("Last", last);
        }
        self.doc.objects.insert(root, Object::Dictionary(dict));
        root
    }

    /// Writes sibling items under `parent`: (first, last, number of visible items).
    fn write_items(
        &mut self,
        items: &[BundleBookmark],
        parent: ObjectId,
    ) -> (Option<ObjectId>, Option<ObjectId>, usize) {
        let ids: Vec<ObjectId> = items.iter().map(|_| self.doc.new_object_id()).collect();
        for (i, item) in items.iter().enumerate() {
            let dest = match &item.target {
                Target::Page(index) => Object::Array(vec![
                    Object::Reference(self.kids[*index]),
                    Object::Name(b"Fit".to_vec()),
                ]),
                Target::Copied(dest) => dest.clone(),
            };
            let mut dict = dictionary! {
                "Title" => text(&item.title),
                "Parent" => parent,
                "Dest" => dest,
            };
            if i > 0 {
                dict.set("Prev", ids[i - 1]);
            }
            if i + 1 < ids.len() {
                dict.set("Next", ids[i + 1]);
            }
            let (first, last, count) = self.write_items(&item.children, ids[i]);
            if let (Some(first), Some(last)) = (first, last) {
                dict.set("First", first);
                dict.set("Last", last);
                // Negative: the report's own bookmarks start closed.
                dict.set("Count", -(count as i64));
            }
            self.doc.objects.insert(ids[i], Object::Dictionary(dict));
        }
        (ids.first().copied(), ids.last().copied(), items.len())
    }
}

fn a4_media_box() -> Object {
    Object::Array(vec![
        Object::Integer(0),
        Object::Integer(0),
        Object::Real(595.2756),
        Object::Real(841.8898),
    ])
}

/// A PDF text string: UTF-16BE with a byte-order mark.
fn text(s: &str) -> Object {
    let mut bytes = vec![0xfe, 0xff];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// A page attribute, inherited from the page tree when the page has none.
fn inherited(doc: &Document, page: ObjectId, key: &[u8]) -> Option<Object> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return deref(doc, value).cloned();
        }
        node = dict_get(doc, node, b"Parent")?.as_dict().ok()?;
    }
    None
}

/// The report's document title (Info /Title).
fn document_title(doc: &Document) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let info = deref(doc, info)?.as_dict().ok()?;
    let title = dict_get(doc, info, b"Title")?.as_str().ok()?;
    Some(pdfdoc::text_string(title)).filter(|t| !t.is_empty())
}

/// One of a report's own bookmarks: title, destination, children.
struct SourceItem {
    title: String,
    dest: Option<Object>,
    children: Vec<SourceItem>,
}

fn outline_items(doc: &Document) -> Vec<SourceItem> {
    let Some(outlines) = doc
        .catalog()
        .ok()
        .and_then(|c| dict_get(doc, c, b"Outlines"))
        .and_then(|o| o.as_dict().ok())
    else {
        return Vec::new();
    };
    siblings(doc, outlines, 0)
}

fn siblings(doc: &Document, parent: &Dictionary, depth: usize) -> Vec<SourceItem> {
    let mut out = Vec::new();
    if depth > 16 {
        return out;
    }
    let mut next = parent.get(b"First").ok().cloned();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(Object::Reference(id)) = next {
        if !seen.insert(id) || seen.len() > 10_000 {
            break;
        }
        let Ok(item) = doc.get_dictionary(id) else {
            break;
        };
        let title = dict_get(doc, item, b"Title")
            .and_then(|t| t.as_str().ok())
            .map(pdfdoc::text_string)
            .unwrap_or_default();
        let dest = dict_get(doc, item, b"Dest").cloned();
        out.push(SourceItem {
            title,
            dest,
            children: siblings(doc, item, depth + 1),
        });
        next = item.get(b"Next").ok().cloned();
    }
    out
}

/// Copies objects of one report into the bundle, giving each a new number
/// once (shared fonts and images stay shared).
struct Copier<'a> {
    source: &'a Document,
    map: BTreeMap<ObjectId, ObjectId>,
}

impl Copier<'_> {
    /// A copy of `object` whose references point at copies in `dest`.
    fn copy(&mut self, object: &Object, dest: &mut Document) -> Object {
        // The objects still to copy: (source id, new id).
        let mut todo: Vec<(ObjectId, ObjectId)> = Vec::new();
        let copied = self.rewrite(object, dest, &mut todo);
        while let Some((old, new)) = todo.pop() {
            let object = match self.source.get_object(old) {
                Ok(o) => o.clone(),
                Err(_) => Object::Null,
            };
            let object = self.rewrite(&object, dest, &mut todo);
            dest.objects.insert(new, object);
        }
        copied
    }

    fn rewrite(
        &mut self,
        object: &Object,
        dest: &mut Document,
        todo: &mut Vec<(ObjectId, ObjectId)>,
    ) -> Object {
        match object {
            Object::Reference(id) => {
                let new = match self.map.get(id) {
                    Some(new) => *new,
                    None => {
                        let new = dest.new_object_id();
                        self.map.insert(*id, new);
                        todo.push((*id, new));
                        new
                    }
                };
                Object::Reference(new)
            }
            Object::Array(items) => {
                Object::Array(items.iter().map(|i| self.rewrite(i, dest, todo)).collect())
            }
            Object::Dictionary(d) => Object::Dictionary(self.rewrite_dict(d, dest, todo)),
            Object::Stream(s) => {
                let mut stream = s.clone();
                stream.dict = self.rewrite_dict(&s.dict, dest, todo);
                Object::Stream(stream)
            }
            other => other.clone(),
        }
    }

    fn rewrite_dict(
        &mut self,
        d: &Dictionary,
        dest: &mut Document,
        todo: &mut Vec<(ObjectId, ObjectId)>,
    ) -> Dictionary {
        let mut out = Dictionary::new();
        for (k, v) in d.iter() {
            // A form XObject's or image's place in the dropped structure tree.
            if k == b"StructParent" || k == b"StructParents" {
                continue;
            }
            out.set(k.clone(), self.rewrite(v, dest, todo));
        }
        out
    }

    /// A report's bookmark in the bundle: its destination copied (its page
    /// is already in the bundle), its children too.
    fn bookmark(&mut self, item: SourceItem, start: usize, dest: &mut Document) -> BundleBookmark {
        let target = match item.dest {
            // Only destinations that name one of the report's pages (not a
            // named destination, which the bundle does not carry).
            Some(Object::Array(a)) if matches!(a.first(), Some(Object::Reference(p)) if self.map.contains_key(p)) => {
                Target::Copied(self.copy(&Object::Array(a), dest))
            }
            // Anything else opens the report's first page.
            _ => Target::Page(start),
        };
        BundleBookmark {
            title: item.title,
            target,
            children: item
                .children
                .into_iter()
                .map(|c| self.bookmark(c, start, dest))
                .collect(),
        }
    }
}
