//! Normalising what real reports vary: full/half-width brackets and digits,
//! whitespace and line breaks inside labels, `1.`/`1、`, quotes; item numbers;
//! dates; cleaning paragraph text.

/// Whether a character is whitespace of any kind a report may carry (ASCII,
/// NBSP, U+3000, zero-width characters).
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{a0}'
        )
}

/// A full-width ASCII character as its half-width form (digits, letters, `.`,
/// `/`, `-`, `+`, `,`…); others unchanged.
pub fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

/// The key a label is compared by: no whitespace at all, full-width digits and
/// letters as ASCII, brackets full-width, `1、`/`1．` as `1.`, no quotes, colons
/// full-width, the dash forms as one.
pub fn label_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_digit = false;
    for c in s.chars() {
        if is_space(c) {
            continue;
        }
        let c = match c {
            '(' | '（' | '﹙' => '（',
            ')' | '）' | '﹚' => '）',
            '“' | '”' | '"' | '‘' | '’' | '\'' | '「' | '」' | '『' | '』' => continue,
            ':' | '：' => '：',
            '、' | '．' | '.' if prev_digit => '.',
            '，' | ',' => '，',
            c => half_width(c),
        };
        prev_digit = c.is_ascii_digit();
        out.push(c);
    }
    out
}

/// Chinese numerals 一 … 九十九 as numbers.
pub fn chinese_number(s: &str) -> Option<usize> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c).filter(|&d| d > 0),
        ['十', o] => digit(*o).map(|d| 10 + d),
        [t, '十'] => digit(*t).map(|d| d * 10),
        [t, '十', o] => Some(digit(*t)? * 10 + digit(*o)?),
        _ => None,
    }
}

/// The numbering style of an item (`（一）`, `1.`, `（1）`), outermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Numbering {
    /// （一）
    Paren,
    /// 1. or 1、
    Arabic,
    /// （1）
    ParenArabic,
}

