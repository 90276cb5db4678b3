//! R9: numbers quoted in the prose equal the tables.

use std::collections::HashSet;

use crate::model::labels::{TABLE_3, TABLE_4};
use crate::model::{prose, refs, KeyPath, Report, RequestRow};

use super::super::{Findings, Place, Rule};

/// A number quoted in prose after a phrase that names a table value.
struct Quote {
    /// Phrases that introduce the number (the number follows within a few characters).
    phrases: &'static [&'static str],
    what: &'static str,
    table: &'static str,
    value: fn(&Report) -> u64,
    reference: &'static str,
}

const QUOTES: &[Quote] = &[
    Quote {
        phrases: &[
            "新收政府信息公开申请",
            "新收申请",
            "收到政府信息公开申请",
            "收到申请",
            "受理政府信息公开申请",
            "受理申请",
            "收到依申请公开",
            "共收到",
        ],
        what: "一、本年新收政府信息公开申请数量 · 总计",
        table: TABLE_3,
        value: |r| r.requests.row(RequestRow::New).total(),
        reference: "requests.new.total",
    },
    Quote {
        phrases: &["行政复议"],
        what: "行政复议 · 总计",
        table: TABLE_4,
        value: |r| r.appeals.review.total(),
        reference: "appeals.review.total",
    },
    Quote {
        phrases: &["行政诉讼"],
        what: "行政诉讼 · 总计（未经复议直接起诉 + 复议后起诉）",
        table: TABLE_4,
        value: |r| r.appeals.litigation_direct.total() + r.appeals.litigation_after_review.total(),
        reference: "appeals.litigation.total",
    },
];

/// The first number within a few characters after `at`, if it is followed by 件 or 起 or 宗.
fn quoted_number(text: &str, at: usize) -> Option<u64> {
    let tail: String = text[at..].chars().take(12).collect();
    let start = tail.find(|c: char| c.is_ascii_digit())?;
    let before = &tail[..start];
    if before.chars().count() > 6 || before.contains(['，', '。', '；', ',', ';']) {
        return None;
    }
    let digits: String = tail[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let after = tail[start + digits.len()..].chars().next()?;
    if !matches!(after, '件' | '起' | '宗') {
        return None;
    }
    digits.parse().ok()
}

pub(super) fn check(f: &mut Findings, r: &Report) {
    for (place, text) in prose::texts(r) {
        let Ok(text) = refs::expand(text, r, &place) else {
            continue;
        };
        let mut seen = HashSet::new();
        for q in QUOTES {
            for phrase in q.phrases {
                for (at, _) in text.match_indices(phrase) {
                    let Some(n) = quoted_number(&text, at + phrase.len()) else {
                        continue;
                    };
                    let expected = (q.value)(r);
                    if n != expected && seen.insert((q.reference, n)) {
                        f.push(
                            Rule::R9,
                            Place {
                                table: Some(q.table),
                                row: Some(q.what.into()),
                                column: None,
                                key: KeyPath::parse(&place),
                            },
                            Some(format!("{expected}（{}）", q.reference)),
                            Some(n.to_string()),
                            format!(
                                "正文写“{phrase}…{n}件”，而表中是 {expected}（{}）；可写成引用 ${{{}}}，数字就总是对的",
                                q.what, q.reference
                            ),
                        );
                    }
                }
            }
        }
    }
}
