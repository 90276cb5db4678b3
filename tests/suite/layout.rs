//! The official layout (GB/T 9704-2012), proven by measuring the rendered PDFs.
//!
//! Every figure below is read back from the PDF (glyph origins and advances,
//! font names and sizes, painted paths and images; see `layout/pdf.rs`), not
//! from Typst. Tolerances: ±0.5 mm for positions, ±0.25 pt for sizes.

mod grid;
mod pdf;

use std::path::{Path, PathBuf};

use crate::common::*;
use nianbao::RenderOptions;
use pdf::{Glyph, Page, Rect};

/// Points per millimetre.
const MM: f64 = 72.0 / 25.4;
/// ±0.5 mm.
const TOL: f64 = 0.5 * MM;
/// ±0.25 pt.
const TOL_PT: f64 = 0.25;

const PAGE_W: f64 = 210.0 * MM;
const PAGE_H: f64 = 297.0 * MM;
const TOP: f64 = 37.0 * MM;
const BOTTOM: f64 = (297.0 - 35.0) * MM;
const MEASURE: f64 = 156.0 * MM;
const PITCH: f64 = 225.0 * MM / 22.0;
/// One 字 of the body: 156 mm / 28.
const ZI: f64 = MEASURE / 28.0;
/// The ideographic em box's top, above the baseline, in em (Fandol: 880/-120).
const EM_TOP: f64 = 0.88;

/// The text block's left edge on a page (1-based): binding margin 28 mm on the
/// left of odd pages, outer margin 26 mm on the left of even pages.
fn left(page: usize) -> f64 {
    if page % 2 == 1 {
        28.0 * MM
    } else {
        26.0 * MM
    }
}

fn right(page: usize) -> f64 {
    left(page) + MEASURE
}

fn mm(pt: f64) -> f64 {
    pt / MM
}

struct Rendered {
    _dir: tempfile::TempDir,
    path: PathBuf,
    pages: Vec<Page>,
}

fn render(data: &Path, options: &RenderOptions) -> Rendered {
    let (dir, path) = render_to_file(&load(data), options);
    let pages = pdf::read(&path);
    Rendered {
        _dir: dir,
        path,
        pages,
    }
}

fn long() -> PathBuf {
    fixture("long-report.toml")
}

/// Full-width punctuation whose glyph has its ink in one half: at a line's end
/// Typst compresses it to half an em, so its advance ends at the middle.
fn is_compressible(c: &str) -> bool {
    matches!(
        c,
        "。" | "，" | "、" | "；" | "：" | "）" | "》" | "」" | "”" | "’" | "！" | "？"
    )
}

/// The right end of a glyph's (compressed) advance.
fn end(g: &Glyph) -> f64 {
    if is_compressible(&g.text) {
        g.x0 + g.size / 2.0
    } else {
        g.x1
    }
}

/// A line of text: glyphs on one baseline, left to right.
#[derive(Debug)]
struct Line<'a> {
    baseline: f64,
    glyphs: Vec<&'a Glyph>,
}

impl Line<'_> {
    fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.text.as_str()).collect()
    }
    fn x0(&self) -> f64 {
        self.glyphs.first().unwrap().x0
    }
    fn x1(&self) -> f64 {
        end(self.glyphs.last().unwrap())
    }
    fn size(&self) -> f64 {
        self.glyphs.iter().map(|g| g.size).fold(0.0, f64::max)
    }
    fn top(&self) -> f64 {
        self.baseline - EM_TOP * self.size()
    }
    fn fonts(&self) -> Vec<&str> {
        let mut f: Vec<&str> = self.glyphs.iter().map(|g| g.font.as_str()).collect();
        f.dedup();
        f
    }
}

/// Groups the glyphs that pass `keep` into lines by baseline.
fn lines<'a>(page: &'a Page, keep: impl Fn(&Glyph) -> bool) -> Vec<Line<'a>> {
    let mut glyphs: Vec<&Glyph> = page.glyphs.iter().filter(|g| keep(g)).collect();
    glyphs.sort_by(|a, b| {
        a.baseline
            .total_cmp(&b.baseline)
            .then(a.x0.total_cmp(&b.x0))
    });
    let mut out: Vec<Line> = Vec::new();
    for g in glyphs {
        match out.last_mut() {
            Some(l) if (l.baseline - g.baseline).abs() < 0.5 => l.glyphs.push(g),
            _ => out.push(Line {
                baseline: g.baseline,
                glyphs: vec![g],
            }),
        }
    }
    for l in &mut out {
        l.glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    out
}

/// Text lines of the text block at body size (16 pt): body, headings, signature.
fn text_lines(page: &Page) -> Vec<Line<'_>> {
    lines(page, |g| {
        (g.size - 16.0).abs() < TOL_PT && g.baseline < BOTTOM
    })
}

/// The page number's glyphs (below the text block).
fn page_number(page: &Page) -> Vec<&Glyph> {
    page.glyphs.iter().filter(|g| g.baseline > BOTTOM).collect()
}

/// Table 3's first and last data rows decide where it is; its header text is this.
const TABLE3_HEADER: &str = "申请人情况";

fn is_table_glyph(g: &Glyph) -> bool {
    g.size < 15.0 && g.baseline < BOTTOM
}

