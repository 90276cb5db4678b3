//! OFD copies (GB/T 33190-2016, 开放版式文档) of a report, written from the
//! same laid-out pages as the PDF, and GB/T 38540-2020 electronic seals on them.
//!
//! - [`ofd`] writes the package: `pages` turns Typst's frames into page
//!   content, `fonts` embeds font subsets (with a `cmap`), `package` is the
//!   ZIP container, `xml` the one XML writer and escaping function.
//! - [`sign_ofd`] adds a seal ([`seal`] holds the SES ASN.1 structures,
//!   `sign` the files it writes); [`verify_ofd`] checks one (`verify`).

mod fonts;
mod package;
mod pages;
mod raster;
pub mod seal;
mod sign;
mod verify;
mod xml;

use sha2::{Digest, Sha256};
use typst::foundations::{NativeElement, Selector, StyleChain};
use typst::model::HeadingElem;
use typst_layout::PagedDocument;

pub use package::Package;
pub use sign::{sign_ofd, with_signatures_entry, Placement, SealSigner, SealSource, Sm2Identity};
pub use verify::{verify_ofd, OfdVerification, SealReport};

use crate::model::Report;
use crate::render::archive::{DATA_NAME, SEAL_PNG_NAME, SEAL_SVG_NAME};
use crate::typeset::SealImage;
use fonts::FontSet;
use pages::{PageWriter, MM_PER_PT};
use xml::{num, nums, XmlWriter};

/// Why an OFD package could not be written, read, sealed or verified.
#[derive(Debug, thiserror::Error)]
pub enum OfdError {
    /// Writing the package failed.
    #[error("OFD export: {0}")]
    Package(String),
    #[error("OFD export: font {font}: {reason}")]
    Font { font: String, reason: String },
    #[error("OFD export: page {page}: {reason}")]
    Image { page: usize, reason: String },
    /// A file that is not a whole, readable OFD package.
    #[error("{file}: {reason}")]
    Input { file: String, reason: String },
    /// Sealing failed: the package, the key, a certificate or the seal image.
    #[error("{file}: cannot seal: {reason}")]
    Sign { file: String, reason: String },
}

impl OfdError {
    pub(crate) fn input(reason: String) -> OfdError {
        OfdError::Input {
            file: String::new(),
            reason,
        }
    }

    pub(crate) fn sign(reason: impl Into<String>) -> OfdError {
        OfdError::Sign {
            file: String::new(),
            reason: reason.into(),
        }
    }

    /// The error, naming `name` where it did not name a file yet.
    pub fn in_file(mut self, name: &str) -> OfdError {
        if let OfdError::Input { file, .. } | OfdError::Sign { file, .. } = &mut self {
            if file.is_empty() {
                *file = name.to_string();
            }
        }
        self
    }
}

/// What an OFD copy carries besides its pages.
#[derive(Clone, Debug, Default)]
pub struct OfdOptions {
    /// An archival copy: the report's canonical JSON, attached as in the PDF/A-3 copy.
    pub archive_data: Option<Vec<u8>>,
    /// The seal image, attached beside the data in an archival copy.
    pub seal: Option<SealImage>,
}

