//! Reads the numbers a paragraph quotes from the tables: the patterns of the
//! inventory, and the rules they can't say (which match wins, what a part
//! belongs to, the sentence around a match).

use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};

use crate::model::labels::{AppealKind, OutcomeGroup, RequestRow, APPLICANT_COLUMNS};
use crate::model::Edition;

use super::cells::{row_total, Appeals, Cell, Rows, APPEAL_TOTAL, ORGANISATIONS, TOTAL};
use super::inventory::{
    expand, Context, Family, Phrase, Role, Target, AMENDED, APPLICATION_NOUNS,
    CARRIED_OVER_MENTION, CLAUSE_ENDS, DISCLOSURE_NOUNS, DOCUMENT_NOUNS, NOT_AFTER,
    NOT_AFTER_REQUESTS, PHRASES, QUALIFIERS, SCOPE_WORDS, ZERO_ENDS,
};

/// The part of the report a paragraph is printed in, where it changes what is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// Paragraphs before Table 3 (part 三): every 办结/答复 is about applications.
    Requests,
    /// Paragraphs before Table 4 (part 四): every 行政复议 is about disclosure.
    Appeals,
    Other,
}

/// How exact a quoted number is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Approx {
    Exact,
    /// 约 N, 近 N: never compared.
    Vague,
    /// N余, N多, 超过 N, 逾 N, 多达 N: from N up to (not including) N + step.
    AtLeast {
        step: f64,
    },
}

/// A number as the prose writes it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Number {
    /// As written, with 约/余… (and the unit, for money): "170余", "96.75万元".
    pub written: String,
    /// In the table's unit (元 are made 万元).
    pub value: f64,
    pub approx: Approx,
}

/// What a quoted number is compared with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Claim {
    /// One of these values.
    AnyOf(Vec<Cell>),
    /// 收到/受理 N 件: 一、本年新收 in `column`, or 一 + 二 (rule 8); `strict`
    /// (the verb is 新收): only 一.
    Received { column: usize, strict: bool },
    /// Each value is the number.
    Each(Vec<Cell>),
    /// The values add up to the number.
    Sum(Vec<Cell>),
    /// 本年制发件数: N, or N + M when the sentence also says 修改 M 件.
    Issued { cell: Cell, amended: Option<f64> },
    /// Every value is 0.
    Zero(Vec<Cell>),
}

/// A number read from a sentence, with what it is compared with.
#[derive(Clone, Debug)]
pub(crate) struct Quote {
    pub phrase: &'static Phrase,
    /// The words matched.
    pub text: String,
    /// None for "no X" claims.
    pub number: Option<Number>,
    pub claim: Claim,
    /// For a part of Table 3 or 4: the index of its head in the sentence's quotes.
    pub head: Option<usize>,
    start: usize,
    end: usize,
}

/// One sentence and the numbers read from it.
#[derive(Clone, Debug)]
pub(crate) struct QuotedSentence {
    pub quotes: Vec<Quote>,
    /// The sentence says a count includes last year's applications (上年结转).
    pub mentions_carried_over: bool,
    /// A scope word (全区, 各级行政机关…) before the first number, if any.
    pub scope: Option<String>,
}

struct Compiled {
    phrase: &'static Phrase,
    regex: Regex,
}

fn regex(pattern: &str) -> Regex {
    // The patterns are constants of the inventory; a unit test compiles each.
    Regex::new(pattern).unwrap_or_else(|e| panic!("R9 pattern {pattern}: {e}"))
}

static PATTERNS: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    PHRASES
        .iter()
        .map(|phrase| Compiled {
            phrase,
            regex: regex(&expand(phrase.pattern)),
        })
        .collect()
});
/// All patterns at once: one scan tells which patterns can match a sentence
/// (most sentences match none).
static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(PHRASES.iter().map(|p| expand(p.pattern)))
        .unwrap_or_else(|e| panic!("R9 patterns: {e}"))
});
static APPLICATION_NOUNS_RE: LazyLock<Regex> = LazyLock::new(|| regex(APPLICATION_NOUNS));
static QUALIFIERS_RE: LazyLock<Regex> = LazyLock::new(|| regex(QUALIFIERS));
static DOCUMENT_NOUNS_RE: LazyLock<Regex> = LazyLock::new(|| regex(DOCUMENT_NOUNS));
static CARRIED_OVER_RE: LazyLock<Regex> = LazyLock::new(|| regex(CARRIED_OVER_MENTION));
static AMENDED_RE: LazyLock<Regex> = LazyLock::new(|| regex(AMENDED));
static SCOPE_RE: LazyLock<Regex> = LazyLock::new(|| regex(SCOPE_WORDS));

