//! The core render: the bundled example reproduces the reference report, the
//! PDF is well-formed with embedded subset fonts, data stays data.

use crate::common::*;
use nianbao::model::Format;
use nianbao::RenderOptions;

/// The reference report's paragraphs and headings (lines without tabs), and its
/// table cells, normalised as the format spec says: full-width brackets for the
/// fixed labels (the text export turned them into ASCII), whitespace removed
/// (the export put spaces around digits).
fn reference() -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(fixture("reference/bianlukou-2023.txt")).unwrap();
    let mut paragraphs = Vec::new();
    let mut cells = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.contains('\t') {
            for cell in line.split('\t') {
                let c = strip_ws(cell).replace('(', "（").replace(')', "）");
                if !c.is_empty() {
                    cells.push(c);
                }
            }
        } else {
            paragraphs.push(strip_ws(line));
        }
    }
    (paragraphs, cells)
}

/// The copies of real published files are the files their sources name: each
/// one's SHA-256 is the one recorded in tests/fixtures/corpus/SOURCES.md.
#[test]
fn the_real_fixtures_are_the_published_files() {
    use sha2::{Digest, Sha256};
    let sources = std::fs::read_to_string(fixture("corpus/SOURCES.md")).unwrap();
    let mut checked = 0;
    for line in sources.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (name, sha) = (cells[1].trim_matches('`'), cells[2].trim_matches('`'));
        let bytes = std::fs::read(fixture(&format!("corpus/{name}"))).unwrap();
        assert_eq!(hex(&Sha256::digest(&bytes)), sha, "{name}");
        checked += 1;
    }
    // The tab-separated export of the reference report, named in the same file.
    let at = sources.find("bianlukou-2023.txt` (SHA-256").unwrap();
    let reference: String = sources[at..].split('`').nth(2).unwrap().chars().collect();
    let bytes = std::fs::read(fixture("reference/bianlukou-2023.txt")).unwrap();
    assert_eq!(hex(&Sha256::digest(&bytes)), reference);
    assert_eq!(checked, 7, "every real file has its line");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn example_reproduces_every_paragraph_label_and_number() {
    let (_dir, pdf) = render_to_file(&load(&example()), &RenderOptions::default());
    let text = strip_ws(&pdf_text(&pdf));
    let (paragraphs, cells) = reference();
    assert_eq!(
        paragraphs.len(),
        19,
        "the reference has 19 paragraphs and headings"
    );
    // Every paragraph and heading, in order.
    assert_in_order(&text, &paragraphs);
    // Every table label and caption (numbers are checked below).
    let labels: Vec<&String> = cells
        .iter()
        .filter(|c| !c.chars().all(|ch| ch.is_ascii_digit()))
        .collect();
    assert!(labels.len() > 60, "table labels: {}", labels.len());
    for label in labels {
        assert!(
            text.contains(label.as_str()),
            "table label {label:?} is missing from the PDF text"
        );
    }
    // Every number of the tables: the reference's tables hold 4×2+… zeros; the
    // PDF must print each cell (0, never blank). Count the zeros in the tables.
    let zeros_in_reference = cells.iter().filter(|c| c.as_str() == "0").count();
    let tables = &text[text.find("第二十条第（一）项").unwrap()
        ..text.find("五、存在的主要问题及改进情况").unwrap()];
    assert_eq!(
        tables.matches('0').count(),
        zeros_in_reference,
        "every table cell prints its number"
    );
}

