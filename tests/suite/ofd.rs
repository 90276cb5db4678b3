//! OFD copies (GB/T 33190-2016) and GB/T 38540 SM2 seals, checked with
//! independent readers: the `ofd-core` crate (structure, rendering to PNG,
//! SM3 CheckValues), `ofdkit` (text in reading order, metadata), OpenSSL 3
//! (`openssl dgst -sm3 -verify … -sigopt distid:1234567812345678`) and the
//! `gmssl` Python package (SM2, SM3). Keys and certificates are made here
//! with OpenSSL; ofdrw's sealed sample (another implementation) is read from
//! tests/fixtures/corpus/ofd/.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;

use crate::common::*;
use assert_cmd::Command;
use nianbao::export::ExportOptions;
use nianbao::RenderOptions;
use predicates::prelude::PredicateBooleanExt;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

/// Runs a program; returns (success, stdout, stderr).
fn run(program: &str, args: &[&str]) -> (bool, String, String) {
    let out = Process::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (scripts/test installs it): {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn python(script: &str, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["-c", script];
    all.extend_from_slice(args);
    run("python3", &all)
}

/// A report rendered both ways from the same layout: (dir, PDF, OFD).
fn render_both(data: &Path, archive: bool) -> (tempfile::TempDir, PathBuf, PathBuf) {
    render_both_with(publisher(), &load(data), &RenderOptions::default(), archive)
}

fn render_both_with(
    p: &nianbao::Publisher,
    loaded: &nianbao::model::Loaded,
    options: &RenderOptions,
    archive: bool,
) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    let ofd = dir.path().join("report.ofd");
    let pdf_options = if archive {
        ExportOptions::archive()
    } else {
        ExportOptions::default()
    };
    let ofd_options = ExportOptions {
        ofd: true,
        archive,
        standards: Vec::new(),
    };
    let a = p.render_with(loaded, options, &pdf_options).unwrap();
    let b = p.render_with(loaded, options, &ofd_options).unwrap();
    std::fs::write(&pdf, a.pdf).unwrap();
    std::fs::write(&ofd, b.pdf).unwrap();
    (dir, pdf, ofd)
}

/// Pages rendered by ofd-core, as grey levels.
fn ofd_core_pages(ofd: &Path, dpi: f64) -> Vec<image::GrayImage> {
    let mut reader = ofd_core::OfdReader::open(ofd).expect("ofd-core opens the package");
    let body = reader.ofd().doc_bodies[0].clone();
    let doc = reader
        .load_document(&body)
        .expect("ofd-core loads the document");
    let n = doc.pages().len();
    (0..n)
        .map(|i| {
            let img = reader
                .render_page_to_image(&doc, i, &ofd_core::RenderOptions::with_dpi(dpi))
                .unwrap_or_else(|e| panic!("ofd-core renders page {}: {e}", i + 1));
            image::DynamicImage::ImageRgba8(img).to_luma8()
        })
        .collect()
}

/// Pages of a PDF rasterised by pdftoppm, as grey levels.
fn pdftoppm_pages(pdf: &Path, dpi: u32) -> Vec<image::GrayImage> {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("p");
    let (ok, _, err) = run(
        "pdftoppm",
        &[
            "-r",
            &dpi.to_string(),
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    assert!(ok, "pdftoppm: {err}");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| image::open(f).unwrap().to_luma8())
        .collect()
}

/// A 3×3 box blur (edges repeated): two rasterisers place anti-aliased edges
/// up to a pixel apart and draw hairlines differently (poppler snaps a 0.5 pt
/// table rule to a solid pixel line, tiny-skia anti-aliases it); blurred, the
/// same drawing agrees, while a missing or misplaced glyph still differs.
fn blur(img: &image::GrayImage) -> Vec<f32> {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let at = |x: i64, y: i64| {
        img.get_pixel(x.clamp(0, w - 1) as u32, y.clamp(0, h - 1) as u32)[0] as f32
    };
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0.0;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    sum += at(x + dx, y + dy);
                }
            }
            out.push(sum / 9.0);
        }
    }
    out
}

/// The share of pixels whose grey levels differ by more than `tolerance`,
/// pixel for pixel (`blurred` false) or after a 3×3 blur of both.
fn differing_share(
    a: &image::GrayImage,
    b: &image::GrayImage,
    tolerance: f32,
    blurred: bool,
) -> f64 {
    let crop = |img: &image::GrayImage| {
        let (w, h) = (a.width().min(b.width()), a.height().min(b.height()));
        image::imageops::crop_imm(img, 0, 0, w, h).to_image()
    };
    let (a, b) = (crop(a), crop(b));
    let (pa, pb): (Vec<f32>, Vec<f32>) = if blurred {
        (blur(&a), blur(&b))
    } else {
        (
            a.pixels().map(|p| p[0] as f32).collect(),
            b.pixels().map(|p| p[0] as f32).collect(),
        )
    };
    let differ = pa
        .iter()
        .zip(&pb)
        .filter(|(x, y)| (*x - *y).abs() > tolerance)
        .count();
    differ as f64 / pa.len() as f64
}

