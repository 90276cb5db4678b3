//! The rules, one function each.
//!
//! A rule never judges a value it does not know: cells that are missing or bad
//! (already an R5/R6 finding) are skipped, so one blank cell gives one finding,
//! not a cascade.

use crate::model::labels::{
    self, request_column, AppealKind, RequestRow, APPEAL_COLUMNS, REQUESTS_TOTAL_ROW, TABLE_2,
    TABLE_3, TABLE_4, TOTAL_COLUMN,
};
use crate::model::{prose, refs, ActiveValue, Edition, KeyPath, Loaded, Report};

use super::{Findings, Place, Rule};

mod r9;

fn key(path: &str) -> KeyPath {
    KeyPath::parse(path)
}

pub(super) fn run(f: &mut Findings, previous: Option<&Loaded>) {
    let report = &f.loaded.report;
    let r2 = r2_total_row(f, report);
    r1_balance(f, report, &r2);
    r3_row_totals(f, report);
    r4_appeal_totals(f, report);
    r10_fee_precision(f, report);
    r12_edition(f, report);
    r13_superseded_notice(f, report);
    references(f, report);
    r9::check(f, report);
    if let Some(prev) = previous {
        r7_carried_over(f, report, prev);
        r8_in_force(f, report, prev);
        r11_copied_prose(f, report, &prev.report);
    }
}

/// Whether every cell of Table 3 that column `c` of rule R1/R2 reads is known.
fn column_known(loaded: &Loaded, rows: impl IntoIterator<Item = RequestRow>, c: usize) -> bool {
    rows.into_iter().all(|row| {
        let path = format!("requests.{}", row.key());
        if c < 6 {
            loaded.known(&format!("{path}[{c}]"))
        } else {
            (0..6).all(|i| loaded.known(&format!("{path}[{i}]")))
        }
    })
}

fn column_key(row: RequestRow, c: usize) -> KeyPath {
    key(&if c < 6 {
        format!("requests.{}[{c}]", row.key())
    } else {
        format!("requests.{}", row.key())
    })
}

/// R1: for each column, 一 + 二 = （七）总计 + 四. When the column's printed
/// （七）总计 is already wrong by R2, the R1 finding is linked to it (same
/// cause); so is the 总计 column's to the first applicant column's.
fn r1_balance(f: &mut Findings, r: &Report, r2: &[(usize, usize)]) {
    let edition = r.edition();
    let t = &r.requests;
    let new = t.row(RequestRow::New).with_total();
    let carried = t.row(RequestRow::CarriedOver).with_total();
    let total = t.computed_total(edition);
    let forward = t.row(RequestRow::CarriedForward).with_total();
    // The 总计 column is out of balance whenever an applicant column is: the same cause.
    let mut first_column = None;
    for c in 0..7 {
        if !column_known(f.loaded, RequestRow::rows_of(edition), c) {
            continue;
        }
        let left = new[c] + carried[c];
        let right = total[c] + forward[c];
        if left == right {
            continue;
        }
        let column = request_column(c);
        let cause = r2
            .iter()
            .find(|(col, _)| *col == c)
            .map(|(_, i)| *i)
            .or(if c == 6 { first_column } else { None });
        if c < 6 && first_column.is_none() {
            first_column = Some(f.list.len());
        }
        let printed_total = t.given_total.as_ref().and_then(|g| match c {
            0..=5 => Some(g.counts[c].0),
            _ => g.given_total.map(|x| x.0),
        });
        let mut message = format!(
            "{column}列：本年新收 {} + 上年结转 {} = {left}，而（七）总计 {} + 结转下年度 {} = {right}，两者应相等",
            new[c], carried[c], total[c], forward[c]
        );
        if let (Some(_), Some(p)) = (cause, printed_total) {
            if p + forward[c] == left {
                message.push_str(&format!(
                    "；印出的（七）总计 {p} 与一、二、四相符，是（一）至（六）各行之和 {} 不对：某一行的数字有误",
                    total[c]
                ));
            }
        }
        f.push(
            Rule::R1,
            Place {
                table: Some(TABLE_3),
                row: Some("一、二 / （七）总计、四".into()),
                column: Some(column),
                key: column_key(RequestRow::CarriedForward, c),
            },
            Some(format!("一 + 二 = {} + {} = {left}", new[c], carried[c])),
            Some(format!(
                "（七）总计 + 四 = {} + {} = {right}",
                total[c], forward[c]
            )),
            message,
        );
        if let Some(cause) = cause {
            if let Some(last) = f.list.last_mut() {
                last.caused_by = Some(cause);
            }
        }
    }
}

