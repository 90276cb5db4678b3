//! The one mapper from a [`Document`] to the data model: tables by label,
//! edition by the tables' shape, prose structure, provenance and notes.

mod cells;
mod prose;
mod tables;

use serde_json::{json, Map, Value};

use crate::model::labels::PART_HEADINGS;
use crate::model::Edition;

use super::document::{Block, Document, Grid, Origin};
use super::{Level, Note, ReadError, ValueOrigin};

/// What the mapper found.
pub(super) struct Mapped {
    pub data: Value,
    pub edition: Edition,
    pub edition_evidence: String,
    pub values: Vec<ValueOrigin>,
    pub notes: Vec<Note>,
}

/// Collects provenance and notes while mapping.
#[derive(Default)]
pub(super) struct Mapper {
    pub values: Vec<ValueOrigin>,
    pub notes: Vec<Note>,
}

impl Mapper {
    pub fn warn(&mut self, key: Option<String>, origin: Option<&Origin>, message: String) {
        self.notes.push(Note {
            level: Level::Warning,
            key,
            origin: origin.map(|o| o.to_string()),
            message,
        });
    }

    pub fn info(&mut self, key: Option<String>, origin: Option<&Origin>, message: String) {
        self.notes.push(Note {
            level: Level::Info,
            key,
            origin: origin.map(|o| o.to_string()),
            message,
        });
    }
}

/// Maps a document to the data model.
pub(super) fn map(doc: &Document) -> Result<Mapped, ReadError> {
    let mut m = Mapper::default();
    for (origin, note) in &doc.notes {
        m.warn(None, Some(origin), note.clone());
    }
    let grids: Vec<&Grid> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(g) => Some(g),
            Block::Para(_) => None,
        })
        .collect();
    let found = m.find_tables(&grids);
    if found.requests.is_empty() && found.appeals.is_empty() && found.active.is_empty() {
        let images = doc
            .notes
            .iter()
            .any(|(_, n)| n.contains("image") || n.contains("图片"));
        return Err(ReadError::NotAReport(if images {
            "the tables are drawn as images (a scanned report?); nianbao reads only tables made of text".into()
        } else if grids.is_empty() {
            "the file has no tables at all; a report prints Tables 2–4 (二、主动公开政府信息情况 …)"
                .into()
        } else {
            format!(
                "none of its {} table{} carries the labels of Tables 2–4 (第二十条, 本年新收政府信息公开申请数量, 行政复议)",
                grids.len(),
                if grids.len() == 1 { "" } else { "s" }
            )
        }));
    }
    let prose = m.prose(doc);
    let year_hint = prose.year;
    let (edition, evidence) = match found.edition_votes() {
        Some((e, why)) => (e, why),
        None => match year_hint {
            Some(y) => (
                Edition::for_year(y),
                format!("the tables fit both editions; the report year {y}"),
            ),
            None => (
                Edition::E2021,
                "the tables fit both editions and no year is printed: 2021 assumed".into(),
            ),
        },
    };
    if let Some(y) = year_hint {
        if Edition::for_year(y) != edition {
            m.warn(
                Some("edition".into()),
                None,
                format!(
                    "本报告为{y}年度，但表格是{edition}年版格式（{}）：{}",
                    edition.notice(),
                    evidence
                ),
            );
        }
    }
    let active = m.active(&found.active, edition);
    let requests = m.requests(&found.requests, edition);
    let appeals = m.appeals(&found.appeals);

    let mut data = Map::new();
    data.insert("edition".into(), json!(edition.as_str()));
    data.insert("agency".into(), json!(prose.agency));
    data.insert(
        "year".into(),
        prose.year.map(Value::from).unwrap_or(Value::Null),
    );
    if let Some(t) = &prose.title {
        data.insert("title".into(), json!(t));
    }
    if let Some(d) = &prose.date {
        data.insert("date".into(), json!(d));
    }
    data.insert("preamble".into(), json!(prose.preamble));
    data.insert("overview".into(), prose.parts[0].clone());
    let with_paragraphs = |table: Value, paragraphs: &Value| -> Value {
        let mut out = Map::new();
        let ps = paragraphs.get("paragraphs").cloned().unwrap_or(json!([]));
        out.insert("paragraphs".into(), ps);
        if let Value::Object(t) = table {
            out.extend(t);
        }
        Value::Object(out)
    };
    data.insert("active".into(), with_paragraphs(active, &prose.parts[1]));
    data.insert(
        "requests".into(),
        with_paragraphs(requests, &prose.parts[2]),
    );
    data.insert("appeals".into(), with_paragraphs(appeals, &prose.parts[3]));
    data.insert("problems".into(), prose.parts[4].clone());
    data.insert("other".into(), prose.parts[5].clone());
    for (i, heading) in prose.missing_headings.iter().enumerate() {
        let _ = i;
        m.warn(
            None,
            None,
            format!("没有找到“{heading}”这一部分的标题：这部分的文字没有导入"),
        );
    }
    let _ = PART_HEADINGS;
    Ok(Mapped {
        data: Value::Object(data),
        edition,
        edition_evidence: evidence,
        values: m.values,
        notes: m.notes,
    })
}
