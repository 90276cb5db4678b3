//! The view of a report that the templates see: every label, number and
//! paragraph in printed order, totals computed, numbering applied, references
//! expanded.
//!
//! Every text the view holds is made by [`Printed::text`], which also records
//! it (with its place and font role) for the font-coverage check: a label added
//! to the view cannot escape the check. Labels come from the one label table
//! ([`crate::model::labels`]); prose comes from the one walk ([`prose::walk`]).
//! Paragraphs are set on the grid as they come ([`Setter`]): the template
//! prints their lines.

use serde::Serialize;

use crate::model::labels::{
    self, AppealKind, RequestRow, APPEAL_COLUMNS, APPLICANT_COLUMNS, APPLICANT_HEADER,
    LEGAL_PERSONS_HEADER, LITIGATION_HEADER, OUTCOME_LABEL, PART_HEADINGS, REQUESTS_NOTE,
    REQUESTS_TOTAL_ROW, TOTAL_COLUMN,
};
use crate::model::prose::{self, ProseEvent, ProsePart};
use crate::model::refs::{self, RefError};
use crate::model::{ActiveValue, Report};
use crate::typeset::lines::{SetParagraph, Setter};
use crate::typeset::{Role, SealImage};

/// A piece of text as printed, with its place in the report and its font role
/// (for the coverage check and for messages).
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    /// Where it is: a key path (`overview.items[1].paragraphs[0]`) or a table cell.
    pub place: String,
    pub role: Role,
    pub text: String,
}

/// Records every printed text as it is made.
#[derive(Default)]
struct Printed(Vec<TextRun>);

impl Printed {
    /// The text, recorded as printed at `place` in `role`.
    fn text(&mut self, place: impl Into<String>, role: Role, text: &str) -> String {
        self.0.push(TextRun {
            place: place.into(),
            role,
            text: text.to_string(),
        });
        text.to_string()
    }

    /// A label of a table.
    fn label(&mut self, table: &str, text: &str) -> String {
        self.text(format!("{table}: {text}"), Role::Table, text)
    }
}

#[derive(Serialize)]
pub struct ReportView {
    pub version: &'static str,
    pub meta: Meta,
    pub title_lines: Vec<String>,
    pub preamble: Vec<SetParagraph>,
    pub headings: Vec<String>,
    pub overview: SectionView,
    pub active: ActiveView,
    pub requests: RequestsView,
    pub appeals: AppealsView,
    pub problems: SectionView,
    pub other: SectionView,
    pub signature: Option<SignatureView>,
    /// Files attached to the PDF (an archival copy's data and seal).
    pub attachments: Vec<super::archive::Attachment>,
    #[serde(skip)]
    pub runs: Vec<TextRun>,
    /// Every paragraph as set on the grid, in printed order.
    #[serde(skip)]
    pub paragraphs: Vec<SetParagraph>,
}

#[derive(Serialize)]
pub struct Meta {
    /// The document's language (BCP 47).
    pub lang: &'static str,
    pub title: String,
    pub author: String,
    pub keywords: Vec<String>,
    pub description: String,
}

#[derive(Serialize, Default)]
pub struct SectionView {
    pub paragraphs: Vec<SetParagraph>,
    pub items: Vec<ItemView>,
}

#[derive(Serialize)]
pub struct ItemView {
    pub level: u8,
    pub number: String,
    pub title: String,
    /// The title runs in with the first paragraph (which then holds it).
    pub run_in: bool,
    /// The level of the item's heading in the document's outline when it has a
    /// line of its own (part headings are 1): one below the nearest enclosing
    /// item that has its own heading line, so levels never skip (PDF/UA, HTML).
    pub heading_level: u8,
    pub paragraphs: Vec<SetParagraph>,
    pub items: Vec<ItemView>,
}

#[derive(Serialize)]
pub struct ActiveView {
    pub paragraphs: Vec<SetParagraph>,
    pub blocks: Vec<ActiveBlockView>,
}

#[derive(Serialize)]
pub struct ActiveBlockView {
    pub caption: String,
    pub header: Vec<HeaderCell>,
    pub rows: Vec<ActiveRowView>,
}

#[derive(Serialize)]
pub struct HeaderCell {
    pub text: String,
    pub span: u8,
}

#[derive(Serialize)]
pub struct ActiveRowView {
    pub label: String,
    /// Numbers, or amounts as text (amounts keep their exact digits).
    pub values: Vec<serde_json::Value>,
    /// How many of the three value columns each value spans.
    pub spans: Vec<u8>,
}