/// R2: a given （七）总计 row equals the sum of the outcome rows. Returns the
/// columns that broke it, with the index of their finding.
fn r2_total_row(f: &mut Findings, r: &Report) -> Vec<(usize, usize)> {
    let mut broken = Vec::new();
    let Some(given) = r.requests.given_total else {
        return broken;
    };
    let edition = r.edition();
    let computed = r.requests.computed_total(edition);
    let given_values: Vec<(usize, u64)> = given
        .counts
        .iter()
        .map(|c| c.0)
        .chain(given.given_total.map(|c| c.0))
        .enumerate()
        .collect();
    for (c, value) in given_values {
        if !f.loaded.known(&format!("requests.total[{c}]"))
            || !column_known(f.loaded, RequestRow::outcome_rows(edition), c)
        {
            continue;
        }
        if value != computed[c] {
            let column = request_column(c);
            broken.push((c, f.list.len()));
            f.push(
                Rule::R2,
                Place {
                    table: Some(TABLE_3),
                    row: Some(REQUESTS_TOTAL_ROW.into()),
                    column: Some(column.clone()),
                    key: key(&format!("requests.total[{c}]")),
                },
                Some(computed[c].to_string()),
                Some(value.to_string()),
                format!(
                    "（七）总计 {column}列印的是 {value}，而（一）至（六）各行相加是 {}",
                    computed[c]
                ),
            );
        }
    }
    broken
}

/// R3: a given 总计 of a row equals the sum of its six applicant columns.
fn r3_row_totals(f: &mut Findings, r: &Report) {
    for (row, values) in &r.requests.rows {
        let path = format!("requests.{}", row.key());
        if !(0..7).all(|i| f.loaded.known(&format!("{path}[{i}]"))) {
            continue;
        }
        if let Some(given) = values.given_total {
            if given.0 != values.total() {
                f.push(
                    Rule::R3,
                    Place {
                        table: Some(TABLE_3),
                        row: Some(row.full_label()),
                        column: Some(TOTAL_COLUMN.into()),
                        key: key(&format!("{path}[6]")),
                    },
                    Some(values.total().to_string()),
                    Some(given.to_string()),
                    format!(
                        "“{}”一行的总计印的是 {given}，而六类申请人相加是 {}",
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
        let path = format!("appeals.{}", kind.key());
        if !(0..5).all(|i| f.loaded.known(&format!("{path}[{i}]"))) {
            continue;
        }
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
                        row: Some(kind.label()),
                        column: Some(TOTAL_COLUMN.into()),
                        key: key(&format!("{path}[4]")),
                    },
                    Some(format!("{parts} = {}", g.total())),
                    Some(given.to_string()),
                    format!(
                        "{}的总计印的是 {given}，而{}相加是 {}",
                        kind.label(),
                        APPEAL_COLUMNS.join("、"),
                        g.total()
                    ),
                );
            }
        }
    }
}

/// R10: a fee amount (万元, 2021) with more than 4 decimals.
fn r10_fee_precision(f: &mut Findings, r: &Report) {
    if r.edition() != Edition::E2021 || !f.loaded.known("active.fees") {
        return;
    }
    let Some(ActiveValue::Amount(fees)) = r.active.value("fees", "") else {
        return;
    };
    if fees.decimals() > 4 {
        let (block, row) = labels::active_row(Edition::E2021, "fees").expect("fees");
        f.push(
            Rule::R10,
            Place {
                table: Some(TABLE_2),
                row: Some(format!("{} · {}", block.caption, row.label)),
                column: Some(block.columns[0].label.into()),
                key: key("active.fees"),
            },
            Some("最多 4 位小数（1 元 = 0.0001 万元）".into()),
            Some(fees.to_string()),
            format!(
                "收费金额 {fees} 有 {} 位小数；单位是万元，超过 4 位小数就比 1 元还小",
                fees.decimals()
            ),
        );
    }
}

/// R12: a report year ≥ 2021 uses the 2021 edition, a year before uses 2019.
/// (Rows and keys of the other edition are found while reading the data.)
fn r12_edition(f: &mut Findings, r: &Report) {
    if !f.loaded.known("year") {
        return;
    }
    let edition = r.edition();
    let expected = Edition::for_year(r.year.0);
    if edition != expected {
        f.push(
            Rule::R12,
            Place {
                key: key("edition"),
                ..Place::default()
            },
            Some(format!("{}年版（{}）", expected, expected.notice())),
            Some(format!("{}年版", edition)),
            format!(
                "{}年度的报告应使用{}年版格式（{}），本报告是按{}年版填写的",
                r.year.0,
                expected,
                expected.notice(),
                edition
            ),
        );
    }
}

/// R13: citing the superseded 2019 notice in a 2021-edition report.
fn r13_superseded_notice(f: &mut Findings, r: &Report) {
    if r.edition() != Edition::E2021 {
        return;
    }
    for (place, text) in prose::texts(r) {
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
                Place {
                    key: key(&place),
                    ..Place::default()
                },
                Some(Edition::E2021.notice().into()),
                Some(Edition::E2019.notice().into()),
                format!(
                    "正文引用了{}，2021 年起的报告格式已改为{}",
                    Edition::E2019.notice(),
                    Edition::E2021.notice()
                ),
            );
        }
    }
}

