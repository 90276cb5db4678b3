//! R9 (numbers quoted in the prose equal the tables) through the public API and
//! the command line: the published reports of the corpus raise exactly the
//! disagreement a reader sees (docs/research/r9-phrases.md §5.1), and the
//! hints R9 gives (一 + 二, a wrongly printed total, a wider scope, blank cells).
//! Every phrasing's own passing/failing/negative cases are unit tests next to the
//! inventory (src/check/rules/r9/tests.rs).

use assert_cmd::Command;
use nianbao::check::{check, Finding, Rule, Severity};
use nianbao::model::{load_str, Format, Loaded};
use predicates::prelude::*;
use serde_json::{json, Value};

use crate::common::*;

/// The corpus reports, read by hand into data (tests/fixtures/corpus/expected).
const CORPUS: [&str; 7] = [
    "huaian-shi-2024.pdf",
    "huaian-hongze-qu-2023.pdf",
    "suqian-shuyang-xian-fgj-2023.html",
    "pingtan-2020.html",
    "pingtan-2022.html",
    "bianlukou-2023.txt",
    "template-2021-blank-wps.docx",
];

fn corpus_text(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("corpus/expected/{name}.json"))).unwrap()
}

fn corpus(name: &str) -> Value {
    serde_json::from_str(&corpus_text(name)).unwrap()
}

fn load(name: &str, value: &Value) -> Loaded {
    load_str(name, &value.to_string(), Format::Json).unwrap_or_else(|e| panic!("{e}"))
}

fn r9(loaded: &Loaded) -> Vec<Finding> {
    check(loaded, None)
        .into_iter()
        .filter(|f| f.rule == Rule::R9)
        .collect()
}

/// The data with one more paragraph at the end of 一、总体情况.
fn with_paragraph(mut data: Value, text: &str) -> Value {
    data["overview"]["paragraphs"]
        .as_array_mut()
        .unwrap()
        .push(json!(text));
    data
}

