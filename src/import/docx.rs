//! Word files (.docx from Word or WPS): `word/document.xml` walked in order;
//! paragraphs (`w:p`) with their alignment and bold lead, tables (`w:tbl`)
//! as grids with their merged cells (`w:gridSpan`, `w:vMerge`).
//!
//! The zip is read by the zip crate, the XML by roxmltree; the part is read
//! with a bound, so a zip bomb is refused, not unpacked.

use std::io::{Cursor, Read};

use roxmltree::{Document as Xml, Node};

use super::document::{Align, Block, Document, Grid, Origin, Para, Slot};
use super::ReadError;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The most `word/document.xml` may unpack to (a report's is well under 1 MB).
pub const MAX_PART_BYTES: u64 = 32 * 1024 * 1024;

pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let xml = read_part(bytes, "word/document.xml")?;
    let text = String::from_utf8(xml)
        .map_err(|_| ReadError::Damaged("word/document.xml is not UTF-8 text".into()))?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4_000_000,
        ..Default::default()
    };
    let xml = Xml::parse_with_options(&text, opts)
        .map_err(|e| ReadError::Damaged(format!("word/document.xml: {e}")))?;
    let body = xml
        .root_element()
        .children()
        .find(|n| is(n, "body"))
        .ok_or_else(|| ReadError::Damaged("word/document.xml has no w:body".into()))?;
    let mut r = Reader::default();
    r.container(body);
    Ok(Document {
        blocks: r.blocks,
        title_hint: None,
        notes: r.notes,
    })
}

/// Reads one part of the zip, refusing one that unpacks beyond the bound.
fn read_part(bytes: &[u8], name: &str) -> Result<Vec<u8>, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Damaged(format!("not a whole zip archive: {e}")))?;
    let file = zip
        .by_name(name)
        .map_err(|_| ReadError::Damaged(format!("the archive has no {name}")))?;
    if file.size() > MAX_PART_BYTES {
        return Err(ReadError::ZipBomb(MAX_PART_BYTES));
    }
    let mut out = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| ReadError::Damaged(format!("{name} cannot be unpacked: {e}")))?;
    if out.len() as u64 > MAX_PART_BYTES {
        return Err(ReadError::ZipBomb(MAX_PART_BYTES));
    }
    Ok(out)
}

fn is(n: &Node, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(W)
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is(c, name))
}

fn val<'a>(n: Node<'a, '_>) -> Option<&'a str> {
    n.attribute((W, "val"))
}

/// Whether a run property (w:b, w:bCs) is on.
fn on(n: Option<Node>) -> bool {
    n.is_some_and(|n| !matches!(val(n), Some("0") | Some("false") | Some("off")))
}

#[derive(Default)]
struct Reader {
    blocks: Vec<Block>,
    notes: Vec<(Origin, String)>,
    paragraphs: usize,
    tables: usize,
}

impl Reader {
    /// A body, a cell, a content control: paragraphs and tables in order.
    fn container(&mut self, n: Node) {
        for c in n.children() {
            if is(&c, "p") {
                self.paragraph(c);
            } else if is(&c, "tbl") {
                self.table(c);
            } else if is(&c, "sdt") {
                if let Some(content) = child(c, "sdtContent") {
                    self.container(content);
                }
            }
        }
    }

    fn paragraph(&mut self, p: Node) {
        self.paragraphs += 1;
        let mut text = String::new();
        let mut lead = 0;
        let mut lead_open = true;
        let mut images = false;
        runs(p, &mut |run: Node| {
            let bold =
                child(run, "rPr").is_some_and(|pr| on(child(pr, "b")) || on(child(pr, "bCs")));
            let before = text.len();
            for c in run.children() {
                if is(&c, "t") {
                    text.push_str(c.text().unwrap_or(""));
                } else if is(&c, "tab") {
                    text.push('\t');
                } else if is(&c, "br") || is(&c, "cr") {
                    text.push('\n');
                } else if is(&c, "drawing") || is(&c, "pict") {
                    images = true;
                }
            }
            let added = &text[before..];
            if !added.trim().is_empty() {
                if bold && lead_open {
                    lead = text.len();
                } else {
                    lead_open = false;
                }
            }
        });
        let origin = Origin::Paragraph {
            index: self.paragraphs,
        };
        if images {
            self.notes.push((
                origin.clone(),
                "an image in the report's body (a table drawn as an image?)".into(),
            ));
        }
        let ppr = child(p, "pPr");
        let align = match ppr.and_then(|pr| child(pr, "jc")).and_then(val) {
            Some("center") => Align::Center,
            Some("right") | Some("end") => Align::Right,
            _ => Align::Left,
        };
        let style = ppr
            .and_then(|pr| child(pr, "pStyle"))
            .and_then(val)
            .unwrap_or("")
            .to_ascii_lowercase();
        let heading_style =
            style.starts_with("heading") || style.starts_with("title") || style.contains("标题");
        let whole_bold = lead > 0 && lead >= text.trim_end().len();
        self.blocks.push(Block::Para(Para {
            lead: if whole_bold { 0 } else { lead },
            heading: heading_style || whole_bold,
            align,
            origin,
            text,
        }));
    }

