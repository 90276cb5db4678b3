//! A PDF page's content as positioned glyphs and ruling segments.
//!
//! lopdf (already used for signatures) parses the file, decompresses the
//! streams, decodes the operators and the fonts' encodings (ToUnicode CMaps,
//! simple encodings); this module only keeps the text and graphics state the
//! PDF specification defines (§9.4, §8.4) to place each glyph on the page.
//! Predefined Chinese CMaps without ToUnicode (GBK-EUC-H, UniGB-UCS2-H …, as
//! typesetting systems and OFD converters write) are decoded with encoding_rs.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

/// The most a page's content may decompress to.
const MAX_CONTENT: usize = 64 * 1024 * 1024;
/// The most operators read on one page (a hostile file cannot make it spin).
const MAX_OPERATIONS: usize = 2_000_000;
/// The most glyphs kept on one page.
const MAX_GLYPHS: usize = 200_000;

/// A glyph placed on the page (points, y from the page's top).
#[derive(Clone, Debug)]
pub struct Glyph {
    pub text: String,
    /// Left edge and baseline.
    pub x: f32,
    pub y: f32,
    /// Advance width.
    pub w: f32,
    /// Font size on the page.
    pub size: f32,
    /// The font: index into [`PageContent::fonts`].
    pub font: usize,
    /// Drawn in a bold way (fill and stroke).
    pub bold: bool,
}

impl Glyph {
    pub fn x1(&self) -> f32 {
        self.x + self.w
    }
    /// The glyph's vertical middle.
    pub fn mid_y(&self) -> f32 {
        self.y - self.size * 0.35
    }
    pub fn mid_x(&self) -> f32 {
        self.x + self.w / 2.0
    }
}

/// A straight ruling line, horizontal or vertical (points, y from the top).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Segment {
    pub fn horizontal(&self) -> bool {
        (self.y0 - self.y1).abs() < 1.0
    }
    pub fn vertical(&self) -> bool {
        (self.x0 - self.x1).abs() < 1.0
    }
}

/// What a page draws.
#[derive(Default)]
pub struct PageContent {
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
    pub segments: Vec<Segment>,
    /// Images drawn, with their area on the page (points²).
    pub images: Vec<f32>,
    /// Font names by index (BaseFont).
    pub fonts: Vec<String>,
}

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn num(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => 0.0,
    }
}

fn nums(ops: &[Object]) -> Vec<f32> {
    ops.iter().map(num).collect()
}

/// How a font's codes become text.
enum Decoder<'a> {
    /// lopdf's decoding (ToUnicode CMap, simple encodings).
    Lopdf(Encoding<'a>),
    /// A predefined CMap of GBK/GB2312 codes, decoded as GBK.
    Gbk,
    /// A predefined CMap of UCS-2/UTF-16 codes.
    Utf16,
    /// Codes that cannot be decoded (Identity-H without ToUnicode).
    None,
}

/// A font as the page uses it.
struct Font<'a> {
    index: usize,
    /// Two-byte codes (Type0 fonts), or GBK's one-or-two.
    codes: CodeLength,
    decoder: Decoder<'a>,
    widths: HashMap<u32, f32>,
    default_width: f32,
    bold: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeLength {
    One,
    Two,
    /// GBK: a lead byte ≥ 0x81 starts a two-byte code.
    Gbk,
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    deref(doc, o).as_dict().ok()
}

fn name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key)
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_name().ok())
}