fn assert_near(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.3} pt ({:.2} mm), want {want:.3} pt ({:.2} mm) ± {tol:.2} pt",
        mm(got),
        mm(want)
    );
}

#[test]
fn pages_are_a4() {
    for data in [example(), long()] {
        let r = render(&data, &RenderOptions::default());
        for p in &r.pages {
            assert_near("page width", p.width, PAGE_W, TOL_PT);
            assert_near("page height", p.height, PAGE_H, TOL_PT);
        }
        let info = pdfinfo(&r.path);
        assert!(info_value(&info, "Page size").contains("(A4)"));
    }
}

/// Text-block edges, first-line top, body size, 28 characters a line.
#[test]
fn text_block_edges_and_characters_per_line() {
    for data in [example(), long()] {
        let r = render(&data, &RenderOptions::default());
        let mut full_lines = 0;
        for (i, page) in r.pages.iter().enumerate() {
            let n = i + 1;
            let lines = text_lines(page);
            if lines.is_empty() {
                continue;
            }
            // Left edge: nothing starts before it; on a page with body text
            // (more than headings), the leftmost line starts at it.
            let x0 = lines.iter().map(Line::x0).fold(f64::INFINITY, f64::min);
            assert!(x0 >= left(n) - TOL, "page {n}: text at {:.2} mm", mm(x0));
            if lines.len() >= 3 {
                assert_near(&format!("page {n}: left edge"), x0, left(n), TOL);
            }
            // No line passes the right edge; every line of 28 ideographs fills it.
            for l in &lines {
                assert!(
                    l.x1() <= right(n) + TOL,
                    "page {n}: line {:?} ends at {:.2} mm, past the text block ({:.2} mm)",
                    l.text(),
                    mm(l.x1()),
                    mm(right(n))
                );
            }
            let x1 = lines.iter().map(Line::x1).fold(0.0, f64::max);
            println!(
                "{} page {n}: text block {:.2}–{:.2} mm from the left edge (want {:.0}–{:.0})",
                data.file_name().unwrap().to_string_lossy(),
                mm(x0),
                mm(x1),
                mm(left(n)),
                mm(right(n))
            );
            for l in &lines {
                if (l.x1() - right(n)).abs() < TOL {
                    full_lines += 1;
                }
                // Without CJK punctuation (which may be compressed to half
                // width), a line holds at most 28 字, digits and Latin letters
                // counting half.
                let punctuation = l.glyphs.iter().any(|g| {
                    g.text
                        .chars()
                        .any(|c| matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ff65}' | '“' | '”' | '‘' | '’'))
                });
                let width: f64 = l
                    .glyphs
                    .iter()
                    .map(|g| if g.text.is_ascii() { 0.5 } else { 1.0 })
                    .sum();
                assert!(
                    punctuation || width <= 28.0,
                    "page {n}: {width} 字 in {:?}",
                    l.text()
                );
                // Body-size text only in the text block.
                assert_near("body size", l.size(), 16.0, TOL_PT);
            }
        }
        println!(
            "{}: {full_lines} lines end at the right edge of the text block",
            data.file_name().unwrap().to_string_lossy()
        );
        assert!(full_lines > 10, "justified lines reach the right edge");
    }
}

/// A full line of 28 ideographs (no punctuation), measured glyph by glyph.
#[test]
fn a_full_line_holds_28_characters_across_the_measure() {
    let ideographs = "政府信息公开工作年度报告依据条例编制全文包括总体情况主动公开依申请公开政府信息管理平台建设监督保障等方面内容所列数据统计期限为全年如有疑问可与办公室联系";
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace("无其他需要报告事项。", ideographs);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ideographs.toml");
    std::fs::write(&data, text).unwrap();
    let r = render(&data, &RenderOptions::default());
    let n = r.pages.len();
    let lines = text_lines(r.pages.last().unwrap());
    let i = lines
        .iter()
        .position(|l| ideographs.starts_with(&l.text()))
        .expect("the paragraph's first line");
    // First line: 26 characters after the 2 字 indent; the second: 28 from edge to edge.
    assert_eq!(lines[i].glyphs.len(), 26);
    assert_near("indented line end", lines[i].x1(), right(n), TOL);
    let l = &lines[i + 1];
    assert_eq!(l.glyphs.len(), 28, "{:?}", l.text());
    let advance = (l.glyphs[27].x0 - l.glyphs[0].x0) / 27.0;
    assert_near("character advance", advance, ZI, 0.01);
    assert_near("line start", l.x0(), left(n), TOL);
    assert_near("line end", l.x1(), right(n), TOL);
    println!(
        "page {n}: {}: 28 characters, advance {advance:.3} pt (156 mm / 28 = {ZI:.3}), {:.2}–{:.2} mm",
        l.text(),
        mm(l.x0()),
        mm(l.x1())
    );
}

