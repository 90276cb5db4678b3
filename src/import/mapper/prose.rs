//! The report's prose: title, agency and year, preamble, the six parts by
//! their headings, items with their numbering and run-in titles, and the
//! signature with its date (成文日期).

use serde_json::{json, Value};

use crate::model::labels::PART_HEADINGS;

use super::super::document::{Align, Block, Document, Origin, Para};
use super::super::normalize::{
    clean_paragraph, is_space, item_number, label_key, parse_date, part_number, similarity,
    Numbering,
};
use super::Mapper;

/// What the prose gives.
pub(in crate::import) struct Prose {
    pub title: Option<String>,
    pub agency: Option<String>,
    pub year: Option<u16>,
    pub date: Option<String>,
    pub preamble: Vec<String>,
    /// Parts 一–六: `{paragraphs, items}` (二–四: paragraphs only).
    pub parts: Vec<Value>,
    pub missing_headings: Vec<&'static str>,
}

/// A paragraph ready for mapping.
struct P<'a> {
    text: String,
    para: &'a Para,
}

#[derive(Default)]
struct ItemNode {
    title: String,
    run_in: bool,
    paragraphs: Vec<String>,
    items: Vec<ItemNode>,
    style: Option<Numbering>,
}

impl ItemNode {
    fn to_json(&self) -> Value {
        json!({
            "title": self.title,
            "run_in": self.run_in,
            "paragraphs": self.paragraphs,
            "items": self.items.iter().map(ItemNode::to_json).collect::<Vec<_>>(),
        })
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303f | 0x3400..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef)
}