#[derive(Serialize)]
pub struct RequestsView {
    pub paragraphs: Vec<SetParagraph>,
    pub note: String,
    pub applicant: String,
    pub legal_persons: String,
    pub columns: Vec<String>,
    pub total: String,
    pub outcome_label: String,
    pub outcome_rows: usize,
    pub rows: Vec<RequestRowView>,
}

#[derive(Serialize)]
pub struct RequestRowView {
    /// "top" (一、二、四), "outcome" (（一）（二）（七）, 2019 （六）) or "grouped" (（三）–（六） items).
    pub kind: &'static str,
    pub label: String,
    #[serde(rename = "outcome-first", skip_serializing_if = "std::ops::Not::not")]
    pub outcome_first: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(rename = "group-first", skip_serializing_if = "Option::is_none")]
    pub group_first: Option<bool>,
    #[serde(rename = "group-rows", skip_serializing_if = "Option::is_none")]
    pub group_rows: Option<usize>,
    pub values: [u64; 7],
}

#[derive(Serialize)]
pub struct AppealsView {
    pub paragraphs: Vec<SetParagraph>,
    pub review: String,
    pub litigation: String,
    pub direct: String,
    pub after_review: String,
    pub results: Vec<String>,
    pub total: String,
    pub values: Vec<u64>,
}

#[derive(Serialize)]
pub struct SignatureView {
    pub agency: String,
    pub date: String,
    pub seal: Option<String>,
    /// The seal image's alternative text: the agency's seal (PDF/UA, HTML).
    pub seal_alt: Option<String>,
}

/// Breaks a title into lines at sensible points: the agency on one line, the rest below.
fn title_lines(report: &Report) -> Vec<String> {
    let title = report.title();
    match title.strip_prefix(report.agency.as_str()) {
        Some(rest) if !rest.is_empty() && !report.agency.is_empty() => {
            vec![report.agency.clone(), rest.to_string()]
        }
        _ => vec![title],
    }
}

/// The prose of the six parts, built from the one walk over the report's prose.
#[derive(Default)]
struct Prose {
    preamble: Vec<SetParagraph>,
    parts: [SectionView; 6],
}

fn prose_view(
    report: &Report,
    printed: &mut Printed,
    setter: &mut Setter,
) -> Result<Prose, RefError> {
    let mut out = Prose::default();
    // The items being filled, innermost last, with the part they belong to.
    let mut open: Vec<(usize, ItemView)> = Vec::new();
    let mut error = None;
    prose::walk(report, &mut |part, event| {
        if error.is_some() {
            return;
        }
        let index = match part {
            ProsePart::Preamble => None,
            ProsePart::Part(i) => Some(i),
        };
        match event {
            ProseEvent::Paragraph { path, text } => {
                let text = match refs::expand(text, report, &path) {
                    Ok(t) => printed.text(path, Role::Body, &t),
                    Err(e) => {
                        error = Some(e);
                        return;
                    }
                };
                // An item's first paragraph holds its run-in title: level 2
                // in its own role, levels 3–4 in the body font.
                let run_in = match open.last() {
                    Some((_, item)) if item.run_in && item.paragraphs.is_empty() => {
                        Some((item.level, format!("{}{}", item.number, item.title)))
                    }
                    _ => None,
                };
                let text = match run_in {
                    Some((level, title)) if level == 2 || setter.is_plain() => {
                        setter.paragraph(Some(&title), &text)
                    }
                    Some((_, title)) => setter.paragraph(None, &(title + &text)),
                    None => setter.paragraph(None, &text),
                };
                match (open.last_mut(), index) {
                    (Some((_, item)), _) => item.paragraphs.push(text),
                    (None, Some(i)) => out.parts[i].paragraphs.push(text),
                    (None, None) => out.preamble.push(text),
                }
            }
            ProseEvent::ItemStart {
                path,
                level,
                number,
                title,
                run_in,
            } => {
                let place = format!("{path}.title");
                let title = match refs::expand(title, report, &place) {
                    Ok(t) => t,
                    Err(e) => {
                        error = Some(e);
                        return;
                    }
                };
                let role = if level == 2 {
                    Role::Heading2
                } else {
                    Role::Body
                };
                printed.text(place, role, &format!("{number}{title}"));
                open.push((
                    index.unwrap_or(0),
                    ItemView {
                        level,
                        number,
                        title,
                        run_in,
                        heading_level: 0,
                        paragraphs: Vec::new(),
                        items: Vec::new(),
                    },
                ));
            }
            ProseEvent::ItemEnd => {
                if let Some((i, item)) = open.pop() {
                    match open.last_mut() {
                        Some((_, parent)) => parent.items.push(item),
                        None => out.parts[i].items.push(item),
                    }
                }
            }
        }
    });
    if let Some(e) = error {
        return Err(e);
    }
    for part in &mut out.parts {
        set_heading_levels(&mut part.items, 2);
    }
    Ok(out)
}

