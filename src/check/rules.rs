//! The rules, one function each.

use std::collections::HashSet;

use crate::model::{
    ActiveTable, AppealKind, Edition, KeyPath, Loaded, Report, RequestRow, APPEAL_COLUMNS,
    APPLICANT_COLUMNS,
};
use crate::render::refs;

use super::{Findings, Place, Rule, TABLE_2, TABLE_3, TABLE_4};

/// The 7 columns of Table 3 by label: the 6 applicant columns and 总计.
fn request_column(i: usize) -> String {
    if i < 6 {
        let group = if i == 0 {
            "申请人情况"
        } else {
            "法人或其他组织"
        };
        format!("{group} · {}", APPLICANT_COLUMNS[i])
    } else {
        "总计".to_string()
    }
}

fn key(path: &str) -> KeyPath {
    KeyPath::parse(path)
}

pub(super) fn run(f: &mut Findings, previous: Option<&Loaded>) {
    let report = &f.loaded.report;
    r1_balance(f, report);
    r2_total_row(f, report);
    r3_row_totals(f, report);
    r4_appeal_totals(f, report);
    r10_fee_precision(f, report);
    r12_edition(f, report);
    r13_superseded_notice(f, report);
    references(f, report);
    r9_prose_numbers(f, report);
    if let Some(prev) = previous {
        r7_carried_over(f, report, prev);
        r8_in_force(f, report, &prev.report);
        r11_copied_prose(f, report, &prev.report);
    }
}

/// R1: for each column, 一 + 二 = （七）总计 + 四.
fn r1_balance(f: &mut Findings, r: &Report) {
    let edition = r.edition();
    let t = &r.requests;
    let new = t.row(RequestRow::New).with_total();
    let carried = t.row(RequestRow::CarriedOver).with_total();
    let total = t.computed_total(edition);
    let forward = t.row(RequestRow::CarriedForward).with_total();
    for c in 0..7 {
        let left = new[c] + carried[c];
        let right = total[c] + forward[c];
        if left != right {
            f.push(
                Rule::R1,
                Place {
                    table: Some(TABLE_3),
                    row: Some("一、二 / （七）总计、四".into()),
                    column: Some(request_column(c)),
                    key: key(&if c < 6 {
                        format!("requests.carried_forward[{c}]")
                    } else {
                        "requests.carried_forward".to_string()
                    }),
                },
                Some(format!("一 + 二 = {} + {} = {left}", new[c], carried[c])),
                Some(format!("（七）总计 + 四 = {} + {} = {right}", total[c], forward[c])),
                format!(
                    "column {}: new plus carried-over applications ({left}) must equal those handled plus those carried forward ({right})",
                    request_column(c)
                ),
            );
        }
    }
}

/// R2: a given （七）总计 row equals the sum of the outcome rows.
fn r2_total_row(f: &mut Findings, r: &Report) {
    let Some(given) = r.requests.given_total else {
        return;
    };
    let computed = r.requests.computed_total(r.edition());
    let given_values: Vec<(usize, u64)> = given
        .counts
        .iter()
        .map(|c| c.0)
        .chain(given.given_total.map(|c| c.0))
        .enumerate()
        .collect();
    for (c, value) in given_values {
        if value != computed[c] {
            f.push(
                Rule::R2,
                Place {
                    table: Some(TABLE_3),
                    row: Some("（七）总计".into()),
                    column: Some(request_column(c)),
                    key: key(&format!("requests.total[{c}]")),
                },
                Some(computed[c].to_string()),
                Some(value.to_string()),
                format!(
                    "（七）总计 in column {} must be the sum of （一） to （六）, {}",
                    request_column(c),
                    computed[c]
                ),
            );
        }
    }
}

/// R3: a given 总计 of a row equals the sum of its six applicant columns.
fn r3_row_totals(f: &mut Findings, r: &Report) {
    for (row, values) in &r.requests.rows {
        if let Some(given) = values.given_total {
            if given.0 != values.total() {
                f.push(
                    Rule::R3,
                    Place {
                        table: Some(TABLE_3),
                        row: Some(row.full_label()),
                        column: Some("总计".into()),
                        key: key(&format!("requests.{}[6]", row.key())),
                    },
                    Some(values.total().to_string()),
                    Some(given.to_string()),
                    format!(
                        "总计 of row {} must be the sum of the six applicant columns, {}",
                        row.full_label(),
                        values.total()
                    ),
                );
            }
        }
    }
}

/// R4: in each Table 4 group, 维持 + 纠正 + 其他 + 尚未审结 = 总计.
fn r4_appeal_totals(f: &mut Findings, r: &Report) {
    for kind in AppealKind::ALL {
        let g = r.appeals.group(kind);
        if let Some(given) = g.given_total {
            if given.0 != g.total() {
                let parts = g
                    .counts
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" + ");
                f.push(
                    Rule::R4,
                    Place {
                        table: Some(TABLE_4),
                        row: Some(kind.label().into()),
                        column: Some("总计".into()),
                        key: key(&format!("appeals.{}[4]", kind.key())),
                    },
                    Some(format!("{parts} = {}", g.total())),
                    Some(given.to_string()),
                    format!(
                        "{} 总计 must be {} ({}), the sum of its results",
                        kind.label(),
                        g.total(),
                        APPEAL_COLUMNS.join(" + ")
                    ),
                );
            }
        }
    }
}

