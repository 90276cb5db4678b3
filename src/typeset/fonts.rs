//! Fonts: the bundled Fandol family, fonts added by directory or from the
//! system (found with fontdb), and the font roles of the official layout.

use std::fmt;
use std::path::PathBuf;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo, FontWeight};
use typst::utils::LazyHash;

use crate::model::FontRoles;

/// The fonts compiled into the binary (the Fandol family, GPL with font exception).
pub const EMBEDDED_FONTS: &[(&str, &[u8])] = &[
    (
        "FandolSong-Regular.otf",
        include_bytes!("../../fonts/fandol/FandolSong-Regular.otf"),
    ),
    (
        "FandolSong-Bold.otf",
        include_bytes!("../../fonts/fandol/FandolSong-Bold.otf"),
    ),
    (
        "FandolHei-Regular.otf",
        include_bytes!("../../fonts/fandol/FandolHei-Regular.otf"),
    ),
    (
        "FandolHei-Bold.otf",
        include_bytes!("../../fonts/fandol/FandolHei-Bold.otf"),
    ),
    (
        "FandolKai-Regular.otf",
        include_bytes!("../../fonts/fandol/FandolKai-Regular.otf"),
    ),
    (
        "FandolFang-Regular.otf",
        include_bytes!("../../fonts/fandol/FandolFang-Regular.otf"),
    ),
];