/// The dark pixels of a page (ink), to show a page is not blank.
fn ink(a: &image::GrayImage) -> f64 {
    a.pixels().filter(|p| p[0] < 128).count() as f64 / (a.width() * a.height()) as f64
}

const DPI: u32 = 100;
/// At most this share of a page's pixels (about 5 of an A4 page at 100 dpi)
/// may differ by more than `TOLERANCE` grey levels between ofd-core's
/// rendering of the OFD and pdftoppm's of the PDF, both blurred (see `blur`).
/// Blanking a 21×21-pixel patch of body text makes 11 to 51 differ; the
/// pages as made differ in 0 (measured on the example, the long report and
/// the ligature test).
const MAX_DIFFERING: f64 = 0.000005;
const TOLERANCE: f32 = 112.0;

fn renders_like_the_pdf(data: &Path) {
    let (_dir, pdf, ofd) = render_both(data, false);
    pages_like_the_pdf(data, &pdf, &ofd);
}

fn pages_like_the_pdf(data: &Path, pdf: &Path, ofd: &Path) {
    let report = ofd_core::verify::check_path(ofd);
    assert!(
        report.problems.is_empty(),
        "ofd-core finds structural problems: {:?}",
        report.problems
    );
    let ofd_pages = ofd_core_pages(ofd, DPI as f64);
    let pdf_pages = pdftoppm_pages(pdf, DPI);
    assert_eq!(ofd_pages.len(), pdf_pages.len(), "page count");
    // NIANBAO_OFD_PAGES=DIR keeps both renderings to look at.
    let keep = std::env::var_os("NIANBAO_OFD_PAGES").map(PathBuf::from);
    let mut failed = Vec::new();
    for (i, (o, p)) in ofd_pages.iter().zip(&pdf_pages).enumerate() {
        if let Some(dir) = &keep {
            let name = data.file_stem().unwrap().to_string_lossy();
            o.save(dir.join(format!("{name}-{}-ofd.png", i + 1)))
                .unwrap();
            p.save(dir.join(format!("{name}-{}-pdf.png", i + 1)))
                .unwrap();
        }
        let (dw, dh) = (
            o.width().abs_diff(p.width()),
            o.height().abs_diff(p.height()),
        );
        assert!(
            dw <= 1 && dh <= 1,
            "page {}: sizes {:?} vs {:?}",
            i + 1,
            o.dimensions(),
            p.dimensions()
        );
        assert!(
            ink(o) > 0.002,
            "page {} of the OFD renders (nearly) blank",
            i + 1
        );
        let share = differing_share(o, p, TOLERANCE, true);
        let exact = differing_share(o, p, TOLERANCE, false);
        eprintln!(
            "{}: page {}: {:.4} % of pixels differ (blurred), {:.3} % pixel for pixel; ink: OFD {:.2} %, PDF {:.2} %",
            data.file_name().unwrap().to_string_lossy(),
            i + 1,
            share * 100.0,
            exact * 100.0,
            ink(o) * 100.0,
            ink(p) * 100.0
        );
        if share > MAX_DIFFERING {
            failed.push(i + 1);
        }
    }
    assert!(
        failed.is_empty(),
        "pages that differ from the PDF: {failed:?}"
    );
}

#[test]
fn example_ofd_renders_like_the_pdf() {
    renders_like_the_pdf(&example());
}

/// The comparison can fail: the example's OFD without the first line of its
/// first page (the agency's name in the title) differs from the PDF.
#[test]
fn page_comparison_sees_a_missing_line() {
    let (dir, pdf, ofd) = render_both(&example(), false);
    let cut = dir.path().join("cut.ofd");
    tamper(&ofd, &cut, "Doc_0/Pages/Page_0/Content.xml", "drop");
    let o = &ofd_core_pages(&cut, DPI as f64)[0];
    let p = &pdftoppm_pages(&pdf, DPI)[0];
    let share = differing_share(o, p, TOLERANCE, true);
    assert!(share > 100.0 * MAX_DIFFERING, "{:.4} %", share * 100.0);
}

#[test]
fn long_report_ofd_renders_like_the_pdf() {
    renders_like_the_pdf(&fixture("long-report.toml"));
}