/// Unknown `${…}` references.
fn references(f: &mut Findings, r: &Report) {
    for (place, text) in prose::texts(r) {
        if let Err(e) = refs::expand(text, r, &place) {
            let hint = match &e.suggestion {
                Some(s) => format!("；是不是 ${{{s}}}？"),
                None => String::new(),
            };
            f.push(
                Rule::Reference,
                Place {
                    key: key(&place),
                    ..Place::default()
                },
                e.suggestion.clone(),
                Some(format!("${{{}}}", e.name)),
                format!("引用 ${{{}}} 不指向表格中的任何一个数{hint}", e.name),
            );
        }
    }
}

/// R7: this year's 二、上年结转 = last year's 四、结转下年度继续办理.
fn r7_carried_over(f: &mut Findings, r: &Report, prev: &Loaded) {
    let p = &prev.report;
    if !f.loaded.known("year") || !prev.known("year") {
        return;
    }
    if p.year.0 + 1 != r.year.0 {
        f.push(
            Rule::R7,
            Place {
                key: key("year"),
                ..Place::default()
            },
            Some(format!("{}年度的报告", r.year.0.saturating_sub(1))),
            Some(format!("{}年度的报告（{}）", p.year.0, prev.source.name)),
            format!(
                "--prev 应是{}年度的报告，而 {} 是{}年度的",
                r.year.0.saturating_sub(1),
                prev.source.name,
                p.year.0
            ),
        );
        return;
    }
    let now = r.requests.row(RequestRow::CarriedOver).with_total();
    let then = p.requests.row(RequestRow::CarriedForward).with_total();
    for c in 0..7 {
        if !column_known(f.loaded, [RequestRow::CarriedOver], c)
            || !column_known(prev, [RequestRow::CarriedForward], c)
        {
            continue;
        }
        if now[c] != then[c] {
            let column = request_column(c);
            f.push(
                Rule::R7,
                Place {
                    table: Some(TABLE_3),
                    row: Some(RequestRow::CarriedOver.label().into()),
                    column: Some(column.clone()),
                    key: column_key(RequestRow::CarriedOver, c),
                },
                Some(format!(
                    "{}（{} 的“四、结转下年度继续办理”）",
                    then[c], prev.source.name
                )),
                Some(now[c].to_string()),
                format!(
                    "{column}列：本年上年结转 {} 件，而{}年度报告结转下年度 {} 件，两者应相等",
                    now[c], p.year.0, then[c]
                ),
            );
        }
    }
}

/// R8: 现行有效件数 (N) = 现行有效件数 (N−1) + 本年制发件数 − 本年废止件数 (2021 edition).
fn r8_in_force(f: &mut Findings, r: &Report, prev: &Loaded) {
    let p = &prev.report;
    if r.edition() != Edition::E2021 || p.edition() != Edition::E2021 {
        return;
    }
    let (block, _) = labels::active_row(Edition::E2021, "rules").expect("rules");
    for row in block.rows {
        let path = format!("active.{}", row.key);
        if !f.loaded.known(&path) || !prev.known(&path) {
            continue;
        }
        let (issued, repealed, in_force) = (
            r.active.count(row.key, "issued"),
            r.active.count(row.key, "repealed"),
            r.active.count(row.key, "in_force"),
        );
        let before = p.active.count(row.key, "in_force");
        let expected = (before + issued).checked_sub(repealed);
        if expected != Some(in_force) {
            let expected_text = match expected {
                Some(e) => format!("{before} + {issued} − {repealed} = {e}"),
                None => format!("{before} + {issued} − {repealed}（小于零）"),
            };
            f.push(
                Rule::R8,
                Place {
                    table: Some(TABLE_2),
                    row: Some(format!("{} · {}", block.caption, row.label)),
                    column: Some(block.columns[2].label.into()),
                    key: key(&format!("{path}.in_force")),
                },
                Some(expected_text.clone()),
                Some(in_force.to_string()),
                format!(
                    "{}：现行有效件数应为上年现行有效加本年制发减本年废止，即 {expected_text}，而表中是 {in_force}",
                    row.label
                ),
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
        prose::texts(r)
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let s = similarity(&join(r), &join(p));
    if s >= 0.5 {
        f.push(
            Rule::R11,
            Place {
                key: key("overview"),
                ..Place::default()
            },
            Some("相同程度低于 50%".into()),
            Some(format!("{:.0}%", s * 100.0)),
            format!(
                "正文与上年报告 {:.0}% 相同；评估时照抄上年报告会被扣分",
                s * 100.0
            ),
        );
    }
}
