//! The consistency rules of the national format (勾稽关系, R1–R13), checked
//! before anything is printed.
//!
//! Each rule is a small function; each finding names the rule, the table, row
//! and column by their official Chinese labels and by key path, the expected
//! and the found value, and the byte range in the data file it came from.
//! Problems found while reading the data (bad numbers, blanks, keys of the other
//! edition, unknown keys) are findings too — every one of them.

mod rules;

use std::fmt;

use serde::Serialize;

use crate::model::{KeyPath, Loaded, Problem, ProblemKind, Span};

/// A rule of the format (`docs/rules.md`), or one of ours.
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
    /// A key the data model does not know, a value of the wrong kind, a key
    /// given twice.
    #[serde(rename = "KEY")]
    Key,
}

impl Rule {
    pub const ALL: [Rule; 15] = [
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
        Rule::Key,
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
            Rule::Key => "KEY",
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
            Rule::R2 => "表三每列：（七）总计 = （一）至（六）各项之和",
            Rule::R3 => "表三每行：总计 = 各类申请人之和",
            Rule::R4 => "表四每组：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计",
            Rule::R5 => {
                "件数为不小于 0 的整数（只有收费金额可有小数，只有 2019 年版的本年增/减可为负数）"
            }
            Rule::R6 => "空白不是零：每一格、每一行、每一张表都要填写（没有的填 0）",
            Rule::R7 => "表三：本年“二、上年结转” = 上年“四、结转下年度继续办理”",
            Rule::R8 => "表二：现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数",
            Rule::R9 => "正文引用的数字与表格一致",
            Rule::R10 => "收费金额（万元）最多 4 位小数",
            Rule::R11 => "正文不大段照抄上年报告（相同程度低于 50%）",
            Rule::R12 => "一份报告只用一个版本的格式；2021 年及以后的报告用 2021 年版",
            Rule::R13 => "2021 年版报告不再引用已被替代的国办公开办函〔2019〕60号",
            Rule::Reference => "正文中的每个 ${…} 引用都指向表格中的一个数",
            Rule::Key => "数据文件只用格式规定的键，值的类型正确，每个键只写一次",
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
    /// The finding's number in its file's list (0-based), for links between findings.
    pub id: usize,
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
    /// The byte range in the data file's text.
    pub span: Option<Span>,
    pub line: Option<usize>,
    #[serde(rename = "column_number")]
    pub column_number: Option<usize>,
    /// The finding this one follows from (the same root cause), when there is one:
    /// e.g. R1 in a column whose （七）总计 is already wrong by R2.
    pub caused_by: Option<usize>,
    /// Where the value is in a source that is not text: a workbook's sheet and
    /// cell (`表三!F12`), or the page and table cell of an imported published report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Finding {
    /// Where the finding is, by official labels: "表三 … · 行 （一）予以公开 · 列 自然人".
    pub fn place(&self) -> String {
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
        place.join(" · ")
    }
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
        write!(f, ": {}[{}]: {}", self.severity, self.rule, self.message)?;
        let place = self.place();
        if !place.is_empty() || !self.key.is_empty() {
            write!(f, "\n    at {place} (`{}`)", self.key)?;
        }
        if let Some(o) = &self.origin {
            write!(f, "\n    source: {o}")?;
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
        let span = self.loaded.locate(&place.key);
        let key = place.key.to_string();
        self.add(Finding {
            id: 0,
            rule,
            severity: rule.severity(),
            file: self.loaded.source.name.clone(),
            table: place.table.map(str::to_string),
            row: place.row,
            column: place.column,
            key,
            expected,
            found,
            message,
            span,
            line: None,
            column_number: None,
            caused_by: None,
            origin: None,
        });
    }

    fn add(&mut self, mut finding: Finding) {
        if finding.origin.is_none() {
            finding.origin = self.loaded.origin(&finding.key).map(str::to_string);
        }
        if let Some(span) = &finding.span {
            if !self.loaded.source.text.is_empty() {
                let (l, c) = self.loaded.source.line_col(span.start);
                finding.line = Some(l);
                finding.column_number = Some(c);
            }
        }
        self.list.push(finding);
    }
}

/// The rule a problem of the data breaks.
fn rule_of(kind: ProblemKind) -> Rule {
    match kind {
        ProblemKind::BadValue => Rule::R5,
        ProblemKind::Blank => Rule::R6,
        ProblemKind::Edition => Rule::R12,
        ProblemKind::Key => Rule::Key,
    }
}

/// Checks a loaded report (and, given last year's, the rules that need it):
/// every problem of its values, then every rule. Errors come first; a finding
/// that follows from another (the same root cause) comes right after it.
pub fn check(loaded: &Loaded, previous: Option<&Loaded>) -> Vec<Finding> {
    let mut findings = Findings {
        loaded,
        list: Vec::new(),
    };
    for p in &loaded.problems {
        findings.add(problem_finding(&loaded.source.name, p));
    }
    for p in &loaded.warnings {
        let mut f = problem_finding(&loaded.source.name, p);
        f.severity = Severity::Warning;
        findings.add(f);
    }
    rules::run(&mut findings, previous);
    order(findings.list)
}

fn problem_finding(file: &str, p: &Problem) -> Finding {
    let rule = rule_of(p.kind);
    Finding {
        id: 0,
        rule,
        severity: rule.severity(),
        file: file.to_string(),
        table: p.cell.as_ref().map(|c| c.table.to_string()),
        row: p.cell.as_ref().map(|c| c.row.clone()),
        column: p.cell.as_ref().and_then(|c| c.column.clone()),
        key: p.key.clone(),
        expected: None,
        found: p.found.clone(),
        message: p.message.clone(),
        span: p.span.clone(),
        line: None,
        column_number: None,
        caused_by: None,
        origin: None,
    }
}

/// Sorts findings (errors first, stable otherwise), keeps each consequence right
/// after its cause, and numbers them.
fn order(list: Vec<Finding>) -> Vec<Finding> {
    // `caused_by` holds an index into `list` here; map it to the final ids.
    let mut roots: Vec<usize> = (0..list.len())
        .filter(|&i| list[i].caused_by.is_none())
        .collect();
    roots.sort_by_key(|&i| std::cmp::Reverse(list[i].severity));
    let mut sequence = Vec::with_capacity(list.len());
    for r in roots {
        sequence.push(r);
        sequence.extend((0..list.len()).filter(|&i| list[i].caused_by == Some(r)));
    }
    let new_id = |old: usize| sequence.iter().position(|&i| i == old);
    let mut out: Vec<Finding> = sequence.iter().map(|&i| list[i].clone()).collect();
    for (id, f) in out.iter_mut().enumerate() {
        f.id = id;
        f.caused_by = f.caused_by.and_then(new_id);
    }
    out
}
