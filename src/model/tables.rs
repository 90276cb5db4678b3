//! The three fixed tables of the national format, with their official labels.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::values::{Amount, Count, Edition};

// ---------------------------------------------------------------------------
// Table 2 — 二、主动公开政府信息情况
// ---------------------------------------------------------------------------

/// Table 2 (主动公开政府信息情况), by edition.
///
/// Only the 2021 edition is read today; the 2019 edition (different columns and
/// rows, see the format spec) becomes a second variant.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ActiveTable {
    E2021(Active2021),
}

/// Table 2 in the 2021 edition.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Active2021 {
    /// Paragraphs printed after the section heading, before the table.
    #[serde(default)]
    pub paragraphs: Vec<String>,
    /// 规章 (第二十条第（一）项).
    pub rules: DocumentCounts,
    /// 行政规范性文件 (第二十条第（一）项).
    pub normative_documents: DocumentCounts,
    /// 行政许可 · 本年处理决定数量 (第二十条第（五）项).
    pub licensing: Count,
    /// 行政处罚 · 本年处理决定数量 (第二十条第（六）项).
    pub penalties: Count,
    /// 行政强制 · 本年处理决定数量 (第二十条第（六）项).
    pub coercive_measures: Count,
    /// 行政事业性收费 · 本年收费金额（单位：万元） (第二十条第（八）项).
    pub fees: Amount,
}

/// One row of 第二十条第（一）项 (2021): 本年制发件数 · 本年废止件数 · 现行有效件数.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentCounts {
    /// 本年制发件数
    pub issued: Count,
    /// 本年废止件数
    pub repealed: Count,
    /// 现行有效件数
    pub in_force: Count,
}

impl ActiveTable {
    pub fn paragraphs(&self) -> &[String] {
        match self {
            ActiveTable::E2021(t) => &t.paragraphs,
        }
    }
}

// ---------------------------------------------------------------------------
// Table 3 — 三、收到和处理政府信息公开申请情况
// ---------------------------------------------------------------------------

/// The applicant columns of Table 3, in printed order (总计 is computed).
pub const APPLICANT_COLUMNS: [&str; 6] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
];

/// The label of the computed column of Table 3.
pub const TOTAL_COLUMN: &str = "总计";

macro_rules! request_rows {
    ($( $variant:ident = $key:literal, $label:literal, $editions:expr; )*) => {
        /// A data row of Table 3, by its key in the data file.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RequestRow { $( $variant, )* }

        impl RequestRow {
            /// Every row any edition knows, in printed order.
            pub const ALL: &'static [RequestRow] = &[ $( RequestRow::$variant, )* ];

            /// The key in the data file (`requests.<key>`).
            pub fn key(self) -> &'static str {
                match self { $( RequestRow::$variant => $key, )* }
            }

            /// The official label, as printed in the row's last label cell.
            pub fn label(self) -> &'static str {
                match self { $( RequestRow::$variant => $label, )* }
            }

            fn editions(self) -> &'static [Edition] {
                match self { $( RequestRow::$variant => $editions, )* }
            }

            pub fn from_key(key: &str) -> Option<RequestRow> {
                match key { $( $key => Some(RequestRow::$variant), )* _ => None }
            }
        }
    };
}

const BOTH: &[Edition] = &[Edition::E2019, Edition::E2021];
const ONLY_2021: &[Edition] = &[Edition::E2021];
const ONLY_2019: &[Edition] = &[Edition::E2019];