/// Every full page holds 22 lines at a constant pitch starting at the top margin;
/// every line (headings, blank lines, after tables) sits on that grid.
#[test]
fn full_pages_hold_22_lines_on_the_grid() {
    let r = render(&long(), &RenderOptions::default());
    let mut full_pages = 0;
    for (i, page) in r.pages.iter().enumerate() {
        let n = i + 1;
        let lines = text_lines(page);
        let has_table = page.glyphs.iter().any(is_table_glyph);
        for l in &lines {
            let cell = (l.top() - TOP) / PITCH;
            assert!(
                (cell - cell.round()).abs() * PITCH <= TOL,
                "page {n}: line {:?} is off the grid (cell {cell:.3})",
                l.text()
            );
        }
        let Some(first) = lines.first() else { continue };
        if n > 1
            && !page
                .glyphs
                .iter()
                .any(|g| is_table_glyph(g) && g.baseline < first.baseline)
        {
            assert_near(&format!("page {n}: first line top"), first.top(), TOP, TOL);
        }
        if !has_table && n > 1 && lines.len() >= 20 {
            let pitches: Vec<f64> = lines
                .windows(2)
                .map(|w| w[1].baseline - w[0].baseline)
                .collect();
            let max = pitches.iter().copied().fold(0.0, f64::max);
            let min = pitches.iter().copied().fold(f64::INFINITY, f64::min);
            // A full page of text: every cell used (a blank line would show as 2 pitches).
            if (max - min).abs() < 0.01 {
                assert_eq!(lines.len(), 22, "page {n}");
                assert_near("line pitch", min, PITCH, 0.01);
                full_pages += 1;
                println!(
                    "page {n}: 22 lines, pitch {min:.4} pt (225 mm / 22 = {PITCH:.4}), first line top {:.2} mm, last line bottom {:.2} mm",
                    mm(first.top()),
                    mm(lines.last().unwrap().baseline + 0.12 * 16.0)
                );
            }
        }
    }
    assert!(full_pages >= 3, "full pages of text: {full_pages}");
}

#[test]
fn title_is_22pt_centred_on_two_lines_with_a_blank_line_below() {
    for (data, lines_want) in [
        (
            example(),
            ["卞路口乡人民政府", "2023年政府信息公开工作年度报告"],
        ),
        (
            long(),
            ["示例县人民政府办公室", "2023年政府信息公开工作年度报告"],
        ),
    ] {
        let r = render(&data, &RenderOptions::default());
        let page = &r.pages[0];
        let title = lines(page, |g| (g.size - 22.0).abs() < TOL_PT);
        let texts: Vec<String> = title.iter().map(Line::text).collect();
        assert_eq!(texts, lines_want);
        for l in &title {
            assert_near("title size", l.size(), 22.0, TOL_PT);
            assert_eq!(l.fonts(), ["FandolSong-Bold"], "title font (小标宋 role)");
            let centre = (l.x0() + l.glyphs.last().unwrap().x1) / 2.0;
            assert_near("title centre", centre, left(1) + MEASURE / 2.0, TOL);
        }
        assert_near("title top", title[0].top(), TOP, TOL);
        assert_near(
            "title pitch",
            title[1].baseline - title[0].baseline,
            PITCH,
            TOL,
        );
        // One blank line: the first line below is in the 4th cell.
        let next = &text_lines(page)[0];
        assert_near(
            "first line after the title",
            next.top(),
            TOP + 3.0 * PITCH,
            TOL,
        );
        println!(
            "title: 22 pt, centres {:?} mm (text block centre {:.2}), first line below at cell 4",
            title
                .iter()
                .map(|l| format!("{:.2}", mm((l.x0() + l.glyphs.last().unwrap().x1) / 2.0)))
                .collect::<Vec<_>>(),
            mm(left(1) + MEASURE / 2.0)
        );
    }
}

#[test]
fn headings_use_their_roles_and_indents() {
    let r = render(&example(), &RenderOptions::default());
    let all: Vec<(usize, Line)> = r
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| text_lines(p).into_iter().map(move |l| (i + 1, l)))
        .collect();
    let find = |start: &str| {
        all.iter()
            .find(|(_, l)| l.text().starts_with(start))
            .unwrap_or_else(|| panic!("no line starting with {start}"))
    };
    // Level 1: 黑体, its own line, indented 2 字.
    for h in [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "六、其他需要报告的事项",
    ] {
        let (n, l) = find(h);
        assert_eq!(l.text(), h);
        assert_eq!(l.fonts(), ["FandolHei-Regular"], "{h}");
        assert_near(h, l.x0(), left(*n) + 2.0 * ZI, TOL);
    }
    // Level 2 run in: 楷体 title, then the body font on the same line.
    let (n, l) = find("（一）主动公开工作。");
    assert_eq!(l.fonts(), ["FandolKai-Regular", "FandolFang-Regular"]);
    assert_near("level 2 indent", l.x0(), left(*n) + 2.0 * ZI, TOL);
    let kai: String = l
        .glyphs
        .iter()
        .filter(|g| g.font == "FandolKai-Regular")
        .map(|g| g.text.as_str())
        .collect();
    assert_eq!(kai, "（一）主动公开工作。");
    // Level 2 on its own line.
    let (n, l) = find("（一）存在问题");
    assert_eq!(l.text(), "（一）存在问题");
    assert_eq!(l.fonts(), ["FandolKai-Regular"]);
    assert_near("level 2 indent", l.x0(), left(*n) + 2.0 * ZI, TOL);
    // Paragraphs: first line indented 2 字 (body font), wrapped lines flush left.
    let (n, l) = find("本年度报告根据");
    assert_eq!(l.fonts(), ["FandolFang-Regular"]);
    assert_near("first-line indent", l.x0(), left(*n) + 2.0 * ZI, TOL);
    let (n, l) = find("院令第711号");
    assert_near("wrapped line", l.x0(), left(*n), TOL);
    println!(
        "headings: 一、 FandolHei, （一） FandolKai, body FandolFang, all indented 2 字 = {:.2} mm",
        mm(2.0 * ZI)
    );
}

