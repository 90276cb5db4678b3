//! Text copied from a page or a PDF (UTF-8 or GBK): lines with tabs are table
//! rows (a run of them is one table; cells may shift: the grid is loose),
//! other lines are paragraphs.

use super::decode::decode_text;
use super::document::{Block, Document, Grid, Origin, Para, Slot};
use super::ReadError;

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303f | 0x3400..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef)
}

/// Drops the spaces a PDF-to-text conversion puts between CJK characters and
/// Latin digits or letters (`第 711 号`): they are not in the report.
fn drop_conversion_spaces(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.get(i + 1).copied();
            if let (Some(p), Some(n)) = (prev, next) {
                let cjk_latin = (is_cjk(p) && n.is_ascii_alphanumeric())
                    || (p.is_ascii_alphanumeric() && is_cjk(n));
                if cjk_latin {
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

pub fn read(bytes: &[u8]) -> Result<Document, ReadError> {
    let text = decode_text(bytes, None)
        .ok_or_else(|| ReadError::Damaged("the bytes are not text in UTF-8 or GBK".into()))?;
    let lines: Vec<&str> = text.lines().collect();
    // Paragraphs separated by blank lines join their lines; otherwise each line
    // is a paragraph.
    let prose: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].contains('\t') && !lines[i].trim().is_empty())
        .collect();
    let blank_separated = prose
        .iter()
        .filter(|&&i| lines.get(i + 1).is_none_or(|l| l.trim().is_empty()))
        .count()
        * 2
        > prose.len();
    let mut doc = Document::default();
    let mut grid: Option<Grid> = None;
    let mut cell = 0;
    let mut para: Option<Para> = None;
    let flush_para = |doc: &mut Document, para: &mut Option<Para>| {
        if let Some(p) = para.take() {
            doc.blocks.push(Block::Para(p));
        }
    };
    let flush_grid = |doc: &mut Document, grid: &mut Option<Grid>| {
        if let Some(g) = grid.take() {
            doc.blocks.push(Block::Table(g));
        }
    };
    for (i, raw) in lines.iter().enumerate() {
        let line_no = i + 1;
        if raw.contains('\t') {
            flush_para(&mut doc, &mut para);
            let g = grid.get_or_insert_with(|| Grid {
                rows: Vec::new(),
                origin: Origin::Line {
                    line: line_no,
                    field: None,
                },
                loose: true,
                columns_x: None,
            });
            let row = raw
                .split('\t')
                .enumerate()
                .map(|(f, text)| {
                    cell += 1;
                    Slot {
                        text: drop_conversion_spaces(text.trim()),
                        cell,
                        origin: Origin::Line {
                            line: line_no,
                            field: Some(f + 1),
                        },
                    }
                })
                .collect();
            g.rows.push(row);
            continue;
        }
        if raw.trim().is_empty() {
            flush_grid(&mut doc, &mut grid);
            flush_para(&mut doc, &mut para);
            continue;
        }
        flush_grid(&mut doc, &mut grid);
        let text = drop_conversion_spaces(raw.trim());
        match &mut para {
            Some(p) if blank_separated => {
                // A line break inside a paragraph: CJK lines join without a space.
                let join = p
                    .text
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                    && text
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric());
                if join {
                    p.text.push(' ');
                }
                p.text.push_str(&text);
            }
            _ => {
                flush_para(&mut doc, &mut para);
                para = Some(Para::new(
                    text,
                    Origin::Line {
                        line: line_no,
                        field: None,
                    },
                ));
            }
        }
    }
    flush_grid(&mut doc, &mut grid);
    flush_para(&mut doc, &mut para);
    if doc.blocks.is_empty() {
        return Err(ReadError::NotAReport("the text file is empty".into()));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_spaces_are_dropped() {
        assert_eq!(drop_conversion_spaces("第 711 号"), "第711号");
        assert_eq!(drop_conversion_spaces("2023 年 1 月"), "2023年1月");
        assert_eq!(drop_conversion_spaces("Windows 10 系统"), "Windows 10系统");
    }
}
