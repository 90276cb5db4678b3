//! nianbao publishes Chinese government information-disclosure annual reports
//! (政府信息公开工作年度报告) as PDFs in the official layout.
//!
//! The pipeline runs in one direction, one module per step:
//!
//! ```text
//! DATA ─model::load─▶ Report ─check─▶ findings ─render─▶ Typst source
//!      ─typeset─▶ pages ─export─▶ PDF bytes
//! ```
//!
//! [`Publisher`] holds what is shared by every document (fonts, templates) and
//! runs the steps; the command-line tool is a thin layer over it.

pub mod batch;
pub mod check;
pub mod export;
pub mod model;
pub mod render;
pub mod typeset;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use model::{Loaded, Report};
use render::{ReportView, Templates};
use typeset::{FontStore, Role, RoleFonts, SealImage};

/// The nianbao version, written into PDFs and manifests.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything that can go wrong between a data file and a PDF.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] model::LoadError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Typeset(#[from] typeset::TypesetError),
    #[error(transparent)]
    Export(#[from] export::ExportError),
    #[error(transparent)]
    Font(#[from] typeset::FontError),
    #[error(transparent)]
    Reference(#[from] render::RefError),
    #[error("seal image {path}: {reason}")]
    Seal { path: String, reason: String },
}

/// Per-document options.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Role → families, applied after the data's `[fonts]` table.
    pub fonts: Vec<(Role, Vec<String>)>,
    /// A seal image, overriding the data's `seal` (`--seal`).
    pub seal: Option<PathBuf>,
}

/// A rendered report.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Where the time went.
    pub timings: Timings,
}

/// Wall time of the steps of one render.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// References, view, coverage check and templates (our own work).
    pub template: std::time::Duration,
    /// Typst: evaluation and layout.
    pub layout: std::time::Duration,
    /// Typst: PDF export.
    pub export: std::time::Duration,
}

/// A report ready for Typst: its source and its seal image.
pub struct Prepared {
    pub source: String,
    pub seal: Option<SealImage>,
    pub roles: RoleFonts,
}

/// Holds the fonts and templates shared by every document it publishes.
#[derive(Clone)]
pub struct Publisher {
    fonts: Arc<FontStore>,
    templates: Templates,
    /// The style library, parsed once.
    library: typst::syntax::Source,
}

impl Publisher {
    pub fn new(fonts: Arc<FontStore>, templates: Templates) -> Publisher {
        let library = typeset::library_source(templates.style_library());
        Publisher {
            fonts,
            templates,
            library,
        }
    }

    /// The bundled fonts and templates.
    pub fn embedded() -> Publisher {
        Publisher::new(Arc::new(FontStore::embedded()), Templates::embedded())
    }

    pub fn fonts(&self) -> &Arc<FontStore> {
        &self.fonts
    }

    /// The text of the Typst style library in use (embedded or from --templates).
    pub fn style_library(&self) -> &str {
        self.templates.style_library()
    }

    /// The role chains for a report: defaults, then its `[fonts]`, then the options.
    pub fn roles(&self, report: &Report, options: &RenderOptions) -> RoleFonts {
        let mut roles = RoleFonts::default();
        roles.apply(&report.fonts);
        for (role, chain) in &options.fonts {
            roles.set(*role, chain.clone());
        }
        roles
    }

    /// Writes the Typst source of a report and checks its characters against its fonts.
    pub fn prepare(&self, loaded: &Loaded, options: &RenderOptions) -> Result<Prepared, Error> {
        let report = render::refs::expand_report(&loaded.report)?;
        let roles = self.roles(&report, options);
        let seal = self.seal(loaded, options)?;
        let view = ReportView::new(&report, seal.as_ref().map(|s| s.virtual_path()));
        typeset::check_coverage(&view.runs, &roles, &self.fonts)?;
        let source = render::render_view(&view, &self.templates)?;
        Ok(Prepared {
            source,
            seal,
            roles,
        })
    }

    /// Renders a loaded report to PDF bytes.
    pub fn render(&self, loaded: &Loaded, options: &RenderOptions) -> Result<Rendered, Error> {
        self.render_with(loaded, options, &export::ExportOptions::default())
    }

    /// Renders a loaded report to PDF bytes with export options: a PDF/A
    /// standard, or an archival copy (PDF/A-3b with the data attached).
    pub fn render_with(
        &self,
        loaded: &Loaded,
        options: &RenderOptions,
        export: &export::ExportOptions,
    ) -> Result<Rendered, Error> {
        export.effective_standard()?;
        let started = std::time::Instant::now();
        let prepared = self.prepare(loaded, options)?;
        let report = &loaded.report;
        let (y, m, d) = export::creation_date(report);
        let mut source = prepared.source;
        let archive_data = export.archive.then(|| {
            let archived =
                export::archive::archived_report(report, &options.fonts, prepared.seal.as_ref());
            source.push_str(&export::archive::attach_markup(prepared.seal.as_ref()));
            export::archive::canonical_json(&archived)
        });
        let mut world = typeset::world(
            source,
            self.library.clone(),
            &prepared.roles,
            prepared.seal,
            self.fonts.clone(),
            typeset::datetime(y, m, d),
        );
        if let Some(data) = archive_data {
            world = world.with_archive_data(typst::foundations::Bytes::new(data));
        }
        let prepared_at = std::time::Instant::now();
        let doc = typeset::compile(&world)?;
        let laid_out_at = std::time::Instant::now();
        let pdf = export::pdf_with(&doc, report, export)?;
        Ok(Rendered {
            pages: doc.pages().len(),
            pdf,
            timings: Timings {
                template: prepared_at - started,
                layout: laid_out_at - prepared_at,
                export: laid_out_at.elapsed(),
            },
        })
    }

    /// Reads the seal image named by `--seal` or the data (relative to the data file).
    fn seal(&self, loaded: &Loaded, options: &RenderOptions) -> Result<Option<SealImage>, Error> {
        let path = match (&options.seal, &loaded.report.seal) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => {
                let p = Path::new(p);
                match &loaded.source.dir {
                    Some(dir) if p.is_relative() => dir.join(p),
                    _ => p.to_path_buf(),
                }
            }
            (None, None) => return Ok(None),
        };
        read_seal(&path).map(Some)
    }
}

/// Reads a seal image (PNG or SVG) with our own code, checking what it is.
pub fn read_seal(path: &Path) -> Result<SealImage, Error> {
    let err = |reason: String| Error::Seal {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let svg = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        false
    } else if std::str::from_utf8(&bytes).is_ok_and(|t| t.contains("<svg")) {
        true
    } else {
        return Err(err("not a PNG or SVG image".into()));
    };
    Ok(SealImage {
        bytes: typst::foundations::Bytes::new(bytes),
        svg,
    })
}