/// The text ofdkit reads from the OFD, in its reading order, against the text
/// pdftotext reads from the PDF of the same pages: the same characters (all of
/// them, whitespace aside), every run ofdkit reads found in the PDF's text, and
/// the prose lines in the same order. (The two tools order the lines of
/// multi-line table cells differently: ofdkit reads a table row across its
/// cells line by line, pdftotext -raw cell by cell.)
fn reads_back_word_for_word(data: &Path) {
    let (_dir, pdf, ofd) = render_both(data, false);
    let (ok, ofd_text, err) = run("python3", &["-m", "ofdkit", "text", ofd.to_str().unwrap()]);
    assert!(ok, "ofdkit text: {err}");
    let pdf_text = strip_ws(&pdf_text(&pdf));
    let mut a: Vec<char> = strip_ws(&ofd_text).chars().collect();
    let mut b: Vec<char> = pdf_text.chars().collect();
    assert_eq!(
        a.len(),
        b.len(),
        "ofdkit reads {} characters, pdftotext {}",
        a.len(),
        b.len()
    );
    a.sort_unstable();
    b.sort_unstable();
    assert!(a == b, "ofdkit and pdftotext read other characters");
    let runs: Vec<&str> = ofd_text.split_whitespace().collect();
    for r in &runs {
        assert!(
            pdf_text.contains(r),
            "ofdkit reads {r:?}, which the PDF does not show"
        );
    }
    let prose: Vec<String> = runs
        .iter()
        .filter(|r| r.chars().count() >= 12)
        .map(|r| r.to_string())
        .collect();
    assert!(prose.len() > 20, "too few prose lines: {}", prose.len());
    assert_in_order(&pdf_text, &prose);
}

#[test]
fn example_ofd_reads_back_word_for_word() {
    reads_back_word_for_word(&example());
}

#[test]
fn long_report_ofd_reads_back_word_for_word() {
    reads_back_word_for_word(&fixture("long-report.toml"));
}

/// Ligatures: the body in DejaVu Serif (TrueType outlines, `liga`) before
/// Fandol. "fi" is one glyph the cmap does not give for either character, so
/// the text object carries a CGTransform; ofd-core draws it like the PDF, and
/// ofdkit still reads "fi".
#[test]
fn ligatures_go_through_cgtransform() {
    let dejavu = Path::new("/usr/share/fonts/truetype/dejavu");
    assert!(
        dejavu.join("DejaVuSerif.ttf").is_file(),
        "DejaVu fonts (fonts-dejavu-core; scripts/install-verifiers installs it)"
    );
    let fonts = nianbao::typeset::FontStore::new(&nianbao::typeset::FontOptions {
        dirs: vec![dejavu.to_path_buf()],
        system: false,
    })
    .unwrap();
    let p = nianbao::Publisher::new(
        std::sync::Arc::new(fonts),
        nianbao::render::Templates::embedded(),
    );
    let text = std::fs::read_to_string(example()).unwrap();
    let text = text.replacen(
        "[overview]",
        "preamble = [\"The office files official findings in fifty offices.\"]\n\n[overview]",
        1,
    );
    let loaded = load_text(&text, nianbao::model::Format::Toml);
    let options = RenderOptions {
        fonts: vec![(
            nianbao::typeset::Role::Body,
            vec!["DejaVu Serif".into(), "FandolFang R".into()],
        )],
        ..RenderOptions::default()
    };
    let (_dir, pdf, ofd) = render_both_with(&p, &loaded, &options, false);
    let (ok, page, err) = run(
        "unzip",
        &[
            "-p",
            ofd.to_str().unwrap(),
            "Doc_0/Pages/Page_0/Content.xml",
        ],
    );
    assert!(ok, "unzip: {err}");
    let ligatures = page.matches("CodeCount=\"2\" GlyphCount=\"1\"").count();
    assert!(
        ligatures >= 4,
        "expected CGTransforms for fi/ffi ligatures, found {ligatures}"
    );
    let (ok, fonts, err) = python(
        "import sys, zipfile, io\nfrom fontTools.ttLib import TTFont\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n  if n.startswith('Doc_0/Res/Font_'):\n    f=TTFont(io.BytesIO(z.read(n)))\n    print(n, 'glyf' in f, len(f.getBestCmap() or {}))",
        &[ofd.to_str().unwrap()],
    );
    assert!(ok, "fontTools: {err}");
    assert!(
        fonts.lines().any(|l| l.contains(".ttf True")),
        "a TrueType subset: {fonts}"
    );
    pages_like_the_pdf(Path::new("ligatures.toml"), &pdf, &ofd);
    let (ok, read, err) = run("python3", &["-m", "ofdkit", "text", ofd.to_str().unwrap()]);
    assert!(ok, "ofdkit: {err}");
    assert!(
        strip_ws(&read).contains("Theofficefilesofficialfindingsinfiftyoffices."),
        "{read}"
    );
}

