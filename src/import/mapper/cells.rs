//! A table cell's text as a value: blank is not zero; a number with a note or
//! unit gives the number and the note, quoted.

use crate::model::labels::ActiveKind;

use super::super::normalize::{half_width, is_space};

/// What a cell holds.
#[derive(Clone, Debug, PartialEq)]
pub enum CellValue {
    /// Nothing printed: blank, whitespace, `/`, `-`, `—`. Stays missing (R6).
    Blank,
    /// A number; `note` is what the cell prints besides it (a unit, a remark).
    Number {
        value: serde_json::Value,
        note: Option<String>,
    },
    /// Text that is not a number. Stays missing, and is reported.
    Unreadable,
}

/// Marks that mean "nothing" in a cell.
const BLANK_MARKS: &[&str] = &["/", "／", "-", "－", "—", "——", "–", "\\", "无", "空"];

/// Reads a cell of a kind: a count, a signed change (2019 本年增/减) or an
/// amount kept as written.
pub fn read_cell(text: &str, kind: ActiveKind) -> CellValue {
    let t: String = text.trim_matches(is_space).to_string();
    let compact: String = t.chars().filter(|c| !is_space(*c)).collect();
    if compact.is_empty() || BLANK_MARKS.contains(&compact.as_str()) {
        return CellValue::Blank;
    }
    // The leading number: sign, digits (thousands separators allowed), and
    // for amounts a decimal part.
    let chars: Vec<char> = compact.chars().map(half_width).collect();
    let mut i = 0;
    let mut sign = "";
    if matches!(chars.first(), Some('+') | Some('-') | Some('－')) && chars.len() > 1 {
        sign = if chars[0] == '+' { "" } else { "-" };
        i = 1;
    }
    let start = i;
    let mut digits = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            digits.push(c);
        } else if matches!(c, ',' | '，')
            && i + 3 < chars.len() + 1
            && chars[i + 1..].iter().take(3).all(|d| d.is_ascii_digit())
            && !digits.is_empty()
        {
            // A thousands separator: "3,985,758".
        } else {
            break;
        }
        i += 1;
    }
    if digits.is_empty() {
        return CellValue::Unreadable;
    }
    let mut fraction = String::new();
    if kind == ActiveKind::Amount && chars.get(i) == Some(&'.') {
        let mut j = i + 1;
        while j < chars.len() && chars[j].is_ascii_digit() {
            fraction.push(chars[j]);
            j += 1;
        }
        if !fraction.is_empty() {
            i = j;
        }
    }
    let _ = start;
    // The note as printed (not half-width).
    let rest: String = compact.chars().skip(i).collect();
    let rest = rest.trim_matches(is_space).to_string();
    let value = match kind {
        ActiveKind::Amount => {
            if sign == "-" {
                // A negative amount is printed as is; the loader says it is bad.
                let text = format!("-{digits}{}", dotted(&fraction));
                serde_json::Value::String(text)
            } else {
                serde_json::Value::String(format!("{digits}{}", dotted(&fraction)))
            }
        }
        ActiveKind::Count | ActiveKind::Change => {
            let Ok(n) = format!("{sign}{digits}").parse::<i64>() else {
                return CellValue::Unreadable;
            };
            // A decimal in a count cell ("1.5") is printed as is: the loader
            // reports it (R5).
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                let text: String = chars[start.saturating_sub(sign.len())..].iter().collect();
                let end = text
                    .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                    .unwrap_or(text.len());
                if let Ok(f) = text[..end].parse::<f64>() {
                    let rest = text[end..].trim_matches(is_space).to_string();
                    return CellValue::Number {
                        value: serde_json::Number::from_f64(f)
                            .map(serde_json::Value::Number)
                            .unwrap_or(serde_json::Value::Null),
                        note: (!rest.is_empty()).then_some(rest),
                    };
                }
            }
            serde_json::Value::from(n)
        }
    };
    CellValue::Number {
        value,
        note: (!rest.is_empty()).then_some(rest),
    }
}

fn dotted(fraction: &str) -> String {
    if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn count(t: &str) -> CellValue {
        read_cell(t, ActiveKind::Count)
    }

    #[test]
    fn blank_is_not_zero() {
        for t in ["", " ", "\u{a0}", "\u{3000}\u{3000}", "/", "-", "—", "\n"] {
            assert_eq!(count(t), CellValue::Blank, "{t:?}");
        }
        assert_eq!(
            count("0"),
            CellValue::Number {
                value: json!(0),
                note: None
            }
        );
    }

    #[test]
    fn numbers_with_notes_keep_the_note() {
        assert_eq!(
            count("22（其中修订16件）"),
            CellValue::Number {
                value: json!(22),
                note: Some("（其中修订16件）".into())
            }
        );
        assert_eq!(
            read_cell("73802895.90元", ActiveKind::Amount),
            CellValue::Number {
                value: json!("73802895.90"),
                note: Some("元".into())
            }
        );
        assert_eq!(
            count("251000元"),
            CellValue::Number {
                value: json!(251000),
                note: Some("元".into())
            }
        );
        assert_eq!(
            count("3,985,758"),
            CellValue::Number {
                value: json!(3985758),
                note: None
            }
        );
        assert_eq!(
            count("\u{a0}２０\u{a0}"),
            CellValue::Number {
                value: json!(20),
                note: None
            }
        );
    }

    #[test]
    fn signs_and_amounts() {
        assert_eq!(
            read_cell("-18", ActiveKind::Change),
            CellValue::Number {
                value: json!(-18),
                note: None
            }
        );
        assert_eq!(
            read_cell("+19", ActiveKind::Change),
            CellValue::Number {
                value: json!(19),
                note: None
            }
        );
        assert_eq!(
            read_cell("96171.6", ActiveKind::Amount),
            CellValue::Number {
                value: json!("96171.6"),
                note: None
            }
        );
        assert_eq!(count("见附件"), CellValue::Unreadable);
    }
}