/// Full-width digits made ASCII, "．" between digits made ".", and the text of
/// titles 《…》 dropped (a title never carries a table value: 《…行政复议案件…》).
pub(crate) fn normalise(text: &str) -> String {
    let chars: Vec<char> = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut title = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '《' => {
                title += 1;
                out.push(c);
            }
            '》' if title > 0 => {
                title -= 1;
                out.push(c);
            }
            // An unclosed title ends with its sentence.
            '。' | '！' | '？' | '\n' if title > 0 => {
                title = 0;
                out.push(c);
            }
            _ if title > 0 => {}
            '．' if i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit) =>
            {
                out.push('.')
            }
            c => out.push(c),
        }
    }
    out
}

/// The sentences of a text: up to 。！？!? or a line break. (A "；" does not end
/// a sentence: a report may give 行政复议 and 行政诉讼 in one.)
pub(crate) fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '！', '？', '!', '?', '\n'])
        .filter(|s| !s.trim().is_empty())
}

/// Every number a paragraph quotes from the tables, sentence by sentence.
pub(crate) fn read(paragraph: &str, section: Section, edition: Edition) -> Vec<QuotedSentence> {
    let text = normalise(paragraph);
    // Most paragraphs quote nothing: one scan of the paragraph says so.
    if !SET.is_match(&text) {
        return Vec::new();
    }
    sentences(&text)
        .map(|s| read_sentence(s, section, edition))
        .filter(|s| !s.quotes.is_empty())
        .collect()
}

fn read_sentence(s: &str, section: Section, edition: Edition) -> QuotedSentence {
    let hits = SET.matches(s);
    if !hits.matched_any() {
        return QuotedSentence {
            quotes: Vec::new(),
            mentions_carried_over: false,
            scope: None,
        };
    }
    let runs = |i: usize, role: Role| {
        let p = &PHRASES[i];
        hits.matched(i)
            && p.role == role
            && (p.family != Family::Active || edition == Edition::E2021)
    };
    let mut quotes: Vec<Quote> = Vec::new();
    let overlaps = |quotes: &[Quote], start: usize, end: usize| {
        quotes.iter().any(|q| start < q.end && q.start < end)
    };

    // Heads: leftmost first, then the longest, then the inventory's order; a
    // candidate that fails its context does not block the others.
    let mut candidates: Vec<(usize, &Compiled, Captures)> = Vec::new();
    for (i, c) in PATTERNS.iter().enumerate() {
        if runs(i, Role::Head) {
            candidates.extend(c.regex.captures_iter(s).map(|caps| (i, c, caps)));
        }
    }
    candidates.sort_by_key(|(i, _, caps)| {
        let m = caps.get(0).expect("group 0");
        (m.start(), std::cmp::Reverse(m.len()), *i)
    });
    for (_, c, caps) in &candidates {
        let m = caps.get(0).expect("group 0");
        if overlaps(&quotes, m.start(), m.end()) {
            continue;
        }
        if c.phrase.family == Family::Requests {
            let before = s[..m.start()].trim_end();
            if NOT_AFTER_REQUESTS.iter().any(|w| before.ends_with(w)) {
                continue;
            }
        }
        let fits = match c.phrase.context {
            Context::Free => true,
            Context::Application => application_context(s, m.start(), m.as_str(), section),
            Context::Qualifier => {
                section == Section::Appeals
                    || qualified(s, m.start(), m.end())
                    || quotes
                        .iter()
                        .any(|q| q.phrase.family == Family::Appeals && q.phrase.role == Role::Head)
            }
        };
        if !fits {
            continue;
        }
        let Some(claim) = head_claim(c.phrase.target, caps, s) else {
            continue;
        };
        quotes.push(quote(c.phrase, caps, claim, None));
    }
    quotes.sort_by_key(|q| q.start);

    // Parts: after a head of their table in the same sentence (Table 2: after
    // the document they count).
    let heads = quotes.len();
    for (_, c) in PATTERNS
        .iter()
        .enumerate()
        .filter(|(i, _)| runs(*i, Role::Part))
    {
        for caps in c.regex.captures_iter(s) {
            let m = caps.get(0).expect("group 0");
            if overlaps(&quotes, m.start(), m.end()) {
                continue;
            }
            let head = quotes[..heads]
                .iter()
                .rposition(|h| h.end <= m.start() && h.phrase.family == c.phrase.family);
            let claim = match c.phrase.target {
                Target::DocumentColumn => document_column(s, m.start(), &caps),
                target => head.and_then(|h| part_claim(target, &quotes[h].claim, &caps)),
            };
            if let Some(claim) = claim {
                let head = head.filter(|_| c.phrase.family != Family::Active);
                quotes.push(quote(c.phrase, &caps, claim, head));
            }
        }
    }

    // "No X".
    for (_, c) in PATTERNS
        .iter()
        .enumerate()
        .filter(|(i, _)| runs(*i, Role::Zero))
    {
        for caps in c.regex.captures_iter(s) {
            let m = caps.get(0).expect("group 0");
            // 未收到政府信息公开申请人的…, 未发生…行政复议被纠错: narrower claims.
            let after = s[m.end()..].trim_start();
            if !after.is_empty() && !ZERO_ENDS.iter().any(|w| after.starts_with(w)) {
                continue;
            }
            let claim = match c.phrase.target {
                Target::NoAppeals => {
                    let what = caps.name("what").map_or("", |w| w.as_str());
                    let mut cells = Vec::new();
                    if what.contains("复议") {
                        cells.push(Cell::Appeal(
                            Appeals::Group(AppealKind::Review),
                            APPEAL_TOTAL,
                        ));
                    }
                    if what.contains("诉讼") {
                        cells.push(Cell::Appeal(Appeals::Litigation, APPEAL_TOTAL));
                    }
                    Claim::Zero(cells)
                }
                Target::Zero(cells) => Claim::Zero(cells.to_vec()),
                _ => continue,
            };
            quotes.push(quote(c.phrase, &caps, claim, None));
        }
    }

    let first = quotes.iter().map(|q| q.start).min().unwrap_or(0);
    QuotedSentence {
        mentions_carried_over: CARRIED_OVER_RE.is_match(s),
        scope: SCOPE_RE.find(&s[..first]).map(|m| m.as_str().to_string()),
        quotes,
    }
}

