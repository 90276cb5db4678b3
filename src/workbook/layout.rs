//! Where everything is in a report workbook: one plan, made from the label
//! table, that the writer draws and the reader reads back.
//!
//! The sheets 基本信息, 表二, 表三 and 表四 are laid out cell by cell here: the
//! labels with their merged ranges (the printed tables' rows, columns and
//! merges, in the printed order), the input rows with their key paths and
//! defined names, the total formulas and the check column. A formula is planned
//! once as a [`Spec`]: its Excel text and the value it shows (written as the
//! cached result) are both made from it.

use std::collections::HashMap;

use crate::model::labels::{
    self, ActiveKind, AppealKind, OutcomeGroup, RequestRow, ACTIVE_CONTENT_HEADER, APPEAL_COLUMNS,
    APPLICANT_COLUMNS, APPLICANT_HEADER, LEGAL_PERSONS_HEADER, LITIGATION_HEADER, OUTCOME_LABEL,
    REQUESTS_NOTE, REQUESTS_TOTAL_ROW, TOTAL_COLUMN,
};
use crate::model::{Edition, FontRoles, MAX_COUNT};

/// The version of the cell layout, written with the edition into the
/// `nianbao-template` property (`2021/1`). Change it when cells move.
pub const LAYOUT_VERSION: u32 = 1;

/// The header of the check column (表二–表四).
pub const CHECK_HEADER: &str = "检查";
/// What the check column shows when a row keeps every rule.
pub const CHECK_OK: &str = "✓";

/// The sheet of the basic information.
pub fn identity_sheet() -> &'static str {
    labels::IDENTITY_HEADING
}

/// A table's sheet name: the first word of its caption (表二, 表三, 表四).
pub fn table_sheet(caption: &'static str) -> &'static str {
    caption.split(' ').next().unwrap_or(caption)
}

/// A cell position (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    pub row: u32,
    pub col: u16,
}

pub const fn pos(row: u32, col: u16) -> Pos {
    Pos { row, col }
}

impl Pos {
    /// `F12`.
    pub fn a1(self) -> String {
        format!("{}{}", column_name(self.col), self.row + 1)
    }

    /// `$F$12`.
    pub fn absolute(self) -> String {
        format!("${}${}", column_name(self.col), self.row + 1)
    }

    /// The position `d` columns to the right (or left).
    pub fn right(self, d: i32) -> Pos {
        pos(self.row, (self.col as i32 + d).max(0) as u16)
    }
}

/// A column's letters: 0 → A, 26 → AA.
pub fn column_name(col: u16) -> String {
    let mut n = col as u32 + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push((b'A' + r) as char);
        n = (n - 1) / 26;
    }
    s.iter().rev().collect()
}

/// A rectangle of cells on one sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub first: Pos,
    pub last: Pos,
}

impl Rect {
    pub fn cell(p: Pos) -> Rect {
        Rect { first: p, last: p }
    }

    pub fn row(row: u32, first: u16, last: u16) -> Rect {
        Rect {
            first: pos(row, first),
            last: pos(row, last),
        }
    }

    pub fn a1(&self) -> String {
        if self.first == self.last {
            self.first.a1()
        } else {
            format!("{}:{}", self.first.a1(), self.last.a1())
        }
    }

    pub fn len(&self) -> usize {
        (self.last.row - self.first.row + 1) as usize
            * (self.last.col - self.first.col + 1) as usize
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn cells(&self) -> impl Iterator<Item = Pos> + '_ {
        (self.first.row..=self.last.row)
            .flat_map(move |r| (self.first.col..=self.last.col).map(move |c| pos(r, c)))
    }
}

/// How a cell looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// A block caption or a sheet's heading row.
    Caption,
    /// A header cell (centred, wrapped).
    Header,
    /// A row label (left, wrapped).
    RowLabel,
    /// A value the clerk types.
    Input(InputKind),
    /// A value shown but not typed (格式版本).
    Fixed,
    /// A computed total.
    Total,
    /// The check column.
    Check,
    /// A note beside an input (基本信息's 填写说明).
    Note,
}

/// What an input cell holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// A count (0 … 10^9).
    Count,
    /// A signed whole number (2019 本年增/减).
    Change,
    /// An amount with decimals (万元, 元).
    Amount,
    /// Text (机关名称, 标题, 印章图像, fonts).
    Text,
    /// 报告年度.
    Year,
    /// 成文日期.
    Date,
    /// 格式版本.
    Edition,
}

