//! Loading a report from TOML, JSON or YAML, with errors that name the file,
//! the key path and (where the format allows) the line and column.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Edition, Report, RequestRow};

/// The data formats a report can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
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
}

/// The text of a data file, kept for locating errors and findings.
#[derive(Clone, Debug)]
pub struct SourceText {
    /// The file's name as the user gave it ("-" → "<stdin>").
    pub name: String,
    /// The file's directory, for resolving relative paths (seal images).
    pub dir: Option<PathBuf>,
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

/// A loaded report with the text it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub report: Report,
    pub source: SourceText,
}

/// The kinds of data errors that break a rule of the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataErrorKind {
    /// A count that is negative, fractional, too large or not a number (rule R5).
    BadNumber,
    /// A blank cell or a missing row (rule R6).
    Blank,
    /// The wrong edition for the year (rule R12).
    Edition,
    /// Any other problem with the data (unknown key, wrong type, …).
    Other,
}

/// Marks in the messages of our own value types, telling the kind of error.
pub(crate) const MARK_BAD_NUMBER: &str = "\u{1}R5\u{1}";
pub(crate) const MARK_BLANK: &str = "\u{1}R6\u{1}";

/// Why a data file could not be loaded.
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
    #[error("{file}: cannot tell the data format from the file name; use .toml, .json, .yaml or .yml (or --input-format)")]
    UnknownFormat { file: String },
    #[error("{file}: the file is empty; a report needs at least `agency`, `year` and the tables (`nianbao init` writes a complete skeleton)")]
    Empty { file: String },
    #[error("{file}: not a text file: {reason} (a report is UTF-8 text in TOML, JSON or YAML)")]
    NotText { file: String, reason: String },
    #[error("{file}:{line}:{column}: {format} syntax error: {message}", line = .line.unwrap_or(0), column = .column.unwrap_or(0))]
    Syntax {
        file: String,
        format: &'static str,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    #[error("{}: `{key}`: {message}", location(file, *line, *column))]
    Data {
        file: String,
        /// The key path, e.g. `requests.granted[3]`.
        key: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
        /// What kind of problem it is, for the checker's rules.
        kind: DataErrorKind,
    },
    #[error("{file}: the {edition} edition of the format is not supported by this version of nianbao; use edition \"2021\" (report years 2021 and later)")]
    UnsupportedEdition { file: String, edition: Edition },
}

fn location(file: &str, line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.to_string(),
    }
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
            | LoadError::Syntax { file, .. }
            | LoadError::Data { file, .. }
            | LoadError::UnsupportedEdition { file, .. } => file,
        }
    }

    /// The key path the error is about, if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            LoadError::Data { key, .. } => Some(key),
            _ => None,
        }
    }

    /// Adds the line and column to a data error that has none, from its key path
    /// (or the nearest key above it that the file has).
    fn located(mut self, source: &SourceText) -> LoadError {
        if let LoadError::Data {
            key,
            line: line @ None,
            column,
            ..
        } = &mut self
        {
            let mut path = super::KeyPath::parse(key);
            loop {
                if let Some((l, c)) = super::locate(source, &path) {
                    *line = Some(l);
                    *column = Some(c);
                    break;
                }
                if !path.pop() {
                    break;
                }
            }
        }
        self
    }

    /// Line and column, 1-based, where known.
    pub fn line_col(&self) -> (Option<usize>, Option<usize>) {
        match self {
            LoadError::Syntax { line, column, .. } | LoadError::Data { line, column, .. } => {
                (*line, *column)
            }
            _ => (None, None),
        }
    }
}

