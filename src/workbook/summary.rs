//! 汇总: many agencies' reports summed up, as a county office reports upward.
//!
//! One row per report (agency, year, every Table 2 figure, Table 3's 一, 二,
//! （七）总计 and 四 by column and every outcome row's 总计, Table 4's 12
//! figures, the status of the checks), a totals row, the summed Tables 2–4 in
//! the printed layout, and a chart of the applications received and handled
//! per agency. A report that fails an error-level rule (or cannot be read, or
//! is of another edition or year) is listed and marked, never summed.

use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, Format, FormatAlign, FormatBorder, Formula, Workbook,
    XlsxError,
};

use super::layout::{self, column_name, InputRow, Layout};
use super::write::{cell_value, SheetWriter};
use super::WorkbookError;
use crate::check::{self, Finding, Severity};
use crate::model::labels::{
    self, request_column, AppealKind, RequestRow, APPEAL_COLUMNS, REQUESTS_TOTAL_ROW,
};
use crate::model::{
    ActiveTable, ActiveValue, Amount, AppealsTable, ApplicantRow, Count, Edition, Loaded, Report,
    RequestsTable,
};

/// The sheet with one row per report.
pub const SHEET: &str = "汇总";
/// The sheet with the chart.
pub const CHART_SHEET: &str = "图表";
/// The prefix of the sheets with the summed tables: 合计表二 …
pub const TOTAL_PREFIX: &str = "合计";

/// A figure of a report: a count, a signed number (2019 本年增/减) or an amount.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    Count(u64),
    Signed(i64),
    Amount(Amount),
}

impl Figure {
    fn zero_like(&self) -> Figure {
        match self {
            Figure::Count(_) => Figure::Count(0),
            Figure::Signed(_) => Figure::Signed(0),
            Figure::Amount(_) => Figure::Amount(Amount::zero()),
        }
    }

    fn add(&self, other: &Figure) -> Figure {
        match (self, other) {
            (Figure::Count(a), Figure::Count(b)) => Figure::Count(a + b),
            (Figure::Signed(a), Figure::Signed(b)) => Figure::Signed(a + b),
            (Figure::Amount(a), Figure::Amount(b)) => Figure::Amount(add_amounts(a, b)),
            (a, _) => a.clone(),
        }
    }

    /// As text, exactly (amounts keep their digits).
    pub fn text(&self) -> String {
        match self {
            Figure::Count(n) => n.to_string(),
            Figure::Signed(n) => n.to_string(),
            Figure::Amount(a) => a.to_string(),
        }
    }

    fn number(&self) -> f64 {
        match self {
            Figure::Count(n) => *n as f64,
            Figure::Signed(n) => *n as f64,
            Figure::Amount(a) => a.as_str().parse().unwrap_or(0.0),
        }
    }
}

/// Adds two amounts exactly, in decimal.
fn add_amounts(a: &Amount, b: &Amount) -> Amount {
    let d = a.decimals().max(b.decimals());
    let scaled = |x: &Amount| -> u128 {
        let (int, frac) = x.as_str().split_once('.').unwrap_or((x.as_str(), ""));
        let digits = format!("{int}{frac:0<d$}");
        digits.parse().unwrap_or(0)
    };
    let sum = (scaled(a) + scaled(b)).to_string();
    let text = if d == 0 {
        sum
    } else {
        let padded = format!("{sum:0>width$}", width = d + 1);
        let (i, f) = padded.split_at(padded.len() - d);
        format!("{i}.{f}")
    };
    Amount::parse(&text).unwrap_or_else(Amount::zero)
}

/// A column of the per-report table: its header and how to read its figure.
pub struct Column {
    pub header: String,
    figure: Box<dyn Fn(&Report) -> Figure + Sync>,
}

