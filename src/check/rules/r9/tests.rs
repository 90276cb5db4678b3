//! Every phrasing of the inventory with a passing, a failing and a negative
//! case; the constructed and external sentences of the research
//! (docs/research/r9-phrases.md §5.4); every number read in the corpus (§5.1);
//! and the docs generated from the inventory.

use serde_json::{json, Value};

use super::inventory::{self, Role, Source, PHRASES};
use super::matcher::{self, Section};
use super::{judge, paragraphs, Verdict};
use crate::check::{check, Finding, Rule};
use crate::model::{load_str, Format, Loaded};

const CONSTRUCTED: &str = include_str!("../../../../tests/fixtures/r9/constructed.toml");
const ALL_ZERO: &str = include_str!("../../../../examples/bianlukou-2023.toml");

/// The tables of each corpus report, read by hand (tests/fixtures/corpus/expected).
fn corpus_json(file: &str) -> &'static str {
    match file {
        "huaian-shi-2024.pdf" => {
            include_str!("../../../../tests/fixtures/corpus/expected/huaian-shi-2024.pdf.json")
        }
        "huaian-hongze-qu-2023.pdf" => include_str!(
            "../../../../tests/fixtures/corpus/expected/huaian-hongze-qu-2023.pdf.json"
        ),
        "suqian-shuyang-xian-fgj-2023.html" => include_str!(
            "../../../../tests/fixtures/corpus/expected/suqian-shuyang-xian-fgj-2023.html.json"
        ),
        "pingtan-2020.html" => {
            include_str!("../../../../tests/fixtures/corpus/expected/pingtan-2020.html.json")
        }
        "pingtan-2022.html" => {
            include_str!("../../../../tests/fixtures/corpus/expected/pingtan-2022.html.json")
        }
        "bianlukou-2023.txt" => {
            include_str!("../../../../tests/fixtures/corpus/expected/bianlukou-2023.txt.json")
        }
        "template-2021-blank-wps.docx" => include_str!(
            "../../../../tests/fixtures/corpus/expected/template-2021-blank-wps.docx.json"
        ),
        _ => panic!("no expected data for {file}"),
    }
}

const CORPUS: [&str; 7] = [
    "huaian-shi-2024.pdf",
    "huaian-hongze-qu-2023.pdf",
    "suqian-shuyang-xian-fgj-2023.html",
    "pingtan-2020.html",
    "pingtan-2022.html",
    "bianlukou-2023.txt",
    "template-2021-blank-wps.docx",
];

/// A report's data as JSON: a corpus report, the constructed tables, or the all-zero example.
fn data(source: Source, zero: bool) -> Value {
    match (source, zero) {
        (_, true) => toml::from_str(ALL_ZERO).unwrap(),
        (Source::Corpus(file), false) => serde_json::from_str(corpus_json(file)).unwrap(),
        (Source::Constructed, false) => toml::from_str(CONSTRUCTED).unwrap(),
    }
}

fn load(value: &Value) -> Loaded {
    load_str("r.json", &value.to_string(), Format::Json).unwrap_or_else(|e| panic!("{e}"))
}

/// The report with one paragraph of prose (in 一、总体情况): `text`.
fn with_prose(mut data: Value, text: &str) -> Loaded {
    let section = |p: &[&str]| json!({"paragraphs": p, "items": []});
    data["preamble"] = json!([]);
    data["overview"] = section(&[text]);
    data["problems"] = section(&["无。"]);
    data["other"] = section(&["无。"]);
    for table in ["active", "requests", "appeals"] {
        data[table]["paragraphs"] = json!([]);
    }
    load(&data)
}

fn r9(loaded: &Loaded) -> Vec<Finding> {
    check(loaded, None)
        .into_iter()
        .filter(|f| f.rule == Rule::R9)
        .collect()
}

/// What R9 reads in a text: (phrasing, number as written, verdict).
fn read(text: &str, section: Section, loaded: &Loaded) -> Vec<(&'static str, String, char)> {
    let mut out = Vec::new();
    for sentence in matcher::read(text, section, loaded.report.edition()) {
        for (q, v) in sentence.quotes.iter().zip(judge(&sentence, loaded)) {
            let verdict = match v {
                Verdict::Agrees => 'A',
                Verdict::Disagrees(_) => 'D',
                Verdict::Unknown => 'U',
            };
            let n = q.number.as_ref().map_or("", |n| n.written.as_str());
            out.push((q.phrase.id, n.to_string(), verdict));
        }
    }
    out
}

