//! The common document every reader produces: paragraphs with their origin,
//! and tables as grids of cells with their spans and origin. The mapper
//! (`mapper`) reads only this.

use std::fmt;

/// Where something is in the published file.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A PDF page (1-based) and a position on it, in points from the page's
    /// top-left corner.
    Page { page: u32, x: f32, y: f32 },
    /// A table cell of a Word file or web page: the table (1-based, in the
    /// report's body), its row and column (1-based, spans expanded).
    Cell {
        table: usize,
        row: usize,
        col: usize,
    },
    /// A paragraph of a Word file or web page (1-based, in the report's body).
    Paragraph { index: usize },
    /// A line of a text file (1-based), and the tab-separated field (1-based).
    Line { line: usize, field: Option<usize> },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Page { page, x, y } => {
                write!(f, "page {page}, x {:.0} pt, y {:.0} pt from the top", x, y)
            }
            Origin::Cell { table, row, col } => {
                write!(f, "table {table}, row {row}, column {col}")
            }
            Origin::Paragraph { index } => write!(f, "paragraph {index}"),
            Origin::Line { line, field: None } => write!(f, "line {line}"),
            Origin::Line {
                line,
                field: Some(c),
            } => write!(f, "line {line}, field {c}"),
        }
    }
}

/// How a paragraph is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// A paragraph of text.
#[derive(Clone, Debug, PartialEq)]
pub struct Para {
    /// The text, lines broken by the layout joined.
    pub text: String,
    /// The byte length of a leading run set apart typographically (another
    /// font, bold): a run-in item title. 0 when there is none or the reader
    /// cannot tell.
    pub lead: usize,
    /// The whole paragraph is set in a heading style (another font than the
    /// body, bold, or a heading element).
    pub heading: bool,
    pub align: Align,
    pub origin: Origin,
}

impl Para {
    pub fn new(text: impl Into<String>, origin: Origin) -> Para {
        Para {
            text: text.into(),
            lead: 0,
            heading: false,
            align: Align::Left,
            origin,
        }
    }
}

/// One position of a table's grid (spans expanded: a merged cell fills every
/// position it covers, with the same `cell` number).
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    /// The cell's text, lines joined with `\n`.
    pub text: String,
    /// The cell's number in its grid: positions of one merged cell share it.
    pub cell: usize,
    pub origin: Origin,
}

/// A table as a grid of positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Rows of positions; a missing position (a short row) is simply absent.
    pub rows: Vec<Vec<Slot>>,
    pub origin: Origin,
    /// Text exports: spans are not drawn, cells may shift left within a row.
    pub loose: bool,
    /// PDF: each column's left and right edge (points), so that the fragments
    /// of a table broken across pages can be lined up by position.
    pub columns_x: Option<Vec<(f32, f32)>>,
}

impl Grid {
    /// The text of a position, if there is one.
    pub fn text(&self, row: usize, col: usize) -> Option<&str> {
        self.rows.get(row)?.get(col).map(|s| s.text.as_str())
    }

    /// The number of columns of the widest row.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// A block of the document, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Para(Para),
    Table(Grid),
}

/// A published report as its reader sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// A title given outside the report's body (a web page's heading), used
    /// when the body prints none.
    pub title_hint: Option<String>,
    /// Notes of the reader (a table drawn as an image, a page without text …),
    /// passed on to the import's notes.
    pub notes: Vec<(Origin, String)>,
}

/// Builds a grid from cells with spans: `cells` are (row, col, rowspan,
/// colspan, text, origin) in any order; the grid is expanded as an HTML table
/// model would (a cell goes to the first free position of its row).
pub struct GridBuilder {
    rows: Vec<Vec<Option<Slot>>>,
    next_cell: usize,
}

impl GridBuilder {
    pub fn new() -> GridBuilder {
        GridBuilder {
            rows: Vec::new(),
            next_cell: 0,
        }
    }

    /// Adds a cell to row `row` at the first free position, covering
    /// `rowspan` × `colspan` positions. Spans are capped to keep a hostile
    /// file from asking for millions of positions.
    pub fn add(
        &mut self,
        row: usize,
        rowspan: usize,
        colspan: usize,
        text: String,
        origin: Origin,
    ) {
        const MAX_SPAN: usize = 64;
        let rowspan = rowspan.clamp(1, MAX_SPAN);
        let colspan = colspan.clamp(1, MAX_SPAN);
        while self.rows.len() < row + rowspan {
            self.rows.push(Vec::new());
        }
        let col = {
            let r = &self.rows[row];
            (0..)
                .find(|&c| r.get(c).is_none_or(|s| s.is_none()))
                .unwrap_or(0)
        };
        let cell = self.next_cell;
        self.next_cell += 1;
        for r in row..row + rowspan {
            let line = &mut self.rows[r];
            if line.len() < col + colspan {
                line.resize(col + colspan, None);
            }
            for slot in line.iter_mut().skip(col).take(colspan) {
                *slot = Some(Slot {
                    text: text.clone(),
                    cell,
                    origin: origin.clone(),
                });
            }
        }
    }

    /// Makes sure row `row` exists (an empty `<tr>` still counts).
    pub fn touch(&mut self, row: usize) {
        while self.rows.len() <= row {
            self.rows.push(Vec::new());
        }
    }

    /// The grid; holes (positions no cell covers) become empty slots of their own.
    pub fn finish(mut self, origin: Origin) -> Grid {
        let mut next = self.next_cell;
        let rows = self
            .rows
            .drain(..)
            .map(|row| {
                // Trailing holes are dropped; inner holes become empty cells.
                let end = row.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
                row.into_iter()
                    .take(end)
                    .map(|s| {
                        s.unwrap_or_else(|| {
                            next += 1;
                            Slot {
                                text: String::new(),
                                cell: next,
                                origin: origin.clone(),
                            }
                        })
                    })
                    .collect()
            })
            .collect();
        Grid {
            rows,
            origin,
            loose: false,
            columns_x: None,
        }
    }
}

impl Default for GridBuilder {
    fn default() -> Self {
        GridBuilder::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o() -> Origin {
        Origin::Paragraph { index: 0 }
    }

    #[test]
    fn spans_expand_like_an_html_table() {
        let mut b = GridBuilder::new();
        // Row 0: A (rowspan 2), B (colspan 2). Row 1: C goes after A's span.
        b.add(0, 2, 1, "A".into(), o());
        b.add(0, 1, 2, "B".into(), o());
        b.add(1, 1, 1, "C".into(), o());
        b.add(1, 1, 1, "D".into(), o());
        let g = b.finish(o());
        let texts: Vec<Vec<&str>> = g
            .rows
            .iter()
            .map(|r| r.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(texts, [vec!["A", "B", "B"], vec!["A", "C", "D"]]);
        assert_eq!(g.rows[0][0].cell, g.rows[1][0].cell);
        assert_ne!(g.rows[1][1].cell, g.rows[1][2].cell);
    }
}