/// The figure columns of an edition.
pub fn columns(edition: Edition) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    let t2 = layout::table_sheet(labels::TABLE_2);
    let t3 = layout::table_sheet(labels::TABLE_3);
    let t4 = layout::table_sheet(labels::TABLE_4);
    for block in labels::active_blocks(edition) {
        for row in block.rows {
            for c in block.columns {
                let (row_key, col_key) = (row.key, c.key);
                out.push(Column {
                    header: format!("{t2}·{}·{}", row.label, c.label),
                    figure: Box::new(move |r: &Report| match r.active.value(row_key, col_key) {
                        Some(ActiveValue::Count(n)) => Figure::Count(n.0),
                        Some(ActiveValue::Change(n)) => Figure::Signed(*n),
                        Some(ActiveValue::Amount(a)) => Figure::Amount(a.clone()),
                        None => Figure::Count(0),
                    }),
                });
            }
        }
    }
    let request_rows: [(Option<RequestRow>, &str); 4] = [
        (Some(RequestRow::New), RequestRow::New.label()),
        (
            Some(RequestRow::CarriedOver),
            RequestRow::CarriedOver.label(),
        ),
        (None, REQUESTS_TOTAL_ROW),
        (
            Some(RequestRow::CarriedForward),
            RequestRow::CarriedForward.label(),
        ),
    ];
    for (row, label) in request_rows {
        for c in 0..7 {
            out.push(Column {
                header: format!("{t3}·{label}·{}", request_column(c)),
                figure: Box::new(move |r: &Report| {
                    let values = match row {
                        Some(row) => r.requests.row(row).with_total(),
                        None => r.requests.computed_total(r.edition()),
                    };
                    Figure::Count(values[c])
                }),
            });
        }
    }
    for row in RequestRow::outcome_rows(edition) {
        out.push(Column {
            header: format!("{t3}·{}·{}", row.full_label(), labels::TOTAL_COLUMN),
            figure: Box::new(move |r: &Report| Figure::Count(r.requests.row(row).total())),
        });
    }
    for kind in AppealKind::ALL {
        for (i, result) in APPEAL_COLUMNS.iter().enumerate() {
            out.push(Column {
                header: format!("{t4}·{}·{result}", kind.label()),
                figure: Box::new(move |r: &Report| {
                    Figure::Count(r.appeals.group(kind).counts[i].0)
                }),
            });
        }
    }
    out
}

/// One report of a summary.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The file it was read from.
    pub file: String,
    pub report: Option<Report>,
    pub errors: usize,
    pub warnings: usize,
    /// Whether its figures are in the totals.
    pub included: bool,
    /// Why it is not, or what is wrong with it.
    pub note: Option<String>,
}

impl Entry {
    /// 检查结果, for the table.
    pub fn status(&self) -> String {
        match (&self.report, self.errors, self.warnings) {
            (None, ..) => "无法读取".into(),
            (_, 0, 0) => "通过".into(),
            (_, 0, w) => format!("通过（{w} 项警告）"),
            (_, e, _) => format!("{e} 项错误"),
        }
    }
}

/// A summary of many reports.
pub struct Summary {
    pub edition: Edition,
    /// The report year most reports give.
    pub year: Option<u16>,
    pub entries: Vec<Entry>,
    pub columns: Vec<Column>,
    /// The sums of the included reports, column by column.
    pub totals: Vec<Figure>,
    /// The included reports' tables summed up.
    pub total_report: Report,
}

fn first_errors(findings: &[Finding]) -> String {
    let mut rules: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule.to_string())
        .collect();
    rules.dedup();
    rules.truncate(4);
    rules.join("、")
}

/// The most frequent value of a list (the first of equals).
fn most_common<T: Copy + Eq + std::hash::Hash>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: Vec<(T, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    counts
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(std::cmp::Ordering::Greater))
        .map(|(v, _)| *v)
}