/// "— N —", 四号, 7 mm below the text block (to the top of the dashes' ink),
/// odd pages right, even pages left, inset one 14 pt 字.
#[test]
fn page_numbers() {
    let song = std::fs::read(root().join("fonts/fandol/FandolSong-Regular.otf")).unwrap();
    let face = ttf_parser::Face::parse(&song, 0).unwrap();
    let dash = face
        .glyph_bounding_box(face.glyph_index('—').unwrap())
        .unwrap();
    let dash_top = dash.y_max as f64 / face.units_per_em() as f64 * 14.0;
    for data in [example(), long()] {
        let r = render(&data, &RenderOptions::default());
        for (i, page) in r.pages.iter().enumerate() {
            let n = i + 1;
            let glyphs = page_number(page);
            let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
            assert_eq!(strip_ws(&text), format!("—{n}—"), "page {n}");
            for g in &glyphs {
                assert_near("page number size", g.size, 14.0, TOL_PT);
                assert_eq!(g.font, "FandolSong-Regular", "宋 role");
            }
            let baseline = glyphs[0].baseline;
            let top = baseline - dash_top;
            assert_near(
                "page number: dash top 7 mm below the text block",
                top,
                BOTTOM + 7.0 * MM,
                TOL,
            );
            let (x0, x1) = (glyphs[0].x0, glyphs.last().unwrap().x1);
            if n % 2 == 1 {
                assert_near("odd page number: right end", x1, right(n) - 14.0, TOL);
            } else {
                assert_near("even page number: left end", x0, left(n) + 14.0, TOL);
            }
            if n <= 2 {
                println!(
                    "{} page {n}: page number {text:?} {:.2}–{:.2} mm, dash ink top {:.2} mm below the text block, baseline {:.2} mm from the top",
                    data.file_name().unwrap().to_string_lossy(),
                    mm(x0),
                    mm(x1),
                    mm(top - BOTTOM),
                    mm(baseline)
                );
            }
        }
    }
}

/// Table boxes: the union of a page's table rules (stroked straight lines; the
/// seal's curves are not rules).
fn table_box(page: &Page) -> Option<Rect> {
    page.shapes
        .iter()
        .filter(|s| s.stroked && (s.bbox.x1 - s.bbox.x0 < 0.1 || s.bbox.y1 - s.bbox.y0 < 0.1))
        .map(|s| {
            let w = s.line_width / 2.0;
            Rect {
                x0: s.bbox.x0 - w,
                y0: s.bbox.y0 - w,
                x1: s.bbox.x1 + w,
                y1: s.bbox.y1 + w,
            }
        })
        .reduce(|a, b| a.union(&b))
}

#[test]
fn tables_stay_inside_the_text_block_with_legible_text() {
    for data in [example(), long()] {
        let r = render(&data, &RenderOptions::default());
        let mut tables = 0;
        for (i, page) in r.pages.iter().enumerate() {
            let n = i + 1;
            let Some(b) = table_box(page) else { continue };
            tables += 1;
            println!(
                "{} page {n}: table box {:.2}–{:.2} mm × {:.2}–{:.2} mm (text block {:.0}–{:.0} × 37–262)",
                data.file_name().unwrap().to_string_lossy(),
                mm(b.x0),
                mm(b.x1),
                mm(b.y0),
                mm(b.y1),
                mm(left(n)),
                mm(right(n))
            );
            assert!(
                b.x0 >= left(n) - TOL && b.x1 <= right(n) + TOL,
                "page {n}: {b:?}"
            );
            assert!(b.y0 >= TOP - TOL && b.y1 <= BOTTOM + TOL, "page {n}: {b:?}");
            for g in page.glyphs.iter().filter(|g| is_table_glyph(g)) {
                assert!(
                    g.size >= 9.0 - TOL_PT,
                    "page {n}: {:?} at {} pt",
                    g.text,
                    g.size
                );
                assert!(
                    g.x0 >= b.x0 && g.x1 <= b.x1 + TOL,
                    "page {n}: {:?} outside its table",
                    g.text
                );
            }
        }
        assert!(tables >= 2);
    }
}

/// Every table character sits inside its cell: no horizontal rule crosses or
/// touches its em box (the rows are given their heights up front, so a height
/// computed too small would show here as text running over a rule).
#[test]
fn table_text_stays_inside_its_cells() {
    for data in [example(), long()] {
        let r = render(&data, &RenderOptions::default());
        let mut checked = 0;
        for (i, page) in r.pages.iter().enumerate() {
            let rules: Vec<&Rect> = page
                .shapes
                .iter()
                .filter(|s| s.stroked && s.bbox.y1 - s.bbox.y0 < 0.1)
                .map(|s| &s.bbox)
                .collect();
            for g in page.glyphs.iter().filter(|g| is_table_glyph(g)) {
                let (top, bottom) = (g.baseline - 0.88 * g.size, g.baseline + 0.12 * g.size);
                let centre = (g.x0 + g.x1) / 2.0;
                for rule in rules.iter().filter(|r| r.x0 <= centre && centre <= r.x1) {
                    assert!(
                        rule.y0 < top - 1.0 || rule.y0 > bottom + 1.0,
                        "page {}: {:?} ({:.2}–{:.2} pt) runs into the rule at {:.2} pt",
                        i + 1,
                        g.text,
                        top,
                        bottom,
                        rule.y0
                    );
                }
                checked += 1;
            }
        }
        println!(
            "{}: {checked} table characters inside their cells",
            data.file_name().unwrap().to_string_lossy()
        );
        assert!(checked > 500);
    }
}

