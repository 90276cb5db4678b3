//! Key paths (`requests.granted[3]`) and where they are in a data file.

use std::collections::HashMap;
use std::fmt;

use super::tree::Span;

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

/// Where each value of a data file is: key path → byte range of the value (and
/// of its key), recorded while the file is read, so findings point into the text
/// without parsing it again.
#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
}

impl SpanIndex {
    pub(crate) fn record(&mut self, path: &str, value: &Span, key: Option<&Span>) {
        if !value.is_empty() || !self.values.contains_key(path) {
            self.values.insert(path.to_string(), value.clone());
        }
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            self.keys.insert(path.to_string(), k.clone());
        }
    }

    /// The byte range of the value at `path`, or of the nearest value above it
    /// that the file has (a missing key points at its table).
    pub fn locate(&self, path: &KeyPath) -> Option<Span> {
        let mut path = path.clone();
        loop {
            if let Some(span) = self.values.get(&path.to_string()) {
                if !span.is_empty() {
                    return Some(span.clone());
                }
            }
            if !path.pop() {
                return None;
            }
        }
    }

    /// The byte range of the key that names the value at `path`, else of the value.
    pub fn locate_key(&self, path: &KeyPath) -> Option<Span> {
        self.keys
            .get(&path.to_string())
            .cloned()
            .or_else(|| self.locate(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
