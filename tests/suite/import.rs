//! Importing published reports: every real file of the corpus against the
//! expected data read from it by hand (tests/fixtures/corpus/expected), the
//! round trip render → import over generated reports, the audit (`check`) of
//! published files, and bad files refused cleanly.

use std::path::{Path, PathBuf};

use serde_json::Value;

use nianbao::check::{check, Rule};
use nianbao::import;

use crate::common::fixture;

fn corpus(name: &str) -> PathBuf {
    fixture(&format!("corpus/{name}"))
}

fn expected(name: &str) -> Value {
    let path = fixture(&format!("corpus/expected/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The corpus: each published file and its expected data's name.
fn files() -> Vec<(PathBuf, &'static str)> {
    vec![
        (corpus("huaian-shi-2024.pdf"), "huaian-shi-2024.pdf"),
        (
            corpus("huaian-hongze-qu-2023.pdf"),
            "huaian-hongze-qu-2023.pdf",
        ),
        (
            corpus("suqian-shuyang-xian-fgj-2023.html"),
            "suqian-shuyang-xian-fgj-2023.html",
        ),
        (corpus("pingtan-2020.html"), "pingtan-2020.html"),
        (corpus("pingtan-2022.html"), "pingtan-2022.html"),
        (
            corpus("template-2021-blank-wps.docx"),
            "template-2021-blank-wps.docx",
        ),
        (
            fixture("reference/bianlukou-2023.txt"),
            "bianlukou-2023.txt",
        ),
    ]
}

/// Every value cell of Tables 2–4 (printed totals included), by key path.
fn table_cells(data: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let edition = data["edition"].as_str().unwrap_or("2021");
    let active = &data["active"];
    let blocks = if edition == "2019" {
        nianbao::model::labels::ACTIVE_2019
    } else {
        nianbao::model::labels::ACTIVE_2021
    };
    for b in blocks {
        for r in b.rows {
            if b.scalar() {
                out.push((format!("active.{}", r.key), active[r.key].clone()));
            } else {
                for c in b.columns {
                    let v = active
                        .get(r.key)
                        .map(|row| row[c.key].clone())
                        .unwrap_or(Value::Null);
                    out.push((format!("active.{}.{}", r.key, c.key), v));
                }
            }
        }
    }
    let e = nianbao::model::Edition::parse(edition).unwrap();
    let mut rows: Vec<&str> = nianbao::model::RequestRow::rows_of(e)
        .map(|r| r.key())
        .collect();
    rows.push("total");
    for key in rows {
        for i in 0..7 {
            let v = data["requests"]
                .get(key)
                .and_then(|r| r.get(i))
                .cloned()
                .unwrap_or(Value::Null);
            out.push((format!("requests.{key}[{i}]"), v));
        }
    }
    for key in ["review", "litigation_direct", "litigation_after_review"] {
        for i in 0..5 {
            let v = data["appeals"]
                .get(key)
                .and_then(|r| r.get(i))
                .cloned()
                .unwrap_or(Value::Null);
            out.push((format!("appeals.{key}[{i}]"), v));
        }
    }
    out
}

/// Whitespace is not compared in prose (the notes explain the layout gaps).
fn squash(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.chars().filter(|c| !c.is_whitespace()).collect()),
        Value::Array(a) => Value::Array(a.iter().map(squash).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), squash(v))).collect()),
        v => v.clone(),
    }
}