impl<'a> Font<'a> {
    fn new(doc: &'a Document, d: &'a Dictionary, index: usize) -> Font<'a> {
        let subtype = name(doc, d, b"Subtype").unwrap_or(b"");
        let base = name(doc, d, b"BaseFont").unwrap_or(b"");
        let base_s = String::from_utf8_lossy(base).to_ascii_lowercase();
        let encoding_name = name(doc, d, b"Encoding").map(|n| n.to_vec());
        let has_to_unicode = d.get(b"ToUnicode").is_ok();
        let mut widths = HashMap::new();
        let mut default_width = 1000.0;
        let mut descriptor: Option<&Dictionary> =
            d.get(b"FontDescriptor").ok().and_then(|o| dict(doc, o));
        let codes;
        if subtype == b"Type0" {
            let enc = encoding_name.as_deref().unwrap_or(b"Identity-H");
            codes = if enc.starts_with(b"GB") && !enc.starts_with(b"GBK2K")
                || enc.starts_with(b"GBK")
            {
                CodeLength::Gbk
            } else {
                CodeLength::Two
            };
            if let Some(desc) = d
                .get(b"DescendantFonts")
                .ok()
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_array().ok())
                .and_then(|a| a.first())
                .and_then(|o| dict(doc, o))
            {
                if let Ok(dw) = desc.get(b"DW") {
                    default_width = num(deref(doc, dw));
                }
                if let Ok(w) = desc.get(b"W") {
                    if let Ok(a) = deref(doc, w).as_array() {
                        cid_widths(doc, a, &mut widths);
                    }
                }
                descriptor = descriptor
                    .or_else(|| desc.get(b"FontDescriptor").ok().and_then(|o| dict(doc, o)));
            }
        } else {
            codes = CodeLength::One;
            default_width = descriptor
                .and_then(|fd| fd.get(b"MissingWidth").ok())
                .map(|o| num(deref(doc, o)))
                .filter(|w| *w > 0.0)
                .unwrap_or(500.0);
            let first = d
                .get(b"FirstChar")
                .ok()
                .map(|o| num(deref(doc, o)) as u32)
                .unwrap_or(0);
            if let Some(a) = d
                .get(b"Widths")
                .ok()
                .and_then(|o| deref(doc, o).as_array().ok())
            {
                for (i, w) in a.iter().enumerate().take(256) {
                    widths.insert(first + i as u32, num(deref(doc, w)));
                }
            }
        }
        let decoder = if has_to_unicode {
            to_unicode(doc, d)
                .map(Decoder::Lopdf)
                .unwrap_or(Decoder::None)
        } else {
            match encoding_name.as_deref() {
                Some(e) if e.starts_with(b"GB") || e.starts_with(b"GBK") => Decoder::Gbk,
                Some(e) if e.starts_with(b"UniGB-UCS2") || e.starts_with(b"UniGB-UTF16") => {
                    Decoder::Utf16
                }
                Some(b"Identity-H") | Some(b"Identity-V") => Decoder::None,
                _ if subtype == b"Type0" => Decoder::None,
                _ => d
                    .get_font_encoding_with_limit(doc, MAX_CONTENT)
                    .map(Decoder::Lopdf)
                    .unwrap_or(Decoder::None),
            }
        };
        let flags = descriptor
            .and_then(|fd| fd.get(b"Flags").ok())
            .map(|o| num(deref(doc, o)) as u32)
            .unwrap_or(0);
        let weight = descriptor
            .and_then(|fd| fd.get(b"FontWeight").ok())
            .map(|o| num(deref(doc, o)))
            .unwrap_or(400.0);
        let bold = base_s.contains("bold")
            || base_s.contains("heavy")
            || base_s.contains("black")
            || flags & (1 << 18) != 0
            || weight >= 600.0;
        Font {
            index,
            codes,
            decoder,
            widths,
            default_width,
            bold,
        }
    }

    /// Splits a string's bytes into codes.
    fn codes(&self, bytes: &[u8]) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let len = match self.codes {
                CodeLength::One => 1,
                CodeLength::Two => 2,
                CodeLength::Gbk => {
                    if bytes[i] >= 0x81 {
                        2
                    } else {
                        1
                    }
                }
            }
            .min(bytes.len() - i);
            let code = bytes[i..i + len]
                .iter()
                .fold(0u32, |a, b| a << 8 | *b as u32);
            out.push((code, i, len));
            i += len;
        }
        out
    }

    fn decode(&self, code_bytes: &[u8]) -> String {
        match &self.decoder {
            Decoder::Lopdf(e) => e.bytes_to_string(code_bytes).unwrap_or_default(),
            Decoder::Gbk => encoding_rs::GBK
                .decode_without_bom_handling(code_bytes)
                .0
                .into_owned(),
            Decoder::Utf16 => encoding_rs::UTF_16BE
                .decode_without_bom_handling(code_bytes)
                .0
                .into_owned(),
            Decoder::None => String::new(),
        }
    }

    fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
    }
}

