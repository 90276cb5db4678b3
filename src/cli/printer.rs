//! The one printer of the command line: messages for people on standard error
//! (colour only on a terminal, source lines under every finding), or one JSON
//! document for programs on standard output.

use std::io::{self, IsTerminal, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use serde_json::json;

use nianbao::check::{Finding, Severity};
use nianbao::model::{LoadError, SourceText};
use nianbao::typeset::TypesetError;
use nianbao::Error;

use super::CliError;

/// How results and errors are printed (`--format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Text for people, on standard error.
    #[default]
    Text,
    /// One JSON document for programs, on standard output.
    Json,
}

/// Prints everything a command says.
pub struct Printer {
    pub format: OutputFormat,
    color: termcolor::ColorChoice,
}

impl Printer {
    pub fn new(format: OutputFormat) -> Printer {
        let color = if io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            termcolor::ColorChoice::Auto
        } else {
            termcolor::ColorChoice::Never
        };
        Printer { format, color }
    }

    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    fn stderr(&self) -> termcolor::StandardStream {
        termcolor::StandardStream::stderr(self.color)
    }

    /// A line for people (what was written, a summary); nothing in JSON mode.
    pub fn note(&self, message: &str) {
        if !self.json() {
            let _ = writeln!(self.stderr(), "{message}");
        }
    }

    /// A warning for people ("warning: …"); nothing in JSON mode.
    pub fn warning(&self, message: &str) {
        if !self.json() {
            self.headed(termcolor::Color::Yellow, "warning", message);
        }
    }

    fn headed(&self, color: termcolor::Color, head: &str, message: &str) {
        use termcolor::WriteColor;
        let mut err = self.stderr();
        let _ = err.set_color(
            termcolor::ColorSpec::new()
                .set_fg(Some(color))
                .set_bold(true),
        );
        let _ = write!(err, "{head}");
        let _ = err.reset();
        let _ = writeln!(err, ": {message}");
    }

    /// The findings of one file, each with its source line (text mode only).
    pub fn findings(&self, source: Option<&SourceText>, findings: &[Finding]) {
        if self.json() {
            return;
        }
        let text = source.map_or("", |s| s.text.as_str());
        let name = findings.first().map_or("", |f| f.file.as_str());
        let file = SimpleFile::new(name.to_string(), text.to_string());
        let config = term::Config::default();
        let err = self.stderr();
        for f in findings {
            let diag = finding_diagnostic(f, !text.is_empty(), findings);
            let _ = term::emit(&mut err.lock(), &config, &file, &diag);
        }
    }

    /// An error, with its source line when it has one; in JSON mode, a document
    /// on standard output.
    pub fn error(&self, error: &CliError) {
        if self.json() {
            let doc = json!({
                "nianbao": nianbao::VERSION,
                "status": "error",
                "errors": [error_json(error)],
            });
            let _ = self.emit_json(&doc);
            return;
        }
        match error {
            CliError::Nianbao(Error::Load(load)) => {
                if let Some((source, span)) = load.span() {
                    let file = SimpleFile::new(source.name.clone(), source.text.clone());
                    let message = match load {
                        LoadError::Syntax { message, .. } => {
                            format!("{} syntax error: {message}", source.format)
                        }
                        e => e.to_string(),
                    };
                    let diag = Diagnostic::error()
                        .with_message(message)
                        .with_labels(vec![Label::primary((), span.clone())]);
                    let _ = term::emit(
                        &mut self.stderr().lock(),
                        &term::Config::default(),
                        &file,
                        &diag,
                    );
                    return;
                }
            }
            CliError::Nianbao(Error::Typeset(TypesetError::Typst { diagnostics })) => {
                self.headed(
                    termcolor::Color::Red,
                    "error",
                    "Typst failed to typeset the report",
                );
                let mut err = self.stderr();
                for d in diagnostics {
                    let _ = writeln!(err, "  {d}");
                }
                return;
            }
            _ => {}
        }
        self.headed(termcolor::Color::Red, "error", &error.to_string());
    }

    /// Writes a JSON document (pretty, one per run) to standard output.
    pub fn emit_json(&self, value: &serde_json::Value) -> Result<(), CliError> {
        let text = serde_json::to_string_pretty(value).expect("JSON values serialize");
        self.stdout(format!("{text}\n").as_bytes())
    }

    /// Writes the command's output to standard output.
    pub fn stdout(&self, bytes: &[u8]) -> Result<(), CliError> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)
            .and_then(|_| out.flush())
            .map_err(CliError::Stdout)
    }
}

