//! Body paragraphs set on the character grid by nianbao, not by Typst's line
//! breaker: every line but a paragraph's last holds its characters at the
//! grid's pitch (GB/T 9704: 28 字 a line, 156 mm), by the rules of Chinese
//! line composition (W3C clreq).
//!
//! Typst's optimised line breaker weighs a line stretched by half a 字 about
//! like one whose punctuation is compressed to half width, so it stretched
//! lines where a character could have been pulled up (1.6 % of the lines of
//! generated reports). Here a paragraph is broken by dynamic programming over
//! its break opportunities, minimising in this order: lines that break the
//! line-start and line-end rules (避头尾: only when nothing else fits), a last
//! line of a single character (段末孤字), stretched lines, then the
//! punctuation compressed. A line that must shrink compresses punctuation
//! explicitly (its blank half), so every line's natural width is the
//! measure's and Typst sets each line as given (`linebreaks: "simple"`).
//!
//! The widths are the fonts' advances at body size plus the grid's tracking;
//! the template gives every text run's last glyph its tracking back
//! (`tracked` in nianbao.typ), so each glyph is exactly its advance plus the
//! tracking. What Typst does on its own is modelled: it compresses an opening
//! bracket at the start of a line (not the paragraph's first) and, inside a
//! run, one of two adjacent punctuation marks.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use typst::layout::{Frame, FrameItem, Point};
use typst_layout::PagedDocument;

use super::fonts::{FontEntry, FontStore, Role, RoleFonts};

/// The grid of the text block (GB/T 9704-2012 §5.2): mirrored by nianbao.typ
/// (`zi`, `body-size`, `grid-tracking`); a unit test checks they agree.
pub mod grid {
    /// Points per millimetre.
    const MM: f64 = 72.0 / 25.4;
    /// The measure: 156 mm.
    pub const MEASURE: f64 = 156.0 * MM;
    /// Characters per line.
    pub const CHARS: f64 = 28.0;
    /// One 字: the measure over 28.
    pub const ZI: f64 = MEASURE / CHARS;
    /// Body size: 三号, 16 pt.
    pub const BODY_SIZE: f64 = 16.0;
    /// The tracking that makes a 16 pt glyph one 字 wide.
    pub const TRACKING: f64 = ZI - BODY_SIZE;
    /// A paragraph's first-line indent: 2 字.
    pub const INDENT: f64 = 2.0 * ZI;
}

/// A piece of a line as the template prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Piece {
    /// Text in the body font.
    Text(String),
    /// A level-2 run-in title, in the heading2 role's font.
    Title { title: String },
    /// Punctuation compressed: horizontal space, in 字 (negative).
    Adjust(f64),
}

/// A paragraph set on the grid: blocks (split where the text has a line
/// feed), each a list of lines, each a list of pieces.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(transparent)]
pub struct SetParagraph {
    pub blocks: Vec<Vec<Vec<Piece>>>,
}

impl SetParagraph {
    /// The text of each line, in order.
    pub fn line_texts(&self) -> Vec<String> {
        self.blocks
            .iter()
            .flatten()
            .map(|line| {
                line.iter()
                    .filter_map(|p| match p {
                        Piece::Text(t) => Some(t.as_str()),
                        Piece::Title { title } => Some(title.as_str()),
                        Piece::Adjust(_) => None,
                    })
                    .collect()
            })
            .collect()
    }

    /// How many lines the paragraph takes.
    pub fn line_count(&self) -> usize {
        self.blocks.iter().map(Vec::len).sum()
    }
}

/// The advances of characters in the fonts of the body and heading2 roles,
/// as Typst picks them (the first face of the chain that has the character).
pub struct Metrics<'a> {
    body: Vec<Face<'a>>,
    heading2: Vec<Face<'a>>,
    cache: HashMap<(bool, char), f64>,
}

/// A face of a role's chain, parsed for its advances.
struct Face<'a> {
    entry: &'a FontEntry,
    ttf: Option<ttf_parser::Face<'a>>,
}

