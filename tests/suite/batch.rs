//! Batch publishing: parallel, failures stay local, manifest, reproducible
//! bytes, resumable, shards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn generate(dir: &Path, count: usize) {
    nianbao()
        .args(["generate", &count.to_string(), "--seed", "11", "-o"])
        .arg(dir)
        .assert()
        .success();
}

fn manifest(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_batch_renders_in_parallel_and_failures_stay_local() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    generate(&input.join("county"), 6);
    // A report that breaks a rule, one that does not load, and a duplicate agency.
    let text = std::fs::read_to_string(example()).unwrap();
    std::fs::write(
        input.join("bad-rule.toml"),
        text.replace("\nreview = [0, 0, 0, 0]", "\nreview = [1, 0, 0, 0, 5]"),
    )
    .unwrap();
    std::fs::write(input.join("broken.json"), "{ not json").unwrap();
    std::fs::write(input.join("a.toml"), &text).unwrap();
    std::fs::write(input.join("b.toml"), &text).unwrap();
    std::fs::write(input.join("notes.txt"), "ignored").unwrap();
    let out = tmp.path().join("out");
    let assert = nianbao()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--jobs", "2"])
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    // Not a terminal: a plain line per finished report, and a summary.
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("rendered "))
            .count(),
        8,
        "{stderr}"
    );
    assert!(
        stderr.contains("8 rendered, 2 failed, 0 skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[R4]"),
        "the first findings of a failed report are shown: {stderr}"
    );
    assert!(stderr.contains("broken.json"), "{stderr}");

    let m = manifest(&out.join("manifest.json"));
    let entries = m["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 10);
    for e in entries {
        for key in [
            "agency",
            "year",
            "input",
            "input_sha256",
            "output",
            "output_sha256",
            "pages",
            "bytes",
            "status",
            "findings",
            "nianbao_version",
        ] {
            assert!(e.get(key).is_some(), "manifest entry has {key}");
        }
        assert_eq!(e["nianbao_version"], env!("CARGO_PKG_VERSION"));
        if e["status"] == "rendered" {
            let pdf = out.join(e["output"].as_str().unwrap());
            let bytes = std::fs::read(&pdf).unwrap();
            assert_eq!(e["bytes"], bytes.len());
            let sha = sha256(&bytes);
            assert_eq!(e["output_sha256"], sha);
            assert_eq!(
                e["input_sha256"],
                sha256(&std::fs::read(e["input"].as_str().unwrap()).unwrap())
            );
        } else {
            assert_eq!(e["status"], "failed");
            assert!(e["output_sha256"].is_null());
        }
    }
    // Failed reports leave no PDF; names come from agency and year, unique.
    assert_eq!(pdfs(&out).len(), 8);
    assert!(out
        .join("卞路口乡人民政府2023年政府信息公开工作年度报告.pdf")
        .exists());
    assert!(out
        .join("卞路口乡人民政府2023年政府信息公开工作年度报告-2.pdf")
        .exists());
    // The CSV has a header and a row per report.
    let csv = std::fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert!(csv.trim_start_matches('\u{feff}').starts_with("agency,year,input,input_sha256,output,output_sha256,pages,bytes,status,findings,nianbao_version"));
    let rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
    assert_eq!(rows, 10);
    // No temporary files left.
    assert!(std::fs::read_dir(&out).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn quiet_prints_only_failures_and_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    generate(&tmp.path().join("in"), 3);
    std::fs::write(tmp.path().join("in/zz.toml"), "agency = 1").unwrap();
    let assert = nianbao()
        .arg("batch")
        .arg(tmp.path().join("in"))
        .arg("-o")
        .arg(tmp.path().join("out"))
        .arg("--quiet")
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains("rendered "), "{stderr}");
    assert!(
        stderr.contains("FAILED") && stderr.contains("zz.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("3 rendered, 1 failed"), "{stderr}");
}

#[test]
fn the_same_data_gives_the_same_bytes_in_separate_processes_and_in_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.pdf");
    let b = tmp.path().join("b.pdf");
    nianbao()
        .arg("render")
        .arg(example())
        .arg("-o")
        .arg(&a)
        .assert()
        .success();
    nianbao()
        .arg("render")
        .arg(example())
        .arg("-o")
        .arg(&b)
        .assert()
        .success();
    let out = tmp.path().join("out");
    nianbao()
        .arg("batch")
        .arg(example())
        .arg("-o")
        .arg(&out)
        .args(["--jobs", "2", "--quiet"])
        .assert()
        .success();
    let c = out.join("卞路口乡人民政府2023年政府信息公开工作年度报告.pdf");
    let (a, b, c) = (
        std::fs::read(a).unwrap(),
        std::fs::read(b).unwrap(),
        std::fs::read(c).unwrap(),
    );
    assert!(a == b, "two processes give the same bytes");
    assert!(a == c, "a batch gives the same bytes");
    // The creation date is the end of the report year (no date in the data), not the clock.
    assert!(String::from_utf8_lossy(&a).contains("D:20231231"));
}

#[test]
fn identifiers_differ_between_agencies() {
    let mut r = load(&example()).report;
    let one = nianbao::export::document_ident(&r);
    r.agency = "另一个乡人民政府".into();
    assert_ne!(one, nianbao::export::document_ident(&r));
}

#[test]
fn skip_unchanged_redoes_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    generate(&input, 4);
    let out = tmp.path().join("out");
    let run = |extra: &[&str]| {
        let a = nianbao()
            .arg("batch")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(extra)
            .assert()
            .success();
        String::from_utf8(a.get_output().stderr.clone()).unwrap()
    };
    assert!(run(&[]).contains("4 rendered, 0 failed, 0 skipped"));
    assert!(run(&["--skip-unchanged"]).contains("0 rendered, 0 failed, 4 skipped"));
    // Edit one input, delete another's output: those two are redone.
    let first = input.join("report-00000.toml");
    let text = std::fs::read_to_string(&first)
        .unwrap()
        .replace("无其他需要报告的事项。", "无其他需要报告的事项（已更新）。");
    std::fs::write(&first, text).unwrap();
    let m = manifest(&out.join("manifest.json"));
    let second = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["input"].as_str().unwrap().ends_with("report-00001.toml"))
        .unwrap();
    std::fs::remove_file(out.join(second["output"].as_str().unwrap())).unwrap();
    let stderr = run(&["--skip-unchanged"]);
    assert!(
        stderr.contains("2 rendered, 0 failed, 2 skipped"),
        "{stderr}"
    );
    // Without the flag everything is rendered again.
    assert!(run(&[]).contains("4 rendered"));
}

