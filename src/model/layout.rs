//! The layout of the report for an editor: the parts, the basic information
//! and Tables 2–4 with their official labels, keys and merged cells, in printed
//! order — built from the one label table ([`super::labels`]), so the web
//! editor draws its grids from it and never restates a label. Also the values
//! an editor shows but does not let anyone type: the computed totals.

use serde::Serialize;

use super::labels::{
    self, ActiveKind, AppealKind, NamedKey, RequestRow, ACTIVE_CONTENT_HEADER, APPEAL_COLUMNS,
    APPLICANT_COLUMNS, APPLICANT_HEADER, LEGAL_PERSONS_HEADER, LITIGATION_HEADER, OUTCOME_LABEL,
    PART_HEADINGS, PART_KEYS, REQUESTS_NOTE, REQUESTS_TOTAL_ROW, REQUEST_COLUMN_KEYS, TABLE_2,
    TABLE_3, TABLE_4, TITLE_SUFFIX, TOTAL_COLUMN,
};
use super::{Edition, Loaded};

/// Everything an editor needs to lay out a report of one edition.
#[derive(Clone, Debug, Serialize)]
pub struct Layout {
    pub edition: Edition,
    /// The notice that defines the edition.
    pub notice: &'static str,
    /// 基本信息, in the order of the data file.
    pub identity: &'static [NamedKey],
    /// The end of the default title.
    pub title_suffix: &'static str,
    /// The six parts: key and heading (二–四 hold a table).
    pub parts: Vec<PartLayout>,
    pub active: ActiveLayout,
    pub requests: RequestsLayout,
    pub appeals: AppealsLayout,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartLayout {
    pub key: &'static str,
    pub heading: &'static str,
    /// Whether the part is one of the tables (二–四): only paragraphs before it.
    pub table: bool,
}

/// 表二: blocks of rows under a 第二十条第（X）项 caption.
#[derive(Clone, Debug, Serialize)]
pub struct ActiveLayout {
    pub caption: &'static str,
    pub content_header: &'static str,
    pub blocks: Vec<ActiveBlockLayout>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActiveBlockLayout {
    pub caption: &'static str,
    /// Each row is one value (`licensing = 0`), not a table of values.
    pub scalar: bool,
    pub columns: Vec<ActiveColumnLayout>,
    pub rows: Vec<RowLayout>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActiveColumnLayout {
    pub key: &'static str,
    pub label: &'static str,
    /// `count`, `change` (signed) or `amount` (decimals, kept as written).
    pub kind: &'static str,
    /// How many of the three printed value columns the header spans.
    pub span: u8,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowLayout {
    pub key: &'static str,
    pub label: &'static str,
}

/// 表三: the header block and the rows, with the merged label cells.
#[derive(Clone, Debug, Serialize)]
pub struct RequestsLayout {
    pub caption: &'static str,
    pub note: &'static str,
    pub applicant_header: &'static str,
    pub legal_persons_header: &'static str,
    /// The six applicant columns (the first is 自然人; the other five are under
    /// 法人或其他组织).
    pub columns: [&'static str; 6],
    pub total_column: &'static str,
    /// The names of the seven columns in references (`${requests.new.total}`).
    pub column_keys: [&'static str; 7],
    pub outcome_label: &'static str,
    /// How many rows 三、本年度办理结果 spans (with （七）总计).
    pub outcome_rows: usize,
    pub rows: Vec<RequestRowLayout>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RequestRowLayout {
    /// The key in `[requests]`; `total` for （七）总计 (computed).
    pub key: &'static str,
    pub label: &'static str,
    /// `top` (一、二、四), `outcome` (a row of its own under 三), `grouped`
    /// (under a group label such as （三）不予公开), `total` (（七）总计, computed).
    pub kind: &'static str,
    /// The first row under 三、本年度办理结果 (where its merged cell starts).
    pub outcome_first: bool,
    pub group: Option<&'static str>,
    /// The first row of its group (where the group's merged cell starts).
    pub group_first: bool,
    pub group_rows: usize,
}

/// 表四: three groups of four results and a computed 总计.
#[derive(Clone, Debug, Serialize)]
pub struct AppealsLayout {
    pub caption: &'static str,
    pub review_header: &'static str,
    pub litigation_header: &'static str,
    pub columns: [&'static str; 4],
    pub total_column: &'static str,
    pub groups: Vec<AppealGroupLayout>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AppealGroupLayout {
    pub key: &'static str,
    pub header: &'static str,
    pub label: String,
}

fn kind_name(kind: ActiveKind) -> &'static str {
    match kind {
        ActiveKind::Count => "count",
        ActiveKind::Change => "change",
        ActiveKind::Amount => "amount",
    }
}

/// The layout of an edition.
pub fn layout(edition: Edition) -> Layout {
    let parts = PART_KEYS
        .iter()
        .zip(PART_HEADINGS)
        .enumerate()
        .map(|(i, (key, heading))| PartLayout {
            key,
            heading,
            table: (1..=3).contains(&i),
        })
        .collect();
    let blocks = labels::active_blocks(edition)
        .iter()
        .map(|b| {
            let n = b.columns.len().clamp(1, 3);
            ActiveBlockLayout {
                caption: b.caption,
                scalar: b.scalar(),
                columns: b
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ActiveColumnLayout {
                        key: c.key,
                        label: c.label,
                        kind: kind_name(c.kind),
                        span: if i + 1 == n { (3 - (n - 1)) as u8 } else { 1 },
                    })
                    .collect(),
                rows: b
                    .rows
                    .iter()
                    .map(|r| RowLayout {
                        key: r.key,
                        label: r.label,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut rows = Vec::new();
    let mut outcome_rows = 0;
    let mut last_group = None;
    for row in RequestRow::rows_of(edition) {
        if row == RequestRow::CarriedForward {
            rows.push(RequestRowLayout {
                key: "total",
                label: REQUESTS_TOTAL_ROW,
                kind: "total",
                outcome_first: false,
                group: None,
                group_first: false,
                group_rows: 0,
            });
            outcome_rows += 1;
        }
        if !row.is_outcome() {
            rows.push(RequestRowLayout {
                key: row.key(),
                label: row.label(),
                kind: "top",
                outcome_first: false,
                group: None,
                group_first: false,
                group_rows: 0,
            });
            continue;
        }
        let group = row.group();
        let first = group.is_some() && last_group != group;
        if group.is_some() {
            last_group = group;
        }
        rows.push(RequestRowLayout {
            key: row.key(),
            label: row.label(),
            kind: if group.is_some() {
                "grouped"
            } else {
                "outcome"
            },
            outcome_first: outcome_rows == 0,
            group: group.map(|g| g.label()),
            group_first: first,
            group_rows: group.map_or(0, |g| g.rows(edition).len()),
        });
        outcome_rows += 1;
    }
    Layout {
        edition,
        notice: edition.notice(),
        identity: labels::IDENTITY,
        title_suffix: TITLE_SUFFIX,
        parts,
        active: ActiveLayout {
            caption: TABLE_2,
            content_header: ACTIVE_CONTENT_HEADER,
            blocks,
        },
        requests: RequestsLayout {
            caption: TABLE_3,
            note: REQUESTS_NOTE,
            applicant_header: APPLICANT_HEADER,
            legal_persons_header: LEGAL_PERSONS_HEADER,
            columns: APPLICANT_COLUMNS,
            total_column: TOTAL_COLUMN,
            column_keys: REQUEST_COLUMN_KEYS,
            outcome_label: OUTCOME_LABEL,
            outcome_rows,
            rows,
        },
        appeals: AppealsLayout {
            caption: TABLE_4,
            review_header: labels::REVIEW_HEADER,
            litigation_header: LITIGATION_HEADER,
            columns: APPEAL_COLUMNS,
            total_column: TOTAL_COLUMN,
            groups: AppealKind::ALL
                .iter()
                .map(|k| AppealGroupLayout {
                    key: k.key(),
                    header: k.header(),
                    label: k.label(),
                })
                .collect(),
        },
    }
}

/// A value computed from others, as an editor shows it in a cell no one types
/// in: the 总计 column of Tables 3 and 4 and （七）总计.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Computed {
    /// The cell's key path: `requests.new[6]`, `requests.total[2]`, `appeals.review[4]`.
    pub key: String,
    /// The value, or `None` when a value it adds up is missing or bad (a
    /// finding says which).
    pub value: Option<u64>,
}

/// The computed cells of a loaded report.
pub fn computed(loaded: &Loaded) -> Vec<Computed> {
    let report = &loaded.report;
    let edition = report.edition();
    let mut out = Vec::new();
    let known_row = |path: &str, n: usize| (0..n).all(|i| loaded.known(&format!("{path}[{i}]")));
    for row in RequestRow::rows_of(edition) {
        let path = format!("requests.{}", row.key());
        out.push(Computed {
            key: format!("{path}[6]"),
            value: known_row(&path, 6).then(|| report.requests.row(row).total()),
        });
    }
    let total = report.requests.computed_total(edition);
    for (c, value) in total.iter().enumerate() {
        let known = RequestRow::outcome_rows(edition).all(|row| {
            let path = format!("requests.{}", row.key());
            if c < 6 {
                loaded.known(&format!("{path}[{c}]"))
            } else {
                known_row(&path, 6)
            }
        });
        out.push(Computed {
            key: format!("requests.total[{c}]"),
            value: known.then_some(*value),
        });
    }
    for kind in AppealKind::ALL {
        let path = format!("appeals.{}", kind.key());
        out.push(Computed {
            key: format!("{path}[4]"),
            value: known_row(&path, 4).then(|| report.appeals.group(kind).total()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_has_every_row_of_the_label_table() {
        for edition in [Edition::E2021, Edition::E2019] {
            let l = layout(edition);
            let keys: Vec<&str> = l.requests.rows.iter().map(|r| r.key).collect();
            let expected: Vec<&str> = RequestRow::rows_of(edition).map(RequestRow::key).collect();
            assert_eq!(keys.len(), expected.len() + 1, "（七）总计 is added");
            assert_eq!(keys[keys.len() - 2], "total");
            assert_eq!(l.requests.outcome_rows, keys.len() - 3);
            let firsts = l.requests.rows.iter().filter(|r| r.group_first).count();
            let groups = match edition {
                Edition::E2021 => 4,
                Edition::E2019 => 3,
            };
            assert_eq!(firsts, groups, "{edition}");
        }
    }

    #[test]
    fn totals_are_computed_and_unknown_when_a_cell_is_blank() {
        let text = include_str!("../../examples/bianlukou-2023.toml")
            .replace("\nnew = [0, 0, 0, 0, 0, 0]", "\nnew = [5, 1, 0, 0, 0, 2]")
            .replace(
                "\ngranted = [0, 0, 0, 0, 0, 0]",
                "\ngranted = [3, \"\", 0, 0, 0, 0]",
            );
        let loaded = super::super::load_str("t.toml", &text, super::super::Format::Toml).unwrap();
        let c = computed(&loaded);
        let get = |k: &str| c.iter().find(|x| x.key == k).unwrap().value;
        assert_eq!(get("requests.new[6]"), Some(8));
        assert_eq!(get("requests.granted[6]"), None);
        assert_eq!(get("requests.total[0]"), Some(3));
        assert_eq!(get("requests.total[1]"), None);
        assert_eq!(get("appeals.review[4]"), Some(0));
    }
}
