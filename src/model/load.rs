//! Loading a report from TOML, JSON or YAML.
//!
//! A file that cannot be read as a tree of values (unreadable, not text, a
//! syntax error) is a [`LoadError`]. Anything wrong with the values themselves
//! is a [`Problem`] of the [`Loaded`] report — every one of them, each with its
//! key path and byte range — so a checker can report them all.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::locate::{KeyPath, SpanIndex};
use super::read::{self, Problem};
use super::tree::{self, Node, Span};
use super::Report;

/// The data formats a report can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Toml,
    Json,
    Yaml,
}

impl Format {
    /// The format a file's extension names.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "toml" => Ok(Format::Toml),
            "json" => Ok(Format::Json),
            "yaml" | "yml" => Ok(Format::Yaml),
            _ => Err(format!("unknown data format `{s}`; use toml, json or yaml")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text of a data file, kept for showing where errors and findings are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    /// The file's name as the user gave it ("-" → `<stdin>`).
    pub name: String,
    /// The file's directory, for resolving relative paths (seal images).
    pub dir: Option<PathBuf>,
    /// The text (empty for data that did not come from a text file).
    pub text: String,
    pub format: Format,
}

impl SourceText {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..self.text.floor_char_boundary(offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

/// A loaded report with the text it came from and every problem of its values.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The report; a missing or bad value is a placeholder (zero) here, and
    /// has a problem in [`Loaded::problems`].
    pub report: Report,
    pub source: SourceText,
    /// Where every value is in the text.
    pub spans: SpanIndex,
    /// Every problem of the values, in the order of the file.
    pub problems: Vec<Problem>,
    /// Values accepted with a warning (a number stored as text in a workbook):
    /// read, and reported as warnings of the rule they brush against.
    pub warnings: Vec<Problem>,
    /// Where the values are in a source that is not text, by key path: a
    /// workbook's sheet and cell (`requests.granted[2]` → `表三!F7`). Empty for
    /// data files, whose values are located by their byte ranges.
    pub origins: BTreeMap<String, String>,
    /// Key paths of missing or bad values.
    unknown: BTreeSet<String>,
}

impl Loaded {
    /// Whether the value at `path` (`requests.granted[3]`) was read, not replaced
    /// by a placeholder because it is missing or bad.
    pub fn known(&self, path: &str) -> bool {
        !self.unknown.iter().any(|u| {
            path == u
                || path
                    .strip_prefix(u.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }

    /// The byte range of the value at a key path (or of the nearest value above it).
    pub fn locate(&self, path: &KeyPath) -> Option<Span> {
        self.spans.locate(path)
    }

    /// Where the value at a key path (or the nearest value above it) is in a
    /// source that is not text: `表三!F7`.
    pub fn origin(&self, path: &str) -> Option<&str> {
        if self.origins.is_empty() {
            return None;
        }
        let mut key = KeyPath::parse(path);
        loop {
            if let Some(o) = self.origins.get(&key.to_string()) {
                return Some(o);
            }
            if !key.pop() {
                return None;
            }
        }
    }
}

/// Why a data file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: is a directory, not a data file")]
    IsDirectory { file: String },
    #[error("{file}: cannot tell the data format from the file name; use .toml, .json, .yaml or .yml (or --input-format), or a workbook: .xlsx, .xls or .ods")]
    UnknownFormat { file: String },
    #[error("{file}: the file is empty; a report needs at least `agency`, `year` and the tables (`nianbao init` writes a complete skeleton)")]
    Empty { file: String },
    #[error("{file}: not a text file: {reason} (a report is UTF-8 text in TOML, JSON or YAML)")]
    NotText { file: String, reason: String },
    #[error("{}: {} syntax error: {message}", .text.name, .text.format)]
    Syntax {
        /// The text, so the error can be shown with its line (standard input too).
        text: Box<SourceText>,
        span: Option<Span>,
        message: String,
    },
    #[error("{file}: {message}")]
    NotATable { file: String, message: String },
}

impl LoadError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            LoadError::Io { file, .. }
            | LoadError::IsDirectory { file }
            | LoadError::UnknownFormat { file }
            | LoadError::Empty { file }
            | LoadError::NotText { file, .. }
            | LoadError::NotATable { file, .. } => file,
            LoadError::Syntax { text, .. } => &text.name,
        }
    }

    /// The source text and byte range the error points at, when there are.
    pub fn span(&self) -> Option<(&SourceText, &Span)> {
        match self {
            LoadError::Syntax {
                text,
                span: Some(span),
                ..
            } => Some((text, span)),
            _ => None,
        }
    }

    /// 1-based line and column, where known.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        self.span().map(|(s, span)| s.line_col(span.start))
    }
}

/// The display name of a path (`-` is standard input).
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Loads a report from bytes already read (e.g. by a batch that also hashes them).
/// `dir` is where relative paths in the data (the seal) are resolved.
pub fn load_bytes(
    name: String,
    dir: Option<PathBuf>,
    bytes: Vec<u8>,
    format: Format,
) -> Result<Loaded, LoadError> {
    let text = decode(&name, bytes)?;
    load_source(SourceText {
        name,
        dir,
        text,
        format,
    })
}

/// Loads a report from text already in memory.
pub fn load_str(name: &str, text: &str, format: Format) -> Result<Loaded, LoadError> {
    load_bytes(name.to_string(), None, text.as_bytes().to_vec(), format)
}

/// Loads a report from a tree that did not come from a data file's text (an
/// imported published report, a workbook, the editor's JSON).
pub fn load_node(name: &str, dir: Option<PathBuf>, node: &Node) -> Result<Loaded, LoadError> {
    let source = SourceText {
        name: name.to_string(),
        dir,
        text: String::new(),
        format: Format::Json,
    };
    from_tree(source, node)
}

fn load_source(source: SourceText) -> Result<Loaded, LoadError> {
    let root = match tree::parse(&source.text, source.format) {
        Ok(root) => root,
        Err(e) => {
            return Err(LoadError::Syntax {
                span: e.span,
                message: e.message,
                text: Box::new(source),
            })
        }
    };
    from_tree(source, &root)
}

fn from_tree(source: SourceText, root: &Node) -> Result<Loaded, LoadError> {
    let read = read::read(root).map_err(|message| LoadError::NotATable {
        file: source.name.clone(),
        message,
    })?;
    Ok(Loaded {
        report: read.report,
        source,
        spans: read.spans,
        problems: read.problems,
        warnings: Vec::new(),
        origins: BTreeMap::new(),
        unknown: read.unknown,
    })
}

/// Checks that bytes are UTF-8 text and drops a byte-order mark.
fn decode(name: &str, bytes: Vec<u8>) -> Result<String, LoadError> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(LoadError::NotText {
            file: name.to_string(),
            reason: format!("it contains a NUL byte at offset {pos}, as binary files do"),
        });
    }
    let mut text = String::from_utf8(bytes).map_err(|e| LoadError::NotText {
        file: name.to_string(),
        reason: format!(
            "the bytes at offset {} are not valid UTF-8 (files saved as GBK/GB18030 must be re-saved as UTF-8)",
            e.utf8_error().valid_up_to()
        ),
    })?;
    if text.starts_with('\u{feff}') {
        text.replace_range(..3, "");
    }
    if text.trim().is_empty() {
        return Err(LoadError::Empty {
            file: name.to_string(),
        });
    }
    Ok(text)
}