/// Numbers are centred in their cells: each number's centre is the centre of
/// the column rules around it.
#[test]
fn table_numbers_are_centred() {
    let r = render(&long(), &RenderOptions::default());
    let mut checked = 0;
    for page in &r.pages {
        for l in lines(page, is_table_glyph) {
            // The vertical rules beside this line.
            let rules: Vec<f64> = page
                .shapes
                .iter()
                .filter(|s| s.stroked && (s.bbox.x1 - s.bbox.x0) < 0.1)
                .filter(|s| s.bbox.y0 < l.baseline && s.bbox.y1 > l.baseline)
                .map(|s| s.bbox.x0)
                .collect();
            // Runs of adjacent digits.
            let mut runs: Vec<Vec<&Glyph>> = Vec::new();
            let mut open = false;
            for g in &l.glyphs {
                let digit = g.text.chars().all(|c| c.is_ascii_digit() || c == '.');
                if !digit {
                    open = false;
                    continue;
                }
                match runs.last_mut() {
                    Some(run) if open && (g.x0 - run.last().unwrap().x1).abs() < 0.5 => run.push(g),
                    _ => runs.push(vec![g]),
                }
                open = true;
            }
            // Only numbers standing alone in their cells (not "1." of a label).
            let alone = |run: &Vec<&Glyph>| {
                let (x0, x1) = (run[0].x0, run.last().unwrap().x1);
                !l.glyphs.iter().any(|g| {
                    !run.iter().any(|r| std::ptr::eq(*r, *g))
                        && ((g.x0 - x1).abs() < 0.5 || (g.x1 - x0).abs() < 0.5)
                })
            };
            for run in runs.iter().filter(|r| alone(r)) {
                let (x0, x1) = (run[0].x0, run.last().unwrap().x1);
                let c = (x0 + x1) / 2.0;
                let lo = rules
                    .iter()
                    .copied()
                    .filter(|x| *x < x0)
                    .fold(f64::NEG_INFINITY, f64::max);
                let hi = rules
                    .iter()
                    .copied()
                    .filter(|x| *x > x1)
                    .fold(f64::INFINITY, f64::min);
                assert_near("number centre", c, (lo + hi) / 2.0, TOL);
                checked += 1;
            }
        }
    }
    println!("{checked} numbers centred in their cells");
    assert!(checked > 150);
}

/// Table 3 spans pages: its header on every page, no row split (every row's
/// label and its 7 numbers on one page), Table 2's blocks kept whole.
#[test]
fn tables_break_cleanly() {
    let r = render(&long(), &RenderOptions::default());
    let text: Vec<String> = r
        .pages
        .iter()
        .map(|p| strip_ws(&p.glyphs.iter().map(|g| g.text.as_str()).collect::<String>()))
        .collect();
    let first = text
        .iter()
        .position(|t| t.contains("一、本年新收政府信息公开申请数量"))
        .unwrap();
    let last = text
        .iter()
        .position(|t| t.contains("四、结转下年度继续办理"))
        .unwrap();
    assert!(last > first, "the long report's Table 3 spans pages");
    for (n, page) in text.iter().enumerate().take(last + 1).skip(first) {
        for h in [
            TABLE3_HEADER,
            "法人或其他组织",
            "自然人",
            "商业企业",
            "法律服务机构",
        ] {
            assert!(
                page.contains(h),
                "page {}: Table 3 header {h:?} missing",
                n + 1
            );
        }
        println!("Table 3 header on page {}", n + 1);
    }
    // Every Table 2 block (caption to its last row) on one page.
    for (caption, last_row) in [
        ("第二十条第（一）项", "行政规范性文件"),
        ("第二十条第（五）项", "行政许可"),
        ("第二十条第（六）项", "行政强制"),
        ("第二十条第（八）项", "行政事业性收费"),
    ] {
        let p = text.iter().position(|t| t.contains(caption)).unwrap();
        let after = &text[p][text[p].find(caption).unwrap()..];
        assert!(after.contains(last_row), "{caption} is split across pages");
    }
    // No Table 3 row split: every data row prints its 7 numbers on one line of
    // one page. The long report's numbers are all non-zero, so each of the 25
    // rows (24 rows of data and （七）总计) is one line with exactly 7 numbers.
    // (Table 2 is set in 小四, Tables 3 and 4 in 五号; Table 4's one row has 15.)
    let mut rows = 0;
    for page in &r.pages[first..=last] {
        for l in lines(page, |g| is_table_glyph(g) && (g.size - 10.5).abs() < 0.1) {
            let numbers = number_runs(&l);
            assert!(
                numbers == 0 || numbers == 7 || numbers == 15,
                "a Table 3 line with {numbers} numbers (a row split?): {:?}",
                l.text()
            );
            rows += usize::from(numbers == 7);
        }
    }
    assert_eq!(rows, 25, "every row of Table 3, once, whole");
}

