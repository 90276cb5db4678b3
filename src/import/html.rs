//! Web pages saved from government portals: the report inside the CMS page
//! chrome, Word-pasted markup (labels split over many `<span>`s), rowspan and
//! colspan, `&nbsp;` cells, UTF-8 or GBK/GB2312/GB18030.
//!
//! The page is parsed by html5ever (scraper); the report's body is the CMS
//! content element that holds it, else the smallest element holding both the
//! heading 一、总体情况 and the report's tables; tables are expanded with
//! their spans (the HTML table model), other blocks become paragraphs.

use ego_tree::NodeRef;
use scraper::node::Node;
use scraper::{ElementRef, Html, Selector};

use super::decode::{decode_text, html_charset};
use super::document::{Align, Block, Document, GridBuilder, Origin, Para};
use super::normalize::{clean_paragraph, label_key};
use super::ReadError;

/// Content elements of the CMSs seen on portals, most specific first.
const CONTENT_SELECTORS: &[&str] = &[
    "#zoomcon",
    "ucapcontent",
    ".TRS_Editor",
    ".trs_editor_view",
    "#zoom",
    ".article-content",
    ".pages_content",
    ".xxgk-content",
    "#content",
    ".content",
    ".article",
];

/// Portal headings that carry the report's title outside its body.
const TITLE_SELECTORS: &[&str] = &[
    "ucaptitle",
    ".article-title",
    ".article_title",
    "h1",
    ".title",
    "h2",
];

const SKIP: &[&str] = &[
    "script", "style", "head", "noscript", "template", "iframe", "object", "button", "select",
    "input", "textarea", "svg", "map",
];

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "blockquote",
    "center",
    "table",
    "tr",
    "td",
    "th",
    "br",
    "hr",
    "dd",
    "dt",
    "dl",
    "pre",
    "header",
    "footer",
    "main",
    "form",
];

pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let declared = html_charset(bytes);
    let text = decode_text(bytes, declared.as_deref())
        .ok_or_else(|| ReadError::Damaged("the page is not text in UTF-8 or GBK".into()))?;
    let html = Html::parse_document(&text);
    let root = content_root(&html);
    let mut w = Walker::default();
    w.walk(*root, Align::Left, false);
    w.flush();
    let mut doc = Document {
        blocks: w.blocks,
        title_hint: title_hint(&html),
        notes: w.notes,
    };
    if doc.blocks.is_empty() {
        return Err(ReadError::NotAReport(
            "the page holds no text: a page whose report is loaded by script, or that only links a PDF? Save the report itself (the PDF, or the page after it has loaded)".into(),
        ));
    }
    doc.blocks
        .retain(|b| !matches!(b, Block::Para(p) if p.text.trim().is_empty()));
    Ok(doc)
}

fn own_text(e: ElementRef) -> String {
    e.text().collect::<String>()
}

/// Whether an element's text or tables look like the report.
fn holds_report(e: ElementRef) -> bool {
    let text = own_text(e);
    let key = label_key(&text);
    key.contains("总体情况")
        && (key.contains("第二十条") || key.contains("本年新收") || key.contains("行政复议"))
}

fn content_root(html: &Html) -> ElementRef<'_> {
    for sel in CONTENT_SELECTORS {
        let Ok(s) = Selector::parse(sel) else {
            continue;
        };
        if let Some(e) = html.select(&s).find(|e| holds_report(*e)) {
            return e;
        }
    }
    // The smallest element that holds the whole report.
    let all = Selector::parse("body *").expect("valid selector");
    let mut best: Option<(usize, ElementRef)> = None;
    for e in html.select(&all) {
        if SKIP.contains(&e.value().name()) || !holds_report(e) {
            continue;
        }
        let size = own_text(e).len();
        if best.is_none_or(|(s, _)| size <= s) {
            best = Some((size, e));
        }
    }
    if let Some((_, e)) = best {
        // The report's title may stand just before the element that holds the
        // rest: go up while the parent adds only a little.
        let mut e = e;
        while let Some(parent) = e.parent().and_then(ElementRef::wrap) {
            if parent.value().name() == "body" || own_text(parent).len() > own_text(e).len() + 600 {
                break;
            }
            e = parent;
        }
        return e;
    }
    let body = Selector::parse("body").expect("valid selector");
    html.select(&body)
        .next()
        .unwrap_or_else(|| html.root_element())
}

