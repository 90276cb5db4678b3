//! A small PDF reader for layout tests: `qpdf --json` gives the objects and the
//! decoded streams; this module interprets the page content streams (graphics
//! state, text state, paths, images, form XObjects) and reports every glyph with
//! its font, size and position, every painted path's bounding box, and every
//! image's box. Coordinates are in points from the top-left corner of the page.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

/// A 2-D affine matrix [a b c d e f] as in PDF.
#[derive(Clone, Copy, Debug)]
pub struct Matrix([f64; 6]);

impl Matrix {
    pub const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` then `other` (PDF: m' = self × other).
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// The vertical scale (length of the transformed unit y vector).
    fn y_scale(&self) -> f64 {
        (self.0[2] * self.0[2] + self.0[3] * self.0[3]).sqrt()
    }

    fn x_scale(&self) -> f64 {
        (self.0[0] * self.0[0] + self.0[1] * self.0[1]).sqrt()
    }
}

/// A rectangle, top-down coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    fn empty() -> Rect {
        Rect {
            x0: f64::INFINITY,
            y0: f64::INFINITY,
            x1: f64::NEG_INFINITY,
            y1: f64::NEG_INFINITY,
        }
    }

    fn add(&mut self, x: f64, y: f64) {
        self.x0 = self.x0.min(x);
        self.y0 = self.y0.min(y);
        self.x1 = self.x1.max(x);
        self.y1 = self.y1.max(y);
    }

    pub fn union(&self, o: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.x0 > self.x1
    }

    pub fn centre(&self) -> (f64, f64) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }
}

/// One glyph as shown.
#[derive(Clone, Debug)]
pub struct Glyph {
    /// The text it stands for (ToUnicode).
    pub text: String,
    /// The font's PostScript name without the subset tag ("FandolFang-Regular").
    pub font: String,
    /// The size in points (Tf size × the matrices' vertical scale).
    pub size: f64,
    /// The origin (left edge of the advance box) and the end of its advance
    /// (without character spacing), in points from the left edge of the page.
    pub x0: f64,
    pub x1: f64,
    /// The baseline, in points from the top of the page.
    pub baseline: f64,
}

/// A painted path: its bounding box (without line width) and how it was painted.
#[derive(Clone, Debug)]
pub struct Shape {
    pub bbox: Rect,
    pub stroked: bool,
    pub line_width: f64,
}

/// One page's content.
#[derive(Debug, Default)]
pub struct Page {
    pub width: f64,
    pub height: f64,
    pub glyphs: Vec<Glyph>,
    pub shapes: Vec<Shape>,
    pub images: Vec<Rect>,
}

struct Font {
    name: String,
    two_byte: bool,
    widths: HashMap<u32, f64>,
    default_width: f64,
    to_unicode: HashMap<u32, String>,
}

struct Doc {
    objects: HashMap<String, Value>,
    streams: HashMap<String, Vec<u8>>,
}

/// Reads a PDF's pages with `qpdf --json`.
pub fn read(pdf: &Path) -> Vec<Page> {
    let out = std::process::Command::new("qpdf")
        .args([
            "--json",
            "--json-stream-data=inline",
            "--decode-level=generalized",
        ])
        .arg(pdf)
        .output()
        .expect("qpdf (scripts/test installs it)");
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "qpdf --json failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("qpdf JSON");
    let mut doc = Doc {
        objects: HashMap::new(),
        streams: HashMap::new(),
    };
    for (key, obj) in json["qpdf"][1].as_object().expect("qpdf objects") {
        let Some(id) = key.strip_prefix("obj:") else {
            continue;
        };
        if let Some(stream) = obj.get("stream") {
            doc.objects.insert(id.to_string(), stream["dict"].clone());
            if let Some(data) = stream["data"].as_str() {
                doc.streams.insert(id.to_string(), base64(data));
            }
        } else {
            doc.objects.insert(id.to_string(), obj["value"].clone());
        }
    }
    json["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| doc.page(p["object"].as_str().expect("page ref")))
        .collect()
}

fn base64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn is_ref(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| s.ends_with(" R"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

impl Doc {
    fn get<'a>(&'a self, v: &'a Value) -> &'a Value {
        match is_ref(v) {
            Some(r) => self.objects.get(r).unwrap_or(&Value::Null),
            None => v,
        }
    }

    fn stream(&self, v: &Value) -> Vec<u8> {
        match v {
            Value::Array(parts) => parts.iter().flat_map(|p| self.stream(p)).collect(),
            _ => self
                .streams
                .get(is_ref(v).expect("stream ref"))
                .cloned()
                .unwrap_or_default(),
        }
    }

    fn font(&self, v: &Value) -> Font {
        let dict = self.get(v);
        let base = dict["/BaseFont"].as_str().unwrap_or("/?");
        let base = base.trim_start_matches('/');
        let base = base.split_once('+').map_or(base, |(_, b)| b);
        let name = base.trim_end_matches("-Identity-H").to_string();
        let mut widths = HashMap::new();
        let mut default_width = 0.0;
        let two_byte = dict["/Subtype"] == "/Type0";
        if two_byte {
            let cid = self.get(&dict["/DescendantFonts"][0]);
            default_width = cid["/DW"].as_f64().unwrap_or(1000.0);
            let w = self.get(&cid["/W"]).as_array().cloned().unwrap_or_default();
            let mut i = 0;
            while i < w.len() {
                let first = num(&w[i]) as u32;
                match self.get(&w[i + 1]) {
                    Value::Array(list) => {
                        for (k, x) in list.iter().enumerate() {
                            widths.insert(first + k as u32, num(x));
                        }
                        i += 2;
                    }
                    last => {
                        let last = num(last) as u32;
                        let width = num(&w[i + 2]);
                        for c in first..=last {
                            widths.insert(c, width);
                        }
                        i += 3;
                    }
                }
            }
        } else if let Some(list) = self.get(&dict["/Widths"]).as_array() {
            let first = dict["/FirstChar"].as_f64().unwrap_or(0.0) as u32;
            for (k, x) in list.iter().enumerate() {
                widths.insert(first + k as u32, num(x));
            }
        }
        let to_unicode = if dict["/ToUnicode"].is_null() {
            HashMap::new()
        } else {
            parse_cmap(&self.stream(&dict["/ToUnicode"]))
        };
        Font {
            name,
            two_byte,
            widths,
            default_width,
            to_unicode,
        }
    }

    fn page(&self, id: &str) -> Page {
        let dict = &self.objects[id];
        let media = dict["/MediaBox"].as_array().expect("MediaBox");
        let mut page = Page {
            width: num(&media[2]) - num(&media[0]),
            height: num(&media[3]) - num(&media[1]),
            ..Page::default()
        };
        let content = self.stream(&dict["/Contents"]);
        // PDF space → top-down points.
        let flip = Matrix([1.0, 0.0, 0.0, -1.0, 0.0, page.height]);
        let mut fonts = HashMap::new();
        self.run(&content, &dict["/Resources"], flip, &mut page, &mut fonts);
        page
    }

    /// Interprets a content stream.
    fn run(
        &self,
        content: &[u8],
        resources: &Value,
        base: Matrix,
        page: &mut Page,
        fonts: &mut HashMap<String, Font>,
    ) {
        let resources = self.get(resources).clone();
        let mut ctm = base;
        let mut stack: Vec<(Matrix, f64, f64, f64)> = Vec::new();
        let mut line_width = 1.0;
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        let (mut font_key, mut size, mut tc, mut tw, mut th, mut tl, mut rise) =
            (String::new(), 0.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        let mut path = Rect::empty();
        let mut operands: Vec<Token> = Vec::new();
        let mut current = (0.0, 0.0);
        for token in tokens(content) {
            let op = match token {
                Token::Op(op) => op,
                other => {
                    operands.push(other);
                    continue;
                }
            };
            let n = |i: usize| -> f64 {
                match operands.get(i) {
                    Some(Token::Num(x)) => *x,
                    _ => 0.0,
                }
            };
            match op.as_str() {
                "q" => stack.push((ctm, line_width, tc, th)),
                "Q" => {
                    if let Some((m, w, c, h)) = stack.pop() {
                        (ctm, line_width, tc, th) = (m, w, c, h);
                    }
                }
                "cm" => ctm = Matrix([n(0), n(1), n(2), n(3), n(4), n(5)]).then(ctm),
                "w" => line_width = n(0),
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    if let Some(Token::Name(k)) = operands.first() {
                        font_key = k.clone();
                    }
                    size = n(1);
                    if !fonts.contains_key(&font_key) {
                        let f = self.font(&self.get(&resources["/Font"])[format!("/{font_key}")]);
                        fonts.insert(font_key.clone(), f);
                    }
                }
                "Tc" => tc = n(0),
                "Tw" => tw = n(0),
                "Tz" => th = n(0) / 100.0,
                "TL" => tl = n(0),
                "Ts" => rise = n(0),
                "Tm" => {
                    tm = Matrix([n(0), n(1), n(2), n(3), n(4), n(5)]);
                    tlm = tm;
                }
                "Td" | "TD" => {
                    if op == "TD" {
                        tl = -n(1);
                    }
                    tlm = Matrix::translate(n(0), n(1)).then(tlm);
                    tm = tlm;
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -tl).then(tlm);
                    tm = tlm;
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    if op == "'" || op == "\"" {
                        tlm = Matrix::translate(0.0, -tl).then(tlm);
                        tm = tlm;
                    }
                    let font = &fonts[&font_key];
                    let items: Vec<Token> = match operands.pop() {
                        Some(Token::Array(items)) => items,
                        Some(other) => vec![other],
                        None => vec![],
                    };
                    for item in items {
                        match item {
                            Token::Num(adj) => {
                                tm = Matrix::translate(-adj / 1000.0 * size * th, 0.0).then(tm);
                            }
                            Token::Str(bytes) => {
                                let step = if font.two_byte { 2 } else { 1 };
                                for code in bytes.chunks(step) {
                                    let code = code.iter().fold(0u32, |a, b| (a << 8) | *b as u32);
                                    let w = font.widths.get(&code).copied().unwrap_or(
                                        if font.two_byte {
                                            font.default_width
                                        } else {
                                            0.0
                                        },
                                    ) / 1000.0;
                                    let trm = Matrix([size * th, 0.0, 0.0, size, 0.0, rise])
                                        .then(tm)
                                        .then(ctm);
                                    let (x0, y) = trm.apply(0.0, 0.0);
                                    let (x1, _) = trm.apply(w, 0.0);
                                    page.glyphs.push(Glyph {
                                        text: font
                                            .to_unicode
                                            .get(&code)
                                            .cloned()
                                            .unwrap_or_default(),
                                        font: font.name.clone(),
                                        size: trm.y_scale(),
                                        x0: x0.min(x1),
                                        x1: x0.max(x1),
                                        baseline: y,
                                    });
                                    let space = if !font.two_byte && code == 32 {
                                        tw
                                    } else {
                                        0.0
                                    };
                                    let tx = (w * size + tc + space) * th;
                                    tm = Matrix::translate(tx, 0.0).then(tm);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "m" | "l" => {
                    let (x, y) = ctm.apply(n(0), n(1));
                    path.add(x, y);
                    current = (n(0), n(1));
                }
                "c" => {
                    for i in [0, 2, 4] {
                        let (x, y) = ctm.apply(n(i), n(i + 1));
                        path.add(x, y);
                    }
                    current = (n(4), n(5));
                }
                "v" | "y" => {
                    for i in [0, 2] {
                        let (x, y) = ctm.apply(n(i), n(i + 1));
                        path.add(x, y);
                    }
                    current = (n(2), n(3));
                }
                "re" => {
                    for (x, y) in [(n(0), n(1)), (n(0) + n(2), n(1) + n(3))] {
                        let (x, y) = ctm.apply(x, y);
                        path.add(x, y);
                    }
                }
                "h" => {}
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "n" => {
                    if op != "n" && !path.is_empty() {
                        page.shapes.push(Shape {
                            bbox: path,
                            stroked: matches!(op.as_str(), "S" | "s" | "B" | "B*" | "b" | "b*"),
                            line_width: line_width * ctm.x_scale(),
                        });
                    }
                    path = Rect::empty();
                }
                "Do" => {
                    if let Some(Token::Name(k)) = operands.first() {
                        let xobj_ref = &self.get(&resources["/XObject"])[format!("/{k}")];
                        let xobj = self.get(xobj_ref);
                        if xobj["/Subtype"] == "/Image" {
                            let mut r = Rect::empty();
                            for (x, y) in [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0)] {
                                let (x, y) = ctm.apply(x, y);
                                r.add(x, y);
                            }
                            page.images.push(r);
                        } else if xobj["/Subtype"] == "/Form" {
                            let m = match xobj["/Matrix"].as_array() {
                                Some(a) => Matrix([
                                    num(&a[0]),
                                    num(&a[1]),
                                    num(&a[2]),
                                    num(&a[3]),
                                    num(&a[4]),
                                    num(&a[5]),
                                ]),
                                None => Matrix::IDENTITY,
                            };
                            let content = self.stream(xobj_ref);
                            let res = if xobj["/Resources"].is_null() {
                                resources.clone()
                            } else {
                                xobj["/Resources"].clone()
                            };
                            let mut inner = HashMap::new();
                            self.run(&content, &res, m.then(ctm), page, &mut inner);
                        }
                    }
                }
                _ => {}
            }
            let _ = current;
            operands.clear();
        }
    }
}

/// Reads a ToUnicode CMap's bfchar and bfrange entries.
fn parse_cmap(data: &[u8]) -> HashMap<u32, String> {
    let text = String::from_utf8_lossy(data);
    let mut map = HashMap::new();
    let hex = |s: &str| -> Vec<u8> {
        let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    };
    let code = |s: &str| hex(s).iter().fold(0u32, |a, b| (a << 8) | *b as u32);
    let utf16 = |b: Vec<u8>| {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    };
    let mut section = "";
    for line in text.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            section = "char";
            continue;
        }
        if line.ends_with("beginbfrange") {
            section = "range";
            continue;
        }
        if line.starts_with("end") {
            section = "";
            continue;
        }
        let parts: Vec<&str> = line
            .split(['<', '>'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        match (section, parts.as_slice()) {
            ("char", [c, u]) => {
                map.insert(code(c), utf16(hex(u)));
            }
            ("range", [a, b, u]) => {
                let start = hex(u);
                let base = u16::from_be_bytes([start[start.len() - 2], start[start.len() - 1]]);
                for (k, c) in (code(a)..=code(b)).enumerate() {
                    let mut s = start.clone();
                    let last = (base + k as u16).to_be_bytes();
                    let n = s.len();
                    s[n - 2..].copy_from_slice(&last);
                    map.insert(c, utf16(s));
                }
            }
            _ => {}
        }
    }
    map
}

#[derive(Clone, Debug)]
enum Token {
    Num(f64),
    Name(String),
    Str(Vec<u8>),
    Array(Vec<Token>),
    Other,
    Op(String),
}

/// Tokenises a content stream; arrays are gathered, dictionaries skipped.
fn tokens(data: &[u8]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut arrays: Vec<Vec<Token>> = Vec::new();
    let mut i = 0;
    let delim = |c: u8| b"()<>[]{}/%".contains(&c) || c.is_ascii_whitespace();
    let push =
        |t: Token, out: &mut Vec<Token>, arrays: &mut Vec<Vec<Token>>| match arrays.last_mut() {
            Some(a) => a.push(t),
            None => out.push(t),
        };
    while i < data.len() {
        let c = data[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'%' {
            while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                i += 1;
            }
        } else if c == b'[' {
            arrays.push(Vec::new());
            i += 1;
        } else if c == b']' {
            let a = arrays.pop().unwrap_or_default();
            push(Token::Array(a), &mut out, &mut arrays);
            i += 1;
        } else if c == b'<' && data.get(i + 1) == Some(&b'<') {
            // A dictionary (marked-content properties): skip to its end.
            let mut depth = 0;
            while i < data.len() {
                if data[i..].starts_with(b"<<") {
                    depth += 1;
                    i += 2;
                } else if data[i..].starts_with(b">>") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            push(Token::Other, &mut out, &mut arrays);
        } else if c == b'<' {
            let end = i + data[i..].iter().position(|&b| b == b'>').unwrap();
            let hex: Vec<u8> = data[i + 1..end]
                .iter()
                .copied()
                .filter(u8::is_ascii_hexdigit)
                .collect();
            let bytes = hex
                .chunks(2)
                .map(|p| {
                    let s = std::str::from_utf8(p).unwrap();
                    let s = if s.len() == 1 {
                        format!("{s}0")
                    } else {
                        s.into()
                    };
                    u8::from_str_radix(&s, 16).unwrap()
                })
                .collect();
            push(Token::Str(bytes), &mut out, &mut arrays);
            i = end + 1;
        } else if c == b'(' {
            let mut depth = 1;
            let mut bytes = Vec::new();
            i += 1;
            while i < data.len() {
                let b = data[i];
                match b {
                    b'\\' => {
                        i += 1;
                        let e = data[i];
                        match e {
                            b'n' => bytes.push(b'\n'),
                            b'r' => bytes.push(b'\r'),
                            b't' => bytes.push(b'\t'),
                            b'b' => bytes.push(8),
                            b'f' => bytes.push(12),
                            b'0'..=b'7' => {
                                let mut v = 0u32;
                                let mut k = 0;
                                while k < 3 && i < data.len() && (b'0'..=b'7').contains(&data[i]) {
                                    v = v * 8 + (data[i] - b'0') as u32;
                                    i += 1;
                                    k += 1;
                                }
                                bytes.push(v as u8);
                                continue;
                            }
                            b'\n' | b'\r' => {}
                            other => bytes.push(other),
                        }
                    }
                    b'(' => {
                        depth += 1;
                        bytes.push(b);
                    }
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                        bytes.push(b);
                    }
                    _ => bytes.push(b),
                }
                i += 1;
            }
            push(Token::Str(bytes), &mut out, &mut arrays);
        } else if c == b'/' {
            let start = i + 1;
            i += 1;
            while i < data.len() && !delim(data[i]) {
                i += 1;
            }
            let name = String::from_utf8_lossy(&data[start..i]).into_owned();
            push(Token::Name(name), &mut out, &mut arrays);
        } else {
            let start = i;
            while i < data.len() && !delim(data[i]) {
                i += 1;
            }
            if i == start {
                i += 1;
                continue;
            }
            let word = std::str::from_utf8(&data[start..i]).unwrap_or("");
            let token = match word.parse::<f64>() {
                Ok(x) => Token::Num(x),
                Err(_) if word == "true" || word == "false" || word == "null" => Token::Other,
                Err(_) => Token::Op(word.to_string()),
            };
            if let Token::Op(op) = &token {
                if op == "BI" {
                    // Inline image: skip to EI.
                    while i + 2 < data.len()
                        && !(data[i..].starts_with(b"EI") && delim(data[i + 2]))
                    {
                        i += 1;
                    }
                    i += 2;
                    continue;
                }
            }
            push(token, &mut out, &mut arrays);
        }
    }
    out
}
