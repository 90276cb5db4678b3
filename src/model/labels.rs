//! The official labels of the national format — one table that every step reads.
//!
//! The report's part headings, the captions, headers and row labels of Tables 2–4
//! in both editions (国办公开办函〔2019〕60号 and 〔2021〕30号), and the keys by which
//! the data file names each row and column. The loader, the rules' messages, the
//! view the templates print, the skeleton, the references, the documentation,
//! the importer's matcher, the workbooks and the editor all read them here: a
//! label is written once.

use std::fmt;

use super::values::Edition;

/// The six part headings (both editions).
pub const PART_HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

/// The data key of each part, in order (二–四 are the tables).
pub const PART_KEYS: [&str; 6] = [
    "overview", "active", "requests", "appeals", "problems", "other",
];

/// A key of the data file with its name in the report (基本信息 and the parts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NamedKey {
    pub key: &'static str,
    /// The name a clerk knows it by.
    pub label: &'static str,
    /// Whether a report must give it.
    pub required: bool,
}

const fn named(key: &'static str, label: &'static str, required: bool) -> NamedKey {
    NamedKey {
        key,
        label,
        required,
    }
}

/// The heading of the report's basic information.
pub const IDENTITY_HEADING: &str = "基本信息";

/// The report's basic information (基本信息), in the order of the data file.
pub const IDENTITY: &[NamedKey] = &[
    named("edition", "格式版本", false),
    named("agency", "机关名称", true),
    named("year", "报告年度", true),
    named("title", "标题", false),
    named("date", "成文日期", false),
    named("preamble", "标题下的开头段落", false),
    named("seal", "印章图像", false),
];

/// The end of the default title: "{机关}{年度}年政府信息公开工作年度报告".
pub const TITLE_SUFFIX: &str = "年政府信息公开工作年度报告";

/// The language of every report (BCP 47): PDF and HTML say so to screen readers.
pub const LANGUAGE: &str = "zh-CN";

/// What the seal image is, for a reader who cannot see it: "{机关}印章".
pub fn seal_alt(agency: &str) -> String {
    format!("{agency}{SEAL}")
}

/// The seal (印章) over the signature and date.
pub const SEAL: &str = "印章";

/// A table by its official caption, for messages: "表二 主动公开政府信息情况".
pub const TABLE_2: &str = "表二 主动公开政府信息情况";
pub const TABLE_3: &str = "表三 收到和处理政府信息公开申请情况";
pub const TABLE_4: &str = "表四 政府信息公开行政复议、行政诉讼情况";

// ---------------------------------------------------------------------------
// Table 2 — 二、主动公开政府信息情况
// ---------------------------------------------------------------------------

/// The first header cell of every block of Table 2.
pub const ACTIVE_CONTENT_HEADER: &str = "信息内容";

/// What a value cell of Table 2 holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActiveKind {
    /// A count (0 … 10^9).
    Count,
    /// A signed whole number: 本年增/减 (2019).
    Change,
    /// An amount with decimals, kept as written: 万元 (2021 fees) or 元 (2019 procurement).
    Amount,
}

/// A value column of a block of Table 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActiveColumn {
    /// The key of the value in a row table (`issued`); empty for a row given as one value.
    pub key: &'static str,
    /// The printed header: 本年制发件数.
    pub label: &'static str,
    pub kind: ActiveKind,
}

/// A row of Table 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActiveRow {
    /// The key in `[active]`: `rules`.
    pub key: &'static str,
    /// The printed label: 规章.
    pub label: &'static str,
}

/// A block of Table 2: one 第二十条第（X）项 caption, a header, rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActiveBlock {
    /// 第二十条第（一）项
    pub caption: &'static str,
    /// The value columns after 信息内容. A block with one column writes each row
    /// as one value (`licensing = 0`); with several, as a table of them
    /// (`rules = { issued = 0, … }`).
    pub columns: &'static [ActiveColumn],
    pub rows: &'static [ActiveRow],
}

impl ActiveBlock {
    /// Whether each row is one value rather than a table of values.
    pub fn scalar(&self) -> bool {
        self.columns.len() == 1
    }

    /// How many of the table's three value columns each value spans, as
    /// printed: the last value takes what the others leave (2019 （八）:
    /// 上一年项目数量 · 本年增/减 ×2; a one-value block spans all three).
    pub fn value_spans(&self) -> Vec<u8> {
        let n = self.columns.len().clamp(1, ACTIVE_VALUE_COLUMNS);
        let mut spans = vec![1u8; n];
        spans[n - 1] = (ACTIVE_VALUE_COLUMNS - (n - 1)) as u8;
        spans
    }
}

/// How many value columns Table 2 prints after 信息内容.
pub const ACTIVE_VALUE_COLUMNS: usize = 3;

const fn col(key: &'static str, label: &'static str, kind: ActiveKind) -> ActiveColumn {
    ActiveColumn { key, label, kind }
}

