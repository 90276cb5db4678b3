//! Reading report workbooks (calamine): .xlsx, .xls and .ods.
//!
//! Each input row is found by its defined name and the label beside it is
//! verified; a row without a name (tables pasted into another workbook) is
//! found by its label ([`super::matcher`]). The values become a tree (null for
//! a blank cell, numbers for numbers) that the model reads as it reads a data
//! file, so every check works unchanged; where each value was (`表三!F12`) is
//! kept for the findings. Formula cells are never read: totals are
//! recomputed. A number typed over a total's formula is read as the printed
//! total and checked (R2–R4).

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::PathBuf;

use calamine::{Data, Ods, Range, Reader, Sheets, StyleRange, Xls, Xlsx};

use super::layout::{self, InputKind, InputRow, Layout, Pos, Shape};
use super::matcher::{self, Grid};
use super::text;
use super::{sniff, Kind, WorkbookError, TEMPLATE_PROPERTY};
use crate::model::labels::{self, RequestRow};
use crate::model::tree::{Entry, Node, Value};
use crate::model::{load_node, CellPlace, Edition, Loaded, Problem, ProblemKind, YEARS};

/// One sheet's cells: values, formulas and (xlsx) styles.
pub(crate) struct SheetCells {
    pub name: String,
    pub values: Range<Data>,
    pub formulas: Range<String>,
    pub styles: StyleRange,
    /// The cells' texts, for finding labels.
    pub grid: Grid,
}

impl SheetCells {
    pub fn value(&self, p: Pos) -> &Data {
        self.values
            .get_value((p.row, p.col as u32))
            .unwrap_or(&Data::Empty)
    }

    /// Whether the cell holds a formula.
    pub fn is_formula(&self, p: Pos) -> bool {
        self.formulas
            .get_value((p.row, p.col as u32))
            .is_some_and(|f| !f.trim().is_empty())
    }

    /// The text of a cell, as a label.
    pub fn text(&self, p: Pos) -> Option<String> {
        match self.value(p) {
            Data::String(s) => Some(s.clone()),
            Data::Empty => None,
            d => Some(d.to_string()),
        }
    }

    /// The number format of a cell (xlsx).
    fn number_format(&self, p: Pos) -> Option<&str> {
        self.styles
            .get((p.row, p.col as u32))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str())
    }

    /// `表三!F12`.
    pub fn origin(&self, p: Pos) -> String {
        format!("{}!{}", self.name, p.a1())
    }
}

/// An opened workbook.
pub(crate) struct Book {
    pub sheets: Vec<SheetCells>,
    /// Defined names (lower case) → sheet and first and last cell.
    pub names: HashMap<String, (String, Pos, Pos)>,
    pub template: Option<(Edition, u32)>,
}