impl InputKind {
    fn of(kind: ActiveKind) -> InputKind {
        match kind {
            ActiveKind::Count => InputKind::Count,
            ActiveKind::Change => InputKind::Change,
            ActiveKind::Amount => InputKind::Amount,
        }
    }

    /// Whether the cell holds a number of a table.
    pub fn numeric(self) -> bool {
        matches!(
            self,
            InputKind::Count | InputKind::Change | InputKind::Amount
        )
    }
}

/// A label (or header) drawn over a range of cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub rect: Rect,
    pub text: String,
    pub style: Style,
}

/// A test of the check column: the condition a rule sets on some cells.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// No cell is blank (R6).
    Filled(Rect),
    /// Every cell is a whole number from `min` to 10^9, or blank (R5).
    Whole { cells: Rect, min: i64 },
    /// The cell is an amount ≥ 0 (a number, or text that is one), or blank (R5).
    Amount(Pos),
    /// The sum of the left cells equals the sum of the right cells.
    Equal(Vec<Rect>, Vec<Rect>),
}

/// A planned formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Spec {
    /// The sum of some cells (a total).
    Sum(Vec<Rect>),
    /// The check column: ✓, or the rules broken, each rule with its tests.
    Check(Vec<(&'static str, Vec<Test>)>),
}

/// A cell's value, for computing what a formula shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    Number(f64),
    Text(String),
    Blank,
}

/// What a planned formula shows: a number or a text.
#[derive(Clone, Debug, PartialEq)]
pub enum Result {
    Number(f64),
    Text(String),
}

fn list(rects: &[Rect]) -> String {
    rects.iter().map(Rect::a1).collect::<Vec<_>>().join(",")
}

impl Test {
    /// The condition as an Excel formula (TRUE when the rule holds).
    fn formula(&self) -> String {
        match self {
            Test::Filled(r) => format!("COUNTBLANK({})=0", r.a1()),
            Test::Whole { cells, min } => {
                let r = cells.a1();
                format!(
                    "IFERROR(AND(COUNT({r})+COUNTBLANK({r})={n},MIN({r})>={min},MAX({r})<={MAX_COUNT},SUMPRODUCT(--({r}<>INT({r})))=0),FALSE)",
                    n = cells.len()
                )
            }
            Test::Amount(p) => {
                let c = p.a1();
                format!("IFERROR(OR(ISBLANK({c}),VALUE({c})>=0),FALSE)")
            }
            Test::Equal(a, b) => format!("SUM({})=SUM({})", list(a), list(b)),
        }
    }

    /// The condition, computed as Excel computes it.
    fn holds(&self, cell: &dyn Fn(Pos) -> Shown) -> bool {
        let sum = |rects: &[Rect]| -> f64 {
            rects
                .iter()
                .flat_map(|r| r.cells().collect::<Vec<_>>())
                .map(|p| match cell(p) {
                    Shown::Number(n) => n,
                    _ => 0.0,
                })
                .sum()
        };
        match self {
            Test::Filled(r) => r.cells().all(|p| cell(p) != Shown::Blank),
            Test::Whole { cells, min } => cells.cells().all(|p| match cell(p) {
                Shown::Blank => true,
                Shown::Number(n) => n.fract() == 0.0 && n >= *min as f64 && n <= MAX_COUNT as f64,
                Shown::Text(_) => false,
            }),
            Test::Amount(p) => match cell(*p) {
                Shown::Blank => true,
                Shown::Number(n) => n >= 0.0,
                Shown::Text(t) => t.trim().parse::<f64>().is_ok_and(|n| n >= 0.0),
            },
            Test::Equal(a, b) => sum(a) == sum(b),
        }
    }
}