#[test]
fn ofd_metadata_outline_and_reproducible_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.ofd");
    let b = dir.path().join("b.ofd");
    for out in [&a, &b] {
        nianbao()
            .args(["render", example().to_str().unwrap(), "--ofd", "-o"])
            .arg(out)
            .assert()
            .success();
    }
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(&b).unwrap(),
        "two runs give other bytes"
    );
    let (ok, info, err) = run(
        "python3",
        &["-m", "ofdkit", "info", "--json", a.to_str().unwrap()],
    );
    assert!(ok, "ofdkit info: {err}");
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    // Expected values as the example's data file states them.
    let data = std::fs::read_to_string(example()).unwrap();
    let value: toml::Value = toml::from_str(&data).unwrap();
    let agency = value["agency"].as_str().unwrap();
    let year = value["year"].as_integer().unwrap();
    let i = &info["info"];
    assert_eq!(i["author"], agency);
    assert_eq!(
        i["title"],
        format!("{agency}{year}年政府信息公开工作年度报告")
    );
    // The creation date is the PDF's (pdfinfo -isodates).
    let pdf = dir.path().join("a.pdf");
    nianbao()
        .args(["render", example().to_str().unwrap(), "-o"])
        .arg(&pdf)
        .assert()
        .success();
    let (ok, pdf_info, _) = run("pdfinfo", &["-isodates", pdf.to_str().unwrap()]);
    assert!(ok);
    let created = pdf_info
        .lines()
        .find_map(|l| l.strip_prefix("CreationDate:"))
        .map(|v| v.trim()[..10].to_string())
        .unwrap();
    assert_eq!(
        i["creation_date"],
        created.as_str(),
        "creation date as in the PDF"
    );
    assert_eq!(i["custom_data"]["agency"], agency);
    assert_eq!(i["custom_data"]["year"], year.to_string());
    assert_eq!(i["custom_data"]["edition"], "2021");
    assert_eq!(i["custom_data"]["nianbao"], nianbao::VERSION);
    let doc_id = i["doc_id"].as_str().unwrap();
    assert!(
        doc_id.len() == 32 && doc_id.chars().all(|c| c.is_ascii_hexdigit()),
        "{doc_id}"
    );
    // The outline: the six parts, read with unzip (Info-ZIP) and Python's XML parser.
    let (ok, xml, err) = run("unzip", &["-p", a.to_str().unwrap(), "Doc_0/Document.xml"]);
    assert!(ok, "unzip: {err}");
    let (ok, titles, err) = python(
        "import sys, xml.etree.ElementTree as E\nns={'ofd':'http://www.ofdspec.org/2016'}\nr=E.fromstring(sys.stdin.read() if False else sys.argv[1])\nprint('\\n'.join(e.get('Title') for e in r.iter('{http://www.ofdspec.org/2016}OutlineElem')))",
        &[&xml],
    );
    assert!(ok, "{err}");
    let titles: Vec<&str> = titles.lines().collect();
    assert_eq!(
        titles,
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"
        ]
    );
    // Fonts are embedded, with a cmap (read by fontTools, not by our code).
    let (ok, out, err) = python(
        "import sys, zipfile, io\nfrom fontTools.ttLib import TTFont\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n  if n.startswith('Doc_0/Res/Font_'):\n    f=TTFont(io.BytesIO(z.read(n)))\n    print(n, 'CFF ' in f, len(f.getBestCmap() or {}), f['maxp'].numGlyphs)",
        &[a.to_str().unwrap()],
    );
    assert!(ok, "fontTools: {err}");
    let fonts: Vec<&str> = out.lines().collect();
    assert!(fonts.len() >= 3, "embedded fonts: {out}");
    for f in fonts {
        let cols: Vec<&str> = f.split_whitespace().collect();
        let mapped: usize = cols[2].parse().unwrap();
        assert!(mapped > 0, "a font subset without a cmap: {f}");
    }
}

