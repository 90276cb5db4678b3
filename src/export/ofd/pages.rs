//! Pages: Typst's laid-out frames as OFD page content (GB/T 33190-2016 §8–11).
//! Text runs become TextObjects (X and DeltaX from the glyph advances),
//! shapes become PathObjects, raster images ImageObjects over a MultiMedia
//! resource. Coordinates are millimetres from the page's top-left corner,
//! y down, as in Typst (whose unit is the point).

use std::collections::HashMap;

use typst::layout::{Abs, Frame, FrameItem, Point, Size, Transform};
use typst::text::TextItem;
use typst::visualize::{
    Curve, CurveItem, FillRule, FixedStroke, Geometry, Image, ImageKind, LineCap, LineJoin, Paint,
    Shape,
};

use super::fonts::{clusters, FontSet};
use super::xml::{num, nums, XmlWriter};
use super::OfdError;

/// Millimetres per point.
pub const MM_PER_PT: f64 = 25.4 / 72.0;

fn mm(v: Abs) -> f64 {
    v.to_pt() * MM_PER_PT
}

/// An affine map x' = a x + c y + e, y' = b x + d y + f (points).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn from_transform(t: &Transform) -> Matrix {
        Matrix([
            t.sx.get(),
            t.ky.get(),
            t.kx.get(),
            t.sy.get(),
            t.tx.to_pt(),
            t.ty.to_pt(),
        ])
    }

    /// `self` after `inner`: x → self(inner(x)).
    fn then(&self, inner: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = inner.0;
        Matrix([
            a * a2 + c * b2,
            b * a2 + d * b2,
            a * c2 + c * d2,
            b * c2 + d * d2,
            a * e2 + c * f2 + e,
            b * e2 + d * f2 + f,
        ])
    }

    /// The translation, when the map is nothing else.
    fn translation(&self) -> Option<(f64, f64)> {
        let [a, b, c, d, e, f] = self.0;
        let eps = 1e-9;
        ((a - 1.0).abs() < eps && b.abs() < eps && c.abs() < eps && (d - 1.0).abs() < eps)
            .then_some((e, f))
    }

    /// As an OFD CTM on millimetre coordinates.
    fn ctm_mm(&self) -> String {
        let [a, b, c, d, e, f] = self.0;
        nums(&[a, b, c, d, e * MM_PER_PT, f * MM_PER_PT])
    }
}

/// One image resource (MultiMedia, Type Image).
pub struct Media {
    pub id: u32,
    /// The file name under `Res/`.
    pub file: String,
    /// `PNG` or `JPEG`.
    pub format: &'static str,
    pub bytes: Vec<u8>,
}

/// Writes the pages of a document: ids come from `next_id`, faces are
/// collected in `fonts` and images in `media`.
pub struct PageWriter<'a> {
    pub next_id: &'a mut u32,
    pub fonts: &'a mut FontSet,
    pub media: &'a mut Vec<Media>,
    media_index: HashMap<Image, u32>,
}

impl<'a> PageWriter<'a> {
    pub fn new(next_id: &'a mut u32, fonts: &'a mut FontSet, media: &'a mut Vec<Media>) -> Self {
        PageWriter {
            next_id,
            fonts,
            media,
            media_index: HashMap::new(),
        }
    }

    fn id(&mut self) -> u32 {
        *self.next_id += 1;
        *self.next_id
    }

    /// The Content.xml of a page of size `size`.
    pub fn page(&mut self, frame: &Frame, page: usize) -> Result<Vec<u8>, OfdError> {
        let size = frame.size();
        let mut w = XmlWriter::new("Page", &[]);
        w.start("Area", &[]);
        w.leaf(
            "PhysicalBox",
            &[],
            &nums(&[0.0, 0.0, mm(size.x), mm(size.y)]),
        );
        w.end();
        w.start("Content", &[]);
        let layer = self.id().to_string();
        w.start("Layer", &[("ID", &layer), ("Type", "Body")]);
        let mut cx = PageCtx {
            w,
            page_box: [0.0, 0.0, mm(size.x), mm(size.y)],
            page,
        };
        self.walk(&mut cx, frame, Matrix::IDENTITY)?;
        Ok(cx.w.finish())
    }

    fn walk(&mut self, cx: &mut PageCtx, frame: &Frame, m: Matrix) -> Result<(), OfdError> {
        for (pos, item) in frame.items() {
            let here = m.then(&Matrix::translate(pos.x.to_pt(), pos.y.to_pt()));
            match item {
                FrameItem::Group(g) => {
                    let inner = here.then(&Matrix::from_transform(&g.transform));
                    self.walk(cx, &g.frame, inner)?;
                }
                FrameItem::Text(t) => self.text(cx, t, here),
                FrameItem::Shape(s, _) => self.shape(cx, s, here),
                FrameItem::Image(image, size, _) => self.image(cx, image, *size, here)?,
                FrameItem::Link(..) | FrameItem::Tag(_) => {}
            }
        }
        Ok(())
    }