/// The font's ToUnicode CMap, parsed by lopdf.
fn to_unicode<'a>(doc: &'a Document, font: &Dictionary) -> Option<Encoding<'a>> {
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Font".to_vec()));
    d.set("Encoding", Object::Name(b"Identity-H".to_vec()));
    d.set("ToUnicode", font.get(b"ToUnicode").ok()?.clone());
    match d.get_font_encoding_with_limit(doc, MAX_CONTENT).ok()? {
        Encoding::UnicodeMapEncoding(cmap) => Some(Encoding::UnicodeMapEncoding(cmap)),
        _ => None,
    }
}

/// A CID font's /W array: `c [w1 w2 …]` and `c_first c_last w`.
fn cid_widths(doc: &Document, a: &[Object], out: &mut HashMap<u32, f32>) {
    let mut i = 0;
    while i < a.len() && out.len() < 70_000 {
        let first = num(deref(doc, &a[i])) as u32;
        match a.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, w) in ws.iter().enumerate().take(70_000) {
                    out.insert(first + k as u32, num(deref(doc, w)));
                }
                i += 2;
            }
            Some(last) => {
                let last = num(last) as u32;
                let w = a.get(i + 2).map(|o| num(deref(doc, o))).unwrap_or(1000.0);
                for c in first..=last.min(first + 70_000) {
                    out.insert(c, w);
                }
                i += 3;
            }
            None => break,
        }
    }
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Vec<u8>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
    rise: f32,
    render: i64,
    line_width: f32,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            render: 0,
            line_width: 1.0,
        }
    }
}

/// Interprets pages.
pub struct Interpreter<'a> {
    doc: &'a Document,
    fonts: HashMap<ObjectId, Font<'a>>,
    inline_fonts: Vec<Font<'a>>,
    font_names: Vec<String>,
}

impl<'a> Interpreter<'a> {
    pub fn new(doc: &'a Document) -> Interpreter<'a> {
        Interpreter {
            doc,
            fonts: HashMap::new(),
            inline_fonts: Vec::new(),
            font_names: Vec::new(),
        }
    }

    pub fn font_names(&self) -> &[String] {
        &self.font_names
    }

    /// The page's glyphs and segments.
    pub fn page(&mut self, page_id: ObjectId) -> Result<PageContent, String> {
        let doc = self.doc;
        let page = doc.get_dictionary(page_id).map_err(|e| e.to_string())?;
        let mediabox = inherited(doc, page_id, b"CropBox")
            .or_else(|| inherited(doc, page_id, b"MediaBox"))
            .and_then(|o| o.as_array().ok().map(|a| nums(a)))
            .filter(|b| b.len() == 4)
            .unwrap_or_else(|| vec![0.0, 0.0, 595.0, 842.0]);
        let (x0, y0, x1, y1) = (
            mediabox[0].min(mediabox[2]),
            mediabox[1].min(mediabox[3]),
            mediabox[0].max(mediabox[2]),
            mediabox[1].max(mediabox[3]),
        );
        let content = doc
            .get_page_content_with_limit(page_id, MAX_CONTENT)
            .map_err(|e| e.to_string())?;
        let resources = resources_of(doc, page_id);
        let mut out = PageContent {
            width: x1 - x0,
            height: y1 - y0,
            ..Default::default()
        };
        // Device space: y from the top of the box.
        let base: Matrix = [1.0, 0.0, 0.0, -1.0, -x0, y1];
        let _ = page;
        let mut budget = MAX_OPERATIONS;
        self.run(&content, &resources, base, &mut out, 0, &mut budget);
        out.fonts = self.font_names.clone();
        Ok(out)
    }

    fn font(&mut self, resources: &[&'a Dictionary], key: &[u8]) -> Option<FontRef> {
        let doc = self.doc;
        for r in resources {
            let Some(fonts) = r.get(b"Font").ok().and_then(|o| dict(doc, o)) else {
                continue;
            };
            let Ok(o) = fonts.get(key) else { continue };
            return match o {
                Object::Reference(id) => {
                    if !self.fonts.contains_key(id) {
                        let d = doc.get_dictionary(*id).ok()?;
                        let index = self.font_index(base_font(doc, d));
                        self.fonts.insert(*id, Font::new(doc, d, index));
                    }
                    Some(FontRef::Id(*id))
                }
                Object::Dictionary(d) => {
                    let index = self.font_index(base_font(doc, d));
                    self.inline_fonts.push(Font::new(doc, d, index));
                    Some(FontRef::Inline(self.inline_fonts.len() - 1))
                }
                _ => None,
            };
        }
        None
    }

    /// Fonts are told apart by name: pages often carry their own copy of a font.
    fn font_index(&mut self, name: String) -> usize {
        match self.font_names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                self.font_names.push(name);
                self.font_names.len() - 1
            }
        }
    }

