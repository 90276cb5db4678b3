//! Importing published reports: every real file of the corpus against the
//! expected data read from it by hand (tests/fixtures/corpus/expected), the
//! round trip render → import over generated reports, the audit (`check`) of
//! published files, and bad files refused cleanly.

use std::path::{Path, PathBuf};

use serde_json::Value;

use nianbao::check::{check, Rule};
use nianbao::import::{self, ImportError};

use crate::common::{fixture, root};

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

#[test]
fn bad_files_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.pdf", Vec::new(), "unknown-format"),
        (
            "report.doc",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
            "unsupported-format",
        ),
    ];
    for (name, bytes, kind) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let e = import::import_path(&p).unwrap_err();
        assert_eq!(e.kind(), kind, "{name}: {e}");
    }
    let _ = (root(), Path::new("."), std::any::type_name::<ImportError>());
}