/// Loads a report from a path (`-` reads standard input; then `format` is required).
pub fn load_path(path: &Path, format: Option<Format>) -> Result<Loaded, LoadError> {
    let stdin = path == Path::new("-");
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let format = match format.or_else(|| Format::from_path(path)) {
        Some(f) => f,
        None if stdin => Format::Toml,
        None => {
            if path.is_dir() {
                return Err(LoadError::IsDirectory { file: name });
            }
            return Err(LoadError::UnknownFormat { file: name });
        }
    };
    let bytes = if stdin {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|source| {
            LoadError::Io {
                file: name.clone(),
                source,
            }
        })?;
        buf
    } else {
        if path.is_dir() {
            return Err(LoadError::IsDirectory { file: name });
        }
        std::fs::read(path).map_err(|source| LoadError::Io {
            file: name.clone(),
            source,
        })?
    };
    let dir = if stdin {
        std::env::current_dir().ok()
    } else {
        Some(path.parent().map(Path::to_path_buf).unwrap_or_default())
    };
    load_bytes(name, dir, bytes, format)
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
    let source = SourceText {
        name,
        dir,
        text,
        format,
    };
    let report = parse(&source).map_err(|e| e.located(&source))?;
    Ok(Loaded { report, source })
}

/// Loads a report from text already in memory.
pub fn load_str(name: &str, text: &str, format: Format) -> Result<Loaded, LoadError> {
    let text = decode(name, text.as_bytes().to_vec())?;
    let source = SourceText {
        name: name.to_string(),
        dir: None,
        text,
        format,
    };
    let report = parse(&source).map_err(|e| e.located(&source))?;
    Ok(Loaded { report, source })
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

fn parse(source: &SourceText) -> Result<Report, LoadError> {
    let file = &source.name;
    let text = source.text.as_str();
    let report: Report = match source.format {
        Format::Toml => {
            let de = toml::Deserializer::new(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let (line, column) = match inner.span() {
                    Some(span) => {
                        let (l, c) = source.line_col(span.start);
                        (Some(l), Some(c))
                    }
                    None => (None, None),
                };
                data_error(
                    file,
                    "TOML",
                    path,
                    line,
                    column,
                    inner.message().to_string(),
                )
            })?
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let report = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let syntax = inner.is_syntax() || inner.is_eof();
                let (line, column) = (inner.line(), inner.column());
                let message = strip_position(&inner.to_string());
                if syntax {
                    LoadError::Syntax {
                        file: file.clone(),
                        format: "JSON",
                        line: Some(line),
                        column: Some(column),
                        message,
                    }
                } else {
                    data_error(file, "JSON", path, Some(line), Some(column), message)
                }
            })?;
            de.end().map_err(|e| LoadError::Syntax {
                file: file.clone(),
                format: "JSON",
                line: Some(e.line()),
                column: Some(e.column()),
                message: strip_position(&e.to_string()),
            })?;
            report
        }
        Format::Yaml => {
            yaml_syntax(file, text)?;
            let de = serde_norway::Deserializer::from_str(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let (line, column) = match inner.location() {
                    Some(l) => (Some(l.line()), Some(l.column())),
                    None => (None, None),
                };
                // serde_norway puts the path in front of the message: drop it.
                let message = strip_position(&inner.to_string());
                let message = match message.strip_prefix(&format!("{path}: ")) {
                    Some(m) => m.to_string(),
                    None => message,
                };
                data_error(file, "YAML", path, line, column, message)
            })?
        }
    };
    validate(file, report)
}

/// Reports YAML syntax errors as such (serde reads YAML as a stream and would
/// blame whatever key it was reading when the syntax broke).
fn yaml_syntax(file: &str, text: &str) -> Result<(), LoadError> {
    struct Ignore;
    impl yaml_rust2::parser::MarkedEventReceiver for Ignore {
        fn on_event(&mut self, _: yaml_rust2::Event, _: yaml_rust2::scanner::Marker) {}
    }
    let mut parser = yaml_rust2::parser::Parser::new_from_str(text);
    parser.load(&mut Ignore, true).map_err(|e| {
        let m = e.marker();
        LoadError::Syntax {
            file: file.to_string(),
            format: "YAML",
            line: Some(m.line()),
            column: Some(m.col() + 1),
            message: e.info().to_string(),
        }
    })
}

