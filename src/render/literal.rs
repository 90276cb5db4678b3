//! Typst literals: how every template value is printed.
//!
//! A string becomes a quoted Typst string (`"…"`), which Typst shows as plain
//! text whatever it contains; numbers, booleans, arrays and dictionaries
//! become the matching Typst literals. Only values marked safe by the program
//! (never data) pass through as written.

use std::fmt::Write;

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind};

/// A Typst string literal showing `s` exactly.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Prints a template value as a Typst literal.
pub fn typst_literal(value: &Value) -> Result<String, Error> {
    let mut out = String::new();
    write_literal(&mut out, value)?;
    Ok(out)
}

fn write_literal(out: &mut String, value: &Value) -> Result<(), Error> {
    match value.kind() {
        ValueKind::String if value.is_safe() => out.push_str(value.as_str().unwrap_or_default()),
        ValueKind::String => out.push_str(&typst_string(value.as_str().unwrap_or_default())),
        ValueKind::Number => {
            if let Some(i) = value.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Ok(u) = u64::try_from(value.clone()) {
                let _ = write!(out, "{u}");
            } else {
                let f = f64::try_from(value.clone()).unwrap_or(0.0);
                if !f.is_finite() {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "a number that is not finite",
                    ));
                }
                let _ = write!(out, "{f:?}");
            }
        }
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::None => out.push_str("none"),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('(');
            for item in value.try_iter()? {
                write_literal(out, &item)?;
                out.push_str(", ");
            }
            out.push(')');
        }
        ValueKind::Map => {
            let mut empty = true;
            out.push('(');
            for key in value.try_iter()? {
                let Some(k) = key.as_str() else {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "dictionary keys must be strings",
                    ));
                };
                out.push_str(&typst_string(k));
                out.push_str(": ");
                write_literal(out, &value.get_item(&key)?)?;
                out.push_str(", ");
                empty = false;
            }
            if empty {
                out.push(':');
            }
            out.push(')');
        }
        ValueKind::Undefined => {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "an undefined value cannot be printed",
            ))
        }
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("a {other} cannot be printed as a Typst literal"),
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_and_escaped() {
        assert_eq!(typst_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(typst_string("x\ny"), r#""x\ny""#);
        assert_eq!(
            typst_string("#read(\"/etc/passwd\")"),
            r##""#read(\"/etc/passwd\")""##
        );
        assert_eq!(typst_string("\u{7}"), r#""\u{7}""#);
    }

    #[test]
    fn containers_become_typst_arrays_and_dicts() {
        let v = Value::from_serialize(serde_json::json!({"a": [1, "x"], "b": {}}));
        assert_eq!(
            typst_literal(&v).unwrap(),
            r#"("a": (1, "x", ), "b": (:), )"#
        );
    }
}
