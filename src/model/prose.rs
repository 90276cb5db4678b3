//! The one walk over a report's prose, in printed order.
//!
//! The rules (R9, R11, R13, references), the view the templates print and the
//! font-coverage check all see the prose through [`walk`], so no paragraph or
//! item title can be printed without being checked, or checked without being
//! printed.

use super::labels::PART_HEADINGS;
use super::{Item, Report, Section};

/// Where a piece of prose is printed: before the first part, or in part 一–六.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProsePart {
    /// Between the title and 一、总体情况.
    Preamble,
    /// Part 一–六 by index (0–5); parts 二–四 carry only paragraphs before their table.
    Part(usize),
}

impl ProsePart {
    /// The part's heading, if it is a part.
    pub fn heading(self) -> Option<&'static str> {
        match self {
            ProsePart::Preamble => None,
            ProsePart::Part(i) => PART_HEADINGS.get(i).copied(),
        }
    }
}

/// One step of the walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProseEvent<'a> {
    /// A paragraph at a key path (`overview.items[1].paragraphs[0]`).
    Paragraph { path: String, text: &'a str },
    /// A numbered item begins: its title at `{path}.title`, numbered for its level.
    ItemStart {
        path: String,
        level: u8,
        number: String,
        title: &'a str,
        run_in: bool,
    },
    /// The item begun last ends (after its paragraphs and sub-items).
    ItemEnd,
}

/// Walks every paragraph and item title of a report in printed order.
pub fn walk<'a>(report: &'a Report, f: &mut dyn FnMut(ProsePart, ProseEvent<'a>)) {
    paragraphs(&report.preamble, "preamble", ProsePart::Preamble, f);
    section(&report.overview, "overview", ProsePart::Part(0), f);
    paragraphs(
        &report.active.paragraphs,
        "active.paragraphs",
        ProsePart::Part(1),
        f,
    );
    paragraphs(
        &report.requests.paragraphs,
        "requests.paragraphs",
        ProsePart::Part(2),
        f,
    );
    paragraphs(
        &report.appeals.paragraphs,
        "appeals.paragraphs",
        ProsePart::Part(3),
        f,
    );
    section(&report.problems, "problems", ProsePart::Part(4), f);
    section(&report.other, "other", ProsePart::Part(5), f);
}

fn paragraphs<'a>(
    list: &'a [String],
    path: &str,
    part: ProsePart,
    f: &mut dyn FnMut(ProsePart, ProseEvent<'a>),
) {
    for (i, text) in list.iter().enumerate() {
        f(
            part,
            ProseEvent::Paragraph {
                path: format!("{path}[{i}]"),
                text,
            },
        );
    }
}

fn section<'a>(
    section: &'a Section,
    key: &str,
    part: ProsePart,
    f: &mut dyn FnMut(ProsePart, ProseEvent<'a>),
) {
    paragraphs(&section.paragraphs, &format!("{key}.paragraphs"), part, f);
    items(&section.items, key, 2, part, f);
}

fn items<'a>(
    list: &'a [Item],
    key: &str,
    level: u8,
    part: ProsePart,
    f: &mut dyn FnMut(ProsePart, ProseEvent<'a>),
) {
    for (i, item) in list.iter().enumerate() {
        let path = format!("{key}.items[{i}]");
        f(
            part,
            ProseEvent::ItemStart {
                path: path.clone(),
                level,
                number: item_number(level, i),
                title: &item.title,
                run_in: item.run_in,
            },
        );
        paragraphs(&item.paragraphs, &format!("{path}.paragraphs"), part, f);
        items(&item.items, &path, (level + 1).min(4), part, f);
        f(part, ProseEvent::ItemEnd);
    }
}

/// Every paragraph and item title with its key path, in printed order.
pub fn texts(report: &Report) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    walk(report, &mut |_, event| match event {
        ProseEvent::Paragraph { path, text } => out.push((path, text)),
        ProseEvent::ItemStart { path, title, .. } => out.push((format!("{path}.title"), title)),
        ProseEvent::ItemEnd => {}
    });
    out
}

/// The number of an item at a level: （一） for level 2, 1. for level 3, （1） for level 4.
pub fn item_number(level: u8, index: usize) -> String {
    let n = index + 1;
    match level {
        2 => format!("（{}）", chinese_numeral(n)),
        3 => format!("{n}."),
        _ => format!("（{n}）"),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99).
pub fn chinese_numeral(n: usize) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let ones = |n: usize| {
        if n.is_multiple_of(10) {
            ""
        } else {
            DIGITS[n % 10]
        }
    };
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", ones(n)),
        20..=99 => format!("{}十{}", DIGITS[n / 10], ones(n)),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        let got: Vec<String> = [1, 2, 9, 10, 11, 20, 21, 99]
            .iter()
            .map(|n| chinese_numeral(*n))
            .collect();
        assert_eq!(
            got,
            ["一", "二", "九", "十", "十一", "二十", "二十一", "九十九"]
        );
        assert_eq!(item_number(2, 0), "（一）");
        assert_eq!(item_number(3, 1), "2.");
        assert_eq!(item_number(4, 2), "（3）");
    }

    #[test]
    fn the_walk_visits_prose_in_printed_order() {
        let text = include_str!("../../examples/bianlukou-2023.toml");
        let loaded = crate::model::load_str("t.toml", text, crate::model::Format::Toml).unwrap();
        let paths: Vec<String> = texts(&loaded.report).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths[0], "overview.paragraphs[0]");
        assert_eq!(paths[1], "overview.items[0].title");
        let problems = paths
            .iter()
            .position(|p| p.starts_with("problems"))
            .unwrap();
        let other = paths.iter().position(|p| p.starts_with("other")).unwrap();
        assert!(problems < other);
    }
}