#[test]
fn every_corpus_file_imports_every_table_cell_as_printed() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (path, name) in files() {
        let exp = expected(name);
        let imported = import::import_path(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = &imported.data;
        let (want_cells, got_cells) = (table_cells(&exp), table_cells(got));
        assert_eq!(want_cells.len(), got_cells.len());
        let mut equal = 0;
        for ((key, want), (_, have)) in want_cells.iter().zip(&got_cells) {
            if want == have {
                equal += 1;
            } else {
                failures.push(format!("{name}: {key}: expected {want}, imported {have}"));
            }
        }
        report.push(format!(
            "{name}: {equal}/{} table cells equal ({:.1} %)",
            want_cells.len(),
            100.0 * equal as f64 / want_cells.len() as f64
        ));
        for key in ["edition", "agency", "year", "title", "date"] {
            let want = &exp[key];
            let have = got.get(key).unwrap_or(&Value::Null);
            if want != have {
                failures.push(format!("{name}: {key}: expected {want}, imported {have}"));
            }
        }
        for key in ["preamble", "overview", "problems", "other"] {
            if squash(&exp[key]) != squash(&got[key]) {
                failures.push(format!(
                    "{name}: {key} differs:\n  expected {}\n  imported {}",
                    exp[key], got[key]
                ));
            }
        }
        for table in ["active", "requests", "appeals"] {
            if squash(&exp[table]["paragraphs"]) != squash(&got[table]["paragraphs"]) {
                failures.push(format!(
                    "{name}: {table}.paragraphs: expected {}, imported {}",
                    exp[table]["paragraphs"], got[table]["paragraphs"]
                ));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hongze_2023_fails_r4_exactly_as_published() {
    let imported = import::import_path(&corpus("huaian-hongze-qu-2023.pdf")).unwrap();
    let loaded = imported.load().unwrap();
    let findings = check(&loaded, None);
    let r4: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule == Rule::R4)
        .map(|f| f.key.as_str())
        .collect();
    assert_eq!(
        r4,
        ["appeals.review[4]", "appeals.litigation_after_review[4]"],
        "{findings:#?}"
    );
    // Each says where on the page the printed total is.
    for f in findings.iter().filter(|f| f.rule == Rule::R4) {
        let origin = f
            .origin
            .clone()
            .or_else(|| imported.describe(&f.key))
            .unwrap();
        assert!(origin.starts_with("page 4"), "{origin}");
    }
    // The collapsed （六） row is reported, not guessed.
    assert!(imported
        .notes
        .iter()
        .any(|n| n.message.contains("（六）其他处理") && n.message.contains("只印了一行")));
}

/// A section's prose as printed: references expanded, a run-in title without
/// paragraphs printed as a heading.
fn printed_section(s: &nianbao::model::Section, r: &nianbao::model::Report) -> Value {
    fn items(list: &[nianbao::model::Item], r: &nianbao::model::Report) -> Value {
        Value::Array(
            list.iter()
                .map(|i| {
                    serde_json::json!({
                        "title": expand(&i.title, r),
                        "run_in": i.run_in && !i.paragraphs.is_empty(),
                        "paragraphs": i.paragraphs.iter().map(|p| expand(p, r)).collect::<Vec<_>>(),
                        "items": items(&i.items, r),
                    })
                })
                .collect(),
        )
    }
    serde_json::json!({
        "paragraphs": s.paragraphs.iter().map(|p| expand(p, r)).collect::<Vec<_>>(),
        "items": items(&s.items, r),
    })
}

fn expand(text: &str, r: &nianbao::model::Report) -> String {
    nianbao::model::refs::expand(text, r, "test").unwrap()
}

/// Asserts that a report imported from its own PDF is the report: tables
/// exactly (the printed totals equal to the computed ones), prose character
/// for character.
fn assert_round_trip(name: &str, original: &nianbao::model::Report, back: &nianbao::model::Report) {
    use nianbao::model::{AppealKind, RequestRow};
    assert_eq!(back.edition(), original.edition(), "{name}: edition");
    assert_eq!(back.agency, original.agency, "{name}: agency");
    assert_eq!(back.year, original.year, "{name}: year");
    assert_eq!(back.title(), original.title(), "{name}: title");
    assert_eq!(back.date, original.date, "{name}: date");
    let pre: Vec<String> = original
        .preamble
        .iter()
        .map(|p| expand(p, original))
        .collect();
    assert_eq!(back.preamble, pre, "{name}: preamble");
    for ((key, a), (_, b)) in sections(original).iter().zip(sections(back).iter()) {
        assert_eq!(
            printed_section(b, back),
            printed_section(a, original),
            "{name}: {key}"
        );
    }
    assert_eq!(back.active.rows, original.active.rows, "{name}: Table 2");
    let edition = original.edition();
    for row in RequestRow::rows_of(edition) {
        let (a, b) = (original.requests.row(row), back.requests.row(row));
        assert_eq!(b.counts, a.counts, "{name}: requests.{}", row.key());
        assert_eq!(
            b.given_total.map(|c| c.0),
            Some(a.total()),
            "{name}: requests.{} 总计",
            row.key()
        );
    }
    let total = back.requests.given_total.expect("（七）总计 is printed");
    assert_eq!(
        total.counts.iter().map(|c| c.0).collect::<Vec<_>>(),
        original.requests.computed_total(edition)[..6].to_vec(),
        "{name}: （七）总计"
    );
    for kind in AppealKind::ALL {
        let (a, b) = (original.appeals.group(kind), back.appeals.group(kind));
        assert_eq!(b.counts, a.counts, "{name}: appeals.{}", kind.key());
        assert_eq!(
            b.given_total.map(|c| c.0),
            Some(a.total()),
            "{name}: appeals.{} 总计",
            kind.key()
        );
    }
}

fn round_trip(name: &str, loaded: &nianbao::model::Loaded) {
    let rendered = crate::common::publisher()
        .render(loaded, &nianbao::RenderOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let imported = import::import_bytes(&format!("{name}.pdf"), &rendered.pdf)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = imported.load().unwrap();
    assert!(back.problems.is_empty(), "{name}: {:#?}", back.problems);
    assert!(
        check(&back, None).is_empty(),
        "{name}: {:#?}",
        check(&back, None)
    );
    assert_round_trip(name, &loaded.report, &back.report);
}

#[test]
fn the_bundled_examples_pdf_imports_as_its_data() {
    let loaded = crate::common::load(&crate::common::example());
    round_trip("bianlukou-2023", &loaded);
}

#[test]
fn render_then_import_gives_back_the_data_for_reports_of_every_length() {
    // `nianbao generate N --pages A-B`: from two pages (tables and a little
    // prose) to fifteen.
    for (k, pages) in [2..=2, 3..=4, 5..=7, 8..=11, 12..=15]
        .into_iter()
        .enumerate()
    {
        for i in 0..2 {
            let g = nianbao::batch::generate::report(20, k * 7 + i, pages.clone());
            let loaded = crate::common::load_text(&g.toml, nianbao::model::Format::Toml);
            round_trip(&g.file_name, &loaded);
        }
    }
}

// ---------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "the text has characters GBK cannot hold");
    bytes.into_owned()
}

#[test]
fn gbk_text_and_pages_import_like_utf8() {
    let text = std::fs::read_to_string(fixture("reference/bianlukou-2023.txt")).unwrap();
    let utf8 = import::import_bytes("a.txt", text.as_bytes()).unwrap();
    let ansi = import::import_bytes("a.txt", &gbk(&text)).unwrap();
    assert_eq!(ansi.data, utf8.data);

    // A GB2312 page that says so in its <meta> (older portals).
    let page = std::fs::read_to_string(corpus("pingtan-2022.html")).unwrap();
    let utf8 = import::import_bytes("p.html", page.as_bytes()).unwrap();
    let declared = page.replacen(
        "<head>",
        "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
        1,
    );
    assert_ne!(declared, page, "the page has a <head>");
    let gb = import::import_bytes("p.html", &gbk(&declared)).unwrap();
    assert_eq!(gb.data, utf8.data);
    // Without a declaration: detected.
    let gb = import::import_bytes("p.html", &gbk(&page)).unwrap();
    assert_eq!(gb.data, utf8.data);
}

// ---------------------------------------------------------------------------
// Bad files: one clear error, nothing written
// ---------------------------------------------------------------------------

/// A one-page PDF in Helvetica without any Chinese, like the fakes in the peers'
/// sample folders.
fn helvetica_pdf() -> Vec<u8> {
    use lopdf::dictionary;
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = b"BT /F1 24 Tf 72 720 Td (Sample Report 2023) Tj ET".to_vec();
    let resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    one_page_pdf(doc, pages_id, content, resources)
}

/// A page of the 淮安 report rasterised (pdftoppm) and wrapped as an image-only PDF.
fn scanned_pdf(dir: &Path) -> Vec<u8> {
    use lopdf::{dictionary, Stream};
    let prefix = dir.join("scan");
    crate::common::tool(
        "pdftoppm",
        &[
            "-r",
            "40",
            "-f",
            "4",
            "-l",
            "4",
            corpus("huaian-shi-2024.pdf").to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let ppm = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ppm"))
        .expect("pdftoppm wrote a .ppm");
    let bytes = std::fs::read(ppm).unwrap();
    // P6 header: "P6\n<w> <h>\n255\n".
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    let (w, h): (i64, i64) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[i + 1..].to_vec();
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
        },
        pixels,
    ));
    let content = b"q 595 0 0 842 0 0 cm /Im1 Do Q".to_vec();
    let resources = dictionary! { "XObject" => dictionary! { "Im1" => image } };
    one_page_pdf(doc, pages_id, content, resources)
}

/// Finishes a one-page A4 PDF: the page (its content stream and resources), the
/// page tree `pages_id`, the catalog; its bytes.
fn one_page_pdf(
    mut doc: lopdf::Document,
    pages_id: lopdf::ObjectId,
    content: Vec<u8>,
    resources: lopdf::Dictionary,
) -> Vec<u8> {
    use lopdf::{dictionary, Object, Stream};
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => resources,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A .docx (zip) whose word/document.xml holds `xml`.
fn docx(xml: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(xml).unwrap();
        z.finish().unwrap();
    }
    out.into_inner()
}

#[test]
fn bad_files_fail_cleanly_with_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let huaian = std::fs::read(corpus("huaian-shi-2024.pdf")).unwrap();
    let encrypted = dir.path().join("encrypted.pdf");
    crate::common::tool(
        "qpdf",
        &[
            "--encrypt",
            "user",
            "owner",
            "256",
            "--",
            corpus("huaian-shi-2024.pdf").to_str().unwrap(),
            encrypted.to_str().unwrap(),
        ],
    );
    let body = "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p></w:body></w:document>";
    let bomb = {
        let mut xml = body.as_bytes().to_vec();
        xml.extend(std::iter::repeat_n(b' ', 40 * 1024 * 1024));
        docx(&xml)
    };
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb is small packed: {}",
        bomb.len()
    );
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("empty.pdf", Vec::new(), "unknown-format", "empty"),
        ("fake.pdf", helvetica_pdf(), "not-a-report", "no Chinese"),
        (
            "truncated.pdf",
            huaian[..huaian.len() / 3].to_vec(),
            "damaged",
            "truncated or damaged",
        ),
        (
            "encrypted.pdf",
            std::fs::read(&encrypted).unwrap(),
            "encrypted",
            "encrypted",
        ),
        (
            "scan.pdf",
            scanned_pdf(dir.path()),
            "no-text",
            "no text found: scanned or image-only?",
        ),
        (
            "report.doc",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0],
            "unsupported-format",
            "save it as .docx or .pdf",
        ),
        (
            "report.wps",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0],
            "unsupported-format",
            "WPS",
        ),
        (
            "seal.ofd",
            std::fs::read(corpus("ofd/ofdrw-SESV4SignDoc.ofd")).unwrap(),
            "unsupported-format",
            "OFD",
        ),
        ("bomb.docx", bomb, "zip-bomb", "zip bomb"),
        (
            "notables.docx",
            docx(body.as_bytes()),
            "not-a-report",
            "no report tables",
        ),
        (
            "notables.html",
            "<html><body><p>一、总体情况</p><p>无</p></body></html>"
                .as_bytes()
                .to_vec(),
            "not-a-report",
            "no report tables",
        ),
        (
            "notables.txt",
            "一、总体情况\n本年度无。\n".as_bytes().to_vec(),
            "not-a-report",
            "no report tables",
        ),
        (
            "random.bin",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                .collect(),
            "unknown-format",
            "not a published report",
        ),
    ];
    for (name, bytes, kind, words) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let e = import::import_path(&path).unwrap_err();
        let message = e.to_string();
        assert_eq!(e.kind(), kind, "{name}: {message}");
        assert!(message.contains(words), "{name}: {message}");
        assert!(!message.contains('\n'), "{name}: one paragraph: {message}");
        // The command line: exit 1, the same paragraph, nothing written.
        let out = dir.path().join(format!("{name}.toml"));
        let run = assert_cmd::Command::cargo_bin("nianbao")
            .unwrap()
            .args([
                "import",
                path.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains(words), "{name}: {stderr}");
        assert!(!out.exists(), "{name}: nothing is written");
    }
    // A 100 MB file is refused before it is read.
    let big = dir.path().join("big.pdf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let e = import::import_path(&big).unwrap_err();
    assert_eq!(e.kind(), "too-large", "{e}");
}