/// A font role of the official layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 标题: 小标宋 (方正小标宋简体).
    Title,
    /// 正文: 仿宋 (仿宋_GB2312); also levels 3–4, signature and date.
    Body,
    /// 一级标题 (一、): 黑体.
    Heading1,
    /// 二级标题 (（一）): 楷体 (楷体_GB2312).
    Heading2,
    /// 表格: 宋体.
    Table,
    /// 页码: 宋体.
    PageNumber,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Title,
        Role::Body,
        Role::Heading1,
        Role::Heading2,
        Role::Table,
        Role::PageNumber,
    ];

    /// The role's name in `[fonts]`, `--font` and the Typst library.
    pub fn key(self) -> &'static str {
        match self {
            Role::Title => "title",
            Role::Body => "body",
            Role::Heading1 => "heading1",
            Role::Heading2 => "heading2",
            Role::Table => "table",
            Role::PageNumber => "page_number",
        }
    }

    /// The role's name in the Typst library.
    fn typst_key(self) -> &'static str {
        match self {
            Role::PageNumber => "page-number",
            other => other.key(),
        }
    }

    /// What the role is, in the words of the standard.
    pub fn describe(self) -> &'static str {
        match self {
            Role::Title => "title (小标宋, 二号)",
            Role::Body => "body (仿宋, 三号)",
            Role::Heading1 => "heading 1 (黑体, 三号)",
            Role::Heading2 => "heading 2 (楷体, 三号)",
            Role::Table => "tables (宋体)",
            Role::PageNumber => "page numbers (宋体, 四号)",
        }
    }

    /// The weight the layout asks for in this role.
    pub fn weight(self) -> FontWeight {
        match self {
            Role::Title => FontWeight::BOLD,
            _ => FontWeight::REGULAR,
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == key || r.typst_key() == key)
    }

    /// The default chain: the bundled Fandol fonts.
    fn default_chain(self) -> Vec<String> {
        let family = match self {
            Role::Title | Role::Table | Role::PageNumber => "FandolSong",
            Role::Body => "FandolFang R",
            Role::Heading1 => "FandolHei",
            Role::Heading2 => "FandolKai",
        };
        vec![family.to_string()]
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The font families of every role, each an ordered fallback chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleFonts {
    chains: Vec<(Role, Vec<String>)>,
}

impl Default for RoleFonts {
    fn default() -> Self {
        RoleFonts {
            chains: Role::ALL.iter().map(|r| (*r, r.default_chain())).collect(),
        }
    }
}

impl RoleFonts {
    /// The chain of a role.
    pub fn chain(&self, role: Role) -> &[String] {
        self.chains
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| c.as_slice())
            .unwrap_or(&[])
    }

    /// Replaces a role's chain.
    pub fn set(&mut self, role: Role, families: Vec<String>) {
        for (r, c) in &mut self.chains {
            if *r == role {
                *c = families.clone();
            }
        }
    }

    /// Applies a `[fonts]` table from the data.
    pub fn apply(&mut self, roles: &FontRoles) {
        let given = [
            (Role::Title, &roles.title),
            (Role::Body, &roles.body),
            (Role::Heading1, &roles.heading1),
            (Role::Heading2, &roles.heading2),
            (Role::Table, &roles.table),
            (Role::PageNumber, &roles.page_number),
        ];
        for (role, chain) in given {
            if let Some(chain) = chain {
                self.set(role, chain.clone());
            }
        }
    }

    /// Parses `ROLE=Family A,Family B` (the `--font` flag).
    pub fn parse_assignment(text: &str) -> Result<(Role, Vec<String>), String> {
        let (role, families) = text.split_once('=').ok_or_else(|| {
            format!(
                "`{text}`: expected ROLE=FAMILY[,FAMILY…], e.g. body=FangSong_GB2312,FandolFang R"
            )
        })?;
        let role = Role::from_key(role.trim()).ok_or_else(|| {
            format!(
                "unknown font role `{}`; the roles are {}",
                role.trim(),
                Role::ALL
                    .iter()
                    .map(|r| r.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let families: Vec<String> = families
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        if families.is_empty() {
            return Err(format!("`{text}`: give at least one font family"));
        }
        Ok((role, families))
    }

    /// The Typst module served at `/roles.typ`: `#let fonts = (body: ("…",), …)`.
    /// Family names are data, so each is a quoted Typst string.
    pub fn typst_module(&self) -> String {
        let mut out = String::from(
            "// The font chain of each role (generated by nianbao).\n#let fonts = (\n",
        );
        for (role, chain) in &self.chains {
            let families: Vec<String> = chain
                .iter()
                .map(|f| crate::render::typst_string(f))
                .collect();
            out.push_str(&format!(
                "  {}: ({},),\n",
                crate::render::typst_string(role.typst_key()),
                families.join(", ")
            ));
        }
        out.push_str(")\n");
        out
    }
}

/// Where a font was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FontOrigin {
    /// Bundled in the binary (file name under fonts/).
    Embedded(&'static str),
    /// A file found with fontdb, in a `--font-dir` or the system's fonts.
    File(PathBuf),
}

impl fmt::Display for FontOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FontOrigin::Embedded(name) => write!(f, "embedded fonts/fandol/{name}"),
            FontOrigin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One font face: parsed once, shared by every document.
#[derive(Clone, Debug)]
pub struct FontEntry {
    pub font: Font,
    /// The face's metadata as the book sees it (weights corrected, see `corrected_info`).
    pub info: FontInfo,
    pub origin: FontOrigin,
    /// The covered code points as sorted ranges, built on first use: Typst's
    /// `Coverage::contains` scans linearly, too slow for checking every
    /// character of every report.
    covered: std::sync::OnceLock<Vec<(u32, u32)>>,
}

impl FontEntry {
    fn new(font: Font, origin: FontOrigin) -> FontEntry {
        let info = corrected_info(&font);
        FontEntry {
            font,
            info,
            origin,
            covered: std::sync::OnceLock::new(),
        }
    }

    /// Whether the face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        let ranges = self.covered.get_or_init(|| {
            let mut ranges: Vec<(u32, u32)> = Vec::new();
            for cp in self.info.coverage.iter() {
                match ranges.last_mut() {
                    Some((_, end)) if *end + 1 == cp => *end = cp,
                    _ => ranges.push((cp, cp)),
                }
            }
            ranges
        });
        let c = c as u32;
        let i = ranges.partition_point(|&(_, end)| end < c);
        ranges.get(i).is_some_and(|&(start, _)| start <= c)
    }
}

/// Why fonts could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("font directory {}: {reason}", path.display())]
    Directory { path: PathBuf, reason: String },
    #[error("font file {}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
}