/// R10: a fee amount with more than 4 decimals.
fn r10_fee_precision(f: &mut Findings, r: &Report) {
    let ActiveTable::E2021(t) = &r.active;
    if t.fees.decimals() > 4 {
        f.push(
            Rule::R10,
            Place {
                table: Some(TABLE_2),
                row: Some("第二十条第（八）项 · 行政事业性收费".into()),
                column: Some("本年收费金额（单位：万元）".into()),
                key: key("active.fees"),
            },
            Some("at most 4 decimals (1 元 = 0.0001 万元)".into()),
            Some(t.fees.to_string()),
            format!("the fee amount {} has {} decimals; amounts are in 万元, so more than 4 decimals is finer than 1 元", t.fees, t.fees.decimals()),
        );
    }
}

/// R12: one edition per report.
fn r12_edition(f: &mut Findings, r: &Report) {
    let edition = r.edition();
    if edition == Edition::E2021 && r.year.0 < 2021 {
        f.push(
            Rule::R12,
            Place { key: key("edition"), ..Place::default() },
            Some("edition 2019 for report years 2019 and 2020".into()),
            Some(format!("edition 2021 for {}", r.year.0)),
            format!("the 2021 edition applies to report years 2021 and later; a {} report uses the 2019 edition", r.year.0),
        );
    }
    for row in r.requests.rows.keys() {
        if !row.in_edition(edition) {
            f.push(
                Rule::R12,
                Place {
                    table: Some(TABLE_3),
                    row: Some(row.full_label()),
                    column: None,
                    key: key(&format!("requests.{}", row.key())),
                },
                None,
                None,
                format!(
                    "row `{}` ({}) belongs to the other edition; a {} edition report never mixes rows of the two editions",
                    row.key(),
                    row.full_label(),
                    edition
                ),
            );
        }
    }
}

/// Every piece of prose with its key path.
fn prose(r: &Report) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = Vec::new();
    for (i, p) in r.preamble.iter().enumerate() {
        out.push((format!("preamble[{i}]"), p));
    }
    fn items<'a>(list: &'a [crate::model::Item], key: &str, out: &mut Vec<(String, &'a str)>) {
        for (i, item) in list.iter().enumerate() {
            let k = format!("{key}.items[{i}]");
            out.push((format!("{k}.title"), &item.title));
            for (j, p) in item.paragraphs.iter().enumerate() {
                out.push((format!("{k}.paragraphs[{j}]"), p));
            }
            items(&item.items, &k, out);
        }
    }
    for (key, section) in r.sections() {
        for (i, p) in section.paragraphs.iter().enumerate() {
            out.push((format!("{key}.paragraphs[{i}]"), p));
        }
        items(&section.items, key, &mut out);
    }
    for (key, list) in [
        ("active", r.active.paragraphs()),
        ("requests", r.requests.paragraphs.as_slice()),
        ("appeals", r.appeals.paragraphs.as_slice()),
    ] {
        for (i, p) in list.iter().enumerate() {
            out.push((format!("{key}.paragraphs[{i}]"), p));
        }
    }
    out
}

/// R13: citing the superseded 2019 notice in a 2021-edition report.
fn r13_superseded_notice(f: &mut Findings, r: &Report) {
    if r.edition() != Edition::E2021 {
        return;
    }
    for (place, text) in prose(r) {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let cited = [
            "〔2019〕60号",
            "[2019]60号",
            "［2019］60号",
            "（2019）60号",
            "(2019)60号",
            "【2019】60号",
        ]
        .iter()
        .any(|n| compact.contains(n));
        if cited {
            f.push(
                Rule::R13,
                Place { key: key(&place), ..Place::default() },
                Some("国办公开办函〔2021〕30号".into()),
                Some("国办公开办函〔2019〕60号".into()),
                "the prose cites 国办公开办函〔2019〕60号, superseded by 国办公开办函〔2021〕30号 for reports from 2021 on".into(),
            );
        }
    }
}

/// Unknown `${…}` references.
fn references(f: &mut Findings, r: &Report) {
    for (place, text) in prose(r) {
        if let Err(e) = refs::expand(text, r, &place) {
            f.push(
                Rule::Reference,
                Place {
                    key: key(&place),
                    ..Place::default()
                },
                e.suggestion.clone(),
                Some(format!("${{{}}}", e.name)),
                e.to_string(),
            );
        }
    }
}

/// A number quoted in prose after a phrase that names a table value.
struct Quote {
    /// Phrases that introduce the number (the number follows within a few characters).
    phrases: &'static [&'static str],
    what: &'static str,
    table: &'static str,
    value: fn(&Report) -> u64,
    key: &'static str,
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
        key: "requests.new",
    },
    Quote {
        phrases: &["行政复议"],
        what: "行政复议 · 总计",
        table: TABLE_4,
        value: |r| r.appeals.review.total(),
        key: "appeals.review",
    },
    Quote {
        phrases: &["行政诉讼"],
        what: "行政诉讼 · 总计 (未经复议直接起诉 + 复议后起诉)",
        table: TABLE_4,
        value: |r| r.appeals.litigation_direct.total() + r.appeals.litigation_after_review.total(),
        key: "appeals.litigation_direct",
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
    if !matches!(after, '件' | '起' | '宗' | '个') {
        return None;
    }
    digits.parse().ok()
}