/// An item number at the start of a text: its style, its value, and the
/// byte offset where the text after it starts.
pub fn item_number(text: &str) -> Option<(Numbering, usize, usize)> {
    let t = text;
    let open = t.strip_prefix('（').or_else(|| t.strip_prefix('('));
    if let Some(rest) = open {
        let open_len = t.len() - rest.len();
        let close = rest.find(['）', ')'])?;
        let inner: String = rest[..close].chars().filter(|c| !is_space(*c)).collect();
        let close_len = rest[close..].chars().next()?.len_utf8();
        let end = open_len + close + close_len;
        if let Some(n) = chinese_number(&inner) {
            return Some((Numbering::Paren, n, end));
        }
        let digits: String = inner.chars().map(half_width).collect();
        if !digits.is_empty() && digits.len() <= 3 && digits.chars().all(|c| c.is_ascii_digit()) {
            return Some((Numbering::ParenArabic, digits.parse().ok()?, end));
        }
        return None;
    }
    let mut digits = String::new();
    let mut end = 0;
    for (i, c) in t.char_indices() {
        let h = half_width(c);
        if h.is_ascii_digit() {
            digits.push(h);
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    let rest = &t[end..];
    let sep = rest.chars().next()?;
    if !matches!(sep, '.' | '、' | '．') {
        return None;
    }
    // "1.5万" is a number, not an item.
    if sep == '.' && rest[1..].chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((
        Numbering::Arabic,
        digits.parse().ok()?,
        end + sep.len_utf8(),
    ))
}

/// A part number at the start of a text: `一、` → (1, offset after it).
pub fn part_number(text: &str) -> Option<(usize, usize)> {
    let sep = text.find(['、', '.', '．'])?;
    let n: String = text[..sep].chars().filter(|c| !is_space(*c)).collect();
    let n = chinese_number(&n)?;
    let sep_len = text[sep..].chars().next()?.len_utf8();
    Some((n, sep + sep_len))
}

/// Paragraph text cleaned: runs of ASCII whitespace (markup line breaks)
/// collapsed to one space, whitespace of every kind trimmed at both ends.
pub fn clean_paragraph(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out.trim_matches(is_space).to_string()
}

/// A date as printed (`2024年1月17日`, `2024 年 1 月 17 日`, `二〇二四年一月十七日`,
/// `2024-01-17`) as (year, month, day).
pub fn parse_date(text: &str) -> Option<(u16, u8, u8)> {
    let t: String = text
        .chars()
        .filter(|c| !is_space(*c))
        .map(half_width)
        .collect();
    if let Some((y, rest)) = t.split_once('年') {
        let (m, rest) = rest.split_once('月')?;
        let d = rest
            .strip_suffix('日')
            .or_else(|| rest.strip_suffix('号'))?;
        let year = if y.chars().all(|c| c.is_ascii_digit()) {
            y.parse().ok()?
        } else {
            let digits: Option<String> = y
                .chars()
                .map(|c| match c {
                    '〇' | '○' | '零' | 'О' | 'O' => Some('0'),
                    c => chinese_number(&c.to_string()).map(|d| char::from(b'0' + d as u8)),
                })
                .collect();
            digits?.parse().ok()?
        };
        let small = |s: &str| -> Option<u8> {
            if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                s.parse().ok()
            } else {
                chinese_number(s).and_then(|n| u8::try_from(n).ok())
            }
        };
        return Some((year, small(m)?, small(d)?));
    }
    let mut parts = t.split(['-', '/', '.']);
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((y, m, d))
}

/// Text similarity in 0..=1 (normalised Levenshtein over characters).
pub fn similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_compare_by_key() {
        assert_eq!(
            label_key("（二）部分公开（区分处理的，只计这一情 形，不计其他情形）"),
            label_key("(二) 部分公开(区分处理的,只计这一情形,不计其他情形)")
        );
        assert_eq!(label_key("商业企\n业"), "商业企业");
        assert_eq!(label_key("1、申请人"), "1.申请人");
        assert_eq!(label_key("１．申请人"), "1.申请人");
        assert_eq!(
            label_key("3.危及\"三安全一稳定\""),
            label_key("3.危及“三安全一稳定”")
        );
        assert_eq!(label_key("总 计\u{a0}"), "总计");
        assert_eq!(label_key("第二十条 第（一）项"), "第二十条第（一）项");
    }

    #[test]
    fn item_numbers() {
        assert_eq!(
            item_number("（一）主动公开"),
            Some((Numbering::Paren, 1, 9))
        );
        assert_eq!(item_number("(十二)x").map(|n| n.1), Some(12));
        assert_eq!(
            item_number("1、其他").map(|n| (n.0, n.1)),
            Some((Numbering::Arabic, 1))
        );
        assert_eq!(item_number("12.其他").map(|n| n.1), Some(12));
        assert_eq!(
            item_number("（3）推进").map(|n| n.0),
            Some(Numbering::ParenArabic)
        );
        assert_eq!(item_number("1.5万件"), None);
        assert_eq!(item_number("2023年"), None);
        assert_eq!(item_number("（文字描述）"), None);
        assert_eq!(part_number("三 、本年度"), Some((3, 7)));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024年1月17日"), Some((2024, 1, 17)));
        assert_eq!(parse_date(" 2024 年 1 月 17 日\n"), Some((2024, 1, 17)));
        assert_eq!(parse_date("二〇二四年一月十七日"), Some((2024, 1, 17)));
        assert_eq!(parse_date("2024-01-17"), Some((2024, 1, 17)));
        assert_eq!(parse_date("沭阳县发展和改革局"), None);
    }

    #[test]
    fn paragraphs_are_cleaned() {
        assert_eq!(
            clean_paragraph(" \u{3000}\u{a0}\u{3000}无其他\n  事项\u{a0}\u{a0}"),
            "无其他 事项"
        );
    }
}
