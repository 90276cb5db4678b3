//! Embedded fonts: one OpenType subset per face the pages use, keeping the
//! face's outlines (CFF for the bundled Fandol faces), with a `cmap` written
//! back into the subset so that readers which map TextCode characters through
//! the font (GB/T 33190-2016 §11.4.2) find the glyphs. Where the shaped glyph is
//! not the one the `cmap` gives for a character (ligatures, contextual forms,
//! one character drawn with several glyphs), the text object also carries a
//! CGTransform with the subset's glyph ids (§11.4, Table 48).
//!
//! Typst's own PDF subsets drop the `cmap` (a PDF carries its own); this is
//! the same subsetter, with the `cmap` and `OS/2` tables put back with
//! `write-fonts`.

use std::collections::HashMap;

use read_fonts::FontRef;
use subsetter::GlyphRemapper;
use typst::text::Font;
use write_fonts::tables::cmap::Cmap;
use write_fonts::types::{GlyphId, Tag};
use write_fonts::FontBuilder;

use super::OfdError;

/// A face the pages use, with the glyphs and characters they need.
pub struct UsedFont {
    pub font: Font,
    /// The `Font` resource's ID (ST_ID).
    pub id: u32,
    /// Old glyph id → subset glyph id, in the order first used.
    remapper: GlyphRemapper,
    /// Character → subset glyph id, from the face's own `cmap`.
    cmap: HashMap<char, u16>,
}

impl UsedFont {
    fn new(font: Font, id: u32) -> UsedFont {
        UsedFont {
            font,
            id,
            remapper: GlyphRemapper::new(),
            cmap: HashMap::new(),
        }
    }

    /// The subset glyph id of an original glyph (kept in the subset).
    pub fn glyph(&mut self, old: u16) -> u16 {
        self.remapper.remap(old)
    }

    /// The subset glyph id the `cmap` gives for a character, if the face
    /// (`face`, this font parsed) has one.
    pub fn cmap_glyph(&mut self, face: &ttf_parser::Face, c: char) -> Option<u16> {
        if let Some(g) = self.cmap.get(&c) {
            return Some(*g);
        }
        let old = face.glyph_index(c)?.0;
        let new = self.remapper.remap(old);
        self.cmap.insert(c, new);
        Some(new)
    }

    /// The face, parsed.
    fn face(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(self.font.data(), self.font.index()).ok()
    }

    /// The PostScript name, else the family name.
    pub fn name(&self) -> String {
        let Some(face) = self.face() else {
            return self.family();
        };
        face.names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| self.family())
    }

    pub fn family(&self) -> String {
        self.font.info().family.clone()
    }

    pub fn is_bold(&self) -> bool {
        self.face().is_some_and(|f| f.is_bold())
            || self.font.info().variant.weight.to_number() >= 600
    }

    pub fn is_italic(&self) -> bool {
        self.face().is_some_and(|f| f.is_italic())
    }

    /// The subset: the glyphs used, the `cmap` of the characters shown, and
    /// the face's `OS/2`.
    pub fn subset(&self) -> Result<Vec<u8>, OfdError> {
        let err = |reason: String| OfdError::Font {
            font: self.family(),
            reason,
        };
        let data = self.font.data();
        let sub = subsetter::subset(data, self.font.index(), &self.remapper)
            .map_err(|e| err(format!("cannot subset the font: {e}")))?;
        let cmap = Cmap::from_mappings(
            self.cmap
                .iter()
                .map(|(c, g)| (*c, GlyphId::new(u32::from(*g)))),
        )
        .map_err(|e| err(format!("cannot write a cmap: {e}")))?;
        let sub_ref = FontRef::new(&sub).map_err(|e| err(format!("the subset: {e}")))?;
        let mut builder = FontBuilder::new();
        builder
            .add_table(&cmap)
            .map_err(|e| err(format!("cannot write a cmap: {e}")))?;
        let os2 = Tag::new(b"OS/2");
        let os2_table = self
            .face()
            .and_then(|f| f.raw_face().table(ttf_parser::Tag::from_bytes(b"OS/2")));
        if let Some(table) = os2_table {
            builder.add_raw(os2, table.to_vec());
        }
        builder.copy_missing_tables(sub_ref);
        Ok(builder.build())
    }

    /// The file extension of the subset: `otf` for CFF outlines, else `ttf`.
    pub fn extension(&self) -> &'static str {
        let cff = self
            .face()
            .and_then(|f| f.raw_face().table(ttf_parser::Tag::from_bytes(b"CFF ")))
            .is_some();
        if cff {
            "otf"
        } else {
            "ttf"
        }
    }
}

/// The faces of a document, in the order first used.
#[derive(Default)]
pub struct FontSet {
    pub fonts: Vec<UsedFont>,
    index: HashMap<Font, usize>,
}

impl FontSet {
    /// The face's entry, adding it (with a new ID from `next_id`) on first use.
    pub fn entry(&mut self, font: &Font, next_id: &mut u32) -> &mut UsedFont {
        let i = match self.index.get(font) {
            Some(i) => *i,
            None => {
                *next_id += 1;
                self.fonts.push(UsedFont::new(font.clone(), *next_id));
                self.index.insert(font.clone(), self.fonts.len() - 1);
                self.fonts.len() - 1
            }
        };
        &mut self.fonts[i]
    }
}

/// The glyph clusters of a shaped run: (byte range in the text, glyph indices).
pub fn clusters(glyphs: &[typst::text::Glyph]) -> Vec<(std::ops::Range<usize>, Vec<usize>)> {
    let mut out: Vec<(std::ops::Range<usize>, Vec<usize>)> = Vec::new();
    for (i, g) in glyphs.iter().enumerate() {
        match out.last_mut() {
            Some((range, members)) if *range == g.range() => members.push(i),
            _ => out.push((g.range(), vec![i])),
        }
    }
    out
}
