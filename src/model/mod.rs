//! The report data model (`../shared/spec/data-model.md`, version 1) and its loading.
//!
//! Key names are a public interface: they are the serde names below and must stay stable.

mod load;
mod locate;
mod skeleton;
pub mod tables;
pub mod values;

use serde::{Deserialize, Deserializer, Serialize};

pub use load::{
    load_bytes, load_path, load_str, DataErrorKind, Format, LoadError, Loaded, SourceText,
};
pub use locate::{locate, KeyPath, Segment};
pub use skeleton::skeleton;
pub use tables::{
    Active2021, ActiveTable, AppealGroup, AppealKind, AppealsTable, ApplicantRow, DocumentCounts,
    OutcomeGroup, RequestRow, RequestsTable, APPEAL_COLUMNS, APPLICANT_COLUMNS,
};
pub use values::{Amount, Count, Edition, ReportDate, Year, MAX_COUNT};

/// One annual report (政府信息公开工作年度报告).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// "2021" or "2019"; when left out, year ≥ 2021 → 2021, else 2019.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<Edition>,
    /// The reporting agency: title, signature, PDF author.
    pub agency: String,
    /// The report year (statistics period).
    pub year: Year,
    /// The title; by default "{agency}{year}年政府信息公开工作年度报告".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// 成文日期, printed with the signature at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<ReportDate>,
    /// Paragraphs between the title and 一、总体情况.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preamble: Vec<String>,
    /// A seal image (PNG or SVG), relative to the data file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<String>,
    /// 一、总体情况
    pub overview: Section,
    /// 二、主动公开政府信息情况
    pub active: ActiveTable,
    /// 三、收到和处理政府信息公开申请情况
    pub requests: RequestsTable,
    /// 四、政府信息公开行政复议、行政诉讼情况
    pub appeals: AppealsTable,
    /// 五、存在的主要问题及改进情况
    pub problems: Section,
    /// 六、其他需要报告的事项
    pub other: Section,
    /// Font families by role, overriding the defaults.
    #[serde(default, skip_serializing_if = "FontRoles::is_empty")]
    pub fonts: FontRoles,
}

impl Report {
    /// The edition in force: the one given, else the one the year implies.
    pub fn edition(&self) -> Edition {
        self.edition
            .unwrap_or_else(|| Edition::for_year(self.year.0))
    }

    /// The report title, given or default.
    pub fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.default_title())
    }

    pub fn default_title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告", self.agency, self.year.0)
    }

    /// The six parts' prose sections in order (二–四 carry only paragraphs).
    pub fn sections(&self) -> [(&'static str, &Section); 3] {
        [
            ("overview", &self.overview),
            ("problems", &self.problems),
            ("other", &self.other),
        ]
    }
}

impl<'de> Deserialize<'de> for ActiveTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Active2021::deserialize(deserializer).map(ActiveTable::E2021)
    }
}

/// A prose part: paragraphs, then numbered items （一）（二）….
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Paragraphs before the first item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    /// Items, numbered （一）（二）… (level 2), 1. 2. … (level 3), （1）（2）… (level 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

/// A numbered item of a prose part.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The item's title, e.g. "主动公开工作。" (the number is added automatically).
    pub title: String,
    /// When true, the first paragraph continues on the title's line.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub run_in: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    /// Sub-items, numbered one level down.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

/// Font families by role (`[fonts]`), each an ordered fallback chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FontRoles {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading1: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading2: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_number: Option<Vec<String>>,
}

impl FontRoles {
    pub fn is_empty(&self) -> bool {
        *self == FontRoles::default()
    }
}

/// "unknown key `x`" with a suggestion when a known key is close.
pub(crate) fn unknown_key_message<'a>(
    key: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> String {
    let known: Vec<&str> = known.into_iter().collect();
    let best = known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, k)) => format!("unknown key `{key}`; did you mean `{k}`?"),
        None => format!(
            "unknown key `{key}`; the keys allowed here are {}",
            quote_list(&known)
        ),
    }
}

fn quote_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
