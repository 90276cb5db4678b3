//! The rules of the format (R1–R13): every rule with a failing and a passing
//! case, the JSON output, render refusing bad data, init → check → render,
//! and prose references.

use crate::common::*;
use assert_cmd::Command;
use nianbao::check::{check, Finding, Rule, Severity};
use nianbao::model::{load_str, Format};
use predicates::prelude::*;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn example_text() -> String {
    std::fs::read_to_string(example()).unwrap()
}

/// The example with some lines replaced (each `from` must occur once, at a line start).
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = example_text();
    for (from, to) in edits {
        let needle = format!("\n{from}");
        assert_eq!(text.matches(&needle).count(), 1, "{from} occurs once");
        text = text.replacen(&needle, &format!("\n{to}"), 1);
    }
    text
}

fn rules_of(text: &str, prev: Option<&str>) -> Vec<(Rule, Severity)> {
    let loaded = load_str("r.toml", text, Format::Toml).unwrap_or_else(|e| panic!("{e}"));
    let prev = prev.map(|p| load_str("prev.toml", p, Format::Toml).unwrap());
    check(&loaded, prev.as_ref())
        .iter()
        .map(|f| (f.rule, f.severity))
        .collect()
}

/// A consistent report with non-zero numbers everywhere it matters.
fn balanced() -> String {
    edited(&[
        ("new = [0, 0, 0, 0, 0, 0]", "new = [5, 2, 0, 0, 1, 0]"),
        (
            "carried_over = [0, 0, 0, 0, 0, 0]",
            "carried_over = [1, 0, 0, 0, 0, 0]",
        ),
        (
            "granted = [0, 0, 0, 0, 0, 0]",
            "granted = [3, 1, 0, 0, 1, 0]",
        ),
        (
            "unable_not_held = [0, 0, 0, 0, 0, 0]",
            "unable_not_held = [2, 0, 0, 0, 0, 0]",
        ),
        (
            "carried_forward = [0, 0, 0, 0, 0, 0]",
            "carried_forward = [1, 1, 0, 0, 0, 0]",
        ),
        ("review = [0, 0, 0, 0]", "review = [1, 0, 0, 1]"),
    ])
}

#[test]
fn the_example_and_a_balanced_report_pass_every_rule() {
    assert_eq!(rules_of(&example_text(), None), []);
    assert_eq!(rules_of(&balanced(), None), []);
}

#[test]
fn r1_new_plus_carried_equals_handled_plus_forward() {
    let text = balanced().replace(
        "carried_forward = [1, 1, 0, 0, 0, 0]",
        "carried_forward = [1, 0, 0, 0, 0, 0]",
    );
    let loaded = load_str("r.toml", &text, Format::Toml).unwrap();
    let findings = check(&loaded, None);
    let r1: Vec<_> = findings.iter().filter(|f| f.rule == Rule::R1).collect();
    // Column 商业企业 and the 总计 column are off by one.
    assert_eq!(r1.len(), 2, "{findings:#?}");
    assert_eq!(r1[0].column.as_deref(), Some("法人或其他组织 · 商业企业"));
    assert_eq!(r1[0].expected.as_deref(), Some("一 + 二 = 2 + 0 = 2"));
    assert_eq!(r1[0].found.as_deref(), Some("（七）总计 + 四 = 1 + 0 = 1"));
    assert_eq!(r1[0].key, "requests.carried_forward[1]");
    assert!(r1[0].line.is_some() && r1[0].column_number.is_some());
    assert_eq!(r1[1].column.as_deref(), Some("总计"));
}

#[test]
fn r2_given_total_row_is_checked() {
    let ok = balanced().replace(
        "\ncarried_forward = ",
        "\ntotal = [5, 1, 0, 0, 1, 0, 7]\ncarried_forward = ",
    );
    assert_eq!(rules_of(&ok, None), []);
    let bad = balanced().replace(
        "\ncarried_forward = ",
        "\ntotal = [5, 1, 0, 0, 1, 0, 8]\ncarried_forward = ",
    );
    assert_eq!(rules_of(&bad, None), [(Rule::R2, Severity::Error)]);
}