const fn row(key: &'static str, label: &'static str) -> ActiveRow {
    ActiveRow { key, label }
}

/// Table 2 in the 2021 edition.
pub const ACTIVE_2021: &[ActiveBlock] = &[
    ActiveBlock {
        caption: "第二十条第（一）项",
        columns: &[
            col("issued", "本年制发件数", ActiveKind::Count),
            col("repealed", "本年废止件数", ActiveKind::Count),
            col("in_force", "现行有效件数", ActiveKind::Count),
        ],
        rows: &[
            row("rules", "规章"),
            row("normative_documents", "行政规范性文件"),
        ],
    },
    ActiveBlock {
        caption: "第二十条第（五）项",
        columns: &[col("", "本年处理决定数量", ActiveKind::Count)],
        rows: &[row("licensing", "行政许可")],
    },
    ActiveBlock {
        caption: "第二十条第（六）项",
        columns: &[col("", "本年处理决定数量", ActiveKind::Count)],
        rows: &[
            row("penalties", "行政处罚"),
            row("coercive_measures", "行政强制"),
        ],
    },
    ActiveBlock {
        caption: "第二十条第（八）项",
        columns: &[col("", "本年收费金额（单位：万元）", ActiveKind::Amount)],
        rows: &[row("fees", "行政事业性收费")],
    },
];

const ITEMS_2019: &[ActiveColumn] = &[
    col("last_year_items", "上一年项目数量", ActiveKind::Count),
    col("change", "本年增/减", ActiveKind::Change),
    col("decisions", "处理决定数量", ActiveKind::Count),
];

/// Table 2 in the 2019 edition.
pub const ACTIVE_2019: &[ActiveBlock] = &[
    ActiveBlock {
        caption: "第二十条第（一）项",
        columns: &[
            col("new_made", "本年新制作数量", ActiveKind::Count),
            col("new_published", "本年新公开数量", ActiveKind::Count),
            col("total_published", "对外公开总数量", ActiveKind::Count),
        ],
        rows: &[
            row("rules", "规章"),
            row("normative_documents", "规范性文件"),
        ],
    },
    ActiveBlock {
        caption: "第二十条第（五）项",
        columns: ITEMS_2019,
        rows: &[
            row("licensing", "行政许可"),
            row("other_services", "其他对外管理服务事项"),
        ],
    },
    ActiveBlock {
        caption: "第二十条第（六）项",
        columns: ITEMS_2019,
        rows: &[
            row("penalties", "行政处罚"),
            row("coercive_measures", "行政强制"),
        ],
    },
    ActiveBlock {
        caption: "第二十条第（八）项",
        columns: &[
            col("last_year_items", "上一年项目数量", ActiveKind::Count),
            col("change", "本年增/减", ActiveKind::Change),
        ],
        rows: &[row("fees", "行政事业性收费")],
    },
    ActiveBlock {
        caption: "第二十条第（九）项",
        columns: &[
            col("projects", "采购项目数量", ActiveKind::Count),
            col("amount", "采购总金额", ActiveKind::Amount),
        ],
        rows: &[row("procurement", "政府集中采购")],
    },
];

/// Table 2's blocks in an edition.
pub fn active_blocks(edition: Edition) -> &'static [ActiveBlock] {
    match edition {
        Edition::E2021 => ACTIVE_2021,
        Edition::E2019 => ACTIVE_2019,
    }
}

/// A row of Table 2 by key, with its block.
pub fn active_row(
    edition: Edition,
    key: &str,
) -> Option<(&'static ActiveBlock, &'static ActiveRow)> {
    active_blocks(edition)
        .iter()
        .find_map(|b| b.rows.iter().find(|r| r.key == key).map(|r| (b, r)))
}

// ---------------------------------------------------------------------------
// Table 3 — 三、收到和处理政府信息公开申请情况
// ---------------------------------------------------------------------------

/// The note printed in Table 3's top-left header block.
pub const REQUESTS_NOTE: &str =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
/// Table 3's first header row, over the seven number columns.
pub const APPLICANT_HEADER: &str = "申请人情况";
/// The header over the five columns of organisations.
pub const LEGAL_PERSONS_HEADER: &str = "法人或其他组织";
/// The merged label down the outcome rows.
pub const OUTCOME_LABEL: &str = "三、本年度办理结果";
/// The （七）总计 row (computed).
pub const REQUESTS_TOTAL_ROW: &str = "（七）总计";

/// The applicant columns of Table 3, in printed order (总计 is computed).
pub const APPLICANT_COLUMNS: [&str; 6] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
];

/// The label of the computed total column of Tables 3 and 4.
pub const TOTAL_COLUMN: &str = "总计";

