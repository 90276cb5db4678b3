//! Live previews: the pages of a report as they will print, as PNG images,
//! updated after every edit.
//!
//! A [`Preview`] keeps the Typst world of one report between edits: a new
//! version of the data replaces the text of the generated main file in place
//! (`Source::replace`, an incremental reparse that keeps the syntax spans of
//! what did not change), so comemo reuses the evaluation and layout of every
//! paragraph and table that did not change. Only the pages asked for are
//! rasterised (typst-render), and each PNG is cached by the hash of its page:
//! a page the edit did not change is neither rendered nor sent again.

use std::collections::VecDeque;
use std::sync::Arc;

use typst::utils::hash128;
use typst_layout::PagedDocument;

use crate::model::Loaded;
use crate::typeset::{self, ReportWorld};
use crate::{Error, Publisher, RenderOptions};

/// Pixels per point of preview images (108 dpi: an A4 page is 893 × 1263).
pub const PIXELS_PER_POINT: f32 = 1.5;

/// How many PNG pages a preview keeps.
const CACHED_PAGES: usize = 48;

/// How many compilations an unused memoized layout result survives.
const CACHE_AGE: usize = 10;

/// One page of a preview.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PageInfo {
    /// 1-based.
    pub number: usize,
    /// The hash of the page's content (hex): its image's ETag.
    pub hash: String,
    /// Size in pixels of the image.
    pub width: u32,
    pub height: u32,
}

/// The preview of one report, kept between edits.
pub struct Preview {
    publisher: Publisher,
    world: Option<ReportWorld>,
    /// The hash of what the world's fonts, roles, seal and date were built from.
    setup: u128,
    /// The hash of the main source the document was compiled from.
    source: u128,
    doc: Option<Arc<PagedDocument>>,
    pages: Vec<PageInfo>,
    pngs: VecDeque<(String, Arc<Vec<u8>>)>,
}

impl Preview {
    pub fn new(publisher: Publisher) -> Preview {
        Preview {
            publisher,
            world: None,
            setup: 0,
            source: 0,
            doc: None,
            pages: Vec::new(),
            pngs: VecDeque::new(),
        }
    }

    /// Lays out a new version of the report (nothing is done when its Typst
    /// source did not change) and returns its pages.
    pub fn update(&mut self, loaded: &Loaded) -> Result<&[PageInfo], Error> {
        let options = RenderOptions::default();
        let prepared = self.publisher.prepare(loaded, &options, false)?;
        let (y, m, d) = crate::export::creation_date(&loaded.report);
        let today = typeset::datetime(y, m, d);
        let roles = prepared.roles.typst_module();
        let setup = hash128(&(
            &roles,
            prepared.seal.as_ref().map(|s| (&s.bytes, s.svg)),
            today,
        ));
        let source = hash128(&prepared.source);
        if self.doc.is_some() && setup == self.setup && source == self.source {
            return Ok(&self.pages);
        }
        match &mut self.world {
            Some(world) if setup == self.setup => world.set_main(&prepared.source),
            _ => {
                self.world = Some(typeset::world(
                    prepared.source,
                    self.publisher.library(),
                    &prepared.roles,
                    prepared.seal,
                    self.publisher.fonts().clone(),
                    today,
                ));
            }
        }
        self.setup = setup;
        // Set only once the document is laid out: a failed compile is tried again.
        self.source = 0;
        let world = self.world.as_ref().expect("the world was just made");
        let result = typeset::compile(world);
        typst::comemo::evict(CACHE_AGE);
        let doc = result?;
        self.source = source;
        self.pages = doc
            .pages()
            .iter()
            .enumerate()
            .map(|(i, page)| {
                let size = page.frame.size();
                PageInfo {
                    number: i + 1,
                    hash: format!("{:032x}", hash128(page)),
                    width: (size.x.to_pt() as f32 * PIXELS_PER_POINT).round() as u32,
                    height: (size.y.to_pt() as f32 * PIXELS_PER_POINT).round() as u32,
                }
            })
            .collect();
        self.doc = Some(Arc::new(doc));
        Ok(&self.pages)
    }

    /// The pages of the last version laid out.
    pub fn pages(&self) -> &[PageInfo] {
        &self.pages
    }

    /// The PNG image of page `number` (1-based) of the last version laid out,
    /// with its hash; rendered only when no page with the same content was.
    pub fn png(&mut self, number: usize) -> Option<(String, Arc<Vec<u8>>)> {
        let info = self.pages.get(number.checked_sub(1)?)?.clone();
        if let Some((_, png)) = self.pngs.iter().find(|(h, _)| *h == info.hash) {
            return Some((info.hash, png.clone()));
        }
        let doc = self.doc.as_ref()?;
        let page = doc.pages().get(number - 1)?;
        let png = Arc::new(crate::export::png(page, PIXELS_PER_POINT)?);
        if self.pngs.len() >= CACHED_PAGES {
            self.pngs.pop_front();
        }
        self.pngs.push_back((info.hash.clone(), png.clone()));
        Some((info.hash, png))
    }
}
