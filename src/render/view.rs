//! The view of a report that the templates see: every label, number and
//! paragraph in printed order, totals computed, numbering applied.

use serde::Serialize;

use crate::model::{
    ActiveTable, AppealKind, Report, RequestRow, Section, APPEAL_COLUMNS, APPLICANT_COLUMNS,
};
use crate::typeset::Role;

/// The six part headings (both editions).
pub const PART_HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

/// The note printed in Table 3's top-left header block.
pub const REQUESTS_NOTE: &str =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

/// A piece of text as printed, with its place in the report and its font role
/// (for the coverage check and for messages).
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    /// Where it is: a key path (`overview.items[1].paragraphs[0]`) or a table cell.
    pub place: String,
    pub role: Role,
    pub text: String,
}

#[derive(Serialize)]
pub struct ReportView {
    pub version: &'static str,
    pub meta: Meta,
    pub title_lines: Vec<String>,
    pub preamble: Vec<String>,
    pub headings: [&'static str; 6],
    pub overview: SectionView,
    pub active: ActiveView,
    pub requests: RequestsView,
    pub appeals: AppealsView,
    pub problems: SectionView,
    pub other: SectionView,
    pub signature: Option<SignatureView>,
    #[serde(skip)]
    pub runs: Vec<TextRun>,
}

#[derive(Serialize)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub keywords: Vec<String>,
    pub description: String,
}

#[derive(Serialize)]
pub struct SectionView {
    pub paragraphs: Vec<String>,
    pub items: Vec<ItemView>,
}

#[derive(Serialize)]
pub struct ItemView {
    pub level: u8,
    pub number: String,
    pub title: String,
    pub run_in: bool,
    pub paragraphs: Vec<String>,
    pub items: Vec<ItemView>,
}

#[derive(Serialize)]
pub struct ActiveView {
    pub paragraphs: Vec<String>,
    pub blocks: Vec<ActiveBlock>,
}

#[derive(Serialize)]
pub struct ActiveBlock {
    pub caption: String,
    pub header: Vec<HeaderCell>,
    pub rows: Vec<ActiveRow>,
}

#[derive(Serialize)]
pub struct HeaderCell {
    pub text: String,
    pub span: u8,
}

#[derive(Serialize)]
pub struct ActiveRow {
    pub label: String,
    /// Numbers, or amounts as text (fees keep their exact digits).
    pub values: Vec<serde_json::Value>,
}