#[test]
fn shards_split_the_work_and_merge_back() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    generate(&input, 9);
    let whole = tmp.path().join("whole");
    nianbao()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&whole)
        .arg("--quiet")
        .assert()
        .success();
    let out = tmp.path().join("sharded");
    for k in 1..=3 {
        nianbao()
            .arg("batch")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--quiet", "--shard", &format!("{k}/3")])
            .assert()
            .success();
        assert!(out.join(format!("manifest-{k}-of-3.json")).exists());
    }
    let mut counts = Vec::new();
    for k in 1..=3 {
        counts.push(
            manifest(&out.join(format!("manifest-{k}-of-3.json")))["entries"]
                .as_array()
                .unwrap()
                .len(),
        );
    }
    assert_eq!(counts.iter().sum::<usize>(), 9, "{counts:?}");
    let merged = out.join("manifest.json");
    nianbao()
        .args(["manifest", "merge"])
        .arg(out.join("manifest-1-of-3.json"))
        .arg(out.join("manifest-2-of-3.json"))
        .arg(out.join("manifest-3-of-3.json"))
        .arg("-o")
        .arg(&merged)
        .assert()
        .success();
    assert!(out.join("manifest.csv").exists());
    let by_output = |m: &serde_json::Value| -> BTreeMap<String, String> {
        m["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["output"].as_str().unwrap().to_string(),
                    e["output_sha256"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        by_output(&manifest(&merged)),
        by_output(&manifest(&whole.join("manifest.json")))
    );
    // Bad shard specs are usage errors.
    nianbao()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--shard", "4/3"])
        .assert()
        .code(2);
}

#[test]
fn missing_input_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    nianbao()
        .arg("batch")
        .arg(tmp.path().join("nope"))
        .arg("-o")
        .arg(tmp.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file or directory"));
}
