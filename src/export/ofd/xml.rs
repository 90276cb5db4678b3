//! The XML of an OFD package: a small writer whose every text and attribute
//! value goes through [`escape`], the one escaping function of this format
//! (data never becomes XML markup), and the few number formats OFD uses.

/// The OFD namespace (GB/T 33190-2016 §7.1); elements take the `ofd:` prefix.
pub const NAMESPACE: &str = "http://www.ofdspec.org/2016";

/// Escapes text for XML character data and double-quoted attribute values.
/// Characters XML 1.0 cannot carry at all (most C0 controls) are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number in millimetres (or any OFD real): at most four decimals, no
/// trailing zeros, never `-0`.
pub fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let mut s = format!("{:.4}", v);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// Numbers separated by spaces (boxes, CTMs, DeltaX, colours).
pub fn nums(values: &[f64]) -> String {
    values.iter().map(|v| num(*v)).collect::<Vec<_>>().join(" ")
}

/// Writes one XML document: `ofd:`-prefixed elements, escaped attributes and
/// text.
pub struct XmlWriter {
    out: String,
    open: Vec<String>,
    /// Whether the last start tag is still open (`<a x="1"` without `>`).
    in_tag: bool,
}

impl XmlWriter {
    /// A document whose root element `ofd:{root}` declares the namespace.
    pub fn new(root: &str, attrs: &[(&str, &str)]) -> XmlWriter {
        let mut w = XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
            in_tag: false,
        };
        let mut all = vec![("xmlns:ofd", NAMESPACE)];
        all.extend_from_slice(attrs);
        w.start(root, &all);
        w
    }

    fn close_tag(&mut self) {
        if self.in_tag {
            self.out.push('>');
            self.in_tag = false;
        }
    }

    /// Opens `<ofd:{name} …>`.
    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.close_tag();
        self.out.push_str("<ofd:");
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&escape(v));
            self.out.push('"');
        }
        self.open.push(name.to_string());
        self.in_tag = true;
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) {
        let name = self.open.pop().expect("an open element");
        if self.in_tag {
            self.out.push_str("/>");
            self.in_tag = false;
        } else {
            self.out.push_str("</ofd:");
            self.out.push_str(&name);
            self.out.push('>');
        }
    }

    /// Escaped character data inside the open element.
    pub fn text(&mut self, text: &str) {
        self.close_tag();
        self.out.push_str(&escape(text));
    }

    /// `<ofd:{name} …>text</ofd:{name}>`.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        self.text(text);
        self.end();
    }

    /// `<ofd:{name} …/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.end();
    }

    /// The finished document (every element closed).
    pub fn finish(mut self) -> Vec<u8> {
        while !self.open.is_empty() {
            self.end();
        }
        self.out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_never_becomes_markup() {
        let mut w = XmlWriter::new("Doc", &[("Title", "a\"b<c>&'")]);
        w.leaf("Text", &[], "</ofd:Text><ofd:Evil/>\u{1}x");
        let xml = String::from_utf8(w.finish()).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("Title"), Some("a\"b<c>&'"));
        let kids: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(kids.len(), 1);
        assert_eq!(kids[0].text(), Some("</ofd:Text><ofd:Evil/>x"));
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(0.35277777), "0.3528");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(nums(&[0.0, 210.0, 297.5]), "0 210 297.5");
    }
}