fn quote(phrase: &'static Phrase, caps: &Captures, claim: Claim, head: Option<usize>) -> Quote {
    let m = caps.get(0).expect("group 0");
    Quote {
        phrase,
        text: m.as_str().trim().to_string(),
        number: number(caps),
        claim,
        head,
        start: m.start(),
        end: m.end(),
    }
}

/// [`Context::Application`].
fn application_context(s: &str, start: usize, matched: &str, section: Section) -> bool {
    let before = s[..start].trim_end();
    if NOT_AFTER.iter().any(|w| before.ends_with(w)) {
        return false;
    }
    if matched.contains("申请") || section == Section::Requests {
        return true;
    }
    APPLICATION_NOUNS_RE
        .find_iter(before)
        .filter(|m| m.as_str() != "申请人")
        .last()
        .is_some_and(|m| DISCLOSURE_NOUNS.contains(&m.as_str()))
}

/// [`Context::Qualifier`]: a qualifier in the match's clause.
fn qualified(s: &str, start: usize, end: usize) -> bool {
    let clause = s[..start]
        .rfind(CLAUSE_ENDS)
        .map_or(0, |i| i + s[i..].chars().next().map_or(0, char::len_utf8));
    QUALIFIERS_RE.is_match(&s[clause..end])
}

/// The row key of Table 2 for a document noun.
fn document_row(noun: &str) -> Option<&'static str> {
    match noun {
        "规章" => Some("rules"),
        "规范性文件" | "行政规范性文件" => Some("normative_documents"),
        _ => None,
    }
}

fn issued_or(cell: Cell, column: &str, s: &str) -> Claim {
    if column == "issued" {
        let amended = AMENDED_RE
            .captures(s)
            .and_then(|c| c.name("n")?.as_str().parse().ok());
        Claim::Issued { cell, amended }
    } else {
        Claim::AnyOf(vec![cell])
    }
}

