//! The table values a quoted number can stand for: their official labels, their
//! references, and their values — only when R9 can know them.

use crate::model::labels::{
    self, request_column, AppealKind, OutcomeGroup, RequestRow, APPEAL_COLUMNS, APPEAL_COLUMN_KEYS,
    LEGAL_PERSONS_HEADER, LITIGATION_HEADER, REQUESTS_TOTAL_ROW, REQUEST_COLUMN_KEYS, TABLE_2,
    TABLE_3, TABLE_4, TOTAL_COLUMN,
};
use crate::model::{ActiveValue, Edition, Loaded};

/// The column index of 总计 in Table 3 (the six applicant columns come first).
pub(crate) const TOTAL: usize = 6;
/// A column index of Table 3 for 法人或其他组织: the five organisation columns summed.
pub(crate) const ORGANISATIONS: usize = 7;
/// The column index of 总计 in Table 4 (after the four result columns).
pub(crate) const APPEAL_TOTAL: usize = 4;

/// A row of Table 3, or a sum of rows that prose quotes as one number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rows {
    /// One data row (一、二、四, or an outcome row).
    Row(RequestRow),
    /// （七）总计 (computed from the outcome rows).
    Handled,
    /// 一 + 二: every application dealt with this year.
    NewAndCarried,
    /// （一）予以公开 + （二）部分公开.
    GrantedAndPartial,
    /// The rows of one outcome group, （三）–（六）.
    Group(OutcomeGroup),
}

/// A group of Table 4, or both litigation groups together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Appeals {
    Group(AppealKind),
    /// 行政诉讼: 未经复议直接起诉 + 复议后起诉.
    Litigation,
}

/// One value of Tables 2–4 (a cell, or a sum of cells) that a quoted number is
/// compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    /// Table 3: rows, column (0–5 applicant columns, [`TOTAL`], [`ORGANISATIONS`]).
    Request(Rows, usize),
    /// Table 4: group, column (0–3 results, [`APPEAL_TOTAL`]).
    Appeal(Appeals, usize),
    /// Table 2 (2021 edition): row key, column key ("" for a one-value row).
    Active(&'static str, &'static str),
}

/// Table 3's 总计 of a row.
pub(crate) const fn row_total(row: RequestRow) -> Cell {
    Cell::Request(Rows::Row(row), TOTAL)
}