impl Book {
    pub fn sheet(&self, name: &str) -> Option<&SheetCells> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

fn open_error(file: &str, e: impl std::fmt::Display) -> WorkbookError {
    WorkbookError::Open {
        file: file.to_string(),
        reason: e.to_string(),
    }
}

/// Parses a cell reference: `$F$12` or `F12` (0-based position).
fn cell_ref(text: &str) -> Option<Pos> {
    let t = text.trim().trim_start_matches('.').replace('$', "");
    let letters: String = t.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &t[letters.len()..];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let col = letters
        .to_ascii_uppercase()
        .bytes()
        .fold(0u32, |n, b| n * 26 + (b - b'A' + 1) as u32)
        - 1;
    let row: u32 = digits.parse().ok()?;
    Some(layout::pos(row.checked_sub(1)?, u16::try_from(col).ok()?))
}

/// Parses a defined name's reference: `'表三'!$D$4:$I$4` (xlsx, xls) or
/// `$表三.$D$4:.$I$4` (ods).
pub(crate) fn parse_reference(text: &str) -> Option<(String, Pos, Pos)> {
    let t = text
        .trim()
        .trim_start_matches('=')
        .trim_start_matches('[')
        .trim_end_matches(']');
    let (sheet, range) = if let Some(i) = t.rfind('!') {
        (&t[..i], &t[i + 1..])
    } else {
        // ODS: $Sheet.$A$1:.$B$2 — the sheet ends at the last '.' before the cell.
        let t = t.trim_start_matches('$');
        let split = if let Some(quoted) = t.strip_prefix('\'') {
            quoted.find('\'')? + 2
        } else {
            t.find('.')?
        };
        (&t[..split], &t[split..])
    };
    let sheet = sheet.trim_start_matches('$');
    let sheet = if sheet.len() >= 2 && sheet.starts_with('\'') && sheet.ends_with('\'') {
        sheet[1..sheet.len() - 1].replace("''", "'")
    } else {
        sheet.to_string()
    };
    let range = range.trim_start_matches('.');
    let (a, b) = range.split_once(':').unwrap_or((range, range));
    let b = b.rsplit('.').next().unwrap_or(b);
    Some((sheet, cell_ref(a)?, cell_ref(b)?))
}

/// Opens a workbook from its bytes and reads every sheet.
pub(crate) fn open(file: &str, bytes: Vec<u8>) -> Result<Book, WorkbookError> {
    let kind = sniff(&bytes).ok_or_else(|| {
        open_error(
            file,
            "not a workbook (an .xlsx or .ods file is a zip archive, an .xls file an OLE2 compound file)",
        )
    })?;
    let cursor = Cursor::new(bytes);
    let mut book: Sheets<Cursor<Vec<u8>>> = match kind {
        Kind::Xlsx => Sheets::Xlsx(
            calamine::open_workbook_from_rs::<Xlsx<_>, _>(cursor)
                .map_err(|e| open_error(file, e))?,
        ),
        Kind::Ods => Sheets::Ods(
            calamine::open_workbook_from_rs::<Ods<_>, _>(cursor)
                .map_err(|e| open_error(file, e))?,
        ),
        Kind::Xls => Sheets::Xls(
            calamine::open_workbook_from_rs::<Xls<_>, _>(cursor)
                .map_err(|e| open_error(file, e))?,
        ),
    };
    let template = book
        .workbook_properties()
        .ok()
        .and_then(|p| p.custom_properties.get(TEMPLATE_PROPERTY).cloned())
        .and_then(|t| layout::parse_template_id(&t));
    let names = book
        .defined_names()
        .iter()
        .filter_map(|(name, reference)| Some((name.to_lowercase(), parse_reference(reference)?)))
        .collect();
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let Ok(values) = book.worksheet_range(&name) else {
            continue;
        };
        let formulas = book.worksheet_formula(&name).unwrap_or_default();
        let styles = book
            .worksheet_style(&name)
            .unwrap_or_else(|_| StyleRange::empty());
        let grid = Grid::new(&values);
        sheets.push(SheetCells {
            name,
            values,
            formulas,
            styles,
            grid,
        });
    }
    Ok(Book {
        sheets,
        names,
        template,
    })
}

/// The decimals a number format shows: `0.00` → 2; `0.00##` → 2 to 4.
fn format_decimals(code: &str) -> Option<(usize, usize)> {
    if code.eq_ignore_ascii_case("general") || code.is_empty() || code == "@" {
        return None;
    }
    let section = code.split(';').next().unwrap_or(code);
    match section.split_once('.') {
        Some((_, after)) => {
            let zeros = after.chars().take_while(|c| *c == '0').count();
            let hashes = after[zeros..].chars().take_while(|c| *c == '#').count();
            Some((zeros, zeros + hashes))
        }
        None if section.contains('0') || section.contains('#') => Some((0, 0)),
        None => None,
    }
}

/// An amount as the cell shows it: the number with the decimals its format
/// shows, rounded as spreadsheets round (half away from zero, on the decimal
/// digits the number is written with).
fn amount_text(n: f64, format: Option<&str>) -> String {
    let shortest = format!("{n}");
    let natural = shortest.split_once('.').map_or(0, |(_, d)| d.len());
    match format.and_then(format_decimals) {
        Some((min, max)) => round_decimal(&shortest, natural.clamp(min, max)),
        None => shortest,
    }
}