impl<'a> Metrics<'a> {
    pub fn new(roles: &RoleFonts, fonts: &'a FontStore) -> Metrics<'a> {
        let faces = |role: Role| -> Vec<Face<'a>> {
            roles
                .chain(role)
                .iter()
                .filter_map(|f| fonts.select(f, role))
                .map(|entry| Face {
                    entry,
                    ttf: ttf_parser::Face::parse(entry.font.data(), entry.font.index()).ok(),
                })
                .collect()
        };
        Metrics {
            body: faces(Role::Body),
            heading2: faces(Role::Heading2),
            cache: HashMap::new(),
        }
    }

    /// The advance of `c` at body size, in points (without tracking). A
    /// character no face has (the coverage check has refused it already)
    /// counts one em.
    fn advance(&mut self, c: char, title: bool) -> f64 {
        if let Some(a) = self.cache.get(&(title, c)) {
            return *a;
        }
        let faces = if title { &self.heading2 } else { &self.body };
        let em = faces
            .iter()
            .find(|f| f.entry.covers(c))
            .and_then(|f| {
                let ttf = f.ttf.as_ref()?;
                let advance = ttf.glyph_hor_advance(ttf.glyph_index(c)?)?;
                Some(f64::from(advance) / f64::from(ttf.units_per_em()))
            })
            .unwrap_or(1.0);
        let a = em * grid::BODY_SIZE;
        self.cache.insert((title, c), a);
        a
    }
}

/// What a character is for line composition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Closing punctuation and 点号 with their blank half on the right
    /// (，。、：；？！ and closing brackets): Typst's left-aligned punctuation.
    Close,
    /// Opening brackets, blank half on the left: Typst's right-aligned punctuation.
    Open,
    /// Curly quotes: full width in Fandol, but Typst does not treat them as
    /// punctuation it can compress once tracked (their advance is no longer one em).
    CloseQuote,
    OpenQuote,
    /// Middle dots: a quarter blank on each side.
    Middle,
    /// ASCII letters and digits: no break inside a run of them.
    Alnum,
    Space,
    Other,
}

fn class(c: char) -> Class {
    match c {
        '，' | '。' | '．' | '、' | '：' | '；' | '？' | '！' | '）' | '》' | '』' | '」'
        | '】' | '〗' | '〕' | '〉' | '］' | '｝' => Class::Close,
        '（' | '《' | '『' | '「' | '【' | '〖' | '〔' | '〈' | '［' | '｛' => {
            Class::Open
        }
        '”' | '’' => Class::CloseQuote,
        '“' | '‘' => Class::OpenQuote,
        '·' | '・' => Class::Middle,
        c if c.is_ascii_alphanumeric() => Class::Alnum,
        c if c.is_whitespace() => Class::Space,
        _ => Class::Other,
    }
}

/// Characters that may not begin a line (clreq 行首禁则, and UAX #14's
/// closing classes for the ASCII ones).
fn no_break_before(c: char) -> bool {
    matches!(
        class(c),
        Class::Close | Class::CloseQuote | Class::Middle | Class::Space
    ) || "々〻ゝゞヽヾーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ%‰℃,.;:!?)]}'\"".contains(c)
}

/// Characters that may not end a line (clreq 行尾禁则).
fn no_break_after(c: char) -> bool {
    matches!(class(c), Class::Open | Class::OpenQuote) || "([{$¥￥#".contains(c)
}

/// Characters that do not count as a line's characters for the last-line rule.
fn is_punctuation(c: char) -> bool {
    !matches!(class(c), Class::Alnum | Class::Other) || "—…".contains(c)
}

/// One character of a paragraph with its metrics.
#[derive(Clone, Copy, Debug)]
struct Glyph {
    c: char,
    /// In the run-in title (heading2 font).
    title: bool,
    /// Its width in the line: advance + tracking, less what Typst compresses
    /// on its own (adjacent punctuation).
    width: f64,
    /// How much may be compressed on the left and right (its blank part).
    shrink_left: f64,
    shrink_right: f64,
}

/// Whether Typst treats the glyph as CJK punctuation (in a run, tracked).
fn typst_punct(c: char) -> bool {
    matches!(class(c), Class::Close | Class::Open | Class::Middle)
}