    /// A text run: one TextObject with one TextCode, a DeltaX per character.
    fn text(&mut self, cx: &mut PageCtx, t: &TextItem, m: Matrix) {
        if t.glyphs.is_empty() {
            return;
        }
        let size = t.size.to_pt();
        let id = self.id();
        let face = t.font.ttf();
        let font = self.fonts.entry(t.font.font(), self.next_id);
        let font_id = font.id;
        // Characters in glyph order, each at the pen position of its cluster.
        let mut text = String::new();
        let mut positions: Vec<f64> = Vec::new(); // pt, from the run's origin
        let mut transforms: Vec<(usize, usize, Vec<u16>)> = Vec::new();
        let mut pen = 0.0;
        for (range, members) in clusters(&t.glyphs) {
            let chars: Vec<char> = t.text.get(range).unwrap_or("").chars().collect();
            let first = &t.glyphs[members[0]];
            let at = pen + first.x_offset.at(t.size).to_pt();
            let glyphs: Vec<u16> = members
                .iter()
                .map(|&i| font.glyph(t.glyphs[i].id))
                .collect();
            for &i in &members {
                pen += t.glyphs[i].x_advance.at(t.size).to_pt();
            }
            if chars.is_empty() {
                continue;
            }
            let plain = chars.len() == 1
                && glyphs.len() == 1
                && font.cmap_glyph(face, chars[0]) == Some(glyphs[0]);
            if !plain {
                for &c in &chars {
                    font.cmap_glyph(face, c);
                }
                transforms.push((positions.len(), chars.len(), glyphs));
            }
            for c in chars {
                text.push(c);
                positions.push(at);
            }
        }
        if text.is_empty() {
            return;
        }
        let metrics = t.font.metrics();
        let ascender = metrics.ascender.get() * size;
        let descender = -metrics.descender.get() * size;
        // A generous box: glyphs may overhang their advances.
        let (x0, y0) = (-0.5 * size, -(ascender + 0.2 * size));
        let (x1, y1) = (pen.max(0.0) + 0.5 * size, descender + 0.2 * size);
        let deltas: Vec<f64> = positions
            .windows(2)
            .map(|p| (p[1] - p[0]) * MM_PER_PT)
            .collect();
        let (boundary, ctm, x, y) = match m.translation() {
            Some((e, f)) => (
                [
                    (e + x0) * MM_PER_PT,
                    (f + y0) * MM_PER_PT,
                    (x1 - x0) * MM_PER_PT,
                    (y1 - y0) * MM_PER_PT,
                ],
                None,
                (positions[0] - x0) * MM_PER_PT,
                -y0 * MM_PER_PT,
            ),
            None => (cx.page_box, Some(m.ctm_mm()), positions[0] * MM_PER_PT, 0.0),
        };
        let id = id.to_string();
        let boundary = nums(&boundary);
        let font_id = font_id.to_string();
        let size_mm = num(size * MM_PER_PT);
        let mut attrs = vec![
            ("ID", id.as_str()),
            ("Boundary", boundary.as_str()),
            ("Font", font_id.as_str()),
            ("Size", size_mm.as_str()),
        ];
        if let Some(ctm) = &ctm {
            attrs.push(("CTM", ctm.as_str()));
        }
        let stroke_width;
        if let Some(stroke) = &t.stroke {
            stroke_width = num(mm(stroke.thickness));
            attrs.push(("Stroke", "true"));
            attrs.push(("LineWidth", stroke_width.as_str()));
        }
        cx.w.start("TextObject", &attrs);
        color(&mut cx.w, "FillColor", &t.fill);
        if let Some(stroke) = &t.stroke {
            color(&mut cx.w, "StrokeColor", &stroke.paint);
        }
        for (position, count, glyphs) in &transforms {
            cx.w.start(
                "CGTransform",
                &[
                    ("CodePosition", &position.to_string()),
                    ("CodeCount", &count.to_string()),
                    ("GlyphCount", &glyphs.len().to_string()),
                ],
            );
            let ids: Vec<String> = glyphs.iter().map(|g| g.to_string()).collect();
            cx.w.leaf("Glyphs", &[], &ids.join(" "));
            cx.w.end();
        }
        let (x, y, deltas) = (num(x), num(y), nums(&deltas));
        let mut code = vec![("X", x.as_str()), ("Y", y.as_str())];
        if !deltas.is_empty() {
            code.push(("DeltaX", deltas.as_str()));
        }
        cx.w.leaf("TextCode", &code, &text);
        cx.w.end();
    }

