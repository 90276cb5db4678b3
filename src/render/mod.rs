//! Writes the Typst source of a report: minijinja templates fed with a view of
//! the report in which every value prints as a Typst literal. The same view
//! also becomes a portal web page ([`render_html`]), through a template whose
//! every value is HTML-escaped.

pub mod archive;
mod literal;
mod view;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use minijinja::{Environment, ErrorKind, Value};

pub use literal::typst_string;
pub use view::{ReportView, TextRun};

/// The template that writes the main Typst file.
pub const MAIN_TEMPLATE: &str = "report.typ.j2";
/// The Typst style library the main file imports.
pub const STYLE_LIBRARY: &str = "nianbao.typ";
/// The template that writes the portal web page (HTML).
pub const HTML_TEMPLATE: &str = "report.html.j2";

/// The templates compiled into the binary, with their names.
const EMBEDDED: &[(&str, &str)] = &[
    (MAIN_TEMPLATE, include_str!("../../templates/report.typ.j2")),
    (STYLE_LIBRARY, include_str!("../../templates/nianbao.typ")),
    (
        HTML_TEMPLATE,
        include_str!("../../templates/report.html.j2"),
    ),
];

/// Why the Typst source could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}:{line}: {message}", line = .line.map_or("?".to_string(), |l| l.to_string()))]
    Template {
        name: String,
        line: Option<usize>,
        message: String,
    },
    #[error("cannot read the template {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        let mut message = e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string());
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        RenderError::Template {
            name: e.name().unwrap_or(MAIN_TEMPLATE).to_string(),
            line: e.line(),
            message,
        }
    }
}

impl RenderError {
    /// A copy of a stored error (the environment is built once; its error is reported each time).
    fn duplicate(&self) -> RenderError {
        match self {
            RenderError::Template {
                name,
                line,
                message,
            } => RenderError::Template {
                name: name.clone(),
                line: *line,
                message: message.clone(),
            },
            RenderError::Io { path, source } => RenderError::Io {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
        }
    }
}

/// A minijinja environment built once, on first use, with its error kept.
type Shared = Arc<OnceLock<Result<Environment<'static>, RenderError>>>;

/// The templates in use: the embedded ones, each replaceable from a directory.
/// The minijinja environments (Typst and HTML) are built (and their templates
/// parsed) once, on first use, and shared by every document.
#[derive(Clone, Debug, Default)]
pub struct Templates {
    overrides: Vec<(String, String, PathBuf)>,
    environment: Shared,
    html_environment: Shared,
}

impl Templates {
    /// The embedded templates.
    pub fn embedded() -> Templates {
        Templates::default()
    }

    /// The embedded templates, with any of them found in `dir` taking their place.
    pub fn with_dir(dir: &Path) -> Result<Templates, RenderError> {
        let mut overrides = Vec::new();
        if !dir.is_dir() {
            return Err(RenderError::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        for (name, _) in EMBEDDED {
            let path = dir.join(name);
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|source| RenderError::Io {
                    path: path.clone(),
                    source,
                })?;
                overrides.push((name.to_string(), text, path));
            }
        }
        Ok(Templates {
            overrides,
            environment: Arc::default(),
            html_environment: Arc::default(),
        })
    }

    /// The text of a template by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.overrides
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, _)| t.as_str())
            .or_else(|| EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t))
    }

    /// The Typst style library's text.
    pub fn style_library(&self) -> &str {
        self.get(STYLE_LIBRARY).unwrap_or_default()
    }
}

/// Writes the Typst source of a prepared view.
pub fn render_view(view: &ReportView, templates: &Templates) -> Result<String, RenderError> {
    let env = templates
        .environment
        .get_or_init(|| environment(templates).map_err(RenderError::from))
        .as_ref()
        .map_err(RenderError::duplicate)?;
    let tmpl = env.get_template(MAIN_TEMPLATE)?;
    Ok(tmpl.render(Value::from_serialize(view))?)
}

/// Writes the portal web page of a prepared view: one self-contained HTML
/// document (UTF-8, no script, no external resource).
pub fn render_html(view: &ReportView, templates: &Templates) -> Result<String, RenderError> {
    let env = templates
        .html_environment
        .get_or_init(|| html_environment(templates).map_err(RenderError::from))
        .as_ref()
        .map_err(RenderError::duplicate)?;
    let tmpl = env.get_template(HTML_TEMPLATE)?;
    Ok(tmpl.render(Value::from_serialize(view))?)
}

/// The HTML environment: minijinja's HTML auto-escaping, the one escaping
/// function of the web page, applies to every printed value.
fn html_environment(templates: &Templates) -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let text = templates.get(HTML_TEMPLATE).unwrap_or_default().to_string();
    env.add_template_owned(HTML_TEMPLATE, Cow::Owned(text))?;
    Ok(env)
}

/// The minijinja environment: every printed value becomes a Typst literal.
fn environment(templates: &Templates) -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    // Auto-escaping in a mode of our own: the formatter below prints every
    // value as a Typst literal, and macro output (already Typst) counts as safe.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Custom("typst"));
    env.set_formatter(|out, _state, value| {
        let text = literal::typst_literal(value)?;
        out.write_str(&text)
            .map_err(|_| minijinja::Error::from(ErrorKind::WriteFailure))
    });
    env.add_filter("raw", |v: Value| -> Result<Value, minijinja::Error> {
        // Only for values the program itself writes (the version): never data.
        match v.as_str() {
            Some(s)
                if s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c)) =>
            {
                Ok(Value::from_safe_string(s.to_string()))
            }
            _ => Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                "raw takes a version string only",
            )),
        }
    });
    let main = templates.get(MAIN_TEMPLATE).unwrap_or_default().to_string();
    env.add_template_owned(MAIN_TEMPLATE, Cow::Owned(main))?;
    Ok(env)
}