/// A title's text: lines joined, whitespace between CJK characters (a line
/// break, a layout gap) dropped.
fn title_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if is_space(c) {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().find(|c| !is_space(**c));
            let keep = match (prev, next) {
                (Some(p), Some(n)) => {
                    !(is_cjk(p) || is_cjk(*n) || p.is_ascii_digit() || n.is_ascii_digit())
                }
                _ => false,
            };
            if keep && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The agency and year of a title: "淮安市人民政府2024年政府信息公开工作年度报告".
fn agency_year(title: &str) -> (Option<String>, Option<u16>) {
    let chars: Vec<char> = title.chars().collect();
    for i in 0..chars.len() {
        if i + 4 < chars.len() + 1
            && chars[i..].len() >= 5
            && chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && chars[i + 4] == '年'
            && (i == 0 || !chars[i - 1].is_ascii_digit())
        {
            let year: u16 = chars[i..i + 4]
                .iter()
                .collect::<String>()
                .parse()
                .ok()
                .unwrap_or(0);
            let year = (2008..=2200).contains(&year).then_some(year);
            let agency: String = chars[..i]
                .iter()
                .collect::<String>()
                .trim_matches(is_space)
                .to_string();
            return ((!agency.is_empty()).then_some(agency), year);
        }
    }
    (None, None)
}

/// A year from a sentence such as "统计期限为2023年1月1日至12月31日".
fn year_from_text(text: &str) -> Option<u16> {
    let key: String = text.chars().filter(|c| !is_space(*c)).collect();
    let i = key.find("年1月1日")?;
    let digits: String = key[..i]
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok().filter(|y| (2008..=2200).contains(y))
}

const AGENCY_ENDINGS: &[&str] = &[
    "政府",
    "局",
    "委员会",
    "办公室",
    "委",
    "院",
    "厅",
    "中心",
    "室",
    "处",
    "所",
    "站",
    "队",
    "会",
    "部",
    "镇",
    "乡",
    "街道办事处",
    "管委会",
    "办事处",
    "公司",
];

fn looks_like_signature(p: &P) -> bool {
    let t = &p.text;
    let n = t.chars().count();
    (2..=40).contains(&n)
        && !t.contains(['。', '，', '；', '：'])
        && (p.para.align != Align::Left || AGENCY_ENDINGS.iter().any(|e| t.ends_with(e)))
}

impl Mapper {
    pub(in crate::import) fn prose(&mut self, doc: &Document) -> Prose {
        // Paragraphs with their text cleaned, and which part each falls in.
        let mut paras: Vec<P> = Vec::new();
        let mut after_table: Vec<bool> = Vec::new();
        let mut table_seen = false;
        for b in &doc.blocks {
            match b {
                Block::Para(p) => {
                    let text = clean_paragraph(&p.text);
                    if text.is_empty() {
                        continue;
                    }
                    paras.push(P { text, para: p });
                    after_table.push(table_seen);
                }
                Block::Table(_) => table_seen = true,
            }
        }
        let _ = after_table;
        // The six headings, in order; a heading may be missing.
        let mut heading_at: [Option<usize>; 6] = [None; 6];
        let mut next = 0;
        for (i, p) in paras.iter().enumerate() {
            if next >= 6 {
                break;
            }
            if let Some(j) = (next..6).find(|&j| self.is_heading(p, j)) {
                heading_at[j] = Some(i);
                next = j + 1;
            }
        }
        let missing_headings = (0..6)
            .filter(|&j| heading_at[j].is_none())
            .map(|j| PART_HEADINGS[j])
            .collect();
        let first_heading = heading_at
            .iter()
            .flatten()
            .next()
            .copied()
            .unwrap_or(paras.len());

        // Title: the first lines, centred or set as a heading or naming the report.
        let mut title_lines = Vec::new();
        let mut i = 0;
        while i < first_heading && i < 4 {
            let p = &paras[i];
            let short = p.text.chars().count() <= 40 && !p.text.contains('。');
            let titled = p.para.align == Align::Center
                || p.para.heading
                || p.text.contains("报告")
                || p.text.contains("年报");
            if short && titled {
                title_lines.push(p.text.clone());
                i += 1;
            } else {
                break;
            }
        }
        let title = if title_lines.is_empty() {
            doc.title_hint.as_deref().map(title_text)
        } else {
            Some(title_text(&title_lines.join("")))
        };
        let preamble: Vec<String> = paras[i..first_heading]
            .iter()
            .map(|p| p.text.clone())
            .collect();
        let (mut agency, mut year) = title.as_deref().map(agency_year).unwrap_or((None, None));
        if year.is_none() {
            year = paras
                .iter()
                .take(first_heading + 4)
                .find_map(|p| year_from_text(&p.text));
        }

        // The parts.
        let mut parts = Vec::new();
        let mut date = None;
        let last_found = (0..6).rev().find(|&j| heading_at[j].is_some());
        for j in 0..6 {
            let Some(h) = heading_at[j] else {
                parts.push(json!({"paragraphs": [], "items": []}));
                continue;
            };
            let end = ((j + 1)..6)
                .find_map(|k| heading_at[k])
                .unwrap_or(paras.len());
            let mut body: Vec<&P> = paras[h + 1..end].iter().collect();
            if Some(j) == last_found {
                if let Some((d, signature)) = self.signature(&mut body) {
                    date = d;
                    if agency.is_none() {
                        agency = signature;
                    }
                }
            }
            if (1..=3).contains(&j) {
                let texts: Vec<&str> = body.iter().map(|p| p.text.as_str()).collect();
                parts.push(json!({ "paragraphs": texts }));
            } else {
                parts.push(self.section(&body, j));
            }
        }
        if agency.is_none() {
            self.warn(
                Some("agency".into()),
                None,
                "没有找到报告机关：标题和署名中都没有机关名称".into(),
            );
        }
        if year.is_none() {
            self.warn(
                Some("year".into()),
                None,
                "没有找到报告年度：标题中没有“XXXX年”".into(),
            );
        }
        Prose {
            title,
            agency,
            year,
            date,
            preamble,
            parts,
            missing_headings,
        }
    }

    /// Whether a paragraph is the heading of part `j` (0-based), and notes a variant.
    fn is_heading(&mut self, p: &P, j: usize) -> bool {
        let key = label_key(&p.text);
        let Some((n, end)) = part_number(&key) else {
            return false;
        };
        if n != j + 1 || key.chars().count() > 40 {
            return false;
        }
        let official = label_key(PART_HEADINGS[j]);
        let (_, oend) = part_number(&official).unwrap_or((0, 0));
        let (rest, orest) = (&key[end..], &official[oend..]);
        if rest == orest {
            return true;
        }
        if similarity(rest, orest) >= 0.45 {
            self.info(
                None,
                Some(&p.para.origin),
                format!(
                    "标题印作“{}”，格式为“{}”：按“{}”读取",
                    p.text, PART_HEADINGS[j], PART_HEADINGS[j]
                ),
            );
            return true;
        }
        false
    }

    /// Takes the signature and date (成文日期) off the end of the last part.
    fn signature(&mut self, body: &mut Vec<&P>) -> Option<(Option<String>, Option<String>)> {
        let last = body.last()?;
        let mut agency = None;
        let (y, m, d);
        if let Some(date) = parse_date(&last.text) {
            (y, m, d) = date;
            body.pop();
            if let Some(sig) = body.last() {
                if looks_like_signature(sig) {
                    agency = Some(sig.text.clone());
                    body.pop();
                }
            }
        } else {
            // Signature and date on one line: "某某局 2024年1月17日".
            let (head, tail) = last.text.rsplit_once(char::is_whitespace)?;
            let date = parse_date(tail)?;
            let head = head.trim_matches(is_space);
            if head.chars().count() > 40 || head.contains('。') {
                return None;
            }
            (y, m, d) = date;
            agency = Some(head.to_string());
            body.pop();
        }
        let date = crate::model::ReportDate::new(y, m, d).map(|d| d.to_string());
        if date.is_none() {
            self.warn(
                Some("date".into()),
                None,
                format!("文末的日期 {y}年{m}月{d}日 不是有效的日期：没有导入"),
            );
        }
        Some((date, agency))
    }

    /// A prose part: paragraphs, then items nested by their numbering.
    fn section(&mut self, body: &[&P], part: usize) -> Value {
        let mut root = ItemNode::default();
        // The path of the open items, outermost first.
        let mut open: Vec<usize> = Vec::new();
        for p in body {
            if p.text.starts_with("（文字描述") {
                self.warn(
                    None,
                    Some(&p.para.origin),
                    format!("“{}”只有模板的占位文字“{}”", PART_HEADINGS[part], p.text),
                );
            }
            if let Some(item) = self.item(p) {
                let style = item.style;
                // Close the open items at this level or deeper.
                while let Some(&top) = open.last() {
                    let node = node_at(&root, &open[..open.len() - 1], top);
                    if node.style >= style {
                        open.pop();
                    } else {
                        break;
                    }
                }
                let parent = node_mut(&mut root, &open);
                parent.items.push(item);
                open.push(parent.items.len() - 1);
                continue;
            }
            node_mut(&mut root, &open).paragraphs.push(p.text.clone());
        }
        json!({
            "paragraphs": root.paragraphs,
            "items": root.items.iter().map(ItemNode::to_json).collect::<Vec<_>>(),
        })
    }

    /// A numbered item: its title, and the rest of its paragraph when run in.
    fn item(&mut self, p: &P) -> Option<ItemNode> {
        let (style, _n, end) = item_number(&p.text)?;
        let rest = p.text[end..].trim_start_matches(is_space);
        if rest.is_empty() {
            return None;
        }
        let rest_at = p.text.len() - rest.len();
        // The title by typography (another font, bold), else the first sentence.
        let lead = p.para.lead;
        let (title, body) = if lead > rest_at && p.text.is_char_boundary(lead.min(p.text.len())) {
            let lead = lead.min(p.text.len());
            (
                p.text[rest_at..lead].to_string(),
                p.text[lead..].to_string(),
            )
        } else if p.para.heading {
            (rest.to_string(), String::new())
        } else {
            match rest
                .char_indices()
                .find(|(_, c)| matches!(c, '。' | '：' | ':'))
            {
                Some((i, c)) => (
                    rest[..i + c.len_utf8()].to_string(),
                    rest[i + c.len_utf8()..].to_string(),
                ),
                None => (rest.to_string(), String::new()),
            }
        };
        let title = title.trim_matches(is_space).to_string();
        let body = body.trim_matches(is_space).to_string();
        let _ = Origin::Paragraph { index: 0 };
        Some(ItemNode {
            title,
            run_in: !body.is_empty(),
            paragraphs: if body.is_empty() {
                Vec::new()
            } else {
                vec![body]
            },
            items: Vec::new(),
            style: Some(style),
        })
    }
}

fn node_at<'a>(root: &'a ItemNode, path: &[usize], last: usize) -> &'a ItemNode {
    let mut n = root;
    for &i in path {
        n = &n.items[i];
    }
    &n.items[last]
}

fn node_mut<'a>(root: &'a mut ItemNode, path: &[usize]) -> &'a mut ItemNode {
    let mut n = root;
    for &i in path {
        n = &mut n.items[i];
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_give_agency_and_year() {
        assert_eq!(
            agency_year("淮安市人民政府2024年政府信息公开工作年度报告"),
            (Some("淮安市人民政府".into()), Some(2024))
        );
        assert_eq!(
            agency_year("政府信息公开工作年度报告格式模板"),
            (None, None)
        );
        assert_eq!(
            title_text("卞路口乡人民政府 2023 年政府信息公开工作年度 报告"),
            "卞路口乡人民政府2023年政府信息公开工作年度报告"
        );
        assert_eq!(
            year_from_text("所列数据统计期限为 2023 年 1 月 1 日至12月31日"),
            Some(2023)
        );
    }
}
