//! The label matcher: finds a table's rows by their official labels when a
//! workbook has no defined names (tables pasted into another workbook, or a
//! workbook made by hand from the printed tables).
//!
//! A row is found where a cell holds its label (compared without spaces, with
//! full-width parentheses and one kind of dot); its values are where the
//! report workbook has them relative to the label, except that Table 3's
//! value columns start under the header 自然人 when the sheet has one.

use std::collections::HashMap;

use calamine::{Data, Range};

use super::layout::{self, InputRow, Layout, Pos};
use super::read::{Book, SheetCells};
use super::text;
use crate::model::labels::{self, RequestRow, APPLICANT_COLUMNS};
use crate::model::Edition;

/// The texts of a sheet's cells, normalised, with where they are.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    cells: HashMap<String, Vec<Pos>>,
}

impl Grid {
    pub fn new(values: &Range<Data>) -> Grid {
        let mut cells: HashMap<String, Vec<Pos>> = HashMap::new();
        for (row, col, data) in values.used_cells() {
            if let Data::String(s) = data {
                let (r, c) = match values.start() {
                    Some((r0, c0)) => (r0 + row as u32, c0 + col as u32),
                    None => (row as u32, col as u32),
                };
                if let Ok(c) = u16::try_from(c) {
                    cells
                        .entry(text::normalise(s))
                        .or_default()
                        .push(layout::pos(r, c));
                }
            }
        }
        for list in cells.values_mut() {
            list.sort();
        }
        Grid { cells }
    }

    /// Where a (normalised) text is, in reading order.
    pub fn find(&self, normalised: &str) -> Vec<Pos> {
        self.cells.get(normalised).cloned().unwrap_or_default()
    }

    fn has(&self, label: &str) -> bool {
        self.cells.contains_key(&text::normalise(label))
    }
}

/// Whether a sheet is the prose sheet (its header row), which holds words
/// such as 标题 that are labels elsewhere.
fn is_text_sheet(sheet: &SheetCells) -> bool {
    sheet.name == text::SHEET || text::HEADERS.iter().all(|h| sheet.grid.has(h))
}

/// Finds an input row by its label: the sheet and its first value cell.
pub(crate) fn find<'b>(
    book: &'b Book,
    layout: &Layout,
    row: &InputRow,
) -> Option<(&'b SheetCells, Pos)> {
    let home = &layout.sheets[row.sheet].name;
    let sheets = book
        .sheets
        .iter()
        .filter(|s| s.name == *home)
        .chain(book.sheets.iter().filter(|s| s.name != *home))
        .filter(|s| !is_text_sheet(s));
    let label = text::normalise(&row.label);
    let is_request = row.key.starts_with("requests.");
    for sheet in sheets {
        if let Some(at) = sheet.grid.find(&label).into_iter().next() {
            let mut p = layout::pos(
                (at.row as i64 + row.at.row as i64 - row.label_at.row as i64).max(0) as u32,
                (at.col as i32 + row.at.col as i32 - row.label_at.col as i32).max(0) as u16,
            );
            if is_request {
                // The value columns start under 自然人, whatever the label columns.
                if let Some(h) = sheet
                    .grid
                    .find(&text::normalise(APPLICANT_COLUMNS[0]))
                    .into_iter()
                    .find(|h| h.row < at.row)
                {
                    p.col = h.col;
                }
            }
            return Some((sheet, p));
        }
    }
    None
}

/// The labels only one edition prints (Table 2's rows and headers, Table 3's rows).
fn edition_labels(edition: Edition) -> Vec<&'static str> {
    let mut out: Vec<&str> = labels::active_blocks(edition)
        .iter()
        .flat_map(|b| {
            b.rows
                .iter()
                .map(|r| r.label)
                .chain(b.columns.iter().map(|c| c.label))
        })
        .collect();
    out.extend(
        RequestRow::rows_of(edition)
            .filter(|r| r.group().is_some() || !r.is_outcome())
            .map(|r| r.label()),
    );
    out
}

/// The edition the labels of a workbook's tables show, when they show one.
pub(crate) fn edition_by_labels(book: &Book) -> Option<Edition> {
    let only = |e: Edition| -> Vec<&'static str> {
        let other = edition_labels(e.other());
        edition_labels(e)
            .into_iter()
            .filter(|l| !other.contains(l))
            .collect()
    };
    let count = |e: Edition| {
        only(e)
            .iter()
            .filter(|l| book.sheets.iter().any(|s| s.grid.has(l)))
            .count()
    };
    match (count(Edition::E2021), count(Edition::E2019)) {
        (a, b) if a > b => Some(Edition::E2021),
        (a, b) if b > a => Some(Edition::E2019),
        _ => None,
    }
}