impl Cell {
    /// The table's official caption.
    pub fn table(self) -> &'static str {
        match self {
            Cell::Request(..) => TABLE_3,
            Cell::Appeal(..) => TABLE_4,
            Cell::Active(..) => TABLE_2,
        }
    }

    /// The row by its official label(s).
    pub fn row(self, edition: Edition) -> String {
        match self {
            Cell::Request(rows, _) => match rows {
                Rows::Row(r) => r.full_label(),
                Rows::Handled => REQUESTS_TOTAL_ROW.to_string(),
                Rows::NewAndCarried => format!(
                    "{} + {}",
                    RequestRow::New.label(),
                    RequestRow::CarriedOver.label()
                ),
                Rows::GrantedAndPartial => format!(
                    "{} + {}",
                    RequestRow::Granted.label(),
                    RequestRow::PartiallyGranted.label()
                ),
                Rows::Group(g) => format!("{}（各项之和）", g.label()),
            },
            Cell::Appeal(group, _) => match group {
                Appeals::Group(k) => k.label(),
                Appeals::Litigation => format!(
                    "{LITIGATION_HEADER}（{} + {}）",
                    AppealKind::LitigationDirect.header(),
                    AppealKind::LitigationAfterReview.header()
                ),
            },
            Cell::Active(row, _) => match labels::active_row(edition, row) {
                Some((block, r)) => format!("{} · {}", block.caption, r.label),
                None => row.to_string(),
            },
        }
    }

    /// The column by its official label.
    pub fn column(self, edition: Edition) -> String {
        match self {
            Cell::Request(_, ORGANISATIONS) => LEGAL_PERSONS_HEADER.to_string(),
            Cell::Request(_, c) => request_column(c),
            Cell::Appeal(_, c) => APPEAL_COLUMNS.get(c).unwrap_or(&TOTAL_COLUMN).to_string(),
            Cell::Active(row, column) => labels::active_row(edition, row)
                .and_then(|(block, _)| {
                    block
                        .columns
                        .iter()
                        .find(|c| c.key == column)
                        .map(|c| c.label.to_string())
                })
                .unwrap_or_default(),
        }
    }

    /// "表三“一、本年新收政府信息公开申请数量 · 总计”", for messages.
    pub fn describe(self, edition: Edition) -> String {
        let short = &self.table()[..self.table().find(' ').unwrap_or(0)];
        format!("{short}“{} · {}”", self.row(edition), self.column(edition))
    }

    /// The `${…}` reference that prints this value, when there is one.
    pub fn reference(self) -> Option<String> {
        match self {
            Cell::Request(rows, c) => {
                let row = match rows {
                    Rows::Row(r) => r.key(),
                    Rows::Handled => "total",
                    _ => return None,
                };
                let column = REQUEST_COLUMN_KEYS.get(c)?;
                Some(format!("requests.{row}.{column}"))
            }
            Cell::Appeal(group, c) => {
                let group = match group {
                    Appeals::Group(k) => k.key(),
                    Appeals::Litigation => "litigation",
                };
                Some(format!("appeals.{group}.{}", APPEAL_COLUMN_KEYS[c]))
            }
            Cell::Active(row, "") => Some(format!("active.{row}")),
            Cell::Active(row, column) => Some(format!("active.{row}.{column}")),
        }
    }

    /// The value, when every cell it is made of was read (a blank or bad cell is
    /// already an R5/R6 finding). A total whose cells are not all known is the
    /// printed total, when the data gives one and it was read.
    pub fn value(self, loaded: &Loaded) -> Option<f64> {
        let r = &loaded.report;
        let edition = r.edition();
        match self {
            Cell::Request(rows, c) => match rows {
                Rows::Row(row) => request_row(loaded, row, c),
                Rows::Handled => {
                    let known = RequestRow::outcome_rows(edition)
                        .all(|row| columns_known(loaded, &format!("requests.{}", row.key()), c));
                    if known {
                        return Some(pick(r.requests.computed_total(edition), c) as f64);
                    }
                    let given = r.requests.given_total?;
                    let printed = given_cell(&given.counts, given.given_total, c)?;
                    columns_known(loaded, "requests.total", c).then_some(printed as f64)
                }
                Rows::NewAndCarried => Some(
                    request_row(loaded, RequestRow::New, c)?
                        + request_row(loaded, RequestRow::CarriedOver, c)?,
                ),
                Rows::GrantedAndPartial => Some(
                    request_row(loaded, RequestRow::Granted, c)?
                        + request_row(loaded, RequestRow::PartiallyGranted, c)?,
                ),
                Rows::Group(g) => g
                    .rows(edition)
                    .iter()
                    .map(|&row| request_row(loaded, row, c))
                    .sum(),
            },
            Cell::Appeal(group, c) => match group {
                Appeals::Group(k) => appeal_group(loaded, k, c),
                Appeals::Litigation => Some(
                    appeal_group(loaded, AppealKind::LitigationDirect, c)?
                        + appeal_group(loaded, AppealKind::LitigationAfterReview, c)?,
                ),
            },
            Cell::Active(row, column) => {
                let path = if column.is_empty() {
                    format!("active.{row}")
                } else {
                    format!("active.{row}.{column}")
                };
                if edition != Edition::E2021 || !loaded.known(&path) {
                    return None;
                }
                match r.active.value(row, column)? {
                    ActiveValue::Count(n) => Some(n.0 as f64),
                    ActiveValue::Amount(a) => a.as_str().parse().ok(),
                    ActiveValue::Change(_) => None,
                }
            }
        }
    }

    /// The total the table prints, when the data gives one and it differs from
    /// the value (R2, R3 or R4 then reports the table's own error).
    pub fn printed_total(self, loaded: &Loaded) -> Option<f64> {
        let r = &loaded.report;
        let value = self.value(loaded)?;
        let printed = match self {
            Cell::Request(Rows::Row(row), TOTAL) => {
                let given = r.requests.rows.get(&row)?.given_total?;
                loaded
                    .known(&format!("requests.{}[{TOTAL}]", row.key()))
                    .then_some(given.0)?
            }
            Cell::Request(Rows::Handled, c) if c <= TOTAL => {
                let given = r.requests.given_total?;
                let printed = given_cell(&given.counts, given.given_total, c)?;
                loaded
                    .known(&format!("requests.total[{c}]"))
                    .then_some(printed)?
            }
            Cell::Appeal(Appeals::Group(k), APPEAL_TOTAL) => printed_appeal_total(loaded, k)?,
            Cell::Appeal(Appeals::Litigation, APPEAL_TOTAL) => {
                let direct = printed_appeal_total(loaded, AppealKind::LitigationDirect)
                    .unwrap_or(r.appeals.litigation_direct.total());
                let after = printed_appeal_total(loaded, AppealKind::LitigationAfterReview)
                    .unwrap_or(r.appeals.litigation_after_review.total());
                direct + after
            }
            _ => return None,
        } as f64;
        (printed != value).then_some(printed)
    }
}

