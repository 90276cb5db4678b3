//! The report data model (version 1; `docs/data-format.md`) and its loading.
//!
//! Key names are a public interface: they are the serialized names below and
//! the keys of [`labels`], and must stay stable.

pub mod labels;
pub mod layout;
mod load;
mod locate;
pub mod prose;
mod read;
pub mod refs;
mod skeleton;
pub mod tables;
pub mod tree;
pub mod values;
pub mod write;

use serde::Serialize;

pub use labels::{AppealKind, OutcomeGroup, RequestRow};
pub use load::{
    display_name, load_bytes, load_node, load_str, Format, LoadError, Loaded, SourceText,
};
pub use locate::{KeyPath, Segment, SpanIndex};
pub use read::{CellPlace, Problem, ProblemKind};
pub use skeleton::{next_year, skeleton};
pub use tables::{
    ActiveTable, ActiveValue, AppealGroup, AppealsTable, ApplicantRow, RequestsTable,
};
pub use tree::Span;
pub use values::{Amount, Count, Edition, ReportDate, Year, MAX_COUNT, YEARS};
pub use write::{write_data, WriteError};

/// One annual report (政府信息公开工作年度报告).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// 格式版本: "2021" or "2019"; when the data leaves it out, the tables' shape
    /// decides, else the year (≥ 2021 → 2021).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition: Option<Edition>,
    /// 机关名称: the reporting agency (title, signature, PDF author).
    pub agency: String,
    /// 报告年度: the report year (statistics period).
    pub year: Year,
    /// 标题; by default "{agency}{year}年政府信息公开工作年度报告".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// 成文日期, printed with the signature at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<ReportDate>,
    /// Paragraphs between the title and 一、总体情况.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preamble: Vec<String>,
    /// 印章: a seal image (PNG or SVG), relative to the data file.
    #[serde(skip_serializing_if = "Option::is_none")]
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
    #[serde(skip_serializing_if = "FontRoles::is_empty")]
    pub fonts: FontRoles,
}

impl Report {
    /// The edition in force: the one the tables were read in.
    pub fn edition(&self) -> Edition {
        self.active.edition
    }

    /// The report title, given or default.
    pub fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.default_title())
    }

    fn default_title(&self) -> String {
        format!("{}{}{}", self.agency, self.year.0, labels::TITLE_SUFFIX)
    }
}

/// A prose part: paragraphs, then numbered items （一）（二）….
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Section {
    /// Paragraphs before the first item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    /// Items, numbered （一）（二）… (level 2), 1. 2. … (level 3), （1）（2）… (level 4).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

/// A numbered item of a prose part.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Item {
    /// The item's title, e.g. "主动公开工作。" (the number is added automatically).
    pub title: String,
    /// When true, the first paragraph continues on the title's line.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub run_in: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    /// Sub-items, numbered one level down.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

/// Font families by role (`[fonts]`), each an ordered fallback chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FontRoles {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading1: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading2: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<Vec<String>>,
}

impl FontRoles {
    /// The role keys of `[fonts]`.
    pub const KEYS: [&'static str; 6] = [
        "title",
        "body",
        "heading1",
        "heading2",
        "table",
        "page_number",
    ];

    /// What each role sets, in the order of [`FontRoles::KEYS`], for clerks.
    pub const LABELS: [&'static str; 6] = [
        "标题字体",
        "正文字体",
        "一级标题字体",
        "二级标题字体",
        "表格字体",
        "页码字体",
    ];

    pub fn is_empty(&self) -> bool {
        *self == FontRoles::default()
    }

    /// The chain of a role by key.
    pub fn get(&self, key: &str) -> Option<&Vec<String>> {
        match key {
            "title" => self.title.as_ref(),
            "body" => self.body.as_ref(),
            "heading1" => self.heading1.as_ref(),
            "heading2" => self.heading2.as_ref(),
            "table" => self.table.as_ref(),
            "page_number" => self.page_number.as_ref(),
            _ => None,
        }
    }

    pub fn slot_mut(&mut self, key: &str) -> Option<&mut Option<Vec<String>>> {
        Some(match key {
            "title" => &mut self.title,
            "body" => &mut self.body,
            "heading1" => &mut self.heading1,
            "heading2" => &mut self.heading2,
            "table" => &mut self.table,
            "page_number" => &mut self.page_number,
            _ => return None,
        })
    }
}

/// The known word closest to `word`, if it is close.
pub(crate) fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(word, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}