/// Gives every item the outline level of its heading: `level` under a part
/// heading, one more under an item printed with a heading line of its own (a
/// run-in item's title is part of its first paragraph, not a heading).
fn set_heading_levels(items: &mut [ItemView], level: u8) {
    for item in items {
        item.heading_level = level;
        let own_line = !item.run_in || item.paragraphs.is_empty();
        set_heading_levels(&mut item.items, if own_line { level + 1 } else { level });
    }
}

fn active_view(
    report: &Report,
    printed: &mut Printed,
    paragraphs: Vec<SetParagraph>,
) -> ActiveView {
    let table = "Table 2";
    let active = &report.active;
    let blocks = labels::active_blocks(report.edition())
        .iter()
        .map(|block| {
            let spans = block.value_spans();
            let mut header = vec![HeaderCell {
                text: printed.label(table, labels::ACTIVE_CONTENT_HEADER),
                span: 1,
            }];
            header.extend(
                block
                    .columns
                    .iter()
                    .zip(&spans)
                    .map(|(c, span)| HeaderCell {
                        text: printed.label(table, c.label),
                        span: *span,
                    }),
            );
            ActiveBlockView {
                caption: printed.label(table, block.caption),
                header,
                rows: block
                    .rows
                    .iter()
                    .map(|row| ActiveRowView {
                        label: printed.label(table, row.label),
                        values: active
                            .rows
                            .get(row.key)
                            .map(|values| {
                                values
                                    .iter()
                                    .map(|v| match v {
                                        ActiveValue::Count(c) => c.0.into(),
                                        // As text: Typst would print a negative number with U+2212.
                                        ActiveValue::Change(c) => c.to_string().into(),
                                        ActiveValue::Amount(a) => a.as_str().into(),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        spans: spans.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    ActiveView { paragraphs, blocks }
}

fn requests_view(
    report: &Report,
    printed: &mut Printed,
    paragraphs: Vec<SetParagraph>,
) -> RequestsView {
    let table = "Table 3";
    let edition = report.edition();
    let requests = &report.requests;
    let mut rows = Vec::new();
    let mut outcome_rows = 0;
    let mut last_group = None;
    for row in RequestRow::rows_of(edition) {
        let values = requests.row(row).with_total();
        if row == RequestRow::CarriedForward {
            rows.push(RequestRowView {
                kind: "outcome",
                label: printed.label(table, REQUESTS_TOTAL_ROW),
                outcome_first: false,
                group: None,
                group_first: None,
                group_rows: None,
                values: requests.computed_total(edition),
            });
            outcome_rows += 1;
        }
        if !row.is_outcome() {
            rows.push(RequestRowView {
                kind: "top",
                label: printed.label(table, row.label()),
                outcome_first: false,
                group: None,
                group_first: None,
                group_rows: None,
                values,
            });
            continue;
        }
        let view = match row.group() {
            Some(group) => {
                let first = last_group != Some(group);
                last_group = Some(group);
                if first {
                    printed.label(table, group.label());
                }
                RequestRowView {
                    kind: "grouped",
                    label: printed.label(table, row.label()),
                    outcome_first: outcome_rows == 0,
                    group: Some(group.label().to_string()),
                    group_first: Some(first),
                    group_rows: Some(group.rows(edition).len()),
                    values,
                }
            }
            None => RequestRowView {
                kind: "outcome",
                label: printed.label(table, row.label()),
                outcome_first: outcome_rows == 0,
                group: None,
                group_first: None,
                group_rows: None,
                values,
            },
        };
        rows.push(view);
        outcome_rows += 1;
    }
    RequestsView {
        paragraphs,
        note: printed.label(table, REQUESTS_NOTE),
        applicant: printed.label(table, APPLICANT_HEADER),
        legal_persons: printed.label(table, LEGAL_PERSONS_HEADER),
        columns: APPLICANT_COLUMNS
            .iter()
            .map(|c| printed.label(table, c))
            .collect(),
        total: printed.label(table, TOTAL_COLUMN),
        outcome_label: printed.label(table, OUTCOME_LABEL),
        outcome_rows,
        rows,
    }
}

fn appeals_view(
    report: &Report,
    printed: &mut Printed,
    paragraphs: Vec<SetParagraph>,
) -> AppealsView {
    let table = "Table 4";
    AppealsView {
        paragraphs,
        review: printed.label(table, AppealKind::Review.header()),
        litigation: printed.label(table, LITIGATION_HEADER),
        direct: printed.label(table, AppealKind::LitigationDirect.header()),
        after_review: printed.label(table, AppealKind::LitigationAfterReview.header()),
        results: APPEAL_COLUMNS
            .iter()
            .map(|c| printed.label(table, c))
            .collect(),
        total: printed.label(table, TOTAL_COLUMN),
        values: report.appeals.printed_row(),
    }
}

impl ReportView {
    /// Prepares everything the templates print, with the seal image when there
    /// is one and, for an archival copy, the attachments; `setter` sets the
    /// paragraphs on the grid. Fails on a `${…}` reference that names nothing.
    pub fn new(
        report: &Report,
        seal: Option<&SealImage>,
        archive: bool,
        mut setter: Setter,
    ) -> Result<ReportView, RefError> {
        let mut printed = Printed::default();
        let title = report.title();
        let title_lines: Vec<String> = title_lines(report)
            .iter()
            .map(|line| printed.text("title", Role::Title, line))
            .collect();
        let headings: Vec<String> = PART_HEADINGS
            .iter()
            .map(|h| printed.text("part heading", Role::Heading1, h))
            .collect();
        let Prose { preamble, parts } = prose_view(report, &mut printed, &mut setter)?;
        let [overview, active, requests, appeals, problems, other] = parts;
        let active = active_view(report, &mut printed, active.paragraphs);
        let requests = requests_view(report, &mut printed, requests.paragraphs);
        let appeals = appeals_view(report, &mut printed, appeals.paragraphs);
        let signature = report.date.map(|date| SignatureView {
            agency: printed.text("signature", Role::Body, &report.agency),
            date: printed.text("date", Role::Body, &date.chinese()),
            seal: seal.map(|s| s.virtual_path().to_string()),
            seal_alt: seal.map(|_| labels::seal_alt(&report.agency)),
        });
        // The digits and dashes of the page numbers.
        printed.text("page number", Role::PageNumber, "— 0123456789 —");
        let edition = report.edition();
        Ok(ReportView {
            version: env!("CARGO_PKG_VERSION"),
            meta: Meta {
                lang: labels::LANGUAGE,
                title: title.clone(),
                author: report.agency.clone(),
                keywords: vec![
                    report.agency.clone(),
                    format!("{}年", report.year.0),
                    labels::TITLE_SUFFIX[3..].to_string(),
                ],
                description: format!(
                    "{}{}{}（{}格式）",
                    report.agency,
                    report.year.0,
                    labels::TITLE_SUFFIX,
                    edition.notice()
                ),
            },
            title_lines,
            preamble,
            headings,
            overview,
            active,
            requests,
            appeals,
            problems,
            other,
            signature,
            attachments: if archive {
                super::archive::attachments(seal)
            } else {
                Vec::new()
            },
            runs: printed.0,
            paragraphs: setter.set,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_of_the_tables_is_recorded_for_the_coverage_check() {
        let text = include_str!("../../examples/bianlukou-2023.toml");
        let loaded = crate::model::load_str("t.toml", text, crate::model::Format::Toml).unwrap();
        let fonts = crate::typeset::FontStore::embedded();
        let roles = crate::typeset::RoleFonts::default();
        let none = Default::default();
        let setter = Setter::new(crate::typeset::lines::Metrics::new(&roles, &fonts), &none);
        let view = ReportView::new(&loaded.report, None, false, setter).unwrap();
        let recorded: Vec<&str> = view.runs.iter().map(|r| r.text.as_str()).collect();
        for row in RequestRow::rows_of(loaded.report.edition()) {
            assert!(recorded.contains(&row.label()), "{}", row.label());
        }
        for label in [
            REQUESTS_NOTE,
            OUTCOME_LABEL,
            "（三）不予公开",
            "行政强制",
            "复议后起诉",
        ] {
            assert!(recorded.contains(&label), "{label}");
        }
        let spans = |blocks: &[labels::ActiveBlock], i: usize| blocks[i].value_spans();
        assert_eq!(spans(labels::ACTIVE_2019, 3), [1, 2]);
        assert_eq!(spans(labels::ACTIVE_2021, 1), [3]);
    }
}
