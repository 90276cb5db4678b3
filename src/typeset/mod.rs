//! Typesetting: font coverage, our World, compiling the generated source into
//! pages, and Typst's diagnostics mapped back to the template file and line.

mod fonts;
pub mod lines;
mod world;

use std::fmt;
use std::sync::Arc;

use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::Datetime;
use typst::layout::{Frame, FrameItem};
use typst::syntax::{DiagSpan, DiagSpanKind, Source};
use typst::WorldExt;
use typst_layout::PagedDocument;

pub use fonts::{
    FontEntry, FontError, FontOptions, FontOrigin, FontStore, Role, RoleFonts, EMBEDDED_FONTS,
};
pub use world::{
    library_source, ReportWorld, SealImage, ARCHIVE_DATA_PATH, LIBRARY_PATH, MAIN_PATH, ROLES_PATH,
    SEAL_PNG_PATH, SEAL_SVG_PATH,
};

use crate::render::{TextRun, MAIN_TEMPLATE, STYLE_LIBRARY};

/// One Typst diagnostic, located in our sources.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: &'static str,
    pub message: String,
    /// The generated file or the style library, with the template it comes from.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The source line, for context.
    pub snippet: Option<String>,
    pub hints: Vec<String>,
    /// The calls that led to it, innermost first: "file:line:col: while calling `x`".
    pub trace: Vec<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: ")?,
            (Some(file), _, _) => write!(f, "{file}: ")?,
            _ => {}
        }
        write!(f, "{}: {}", self.severity, self.message)?;
        if let Some(s) = &self.snippet {
            write!(f, "\n    | {}", s.trim_end())?;
        }
        for t in &self.trace {
            write!(f, "\n    = {t}")?;
        }
        for h in &self.hints {
            write!(f, "\n    = hint: {h}")?;
        }
        Ok(())
    }
}

/// Why a report could not be typeset.
#[derive(Debug, thiserror::Error)]
pub enum TypesetError {
    #[error("{}", missing_glyphs_message(.missing))]
    MissingGlyphs { missing: Vec<MissingGlyph> },
    #[error("font role {role}: {message}")]
    FontRole { role: Role, message: String },
    #[error("Typst failed to typeset the report:\n{}", join(.diagnostics))]
    Typst { diagnostics: Vec<Diagnostic> },
}