#[derive(Serialize)]
pub struct RequestsView {
    pub paragraphs: Vec<String>,
    pub note: &'static str,
    pub applicant: &'static str,
    pub legal_persons: &'static str,
    pub columns: [&'static str; 6],
    pub total: &'static str,
    pub outcome_label: &'static str,
    pub outcome_rows: usize,
    pub rows: Vec<RequestRowView>,
}

#[derive(Serialize)]
pub struct RequestRowView {
    /// "top" (一、二、四), "outcome" (（一）（二）（七）) or "grouped" (（三）–（六） items).
    pub kind: &'static str,
    pub label: String,
    #[serde(rename = "outcome-first", skip_serializing_if = "std::ops::Not::not")]
    pub outcome_first: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'static str>,
    #[serde(rename = "group-first", skip_serializing_if = "Option::is_none")]
    pub group_first: Option<bool>,
    #[serde(rename = "group-rows", skip_serializing_if = "Option::is_none")]
    pub group_rows: Option<usize>,
    pub values: [u64; 7],
}

#[derive(Serialize)]
pub struct AppealsView {
    pub paragraphs: Vec<String>,
    pub review: &'static str,
    pub litigation: &'static str,
    pub direct: &'static str,
    pub after_review: &'static str,
    pub results: [&'static str; 4],
    pub total: &'static str,
    pub values: Vec<u64>,
}

#[derive(Serialize)]
pub struct SignatureView {
    pub agency: String,
    pub date: String,
    pub seal: Option<String>,
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
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!(
            "十{}",
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

/// Breaks a title into lines at sensible points: the agency on one line, the rest below.
pub fn title_lines(report: &Report) -> Vec<String> {
    let title = report.title();
    match title.strip_prefix(report.agency.as_str()) {
        Some(rest) if !rest.is_empty() && !report.agency.is_empty() => {
            vec![report.agency.clone(), rest.to_string()]
        }
        _ => vec![title],
    }
}

struct Runs(Vec<TextRun>);

impl Runs {
    fn push(&mut self, place: impl Into<String>, role: Role, text: &str) {
        self.0.push(TextRun {
            place: place.into(),
            role,
            text: text.to_string(),
        });
    }
}

fn section_view(key: &str, section: &Section, runs: &mut Runs) -> SectionView {
    for (i, p) in section.paragraphs.iter().enumerate() {
        runs.push(format!("{key}.paragraphs[{i}]"), Role::Body, p);
    }
    SectionView {
        paragraphs: section.paragraphs.clone(),
        items: items_view(key, &section.items, 2, runs),
    }
}

fn items_view(
    key: &str,
    items: &[crate::model::Item],
    level: u8,
    runs: &mut Runs,
) -> Vec<ItemView> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let key = format!("{key}.items[{i}]");
            let title_role = if level == 2 {
                Role::Heading2
            } else {
                Role::Body
            };
            let number = item_number(level, i);
            runs.push(
                format!("{key}.title"),
                title_role,
                &format!("{number}{}", item.title),
            );
            for (j, p) in item.paragraphs.iter().enumerate() {
                runs.push(format!("{key}.paragraphs[{j}]"), Role::Body, p);
            }
            ItemView {
                level,
                number,
                title: item.title.clone(),
                run_in: item.run_in,
                paragraphs: item.paragraphs.clone(),
                items: items_view(&key, &item.items, (level + 1).min(4), runs),
            }
        })
        .collect()
}

impl ReportView {
    /// Prepares everything the templates print. `seal` is the virtual path of the
    /// seal image in the Typst world, when there is one.
    pub fn new(report: &Report, seal: Option<&str>) -> ReportView {
        let edition = report.edition();
        let mut runs = Runs(Vec::new());
        let title = report.title();
        let title_lines = title_lines(report);
        for line in &title_lines {
            runs.push("title", Role::Title, line);
        }
        for (i, p) in report.preamble.iter().enumerate() {
            runs.push(format!("preamble[{i}]"), Role::Body, p);
        }
        for h in PART_HEADINGS {
            runs.push("part heading", Role::Heading1, h);
        }

        let overview = section_view("overview", &report.overview, &mut runs);

        // Table 2.
        let ActiveTable::E2021(active) = &report.active;
        for (i, p) in active.paragraphs.iter().enumerate() {
            runs.push(format!("active.paragraphs[{i}]"), Role::Body, p);
        }
        let counts = |d: &crate::model::DocumentCounts| {
            vec![d.issued.0.into(), d.repealed.0.into(), d.in_force.0.into()]
        };
        let header_one = |second: &str| {
            vec![
                HeaderCell {
                    text: "信息内容".into(),
                    span: 1,
                },
                HeaderCell {
                    text: second.into(),
                    span: 3,
                },
            ]
        };
        let active_view = ActiveView {
            paragraphs: active.paragraphs.clone(),
            blocks: vec![
                ActiveBlock {
                    caption: "第二十条第（一）项".into(),
                    header: ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
                        .iter()
                        .map(|t| HeaderCell {
                            text: t.to_string(),
                            span: 1,
                        })
                        .collect(),
                    rows: vec![
                        ActiveRow {
                            label: "规章".into(),
                            values: counts(&active.rules),
                        },
                        ActiveRow {
                            label: "行政规范性文件".into(),
                            values: counts(&active.normative_documents),
                        },
                    ],
                },
                ActiveBlock {
                    caption: "第二十条第（五）项".into(),
                    header: header_one("本年处理决定数量"),
                    rows: vec![ActiveRow {
                        label: "行政许可".into(),
                        values: vec![active.licensing.0.into()],
                    }],
                },
                ActiveBlock {
                    caption: "第二十条第（六）项".into(),
                    header: header_one("本年处理决定数量"),
                    rows: vec![
                        ActiveRow {
                            label: "行政处罚".into(),
                            values: vec![active.penalties.0.into()],
                        },
                        ActiveRow {
                            label: "行政强制".into(),
                            values: vec![active.coercive_measures.0.into()],
                        },
                    ],
                },
                ActiveBlock {
                    caption: "第二十条第（八）项".into(),
                    header: header_one("本年收费金额（单位：万元）"),
                    rows: vec![ActiveRow {
                        label: "行政事业性收费".into(),
                        values: vec![active.fees.as_str().into()],
                    }],
                },
            ],
        };
        for b in &active_view.blocks {
            runs.push("Table 2", Role::Table, &b.caption);
            for h in &b.header {
                runs.push("Table 2", Role::Table, &h.text);
            }
            for r in &b.rows {
                runs.push("Table 2", Role::Table, &r.label);
            }
        }

        // Table 3.
        let requests = &report.requests;
        for (i, p) in requests.paragraphs.iter().enumerate() {
            runs.push(format!("requests.paragraphs[{i}]"), Role::Body, p);
        }
        let mut rows = Vec::new();
        let mut outcome_rows = 0;
        let mut last_group = None;
        for row in RequestRow::rows_of(edition) {
            let values = requests.row(row).with_total();
            match row.group() {
                None if matches!(
                    row,
                    RequestRow::New | RequestRow::CarriedOver | RequestRow::CarriedForward
                ) =>
                {
                    if row == RequestRow::CarriedForward {
                        rows.push(RequestRowView {
                            kind: "outcome",
                            label: "（七）总计".into(),
                            outcome_first: false,
                            group: None,
                            group_first: None,
                            group_rows: None,
                            values: requests.computed_total(edition),
                        });
                        outcome_rows += 1;
                    }
                    rows.push(RequestRowView {
                        kind: "top",
                        label: row.label().into(),
                        outcome_first: false,
                        group: None,
                        group_first: None,
                        group_rows: None,
                        values,
                    });
                }
                Some(group) if row != RequestRow::Other => {
                    let first = last_group != Some(group);
                    last_group = Some(group);
                    rows.push(RequestRowView {
                        kind: "grouped",
                        label: row.label().into(),
                        outcome_first: outcome_rows == 0,
                        group: Some(group.label()),
                        group_first: Some(first),
                        group_rows: Some(group.rows(edition).len()),
                        values,
                    });
                    outcome_rows += 1;
                }
                _ => {
                    rows.push(RequestRowView {
                        kind: "outcome",
                        label: row.label().into(),
                        outcome_first: outcome_rows == 0,
                        group: None,
                        group_first: None,
                        group_rows: None,
                        values,
                    });
                    outcome_rows += 1;
                }
            }
        }
        let requests_view = RequestsView {
            paragraphs: requests.paragraphs.clone(),
            note: REQUESTS_NOTE,
            applicant: "申请人情况",
            legal_persons: "法人或其他组织",
            columns: APPLICANT_COLUMNS,
            total: "总计",
            outcome_label: "三、本年度办理结果",
            outcome_rows,
            rows,
        };
        for text in [
            REQUESTS_NOTE,
            "申请人情况",
            "法人或其他组织",
            "总计",
            "三、本年度办理结果",
        ]
        .into_iter()
        .chain(APPLICANT_COLUMNS)
        {
            runs.push("Table 3 header", Role::Table, text);
        }
        for r in &requests_view.rows {
            runs.push(format!("Table 3 row {}", r.label), Role::Table, &r.label);
            if let (Some(g), Some(true)) = (r.group, r.group_first) {
                runs.push("Table 3", Role::Table, g);
            }
        }

        // Table 4.
        let appeals = &report.appeals;
        for (i, p) in appeals.paragraphs.iter().enumerate() {
            runs.push(format!("appeals.paragraphs[{i}]"), Role::Body, p);
        }
        let appeals_view = AppealsView {
            paragraphs: appeals.paragraphs.clone(),
            review: AppealKind::Review.label(),
            litigation: "行政诉讼",
            direct: "未经复议直接起诉",
            after_review: "复议后起诉",
            results: APPEAL_COLUMNS,
            total: "总计",
            values: appeals.printed_row(),
        };
        for text in [
            "行政复议",
            "行政诉讼",
            "未经复议直接起诉",
            "复议后起诉",
            "总计",
        ]
        .into_iter()
        .chain(APPEAL_COLUMNS)
        {
            runs.push("Table 4 header", Role::Table, text);
        }

        let problems = section_view("problems", &report.problems, &mut runs);
        let other = section_view("other", &report.other, &mut runs);

        let signature = report.date.map(|date| {
            runs.push("signature", Role::Body, &report.agency);
            runs.push("date", Role::Body, &date.chinese());
            SignatureView {
                agency: report.agency.clone(),
                date: date.chinese(),
                seal: seal.map(str::to_string),
            }
        });

        // Digits of the page numbers.
        runs.push("page number", Role::PageNumber, "— 0123456789 —");

        ReportView {
            version: env!("CARGO_PKG_VERSION"),
            meta: Meta {
                title: title.clone(),
                author: report.agency.clone(),
                keywords: vec![
                    report.agency.clone(),
                    format!("{}年", report.year.0),
                    "政府信息公开工作年度报告".into(),
                ],
                description: format!(
                    "{}{}年政府信息公开工作年度报告（{}格式）",
                    report.agency,
                    report.year.0,
                    edition.notice()
                ),
            },
            title_lines,
            preamble: report.preamble.clone(),
            headings: PART_HEADINGS,
            overview,
            active: active_view,
            requests: requests_view,
            appeals: appeals_view,
            problems,
            other,
            signature,
            runs: runs.0,
        }
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
}
