//! Reports as workbooks, for offices that fill tables in Excel or WPS 表格.
//!
//! A report workbook mirrors the printed report: 说明 (how to fill it in),
//! 基本信息, 表二, 表三 and 表四 laid out as the printed tables (the same
//! labels, merged cells and column order, from the one label table), and 正文
//! (one row per paragraph). Every input row has a defined name, its key path
//! with `.` replaced by `_` (`requests_new`), the stable interface for other
//! programs and for reading back. Totals are formulas (never read back: they
//! are recomputed), and a check column shows ✓ or the rule a row breaks as the
//! clerk types.
//!
//! - [`template`] writes a workbook to fill in, [`export`] a report's data;
//! - [`read`] reads .xlsx, .xls and .ods workbooks into a report (by defined
//!   names, verified against their labels; by labels when names are missing);
//! - [`summary`] sums many reports up (汇总).

mod layout;
mod matcher;
mod read;
pub mod summary;
mod text;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use layout::{defined_name, Layout, LAYOUT_VERSION};
pub use read::{read, read_tree};
pub use write::{export, template};

use crate::model::labels::RequestRow;
use crate::model::{load_str, ActiveValue, ApplicantRow, Edition, Format, LoadError, Report};

/// The custom document property that marks a report workbook: the edition and
/// the layout version, `2021/1`.
pub const TEMPLATE_PROPERTY: &str = "nianbao-template";

/// The extensions of the workbooks nianbao reads.
pub const EXTENSIONS: [&str; 3] = ["xlsx", "xls", "ods"];

/// Whether a path names a workbook by its extension.
pub fn is_workbook_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The container of a workbook file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Office Open XML (.xlsx): a zip archive.
    Xlsx,
    /// OpenDocument (.ods): a zip archive with an OpenDocument mimetype.
    Ods,
    /// The binary Excel format (.xls): an OLE2 compound file.
    Xls,
}

/// What kind of workbook some bytes are, by their content.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(Kind::Xls);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    // An OpenDocument file starts with its uncompressed mimetype entry.
    let head = &bytes[..bytes.len().min(200)];
    let ods = head
        .windows(b"application/vnd.oasis.opendocument.spreadsheet".len())
        .any(|w| w == b"application/vnd.oasis.opendocument.spreadsheet");
    Some(if ods { Kind::Ods } else { Kind::Xlsx })
}

/// Why a workbook could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error(
        "{file}: cannot read the workbook: {reason} (nianbao reads .xlsx, .xls and .ods workbooks)"
    )]
    Open { file: String, reason: String },
    #[error("{file}: no table of a report found: no sheet has the defined names or the labels of 基本信息, 表二–表四 or 正文 (`nianbao init --xlsx` writes a workbook to fill in)")]
    NotAReport { file: String },
    #[error("cannot write the workbook: {reason}")]
    Write { reason: String },
    #[error("{file}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Agencies {
        file: String,
        line: Option<usize>,
        message: String,
    },
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// The report a workbook to fill in starts from: the skeleton of `nianbao init`
/// (every row 0, the placeholder prose), with last year's figures and prose
/// carried over when `previous` is given.
pub fn template_report(
    agency: &str,
    year: u16,
    edition: Edition,
    previous: Option<&Report>,
) -> Result<Report, WorkbookError> {
    let text = crate::model::skeleton(agency, year, edition);
    let mut report = load_str("skeleton.toml", &text, Format::Toml)?.report;
    if let Some(prev) = previous {
        carry_over(&mut report, prev);
    }
    Ok(report)
}

