//! PDF export: metadata, a stable document identifier and creation date, and
//! writing files atomically.

use std::io::Write;
use std::path::Path;

use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::model::Report;
use crate::typeset::Diagnostic;

/// Why a PDF could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("PDF export failed: {}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; "))]
    Pdf(Vec<Diagnostic>),
    #[error("{path}: cannot write the output: {reason}")]
    Write { path: String, reason: String },
}

/// The stable identifier of a report's PDF: agency, year and title, never the
/// same for two agencies and never changing between runs.
pub fn document_ident(report: &Report) -> String {
    format!(
        "nianbao\u{1f}{}\u{1f}{}\u{1f}{}",
        report.agency,
        report.year.0,
        report.title()
    )
}

/// The creation date of the PDF: the report's date, else the last day of the
/// report year (never the clock, so the bytes are reproducible).
pub fn creation_date(report: &Report) -> (u16, u8, u8) {
    match report.date {
        Some(d) => (d.year, d.month, d.day),
        None => (report.year.0, 12, 31),
    }
}

/// Exports pages as PDF bytes.
pub fn pdf(doc: &PagedDocument, report: &Report) -> Result<Vec<u8>, ExportError> {
    let (y, m, d) = creation_date(report);
    let timestamp = crate::typeset::datetime(y, m, d).map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(document_ident(report)),
        creator: Smart::Custom(Some(format!("nianbao {}", env!("CARGO_PKG_VERSION")))),
        timestamp,
        page_ranges: None,
        standards: PdfStandards::default(),
        tagged: true,
        pretty: false,
    };
    typst_pdf::pdf(doc, &options).map_err(|diags| {
        ExportError::Pdf(
            diags
                .iter()
                .map(|d| Diagnostic {
                    severity: "error",
                    message: d.message.to_string(),
                    file: None,
                    line: None,
                    column: None,
                    snippet: None,
                    hints: d.hints.iter().map(|h| h.v.to_string()).collect(),
                })
                .collect(),
        )
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
