//! Writing report workbooks (rust_xlsxwriter): the template to fill in
//! (`nianbao init --xlsx`) and a report's data (`nianbao export`).

use std::collections::HashMap;

use rust_xlsxwriter::{
    ConditionalFormatCell, ConditionalFormatCellRule, DataValidation, DataValidationRule,
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, ProtectionOptions,
    Workbook, Worksheet, XlsxError,
};

use super::layout::{
    self, FormulaCell, InputKind, InputRow, Layout, Pos, Rect, SheetLayout, Shown, Spec, Style,
    CHECK_OK,
};
use super::text::{self, TextRow};
use super::{WorkbookError, TEMPLATE_PROPERTY};
use crate::check::Rule;
use crate::model::labels::{self, RequestRow};
use crate::model::{ActiveValue, Edition, Loaded, Report, YEARS};

/// The sheet with the instructions.
pub const GUIDE_SHEET: &str = "说明";

/// A value to write into an input cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CellValue {
    Number(f64),
    /// An amount as written: a number shown with its decimals.
    Amount(String),
    Text(String),
    Date(u16, u8, u8),
    Blank,
    /// The computed total stays a formula.
    Formula,
}

/// The value of an input cell of a report, by key path.
pub(crate) fn cell_value(report: &Report, key: &str) -> CellValue {
    let (head, rest) = key.split_once('.').unwrap_or((key, ""));
    let index = |s: &str| -> Option<(String, usize)> {
        let (k, i) = s.split_once('[')?;
        Some((k.to_string(), i.trim_end_matches(']').parse().ok()?))
    };
    match head {
        "edition" => CellValue::Text(report.edition().as_str().into()),
        "agency" => CellValue::Text(report.agency.clone()),
        "year" => CellValue::Number(report.year.0 as f64),
        "title" => report
            .title
            .clone()
            .map_or(CellValue::Blank, CellValue::Text),
        "date" => report.date.map_or(CellValue::Blank, |d| {
            CellValue::Date(d.year, d.month, d.day)
        }),
        "seal" => report
            .seal
            .clone()
            .map_or(CellValue::Blank, CellValue::Text),
        "fonts" => report
            .fonts
            .get(rest)
            .map_or(CellValue::Blank, |chain| CellValue::Text(chain.join(","))),
        "active" => {
            let (row, column) = rest.split_once('.').unwrap_or((rest, ""));
            match report.active.value(row, column) {
                Some(ActiveValue::Count(c)) => CellValue::Number(c.0 as f64),
                Some(ActiveValue::Change(c)) => CellValue::Number(*c as f64),
                Some(ActiveValue::Amount(a)) => CellValue::Amount(a.as_str().to_string()),
                None => CellValue::Blank,
            }
        }
        "requests" => {
            let Some((row, i)) = index(rest) else {
                return CellValue::Blank;
            };
            if row == "total" {
                return match &report.requests.given_total {
                    Some(t) if i < 6 => CellValue::Number(t.counts[i].0 as f64),
                    Some(t) => t
                        .given_total
                        .map_or(CellValue::Formula, |c| CellValue::Number(c.0 as f64)),
                    None => CellValue::Formula,
                };
            }
            let Some(r) = RequestRow::from_key(&row) else {
                return CellValue::Blank;
            };
            match report.requests.rows.get(&r) {
                Some(values) if i < 6 => CellValue::Number(values.counts[i].0 as f64),
                Some(values) => values
                    .given_total
                    .map_or(CellValue::Formula, |c| CellValue::Number(c.0 as f64)),
                None => CellValue::Blank,
            }
        }
        "appeals" => {
            let Some((group, i)) = index(rest) else {
                return CellValue::Blank;
            };
            let Some(kind) = labels::AppealKind::from_key(&group) else {
                return CellValue::Blank;
            };
            let g = report.appeals.group(kind);
            if i < 4 {
                CellValue::Number(g.counts[i].0 as f64)
            } else {
                g.given_total
                    .map_or(CellValue::Formula, |c| CellValue::Number(c.0 as f64))
            }
        }
        _ => CellValue::Blank,
    }
}