/// Turns a deserializer's error into ours: syntax errors stay syntax errors,
/// the rest name the key path, in plain words.
fn data_error(
    file: &str,
    format: &'static str,
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
) -> LoadError {
    let message = message.trim().to_string();
    let is_data = path != "." || looks_like_data_error(&message);
    if !is_data {
        return LoadError::Syntax {
            file: file.to_string(),
            format,
            line,
            column,
            message,
        };
    }
    let after = |mark: &str| {
        message
            .find(mark)
            .map(|i| message[i + mark.len()..].to_string())
    };
    let (kind, message) = if let Some(m) = after(MARK_BAD_NUMBER) {
        (DataErrorKind::BadNumber, m)
    } else if let Some(m) = after(MARK_BLANK) {
        (DataErrorKind::Blank, m)
    } else {
        (DataErrorKind::Other, message)
    };
    let (key, message) = plain_words(path, message);
    let kind = if kind == DataErrorKind::Other
        && message.starts_with("this key is missing")
        && is_table_key(&key)
    {
        DataErrorKind::Blank
    } else {
        kind
    };
    LoadError::Data {
        file: file.to_string(),
        key,
        line,
        column,
        message,
        kind,
    }
}

fn is_table_key(key: &str) -> bool {
    ["active.", "requests.", "appeals."]
        .iter()
        .any(|p| key.starts_with(p))
}

fn looks_like_data_error(message: &str) -> bool {
    [
        "missing field",
        "unknown field",
        "invalid type",
        "duplicate field",
        "unknown key",
    ]
    .iter()
    .any(|p| message.contains(p))
}

/// Rewrites serde's phrasing ("missing field `x`", "unknown field `x`, expected one of …")
/// into plain words with the full key path.
fn plain_words(path: String, message: String) -> (String, String) {
    let join = |key: &str| {
        if path == "." {
            key.to_string()
        } else if path == key || path.ends_with(&format!(".{key}")) {
            // serde_path_to_error already put an unknown key on the path.
            path.clone()
        } else {
            format!("{path}.{key}")
        }
    };
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return (
            join(key),
            "this key is missing; every key of the format must be given (0 where there is nothing)"
                .into(),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        let expected: Vec<&str> = rest
            .split_once("expected")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return (join(&key), super::unknown_key_message(&key, expected));
    }
    if let Some(rest) = message.strip_prefix("duplicate field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return (join(key), "this key is given twice".into());
    }
    if let Some(rest) = message.strip_prefix("unknown key `") {
        if let Some(key) = rest.split('`').next() {
            return (join(key), message.clone());
        }
    }
    if let Some(rest) = message.strip_prefix("duplicate key `") {
        if let Some(key) = rest.split('`').next() {
            return (join(key), "this key is given twice".into());
        }
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return (
            path,
            format!(
                "wrong type: found {}",
                rest.replacen(", expected", "; expected", 1)
            ),
        );
    }
    (path, message)
}

/// Drops the " at line L column C" that serde_json and YAML put at the end of messages.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => message[..i].to_string(),
        _ => message.to_string(),
    }
}

/// Checks what serde cannot: the edition, and that every row is present.
fn validate(file: &str, report: Report) -> Result<Report, LoadError> {
    let edition = report.edition();
    if edition == Edition::E2019 && report.year.0 >= 2021 {
        return Err(LoadError::Data {
            file: file.to_string(),
            key: "edition".into(),
            line: None,
            column: None,
            message: format!(
                "a report for {} must use the 2021 edition of the format (国办公开办函〔2021〕30号), not the 2019 edition",
                report.year.0
            ),
            kind: DataErrorKind::Edition,
        });
    }
    if edition == Edition::E2019 {
        return Err(LoadError::UnsupportedEdition {
            file: file.to_string(),
            edition,
        });
    }
    let missing: Vec<RequestRow> = RequestRow::rows_of(edition)
        .filter(|r| !report.requests.rows.contains_key(r))
        .collect();
    if let Some(first) = missing.first() {
        let list = missing
            .iter()
            .map(|r| format!("`{}` ({})", r.key(), r.full_label()))
            .collect::<Vec<_>>();
        return Err(LoadError::Data {
            file: file.to_string(),
            key: format!("requests.{}", first.key()),
            line: None,
            column: None,
            message: format!(
                "missing row{} {} of Table 3; blank is not zero: give every row, with 0 where there is nothing",
                if missing.len() > 1 { "s" } else { "" },
                list.join(", ")
            ),
            kind: DataErrorKind::Blank,
        });
    }
    Ok(report)
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
