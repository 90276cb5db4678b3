//! A data file as a tree of values, each with its byte range in the text.
//!
//! TOML, JSON and YAML are parsed by their own crates (toml_edit, jsonc-parser,
//! yaml-rust2) into this one tree, so that the reader of the data model
//! (`model::read`) is written once and every value it complains about can be
//! shown with its source line. Values that come from elsewhere (an imported
//! published report, a workbook, the web editor's JSON) are trees too, with
//! empty spans.

use std::ops::Range;

use super::Format;

/// A byte range in the source text.
pub type Span = Range<usize>;

/// A value of a data file.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A whole number, with the text it was written as.
    Integer(i128),
    /// A number with a fraction or exponent, and the text it was written as
    /// (so an amount such as `7730.280` keeps its digits).
    Float {
        value: f64,
        text: String,
    },
    String(String),
    /// A TOML date or date-time, as written.
    Datetime(String),
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

/// A key of a table and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub node: Node,
}

/// A value and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    /// A node without a place in any text.
    pub fn detached(value: Value) -> Node {
        Node { value, span: 0..0 }
    }

    /// What kind of value this is, in words, for messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "an empty value",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) => "a whole number",
            Value::Float { .. } => "a number with a fraction",
            Value::String(_) => "a text",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "a list",
            Value::Table(_) => "a table",
        }
    }

    /// The node from a JSON value (no spans): for data that did not come from a file.
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Value::Integer(i as i128),
                (None, Some(u)) => Value::Integer(u as i128),
                _ => Value::Float {
                    value: n.as_f64().unwrap_or(f64::NAN),
                    text: n.to_string(),
                },
            },
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::Array(items.iter().map(Node::from_json).collect()),
            J::Object(map) => Value::Table(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: 0..0,
                        node: Node::from_json(v),
                    })
                    .collect(),
            ),
        };
        Node::detached(value)
    }
}

/// A syntax error, with where it is when the parser says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Option<Span>,
}

/// Parses a data file's text.
pub fn parse(text: &str, format: Format) -> Result<Node, SyntaxError> {
    match format {
        Format::Toml => toml::parse(text),
        Format::Json => json::parse(text),
        Format::Yaml => yaml::parse(text),
    }
}

mod toml {
    use toml_edit::{ImDocument, InlineTable, Item, Table, Value as TValue};

    use super::{Entry, Node, Span, SyntaxError, Value};

    pub fn parse(text: &str) -> Result<Node, SyntaxError> {
        let doc = ImDocument::parse(text).map_err(|e| SyntaxError {
            message: e.message().trim().to_string(),
            span: e.span(),
        })?;
        Ok(table(text, doc.as_table(), 0..text.len()))
    }

    fn span_or(span: Option<Span>, fallback: &Span) -> Span {
        span.unwrap_or_else(|| fallback.clone())
    }

    fn table(text: &str, t: &Table, span: Span) -> Node {
        let mut entries = Vec::new();
        for (name, _) in t.iter() {
            let Some((key, item)) = t.get_key_value(name) else {
                continue;
            };
            let key_span = span_or(key.span(), &span);
            if let Some(node) = item_node(text, item, &key_span) {
                entries.push(Entry {
                    key: name.to_string(),
                    key_span,
                    node,
                });
            }
        }
        Node::new(Value::Table(entries), span)
    }

    fn inline(text: &str, t: &InlineTable, span: Span) -> Node {
        let mut entries = Vec::new();
        for (name, _) in t.iter() {
            let Some((key, item)) = t.get_key_value(name) else {
                continue;
            };
            let key_span = span_or(key.span(), &span);
            if let Some(node) = item_node(text, item, &key_span) {
                entries.push(Entry {
                    key: name.to_string(),
                    key_span,
                    node,
                });
            }
        }
        Node::new(Value::Table(entries), span)
    }