/// All fonts available to documents, with their book. Built once; shared (`Arc`)
/// by every document and every worker.
#[derive(Debug)]
pub struct FontStore {
    entries: Vec<FontEntry>,
    book: LazyHash<FontBook>,
}

/// Options for building a font store.
#[derive(Clone, Debug, Default)]
pub struct FontOptions {
    /// Directories searched (recursively) for .ttf/.otf/.ttc/.otc files.
    pub dirs: Vec<PathBuf>,
    /// Also use the fonts installed on the system.
    pub system: bool,
}

impl FontStore {
    /// The bundled fonts only.
    pub fn embedded() -> FontStore {
        FontStore::new(&FontOptions::default()).expect("the bundled fonts load")
    }

    /// The bundled fonts plus those found in the given directories (and the system's).
    ///
    /// Fonts from the user come first, so a family the user supplies takes the
    /// place of a bundled family of the same name.
    pub fn new(options: &FontOptions) -> Result<FontStore, FontError> {
        let mut entries = Vec::new();
        let mut db = fontdb::Database::new();
        for dir in &options.dirs {
            if !dir.is_dir() {
                return Err(FontError::Directory {
                    path: dir.clone(),
                    reason: "not a directory".into(),
                });
            }
            db.load_fonts_dir(dir);
        }
        if options.system {
            db.load_system_fonts();
        }
        // A collection (.ttc) has several faces: read each file once.
        let mut files: std::collections::HashMap<PathBuf, Bytes> = Default::default();
        for face in db.faces() {
            let path = match &face.source {
                fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => path.clone(),
                fontdb::Source::Binary(_) => continue,
            };
            let data = match files.get(&path) {
                Some(data) => data.clone(),
                None => {
                    let data = Bytes::new(std::fs::read(&path).map_err(|e| FontError::File {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?);
                    files.insert(path.clone(), data.clone());
                    data
                }
            };
            if let Some(font) = Font::new(data, face.index) {
                entries.push(FontEntry::new(font, FontOrigin::File(path)));
            }
        }
        for (name, data) in EMBEDDED_FONTS {
            let bytes = Bytes::new(*data);
            for font in Font::iter(bytes) {
                entries.push(FontEntry::new(font, FontOrigin::Embedded(name)));
            }
        }
        let book = FontBook::from_infos(entries.iter().map(|e| e.info.clone()));
        Ok(FontStore {
            entries,
            book: LazyHash::new(book),
        })
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    pub fn font(&self, index: usize) -> Option<Font> {
        self.entries.get(index).map(|e| e.font.clone())
    }

    pub fn entries(&self) -> &[FontEntry] {
        &self.entries
    }

    /// The face Typst will use for a family in a role (its weight), if the family exists.
    pub fn select(&self, family: &str, role: Role) -> Option<&FontEntry> {
        let variant = typst::text::FontVariant {
            weight: role.weight(),
            ..Default::default()
        };
        self.book
            .select(&family.to_lowercase(), variant)
            .and_then(|i| self.entries.get(i))
    }

    /// Whether any face has this family name.
    pub fn has_family(&self, family: &str) -> bool {
        self.book.contains_family(&family.to_lowercase())
    }

    /// Family names, sorted, for messages.
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self.entries.iter().map(|e| e.info.family.clone()).collect();
        names.sort();
        names.dedup();
        names
    }
}

/// A face's metadata, with its weight taken from the OS/2 "bold" flag when the
/// weight class contradicts it. The Fandol bold faces declare weight 400 but set
/// fsSelection BOLD; without this, "bold" would pick either face at random.
fn corrected_info(font: &Font) -> FontInfo {
    let mut info = font.info().clone();
    let bold_flag = ttf_parser::Face::parse(font.data(), font.index()).is_ok_and(|f| f.is_bold());
    if bold_flag && info.variant.weight < FontWeight::SEMIBOLD {
        info.variant.weight = FontWeight::BOLD;
    }
    info
}