fn glyphs(text: &[(char, bool)], metrics: &mut Metrics) -> Vec<Glyph> {
    let mut out: Vec<Glyph> = text
        .iter()
        .map(|&(c, title)| {
            let width = metrics.advance(c, title) + grid::TRACKING;
            let half = width / 2.0;
            let (shrink_left, shrink_right) = match class(c) {
                Class::Close | Class::CloseQuote => (0.0, half),
                Class::Open | Class::OpenQuote => (half, 0.0),
                Class::Middle => (half / 2.0, half / 2.0),
                _ => (0.0, 0.0),
            };
            Glyph {
                c,
                title,
                width,
                shrink_left,
                shrink_right,
            }
        })
        .collect();
    // Typst's consecutive punctuation adjustment (clreq 3.1.6.1), within a run:
    // the pair loses half a glyph, from the first's right or the second's left.
    for i in 1..out.len() {
        let (a, b) = (out[i - 1], out[i]);
        if a.title != b.title || !typst_punct(a.c) || !typst_punct(b.c) {
            continue;
        }
        let delta = a.width / 2.0;
        if a.shrink_right + b.shrink_left >= delta {
            let left = a.shrink_right.min(delta);
            out[i - 1].width -= left;
            out[i - 1].shrink_right -= left;
            out[i].width -= delta - left;
            out[i].shrink_left -= delta - left;
        }
    }
    // Compressing a mark splits its run beside it; a pair Typst adjusts must
    // stay in one run, so the sides between two marks are not compressed.
    for i in 1..out.len() {
        let (a, b) = (out[i - 1], out[i]);
        if a.title == b.title && typst_punct(a.c) && typst_punct(b.c) {
            out[i - 1].shrink_right = 0.0;
            out[i].shrink_left = 0.0;
        }
    }
    out
}

/// The cost of a layout, compared in order.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
struct Cost {
    /// Lines broken where the rules forbid (only when no line fits otherwise).
    violations: u32,
    /// A last line of a single character.
    runts: u32,
    /// Non-final lines stretched off the grid.
    stretched: u32,
    /// With `fewest_lines`: the number of lines, before the compression.
    lines_first: u32,
    /// Punctuation compressed, in thousandths of a 字.
    compression: u64,
    /// Stretch, in thousandths of a 字.
    stretch: u64,
    lines: u32,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            violations: self.violations + o.violations,
            runts: self.runts + o.runts,
            stretched: self.stretched + o.stretched,
            lines_first: self.lines_first + o.lines_first,
            compression: self.compression + o.compression,
            stretch: self.stretch + o.stretch,
            lines: self.lines + o.lines,
        }
    }
}

/// A line is stretched when it falls short of the measure by more than this
/// (spread over some 27 gaps, 1 pt moves no glyph by 0.04 pt).
const STRETCH_TOL: f64 = 1.0;
/// Widths are compared with this tolerance (Typst's own is 1e-4 pt).
const EPS: f64 = 1e-6;

