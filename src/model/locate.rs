//! Key paths (`requests.granted[3]`) and where they are in a data file.

use std::collections::HashMap;
use std::fmt;

use super::{Format, SourceText};

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path to a value in the data: `requests.granted[3]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// Parses `a.b[3].c`.
    pub fn parse(text: &str) -> KeyPath {
        let mut segs = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let mut rest = part;
            if let Some(i) = rest.find('[') {
                if i > 0 {
                    segs.push(Segment::Key(rest[..i].to_string()));
                }
                rest = &rest[i..];
                while let Some(stripped) = rest.strip_prefix('[') {
                    let end = stripped.find(']').unwrap_or(stripped.len());
                    if let Ok(n) = stripped[..end].parse() {
                        segs.push(Segment::Index(n));
                    }
                    rest = stripped.get(end + 1..).unwrap_or("");
                }
            } else {
                segs.push(Segment::Key(rest.to_string()));
            }
        }
        KeyPath(segs)
    }

    /// Drops the last step; false when the path is already empty.
    pub fn pop(&mut self) -> bool {
        self.0.pop().is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The 1-based line and column where the value at `path` starts, if the file has it.
pub fn locate(source: &SourceText, path: &KeyPath) -> Option<(usize, usize)> {
    if path.is_empty() {
        return None;
    }
    let offset = match source.format {
        Format::Toml => locate_toml(&source.text, path),
        Format::Json => locate_json(&source.text, path),
        Format::Yaml => return locate_yaml(&source.text, path),
    }?;
    Some(source.line_col(offset))
}

fn locate_toml(text: &str, path: &KeyPath) -> Option<usize> {
    use toml_edit::{Item, Table, Value};

    /// A place in a TOML document: items, tables of an array of tables, and values in arrays.
    enum Node<'a> {
        Item(&'a Item),
        Table(&'a Table),
        Value(&'a Value),
    }

    fn find(node: Node, segs: &[Segment], span: Option<usize>) -> Option<usize> {
        let Some((first, rest)) = segs.split_first() else {
            return span;
        };
        match first {
            Segment::Key(k) => {
                let table: &dyn toml_edit::TableLike = match &node {
                    Node::Item(i) => i.as_table_like()?,
                    Node::Table(t) => *t,
                    Node::Value(v) => v.as_inline_table()?,
                };
                let (key, value) = table.get_key_value(k)?;
                let here = key.span().or_else(|| value.span()).map(|s| s.start);
                find(Node::Item(value), rest, here)
            }
            Segment::Index(n) => match node {
                Node::Item(Item::ArrayOfTables(tables)) => {
                    let t = tables.get(*n)?;
                    find(Node::Table(t), rest, t.span().map(|s| s.start))
                }
                Node::Item(Item::Value(Value::Array(array))) | Node::Value(Value::Array(array)) => {
                    let v = array.get(*n)?;
                    find(Node::Value(v), rest, v.span().map(|s| s.start))
                }
                _ => None,
            },
        }
    }

    let doc = toml_edit::ImDocument::parse(text).ok()?;
    find(Node::Item(doc.as_item()), &path.0, None)
}

fn locate_json(text: &str, path: &KeyPath) -> Option<usize> {
    use jsonc_parser::ast::Value;
    use jsonc_parser::common::Ranged;
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    let mut value = parsed.value?;
    let mut start = None;
    for seg in &path.0 {
        match (seg, value) {
            (Segment::Key(k), Value::Object(obj)) => {
                let prop = obj.properties.into_iter().find(|p| p.name.as_str() == k)?;
                start = Some(prop.range.start);
                value = prop.value;
            }
            (Segment::Index(n), Value::Array(arr)) => {
                let v = arr.elements.into_iter().nth(*n)?;
                start = Some(v.start());
                value = v;
            }
            _ => return None,
        }
    }
    start
}

fn locate_yaml(text: &str, path: &KeyPath) -> Option<(usize, usize)> {
    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::Marker;

    /// Records the position of every scalar key and sequence element by key path.
    #[derive(Default)]
    struct Recorder {
        /// For each open container: mapping (awaiting key?, current key) or sequence (index).
        stack: Vec<Frame>,
        path: Vec<Segment>,
        positions: HashMap<Vec<Segment>, Marker>,
    }
    enum Frame {
        Map { expecting_key: bool },
        Seq { next: usize },
    }
    impl Recorder {
        /// Called when a value (scalar or container start) arrives.
        fn value_start(&mut self, mark: Marker) -> bool {
            match self.stack.last_mut() {
                Some(Frame::Map { expecting_key }) if *expecting_key => {
                    // This is a key; handled by the caller.
                    true
                }
                Some(Frame::Seq { next }) => {
                    self.path.push(Segment::Index(*next));
                    *next += 1;
                    self.positions.entry(self.path.clone()).or_insert(mark);
                    false
                }
                _ => false,
            }
        }
        fn value_end(&mut self) {
            match self.stack.last_mut() {
                Some(Frame::Map { expecting_key }) => {
                    *expecting_key = true;
                    self.path.pop();
                }
                Some(Frame::Seq { .. }) => {
                    self.path.pop();
                }
                None => {}
            }
        }
    }
    impl MarkedEventReceiver for Recorder {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            match ev {
                Event::Scalar(value, ..) => {
                    if self.value_start(mark) {
                        if let Some(Frame::Map { expecting_key }) = self.stack.last_mut() {
                            *expecting_key = false;
                        }
                        self.path.push(Segment::Key(value));
                        self.positions.entry(self.path.clone()).or_insert(mark);
                    } else {
                        self.value_end();
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let is_map = matches!(ev, Event::MappingStart(..));
                    if self.value_start(mark) {
                        // A complex key: not used by reports; treat as opaque.
                        if let Some(Frame::Map { expecting_key }) = self.stack.last_mut() {
                            *expecting_key = false;
                        }
                        self.path.push(Segment::Key(String::new()));
                    }
                    self.stack.push(if is_map {
                        Frame::Map {
                            expecting_key: true,
                        }
                    } else {
                        Frame::Seq { next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                    self.value_end();
                }
                Event::Alias(_) => {
                    self.value_start(mark);
                    self.value_end();
                }
                _ => {}
            }
        }
    }

    let mut rec = Recorder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut rec, false).ok()?;
    let mark = rec.positions.get(&path.0)?;
    Some((mark.line(), mark.col() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str, format: Format) -> SourceText {
        SourceText {
            name: "t".into(),
            dir: None,
            text: text.into(),
            format,
        }
    }

    #[test]
    fn key_paths_round_trip() {
        let p = KeyPath::parse("requests.granted[3]");
        assert_eq!(
            p.0,
            vec![
                Segment::Key("requests".into()),
                Segment::Key("granted".into()),
                Segment::Index(3)
            ]
        );
        assert_eq!(p.to_string(), "requests.granted[3]");
        assert_eq!(
            KeyPath::parse("overview.items[1].paragraphs[0]").to_string(),
            "overview.items[1].paragraphs[0]"
        );
    }

    #[test]
    fn locates_in_toml() {
        let s = src("a = 1\n[requests]\ngranted = [0, 5, 0]\n[[overview.items]]\ntitle = \"x\"\n[[overview.items]]\ntitle = \"y\"\n", Format::Toml);
        assert_eq!(
            locate(&s, &KeyPath::parse("requests.granted")),
            Some((3, 1))
        );
        assert_eq!(
            locate(&s, &KeyPath::parse("requests.granted[1]")),
            Some((3, 15))
        );
        assert_eq!(
            locate(&s, &KeyPath::parse("overview.items[1].title")),
            Some((7, 1))
        );
        assert_eq!(locate(&s, &KeyPath::parse("nothing")), None);
    }

    #[test]
    fn locates_in_json() {
        let s = src(
            "{\n  \"requests\": {\n    \"granted\": [0, 5]\n  }\n}",
            Format::Json,
        );
        assert_eq!(
            locate(&s, &KeyPath::parse("requests.granted")),
            Some((3, 5))
        );
        assert_eq!(
            locate(&s, &KeyPath::parse("requests.granted[1]")),
            Some((3, 20))
        );
    }

    #[test]
    fn locates_in_yaml() {
        let s = src(
            "agency: x\nrequests:\n  granted: [0, 5]\n  new:\n    - 1\n    - 2\n",
            Format::Yaml,
        );
        assert_eq!(
            locate(&s, &KeyPath::parse("requests.granted")),
            Some((3, 3))
        );
        assert_eq!(
            locate(&s, &KeyPath::parse("requests.granted[1]")),
            Some((3, 16))
        );
        assert_eq!(locate(&s, &KeyPath::parse("requests.new[1]")), Some((6, 7)));
    }
}