request_rows! {
    New = "new", "一、本年新收政府信息公开申请数量", BOTH;
    CarriedOver = "carried_over", "二、上年结转政府信息公开申请数量", BOTH;
    Granted = "granted", "（一）予以公开", BOTH;
    PartiallyGranted = "partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", BOTH;
    DeniedStateSecret = "denied_state_secret", "1.属于国家秘密", BOTH;
    DeniedProhibitedByLaw = "denied_prohibited_by_law", "2.其他法律行政法规禁止公开", BOTH;
    DeniedSecurityStability = "denied_security_stability", "3.危及“三安全一稳定”", BOTH;
    DeniedThirdPartyRights = "denied_third_party_rights", "4.保护第三方合法权益", BOTH;
    DeniedInternalAffairs = "denied_internal_affairs", "5.属于三类内部事务信息", BOTH;
    DeniedProcessInformation = "denied_process_information", "6.属于四类过程性信息", BOTH;
    DeniedEnforcementFiles = "denied_enforcement_files", "7.属于行政执法案卷", BOTH;
    DeniedQueryMatters = "denied_query_matters", "8.属于行政查询事项", BOTH;
    UnableNotHeld = "unable_not_held", "1.本机关不掌握相关政府信息", BOTH;
    UnableNeedsCreation = "unable_needs_creation", "2.没有现成信息需要另行制作", BOTH;
    UnableStillUnclear = "unable_still_unclear", "3.补正后申请内容仍不明确", BOTH;
    RejectedPetitions = "rejected_petitions", "1.信访举报投诉类申请", BOTH;
    RejectedRepeated = "rejected_repeated", "2.重复申请", BOTH;
    RejectedPublications = "rejected_publications", "3.要求提供公开出版物", BOTH;
    RejectedExcessive = "rejected_excessive", "4.无正当理由大量反复申请", BOTH;
    RejectedConfirmation = "rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", BOTH;
    OtherNoCorrection = "other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ONLY_2021;
    OtherUnpaidFees = "other_unpaid_fees", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ONLY_2021;
    OtherOther = "other_other", "3.其他", ONLY_2021;
    Other = "other", "（六）其他处理", ONLY_2019;
    CarriedForward = "carried_forward", "四、结转下年度继续办理", BOTH;
}

/// The groups of Table 3's rows under 三、本年度办理结果.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeGroup {
    /// （三）不予公开
    Denied,
    /// （四）无法提供
    Unable,
    /// （五）不予处理
    Rejected,
    /// （六）其他处理
    Other,
}

impl OutcomeGroup {
    pub fn label(self) -> &'static str {
        match self {
            OutcomeGroup::Denied => "（三）不予公开",
            OutcomeGroup::Unable => "（四）无法提供",
            OutcomeGroup::Rejected => "（五）不予处理",
            OutcomeGroup::Other => "（六）其他处理",
        }
    }

    pub fn rows(self, edition: Edition) -> &'static [RequestRow] {
        use RequestRow::*;
        match self {
            OutcomeGroup::Denied => &[
                DeniedStateSecret,
                DeniedProhibitedByLaw,
                DeniedSecurityStability,
                DeniedThirdPartyRights,
                DeniedInternalAffairs,
                DeniedProcessInformation,
                DeniedEnforcementFiles,
                DeniedQueryMatters,
            ],
            OutcomeGroup::Unable => &[UnableNotHeld, UnableNeedsCreation, UnableStillUnclear],
            OutcomeGroup::Rejected => &[
                RejectedPetitions,
                RejectedRepeated,
                RejectedPublications,
                RejectedExcessive,
                RejectedConfirmation,
            ],
            OutcomeGroup::Other => match edition {
                Edition::E2021 => &[OtherNoCorrection, OtherUnpaidFees, OtherOther],
                Edition::E2019 => &[Other],
            },
        }
    }
}

impl RequestRow {
    /// Whether the row belongs to the given edition's table.
    pub fn in_edition(self, edition: Edition) -> bool {
        self.editions().contains(&edition)
    }

    /// The rows of an edition's table, in printed order (without （七）总计).
    pub fn rows_of(edition: Edition) -> impl Iterator<Item = RequestRow> {
        RequestRow::ALL
            .iter()
            .copied()
            .filter(move |r| r.in_edition(edition))
    }

