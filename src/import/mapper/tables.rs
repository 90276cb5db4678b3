//! Tables 2–4 by label, never by position: rows by their printed labels,
//! columns by their headers, after normalising what real reports vary; a
//! table broken across pages is joined; a variant label is reported; a row a
//! report collapsed or left out is reported, never guessed.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::labels::{
    self, ActiveBlock, ActiveColumn, ActiveKind, AppealKind, OutcomeGroup, RequestRow, ACTIVE_2019,
    ACTIVE_2021, ACTIVE_CONTENT_HEADER, APPEAL_COLUMNS, APPLICANT_COLUMNS, APPLICANT_HEADER,
    LEGAL_PERSONS_HEADER, LITIGATION_HEADER, OUTCOME_LABEL, REQUESTS_NOTE, REVIEW_HEADER, TABLE_2,
    TABLE_3, TABLE_4, TOTAL_COLUMN,
};
use crate::model::Edition;

use super::super::aliases::{self, Official, VariantKind};
use super::super::document::{Grid, Slot};
use super::super::normalize::{item_number, label_key, part_number, similarity, Numbering};
use super::super::ValueOrigin;
use super::cells::{read_cell, CellValue};
use super::Mapper;

/// The report's tables, each possibly in fragments (page breaks).
#[derive(Default)]
pub(in crate::import) struct FoundTables<'a> {
    pub active: Vec<&'a Grid>,
    pub requests: Vec<&'a Grid>,
    pub appeals: Vec<&'a Grid>,
    /// Evidence of the edition: (edition, what shows it).
    votes: Vec<(Edition, String)>,
}

impl FoundTables<'_> {
    /// The edition the tables' shape shows, with the evidence.
    pub fn edition_votes(&self) -> Option<(Edition, String)> {
        let n21 = self.votes.iter().filter(|v| v.0 == Edition::E2021).count();
        let n19 = self.votes.len() - n21;
        let edition = match n21.cmp(&n19) {
            std::cmp::Ordering::Greater => Edition::E2021,
            std::cmp::Ordering::Less => Edition::E2019,
            std::cmp::Ordering::Equal => return None,
        };
        let why: Vec<&str> = self
            .votes
            .iter()
            .filter(|v| v.0 == edition)
            .map(|v| v.1.as_str())
            .take(3)
            .collect();
        Some((edition, why.join("; ")))
    }
}

/// Which table a grid is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Active,
    Requests,
    Appeals,
}

/// A label's key without a leading item number (`（三）`, `1.`, `一、`).
fn unnumbered(key: &str) -> &str {
    if let Some((_, _, end)) = item_number(key) {
        return &key[end..];
    }
    if let Some((_, end)) = part_number(key) {
        return &key[end..];
    }
    key
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Whether a printed key names an official label (exactly, or as a large part of it).
fn names(printed: &str, official: &str) -> bool {
    let p = unnumbered(printed);
    let o = unnumbered(official);
    if p.is_empty() || o.is_empty() {
        return false;
    }
    p == o || (chars(p) >= 4 && chars(o) >= 4 && (o.contains(p) || p.contains(o)))
}

/// [`names`] for keys already without their numbers.
fn names_bare(p: &str, o: &str) -> bool {
    p == o
        || (p.len() >= 12
            && o.len() >= 12
            && chars(p) >= 4
            && chars(o) >= 4
            && (o.contains(p) || p.contains(o)))
}

fn t2_labels() -> Vec<String> {
    let mut out = vec![label_key(ACTIVE_CONTENT_HEADER)];
    for blocks in [ACTIVE_2021, ACTIVE_2019] {
        for b in blocks {
            out.extend(b.rows.iter().map(|r| label_key(r.label)));
            out.extend(b.columns.iter().map(|c| label_key(c.label)));
        }
    }
    out
}

fn t3_labels() -> Vec<String> {
    let mut out: Vec<String> = RequestRow::ALL
        .iter()
        .map(|r| label_key(r.label()))
        .collect();
    out.extend(OutcomeGroup::ALL.iter().map(|g| label_key(g.label())));
    out.extend(
        [
            OUTCOME_LABEL,
            APPLICANT_HEADER,
            LEGAL_PERSONS_HEADER,
            REQUESTS_NOTE,
        ]
        .iter()
        .map(|l| label_key(l)),
    );
    out.extend(APPLICANT_COLUMNS[..5].iter().map(|l| label_key(l)));
    out
}

fn t4_labels() -> Vec<String> {
    let mut out: Vec<String> = [REVIEW_HEADER, LITIGATION_HEADER]
        .iter()
        .map(|l| label_key(l))
        .collect();
    out.extend(AppealKind::ALL.iter().map(|k| label_key(k.header())));
    out.extend(APPEAL_COLUMNS.iter().map(|l| label_key(l)));
    out
}

/// The distinct cells of a row, in order (a merged cell once).
fn distinct(row: &[Slot]) -> Vec<&Slot> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for s in row {
        if !seen.contains(&s.cell) {
            seen.push(s.cell);
            out.push(s);
        }
    }
    out
}

fn is_numeric(text: &str) -> bool {
    matches!(
        read_cell(text, ActiveKind::Amount),
        CellValue::Number { .. }
    )
}