#[test]
fn totals_are_computed_from_the_data() {
    // Distinct numbers in every cell; the 总计 column, （七）总计 row and the
    // Table 4 totals must be computed.
    let mut text = std::fs::read_to_string(example()).unwrap();
    for (from, to) in [
        (
            "\ngranted = [0, 0, 0, 0, 0, 0]",
            "\ngranted = [11, 12, 13, 14, 15, 16]",
        ),
        (
            "\nnew = [0, 0, 0, 0, 0, 0]",
            "\nnew = [11, 12, 13, 14, 15, 16]",
        ),
        ("\nreview = [0, 0, 0, 0]", "\nreview = [1, 2, 3, 4]"),
        (
            "\nlitigation_direct = [0, 0, 0, 0]",
            "\nlitigation_direct = [5, 6, 7, 8]",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    let loaded = load_text(&text, Format::Toml);
    let (_dir, pdf) = render_to_file(&loaded, &RenderOptions::default());
    let layout = pdf_layout_text(&pdf);
    let row_numbers = |label: &str| -> Vec<u64> {
        let line = layout
            .lines()
            .find(|l| l.contains(label) && l.split_whitespace().count() >= 8)
            .unwrap_or_else(|| panic!("no table line with {label}:\n{layout}"));
        line.split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect()
    };
    assert_eq!(
        row_numbers("本年新收政府信息公开申请数量"),
        [11, 12, 13, 14, 15, 16, 81]
    );
    assert_eq!(row_numbers("予以公开"), [11, 12, 13, 14, 15, 16, 81]);
    assert_eq!(row_numbers("（七）总计"), [11, 12, 13, 14, 15, 16, 81]);
    let appeals: Vec<u64> = layout
        .lines()
        .filter(|l| l.split_whitespace().count() == 15)
        .flat_map(|l| {
            l.split_whitespace()
                .map(|w| w.parse::<u64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(appeals, [1, 2, 3, 4, 10, 5, 6, 7, 8, 26, 0, 0, 0, 0, 0]);
}

#[test]
fn pdf_is_a4_with_metadata_and_embedded_subset_fonts() {
    let (_dir, pdf) = render_to_file(&load(&example()), &RenderOptions::default());
    let p = pdf.to_str().unwrap();
    let info = pdfinfo(&pdf);
    assert_eq!(
        info_value(&info, "Title"),
        "卞路口乡人民政府2023年政府信息公开工作年度报告"
    );
    assert_eq!(info_value(&info, "Author"), "卞路口乡人民政府");
    assert!(
        info_value(&info, "Page size").starts_with("595.276 x 841.89 pts (A4)"),
        "{info:?}"
    );
    let pages: usize = info_value(&info, "Pages").parse().unwrap();
    assert!(pages >= 4, "{pages} pages");
    // Every page A4.
    let sizes = tool("pdfinfo", &["-f", "1", "-l", &pages.to_string(), p]);
    assert_eq!(
        sizes
            .lines()
            .filter(|l| l.contains("size:") && l.contains("595.276 x 841.89"))
            .count(),
        pages
    );
    // Language.
    let json = tool("qpdf", &["--json", "--json-key=qpdf", p]);
    assert!(json.contains("zh-CN"), "the document language is zh-CN");
    // Fonts: all embedded and subset.
    let fonts = tool("pdffonts", &[p]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 4, "{fonts}");
    for row in rows {
        let name = row.split_whitespace().next().unwrap();
        assert!(
            name.len() > 7 && name.as_bytes()[6] == b'+',
            "font {name} is subset (ABCDEF+Name)"
        );
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        let sub = cols[cols.len() - 4];
        assert_eq!((emb, sub), ("yes", "yes"), "font row: {row}");
    }
    // qpdf finds no errors.
    let check = std::process::Command::new("qpdf")
        .args(["--check", p])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "qpdf --check: {out}");
    assert!(
        out.contains("No syntax or stream encoding errors found"),
        "{out}"
    );
}

#[test]
fn the_same_report_as_toml_json_and_yaml_renders_the_same_text() {
    let toml = load(&example());
    let value = serde_json::to_value(&toml.report).unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    let yaml = serde_norway::to_string(&value).unwrap();
    let from_json = load_text(&json, Format::Json);
    let from_yaml = load_text(&yaml, Format::Yaml);
    assert_eq!(from_json.report, toml.report);
    assert_eq!(from_yaml.report, toml.report);
    let texts: Vec<String> = [&toml, &from_json, &from_yaml]
        .iter()
        .map(|l| pdf_text(&render_to_file(l, &RenderOptions::default()).1))
        .collect();
    assert_eq!(texts[0], texts[1]);
    assert_eq!(texts[0], texts[2]);
}

/// Strings that would be markup or code if they reached Typst as source.
const HOSTILE: &[&str] = &[
    "#read(\"/etc/passwd\")",
    "#include \"x\"",
    "]",
    "[",
    "*a*",
    "_a_",
    "$x$",
    "@ref",
    "<lbl>",
    "\\",
    "//",
    "/*",
    "\"",
    "{{ agency }}",
    "{% if %}",
    "#set page(width: 1cm)",
];

#[test]
fn data_stays_data() {
    let hostile = HOSTILE.join(" ");
    let mut report = load(&example()).report;
    report.agency = format!("测试{hostile}");
    report.overview.paragraphs = HOSTILE.iter().map(|s| format!("段落{s}")).collect();
    report.overview.items[0].title = format!("标题{hostile}");
    report.problems.items[0].paragraphs[0] = hostile.clone();
    let json = serde_json::to_string(&report).unwrap();
    let loaded = load_text(&json, Format::Json);
    let (_dir, pdf) = render_to_file(&loaded, &RenderOptions::default());
    let text = strip_ws(&pdf_text(&pdf));
    for s in HOSTILE {
        assert!(
            text.contains(&strip_ws(&format!("段落{s}"))),
            "paragraph with {s:?} printed literally"
        );
    }
    assert!(
        text.contains(&strip_ws(&format!("测试{hostile}"))),
        "agency printed literally"
    );
    assert!(
        text.contains(&strip_ws(&format!("标题{hostile}"))),
        "item title printed literally"
    );
    assert!(!text.contains("root:x:0"), "no file was read");
    let info = pdfinfo(&pdf);
    assert!(
        info_value(&info, "Page size").starts_with("595.276 x 841.89"),
        "page size unchanged"
    );
    assert!(info_value(&info, "Author").contains("#set page(width: 1cm)"));
}

#[test]
fn a_character_outside_the_fonts_is_an_error_naming_it_and_its_paragraph() {
    let mut report = load(&example()).report;
    // 𪚥 (U+2A6A5) is far outside GB2312 and the Fandol fonts.
    report.problems.items[1].paragraphs[0] = "一是吃透政策𪚥。".into();
    let loaded = load_text(&serde_json::to_string(&report).unwrap(), Format::Json);
    let err = crate::common::publisher()
        .render(&loaded, &RenderOptions::default())
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains('𪚥'), "{msg}");
    assert!(msg.contains("U+2A6A5"), "{msg}");
    assert!(msg.contains("problems.items[1].paragraphs[0]"), "{msg}");
}

#[test]
fn an_unknown_font_family_fails_the_render() {
    let loaded = load(&example());
    let options = RenderOptions {
        fonts: vec![(nianbao::typeset::Role::Body, vec!["No Such Font".into()])],
        seal: None,
    };
    let err = crate::common::publisher()
        .render(&loaded, &options)
        .unwrap_err();
    assert!(err.to_string().contains("No Such Font"), "{err}");
}
