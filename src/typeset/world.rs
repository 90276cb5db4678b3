//! Our `typst::World`: the generated main file, the embedded style library,
//! the seal image (read by our code), and the shared fonts. Nothing else: no
//! other file, no packages, no network.

use std::sync::{Arc, LazyLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::FontStore;

/// The fixed virtual paths of every document (Typst interns file ids globally,
/// so they must not vary per report).
pub const MAIN_PATH: &str = "/main.typ";
pub const LIBRARY_PATH: &str = "/nianbao.typ";
pub const SEAL_PNG_PATH: &str = "/seal.png";
pub const SEAL_SVG_PATH: &str = "/seal.svg";
/// The font chains of the roles, as a Typst module the style library imports.
pub const ROLES_PATH: &str = "/roles.typ";
/// The report's data in an archival copy (canonical JSON, attached to the PDF).
pub const ARCHIVE_DATA_PATH: &str = "/nianbao-data.json";

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

pub(crate) static MAIN_ID: LazyLock<FileId> = LazyLock::new(|| file_id(MAIN_PATH));
pub(crate) static LIBRARY_ID: LazyLock<FileId> = LazyLock::new(|| file_id(LIBRARY_PATH));
pub(crate) static ROLES_ID: LazyLock<FileId> = LazyLock::new(|| file_id(ROLES_PATH));
static SEAL_PNG_ID: LazyLock<FileId> = LazyLock::new(|| file_id(SEAL_PNG_PATH));
static SEAL_SVG_ID: LazyLock<FileId> = LazyLock::new(|| file_id(SEAL_SVG_PATH));
static ARCHIVE_DATA_ID: LazyLock<FileId> = LazyLock::new(|| file_id(ARCHIVE_DATA_PATH));

/// The standard library, built once, with Typst's accessibility additions
/// (`pdf.header-cell`: row header cells of the tables; `typst compile
/// --features a11y-extras` for a `--project`).
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| {
    let features = [typst::Feature::A11yExtras].into_iter().collect();
    LazyHash::new(Library::builder().with_features(features).build())
});

/// A seal image, read by our code.
#[derive(Clone, Debug)]
pub struct SealImage {
    pub bytes: Bytes,
    pub svg: bool,
}

impl SealImage {
    /// A seal image from its bytes: PNG or SVG, or an error saying what it is not.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<SealImage, String> {
        let svg = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            false
        } else if std::str::from_utf8(&bytes).is_ok_and(|t| t.contains("<svg")) {
            true
        } else {
            return Err("not a PNG or SVG image".into());
        };
        Ok(SealImage {
            bytes: Bytes::new(bytes),
            svg,
        })
    }

    /// The virtual path at which the document finds the image.
    pub fn virtual_path(&self) -> &'static str {
        if self.svg {
            SEAL_SVG_PATH
        } else {
            SEAL_PNG_PATH
        }
    }
}

/// The style library's source, parsed once and shared by every document (a
/// `Source` is reference-counted and keeps its parse tree and hash).
pub fn library_source(text: &str) -> Source {
    Source::new(*LIBRARY_ID, text.to_string())
}

/// The world one report is compiled in.
pub struct ReportWorld {
    main: Source,
    library_source: Source,
    roles_source: Source,
    seal: Option<SealImage>,
    fonts: Arc<FontStore>,
    today: Option<Datetime>,
    /// The bytes served at [`ARCHIVE_DATA_PATH`], for archival copies.
    archive_data: Option<Bytes>,
}

impl ReportWorld {
    /// Serves `bytes` at [`ARCHIVE_DATA_PATH`] (the data of an archival copy).
    pub fn with_archive_data(mut self, bytes: Bytes) -> ReportWorld {
        self.archive_data = Some(bytes);
        self
    }

    pub fn new(
        main_text: String,
        library: Source,
        roles_text: String,
        seal: Option<SealImage>,
        fonts: Arc<FontStore>,
        today: Option<Datetime>,
    ) -> ReportWorld {
        ReportWorld {
            main: Source::new(*MAIN_ID, main_text),
            library_source: library,
            roles_source: Source::new(*ROLES_ID, roles_text),
            seal,
            fonts,
            today,
            archive_data: None,
        }
    }

    /// Replaces the text of the main file in place (an incremental reparse
    /// that keeps the spans of what did not change, so that comemo reuses the
    /// layout of every unchanged part when the world is compiled again).
    pub fn set_main(&mut self, text: &str) {
        self.main.replace(text);
    }

    /// The source a diagnostic points into, if it is one of ours.
    pub fn source_of(&self, id: FileId) -> Option<&Source> {
        if id == *MAIN_ID {
            Some(&self.main)
        } else if id == *LIBRARY_ID {
            Some(&self.library_source)
        } else if id == *ROLES_ID {
            Some(&self.roles_source)
        } else {
            None
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.source_of(id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(source) = self.source_of(id) {
            return Ok(Bytes::from_string(source.clone()));
        }
        if id == *ARCHIVE_DATA_ID {
            if let Some(bytes) = &self.archive_data {
                return Ok(bytes.clone());
            }
        }
        match &self.seal {
            Some(seal) if (id == *SEAL_PNG_ID && !seal.svg) || (id == *SEAL_SVG_ID && seal.svg) => {
                Ok(seal.bytes.clone())
            }
            _ => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
