//! References from prose to table values, so the numbers in the text are
//! computed and always equal the tables.
//!
//! Syntax (ours, not Jinja's: data is never evaluated as a template):
//!
//! | write | prints |
//! |---|---|
//! | `${requests.new.total}` | 一、本年新收政府信息公开申请数量, 总计 |
//! | `${requests.ROW.COLUMN}` | any row of Table 3 by its key, any column: `natural_persons`, `commercial_enterprises`, `research_institutions`, `public_interest_organizations`, `legal_service_agencies`, `other`, `total` |
//! | `${requests.total.COLUMN}` | （七）总计 |
//! | `${appeals.GROUP.RESULT}` | Table 4: GROUP `review`, `litigation_direct`, `litigation_after_review`, `litigation` (both litigation groups); RESULT `upheld`, `corrected`, `other`, `pending`, `total` |
//! | `${active.ROW}`, `${active.ROW.COLUMN}` | Table 2 by the keys of its edition: `${active.rules.issued}`, `${active.licensing}` (2021); `${active.licensing.decisions}` (2019) |
//! | `${year}`, `${agency}` | the report year, the agency |
//! | `$${` | a literal `${` |

use super::labels::{self, AppealKind, RequestRow, APPEAL_COLUMN_KEYS, REQUEST_COLUMN_KEYS};
use super::Report;

/// A reference that names nothing, or is not closed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{place}: unknown reference `${{{name}}}`{}", suggestion.as_ref().map(|s| format!("; did you mean `${{{s}}}`?")).unwrap_or_default())]
pub struct RefError {
    /// Where the reference is (key path of the paragraph).
    pub place: String,
    pub name: String,
    pub suggestion: Option<String>,
}

/// A reference name and what it stands for, by the official labels (for the
/// editor's picker: "表三 · 一、本年新收政府信息公开申请数量 · 总计").
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RefName {
    pub name: String,
    pub label: String,
}

/// Every reference name of an edition, for suggestions, the editor's picker and
/// the documentation.
pub fn all_names(edition: crate::model::Edition) -> Vec<String> {
    all_refs(edition).into_iter().map(|r| r.name).collect()
}

/// Every reference of an edition with its labels, in the order of the report.
pub fn all_refs(edition: crate::model::Edition) -> Vec<RefName> {
    let mut refs = Vec::new();
    let mut add = |name: String, label: String| refs.push(RefName { name, label });
    let named = |key: &str| {
        labels::IDENTITY
            .iter()
            .find(|k| k.key == key)
            .map_or(key, |k| k.label)
            .to_string()
    };
    add("year".into(), named("year"));
    add("agency".into(), named("agency"));
    let table_3 = labels::TABLE_3.split(' ').next().unwrap_or_default();
    for row in RequestRow::rows_of(edition) {
        for (i, c) in REQUEST_COLUMN_KEYS.iter().enumerate() {
            add(
                format!("requests.{}.{c}", row.key()),
                format!(
                    "{table_3} · {} · {}",
                    row.full_label(),
                    labels::request_column(i)
                ),
            );
        }
    }
    for (i, c) in REQUEST_COLUMN_KEYS.iter().enumerate() {
        add(
            format!("requests.total.{c}"),
            format!(
                "{table_3} · {} · {}",
                labels::REQUESTS_TOTAL_ROW,
                labels::request_column(i)
            ),
        );
    }
    let table_4 = labels::TABLE_4.split(' ').next().unwrap_or_default();
    let groups = AppealKind::ALL
        .iter()
        .map(|k| (k.key(), k.label()))
        .chain([(
            "litigation",
            format!(
                "{}（{}与{}之和）",
                labels::LITIGATION_HEADER,
                AppealKind::LitigationDirect.header(),
                AppealKind::LitigationAfterReview.header()
            ),
        )]);
    for (g, group_label) in groups {
        for (i, r) in APPEAL_COLUMN_KEYS.iter().enumerate() {
            let column = labels::APPEAL_COLUMNS
                .get(i)
                .copied()
                .unwrap_or(labels::TOTAL_COLUMN);
            add(
                format!("appeals.{g}.{r}"),
                format!("{table_4} · {group_label} · {column}"),
            );
        }
    }
    let table_2 = labels::TABLE_2.split(' ').next().unwrap_or_default();
    for block in labels::active_blocks(edition) {
        for row in block.rows {
            if block.scalar() {
                add(
                    format!("active.{}", row.key),
                    format!("{table_2} · {} · {}", block.caption, row.label),
                );
            } else {
                for c in block.columns {
                    add(
                        format!("active.{}.{}", row.key, c.key),
                        format!(
                            "{table_2} · {} · {} · {}",
                            block.caption, row.label, c.label
                        ),
                    );
                }
            }
        }
    }
    refs
}