// ---------------------------------------------------------------------------
// Auditing published reports with `check`
// ---------------------------------------------------------------------------

fn nianbao(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("nianbao")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn check_audits_a_published_pdf_and_says_where_the_cell_is() {
    let hongze = corpus("huaian-hongze-qu-2023.pdf");
    let out = nianbao(&["check", hongze.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("error[R4]").count(), 2, "{stderr}");
    assert!(stderr.contains("source: page 4"), "{stderr}");
    // For programs: the same findings, each with its origin.
    let out = nianbao(&["check", hongze.to_str().unwrap(), "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["files"][0]["findings"].as_array().unwrap();
    let r4: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "R4").collect();
    assert_eq!(r4.len(), 2);
    for f in r4 {
        assert!(f["origin"].as_str().unwrap().starts_with("page 4,"), "{f}");
    }
    assert_eq!(doc["files"][0]["kind"], "pdf");
    // The 淮安 report passes every error rule.
    let out = nianbao(&["check", corpus("huaian-shi-2024.pdf").to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_audits_a_directory_into_a_summary_table() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    for (path, name) in files() {
        std::fs::copy(&path, reports.join(name)).unwrap();
    }
    let audit = dir.path().join("audit.csv");
    let out = nianbao(&[
        "check",
        reports.to_str().unwrap(),
        "--summary",
        audit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "some reports break rules");
    let text = std::fs::read_to_string(&audit).unwrap();
    let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header[..8],
        ["file", "kind", "agency", "year", "edition", "status", "errors", "warnings"]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7, "one line per report");
    let row = |name: &str| rows.iter().find(|r| r[0].ends_with(name)).unwrap().clone();
    let huaian = row("huaian-shi-2024.pdf");
    assert_eq!(
        (&huaian[2], &huaian[3], &huaian[5], &huaian[6]),
        ("淮安市人民政府", "2024", "ok", "0")
    );
    let hongze = row("huaian-hongze-qu-2023.pdf");
    assert_eq!(
        (&hongze[2], &hongze[3], &hongze[5]),
        ("洪泽区人民政府", "2023", "failed")
    );
    assert!(hongze[8].contains("R4"), "{hongze:?}");
    assert!(
        hongze[9].contains("（六）其他处理"),
        "the first findings: {hongze:?}"
    );
    let pingtan = row("pingtan-2020.html");
    assert_eq!((&pingtan[4], &pingtan[5]), ("2019", "failed"));
    assert!(pingtan[8].contains("R2"), "{pingtan:?}");
    let suqian = row("suqian-shuyang-xian-fgj-2023.html");
    assert_eq!(&suqian[6], "125", "125 blank cells, each an R6 error");
}

#[test]
fn prev_accepts_last_years_published_report() {
    let dir = tempfile::tempdir().unwrap();
    let g = nianbao::batch::generate::report(9, 3, 2..=3);
    let data = dir.path().join("last.toml");
    std::fs::write(&data, &g.toml).unwrap();
    let pdf = dir.path().join("last.pdf");
    let out = nianbao(&[
        "render",
        data.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = |prev: &Path| -> Vec<(String, String)> {
        let out = nianbao(&[
            "check",
            data.to_str().unwrap(),
            "--prev",
            prev.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["key"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let from_data = findings(&data);
    // Checked against itself as last year: R7 and R11 have something to say.
    assert!(from_data.iter().any(|(r, _)| r == "R11"), "{from_data:?}");
    assert_eq!(
        findings(&pdf),
        from_data,
        "last year's published PDF checks like its data"
    );
}

// ---------------------------------------------------------------------------
// Fuzzing the importers: random bytes and mutated real files never panic out
// of the importer nor hang it (like the loader's proptest in robustness.rs).
// ---------------------------------------------------------------------------

/// Imports on a thread that must finish within a generous bound; returns the
/// error kind, if any.
fn import_bounded(name: &str, bytes: Vec<u8>) -> Option<&'static str> {
    let (tx, rx) = std::sync::mpsc::channel();
    let name = name.to_string();
    std::thread::spawn(move || {
        let kind = import::import_bytes(&name, &bytes).err().map(|e| e.kind());
        let _ = tx.send(kind);
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the importer finished (no panic out of it, no hang)")
}

fn real_files() -> &'static Vec<(String, Vec<u8>)> {
    static FILES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        files()
            .into_iter()
            .map(|(p, n)| (n.to_string(), std::fs::read(p).unwrap()))
            .collect()
    })
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const PREFIXES: [&[u8]; 6] = [
        b"",
        b"%PDF-1.7\n",
        b"PK\x03\x04",
        b"<html><body><table><tr><td rowspan=\"3\">",
        "一、本年新收政府信息公开申请数量\t\t".as_bytes(),
        b"\xEF\xBB\xBF",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, max_shrink_iters: 100, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096), p in 0usize..6) {
            let mut input = PREFIXES[p].to_vec();
            input.extend(bytes);
            let kind = import_bounded("fuzz", input);
            prop_assert_ne!(kind, Some("reader-failed"));
        }

        #[test]
        fn mutated_real_files_never_panic(
            file in 0usize..7,
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
            cut in prop::option::of(any::<prop::sample::Index>()),
        ) {
            let (name, bytes) = &real_files()[file];
            let mut b = bytes.clone();
            for (at, byte) in edits {
                let i = at.index(b.len());
                b[i] = byte;
            }
            if let Some(cut) = cut {
                b.truncate(cut.index(b.len()).max(1));
            }
            // A panic inside a parser is caught and reported (reader-failed);
            // nothing escapes and nothing hangs.
            let _ = import_bounded(name, b);
        }
    }
}

// ---------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------

#[test]
fn every_output_format_loads_with_each_missing_value_reported() {
    use nianbao::model::{AppealKind, Format, ProblemKind, RequestRow};
    for (path, name) in files() {
        let imported = import::import_path(&path).unwrap();
        let from_json = imported.load().unwrap();
        let data = &imported.data;
        let has_null = |v: &Value| match v {
            Value::Null => true,
            Value::Array(a) => a.iter().any(Value::is_null),
            Value::Object(m) => m.values().any(Value::is_null),
            _ => false,
        };
        for format in [Format::Json, Format::Yaml, Format::Toml] {
            let text = import::write::to_format(&imported, format);
            let loaded = nianbao::model::load_str(name, &text, format)
                .unwrap_or_else(|e| panic!("{name} as {format}: {e}\n{text}"));
            for p in &loaded.problems {
                let identity =
                    name.starts_with("template") && (p.key == "agency" || p.key == "year");
                assert!(
                    p.kind == ProblemKind::Blank || identity,
                    "{name} as {format}: {p:?}"
                );
            }
            assert_eq!(
                loaded.problems.is_empty(),
                from_json.problems.is_empty(),
                "{name} as {format}: a missing value is missing in every format"
            );
            let (a, b) = (&loaded.report, &from_json.report);
            assert_eq!(
                (&a.title, &a.date, &a.preamble),
                (&b.title, &b.date, &b.preamble),
                "{name} as {format}"
            );
            assert_eq!(sections(a), sections(b), "{name} as {format}");
            for row in RequestRow::rows_of(a.edition()) {
                if !has_null(&data["requests"][row.key()]) {
                    assert_eq!(
                        a.requests.row(row),
                        b.requests.row(row),
                        "{name} as {format}: {row}"
                    );
                }
            }
            for kind in AppealKind::ALL {
                if !has_null(&data["appeals"][kind.key()]) {
                    assert_eq!(
                        a.appeals.group(kind),
                        b.appeals.group(kind),
                        "{name} as {format}: {}",
                        kind.key()
                    );
                }
            }
            for (key, values) in &b.active.rows {
                if !has_null(&data["active"][*key]) {
                    assert_eq!(
                        a.active.rows.get(key),
                        Some(values),
                        "{name} as {format}: active.{key}"
                    );
                }
            }
        }
    }
    // The command line: the extension of -o chooses the format, and the file
    // checks as the published report does (洪泽 2023: R4 twice).
    let dir = tempfile::tempdir().unwrap();
    for ext in ["toml", "json", "yaml"] {
        let out = dir.path().join(format!("hongze.{ext}"));
        let run = nianbao(&[
            "import",
            corpus("huaian-hongze-qu-2023.pdf").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let check = nianbao(&["check", out.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(1));
        assert_eq!(stderr.matches("error[R4]").count(), 2, "{ext}: {stderr}");
    }
    // --explain lists every table value with its place.
    let run = nianbao(&[
        "import",
        corpus("huaian-shi-2024.pdf").to_str().unwrap(),
        "-o",
        dir.path().join("h.json").to_str().unwrap(),
        "--explain",
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.contains("← page ")).count(),
        200,
        "{stdout}"
    );
    assert!(
        stdout.contains("appeals.review[4]") && stdout.contains("351"),
        "{stdout}"
    );
}

/// The prose parts (一、五、六) by key.
fn sections(r: &nianbao::model::Report) -> [(&'static str, &nianbao::model::Section); 3] {
    [
        ("overview", &r.overview),
        ("problems", &r.problems),
        ("other", &r.other),
    ]
}