impl Spec {
    /// The formula's Excel text (without `=`).
    pub fn formula(&self) -> String {
        match self {
            Spec::Sum(rects) => format!("SUM({})", list(rects)),
            Spec::Check(rules) => {
                let conditions: Vec<(&str, String)> = rules
                    .iter()
                    .map(|(rule, tests)| {
                        let parts: Vec<String> = tests.iter().map(Test::formula).collect();
                        let c = if parts.len() == 1 {
                            parts[0].clone()
                        } else {
                            format!("AND({})", parts.join(","))
                        };
                        (*rule, c)
                    })
                    .collect();
                let all = conditions
                    .iter()
                    .map(|(_, c)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                let which = conditions
                    .iter()
                    .map(|(rule, c)| format!("IF({c},\"\",\" {rule}\")"))
                    .collect::<Vec<_>>()
                    .join("&");
                format!("IF(AND({all}),\"{CHECK_OK}\",TRIM({which}))")
            }
        }
    }

    /// What the formula shows, given the cells' values.
    pub fn result(&self, cell: &dyn Fn(Pos) -> Shown) -> Result {
        match self {
            Spec::Sum(rects) => Result::Number(
                rects
                    .iter()
                    .flat_map(|r| r.cells().collect::<Vec<_>>())
                    .map(|p| match cell(p) {
                        Shown::Number(n) => n,
                        _ => 0.0,
                    })
                    .sum(),
            ),
            Spec::Check(rules) => {
                let broken: Vec<&str> = rules
                    .iter()
                    .filter(|(_, tests)| !tests.iter().all(|t| t.holds(cell)))
                    .map(|(rule, _)| *rule)
                    .collect();
                Result::Text(if broken.is_empty() {
                    CHECK_OK.to_string()
                } else {
                    broken.join(" ")
                })
            }
        }
    }
}

/// A formula cell.
#[derive(Clone, Debug, PartialEq)]
pub struct FormulaCell {
    pub at: Pos,
    pub spec: Spec,
    pub style: Style,
}

/// One input cell: its key path and kind.
#[derive(Clone, Debug, PartialEq)]
pub struct InputCell {
    /// `requests.granted[2]`, `active.rules.issued`, `active.licensing`, `agency`.
    pub key: String,
    pub kind: InputKind,
}

/// How a row's values form the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One value (`agency`, `active.licensing`).
    Scalar,
    /// A table of values by column key (`active.rules = { issued, … }`).
    Keyed,
    /// A list of numbers (`requests.granted = [...]`), then the printed 总计
    /// when its cell holds a number typed over the formula.
    List,
}

/// A row of input cells under one defined name.
#[derive(Clone, Debug, PartialEq)]
pub struct InputRow {
    /// The key path of the row: `requests.granted`.
    pub key: String,
    /// The defined name: the key path with `.` replaced by `_`.
    pub name: String,
    /// The sheet (an index into [`Layout::sheets`]).
    pub sheet: usize,
    /// The first cell; the others follow to the right.
    pub at: Pos,
    pub cells: Vec<InputCell>,
    pub shape: Shape,
    /// The label that names the row (verified when reading).
    pub label: String,
    /// Where that label is.
    pub label_at: Pos,
    /// The computed total after the inputs (表三 总计, 表四 总计), read only when
    /// a number was typed over its formula.
    pub total_at: Option<Pos>,
    /// Whether a blank is allowed (标题, 成文日期, 印章图像, fonts).
    pub optional: bool,
    /// Whether the clerk types it (格式版本 is shown, not typed).
    pub editable: bool,
    /// A note for the clerk beside or over the cells.
    pub note: Option<String>,
}

impl InputRow {
    /// The range the defined name covers.
    pub fn rect(&self) -> Rect {
        Rect::row(
            self.at.row,
            self.at.col,
            self.at.col + self.cells.len() as u16 - 1,
        )
    }
}

/// The plan of one sheet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SheetLayout {
    pub name: String,
    pub labels: Vec<Label>,
    pub formulas: Vec<FormulaCell>,
    /// Column widths (characters), from column A.
    pub widths: Vec<f64>,
    /// Rows that need more than one line: row → height in points.
    pub heights: Vec<(u32, f64)>,
    /// Rows repeated at the top of every printed page.
    pub header_rows: Option<(u32, u32)>,
    pub landscape: bool,
    /// The table's caption, printed in the page header.
    pub caption: Option<&'static str>,
}

/// The layout of a report workbook in one edition.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub edition: Edition,
    /// 基本信息, 表二, 表三, 表四.
    pub sheets: Vec<SheetLayout>,
    pub inputs: Vec<InputRow>,
}

/// The display width of a text in "characters" (a CJK character counts 2).
pub fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if (c as u32) < 0x2E80 { 1.0 } else { 2.0 })
        .sum()
}