/// The value a reference name stands for.
fn resolve(name: &str, report: &Report) -> Option<String> {
    let parts: Vec<&str> = name.trim().split('.').collect();
    let edition = report.edition();
    match parts.as_slice() {
        ["year"] => Some(report.year.0.to_string()),
        ["agency"] => Some(report.agency.clone()),
        ["requests", "total", col] => {
            let i = REQUEST_COLUMN_KEYS.iter().position(|c| c == col)?;
            Some(report.requests.computed_total(edition)[i].to_string())
        }
        ["requests", row, col] => {
            let row = RequestRow::from_key(row).filter(|r| r.in_edition(edition))?;
            let i = REQUEST_COLUMN_KEYS.iter().position(|c| c == col)?;
            Some(report.requests.row(row).with_total()[i].to_string())
        }
        ["appeals", group, result] => {
            let i = APPEAL_COLUMN_KEYS.iter().position(|r| r == result)?;
            let a = &report.appeals;
            let value = match *group {
                "litigation" => {
                    a.litigation_direct.with_total()[i] + a.litigation_after_review.with_total()[i]
                }
                g => a.group(AppealKind::from_key(g)?).with_total()[i],
            };
            Some(value.to_string())
        }
        ["active", row] => {
            let (block, _) = labels::active_row(edition, row)?;
            block
                .scalar()
                .then(|| report.active.value(row, "").map(|v| v.printed()))
                .flatten()
        }
        ["active", row, column] => {
            let (block, _) = labels::active_row(edition, row)?;
            (!block.scalar())
                .then(|| report.active.value(row, column).map(|v| v.printed()))
                .flatten()
        }
        _ => None,
    }
}

/// Replaces every `${name}` in `text` with its value.
pub fn expand(text: &str, report: &Report, place: &str) -> Result<String, RefError> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix("${") {
            out.push_str("${");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('{') {
            let Some(end) = tail.find('}') else {
                return Err(RefError {
                    place: place.to_string(),
                    name: tail.chars().take(40).collect(),
                    suggestion: Some("… } (the reference is not closed)".into()),
                });
            };
            let name = &tail[..end];
            match resolve(name, report) {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(RefError {
                        place: place.to_string(),
                        name: name.to_string(),
                        suggestion: suggest(name, report),
                    })
                }
            }
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn suggest(name: &str, report: &Report) -> Option<String> {
    super::suggest(
        name.trim(),
        all_names(report.edition()).iter().map(String::as_str),
    )
    .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let text = include_str!("../../examples/bianlukou-2023.toml")
            .replace("new = [0, 0, 0, 0, 0, 0]", "new = [5, 1, 0, 0, 0, 2]")
            .replace("review = [0, 0, 0, 0]", "review = [1, 0, 0, 2]");
        super::super::load_str("t.toml", &text, super::super::Format::Toml)
            .unwrap()
            .report
    }

    #[test]
    fn references_print_table_values() {
        let r = report();
        let got = expand("收到申请${requests.new.total}件，其中自然人${requests.new.natural_persons}件；行政复议${appeals.review.total}件。", &r, "p").unwrap();
        assert_eq!(got, "收到申请8件，其中自然人5件；行政复议3件。");
        assert_eq!(
            expand("${year}年${agency}", &r, "p").unwrap(),
            "2023年卞路口乡人民政府"
        );
        assert_eq!(expand("价格$5，$${x}", &r, "p").unwrap(), "价格$5，${x}");
        assert_eq!(expand("${requests.total.total}", &r, "p").unwrap(), "0");
    }

    #[test]
    fn unknown_references_are_errors_naming_them() {
        let r = report();
        let e = expand("共${requests.new.totl}件", &r, "overview.paragraphs[0]").unwrap_err();
        assert_eq!(e.name, "requests.new.totl");
        assert_eq!(e.suggestion.as_deref(), Some("requests.new.total"));
        assert!(e.to_string().contains("overview.paragraphs[0]"));
        assert!(expand("共${requests.new", &r, "p").is_err());
    }
}