fn constructed() -> Value {
    let text = std::fs::read_to_string(fixture("r9/constructed.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

#[test]
fn the_corpus_raises_only_pingtan_2022s_75_with_its_explanation() {
    for name in CORPUS {
        // Loaded as published (blank cells and printed totals included: R6
        // for the blanks, and R9 skips what it cannot know).
        let loaded = load_str(name, &corpus_text(name), Format::Json).unwrap();
        let findings = r9(&loaded);
        if name != "pingtan-2022.html" {
            assert_eq!(findings, [], "{name}");
            continue;
        }
        // "2022年，全区收到政府信息公开申请75件，涉及自然人72件、商业企业3件" while
        // 一、本年新收 prints 74 (71 + 3) and 二、上年结转 1: the 75 is 一 + 二.
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.key, "overview.items[1].paragraphs[0]");
        assert_eq!(
            f.table.as_deref(),
            Some("表三 收到和处理政府信息公开申请情况")
        );
        assert_eq!(f.row.as_deref(), Some("一、本年新收政府信息公开申请数量"));
        assert_eq!(f.column.as_deref(), Some("总计"));
        assert_eq!(f.found.as_deref(), Some("75"));
        assert_eq!(f.expected.as_deref(), Some("74（${requests.new.total}）"));
        for words in [
            "收到政府信息公开申请75件",
            "本年新收 74 加上年结转 1",
            "含上年结转",
            "${requests.new.total}",
            "R9 说法 Q1",
        ] {
            assert!(f.message.contains(words), "{words}: {}", f.message);
        }
        // The line of the paragraph in the JSON file.
        let line = corpus_text(name)
            .lines()
            .position(|l| l.contains("全区收到政府信息公开申请75件"))
            .unwrap()
            + 1;
        assert_eq!(f.line, Some(line));
    }
}

#[test]
fn the_corpus_sentences_against_tables_they_contradict_are_found() {
    // Every kind of number the research reads in the corpus is compared, not
    // only the 75: the published sentences, with one table value changed.
    type Edit = fn(&mut Value);
    let cases: [(&str, &str, Edit, &str, &str); 5] = [
        // (report, paragraph, change to the tables, the value's reference, found)
        (
            "huaian-shi-2024.pdf",
            "overview.items[1].paragraphs[0]",
            |d| d["requests"]["carried_forward"] = json!([100, 0, 0, 0, 0, 0, 100]),
            "requests.carried_forward.total",
            "103",
        ),
        (
            "huaian-shi-2024.pdf",
            "overview.items[1].paragraphs[0]",
            |d| d["appeals"]["litigation_after_review"] = json!([11, 1, 1, 6, 19]),
            "appeals.litigation.total",
            "46",
        ),
        (
            "huaian-shi-2024.pdf",
            "overview.items[1].paragraphs[0]",
            |d| d["appeals"]["review"] = json!([72, 64, 178, 36, 350]),
            "appeals.review.pending",
            "37",
        ),
        (
            "pingtan-2022.html",
            "overview.items[0].paragraphs[0]",
            |d| d["active"]["normative_documents"]["issued"] = json!(87),
            "active.normative_documents.issued",
            "88",
        ),
        (
            "suqian-shuyang-xian-fgj-2023.html",
            "overview.items[1].paragraphs[0]",
            |d| d["requests"]["new"][6] = json!(25),
            "requests.new.total",
            "26",
        ),
    ];
    for (name, key, edit, reference, found) in cases {
        let mut data = corpus(name);
        edit(&mut data);
        let findings = r9(&load(name, &data));
        let ours: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.expected.as_deref().unwrap_or("").contains(reference))
            .collect();
        assert_eq!(ours.len(), 1, "{name} {reference}: {findings:#?}");
        assert_eq!(ours[0].key, key);
        assert_eq!(ours[0].found.as_deref(), Some(found));
    }
}

#[test]
fn a_number_equal_to_a_wrongly_printed_total_says_so() {
    // 洪泽 2023 prints 行政复议 10 + 1 + 0 + 0 with 总计 0 (R4).
    let data = with_paragraph(
        corpus("huaian-hongze-qu-2023.pdf"),
        "本年度政府信息公开行政复议0件。",
    );
    let loaded = load("hongze.json", &data);
    let all = check(&loaded, None);
    assert!(all.iter().any(|f| f.rule == Rule::R4));
    let findings = r9(&loaded);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.expected.as_deref(), Some("11（${appeals.review.total}）"));
    assert_eq!(f.found.as_deref(), Some("0"));
    assert!(
        f.message.contains("印出的总计 0") && f.message.contains("R4"),
        "{}",
        f.message
    );
    // 平潭 2020 (2019 edition) prints （七）总计 21 while its rows add up to 27 (R2).
    let data = with_paragraph(
        corpus("pingtan-2020.html"),
        "本年度共答复政府信息公开申请21件。",
    );
    let findings = r9(&load("pingtan-2020.json", &data));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.row.as_deref(), Some("（七）总计"));
    assert_eq!(f.expected.as_deref(), Some("27（${requests.total.total}）"));
    assert!(
        f.message.contains("印出的总计 21") && f.message.contains("R2"),
        "{}",
        f.message
    );
}

#[test]
fn a_blank_cell_is_not_judged_but_a_printed_total_is() {
    // 沭阳 2023 leaves the 法人或其他组织 columns blank and prints 总计 26.
    let data = with_paragraph(
        corpus("suqian-shuyang-xian-fgj-2023.html"),
        "本年度共收到政府信息公开申请27件。",
    );
    let findings = r9(&load("shuyang.json", &data));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        findings[0].expected.as_deref(),
        Some("26（${requests.new.total}）")
    );
    // Without the printed total, 一 cannot be known: R6 only, no R9.
    let mut data = data;
    data["requests"]["new"] = json!([26, null, null, null, null, null]);
    let loaded = load("shuyang.json", &data);
    assert_eq!(r9(&loaded), []);
    assert!(check(&loaded, None).iter().any(|f| f.rule == Rule::R6));
}

#[test]
fn the_hints_name_the_scope_and_the_section_decides_the_context() {
    // A scope word: the prose may count more than the office's tables.
    let data = with_paragraph(
        constructed(),
        "全区各级行政机关共收到政府信息公开申请800件。",
    );
    let findings = r9(&load("c.json", &data));
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].message.contains("“全区”"),
        "{}",
        findings[0].message
    );
    // 办结 N 件 without an application noun: read in the paragraphs of part 三,
    // not in part 一 (it could be 建议, 诉求…).
    let text = "全年办结400件。";
    assert_eq!(
        r9(&load("c.json", &with_paragraph(constructed(), text))),
        []
    );
    let mut data = constructed();
    data["requests"]["paragraphs"] = json!([text]);
    let findings = r9(&load("c.json", &data));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].key, "requests.paragraphs[0]");
    assert_eq!(findings[0].row.as_deref(), Some("（七）总计"));
    assert_eq!(
        findings[0].expected.as_deref(),
        Some("471（${requests.total.total}）")
    );
}

