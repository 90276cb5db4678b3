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
pub mod import;
pub mod model;
pub mod preview;
pub mod render;
pub mod serve;
pub mod typeset;
pub mod workbook;
pub mod workspace;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use model::{Format, LoadError, Loaded, Report};
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
    #[error(transparent)]
    Workbook(#[from] workbook::WorkbookError),
    #[error(transparent)]
    Import(#[from] import::ImportError),
}

/// Whether nianbao reads a file as report data, by its extension: TOML, JSON,
/// YAML, or a workbook (.xlsx, .xls, .ods).
pub fn is_data_path(path: &Path) -> bool {
    Format::from_path(path).is_some() || workbook::is_workbook_path(path)
}

/// Loads a report from any data file nianbao reads: a workbook (.xlsx, .xls,
/// .ods, told by its content), or TOML, JSON or YAML text (by `format`, else
/// the extension). `-` reads standard input (TOML unless `format` or the
/// content says otherwise). Check, render, batch and import all load through
/// here.
pub fn load_data(path: &Path, format: Option<Format>) -> Result<Loaded, Error> {
    let stdin = path == Path::new("-");
    let name = model::display_name(path);
    if !stdin && path.is_dir() {
        return Err(LoadError::IsDirectory { file: name }.into());
    }
    let format = format
        .or_else(|| Format::from_path(path))
        .or(stdin.then_some(Format::Toml));
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
        match std::fs::read(path) {
            Ok(bytes) => bytes,
            // A file of no known kind that cannot be read: say what it is not.
            Err(_) if format.is_none() && !workbook::is_workbook_path(path) => {
                return Err(LoadError::UnknownFormat { file: name }.into())
            }
            Err(source) => {
                return Err(LoadError::Io {
                    file: name.clone(),
                    source,
                }
                .into())
            }
        }
    };
    let dir = if stdin {
        std::env::current_dir().ok()
    } else {
        Some(path.parent().map(Path::to_path_buf).unwrap_or_default())
    };
    load_data_bytes(name, dir, bytes, path, format)
}

/// Loads a report from bytes already read (a batch hashes them first), as
/// [`load_data`] does: a workbook by its content, else text in `format`.
pub fn load_data_bytes(
    name: String,
    dir: Option<PathBuf>,
    bytes: Vec<u8>,
    path: &Path,
    format: Option<Format>,
) -> Result<Loaded, Error> {
    if workbook::sniff(&bytes).is_some() || workbook::is_workbook_path(path) {
        return Ok(workbook::read(&name, dir, bytes)?);
    }
    match format {
        Some(format) => Ok(model::load_bytes(name, dir, bytes, format)?),
        None => Err(LoadError::UnknownFormat { file: name }.into()),
    }
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
    /// The output file: a PDF, or an OFD package with `ExportOptions::ofd`.
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

    /// Writes a loaded report as a portal web page: one self-contained HTML
    /// document from the same view the PDF is printed from.
    pub fn render_html(&self, loaded: &Loaded) -> Result<String, Error> {
        if !loaded.problems.is_empty() {
            return Err(Error::Incomplete {
                file: loaded.source.name.clone(),
                problems: loaded.problems.clone(),
            });
        }
        let view = ReportView::new(&loaded.report, None, false, typeset::lines::Setter::plain())
            .map_err(|source| Error::Reference {
                file: loaded.source.name.clone(),
                source,
            })?;
        Ok(render::render_html(&view, &self.templates)?)
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
    /// standard, or an archival copy (PDF/A-3b with the data attached); or,
    /// with `export.ofd`, to an OFD package from the same pages.
    pub fn render_with(
        &self,
        loaded: &Loaded,
        options: &RenderOptions,
        export: &export::ExportOptions,
    ) -> Result<Rendered, Error> {
        export.effective_standards()?;
        let mut timings = Timings::default();
        let (prepared, doc) =
            self.prepare_and_compile(loaded, options, export.archive, &mut timings)?;
        let laid_out_at = std::time::Instant::now();
        let pdf = if export.ofd {
            let ofd_options = export::ofd::OfdOptions {
                archive_data: prepared.archive_data,
                seal: prepared.seal,
            };
            export::ofd::ofd(&doc, &loaded.report, &ofd_options)
                .map_err(export::ExportError::from)?
        } else {
            export::pdf_with(&doc, &loaded.report, export)?
        };
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