/// Breaks one block of text (no line feeds) into lines. The first line of the
/// paragraph is indented. With `fewest_lines`, a layout with fewer lines wins
/// over one with less compression (to pull a widow line back).
fn break_block(glyphs: &[Glyph], first: bool, fewest_lines: bool) -> (Vec<(usize, usize)>, Cost) {
    let n = glyphs.len();
    if n == 0 {
        return (vec![(0, 0)], Cost::default());
    }
    // Prefix sums of widths and compressible amounts.
    let mut width = vec![0.0; n + 1];
    let mut shrink = vec![0.0; n + 1];
    for (i, g) in glyphs.iter().enumerate() {
        width[i + 1] = width[i] + g.width;
        shrink[i + 1] = shrink[i] + g.shrink_left + g.shrink_right;
    }
    // Where a line may end: after glyph j - 1.
    let legal = |j: usize| -> bool {
        if j == n {
            return true;
        }
        let (a, b) = (glyphs[j - 1].c, glyphs[j].c);
        if no_break_before(b) || no_break_after(a) {
            return false;
        }
        if class(a) == Class::Alnum && class(b) == Class::Alnum {
            return false;
        }
        if (a == '—' && b == '—') || (a == '…' && b == '…') {
            return false;
        }
        true
    };
    // Whether a line may end after glyph j - 1, looked up once per glyph (the
    // search below asks it for every pair of line start and end).
    let legal: Vec<bool> = (0..=n).map(|j| j == 0 || legal(j)).collect();
    let chars = |i: usize, j: usize| glyphs[i..j].iter().filter(|g| !is_punctuation(g.c)).count();
    // Trailing spaces take no room.
    let content_end = |i: usize, mut j: usize| {
        while j > i && class(glyphs[j - 1].c) == Class::Space {
            j -= 1;
        }
        j
    };
    let mut best: Vec<Option<(Cost, usize)>> = vec![None; n + 1];
    best[0] = Some((Cost::default(), 0));
    for j in 1..=n {
        let legal_end = legal[j];
        let mut any = false;
        for pass in 0..2 {
            // First pass: legal line starts and ends only; the second (only
            // when nothing fits) lets the line break anywhere.
            let strict = pass == 0;
            if strict && !legal_end {
                continue;
            }
            for i in (0..j).rev() {
                let Some((prev, _)) = best[i] else { continue };
                if strict && i > 0 && !legal[i] {
                    continue;
                }
                let indented = first && i == 0;
                let available = grid::MEASURE - if indented { grid::INDENT } else { 0.0 };
                let e = content_end(i, j);
                let quote = quote_end(&glyphs[i..e]);
                let mut natural = width[e] - width[i] - quote;
                let mut shrinkable = shrink[e] - shrink[i] - quote;
                // Typst compresses an opening bracket that starts a line.
                if !indented && e > i && class(glyphs[i].c) == Class::Open {
                    natural -= glyphs[i].shrink_left;
                    shrinkable -= glyphs[i].shrink_left;
                }
                if natural - shrinkable > available + EPS {
                    if natural - (shrink[e] - shrink[i]) > available + grid::ZI * 2.0 {
                        break; // longer lines only get longer
                    }
                    continue;
                }
                let last = j == n;
                let mut cost = Cost {
                    lines: 1,
                    lines_first: u32::from(fewest_lines),
                    violations: u32::from(!strict),
                    ..Cost::default()
                };
                if natural > available {
                    cost.compression = ((natural - available) / grid::ZI * 1000.0).ceil() as u64;
                } else if !last && available - natural > STRETCH_TOL {
                    cost.stretched = 1;
                    cost.stretch = ((available - natural) / grid::ZI * 1000.0).ceil() as u64;
                }
                if last && i > 0 && chars(i, j) < 2 {
                    cost.runts = 1;
                }
                let total = prev + cost;
                if best[j].is_none_or(|(b, _)| total < b) {
                    best[j] = Some((total, i));
                }
                any = true;
            }
            if any {
                break;
            }
        }
    }
    let (cost, _) = best[n].expect("a line can always end anywhere");
    let mut breaks = Vec::new();
    let mut j = n;
    while j > 0 {
        let (_, i) = best[j].expect("a predecessor");
        breaks.push((i, j));
        j = i;
    }
    breaks.reverse();
    (breaks, cost)
}

/// What Typst compresses at the end of a run that ends with a closing quote
/// after punctuation ("。”"): untracked, the run's last glyph is one em wide,
/// so Typst takes the quote for CJK punctuation and compresses the pair.
fn quote_end(run: &[Glyph]) -> f64 {
    match run {
        [.., a, b]
            if class(b.c) == Class::CloseQuote
                && typst_punct(a.c)
                && a.title == b.title
                && a.shrink_right >= a.width / 2.0 =>
        {
            a.width / 2.0
        }
        _ => 0.0,
    }
}

/// Whether compressing glyph `k` on its left would end a run with such a pair.
fn ends_quote_pair(line: &[Glyph], k: usize) -> bool {
    k >= 2 && quote_end(&line[k - 2..k]) > 0.0
}