/// Sums reports up: each loaded report is checked (R1–R13 without last
/// year's); one that fails an error-level rule, or is of another edition or
/// year than most, is listed but not summed.
pub fn summarize(inputs: Vec<(String, Result<Loaded, crate::Error>)>) -> Summary {
    let mut entries: Vec<Entry> = Vec::new();
    for (file, loaded) in inputs {
        match loaded {
            Ok(loaded) => {
                let findings = check::check(&loaded, None);
                let errors = findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count();
                let warnings = findings.len() - errors;
                entries.push(Entry {
                    file,
                    errors,
                    warnings,
                    included: errors == 0,
                    note: (errors > 0).then(|| {
                        format!(
                            "数据有 {errors} 项错误（{}），未计入合计；用 nianbao check 查看",
                            first_errors(&findings)
                        )
                    }),
                    report: Some(loaded.report),
                });
            }
            Err(e) => entries.push(Entry {
                file,
                report: None,
                errors: 1,
                warnings: 0,
                included: false,
                note: Some(format!("无法读取，未计入合计：{e}")),
            }),
        }
    }
    let edition = most_common(
        entries
            .iter()
            .filter_map(|e| e.report.as_ref().map(Report::edition)),
    )
    .unwrap_or(Edition::E2021);
    let year = most_common(
        entries
            .iter()
            .filter_map(|e| e.report.as_ref().map(|r| r.year.0)),
    );
    for e in &mut entries {
        let Some(r) = &e.report else { continue };
        if r.edition() != edition {
            e.included = false;
            e.note = Some(format!(
                "按{}年版格式填写，与其他报告（{edition}年版）不同，未计入合计",
                r.edition()
            ));
        } else if Some(r.year.0) != year {
            e.included = false;
            e.note = Some(format!(
                "报告年度 {} 与其他报告（{}）不同，未计入合计",
                r.year.0,
                year.unwrap_or_default()
            ));
        }
    }
    let columns = columns(edition);
    let included: Vec<&Report> = entries
        .iter()
        .filter(|e| e.included)
        .filter_map(|e| e.report.as_ref())
        .collect();
    let totals = columns
        .iter()
        .map(|c| {
            let zero = included
                .first()
                .map_or(Figure::Count(0), |r| (c.figure)(r).zero_like());
            included.iter().fold(zero, |sum, r| sum.add(&(c.figure)(r)))
        })
        .collect();
    let total_report = sum_reports(edition, year.unwrap_or(0), &included);
    Summary {
        edition,
        year,
        entries,
        columns,
        totals,
        total_report,
    }
}

/// The tables of many reports summed up, as one report.
fn sum_reports(edition: Edition, year: u16, reports: &[&Report]) -> Report {
    let mut active = ActiveTable::zeros(edition);
    for (key, values) in active.rows.iter_mut() {
        for (i, v) in values.iter_mut().enumerate() {
            for r in reports {
                let Some(x) = r.active.rows.get(key).and_then(|vs| vs.get(i)) else {
                    continue;
                };
                *v = match (&*v, x) {
                    (ActiveValue::Count(a), ActiveValue::Count(b)) => {
                        ActiveValue::Count(Count(a.0 + b.0))
                    }
                    (ActiveValue::Change(a), ActiveValue::Change(b)) => ActiveValue::Change(a + b),
                    (ActiveValue::Amount(a), ActiveValue::Amount(b)) => {
                        ActiveValue::Amount(add_amounts(a, b))
                    }
                    (a, _) => a.clone(),
                };
            }
        }
    }
    let mut requests = RequestsTable::default();
    for row in RequestRow::rows_of(edition) {
        let mut sum = ApplicantRow::default();
        for r in reports {
            for (s, v) in sum.counts.iter_mut().zip(r.requests.row(row).counts) {
                s.0 += v.0;
            }
        }
        requests.rows.insert(row, sum);
    }
    let mut appeals = AppealsTable::default();
    for kind in AppealKind::ALL {
        let g = appeals.group_mut(kind);
        for r in reports {
            for (s, v) in g.counts.iter_mut().zip(r.appeals.group(kind).counts) {
                s.0 += v.0;
            }
        }
    }
    Report {
        edition: Some(edition),
        agency: String::new(),
        year: crate::model::Year(year),
        title: None,
        date: None,
        preamble: Vec::new(),
        seal: None,
        overview: Default::default(),
        active,
        requests,
        appeals,
        problems: Default::default(),
        other: Default::default(),
        fonts: Default::default(),
    }
}