/// Table 3's seven number columns by name in references (`${requests.new.natural_persons}`).
pub const REQUEST_COLUMN_KEYS: [&str; 7] = [
    "natural_persons",
    "commercial_enterprises",
    "research_institutions",
    "public_interest_organizations",
    "legal_service_agencies",
    "other",
    "total",
];

/// A column of Table 3 by its full label, for messages: "法人或其他组织 · 商业企业".
pub fn request_column(i: usize) -> String {
    match i {
        0 => APPLICANT_COLUMNS[0].to_string(),
        1..=5 => format!("{LEGAL_PERSONS_HEADER} · {}", APPLICANT_COLUMNS[i]),
        _ => TOTAL_COLUMN.to_string(),
    }
}

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    pub const ALL: [OutcomeGroup; 4] = [
        OutcomeGroup::Denied,
        OutcomeGroup::Unable,
        OutcomeGroup::Rejected,
        OutcomeGroup::Other,
    ];

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
        RequestRow::rows_of(edition).filter(|r| r.is_outcome())
    }

    /// Whether the row is printed under 三、本年度办理结果.
    pub fn is_outcome(self) -> bool {
        !matches!(
            self,
            RequestRow::New | RequestRow::CarriedOver | RequestRow::CarriedForward
        )
    }

    /// The label with its group, for messages: "（三）不予公开 1.属于国家秘密".
    pub fn full_label(self) -> String {
        match self.group() {
            Some(g) if self != RequestRow::Other => format!("{} {}", g.label(), self.label()),
            _ => self.label().to_string(),
        }
    }

    /// The group under 三、本年度办理结果 the row is printed in (with a label of its
    /// own: the 2019 edition's single （六）其他处理 row has none).
    pub fn group(self) -> Option<OutcomeGroup> {
        OutcomeGroup::ALL.into_iter().find(|g| {
            g.rows(Edition::E2021).contains(&self)
                || (self != RequestRow::Other && g.rows(Edition::E2019).contains(&self))
        })
    }
}

impl fmt::Display for RequestRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

// ---------------------------------------------------------------------------
// Table 4 — 四、政府信息公开行政复议、行政诉讼情况
// ---------------------------------------------------------------------------

/// The result columns of each Table 4 group (总计 is computed).
pub const APPEAL_COLUMNS: [&str; 4] = ["结果维持", "结果纠正", "其他结果", "尚未审结"];
/// The result columns by name in references (`${appeals.review.upheld}`), then `total`.
pub const APPEAL_COLUMN_KEYS: [&str; 5] = ["upheld", "corrected", "other", "pending", "total"];
/// Table 4's header over the review group.
pub const REVIEW_HEADER: &str = "行政复议";
/// Table 4's header over the two litigation groups.
pub const LITIGATION_HEADER: &str = "行政诉讼";

/// The groups of Table 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppealKind {
    /// 行政复议
    Review,
    /// 行政诉讼 · 未经复议直接起诉
    LitigationDirect,
    /// 行政诉讼 · 复议后起诉
    LitigationAfterReview,
}

impl AppealKind {
    pub const ALL: [AppealKind; 3] = [
        AppealKind::Review,
        AppealKind::LitigationDirect,
        AppealKind::LitigationAfterReview,
    ];

    /// The key in `[appeals]`.
    pub fn key(self) -> &'static str {
        match self {
            AppealKind::Review => "review",
            AppealKind::LitigationDirect => "litigation_direct",
            AppealKind::LitigationAfterReview => "litigation_after_review",
        }
    }

    /// The group's own printed header: 行政复议, 未经复议直接起诉, 复议后起诉.
    pub fn header(self) -> &'static str {
        match self {
            AppealKind::Review => REVIEW_HEADER,
            AppealKind::LitigationDirect => "未经复议直接起诉",
            AppealKind::LitigationAfterReview => "复议后起诉",
        }
    }

    /// The group's full label, for messages: "行政诉讼 · 复议后起诉".
    pub fn label(self) -> String {
        match self {
            AppealKind::Review => REVIEW_HEADER.to_string(),
            k => format!("{LITIGATION_HEADER} · {}", k.header()),
        }
    }

    pub fn from_key(key: &str) -> Option<AppealKind> {
        AppealKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_one_group_or_none() {
        assert_eq!(RequestRow::Other.group(), None);
        assert_eq!(RequestRow::OtherOther.group(), Some(OutcomeGroup::Other));
        assert_eq!(RequestRow::New.group(), None);
        // （七）总计 is computed, not a row of the data.
        assert_eq!(RequestRow::rows_of(Edition::E2021).count(), 24);
        assert_eq!(RequestRow::rows_of(Edition::E2019).count(), 22);
        // Keys are unique across both editions' Table 2.
        for blocks in [ACTIVE_2021, ACTIVE_2019] {
            let mut keys: Vec<&str> = blocks
                .iter()
                .flat_map(|b| b.rows.iter().map(|r| r.key))
                .collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), n);
        }
    }
}