#[test]
fn r3_given_row_total_is_checked() {
    let ok = balanced().replace("new = [5, 2, 0, 0, 1, 0]", "new = [5, 2, 0, 0, 1, 0, 8]");
    assert_eq!(rules_of(&ok, None), []);
    let bad = balanced().replace("new = [5, 2, 0, 0, 1, 0]", "new = [5, 2, 0, 0, 1, 0, 9]");
    assert_eq!(rules_of(&bad, None), [(Rule::R3, Severity::Error)]);
}

#[test]
fn r4_table_4_totals_are_checked() {
    let ok = balanced().replace("review = [1, 0, 0, 1]", "review = [1, 0, 0, 1, 2]");
    assert_eq!(rules_of(&ok, None), []);
    // Seen in a published report: 总计 = 0 while the parts sum to 11.
    let bad = balanced().replace(
        "litigation_direct = [0, 0, 0, 0]",
        "litigation_direct = [5, 3, 2, 1, 0]",
    );
    let loaded = load_str("r.toml", &bad, Format::Toml).unwrap();
    let findings = check(&loaded, None);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule, Rule::R4);
    assert_eq!(findings[0].expected.as_deref(), Some("5 + 3 + 2 + 1 = 11"));
    assert_eq!(findings[0].found.as_deref(), Some("0"));
    assert_eq!(
        findings[0].row.as_deref(),
        Some("行政诉讼 · 未经复议直接起诉")
    );
}

#[test]
fn r5_r6_bad_counts_and_blanks_are_findings_of_check() {
    for (edit, rule) in [
        ("licensing = -1", "R5"),
        ("licensing = 1.5", "R5"),
        ("licensing = 2000000000", "R5"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.toml");
        std::fs::write(
            &file,
            example_text().replace("\nlicensing = 0", &format!("\n{edit}")),
        )
        .unwrap();
        nianbao()
            .arg("check")
            .arg(&file)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("[{rule}]")))
            .stderr(predicate::str::contains("active.licensing"));
    }
    // A blank cell (JSON null) and a missing row: R6.
    let mut value = serde_json::to_value(&load(&example()).report).unwrap();
    value["requests"]["granted"][2] = serde_json::Value::Null;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    std::fs::write(&file, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    nianbao()
        .arg("check")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[R6]"));
    let file = dir.path().join("m.toml");
    std::fs::write(
        &file,
        example_text().replace("\nrejected_repeated = [0, 0, 0, 0, 0, 0]", ""),
    )
    .unwrap();
    nianbao()
        .arg("check")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[R6]"))
        .stderr(predicate::str::contains("rejected_repeated"));
}

#[test]
fn r7_r8_r11_compare_with_last_year() {
    let prev = balanced().replace("year = 2023", "year = 2022");
    // This year's 二、上年结转 must equal last year's 四 ([1, 1, 0, 0, 0, 0]).
    let now = balanced()
        .replace(
            "carried_over = [1, 0, 0, 0, 0, 0]",
            "carried_over = [1, 1, 0, 0, 0, 0]",
        )
        .replace("new = [5, 2, 0, 0, 1, 0]", "new = [5, 1, 0, 0, 1, 0]");
    let rules = rules_of(&now, Some(&prev));
    assert!(!rules.iter().any(|(r, _)| *r == Rule::R7), "{rules:?}");
    // The prose is the same as last year's: R11.
    assert!(rules.contains(&(Rule::R11, Severity::Warning)), "{rules:?}");
    let rules = rules_of(&balanced(), Some(&prev));
    assert!(rules.contains(&(Rule::R7, Severity::Error)), "{rules:?}");
    // New prose this year: no R11.
    let rewritten = {
        let mut r = load_str("r.toml", &now, Format::Toml).unwrap().report;
        for s in [&mut r.overview, &mut r.problems, &mut r.other] {
            for p in s.paragraphs.iter_mut() {
                *p =
                    "本年度重新编写的段落，内容与上一年度完全不同，包括新的工作安排与成效。".into();
            }
            for item in s.items.iter_mut() {
                item.paragraphs = vec!["本项工作在本年度有新的进展，详见各专项报告。".into()];
            }
        }
        toml::to_string(&r).unwrap()
    };
    let rules = rules_of(&rewritten, Some(&prev));
    assert!(!rules.iter().any(|(r, _)| *r == Rule::R11), "{rules:?}");
    // The same through the command line.
    let dir = tempfile::tempdir().unwrap();
    let (p, n) = (dir.path().join("2022.toml"), dir.path().join("2023.toml"));
    std::fs::write(&p, &prev).unwrap();
    std::fs::write(&n, balanced()).unwrap();
    nianbao()
        .arg("check")
        .arg(&n)
        .arg("--prev")
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[R7]"))
        .stderr(predicate::str::contains("[R11]"));
    // R8: in force = last year's in force + issued − repealed.
    let prev8 = prev.replace(
        "rules = { issued = 0, repealed = 0, in_force = 0 }",
        "rules = { issued = 0, repealed = 0, in_force = 5 }",
    );
    let now8 = now.replace(
        "rules = { issued = 0, repealed = 0, in_force = 0 }",
        "rules = { issued = 2, repealed = 1, in_force = 6 }",
    );
    assert!(!rules_of(&now8, Some(&prev8))
        .iter()
        .any(|(r, _)| *r == Rule::R8));
    let now8 = now8.replace("in_force = 6 }", "in_force = 7 }");
    assert!(rules_of(&now8, Some(&prev8)).contains(&(Rule::R8, Severity::Warning)));
}

