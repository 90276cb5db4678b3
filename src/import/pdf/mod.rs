//! PDFs with a text layer (WPS, Word, typesetting systems, nianbao's own):
//! positioned glyphs and ruling lines per page; tables from their ruling
//! lines, one grid per page fragment (the mapper joins fragments); the other
//! lines become paragraphs by layout evidence that holds for every writer:
//! first-line indentation (2 字), centred and right-aligned lines, a leading
//! run in another font or bold (a run-in title). Page numbers are dropped.

mod content;
mod ruling;

use lopdf::Document as Pdf;

use super::document::{Align, Block, Document, Grid, Origin, Para, Slot};
use super::ReadError;
use content::{Glyph, Interpreter, PageContent};
use ruling::Table;

pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let pdf = load(bytes)?;
    let pages = pdf.get_pages();
    if pages.is_empty() {
        return Err(ReadError::Damaged("the PDF has no pages".into()));
    }
    let mut interp = Interpreter::new(&pdf);
    let mut contents = Vec::new();
    for (&number, &id) in &pages {
        let page = interp
            .page(id)
            .map_err(|e| ReadError::Damaged(format!("page {number}: {e}")))?;
        contents.push((number, page));
    }
    let text_glyphs = contents
        .iter()
        .flat_map(|(_, p)| p.glyphs.iter())
        .filter(|g| !g.text.trim().is_empty())
        .count();
    if text_glyphs == 0 {
        return Err(ReadError::NoText { pages: pages.len() });
    }
    let cjk = contents
        .iter()
        .flat_map(|(_, p)| p.glyphs.iter())
        .filter(|g| g.text.chars().any(is_cjk))
        .count();
    if cjk == 0 {
        return Err(ReadError::NotAReport(
            "the PDF's text has no Chinese characters at all: not a published report (a placeholder or fake file?)".into(),
        ));
    }
    Ok(layout(&contents, interp.font_names()))
}

fn load(bytes: &[u8]) -> Result<Pdf, ReadError> {
    match Pdf::load_mem(bytes) {
        Ok(doc) => {
            if doc.is_encrypted() && doc.encryption_state.is_none() {
                return Err(ReadError::Encrypted);
            }
            Ok(doc)
        }
        Err(e) => {
            let text = e.to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("decrypt") || lower.contains("encrypt") || lower.contains("password")
            {
                Err(ReadError::Encrypted)
            } else {
                Err(ReadError::Damaged(text))
            }
        }
    }
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x2ffff)
}

/// A line of text on a page.
struct Line {
    glyphs: Vec<Glyph>,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    page: u32,
}

impl Line {
    fn text(&self) -> String {
        let mut s = String::new();
        let mut prev: Option<&Glyph> = None;
        for g in &self.glyphs {
            if let Some(p) = prev {
                let gap = g.x - p.x1();
                let latin = |t: &str| {
                    t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c.is_ascii_punctuation())
                };
                if gap > 0.25 * g.size.max(p.size)
                    && latin(&p.text)
                    && latin(&g.text)
                    && !s.ends_with(' ')
                {
                    s.push(' ');
                }
            }
            if g.text == " " && (s.is_empty() || s.ends_with(' ')) {
                prev = Some(g);
                continue;
            }
            s.push_str(&g.text);
            prev = Some(g);
        }
        s
    }
}

fn lines_of(glyphs: Vec<Glyph>, page: u32) -> Vec<Line> {
    let mut glyphs = glyphs;
    glyphs.sort_by(|a, b| a.mid_y().total_cmp(&b.mid_y()));
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(l) if (g.mid_y() - l[0].mid_y()).abs() <= 0.45 * g.size.max(l[0].size) => {
                l.push(g)
            }
            _ => lines.push(vec![g]),
        }
    }
    lines
        .into_iter()
        .map(|mut gs| {
            gs.sort_by(|a, b| a.x.total_cmp(&b.x));
            // Text drawn twice at the same place (a bold effect) is one glyph.
            gs.dedup_by(|a, b| {
                a.text == b.text && (a.x - b.x).abs() < 0.8 && (a.y - b.y).abs() < 0.8
            });
            let size = median(
                gs.iter()
                    .filter(|g| !g.text.trim().is_empty())
                    .map(|g| g.size)
                    .collect(),
            );
            Line {
                x0: gs.first().map_or(0.0, |g| g.x),
                x1: gs.iter().map(Glyph::x1).fold(0.0, f32::max),
                y: gs.iter().map(|g| g.y).fold(f32::MIN, f32::max),
                size,
                page,
                glyphs: gs,
            }
        })
        .filter(|l| !l.glyphs.iter().all(|g| g.text.trim().is_empty()))
        .collect()
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

