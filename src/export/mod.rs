//! Export: the PDF and its options ([`pdf_with`], [`ExportOptions`]), writing
//! files atomically ([`write_atomic`]), archival copies ([`extract_data`]: the
//! data out again), PAdES signatures ([`sign_pdf`]) and their verification
//! ([`verify_pdf`]), print bundles of many reports ([`BundleBuilder`]), over
//! a small PDF object layer (`pdfdoc`) and the X.509/CMS pieces both use ([`x509`], `cms`).

mod archive;
mod bundle;
mod cms;
pub mod ofd;
mod pdf;
mod pdfdoc;
mod sign;
mod tsa;
mod verify;
pub mod x509;

pub use archive::{extract_data, Extracted};
pub use bundle::{BundleBookmark, BundleBuilder, Placed};
pub use pdf::{creation_date, document_ident, pdf_with, ExportOptions, PdfStandard};
pub use sign::{sign_pdf, Signer};
pub use verify::{
    verify_pdf, ArchiveReport, CertReport, Rerender, SignatureReport, TimestampReport,
    Verification, VerifyOptions,
};

use std::io::Write;
use std::path::Path;

use crate::typeset::Diagnostic;

/// Why a PDF could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("PDF export failed: {}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; "))]
    Pdf(Vec<Diagnostic>),
    #[error("{path}: cannot write the output: {reason}")]
    Write { path: String, reason: String },
    #[error("{0}")]
    Options(String),
    /// A file that cannot be read, or is not a whole, readable PDF.
    #[error("{file}: {reason}")]
    Input { file: String, reason: String },
    /// Signing failed: the PDF, the key or a certificate (the file it concerns).
    #[error("{file}: cannot sign: {reason}")]
    Sign { file: String, reason: String },
    /// The file is not an archival copy, or its data cannot be taken out.
    #[error("{file}: {reason}")]
    Archive { file: String, reason: String },
    /// An OFD copy could not be written, sealed or read ([`ofd`]).
    #[error(transparent)]
    Ofd(#[from] ofd::OfdError),
}

impl ExportError {
    pub(crate) fn input(reason: impl Into<String>) -> ExportError {
        ExportError::Input {
            file: String::new(),
            reason: reason.into(),
        }
    }

    pub(crate) fn sign(reason: impl Into<String>) -> ExportError {
        ExportError::Sign {
            file: String::new(),
            reason: reason.into(),
        }
    }

    pub(crate) fn archive(reason: impl Into<String>) -> ExportError {
        ExportError::Archive {
            file: String::new(),
            reason: reason.into(),
        }
    }

    /// The error, naming `file` where it did not name one yet.
    pub(crate) fn in_file(mut self, name: &str) -> ExportError {
        if let ExportError::Input { file, .. }
        | ExportError::Sign { file, .. }
        | ExportError::Archive { file, .. } = &mut self
        {
            if file.is_empty() {
                *file = name.to_string();
            }
        }
        self
    }
}

/// A page as a PNG image at `pixels_per_point` (typst-render), for previews.
///
/// Encoded with one filter for every row (`Up`) instead of tiny-skia's
/// adaptive choice: measured on a page of Table 3 (benches/serve.rs, dev
/// profile), 40 ms instead of 81–106 ms for a file 2 % larger (the png crate's
/// `Fast` modes were slower here and three to thirteen times larger). Pages
/// are painted on white, so every pixel is opaque and its premultiplied colour
/// (tiny-skia's) is its colour: the pixels are written as they are.
pub fn png(page: &typst_layout::Page, pixels_per_point: f32) -> Option<Vec<u8>> {
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(pixels_per_point as f64),
        render_bleed: false,
    };
    let pixmap = typst_render::render(page, &options);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    encoder.set_filter(png::Filter::Up);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(pixmap.data()).ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// Reads a PDF (or any input file) whole, with an error naming it.
pub fn read_pdf(path: &Path) -> Result<Vec<u8>, ExportError> {
    std::fs::read(path).map_err(|e| ExportError::Input {
        file: path.display().to_string(),
        reason: format!("cannot read the file: {e}"),
    })
}

/// Writes bytes to `path` atomically: a temporary file in the same directory,
/// then a rename, so a failure never leaves a half-written file where a good
/// one is expected.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let err = |reason: String| ExportError::Write {
        path: path.display().to_string(),
        reason,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(err(format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    if path.is_dir() {
        return Err(err("it is a directory".into()));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".nianbao-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| err(format!("cannot create a file in {}: {e}", dir.display())))?;
    tmp.write_all(bytes).map_err(|e| err(e.to_string()))?;
    tmp.as_file().sync_all().map_err(|e| err(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path).map_err(|e| err(e.error.to_string()))?;
    Ok(())
}