#[test]
fn r9_prose_numbers_must_match_the_tables() {
    let bad = balanced().replace("如有疑问", "本年度共收到政府信息公开申请17件。如有疑问");
    let loaded = load_str("r.toml", &bad, Format::Toml).unwrap();
    let findings = check(&loaded, None);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].rule, Rule::R9);
    assert_eq!(findings[0].found.as_deref(), Some("17"));
    assert!(findings[0].expected.as_deref().unwrap().starts_with('8'));
    assert_eq!(findings[0].key, "overview.paragraphs[0]");
    let good = balanced().replace("如有疑问", "本年度共收到政府信息公开申请8件。如有疑问");
    assert_eq!(rules_of(&good, None), []);
    // Better: a reference, always right.
    let reference = balanced().replace("如有疑问", "本年度共收到政府信息公开申请${requests.new.total}件，行政复议${appeals.review.total}件。如有疑问");
    assert_eq!(rules_of(&reference, None), []);
    let loaded = load_str("r.toml", &reference, Format::Toml).unwrap();
    let (_dir, pdf) = render_to_file(&loaded, &Default::default());
    assert!(strip_ws(&pdf_text(&pdf)).contains("本年度共收到政府信息公开申请8件，行政复议2件。"));
}

#[test]
fn unknown_references_are_errors_naming_them() {
    let bad = balanced().replace("如有疑问", "共收到申请${requests.new.totl}件。如有疑问");
    let loaded = load_str("r.toml", &bad, Format::Toml).unwrap();
    let findings = check(&loaded, None);
    assert_eq!(findings[0].rule, Rule::Reference);
    assert!(findings[0].message.contains("requests.new.totl"));
    assert!(
        findings[0].message.contains("是不是 ${requests.new.total}"),
        "{}",
        findings[0].message
    );
    let err = publisher()
        .render(&loaded, &Default::default())
        .unwrap_err();
    assert!(err.to_string().contains("requests.new.totl"), "{err}");
}

#[test]
fn r10_fee_precision() {
    assert_eq!(
        rules_of(
            &example_text().replace("\nfees = 0", "\nfees = 7730.28"),
            None
        ),
        []
    );
    assert_eq!(
        rules_of(
            &example_text().replace("\nfees = 0", "\nfees = \"1.123456\""),
            None
        ),
        [(Rule::R10, Severity::Warning)]
    );
}

#[test]
fn r12_one_edition_per_report() {
    let mixed = example_text().replace(
        "\ncarried_forward",
        "\nother = [0, 0, 0, 0, 0, 0]\ncarried_forward",
    );
    assert_eq!(rules_of(&mixed, None), [(Rule::R12, Severity::Error)]);
    let old_year = example_text().replace("year = 2023", "year = 2020");
    assert_eq!(rules_of(&old_year, None), [(Rule::R12, Severity::Error)]);
    // A 2022 report in the 2019 layout.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.toml");
    std::fs::write(
        &file,
        example_text().replace("edition = \"2021\"", "edition = \"2019\""),
    )
    .unwrap();
    nianbao()
        .arg("check")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[R12]"));
}