    /// The rows that add up to （七）总计 (R2).
    pub fn outcome_rows(edition: Edition) -> impl Iterator<Item = RequestRow> {
        RequestRow::rows_of(edition).filter(|r| {
            !matches!(
                r,
                RequestRow::New | RequestRow::CarriedOver | RequestRow::CarriedForward
            )
        })
    }

    /// The label with its group, for messages: "（三）不予公开 1.属于国家秘密".
    pub fn full_label(self) -> String {
        match self.group() {
            Some(g) if self != RequestRow::Other => format!("{} {}", g.label(), self.label()),
            _ => self.label().to_string(),
        }
    }

    /// The group under 三、本年度办理结果 the row is printed in, if any.
    pub fn group(self) -> Option<OutcomeGroup> {
        use RequestRow::*;
        match self {
            DeniedStateSecret
            | DeniedProhibitedByLaw
            | DeniedSecurityStability
            | DeniedThirdPartyRights
            | DeniedInternalAffairs
            | DeniedProcessInformation
            | DeniedEnforcementFiles
            | DeniedQueryMatters => Some(OutcomeGroup::Denied),
            UnableNotHeld | UnableNeedsCreation | UnableStillUnclear => Some(OutcomeGroup::Unable),
            RejectedPetitions | RejectedRepeated | RejectedPublications | RejectedExcessive
            | RejectedConfirmation => Some(OutcomeGroup::Rejected),
            OtherNoCorrection | OtherUnpaidFees | OtherOther | Other => Some(OutcomeGroup::Other),
            _ => None,
        }
    }
}

impl fmt::Display for RequestRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

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
        match self.given_total {
            Some(t) => {
                let mut v: Vec<Count> = self.counts.to_vec();
                v.push(t);
                v.serialize(s)
            }
            None => self.counts.serialize(s),
        }
    }
}

/// Reads a list of `N` counts, optionally followed by a given total.
fn counts_with_total<'de, A: SeqAccess<'de>, const N: usize>(
    mut seq: A,
    what: &str,
) -> Result<([Count; N], Option<Count>), A::Error> {
    let mut values: Vec<Count> = Vec::with_capacity(N + 1);
    while let Some(v) = seq.next_element::<Count>()? {
        values.push(v);
        if values.len() > N + 1 {
            break;
        }
    }
    if values.len() != N && values.len() != N + 1 {
        return Err(de::Error::custom(format_args!(
            "expected {N} numbers ({what}), or {} with 总计 last; found {}{}",
            N + 1,
            if values.len() > N + 1 {
                "more than "
            } else {
                ""
            },
            values.len().min(N + 2)
        )));
    }
    let total = (values.len() == N + 1).then(|| values[N]);
    let mut counts = [Count(0); N];
    counts.copy_from_slice(&values[..N]);
    Ok((counts, total))
}

impl<'de> Deserialize<'de> for ApplicantRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowVisitor;

        impl<'de> Visitor<'de> for RowVisitor {
            type Value = ApplicantRow;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of 6 counts [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他]")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ApplicantRow, A::Error> {
                let (counts, given_total) =
                    counts_with_total::<A, 6>(seq, &APPLICANT_COLUMNS.join(", "))?;
                Ok(ApplicantRow {
                    counts,
                    given_total,
                })
            }
        }

        deserializer.deserialize_seq(RowVisitor)
    }
}

/// Table 3 (收到和处理政府信息公开申请情况): rows by key, as the data gives them.
///
/// Rows of either edition are read; which rows an edition needs, and that they
/// are all present, is checked after reading (missing rows: a load error; rows
/// of the other edition: rule R12).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestsTable {
    pub paragraphs: Vec<String>,
    pub rows: BTreeMap<RequestRow, ApplicantRow>,
    /// （七）总计 as given in the data (checked by R2), if given.
    pub given_total: Option<ApplicantRow>,
}