/// The height (points) a text needs in a column span of `width` characters.
fn height_for(text: &str, width: f64) -> f64 {
    let lines = (display_width(text) / (width - 1.0).max(1.0))
        .ceil()
        .max(1.0);
    lines * 15.0 + 3.0
}

/// Builds a sheet's labels and remembers the rows that need height.
struct Sheet {
    layout: SheetLayout,
    heights: HashMap<u32, f64>,
}

impl Sheet {
    fn new(name: &str, widths: Vec<f64>) -> Sheet {
        Sheet {
            layout: SheetLayout {
                name: name.to_string(),
                widths,
                ..Default::default()
            },
            heights: HashMap::new(),
        }
    }

    fn width(&self, first: u16, last: u16) -> f64 {
        (first..=last)
            .map(|c| self.layout.widths.get(c as usize).copied().unwrap_or(9.0))
            .sum()
    }

    fn label(&mut self, rect: Rect, text: &str, style: Style) {
        let rows = (rect.last.row - rect.first.row + 1) as f64;
        let need = height_for(text, self.width(rect.first.col, rect.last.col)) / rows;
        for r in rect.first.row..=rect.last.row {
            let h = self.heights.entry(r).or_insert(0.0);
            *h = h.max(need);
        }
        self.layout.labels.push(Label {
            rect,
            text: text.to_string(),
            style,
        });
    }

    fn formula(&mut self, at: Pos, spec: Spec, style: Style) {
        self.layout.formulas.push(FormulaCell { at, spec, style });
    }

    fn finish(mut self) -> SheetLayout {
        let mut heights: Vec<(u32, f64)> = self
            .heights
            .into_iter()
            .filter(|(_, h)| *h > 18.5)
            .collect();
        heights.sort_by_key(|(r, _)| *r);
        self.layout.heights = heights;
        self.layout
    }
}

/// The defined name of a key path: `requests.granted` → `requests_granted`.
pub fn defined_name(key: &str) -> String {
    key.replace('.', "_")
}

/// What each identity row is about, for the clerk.
fn identity_note(key: &str, edition: Edition) -> String {
    match key {
        "edition" => format!(
            "本表格按{edition}年版格式（{}）制作，不要修改",
            edition.notice()
        ),
        "agency" => "标题、署名都用它".into(),
        "year" => "统计期限为该年1月1日至12月31日".into(),
        "title" => format!("不填则为：机关名称＋年度＋“{}”", labels::TITLE_SUFFIX),
        "date" => "印在文末署名之下，如 2025-01-20；可不填".into(),
        "seal" => "印章图像文件（PNG 或 SVG），相对于本文件所在目录；可不填".into(),
        _ => "字体名称，多个用逗号分隔；一般不填".into(),
    }
}

fn identity(edition: Edition, sheet_index: usize, inputs: &mut Vec<InputRow>) -> SheetLayout {
    let mut s = Sheet::new(identity_sheet(), vec![18.0, 44.0, 60.0]);
    for (c, text) in IDENTITY_HEADERS.iter().enumerate() {
        s.label(Rect::cell(pos(0, c as u16)), text, Style::Caption);
    }
    let mut row = 1;
    let mut add = |s: &mut Sheet, key: String, label: &str, kind: InputKind, optional: bool| {
        let at = pos(row, 1);
        s.label(Rect::cell(pos(row, 0)), label, Style::RowLabel);
        let note = identity_note(&key, edition);
        s.label(Rect::cell(pos(row, 2)), &note, Style::Note);
        inputs.push(InputRow {
            name: defined_name(&key),
            sheet: sheet_index,
            at,
            cells: vec![InputCell {
                key: key.clone(),
                kind,
            }],
            shape: Shape::Scalar,
            label: label.to_string(),
            label_at: pos(row, 0),
            total_at: None,
            optional,
            editable: kind != InputKind::Edition,
            note: None,
            key,
        });
        row += 1;
    };
    for named in labels::IDENTITY {
        let kind = match named.key {
            "edition" => InputKind::Edition,
            "year" => InputKind::Year,
            "date" => InputKind::Date,
            // The preamble is prose: it is in 正文.
            "preamble" => continue,
            _ => InputKind::Text,
        };
        add(
            &mut s,
            named.key.to_string(),
            named.label,
            kind,
            !named.required && named.key != "edition",
        );
    }
    for (key, label) in FontRoles::KEYS.iter().zip(FontRoles::LABELS) {
        add(&mut s, format!("fonts.{key}"), label, InputKind::Text, true);
    }
    s.finish()
}