/// Every prose text of a report, as check reads it.
fn all_prose(loaded: &Loaded) -> Vec<(Section, String)> {
    paragraphs(&loaded.report)
        .into_iter()
        .map(|(s, _, t)| (s, t.to_string()))
        .collect()
}

#[test]
fn every_pattern_compiles_and_ids_are_unique() {
    for p in PHRASES {
        let pattern = inventory::expand(p.pattern);
        assert!(
            !pattern.contains("{G") && !pattern.contains("{T"),
            "{pattern}"
        );
        let re = regex::Regex::new(&pattern).unwrap_or_else(|e| panic!("{}: {e}", p.id));
        let names: Vec<&str> = re.capture_names().flatten().collect();
        if p.role != Role::Zero {
            assert!(names.contains(&"n"), "{} reads a number", p.id);
        }
        assert_eq!(
            PHRASES.iter().filter(|q| q.id == p.id).count(),
            1,
            "{}",
            p.id
        );
        assert!(!p.short.is_empty() && !p.words.is_empty());
    }
    // The list: every one of these phrasings is in the inventory.
    for id in ["Q1", "Q2", "Q3", "Q3b", "Q4", "A1", "A2", "T1", "T2", "T3"] {
        assert!(inventory::phrase(id).is_some(), "{id}");
    }
}

/// The corpus sentences of the inventory are real: verbatim in their report.
#[test]
fn corpus_sentences_of_the_inventory_are_in_their_reports() {
    for p in PHRASES {
        for s in [p.example, p.negative] {
            if let Source::Corpus(file) = s.source {
                let loaded = load(&data(s.source, false));
                let prose: String = all_prose(&loaded)
                    .into_iter()
                    .map(|(_, t)| t)
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(
                    prose.contains(s.text),
                    "{}: not in {file}: {}",
                    p.id,
                    s.text
                );
            }
        }
    }
}

/// A different number in place of the one read: far from any table value.
fn other_number(written: &str) -> String {
    let digits: String = written
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    format!("{digits}07")
}

#[test]
fn every_phrase_passes_its_example_fails_a_wrong_number_and_skips_its_negative() {
    for p in PHRASES {
        let zero = p.role == Role::Zero;
        // Passing: the example is read by this phrasing and agrees.
        let tables = data(p.example.source, zero);
        let loaded = with_prose(tables.clone(), p.example.text);
        let got = read(p.example.text, Section::Other, &loaded);
        let (_, written, verdict) = got
            .iter()
            .find(|(id, _, _)| *id == p.id)
            .unwrap_or_else(|| panic!("{} does not read its example: {got:?}", p.id));
        assert_eq!(*verdict, 'A', "{}: {got:?}", p.id);
        assert_eq!(r9(&loaded), [], "{}: the example raises R9", p.id);

        // Failing: the same sentence with another number (a "no X" sentence:
        // tables that are not zero) raises R9, naming this phrasing.
        let (loaded, found) = if zero {
            (
                with_prose(data(Source::Constructed, false), p.example.text),
                "0".to_string(),
            )
        } else {
            let quote = matcher::read(p.example.text, Section::Other, loaded.report.edition())
                .into_iter()
                .flat_map(|s| s.quotes)
                .find(|q| q.phrase.id == p.id)
                .unwrap();
            let wrong = other_number(written);
            let digits = written.trim_start_matches(|c: char| !c.is_ascii_digit());
            let digits = &digits[..digits
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
                .unwrap_or(digits.len())];
            let changed = quote.text.replacen(digits, &wrong, 1);
            assert_eq!(p.example.text.matches(&quote.text).count(), 1, "{}", p.id);
            let text = p.example.text.replacen(&quote.text, &changed, 1);
            (
                with_prose(tables, &text),
                written.replacen(digits, &wrong, 1),
            )
        };
        let findings = r9(&loaded);
        assert!(!findings.is_empty(), "{}: a wrong number passes", p.id);
        for f in &findings {
            assert!(
                f.message.contains(&format!("R9 说法 {}“", p.id)),
                "{}: {}",
                p.id,
                f.message
            );
            assert_eq!(f.found.as_deref(), Some(found.as_str()), "{}", p.id);
            assert_eq!(f.key, "overview.paragraphs[0]");
            assert!(f.table.is_some() && f.row.is_some() && f.column.is_some());
        }

        // Negative: not read by this phrasing, and no R9 at all with its tables.
        let loaded = with_prose(data(p.negative.source, false), p.negative.text);
        let got = read(p.negative.text, Section::Other, &loaded);
        assert!(
            got.iter().all(|(id, _, _)| *id != p.id),
            "{} reads its negative: {got:?}",
            p.id
        );
        assert_eq!(r9(&loaded), [], "{}: the negative raises R9", p.id);
    }
}

