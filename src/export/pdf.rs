//! PDF options and metadata: the PDF/A standard, a stable document identifier
//! and creation date (the same data gives the same bytes), and the export itself.

use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use super::ExportError;
use crate::model::Report;
use crate::typeset::Diagnostic;

/// A PDF standard Typst's exporter enforces (a glyph missing from a font, an
/// image without alternative text, or anything else the standard forbids, is
/// then an export error). At most one PDF/A level, optionally with PDF/UA-1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PdfStandard {
    /// PDF/A-2b (ISO 19005-2, level B: the pages look the same forever).
    A2b,
    /// PDF/A-2a (ISO 19005-2, level A: also tagged, every text with its Unicode).
    A2a,
    /// PDF/A-3b (ISO 19005-3, level B): PDF/A-2b plus attached files.
    A3b,
    /// PDF/A-3a (ISO 19005-3, level A): PDF/A-2a plus attached files.
    A3a,
    /// PDF/UA-1 (ISO 14289-1): accessible (tagged structure, language, title, alternative texts).
    Ua1,
}

impl PdfStandard {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PdfStandard::A2b => "a-2b",
            PdfStandard::A2a => "a-2a",
            PdfStandard::A3b => "a-3b",
            PdfStandard::A3a => "a-3a",
            PdfStandard::Ua1 => "ua-1",
        }
    }

    /// Whether this is a PDF/A level (not PDF/UA).
    pub fn is_archival(self) -> bool {
        self != PdfStandard::Ua1
    }

    /// Whether this PDF/A level may carry attached files (PDF/A-3).
    fn allows_attachments(self) -> bool {
        matches!(self, PdfStandard::A3b | PdfStandard::A3a)
    }

    fn typst(self) -> typst_pdf::PdfStandard {
        match self {
            PdfStandard::A2b => typst_pdf::PdfStandard::A_2b,
            PdfStandard::A2a => typst_pdf::PdfStandard::A_2a,
            PdfStandard::A3b => typst_pdf::PdfStandard::A_3b,
            PdfStandard::A3a => typst_pdf::PdfStandard::A_3a,
            PdfStandard::Ua1 => typst_pdf::PdfStandard::Ua_1,
        }
    }
}

impl std::fmt::Display for PdfStandard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for PdfStandard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let all = [
            PdfStandard::A2b,
            PdfStandard::A2a,
            PdfStandard::A3b,
            PdfStandard::A3a,
            PdfStandard::Ua1,
        ];
        let wanted = s.trim().to_ascii_lowercase();
        all.into_iter().find(|p| p.name() == wanted).ok_or_else(|| {
            format!("unknown PDF standard `{s}`; use a-2b, a-2a, a-3b, a-3a or ua-1 (PDF/UA-1 combines with one PDF/A level: --pdf-standard a-2b,ua-1)")
        })
    }
}

/// How a report's PDF is exported: the options `render` and `batch` pass through
/// [`crate::Publisher::render_with`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// The standards to conform to (`--pdf-standard`): at most one PDF/A level,
    /// and PDF/UA-1.
    pub standards: Vec<PdfStandard>,
    /// An archival copy (`--archive`): PDF/A-3b (or the PDF/A-3 level given)
    /// with the report's data attached as canonical JSON (and the seal image,
    /// when there is one).
    pub archive: bool,
    /// An OFD package (GB/T 33190) instead of a PDF (`--ofd`; with `archive`,
    /// the data attached as OFD Attachments).
    pub ofd: bool,
}

impl ExportOptions {
    /// The archival-copy options.
    pub fn archive() -> ExportOptions {
        ExportOptions {
            standards: vec![PdfStandard::A3b],
            archive: true,
            ofd: false,
        }
    }

    /// Whether the PDF is to conform to PDF/UA-1.
    pub fn accessible(&self) -> bool {
        self.standards.contains(&PdfStandard::Ua1)
    }

    /// The standards in force (the PDF/A level first, then PDF/UA-1), checking
    /// the options agree with each other.
    pub fn effective_standards(&self) -> Result<Vec<PdfStandard>, ExportError> {
        if self.ofd && !self.standards.is_empty() {
            return Err(ExportError::Options(
                "--pdf-standard applies to PDFs; an OFD copy (--ofd) has none".into(),
            ));
        }
        let archival: Vec<PdfStandard> = {
            let mut a: Vec<PdfStandard> = self
                .standards
                .iter()
                .copied()
                .filter(|s| s.is_archival())
                .collect();
            a.dedup();
            a
        };
        let level = match archival.as_slice() {
            [] => None,
            [one] => Some(*one),
            [a, b, ..] => {
                return Err(ExportError::Options(format!(
                    "choose one PDF/A level, not both {a} and {b}"
                )))
            }
        };
        let level = match (self.archive, level) {
            (true, Some(l)) if !l.allows_attachments() => {
                return Err(ExportError::Options(format!(
                    "--archive makes a PDF/A-3b copy (PDF/A-3a with --pdf-standard a-3a): PDF/A-2 cannot carry the data; leave out --pdf-standard {l}"
                )))
            }
            (true, None) => Some(PdfStandard::A3b),
            (_, l) => l,
        };
        let mut out: Vec<PdfStandard> = level.into_iter().collect();
        if self.accessible() {
            out.push(PdfStandard::Ua1);
        }
        Ok(out)
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
    let standards = export.effective_standards()?;
    let standards = if standards.is_empty() {
        PdfStandards::default()
    } else {
        let list: Vec<typst_pdf::PdfStandard> = standards.iter().map(|s| s.typst()).collect();
        PdfStandards::new(&list).map_err(|e| ExportError::Options(e.message().to_string()))?
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
