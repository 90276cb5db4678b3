//! Reading the data model from a document tree.
//!
//! Every key is checked and every problem collected — not only the first: a
//! file with five bad cells gets five problems, each with its key path, its
//! place in the text and, for a table cell, the table, row and column by their
//! official labels. A bad or missing value is replaced by a placeholder (zero)
//! and its key path remembered, so the rules can skip what they cannot know.

use std::collections::{BTreeMap, BTreeSet};

use super::labels::{
    self, ActiveBlock, ActiveKind, AppealKind, RequestRow, APPEAL_COLUMNS, APPLICANT_COLUMNS,
    PART_HEADINGS, REQUESTS_TOTAL_ROW, TABLE_2, TABLE_3, TABLE_4, TOTAL_COLUMN,
};
use super::locate::{KeyPath, SpanIndex};
use super::tables::{
    ActiveTable, ActiveValue, AppealGroup, AppealsTable, ApplicantRow, RequestsTable,
};
use super::tree::{Entry, Node, Span, Value};
use super::values::{Amount, Count, Edition, ReportDate, Year, MAX_COUNT, YEARS};
use super::{suggest, FontRoles, Item, Report, Section};

/// What kind of problem a value has; each breaks a rule of the format or of the
/// data model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A number that is negative, fractional, too large or not a number (R5).
    BadValue,
    /// A blank cell, or a missing row, table or part (R6: blank is not zero).
    Blank,
    /// A row or key of the other edition (R12: one edition per report).
    Edition,
    /// An unknown key, a value of the wrong kind, a key given twice.
    Key,
}

/// A table cell by its official labels.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CellPlace {
    /// The table's caption: "表三 收到和处理政府信息公开申请情况".
    pub table: &'static str,
    /// The row's label.
    pub row: String,
    /// The column's label, when the problem is about one cell.
    pub column: Option<String>,
}

/// A problem with the data, found while reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The key path: `requests.granted[3]`.
    pub key: String,
    /// Where it is in the source text.
    pub span: Option<Span>,
    /// The value as written, when there is one.
    pub found: Option<String>,
    pub message: String,
    /// The table cell, for problems in Tables 2–4.
    pub cell: Option<CellPlace>,
}

/// What reading a tree gives.
pub(crate) struct Read {
    pub report: Report,
    pub problems: Vec<Problem>,
    pub spans: SpanIndex,
    /// Key paths whose values are missing or bad (placeholders in the report).
    pub unknown: BTreeSet<String>,
}