impl RequestsTable {
    /// A row's numbers; a missing row counts as zeros (loading rejects missing rows).
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

/// The keys `[requests]` accepts, for "did you mean" suggestions.
pub fn request_keys() -> impl Iterator<Item = &'static str> {
    ["paragraphs", "total"]
        .into_iter()
        .chain(RequestRow::ALL.iter().map(|r| r.key()))
}

impl<'de> Deserialize<'de> for RequestsTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TableVisitor;

        impl<'de> Visitor<'de> for TableVisitor {
            type Value = RequestsTable;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of rows such as `new = [0, 0, 0, 0, 0, 0]`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RequestsTable, A::Error> {
                let mut table = RequestsTable::default();
                let mut seen_paragraphs = false;
                while let Some(key) = map.next_key::<String>()? {
                    let duplicate = || de::Error::custom(format_args!("duplicate key `{key}`"));
                    match key.as_str() {
                        "paragraphs" => {
                            if std::mem::replace(&mut seen_paragraphs, true) {
                                return Err(duplicate());
                            }
                            table.paragraphs = map.next_value()?;
                        }
                        "total" => {
                            if table.given_total.is_some() {
                                return Err(duplicate());
                            }
                            table.given_total = Some(map.next_value()?);
                        }
                        other => match RequestRow::from_key(other) {
                            Some(row) => {
                                let value: ApplicantRow = map.next_value()?;
                                if table.rows.insert(row, value).is_some() {
                                    return Err(duplicate());
                                }
                            }
                            None => {
                                return Err(de::Error::custom(super::unknown_key_message(
                                    other,
                                    request_keys(),
                                )));
                            }
                        },
                    }
                }
                Ok(table)
            }
        }

        deserializer.deserialize_map(TableVisitor)
    }
}

// ---------------------------------------------------------------------------
// Table 4 — 四、政府信息公开行政复议、行政诉讼情况
// ---------------------------------------------------------------------------

/// The result columns of each Table 4 group (总计 is computed).
pub const APPEAL_COLUMNS: [&str; 4] = ["结果维持", "结果纠正", "其他结果", "尚未审结"];

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

impl<'de> Deserialize<'de> for AppealGroup {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct GroupVisitor;

        impl<'de> Visitor<'de> for GroupVisitor {
            type Value = AppealGroup;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of 4 counts [结果维持, 结果纠正, 其他结果, 尚未审结]")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<AppealGroup, A::Error> {
                let (counts, given_total) =
                    counts_with_total::<A, 4>(seq, &APPEAL_COLUMNS.join(", "))?;
                Ok(AppealGroup {
                    counts,
                    given_total,
                })
            }
        }

        deserializer.deserialize_seq(GroupVisitor)
    }
}

/// Table 4 (政府信息公开行政复议、行政诉讼情况).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppealsTable {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    /// 行政复议
    pub review: AppealGroup,
    /// 行政诉讼 · 未经复议直接起诉
    pub litigation_direct: AppealGroup,
    /// 行政诉讼 · 复议后起诉
    pub litigation_after_review: AppealGroup,
}

/// The groups of Table 4, for rules and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppealKind {
    Review,
    LitigationDirect,
    LitigationAfterReview,
}

impl AppealKind {
    pub const ALL: [AppealKind; 3] = [
        AppealKind::Review,
        AppealKind::LitigationDirect,
        AppealKind::LitigationAfterReview,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AppealKind::Review => "review",
            AppealKind::LitigationDirect => "litigation_direct",
            AppealKind::LitigationAfterReview => "litigation_after_review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AppealKind::Review => "行政复议",
            AppealKind::LitigationDirect => "行政诉讼 · 未经复议直接起诉",
            AppealKind::LitigationAfterReview => "行政诉讼 · 复议后起诉",
        }
    }
}

impl AppealsTable {
    pub fn group(&self, kind: AppealKind) -> &AppealGroup {
        match kind {
            AppealKind::Review => &self.review,
            AppealKind::LitigationDirect => &self.litigation_direct,
            AppealKind::LitigationAfterReview => &self.litigation_after_review,
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
