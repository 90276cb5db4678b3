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
pub mod preview;
pub mod render;
pub mod serve;
pub mod typeset;
pub mod workspace;

use std::path::Path;
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
    /// The data has missing or bad values (R5, R6, R12, KEY): they would print
    /// as placeholders, so nothing is printed.
    #[error("{file}: the data has {} problem{} to fix before it can be printed (first: `{}`: {}); `nianbao check {file}` lists them all", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, .problems[0].key, .problems[0].message)]
    Incomplete {
        file: String,
        problems: Vec<model::Problem>,
    },
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Typeset(#[from] typeset::TypesetError),
    #[error(transparent)]
    Export(#[from] export::ExportError),
    #[error(transparent)]
    Font(#[from] typeset::FontError),
    #[error("{file}: {source}")]
    Reference {
        file: String,
        #[source]
        source: model::refs::RefError,
    },
    #[error("{path}: seal image: {reason}")]
    Seal { path: String, reason: String },
    #[error(transparent)]
    Batch(#[from] batch::BatchError),
}

/// Per-document options.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Role → families, applied after the data's `[fonts]` table.
    pub fonts: Vec<(Role, Vec<String>)>,
    /// A seal image, overriding the data's `seal` (`--seal`, or the seal an
    /// archival copy carries).
    pub seal: Option<SealImage>,
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

/// A report ready for Typst: its source, its seal image, its font roles and,
/// for an archival copy, the data to attach.
pub struct Prepared {
    pub source: String,
    pub seal: Option<SealImage>,
    pub roles: RoleFonts,
    /// The canonical JSON an archival copy carries.
    pub archive_data: Option<Vec<u8>>,
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

    /// The style library, parsed once (shared by every document's world).
    pub(crate) fn library(&self) -> typst::syntax::Source {
        self.library.clone()
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

    /// Writes the Typst source of a report (of an archival copy, with `archive`)
    /// and checks its characters against its fonts.
    pub fn prepare(
        &self,
        loaded: &Loaded,
        options: &RenderOptions,
        archive: bool,
    ) -> Result<Prepared, Error> {
        if !loaded.problems.is_empty() {
            return Err(Error::Incomplete {
                file: loaded.source.name.clone(),
                problems: loaded.problems.clone(),
            });
        }
        let report = &loaded.report;
        let roles = self.roles(report, options);
        let seal = self.seal(loaded, options)?;
        let view =
            ReportView::new(report, seal.as_ref(), archive).map_err(|source| Error::Reference {
                file: loaded.source.name.clone(),
                source,
            })?;
        typeset::check_coverage(&view.runs, &roles, &self.fonts)?;
        let source = render::render_view(&view, &self.templates)?;
        let archive_data = archive.then(|| {
            render::archive::canonical_json(&render::archive::archived_report(
                report,
                &options.fonts,
                seal.as_ref(),
            ))
        });
        Ok(Prepared {
            source,
            seal,
            roles,
            archive_data,
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
        let prepared = self.prepare(loaded, options, export.archive)?;
        let report = &loaded.report;
        let (y, m, d) = export::creation_date(report);
        let mut world = typeset::world(
            prepared.source,
            self.library.clone(),
            &prepared.roles,
            prepared.seal,
            self.fonts.clone(),
            typeset::datetime(y, m, d),
        );
        if let Some(data) = prepared.archive_data {
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

    /// The seal image: given in the options, else the file the data names
    /// (relative to the data file).
    fn seal(&self, loaded: &Loaded, options: &RenderOptions) -> Result<Option<SealImage>, Error> {
        if let Some(seal) = &options.seal {
            return Ok(Some(seal.clone()));
        }
        let Some(p) = &loaded.report.seal else {
            return Ok(None);
        };
        let p = Path::new(p);
        let path = match &loaded.source.dir {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        };
        read_seal(&path).map(Some)
    }
}

/// Reads a seal image (PNG or SVG) with our own code, checking what it is.
pub fn read_seal(path: &Path) -> Result<SealImage, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Seal {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    SealImage::from_bytes(bytes).map_err(|reason| Error::Seal {
        path: path.display().to_string(),
        reason,
    })
}
