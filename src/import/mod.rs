//! Importing published reports (PDF, Word, web pages, text) into the data
//! model, exactly and with every value explained.
//!
//! ```text
//! bytes ─sniff─▶ reader (pdf | docx | html | text) ─▶ Document (paragraphs, grids)
//!       ─mapper─▶ data (JSON in the data model, null where nothing is printed)
//!                 + where every table value came from + notes ─▶ writers
//! ```
//!
//! Each reader only turns bytes into a [`Document`]; one shared mapper finds the
//! report in it: label normalisation and matching (labels from
//! [`crate::model::labels`], variants from [`aliases`]), edition detection,
//! tables by label (never by position), prose structure and provenance. The
//! result loads with [`crate::model::load_node`] and is checked like any data.

pub mod aliases;
mod decode;
pub mod document;
mod docx;
mod html;
mod mapper;
pub mod normalize;
mod pdf;
mod sniff;
mod text;
pub mod write;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use serde::Serialize;

pub use document::{Align, Block, Document, Grid, Origin, Para, Slot};
pub use sniff::{sniff, Kind};

use crate::model::{self, Edition, Loaded};

/// The largest file the importer reads (a published report is a few MB).
pub const MAX_INPUT_BYTES: u64 = 50 * 1024 * 1024;

/// Why a file could not be imported. Each says what the file is and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: the file is {size} bytes; a published report is at most a few MB, and the importer reads at most {max} bytes (is it the right file?)")]
    TooLarge { file: String, size: u64, max: u64 },
    #[error("{file}: {what} files cannot be read: save it as .docx or .pdf (另存为 .docx 或 .pdf) and import that")]
    Unsupported { file: String, what: &'static str },
    #[error("{file}: not a published report in a format nianbao reads (PDF, Word .docx, web page .html, text .txt){detail}")]
    UnknownFormat { file: String, detail: String },
    #[error("{file}: no text found: scanned or image-only? (the PDF has {pages} page{} but no text layer; ask for the PDF the office exported from WPS or Word)", if *.pages == 1 { "" } else { "s" })]
    NoText { file: String, pages: usize },
    #[error("{file}: the PDF is encrypted (password-protected); ask for an unprotected copy, or remove the password with the owner's consent (qpdf --decrypt)")]
    Encrypted { file: String },
    #[error("{file}: not a readable {kind}: {reason} (truncated or damaged? download it again)")]
    Damaged {
        file: String,
        kind: &'static str,
        reason: String,
    },
    #[error("{file}: the archive unpacks to more than {max} bytes (a zip bomb?); a report's Word file unpacks to a few MB")]
    ZipBomb { file: String, max: u64 },
    #[error("{file}: no report tables found: {reason}")]
    NotAReport { file: String, reason: String },
    #[error(
        "{file}: the {kind} reader failed on this file ({reason}); please report it with the file"
    )]
    ReaderFailed {
        file: String,
        kind: &'static str,
        reason: String,
    },
}

impl ImportError {
    pub fn file(&self) -> &str {
        match self {
            ImportError::Io { file, .. }
            | ImportError::TooLarge { file, .. }
            | ImportError::Unsupported { file, .. }
            | ImportError::UnknownFormat { file, .. }
            | ImportError::NoText { file, .. }
            | ImportError::Encrypted { file }
            | ImportError::Damaged { file, .. }
            | ImportError::ZipBomb { file, .. }
            | ImportError::NotAReport { file, .. }
            | ImportError::ReaderFailed { file, .. } => file,
        }
    }

    /// A short name of the error's kind, for programs.
    pub fn kind(&self) -> &'static str {
        match self {
            ImportError::Io { .. } => "io",
            ImportError::TooLarge { .. } => "too-large",
            ImportError::Unsupported { .. } => "unsupported-format",
            ImportError::UnknownFormat { .. } => "unknown-format",
            ImportError::NoText { .. } => "no-text",
            ImportError::Encrypted { .. } => "encrypted",
            ImportError::Damaged { .. } => "damaged",
            ImportError::ZipBomb { .. } => "zip-bomb",
            ImportError::NotAReport { .. } => "not-a-report",
            ImportError::ReaderFailed { .. } => "reader-failed",
        }
    }
}

/// A reader's failure before the file name is known.
#[derive(Debug)]
pub(crate) enum ReadError {
    NoText { pages: usize },
    Encrypted,
    Damaged(String),
    ZipBomb(u64),
    NotAReport(String),
}

impl ReadError {
    fn in_file(self, file: &str, kind: Kind) -> ImportError {
        let file = file.to_string();
        match self {
            ReadError::NoText { pages } => ImportError::NoText { file, pages },
            ReadError::Encrypted => ImportError::Encrypted { file },
            ReadError::Damaged(reason) => ImportError::Damaged {
                file,
                kind: kind.name(),
                reason,
            },
            ReadError::ZipBomb(max) => ImportError::ZipBomb { file, max },
            ReadError::NotAReport(reason) => ImportError::NotAReport { file, reason },
        }
    }
}

/// How sure a note is that something needs a person's attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Something the file prints that the data cannot say, or a guess.
    Warning,
    /// A variant accepted as it is (a label printed differently).
    Info,
}