/// R9: numbers quoted in the prose equal the tables.
fn r9_prose_numbers(f: &mut Findings, r: &Report) {
    for (place, text) in prose(r) {
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
                    if n != expected && seen.insert((q.key, n)) {
                        f.push(
                            Rule::R9,
                            Place { table: Some(q.table), row: Some(q.what.into()), column: None, key: key(&place) },
                            Some(format!("{expected} ({})", q.key)),
                            Some(n.to_string()),
                            format!(
                                "the prose says \"{phrase}…{n}\" but the table says {expected} ({}); write the number as a reference such as ${{{}}} so it is always right",
                                q.what,
                                reference_for(q.key)
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn reference_for(key: &str) -> &'static str {
    match key {
        "requests.new" => "requests.new.total",
        "appeals.review" => "appeals.review.total",
        _ => "appeals.litigation.total",
    }
}

/// R7: this year's 二、上年结转 = last year's 四、结转下年度继续办理.
fn r7_carried_over(f: &mut Findings, r: &Report, prev: &Loaded) {
    let p = &prev.report;
    if p.year.0 + 1 != r.year.0 {
        f.push(
            Rule::R7,
            Place {
                key: key("year"),
                ..Place::default()
            },
            Some(format!("last year's report ({})", r.year.0 - 1)),
            Some(format!("a report for {} ({})", p.year.0, prev.source.name)),
            format!(
                "--prev must be the report for {}, but {} is for {}",
                r.year.0 - 1,
                prev.source.name,
                p.year.0
            ),
        );
        return;
    }
    let now = r.requests.row(RequestRow::CarriedOver).with_total();
    let then = p.requests.row(RequestRow::CarriedForward).with_total();
    for c in 0..7 {
        if now[c] != then[c] {
            f.push(
                Rule::R7,
                Place {
                    table: Some(TABLE_3),
                    row: Some(RequestRow::CarriedOver.label().into()),
                    column: Some(request_column(c)),
                    key: key(&if c < 6 {
                        format!("requests.carried_over[{c}]")
                    } else {
                        "requests.carried_over".to_string()
                    }),
                },
                Some(format!("{} (四、结转下年度继续办理 in {})", then[c], prev.source.name)),
                Some(now[c].to_string()),
                format!(
                    "column {}: applications carried over from {} must equal those {} carried forward",
                    request_column(c),
                    p.year.0,
                    prev.source.name
                ),
            );
        }
    }
}

/// R8: 现行有效件数 (N) = 现行有效件数 (N−1) + 本年制发件数 − 本年废止件数.
fn r8_in_force(f: &mut Findings, r: &Report, p: &Report) {
    let (ActiveTable::E2021(now), ActiveTable::E2021(then)) = (&r.active, &p.active);
    for (name, label, a, b) in [
        ("rules", "规章", &now.rules, &then.rules),
        (
            "normative_documents",
            "行政规范性文件",
            &now.normative_documents,
            &then.normative_documents,
        ),
    ] {
        let expected = (b.in_force.0 + a.issued.0).checked_sub(a.repealed.0);
        if expected != Some(a.in_force.0) {
            let expected_text = match expected {
                Some(e) => format!("{} + {} − {} = {e}", b.in_force, a.issued, a.repealed),
                None => format!(
                    "{} + {} − {} (less than zero)",
                    b.in_force, a.issued, a.repealed
                ),
            };
            f.push(
                Rule::R8,
                Place {
                    table: Some(TABLE_2),
                    row: Some(format!("第二十条第（一）项 · {label}")),
                    column: Some("现行有效件数".into()),
                    key: key(&format!("active.{name}.in_force")),
                },
                Some(expected_text),
                Some(a.in_force.to_string()),
                format!("{label}: documents in force should be last year's plus those issued minus those repealed"),
            );
        }
    }
}

/// How alike two texts are: the Dice coefficient of their character bigrams (0–1).
fn similarity(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> Vec<(char, char)> {
        let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v
    }
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    // Multiset intersection of two sorted lists.
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// R11: prose ≥ 50 % identical to last year's.
fn r11_copied_prose(f: &mut Findings, r: &Report, p: &Report) {
    let join = |r: &Report| {
        prose(r)
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (now, then) = (join(r), join(p));
    let s = similarity(&now, &then);
    if s >= 0.5 {
        f.push(
            Rule::R11,
            Place { key: key("overview"), ..Place::default() },
            Some("less than 50 % alike".into()),
            Some(format!("{:.0} % alike", s * 100.0)),
            format!(
                "the prose is {:.0} % the same as last year's report; evaluators deduct points for copied reports",
                s * 100.0
            ),
        );
    }
}