    /// A line, rectangle or curve: one PathObject.
    fn shape(&mut self, cx: &mut PageCtx, s: &Shape, m: Matrix) {
        let (data, points) = path_data(&s.geometry);
        if points.is_empty() {
            return;
        }
        let stroke = s.stroke.as_ref().filter(|st| st.thickness.to_pt() > 0.0);
        let half = stroke.map_or(0.0, |st| st.thickness.to_pt() / 2.0);
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in &points {
            x0 = x0.min(*x);
            y0 = y0.min(*y);
            x1 = x1.max(*x);
            y1 = y1.max(*y);
        }
        let (x0, y0, x1, y1) = (
            x0 - half - 0.5,
            y0 - half - 0.5,
            x1 + half + 0.5,
            y1 + half + 0.5,
        );
        let id = self.id().to_string();
        let (boundary, ctm, origin) = match m.translation() {
            Some((e, f)) => (
                [
                    (e + x0) * MM_PER_PT,
                    (f + y0) * MM_PER_PT,
                    (x1 - x0) * MM_PER_PT,
                    (y1 - y0) * MM_PER_PT,
                ],
                None,
                (x0, y0),
            ),
            None => (cx.page_box, Some(m.ctm_mm()), (0.0, 0.0)),
        };
        let boundary = nums(&boundary);
        let data = data.render(origin);
        let mut attrs: Vec<(&str, String)> = vec![("ID", id), ("Boundary", boundary)];
        if let Some(ctm) = ctm {
            attrs.push(("CTM", ctm));
        }
        match stroke {
            Some(st) => stroke_attrs(st, &mut attrs),
            None => attrs.push(("Stroke", "false".into())),
        }
        if s.fill.is_some() {
            attrs.push(("Fill", "true".into()));
            if s.fill_rule == FillRule::EvenOdd {
                attrs.push(("Rule", "Even-Odd".into()));
            }
        }
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cx.w.start("PathObject", &attrs);
        if let Some(st) = stroke {
            color(&mut cx.w, "StrokeColor", &st.paint);
        }
        if let Some(fill) = &s.fill {
            color(&mut cx.w, "FillColor", fill);
        }
        cx.w.leaf("AbbreviatedData", &[], &data);
        cx.w.end();
    }

    /// A raster image: an ImageObject over a MultiMedia resource (each image once).
    fn image(
        &mut self,
        cx: &mut PageCtx,
        image: &Image,
        size: Size,
        m: Matrix,
    ) -> Result<(), OfdError> {
        let resource = match self.media_index.get(image) {
            Some(id) => *id,
            None => {
                let (bytes, format, ext) =
                    image_bytes(image).map_err(|reason| OfdError::Image {
                        page: cx.page,
                        reason,
                    })?;
                let id = self.id();
                self.media.push(Media {
                    id,
                    file: format!("Image_{id}.{ext}"),
                    format,
                    bytes,
                });
                self.media_index.insert(image.clone(), id);
                id
            }
        };
        let (w, h) = (size.x.to_pt(), size.y.to_pt());
        let scaled = m.then(&Matrix([w, 0.0, 0.0, h, 0.0, 0.0]));
        let (boundary, ctm) = match m.translation() {
            Some((e, f)) => (
                [e * MM_PER_PT, f * MM_PER_PT, w * MM_PER_PT, h * MM_PER_PT],
                nums(&[w * MM_PER_PT, 0.0, 0.0, h * MM_PER_PT, 0.0, 0.0]),
            ),
            None => (cx.page_box, scaled.ctm_mm()),
        };
        let id = self.id().to_string();
        cx.w.empty(
            "ImageObject",
            &[
                ("ID", &id),
                ("Boundary", &nums(&boundary)),
                ("CTM", &ctm),
                ("ResourceID", &resource.to_string()),
            ],
        );
        Ok(())
    }
}

struct PageCtx {
    w: XmlWriter,
    page_box: [f64; 4],
    /// The page number (1-based), for errors.
    page: usize,
}

/// Path operators with coordinates in points, rendered relative to an origin.
struct PathData(Vec<(char, Vec<(f64, f64)>)>);