#[test]
fn archival_ofd_carries_the_data_of_the_pdf_copy() {
    let (dir, pdf, ofd) = render_both(&example(), true);
    // The data attached to the PDF/A-3 copy, taken out by poppler's pdfdetach…
    let pdf_data = dir.path().join("pdf-data.json");
    let (ok, _, err) = run(
        "pdfdetach",
        &[
            "-savefile",
            "nianbao-data.json",
            "-o",
            pdf_data.to_str().unwrap(),
            pdf.to_str().unwrap(),
        ],
    );
    assert!(ok, "pdfdetach: {err}");
    // …and the OFD's attachment, listed in Attachments.xml, taken out by unzip.
    let (ok, listing, err) = run(
        "unzip",
        &["-p", ofd.to_str().unwrap(), "Doc_0/Attachs/Attachments.xml"],
    );
    assert!(ok, "unzip: {err}");
    assert!(listing.contains("Name=\"nianbao-data.json\""), "{listing}");
    let out = Process::new("unzip")
        .args([
            "-p",
            ofd.to_str().unwrap(),
            "Doc_0/Attachs/nianbao-data.json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, std::fs::read(&pdf_data).unwrap());
    // nianbao extract takes it out of the OFD too, and it renders again.
    let extracted = dir.path().join("data.json");
    nianbao()
        .args([
            "extract",
            ofd.to_str().unwrap(),
            "-o",
            extracted.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert_eq!(std::fs::read(&extracted).unwrap(), out.stdout);
}

#[test]
fn batch_writes_ofd_packages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    nianbao()
        .args(["batch", example().to_str().unwrap(), "--ofd", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ofd"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let report = ofd_core::verify::check_path(out.join(&names[0]));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

// ---------------------------------------------------------------- seals

/// Test keys: an SM2 root CA, a signer and a seal maker it issued, all made
/// with OpenSSL 3 (SM2 keys, SM2-with-SM3 certificates), and an RSA key.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Process::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl (scripts/test installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        openssl(d, &["genpkey", "-algorithm", "SM2", "-out", "ca.key"]);
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-sm3",
                "-sigopt",
                "distid:1234567812345678",
                "-subj",
                "/CN=nianbao SM2 Test Root/O=nianbao test",
                "-days",
                "3650",
                "-out",
                "ca.pem",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        std::fs::write(
            d.join("leaf.cnf"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
        )
        .unwrap();
        for (name, subject) in [
            ("signer", "/CN=卞路口乡人民政府/O=nianbao test"),
            ("maker", "/CN=nianbao Test Seal Maker/O=nianbao test"),
        ] {
            let key = format!("{name}.key");
            let csr = format!("{name}.csr");
            let pem = format!("{name}.pem");
            openssl(d, &["genpkey", "-algorithm", "SM2", "-out", &key]);
            openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-utf8",
                    "-key",
                    &key,
                    "-sm3",
                    "-sigopt",
                    "distid:1234567812345678",
                    "-subj",
                    subject,
                    "-out",
                    &csr,
                ],
            );
            // The signer's certificate signed with the GM/T default ID, the
            // maker's with OpenSSL's own default (an empty ID): both occur.
            let mut args = vec![
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-sm3",
                "-vfyopt",
                "distid:1234567812345678",
                "-set_serial",
                "4097",
                "-days",
                "365",
                "-extfile",
                "leaf.cnf",
                "-out",
                &pem,
            ];
            if name == "signer" {
                args.extend_from_slice(&["-sigopt", "distid:1234567812345678"]);
            }
            openssl(d, &args);
        }
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "rsa.key",
            ],
        );
        Pki { dir }
    })
}

/// An OFD archival copy of the long report (it has a signature and date)
/// with the test seal image (PNG), rendered once.
fn archival_ofd() -> &'static [u8] {
    static OFD: OnceLock<Vec<u8>> = OnceLock::new();
    OFD.get_or_init(|| {
        let loaded = load(&fixture("long-report.toml"));
        let seal = nianbao::read_seal(&fixture("archive-seal.png")).unwrap();
        let options = RenderOptions {
            seal: Some(seal),
            ..RenderOptions::default()
        };
        let export = ExportOptions {
            ofd: true,
            archive: true,
            standards: Vec::new(),
        };
        publisher()
            .render_with(&loaded, &options, &export)
            .unwrap()
            .pdf
    })
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn seal(input: &Path, output: &Path, extra: &[&str]) {
    let k = pki();
    nianbao()
        .args([
            "sign-ofd",
            input.to_str().unwrap(),
            "--key",
            &k.path("signer.key"),
            "--cert",
        ])
        .arg(k.path("signer.pem"))
        .args([
            "--seal-image",
            fixture("archive-seal.png").to_str().unwrap(),
            "-o",
        ])
        .arg(output)
        .args(extra)
        .assert()
        .success();
}

fn verify_json(ofd: &Path) -> (bool, serde_json::Value) {
    let out = nianbao()
        .args([
            "verify",
            ofd.to_str().unwrap(),
            "--trust",
            &pki().path("ca.pem"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.success(), v)
}

/// An independent check of every seal of a package, in Python with gmssl:
/// each Reference's SM3 CheckValue, TBS_Sign's dataHash against SM3 of
/// Signature.xml, and the SM2 signatures (signer over TBS_Sign, maker over
/// SES_SealInfo), with a small DER reader of its own. It also writes the
/// signed bytes, signatures and public keys for OpenSSL to check. Prints one
/// `name: True|False` line per check.
const GMSSL_CHECK: &str = r#"
import sys, base64, zipfile, xml.etree.ElementTree as E, os
from gmssl import sm2, sm3, func
NS = '{http://www.ofdspec.org/2016}'
z = zipfile.ZipFile(sys.argv[1]); out = sys.argv[2]
def h(b): return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(b)))
def tlv(b, i):
    tag = b[i]; l = b[i+1]; j = i + 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[j:j+n], 'big'); j += n
    return tag, j, j + l   # tag, value start, end
def children(b, i):
    _, s, e = tlv(b, i); out = []
    while s < e:
        t, vs, ve = tlv(b, s); out.append((t, s, vs, ve)); s = ve
    return out
def spki_point(cert):
    # Certificate > tbsCertificate > subjectPublicKeyInfo (the 7th field, after a [0] version)
    tbs = children(cert, 0)[0]
    f = children(cert, tbs[1])
    k = 1 if f[0][0] == 0xa0 else 0
    spki = f[k + 5]
    bits = children(cert, spki[1])[1]
    return cert[bits[2] + 1:bits[3]]