#[test]
fn r13_superseded_notice() {
    let bad = example_text().replace("的要求编制", "和国办公开办函〔2019〕60号的要求编制");
    assert_eq!(rules_of(&bad, None), [(Rule::R13, Severity::Warning)]);
}

#[test]
fn check_json_output_has_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        balanced().replace("review = [1, 0, 0, 1]", "review = [1, 0, 0, 1, 5]"),
    )
    .unwrap();
    let out = nianbao()
        .arg("check")
        .arg(example())
        .arg(&bad)
        .args(["--format", "json"])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["status"], "failed");
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["files"][0]["status"], "ok");
    let f = &v["files"][1]["findings"][0];
    assert_eq!(f["rule"], "R4");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["table"], "表四 政府信息公开行政复议、行政诉讼情况");
    assert_eq!(f["row"], "行政复议");
    assert_eq!(f["column"], "总计");
    assert_eq!(f["key"], "appeals.review[4]");
    assert_eq!(f["expected"], "1 + 0 + 0 + 1 = 2");
    assert_eq!(f["found"], "5");
    assert!(f["line"].as_u64().unwrap() > 0 && f["column_number"].as_u64().unwrap() > 0);
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.toml");
    std::fs::write(
        &file,
        example_text().replace("\nfees = 0", "\nfees = \"1.123456\""),
    )
    .unwrap();
    nianbao()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("[R10]"));
    nianbao()
        .arg("check")
        .arg(&file)
        .arg("--deny-warnings")
        .assert()
        .code(1);
}

#[test]
fn render_refuses_rule_breaking_data_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.toml");
    std::fs::write(
        &file,
        balanced().replace("review = [1, 0, 0, 1]", "review = [1, 0, 0, 1, 5]"),
    )
    .unwrap();
    let out = dir.path().join("r.pdf");
    nianbao()
        .arg("render")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[R4]"))
        .stderr(predicate::str::contains("--force"));
    assert!(!out.exists());
    nianbao()
        .arg("render")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .arg("--force")
        .assert()
        .success()
        .stderr(predicate::str::contains("despite 1 error (--force)"));
    assert!(out.exists());
}

#[test]
fn init_check_render_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2024.toml");
    nianbao()
        .args([
            "init",
            "--agency",
            "某某县人民政府办公室",
            "--year",
            "2024",
            "-o",
        ])
        .arg(&file)
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    // Every row and key with its official label.
    for label in [
        "# 一、本年新收政府信息公开申请数量",
        "# （六）其他处理 3.其他",
        "# 行政复议",
        "# 规章",
    ] {
        assert!(text.contains(label), "{label}");
    }
    nianbao()
        .arg("check")
        .arg(&file)
        .arg("--deny-warnings")
        .assert()
        .success();
    nianbao().arg("render").arg(&file).assert().success();
    let pdf = dir.path().join("2024.pdf");
    assert!(
        strip_ws(&pdf_text(&pdf)).contains("某某县人民政府办公室2024年政府信息公开工作年度报告")
    );
    // init does not overwrite without --force.
    nianbao().args(["init", "-o"]).arg(&file).assert().code(2);
}

/// Issue 11: every bad value is its own finding, a missing table is R6 with its
/// caption, and findings of one cause are linked.
mod every_finding {
    use super::*;

    #[test]
    fn five_bad_cells_give_five_findings_naming_their_cells() {
        let text = edited(&[
            (
                "granted = [0, 0, 0, 0, 0, 0]",
                "granted = [-1, 0.5, \"2\", 0, 0, 0]",
            ),
            ("review = [0, 0, 0, 0]", "review = [0, -3, 0, 0]"),
            ("licensing = 0", "licensing = \"许多\""),
        ]);
        let loaded = load_str("bad.toml", &text, Format::Toml).unwrap();
        let findings = check(&loaded, None);
        let keys: Vec<(&str, Rule)> = findings.iter().map(|f| (f.key.as_str(), f.rule)).collect();
        assert_eq!(
            keys,
            [
                ("active.licensing", Rule::R5),
                ("requests.granted[0]", Rule::R5),
                ("requests.granted[1]", Rule::R5),
                ("requests.granted[2]", Rule::R5),
                ("appeals.review[1]", Rule::R5),
            ],
            "{findings:#?}"
        );
        // Each names its table, row and column by the official labels, and points
        // at its value in the file.
        let f = &findings[2];
        assert_eq!(
            f.table.as_deref(),
            Some("表三 收到和处理政府信息公开申请情况")
        );
        assert_eq!(f.row.as_deref(), Some("（一）予以公开"));
        assert_eq!(f.column.as_deref(), Some("法人或其他组织 · 商业企业"));
        assert_eq!(&text[f.span.clone().unwrap()], "0.5");
        // No rule judges a row it cannot know: Table 4's review group and the
        // 予以公开 row are skipped by R1 and R4 (no cascade).
        assert!(findings.iter().all(|f| f.rule == Rule::R5));
    }

