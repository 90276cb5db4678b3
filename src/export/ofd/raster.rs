//! SVG images (an SVG seal) have no OFD equivalent: they go in as PNG,
//! rasterised with resvg (the renderer Typst's PDF export already builds).

use resvg::tiny_skia;
use typst::visualize::SvgImage;

/// The longest side of a rasterised SVG, in pixels (about 600 dpi for a 42 mm seal).
const MAX_SIDE: f32 = 1000.0;

/// Renders an SVG image to PNG bytes.
pub fn svg_to_png(svg: &SvgImage) -> Result<Vec<u8>, String> {
    let tree = svg.tree();
    let size = tree.size();
    let scale = MAX_SIDE / size.width().max(size.height()).max(1.0);
    let (w, h) = (
        (size.width() * scale).ceil().max(1.0) as u32,
        (size.height() * scale).ceil().max(1.0) as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| format!("cannot rasterise an SVG of {w}×{h} px"))?;
    resvg::render(
        tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the rasterised SVG: {e}"))
}