fn join(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A character no font of its role can show.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MissingGlyph {
    pub character: char,
    /// Where it occurs: key path or table cell.
    pub place: String,
    pub role: String,
    pub fonts: Vec<String>,
}

fn missing_glyphs_message(missing: &[MissingGlyph]) -> String {
    let mut out = String::from("characters that the fonts of their role cannot show:");
    for m in missing {
        out.push_str(&format!(
            "\n  '{}' (U+{:04X}) in {}: not in the {} fonts [{}]",
            m.character,
            m.character as u32,
            m.place,
            m.role,
            m.fonts.join(", ")
        ));
    }
    out.push_str("\n  hint: add a font that has these characters with --font-dir DIR and put it in the role's chain (--font ROLE=FAMILY,…), or replace the characters");
    out
}

/// Checks that every character of every text run has a glyph in a font of its
/// role's chain, and that every family of every chain exists.
pub fn check_coverage(
    runs: &[TextRun],
    roles: &RoleFonts,
    fonts: &FontStore,
) -> Result<(), TypesetError> {
    for role in Role::ALL {
        let chain = roles.chain(role);
        if chain.is_empty() {
            return Err(TypesetError::FontRole {
                role,
                message: "no font family given".into(),
            });
        }
        for family in chain {
            if !fonts.has_family(family) {
                return Err(TypesetError::FontRole {
                    role,
                    message: format!(
                        "no font has the family name \"{family}\"; the families available are: {} (add fonts with --font-dir DIR; `nianbao fonts` lists them)",
                        fonts.families().join(", ")
                    ),
                });
            }
        }
    }
    let mut missing: Vec<MissingGlyph> = Vec::new();
    // The faces of each role, looked up once.
    let faces: Vec<(Role, Vec<&FontEntry>)> = Role::ALL
        .iter()
        .map(|&role| {
            let chain = roles.chain(role);
            (
                role,
                chain.iter().filter_map(|f| fonts.select(f, role)).collect(),
            )
        })
        .collect();
    for run in runs {
        let chain = roles.chain(run.role);
        let faces = &faces
            .iter()
            .find(|(r, _)| *r == run.role)
            .expect("every role")
            .1;
        for c in run.text.chars() {
            if c.is_whitespace() || c.is_control() || is_invisible(c) {
                continue;
            }
            let covered = faces.iter().any(|e| e.covers(c));
            if !covered
                && !missing
                    .iter()
                    .any(|m| m.character == c && m.place == run.place)
            {
                missing.push(MissingGlyph {
                    character: c,
                    place: run.place.clone(),
                    role: run.role.describe().to_string(),
                    fonts: chain.to_vec(),
                });
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(TypesetError::MissingGlyphs { missing })
    }
}

/// Format characters that print nothing (zero-width joiners and the like).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Compiles a world into pages. Any Typst warning fails the render.
pub fn compile(world: &ReportWorld) -> Result<PagedDocument, TypesetError> {
    let warned = typst::compile::<PagedDocument>(world);
    let mut diagnostics: Vec<Diagnostic> =
        warned.warnings.iter().map(|d| locate(world, d)).collect();
    match warned.output {
        Ok(doc) if diagnostics.is_empty() => {
            let missing = notdef_glyphs(&doc);
            if missing.is_empty() {
                Ok(doc)
            } else {
                Err(TypesetError::MissingGlyphs { missing })
            }
        }
        Ok(_) => Err(TypesetError::Typst { diagnostics }),
        Err(errors) => {
            diagnostics.splice(0..0, errors.iter().map(|d| locate(world, d)));
            Err(TypesetError::Typst { diagnostics })
        }
    }
}

/// Glyphs that came out as .notdef (a blank box): a safety net behind `check_coverage`.
fn notdef_glyphs(doc: &PagedDocument) -> Vec<MissingGlyph> {
    fn walk(frame: &Frame, page: usize, out: &mut Vec<MissingGlyph>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(g) => walk(&g.frame, page, out),
                FrameItem::Text(t) => {
                    for g in t.glyphs.iter().filter(|g| g.id == 0) {
                        let c = t.text[g.range()].chars().next().unwrap_or('\u{FFFD}');
                        if !c.is_whitespace() && !out.iter().any(|m| m.character == c) {
                            out.push(MissingGlyph {
                                character: c,
                                place: format!("page {page}, in \"{}\"", t.text),
                                role: "font chosen by Typst".into(),
                                fonts: vec![t.font.font().info().family.clone()],
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        walk(&page.frame, i + 1, &mut out);
    }
    out
}

/// Where a span is in our sources: the file (with the template it comes from),
/// 1-based line and column, and the source line.
struct SourcePlace {
    file: String,
    line: usize,
    column: usize,
    snippet: Option<String>,
}

fn source_place(world: &ReportWorld, span: impl Into<DiagSpan> + Copy) -> Option<SourcePlace> {
    let id = match span.into().get() {
        DiagSpanKind::Number { id, .. } | DiagSpanKind::Range { id, .. } => id,
        DiagSpanKind::Detached => return None,
    };
    let range = world.range(span)?;
    let source = world.source_of(id)?;
    let (line, col) = source.lines().byte_to_line_column(range.start)?;
    let file = if id == *world::MAIN_ID {
        format!("{MAIN_PATH} (generated by the template {MAIN_TEMPLATE})")
    } else if id == *world::ROLES_ID {
        format!("{ROLES_PATH} (the font roles)")
    } else {
        format!("{STYLE_LIBRARY} (the style library)")
    };
    Some(SourcePlace {
        file,
        line: line + 1,
        column: col + 1,
        snippet: source.text().lines().nth(line).map(str::to_string),
    })
}

/// Maps a Typst diagnostic to the file (and template) and line it comes from,
/// with its trace: the calls that led to it, as typst-cli prints them.
fn locate(world: &ReportWorld, diag: &SourceDiagnostic) -> Diagnostic {
    let severity = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let place = source_place(world, diag.span);
    let trace = diag
        .trace
        .iter()
        .map(|t| match source_place(world, t.span) {
            Some(p) => format!("{}:{}:{}: {}", p.file, p.line, p.column, t.v),
            None => t.v.to_string(),
        })
        .collect();
    Diagnostic {
        severity,
        message: diag.message.to_string(),
        file: place.as_ref().map(|p| p.file.clone()),
        line: place.as_ref().map(|p| p.line),
        column: place.as_ref().map(|p| p.column),
        snippet: place.and_then(|p| p.snippet),
        hints: diag.hints.iter().map(|h| h.v.to_string()).collect(),
        trace,
    }
}

/// The creation date given to Typst and to the PDF.
pub fn datetime(year: u16, month: u8, day: u8) -> Option<Datetime> {
    Datetime::from_ymd(year as i32, month, day)
}

/// Builds a world for one document.
pub fn world(
    main: String,
    library: Source,
    roles: &RoleFonts,
    seal: Option<SealImage>,
    fonts: Arc<FontStore>,
    today: Option<Datetime>,
) -> ReportWorld {
    ReportWorld::new(main, library, roles.typst_module(), seal, fonts, today)
}
