//! The sheet 正文: the report's prose, one row per paragraph.
//!
//! Columns: 部分 (the part: 标题下的开头段落 or 一、… 六、), 编号 (the item's
//! number with its parents', as printed: （二）, （二）1.), 标题 (the item's title,
//! on its first row), 标题后接正文 (是: the first paragraph continues on the
//! title's line) and 正文 (the paragraph). An item without paragraphs has a
//! row with its title and no text. nianbao numbers the items itself; the
//! numbers here only say which rows belong to which item.

use crate::model::labels::{self, PART_HEADINGS};
use crate::model::prose::{self, ProseEvent, ProsePart};
use crate::model::Report;

/// The sheet's name.
pub const SHEET: &str = "正文";
/// The header row.
pub const HEADERS: [&str; 5] = ["部分", "编号", "标题", "标题后接正文", "正文"];
/// What 标题后接正文 says for yes and no.
pub const YES: &str = "是";
pub const NO: &str = "否";

/// The parts a row can belong to: the preamble, then 一 to 六.
pub fn parts() -> Vec<&'static str> {
    let preamble = labels::IDENTITY
        .iter()
        .find(|k| k.key == "preamble")
        .map_or("标题下的开头段落", |k| k.label);
    std::iter::once(preamble).chain(PART_HEADINGS).collect()
}

/// The data key of a part (by its index in [`parts`]).
pub fn part_key(index: usize) -> &'static str {
    match index {
        0 => "preamble",
        i => labels::PART_KEYS[i - 1],
    }
}

/// One row of 正文.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextRow {
    /// The part, by its index in [`parts`].
    pub part: usize,
    /// The item's number with its parents': （二）1.
    pub number: String,
    /// The item's title, on its first row.
    pub title: Option<String>,
    pub run_in: bool,
    pub text: Option<String>,
    /// The key paths of the title and the paragraph, for messages.
    pub title_key: Option<String>,
    pub text_key: Option<String>,
}

/// The rows of a report's prose, in printed order.
pub fn rows(report: &Report) -> Vec<TextRow> {
    struct Open {
        number: String,
        title: String,
        title_key: String,
        run_in: bool,
        written: bool,
    }
    let mut out = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let title_row = |part: usize, o: &Open, text: Option<(String, String)>| TextRow {
        part,
        number: o.number.clone(),
        title: Some(o.title.clone()),
        run_in: o.run_in,
        title_key: Some(o.title_key.clone()),
        text_key: text.as_ref().map(|t| t.1.clone()),
        text: text.map(|t| t.0),
    };
    let part_of = |p: ProsePart| match p {
        ProsePart::Preamble => 0,
        ProsePart::Part(i) => i + 1,
    };
    prose::walk(report, &mut |part, event| {
        let part = part_of(part);
        match event {
            ProseEvent::ItemStart {
                path,
                number,
                title,
                run_in,
                ..
            } => {
                if let Some(parent) = open.last_mut() {
                    if !parent.written {
                        parent.written = true;
                        let row = title_row(part, parent, None);
                        out.push(row);
                    }
                }
                let chain = open.last().map_or(String::new(), |o| o.number.clone());
                open.push(Open {
                    number: format!("{chain}{number}"),
                    title: title.to_string(),
                    title_key: format!("{path}.title"),
                    run_in,
                    written: false,
                });
            }
            ProseEvent::Paragraph { path, text } => match open.last_mut() {
                Some(o) if !o.written => {
                    o.written = true;
                    let row = title_row(part, o, Some((text.to_string(), path)));
                    out.push(row);
                }
                Some(o) => out.push(TextRow {
                    part,
                    number: o.number.clone(),
                    text: Some(text.to_string()),
                    text_key: Some(path),
                    ..Default::default()
                }),
                None => out.push(TextRow {
                    part,
                    text: Some(text.to_string()),
                    text_key: Some(path),
                    ..Default::default()
                }),
            },
            ProseEvent::ItemEnd => {
                if let Some(o) = open.pop() {
                    if !o.written {
                        out.push(title_row(part, &o, None));
                    }
                }
            }
        }
    });
    out
}

/// Normalises a label or number for comparison: no spaces, full-width
/// parentheses, `.` for the other dots.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '．' | '、' | '。' => '.',
            '"' | '＂' => '"',
            '“' | '”' => '"',
            c => c,
        })
        .collect()
}

/// The numbers of an item's chain: （二）1.（3） → [（二）, 1., （3）].
pub fn chain(number: &str) -> Vec<String> {
    let n = normalise(number);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_paren = false;
    for c in n.chars() {
        match c {
            '（' => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                in_paren = true;
                current.push(c);
            }
            '）' if in_paren => {
                current.push(c);
                out.push(std::mem::take(&mut current));
                in_paren = false;
            }
            '.' if !in_paren => {
                current.push(c);
                out.push(std::mem::take(&mut current));
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The part a cell names (by its index in [`parts`]): the heading, or its
/// number alone (一, 一、).
pub fn part_index(text: &str) -> Option<usize> {
    let n = normalise(text);
    let list = parts();
    if let Some(i) = list.iter().position(|p| normalise(p) == n) {
        return Some(i);
    }
    // A heading by its number: 一, 一、 (→ "一."), 一、总体情况 with other words.
    let number = n.split('.').next().unwrap_or(&n);
    PART_HEADINGS
        .iter()
        .position(|h| h.split('、').next() == Some(number))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_split_into_numbers() {
        assert_eq!(chain("（二）"), ["（二）"]);
        assert_eq!(chain("(二)1、"), ["（二）", "1."]);
        assert_eq!(chain("（二）1.（3）"), ["（二）", "1.", "（3）"]);
        assert_eq!(part_index("一、总体情况"), Some(1));
        assert_eq!(part_index("五"), Some(5));
        assert_eq!(part_index("标题下的开头段落"), Some(0));
        assert_eq!(part_index("七"), None);
    }

    #[test]
    fn every_paragraph_and_title_has_a_row() {
        let text = include_str!("../../examples/bianlukou-2023.toml");
        let loaded = crate::model::load_str("t.toml", text, crate::model::Format::Toml).unwrap();
        let rows = rows(&loaded.report);
        let texts = prose::texts(&loaded.report);
        let in_rows = rows.iter().filter(|r| r.text.is_some()).count()
            + rows.iter().filter(|r| r.title.is_some()).count();
        assert_eq!(in_rows, texts.len());
        assert!(rows.iter().any(|r| r.number == "（一）" && r.part == 1));
    }
}