    #[test]
    fn a_missing_table_or_part_is_r6_with_its_caption() {
        for (header, key, caption) in [
            ("[active]", "active", "表二 主动公开政府信息情况"),
            (
                "[requests]",
                "requests",
                "表三 收到和处理政府信息公开申请情况",
            ),
            (
                "[appeals]",
                "appeals",
                "表四 政府信息公开行政复议、行政诉讼情况",
            ),
        ] {
            let example = std::fs::read_to_string(example()).unwrap();
            let start = example.find(header).unwrap();
            let end = example[start + 1..]
                .find("\n[")
                .map_or(example.len(), |e| start + 1 + e + 1);
            let text = format!("{}{}", &example[..start], &example[end..]);
            let loaded = load_str("t.toml", &text, Format::Toml).unwrap();
            let findings = check(&loaded, None);
            assert_eq!(findings.len(), 1, "{findings:#?}");
            assert_eq!(findings[0].rule, Rule::R6);
            assert_eq!(findings[0].key, key);
            assert_eq!(findings[0].table.as_deref(), Some(caption));
            assert!(findings[0].message.contains(caption));
        }
        // And on the command line, in the JSON for programs.
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("no-table-4.toml");
        let example = std::fs::read_to_string(example()).unwrap();
        let start = example.find("[appeals]").unwrap();
        std::fs::write(&data, &example[..start]).unwrap();
        let out = Command::cargo_bin("nianbao")
            .unwrap()
            .args(["check", "--format", "json"])
            .arg(&data)
            .assert()
            .code(1);
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let findings = v["files"][0]["findings"].as_array().unwrap();
        let f = findings.iter().find(|f| f["key"] == "appeals").unwrap();
        assert_eq!(f["rule"], "R6");
        assert_eq!(f["key"], "appeals");
        assert_eq!(f["table"], "表四 政府信息公开行政复议、行政诉讼情况");
    }

    /// 平潭 2020 as published: its （七）总计 row prints 20 and 21 where the rows
    /// add up to 26 and 27 (expected data read from the page by hand). R2 leads
    /// with the cause; R1 in the same columns follows from it and says so.
    #[test]
    fn a_wrong_printed_total_leads_and_its_consequences_link_to_it() {
        let text =
            std::fs::read_to_string(fixture("corpus/expected/pingtan-2020.html.json")).unwrap();
        let loaded = load_str("pingtan-2020.json", &text, Format::Json).unwrap();
        let findings = check(&loaded, None);
        let r2: Vec<&Finding> = findings.iter().filter(|f| f.rule == Rule::R2).collect();
        assert_eq!(r2.len(), 2, "{findings:#?}");
        assert_eq!(r2[0].column.as_deref(), Some("自然人"));
        assert_eq!(
            (r2[0].found.as_deref(), r2[0].expected.as_deref()),
            (Some("20"), Some("26"))
        );
        assert_eq!(
            (r2[1].found.as_deref(), r2[1].expected.as_deref()),
            (Some("21"), Some("27"))
        );
        for cause in &r2 {
            let consequence = findings
                .iter()
                .find(|f| f.rule == Rule::R1 && f.column == cause.column)
                .unwrap();
            assert_eq!(consequence.caused_by, Some(cause.id));
            assert_eq!(consequence.id, cause.id + 1, "right after its cause");
            assert!(
                consequence.message.contains("某一行的数字有误"),
                "{}",
                consequence.message
            );
        }
    }
}
