//! The 2019 edition of the format (国办公开办函〔2019〕60号), end to end: a real
//! 2019-format report — 平潭综合实验区 2020, its data read by hand from the
//! published page, published errors and all — renders with every label and
//! every number in place; the skeleton; the edition rules.

use assert_cmd::Command;
use nianbao::check::{check, Rule};
use nianbao::model::labels::{self, RequestRow};
use nianbao::model::{load_str, Edition, Format};
use nianbao::RenderOptions;
use serde_json::Value;

use crate::common::*;

fn pingtan() -> (String, Value) {
    let text = std::fs::read_to_string(fixture("corpus/expected/pingtan-2020.html.json")).unwrap();
    let value = serde_json::from_str(&text).unwrap();
    (text, value)
}

/// A number as the table prints it (amounts as written; negatives with "-").
fn printed(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

#[test]
fn a_2019_report_renders_every_label_and_number() {
    let (text, data) = pingtan();
    let loaded = load_str("pingtan-2020.json", &text, Format::Json).unwrap();
    assert_eq!(loaded.report.edition(), Edition::E2019);
    // Published errors and all: its （七）总计 row is wrong (R2), as printed.
    let findings = check(&loaded, None);
    assert!(findings.iter().any(|f| f.rule == Rule::R2), "{findings:#?}");
    let (_dir, pdf) = render_to_file(&loaded, &RenderOptions::default());
    let text = strip_ws(&pdf_text(&pdf));

    // Table 2: every caption, header and row label of the 2019 edition, each row's
    // label followed by its values, in printed order.
    let mut expected = Vec::new();
    for block in labels::ACTIVE_2019 {
        expected.push(block.caption.to_string());
        expected.push(labels::ACTIVE_CONTENT_HEADER.to_string());
        expected.extend(block.columns.iter().map(|c| c.label.to_string()));
        for row in block.rows {
            let values = &data["active"][row.key];
            let cells: String = block
                .columns
                .iter()
                .map(|c| printed(&values[c.key]))
                .collect();
            expected.push(format!("{}{cells}", row.label));
        }
    }
    assert_in_order(&text, &expected);
    for negative in ["-18", "-15"] {
        assert!(text.contains(negative), "{negative}");
    }
    assert!(text.contains("政府集中采购39573802895.90"));

    // Table 3: every row of the 2019 edition with its six numbers and the
    // computed 总计, （六）其他处理 as one row, （七）总计 as nianbao computes it.
    let mut rows = Vec::new();
    for row in RequestRow::rows_of(Edition::E2019) {
        let values = data["requests"][row.key()].as_array().unwrap();
        let six: Vec<u64> = values[..6].iter().map(|v| v.as_u64().unwrap()).collect();
        let numbers: String = six
            .iter()
            .chain([&six.iter().sum::<u64>()])
            .map(u64::to_string)
            .collect();
        rows.push(format!("{}{numbers}", row.label()));
    }
    assert_in_order(&text, &rows);
    assert!(!text.contains("3.其他"), "no 2021 row in a 2019 table");
    let total = loaded.report.requests.computed_total(Edition::E2019);
    assert_eq!(
        total[0], 26,
        "the rows add up to 26 自然人 (the page prints 20)"
    );
    assert!(text.contains(&format!(
        "（七）总计{}",
        total.iter().map(u64::to_string).collect::<String>()
    )));

    // Table 4, and the prose (the 2019 notice is right in a 2019 report: no R13).
    assert!(text.contains("000000000000000"));
    assert!(!findings.iter().any(|f| f.rule == Rule::R13));
    assert!(text.contains("国办公开办函〔2019〕60号"));
}

#[test]
fn init_writes_a_2019_skeleton_for_2019_and_2020() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("2020.toml");
    Command::cargo_bin("nianbao")
        .unwrap()
        .args([
            "init",
            "--year",
            "2020",
            "--agency",
            "某某县人民政府办公室",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let loaded = load(&out);
    assert_eq!(loaded.report.edition(), Edition::E2019);
    assert_eq!(check(&loaded, None), []);
    let (_dir, pdf) = render_to_file(&loaded, &RenderOptions::default());
    let text = strip_ws(&pdf_text(&pdf));
    for label in [
        "其他对外管理服务事项",
        "本年增/减",
        "政府集中采购",
        "（六）其他处理",
    ] {
        assert!(text.contains(label), "{label}");
    }
    // The edition follows the year unless it is named; naming the wrong one is refused.
    Command::cargo_bin("nianbao")
        .unwrap()
        .args(["init", "--year", "2022", "--edition", "2019"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("R12"));
}

#[test]
fn the_edition_must_fit_the_year() {
    // A 2022 report written in the 2019 edition (as 3 real reports were): R12.
    let (text, _) = pingtan();
    let text = text.replace("\"year\": 2020", "\"year\": 2022");
    let loaded = load_str("late.json", &text, Format::Json).unwrap();
    let findings = check(&loaded, None);
    let r12: Vec<_> = findings.iter().filter(|f| f.rule == Rule::R12).collect();
    assert_eq!(r12.len(), 1, "{findings:#?}");
    assert!(r12[0].message.contains("2022年度的报告应使用2021年版格式"));
}