/// The fixed columns before the figures.
const FIXED: [&str; 7] = [
    "序号",
    "机关名称",
    "报告年度",
    "格式版本",
    "检查结果",
    "计入合计",
    "说明",
];
/// The column of 计入合计 (0-based).
const INCLUDED_COL: u16 = 5;

impl Summary {
    fn cells(&self, e: &Entry, i: usize) -> Vec<String> {
        let r = e.report.as_ref();
        vec![
            (i + 1).to_string(),
            r.map_or_else(|| e.file.clone(), |r| r.agency.clone()),
            r.map_or(String::new(), |r| r.year.0.to_string()),
            r.map_or(String::new(), |r| r.edition().to_string()),
            e.status(),
            if e.included { "是" } else { "否" }.into(),
            e.note.clone().unwrap_or_default(),
        ]
    }

    fn total_label(&self) -> String {
        format!(
            "合计（{} 份报告中计入 {} 份）",
            self.entries.len(),
            self.entries.iter().filter(|e| e.included).count()
        )
    }

    /// The summary as CSV (UTF-8 with a byte-order mark, as Excel expects):
    /// the header, one row per report, the totals row.
    pub fn csv(&self) -> Result<Vec<u8>, WorkbookError> {
        let err = |e: csv::Error| WorkbookError::Write {
            reason: e.to_string(),
        };
        let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        let header: Vec<String> = FIXED
            .iter()
            .map(|s| s.to_string())
            .chain(self.columns.iter().map(|c| c.header.clone()))
            .collect();
        w.write_record(&header).map_err(err)?;
        for (i, e) in self.entries.iter().enumerate() {
            let mut row = self.cells(e, i);
            for c in &self.columns {
                row.push(
                    e.report
                        .as_ref()
                        .map_or(String::new(), |r| (c.figure)(r).text()),
                );
            }
            w.write_record(&row).map_err(err)?;
        }
        let mut total = vec![String::new(); FIXED.len()];
        total[1] = self.total_label();
        total.extend(self.totals.iter().map(Figure::text));
        w.write_record(&total).map_err(err)?;
        w.into_inner().map_err(|e| WorkbookError::Write {
            reason: e.to_string(),
        })
    }

    /// The summary workbook: 汇总, 合计表二–表四, 图表.
    pub fn workbook(&self) -> Result<Vec<u8>, WorkbookError> {
        self.write().map_err(|e| WorkbookError::Write {
            reason: e.to_string(),
        })
    }