/// The pieces of one line: text runs, with the compression it needs applied
/// to its punctuation (the line-end mark first, then from the right).
fn line_pieces(glyphs: &[Glyph], i: usize, j: usize, first: bool) -> Vec<Piece> {
    let indented = first && i == 0;
    let mut e = j;
    while e > i && class(glyphs[e - 1].c) == Class::Space {
        e -= 1;
    }
    let line = &glyphs[i..e];
    let available = grid::MEASURE - if indented { grid::INDENT } else { 0.0 };
    let mut natural: f64 = line.iter().map(|g| g.width).sum::<f64>() - quote_end(line);
    let mut left_free = vec![true; line.len()];
    if !indented && line.first().is_some_and(|g| class(g.c) == Class::Open) {
        natural -= line[0].shrink_left;
        left_free[0] = false;
    }
    // Compression per glyph, on its right (+) or left side.
    let mut right = vec![0.0; line.len()];
    let mut left = vec![0.0; line.len()];
    let mut need = natural - available;
    if need > 0.0 {
        // From the right: the line-end mark first.
        for k in (0..line.len()).rev() {
            if need <= 0.0 {
                break;
            }
            let g = &line[k];
            if g.shrink_right > 0.0 {
                let c = g.shrink_right.min(need);
                right[k] = c;
                need -= c;
            } else if g.shrink_left > 0.0 && left_free[k] && !ends_quote_pair(line, k) {
                let c = g.shrink_left.min(need);
                left[k] = c;
                need -= c;
            }
        }
    }
    // Rounded up to 1/10000 字, so the line never comes out a hair too long.
    let in_zi = |pt: f64| -((pt / grid::ZI * 10000.0).ceil() / 10000.0);
    let mut pieces = Vec::new();
    let mut run = String::new();
    let mut run_title = line.first().is_some_and(|g| g.title);
    let flush = |run: &mut String, title: bool, pieces: &mut Vec<Piece>| {
        if !run.is_empty() {
            let text = std::mem::take(run);
            pieces.push(if title {
                Piece::Title { title: text }
            } else {
                Piece::Text(text)
            });
        }
    };
    for (k, g) in line.iter().enumerate() {
        if g.title != run_title {
            flush(&mut run, run_title, &mut pieces);
            run_title = g.title;
        }
        if left[k] > 0.0 {
            flush(&mut run, run_title, &mut pieces);
            pieces.push(Piece::Adjust(in_zi(left[k])));
        }
        run.push(g.c);
        if right[k] > 0.0 {
            flush(&mut run, run_title, &mut pieces);
            pieces.push(Piece::Adjust(in_zi(right[k])));
        }
    }
    flush(&mut run, run_title, &mut pieces);
    pieces
}

/// How a paragraph is set: as well as it can be, or (to pull a widow line
/// back) in as few lines as it can without stretching more lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    Best,
    FewestLines,
}

/// Sets a paragraph: its run-in title (level 2, in the heading2 font), if
/// any, then its text. With [`Fit::FewestLines`], each block is set in as few
/// lines as it can without breaking more rules or stretching more lines.
pub fn set_paragraph(
    title: Option<&str>,
    text: &str,
    metrics: &mut Metrics,
    fit: Fit,
) -> SetParagraph {
    let mut chars: Vec<(char, bool)> = title.unwrap_or("").chars().map(|c| (c, true)).collect();
    chars.extend(text.chars().filter(|&c| c != '\r').map(|c| (c, false)));
    let blocks = chars
        .split(|&(c, _)| c == '\n')
        .enumerate()
        .map(|(b, block)| {
            let first = b == 0;
            let gl = glyphs(block, metrics);
            let (mut breaks, best) = break_block(&gl, first, false);
            if fit == Fit::FewestLines {
                let (fewest, cost) = break_block(&gl, first, true);
                if cost.lines < best.lines
                    && (cost.violations, cost.runts, cost.stretched)
                        <= (best.violations, best.runts, best.stretched)
                {
                    breaks = fewest;
                }
            }
            breaks
                .into_iter()
                .map(|(i, j)| line_pieces(&gl, i, j, first))
                .collect()
        })
        .collect();
    SetParagraph { blocks }
}