    fn table(&mut self, tbl: Node) {
        self.tables += 1;
        let t = self.tables;
        // cells[id] = (text, first row, first col); grid[r][c] = id.
        let mut cells: Vec<(String, usize, usize)> = Vec::new();
        let mut grid: Vec<Vec<Option<usize>>> = Vec::new();
        for (r, tr) in tbl.children().filter(|c| is(c, "tr")).enumerate() {
            let mut row: Vec<Option<usize>> = Vec::new();
            let before = tr
                .children()
                .find(|c| is(c, "trPr"))
                .and_then(|pr| child(pr, "gridBefore"))
                .and_then(val)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
                .min(64);
            row.resize(before, None);
            for tc in tr.children().filter(|c| is(c, "tc")) {
                let pr = child(tc, "tcPr");
                let span = pr
                    .and_then(|pr| child(pr, "gridSpan"))
                    .and_then(val)
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let vmerge = pr.and_then(|pr| child(pr, "vMerge"));
                let col = row.len();
                let continues = vmerge.is_some_and(|v| val(v).is_none_or(|v| v == "continue"));
                let above = if continues && r > 0 {
                    grid[r - 1].get(col).copied().flatten()
                } else {
                    None
                };
                let id = match above {
                    Some(id) => id,
                    None => {
                        cells.push((cell_text(tc), r, col));
                        cells.len() - 1
                    }
                };
                row.extend(std::iter::repeat_n(Some(id), span));
            }
            grid.push(row);
        }
        let rows = grid
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(c, id)| match id {
                        Some(id) => {
                            let (text, fr, fc) = &cells[*id];
                            Slot {
                                text: text.clone(),
                                cell: *id,
                                origin: Origin::Cell {
                                    table: t,
                                    row: fr + 1,
                                    col: fc + 1,
                                },
                            }
                        }
                        None => Slot {
                            text: String::new(),
                            cell: usize::MAX - c,
                            origin: Origin::Cell {
                                table: t,
                                row: 0,
                                col: c + 1,
                            },
                        },
                    })
                    .collect()
            })
            .collect();
        self.blocks.push(Block::Table(Grid {
            rows,
            origin: Origin::Cell {
                table: t,
                row: 1,
                col: 1,
            },
            loose: false,
            columns_x: None,
        }));
    }
}

/// Calls `f` for every run of a paragraph, in order (inside hyperlinks,
/// smart tags, insertions and content controls too).
fn runs(n: Node, f: &mut dyn FnMut(Node)) {
    for c in n.children() {
        if is(&c, "r") {
            f(c);
        } else if c.is_element() && !is(&c, "pPr") && !is(&c, "del") {
            runs(c, f);
        }
    }
}

/// A cell's text: its paragraphs on lines of their own.
fn cell_text(tc: Node) -> String {
    let mut lines = Vec::new();
    fn go(n: Node, lines: &mut Vec<String>) {
        for c in n.children() {
            if is(&c, "p") {
                let mut s = String::new();
                runs(c, &mut |run| {
                    for t in run.children() {
                        if is(&t, "t") {
                            s.push_str(t.text().unwrap_or(""));
                        }
                    }
                });
                lines.push(s);
            } else if c.is_element() && !is(&c, "tcPr") {
                go(c, lines);
            }
        }
    }
    go(tc, &mut lines);
    lines.join("\n")
}