/// How many numbers (runs of adjacent digits standing alone in their cells,
/// not the "1." of a label) a line holds.
fn number_runs(l: &Line) -> usize {
    let mut runs: Vec<(usize, usize)> = Vec::new(); // glyph index ranges
    for (i, g) in l.glyphs.iter().enumerate() {
        if !g.text.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if *end == i && (g.x0 - l.glyphs[i - 1].x1).abs() < 0.5 => *end = i + 1,
            _ => runs.push((i, i + 1)),
        }
    }
    let touches = |i: usize, j: usize| (l.glyphs[j].x0 - l.glyphs[i].x1).abs() < 0.5;
    runs.iter()
        .filter(|&&(a, b)| {
            (a == 0 || !touches(a - 1, a)) && (b == l.glyphs.len() || !touches(b - 1, b))
        })
        .count()
}

/// The horizontal table rules of a page, top to bottom (their y).
fn horizontal_rules(page: &Page) -> Vec<f64> {
    let mut ys: Vec<f64> = page
        .shapes
        .iter()
        .filter(|s| s.stroked && s.bbox.y1 - s.bbox.y0 < 0.1 && s.bbox.x1 - s.bbox.x0 > 1.0)
        .map(|s| s.bbox.y0)
        .collect();
    ys.sort_by(f64::total_cmp);
    ys.dedup_by(|a, b| (*a - *b).abs() < 0.1);
    ys
}

/// The table row whose label starts with `label`: the rules above and below it.
fn row_box(page: &Page, label: &str) -> Option<(f64, f64)> {
    let line = lines_of_table(page)
        .into_iter()
        .find(|l| l.text().starts_with(label))?;
    let rules = horizontal_rules(page);
    let above = rules
        .iter()
        .copied()
        .filter(|y| *y < line.baseline - line.size())
        .fold(f64::NEG_INFINITY, f64::max);
    let below = rules
        .iter()
        .copied()
        .filter(|y| *y > line.baseline)
        .fold(f64::INFINITY, f64::min);
    Some((above, below))
}

/// The page (0-based) whose text holds `text`.
fn page_with(r: &Rendered, text: &str) -> usize {
    r.pages
        .iter()
        .position(|p| {
            strip_ws(&p.glyphs.iter().map(|g| g.text.as_str()).collect::<String>()).contains(text)
        })
        .unwrap_or_else(|| panic!("no page holds {text:?}"))
}