/// The formats of the cells, by style.
struct Formats {
    base: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            base: Format::new()
                .set_font_name("宋体")
                .set_font_size(11)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
        }
    }

    fn bordered(&self) -> Format {
        self.base.clone().set_border(FormatBorder::Thin)
    }

    fn style(&self, style: Style) -> Format {
        match style {
            Style::Caption => self.bordered().set_bold().set_align(FormatAlign::Center),
            Style::Header => self.bordered().set_align(FormatAlign::Center),
            Style::RowLabel => self.bordered().set_align(FormatAlign::Left),
            Style::Input(kind) => {
                let f = self
                    .bordered()
                    .set_unlocked()
                    .set_background_color(0xFFF2CC)
                    .set_align(FormatAlign::Center);
                match kind {
                    InputKind::Count | InputKind::Change | InputKind::Year => f.set_num_format("0"),
                    InputKind::Date => f.set_num_format("yyyy-mm-dd"),
                    InputKind::Text => f.set_align(FormatAlign::Left),
                    _ => f,
                }
            }
            Style::Fixed => self.bordered().set_align(FormatAlign::Left),
            Style::Total => self
                .bordered()
                .set_background_color(0xE7E6E6)
                .set_align(FormatAlign::Center)
                .set_num_format("0"),
            Style::Check => self.bordered().set_align(FormatAlign::Center),
            Style::Note => self.base.clone().set_font_color(0x595959),
        }
    }

    /// An amount cell showing `decimals` digits after the point.
    fn amount(&self, decimals: usize) -> Format {
        let f = self.style(Style::Input(InputKind::Amount));
        if decimals == 0 {
            f.set_num_format("General")
        } else {
            f.set_num_format(format!("0.{}", "0".repeat(decimals)))
        }
    }
}

fn xlsx(e: XlsxError) -> WorkbookError {
    WorkbookError::Write {
        reason: e.to_string(),
    }
}

/// The data validation of an input cell kind, with the rule it enforces in Chinese.
fn validation(kind: InputKind) -> Result<Option<DataValidation>, XlsxError> {
    let max = crate::model::MAX_COUNT as i32;
    let v = match kind {
        InputKind::Count => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(0, max))
            .set_error_title("只能填写不小于 0 的整数")?
            .set_error_message(format!("{}。没有的填 0，不要留空。", Rule::R5.statement()))?,
        InputKind::Change => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(-max, max))
            .set_error_title("只能填写整数")?
            .set_error_message("本年增/减填整数，减少写负数，如 -3；没有变化的填 0。")?,
        InputKind::Amount => DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_error_title("只能填写不小于 0 的数")?
            .set_error_message("金额填不小于 0 的数，可带小数，如 7730.28；没有的填 0。")?,
        InputKind::Year => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(
                *YEARS.start() as i32,
                *YEARS.end() as i32,
            ))
            .set_error_title("报告年度应为四位数的年份")?
            .set_error_message(format!(
                "报告年度填 {} 至 {} 之间的年份，如 2024。",
                YEARS.start(),
                YEARS.end()
            ))?,
        InputKind::Date => DataValidation::new()
            .allow_date(DataValidationRule::GreaterThanOrEqualTo(
                ExcelDateTime::from_ymd(*YEARS.start(), 1, 1)?,
            ))
            .set_error_title("成文日期应为日期")?
            .set_error_message("成文日期填写日期，如 2025-01-20。")?,
        InputKind::Text | InputKind::Edition => return Ok(None),
    };
    Ok(Some(v.ignore_blank(false)))
}

/// Writes a planned table sheet: labels, input values, totals and checks.
/// `inputs` are the sheet's input rows; `editable` leaves them unlocked and
/// validated (a report to fill), else they are plain values (a summary).
pub(crate) struct SheetWriter<'a> {
    formats: Formats,
    value: &'a dyn Fn(&str) -> CellValue,
    editable: bool,
}