/// Whether bytes look like an OFD package (a ZIP archive).
pub fn is_ofd(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The package's DocID: 32 hex digits from the PDF's document identifier.
pub fn doc_id(report: &Report) -> String {
    let digest = Sha256::digest(super::document_ident(report).as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the document's files live in the package.
pub const DOC_ROOT: &str = "Doc_0/Document.xml";

/// CustomData names of the report's metadata (GB/T 33190-2016 Table 4).
pub const CUSTOM_AGENCY: &str = "agency";
pub const CUSTOM_YEAR: &str = "year";
pub const CUSTOM_EDITION: &str = "edition";
pub const CUSTOM_VERSION: &str = "nianbao";

/// Writes a report's pages as an OFD package: byte-reproducible (entries in
/// a fixed order, dated the report's date, DocID from the document identifier).
pub fn ofd(
    doc: &PagedDocument,
    report: &Report,
    options: &OfdOptions,
) -> Result<Vec<u8>, OfdError> {
    package(doc, report, options)?.to_zip(super::creation_date(report))
}

/// The package's files, before zipping.
pub fn package(
    doc: &PagedDocument,
    report: &Report,
    options: &OfdOptions,
) -> Result<Package, OfdError> {
    let mut next_id: u32 = 0;
    let page_ids: Vec<u32> = doc
        .pages()
        .iter()
        .map(|_| {
            next_id += 1;
            next_id
        })
        .collect();
    let mut fonts = FontSet::default();
    let mut media = Vec::new();
    let mut contents = Vec::with_capacity(page_ids.len());
    {
        let mut writer = PageWriter::new(&mut next_id, &mut fonts, &mut media);
        for (i, page) in doc.pages().iter().enumerate() {
            contents.push(writer.page(&page.frame, i + 1)?);
        }
    }
    let outline = outline(doc, &page_ids);

    let mut pkg = Package::default();
    pkg.add("OFD.xml", ofd_xml(report));
    // Document.xml goes second; its MaxUnitID is known at the end.
    pkg.add(DOC_ROOT, Vec::new());
    pkg.add("Doc_0/PublicRes.xml", public_res(&fonts));
    if !media.is_empty() {
        pkg.add("Doc_0/DocumentRes.xml", document_res(&media));
    }
    for (i, content) in contents.into_iter().enumerate() {
        pkg.add(format!("Doc_0/Pages/Page_{i}/Content.xml"), content);
    }
    for f in &fonts.fonts {
        pkg.add(
            format!("Doc_0/Res/Font_{}.{}", f.id, f.extension()),
            f.subset()?,
        );
    }
    for m in &media {
        pkg.add(format!("Doc_0/Res/{}", m.file), m.bytes.clone());
    }
    let attached = options.archive_data.is_some();
    if let Some(data) = &options.archive_data {
        let date = super::creation_date(report);
        let mut files: Vec<(&str, &[u8], &str, &str)> = vec![(DATA_NAME, data, "json", "data")];
        if let Some(seal) = &options.seal {
            let (name, format) = if seal.svg {
                (SEAL_SVG_NAME, "svg")
            } else {
                (SEAL_PNG_NAME, "png")
            };
            files.push((name, seal.bytes.as_slice(), format, "source"));
        }
        let mut w = XmlWriter::new("Attachments", &[]);
        for (i, (name, bytes, format, usage)) in files.iter().enumerate() {
            let date = format!("{:04}-{:02}-{:02}T00:00:00", date.0, date.1, date.2);
            let size = num(bytes.len() as f64 / 1024.0);
            w.start(
                "Attachment",
                &[
                    ("ID", &format!("a{}", i + 1)),
                    ("Name", name),
                    ("Format", format),
                    ("CreationDate", &date),
                    ("Size", &size),
                    ("Visible", "true"),
                    ("Usage", usage),
                ],
            );
            w.leaf("FileLoc", &[], name);
            w.end();
        }
        pkg.add("Doc_0/Attachs/Attachments.xml", w.finish());
        for (name, bytes, ..) in files {
            pkg.add(format!("Doc_0/Attachs/{name}"), bytes.to_vec());
        }
    }

    let first = doc.pages().first().map(|p| p.frame.size());
    let (w, h) = first.map_or((210.0, 297.0), |s| {
        (s.x.to_pt() * MM_PER_PT, s.y.to_pt() * MM_PER_PT)
    });
    let mut d = XmlWriter::new("Document", &[]);
    d.start("CommonData", &[]);
    d.leaf("MaxUnitID", &[], &next_id.to_string());
    d.start("PageArea", &[]);
    d.leaf("PhysicalBox", &[], &nums(&[0.0, 0.0, w, h]));
    d.end();
    d.leaf("PublicRes", &[], "PublicRes.xml");
    if !media.is_empty() {
        d.leaf("DocumentRes", &[], "DocumentRes.xml");
    }
    d.end();
    d.start("Pages", &[]);
    for (i, id) in page_ids.iter().enumerate() {
        d.empty(
            "Page",
            &[
                ("ID", &id.to_string()),
                ("BaseLoc", &format!("Pages/Page_{i}/Content.xml")),
            ],
        );
    }
    d.end();
    if !outline.is_empty() {
        d.start("Outlines", &[]);
        for o in &outline {
            d.start("OutlineElem", &[("Title", &o.title)]);
            d.start("Actions", &[]);
            d.start("Action", &[("Event", "CLICK")]);
            d.start("Goto", &[]);
            d.empty(
                "Dest",
                &[
                    ("Type", "XYZ"),
                    ("PageID", &o.page_id.to_string()),
                    ("Left", &num(o.left)),
                    ("Top", &num(o.top)),
                ],
            );
            d.end();
            d.end();
            d.end();
            d.end();
        }
        d.end();
    }
    if attached {
        d.leaf("Attachments", &[], "Attachs/Attachments.xml");
    }
    pkg.set(DOC_ROOT, d.finish());
    Ok(pkg)
}

/// OFD.xml: the entry point, with the document's information.
fn ofd_xml(report: &Report) -> Vec<u8> {
    let (y, m, d) = super::creation_date(report);
    let mut w = XmlWriter::new("OFD", &[("Version", "1.0"), ("DocType", "OFD")]);
    w.start("DocBody", &[]);
    w.start("DocInfo", &[]);
    w.leaf("DocID", &[], &doc_id(report));
    w.leaf("Title", &[], &report.title());
    w.leaf("Author", &[], &report.agency);
    w.leaf("CreationDate", &[], &format!("{y:04}-{m:02}-{d:02}"));
    w.leaf("Creator", &[], "nianbao");
    w.leaf("CreatorVersion", &[], crate::VERSION);
    w.start("CustomDatas", &[]);
    let year = report.year.0.to_string();
    for (name, value) in [
        (CUSTOM_AGENCY, report.agency.as_str()),
        (CUSTOM_YEAR, year.as_str()),
        (CUSTOM_EDITION, report.edition().as_str()),
        (CUSTOM_VERSION, crate::VERSION),
    ] {
        w.leaf("CustomData", &[("Name", name)], value);
    }
    w.end();
    w.end();
    w.leaf("DocRoot", &[], DOC_ROOT);
    w.finish()
}

/// PublicRes.xml: the embedded fonts.
fn public_res(fonts: &FontSet) -> Vec<u8> {
    let mut w = XmlWriter::new("Res", &[("BaseLoc", "Res")]);
    if !fonts.fonts.is_empty() {
        w.start("Fonts", &[]);
        for f in &fonts.fonts {
            let mut attrs = vec![
                ("ID".to_string(), f.id.to_string()),
                ("FontName".to_string(), f.name()),
                ("FamilyName".to_string(), f.family()),
            ];
            if f.is_bold() {
                attrs.push(("Bold".into(), "true".into()));
            }
            if f.is_italic() {
                attrs.push(("Italic".into(), "true".into()));
            }
            let attrs: Vec<(&str, &str)> = attrs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            w.start("Font", &attrs);
            w.leaf("FontFile", &[], &format!("Font_{}.{}", f.id, f.extension()));
            w.end();
        }
        w.end();
    }
    w.finish()
}

/// DocumentRes.xml: the images.
fn document_res(media: &[pages::Media]) -> Vec<u8> {
    let mut w = XmlWriter::new("Res", &[("BaseLoc", "Res")]);
    w.start("MultiMedias", &[]);
    for m in media {
        w.start(
            "MultiMedia",
            &[
                ("ID", &m.id.to_string()),
                ("Type", "Image"),
                ("Format", m.format),
            ],
        );
        w.leaf("MediaFile", &[], &m.file);
        w.end();
    }
    w.end();
    w.finish()
}

/// One entry of the outline: a level-1 heading (一、… 六、).
struct OutlineEntry {
    title: String,
    page_id: u32,
    left: f64,
    top: f64,
}

/// The document's outline: its headings, where they are (the PDF's bookmarks).
fn outline(doc: &PagedDocument, page_ids: &[u32]) -> Vec<OutlineEntry> {
    let introspector = doc.introspector();
    let headings = introspector
        .elements()
        .query(&Selector::Elem(HeadingElem::ELEM, None));
    let mut out = Vec::new();
    for h in headings.iter() {
        let Some(heading) = h.to_packed::<HeadingElem>() else {
            continue;
        };
        // As the PDF's bookmarks: item headings are tagged for accessibility
        // but kept out of the outline.
        let bookmarked = heading
            .bookmarked
            .get(StyleChain::default())
            .unwrap_or_else(|| heading.outlined.get(StyleChain::default()));
        if !bookmarked {
            continue;
        }
        let Some(pos) = h.location().and_then(|l| introspector.position(l)) else {
            continue;
        };
        let Some(&page_id) = page_ids.get(pos.page.get() - 1) else {
            continue;
        };
        out.push(OutlineEntry {
            title: heading.body.plain_text().to_string(),
            page_id,
            left: pos.point.x.to_pt() * MM_PER_PT,
            top: pos.point.y.to_pt() * MM_PER_PT,
        });
    }
    out
}

/// The version of nianbao that wrote an OFD copy and the data it carries.
pub fn extract_data(name: &str, bytes: &[u8]) -> Result<super::Extracted, OfdError> {
    let pkg = Package::from_zip(bytes).map_err(|e| e.in_file(name))?;
    extract_from(&pkg).map_err(|e| e.in_file(name))
}

pub(crate) fn extract_from(pkg: &Package) -> Result<super::Extracted, OfdError> {
    let attachment = |n: &str| pkg.get(&format!("Doc_0/Attachs/{n}")).map(|b| b.to_vec());
    let Some(data) = attachment(DATA_NAME) else {
        return Err(OfdError::input(format!(
            "the OFD carries no report data ({DATA_NAME}); it is not an archival copy made with `nianbao render --ofd --archive`"
        )));
    };
    let version = custom_data(pkg, CUSTOM_VERSION);
    let seal = attachment(SEAL_PNG_NAME)
        .map(|b| (SEAL_PNG_NAME.to_string(), b))
        .or_else(|| attachment(SEAL_SVG_NAME).map(|b| (SEAL_SVG_NAME.to_string(), b)));
    Ok(super::Extracted {
        data,
        version,
        seal,
        // An OFD copy declares no PDF standard.
        standards: Vec::new(),
    })
}

/// A CustomData value of OFD.xml.
pub fn custom_data(pkg: &Package, name: &str) -> Option<String> {
    let text = std::str::from_utf8(pkg.get("OFD.xml")?).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    doc.descendants()
        .filter(|n| n.has_tag_name((xml::NAMESPACE, "CustomData")))
        .find(|n| n.attribute("Name") == Some(name))
        .and_then(|n| n.text())
        .map(str::to_string)
}