    fn font_by(&self, r: FontRef) -> &Font<'a> {
        match r {
            FontRef::Id(id) => &self.fonts[&id],
            FontRef::Inline(i) => &self.inline_fonts[i],
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        base: Matrix,
        out: &mut PageContent,
        depth: usize,
        budget: &mut usize,
    ) {
        let doc = self.doc;
        let ops = match Content::decode(content) {
            Ok(c) => c.operations,
            Err(_) => return,
        };
        let mut gs = GState {
            ctm: base,
            ..Default::default()
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut font: Option<FontRef> = None;
        // The current path: segments in device space, and whether each came from `re`.
        let mut path: Vec<(Segment, bool)> = Vec::new();
        let mut start = (0.0f32, 0.0f32);
        let mut current = (0.0f32, 0.0f32);
        for op in ops {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            let o = &op.operands;
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(g) = stack.pop() {
                        let f = gs.font.take();
                        gs = g;
                        let _ = f;
                    }
                }
                "cm" if o.len() == 6 => {
                    let m = nums(o);
                    gs.ctm = mul(&[m[0], m[1], m[2], m[3], m[4], m[5]], &gs.ctm);
                }
                "w" if !o.is_empty() => gs.line_width = num(&o[0]),
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" if o.len() == 2 => {
                    if let Ok(n) = o[0].as_name() {
                        font = self.font(resources, n);
                        gs.font = Some(n.to_vec());
                    }
                    gs.size = num(&o[1]);
                }
                "Tc" if !o.is_empty() => gs.char_spacing = num(&o[0]),
                "Tw" if !o.is_empty() => gs.word_spacing = num(&o[0]),
                "Tz" if !o.is_empty() => gs.scale = num(&o[0]) / 100.0,
                "TL" if !o.is_empty() => gs.leading = num(&o[0]),
                "Ts" if !o.is_empty() => gs.rise = num(&o[0]),
                "Tr" if !o.is_empty() => gs.render = o[0].as_i64().unwrap_or(0),
                "Td" if o.len() == 2 => {
                    let (tx, ty) = (num(&o[0]), num(&o[1]));
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &tlm);
                    tm = tlm;
                }
                "TD" if o.len() == 2 => {
                    let (tx, ty) = (num(&o[0]), num(&o[1]));
                    gs.leading = -ty;
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &tlm);
                    tm = tlm;
                }
                "Tm" if o.len() == 6 => {
                    let m = nums(o);
                    tlm = [m[0], m[1], m[2], m[3], m[4], m[5]];
                    tm = tlm;
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator == "'" || op.operator == "\"" {
                        if op.operator == "\"" && o.len() == 3 {
                            gs.word_spacing = num(&o[0]);
                            gs.char_spacing = num(&o[1]);
                        }
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                        tm = tlm;
                    }
                    let Some(f) = font else { continue };
                    let items: Vec<&Object> = match op.operator.as_str() {
                        "TJ" => match o.first() {
                            Some(Object::Array(a)) => a.iter().collect(),
                            _ => Vec::new(),
                        },
                        _ => o.last().into_iter().collect(),
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                self.show(f, bytes, &gs, &mut tm, out);
                            }
                            other => {
                                let adj = num(other);
                                tm = mul(
                                    &[1.0, 0.0, 0.0, 1.0, -adj / 1000.0 * gs.size * gs.scale, 0.0],
                                    &tm,
                                );
                            }
                        }
                    }
                }
                "m" if o.len() == 2 => {
                    let p = apply(&gs.ctm, num(&o[0]), num(&o[1]));
                    start = p;
                    current = p;
                }
                "l" if o.len() == 2 => {
                    let p = apply(&gs.ctm, num(&o[0]), num(&o[1]));
                    path.push((seg(current, p), false));
                    current = p;
                }
                "c" | "v" | "y" => {
                    if let (Some(x), Some(y)) = (o.get(o.len().wrapping_sub(2)), o.last()) {
                        current = apply(&gs.ctm, num(x), num(y));
                    }
                }
                "h" => {
                    path.push((seg(current, start), false));
                    current = start;
                }
                "re" if o.len() == 4 => {
                    let v = nums(o);
                    let (x, y, w, h) = (v[0], v[1], v[2], v[3]);
                    let corners = [
                        apply(&gs.ctm, x, y),
                        apply(&gs.ctm, x + w, y),
                        apply(&gs.ctm, x + w, y + h),
                        apply(&gs.ctm, x, y + h),
                    ];
                    for i in 0..4 {
                        path.push((seg(corners[i], corners[(i + 1) % 4]), true));
                    }
                    start = corners[0];
                    current = corners[0];
                }
                "S" | "s" | "B" | "B*" | "b" | "b*" | "f" | "F" | "f*" | "n" => {
                    let stroke =
                        matches!(op.operator.as_str(), "S" | "s" | "B" | "B*" | "b" | "b*");
                    let fill = matches!(
                        op.operator.as_str(),
                        "f" | "F" | "f*" | "B" | "B*" | "b" | "b*"
                    );
                    if stroke {
                        for (s, _) in &path {
                            push_segment(out, *s);
                        }
                    } else if fill {
                        fills(&path, out);
                    }
                    path.clear();
                }
                "Do" if !o.is_empty() => {
                    let Ok(n) = o[0].as_name() else { continue };
                    let Some((xobj, id)) = xobject(doc, resources, n) else {
                        continue;
                    };
                    let subtype = name(doc, &xobj.dict, b"Subtype").unwrap_or(b"");
                    if subtype == b"Image" {
                        let (a, b) = (apply(&gs.ctm, 0.0, 0.0), apply(&gs.ctm, 1.0, 1.0));
                        out.images.push(((b.0 - a.0) * (b.1 - a.1)).abs());
                    } else if subtype == b"Form" && depth < 8 {
                        let _ = id;
                        let matrix = xobj
                            .dict
                            .get(b"Matrix")
                            .ok()
                            .and_then(|m| deref(doc, m).as_array().ok())
                            .map(|a| nums(a))
                            .filter(|m| m.len() == 6)
                            .map(|m| [m[0], m[1], m[2], m[3], m[4], m[5]])
                            .unwrap_or(IDENTITY);
                        let Ok(data) = xobj.decompressed_content_with_limit(MAX_CONTENT) else {
                            continue;
                        };
                        let mut res: Vec<&'a Dictionary> = Vec::new();
                        if let Some(r) = xobj.dict.get(b"Resources").ok().and_then(|o| dict(doc, o))
                        {
                            res.push(r);
                        }
                        res.extend(resources.iter().copied());
                        self.run(&data, &res, mul(&matrix, &gs.ctm), out, depth + 1, budget);
                    }
                }
                _ => {}
            }
        }
    }

    fn show(
        &mut self,
        f: FontRef,
        bytes: &[u8],
        gs: &GState,
        tm: &mut Matrix,
        out: &mut PageContent,
    ) {
        let font = self.font_by(f);
        for (code, at, len) in font.codes(bytes) {
            let w0 = font.width(code) / 1000.0;
            let trm = mul(
                &[gs.size * gs.scale, 0.0, 0.0, gs.size, 0.0, gs.rise],
                &mul(tm, &gs.ctm),
            );
            let (x, y) = (trm[4], trm[5]);
            let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            let text = font.decode(&bytes[at..at + len]);
            let space = len == 1 && code == 32;
            let tx = (w0 * gs.size + gs.char_spacing + if space { gs.word_spacing } else { 0.0 })
                * gs.scale;
            let adv = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
            let end = mul(
                &[gs.size * gs.scale, 0.0, 0.0, gs.size, 0.0, gs.rise],
                &mul(&adv, &gs.ctm),
            );
            let w = ((end[4] - x).powi(2) + (end[5] - y).powi(2)).sqrt();
            *tm = adv;
            if out.glyphs.len() >= MAX_GLYPHS || text.is_empty() || !x.is_finite() || !y.is_finite()
            {
                continue;
            }
            out.glyphs.push(Glyph {
                text,
                x,
                y,
                w,
                size,
                font: font.index,
                bold: font.bold || gs.render == 2,
            });
        }
    }
}