impl<'a> SheetWriter<'a> {
    pub fn new(value: &'a dyn Fn(&str) -> CellValue, editable: bool) -> SheetWriter<'a> {
        SheetWriter {
            formats: Formats::new(),
            value,
            editable,
        }
    }

    pub fn write(
        &self,
        sheet: &mut Worksheet,
        plan: &SheetLayout,
        inputs: &[&InputRow],
    ) -> Result<(), XlsxError> {
        sheet.set_name(&plan.name)?;
        sheet.set_default_row_height(18);
        for (c, w) in plan.widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        for (r, h) in &plan.heights {
            sheet.set_row_height(*r, *h)?;
        }
        for label in &plan.labels {
            let f = self.formats.style(label.style);
            let Rect { first, last } = label.rect;
            if first == last {
                sheet.write_string_with_format(first.row, first.col, &label.text, &f)?;
            } else {
                sheet.merge_range(first.row, first.col, last.row, last.col, &label.text, &f)?;
            }
        }
        let mut shown: HashMap<Pos, Shown> = HashMap::new();
        let mut total_values: HashMap<Pos, f64> = HashMap::new();
        for input in inputs {
            for (i, cell) in input.cells.iter().enumerate() {
                let at = input.at.right(i as i32);
                let value = (self.value)(&cell.key);
                let style = if !input.editable {
                    Style::Fixed
                } else if self.editable {
                    Style::Input(cell.kind)
                } else {
                    Style::Header
                };
                let s = self.write_value(sheet, at, &value, style, cell.kind)?;
                if let Some(s) = s {
                    shown.insert(at, s);
                }
                if self.editable && input.editable {
                    if let Some(v) = validation(cell.kind)? {
                        sheet.add_data_validation(at.row, at.col, at.row, at.col, &v)?;
                    }
                }
            }
            if let Some(total) = input.total_at {
                let key = format!("{}[{}]", input.key, input.cells.len());
                if let CellValue::Number(n) = (self.value)(&key) {
                    total_values.insert(total, n);
                }
            }
        }
        // Totals first (checks read them), in the order planned: row totals, then
        // （七）总计, whose columns add row totals up.
        let mut formulas: Vec<&FormulaCell> = plan.formulas.iter().collect();
        formulas.sort_by_key(|f| matches!(f.spec, Spec::Check(_)));
        for f in formulas {
            if let Some(n) = total_values.get(&f.at) {
                // A total the data gives is written as given (R3/R4 check it).
                sheet.write_number_with_format(
                    f.at.row,
                    f.at.col,
                    *n,
                    &self.formats.style(Style::Input(InputKind::Count)),
                )?;
                shown.insert(f.at, Shown::Number(*n));
                continue;
            }
            // A total typed over in the data's （七）总计 row is written as given.
            if let Some(Shown::Number(_)) = shown.get(&f.at) {
                continue;
            }
            let result = f
                .spec
                .result(&|p| shown.get(&p).cloned().unwrap_or(Shown::Blank));
            let (text, value) = match &result {
                layout::Result::Number(n) => (format_number(*n), Shown::Number(*n)),
                layout::Result::Text(t) => (t.clone(), Shown::Text(t.clone())),
            };
            let formula = Formula::new(format!("={}", f.spec.formula())).set_result(text);
            sheet.write_formula_with_format(
                f.at.row,
                f.at.col,
                formula,
                &self.formats.style(f.style),
            )?;
            shown.insert(f.at, value);
        }
        // The check column: green ✓, red otherwise.
        let checks: Vec<Pos> = plan
            .formulas
            .iter()
            .filter(|f| matches!(f.spec, Spec::Check(_)))
            .map(|f| f.at)
            .collect();
        if let (Some(first), Some(last)) = (checks.iter().min(), checks.iter().max()) {
            let ok = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::EqualTo(format!(
                    "\"{CHECK_OK}\""
                )))
                .set_format(
                    Format::new()
                        .set_font_color(0x006100)
                        .set_background_color(0xC6EFCE),
                );
            let bad = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::NotEqualTo(format!(
                    "\"{CHECK_OK}\""
                )))
                .set_format(
                    Format::new()
                        .set_font_color(0x9C0006)
                        .set_background_color(0xFFC7CE)
                        .set_bold(),
                );
            sheet.add_conditional_format(first.row, first.col, last.row, last.col, &ok)?;
            sheet.add_conditional_format(first.row, first.col, last.row, last.col, &bad)?;
        }
        // Printing: A4, the printed table only (not the check column), its
        // caption in the page header, header rows repeated.
        sheet.set_paper_size(9);
        if plan.landscape {
            sheet.set_landscape();
        }
        sheet.set_print_fit_to_pages(1, 0);
        if let Some(caption) = plan.caption {
            sheet.set_header(format!("&C&\"宋体,Bold\"{caption}"));
        }
        let last_row = plan
            .labels
            .iter()
            .map(|l| l.rect.last.row)
            .chain(plan.formulas.iter().map(|f| f.at.row))
            .max()
            .unwrap_or(0);
        let table_cols = checks.first().map_or(plan.widths.len() as u16, |p| p.col);
        if table_cols > 0 {
            sheet.set_print_area(0, 0, last_row, table_cols - 1)?;
        }
        if let Some((a, b)) = plan.header_rows {
            sheet.set_repeat_rows(a, b)?;
        }
        if self.editable {
            sheet.protect_with_options(&ProtectionOptions {
                format_columns: true,
                format_rows: true,
                ..ProtectionOptions::new()
            });
        }
        Ok(())
    }

    /// Writes one input value; returns what the cell shows to formulas.
    fn write_value(
        &self,
        sheet: &mut Worksheet,
        at: Pos,
        value: &CellValue,
        style: Style,
        kind: InputKind,
    ) -> Result<Option<Shown>, XlsxError> {
        let f = self.formats.style(style);
        Ok(Some(match value {
            CellValue::Number(n) => {
                sheet.write_number_with_format(at.row, at.col, *n, &f)?;
                Shown::Number(*n)
            }
            CellValue::Amount(a) => {
                let decimals = a.split_once('.').map_or(0, |(_, d)| d.len());
                let number: Option<f64> = a.parse().ok();
                // Written as a number when the number shown with the amount's
                // decimals is the amount, digit for digit (else as text).
                match number.filter(|n| format!("{n:.decimals$}") == *a) {
                    Some(n) => {
                        let f = if style == Style::Input(kind) {
                            self.formats.amount(decimals)
                        } else if decimals > 0 {
                            f.set_num_format(format!("0.{}", "0".repeat(decimals)))
                        } else {
                            f
                        };
                        sheet.write_number_with_format(at.row, at.col, n, &f)?;
                        Shown::Number(n)
                    }
                    None => {
                        sheet.write_string_with_format(at.row, at.col, a, &f)?;
                        Shown::Text(a.clone())
                    }
                }
            }
            CellValue::Text(t) => {
                sheet.write_string_with_format(at.row, at.col, t, &f)?;
                Shown::Text(t.clone())
            }
            CellValue::Date(y, m, d) => {
                let date = ExcelDateTime::from_ymd(*y, *m, *d)?;
                sheet.write_date_with_format(at.row, at.col, &date, &f)?;
                Shown::Number(0.0)
            }
            CellValue::Blank => {
                sheet.write_blank(at.row, at.col, &f)?;
                Shown::Blank
            }
            CellValue::Formula => return Ok(None),
        }))
    }
}

