//! The data of the three fixed tables. Their labels, keys and shapes are in
//! [`super::labels`]; these types hold the numbers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::labels::{self, ActiveKind, AppealKind, RequestRow};
use super::values::{Amount, Count, Edition};

// ---------------------------------------------------------------------------
// Table 2 — 二、主动公开政府信息情况
// ---------------------------------------------------------------------------

/// A value of Table 2.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActiveValue {
    /// A count (件, 个).
    Count(Count),
    /// 本年增/减 (2019): a signed whole number.
    Change(i64),
    /// An amount (万元 or 元), kept as written.
    Amount(Amount),
}

impl ActiveValue {
    /// The zero of a kind of value.
    pub fn zero(kind: ActiveKind) -> ActiveValue {
        match kind {
            ActiveKind::Count => ActiveValue::Count(Count(0)),
            ActiveKind::Change => ActiveValue::Change(0),
            ActiveKind::Amount => ActiveValue::Amount(Amount::zero()),
        }
    }

    /// The value as printed.
    pub fn printed(&self) -> String {
        match self {
            ActiveValue::Count(c) => c.to_string(),
            ActiveValue::Change(c) => c.to_string(),
            ActiveValue::Amount(a) => a.to_string(),
        }
    }

    /// The value as a count, if it is one.
    pub fn count(&self) -> Option<u64> {
        match self {
            ActiveValue::Count(c) => Some(c.0),
            _ => None,
        }
    }
}

impl Serialize for ActiveValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ActiveValue::Count(c) => c.serialize(s),
            ActiveValue::Change(c) => c.serialize(s),
            ActiveValue::Amount(a) => a.serialize(s),
        }
    }
}

/// Table 2 (主动公开政府信息情况) in either edition: each row's values in the
/// order of its block's columns ([`labels::active_blocks`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveTable {
    pub edition: Edition,
    /// Paragraphs printed after the section heading, before the table.
    pub paragraphs: Vec<String>,
    /// Values by row key (`rules`), in column order.
    pub rows: BTreeMap<&'static str, Vec<ActiveValue>>,
}

impl ActiveTable {
    /// The table with every value zero.
    pub fn zeros(edition: Edition) -> ActiveTable {
        let mut rows = BTreeMap::new();
        for block in labels::active_blocks(edition) {
            for row in block.rows {
                rows.insert(
                    row.key,
                    block
                        .columns
                        .iter()
                        .map(|c| ActiveValue::zero(c.kind))
                        .collect(),
                );
            }
        }
        ActiveTable {
            edition,
            paragraphs: Vec::new(),
            rows,
        }
    }

    pub fn paragraphs(&self) -> &[String] {
        &self.paragraphs
    }

    /// The value of a row (`rules`) in a column (`issued`; "" for a one-value row).
    pub fn value(&self, row: &str, column: &str) -> Option<&ActiveValue> {
        let (block, _) = labels::active_row(self.edition, row)?;
        let i = block.columns.iter().position(|c| c.key == column)?;
        self.rows.get(row)?.get(i)
    }

    /// A count by row and column; 0 when the table has no such count.
    pub fn count(&self, row: &str, column: &str) -> u64 {
        self.value(row, column)
            .and_then(ActiveValue::count)
            .unwrap_or(0)
    }
}

impl Serialize for ActiveTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct RowTable<'a>(&'a [labels::ActiveColumn], &'a [ActiveValue]);
        impl Serialize for RowTable<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (c, v) in self.0.iter().zip(self.1) {
                    map.serialize_entry(c.key, v)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(None)?;
        // Always written (even empty), as nianbao 0.1 wrote it: archival copies
        // carry this JSON, and the same data must give the same bytes.
        map.serialize_entry("paragraphs", &self.paragraphs)?;
        for block in labels::active_blocks(self.edition) {
            for row in block.rows {
                let Some(values) = self.rows.get(row.key) else {
                    continue;
                };
                if block.scalar() {
                    if let Some(v) = values.first() {
                        map.serialize_entry(row.key, v)?;
                    }
                } else {
                    map.serialize_entry(row.key, &RowTable(block.columns, values))?;
                }
            }
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------
// Table 3 — 三、收到和处理政府信息公开申请情况
// ---------------------------------------------------------------------------

/// One row of Table 3: the six applicant columns, and the 总计 if the data gives it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApplicantRow {
    /// 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他.
    pub counts: [Count; 6],
    /// The 7th number, 总计, when the data gives it (checked by R3).
    pub given_total: Option<Count>,
}

impl ApplicantRow {
    /// 总计: the sum of the six applicant columns.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|c| c.0).sum()
    }

    /// The seven printed numbers: six columns and the computed total.
    pub fn with_total(&self) -> [u64; 7] {
        let c = self.counts;
        [c[0].0, c[1].0, c[2].0, c[3].0, c[4].0, c[5].0, self.total()]
    }
}