/// Table 3 begins on the page where its heading, header and first rows fit
/// (issue 16.2), keeping its header on every page, no row split and each
/// （三）–（六） group whole; it moves to the next page only when they do not.
#[test]
fn table_3_begins_where_its_header_and_first_rows_fit() {
    const HEADING: &str = "三、收到和处理政府信息公开申请情况";
    // The example with two items cut short: about 8 lines left on page 2.
    let mut text = std::fs::read_to_string(example()).unwrap();
    for title in ["政务公开业务培训工作。", "监督保障工作。"] {
        let i = text.find(&format!("title = \"{title}\"")).unwrap();
        let j = i + text[i..].find("paragraphs = [").unwrap();
        let k = j + text[j..].find(']').unwrap();
        text.replace_range(j..=k, "paragraphs = [\"加强工作。\"]");
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("short.toml");
    std::fs::write(&data, text).unwrap();
    let r = render(&data, &RenderOptions::default());
    let p = page_with(&r, HEADING);
    let (page, next) = (&r.pages[p], &r.pages[p + 1]);
    for row in [
        "一、本年新收",
        "二、上年结转",
        "（一）予以公开",
        "（二）部分公开",
    ] {
        assert!(
            row_box(page, row).is_some(),
            "page {}: row {row} with its heading",
            p + 1
        );
    }
    assert!(row_box(page, "1.属于国家秘密").is_none());
    // The next page repeats the header and holds the group （三） whole.
    let text_of = |pg: &Page| {
        strip_ws(
            &pg.glyphs
                .iter()
                .map(|g| g.text.as_str())
                .collect::<String>(),
        )
    };
    assert!(text_of(next).contains(TABLE3_HEADER));
    let (top, _) = row_box(next, "1.属于国家秘密").unwrap();
    let (_, bottom) = row_box(next, "8.属于行政查询事项").unwrap();
    // It broke there because the group did not fit in what was left.
    let left = BOTTOM - horizontal_rules(page).last().unwrap();
    assert!(
        bottom - top > left,
        "the group (三) ({:.1} mm) would have fit in {:.1} mm",
        mm(bottom - top),
        mm(left)
    );
    println!(
        "shortened example: Table 3 begins on page {} with its header and rows 一–（二）; {:.1} mm left there, the group （三） takes {:.1} mm, on page {}",
        p + 1,
        mm(left),
        mm(bottom - top),
        p + 2
    );

    // The example: Table 3 begins on page 3, because page 2 has less room than
    // its heading, header and rows 一、二 take (measured on page 3).
    let r = render(&example(), &RenderOptions::default());
    let p = page_with(&r, HEADING);
    let heading = text_lines(&r.pages[p])
        .into_iter()
        .find(|l| l.text() == HEADING)
        .unwrap();
    let (_, below) = row_box(&r.pages[p], "二、上年结转").unwrap();
    let need = below - heading.top();
    let before = &r.pages[p - 1];
    let used = before
        .glyphs
        .iter()
        .filter(|g| g.baseline < BOTTOM)
        .map(|g| g.baseline)
        .chain(horizontal_rules(before))
        .fold(0.0, f64::max);
    assert!(BOTTOM - used < need, "page {} had room for Table 3", p);
    println!(
        "example: {} pages; Table 3 begins on page {}: page {} has {:.1} mm left, its heading, header and rows 一、二 take {:.1} mm",
        r.pages.len(),
        p + 1,
        p,
        mm(BOTTOM - used),
        mm(need)
    );
}

/// A heading, a table caption, or a paragraph's first line never ends a page
/// alone; no paragraph ends with a line of a single character.
#[test]
fn long_report_paginates_cleanly() {
    let r = render(&long(), &RenderOptions::default());
    assert!(r.pages.len() >= 10, "{} pages", r.pages.len());
    for (i, page) in r.pages.iter().enumerate() {
        let n = i + 1;
        let lines = text_lines(page);
        let Some(last) = lines.last() else { continue };
        let heading =
            last.fonts() == ["FandolHei-Regular"] || last.fonts() == ["FandolKai-Regular"];
        let below = page
            .glyphs
            .iter()
            .any(|g| is_table_glyph(g) && g.baseline > last.baseline);
        assert!(
            !heading || below,
            "page {n} ends with the heading {:?}",
            last.text()
        );
        assert_no_lone_characters(&lines, n);
        // A table caption (its first row) never ends a page.
        let table = lines_of_table(page);
        if let Some(t) = table.last() {
            assert!(
                !t.text().starts_with("第二十条"),
                "page {n} ends with a Table 2 caption"
            );
        }
    }
}

/// No line holds a single character (not counting punctuation): a paragraph
/// never ends with a lone character on its last line (段末孤字).
fn assert_no_lone_characters(lines: &[Line], page: usize) {
    for l in lines {
        let chars = l
            .glyphs
            .iter()
            .filter(|g| {
                !g.text
                    .chars()
                    .all(|c| "。，、；：？！）》」”’—…".contains(c))
            })
            .count();
        assert!(
            chars > 1,
            "page {page}: a line of one character: {:?}",
            l.text()
        );
    }
}

#[test]
fn no_paragraph_ends_with_a_lone_character() {
    for data in [example(), long()] {
        let r = render(&data, &RenderOptions::default());
        for (i, page) in r.pages.iter().enumerate() {
            assert_no_lone_characters(&text_lines(page), i + 1);
        }
    }
}

fn lines_of_table(page: &Page) -> Vec<Line<'_>> {
    lines(page, is_table_glyph)
}

/// Signature and date as GB/T 9704-2012 §7.3.5 arranges them. With a seal
/// (§7.3.5.1): date right edge = text block right − 4 字, agency centred on
/// the date, two blank lines above, the seal centred on them, a little above
/// their middle. Without (§7.3.5.2): one blank line above, the agency
/// right-aligned with a 2 字 inset and the date's first character 2 字 right of
/// the agency's; when the date would then pass the 2 字 inset, the date takes
/// it and the agency moves left.
#[test]
fn signature_date_and_seal() {
    // An SVG seal from the data (relative to the data file).
    let r = render(&long(), &RenderOptions::default());
    check_signature(&r, "示例县人民政府办公室", Signature::Sealed);
    // A PNG seal from the options (`--seal`), on the example with a date added.
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("seal.png");
    write_png(&png, 64);
    let text = std::fs::read_to_string(example()).unwrap();
    let data = dir.path().join("dated.toml");
    std::fs::write(
        &data,
        text.replace("year = 2023\n", "year = 2023\ndate = \"2024-01-20\"\n"),
    )
    .unwrap();
    let options = RenderOptions {
        seal: Some(nianbao::read_seal(&png).unwrap()),
        ..RenderOptions::default()
    };
    let r = render(&data, &options);
    check_signature(&r, "卞路口乡人民政府", Signature::Sealed);
    // No seal, an agency of 8 字: the date (6.45 字) starting 2 字 right of it
    // would end 1.55 字 from the edge, so the date takes the 2 字 inset.
    let r = render(&data, &RenderOptions::default());
    check_signature(&r, "卞路口乡人民政府", Signature::DateLonger);
    // No seal, an agency of 10 字: the agency takes the 2 字 inset.
    let unsealed = dir.path().join("unsealed.toml");
    let text = std::fs::read_to_string(long()).unwrap();
    assert!(text.contains("seal = \"seal.svg\"\n"));
    std::fs::write(&unsealed, text.replace("seal = \"seal.svg\"\n", "")).unwrap();
    let r = render(&unsealed, &RenderOptions::default());
    check_signature(&r, "示例县人民政府办公室", Signature::AgencyLonger);
}

/// The arrangements of §7.3.5.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Signature {
    Sealed,
    /// No seal; the agency sets the 2 字 inset.
    AgencyLonger,
    /// No seal; the date sets it.
    DateLonger,
}

