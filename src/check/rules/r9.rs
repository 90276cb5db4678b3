//! R9: the numbers the prose quotes from Tables 2–4 equal the tables.
//!
//! [`inventory`] is the ONE table of phrasings read (with an example and a
//! counter-example each; docs/rules.md prints it), [`matcher`] reads them from
//! the prose, [`cells`] knows the table values. Here each number is compared
//! with its value, and a disagreement becomes a warning in Chinese that names
//! the value by its official label and offers the `${…}` reference that prints
//! it. R9 never judges a value it cannot know (a blank or bad cell), nor a vague
//! number (约 N); it judges the prose with references expanded, so a number
//! written as a reference never disagrees.

mod cells;
mod inventory;
mod matcher;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use crate::model::prose::{self, ProseEvent, ProsePart};
use crate::model::{refs, Edition, KeyPath, Loaded, Report, RequestRow};

use super::super::{Findings, Place, Rule};
use cells::{Cell, Rows};
use matcher::{Approx, Claim, Number, Quote, QuotedSentence, Section};

/// A number that does not equal its table value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Disagreement {
    /// The value the finding is placed at.
    pub cell: Cell,
    /// The value(s), as the finding's `expected`.
    pub expected: String,
    /// The number as the prose writes it.
    pub found: String,
    pub message: String,
}

/// What R9 says about one quoted number.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Verdict {
    Agrees,
    /// A value R9 cannot know, or a vague number (约 N).
    Unknown,
    Disagrees(Vec<Disagreement>),
}

/// Every paragraph and item title with its key path and the section it is printed in.
pub(crate) fn paragraphs(r: &Report) -> Vec<(Section, String, &str)> {
    let mut out = Vec::new();
    prose::walk(r, &mut |part, event| {
        let section = match part {
            ProsePart::Part(2) => Section::Requests,
            ProsePart::Part(3) => Section::Appeals,
            _ => Section::Other,
        };
        match event {
            ProseEvent::Paragraph { path, text } => out.push((section, path, text)),
            ProseEvent::ItemStart { path, title, .. } => {
                out.push((section, format!("{path}.title"), title))
            }
            ProseEvent::ItemEnd => {}
        }
    });
    out
}

pub(super) fn check(f: &mut Findings, r: &Report) {
    let loaded = f.loaded;
    for (section, place, text) in paragraphs(r) {
        // An unknown reference is a REF finding; the paragraph is not read.
        let Ok(text) = refs::expand(text, r, &place) else {
            continue;
        };
        let mut seen = HashSet::new();
        for sentence in matcher::read(&text, section, r.edition()) {
            for verdict in judge(&sentence, loaded) {
                let Verdict::Disagrees(list) = verdict else {
                    continue;
                };
                for d in list {
                    // Once per paragraph, value and number.
                    if !seen.insert((d.expected.clone(), d.found.clone())) {
                        continue;
                    }
                    let edition = r.edition();
                    f.push(
                        Rule::R9,
                        Place {
                            table: Some(d.cell.table()),
                            row: Some(d.cell.row(edition)),
                            column: Some(d.cell.column(edition)),
                            key: KeyPath::parse(&place),
                        },
                        Some(d.expected),
                        Some(d.found),
                        d.message,
                    );
                }
            }
        }
    }
}

