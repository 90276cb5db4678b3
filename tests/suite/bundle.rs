//! Print bundles (`batch --bundle FILE.pdf`): every report of a batch in one
//! PDF, in the manifest's order, each starting on an odd page, one bookmark
//! per report, each report's pages (and so its printed page numbers) as they
//! are. Read back with poppler (pdfinfo, pdftotext, pdftoppm, pdfsig,
//! pdfdetach) and qpdf (--check, --json for the outline); the expected pages
//! come from the individual PDFs of the batch, read with the same tools.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::common::tagged::{self, QpdfJson};
use crate::common::*;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn pages_of(pdf: &Path) -> usize {
    info_value(&pdfinfo(pdf), "Pages").parse().unwrap()
}

/// The text of pages `first..=last` of a PDF, page by page (`pdftotext
/// -layout` ends every page with a form feed).
fn page_texts(pdf: &Path, first: usize, last: usize) -> Vec<String> {
    let text = tool(
        "pdftotext",
        &[
            "-layout",
            "-enc",
            "UTF-8",
            "-f",
            &first.to_string(),
            "-l",
            &last.to_string(),
            pdf.to_str().unwrap(),
            "-",
        ],
    );
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    assert_eq!(pages.pop().as_deref(), Some(""), "text after the last page");
    assert_eq!(pages.len(), last + 1 - first);
    pages
}

/// The bundle's top-level bookmarks: (title, page from 1), and how many
/// bookmarks each has under it.
fn outline(pdf: &Path) -> Vec<(String, usize, usize)> {
    let json = QpdfJson::load(pdf);
    let catalog = json.catalog();
    let kids: Vec<String> = json.resolve(&catalog["/Pages"])["/Kids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let page_of = |dest: &Value| -> usize {
        let page = json.resolve(dest)[0].as_str().unwrap().to_string();
        kids.iter()
            .position(|k| *k == page)
            .expect("a page of the bundle")
            + 1
    };
    let root = json.resolve(&catalog["/Outlines"]);
    let mut out = Vec::new();
    let mut item = root.get("/First").cloned();
    while let Some(reference) = item {
        let entry = json.resolve(&reference).clone();
        let mut children = 0;
        let mut child = entry.get("/First").cloned();
        while let Some(c) = child {
            let c = json.resolve(&c);
            // A report's own bookmark opens a page of that report.
            page_of(&c["/Dest"]);
            children += 1;
            child = c.get("/Next").cloned();
        }
        out.push((
            tagged::text(&entry["/Title"]),
            page_of(&entry["/Dest"]),
            children,
        ));
        item = entry.get("/Next").cloned();
    }
    out
}

/// Runs a batch of `inputs` into `out` with `--bundle` and extra arguments.
fn batch_with_bundle(inputs: &[&Path], out: &Path, extra: &[&str]) -> PathBuf {
    let bundle = out.join("bundle.pdf");
    nianbao()
        .arg("batch")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .arg("--bundle")
        .arg(&bundle)
        .args(extra)
        .assert()
        .success();
    bundle
}

/// The manifest's rendered outputs, in its order: (agency, output path).
fn manifest_outputs(out: &Path) -> Vec<(String, PathBuf)> {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    manifest["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "rendered")
        .map(|e| {
            (
                e["agency"].as_str().unwrap().to_string(),
                out.join(e["output"].as_str().unwrap()),
            )
        })
        .collect()
}

#[test]
fn a_bundle_of_fifty_reports_prints_every_report_from_an_odd_page() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    nianbao()
        .args(["generate", "50", "--seed", "15", "--pages", "1-3", "-o"])
        .arg(&input)
        .assert()
        .success();
    let out = tmp.path().join("out");
    let bundle = batch_with_bundle(&[&input], &out, &["--jobs", "2", "--quiet"]);
    tool("qpdf", &["--check", bundle.to_str().unwrap()]);

    let reports = manifest_outputs(&out);
    assert_eq!(reports.len(), 50);
    // Where each report must start, from the page counts of the PDFs themselves.
    let lengths: Vec<usize> = reports.iter().map(|(_, pdf)| pages_of(pdf)).collect();
    assert!(
        lengths.iter().any(|n| n % 2 == 1) && lengths.iter().any(|n| n % 2 == 0),
        "the batch should have reports of odd and even length: {lengths:?}"
    );
    let mut starts = Vec::new();
    let mut total = 0;
    for n in &lengths {
        if total % 2 == 1 {
            total += 1; // a blank page
        }
        starts.push(total + 1);
        total += n;
    }
    assert_eq!(pages_of(&bundle), total);

    // One bookmark per report, in the manifest's order, opening its first page;
    // the report's six part headings under it.
    let bookmarks = outline(&bundle);
    assert_eq!(bookmarks.len(), 50);
    for (((title, page, children), (agency, _)), start) in
        bookmarks.iter().zip(&reports).zip(&starts)
    {
        assert!(title.starts_with(agency.as_str()), "{title} / {agency}");
        assert_eq!(page, start, "{title}");
        assert_eq!(page % 2, 1, "{title} starts on page {page}");
        assert_eq!(*children, 6, "{title}");
    }

    // On every sheet (pages 2k-1 and 2k) at most one report.
    let mut owner: Vec<Option<usize>> = vec![None; total];
    for (i, (start, n)) in starts.iter().zip(&lengths).enumerate() {
        for p in *start..start + n {
            owner[p - 1] = Some(i);
        }
    }
    for sheet in owner.chunks(2) {
        let reports: Vec<usize> = sheet.iter().flatten().copied().collect();
        assert!(reports.windows(2).all(|w| w[0] == w[1]), "{sheet:?}");
    }

    // Each report's pages are its own, text and page numbers unchanged; the
    // pages between are blank.
    let texts = page_texts(&bundle, 1, total);
    for ((start, n), (_, pdf)) in starts.iter().zip(&lengths).zip(&reports) {
        let own = page_texts(pdf, 1, *n);
        assert_eq!(
            &texts[start - 1..start - 1 + n],
            &own[..],
            "{}",
            pdf.display()
        );
        for (k, page) in own.iter().enumerate() {
            assert!(
                strip_ws(page).contains(&format!("—{}—", k + 1)),
                "page number {}",
                k + 1
            );
        }
    }
    for (page, text) in owner.iter().zip(&texts) {
        if page.is_none() {
            assert!(text.trim().is_empty(), "a blank page has text: {text}");
        }
    }
    assert_eq!(
        owner.iter().filter(|o| o.is_none()).count(),
        lengths[..49].iter().filter(|n| *n % 2 == 1).count(),
        "a blank page after each report of odd length but the last"
    );
}