/// Fills this year's report with what last year's carries over: 二、上年结转 is
/// last year's 四、结转下年度继续办理 (R7); Table 2's 现行有效件数 (2021) or
/// 对外公开总数量 and 上一年项目数量 (2019) start from last year's (R8); the
/// prose is last year's, as a starting point.
pub fn carry_over(report: &mut Report, prev: &Report) {
    let forward = prev.requests.row(RequestRow::CarriedForward);
    report.requests.rows.insert(
        RequestRow::CarriedOver,
        ApplicantRow {
            counts: forward.counts,
            given_total: None,
        },
    );
    if prev.edition() == report.edition() {
        let carried: &[(&str, &str)] = match report.edition() {
            Edition::E2021 => &[("rules", "in_force"), ("normative_documents", "in_force")],
            Edition::E2019 => &[
                ("rules", "total_published"),
                ("normative_documents", "total_published"),
            ],
        };
        for (row, column) in carried {
            if let Some(v) = prev.active.value(row, column).cloned() {
                set_active(report, row, column, v);
            }
        }
        if report.edition() == Edition::E2019 {
            // 上一年项目数量 this year: last year's, plus last year's 本年增/减.
            for block in crate::model::labels::active_blocks(Edition::E2019) {
                for r in block.rows {
                    let last = prev
                        .active
                        .value(r.key, "last_year_items")
                        .and_then(|v| v.count());
                    let change = match prev.active.value(r.key, "change") {
                        Some(ActiveValue::Change(c)) => *c,
                        _ => 0,
                    };
                    if let Some(n) = last.and_then(|l| l.checked_add_signed(change)) {
                        set_active(
                            report,
                            r.key,
                            "last_year_items",
                            ActiveValue::Count(crate::model::Count(n)),
                        );
                    }
                }
            }
        }
    }
    report.preamble = prev.preamble.clone();
    report.overview = prev.overview.clone();
    report.active.paragraphs = prev.active.paragraphs.clone();
    report.requests.paragraphs = prev.requests.paragraphs.clone();
    report.appeals.paragraphs = prev.appeals.paragraphs.clone();
    report.problems = prev.problems.clone();
    report.other = prev.other.clone();
    report.fonts = prev.fonts.clone();
}

fn set_active(report: &mut Report, row: &str, column: &str, value: ActiveValue) {
    let Some((block, _)) = crate::model::labels::active_row(report.edition(), row) else {
        return;
    };
    let Some(i) = block.columns.iter().position(|c| c.key == column) else {
        return;
    };
    if let Some(values) = report.active.rows.get_mut(row) {
        if let Some(slot) = values.get_mut(i) {
            *slot = value;
        }
    }
}

/// Reads a list of agencies: a CSV file (UTF-8, or GB18030 as Excel saves it
/// in China) whose first column names one agency per line; a first line
/// 机关名称 is a header.
pub fn read_agencies(path: &Path) -> Result<Vec<String>, WorkbookError> {
    let file = path.display().to_string();
    let err = |line: Option<usize>, message: String| WorkbookError::Agencies {
        file: file.clone(),
        line,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(None, format!("cannot read the file: {e}")))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(e.as_bytes());
            if bad {
                return Err(err(
                    None,
                    "the file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8)".into(),
                ));
            }
            t.into_owned()
        }
    };
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut agencies: Vec<String> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        let record = record.map_err(|e| err(Some(line), e.to_string()))?;
        let name = record.get(0).unwrap_or_default().trim().to_string();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        if i == 0 && matches!(name.as_str(), "机关名称" | "agency" | "名称" | "单位") {
            continue;
        }
        if let Some(first) = seen.insert(name.clone(), line) {
            return Err(err(
                Some(line),
                format!("“{name}” is listed twice (first on line {first})"),
            ));
        }
        agencies.push(name);
    }
    if agencies.is_empty() {
        return Err(err(
            None,
            "no agency listed (one agency name per line)".into(),
        ));
    }
    Ok(agencies)
}

/// Last year's reports in a directory, by agency and year, with a note for
/// every file that could not be used.
pub fn previous_reports(dir: &Path, skip: &Path) -> (HashMap<(String, u16), Report>, Vec<String>) {
    let mut out: HashMap<(String, u16), Report> = HashMap::new();
    let mut notes = Vec::new();
    let jobs = match crate::batch::discover(&[dir.to_path_buf()], skip) {
        Ok(j) => j,
        Err(e) => return (out, vec![e.to_string()]),
    };
    for job in jobs {
        match crate::load_data(&job.path, None) {
            Ok(loaded) => {
                let key = (
                    loaded.report.agency.trim().to_string(),
                    loaded.report.year.0,
                );
                if !loaded.problems.is_empty() {
                    notes.push(format!(
                        "{}: has {} missing or bad value(s); its figures are carried over as read",
                        job.path.display(),
                        loaded.problems.len()
                    ));
                }
                if out.contains_key(&key) {
                    notes.push(format!(
                        "{}: a second report of {} {}; the first one found is used",
                        job.path.display(),
                        key.0,
                        key.1
                    ));
                    continue;
                }
                out.insert(key, loaded.report);
            }
            Err(e) => notes.push(format!("{}: skipped: {e}", job.path.display())),
        }
    }
    (out, notes)
}

/// The file name of an agency's workbook: `{机关}{年度}年政府信息公开工作年度报告.xlsx`.
pub fn file_name(agency: &str, year: u16) -> PathBuf {
    PathBuf::from(crate::batch::output_name(agency, year)).with_extension("xlsx")
}
