//! PDF options and metadata: the PDF/A standard, a stable document identifier
//! and creation date (the same data gives the same bytes), and the export itself.

use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use super::ExportError;
use crate::model::Report;
use crate::typeset::Diagnostic;

/// A PDF/A conformance level Typst's exporter enforces (a glyph missing from a
/// font, or anything else the standard forbids, is then an export error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PdfStandard {
    /// PDF/A-2b (ISO 19005-2, level B).
    A2b,
    /// PDF/A-3b (ISO 19005-3, level B): PDF/A-2b plus attached files.
    A3b,
}

impl std::str::FromStr for PdfStandard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "a-2b" => Ok(PdfStandard::A2b),
            "a-3b" => Ok(PdfStandard::A3b),
            _ => Err(format!("unknown PDF standard `{s}`; use a-2b or a-3b")),
        }
    }
}

/// How a report's PDF is exported: the options `render` and `batch` pass through
/// [`crate::Publisher::render_with`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Conform to a PDF/A standard (`--pdf-standard`).
    pub standard: Option<PdfStandard>,
    /// An archival copy (`--archive`): PDF/A-3b with the report's data attached
    /// as canonical JSON (and the seal image, when there is one).
    pub archive: bool,
    /// An OFD package (GB/T 33190) instead of a PDF (`--ofd`; with `archive`,
    /// the data attached as OFD Attachments).
    pub ofd: bool,
}

impl ExportOptions {
    /// The archival-copy options.
    pub fn archive() -> ExportOptions {
        ExportOptions {
            standard: Some(PdfStandard::A3b),
            archive: true,
            ofd: false,
        }
    }

    /// The standard in force, checking the options agree with each other.
    pub fn effective_standard(&self) -> Result<Option<PdfStandard>, ExportError> {
        if self.ofd && self.standard.is_some() {
            return Err(ExportError::Options(
                "--pdf-standard applies to PDFs; an OFD copy (--ofd) has none".into(),
            ));
        }
        match (self.archive, self.standard) {
            (true, Some(PdfStandard::A2b)) => Err(ExportError::Options(
                "--archive makes a PDF/A-3b copy (PDF/A-2b cannot carry the data); leave out --pdf-standard a-2b".into(),
            )),
            (true, _) => Ok(Some(PdfStandard::A3b)),
            (false, s) => Ok(s),
        }
    }
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

/// Exports pages as PDF bytes, to a PDF/A standard when the options ask for one.
pub fn pdf_with(
    doc: &PagedDocument,
    report: &Report,
    export: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    let standards = match export.effective_standard()? {
        None => PdfStandards::default(),
        Some(s) => PdfStandards::new(&[match s {
            PdfStandard::A2b => typst_pdf::PdfStandard::A_2b,
            PdfStandard::A3b => typst_pdf::PdfStandard::A_3b,
        }])
        .map_err(|e| ExportError::Options(e.message().to_string()))?,
    };
    let (y, m, d) = creation_date(report);
    let timestamp = crate::typeset::datetime(y, m, d).map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(document_ident(report)),
        creator: Smart::Custom(Some(format!("nianbao {}", env!("CARGO_PKG_VERSION")))),
        timestamp,
        page_ranges: None,
        standards,
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
                    trace: Vec::new(),
                })
                .collect(),
        )
    })
}