fn title_hint(html: &Html) -> Option<String> {
    for sel in TITLE_SELECTORS {
        let Ok(s) = Selector::parse(sel) else {
            continue;
        };
        for e in html.select(&s) {
            let t = clean_paragraph(&own_text(e));
            if (t.contains("报告") || t.contains("年报")) && t.chars().count() <= 80 {
                return Some(t);
            }
        }
    }
    let s = Selector::parse("title").ok()?;
    let t = clean_paragraph(&own_text(html.select(&s).next()?));
    let t = t.split(['_', '|']).next()?.trim().to_string();
    (t.contains("报告")).then_some(t)
}

fn attr_align(e: &scraper::node::Element) -> Option<Align> {
    let from = |v: &str| {
        let v = v.to_ascii_lowercase();
        if v.contains("center") {
            Some(Align::Center)
        } else if v.contains("right") {
            Some(Align::Right)
        } else if v.contains("left") || v.contains("justify") {
            Some(Align::Left)
        } else {
            None
        }
    };
    if let Some(a) = e.attr("align").and_then(from) {
        return Some(a);
    }
    let style = e.attr("style")?.to_ascii_lowercase();
    let i = style.find("text-align")?;
    let rest = &style[i + "text-align".len()..];
    let rest = rest.trim_start().strip_prefix(':')?;
    from(rest.split(';').next()?)
}

fn span_attr(e: &scraper::node::Element, name: &str) -> usize {
    e.attr(name)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    notes: Vec<(Origin, String)>,
    text: String,
    /// Bytes of `text` set in bold from its start (a run-in title).
    lead: usize,
    lead_open: bool,
    align: Align,
    heading: bool,
    paragraphs: usize,
    tables: usize,
}

impl Walker {
    fn flush(&mut self) {
        if !self.text.trim().is_empty() {
            self.paragraphs += 1;
            let text = std::mem::take(&mut self.text);
            let lead = if self.lead > 0 && self.lead < text.len() {
                self.lead
            } else {
                0
            };
            let heading = self.heading || (self.lead > 0 && self.lead >= text.trim_end().len());
            self.blocks.push(Block::Para(Para {
                text,
                lead,
                heading,
                align: self.align,
                origin: Origin::Paragraph {
                    index: self.paragraphs,
                },
            }));
        }
        self.text.clear();
        self.lead = 0;
        self.lead_open = true;
        self.heading = false;
    }

