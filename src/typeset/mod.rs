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
use typst::syntax::{DiagSpanKind, Source};
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
                                role: "the font chosen by Typst".into(),
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

/// Maps a Typst diagnostic to the file (and template) and line it comes from.
fn locate(world: &ReportWorld, diag: &SourceDiagnostic) -> Diagnostic {
    let severity = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let id = match diag.span.get() {
        DiagSpanKind::Number { id, .. } | DiagSpanKind::Range { id, .. } => Some(id),
        DiagSpanKind::Detached => None,
    };
    let mut out = Diagnostic {
        severity,
        message: diag.message.to_string(),
        file: None,
        line: None,
        column: None,
        snippet: None,
        hints: diag.hints.iter().map(|h| h.v.to_string()).collect(),
    };
    if let (Some(id), Some(range)) = (id, world.range(diag.span)) {
        if let Some(source) = world.source_of(id) {
            let lines = source.lines();
            if let Some((line, col)) = lines.byte_to_line_column(range.start) {
                out.line = Some(line + 1);
                out.column = Some(col + 1);
                out.snippet = source.text().lines().nth(line).map(str::to_string);
            }
            out.file = Some(if id == *world::MAIN_ID {
                format!("{MAIN_PATH} (generated by the template {MAIN_TEMPLATE})")
            } else {
                format!("{STYLE_LIBRARY} (the style library)")
            });
        }
    }
    out
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