/// A number as a formula's cached result: whole numbers without a point.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The lines of the sheet 说明.
fn guide(report: &Report, edition: Edition) -> Vec<(bool, String)> {
    let t3 = layout::table_sheet(labels::TABLE_3);
    let rules: Vec<String> = [Rule::R1, Rule::R2, Rule::R3, Rule::R4, Rule::R5, Rule::R6]
        .iter()
        .map(|r| format!("    {}：{}", r.id(), r.statement()))
        .collect();
    let mut lines = vec![
        (
            true,
            format!(
                "{}{}{} 填报表格",
                report.agency,
                report.year.0,
                labels::TITLE_SUFFIX
            ),
        ),
        (
            false,
            format!(
                "本表格按全国统一格式{}年版（{}）制作，用于填写政府信息公开工作年度报告。填好后交回，由 nianbao 检查全部规则并印制成 PDF，表格的样式与印出的表格相同。",
                edition,
                edition.notice()
            ),
        ),
        (true, "一、各工作表".into()),
        (
            false,
            format!(
                "{}：机关名称、报告年度、成文日期等。{}、{}、{}：与印出的表格完全相同，在黄色格子中填写数字。{}：报告的文字，一段一行。",
                layout::identity_sheet(),
                layout::table_sheet(labels::TABLE_2),
                t3,
                layout::table_sheet(labels::TABLE_4),
                text::SHEET
            ),
        ),
        (true, "二、填写数字".into()),
        (
            false,
            "每一个黄色格子都要填写，没有的填 0，不要留空：空白不是零。件数只能是不小于 0 的整数；收费金额可以有小数。".into(),
        ),
        (
            false,
            "灰色格子是总计，自动计算，不用填写，也不要改动。".into(),
        ),
        (
            false,
            format!(
                "表格右侧的“{}”一列随填随查：显示 {CHECK_OK} 表示这一行符合规则，显示 R1、R3 等表示违反了下列规则：",
                layout::CHECK_HEADER
            ),
        ),
    ];
    lines.extend(rules.into_iter().map(|r| (false, r)));
    lines.extend([
        (true, "三、不要改动表格的结构".into()),
        (
            false,
            (
                "不要插入、删除、剪切或移动表二至表四的行和列，不要修改工作表的名称。nianbao 按每一行的名称（“公式”→“名称管理器”中的 requests_new 等）找到各行，并核对旁边的栏目名称。复制数字时请用“选择性粘贴→数值”，以免把格式和有效性检查一起覆盖。表格受保护（没有密码）只是为了防止误改栏目名称和公式，列宽、行高可以直接调整。"
            ).to_string(),
        ),
        (true, "四、正文".into()),
        (
            false,
            "每一行一段。“部分”选择这一段所属的部分；“编号”写小项的序号，如（一）、（二），下一级写（一）1.；每个小项的第一行写“标题”；“标题后接正文”选“是”时，第一段接在标题之后、同一行印出。序号由 nianbao 自动排定。".into(),
        ),
        (
            false,
            "正文中可以直接引用表格中的数字：写 ${requests.new.total} 印出“本年新收政府信息公开申请数量”的总计，文字与表格始终一致。".into(),
        ),
        (true, "五、交回之前".into()),
        (
            false,
            format!(
                "可以用 nianbao check 文件名.xlsx 检查全部规则，nianbao render 文件名.xlsx 生成 PDF 预览。出错时会指明工作表和单元格，如 {t3}!F12。"
            ),
        ),
    ]);
    lines
}