def rs(der):
    (_, _, a, b), (_, _, c, d) = children(der, 0)
    return der[a:b].lstrip(b'\0').rjust(32, b'\0').hex() + der[c:d].lstrip(b'\0').rjust(32, b'\0').hex()
def verify(cert, msg, sig):
    c = sm2.CryptSM2(public_key='', private_key=None)
    # Set the key (x || y, hex) directly: the constructor's lstrip("04") also
    # eats a leading 0 or 4 of x.
    c.public_key = spki_point(cert)[1:].hex()
    return c.verify_with_sm3(rs(sig), msg)
ofd = E.fromstring(z.read('OFD.xml'))
sigs_loc = ofd.find(f'{NS}DocBody/{NS}Signatures').text.strip().lstrip('/')
for s in E.fromstring(z.read(sigs_loc)).iter(f'{NS}Signature'):
    loc = s.get('BaseLoc').lstrip('/')
    xml = z.read(loc); sig = E.fromstring(xml)
    ok = True
    for r in sig.iter(f'{NS}Reference'):
        ok &= base64.b64decode(r.find(f'{NS}CheckValue').text) == h(z.read(r.get('FileRef').lstrip('/')))
    print('checkvalues:', ok)
    value = z.read(sig.find(f'{NS}SignedValue').text.strip().lstrip('/'))
    top = children(value, 0)
    tbs = value[top[0][1]:top[0][3]]
    cert = value[top[1][2]:top[1][3]]
    signature = value[top[3][2] + 1:top[3][3]]
    tf = children(tbs, 0)
    print('datahash:', tbs[tf[3][2] + 1:tf[3][3]] == h(xml))
    print('signature:', verify(cert, tbs, signature))
    seal = tbs[tf[1][1]:tf[1][3]]
    sf = children(seal, 0)
    info = seal[sf[0][1]:sf[0][3]]
    maker = seal[sf[1][2]:sf[1][3]]
    print('seal:', verify(maker, info, seal[sf[3][2] + 1:sf[3][3]]))
    for name, data in [('tbs.der', tbs), ('tbs.sig', signature), ('signer.der', cert),
                       ('info.der', info), ('info.sig', seal[sf[3][2] + 1:sf[3][3]]), ('maker.der', maker)]:
        open(os.path.join(out, name), 'wb').write(data)
"#;

/// (gmssl's verdicts, OpenSSL's verdicts on the signer's and the maker's signatures).
fn independent_checks(ofd: &Path) -> (Vec<(String, bool)>, bool, bool) {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = python(
        GMSSL_CHECK,
        &[ofd.to_str().unwrap(), dir.path().to_str().unwrap()],
    );
    assert!(ok, "gmssl check: {err}");
    let verdicts: Vec<(String, bool)> = out
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.trim() == "True"))
        .collect();
    let d = dir.path();
    let openssl_ok = |cert: &str, msg: &str, sig: &str| {
        let p = |n: &str| d.join(n).to_str().unwrap().to_string();
        let pem = p(&format!("{cert}.pub.pem"));
        let (ok, _, err) = run(
            "openssl",
            &[
                "x509",
                "-inform",
                "DER",
                "-in",
                &p(&format!("{cert}.der")),
                "-noout",
                "-pubkey",
                "-out",
                &pem,
            ],
        );
        assert!(ok, "openssl x509: {err}");
        let (ok, out, _) = run(
            "openssl",
            &[
                "dgst",
                "-sm3",
                "-verify",
                &pem,
                "-sigopt",
                "distid:1234567812345678",
                "-signature",
                &p(sig),
                &p(msg),
            ],
        );
        ok && out.contains("Verified OK")
    };
    let signer = openssl_ok("signer", "tbs.der", "tbs.sig");
    let maker = openssl_ok("maker", "info.der", "info.sig");
    (verdicts, signer, maker)
}

fn ofd_core_verdicts(ofd: &Path) -> Vec<ofd_core::verify::SigVerdict> {
    let report = ofd_core::verify::check_path(ofd);
    assert!(
        report.problems.is_empty(),
        "ofd-core: {:?}",
        report.problems
    );
    report.signatures.iter().map(|s| s.verdict()).collect()
}