/// Rounds a plain decimal (`12.25`) to `d` decimals, half away from zero.
fn round_decimal(text: &str, d: usize) -> String {
    let (neg, t) = match text.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, text),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let keep = int.len() + d;
    let frac_len = frac.len();
    if frac_len > d {
        let up = digits[keep] >= 5;
        digits.truncate(keep);
        if up {
            let mut i = keep;
            loop {
                if i == 0 {
                    digits.insert(0, 1);
                    break;
                }
                i -= 1;
                if digits[i] == 9 {
                    digits[i] = 0;
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
    } else {
        digits.extend(std::iter::repeat_n(0, d - frac_len));
    }
    let int_len = digits.len() - d;
    let s: String = digits.iter().map(|b| (b + b'0') as char).collect();
    let out = if d == 0 {
        s
    } else {
        format!("{}.{}", &s[..int_len], &s[int_len..])
    };
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// An Excel date serial as `YYYY-MM-DD`.
fn serial_date(serial: f64) -> String {
    let dt = calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false);
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2025年1月20日` → `2025-01-20`; anything else as written.
fn date_text(s: &str) -> String {
    let t = s.trim();
    let parts: Vec<&str> = t
        .split(['年', '月', '日', '/', '.', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        if let (Ok(y), Ok(m), Ok(d)) = (
            parts[0].parse::<u16>(),
            parts[1].parse::<u8>(),
            parts[2].parse::<u8>(),
        ) {
            return format!("{y:04}-{m:02}-{d:02}");
        }
    }
    t.to_string()
}

/// A number stored as text, when it is one: `" 12 "` → 12.
fn number_in_text(s: &str, signed: bool) -> Option<i128> {
    let t = s.trim();
    let digits = if signed {
        t.strip_prefix('-').unwrap_or(t)
    } else {
        t
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 12 {
        return None;
    }
    t.parse().ok()
}

fn detached(value: Value) -> Node {
    Node::detached(value)
}

/// What reading the cells gives.
#[derive(Default)]
struct Out {
    origins: BTreeMap<String, String>,
    warnings: Vec<Problem>,
    problems: Vec<Problem>,
}

impl Out {
    fn warn(&mut self, key: &str, found: String, message: String) {
        self.warnings.push(Problem {
            kind: ProblemKind::BadValue,
            key: key.to_string(),
            span: None,
            found: Some(found),
            message,
            cell: None,
        });
    }
}

/// A cell's value as a node of the data tree.
fn cell_node(sheet: &SheetCells, p: Pos, kind: InputKind, key: &str, out: &mut Out) -> Node {
    let data = sheet.value(p);
    let origin = sheet.origin(p);
    let value = match (data, kind) {
        (Data::Empty, _) => Value::Null,
        (Data::String(s), _) if s.trim().is_empty() => Value::Null,
        (Data::Int(i), InputKind::Text) => Value::String(i.to_string()),
        (Data::Float(f), InputKind::Text) => Value::String(format!("{f}")),
        (Data::String(s), InputKind::Text | InputKind::Edition) => Value::String(s.trim().into()),
        (Data::Int(i), _) => Value::Integer(*i as i128),
        (Data::Float(f), InputKind::Date) => Value::String(serial_date(*f)),
        (Data::DateTime(dt), InputKind::Date) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Value::String(format!("{y:04}-{m:02}-{d:02}"))
        }
        (Data::DateTimeIso(s), InputKind::Date) => Value::String(s.chars().take(10).collect()),
        (Data::String(s), InputKind::Date) => Value::String(date_text(s)),
        (Data::Float(f), InputKind::Amount) => {
            let text = amount_text(*f, sheet.number_format(p));
            Value::Float { value: *f, text }
        }
        (Data::Float(f), _) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Integer(*f as i128),
        (Data::Float(f), _) => Value::Float {
            value: *f,
            text: format!("{f}"),
        },
        (Data::String(s), InputKind::Amount) => Value::String(s.trim().to_string()),
        (Data::String(s), InputKind::Count | InputKind::Change | InputKind::Year) => {
            match number_in_text(s, kind == InputKind::Change) {
                Some(n) => {
                    out.warn(
                        key,
                        format!("\"{s}\""),
                        format!(
                            "{origin} 的数字以文本形式存储（“{}”），已按数字 {n} 读取；请把单元格格式改为“常规”或“数值”后重新输入",
                            s.trim()
                        ),
                    );
                    Value::Integer(n)
                }
                None => Value::String(s.clone()),
            }
        }
        (Data::Bool(b), _) => Value::Bool(*b),
        (Data::Error(e), _) => Value::String(format!("{e}")),
        (Data::DateTime(dt), _) => Value::Datetime(format!("{}", dt.as_f64())),
        (Data::DateTimeIso(s) | Data::DurationIso(s), _) => Value::Datetime(s.clone()),
    };
    out.origins.insert(key.to_string(), origin);
    detached(value)
}

/// A data tree built key by key, keeping the order keys are first set.
#[derive(Default)]
struct Tree {
    entries: Vec<(String, TreeValue)>,
}

enum TreeValue {
    Leaf(Node),
    Table(Tree),
}

impl Tree {
    fn set(&mut self, path: &str, node: Node) {
        match path.split_once('.') {
            None => {
                if let Some(e) = self.entries.iter_mut().find(|(k, _)| k == path) {
                    e.1 = TreeValue::Leaf(node);
                } else {
                    self.entries.push((path.to_string(), TreeValue::Leaf(node)));
                }
            }
            Some((head, rest)) => self.table(head).set(rest, node),
        }
    }

    fn table(&mut self, key: &str) -> &mut Tree {
        let i = match self.entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                self.entries
                    .push((key.to_string(), TreeValue::Table(Tree::default())));
                self.entries.len() - 1
            }
        };
        if !matches!(self.entries[i].1, TreeValue::Table(_)) {
            self.entries[i].1 = TreeValue::Table(Tree::default());
        }
        match &mut self.entries[i].1 {
            TreeValue::Table(t) => t,
            TreeValue::Leaf(_) => unreachable!("made a table above"),
        }
    }

    fn node(self) -> Node {
        detached(Value::Table(
            self.entries
                .into_iter()
                .map(|(key, v)| Entry {
                    key,
                    key_span: 0..0,
                    node: match v {
                        TreeValue::Leaf(n) => n,
                        TreeValue::Table(t) => t.node(),
                    },
                })
                .collect(),
        ))
    }
}

/// Where an input row is: its sheet and first cell, and how it was found.
pub(crate) struct Located<'b> {
    pub sheet: &'b SheetCells,
    pub at: Pos,
}

/// Finds an input row by its defined name, verifying its label; else by its label.
fn locate<'b>(
    book: &'b Book,
    layout: &Layout,
    row: &InputRow,
    out: &mut Out,
) -> Option<Located<'b>> {
    if let Some((sheet_name, first, last)) = book.names.get(&row.name.to_lowercase()) {
        if let Some(sheet) = book.sheet(sheet_name) {
            let width = (last.col - first.col + 1) as usize;
            let label_at = layout::pos(
                (first.row as i64 + row.label_at.row as i64 - row.at.row as i64).max(0) as u32,
                (first.col as i32 + row.label_at.col as i32 - row.at.col as i32).max(0) as u16,
            );
            let found = sheet.text(label_at).unwrap_or_default();
            if text::normalise(&found) != text::normalise(&row.label) || width != row.cells.len() {
                let what = if width != row.cells.len() {
                    format!(
                        "名称 {} 应指向 {} 个单元格，现在指向 {} 个",
                        row.name,
                        row.cells.len(),
                        width
                    )
                } else {
                    format!(
                        "名称 {} 指向的行，栏目名称是“{found}”（{}），应为“{}”",
                        row.name,
                        sheet.origin(label_at),
                        row.label
                    )
                };
                out.problems.push(Problem {
                    kind: ProblemKind::Key,
                    key: row.key.clone(),
                    span: None,
                    found: Some(found),
                    message: format!(
                        "{what}：表格的行被移动或改动过，请用 nianbao init --xlsx 重新生成表格，或把这一行恢复原样"
                    ),
                    cell: None,
                });
            }
            return Some(Located { sheet, at: *first });
        }
    }
    matcher::find(book, layout, row).map(|(sheet, at)| Located { sheet, at })
}

/// Reads a workbook's bytes into a report.
pub fn read(name: &str, dir: Option<PathBuf>, bytes: Vec<u8>) -> Result<Loaded, WorkbookError> {
    read_tree(name, dir, bytes).map(|(loaded, _)| loaded)
}

/// Reads a workbook's bytes into a report and the data tree it was loaded
/// from (a blank cell is absent or null there, never 0): what an editor edits.
pub fn read_tree(
    name: &str,
    dir: Option<PathBuf>,
    bytes: Vec<u8>,
) -> Result<(Loaded, Node), WorkbookError> {
    let book = open(name, bytes)?;
    let edition = edition(&book);
    let layout = Layout::new(edition);
    let mut out = Out::default();
    let mut tree = Tree::default();
    // Values of Table 3 by row, for a partly overwritten （七）总计.
    let mut request_values: HashMap<String, Vec<Option<i128>>> = HashMap::new();
    let mut found_any = false;

    let prose = text_rows(&book, &mut out);
    for input in &layout.inputs {
        let Some(loc) = locate(&book, &layout, input, &mut out) else {
            continue;
        };
        found_any = true;
        let sheet = loc.sheet;
        let mut nodes: Vec<(String, Node)> = Vec::new();
        let mut ints = Vec::new();
        if !input.editable && input.shape == Shape::List {
            // （七）总计: numbers typed over its formulas are the printed total.
            let cells: Vec<Pos> = (0..input.cells.len())
                .map(|i| loc.at.right(i as i32))
                .collect();
            if cells
                .iter()
                .all(|p| sheet.is_formula(*p) || *sheet.value(*p) == Data::Empty)
            {
                let total = input
                    .total_at
                    .map(|t| loc.at.right((t.col - input.at.col) as i32));
                if total.is_none_or(|t| sheet.is_formula(t) || *sheet.value(t) == Data::Empty) {
                    continue;
                }
            }
            for (i, (cell, p)) in input.cells.iter().zip(&cells).enumerate() {
                let node = if sheet.is_formula(*p) {
                    let sum: i128 = RequestRow::outcome_rows(edition)
                        .filter_map(|r| {
                            request_values
                                .get(&format!("requests.{}", r.key()))
                                .and_then(|v| v.get(i).copied().flatten())
                        })
                        .sum();
                    out.origins.insert(cell.key.clone(), sheet.origin(*p));
                    detached(Value::Integer(sum))
                } else {
                    cell_node(sheet, *p, cell.kind, &cell.key, &mut out)
                };
                nodes.push((cell.key.clone(), node));
            }
        } else {
            for (i, cell) in input.cells.iter().enumerate() {
                let p = loc.at.right(i as i32);
                let node = cell_node(sheet, p, cell.kind, &cell.key, &mut out);
                ints.push(match node.value {
                    Value::Integer(n) => Some(n),
                    _ => None,
                });
                nodes.push((cell.key.clone(), node));
            }
        }
        let first = loc.at;
        let last = loc.at.right(input.cells.len() as i32 - 1);
        out.origins.insert(
            input.key.clone(),
            if first == last {
                sheet.origin(first)
            } else {
                format!("{}!{}:{}", sheet.name, first.a1(), last.a1())
            },
        );
        if input.key.starts_with("requests.") {
            request_values.insert(input.key.clone(), ints);
        }
        // The printed total, when a number was typed over its formula.
        let total = input.total_at.and_then(|t| {
            let p = loc.at.right((t.col - input.at.col) as i32);
            let given = !sheet.is_formula(p) && *sheet.value(p) != Data::Empty;
            given.then(|| {
                let key = format!("{}[{}]", input.key, input.cells.len());
                cell_node(sheet, p, InputKind::Count, &key, &mut out)
            })
        });
        match input.shape {
            Shape::Scalar => {
                let (key, node) = nodes.remove(0);
                let blank = matches!(node.value, Value::Null);
                if !(blank && input.optional) {
                    if key.starts_with("fonts.") {
                        tree.set(&key, fonts_node(node));
                    } else {
                        tree.set(&key, node);
                    }
                }
            }
            Shape::Keyed => {
                for (key, node) in nodes {
                    tree.set(&key, node);
                }
            }
            Shape::List => {
                let mut items: Vec<Node> = nodes.into_iter().map(|(_, n)| n).collect();
                items.extend(total);
                tree.set(&input.key, detached(Value::Array(items)));
            }
        }
    }
    if let Some(prose) = &prose {
        for (key, node) in prose.nodes.clone() {
            tree.set(&key, node);
        }
        out.origins.extend(prose.origins.clone());
    }
    if !found_any && prose.is_none() {
        return Err(WorkbookError::NotAReport {
            file: name.to_string(),
        });
    }
    place_warnings(&layout, &mut out.warnings);
    let root = order(tree).node();
    let mut loaded = load_node(name, dir, &root)?;
    loaded.origins = out.origins;
    loaded.warnings = out.warnings;
    loaded.problems.splice(0..0, out.problems);
    Ok((loaded, root))
}

/// Gives each warning its table cell by official labels, as problems have.
fn place_warnings(layout: &Layout, warnings: &mut [Problem]) {
    for w in warnings {
        let Some(input) = layout
            .inputs
            .iter()
            .filter(|i| w.key.starts_with(&i.key))
            .max_by_key(|i| i.key.len())
        else {
            continue;
        };
        let Some(table) = layout.sheets[input.sheet].caption else {
            continue;
        };
        let index: Option<usize> = w.key[input.key.len()..]
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|i| i.parse().ok());
        let column = match (input.key.split('.').next(), index) {
            (Some("requests"), Some(i)) => Some(labels::request_column(i)),
            (Some("appeals"), Some(i)) => Some(
                labels::APPEAL_COLUMNS
                    .get(i)
                    .copied()
                    .unwrap_or(labels::TOTAL_COLUMN)
                    .to_string(),
            ),
            _ => None,
        };
        w.cell = Some(CellPlace {
            table,
            row: input.label.clone(),
            column,
        });
    }
}

/// The root keys in the order of a data file.
fn order(mut tree: Tree) -> Tree {
    let keys: Vec<&str> = crate::model::labels::IDENTITY
        .iter()
        .map(|k| k.key)
        .chain(["fonts"])
        .chain(crate::model::labels::PART_KEYS)
        .collect();
    tree.entries
        .sort_by_key(|(k, _)| keys.iter().position(|x| x == k).unwrap_or(usize::MAX));
    tree
}

/// A font chain written `A, B` in one cell.
fn fonts_node(node: Node) -> Node {
    match &node.value {
        Value::String(s) => {
            let chain: Vec<Node> = s
                .split([',', '，'])
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(|f| detached(Value::String(f.to_string())))
                .collect();
            detached(Value::Array(chain))
        }
        _ => node,
    }
}

/// The edition of a workbook: its template property, its 格式版本 cell, the
/// labels its tables print, or its year.
fn edition(book: &Book) -> Edition {
    if let Some((e, _)) = book.template {
        return e;
    }
    // 基本信息 is laid out alike in both editions.
    let layout = Layout::new(Edition::E2021);
    let mut out = Out::default();
    let mut cell = |key: &str| -> Option<String> {
        let loc = locate(book, &layout, layout.input(key)?, &mut out)?;
        let v = loc.sheet.value(loc.at).to_string();
        Some(v.trim().trim_end_matches(".0").to_string())
    };
    if let Some(e) = cell("edition").as_deref().and_then(Edition::parse) {
        return e;
    }
    if let Some(e) = matcher::edition_by_labels(book) {
        return e;
    }
    cell("year")
        .and_then(|y| y.parse::<u16>().ok())
        .filter(|y| YEARS.contains(y))
        .map_or(Edition::E2021, Edition::for_year)
}

/// The prose read from 正文: nodes by key path, and their origins.
struct Prose {
    nodes: Vec<(String, Node)>,
    origins: BTreeMap<String, String>,
}

#[derive(Default)]
struct ItemB {
    number: String,
    title: Option<(String, Pos)>,
    run_in: bool,
    paragraphs: Vec<(String, Pos)>,
    items: Vec<ItemB>,
}

#[derive(Default)]
struct PartB {
    paragraphs: Vec<(String, Pos)>,
    items: Vec<ItemB>,
}

fn item_at<'a>(items: &'a mut Vec<ItemB>, chain: &[String]) -> &'a mut ItemB {
    let (head, rest) = chain.split_first().expect("a chain has a number");
    let i = match items.iter().rposition(|i| i.number == *head) {
        Some(i) => i,
        None => {
            items.push(ItemB {
                number: head.clone(),
                ..Default::default()
            });
            items.len() - 1
        }
    };
    if rest.is_empty() {
        &mut items[i]
    } else {
        item_at(&mut items[i].items, rest)
    }
}

/// Finds 正文 (by name, else by its header row) and reads its rows.
fn text_rows(book: &Book, out: &mut Out) -> Option<Prose> {
    let norm: Vec<String> = text::HEADERS.iter().map(|h| text::normalise(h)).collect();
    let (sheet, header_row, columns) = std::iter::once(book.sheet(text::SHEET))
        .flatten()
        .chain(book.sheets.iter())
        .find_map(|sheet| {
            let grid = &sheet.grid;
            let first = grid.find(&norm[0]).into_iter().next()?;
            let columns: Vec<Option<u16>> = norm
                .iter()
                .map(|h| {
                    grid.find(h)
                        .into_iter()
                        .find(|p| p.row == first.row)
                        .map(|p| p.col)
                })
                .collect();
            (columns[4].is_some()).then_some((sheet, first.row, columns))
        })?;
    let mut parts: Vec<PartB> = (0..7).map(|_| PartB::default()).collect();
    let mut part = None;
    let end = sheet.values.end().map_or(0, |e| e.0);
    let cell = |r: u32, c: Option<u16>| c.and_then(|c| sheet.text(layout::pos(r, c)));
    for r in header_row + 1..=end {
        let part_cell = cell(r, columns[0]);
        let number = cell(r, columns[1]).unwrap_or_default();
        let title = cell(r, columns[2]).filter(|t| !t.trim().is_empty());
        let run_in =
            cell(r, columns[3]).is_some_and(|t| matches!(t.trim(), "是" | "TRUE" | "true" | "1"));
        let body = cell(r, columns[4]).filter(|t| !t.trim().is_empty());
        if part_cell.is_none() && number.trim().is_empty() && title.is_none() && body.is_none() {
            continue;
        }
        if let Some(p) = &part_cell {
            match text::part_index(p) {
                Some(i) => part = Some(i),
                None => out.problems.push(Problem {
                    kind: ProblemKind::Key,
                    key: "正文".into(),
                    span: None,
                    found: Some(p.clone()),
                    message: format!(
                        "{} 的“部分”是“{p}”，应为其中之一：{}",
                        sheet.origin(layout::pos(r, columns[0].unwrap_or(0))),
                        text::parts().join("、")
                    ),
                    cell: None,
                }),
            }
        }
        let Some(p) = part else {
            continue;
        };
        let text_pos = layout::pos(r, columns[4].unwrap_or(4));
        let title_pos = layout::pos(r, columns[2].unwrap_or(2));
        let chain = text::chain(&number);
        // The preamble and the parts with tables have paragraphs only.
        let sections = matches!(p, 1 | 5 | 6);
        if chain.is_empty() || !sections {
            if let Some(t) = body {
                parts[p].paragraphs.push((t, text_pos));
            }
            continue;
        }
        let item = item_at(&mut parts[p].items, &chain);
        if item.title.is_none() {
            if let Some(t) = title {
                item.title = Some((t, title_pos));
                item.run_in = run_in;
            }
        }
        if let Some(t) = body {
            item.paragraphs.push((t, text_pos));
        }
    }
    let mut nodes = Vec::new();
    let mut origins = BTreeMap::new();
    let paragraphs =
        |list: &[(String, Pos)], path: &str, origins: &mut BTreeMap<String, String>| {
            let items: Vec<Node> = list
                .iter()
                .enumerate()
                .map(|(i, (t, pos))| {
                    origins.insert(format!("{path}[{i}]"), sheet.origin(*pos));
                    detached(Value::String(t.clone()))
                })
                .collect();
            detached(Value::Array(items))
        };
    fn items_node(
        items: &[ItemB],
        path: &str,
        origins: &mut BTreeMap<String, String>,
        sheet: &SheetCells,
    ) -> Node {
        let list = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let p = format!("{path}[{i}]");
                let mut entries = Vec::new();
                let entry = |key: &str, node: Node| Entry {
                    key: key.to_string(),
                    key_span: 0..0,
                    node,
                };
                if let Some((t, pos)) = &item.title {
                    origins.insert(format!("{p}.title"), sheet.origin(*pos));
                    entries.push(entry("title", detached(Value::String(t.clone()))));
                }
                if item.run_in {
                    entries.push(entry("run_in", detached(Value::Bool(true))));
                }
                if !item.paragraphs.is_empty() {
                    let ps = item
                        .paragraphs
                        .iter()
                        .enumerate()
                        .map(|(j, (t, pos))| {
                            origins.insert(format!("{p}.paragraphs[{j}]"), sheet.origin(*pos));
                            detached(Value::String(t.clone()))
                        })
                        .collect();
                    entries.push(entry("paragraphs", detached(Value::Array(ps))));
                }
                if !item.items.is_empty() {
                    entries.push(entry(
                        "items",
                        items_node(&item.items, &format!("{p}.items"), origins, sheet),
                    ));
                }
                detached(Value::Table(entries))
            })
            .collect();
        detached(Value::Array(list))
    }
    for (i, b) in parts.iter().enumerate() {
        let key = text::part_key(i);
        match i {
            0 => {
                if !b.paragraphs.is_empty() {
                    nodes.push((
                        "preamble".into(),
                        paragraphs(&b.paragraphs, "preamble", &mut origins),
                    ));
                }
            }
            2..=4 => {
                if !b.paragraphs.is_empty() {
                    let path = format!("{key}.paragraphs");
                    nodes.push((path.clone(), paragraphs(&b.paragraphs, &path, &mut origins)));
                }
            }
            _ => {
                // 一、五、六 are always there (empty when 正文 has no row for them).
                nodes.push((key.to_string(), detached(Value::Table(Vec::new()))));
                if !b.paragraphs.is_empty() {
                    let path = format!("{key}.paragraphs");
                    nodes.push((path.clone(), paragraphs(&b.paragraphs, &path, &mut origins)));
                }
                if !b.items.is_empty() {
                    let path = format!("{key}.items");
                    nodes.push((
                        path.clone(),
                        items_node(&b.items, &path, &mut origins, sheet),
                    ));
                }
            }
        }
    }
    Some(Prose { nodes, origins })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_of_every_format() {
        let p = |r, c| layout::pos(r, c);
        assert_eq!(
            parse_reference("'表三'!$D$4:$I$4"),
            Some(("表三".into(), p(3, 3), p(3, 8)))
        );
        assert_eq!(
            parse_reference("表二!$B$3"),
            Some(("表二".into(), p(2, 1), p(2, 1)))
        );
        assert_eq!(
            parse_reference("$表三.$D$4:.$I$4"),
            Some(("表三".into(), p(3, 3), p(3, 8)))
        );
        assert_eq!(
            parse_reference("$'表 三'.$D$4:.$I$4"),
            Some(("表 三".into(), p(3, 3), p(3, 8)))
        );
    }

    #[test]
    fn amounts_keep_the_decimals_they_show() {
        assert_eq!(amount_text(7730.28, None), "7730.28");
        assert_eq!(amount_text(12.5, Some("0.00")), "12.50");
        assert_eq!(amount_text(12.5, Some("General")), "12.5");
        assert_eq!(amount_text(12.25, Some("0.0")), "12.3");
        assert_eq!(amount_text(1.005, Some("0.00")), "1.01");
        assert_eq!(amount_text(9.996, Some("0.00")), "10.00");
        assert_eq!(amount_text(0.5, Some("0")), "1");
        assert_eq!(amount_text(3.0, Some("0.00##")), "3.00");
        assert_eq!(date_text("2025年1月20日"), "2025-01-20");
        assert_eq!(serial_date(45677.0), "2025-01-20");
    }
}