    fn walk(&mut self, node: NodeRef<Node>, align: Align, bold: bool) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => {
                    if self.text.trim().is_empty() {
                        self.align = align;
                        self.lead_open = true;
                        self.lead = 0;
                    }
                    let t: &str = &t[..];
                    if bold && self.lead_open {
                        self.text.push_str(t);
                        if !t.trim().is_empty() {
                            self.lead = self.text.len();
                        }
                    } else {
                        if !t.trim().is_empty() {
                            self.lead_open = false;
                        }
                        self.text.push_str(t);
                    }
                }
                Node::Element(e) => {
                    let name = e.name();
                    if SKIP.contains(&name) {
                        continue;
                    }
                    if name == "img" {
                        self.notes.push((
                            Origin::Paragraph {
                                index: self.paragraphs + 1,
                            },
                            "an image in the report's body (a table drawn as an image?)".into(),
                        ));
                        continue;
                    }
                    let Some(el) = ElementRef::wrap(child) else {
                        continue;
                    };
                    if name == "table" && !has_nested_table(el) {
                        self.flush();
                        self.table(el);
                        continue;
                    }
                    let block = BLOCKS.contains(&name);
                    let align = attr_align(e).unwrap_or(if name == "center" {
                        Align::Center
                    } else {
                        align
                    });
                    let bold = bold || matches!(name, "b" | "strong");
                    if block {
                        self.flush();
                        self.align = align;
                        if name.len() == 2 && name.starts_with('h') {
                            self.heading = true;
                        }
                    }
                    self.walk(child, align, bold);
                    if block {
                        let heading = name.len() == 2 && name.starts_with('h');
                        if heading {
                            self.heading = true;
                        }
                        self.flush();
                    }
                }
                _ => {}
            }
        }
    }

    fn table(&mut self, table: ElementRef) {
        self.tables += 1;
        let t = self.tables;
        let mut b = GridBuilder::new();
        let rows = rows_of(table);
        for (r, tr) in rows.iter().enumerate() {
            b.touch(r);
            for cell in tr.children().filter_map(ElementRef::wrap) {
                let name = cell.value().name();
                if name != "td" && name != "th" {
                    continue;
                }
                let rowspan = span_attr(cell.value(), "rowspan");
                let colspan = span_attr(cell.value(), "colspan");
                let text = cell_text(cell);
                let col = 0;
                let _ = col;
                b.add(
                    r,
                    rowspan,
                    colspan,
                    text,
                    Origin::Cell {
                        table: t,
                        row: r + 1,
                        col: 0,
                    },
                );
            }
        }
        let mut grid = b.finish(Origin::Cell {
            table: t,
            row: 1,
            col: 1,
        });
        // Origins name the grid position of each cell's first slot.
        let mut first: std::collections::HashMap<usize, (usize, usize)> = Default::default();
        for (r, row) in grid.rows.iter().enumerate() {
            for (c, s) in row.iter().enumerate() {
                first.entry(s.cell).or_insert((r, c));
            }
        }
        for row in grid.rows.iter_mut() {
            for s in row.iter_mut() {
                if let Some(&(r, c)) = first.get(&s.cell) {
                    s.origin = Origin::Cell {
                        table: t,
                        row: r + 1,
                        col: c + 1,
                    };
                }
            }
        }
        self.blocks.push(Block::Table(grid));
    }
}

fn has_nested_table(table: ElementRef) -> bool {
    let s = Selector::parse("table").expect("valid selector");
    table.select(&s).next().is_some()
}

/// The rows of a table (in `thead`, `tbody`, `tfoot` or directly), not those of
/// nested tables.
fn rows_of(table: ElementRef) -> Vec<ElementRef> {
    let mut out = Vec::new();
    for c in table.children().filter_map(ElementRef::wrap) {
        match c.value().name() {
            "tr" => out.push(c),
            "thead" | "tbody" | "tfoot" => out.extend(
                c.children()
                    .filter_map(ElementRef::wrap)
                    .filter(|r| r.value().name() == "tr"),
            ),
            _ => {}
        }
    }
    out
}

/// A cell's text: its block children (`<p>`) on lines of their own, inline
/// pieces (`<span>`) joined as they are.
fn cell_text(cell: ElementRef) -> String {
    let mut out = String::new();
    fn go(node: NodeRef<Node>, out: &mut String) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => {
                    // Markup line breaks are not text.
                    let t: &str = &t[..];
                    out.push_str(&t.replace(['\n', '\r'], ""));
                }
                Node::Element(e) => {
                    let name = e.name();
                    if SKIP.contains(&name) {
                        continue;
                    }
                    let block = BLOCKS.contains(&name);
                    if block && !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    go(child, out);
                    if block && !out.ends_with('\n') {
                        out.push('\n');
                    }
                }
                _ => {}
            }
        }
    }
    go(*cell, &mut out);
    out.trim_end_matches('\n').to_string()
}