#[test]
fn sealed_ofd_verifies_in_nianbao_openssl_gmssl_and_ofd_core() {
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.ofd", archival_ofd());
    let sealed = dir.path().join("sealed.ofd");
    seal(&copy, &sealed, &[]);
    let (ok, v) = verify_json(&sealed);
    assert!(ok, "nianbao verify: {v:#}");
    let s = &v["seals"][0];
    for key in [
        "files_intact",
        "signed_info_intact",
        "signature_valid",
        "seal_valid",
        "signer_in_seal",
        "trusted",
        "maker_trusted",
    ] {
        assert_eq!(s[key], true, "{key}: {v:#}");
    }
    assert_eq!(s["check_method"], "1.2.156.10197.1.401");
    assert_eq!(v["archive"]["reproduced"], true, "{v:#}");
    let (gm, signer, maker) = independent_checks(&sealed);
    assert_eq!(
        gm,
        [
            ("checkvalues", true),
            ("datahash", true),
            ("signature", true),
            ("seal", true)
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    assert!(
        signer,
        "OpenSSL does not verify the signer's SM2 signature over TBS_Sign"
    );
    assert!(
        maker,
        "OpenSSL does not verify the seal maker's SM2 signature"
    );
    assert_eq!(
        ofd_core_verdicts(&sealed),
        [ofd_core::verify::SigVerdict::Valid]
    );
    // The stamp goes over the report's seal image on the last page.
    assert!(s["stamp_boundary"].is_string());
}

/// Rewrites one file of a ZIP package with Python's zipfile (not our code).
fn tamper(input: &Path, output: &Path, member: &str, how: &str) {
    let script = r#"
import sys, zipfile
src, dst, member, how = sys.argv[1:5]
zin = zipfile.ZipFile(src)
zout = zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED)
for item in zin.infolist():
    data = zin.read(item.filename)
    if item.filename == member:
        if how == 'text':
            data = data.replace(b'</ofd:TextCode>', b'X</ofd:TextCode>', 1)
        elif how == 'drop':
            import re
            data = re.sub(rb'<ofd:TextObject .*?</ofd:TextObject>', b'', data, count=1)
        elif how == 'date':
            data = data.replace(b'DateTime>2', b'DateTime>1', 1)
        else:
            i = int(how); data = data[:i] + bytes([data[i] ^ 1]) + data[i+1:]
    zout.writestr(item, data)
zout.close()
"#;
    let (ok, _, err) = python(
        script,
        &[
            input.to_str().unwrap(),
            output.to_str().unwrap(),
            member,
            how,
        ],
    );
    assert!(ok, "tamper: {err}");
}

#[test]
fn tampering_fails_in_every_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.ofd", archival_ofd());
    let sealed = dir.path().join("sealed.ofd");
    seal(&copy, &sealed, &[]);
    // A changed page: one character added to the first text of page 1.
    let page = dir.path().join("page.ofd");
    tamper(&sealed, &page, "Doc_0/Pages/Page_0/Content.xml", "text");
    let (ok, v) = verify_json(&page);
    assert!(!ok && v["seals"][0]["files_intact"] == false, "{v:#}");
    let (gm, signer, _) = independent_checks(&page);
    assert_eq!(gm[0], ("checkvalues".to_string(), false));
    assert!(signer, "TBS_Sign itself is unchanged");
    assert_eq!(
        ofd_core_verdicts(&page),
        [ofd_core::verify::SigVerdict::Invalid]
    );
    // A changed byte inside TBS_Sign (the signature time): every SM2 check fails.
    let tbs = dir.path().join("tbs.ofd");
    let value = Process::new("unzip")
        .args([
            "-p",
            sealed.to_str().unwrap(),
            "Doc_0/Signs/Sign_0/SignedValue.dat",
        ])
        .output()
        .unwrap()
        .stdout;
    let time_at = value
        .windows(2)
        .position(|w| w == [0x18, 0x0f])
        .expect("a GeneralizedTime in TBS_Sign")
        + 5;
    tamper(
        &sealed,
        &tbs,
        "Doc_0/Signs/Sign_0/SignedValue.dat",
        &time_at.to_string(),
    );
    let (ok, v) = verify_json(&tbs);
    assert!(!ok && v["seals"][0]["signature_valid"] == false, "{v:#}");
    let (gm, signer, _) = independent_checks(&tbs);
    assert!(!gm.iter().find(|(k, _)| k == "signature").unwrap().1);
    assert!(!signer, "OpenSSL verifies a changed TBS_Sign");
    // A changed Signature.xml (its signing date): its digest is no longer the one signed.
    let signature = dir.path().join("signature.ofd");
    tamper(
        &sealed,
        &signature,
        "Doc_0/Signs/Sign_0/Signature.xml",
        "date",
    );
    let (ok, v) = verify_json(&signature);
    assert!(!ok && v["seals"][0]["signed_info_intact"] == false, "{v:#}");
    let (gm, ..) = independent_checks(&signature);
    assert!(!gm.iter().find(|(k, _)| k == "datahash").unwrap().1);
    // An unsealed copy is not valid.
    let (ok, v) = verify_json(&copy);
    assert!(!ok, "{v:#}");
}