/// A finding as a diagnostic: its message, the source line it points at with
/// its place by official labels, then what was expected and found.
fn finding_diagnostic(f: &Finding, has_text: bool, all: &[Finding]) -> Diagnostic<()> {
    let diag = match f.severity {
        Severity::Error => Diagnostic::error(),
        Severity::Warning => Diagnostic::warning(),
    };
    let mut diag = diag.with_code(f.rule.id()).with_message(&f.message);
    let place = f.place();
    let mut notes = Vec::new();
    match (&f.span, has_text) {
        (Some(span), true) => {
            diag = diag.with_labels(vec![Label::primary((), span.clone()).with_message(&place)]);
        }
        _ => {
            notes.push(format!("in {}", f.file));
            if !place.is_empty() {
                notes.push(place);
            }
        }
    }
    if !f.key.is_empty() {
        notes.push(format!("key: `{}`", f.key));
    }
    if let Some(o) = &f.origin {
        notes.push(format!("source: {o}"));
    }
    if let (Some(e), Some(g)) = (&f.expected, &f.found) {
        notes.push(format!("expected {e}, found {g}"));
    }
    if let Some(cause) = f.caused_by.and_then(|i| all.get(i)) {
        notes.push(format!(
            "same cause as the {} finding above ({})",
            cause.rule,
            cause.place()
        ));
    }
    diag.with_notes(notes)
}

/// An error as a JSON object: kind, message and whatever locates it.
pub fn error_json(error: &CliError) -> serde_json::Value {
    let e = match error {
        CliError::Nianbao(e) => e,
        CliError::Usage(m) => return json!({ "kind": "usage", "message": m }),
        CliError::Stdout(e) => return json!({ "kind": "output", "message": e.to_string() }),
    };
    match e {
        Error::Load(l) => {
            let (line, column) = l.line_col().unzip();
            json!({
                "kind": "data",
                "file": l.file(),
                "line": line,
                "column": column,
                "span": l.span().map(|(_, s)| json!({"start": s.start, "end": s.end})),
                "message": l.to_string(),
            })
        }
        Error::Incomplete { file, problems } => json!({
            "kind": "data",
            "file": file,
            "message": e.to_string(),
            "problems": problems.iter().map(|p| json!({
                "key": p.key,
                "kind": p.kind,
                "message": p.message,
            })).collect::<Vec<_>>(),
        }),
        Error::Typeset(TypesetError::MissingGlyphs { missing }) => json!({
            "kind": "missing-glyph",
            "message": e.to_string(),
            "missing": missing,
        }),
        Error::Typeset(t @ TypesetError::Typst { diagnostics }) => json!({
            "kind": "typst",
            "message": t.to_string(),
            "diagnostics": diagnostics,
        }),
        Error::Typeset(t) => json!({ "kind": "font", "message": t.to_string() }),
        Error::Render(r) => json!({ "kind": "template", "message": r.to_string() }),
        Error::Export(x) => json!({ "kind": "output", "message": x.to_string() }),
        Error::Font(f) => json!({ "kind": "font", "message": f.to_string() }),
        Error::Reference { file, source } => json!({
            "kind": "reference",
            "file": file,
            "message": e.to_string(),
            "place": source.place,
            "name": source.name,
            "suggestion": source.suggestion,
        }),
        Error::Seal { path, .. } => {
            json!({ "kind": "seal", "file": path, "message": e.to_string() })
        }
        Error::Batch(b) => json!({ "kind": "batch", "message": b.to_string() }),
        Error::Workbook(w) => json!({ "kind": "workbook", "message": w.to_string() }),
        Error::Import(i) => json!({
            "kind": "import",
            "reason": i.kind(),
            "file": i.file(),
            "message": i.to_string(),
        }),
    }
}