/// The verdict on every number of a sentence, in the order of its quotes.
pub(crate) fn judge(sentence: &QuotedSentence, loaded: &Loaded) -> Vec<Verdict> {
    let edition = loaded.report.edition();
    let mut verdicts: Vec<Verdict> = Vec::new();
    // Heads of 收到/受理 whose number is 一 + 二 (their parts are compared per column with 一 + 二).
    let mut received_both: HashSet<usize> = HashSet::new();
    for (i, q) in sentence.quotes.iter().enumerate() {
        let v = match (&q.claim, &q.number) {
            (Claim::Zero(cells), _) => zero(q, cells, loaded, edition),
            (_, None) => Verdict::Unknown,
            (Claim::Received { column, strict }, Some(n)) => match q.head {
                None => {
                    let (verdict, both) = received(sentence, q, n, *column, *strict, loaded);
                    if both {
                        received_both.insert(i);
                    }
                    verdict
                }
                Some(h) => {
                    let rows = if received_both.contains(&h) {
                        Rows::NewAndCarried
                    } else {
                        Rows::Row(RequestRow::New)
                    };
                    one_of(sentence, q, n, &[Cell::Request(rows, *column)], loaded)
                }
            },
            (Claim::AnyOf(cells), Some(n)) => one_of(sentence, q, n, cells, loaded),
            (Claim::Each(cells), Some(n)) => {
                let list: Vec<Disagreement> = cells
                    .iter()
                    .filter_map(|c| match one_of(sentence, q, n, &[*c], loaded) {
                        Verdict::Disagrees(d) => Some(d),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                let known = cells.iter().all(|c| c.value(loaded).is_some());
                match (list.is_empty(), known) {
                    (false, _) => Verdict::Disagrees(list),
                    (true, true) => Verdict::Agrees,
                    (true, false) => Verdict::Unknown,
                }
            }
            (Claim::Sum(cells), Some(n)) => sum(q, n, cells, loaded, edition),
            (Claim::Issued { cell, amended }, Some(n)) => match (cell.value(loaded), amended) {
                (Some(v), Some(m)) if agrees(n, v - m) == Some(true) => Verdict::Agrees,
                _ => one_of(sentence, q, n, &[*cell], loaded),
            },
        };
        verdicts.push(v);
    }
    verdicts
}

/// Whether a number agrees with a value; None for a vague number.
fn agrees(n: &Number, value: f64) -> Option<bool> {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * a.abs().max(b.abs()).max(1.0);
    match n.approx {
        Approx::Exact => Some(close(n.value, value)),
        Approx::Vague => None,
        Approx::AtLeast { step } => {
            Some((n.value <= value || close(n.value, value)) && value < n.value + step)
        }
    }
}

/// A value as a clerk writes it: 74, 96.75.
fn show(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// "（“170余”指 170 至 179）" for an approximate number.
fn range_note(n: &Number) -> String {
    match n.approx {
        Approx::AtLeast { step } if n.value.fract() == 0.0 && step >= 1.0 => format!(
            "（“{}”指 {} 至 {}）",
            n.written,
            show(n.value),
            show(n.value + step - 1.0)
        ),
        _ => String::new(),
    }
}

/// "${requests.new.total}", or the labels when no reference prints the value.
fn expected(cell: Cell, value: f64, edition: Edition) -> String {
    match cell.reference() {
        Some(r) => format!("{}（${{{r}}}）", show(value)),
        None => format!("{}（{}）", show(value), cell.describe(edition)),
    }
}

fn advice(cells: &[Cell]) -> String {
    let refs: Vec<String> = cells
        .iter()
        .filter_map(|c| c.reference())
        .map(|r| format!("${{{r}}}"))
        .collect();
    match refs.len() {
        0 => "请核对正文或表格".to_string(),
        1 => format!("可写成引用 {}，数字就总是对的", refs[0]),
        _ => format!("可写成引用 {}，数字就总是对的", refs.join(" 或 ")),
    }
}

/// The phrasing read, by its id and short form in the inventory (docs/rules.md).
fn signature(q: &Quote) -> String {
    format!("（R9 说法 {}“{}”）", q.phrase.id, q.phrase.short)
}

/// The number is one of the values.
fn one_of(
    sentence: &QuotedSentence,
    q: &Quote,
    n: &Number,
    cells: &[Cell],
    loaded: &Loaded,
) -> Verdict {
    let edition = loaded.report.edition();
    let values: Vec<Option<f64>> = cells.iter().map(|c| c.value(loaded)).collect();
    let mut vague = false;
    for v in values.iter().flatten() {
        match agrees(n, *v) {
            Some(true) => return Verdict::Agrees,
            None => vague = true,
            Some(false) => {}
        }
    }
    if vague || values.iter().any(Option::is_none) {
        return Verdict::Unknown;
    }
    let values: Vec<f64> = values.into_iter().flatten().collect();
    let said: Vec<String> = cells
        .iter()
        .zip(&values)
        .map(|(c, v)| format!("{}是 {}", c.describe(edition), show(*v)))
        .collect();
    let mut message = format!("正文写“{}”{}，而{}", q.text, range_note(n), said.join("，"));
    if cells.len() > 1 {
        message.push_str(&format!("，都不是 {}", n.written));
    }
    // The prose equals the total the table prints, and that total is wrong.
    let printed = cells
        .iter()
        .zip(&values)
        .find_map(|(c, v)| Some((*c, c.printed_total(loaded)?, *v)))
        .filter(|(_, p, _)| agrees(n, *p) == Some(true));
    if let Some((cell, p, v)) = printed {
        let rule = match cell {
            Cell::Request(Rows::Handled, _) => "R2",
            Cell::Request(..) => "R3",
            _ => "R4",
        };
        message.push_str(&format!(
            "。正文的数与表中印出的总计 {} 相同，但印出的总计本身不对：各项相加是 {}（见 {rule}），请先改正表格",
            show(p),
            show(v)
        ));
    } else if let Some(scope) = &sentence.scope {
        message.push_str(&format!(
            "。正文说的是“{scope}”的数：若表格只统计本机关，两者的范围不同，请核实"
        ));
    }
    message.push_str(&format!("；{}{}", advice(cells), signature(q)));
    let expected = cells
        .iter()
        .zip(&values)
        .map(|(c, v)| expected(*c, *v, edition))
        .collect::<Vec<_>>()
        .join(" 或 ");
    Verdict::Disagrees(vec![Disagreement {
        cell: cells[0],
        expected,
        found: n.written.clone(),
        message,
    }])
}

/// 收到/受理 N 件 (rule 8 of the research): 一, or 一 + 二 said or explained.
/// Also says whether the number is 一 + 二 (the sentence's applicant columns
/// are then compared with 一 + 二 too).
fn received(
    sentence: &QuotedSentence,
    q: &Quote,
    n: &Number,
    column: usize,
    strict: bool,
    loaded: &Loaded,
) -> (Verdict, bool) {
    let edition = loaded.report.edition();
    let new = Cell::Request(Rows::Row(RequestRow::New), column);
    let verdict = one_of(sentence, q, n, &[new], loaded);
    if strict || !matches!(verdict, Verdict::Disagrees(_)) {
        return (verdict, false);
    }
    let both = Cell::Request(Rows::NewAndCarried, column);
    let carried = Cell::Request(Rows::Row(RequestRow::CarriedOver), column);
    let (Some(v_new), Some(v_carried), Some(v_both)) =
        (new.value(loaded), carried.value(loaded), both.value(loaded))
    else {
        return (verdict, false);
    };
    if v_carried == 0.0 || agrees(n, v_both) != Some(true) {
        return (verdict, false);
    }
    if sentence.mentions_carried_over {
        return (Verdict::Agrees, true);
    }
    let message = format!(
        "正文写“{}”，而{}是 {}。{} 是本年新收 {} 加上年结转 {}（一 + 二，即全年办理的申请数）：正文把上年结转的申请也算作本年收到的。若写本年收到的申请，应为 {}，{}；若写全年办理的申请，请写明“含上年结转”{}",
        q.text,
        new.describe(edition),
        show(v_new),
        n.written,
        show(v_new),
        show(v_carried),
        show(v_new),
        advice(&[new]),
        signature(q),
    );
    let d = Disagreement {
        cell: new,
        expected: expected(new, v_new, edition),
        found: n.written.clone(),
        message,
    };
    (Verdict::Disagrees(vec![d]), true)
}

/// The values add up to the number.
fn sum(q: &Quote, n: &Number, cells: &[Cell], loaded: &Loaded, edition: Edition) -> Verdict {
    let Some(values) = cells
        .iter()
        .map(|c| c.value(loaded))
        .collect::<Option<Vec<f64>>>()
    else {
        return Verdict::Unknown;
    };
    let total: f64 = values.iter().sum();
    match agrees(n, total) {
        None => Verdict::Unknown,
        Some(true) => Verdict::Agrees,
        Some(false) => {
            let parts: Vec<String> = cells
                .iter()
                .zip(&values)
                .map(|(c, v)| format!("{}是 {}", c.describe(edition), show(*v)))
                .collect();
            let message = format!(
                "正文写“{}”{}，而{}，两者之和是 {}；可分别写成引用 {}{}",
                q.text,
                range_note(n),
                parts.join("，"),
                show(total),
                cells
                    .iter()
                    .filter_map(|c| c.reference())
                    .map(|r| format!("${{{r}}}"))
                    .collect::<Vec<_>>()
                    .join("、"),
                signature(q),
            );
            let expected = values
                .iter()
                .map(|v| show(*v))
                .collect::<Vec<_>>()
                .join(" + ");
            Verdict::Disagrees(vec![Disagreement {
                cell: cells[0],
                expected: format!("{expected} = {}", show(total)),
                found: n.written.clone(),
                message,
            }])
        }
    }
}

/// "No X": every value is 0.
fn zero(q: &Quote, cells: &[Cell], loaded: &Loaded, edition: Edition) -> Verdict {
    let values: Vec<Option<f64>> = cells.iter().map(|c| c.value(loaded)).collect();
    let list: Vec<Disagreement> = cells
        .iter()
        .zip(&values)
        .filter_map(|(c, v)| Some((*c, (*v)?)))
        .filter(|(_, v)| *v != 0.0)
        .map(|(c, v)| Disagreement {
            cell: c,
            expected: expected(c, v, edition),
            found: "0".to_string(),
            message: format!(
                "正文写“{}”，而{}是 {}；请核实：若表格无误，请改写这句话，数字可写成引用 {}{}",
                q.text,
                c.describe(edition),
                show(v),
                c.reference()
                    .map_or_else(String::new, |r| format!("${{{r}}}")),
                signature(q),
            ),
        })
        .collect();
    if !list.is_empty() {
        Verdict::Disagrees(list)
    } else if values.iter().all(Option::is_some) {
        Verdict::Agrees
    } else {
        Verdict::Unknown
    }
}