/// Reads a report from a tree. Fails only when the root is not a table.
pub(crate) fn read(root: &Node) -> Result<Read, String> {
    if !matches!(root.value, Value::Table(_)) {
        return Err(format!(
            "the file holds {}, not a table of keys such as `agency = …`",
            root.kind()
        ));
    }
    let mut r = Reader::default();
    let report = r.report(root);
    Ok(Read {
        report,
        problems: r.problems,
        spans: r.spans,
        unknown: r.unknown,
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// The value as written, for messages.
fn written(node: &Node) -> String {
    match &node.value {
        Value::Null => "空白".into(),
        Value::Bool(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float { text, .. } => text.clone(),
        Value::String(s) => format!("\"{s}\""),
        Value::Datetime(d) => d.clone(),
        Value::Array(_) => "列表".into(),
        Value::Table(_) => "表".into(),
    }
}

/// Every key the top of a data file may have: the basic information, the six
/// parts, and the fonts by role.
fn top_keys() -> Vec<&'static str> {
    labels::IDENTITY
        .iter()
        .map(|k| k.key)
        .chain(labels::PART_KEYS)
        .chain(["fonts"])
        .collect()
}

#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
    spans: SpanIndex,
    unknown: BTreeSet<String>,
}

impl Reader {
    fn problem(
        &mut self,
        kind: ProblemKind,
        key: &str,
        span: Option<&Span>,
        found: Option<String>,
        message: String,
        cell: Option<CellPlace>,
    ) {
        self.problems.push(Problem {
            kind,
            key: key.to_string(),
            span: span.filter(|s| !s.is_empty()).cloned(),
            found,
            message,
            cell,
        });
    }

    fn wrong_kind(&mut self, node: &Node, path: &str, expected: &str) {
        self.problem(
            ProblemKind::Key,
            path,
            Some(&node.span),
            Some(written(node)),
            format!("应为{expected}，而不是{}", kind_zh(node)),
            None,
        );
    }

    /// A missing key: shown at the key of the table it is missing from (the
    /// `[requests]` header), else at the table.
    fn missing(&mut self, path: &str, parent: &Span, message: String, cell: Option<CellPlace>) {
        self.unknown.insert(path.to_string());
        let mut table = KeyPath::parse(path);
        table.pop();
        let span = if table.is_empty() {
            None
        } else {
            self.spans.locate_key(&table)
        };
        let span = span.unwrap_or(parent.start..parent.start);
        self.problem(ProblemKind::Blank, path, Some(&span), None, message, cell);
    }

    /// The entries of a table, by key; unknown keys and keys given twice are
    /// problems (a key of the other edition: R12).
    fn fields<'a>(
        &mut self,
        node: &'a Node,
        path: &str,
        known: &[&str],
        other_edition: &[&str],
        edition: Edition,
    ) -> Option<BTreeMap<&'a str, &'a Entry>> {
        let Value::Table(entries) = &node.value else {
            self.wrong_kind(node, path, "一个表（键 = 值）");
            return None;
        };
        let mut out = BTreeMap::new();
        for e in entries {
            let p = join(path, &e.key);
            self.spans.record(&p, &e.node.span, Some(&e.key_span));
            if !known.contains(&e.key.as_str()) {
                if other_edition.contains(&e.key.as_str()) {
                    self.problem(
                        ProblemKind::Edition,
                        &p,
                        Some(&e.key_span),
                        Some(e.key.clone()),
                        format!(
                            "`{}` 属于{}年版格式，本报告按{}年版（{}）填写，不能混用两个版本",
                            e.key,
                            edition.other(),
                            edition,
                            edition.notice()
                        ),
                        None,
                    );
                } else {
                    let hint = match suggest(&e.key, known.iter().copied()) {
                        Some(k) => format!("；是不是 `{k}`？"),
                        None => format!(
                            "；此处可用的键：{}",
                            known
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    };
                    self.problem(
                        ProblemKind::Key,
                        &p,
                        Some(&e.key_span),
                        Some(e.key.clone()),
                        format!("未知的键 `{}`{hint}", e.key),
                        None,
                    );
                }
                continue;
            }
            if out.insert(e.key.as_str(), e).is_some() {
                self.problem(
                    ProblemKind::Key,
                    &p,
                    Some(&e.key_span),
                    Some(e.key.clone()),
                    format!("键 `{}` 出现了两次", e.key),
                    None,
                );
            }
        }
        Some(out)
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_kind(node, path, "文字（加引号）");
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        let Value::Array(items) = &node.value else {
            self.wrong_kind(node, path, "文字的列表，如 [\"第一段\", \"第二段\"]");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = index(path, i);
            self.spans.record(&p, &item.span, None);
            if let Some(s) = self.string(item, &p) {
                out.push(s);
            }
        }
        out
    }

    fn report(&mut self, root: &Node) -> Report {
        self.spans.record("", &root.span, None);
        // The edition decides which keys the tables may have: read it first.
        let entries = match &root.value {
            Value::Table(e) => e.as_slice(),
            _ => &[],
        };
        let get = |key: &str| entries.iter().find(|e| e.key == key).map(|e| &e.node);
        let given_edition = get("edition").and_then(|n| match &n.value {
            Value::String(s) => Edition::parse(s),
            Value::Integer(i) => Edition::parse(&i.to_string()),
            _ => None,
        });
        let year_hint = get("year").and_then(|n| match n.value {
            Value::Integer(i) => u16::try_from(i).ok().filter(|y| YEARS.contains(y)),
            _ => None,
        });
        let edition = given_edition
            .or_else(|| edition_by_shape(get("active"), get("requests")))
            .or_else(|| year_hint.map(Edition::for_year))
            .unwrap_or(Edition::E2021);

        let fields = self
            .fields(root, "", &top_keys(), &[], edition)
            .unwrap_or_default();
        // A null optional key (`"date": null`) is the key left out.
        let optional =
            |k: &str| k == "fonts" || labels::IDENTITY.iter().any(|n| n.key == k && !n.required);
        let node = |k: &str| {
            fields
                .get(k)
                .map(|e| &e.node)
                .filter(|n| !(optional(k) && matches!(n.value, Value::Null)))
        };
        let span = root.span.clone();

        let edition_field = node("edition").and_then(|n| {
            let text = match &n.value {
                Value::String(s) => Some(s.clone()),
                Value::Integer(i) => Some(i.to_string()),
                _ => None,
            };
            match text.as_deref().and_then(Edition::parse) {
                Some(e) => Some(e),
                None => {
                    self.problem(
                        ProblemKind::Key,
                        "edition",
                        Some(&n.span),
                        Some(written(n)),
                        "未知的格式版本：全国格式只有 \"2021\"（国办公开办函〔2021〕30号）和 \"2019\"（国办公开办函〔2019〕60号）两个版本".into(),
                        None,
                    );
                    None
                }
            }
        });

        let agency = match node("agency") {
            Some(n) => self.string(n, "agency").unwrap_or_default(),
            None => {
                self.unknown.insert("agency".into());
                self.problem(
                    ProblemKind::Key,
                    "agency",
                    None,
                    None,
                    "缺少机关名称 `agency`（标题、署名都用它）".into(),
                    None,
                );
                String::new()
            }
        };
        let year = match node("year") {
            Some(n) => match self.year(n) {
                Some(y) => y,
                None => {
                    self.unknown.insert("year".into());
                    Year(0)
                }
            },
            None => {
                self.unknown.insert("year".into());
                self.problem(
                    ProblemKind::Key,
                    "year",
                    None,
                    None,
                    "缺少报告年度 `year`（如 year = 2023）".into(),
                    None,
                );
                Year(0)
            }
        };
        let title = node("title").and_then(|n| self.string(n, "title"));
        let date = node("date").and_then(|n| self.date(n));
        let preamble = node("preamble")
            .map(|n| self.strings(n, "preamble"))
            .unwrap_or_default();
        let seal = node("seal").and_then(|n| self.string(n, "seal"));
        let fonts = node("fonts")
            .map(|n| self.fonts(n, edition))
            .unwrap_or_default();

        let section = |this: &mut Reader, key: &str, heading: &str| match node(key) {
            Some(n) => this.section(n, key, edition),
            None => {
                this.missing(
                    key,
                    &span,
                    format!("缺少“{heading}”（`[{key}]`）：空白不是零，没有内容也要写明"),
                    None,
                );
                Section::default()
            }
        };
        let overview = section(self, "overview", PART_HEADINGS[0]);
        let problems = section(self, "problems", PART_HEADINGS[4]);
        let other = section(self, "other", PART_HEADINGS[5]);

        let active = match node("active") {
            Some(n) => self.active(n, edition),
            None => {
                self.missing(
                    "active",
                    &span,
                    format!("缺少{TABLE_2}（`[active]`）：空白不是零，每一格都要填写，没有的填 0"),
                    Some(CellPlace {
                        table: TABLE_2,
                        row: PART_HEADINGS[1].into(),
                        column: None,
                    }),
                );
                ActiveTable::zeros(edition)
            }
        };
        let requests = match node("requests") {
            Some(n) => self.requests(n, edition),
            None => {
                self.missing(
                    "requests",
                    &span,
                    format!(
                        "缺少{TABLE_3}（`[requests]`）：空白不是零，每一行都要填写，没有的填 0"
                    ),
                    Some(CellPlace {
                        table: TABLE_3,
                        row: PART_HEADINGS[2].into(),
                        column: None,
                    }),
                );
                RequestsTable::default()
            }
        };
        let appeals = match node("appeals") {
            Some(n) => self.appeals(n, edition),
            None => {
                self.missing(
                    "appeals",
                    &span,
                    format!("缺少{TABLE_4}（`[appeals]`）：空白不是零，每一格都要填写，没有的填 0"),
                    Some(CellPlace {
                        table: TABLE_4,
                        row: PART_HEADINGS[3].into(),
                        column: None,
                    }),
                );
                AppealsTable::default()
            }
        };

        Report {
            edition: edition_field,
            agency,
            year,
            title,
            date,
            preamble,
            seal,
            overview,
            active,
            requests,
            appeals,
            problems,
            other,
            fonts,
        }
    }

    fn year(&mut self, node: &Node) -> Option<Year> {
        let v = match &node.value {
            Value::Integer(i) => Some(*i),
            Value::Float { value, .. } if value.fract() == 0.0 => Some(*value as i128),
            _ => None,
        };
        match v
            .and_then(|v| u16::try_from(v).ok())
            .filter(|y| YEARS.contains(y))
        {
            Some(y) => Some(Year(y)),
            None => {
                self.problem(
                    ProblemKind::Key,
                    "year",
                    Some(&node.span),
                    Some(written(node)),
                    format!(
                        "报告年度应为 {} 至 {} 之间的整数，如 year = 2023",
                        YEARS.start(),
                        YEARS.end()
                    ),
                    None,
                );
                None
            }
        }
    }

    fn date(&mut self, node: &Node) -> Option<ReportDate> {
        let text = match &node.value {
            Value::String(s) | Value::Datetime(s) => s.as_str(),
            _ => {
                self.wrong_kind(node, "date", "日期，如 \"2024-01-20\"");
                return None;
            }
        };
        let parsed = ReportDate::parse(text);
        if parsed.is_none() {
            self.problem(
                ProblemKind::Key,
                "date",
                Some(&node.span),
                Some(written(node)),
                format!("“{text}”不是有效的日期：成文日期写成 年-月-日，如 \"2024-01-20\""),
                None,
            );
        }
        parsed
    }

    fn fonts(&mut self, node: &Node, edition: Edition) -> FontRoles {
        let mut roles = FontRoles::default();
        let Some(fields) = self.fields(node, "fonts", &FontRoles::KEYS, &[], edition) else {
            return roles;
        };
        for (key, e) in fields {
            let p = join("fonts", key);
            let chain = match &e.node.value {
                Value::String(s) => vec![s.clone()],
                _ => self.strings(&e.node, &p),
            };
            if let Some(slot) = roles.slot_mut(key) {
                *slot = Some(chain);
            }
        }
        roles
    }

    fn section(&mut self, node: &Node, path: &str, edition: Edition) -> Section {
        let Some(fields) = self.fields(node, path, &["paragraphs", "items"], &[], edition) else {
            return Section::default();
        };
        Section {
            paragraphs: fields
                .get("paragraphs")
                .map(|e| self.strings(&e.node, &join(path, "paragraphs")))
                .unwrap_or_default(),
            items: fields
                .get("items")
                .map(|e| self.items(&e.node, &join(path, "items"), edition))
                .unwrap_or_default(),
        }
    }

    fn items(&mut self, node: &Node, path: &str, edition: Edition) -> Vec<Item> {
        let Value::Array(list) = &node.value else {
            self.wrong_kind(node, path, "条目的列表（[[…items]]）");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, n) in list.iter().enumerate() {
            let p = index(path, i);
            self.spans.record(&p, &n.span, None);
            let Some(fields) = self.fields(
                n,
                &p,
                &["title", "run_in", "paragraphs", "items"],
                &[],
                edition,
            ) else {
                continue;
            };
            let title = match fields.get("title") {
                Some(e) => self.string(&e.node, &join(&p, "title")).unwrap_or_default(),
                None => {
                    self.problem(
                        ProblemKind::Key,
                        &join(&p, "title"),
                        Some(&n.span),
                        None,
                        "条目缺少标题 `title`（编号（一）（二）…会自动加上）".into(),
                        None,
                    );
                    String::new()
                }
            };
            let run_in = match fields.get("run_in").map(|e| &e.node) {
                None => false,
                Some(Node {
                    value: Value::Bool(b),
                    ..
                }) => *b,
                Some(other) => {
                    self.wrong_kind(other, &join(&p, "run_in"), "true 或 false");
                    false
                }
            };
            out.push(Item {
                title,
                run_in,
                paragraphs: fields
                    .get("paragraphs")
                    .map(|e| self.strings(&e.node, &join(&p, "paragraphs")))
                    .unwrap_or_default(),
                items: fields
                    .get("items")
                    .map(|e| self.items(&e.node, &join(&p, "items"), edition))
                    .unwrap_or_default(),
            });
        }
        out
    }

    /// A bad or blank table cell: a problem, and a value the rules cannot know.
    fn bad_cell<T>(
        &mut self,
        node: &Node,
        path: &str,
        cell: &CellPlace,
        kind: ProblemKind,
        message: String,
    ) -> Option<T> {
        self.unknown.insert(path.to_string());
        self.problem(
            kind,
            path,
            Some(&node.span),
            Some(written(node)),
            message,
            Some(cell.clone()),
        );
        None
    }

    /// A count (0 … 10^9) in a table cell.
    fn count(&mut self, node: &Node, path: &str, cell: &CellPlace) -> Option<Count> {
        let bad = |this: &mut Reader, kind: ProblemKind, message: String| {
            this.bad_cell(node, path, cell, kind, message)
        };
        match &node.value {
            Value::Integer(i) if *i < 0 => bad(
                self,
                ProblemKind::BadValue,
                format!("件数不能为负数，填的是 {i}；没有的填 0"),
            ),
            Value::Integer(i) if *i > MAX_COUNT as i128 => bad(
                self,
                ProblemKind::BadValue,
                format!("件数 {i} 超过了允许的最大值 {MAX_COUNT}"),
            ),
            Value::Integer(i) => Some(Count(*i as u64)),
            Value::Float { value, text } => {
                if !value.is_finite() || value.fract() != 0.0 {
                    bad(
                        self,
                        ProblemKind::BadValue,
                        format!("件数应为整数，填的是 {text}"),
                    )
                } else if *value < 0.0 {
                    bad(
                        self,
                        ProblemKind::BadValue,
                        format!("件数不能为负数，填的是 {text}；没有的填 0"),
                    )
                } else if *value > MAX_COUNT as f64 {
                    bad(
                        self,
                        ProblemKind::BadValue,
                        format!("件数 {text} 超过了允许的最大值 {MAX_COUNT}"),
                    )
                } else {
                    Some(Count(*value as u64))
                }
            }
            _ if is_blank(node) => bad(
                self,
                ProblemKind::Blank,
                "空白不是零：请填写数字，没有的填 0".into(),
            ),
            Value::String(s) => bad(
                self,
                ProblemKind::BadValue,
                format!("数字不能写成文字 \"{s}\"：去掉引号，写成数字"),
            ),
            _ => bad(
                self,
                ProblemKind::BadValue,
                format!("应为整数，而不是{}", kind_zh(node)),
            ),
        }
    }

    /// A value of Table 2 of the given kind.
    fn active_value(
        &mut self,
        node: &Node,
        path: &str,
        kind: ActiveKind,
        cell: &CellPlace,
    ) -> Option<ActiveValue> {
        match kind {
            ActiveKind::Count => self.count(node, path, cell).map(ActiveValue::Count),
            ActiveKind::Change => {
                let v = match &node.value {
                    Value::Integer(i) => i64::try_from(*i)
                        .ok()
                        .filter(|v| v.unsigned_abs() <= MAX_COUNT),
                    Value::Float { value, .. }
                        if value.fract() == 0.0 && value.abs() <= MAX_COUNT as f64 =>
                    {
                        Some(*value as i64)
                    }
                    _ => None,
                };
                if v.is_none() {
                    let (kind, message) = if is_blank(node) {
                        (
                            ProblemKind::Blank,
                            "空白不是零：请填写数字，没有变化的填 0".to_string(),
                        )
                    } else {
                        (
                            ProblemKind::BadValue,
                            "本年增/减应为整数（减少写负数，如 -3）".to_string(),
                        )
                    };
                    self.unknown.insert(path.to_string());
                    self.problem(
                        kind,
                        path,
                        Some(&node.span),
                        Some(written(node)),
                        message,
                        Some(cell.clone()),
                    );
                }
                v.map(ActiveValue::Change)
            }
            ActiveKind::Amount => {
                let text = match &node.value {
                    Value::Integer(i) if *i >= 0 => Some(i.to_string()),
                    Value::Float { value, text } if *value >= 0.0 => Some(text.clone()),
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                };
                match text.as_deref().and_then(Amount::parse) {
                    Some(a) => Some(ActiveValue::Amount(a)),
                    None if is_blank(node) => self.bad_cell(
                        node,
                        path,
                        cell,
                        ProblemKind::Blank,
                        "空白不是零：请填写金额，没有的填 0".into(),
                    ),
                    None => self.bad_cell(
                        node,
                        path,
                        cell,
                        ProblemKind::BadValue,
                        "金额应为不小于 0 的数，可带小数，如 7730.28".into(),
                    ),
                }
            }
        }
    }

    fn active(&mut self, node: &Node, edition: Edition) -> ActiveTable {
        let blocks = labels::active_blocks(edition);
        let mut known = vec!["paragraphs"];
        known.extend(blocks.iter().flat_map(|b| b.rows.iter().map(|r| r.key)));
        let other: Vec<&str> = labels::active_blocks(edition.other())
            .iter()
            .flat_map(|b| b.rows.iter().map(|r| r.key))
            .filter(|k| !known.contains(k))
            .collect();
        let mut table = ActiveTable::zeros(edition);
        let Some(fields) = self.fields(node, "active", &known, &other, edition) else {
            self.unknown.insert("active".into());
            return table;
        };
        if let Some(e) = fields.get("paragraphs") {
            table.paragraphs = self.strings(&e.node, "active.paragraphs");
        }
        for block in blocks {
            for row in block.rows {
                let path = join("active", row.key);
                let place = |column: Option<&str>| CellPlace {
                    table: TABLE_2,
                    row: format!("{} · {}", block.caption, row.label),
                    column: column.map(str::to_string),
                };
                let Some(entry) = fields.get(row.key) else {
                    self.missing(
                        &path,
                        &node.span,
                        format!(
                            "缺少“{}”一行（`{path}`）：空白不是零，没有的填 0",
                            row.label
                        ),
                        Some(place(None)),
                    );
                    continue;
                };
                let values = self.active_row(&entry.node, &path, block, edition, &place);
                table.rows.insert(row.key, values);
            }
        }
        table
    }

    fn active_row(
        &mut self,
        node: &Node,
        path: &str,
        block: &ActiveBlock,
        edition: Edition,
        place: &dyn Fn(Option<&str>) -> CellPlace,
    ) -> Vec<ActiveValue> {
        let mut values: Vec<ActiveValue> = block
            .columns
            .iter()
            .map(|c| ActiveValue::zero(c.kind))
            .collect();
        if block.scalar() {
            let c = &block.columns[0];
            if let Some(v) = self.active_value(node, path, c.kind, &place(Some(c.label))) {
                values[0] = v;
            }
            return values;
        }
        let known: Vec<&str> = block.columns.iter().map(|c| c.key).collect();
        let other: Vec<&str> = labels::active_blocks(edition.other())
            .iter()
            .flat_map(|b| b.columns.iter().map(|c| c.key))
            .filter(|k| !k.is_empty() && !known.contains(k))
            .collect();
        let Some(fields) = self.fields(node, path, &known, &other, edition) else {
            self.unknown.insert(path.to_string());
            return values;
        };
        for (i, c) in block.columns.iter().enumerate() {
            let p = join(path, c.key);
            match fields.get(c.key) {
                Some(e) => {
                    if let Some(v) = self.active_value(&e.node, &p, c.kind, &place(Some(c.label))) {
                        values[i] = v;
                    }
                }
                None => self.missing(
                    &p,
                    &node.span,
                    format!("缺少“{}”（`{p}`）：空白不是零，没有的填 0", c.label),
                    Some(place(Some(c.label))),
                ),
            }
        }
        values
    }

    /// A list of `n` counts, optionally followed by a printed 总计.
    fn counts<const N: usize>(
        &mut self,
        node: &Node,
        path: &str,
        columns: &[String],
        place: &dyn Fn(Option<String>) -> CellPlace,
    ) -> ([Count; N], Option<Count>) {
        let mut counts = [Count(0); N];
        let Value::Array(items) = &node.value else {
            self.unknown.insert(path.to_string());
            let kind = if matches!(node.value, Value::Null) {
                ProblemKind::Blank
            } else {
                ProblemKind::BadValue
            };
            let message = if kind == ProblemKind::Blank {
                format!(
                    "这一行是空白：空白不是零，每一行都要填写 {N} 个数字 [{}]，没有的填 0",
                    columns[..N].join("，")
                )
            } else {
                format!(
                    "应为 {N} 个数字的列表 [{}]（可在最后加上总计），而不是{}",
                    columns[..N].join("，"),
                    kind_zh(node)
                )
            };
            self.problem(
                kind,
                path,
                Some(&node.span),
                Some(written(node)),
                message,
                Some(place(None)),
            );
            return (counts, None);
        };
        if items.len() < N {
            for i in items.len()..N {
                self.unknown.insert(index(path, i));
            }
            self.problem(
                ProblemKind::Blank,
                path,
                Some(&node.span),
                None,
                format!(
                    "应有 {N} 个数字（{}），只填了 {} 个：空白不是零，缺少“{}”",
                    columns[..N].join("，"),
                    items.len(),
                    columns[items.len()..N].join("”“")
                ),
                Some(place(None)),
            );
        } else if items.len() > N + 1 {
            self.problem(
                ProblemKind::BadValue,
                path,
                Some(&node.span),
                None,
                format!(
                    "最多 {} 个数字（{}，最后可加总计），填了 {} 个",
                    N + 1,
                    columns[..N].join("，"),
                    items.len()
                ),
                Some(place(None)),
            );
        }
        let mut total = None;
        for (i, item) in items.iter().enumerate().take(N + 1) {
            let p = index(path, i);
            self.spans.record(&p, &item.span, None);
            let value = self.count(item, &p, &place(Some(columns[i].clone())));
            match (i < N, value) {
                (true, Some(v)) => counts[i] = v,
                (false, v) => total = v,
                _ => {}
            }
        }
        (counts, total)
    }

    fn requests(&mut self, node: &Node, edition: Edition) -> RequestsTable {
        let mut known = vec!["paragraphs", "total"];
        known.extend(RequestRow::rows_of(edition).map(RequestRow::key));
        let other: Vec<&str> = RequestRow::rows_of(edition.other())
            .filter(|r| !r.in_edition(edition))
            .map(RequestRow::key)
            .collect();
        let mut table = RequestsTable::default();
        let Some(fields) = self.fields(node, "requests", &known, &other, edition) else {
            self.unknown.insert("requests".into());
            return table;
        };
        let columns: Vec<String> = (0..7).map(labels::request_column).collect();
        if let Some(e) = fields.get("paragraphs") {
            table.paragraphs = self.strings(&e.node, "requests.paragraphs");
        }
        if let Some(e) = fields.get("total") {
            let place = |column: Option<String>| CellPlace {
                table: TABLE_3,
                row: REQUESTS_TOTAL_ROW.into(),
                column,
            };
            let (counts, given_total) =
                self.counts::<6>(&e.node, "requests.total", &columns, &place);
            table.given_total = Some(ApplicantRow {
                counts,
                given_total,
            });
        }
        for row in RequestRow::rows_of(edition) {
            let path = join("requests", row.key());
            let place = |column: Option<String>| CellPlace {
                table: TABLE_3,
                row: row.full_label(),
                column,
            };
            match fields.get(row.key()) {
                Some(e) => {
                    let (counts, given_total) = self.counts::<6>(&e.node, &path, &columns, &place);
                    table.rows.insert(
                        row,
                        ApplicantRow {
                            counts,
                            given_total,
                        },
                    );
                }
                None => self.missing(
                    &path,
                    &node.span,
                    format!(
                        "缺少“{}”一行（`{path}`）：空白不是零，每一行都要填写，没有的填 0",
                        row.full_label()
                    ),
                    Some(place(None)),
                ),
            }
        }
        table
    }

    fn appeals(&mut self, node: &Node, edition: Edition) -> AppealsTable {
        let mut known = vec!["paragraphs"];
        known.extend(AppealKind::ALL.iter().map(|k| k.key()));
        let mut table = AppealsTable::default();
        let Some(fields) = self.fields(node, "appeals", &known, &[], edition) else {
            self.unknown.insert("appeals".into());
            return table;
        };
        let columns: Vec<String> = APPEAL_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain([TOTAL_COLUMN.to_string()])
            .collect();
        if let Some(e) = fields.get("paragraphs") {
            table.paragraphs = self.strings(&e.node, "appeals.paragraphs");
        }
        for kind in AppealKind::ALL {
            let path = join("appeals", kind.key());
            let place = |column: Option<String>| CellPlace {
                table: TABLE_4,
                row: kind.label(),
                column,
            };
            match fields.get(kind.key()) {
                Some(e) => {
                    let (counts, given_total) = self.counts::<4>(&e.node, &path, &columns, &place);
                    *table.group_mut(kind) = AppealGroup {
                        counts,
                        given_total,
                    };
                }
                None => self.missing(
                    &path,
                    &node.span,
                    format!(
                        "缺少“{}”（`{path}`）：空白不是零，没有的填 [0, 0, 0, 0]",
                        kind.label()
                    ),
                    Some(place(None)),
                ),
            }
        }
        let _ = APPLICANT_COLUMNS;
        table
    }
}

/// Whether a cell is blank: no value, or an empty text (how a blank cell of a
/// TOML file is written, TOML having no empty value).
fn is_blank(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The kind of a value, in Chinese.
fn kind_zh(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "空白",
        Value::Bool(_) => "真假值",
        Value::Integer(_) => "整数",
        Value::Float { .. } => "小数",
        Value::String(_) => "文字",
        Value::Datetime(_) => "日期",
        Value::Array(_) => "列表",
        Value::Table(_) => "表",
    }
}

/// The edition the tables' shape shows, when it shows only one.
fn edition_by_shape(active: Option<&Node>, requests: Option<&Node>) -> Option<Edition> {
    let (mut e2019, mut e2021) = (0, 0);
    let keys = |n: Option<&Node>| -> Vec<(String, Value)> {
        match n.map(|n| &n.value) {
            Some(Value::Table(entries)) => entries
                .iter()
                .map(|e| (e.key.clone(), e.node.value.clone()))
                .collect(),
            _ => Vec::new(),
        }
    };
    for (key, _) in keys(requests) {
        match RequestRow::from_key(&key) {
            Some(r) if !r.in_edition(Edition::E2019) => e2021 += 1,
            Some(r) if !r.in_edition(Edition::E2021) => e2019 += 1,
            _ => {}
        }
    }
    for (key, value) in keys(active) {
        let in_2021 = labels::active_row(Edition::E2021, &key);
        let in_2019 = labels::active_row(Edition::E2019, &key);
        match (in_2021, in_2019, &value) {
            (None, Some(_), _) => e2019 += 1,
            (Some(_), None, _) => e2021 += 1,
            (Some((b21, _)), Some((b19, _)), v) => {
                let is_table = matches!(v, Value::Table(_));
                match (b21.scalar(), b19.scalar()) {
                    (true, false) if is_table => e2019 += 1,
                    (true, false) => e2021 += 1,
                    (false, false) => {
                        if let Value::Table(cols) = v {
                            for c in cols {
                                if b21.columns.iter().any(|x| x.key == c.key) {
                                    e2021 += 1;
                                } else if b19.columns.iter().any(|x| x.key == c.key) {
                                    e2019 += 1;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    match (e2019 > 0, e2021 > 0) {
        (true, false) => Some(Edition::E2019),
        (false, true) => Some(Edition::E2021),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tree::parse;
    use crate::model::Format;

    fn read_toml(text: &str) -> Read {
        read(&parse(text, Format::Toml).unwrap()).unwrap()
    }

    const EXAMPLE: &str = include_str!("../../examples/bianlukou-2023.toml");

    #[test]
    fn the_example_reads_without_problems() {
        let r = read_toml(EXAMPLE);
        assert_eq!(r.problems, vec![]);
        assert!(r.unknown.is_empty());
        assert_eq!(r.report.edition(), Edition::E2021);
        assert_eq!(r.report.agency, "卞路口乡人民政府");
    }

    #[test]
    fn every_bad_cell_is_a_problem_of_its_own() {
        let text = EXAMPLE
            .replace(
                "\ngranted = [0, 0, 0, 0, 0, 0]",
                "\ngranted = [-1, 1.5, \"3\", 0, 0, 0]",
            )
            .replace(
                "\nreview = [0, 0, 0, 0]",
                "\nreview = [0, 2000000000, 0, 0]",
            );
        let r = read_toml(&text);
        let keys: Vec<(&str, ProblemKind)> = r
            .problems
            .iter()
            .map(|p| (p.key.as_str(), p.kind))
            .collect();
        assert_eq!(
            keys,
            [
                ("requests.granted[0]", ProblemKind::BadValue),
                ("requests.granted[1]", ProblemKind::BadValue),
                ("requests.granted[2]", ProblemKind::BadValue),
                ("appeals.review[1]", ProblemKind::BadValue),
            ]
        );
        let p = &r.problems[1];
        assert_eq!(&text[p.span.clone().unwrap()], "1.5");
        let cell = p.cell.as_ref().unwrap();
        assert_eq!(cell.table, TABLE_3);
        assert_eq!(cell.row, "（一）予以公开");
        assert_eq!(cell.column.as_deref(), Some("法人或其他组织 · 商业企业"));
        assert!(r.unknown.contains("requests.granted[2]"));
    }

    #[test]
    fn missing_tables_and_rows_are_blank() {
        let start = EXAMPLE.find("[appeals]").unwrap();
        let end = EXAMPLE[start..]
            .find("\n[")
            .map_or(EXAMPLE.len(), |e| start + e + 1);
        let text: String = format!("{}{}", &EXAMPLE[..start], &EXAMPLE[end..])
            .lines()
            .filter(|l| !l.starts_with("rejected_repeated"))
            .map(|l| format!("{l}\n"))
            .collect();
        let r = read_toml(&text);
        let keys: Vec<(&str, ProblemKind)> = r
            .problems
            .iter()
            .map(|p| (p.key.as_str(), p.kind))
            .collect();
        assert!(
            keys.contains(&("requests.rejected_repeated", ProblemKind::Blank)),
            "{keys:?}"
        );
        assert!(keys.contains(&("appeals", ProblemKind::Blank)), "{keys:?}");
        let appeals = r.problems.iter().find(|p| p.key == "appeals").unwrap();
        assert_eq!(appeals.cell.as_ref().unwrap().table, TABLE_4);
    }

    #[test]
    fn the_2019_edition_is_read_by_shape_and_mixing_is_r12() {
        let text = r#"
agency = "甲"
year = 2020
[overview]
[problems]
[other]
[active]
rules = { new_made = 1, new_published = 1, total_published = 9 }
normative_documents = { new_made = 0, new_published = 0, total_published = 3 }
licensing = { last_year_items = 5, change = -2, decisions = 10 }
other_services = { last_year_items = 1, change = 0, decisions = 0 }
penalties = { last_year_items = 0, change = 0, decisions = 0 }
coercive_measures = { last_year_items = 0, change = 0, decisions = 0 }
fees = { last_year_items = 2, change = 1 }
procurement = { projects = 3, amount = 251000 }
[requests]
other_other = [0, 0, 0, 0, 0, 0]
[appeals]
review = [0, 0, 0, 0]
litigation_direct = [0, 0, 0, 0]
litigation_after_review = [0, 0, 0, 0]
"#;
        let r = read_toml(text);
        assert_eq!(r.report.edition(), Edition::E2019);
        assert_eq!(
            r.report.active.value("licensing", "change"),
            Some(&ActiveValue::Change(-2))
        );
        assert_eq!(r.report.active.count("procurement", "projects"), 3);
        let edition: Vec<&str> = r
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Edition)
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(edition, ["requests.other_other"]);
        // Every 2019 row of Table 3 is missing.
        assert!(r
            .problems
            .iter()
            .any(|p| p.key == "requests.other" && p.kind == ProblemKind::Blank));
    }

    #[test]
    fn unknown_keys_get_suggestions() {
        let text = EXAMPLE.replacen("[requests]", "[requests]\ngrantd = [0, 0, 0, 0, 0, 0]", 1);
        let r = read_toml(&text);
        let p = r
            .problems
            .iter()
            .find(|p| p.key == "requests.grantd")
            .unwrap();
        assert_eq!(p.kind, ProblemKind::Key);
        assert!(p.message.contains("`granted`"), "{}", p.message);
        assert_eq!(&text[p.span.clone().unwrap()], "grantd");
    }
}
