//! Accessible PDFs (`--pdf-standard ua-1`, PDF/UA-1), alone and with PDF/A.
//!
//! Checked with tools that are not ours: page-validation's PDF/UA-1 profile
//! ("ua1", 104 rules of ISO 14289-1: identification, tagging of all content,
//! the structure tree and role map, table and heading structure, alternative
//! texts, languages, fonts, DisplayDocTitle …) and its PDF/A profiles; the
//! objects read with `qpdf --json`; the structure tree with each element's text
//! read with poppler (`pdfinfo -struct-text`), and every number of Tables 3 and
//! 4 found by the texts of its header cells (/ID, /Headers), as a screen reader
//! announces it. The expected numbers and labels come from the data file (read
//! here with the `toml` crate) and the official form, not from nianbao.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::form::{self, long_report_data};
use crate::common::tagged::{self, resolve_cells, struct_tree, QpdfJson};
use crate::common::*;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

/// Renders `data` with extra arguments into `dir/name`.
fn render(dir: &Path, data: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    nianbao()
        .arg("render")
        .arg(data)
        .args(args)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

/// The long report (date, seal, items with heading lines, Table 3 across two
/// pages) as an accessible PDF with a PNG seal.
fn long_ua(dir: &Path) -> PathBuf {
    let seal = fixture("archive-seal.png");
    render(
        dir,
        &fixture("long-report.toml"),
        "ua.pdf",
        &["--pdf-standard", "ua-1", "--seal", seal.to_str().unwrap()],
    )
}

#[test]
fn accessible_pdf_passes_the_pdf_ua_validator() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = long_ua(dir.path());
    assert_eq!(page_validation_failures(&pdf, "ua1"), Vec::<String>::new());
    cff_widths_agree_with_w(&pdf);
    // A default PDF is tagged too, but does not claim PDF/UA: the validator
    // says what is missing, so a pass above means something.
    let plain = render(dir.path(), &fixture("long-report.toml"), "plain.pdf", &[]);
    let failures = page_validation_failures(&plain, "ua1");
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("PDFUA1-ID-SCHEMA-001"))
            && failures
                .iter()
                .any(|f| f.starts_with("PDFUA1-VIEWER-PREFERENCES-001")),
        "{failures:?}"
    );
}

#[test]
fn document_language_title_and_identification() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = long_ua(dir.path());
    let json = QpdfJson::load(&pdf);
    let catalog = json.catalog();
    assert_eq!(tagged::text(&catalog["/Lang"]), "zh-CN");
    assert_eq!(catalog["/MarkInfo"]["/Marked"], true);
    assert_eq!(
        json.resolve(&catalog["/ViewerPreferences"])["/DisplayDocTitle"],
        true,
        "the title, not the file name, is the window title"
    );
    let title = "示例县人民政府办公室2023年政府信息公开工作年度报告";
    assert_eq!(info_value(&pdfinfo(&pdf), "Title"), title);
    let bytes = std::fs::read(&pdf).unwrap();
    let xmp = String::from_utf8_lossy(&bytes);
    assert!(
        xmp.contains("<pdfuaid:part>1</pdfuaid:part>"),
        "PDF/UA-1 identification"
    );
    assert!(xmp.contains(&format!("<rdf:li xml:lang=\"x-default\">{title}</rdf:li>")));
}

#[test]
fn headings_are_tagged_as_headings_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = long_ua(dir.path());
    let json = QpdfJson::load(&pdf);
    let headings: Vec<(String, String)> = json
        .struct_elements()
        .into_iter()
        .filter(|e| e["/S"].as_str().unwrap().starts_with("/H"))
        .map(|e| {
            (
                e["/S"].as_str().unwrap().to_string(),
                tagged::text(&e["/T"]),
            )
        })
        .collect();
    // The six part headings of the official form, as H1.
    let parts = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ];
    let h1: Vec<&str> = headings
        .iter()
        .filter(|(s, _)| s == "/H1")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(h1, parts);
    // The items of 五 with a heading line of their own, as H2 after its H1.
    let data = long_report_data();
    let items: Vec<String> = data["problems"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let number = ["（一）", "（二）", "（三）", "（四）"][i];
            format!("{number}{}", item["title"].as_str().unwrap())
        })
        .collect();
    let after_five: Vec<&(String, String)> = headings
        .iter()
        .skip_while(|(_, t)| t != parts[4])
        .skip(1)
        .take_while(|(s, _)| s != "/H1")
        .collect();
    assert_eq!(
        after_five,
        items
            .iter()
            .map(|t| ("/H2".to_string(), t.clone()))
            .collect::<Vec<_>>()
            .iter()
            .collect::<Vec<_>>()
    );
    // Run-in item titles (（一）主动公开工作。 …) stay in their paragraphs.
    assert!(!headings
        .iter()
        .any(|(_, t)| t.starts_with("（一）主动公开")));
}

#[test]
fn the_seal_has_alternative_text_and_page_numbers_are_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = long_ua(dir.path());
    let json = QpdfJson::load(&pdf);
    let figures: Vec<String> = json
        .struct_elements()
        .into_iter()
        .filter(|e| e["/S"] == "/Figure")
        .map(|e| tagged::text(&e["/Alt"]))
        .collect();
    assert_eq!(figures, ["示例县人民政府办公室印章"]);

    // The page numbers are printed (pdftotext sees them) but are not content of
    // the structure tree: they are artifacts (page-validation's content-tagging
    // rule checks that everything else is tagged).
    let pages: usize = info_value(&pdfinfo(&pdf), "Pages").parse().unwrap();
    let printed = pdf_text(&pdf);
    for n in 1..=pages {
        assert!(printed.contains(&format!("— {n} —")), "page number {n}");
    }
    let tree = struct_tree(&pdf).text();
    assert!(
        !tree.contains('—'),
        "a page number is in the structure tree"
    );
    assert!(tree.contains("结转下年度继续办理"));
    // … marked as pagination artifacts in the page contents.
    let qdf = dir.path().join("qdf.pdf");
    tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            qdf.to_str().unwrap(),
        ],
    );
    let contents = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    assert!(contents.matches("/Artifact<</Type/Pagination").count() >= pages);
}