    fn item_node(text: &str, item: &Item, key_span: &Span) -> Option<Node> {
        match item {
            Item::None => None,
            Item::Value(v) => Some(value(text, v, key_span)),
            Item::Table(t) => Some(table(text, t, span_or(t.span(), key_span))),
            Item::ArrayOfTables(a) => {
                let items = a
                    .iter()
                    .map(|t| table(text, t, span_or(t.span(), key_span)))
                    .collect();
                Some(Node::new(Value::Array(items), span_or(a.span(), key_span)))
            }
        }
    }

    fn value(text: &str, v: &TValue, key_span: &Span) -> Node {
        let span = span_or(v.span(), key_span);
        let value = match v {
            TValue::String(s) => Value::String(s.value().clone()),
            TValue::Integer(i) => Value::Integer(*i.value() as i128),
            TValue::Float(f) => Value::Float {
                value: *f.value(),
                text: text
                    .get(span.clone())
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            },
            TValue::Boolean(b) => Value::Bool(*b.value()),
            TValue::Datetime(d) => Value::Datetime(d.value().to_string()),
            TValue::Array(a) => Value::Array(a.iter().map(|v| value(text, v, &span)).collect()),
            TValue::InlineTable(t) => return inline(text, t, span),
        };
        Node::new(value, span)
    }
}

mod json {
    use jsonc_parser::ast::{ObjectPropName, Value as JValue};
    use jsonc_parser::common::Ranged;
    use jsonc_parser::{CollectOptions, ParseOptions};

    use super::{Entry, Node, Span, SyntaxError, Value};

    pub fn parse(text: &str) -> Result<Node, SyntaxError> {
        let options = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
        };
        let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options)
            .map_err(|e| SyntaxError {
                message: e.kind().to_string(),
                span: Some(e.range().start..e.range().end),
            })?;
        match parsed.value {
            Some(v) => convert(v),
            None => Ok(Node::new(Value::Null, 0..0)),
        }
    }

    fn span(r: jsonc_parser::common::Range) -> Span {
        r.start..r.end
    }

    fn convert(v: JValue) -> Result<Node, SyntaxError> {
        let s = span(v.range());
        let value = match v {
            JValue::StringLit(s) => Value::String(s.value.into_owned()),
            JValue::NumberLit(n) => number(n.value).ok_or_else(|| SyntaxError {
                message: format!("`{}` is not a JSON number", n.value),
                span: Some(s.clone()),
            })?,
            JValue::BooleanLit(b) => Value::Bool(b.value),
            JValue::NullKeyword(_) => Value::Null,
            JValue::Array(a) => Value::Array(
                a.elements
                    .into_iter()
                    .map(convert)
                    .collect::<Result<_, _>>()?,
            ),
            JValue::Object(o) => {
                let mut entries = Vec::new();
                for p in o.properties {
                    let (key, key_span) = match p.name {
                        ObjectPropName::String(s) => (s.value.into_owned(), span(s.range)),
                        ObjectPropName::Word(w) => (w.value.to_string(), span(w.range)),
                    };
                    entries.push(Entry {
                        key,
                        key_span,
                        node: convert(p.value)?,
                    });
                }
                Value::Table(entries)
            }
        };
        Ok(Node::new(value, s))
    }

    fn number(text: &str) -> Option<Value> {
        let strict = text
            .strip_prefix('-')
            .unwrap_or(text)
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        if !strict {
            return None;
        }
        if let Ok(i) = text.parse::<i128>() {
            return Some(Value::Integer(i));
        }
        text.parse::<f64>().ok().map(|value| Value::Float {
            value,
            text: text.to_string(),
        })
    }
}

mod yaml {
    use std::collections::HashMap;

    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::{Marker, TScalarStyle};
    use yaml_rust2::Yaml;

    use super::{Entry, Node, Span, SyntaxError, Value};