fn check_signature(r: &Rendered, agency: &str, arrangement: Signature) {
    let seal = arrangement == Signature::Sealed;
    let n = r.pages.len();
    let page = r.pages.last().unwrap();
    let lines = text_lines(page);
    let k = lines.len();
    let (sig, date) = (&lines[k - 2], &lines[k - 1]);
    assert_eq!(sig.text(), agency);
    assert_eq!(date.text(), "2024年1月20日");
    let centre = |l: &Line| (l.x0() + l.x1()) / 2.0;
    match arrangement {
        Signature::Sealed => {
            assert_near("date right edge", date.x1(), right(n) - 4.0 * ZI, TOL);
            assert_near("agency centred on the date", centre(sig), centre(date), TOL);
        }
        Signature::AgencyLonger => {
            assert_near("agency right edge", sig.x1(), right(n) - 2.0 * ZI, TOL);
            assert!(
                date.x1() < right(n) - 2.0 * ZI - TOL,
                "the date inside the inset"
            );
        }
        Signature::DateLonger => {
            assert_near("date right edge", date.x1(), right(n) - 2.0 * ZI, TOL);
            assert!(
                sig.x1() < right(n) - 2.0 * ZI - TOL,
                "the agency moved left"
            );
        }
    }
    if !seal {
        assert_near(
            "date's first character 2 字 right of the agency's",
            date.x0() - sig.x0(),
            2.0 * ZI,
            TOL,
        );
    }
    assert_near(
        "date one line below the agency",
        date.baseline - sig.baseline,
        PITCH,
        TOL,
    );
    let blank = if seal { 3.0 } else { 2.0 };
    let body = &lines[k - 3];
    assert_near(
        "blank lines above the signature",
        sig.baseline - body.baseline,
        blank * PITCH,
        TOL,
    );
    println!(
        "signature ({arrangement:?}): agency {:.2}–{:.2} mm, date {:.2}–{:.2} mm; insets from the right edge: agency {:.2} 字, date {:.2} 字; date starts {:.2} 字 right of the agency",
        mm(sig.x0()),
        mm(sig.x1()),
        mm(date.x0()),
        mm(date.x1()),
        (right(n) - sig.x1()) / ZI,
        (right(n) - date.x1()) / ZI,
        (date.x0() - sig.x0()) / ZI,
    );
    if seal {
        // An image (PNG) or vector paths (SVG): the seal's box.
        let b = page.images.first().copied().unwrap_or_else(|| {
            page.shapes
                .iter()
                .filter(|s| s.bbox.y0 > body.baseline)
                .map(|s| {
                    let w = if s.stroked { s.line_width / 2.0 } else { 0.0 };
                    Rect {
                        x0: s.bbox.x0 - w,
                        y0: s.bbox.y0 - w,
                        x1: s.bbox.x1 + w,
                        y1: s.bbox.y1 + w,
                    }
                })
                .reduce(|a, b| a.union(&b))
                .expect("the seal")
        });
        let (cx, cy) = b.centre();
        let middle = (sig.top() + date.baseline + 0.12 * 16.0) / 2.0;
        assert_near("seal centred on the date", cx, centre(date), TOL);
        assert_near(
            "seal centre a quarter line above the middle",
            cy,
            middle - 0.25 * PITCH,
            TOL,
        );
        assert!(
            b.y0 < sig.top() && b.y1 > date.baseline,
            "the seal covers both lines"
        );
        assert!(
            b.y0 - (body.baseline + 0.12 * 16.0) < PITCH,
            "seal top within one line of the text"
        );
        println!(
            "seal: {:.2} × {:.2} mm, centre ({:.2}, {:.2}) mm; signature/date middle {:.2} mm",
            mm(b.x1 - b.x0),
            mm(b.y1 - b.y0),
            mm(cx),
            mm(cy),
            mm(middle)
        );
    } else {
        assert!(page.images.is_empty());
    }
}

/// Writes a small RGBA PNG (a red ring and dot) by hand, with stored
/// (uncompressed) deflate blocks, so no compressor is needed.
fn write_png(path: &Path, size: u32) {
    let mut raw = Vec::new();
    for y in 0..size {
        raw.push(0u8);
        for x in 0..size {
            let (dx, dy) = (x as f64 - size as f64 / 2.0, y as f64 - size as f64 / 2.0);
            let r = (dx * dx + dy * dy).sqrt();
            let on = r < size as f64 / 2.0 && r > size as f64 / 2.0 - 4.0 || r < size as f64 / 6.0;
            raw.extend_from_slice(if on { &[212, 0, 0, 255] } else { &[0, 0, 0, 0] });
        }
    }
    let mut zlib = vec![0x78, 0x01];
    for (i, chunk) in raw.chunks(65535).enumerate() {
        let last = (i + 1) * 65535 >= raw.len();
        zlib.push(last as u8);
        zlib.extend_from_slice(&(chunk.len() as u16).to_le_bytes());
        zlib.extend_from_slice(&(!(chunk.len() as u16)).to_le_bytes());
        zlib.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + *byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &zlib);
    chunk(b"IEND", &[]);
    std::fs::write(path, png).unwrap();
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in data {
        crc ^= *byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