impl Serialize for ApplicantRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v: Vec<Count> = self.counts.to_vec();
        v.extend(self.given_total);
        v.serialize(s)
    }
}

/// Table 3 (收到和处理政府信息公开申请情况): rows by key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestsTable {
    pub paragraphs: Vec<String>,
    pub rows: BTreeMap<RequestRow, ApplicantRow>,
    /// （七）总计 as given in the data (checked by R2), if given.
    pub given_total: Option<ApplicantRow>,
}

impl RequestsTable {
    /// A row's numbers; a row the data lacks counts as zeros (and is an R6 finding).
    pub fn row(&self, row: RequestRow) -> ApplicantRow {
        self.rows.get(&row).copied().unwrap_or_default()
    }

    /// （七）总计, computed per column from the outcome rows.
    pub fn computed_total(&self, edition: Edition) -> [u64; 7] {
        let mut sum = [0u64; 7];
        for r in RequestRow::outcome_rows(edition) {
            for (s, v) in sum.iter_mut().zip(self.row(r).with_total()) {
                *s += v;
            }
        }
        sum
    }
}

impl Serialize for RequestsTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        if !self.paragraphs.is_empty() {
            map.serialize_entry("paragraphs", &self.paragraphs)?;
        }
        for (row, values) in &self.rows {
            if *row == RequestRow::CarriedForward {
                continue;
            }
            map.serialize_entry(row.key(), values)?;
        }
        if let Some(t) = &self.given_total {
            map.serialize_entry("total", t)?;
        }
        if let Some(v) = self.rows.get(&RequestRow::CarriedForward) {
            map.serialize_entry(RequestRow::CarriedForward.key(), v)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------
// Table 4 — 四、政府信息公开行政复议、行政诉讼情况
// ---------------------------------------------------------------------------

/// One group of Table 4: 结果维持 · 结果纠正 · 其他结果 · 尚未审结 (and the given 总计).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppealGroup {
    pub counts: [Count; 4],
    pub given_total: Option<Count>,
}

impl AppealGroup {
    /// 总计: the sum of the four result columns.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|c| c.0).sum()
    }

    pub fn with_total(&self) -> [u64; 5] {
        let c = self.counts;
        [c[0].0, c[1].0, c[2].0, c[3].0, self.total()]
    }
}

impl Serialize for AppealGroup {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v: Vec<Count> = self.counts.to_vec();
        v.extend(self.given_total);
        v.serialize(s)
    }
}

/// Table 4 (政府信息公开行政复议、行政诉讼情况).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AppealsTable {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    /// 行政复议
    pub review: AppealGroup,
    /// 行政诉讼 · 未经复议直接起诉
    pub litigation_direct: AppealGroup,
    /// 行政诉讼 · 复议后起诉
    pub litigation_after_review: AppealGroup,
}

impl AppealsTable {
    pub fn group(&self, kind: AppealKind) -> &AppealGroup {
        match kind {
            AppealKind::Review => &self.review,
            AppealKind::LitigationDirect => &self.litigation_direct,
            AppealKind::LitigationAfterReview => &self.litigation_after_review,
        }
    }

    pub fn group_mut(&mut self, kind: AppealKind) -> &mut AppealGroup {
        match kind {
            AppealKind::Review => &mut self.review,
            AppealKind::LitigationDirect => &mut self.litigation_direct,
            AppealKind::LitigationAfterReview => &mut self.litigation_after_review,
        }
    }

    /// The 15 printed numbers, left to right.
    pub fn printed_row(&self) -> Vec<u64> {
        AppealKind::ALL
            .iter()
            .flat_map(|k| self.group(*k).with_total())
            .collect()
    }
}