/// A page number line: `-3-`, `— 3 —`, `第3页`, `3`.
fn page_number(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = t.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－' | '·' | '•'));
    let inner = inner
        .strip_prefix('第')
        .and_then(|s| s.strip_suffix('页'))
        .unwrap_or(inner);
    let inner = inner.split(['/', '共']).next().unwrap_or(inner);
    !inner.is_empty() && inner.len() <= 4 && inner.chars().all(|c| c.is_ascii_digit())
}

/// A table's grid from its cells, with the text of the glyphs in each.
fn grid_of(table: &Table, glyphs: &mut Vec<Glyph>, page: u32, fonts: &[String]) -> Grid {
    let _ = fonts;
    let mut cell_glyphs: Vec<Vec<Glyph>> = vec![Vec::new(); table.cells.len()];
    glyphs.retain(|g| {
        let (x, y) = (g.mid_x(), g.mid_y());
        match table.cells.iter().position(|c| c.contains(x, y)) {
            Some(i) => {
                cell_glyphs[i].push(g.clone());
                false
            }
            None => !table.bbox.contains(x, y),
        }
    });
    let rows = table.ys.len().saturating_sub(1);
    let cols = table.xs.len().saturating_sub(1);
    let mut grid: Vec<Vec<Option<Slot>>> = vec![vec![None; cols]; rows];
    for (i, c) in table.cells.iter().enumerate() {
        let (r, col, rs, cs) = table.position(c);
        let lines = lines_of(std::mem::take(&mut cell_glyphs[i]), page);
        let text = lines.iter().map(Line::text).collect::<Vec<_>>().join("\n");
        let origin = Origin::Page {
            page,
            x: c.x0,
            y: c.y0,
        };
        for row in grid.iter_mut().skip(r).take(rs) {
            for slot in row.iter_mut().skip(col).take(cs) {
                *slot = Some(Slot {
                    text: text.clone(),
                    cell: i,
                    origin: origin.clone(),
                });
            }
        }
    }
    let mut next = table.cells.len();
    let rows = grid
        .into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(c, s)| {
                    s.unwrap_or_else(|| {
                        next += 1;
                        Slot {
                            text: String::new(),
                            cell: next,
                            origin: Origin::Page {
                                page,
                                x: table.xs[c],
                                y: table.bbox.y0,
                            },
                        }
                    })
                })
                .collect()
        })
        .collect();
    Grid {
        rows,
        origin: Origin::Page {
            page,
            x: table.bbox.x0,
            y: table.bbox.y0,
        },
        loose: false,
        columns_x: Some(table.xs.windows(2).map(|w| (w[0], w[1])).collect()),
    }
}

/// A page's text block: its left and right edge.
type Edges = (f32, f32);

enum Item {
    Line(Line),
    Table(Grid, f32),
}