/// The column of grid `to` that lines up with column `col` of grid `from`.
fn align(from: &Grid, to: &Grid, col: usize) -> Option<usize> {
    if std::ptr::eq(from, to) {
        return Some(col);
    }
    if let (Some(fx), Some(tx)) = (&from.columns_x, &to.columns_x) {
        let (a, b) = *fx.get(col)?;
        let centre = (a + b) / 2.0;
        return tx
            .iter()
            .position(|&(l, r)| l - 2.0 <= centre && centre <= r + 2.0);
    }
    let (fw, tw) = (from.width(), to.width());
    if fw == tw {
        Some(col)
    } else {
        (tw + col).checked_sub(fw)
    }
}

/// The header texts over each column of `rows` (top to bottom). In text
/// exports (loose grids) a group header's span is not drawn: an empty cell to
/// the right of a group header belongs to it.
fn header_stacks(grid: &Grid, rows: std::ops::Range<usize>, groups: &[String]) -> Vec<Vec<String>> {
    let width = grid.width();
    let mut stacks = vec![Vec::<String>::new(); width];
    for r in rows {
        let Some(row) = grid.rows.get(r) else {
            continue;
        };
        let mut last_group: Option<String> = None;
        for (c, stack) in stacks.iter_mut().enumerate() {
            let text = row.get(c).map(|s| s.text.as_str()).unwrap_or("");
            let key = label_key(text);
            if key.is_empty() {
                if grid.loose {
                    if let Some(g) = &last_group {
                        stack.push(g.clone());
                    }
                }
                continue;
            }
            last_group = groups.iter().any(|g| g == &key).then(|| key.clone());
            if stack.last() != Some(&key) {
                stack.push(key);
            }
        }
    }
    stacks
}

