//! The consistency rules of the national format (勾稽关系, R1–R13), checked
//! before anything is printed.
//!
//! Each rule is a small function; each finding names the rule, the table, row
//! and column by their official Chinese labels and by key path, the expected
//! and the found value, and the line and column in the data file.

mod rules;

use std::fmt;

use serde::Serialize;

use crate::model::{DataErrorKind, KeyPath, LoadError, Loaded};

/// A rule of the format (`../shared/spec/official-format.md`), or one of ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Rule {
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    /// A `${…}` reference in prose that names no table value.
    #[serde(rename = "REF")]
    Reference,
}

impl Rule {
    pub const ALL: [Rule; 14] = [
        Rule::R1,
        Rule::R2,
        Rule::R3,
        Rule::R4,
        Rule::R5,
        Rule::R6,
        Rule::R7,
        Rule::R8,
        Rule::R9,
        Rule::R10,
        Rule::R11,
        Rule::R12,
        Rule::R13,
        Rule::Reference,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::R1 => "R1",
            Rule::R2 => "R2",
            Rule::R3 => "R3",
            Rule::R4 => "R4",
            Rule::R5 => "R5",
            Rule::R6 => "R6",
            Rule::R7 => "R7",
            Rule::R8 => "R8",
            Rule::R9 => "R9",
            Rule::R10 => "R10",
            Rule::R11 => "R11",
            Rule::R12 => "R12",
            Rule::R13 => "R13",
            Rule::Reference => "REF",
        }
    }

    /// How serious a failure of the rule is.
    pub fn severity(self) -> Severity {
        match self {
            Rule::R8 | Rule::R9 | Rule::R10 | Rule::R11 | Rule::R13 => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What the rule says, in the words of the format.
    pub fn statement(self) -> &'static str {
        match self {
            Rule::R1 => {
                "表三每列：第一项加第二项之和，等于第三项加第四项之和（一 + 二 = （七）总计 + 四）"
            }
            Rule::R2 => "表三每列：（七）总计 = （一）+（二）+（三）+（四）+（五）+（六）各项之和",
            Rule::R3 => "表三每行：总计 = 各类申请人之和",
            Rule::R4 => "表四每组：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计",
            Rule::R5 => "counts are whole numbers ≥ 0 (only the fee amount may have decimals)",
            Rule::R6 => "blank is not zero: every cell is given (0 where there is nothing)",
            Rule::R7 => "表三：本年“二、上年结转” = 上年“四、结转下年度继续办理”",
            Rule::R8 => "表二：现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数",
            Rule::R9 => "numbers quoted in the prose equal the tables",
            Rule::R10 => "the fee amount has at most 4 decimals",
            Rule::R11 => "the prose is not mostly copied from last year's report",
            Rule::R12 => "one edition per report; report years ≥ 2021 use the 2021 edition",
            Rule::R13 => {
                "a 2021-edition report does not cite the superseded 国办公开办函〔2019〕60号"
            }
            Rule::Reference => "every ${…} reference in the prose names a table value",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One failed rule, located.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub file: String,
    /// The table by its official caption, e.g. "表三 收到和处理政府信息公开申请情况".
    pub table: Option<String>,
    /// The row by its official label.
    pub row: Option<String>,
    /// The column by its official label.
    pub column: Option<String>,
    /// The key path in the data, e.g. `requests.granted[1]`.
    pub key: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub message: String,
    pub line: Option<usize>,
    #[serde(rename = "column_number")]
    pub column_number: Option<usize>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column_number {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {} [{}]: {}", self.severity, self.rule, self.message)?;
        let mut place = Vec::new();
        if let Some(t) = &self.table {
            place.push(t.clone());
        }
        if let Some(r) = &self.row {
            place.push(format!("行 {r}"));
        }
        if let Some(c) = &self.column {
            place.push(format!("列 {c}"));
        }
        if !place.is_empty() || !self.key.is_empty() {
            write!(f, "\n    at {} (`{}`)", place.join(" · "), self.key)?;
        }
        if let (Some(e), Some(g)) = (&self.expected, &self.found) {
            write!(f, "\n    expected {e}, found {g}")?;
        }
        Ok(())
    }
}

/// Where a finding is, before it is located in the file.
#[derive(Clone, Debug, Default)]
pub(crate) struct Place {
    pub table: Option<&'static str>,
    pub row: Option<String>,
    pub column: Option<String>,
    pub key: KeyPath,
}

/// The official table captions.
pub const TABLE_2: &str = "表二 主动公开政府信息情况";
pub const TABLE_3: &str = "表三 收到和处理政府信息公开申请情况";
pub const TABLE_4: &str = "表四 政府信息公开行政复议、行政诉讼情况";

/// Collects findings for one file.
pub(crate) struct Findings<'a> {
    loaded: &'a Loaded,
    pub list: Vec<Finding>,
}

impl<'a> Findings<'a> {
    pub fn push(
        &mut self,
        rule: Rule,
        place: Place,
        expected: Option<String>,
        found: Option<String>,
        message: String,
    ) {
        let (line, column_number) = match crate::model::locate(&self.loaded.source, &place.key) {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        self.list.push(Finding {
            rule,
            severity: rule.severity(),
            file: self.loaded.source.name.clone(),
            table: place.table.map(str::to_string),
            row: place.row,
            column: place.column,
            key: place.key.to_string(),
            expected,
            found,
            message,
            line,
            column_number,
        });
    }
}

/// Checks a loaded report (and, given last year's, the rules that need it).
pub fn check(loaded: &Loaded, previous: Option<&Loaded>) -> Vec<Finding> {
    let mut findings = Findings {
        loaded,
        list: Vec::new(),
    };
    rules::run(&mut findings, previous);
    findings.list.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings.list
}

/// A load error as a finding of the rule it breaks, when it breaks one
/// (negative or fractional counts: R5; blank cells and missing rows: R6;
/// the wrong edition: R12).
pub fn finding_for_load_error(error: &LoadError) -> Option<Finding> {
    let LoadError::Data {
        file,
        key,
        line,
        column,
        message,
        kind,
    } = error
    else {
        return None;
    };
    let rule = match kind {
        DataErrorKind::BadNumber => Rule::R5,
        DataErrorKind::Blank => Rule::R6,
        DataErrorKind::Edition => Rule::R12,
        DataErrorKind::Other => return None,
    };
    Some(Finding {
        rule,
        severity: rule.severity(),
        file: file.clone(),
        table: None,
        row: None,
        column: None,
        key: key.clone(),
        expected: None,
        found: None,
        message: message.clone(),
        line: *line,
        column_number: *column,
    })
}