fn layout(pages: &[(u32, PageContent)], fonts: &[String]) -> Document {
    let mut doc = Document::default();
    // The body font: the most common font of text lines.
    let mut items_by_page: Vec<(Vec<Item>, Option<Edges>)> = Vec::new();
    let mut font_count = vec![0usize; fonts.len().max(1)];
    let mut sizes: Vec<f32> = Vec::new();
    for (number, page) in pages {
        let mut glyphs = page.glyphs.clone();
        let mut items = Vec::new();
        for t in ruling::tables(&page.segments) {
            // A "table" of one column (a frame, shaded lines of text) holds
            // text, not a table.
            if t.cells.len() < 2 || t.xs.len() < 3 || t.ys.len() < 2 {
                continue;
            }
            let grid = grid_of(&t, &mut glyphs, *number, fonts);
            items.push(Item::Table(grid, t.bbox.y0));
        }
        let big_images = page
            .images
            .iter()
            .any(|a| *a > page.width * page.height * 0.5);
        if big_images && glyphs.len() < 20 {
            doc.notes.push((
                Origin::Page {
                    page: *number,
                    x: 0.0,
                    y: 0.0,
                },
                format!("page {number} is an image without text (a scanned page?)"),
            ));
        }
        for l in lines_of(glyphs, *number) {
            if page_number(&l.text()) && (l.y > page.height * 0.85 || l.y < page.height * 0.12) {
                continue;
            }
            for g in &l.glyphs {
                if g.text.chars().any(is_cjk) {
                    if let Some(c) = font_count.get_mut(g.font) {
                        *c += 1;
                    }
                }
            }
            sizes.push(l.size);
            items.push(Item::Line(l));
        }
        items.sort_by(|a, b| {
            let ya = match a {
                Item::Line(l) => l.y - l.size,
                Item::Table(_, y) => *y,
            };
            let yb = match b {
                Item::Line(l) => l.y - l.size,
                Item::Table(_, y) => *y,
            };
            ya.total_cmp(&yb)
        });
        // The text block's edges: where most full lines start and end.
        let full: Vec<&Line> = items
            .iter()
            .filter_map(|i| match i {
                Item::Line(l) if l.glyphs.len() >= 12 => Some(l),
                _ => None,
            })
            .collect();
        // Lines that reach the right edge; the left edge is where the
        // leftmost of them start (at least two: not a stray line).
        let right = full.iter().map(|l| l.x1).fold(0.0, f32::max);
        let reaching: Vec<f32> = full
            .iter()
            .filter(|l| l.x1 >= right - 1.5 * l.size.max(1.0))
            .map(|l| l.x0)
            .collect();
        let left = reaching
            .iter()
            .copied()
            .filter(|x| reaching.iter().filter(|y| (**y - x).abs() < 1.5).count() >= 2)
            .fold(f32::MAX, f32::min);
        let edges = (reaching.len() >= 3 && left < f32::MAX).then_some((left, right));
        items_by_page.push((items, edges));
    }
    let body_font = font_count
        .iter()
        .enumerate()
        .max_by_key(|(_, c)| **c)
        .map_or(0, |(i, _)| i);
    let body_size = mode(sizes);

    let mut para: Option<(Vec<Line>, Align)> = None;
    let flush = |doc: &mut Document, para: &mut Option<(Vec<Line>, Align)>| {
        if let Some((lines, align)) = para.take() {
            doc.blocks.push(Block::Para(paragraph(
                lines, align, body_font, body_size, fonts,
            )));
        }
    };
    // A page with few full lines (a table, a heading) has the edges of the
    // nearest page of the same side (odd, even), else of any page.
    let known: Vec<(usize, (f32, f32))> = items_by_page
        .iter()
        .enumerate()
        .filter_map(|(i, (_, e))| e.map(|e| (i, e)))
        .collect();
    let edges_of = |i: usize| -> (f32, f32) {
        let near = |same_side: bool| {
            known
                .iter()
                .filter(|(j, _)| !same_side || j % 2 == i % 2)
                .min_by_key(|(j, _)| j.abs_diff(i))
                .map(|(_, e)| *e)
        };
        near(true).or_else(|| near(false)).unwrap_or((72.0, 523.0))
    };
    for (page_index, (items, edges)) in items_by_page.into_iter().enumerate() {
        let (left, right) = edges.unwrap_or_else(|| edges_of(page_index));
        let centre = (left + right) / 2.0;
        for item in items {
            let line = match item {
                Item::Table(grid, _) => {
                    flush(&mut doc, &mut para);
                    doc.blocks.push(Block::Table(grid));
                    continue;
                }
                Item::Line(l) => l,
            };
            let size = line.size.max(1.0);
            let indent = line.x0 - left;
            if std::env::var_os("NIANBAO_DEBUG_LINES").is_some() {
                eprintln!(
                    "p{} left {left:.1} right {right:.1} x0 {:.1} x1 {:.1} y {:.1} size {:.1} {:?}",
                    line.page,
                    line.x0,
                    line.x1,
                    line.y,
                    line.size,
                    line.text()
                );
            }
            let short = line.x1 < right - 2.5 * size;
            let centred = indent > 1.5 * size
                && ((line.x0 + line.x1) / 2.0 - centre).abs() < 1.5 * size
                && short;
            let right_aligned =
                !centred && indent > 4.0 * size && (right - line.x1) < 4.5 * size && short
                    || (!centred && indent > 6.0 * size && short);
            let align = if centred {
                Align::Center
            } else if right_aligned {
                Align::Right
            } else {
                Align::Left
            };
            let continues = match &para {
                Some((lines, palign)) => {
                    let prev = lines.last().expect("a paragraph has lines");
                    let prev_full = prev.x1 >= right - 2.5 * prev.size.max(1.0);
                    let same_size = (prev.size - line.size).abs() < 1.0;
                    // A heading in another font starts anew.
                    let fonts_of = |l: &Line| -> Vec<usize> {
                        l.glyphs
                            .iter()
                            .filter(|g| g.text.chars().any(is_cjk))
                            .map(|g| g.font)
                            .collect()
                    };
                    // (Writers mix body fonts within a line, so only a
                    // heading font breaks: see `heading_font`.)
                    let starts_heading = fonts_of(&line)
                        .first()
                        .is_some_and(|f| heading_font(fonts, *f));
                    let ended_heading = fonts_of(prev)
                        .last()
                        .is_some_and(|f| heading_font(fonts, *f));
                    let same_font = !starts_heading || ended_heading;
                    *palign == Align::Left
                        && align == Align::Left
                        && prev_full
                        && same_size
                        && same_font
                        && indent < 1.2 * size
                        && (prev.page != line.page || line.y - prev.y < 2.5 * size)
                }
                None => false,
            };
            if continues {
                if let Some((lines, _)) = &mut para {
                    lines.push(line);
                }
            } else {
                flush(&mut doc, &mut para);
                para = Some((vec![line], align));
            }
        }
        // A paragraph continues over a page break only when its last line is full.
    }
    flush(&mut doc, &mut para);
    doc
}

