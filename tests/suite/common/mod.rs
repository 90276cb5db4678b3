//! Helpers shared by the integration tests: rendering through the library and
//! reading PDFs back with real tools (poppler-utils, qpdf).

#![allow(dead_code)]

pub mod form;
pub mod tagged;
pub mod validators;
pub use validators::{cff_widths_agree_with_w, page_validation_failures};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use nianbao::model::{load_str, Format, Loaded};
use nianbao::{Publisher, RenderOptions};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example() -> PathBuf {
    root().join("examples/bianlukou-2023.toml")
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// One publisher (fonts parsed once) for all tests of a binary.
pub fn publisher() -> &'static Publisher {
    static P: OnceLock<Publisher> = OnceLock::new();
    P.get_or_init(Publisher::embedded)
}

pub fn load(path: &Path) -> Loaded {
    nianbao::load_data(path, None).unwrap_or_else(|e| panic!("{e}"))
}

pub fn load_text(text: &str, format: Format) -> Loaded {
    load_str("test.toml", text, format).unwrap_or_else(|e| panic!("{e}"))
}

/// Renders a loaded report into a PDF file in a fresh temporary directory.
pub fn render_to_file(loaded: &Loaded, options: &RenderOptions) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let rendered = publisher()
        .render(loaded, options)
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&out, rendered.pdf).unwrap();
    (dir, out)
}

/// Runs a program; returns (success, stdout + stderr).
pub fn run(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (scripts/test installs it): {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Runs a tool and returns its standard output; panics with its stderr on failure.
pub fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (scripts/test installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The text of a PDF in content order (`pdftotext -raw`).
pub fn pdf_text(pdf: &Path) -> String {
    tool(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    )
}

/// The text of a PDF with the page layout kept (`pdftotext -layout`).
pub fn pdf_layout_text(pdf: &Path) -> String {
    tool(
        "pdftotext",
        &["-layout", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    )
}

pub fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that `needles` occur in `hay` in this order.
pub fn assert_in_order(hay: &str, needles: &[String]) {
    let mut pos = 0;
    for n in needles {
        match hay[pos..].find(n.as_str()) {
            Some(i) => pos += i + n.len(),
            None => {
                let anywhere = hay.contains(n.as_str());
                panic!(
                    "expected, in order, {n:?} ({})",
                    if anywhere {
                        "found, but out of order"
                    } else {
                        "not found at all"
                    }
                );
            }
        }
    }
}

/// `pdfinfo` as key → value.
pub fn pdfinfo(pdf: &Path) -> Vec<(String, String)> {
    tool("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

pub fn info_value(info: &[(String, String)], key: &str) -> String {
    info.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}