#[test]
fn seal_at_a_given_place_with_a_separate_seal_maker() {
    let k = pki();
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.ofd", archival_ofd());
    let sealed = dir.path().join("sealed.ofd");
    seal(
        &copy,
        &sealed,
        &[
            "--page",
            "1",
            "--at",
            "120,200",
            "--maker-key",
            &k.path("maker.key"),
            "--maker-cert",
            &k.path("maker.pem"),
            "--seal-name",
            "卞路口乡人民政府 公章",
        ],
    );
    let (ok, v) = verify_json(&sealed);
    assert!(ok, "{v:#}");
    let s = &v["seals"][0];
    assert_eq!(s["seal_name"], "卞路口乡人民政府 公章");
    assert_eq!(s["stamp_page"], "1");
    assert!(
        s["stamp_boundary"]
            .as_str()
            .unwrap()
            .starts_with("120 200 "),
        "{s:#}"
    );
    assert!(s["seal_maker"]["subject"]
        .as_str()
        .unwrap()
        .contains("Seal Maker"));
    let (_, signer, maker) = independent_checks(&sealed);
    assert!(signer && maker);
    // A second seal: both verify.
    let twice = dir.path().join("twice.ofd");
    seal(&sealed, &twice, &[]);
    let (ok, v) = verify_json(&twice);
    assert!(ok, "{v:#}");
    assert_eq!(v["seals"].as_array().unwrap().len(), 2);
    assert_eq!(
        ofd_core_verdicts(&twice),
        [ofd_core::verify::SigVerdict::Valid; 2]
    );
}

#[test]
fn ofdrw_sealed_sample_verifies() {
    let sample = root().join("tests/fixtures/corpus/ofd/ofdrw-SESV4SignDoc.ofd");
    let out = nianbao()
        .args(["verify", sample.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["seals"][0];
    // Every cryptographic check holds…
    for key in [
        "files_intact",
        "signed_info_intact",
        "signature_valid",
        "seal_valid",
        "signer_in_seal",
    ] {
        assert_eq!(s[key], true, "{key}: {v:#}");
    }
    // …with the values the file holds (read with `openssl asn1parse`).
    assert_eq!(s["seal_name"], "OFD R&W 测试用印章");
    assert_eq!(s["seal_id"], "51f044b76510434e9bc67a1185c2fba5");
    assert_eq!(s["check_method"], "SM3");
    assert_eq!(s["references"], 5);
    assert_eq!(s["signed_at"], "2026-08-04T02:08:09Z");
    // …but its test certificates expired in 2022 and its root is not in the
    // file, so it is not trusted: the verdict says exactly that.
    assert!(!out.status.success());
    let problems: Vec<&str> = s["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems.iter().all(|p| p.contains("expired")
            || p.contains("trust root")
            || p.contains("not valid when it was used")),
        "{problems:#?}"
    );
    // Tampered: one byte of its page.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ofd");
    tamper(&sample, &bad, "Doc_0/Pages/Page_0/Content.xml", "text");
    let out = nianbao()
        .args(["verify", bad.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["seals"][0]["files_intact"], false, "{v:#}");
}

#[test]
fn bad_keys_and_files_are_clear_errors_and_write_nothing() {
    let k = pki();
    let dir = tempfile::tempdir().unwrap();
    let copy = write(dir.path(), "copy.ofd", archival_ofd());
    let out = dir.path().join("out.ofd");
    let seal_png = fixture("archive-seal.png");
    // An RSA key is not an SM2 key.
    nianbao()
        .args([
            "sign-ofd",
            copy.to_str().unwrap(),
            "--key",
            &k.path("rsa.key"),
            "--cert",
            &k.path("signer.pem"),
            "--seal-image",
            seal_png.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("rsa.key").and(predicates::str::contains("SM2")));
    // The maker's key with the signer's certificate.
    nianbao()
        .args([
            "sign-ofd",
            copy.to_str().unwrap(),
            "--key",
            &k.path("maker.key"),
            "--cert",
            &k.path("signer.pem"),
            "--seal-image",
            seal_png.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("does not belong"));
    // A PDF is not an OFD package.
    let pdf = dir.path().join("x.pdf");
    std::fs::copy(fixture("corpus/huaian-shi-2024.pdf"), &pdf).unwrap();
    nianbao()
        .args([
            "sign-ofd",
            pdf.to_str().unwrap(),
            "--key",
            &k.path("signer.key"),
            "--cert",
            &k.path("signer.pem"),
            "--seal-image",
            seal_png.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("x.pdf"));
    // A ZIP that is not an OFD package.
    let zip = dir.path().join("x.zip");
    let (ok, _, _) = run(
        "zip",
        &[
            "-j",
            "-q",
            zip.to_str().unwrap(),
            seal_png.to_str().unwrap(),
        ],
    );
    assert!(ok);
    nianbao()
        .args(["verify", zip.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("OFD.xml"));
    assert!(!out.exists());
    // --pdf-standard does not apply to OFD.
    nianbao()
        .args([
            "render",
            example().to_str().unwrap(),
            "--ofd",
            "--pdf-standard",
            "a-2b",
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(2);
    assert!(!out.exists());
}