fn mode(v: Vec<f32>) -> f32 {
    let mut best = (0.0, 0usize);
    for &x in &v {
        let n = v.iter().filter(|y| (**y - x).abs() < 1.5).count();
        if n > best.1 {
            best = (x, n);
        }
    }
    best.0
}

/// Whether a font is one headings and titles are set in (楷体, 黑体, 小标宋, bold).
fn heading_font(fonts: &[String], font: usize) -> bool {
    fonts.get(font).is_some_and(|n| {
        let l = n.to_lowercase();
        [
            "kai",
            "楷",
            "hei",
            "黑",
            "bold",
            "xbs",
            "小标宋",
            "black",
            "heavy",
            "arialunicode",
        ]
        .iter()
        .any(|k| l.contains(k))
    })
}

fn paragraph(
    lines: Vec<Line>,
    align: Align,
    body_font: usize,
    body_size: f32,
    names: &[String],
) -> Para {
    let origin = lines.first().map_or(
        Origin::Page {
            page: 0,
            x: 0.0,
            y: 0.0,
        },
        |l| Origin::Page {
            page: l.page,
            x: l.x0,
            y: l.y - l.size,
        },
    );
    let mut text = String::new();
    let mut fonts: Vec<(usize, bool)> = Vec::new(); // per char: font, bold
    for l in &lines {
        let t = l.text();
        // Lines join without a space, except between Latin words.
        if text.chars().last().is_some_and(|c| c.is_ascii_alphabetic())
            && t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        {
            text.push(' ');
            fonts.push((usize::MAX, false));
        }
        text.push_str(&t);
        // Map each char of the line's text back to a glyph's font.
        let mut gi = l.glyphs.iter().filter(|g| g.text != " ").peekable();
        for c in t.chars() {
            if c == ' ' {
                fonts.push((usize::MAX, false));
                continue;
            }
            match gi.peek() {
                Some(g) => {
                    fonts.push((g.font, g.bold));
                    if g.text.ends_with(c) {
                        gi.next();
                    }
                }
                None => fonts.push((usize::MAX, false)),
            }
        }
    }
    // The paragraph's own font: the most common among its CJK characters.
    let chars: Vec<char> = text.chars().collect();
    let mut counts: std::collections::HashMap<(usize, bool), usize> = Default::default();
    for (c, f) in chars.iter().zip(&fonts) {
        if is_cjk(*c) {
            *counts.entry(*f).or_default() += 1;
        }
    }
    let main = counts.iter().max_by_key(|(_, n)| **n).map(|(f, _)| *f);
    let size = median(lines.iter().map(|l| l.size).collect());
    let _ = body_font;
    let heading =
        main.is_some_and(|(f, b)| heading_font(names, f) || b) || (size - body_size).abs() > 1.0;
    // A leading run in another font (or bold): a run-in title.
    let mut lead = 0;
    if let (Some(main), Some(first)) = (main, fonts.first()) {
        if *first != main && first.0 != usize::MAX {
            let lead_font = *first;
            let mut end = 0;
            let mut bytes = 0;
            for (c, f) in chars.iter().zip(&fonts) {
                bytes += c.len_utf8();
                if *f == lead_font {
                    end = bytes;
                } else if is_cjk(*c) || matches!(c, '，' | '。' | '：') {
                    break;
                }
            }
            // Only a heading font, bold, or a title that ends as a title does
            // (writers mix body fonts freely).
            let lead_text = &text[..end];
            let evident = heading_font(names, lead_font.0)
                || lead_font.1
                || lead_text.ends_with(['。', '：', ':']);
            lead = if evident { end } else { 0 };
        }
    }
    if lead >= text.len() {
        lead = 0;
    }
    Para {
        text,
        lead,
        heading,
        align,
        origin,
    }
}