    fn write(&self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        wb.set_properties(
            &DocProperties::new()
                .set_title(format!(
                    "{}年政府信息公开工作年度报告汇总",
                    self.year.unwrap_or_default()
                ))
                .set_comment(format!("nianbao {}", crate::VERSION)),
        );
        let base = Format::new()
            .set_font_name("宋体")
            .set_font_size(11)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let header = base
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color(0xD9E1F2);
        let excluded = base.clone().set_background_color(0xFFC7CE);
        let total_fmt = base.clone().set_bold().set_background_color(0xE7E6E6);

        let sheet = wb.add_worksheet();
        sheet.set_name(SHEET)?;
        let n = self.entries.len() as u32;
        for (c, h) in FIXED.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &header)?;
        }
        for (c, col) in self.columns.iter().enumerate() {
            sheet.write_string_with_format(0, (FIXED.len() + c) as u16, &col.header, &header)?;
        }
        sheet.set_row_height(0, 90)?;
        for (c, w) in [6.0, 34.0, 9.0, 9.0, 16.0, 9.0, 40.0].iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        let first_figure = FIXED.len() as u16;
        sheet.set_column_range_width(first_figure, first_figure + self.columns.len() as u16, 12)?;
        for (i, e) in self.entries.iter().enumerate() {
            let row = i as u32 + 1;
            let f = if e.included { &base } else { &excluded };
            for (c, text) in self.cells(e, i).iter().enumerate() {
                match (c, text.parse::<f64>()) {
                    (0 | 2, Ok(n)) => sheet.write_number_with_format(row, c as u16, n, f)?,
                    _ => sheet.write_string_with_format(row, c as u16, text, f)?,
                };
            }
            if let Some(r) = &e.report {
                for (c, col) in self.columns.iter().enumerate() {
                    let figure = (col.figure)(r);
                    sheet.write_number_with_format(
                        row,
                        first_figure + c as u16,
                        figure.number(),
                        f,
                    )?;
                }
            }
        }
        // The totals: SUMIFS over the rows marked 计入合计 = 是, so a change of
        // that column is summed again when the sheet recalculates.
        let total_row = n + 1;
        sheet.write_string_with_format(total_row, 0, "", &total_fmt)?;
        sheet.merge_range(
            total_row,
            1,
            total_row,
            first_figure - 1,
            &self.total_label(),
            &total_fmt,
        )?;
        let included = column_name(INCLUDED_COL);
        for (c, t) in self.totals.iter().enumerate() {
            let col = first_figure + c as u16;
            let name = column_name(col);
            let formula = Formula::new(format!(
                "=SUMIFS({name}2:{name}{last},${included}$2:${included}${last},\"是\")",
                last = n + 1
            ))
            .set_result(t.text());
            sheet.write_formula_with_format(total_row, col, formula, &total_fmt)?;
        }
        sheet.set_freeze_panes(1, 2)?;
        sheet.set_paper_size(9);
        sheet.set_landscape();
        sheet.set_repeat_rows(0, 0)?;
        sheet.set_repeat_columns(0, 1)?;
        sheet.autofilter(0, 0, n, first_figure + self.columns.len() as u16 - 1)?;

        // The summed tables, as printed.
        let layout = Layout::new(self.edition);
        let value = |key: &str| cell_value(&self.total_report, key);
        let writer = SheetWriter::new(&value, false);
        for (i, plan) in layout.sheets.iter().enumerate().skip(1) {
            let mut plan = plan.clone();
            plan.name = format!("{TOTAL_PREFIX}{}", plan.name);
            let inputs: Vec<&InputRow> = layout.inputs.iter().filter(|r| r.sheet == i).collect();
            writer.write(wb.add_worksheet(), &plan, &inputs)?;
        }

        // The chart: applications received and handled, per agency.
        let col_of = |label: &str| -> Option<u16> {
            let header = format!(
                "{}·{label}·{}",
                layout::table_sheet(labels::TABLE_3),
                labels::TOTAL_COLUMN
            );
            self.columns
                .iter()
                .position(|c| c.header == header)
                .map(|i| first_figure + i as u16)
        };
        let chart_sheet = wb.add_worksheet();
        chart_sheet.set_name(CHART_SHEET)?;
        chart_sheet.set_paper_size(9);
        chart_sheet.set_landscape();
        chart_sheet.set_print_fit_to_pages(1, 1);
        if let (Some(received), Some(handled), true) = (
            col_of(RequestRow::New.label()),
            col_of(REQUESTS_TOTAL_ROW),
            n > 0,
        ) {
            let mut chart = Chart::new(ChartType::Column);
            chart
                .title()
                .set_name("各机关收到和办理政府信息公开申请情况（件）");
            // 一、本年新收… (its 总计) and 三、本年度办理结果 (its （七）总计).
            for (col, name) in [
                (received, RequestRow::New.label()),
                (handled, labels::OUTCOME_LABEL),
            ] {
                chart
                    .add_series()
                    .set_categories((SHEET, 1, 1, n, 1))
                    .set_values((SHEET, 1, col, n, col))
                    .set_name(name);
            }
            chart.x_axis().set_name("机关");
            chart.y_axis().set_name("件数");
            chart.set_width((n * 28).clamp(720, 16000));
            chart.set_height(480);
            chart_sheet.insert_chart(0, 0, &chart)?;
        }
        wb.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_add_exactly() {
        let a = |s: &str| Amount::parse(s).unwrap();
        assert_eq!(add_amounts(&a("0.1"), &a("0.2")).as_str(), "0.3");
        assert_eq!(add_amounts(&a("7730.28"), &a("1.7")).as_str(), "7731.98");
        assert_eq!(add_amounts(&a("0.05"), &a("0.05")).as_str(), "0.10");
        assert_eq!(add_amounts(&a("12"), &a("3")).as_str(), "15");
    }
}