fn head_claim(target: Target, caps: &Captures, s: &str) -> Option<Claim> {
    Some(match target {
        Target::AnyOf(cells) => Claim::AnyOf(cells.to_vec()),
        Target::Received => Claim::Received {
            column: TOTAL,
            strict: caps.name("verb").is_some_and(|v| v.as_str() == "新收"),
        },
        Target::Each(cells) => Claim::Each(cells.to_vec()),
        Target::Sum(cells) => Claim::Sum(cells.to_vec()),
        Target::Document(column) => {
            let row = document_row(caps.name("obj")?.as_str())?;
            issued_or(Cell::Active(row, column), column, s)
        }
        Target::Zero(cells) => Claim::Zero(cells.to_vec()),
        Target::ApplicantColumn
        | Target::Outcome
        | Target::AppealResult
        | Target::DocumentColumn
        | Target::NoAppeals => return None,
    })
}

/// What a part of Table 3 or 4 is compared with, given its head's claim.
fn part_claim(target: Target, head: &Claim, caps: &Captures) -> Option<Claim> {
    match target {
        Target::ApplicantColumn => {
            let name = caps.name("col")?.as_str();
            let column = APPLICANT_COLUMNS
                .iter()
                .position(|c| *c == name)
                .unwrap_or(ORGANISATIONS);
            match head {
                Claim::Received { strict, .. } => Some(Claim::Received {
                    column,
                    strict: *strict,
                }),
                Claim::AnyOf(cells) => cells
                    .iter()
                    .map(|c| match c {
                        Cell::Request(rows, TOTAL) => Some(Cell::Request(*rows, column)),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(Claim::AnyOf),
                _ => None,
            }
        }
        Target::Outcome => {
            let cell = match caps.name("out")?.as_str() {
                "予以公开" => row_total(RequestRow::Granted),
                "部分公开" => row_total(RequestRow::PartiallyGranted),
                "予以公开及部分公开" => Cell::Request(Rows::GrantedAndPartial, TOTAL),
                "不予公开" => Cell::Request(Rows::Group(OutcomeGroup::Denied), TOTAL),
                "无法提供" => Cell::Request(Rows::Group(OutcomeGroup::Unable), TOTAL),
                "不予处理" => Cell::Request(Rows::Group(OutcomeGroup::Rejected), TOTAL),
                _ => Cell::Request(Rows::Group(OutcomeGroup::Other), TOTAL),
            };
            Some(Claim::AnyOf(vec![cell]))
        }
        Target::AppealResult => {
            let column = match caps.name("res")?.as_str() {
                "维持" => 0,
                "纠正" | "被纠错" | "纠错" => 1,
                "其他结果" => 2,
                _ => 3,
            };
            match head {
                Claim::AnyOf(cells) => match cells.as_slice() {
                    [Cell::Appeal(group, APPEAL_TOTAL)] => {
                        Some(Claim::AnyOf(vec![Cell::Appeal(*group, column)]))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// A Table 2 part: the column named, of the last document noun before it.
fn document_column(s: &str, start: usize, caps: &Captures) -> Option<Claim> {
    let noun = DOCUMENT_NOUNS_RE.find_iter(&s[..start]).last()?;
    let row = document_row(noun.as_str())?;
    let column = match caps.name("fld")?.as_str() {
        "废止" => "repealed",
        "现行有效" => "in_force",
        _ => "issued",
    };
    Some(issued_or(Cell::Active(row, column), column, s))
}

fn number(caps: &Captures) -> Option<Number> {
    let digits = caps.name("n")?.as_str();
    let mut value: f64 = digits.replace(',', "").parse().ok()?;
    let pre = caps.name("pre").map_or("", |m| m.as_str());
    let post = caps.name("post").map_or("", |m| m.as_str());
    let unit = caps.name("u").map_or("", |m| m.as_str());
    let whole = digits.split('.').next().unwrap_or(digits).replace(',', "");
    let zeros = whole.len() - whole.trim_end_matches('0').len();
    let mut step = 10f64.powi(zeros.min(15) as i32).max(10.0);
    if unit == "元" {
        value /= 10_000.0;
        step /= 10_000.0;
    }
    let approx = match (pre, post) {
        ("约" | "近", _) => Approx::Vague,
        (_, "余" | "多") | ("超过" | "逾" | "多达", _) => Approx::AtLeast { step },
        _ => Approx::Exact,
    };
    let unit = if unit.ends_with('元') { unit } else { "" };
    Some(Number {
        written: format!("{pre}{digits}{post}{unit}"),
        value,
        approx,
    })
}