/// A paragraph not set on the grid: a line for each block (split where the
/// text has a line feed), the title first.
fn plain_paragraph(title: Option<&str>, text: &str) -> SetParagraph {
    let blocks = text
        .split('\n')
        .enumerate()
        .map(|(i, block)| {
            let mut line = Vec::new();
            if let (0, Some(title)) = (i, title) {
                line.push(Piece::Title {
                    title: title.to_string(),
                });
            }
            line.push(Piece::Text(block.to_string()));
            vec![line]
        })
        .collect();
    SetParagraph { blocks }
}

/// Sets a document's paragraphs in order, remembering each: the view asks for
/// every paragraph through it, numbered as they come.
pub struct Setter<'a> {
    /// The fonts' advances; none for a plain setter.
    metrics: Option<Metrics<'a>>,
    /// Paragraphs (by number) to set in as few lines as they can.
    fewest: &'a BTreeSet<usize>,
    /// Every paragraph set so far, in printed order.
    pub set: Vec<SetParagraph>,
}

impl<'a> Setter<'a> {
    pub fn new(metrics: Metrics<'a>, fewest: &'a BTreeSet<usize>) -> Setter<'a> {
        Setter {
            metrics: Some(metrics),
            fewest,
            set: Vec::new(),
        }
    }

    /// A setter for media without the page grid (the portal web page): each
    /// block of a paragraph is one line, as written, and every run-in title
    /// (any level) is a title piece.
    pub fn plain() -> Setter<'static> {
        static NONE: BTreeSet<usize> = BTreeSet::new();
        Setter {
            metrics: None,
            fewest: &NONE,
            set: Vec::new(),
        }
    }

    /// Whether this is a [`Setter::plain`] setter.
    pub fn is_plain(&self) -> bool {
        self.metrics.is_none()
    }

    /// Sets the next paragraph: its level-2 run-in title, if any, and its text.
    pub fn paragraph(&mut self, title: Option<&str>, text: &str) -> SetParagraph {
        let fit = if self.fewest.contains(&self.set.len()) {
            Fit::FewestLines
        } else {
            Fit::Best
        };
        let p = match &mut self.metrics {
            Some(metrics) => set_paragraph(title, text, metrics, fit),
            None => plain_paragraph(title, text),
        };
        self.set.push(p.clone());
        p
    }
}

/// The body lines (body size) of each page, top to bottom, as text.
fn body_lines(doc: &PagedDocument) -> Vec<Vec<String>> {
    fn walk(frame: &Frame, origin: Point, out: &mut Vec<(f64, f64, String)>) {
        for (pos, item) in frame.items() {
            let at = origin + *pos;
            match item {
                FrameItem::Group(g) => {
                    let t = g.transform;
                    walk(&g.frame, at + Point::new(t.tx, t.ty), out);
                }
                FrameItem::Text(t) if (t.size.to_pt() - grid::BODY_SIZE).abs() < 0.01 => {
                    out.push((at.y.to_pt(), at.x.to_pt(), t.text.to_string()));
                }
                _ => {}
            }
        }
    }
    doc.pages()
        .iter()
        .map(|page| {
            let mut items = Vec::new();
            walk(&page.frame, Point::zero(), &mut items);
            items.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut lines: Vec<(f64, String)> = Vec::new();
            for (y, _, text) in items {
                match lines.last_mut() {
                    Some((ly, l)) if (*ly - y).abs() < 0.5 => l.push_str(&text),
                    _ => lines.push((y, text)),
                }
            }
            lines.into_iter().map(|(_, l)| l).collect()
        })
        .collect()
}