/// Something the importer says about the file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    pub level: Level,
    /// The key path it concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Where in the published file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub message: String,
}

/// Where one table value came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueOrigin {
    /// The key path in the data: `requests.granted[3]`.
    pub key: String,
    /// Where it is printed, in words (`page 4, x 312 pt, y 210 pt from the top`).
    pub place: String,
    #[serde(skip)]
    pub origin: Origin,
    /// The cell's text as printed.
    pub printed: String,
    /// The printed row label it was matched by.
    pub row_label: String,
    /// The printed column header(s) it was matched by.
    pub column_label: String,
    /// How the label differs from the official one, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// A published report, imported.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The file's name as given.
    pub file: String,
    pub kind: Kind,
    /// The data, in the data model; null where the file prints nothing.
    pub data: serde_json::Value,
    pub edition: Edition,
    /// What decided the edition.
    pub edition_evidence: String,
    /// Where every table value came from, in table order.
    pub values: Vec<ValueOrigin>,
    pub notes: Vec<Note>,
}

impl Imported {
    /// The data loaded as a report, every missing value a problem (R6 …).
    pub fn load(&self) -> Result<Loaded, model::LoadError> {
        model::load_node(&self.file, None, &model::tree::Node::from_json(&self.data))
    }

    /// Where the value at a key path (or the first value under it) is printed.
    pub fn origin_of(&self, key: &str) -> Option<&ValueOrigin> {
        if key.is_empty() {
            return None;
        }
        self.values
            .iter()
            .find(|v| v.key == key)
            .or_else(|| {
                self.values.iter().find(|v| {
                    v.key
                        .strip_prefix(key)
                        .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
                })
            })
            .or_else(|| {
                // A cell of a row whose other cells are known: `requests.total[6]`.
                let (row, _) = key.rsplit_once('[')?;
                self.values
                    .iter()
                    .find(|v| v.key.starts_with(&format!("{row}[")))
            })
    }

    /// The place in the published file of the value at a key path, with the
    /// printed labels: for `check`'s findings.
    pub fn describe(&self, key: &str) -> Option<String> {
        let Some(v) = self.origin_of(key) else {
            // A row the report does not print as such: where the importer saw it.
            return self
                .notes
                .iter()
                .find(|n| n.key.as_deref() == Some(key) && n.origin.is_some())
                .and_then(|n| n.origin.clone());
        };
        let mut s = v.place.clone();
        let label = [v.row_label.as_str(), v.column_label.as_str()]
            .iter()
            .filter(|l| !l.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · ");
        if !label.is_empty() {
            s.push_str(&format!(" (printed: {label})"));
        }
        Some(s)
    }
}

/// Imports a file: reads it, checks its size, and imports its bytes.
pub fn import_path(path: &Path) -> Result<Imported, ImportError> {
    let file = model::display_name(path);
    let io = |source| ImportError::Io {
        file: file.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(ImportError::UnknownFormat {
            file,
            detail: ": it is a directory that holds no report (.pdf, .docx, .html, .txt, .toml, .json, .yaml)".into(),
        });
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size: meta.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    import_bytes(&file, &bytes)
}

/// Imports a published report from its bytes; the format is chosen by content
/// (the name's extension only breaks ties).
pub fn import_bytes(file: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            file: file.to_string(),
            size: bytes.len() as u64,
            max: MAX_INPUT_BYTES,
        });
    }
    // Everything runs isolated: a panic anywhere is an error, not a crash.
    let kind = isolated(file, "format", || sniff(bytes, file))?.map_err(|e| e.in_file(file))?;
    let doc = read_document(file, bytes, kind)?;
    let mapped =
        isolated(file, "report", || mapper::map(&doc))?.map_err(|e| e.in_file(file, kind))?;
    Ok(Imported {
        file: file.to_string(),
        kind,
        data: mapped.data,
        edition: mapped.edition,
        edition_evidence: mapped.edition_evidence,
        values: mapped.values,
        notes: mapped.notes,
    })
}

/// The document a file's reader sees (paragraphs and grids), before mapping:
/// for looking into a file the importer misreads (`nianbao import --layout`).
pub fn read_layout(file: &str, bytes: &[u8]) -> Result<Document, ImportError> {
    let kind = isolated(file, "format", || sniff(bytes, file))?.map_err(|e| e.in_file(file))?;
    read_document(file, bytes, kind)
}

/// Runs a reader: isolated, so that a panic in a parser is an error, not a crash.
fn read_document(file: &str, bytes: &[u8], kind: Kind) -> Result<Document, ImportError> {
    let result = isolated(file, kind.name(), || match kind {
        Kind::Pdf => pdf::read(bytes),
        Kind::Docx => docx::read(bytes),
        Kind::Html => html::read(bytes),
        Kind::Text => text::read(bytes),
    })?;
    result.map_err(|e| e.in_file(file, kind))
}

/// Runs `f`, turning a panic into [`ImportError::ReaderFailed`].
fn isolated<T>(file: &str, kind: &'static str, f: impl FnOnce() -> T) -> Result<T, ImportError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a parser panicked".to_string());
        ImportError::ReaderFailed {
            file: file.to_string(),
            kind,
            reason,
        }
    })
}