/// The header row of 基本信息.
pub const IDENTITY_HEADERS: [&str; 3] = ["项目", "内容", "填写说明"];

fn active(edition: Edition, sheet_index: usize, inputs: &mut Vec<InputRow>) -> SheetLayout {
    let name = table_sheet(labels::TABLE_2);
    let mut s = Sheet::new(name, vec![26.0, 17.0, 17.0, 17.0, 12.0]);
    s.layout.caption = Some(labels::TABLE_2);
    let check_col = 1 + labels::ACTIVE_VALUE_COLUMNS as u16;
    let mut row = 0;
    for block in labels::active_blocks(edition) {
        let spans = block.value_spans();
        s.label(
            Rect::row(row, 0, labels::ACTIVE_VALUE_COLUMNS as u16),
            block.caption,
            Style::Caption,
        );
        if row == 0 {
            s.label(Rect::cell(pos(row, check_col)), CHECK_HEADER, Style::Header);
        }
        row += 1;
        s.label(
            Rect::cell(pos(row, 0)),
            ACTIVE_CONTENT_HEADER,
            Style::Header,
        );
        let mut col = 1;
        for (c, span) in block.columns.iter().zip(&spans) {
            s.label(
                Rect::row(row, col, col + *span as u16 - 1),
                c.label,
                Style::Header,
            );
            col += *span as u16;
        }
        row += 1;
        for r in block.rows {
            s.label(Rect::cell(pos(row, 0)), r.label, Style::RowLabel);
            let key = format!("active.{}", r.key);
            let cells: Vec<InputCell> = block
                .columns
                .iter()
                .map(|c| InputCell {
                    key: if block.scalar() {
                        key.clone()
                    } else {
                        format!("{key}.{}", c.key)
                    },
                    kind: InputKind::of(c.kind),
                })
                .collect();
            let at = pos(row, 1);
            let mut tests = vec![(
                "R6",
                vec![Test::Filled(Rect::row(row, 1, cells.len() as u16))],
            )];
            let mut r5 = Vec::new();
            for (i, c) in block.columns.iter().enumerate() {
                let p = pos(row, 1 + i as u16);
                r5.push(match c.kind {
                    ActiveKind::Count => Test::Whole {
                        cells: Rect::cell(p),
                        min: 0,
                    },
                    ActiveKind::Change => Test::Whole {
                        cells: Rect::cell(p),
                        min: -(MAX_COUNT as i64),
                    },
                    ActiveKind::Amount => Test::Amount(p),
                });
            }
            tests.push(("R5", r5));
            s.formula(pos(row, check_col), Spec::Check(tests), Style::Check);
            inputs.push(InputRow {
                name: defined_name(&key),
                sheet: sheet_index,
                at,
                cells,
                shape: if block.scalar() {
                    Shape::Scalar
                } else {
                    Shape::Keyed
                },
                label: r.label.to_string(),
                label_at: pos(row, 0),
                total_at: None,
                optional: false,
                editable: true,
                note: None,
                key,
            });
            row += 1;
        }
    }
    s.layout.header_rows = None;
    s.finish()
}

/// Table 3's columns: A outcome label, B group label, C row label, D–I the six
/// applicant columns, J 总计, K the check column.
const REQ_VALUES: u16 = 3;
const REQ_TOTAL: u16 = 9;
const REQ_CHECK: u16 = 10;
/// The first data row of Table 3 (after three header rows).
const REQ_FIRST_ROW: u32 = 3;