#[test]
fn a_bundle_of_archival_signed_copies_keeps_the_pages_and_drops_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A self-signed signer, made with openssl.
    let ok = std::process::Command::new("openssl")
        .current_dir(d)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "30",
            "-subj",
            "/CN=nianbao bundle test",
        ])
        .output()
        .expect("openssl (scripts/test installs it)");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = d.join("out");
    let bundle = batch_with_bundle(
        &[&example(), &fixture("long-report.toml")],
        &out,
        &[
            "--archive",
            "--sign",
            "--key",
            d.join("key.pem").to_str().unwrap(),
            "--cert",
            d.join("cert.pem").to_str().unwrap(),
        ],
    );
    let reports = manifest_outputs(&out);
    assert_eq!(reports.len(), 2);
    // The outputs are signed archival copies …
    for (_, pdf) in &reports {
        assert!(pdf_text_of("pdfsig", pdf).contains("Signature #1"));
        assert!(pdf_text_of("pdfdetach", pdf).contains("nianbao-data.json"));
    }
    // … the bundle carries their pages only.
    let sigs = pdf_text_of("pdfsig", &bundle);
    assert!(sigs.contains("does not contain any signatures"), "{sigs}");
    assert!(pdf_text_of("pdfdetach", &bundle).contains("0 embedded files"));
    let json = QpdfJson::load(&bundle);
    let catalog = json.catalog();
    for key in ["/AcroForm", "/StructTreeRoot", "/Metadata", "/Names", "/AF"] {
        assert!(!catalog.contains_key(key), "the bundle's catalog has {key}");
    }
    assert_eq!(tagged::text(&catalog["/Lang"]), "zh-CN");

    // Every page looks exactly like the report's own page.
    let render = |pdf: &Path, first: usize, last: usize, stem: &str| -> Vec<Vec<u8>> {
        let prefix = d.join(stem);
        tool(
            "pdftoppm",
            &[
                "-r",
                "30",
                "-png",
                "-f",
                &first.to_string(),
                "-l",
                &last.to_string(),
                pdf.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{stem}-"))
            })
            .collect();
        files.sort();
        files.iter().map(|f| std::fs::read(f).unwrap()).collect()
    };
    let bookmarks = outline(&bundle);
    for (i, ((_, pdf), (_, start, _))) in reports.iter().zip(&bookmarks).enumerate() {
        let n = pages_of(pdf);
        let own = render(pdf, 1, n, &format!("own{i}"));
        let bundled = render(&bundle, *start, start + n - 1, &format!("bundled{i}"));
        assert!(
            own == bundled,
            "{}: pages differ in the bundle",
            pdf.display()
        );
    }
}

/// What a poppler tool prints (stdout and stderr; some exit non-zero when
/// there is nothing to report).
fn pdf_text_of(program: &str, pdf: &Path) -> String {
    let args: &[&str] = if program == "pdfdetach" {
        &["-list"]
    } else {
        &[]
    };
    let out = std::process::Command::new(program)
        .args(args)
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn no_bundle_when_no_report_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "agency = \"某某县人民政府\"\nyear = 2023\n").unwrap();
    let out = tmp.path().join("out");
    let bundle = out.join("bundle.pdf");
    nianbao()
        .arg("batch")
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .arg("--bundle")
        .arg(&bundle)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no report to bundle"));
    assert!(!bundle.exists());
    assert!(
        out.join("manifest.json").exists(),
        "the manifest is written"
    );
}