#[derive(Clone, Copy)]
enum FontRef {
    Id(ObjectId),
    Inline(usize),
}

fn seg(a: (f32, f32), b: (f32, f32)) -> Segment {
    Segment {
        x0: a.0.min(b.0),
        y0: a.1.min(b.1),
        x1: a.0.max(b.0),
        y1: a.1.max(b.1),
    }
}

fn push_segment(out: &mut PageContent, s: Segment) {
    let long = (s.x1 - s.x0).max(s.y1 - s.y0);
    if (s.horizontal() || s.vertical()) && long >= 1.0 && out.segments.len() < 100_000 {
        out.segments.push(s);
    }
}

/// Filled rectangles: a thin one is a ruling line (some writers draw borders
/// so). Others are backgrounds (WPS paints cells and lines of text), not lines.
fn fills(path: &[(Segment, bool)], out: &mut PageContent) {
    for rect in path.chunks(4) {
        if rect.len() < 4 || !rect.iter().all(|(_, r)| *r) {
            continue;
        }
        let x0 = rect.iter().map(|(s, _)| s.x0).fold(f32::MAX, f32::min);
        let x1 = rect.iter().map(|(s, _)| s.x1).fold(f32::MIN, f32::max);
        let y0 = rect.iter().map(|(s, _)| s.y0).fold(f32::MAX, f32::min);
        let y1 = rect.iter().map(|(s, _)| s.y1).fold(f32::MIN, f32::max);
        if y1 - y0 <= 2.5 && x1 - x0 > 2.5 {
            let y = (y0 + y1) / 2.0;
            push_segment(
                out,
                Segment {
                    x0,
                    y0: y,
                    x1,
                    y1: y,
                },
            );
        } else if x1 - x0 <= 2.5 && y1 - y0 > 2.5 {
            let x = (x0 + x1) / 2.0;
            push_segment(
                out,
                Segment {
                    x0: x,
                    y0,
                    x1: x,
                    y1,
                },
            );
        }
    }
}