/// The paragraphs (by number) whose last line, of one or two characters,
/// stands alone at the top of a page in `doc` (a widow line). Empty when the
/// pages do not hold the paragraphs' lines as set.
pub fn widows(doc: &PagedDocument, set: &[SetParagraph]) -> Vec<usize> {
    let pages = body_lines(doc);
    // Every body line in order, with its page and whether it tops the page.
    let all: Vec<(usize, bool, &str)> = pages
        .iter()
        .enumerate()
        .flat_map(|(p, lines)| {
            lines
                .iter()
                .enumerate()
                .map(move |(i, l)| (p, i == 0, l.as_str()))
        })
        .collect();
    let mut at = 0;
    let mut out = Vec::new();
    for (k, paragraph) in set.iter().enumerate() {
        let texts = paragraph.line_texts();
        let n = texts.len();
        for (i, text) in texts.iter().enumerate() {
            let Some(found) = all[at..].iter().position(|(_, _, l)| l == text) else {
                return Vec::new();
            };
            at += found;
            let (_, top, _) = all[at];
            let short = text.chars().filter(|c| !is_punctuation(*c)).count() <= 2;
            if i == n - 1 && n > 1 && top && short {
                out.push(k);
            }
            at += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(title: Option<&str>, text: &str, fit: Fit) -> Vec<String> {
        let fonts = FontStore::embedded();
        let roles = RoleFonts::default();
        let mut metrics = Metrics::new(&roles, &fonts);
        set_paragraph(title, text, &mut metrics, fit).line_texts()
    }

    #[test]
    fn the_grid_is_the_style_library_s() {
        let library = include_str!("../../templates/nianbao.typ");
        for line in [
            "#let body-size = 16pt",
            "#let zi = 156mm / 28",
            "#let grid-tracking = zi - body-size",
        ] {
            assert!(library.contains(line), "nianbao.typ: {line}");
        }
        assert!((grid::ZI - 15.793_026).abs() < 1e-5, "{}", grid::ZI);
    }

    #[test]
    fn a_last_line_of_28_characters_is_one_line() {
        let text = "政府信息公开工作年度报告依据条例编制全文包括总体情况主动公开依申请公开政府信息管理平台建设监督保障等方面内容";
        let lines = set(None, text, Fit::Best);
        assert_eq!(
            lines.iter().map(|l| l.chars().count()).collect::<Vec<_>>(),
            [26, 28]
        );
    }

    #[test]
    fn a_mark_that_may_not_start_a_line_is_pulled_up() {
        // 26 characters fill the first line; the 27th, "，", may not start the
        // second, so the line compresses two marks and takes it (not pushing
        // "准" down and stretching the line).
        let text = "以提升政务公开质量、和实效为目标推进基层政务公开标准，建设政府信息公开平台规范主动公开目录和公开流程做好重点领域信息公开";
        let lines = set(None, text, Fit::Best);
        assert_eq!(
            lines[0],
            "以提升政务公开质量、和实效为目标推进基层政务公开标准，"
        );
        for l in &lines[1..] {
            assert!(!l.starts_with(['，', '、', '。']), "{l}");
        }
    }

    #[test]
    fn no_last_line_of_one_character() {
        // 26 + 28 + 1: the last character is not left alone.
        let text = "政府信息公开工作年度报告依据条例编制全文包括总体情况主动公开依申请公开政府信息管理平台建设监督保障等方面内容所";
        let lines = set(None, text, Fit::Best);
        let last = lines.last().unwrap();
        assert!(last.chars().count() >= 2, "{lines:?}");
    }

    #[test]
    fn fewest_lines_pulls_a_short_last_line_back_by_compressing() {
        // Two lines, the second of two characters; four marks on the first
        // line give the room to take them.
        let text = "以提升、政务公开，质量和实效；为目标推进基层、政务公开设";
        let best = set(None, text, Fit::Best);
        let fewest = set(None, text, Fit::FewestLines);
        assert_eq!(best.len(), 2, "{best:?}");
        assert_eq!(fewest.len(), 1, "{fewest:?}");
    }

    #[test]
    fn a_run_in_title_is_its_own_run() {
        let fonts = FontStore::embedded();
        let roles = RoleFonts::default();
        let mut metrics = Metrics::new(&roles, &fonts);
        let p = set_paragraph(
            Some("（一）主动公开。"),
            "以政府信息公开平台",
            &mut metrics,
            Fit::Best,
        );
        assert_eq!(
            p.blocks[0][0][..2],
            [
                Piece::Title {
                    title: "（一）主动公开。".into()
                },
                Piece::Text("以政府信息公开平台".into())
            ]
        );
    }
}