fn write_guide(sheet: &mut Worksheet, report: &Report, edition: Edition) -> Result<(), XlsxError> {
    sheet.set_name(GUIDE_SHEET)?;
    sheet.set_column_width(0, 110)?;
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    let base = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    for (i, (bold, line)) in guide(report, edition).iter().enumerate() {
        let f = if *bold {
            base.clone().set_bold()
        } else {
            base.clone()
        };
        sheet.write_string_with_format(i as u32, 0, line, &f)?;
        let lines = (layout::display_width(line) / 108.0).ceil().max(1.0);
        sheet.set_row_height(i as u32, lines * 15.0 + 4.0)?;
    }
    sheet.protect();
    Ok(())
}

/// How many rows of 正文 are prepared (validated) beyond the report's own.
const SPARE_TEXT_ROWS: u32 = 300;

fn write_text(sheet: &mut Worksheet, rows: &[TextRow]) -> Result<(), XlsxError> {
    sheet.set_name(text::SHEET)?;
    let base = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let header = base
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(0xD9E1F2);
    let widths = [30.0, 12.0, 26.0, 8.0, 90.0];
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    for (c, (h, w)) in text::HEADERS.iter().zip(widths).enumerate() {
        sheet.set_column_width(c as u16, w)?;
        sheet.write_string_with_format(0, c as u16, *h, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let parts = text::parts();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string_with_format(row, 0, parts[r.part], &base)?;
        sheet.write_string_with_format(row, 1, &r.number, &base)?;
        match &r.title {
            Some(t) => sheet.write_string_with_format(row, 2, t, &base)?,
            None => sheet.write_blank(row, 2, &base)?,
        };
        let run_in = match (&r.title, r.run_in) {
            (Some(_), true) => text::YES,
            (Some(_), false) => text::NO,
            _ => "",
        };
        sheet.write_string_with_format(row, 3, run_in, &base)?;
        match &r.text {
            Some(t) => {
                sheet.write_string_with_format(row, 4, t, &base)?;
                let lines = (layout::display_width(t) / 88.0).ceil().max(1.0);
                sheet.set_row_height(row, (lines * 15.0 + 4.0).min(409.0))?;
            }
            None => {
                sheet.write_blank(row, 4, &base)?;
            }
        }
    }
    let last = rows.len() as u32 + SPARE_TEXT_ROWS;
    let part_list = DataValidation::new()
        .allow_list_strings(&parts)?
        .set_error_title("请从列表中选择所属部分")?
        .set_error_message(parts.join("、"))?;
    sheet.add_data_validation(1, 0, last, 0, &part_list)?;
    let yes_no = DataValidation::new().allow_list_strings(&[text::YES, text::NO])?;
    sheet.add_data_validation(1, 3, last, 3, &yes_no)?;
    Ok(())
}

/// Writes a report workbook: the report's values (blank where `known` says
/// a value is missing or bad), laid out as the printed tables.
fn write(report: &Report, known: &dyn Fn(&str) -> bool) -> Result<Vec<u8>, WorkbookError> {
    let edition = report.edition();
    let layout = Layout::new(edition);
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_title(format!(
            "{}{}{}",
            report.agency,
            report.year.0,
            labels::TITLE_SUFFIX
        ))
        .set_author(&report.agency)
        .set_subject(format!("{}年版格式（{}）", edition, edition.notice()))
        .set_comment(format!("nianbao {}", crate::VERSION))
        .set_custom_property(TEMPLATE_PROPERTY, layout.template_id());
    wb.set_properties(&props);

    let value = |key: &str| -> CellValue {
        if known(key) {
            cell_value(report, key)
        } else {
            CellValue::Blank
        }
    };
    write_guide(wb.add_worksheet(), report, edition).map_err(xlsx)?;
    let writer = SheetWriter::new(&value, true);
    for (i, plan) in layout.sheets.iter().enumerate() {
        let inputs: Vec<&InputRow> = layout.inputs.iter().filter(|r| r.sheet == i).collect();
        writer
            .write(wb.add_worksheet(), plan, &inputs)
            .map_err(xlsx)?;
    }
    write_text(wb.add_worksheet(), &text::rows(report)).map_err(xlsx)?;
    for input in &layout.inputs {
        let sheet = &layout.sheets[input.sheet].name;
        let r = input.rect();
        let range = if r.first == r.last {
            r.first.absolute()
        } else {
            format!("{}:{}", r.first.absolute(), r.last.absolute())
        };
        wb.define_name(&input.name, &format!("='{sheet}'!{range}"))
            .map_err(xlsx)?;
    }
    wb.save_to_buffer().map_err(xlsx)
}

/// The workbook of a loaded report (`nianbao export`): every value as read,
/// missing and bad values left blank.
pub fn export(loaded: &Loaded) -> Result<Vec<u8>, WorkbookError> {
    write(&loaded.report, &|key| loaded.known(key))
}

/// The workbook of a report to fill in (`nianbao init --xlsx`): the report is
/// a skeleton, possibly with last year's figures carried over.
pub fn template(report: &Report) -> Result<Vec<u8>, WorkbookError> {
    write(report, &|_| true)
}