impl Mapper {
    /// Finds Tables 2–4 among the grids by their labels; grids that carry none
    /// (a portal's metadata table) are left out.
    pub(in crate::import) fn find_tables<'a>(&mut self, grids: &[&'a Grid]) -> FoundTables<'a> {
        // Labels without their numbers, computed once.
        let strip = |v: Vec<String>| -> Vec<String> {
            v.iter()
                .map(|l| unnumbered(l).to_string())
                .filter(|l| !l.is_empty())
                .collect()
        };
        let (l2, l3, l4) = (strip(t2_labels()), strip(t3_labels()), strip(t4_labels()));
        let mut found = FoundTables::default();
        for g in grids {
            let keys: Vec<String> = g
                .rows
                .iter()
                .flat_map(|r| distinct(r).into_iter().map(|s| label_key(&s.text)))
                .filter(|k| !k.is_empty())
                .collect();
            let bare: Vec<&str> = keys
                .iter()
                .map(|k| unnumbered(k))
                .filter(|k| !k.is_empty())
                .collect();
            let score = |labels: &[String]| {
                bare.iter()
                    .filter(|k| labels.iter().any(|l| names_bare(k, l)))
                    .count()
                    + keys
                        .iter()
                        .filter(|k| k.starts_with("第二十条") && labels == l2.as_slice())
                        .count()
            };
            let (s2, s3, s4) = (score(&l2), score(&l3), score(&l4));
            let best = s2.max(s3).max(s4);
            if best == 0 {
                continue;
            }
            let which = if best == s3 {
                Which::Requests
            } else if best == s4 {
                Which::Appeals
            } else {
                Which::Active
            };
            match which {
                Which::Active => found.active.push(g),
                Which::Requests => found.requests.push(g),
                Which::Appeals => found.appeals.push(g),
            }
            // Edition evidence: Table 2 labels of one edition only.
            if which == Which::Active {
                for k in &keys {
                    let in21 = ACTIVE_2021.iter().any(|b| {
                        b.columns.iter().any(|c| label_key(c.label) == *k)
                            || b.rows.iter().any(|r| label_key(r.label) == *k)
                    });
                    let in19 = ACTIVE_2019.iter().any(|b| {
                        b.columns.iter().any(|c| label_key(c.label) == *k)
                            || b.rows.iter().any(|r| label_key(r.label) == *k)
                    });
                    match (in21, in19) {
                        (true, false) => found
                            .votes
                            .push((Edition::E2021, format!("表二印有“{k}”（2021年版）"))),
                        (false, true) => found
                            .votes
                            .push((Edition::E2019, format!("表二印有“{k}”（2019年版）"))),
                        _ => {}
                    }
                }
            }
            if which == Which::Requests {
                let other_21: Vec<String> = OutcomeGroup::Other
                    .rows(Edition::E2021)
                    .iter()
                    .map(|r| label_key(r.label()))
                    .collect();
                for k in &keys {
                    if other_21.iter().any(|o| o == k && chars(o) > 4) {
                        found.votes.push((
                            Edition::E2021,
                            format!("表三“（六）其他处理”分列“{k}”等三行（2021年版）"),
                        ));
                    }
                }
            }
        }
        found
    }

    /// Records where a value came from and reads it; notes what is not a plain number.
    #[allow(clippy::too_many_arguments)]
    fn take_value(
        &mut self,
        key: String,
        slot: Option<&Slot>,
        kind: ActiveKind,
        table: &str,
        row_label: &str,
        column_label: &str,
        variant: Option<&str>,
    ) -> Value {
        let Some(slot) = slot else {
            self.warn(
                Some(key),
                None,
                format!("{table}“{row_label}”一行没有“{column_label}”这一格：空白不是零"),
            );
            return Value::Null;
        };
        self.values.push(ValueOrigin {
            key: key.clone(),
            place: slot.origin.to_string(),
            origin: slot.origin.clone(),
            printed: slot.text.clone(),
            row_label: row_label.to_string(),
            column_label: column_label.to_string(),
            variant: variant.map(str::to_string),
        });
        match read_cell(&slot.text, kind) {
            CellValue::Blank => {
                let shown = slot.text.trim();
                let what = if shown.is_empty() {
                    "空白".to_string()
                } else {
                    format!("“{shown}”")
                };
                self.warn(
                    Some(key),
                    Some(&slot.origin),
                    format!("{table}“{row_label}”·“{column_label}”印的是{what}：空白不是零，这一格按缺失处理"),
                );
                Value::Null
            }
            CellValue::Unreadable => {
                self.warn(
                    Some(key),
                    Some(&slot.origin),
                    format!(
                        "{table}“{row_label}”·“{column_label}”印的“{}”不是数字：这一格按缺失处理",
                        slot.text.trim()
                    ),
                );
                Value::Null
            }
            CellValue::Number { value, note } => {
                if let Some(note) = note {
                    self.warn(
                        Some(key),
                        Some(&slot.origin),
                        format!(
                            "{table}“{row_label}”·“{column_label}”印的是“{}”：取数字 {}，“{note}”是单位或说明",
                            slot.text.trim(),
                            match &value {
                                Value::String(s) => s.clone(),
                                v => v.to_string(),
                            }
                        ),
                    );
                }
                value
            }
        }
    }

    // -----------------------------------------------------------------------
    // Table 2
    // -----------------------------------------------------------------------

    pub(in crate::import) fn active(&mut self, frags: &[&Grid], edition: Edition) -> Value {
        let blocks = labels::active_blocks(edition);
        let other_blocks = labels::active_blocks(edition.other());
        let mut rows: BTreeMap<&'static str, Value> = BTreeMap::new();
        // The latest header row: its grid, and (column, printed header) after 信息内容.
        let mut header: Option<(&Grid, Vec<(usize, String)>)> = None;
        for grid in frags {
            for row in &grid.rows {
                let cells = distinct(row);
                let Some(first) = cells.first() else { continue };
                let first_key = label_key(&first.text);
                if first_key.is_empty() && cells.iter().all(|s| label_key(&s.text).is_empty()) {
                    continue;
                }
                if first_key.starts_with("第二十条") {
                    continue;
                }
                if first_key == label_key(ACTIVE_CONTENT_HEADER) {
                    let cols = row
                        .iter()
                        .enumerate()
                        .skip(1)
                        .filter(|(_, s)| s.cell != first.cell)
                        .map(|(c, s)| (c, s.text.clone()))
                        .collect();
                    header = Some((grid, cols));
                    continue;
                }
                // A data row: its label names a row of the table.
                let Some((block, row_def, variant)) = self.match_active_row(&first_key, blocks)
                else {
                    if other_blocks
                        .iter()
                        .any(|b| b.rows.iter().any(|r| label_key(r.label) == first_key))
                    {
                        self.warn(
                            None,
                            Some(&first.origin),
                            format!(
                                "{TABLE_2}印有“{}”一行，这是{}年版格式的行，本报告按{edition}年版读取：这一行没有导入",
                                first.text.trim(),
                                edition.other()
                            ),
                        );
                    } else if cells.iter().skip(1).any(|s| is_numeric(&s.text)) {
                        self.warn(
                            None,
                            Some(&first.origin),
                            format!(
                                "{TABLE_2}中“{}”一行不是格式中的行：没有导入",
                                first.text.trim()
                            ),
                        );
                    }
                    continue;
                };
                let row_label = first.text.trim().to_string();
                let path = format!("active.{}", row_def.key);
                if rows.contains_key(row_def.key) {
                    self.warn(
                        Some(path),
                        Some(&first.origin),
                        format!("{TABLE_2}“{row_label}”一行印了两次：只取第一次"),
                    );
                    continue;
                }
                let value = self.active_values(
                    grid,
                    row,
                    first.cell,
                    block,
                    &header,
                    &path,
                    &row_label,
                    variant.as_deref(),
                );
                rows.insert(row_def.key, value);
            }
        }
        let mut out = Map::new();
        for block in blocks {
            for r in block.rows {
                let value = match rows.remove(r.key) {
                    Some(v) => v,
                    None => {
                        self.warn(
                            Some(format!("active.{}", r.key)),
                            None,
                            format!(
                                "{TABLE_2}没有印“{}”一行：空白不是零，这一行按缺失处理",
                                r.label
                            ),
                        );
                        Value::Null
                    }
                };
                out.insert(r.key.to_string(), value);
            }
        }
        Value::Object(out)
    }

    /// The row of Table 2 a printed label names, and how it differs.
    fn match_active_row(
        &mut self,
        key: &str,
        blocks: &'static [ActiveBlock],
    ) -> Option<(
        &'static ActiveBlock,
        &'static labels::ActiveRow,
        Option<String>,
    )> {
        for b in blocks {
            for r in b.rows {
                if label_key(r.label) == key {
                    return Some((b, r, None));
                }
            }
        }
        for b in blocks {
            for r in b.rows {
                if let Some(v) = aliases::variants_of(Official::ActiveRow(r.key))
                    .find(|v| label_key(v.printed) == key)
                {
                    return Some((b, r, Some(variant_message(key, r.label, v.kind, v.seen_in))));
                }
            }
        }
        let best = blocks
            .iter()
            .flat_map(|b| b.rows.iter().map(move |r| (b, r)))
            .map(|(b, r)| (similarity(key, &label_key(r.label)), b, r))
            .max_by(|a, b| a.0.total_cmp(&b.0))?;
        (best.0 >= 0.6 && chars(key) >= 2).then(|| {
            (
                best.1,
                best.2,
                Some(format!(
                    "印的是“{key}”，与格式的“{}”相近，按“{}”读取",
                    best.2.label, best.2.label
                )),
            )
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn active_values(
        &mut self,
        grid: &Grid,
        row: &[Slot],
        label_cell: usize,
        block: &ActiveBlock,
        header: &Option<(&Grid, Vec<(usize, String)>)>,
        path: &str,
        row_label: &str,
        variant: Option<&str>,
    ) -> Value {
        if let Some(v) = variant {
            self.info(
                Some(path.to_string()),
                row.first().map(|s| &s.origin),
                format!("{TABLE_2}：{v}"),
            );
        }
        // Which printed column holds which value column of the block.
        let mut columns: Vec<(&ActiveColumn, Option<&Slot>, String)> = Vec::new();
        let mut used = vec![label_cell];
        match header {
            Some((hgrid, cols)) => {
                for c in block.columns {
                    let found = cols
                        .iter()
                        .find(|(_, h)| label_key(h) == label_key(c.label))
                        .or_else(|| {
                            // A header printed differently: the closest one, if close.
                            cols.iter()
                                .map(|col| {
                                    (similarity(&label_key(&col.1), &label_key(c.label)), col)
                                })
                                .filter(|(s, _)| *s >= 0.6)
                                .max_by(|a, b| a.0.total_cmp(&b.0))
                                .map(|(_, col)| col)
                        });
                    let slot = found.and_then(|(hc, _)| {
                        let col = align(hgrid, grid, *hc)?;
                        let s = row.get(col)?;
                        (!used.contains(&s.cell)).then_some(s)
                    });
                    if let Some(s) = slot {
                        used.push(s.cell);
                    }
                    let printed = found.map(|(_, h)| h.trim().to_string()).unwrap_or_default();
                    if found.is_none() {
                        self.warn(
                            Some(path.to_string()),
                            row.first().map(|s| &s.origin),
                            format!("{TABLE_2}“{}”一组没有印“{}”这一列", block.caption, c.label),
                        );
                    }
                    columns.push((c, slot, printed));
                }
            }
            None => {
                self.warn(
                    Some(path.to_string()),
                    row.first().map(|s| &s.origin),
                    format!("{TABLE_2}“{row_label}”一行上面没有“信息内容”表头：按格式的列序读取"),
                );
                let values: Vec<&Slot> = distinct(row).into_iter().skip(1).collect();
                for (i, c) in block.columns.iter().enumerate() {
                    columns.push((c, values.get(i).copied(), c.label.to_string()));
                }
            }
        }
        let mut out = Map::new();
        let scalar = block.scalar();
        let mut single = Value::Null;
        for (c, slot, printed) in columns {
            let key = if scalar {
                path.to_string()
            } else {
                format!("{path}.{}", c.key)
            };
            let printed = if printed.is_empty() {
                c.label.to_string()
            } else {
                printed
            };
            let v = if slot.is_none() {
                Value::Null
            } else {
                self.take_value(key, slot, c.kind, TABLE_2, row_label, &printed, variant)
            };
            if scalar {
                single = v;
            } else {
                out.insert(c.key.to_string(), v);
            }
        }
        if scalar {
            single
        } else {
            Value::Object(out)
        }
    }

    // -----------------------------------------------------------------------
    // Table 3
    // -----------------------------------------------------------------------

    pub(in crate::import) fn requests(&mut self, frags: &[&Grid], edition: Edition) -> Value {
        let mut rows: BTreeMap<String, Value> = BTreeMap::new();
        let Some((hgrid, hrows)) = find_requests_header(frags) else {
            if !frags.is_empty() {
                self.warn(
                    None,
                    Some(&frags[0].origin),
                    format!(
                        "{TABLE_3}没有找到“一、本年新收政府信息公开申请数量”一行：表三没有导入"
                    ),
                );
            }
            return self.requests_out(rows, edition, &[]);
        };
        let groups = vec![label_key(APPLICANT_HEADER), label_key(LEGAL_PERSONS_HEADER)];
        let stacks = header_stacks(hgrid, hrows.clone(), &groups);
        // Column → applicant column index (0–5, 6 = 总计), by the header.
        let mut columns: Vec<(usize, usize, String)> = Vec::new();
        for (c, stack) in stacks.iter().enumerate() {
            let leaf = stack
                .iter()
                .rev()
                .find_map(|h| applicant_column(h).map(|(i, v)| (i, v, h)));
            if let Some((i, variant, h)) = leaf {
                if columns.iter().any(|(_, j, _)| *j == i) {
                    continue;
                }
                if let Some(v) = variant {
                    self.info(None, None, format!("{TABLE_3}表头：{v}"));
                }
                columns.push((c, i, h.clone()));
            }
        }
        let missing: Vec<&str> = (0..7)
            .filter(|i| !columns.iter().any(|(_, j, _)| j == i))
            .map(|i| {
                if i < 6 {
                    APPLICANT_COLUMNS[i]
                } else {
                    TOTAL_COLUMN
                }
            })
            .collect();
        if !missing.is_empty() {
            self.warn(
                None,
                Some(&hgrid.origin),
                format!(
                    "{TABLE_3}表头中没有找到“{}”这一列：这一列按缺失处理",
                    missing.join("”“")
                ),
            );
        }
        let first_value_col = columns.iter().map(|c| c.0).min().unwrap_or(0);
        let start_grid = frags
            .iter()
            .position(|g| std::ptr::eq(*g, hgrid))
            .unwrap_or(0);
        let mut group: Option<usize> = None;
        let mut collapsed: Vec<OutcomeGroup> = Vec::new();
        for (gi, grid) in frags.iter().enumerate().skip(start_grid) {
            let skip = if gi == start_grid { hrows.end } else { 0 };
            for (ri, row) in grid.rows.iter().enumerate().skip(skip) {
                // Label cells and value cells of this row.
                let (label_slots, values) = if grid.loose {
                    loose_row(row, columns.len())
                } else {
                    let first = align(hgrid, grid, first_value_col).unwrap_or(first_value_col);
                    let mut value_cells = Vec::new();
                    let labels: Vec<&Slot> = distinct(&row[..row.len().min(first)])
                        .into_iter()
                        .filter(|s| !label_key(&s.text).is_empty())
                        .collect();
                    let label_ids: Vec<usize> =
                        row[..row.len().min(first)].iter().map(|s| s.cell).collect();
                    for (c, _, _) in &columns {
                        let slot = align(hgrid, grid, *c)
                            .and_then(|col| row.get(col))
                            .filter(|s| !label_ids.contains(&s.cell));
                        value_cells.push(slot);
                    }
                    (labels, value_cells)
                };
                if label_slots.is_empty()
                    && values
                        .iter()
                        .all(|v| v.is_none_or(|s| label_key(&s.text).is_empty()))
                {
                    continue;
                }
                // A repeated header on a continuation page.
                if label_slots.iter().all(|s| {
                    let k = label_key(&s.text);
                    k.contains("勾稽") || applicant_column(&k).is_some() || groups.contains(&k)
                }) && values.iter().flatten().all(|s| !is_numeric(&s.text))
                {
                    continue;
                }
                let Some(found) = self.request_row(&label_slots, &mut group, edition) else {
                    if values.iter().flatten().any(|s| is_numeric(&s.text)) {
                        let label: Vec<&str> = label_slots.iter().map(|s| s.text.trim()).collect();
                        self.warn(
                            None,
                            label_slots
                                .first()
                                .or(values.iter().flatten().next())
                                .map(|s| &s.origin),
                            format!(
                                "{TABLE_3}第 {} 行（“{}”）不是格式中的行：没有导入",
                                ri + 1,
                                label.join(" ")
                            ),
                        );
                    }
                    continue;
                };
                let label_text: String = label_slots
                    .iter()
                    .map(|s| s.text.split_whitespace().collect::<String>())
                    .collect::<Vec<_>>()
                    .join(" ");
                let origin = label_slots.first().map(|s| s.origin.clone());
                let (key, variant) = match found {
                    RowMatch::Row(r, v) => (r.key().to_string(), v),
                    RowMatch::Total(v) => ("total".to_string(), v),
                    RowMatch::Collapsed(g) => {
                        let printed: Vec<String> = values
                            .iter()
                            .map(|s| s.map(|s| s.text.trim().to_string()).unwrap_or_default())
                            .collect();
                        collapsed.push(g);
                        for r in g.rows(edition).iter().skip(1) {
                            self.info(
                                Some(format!("requests.{}", r.key())),
                                origin.as_ref(),
                                format!(
                                    "{TABLE_3}“{}”只印了一行（见上）：“{}”一行按缺失处理",
                                    g.label(),
                                    r.full_label()
                                ),
                            );
                        }
                        let names: Vec<&str> = g.rows(edition).iter().map(|r| r.label()).collect();
                        self.warn(
                            Some(format!(
                                "requests.{}",
                                g.rows(edition).first().map(|r| r.key()).unwrap_or("")
                            )),
                            origin.as_ref(),
                            format!(
                                "{TABLE_3}“{}”只印了一行，数字为 [{}]；{edition}年版格式把它分为“{}”{}行：这些行按缺失处理（不把数字放进其中任何一行）",
                                g.label(),
                                printed.join(", "),
                                names.join("”“"),
                                names.len()
                            ),
                        );
                        continue;
                    }
                };
                if rows.contains_key(&key) {
                    self.warn(
                        Some(format!("requests.{key}")),
                        origin.as_ref(),
                        format!("{TABLE_3}“{label_text}”一行印了两次：只取第一次"),
                    );
                    continue;
                }
                if let Some(v) = &variant {
                    self.info(
                        Some(format!("requests.{key}")),
                        origin.as_ref(),
                        format!("{TABLE_3}：{v}"),
                    );
                }
                let mut cells = vec![Value::Null; 7];
                for ((_, i, header), slot) in columns.iter().zip(&values) {
                    let column = labels::request_column(*i);
                    let printed_header = if header.is_empty() {
                        column.clone()
                    } else {
                        header.clone()
                    };
                    let _ = printed_header;
                    cells[*i] = self.take_value(
                        format!("requests.{key}[{i}]"),
                        *slot,
                        ActiveKind::Count,
                        TABLE_3,
                        &label_text,
                        &column,
                        variant.as_deref(),
                    );
                }
                rows.insert(key, Value::Array(cells));
            }
        }
        self.requests_out(rows, edition, &collapsed)
    }

    fn requests_out(
        &mut self,
        mut rows: BTreeMap<String, Value>,
        edition: Edition,
        collapsed: &[OutcomeGroup],
    ) -> Value {
        let mut out = Map::new();
        for r in RequestRow::rows_of(edition) {
            let v = rows.remove(r.key()).unwrap_or_else(|| {
                if !r.group().is_some_and(|g| collapsed.contains(&g)) {
                    self.warn(
                        Some(format!("requests.{}", r.key())),
                        None,
                        format!(
                            "{TABLE_3}没有印“{}”一行：空白不是零，这一行按缺失处理",
                            r.full_label()
                        ),
                    );
                }
                Value::Null
            });
            if r == RequestRow::CarriedForward {
                if let Some(total) = rows.remove("total") {
                    out.insert("total".into(), total);
                }
            }
            out.insert(r.key().to_string(), v);
        }
        Value::Object(out)
    }

    /// Which row of Table 3 a row's label cells name. `group` carries the
    /// outcome group (（三）…) from row to row, as a merged label does.
    fn request_row(
        &mut self,
        labels: &[&Slot],
        group: &mut Option<usize>,
        edition: Edition,
    ) -> Option<RowMatch> {
        let mut part: Option<(usize, String)> = None;
        let mut group_here: Option<(usize, String)> = None;
        let mut item: Option<(usize, String)> = None;
        for s in labels {
            let key = label_key(&s.text);
            if key.is_empty() || key == label_key(OUTCOME_LABEL) {
                continue;
            }
            if let Some((n, _)) = part_number(&key) {
                if n == 3 && similarity(&key, &label_key(OUTCOME_LABEL)) > 0.5 {
                    continue;
                }
                if (1..=4).contains(&n) {
                    part = Some((n, key));
                    *group = None;
                    continue;
                }
            }
            match item_number(&key) {
                Some((Numbering::Paren, n, _)) if (1..=7).contains(&n) => {
                    *group = Some(n);
                    group_here = Some((n, key));
                }
                Some((Numbering::Arabic, n, _)) => item = Some((n, key)),
                _ => {}
            }
        }
        if let Some((n, key)) = item {
            let g = group.and_then(outcome_group)?;
            return self.match_item(g, n, &key, edition);
        }
        if let Some((n, key)) = group_here {
            let official = |r: RequestRow| check_label(&key, r.label());
            return match n {
                1 => Some(RowMatch::Row(
                    RequestRow::Granted,
                    official(RequestRow::Granted),
                )),
                2 => Some(RowMatch::Row(
                    RequestRow::PartiallyGranted,
                    official(RequestRow::PartiallyGranted),
                )),
                7 => Some(RowMatch::Total(check_label(
                    &key,
                    labels::REQUESTS_TOTAL_ROW,
                ))),
                6 if edition == Edition::E2019 => Some(RowMatch::Row(
                    RequestRow::Other,
                    official(RequestRow::Other),
                )),
                n => outcome_group(n).map(RowMatch::Collapsed),
            };
        }
        if let Some((n, key)) = part {
            let r = match n {
                1 => RequestRow::New,
                2 => RequestRow::CarriedOver,
                4 => RequestRow::CarriedForward,
                _ => return None,
            };
            return Some(RowMatch::Row(r, check_label(&key, r.label())));
        }
        None
    }

    fn match_item(
        &mut self,
        g: OutcomeGroup,
        n: usize,
        key: &str,
        edition: Edition,
    ) -> Option<RowMatch> {
        let rows = g.rows(edition);
        let text = unnumbered(key);
        // By the printed number, confirmed by the text.
        if let Some(&r) = rows.get(n.wrapping_sub(1)) {
            let official = label_key(r.label());
            if unnumbered(&official) == text {
                return Some(RowMatch::Row(r, None));
            }
            if let Some(v) =
                aliases::variants_of(Official::Request(r)).find(|v| label_key(v.printed) == text)
            {
                return Some(RowMatch::Row(
                    r,
                    Some(variant_message(key, r.label(), v.kind, v.seen_in)),
                ));
            }
            let s = similarity(text, unnumbered(&official));
            if s >= 0.5 || (chars(text) >= 2 && unnumbered(&official).starts_with(text)) {
                return Some(RowMatch::Row(
                    r,
                    Some(format!(
                        "印的是“{key}”，与格式的“{}”不同（相近），按“{}”读取",
                        r.label(),
                        r.full_label()
                    )),
                ));
            }
        }
        // A number that does not fit: by the text alone.
        for &r in rows {
            let official = label_key(r.label());
            if unnumbered(&official) == text
                || aliases::variants_of(Official::Request(r)).any(|v| label_key(v.printed) == text)
            {
                return Some(RowMatch::Row(
                    r,
                    Some(format!(
                        "印的是“{key}”，编号与格式的“{}”不同，按文字读取",
                        r.label()
                    )),
                ));
            }
        }
        None
    }

    // -----------------------------------------------------------------------
    // Table 4
    // -----------------------------------------------------------------------

    pub(in crate::import) fn appeals(&mut self, frags: &[&Grid]) -> Value {
        let mut out = Map::new();
        for k in AppealKind::ALL {
            out.insert(k.key().to_string(), Value::Null);
        }
        let labels4 = t4_labels();
        // Header rows: those that carry Table 4's labels, from the top.
        let mut data: Option<(&Grid, usize)> = None;
        let mut header: Option<(&Grid, std::ops::Range<usize>)> = None;
        'grids: for grid in frags {
            let mut first_header = None;
            for (ri, row) in grid.rows.iter().enumerate() {
                let cells = distinct(row);
                let is_header = cells.iter().any(|s| {
                    let k = label_key(&s.text);
                    labels4.iter().any(|l| names(&k, l)) || k == label_key(TOTAL_COLUMN)
                });
                if is_header && data.is_none() {
                    first_header.get_or_insert(ri);
                    header = Some((grid, first_header.unwrap_or(ri)..ri + 1));
                    continue;
                }
                if header.is_some() {
                    let has_values = cells.iter().any(|s| is_numeric(&s.text));
                    if data.is_none() {
                        data = Some((grid, ri));
                        if has_values {
                            break 'grids;
                        }
                    } else if has_values {
                        data = Some((grid, ri));
                        break 'grids;
                    }
                }
            }
        }
        let (Some((hgrid, hrows)), Some((dgrid, dri))) = (header, data) else {
            self.warn(
                None,
                frags.first().map(|g| &g.origin),
                format!("{TABLE_4}没有找到数字所在的一行：表四按缺失处理"),
            );
            return Value::Object(out);
        };
        let groups: Vec<String> = [REVIEW_HEADER, LITIGATION_HEADER]
            .iter()
            .chain(
                AppealKind::ALL
                    .iter()
                    .map(|k| k.header())
                    .collect::<Vec<_>>()
                    .iter(),
            )
            .map(|l| label_key(l))
            .collect();
        let stacks = header_stacks(hgrid, hrows, &groups);
        let mut columns: Vec<(usize, AppealKind, usize, String)> = Vec::new();
        for (c, stack) in stacks.iter().enumerate() {
            let kind = if stack
                .iter()
                .any(|h| names(h, &label_key(AppealKind::LitigationAfterReview.header())))
            {
                Some(AppealKind::LitigationAfterReview)
            } else if stack
                .iter()
                .any(|h| names(h, &label_key(AppealKind::LitigationDirect.header())))
            {
                Some(AppealKind::LitigationDirect)
            } else if stack.iter().any(|h| h.contains(&label_key(REVIEW_HEADER)))
                && !stack
                    .iter()
                    .any(|h| h.contains(&label_key(LITIGATION_HEADER)))
            {
                Some(AppealKind::Review)
            } else {
                None
            };
            let leaf = stack.iter().rev().find_map(|h| {
                APPEAL_COLUMNS
                    .iter()
                    .position(|a| label_key(a) == *h)
                    .or_else(|| (*h == label_key(TOTAL_COLUMN)).then_some(4))
            });
            if let (Some(k), Some(i)) = (kind, leaf) {
                if !columns.iter().any(|(_, k2, i2, _)| *k2 == k && *i2 == i) {
                    columns.push((c, k, i, stack.join(" · ")));
                }
            }
        }
        let row = &dgrid.rows[dri];
        let loose_values: Vec<Option<&Slot>> = if dgrid.loose {
            loose_row(row, columns.len()).1
        } else {
            Vec::new()
        };
        let mut sorted = columns.clone();
        sorted.sort_by_key(|c| c.0);
        let mut groups_out: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (pos, (c, kind, i, header)) in sorted.iter().enumerate() {
            let slot = if dgrid.loose {
                loose_values.get(pos).copied().flatten()
            } else {
                align(hgrid, dgrid, *c).and_then(|col| row.get(col))
            };
            let column = if *i < 4 {
                APPEAL_COLUMNS[*i]
            } else {
                TOTAL_COLUMN
            };
            let v = self.take_value(
                format!("appeals.{}[{i}]", kind.key()),
                slot,
                ActiveKind::Count,
                TABLE_4,
                &kind.label(),
                column,
                None,
            );
            let _ = header;
            groups_out
                .entry(kind.key())
                .or_insert_with(|| vec![Value::Null; 5])[*i] = v;
        }
        for k in AppealKind::ALL {
            match groups_out.remove(k.key()) {
                Some(v) => {
                    for (i, cell) in v.iter().enumerate() {
                        if cell.is_null()
                            && !columns.iter().any(|(_, k2, i2, _)| *k2 == k && *i2 == i)
                        {
                            let column = if i < 4 {
                                APPEAL_COLUMNS[i]
                            } else {
                                TOTAL_COLUMN
                            };
                            self.warn(
                                Some(format!("appeals.{}[{i}]", k.key())),
                                None,
                                format!(
                                    "{TABLE_4}表头中没有找到“{} · {column}”这一列：按缺失处理",
                                    k.label()
                                ),
                            );
                        }
                    }
                    out.insert(k.key().to_string(), Value::Array(v));
                }
                None => {
                    self.warn(
                        Some(format!("appeals.{}", k.key())),
                        None,
                        format!("{TABLE_4}没有印“{}”一组：空白不是零，按缺失处理", k.label()),
                    );
                }
            }
        }
        // Any further row with numbers is not part of the format.
        let mut later = false;
        for (gi, grid) in frags.iter().enumerate() {
            for (ri, r) in grid.rows.iter().enumerate() {
                let after = frags
                    .iter()
                    .position(|g| std::ptr::eq(*g, dgrid))
                    .is_some_and(|d| gi > d || (gi == d && ri > dri));
                if after && distinct(r).iter().any(|s| is_numeric(&s.text)) && !later {
                    later = true;
                    self.warn(
                        None,
                        r.first().map(|s| &s.origin),
                        format!("{TABLE_4}在数字行之后还有一行数字：格式只有一行，这一行没有导入"),
                    );
                }
            }
        }
        Value::Object(out)
    }
}

/// What a row of Table 3 is.
enum RowMatch {
    Row(RequestRow, Option<String>),
    Total(Option<String>),
    /// An outcome group printed as one row where the edition has several.
    Collapsed(OutcomeGroup),
}

fn outcome_group(n: usize) -> Option<OutcomeGroup> {
    match n {
        3 => Some(OutcomeGroup::Denied),
        4 => Some(OutcomeGroup::Unable),
        5 => Some(OutcomeGroup::Rejected),
        6 => Some(OutcomeGroup::Other),
        _ => None,
    }
}

/// How a printed label differs from the official one, if it does.
fn check_label(printed_key: &str, official: &str) -> Option<String> {
    let o = label_key(official);
    (unnumbered(printed_key) != unnumbered(&o))
        .then(|| format!("印的是“{printed_key}”，格式为“{official}”，按“{official}”读取"))
}

fn variant_message(printed: &str, official: &str, kind: VariantKind, seen_in: &str) -> String {
    match kind {
        VariantKind::Typo => format!(
            "印的是“{printed}”，是“{official}”的已知错字（见于{seen_in}），按“{official}”读取"
        ),
        VariantKind::Alias => format!(
            "印的是“{printed}”，是“{official}”的另一种写法（{seen_in}），按“{official}”读取"
        ),
    }
}

/// A Table 3 column header as an applicant column (0–5, 6 = 总计), and how it
/// differs from the official label.
fn applicant_column(key: &str) -> Option<(usize, Option<String>)> {
    if let Some(i) = APPLICANT_COLUMNS.iter().position(|a| label_key(a) == key) {
        return Some((i, None));
    }
    if key == label_key(TOTAL_COLUMN) {
        return Some((6, None));
    }
    (0..7).find_map(|i| {
        aliases::variants_of(Official::ApplicantColumn(i))
            .find(|v| label_key(v.printed) == key)
            .map(|v| {
                let official = if i < 6 {
                    APPLICANT_COLUMNS[i]
                } else {
                    TOTAL_COLUMN
                };
                (i, Some(variant_message(key, official, v.kind, v.seen_in)))
            })
    })
}

/// The header of Table 3: its grid and the rows above the first data row
/// (一、本年新收…).
fn find_requests_header<'a>(frags: &[&'a Grid]) -> Option<(&'a Grid, std::ops::Range<usize>)> {
    let new = label_key(RequestRow::New.label());
    for g in frags {
        for (ri, row) in g.rows.iter().enumerate() {
            if distinct(row).iter().any(|s| {
                let k = label_key(&s.text);
                part_number(&k).is_some_and(|(n, _)| n == 1)
                    && (k == new || similarity(&k, &new) > 0.6 || k.contains("新收"))
            }) {
                return Some((g, 0..ri));
            }
        }
    }
    None
}

/// A text export's row: the label cells (non-empty fields before the values)
/// and the last `n` fields (trailing empty fields dropped), which hold the values.
fn loose_row(row: &[Slot], n: usize) -> (Vec<&Slot>, Vec<Option<&Slot>>) {
    let end = row
        .iter()
        .rposition(|s| !label_key(&s.text).is_empty())
        .map_or(0, |i| i + 1);
    let start = end.saturating_sub(n);
    let labels = row[..start]
        .iter()
        .filter(|s| !label_key(&s.text).is_empty())
        .collect();
    let mut values: Vec<Option<&Slot>> = row[start..end].iter().map(Some).collect();
    while values.len() < n {
        values.insert(0, None);
    }
    (labels, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_named_by_key() {
        assert!(names(
            &label_key("（三）不予公开"),
            &label_key("（三）不予公开")
        ));
        assert!(names(
            &label_key("三、本年度办理结果"),
            &label_key(OUTCOME_LABEL)
        ));
        assert!(!names("其他", "其他结果"));
        assert_eq!(applicant_column("商业企业").map(|c| c.0), Some(1));
        assert_eq!(applicant_column("合计").map(|c| c.0), Some(6));
        assert!(applicant_column("法人或其他组织").is_none());
    }
}