impl PathData {
    fn render(&self, (ox, oy): (f64, f64)) -> String {
        let mut parts = Vec::new();
        for (op, pts) in &self.0 {
            let mut s = op.to_string();
            for (x, y) in pts {
                s.push(' ');
                s.push_str(&num((x - ox) * MM_PER_PT));
                s.push(' ');
                s.push_str(&num((y - oy) * MM_PER_PT));
            }
            parts.push(s);
        }
        parts.join(" ")
    }
}

/// The abbreviated path of a geometry (points) and every point it names.
fn path_data(geometry: &Geometry) -> (PathData, Vec<(f64, f64)>) {
    let p = |pt: &Point| (pt.x.to_pt(), pt.y.to_pt());
    let mut ops: Vec<(char, Vec<(f64, f64)>)> = Vec::new();
    match geometry {
        Geometry::Line(to) => {
            ops.push(('M', vec![(0.0, 0.0)]));
            ops.push(('L', vec![p(to)]));
        }
        Geometry::Rect(size) => {
            let (w, h) = (size.x.to_pt(), size.y.to_pt());
            ops.push(('M', vec![(0.0, 0.0)]));
            ops.push(('L', vec![(w, 0.0)]));
            ops.push(('L', vec![(w, h)]));
            ops.push(('L', vec![(0.0, h)]));
            ops.push(('C', vec![]));
        }
        Geometry::Curve(Curve(items)) => {
            for item in items {
                match item {
                    CurveItem::Move(a) => ops.push(('M', vec![p(a)])),
                    CurveItem::Line(a) => ops.push(('L', vec![p(a)])),
                    CurveItem::Cubic(a, b, c) => ops.push(('B', vec![p(a), p(b), p(c)])),
                    CurveItem::Close => ops.push(('C', vec![])),
                }
            }
        }
    }
    let points = ops
        .iter()
        .flat_map(|(_, pts)| pts.iter().copied())
        .collect();
    (PathData(ops), points)
}

fn stroke_attrs(st: &FixedStroke, attrs: &mut Vec<(&str, String)>) {
    attrs.push(("LineWidth", num(mm(st.thickness))));
    attrs.push((
        "Cap",
        match st.cap {
            LineCap::Butt => "Butt",
            LineCap::Round => "Round",
            LineCap::Square => "Square",
        }
        .into(),
    ));
    attrs.push((
        "Join",
        match st.join {
            LineJoin::Miter => "Miter",
            LineJoin::Round => "Round",
            LineJoin::Bevel => "Bevel",
        }
        .into(),
    ));
    if st.join == LineJoin::Miter {
        attrs.push(("MiterLimit", num(st.miter_limit.get())));
    }
    if let Some(dash) = &st.dash {
        attrs.push(("DashOffset", num(mm(dash.phase))));
        let array: Vec<f64> = dash.array.iter().map(|v| mm(*v)).collect();
        attrs.push(("DashPattern", nums(&array)));
    }
}

/// `<ofd:FillColor Value="r g b"/>` (Alpha only when not opaque).
fn color(w: &mut XmlWriter, element: &str, paint: &Paint) {
    let c = match paint {
        Paint::Solid(c) => c.clone(),
        // Gradients and tilings: their first colour (the report uses none).
        Paint::Gradient(g) => g
            .stops_ref()
            .first()
            .map_or(typst::visualize::Color::BLACK, |s| s.0.clone()),
        Paint::Tiling(_) => typst::visualize::Color::BLACK,
    };
    let [r, g, b, a] = c.to_vec4_u8();
    let value = format!("{r} {g} {b}");
    if a == 255 {
        w.empty(element, &[("Value", &value)]);
    } else {
        w.empty(element, &[("Value", &value), ("Alpha", &a.to_string())]);
    }
}

/// An image's bytes for a MultiMedia resource: PNG and JPEG as they are, SVG
/// rasterised to PNG.
fn image_bytes(image: &Image) -> Result<(Vec<u8>, &'static str, &'static str), String> {
    use typst::visualize::{ExchangeFormat, RasterFormat};
    match image.kind() {
        ImageKind::Raster(raster) => match raster.format() {
            RasterFormat::Exchange(ExchangeFormat::Png) => {
                Ok((raster.data().to_vec(), "PNG", "png"))
            }
            RasterFormat::Exchange(ExchangeFormat::Jpg) => {
                Ok((raster.data().to_vec(), "JPEG", "jpg"))
            }
            other => Err(format!(
                "a {other:?} image cannot go into an OFD copy (use PNG or JPEG)"
            )),
        },
        ImageKind::Svg(svg) => super::raster::svg_to_png(svg).map(|png| (png, "PNG", "png")),
        ImageKind::Pdf(_) => Err("a PDF image cannot go into an OFD copy (use PNG or JPEG)".into()),
    }
}
