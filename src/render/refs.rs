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
//! | `${active.rules.issued}` | Table 2 (`rules`/`normative_documents` × `issued`/`repealed`/`in_force`; `licensing`, `penalties`, `coercive_measures`, `fees`) |
//! | `${year}`, `${agency}` | the report year, the agency |
//! | `$${` | a literal `${` |

use crate::model::{ActiveTable, AppealKind, Report, RequestRow};

/// The applicant columns of Table 3 as reference names, then `total`.
pub const REQUEST_COLUMNS: [&str; 7] = [
    "natural_persons",
    "commercial_enterprises",
    "research_institutions",
    "public_interest_organizations",
    "legal_service_agencies",
    "other",
    "total",
];

/// The result columns of Table 4 as reference names, then `total`.
pub const APPEAL_RESULTS: [&str; 5] = ["upheld", "corrected", "other", "pending", "total"];

/// A reference that names nothing, or is not closed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{place}: unknown reference `${{{name}}}`{}", suggestion.as_ref().map(|s| format!("; did you mean `${{{s}}}`?")).unwrap_or_default())]
pub struct RefError {
    /// Where the reference is (key path of the paragraph).
    pub place: String,
    pub name: String,
    pub suggestion: Option<String>,
}

/// Every reference name, for suggestions and documentation.
pub fn all_names() -> Vec<String> {
    let mut names = vec!["year".to_string(), "agency".to_string()];
    for row in RequestRow::ALL {
        for c in REQUEST_COLUMNS {
            names.push(format!("requests.{}.{c}", row.key()));
        }
    }
    for c in REQUEST_COLUMNS {
        names.push(format!("requests.total.{c}"));
    }
    for g in [
        "review",
        "litigation_direct",
        "litigation_after_review",
        "litigation",
    ] {
        for r in APPEAL_RESULTS {
            names.push(format!("appeals.{g}.{r}"));
        }
    }
    for d in ["rules", "normative_documents"] {
        for f in ["issued", "repealed", "in_force"] {
            names.push(format!("active.{d}.{f}"));
        }
    }
    for f in ["licensing", "penalties", "coercive_measures", "fees"] {
        names.push(format!("active.{f}"));
    }
    names
}

/// The value a reference name stands for.
pub fn resolve(name: &str, report: &Report) -> Option<String> {
    let parts: Vec<&str> = name.trim().split('.').collect();
    let edition = report.edition();
    match parts.as_slice() {
        ["year"] => Some(report.year.0.to_string()),
        ["agency"] => Some(report.agency.clone()),
        ["requests", "total", col] => {
            let i = REQUEST_COLUMNS.iter().position(|c| c == col)?;
            Some(report.requests.computed_total(edition)[i].to_string())
        }
        ["requests", row, col] => {
            let row = RequestRow::from_key(row).filter(|r| r.in_edition(edition))?;
            let i = REQUEST_COLUMNS.iter().position(|c| c == col)?;
            Some(report.requests.row(row).with_total()[i].to_string())
        }
        ["appeals", group, result] => {
            let i = APPEAL_RESULTS.iter().position(|r| r == result)?;
            let a = &report.appeals;
            let value = match *group {
                "litigation" => {
                    a.litigation_direct.with_total()[i] + a.litigation_after_review.with_total()[i]
                }
                g => AppealKind::ALL
                    .iter()
                    .find(|k| k.key() == g)
                    .map(|k| a.group(*k).with_total()[i])?,
            };
            Some(value.to_string())
        }
        ["active", rest @ ..] => {
            let ActiveTable::E2021(t) = &report.active;
            match rest {
                [doc, field] => {
                    let d = match *doc {
                        "rules" => &t.rules,
                        "normative_documents" => &t.normative_documents,
                        _ => return None,
                    };
                    let v = match *field {
                        "issued" => d.issued,
                        "repealed" => d.repealed,
                        "in_force" => d.in_force,
                        _ => return None,
                    };
                    Some(v.to_string())
                }
                ["licensing"] => Some(t.licensing.to_string()),
                ["penalties"] => Some(t.penalties.to_string()),
                ["coercive_measures"] => Some(t.coercive_measures.to_string()),
                ["fees"] => Some(t.fees.to_string()),
                _ => None,
            }
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
                        suggestion: suggest(name),
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

fn suggest(name: &str) -> Option<String> {
    all_names()
        .into_iter()
        .map(|n| (strsim::jaro_winkler(name.trim(), &n), n))
        .filter(|(s, _)| *s > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// Every reference in a text (names only), for checks.
pub fn references(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        if i > 0 && rest[..i].ends_with('$') {
            rest = &rest[i + 2..];
            continue;
        }
        let tail = &rest[i + 2..];
        match tail.find('}') {
            Some(end) => {
                out.push(&tail[..end]);
                rest = &tail[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// A copy of the report with every reference in its prose replaced by its value.
pub fn expand_report(report: &Report) -> Result<Report, RefError> {
    let mut out = report.clone();
    let paras = |list: &mut Vec<String>, key: &str| -> Result<(), RefError> {
        for (i, p) in list.iter_mut().enumerate() {
            *p = expand(p, report, &format!("{key}.paragraphs[{i}]"))?;
        }
        Ok(())
    };
    for (i, p) in out.preamble.iter_mut().enumerate() {
        *p = expand(p, report, &format!("preamble[{i}]"))?;
    }
    fn items(list: &mut [crate::model::Item], key: &str, report: &Report) -> Result<(), RefError> {
        for (i, item) in list.iter_mut().enumerate() {
            let k = format!("{key}.items[{i}]");
            item.title = expand(&item.title, report, &format!("{k}.title"))?;
            for (j, p) in item.paragraphs.iter_mut().enumerate() {
                *p = expand(p, report, &format!("{k}.paragraphs[{j}]"))?;
            }
            items(&mut item.items, &k, report)?;
        }
        Ok(())
    }
    for (key, section) in [
        ("overview", &mut out.overview),
        ("problems", &mut out.problems),
        ("other", &mut out.other),
    ] {
        paras(&mut section.paragraphs, key)?;
        items(&mut section.items, key, report)?;
    }
    let ActiveTable::E2021(active) = &mut out.active;
    paras(&mut active.paragraphs, "active")?;
    paras(&mut out.requests.paragraphs, "requests")?;
    paras(&mut out.appeals.paragraphs, "appeals")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let text = include_str!("../../examples/bianlukou-2023.toml")
            .replace("new = [0, 0, 0, 0, 0, 0]", "new = [5, 1, 0, 0, 0, 2]")
            .replace("review = [0, 0, 0, 0]", "review = [1, 0, 0, 2]");
        crate::model::load_str("t.toml", &text, crate::model::Format::Toml)
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
