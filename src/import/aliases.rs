//! Label variants real reports print, in ONE table: known short forms,
//! older labels and known typos. The official labels themselves are never
//! restated here: each variant names the official label it stands for by its
//! key in [`crate::model::labels`]. A match that needed a variant is reported.

use crate::model::labels::RequestRow;

/// What a printed variant stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Official {
    /// A row of Table 3.
    Request(RequestRow),
    /// A row of Table 2, by key (`normative_documents`).
    ActiveRow(&'static str),
    /// A column of Table 3 by index: 0 自然人 … 5 其他, 6 总计.
    ApplicantColumn(usize),
}

/// How a variant differs from the official label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VariantKind {
    /// A short or older form of the label.
    Alias,
    /// A known misprint.
    Typo,
}

/// A label as some reports print it.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    pub official: Official,
    /// The printed text (compared after [`super::normalize::label_key`]); the
    /// item number, if the report prints one, is matched separately.
    pub printed: &'static str,
    pub kind: VariantKind,
    /// Where it was seen.
    pub seen_in: &'static str,
}

const fn v(
    official: Official,
    printed: &'static str,
    kind: VariantKind,
    seen_in: &'static str,
) -> Variant {
    Variant {
        official,
        printed,
        kind,
        seen_in,
    }
}

use Official::{ActiveRow, ApplicantColumn, Request};
use VariantKind::{Alias, Typo};

/// Every known variant.
pub const VARIANTS: &[Variant] = &[
    // Table 3 rows.
    v(
        Request(RequestRow::DeniedProhibitedByLaw),
        "其他法律行政止公开",
        Typo,
        "洪泽区人民政府 2023、2024",
    ),
    v(
        Request(RequestRow::DeniedSecurityStability),
        "危及\"三安全一稳定\"",
        Alias,
        "straight quotes (govnianbao label list)",
    ),
    v(
        Request(RequestRow::DeniedInternalAffairs),
        "内部事务信息",
        Alias,
        "short form (KIROGOVCOMPARE row aliases)",
    ),
    v(
        Request(RequestRow::DeniedProcessInformation),
        "过程性信息",
        Alias,
        "short form (KIROGOVCOMPARE row aliases)",
    ),
    v(
        Request(RequestRow::UnableNotHeld),
        "不掌握相关政府信息",
        Alias,
        "short form (KIROGOVCOMPARE row aliases)",
    ),
    v(
        Request(RequestRow::OtherNoCorrection),
        "逾期不补正",
        Alias,
        "short form (KIROGOVCOMPARE row aliases)",
    ),
    // Table 2 rows: the 2019 label in a 2021 table.
    v(
        ActiveRow("normative_documents"),
        "规范性文件",
        Alias,
        "2019 label in a 2021 table (沭阳县发展和改革局 2023)",
    ),
    // Table 3 columns.
    v(ApplicantColumn(1), "企业", Alias, "short form"),
    v(ApplicantColumn(3), "公益组织", Alias, "short form"),
    v(ApplicantColumn(3), "社会组织", Alias, "short form"),
    v(ApplicantColumn(6), "合计", Alias, "合计 for 总计"),
];

/// The variants of one official label.
pub fn variants_of(official: Official) -> impl Iterator<Item = &'static Variant> {
    VARIANTS.iter().filter(move |v| v.official == official)
}