fn base_font(doc: &Document, d: &Dictionary) -> String {
    let n = name(doc, d, b"BaseFont").unwrap_or(b"?");
    let n = String::from_utf8_lossy(n).into_owned();
    // Drop the subset prefix "ABCDEF+".
    match n.split_once('+') {
        Some((p, rest)) if p.len() == 6 && p.chars().all(|c| c.is_ascii_uppercase()) => {
            rest.to_string()
        }
        _ => n,
    }
}

fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut id = page;
    for _ in 0..32 {
        let d = doc.get_dictionary(id).ok()?;
        if let Ok(o) = d.get(key) {
            return Some(deref(doc, o));
        }
        id = d.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}

fn resources_of(doc: &Document, page: ObjectId) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    let mut id = page;
    for _ in 0..32 {
        let Ok(d) = doc.get_dictionary(id) else { break };
        if let Some(r) = d.get(b"Resources").ok().and_then(|o| dict(doc, o)) {
            out.push(r);
        }
        match d.get(b"Parent").ok().and_then(|o| o.as_reference().ok()) {
            Some(p) => id = p,
            None => break,
        }
    }
    out
}

fn xobject<'a>(
    doc: &'a Document,
    resources: &[&'a Dictionary],
    key: &[u8],
) -> Option<(&'a lopdf::Stream, ObjectId)> {
    for r in resources {
        let Some(x) = r.get(b"XObject").ok().and_then(|o| dict(doc, o)) else {
            continue;
        };
        let Ok(Object::Reference(id)) = x.get(key) else {
            continue;
        };
        let s = doc.get_object(*id).ok()?.as_stream().ok()?;
        return Some((s, *id));
    }
    None
}