/// The tables of the PDF's structure tree, found by a text in them.
fn table_cells(pdf: &Path, containing: &str) -> Vec<tagged::ResolvedCell> {
    let tree = struct_tree(pdf);
    let table = tree
        .descendants()
        .into_iter()
        .find(|e| e.kind == "Table" && e.text().contains(containing))
        .unwrap_or_else(|| panic!("no table with {containing}"))
        .clone();
    resolve_cells(&table)
}

#[test]
fn every_number_of_table_3_is_named_by_its_row_and_column_headers() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = long_ua(dir.path());
    let cells = table_cells(&pdf, "勾稽关系");
    form::assert_table_3(&cells, &long_report_data());
}

#[test]
fn table_4_and_table_2_cells_have_their_headers() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = long_ua(dir.path());
    let data = long_report_data();
    form::assert_table_4(&table_cells(&pdf, "复议后起诉"), &data);
    form::assert_table_2_rules(&table_cells(&pdf, "第二十条第（一）项"), &data);
}

#[test]
fn accessible_pages_look_exactly_like_the_default_ones() {
    // Tagging, alternative texts and artifacts change no pixel: the accessible
    // PDF prints the same pages as the default one.
    let dir = tempfile::tempdir().unwrap();
    let ua = long_ua(dir.path());
    let seal = fixture("archive-seal.png");
    let plain = render(
        dir.path(),
        &fixture("long-report.toml"),
        "plain.pdf",
        &["--seal", seal.to_str().unwrap()],
    );
    let pages = |pdf: &Path, prefix: &str| -> Vec<Vec<u8>> {
        let stem = dir.path().join(prefix);
        tool(
            "pdftoppm",
            &[
                "-r",
                "40",
                "-png",
                pdf.to_str().unwrap(),
                stem.to_str().unwrap(),
            ],
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{prefix}-"))
            })
            .collect();
        files.sort();
        files.iter().map(|f| std::fs::read(f).unwrap()).collect()
    };
    let a = pages(&ua, "ua");
    let b = pages(&plain, "plain");
    assert_eq!(a.len(), 10);
    assert!(a == b, "the accessible pages differ from the default ones");
    assert_eq!(pdf_layout_text(&ua), pdf_layout_text(&plain));
}

#[test]
fn pdf_ua_combines_with_pdf_a() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture("long-report.toml");
    for (standards, profile) in [("a-2b,ua-1", "2b"), ("ua-1,a-2a", "2a")] {
        let pdf = render(
            dir.path(),
            &data,
            "both.pdf",
            &["--pdf-standard", standards],
        );
        assert_eq!(
            page_validation_failures(&pdf, profile),
            Vec::<String>::new(),
            "{standards}"
        );
        assert_eq!(
            page_validation_failures(&pdf, "ua1"),
            Vec::<String>::new(),
            "{standards}"
        );
    }
    // An accessible archival copy: PDF/A-3a (or -3b) with the data, PDF/UA-1,
    // and its data re-renders to the same bytes (verify reads the standards
    // from the copy's metadata).
    for (standards, profile) in [("ua-1", "3b"), ("a-3a,ua-1", "3a")] {
        let copy = render(
            dir.path(),
            &data,
            "copy.pdf",
            &["--archive", "--pdf-standard", standards],
        );
        assert_eq!(
            page_validation_failures(&copy, profile),
            Vec::<String>::new(),
            "{standards}"
        );
        assert_eq!(
            page_validation_failures(&copy, "ua1"),
            Vec::<String>::new(),
            "{standards}"
        );
        let out = nianbao().arg("verify").arg(&copy).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.contains("archival copy: ok") && said.contains("byte for byte"),
            "{said}"
        );
    }
    // Two PDF/A levels, or a PDF/A-2 archival copy, are refused; nothing is written.
    for args in [
        &["--pdf-standard", "a-2b,a-3b"][..],
        &["--pdf-standard", "a-2a,ua-1", "--archive"][..],
    ] {
        let out = dir.path().join("refused.pdf");
        nianbao()
            .arg("render")
            .arg(&data)
            .args(args)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(1);
        assert!(!out.exists(), "{args:?}");
    }
    nianbao()
        .arg("render")
        .arg(&data)
        .args(["--pdf-standard", "ua-2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ua-1"));
}

#[test]
fn a_2019_report_is_accessible_too() {
    // 平潭 2020 (2019 edition: other Table 2 and Table 3 rows, nested items,
    // published with an arithmetic error, so --force).
    let dir = tempfile::tempdir().unwrap();
    let pdf = render(
        dir.path(),
        &fixture("corpus/expected/pingtan-2020.html.json"),
        "pingtan.pdf",
        &["--force", "--pdf-standard", "ua-1"],
    );
    assert_eq!(page_validation_failures(&pdf, "ua1"), Vec::<String>::new());
    let cells = table_cells(&pdf, "勾稽关系");
    let cell = tagged::cell_headed_by(
        &cells,
        &["三、本年度办理结果", "（六）其他处理", "申请人情况", "总计"],
    );
    let data: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("corpus/expected/pingtan-2020.html.json")).unwrap(),
    )
    .unwrap();
    let row: i64 = data["requests"]["other"]
        .as_array()
        .unwrap()
        .iter()
        .take(6) // the applicants' columns; the data also gives the published 总计
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(cell.text, row.to_string());
}
