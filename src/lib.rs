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

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use model::{Loaded, Report};
use render::{ReportView, Templates};
use typeset::{FontStore, Role, RoleFonts, SealImage};
use typst_layout::PagedDocument;

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
    /// Every paragraph as set on the grid, in printed order.
    pub paragraphs: Vec<typeset::lines::SetParagraph>,
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

    /// Writes the Typst source of a report (of an archival copy, with `archive`)
    /// and checks its characters against its fonts. The paragraphs are set on
    /// the grid; a paragraph's short last line left alone at the top of a page
    /// is pulled back where the paragraph can be set a line shorter, which
    /// takes a layout to see (see [`typeset::lines::widows`]).
    pub fn prepare(
        &self,
        loaded: &Loaded,
        options: &RenderOptions,
        archive: bool,
    ) -> Result<Prepared, Error> {
        let mut timings = Timings::default();
        Ok(self
            .prepare_and_compile(loaded, options, archive, &mut timings)?
            .0)
    }

    /// The source of a report with the paragraphs in `fewest` set in as few
    /// lines as they can.
    fn prepare_with(
        &self,
        loaded: &Loaded,
        options: &RenderOptions,
        archive: bool,
        fewest: &BTreeSet<usize>,
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
        let setter =
            typeset::lines::Setter::new(typeset::lines::Metrics::new(&roles, &self.fonts), fewest);
        let view = ReportView::new(report, seal.as_ref(), archive, setter).map_err(|source| {
            Error::Reference {
                file: loaded.source.name.clone(),
                source,
            }
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
            paragraphs: view.paragraphs,
        })
    }

    /// Compiles a prepared report.
    fn compile(&self, report: &Report, prepared: &Prepared) -> Result<PagedDocument, Error> {
        let (y, m, d) = export::creation_date(report);
        let mut world = typeset::world(
            prepared.source.clone(),
            self.library.clone(),
            &prepared.roles,
            prepared.seal.clone(),
            self.fonts.clone(),
            typeset::datetime(y, m, d),
        );
        if let Some(data) = &prepared.archive_data {
            world = world.with_archive_data(typst::foundations::Bytes::new(data.clone()));
        }
        Ok(typeset::compile(&world)?)
    }

    /// Prepares and compiles a report, then pulls back widow lines: the
    /// paragraphs that end alone at the top of a page are set in fewer lines
    /// where they can be (compressing punctuation, never stretching more
    /// lines), and the report is compiled again, until no widow line can be
    /// pulled back (at most three more times). Adds the time of each step to
    /// `timings`.
    fn prepare_and_compile(
        &self,
        loaded: &Loaded,
        options: &RenderOptions,
        archive: bool,
        timings: &mut Timings,
    ) -> Result<(Prepared, PagedDocument), Error> {
        let mut fewest = BTreeSet::new();
        let started = std::time::Instant::now();
        let mut prepared = self.prepare_with(loaded, options, archive, &fewest)?;
        let prepared_at = std::time::Instant::now();
        timings.template += prepared_at - started;
        let mut doc = self.compile(&loaded.report, &prepared)?;
        timings.layout += prepared_at.elapsed();
        for _ in 0..3 {
            let widows = typeset::lines::widows(&doc, &prepared.paragraphs);
            let before = fewest.len();
            fewest.extend(widows);
            if fewest.len() == before {
                break;
            }
            let started = std::time::Instant::now();
            let tighter = self.prepare_with(loaded, options, archive, &fewest)?;
            let prepared_at = std::time::Instant::now();
            timings.template += prepared_at - started;
            let shorter = fewest
                .iter()
                .any(|&k| tighter.paragraphs[k].line_count() < prepared.paragraphs[k].line_count());
            if !shorter {
                break;
            }
            doc = self.compile(&loaded.report, &tighter)?;
            timings.layout += prepared_at.elapsed();
            prepared = tighter;
        }
        Ok((prepared, doc))
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
        let mut timings = Timings::default();
        let (_, doc) = self.prepare_and_compile(loaded, options, export.archive, &mut timings)?;
        let laid_out_at = std::time::Instant::now();
        let pdf = export::pdf_with(&doc, &loaded.report, export)?;
        timings.export = laid_out_at.elapsed();
        Ok(Rendered {
            pages: doc.pages().len(),
            pdf,
            timings,
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