    /// Byte offsets of line starts, to turn (line, column in characters) into bytes.
    struct Lines<'a> {
        text: &'a str,
        starts: Vec<usize>,
    }

    impl<'a> Lines<'a> {
        fn new(text: &'a str) -> Lines<'a> {
            let mut starts = vec![0];
            starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
            Lines { text, starts }
        }

        /// The byte offset of a marker (line 1-based, column 0-based in characters).
        fn offset(&self, m: &Marker) -> usize {
            let Some(&start) = self.starts.get(m.line().saturating_sub(1)) else {
                return self.text.len();
            };
            let line = &self.text[start..];
            start
                + line
                    .char_indices()
                    .nth(m.col())
                    .map_or(line.len(), |(i, _)| i)
        }

        /// The span of a scalar that starts at `start`.
        fn scalar_span(&self, start: usize, value: &str, style: TScalarStyle) -> Span {
            let rest = &self.text[start.min(self.text.len())..];
            let end = match style {
                TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                    let quote = if style == TScalarStyle::SingleQuoted {
                        '\''
                    } else {
                        '"'
                    };
                    let mut escaped = false;
                    rest.char_indices()
                        .skip(1)
                        .find(|&(_, c)| {
                            let close = c == quote && !escaped;
                            escaped = c == '\\' && !escaped && quote == '"';
                            close
                        })
                        .map_or(rest.len(), |(i, c)| i + c.len_utf8())
                }
                _ if rest.starts_with(value) && !value.is_empty() => value.len(),
                _ => {
                    let line = rest.split('\n').next().unwrap_or_default();
                    let line = line.split(" #").next().unwrap_or_default();
                    line.trim_end().len()
                }
            };
            start..start + end
        }
    }

    enum Frame {
        Seq(Vec<Node>, Span, usize),
        Map(Vec<Entry>, Span, Option<(String, Span)>, usize),
    }

    struct Builder<'a> {
        lines: Lines<'a>,
        stack: Vec<Frame>,
        anchors: HashMap<usize, Node>,
        documents: Vec<Node>,
        error: Option<SyntaxError>,
    }

    impl Builder<'_> {
        fn add(&mut self, node: Node, anchor: usize) {
            if anchor > 0 {
                self.anchors.insert(anchor, node.clone());
            }
            match self.stack.last_mut() {
                None => self.documents.push(node),
                Some(Frame::Seq(items, ..)) => items.push(node),
                Some(Frame::Map(entries, _, key, _)) => match key.take() {
                    None => match node.value {
                        Value::String(k) => *key = Some((k, node.span)),
                        Value::Integer(i) => *key = Some((i.to_string(), node.span)),
                        Value::Bool(b) => *key = Some((b.to_string(), node.span)),
                        _ => {
                            if self.error.is_none() {
                                self.error = Some(SyntaxError {
                                    message: "a key must be a plain word, not a list or table"
                                        .into(),
                                    span: Some(node.span),
                                });
                            }
                        }
                    },
                    Some((k, key_span)) => entries.push(Entry {
                        key: k,
                        key_span,
                        node,
                    }),
                },
            }
        }
    }

    impl MarkedEventReceiver for Builder<'_> {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            let at = self.lines.offset(&mark);
            match ev {
                Event::Scalar(v, style, anchor, tag) => {
                    let span = self.lines.scalar_span(at, &v, style);
                    let value = if style == TScalarStyle::Plain && tag.is_none() {
                        match Yaml::from_str(&v) {
                            Yaml::Null => Value::Null,
                            Yaml::Boolean(b) => Value::Bool(b),
                            Yaml::Integer(i) => Value::Integer(i as i128),
                            Yaml::Real(r) => match r.parse::<f64>() {
                                Ok(value) => Value::Float { value, text: r },
                                Err(_) => match r.as_str() {
                                    ".inf" | ".Inf" | ".INF" | "+.inf" => Value::Float {
                                        value: f64::INFINITY,
                                        text: r,
                                    },
                                    "-.inf" | "-.Inf" | "-.INF" => Value::Float {
                                        value: f64::NEG_INFINITY,
                                        text: r,
                                    },
                                    _ => Value::Float {
                                        value: f64::NAN,
                                        text: r,
                                    },
                                },
                            },
                            _ => Value::String(v),
                        }
                    } else {
                        Value::String(v)
                    };
                    self.add(Node::new(value, span), anchor);
                }
                Event::SequenceStart(anchor, _) => {
                    self.stack.push(Frame::Seq(Vec::new(), at..at, anchor));
                }
                Event::MappingStart(anchor, _) => {
                    self.stack
                        .push(Frame::Map(Vec::new(), at..at, None, anchor));
                }
                Event::SequenceEnd => {
                    if let Some(Frame::Seq(items, span, anchor)) = self.stack.pop() {
                        let end = items.last().map_or(span.end, |n| n.span.end).max(at);
                        self.add(Node::new(Value::Array(items), span.start..end), anchor);
                    }
                }
                Event::MappingEnd => {
                    if let Some(Frame::Map(entries, span, _, anchor)) = self.stack.pop() {
                        let end = entries
                            .last()
                            .map_or(span.end, |e| e.node.span.end)
                            .max(span.end);
                        self.add(Node::new(Value::Table(entries), span.start..end), anchor);
                    }
                }
                Event::Alias(id) => {
                    let node = match self.anchors.get(&id) {
                        Some(n) => Node::new(n.value.clone(), at..at),
                        None => Node::new(Value::Null, at..at),
                    };
                    self.add(node, 0);
                }
                _ => {}
            }
        }
    }

    pub fn parse(text: &str) -> Result<Node, SyntaxError> {
        let mut builder = Builder {
            lines: Lines::new(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            documents: Vec::new(),
            error: None,
        };
        let mut parser = Parser::new_from_str(text);
        parser.load(&mut builder, true).map_err(|e| {
            let at = builder.lines.offset(e.marker());
            SyntaxError {
                message: e.info().to_string(),
                span: Some(at..at),
            }
        })?;
        if let Some(e) = builder.error {
            return Err(e);
        }
        if builder.documents.len() > 1 {
            return Err(SyntaxError {
                message:
                    "the file holds more than one YAML document (`---`); a report is one document"
                        .into(),
                span: None,
            });
        }
        Ok(builder
            .documents
            .pop()
            .unwrap_or_else(|| Node::new(Value::Null, 0..0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(node: &'a Node, path: &[&str]) -> &'a Node {
        let mut n = node;
        for p in path {
            n = match &n.value {
                Value::Table(entries) => &entries.iter().find(|e| e.key == *p).unwrap().node,
                Value::Array(items) => &items[p.parse::<usize>().unwrap()],
                _ => panic!("not a container at {p}"),
            };
        }
        n
    }

    #[test]
    fn spans_point_at_values_in_every_format() {
        let cases = [
            (
                "agency = \"甲\"\n[requests]\ngranted = [0, 5, 0]\nfee = 7730.280\n",
                Format::Toml,
            ),
            (
                "{\"agency\": \"甲\", \"requests\": {\"granted\": [0, 5, 0], \"fee\": 7730.280}}",
                Format::Json,
            ),
            (
                "agency: 甲\nrequests:\n  granted: [0, 5, 0]\n  fee: 7730.280\n",
                Format::Yaml,
            ),
        ];
        for (text, format) in cases {
            let root = parse(text, format).unwrap();
            let five = find(&root, &["requests", "granted", "1"]);
            assert_eq!(five.value, Value::Integer(5), "{format:?}");
            assert_eq!(&text[five.span.clone()], "5", "{format:?}");
            let fee = find(&root, &["requests", "fee"]);
            assert!(
                matches!(&fee.value, Value::Float { text, .. } if text == "7730.280"),
                "{format:?}: {fee:?}"
            );
            let agency = find(&root, &["agency"]);
            assert_eq!(agency.value, Value::String("甲".into()));
            assert!(text[agency.span.clone()].contains('甲'), "{format:?}");
        }
    }

    #[test]
    fn syntax_errors_have_places() {
        for (text, format) in [
            ("a = [1, 2", Format::Toml),
            ("{\"a\": [1, 2}", Format::Json),
            ("a: [1, 2", Format::Yaml),
            ("{\"a\": 1, // no comments\n}", Format::Json),
        ] {
            let e = parse(text, format).unwrap_err();
            assert!(e.span.is_some(), "{format:?}: {e:?}");
        }
    }
}