fn requests(edition: Edition, sheet_index: usize, inputs: &mut Vec<InputRow>) -> SheetLayout {
    let name = table_sheet(labels::TABLE_3);
    let mut widths = vec![4.5, 12.0, 40.0];
    widths.extend([9.0; 7]);
    widths.push(12.0);
    let mut s = Sheet::new(name, widths);
    s.layout.caption = Some(labels::TABLE_3);
    s.layout.landscape = false;
    s.layout.header_rows = Some((0, REQ_FIRST_ROW - 1));
    // The header, as printed.
    s.label(
        Rect {
            first: pos(0, 0),
            last: pos(2, 2),
        },
        REQUESTS_NOTE,
        Style::Header,
    );
    s.label(
        Rect::row(0, REQ_VALUES, REQ_TOTAL),
        APPLICANT_HEADER,
        Style::Header,
    );
    s.label(
        Rect {
            first: pos(1, REQ_VALUES),
            last: pos(2, REQ_VALUES),
        },
        APPLICANT_COLUMNS[0],
        Style::Header,
    );
    s.label(
        Rect::row(1, REQ_VALUES + 1, REQ_VALUES + 5),
        LEGAL_PERSONS_HEADER,
        Style::Header,
    );
    s.label(
        Rect {
            first: pos(1, REQ_TOTAL),
            last: pos(2, REQ_TOTAL),
        },
        TOTAL_COLUMN,
        Style::Header,
    );
    for (i, c) in APPLICANT_COLUMNS.iter().enumerate().skip(1) {
        s.label(Rect::cell(pos(2, REQ_VALUES + i as u16)), c, Style::Header);
    }
    s.label(
        Rect {
            first: pos(0, REQ_CHECK),
            last: pos(2, REQ_CHECK),
        },
        CHECK_HEADER,
        Style::Header,
    );

    // The rows, in printed order; （七）总计 before 四.
    let rows: Vec<RequestRow> = RequestRow::rows_of(edition).collect();
    let outcome_count = rows.iter().filter(|r| r.is_outcome()).count() as u32 + 1;
    let mut row = REQ_FIRST_ROW;
    let mut row_of: HashMap<RequestRow, u32> = HashMap::new();
    let mut total_row = 0;
    let mut last_group: Option<OutcomeGroup> = None;
    let mut outcome_started = false;
    let values = |r: u32| Rect::row(r, REQ_VALUES, REQ_VALUES + 5);
    let mut push_row = |s: &mut Sheet, r: u32, row: RequestRow, label_at: Pos| {
        let key = format!("requests.{}", row.key());
        let cells = (0..6)
            .map(|i| InputCell {
                key: format!("{key}[{i}]"),
                kind: InputKind::Count,
            })
            .collect();
        s.formula(pos(r, REQ_TOTAL), Spec::Sum(vec![values(r)]), Style::Total);
        inputs.push(InputRow {
            name: defined_name(&key),
            sheet: sheet_index,
            at: pos(r, REQ_VALUES),
            cells,
            shape: Shape::List,
            label: row.label().to_string(),
            label_at,
            total_at: Some(pos(r, REQ_TOTAL)),
            optional: false,
            editable: true,
            note: None,
            key,
        });
    };
    for r in rows {
        if r == RequestRow::CarriedForward {
            // （七）总计: the sum of the outcome rows, column by column.
            total_row = row;
            s.label(Rect::row(row, 1, 2), REQUESTS_TOTAL_ROW, Style::RowLabel);
            row += 1;
        }
        if !r.is_outcome() {
            s.label(Rect::row(row, 0, 2), r.label(), Style::RowLabel);
            push_row(&mut s, row, r, pos(row, 0));
        } else {
            if !outcome_started {
                outcome_started = true;
                s.label(
                    Rect {
                        first: pos(row, 0),
                        last: pos(row + outcome_count - 1, 0),
                    },
                    OUTCOME_LABEL,
                    Style::Header,
                );
            }
            match r.group() {
                Some(group) => {
                    if last_group != Some(group) {
                        last_group = Some(group);
                        let n = group.rows(edition).len() as u32;
                        s.label(
                            Rect {
                                first: pos(row, 1),
                                last: pos(row + n - 1, 1),
                            },
                            group.label(),
                            Style::Header,
                        );
                    }
                    s.label(Rect::cell(pos(row, 2)), r.label(), Style::RowLabel);
                    push_row(&mut s, row, r, pos(row, 2));
                }
                None => {
                    s.label(Rect::row(row, 1, 2), r.label(), Style::RowLabel);
                    push_row(&mut s, row, r, pos(row, 1));
                }
            }
        }
        row_of.insert(r, row);
        row += 1;
    }
    // （七）总计 and its check (R2 is kept by the formulas; a number typed over
    // one of them is checked).
    let outcome_rows: Vec<u32> = RequestRow::outcome_rows(edition)
        .map(|r| row_of[&r])
        .collect();
    let (first_outcome, last_outcome) = (outcome_rows[0], *outcome_rows.last().unwrap_or(&0));
    let column = |c: u16, from: u32, to: u32| Rect {
        first: pos(from, c),
        last: pos(to, c),
    };
    for c in REQ_VALUES..=REQ_TOTAL {
        s.formula(
            pos(total_row, c),
            Spec::Sum(vec![column(c, first_outcome, last_outcome)]),
            Style::Total,
        );
    }
    inputs.push(InputRow {
        key: "requests.total".into(),
        name: defined_name("requests.total"),
        sheet: sheet_index,
        at: pos(total_row, REQ_VALUES),
        cells: (0..6)
            .map(|i| InputCell {
                key: format!("requests.total[{i}]"),
                kind: InputKind::Count,
            })
            .collect(),
        shape: Shape::List,
        label: REQUESTS_TOTAL_ROW.into(),
        label_at: pos(total_row, 1),
        total_at: Some(pos(total_row, REQ_TOTAL)),
        optional: true,
        editable: false,
        note: None,
    });
    // The check column: every row R6, R5 and R3; （七）总计 R2; 四 R1.
    let new = row_of[&RequestRow::New];
    let carried = row_of[&RequestRow::CarriedOver];
    let forward = row_of[&RequestRow::CarriedForward];
    for r in REQ_FIRST_ROW..row {
        let mut rules: Vec<(&'static str, Vec<Test>)> = Vec::new();
        if r != total_row {
            rules.push(("R6", vec![Test::Filled(values(r))]));
            rules.push((
                "R5",
                vec![Test::Whole {
                    cells: values(r),
                    min: 0,
                }],
            ));
        }
        rules.push((
            "R3",
            vec![Test::Equal(
                vec![Rect::cell(pos(r, REQ_TOTAL))],
                vec![values(r)],
            )],
        ));
        if r == total_row {
            rules.push((
                "R2",
                (REQ_VALUES..=REQ_TOTAL)
                    .map(|c| {
                        Test::Equal(
                            vec![Rect::cell(pos(r, c))],
                            vec![column(c, first_outcome, last_outcome)],
                        )
                    })
                    .collect(),
            ));
        }
        if r == forward {
            rules.push((
                "R1",
                (REQ_VALUES..=REQ_TOTAL)
                    .map(|c| {
                        Test::Equal(
                            vec![Rect::cell(pos(new, c)), Rect::cell(pos(carried, c))],
                            vec![Rect::cell(pos(total_row, c)), Rect::cell(pos(forward, c))],
                        )
                    })
                    .collect(),
            ));
        }
        s.formula(pos(r, REQ_CHECK), Spec::Check(rules), Style::Check);
    }
    s.finish()
}

/// Table 4's first value row (after three header rows).
const APPEALS_ROW: u32 = 3;
/// Table 4's check column (after its 15 columns).
const APPEALS_CHECK: u16 = 15;

fn appeals(sheet_index: usize, inputs: &mut Vec<InputRow>) -> SheetLayout {
    let name = table_sheet(labels::TABLE_4);
    let mut widths = vec![7.5; 15];
    widths.push(12.0);
    let mut s = Sheet::new(name, widths);
    s.layout.caption = Some(labels::TABLE_4);
    s.layout.landscape = true;
    s.layout.header_rows = Some((0, APPEALS_ROW - 1));
    s.label(
        Rect::row(0, 0, 4),
        AppealKind::Review.header(),
        Style::Header,
    );
    s.label(Rect::row(0, 5, 14), LITIGATION_HEADER, Style::Header);
    for (i, r) in APPEAL_COLUMNS.iter().chain([&TOTAL_COLUMN]).enumerate() {
        s.label(
            Rect {
                first: pos(1, i as u16),
                last: pos(2, i as u16),
            },
            r,
            Style::Header,
        );
    }
    s.label(
        Rect {
            first: pos(0, APPEALS_CHECK),
            last: pos(2, APPEALS_CHECK),
        },
        CHECK_HEADER,
        Style::Header,
    );
    let mut rules: Vec<(&'static str, Vec<Test>)> = vec![("R6", vec![]), ("R5", vec![])];
    let mut r4 = Vec::new();
    for (g, kind) in AppealKind::ALL.iter().enumerate() {
        let first = 5 * g as u16;
        if g > 0 {
            s.label(Rect::row(1, first, first + 4), kind.header(), Style::Header);
            for (i, r) in APPEAL_COLUMNS.iter().chain([&TOTAL_COLUMN]).enumerate() {
                s.label(Rect::cell(pos(2, first + i as u16)), r, Style::Header);
            }
        }
        let cells = Rect::row(APPEALS_ROW, first, first + 3);
        let total = pos(APPEALS_ROW, first + 4);
        s.formula(total, Spec::Sum(vec![cells]), Style::Total);
        rules[0].1.push(Test::Filled(cells));
        rules[1].1.push(Test::Whole { cells, min: 0 });
        r4.push(Test::Equal(vec![Rect::cell(total)], vec![cells]));
        let key = format!("appeals.{}", kind.key());
        inputs.push(InputRow {
            name: defined_name(&key),
            sheet: sheet_index,
            at: cells.first,
            cells: (0..4)
                .map(|i| InputCell {
                    key: format!("{key}[{i}]"),
                    kind: InputKind::Count,
                })
                .collect(),
            shape: Shape::List,
            label: kind.header().to_string(),
            label_at: pos(if g == 0 { 0 } else { 1 }, first),
            total_at: Some(total),
            optional: false,
            editable: true,
            note: None,
            key,
        });
    }
    rules.push(("R4", r4));
    s.formula(
        pos(APPEALS_ROW, APPEALS_CHECK),
        Spec::Check(rules),
        Style::Check,
    );
    s.finish()
}

impl Layout {
    /// The layout of an edition's workbook.
    pub fn new(edition: Edition) -> Layout {
        let mut inputs = Vec::new();
        let sheets = vec![
            identity(edition, 0, &mut inputs),
            active(edition, 1, &mut inputs),
            requests(edition, 2, &mut inputs),
            appeals(3, &mut inputs),
        ];
        Layout {
            edition,
            sheets,
            inputs,
        }
    }

    /// The input row of a key path.
    pub fn input(&self, key: &str) -> Option<&InputRow> {
        self.inputs.iter().find(|i| i.key == key)
    }

    /// The value of the `nianbao-template` property: `2021/1`.
    pub fn template_id(&self) -> String {
        format!("{}/{LAYOUT_VERSION}", self.edition)
    }
}

/// Reads a `nianbao-template` property: the edition and the layout version.
pub fn parse_template_id(text: &str) -> Option<(Edition, u32)> {
    let (e, v) = text.trim().split_once('/')?;
    Some((Edition::parse(e)?, v.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_row_has_one_named_input_row() {
        for edition in [Edition::E2021, Edition::E2019] {
            let layout = Layout::new(edition);
            let mut names: Vec<&str> = layout.inputs.iter().map(|i| i.name.as_str()).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "names are unique");
            for row in RequestRow::rows_of(edition) {
                let input = layout.input(&format!("requests.{}", row.key())).unwrap();
                assert_eq!(input.cells.len(), 6);
            }
            for block in labels::active_blocks(edition) {
                for r in block.rows {
                    let input = layout.input(&format!("active.{}", r.key)).unwrap();
                    assert_eq!(input.cells.len(), block.columns.len());
                }
            }
            assert_eq!(
                layout.input("requests.denied_state_secret").unwrap().name,
                "requests_denied_state_secret"
            );
        }
    }

    #[test]
    fn the_check_formula_names_the_broken_rule() {
        let spec = Spec::Check(vec![
            ("R6", vec![Test::Filled(Rect::row(0, 0, 1))]),
            (
                "R3",
                vec![Test::Equal(
                    vec![Rect::cell(pos(0, 2))],
                    vec![Rect::row(0, 0, 1)],
                )],
            ),
        ]);
        assert_eq!(
            spec.formula(),
            "IF(AND(COUNTBLANK(A1:B1)=0,SUM(C1)=SUM(A1:B1)),\"✓\",TRIM(IF(COUNTBLANK(A1:B1)=0,\"\",\" R6\")&IF(SUM(C1)=SUM(A1:B1),\"\",\" R3\")))"
        );
        let values = |p: Pos| match p.col {
            0 => Shown::Number(1.0),
            1 => Shown::Number(2.0),
            _ => Shown::Number(4.0),
        };
        assert_eq!(spec.result(&values), Result::Text("R3".into()));
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(26), "AA");
        assert_eq!(pos(11, 5).a1(), "F12");
    }
}