/// Whether the cells a Table 3 row's column is made of were read.
fn columns_known(loaded: &Loaded, path: &str, c: usize) -> bool {
    let cells = match c {
        TOTAL => 0..TOTAL,
        ORGANISATIONS => 1..TOTAL,
        c => c..c + 1,
    };
    cells
        .into_iter()
        .all(|i| loaded.known(&format!("{path}[{i}]")))
}

/// Column `c` of a Table 3 row's seven printed numbers.
fn pick(row: [u64; 7], c: usize) -> u64 {
    match c {
        ORGANISATIONS => row[1..TOTAL].iter().sum(),
        c => row[c],
    }
}

/// Column `c` of a printed row (the organisations are summed; the total is
/// the printed one, if any).
fn given_cell(
    counts: &[crate::model::Count; 6],
    total: Option<crate::model::Count>,
    c: usize,
) -> Option<u64> {
    match c {
        TOTAL => total.map(|t| t.0),
        ORGANISATIONS => Some(counts[1..].iter().map(|c| c.0).sum()),
        c => Some(counts[c].0),
    }
}

fn request_row(loaded: &Loaded, row: RequestRow, c: usize) -> Option<f64> {
    let r = &loaded.report;
    if !row.in_edition(r.edition()) {
        return None;
    }
    let path = format!("requests.{}", row.key());
    if columns_known(loaded, &path, c) {
        return Some(pick(r.requests.row(row).with_total(), c) as f64);
    }
    // The printed 总计 of a row whose applicant columns are blank.
    let given = r.requests.rows.get(&row)?.given_total?;
    (c == TOTAL && loaded.known(&format!("{path}[{TOTAL}]"))).then_some(given.0 as f64)
}

fn appeal_group(loaded: &Loaded, kind: AppealKind, c: usize) -> Option<f64> {
    let path = format!("appeals.{}", kind.key());
    let group = loaded.report.appeals.group(kind);
    let known = |i: usize| loaded.known(&format!("{path}[{i}]"));
    if c < APPEAL_TOTAL {
        return known(c).then_some(group.counts[c].0 as f64);
    }
    if (0..APPEAL_TOTAL).all(known) {
        return Some(group.total() as f64);
    }
    group
        .given_total
        .filter(|_| known(APPEAL_TOTAL))
        .map(|t| t.0 as f64)
}

fn printed_appeal_total(loaded: &Loaded, kind: AppealKind) -> Option<u64> {
    let given = loaded.report.appeals.group(kind).given_total?;
    loaded
        .known(&format!("appeals.{}[{APPEAL_TOTAL}]", kind.key()))
        .then_some(given.0)
}
