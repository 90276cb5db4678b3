//! Errors for people (text, colour only on a terminal) and for programs (JSON).

use std::io::IsTerminal;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use serde_json::json;

use nianbao::model::LoadError;
use nianbao::typeset::TypesetError;
use nianbao::Error;

/// How messages are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

/// Prints errors and notes on standard error in the chosen format.
pub struct Reporter {
    pub format: OutputFormat,
}

impl Reporter {
    pub fn new(format: OutputFormat) -> Reporter {
        Reporter { format }
    }

    fn color(&self) -> termcolor::ColorChoice {
        if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            termcolor::ColorChoice::Auto
        } else {
            termcolor::ColorChoice::Never
        }
    }

    /// Prints an error.
    pub fn error(&self, error: &Error) {
        match self.format {
            OutputFormat::Json => {
                let doc = json!({ "status": "error", "errors": [error_json(error)] });
                eprintln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            }
            OutputFormat::Text => self.error_text(error),
        }
    }

    fn error_text(&self, error: &Error) {
        if let Error::Load(load) = error {
            if let Some(snippet) = load_snippet(load) {
                let writer = termcolor::StandardStream::stderr(self.color());
                let config = term::Config::default();
                let (file, diag) = snippet;
                if term::emit(&mut writer.lock(), &config, &file, &diag).is_ok() {
                    return;
                }
            }
        }
        let mut stderr = termcolor::StandardStream::stderr(self.color());
        use std::io::Write;
        use termcolor::WriteColor;
        let _ = stderr.set_color(
            termcolor::ColorSpec::new()
                .set_fg(Some(termcolor::Color::Red))
                .set_bold(true),
        );
        let _ = write!(stderr, "error");
        let _ = stderr.reset();
        let _ = writeln!(stderr, ": {error}");
    }

    /// A note on standard error (e.g. what was written).
    pub fn note(&self, message: &str) {
        if self.format == OutputFormat::Text {
            eprintln!("{message}");
        }
    }
}

/// The error as a JSON object: kind, message and whatever locates it.
pub fn error_json(error: &Error) -> serde_json::Value {
    match error {
        Error::Load(e) => {
            let (line, column) = e.line_col();
            json!({
                "kind": "data",
                "file": e.file(),
                "key": e.key(),
                "line": line,
                "column": column,
                "message": e.to_string(),
            })
        }
        Error::Typeset(TypesetError::MissingGlyphs { missing }) => json!({
            "kind": "missing-glyph",
            "message": error.to_string(),
            "missing": missing,
        }),
        Error::Typeset(e @ TypesetError::Typst { diagnostics }) => json!({
            "kind": "typst",
            "message": e.to_string(),
            "diagnostics": diagnostics,
        }),
        Error::Typeset(e) => json!({ "kind": "font", "message": e.to_string() }),
        Error::Render(e) => json!({ "kind": "template", "message": e.to_string() }),
        Error::Export(e) => json!({ "kind": "output", "message": e.to_string() }),
        Error::Font(e) => json!({ "kind": "font", "message": e.to_string() }),
        Error::Reference(r) => {
            json!({ "kind": "reference", "message": error.to_string(), "place": r.place, "name": r.name, "suggestion": r.suggestion })
        }
        Error::Seal { .. } => json!({ "kind": "seal", "message": error.to_string() }),
    }
}

/// A cargo-style snippet for a data error with a line and column, when the file can be read.
fn load_snippet(e: &LoadError) -> Option<(SimpleFile<String, String>, Diagnostic<()>)> {
    let (Some(line), Some(column)) = e.line_col() else {
        return None;
    };
    let text = std::fs::read_to_string(e.file()).ok()?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let line_text = text[start..].split('\n').next().unwrap_or_default();
    let offset = start
        + line_text
            .char_indices()
            .nth(column - 1)
            .map_or(line_text.len(), |(i, _)| i);
    let end = text[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    let (title, detail) = match e {
        LoadError::Data { key, message, .. } => (format!("`{key}`: {message}"), "here".to_string()),
        LoadError::Syntax {
            format, message, ..
        } => (
            format!("{format} syntax error: {message}"),
            "here".to_string(),
        ),
        _ => return None,
    };
    let file = SimpleFile::new(e.file().to_string(), text);
    let diag = Diagnostic::error()
        .with_message(title)
        .with_labels(vec![Label::primary((), offset..end).with_message(detail)]);
    Some((file, diag))
}