/// What a text should read: (phrasing, number as written, verdict).
type Reads = &'static [(&'static str, &'static str, char)];
type Case = (&'static str, Reads);

/// The constructed (C) and external (X) sentences of the research (§5.4), and a
/// few more, against tests/fixtures/r9/constructed.toml: 新收 476, 上年结转 12,
/// （七） 471, 结转 17, 复议 6, 直接起诉 4, 复议后起诉 2, 规范性文件 7/3/41,
/// 规章 0/0/2, 许可 1268, 处罚 315, 强制 12, 收费 96.75. A = agrees,
/// D = disagrees, U = not judged (约 N).
const CASES: &[Case] = &[
    // Positives.
    (
        "本年度共收到政府信息公开申请476件，其中自然人82件、商业企业99件。",
        &[("Q1", "476", 'A'), ("Q5", "82", 'A'), ("Q5", "99", 'A')],
    ),
    ("全年新收政府信息公开申请 ４７６ 件。", &[("Q1", "476", 'A')]),
    ("2023年，本机关共有476件政府信息公开申请。", &[("Q1n", "476", 'A')]),
    ("上年结转政府信息公开申请12件，已于本年度全部办结。", &[("Q2", "12", 'A')]),
    (
        "全年办结政府信息公开申请471件，结转下年度继续办理17件。",
        &[("Q3", "471", 'A'), ("Q4", "17", 'A')],
    ),
    (
        "全年共办理政府信息公开申请488件（含上年结转12件），其中471件已办结，17件结转至下年度继续办理。",
        &[("Q3b", "488", 'A'), ("Q2", "12", 'A'), ("Q4n", "17", 'A')],
    ),
    (
        "共收到政府信息公开申请488件，其中本年新收476件、上年结转12件。",
        &[("Q1", "488", 'A'), ("Q1b", "476", 'A'), ("Q2", "12", 'A')],
    ),
    (
        "收到政府信息公开申请476件，上年结转12件，共计488件，办结471件，结转下年度17件。",
        &[("Q1", "476", 'A'), ("Q2", "12", 'A'), ("Q3", "471", 'A'), ("Q4", "17", 'A')],
    ),
    (
        "因政府信息公开被申请行政复议6件，被提起行政诉讼6件，其中未经复议直接起诉4件、复议后起诉2件。",
        &[("A1", "6", 'A'), ("A2", "6", 'A'), ("A3", "4", 'A'), ("A4", "2", 'A')],
    ),
    (
        "本年度因政府信息公开引发的行政复议和行政诉讼案件共12件。",
        &[("A0s", "12", 'A')],
    ),
    (
        "本年度制发行政规范性文件7件，废止3件，现行有效41件。",
        &[("T1", "7", 'A'), ("T4", "3", 'A'), ("T4", "41", 'A')],
    ),
    ("清理规范性文件120件，其中宣布废止3件、修改5件。", &[("T4", "3", 'A')]),
    (
        "全年作出行政许可决定1268件，行政处罚决定315件，采取行政强制措施12件。",
        &[("T5", "1268", 'A'), ("T6", "315", 'A'), ("T7", "12", 'A')],
    ),
    ("本年度行政事业性收费金额96.75万元。", &[("T8", "96.75万元", 'A')]),
    ("收到政府信息公开申请470余件。", &[("Q1", "470余", 'A')]),
    (
        "答复政府信息公开申请34430件(含上年度转结)，均在法定期限内予以答复。",
        &[("Q3", "34430", 'D')],
    ),
    // Disagreements.
    ("本年度共收到政府信息公开申请17件。", &[("Q1", "17", 'D')]),
    ("收到政府信息公开申请170余件。", &[("Q1", "170余", 'D')]),
    ("本年度政府信息公开行政复议、行政诉讼各1件。", &[("A0", "1", 'D')]),
    ("本年度未发生因政府信息公开引起的行政复议、行政诉讼。", &[("Z1", "", 'D')]),
    ("本年度未收到政府信息公开申请。", &[("Z2", "", 'D')]),
    // Other quantities: not read.
    (
        "县司法局作为行政复议机关，全年共办理行政复议案件56件，其中涉及政府信息公开的3件。",
        &[],
    ),
    ("收到人大代表建议35件、政协提案42件，均已按时答复，答复率100%。", &[]),
    (
        "收到政府信息公开申请476件；办理人大代表建议35件，办结35件。",
        &[("Q1", "476", 'A')],
    ),
    ("依申请公开按时办结率100%，答复率100%。", &[]),
    (
        "收到政府信息公开申请476件，较上年增加12件，同比增长2.6%。",
        &[("Q1", "476", 'A')],
    ),
    ("收到申请后15个工作日内答复。", &[]),
    ("上年结转资金120万元。", &[]),
    ("受理行政许可申请5000件，办结4980件。", &[]),
    ("全年共办理行政应诉案件15件。", &[]),
    ("政府信息公开行政复议案件中，复议机关撤销8件。", &[]),
    ("公示行政处罚信息3985条，公布行政许可事项清单186项。", &[]),
    (
        "收到政府信息公开申请476件，其中不予处理62件，其他处理45件。",
        &[("Q1", "476", 'A'), ("Q6", "62", 'A'), ("Q6", "45", 'A')],
    ),
    (
        "收到政府信息公开申请476件，其中不予处理61件，其他处理40件。",
        &[("Q1", "476", 'A'), ("Q6", "61", 'D'), ("Q6", "40", 'D')],
    ),
    ("高效办成一件事，全年办理一件事主题服务300件。", &[]),
    // External sentences (docs/research/r9-phrases.md §6.3), against these tables.
    (
        "2022年，全区各职能部门、镇街共收到政府信息依申请公开1499件。",
        &[("Q1", "1499", 'D')],
    ),
    (
        "其中，通过网络申请1303件，占86.92%；通过信函申请172件，占11.47%；通过当面申请24件，占1.60%。",
        &[],
    ),
    (
        "2022年，全区各职能部门、镇街共完成政府信息依申请公开答复1453件，包括上年结转信息公开申请30件。",
        &[("Q3", "1453", 'D'), ("Q2", "30", 'D')],
    ),
    (
        "其中，予以公开答复966件，占66.48%；部分公开67，占4.61%；不予公开81件，占5.57%。",
        &[],
    ),
    (
        "2022年，在上海市人民政府网站、《上海市人民政府公报》主动公开市政府规章13件(含新制定5件,修改4件,废止4件)，主动公开市政府和市政府办公厅行政规范性文件42件，人事任免文件106件，其他文件113件。",
        &[("T4", "5", 'D'), ("T4", "4", 'D')],
    ),
    (
        "2023年，全市共主动公开新增市政府规章18件(含新制定4件,修改14件)、行政规范性文件707件，其他文件34980件。",
        &[("T4", "4", 'D')],
    ),
    (
        "2022年上半年，全区共发生涉及政府信息公开的行政诉讼案件2件，被纠错0件。",
        &[("A2", "2", 'D'), ("A5", "0", 'D')],
    ),
    // More: vague and approximate numbers, full-width digits and points, 元, titles.
    ("收到政府信息公开申请约500件。", &[("Q1", "约500", 'U')]),
    ("收到政府信息公开申请超过470件。", &[("Q1", "超过470", 'A')]),
    ("收到政府信息公开申请超过480件。", &[("Q1", "超过480", 'D')]),
    ("本年度行政事业性收费金额９６．７５万元。", &[("T8", "96.75万元", 'A')]),
    ("本年度行政事业性收费967500元。", &[("T8", "967500元", 'A')]),
    ("印发《关于政府信息公开行政复议案件5件的处理意见》。", &[]),
    // A manner or a channel makes a part of the total: not read.
    (
        "收到政府信息公开申请476件，均已按期答复，其中按时答复400件。",
        &[("Q1", "476", 'A')],
    ),
    ("通过网上受理政府信息公开申请300件，当面受理申请20件。", &[]),
    ("延期答复政府信息公开申请5件。", &[]),
    // "No X" about something narrower: not read.
    ("本年度未发生因政府信息公开引起的行政复议被纠错情况。", &[]),
    (
        "本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。",
        &[("Z1", "", 'D')],
    ),
    ("本年度政府信息公开行政复议和行政诉讼均为0件。", &[("A0", "0", 'D')]),
    ("本年度政府信息公开行政复议、行政诉讼均为6件。", &[("A0", "6", 'A')]),
    (
        "本年度收到政府信息公开申请3,119件。",
        &[("Q1", "3,119", 'D')],
    ),
    (
        "收到政府信息公开申请488件，涉及自然人85件。",
        &[("Q1", "488", 'D'), ("Q5", "85", 'A')],
    ),
];

#[test]
fn the_constructed_and_external_sentences_read_as_the_research_says() {
    let tables = load(&data(Source::Constructed, false));
    let mut failures = Vec::new();
    for (text, expected) in CASES {
        let got = read(text, Section::Other, &tables);
        let want: Vec<(&str, String, char)> = expected
            .iter()
            .map(|(id, n, v)| (*id, n.to_string(), *v))
            .collect();
        if got != want {
            failures.push(format!("{text}\n    got  {got:?}\n    want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every number read in the corpus, report by report (docs/research/r9-phrases.md
/// §5.1): 24 numbers, 23 agreeing, one (pingtan-2022's 75) not.
#[test]
fn every_number_read_in_the_corpus_is_the_research_verdict() {
    let expected: &[(&str, Reads)] = &[
        (
            "huaian-shi-2024.pdf",
            &[
                ("Q1", "3119", 'A'),
                ("Q3", "3050", 'A'),
                ("Q2", "34", 'A'),
                ("Q4n", "103", 'A'),
                ("A1", "351", 'A'),
                ("A2", "46", 'A'),
                ("A5", "72", 'A'),
                ("A5", "64", 'A'),
                ("A5", "178", 'A'),
                ("A5", "37", 'A'),
                ("A5", "25", 'A'),
                ("A5", "5", 'A'),
                ("A5", "9", 'A'),
                ("A5", "7", 'A'),
            ],
        ),
        ("huaian-hongze-qu-2023.pdf", &[("Q1", "21", 'A')]),
        ("suqian-shuyang-xian-fgj-2023.html", &[("Q1", "26", 'A')]),
        ("pingtan-2020.html", &[("Q1", "21", 'A')]),
        (
            "pingtan-2022.html",
            &[
                ("T3", "698", 'A'),
                ("T1", "88", 'A'),
                ("Q1", "75", 'D'),
                ("Q5", "72", 'A'),
                ("Q5", "3", 'A'),
                ("A2", "1", 'A'),
                ("A1", "2", 'A'),
            ],
        ),
        ("bianlukou-2023.txt", &[]),
        ("template-2021-blank-wps.docx", &[]),
    ];
    let mut total = 0;
    for (file, want) in expected {
        let loaded = load(&data(Source::Corpus(file), false));
        let got: Vec<(&str, String, char)> = all_prose(&loaded)
            .iter()
            .flat_map(|(section, text)| read(text, *section, &loaded))
            .collect();
        let want: Vec<(&str, String, char)> = want
            .iter()
            .map(|(id, n, v)| (*id, n.to_string(), *v))
            .collect();
        assert_eq!(got, want, "{file}");
        total += got.len();
    }
    assert_eq!(total, 24);
    assert_eq!(CORPUS.len(), expected.len());
}

/// The phrase table in docs/rules.md and the README's R9 row are generated
/// from the inventory. `NIANBAO_BLESS_DOCS=1 cargo test --lib r9` rewrites them.
#[test]
fn the_docs_list_exactly_the_phrasings_of_the_inventory() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("NIANBAO_BLESS_DOCS").is_some();

    let path = root.join("docs/rules.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let begin = "<!-- BEGIN GENERATED: r9-phrases -->\n";
    let end = "<!-- END GENERATED: r9-phrases -->";
    let a = doc
        .find(begin)
        .expect("docs/rules.md has the R9 begin marker")
        + begin.len();
    let b = doc[a..]
        .find(end)
        .expect("docs/rules.md has the R9 end marker")
        + a;
    let body = format!("\n{}\n", inventory::markdown());
    let want = format!("{}{body}{}", &doc[..a], &doc[b..]);
    if bless {
        std::fs::write(&path, &want).unwrap();
    } else {
        assert!(
            doc == want,
            "docs/rules.md's R9 phrase table differs from the inventory; run NIANBAO_BLESS_DOCS=1 cargo test --lib r9 and review the diff. Expected:\n{body}"
        );
    }

    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let row = inventory::readme_row();
    let lines: Vec<&str> = readme.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("| R9 |"))
        .expect("the README has an R9 row");
    if bless {
        let mut new: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        new[at] = row.clone();
        std::fs::write(&path, new.join("\n") + "\n").unwrap();
    } else {
        assert_eq!(
            lines[at], row,
            "the README's R9 row differs from the inventory; run NIANBAO_BLESS_DOCS=1 cargo test --lib r9"
        );
    }
    for p in PHRASES {
        assert!(doc.contains(&format!("| {} |", p.id)) || bless, "{}", p.id);
    }
}