#[test]
fn numbers_written_as_references_never_disagree() {
    let text = "本年度收到政府信息公开申请${requests.new.total}件，上年结转${requests.carried_over.total}件，办结${requests.total.total}件，结转下年度${requests.carried_forward.total}件；政府信息公开行政复议${appeals.review.total}件、行政诉讼${appeals.litigation.total}件；制发行政规范性文件${active.normative_documents.issued}件。";
    for tables in [constructed(), corpus("huaian-shi-2024.pdf")] {
        let loaded = load("r.json", &with_paragraph(tables, text));
        assert_eq!(r9(&loaded), []);
    }
    // The same sentence with the numbers typed, one of them wrong, is caught.
    let typed = "本年度收到政府信息公开申请476件，上年结转12件，办结471件，结转下年度17件；政府信息公开行政复议6件、行政诉讼5件；制发行政规范性文件7件。";
    let findings = r9(&load("r.json", &with_paragraph(constructed(), typed)));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        findings[0].expected.as_deref(),
        Some("6（${appeals.litigation.total}）")
    );
}

#[test]
fn check_prints_r9_in_chinese_and_fails_only_with_deny_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.toml");
    let text = std::fs::read_to_string(fixture("r9/constructed.toml"))
        .unwrap()
        .replace(
            "paragraphs = [\"本报告依据《中华人民共和国政府信息公开条例》编制。\"]",
            "paragraphs = [\"本年度共收到政府信息公开申请 ４８０ 件，其中自然人82件。\"]",
        );
    assert!(text.contains("４８０"));
    std::fs::write(&file, text).unwrap();
    Command::cargo_bin("nianbao")
        .unwrap()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[R9]"))
        .stderr(predicate::str::contains(
            "而表三“一、本年新收政府信息公开申请数量 · 总计”是 476",
        ))
        .stderr(predicate::str::contains("${requests.new.total}"));
    let out = Command::cargo_bin("nianbao")
        .unwrap()
        .arg("check")
        .arg(&file)
        .args(["--deny-warnings", "--format", "json"])
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "R9");
    assert_eq!(findings[0]["found"], "480");
    assert_eq!(findings[0]["key"], "overview.paragraphs[0]");
    assert!(findings[0]["line"].as_u64().unwrap() > 0);
}

#[test]
fn the_example_and_the_long_report_raise_no_r9() {
    for path in [example(), fixture("long-report.toml")] {
        assert_eq!(r9(&crate::common::load(&path)), [], "{}", path.display());
    }
}

/// Words of the phrasings, digits in both widths, marks and blanks.
const PIECES: &[&str] = &[
    "收到",
    "受理",
    "新收",
    "政府信息公开申请",
    "申请",
    "申请人",
    "依申请公开",
    "办结",
    "答复",
    "办理",
    "不予",
    "按时",
    "上年结转",
    "结转下年度",
    "顺延到下年度",
    "其中",
    "自然人",
    "法人或其他组织",
    "予以公开",
    "不予处理",
    "行政复议",
    "行政诉讼",
    "、",
    "和",
    "各",
    "均为",
    "结果维持",
    "尚未审结",
    "未发生",
    "因政府信息公开引起的",
    "未收到",
    "规范性文件",
    "规章",
    "制发",
    "废止",
    "修改",
    "现行有效",
    "政策文件",
    "行政事业性收费",
    "万元",
    "元",
    "件",
    "起",
    "条",
    "%",
    "余",
    "约",
    "超过",
    "共",
    "累计",
    "全区",
    "《",
    "》",
    "，",
    "；",
    "。",
    "（",
    " ",
    "\u{3000}",
    "0",
    "7",
    "12",
    "3,119",
    "476",
    "４７６",
    "．",
    ".",
    "9999999999999999999999",
    "${requests.new.total}",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Any prose made of these pieces is read without a panic, and R9's
    /// findings are warnings that quote a number.
    #[test]
    fn any_prose_of_phrase_pieces_is_read_without_panic(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
    ) {
        let text: String = pieces.concat();
        let loaded = load("p.json", &with_paragraph(constructed(), &text));
        for f in r9(&loaded) {
            proptest::prop_assert_eq!(f.severity, Severity::Warning);
            proptest::prop_assert!(f.found.is_some() && f.expected.is_some());
            proptest::prop_assert!(f.message.contains("R9 说法"));
        }
    }
}
