//! Writing a report's data back to its file, in the file's own format.
//!
//! The web editor holds the data as JSON (the tree of [`Node::to_json`]) and
//! saves it through [`write_data`]:
//!
//! - **TOML** is edited in place (toml_edit): a value the editor did not change
//!   is not touched, so the file keeps its comments (the official labels
//!   `nianbao init` writes), its layout and its key order; a changed value keeps
//!   the comment beside it. Only what changed is rewritten.
//! - **JSON** is written whole, pretty-printed, keys in the editor's order
//!   (JSON has no comments to keep).
//! - **YAML** is written whole (yaml-rust2's emitter): its comments are lost.
//!   The editor says so before the first save of a YAML file.
//!
//! A blank cell (JSON `null`) is written as `null` in JSON and YAML, and as
//! `""` in TOML, which has no empty value; the reader takes both as blank (R6).
//! An optional key set to `null` (`date`, `title`, `seal`) is left out.

use serde_json::Value as J;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value as T};

use super::tree::Node;
use super::Format;

/// Why data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the data is {0}, not a table of keys such as `agency`")]
    NotATable(&'static str),
    #[error("the existing file is not valid TOML ({0}); it cannot be edited in place")]
    Existing(String),
}

/// The text of a data file in `format` holding `data`. For TOML, `existing` is
/// the file's current text, edited in place (comments kept); without it a new
/// file is written.
pub fn write_data(data: &J, format: Format, existing: Option<&str>) -> Result<String, WriteError> {
    let J::Object(_) = data else {
        return Err(WriteError::NotATable(json_kind(data)));
    };
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(data).expect("JSON values serialize");
            text.push('\n');
            Ok(text)
        }
        Format::Yaml => Ok(yaml(data)),
        Format::Toml => {
            let mut doc = match existing {
                Some(text) => text
                    .parse::<DocumentMut>()
                    .map_err(|e| WriteError::Existing(e.message().trim().to_string()))?,
                None => DocumentMut::new(),
            };
            merge_keys(doc.as_table_mut(), data, true);
            Ok(doc.to_string())
        }
    }
}

fn json_kind(v: &J) -> &'static str {
    match v {
        J::Null => "empty",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a text",
        J::Array(_) => "a list",
        J::Object(_) => "a table",
    }
}

// ---------------------------------------------------------------------------
// TOML, edited in place
// ---------------------------------------------------------------------------

/// The JSON an existing TOML item stands for (as [`Node::to_json`] gives it).
fn item_json(item: &Item) -> J {
    match item {
        Item::None => J::Null,
        Item::Value(v) => value_json(v),
        Item::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), item_json(v)))
                .collect(),
        ),
        Item::ArrayOfTables(a) => J::Array(
            a.iter()
                .map(|t| item_json(&Item::Table(t.clone())))
                .collect(),
        ),
    }
}

fn value_json(v: &T) -> J {
    let mut bare = v.clone();
    bare.decor_mut().clear();
    let text = bare.to_string();
    // One parser for every format: the text of the value, read as a tree.
    match super::tree::parse(&format!("v = {}", text.trim()), Format::Toml) {
        Ok(Node {
            value: super::tree::Value::Table(entries),
            ..
        }) => entries
            .into_iter()
            .next()
            .map_or(J::Null, |e| e.node.to_json()),
        _ => J::Null,
    }
}

fn merge_table(table: &mut Table, data: &J) {
    merge_keys(table, data, false)
}

/// Merges the keys of `data` into `table`. A key set to `null` is left out at
/// the `root` (the optional `date`, `title`, `seal`); below it, `null` is a
/// blank cell (a scalar row of Table 2), kept as "".
fn merge_keys(table: &mut Table, data: &J, root: bool) {
    let J::Object(map) = data else {
        return;
    };
    // Keys the editor dropped.
    let gone: Vec<String> = table
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| !map.contains_key(k))
        .collect();
    for k in gone {
        table.remove(&k);
    }
    for (key, new) in map {
        if new.is_null() && root {
            table.remove(key);
            continue;
        }
        match table.get_mut(key) {
            Some(item) => merge_item(item, new),
            None => {
                table.insert(key, new_item(new, true));
            }
        }
    }
}

fn merge_item(item: &mut Item, new: &J) {
    if item_json(item) == *new {
        return;
    }
    match (&mut *item, new) {
        (Item::Table(t), J::Object(_)) => merge_table(t, new),
        (Item::ArrayOfTables(a), J::Array(list)) if list.iter().all(J::is_object) => {
            merge_tables(a, list)
        }
        (Item::Value(v), _) => merge_value(v, new),
        _ => *item = new_item(new, true),
    }
}

fn merge_tables(a: &mut ArrayOfTables, list: &[J]) {
    while a.len() > list.len() {
        a.remove(a.len() - 1);
    }
    for (i, new) in list.iter().enumerate() {
        match a.get_mut(i) {
            Some(t) => merge_table(t, new),
            None => {
                let mut t = Table::new();
                merge_table(&mut t, new);
                a.push(t);
            }
        }
    }
}

/// Replaces a value, keeping the comment and spacing around it.
fn merge_value(v: &mut T, new: &J) {
    if value_json(v) == *new {
        return;
    }
    match (&mut *v, new) {
        (T::Array(a), J::Array(list)) => {
            while a.len() > list.len() {
                a.remove(a.len() - 1);
            }
            for (i, n) in list.iter().enumerate() {
                match a.get_mut(i) {
                    Some(old) => merge_value(old, n),
                    None => a.push(new_value(n)),
                }
            }
        }
        (T::InlineTable(t), J::Object(map)) => {
            let gone: Vec<String> = t
                .iter()
                .map(|(k, _)| k.to_string())
                .filter(|k| !map.contains_key(k))
                .collect();
            for k in gone {
                t.remove(&k);
            }
            for (k, n) in map {
                match t.get_mut(k) {
                    Some(old) => merge_value(old, n),
                    None => {
                        t.insert(k, new_value(n));
                    }
                }
            }
        }
        _ => {
            let decor = v.decor().clone();
            *v = new_value(new);
            *v.decor_mut() = decor;
        }
    }
}

/// A new item: tables as `[table]` sections and lists of tables as `[[…]]`
/// at `top` level, inline otherwise.
fn new_item(new: &J, top: bool) -> Item {
    match new {
        J::Object(_) if top => {
            let mut t = Table::new();
            merge_table(&mut t, new);
            Item::Table(t)
        }
        J::Array(list) if top && !list.is_empty() && list.iter().all(J::is_object) => {
            let mut a = ArrayOfTables::new();
            merge_tables(&mut a, list);
            Item::ArrayOfTables(a)
        }
        _ => Item::Value(new_value(new)),
    }
}

fn new_value(new: &J) -> T {
    match new {
        J::Null => T::from(""),
        J::Bool(b) => T::from(*b),
        J::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => T::from(i),
            (None, Some(f)) => T::from(f),
            _ => T::from(n.to_string()),
        },
        J::String(s) => T::from(s.as_str()),
        J::Array(list) => {
            let mut a = Array::new();
            for n in list {
                a.push(new_value(n));
            }
            T::Array(a)
        }
        J::Object(map) => {
            let mut t = InlineTable::new();
            for (k, n) in map {
                t.insert(k, new_value(n));
            }
            T::InlineTable(t)
        }
    }
}

// ---------------------------------------------------------------------------
// YAML, written whole
// ---------------------------------------------------------------------------

fn yaml(data: &J) -> String {
    use yaml_rust2::{Yaml, YamlEmitter};
    fn convert(v: &J) -> Yaml {
        match v {
            J::Null => Yaml::Null,
            J::Bool(b) => Yaml::Boolean(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Yaml::Integer(i),
                None => Yaml::Real(n.to_string()),
            },
            J::String(s) => Yaml::String(s.clone()),
            J::Array(list) => Yaml::Array(list.iter().map(convert).collect()),
            J::Object(map) => Yaml::Hash(
                map.iter()
                    .map(|(k, v)| (Yaml::String(k.clone()), convert(v)))
                    .collect(),
            ),
        }
    }
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(false);
    emitter
        .dump(&convert(data))
        .expect("writing YAML to a string does not fail");
    // The emitter starts with a document marker; a report is one document.
    let body = out.strip_prefix("---\n").unwrap_or(&out);
    format!("{body}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{load_str, tree};

    const EXAMPLE: &str = include_str!("../../examples/bianlukou-2023.toml");

    fn json_of(text: &str, format: Format) -> J {
        tree::parse(text, format).unwrap().to_json()
    }

    #[test]
    fn unchanged_toml_is_written_byte_for_byte() {
        let data = json_of(EXAMPLE, Format::Toml);
        let out = write_data(&data, Format::Toml, Some(EXAMPLE)).unwrap();
        assert_eq!(out, EXAMPLE);
    }

    #[test]
    fn a_changed_cell_keeps_the_comments_around_it() {
        let mut data = json_of(EXAMPLE, Format::Toml);
        data["requests"]["new"][0] = J::from(5);
        data["requests"]["granted"][2] = J::Null;
        data["overview"]["items"][1]["title"] = J::from("新标题。");
        let out = write_data(&data, Format::Toml, Some(EXAMPLE)).unwrap();
        assert!(
            out.contains("new = [5, 0, 0, 0, 0, 0]                          # 一、本年新收政府信息公开申请数量"),
            "{out}"
        );
        assert!(out.contains("granted = [0, 0, \"\", 0, 0, 0]"), "{out}");
        assert!(out.contains("# Verbatim: the published text lacks the date"));
        assert!(out.contains("title = \"新标题。\""));
        let changed: Vec<(&str, &str)> = EXAMPLE
            .lines()
            .zip(out.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 3, "{changed:?}");
        // The blank reads back as a blank (R6), not as text.
        let loaded = load_str("t.toml", &out, Format::Toml).unwrap();
        let blank = loaded
            .problems
            .iter()
            .find(|p| p.key == "requests.granted[2]")
            .unwrap();
        assert_eq!(blank.kind, crate::model::ProblemKind::Blank);
    }

    #[test]
    fn items_and_optional_keys_are_added_and_removed() {
        let mut data = json_of(EXAMPLE, Format::Toml);
        let items = data["overview"]["items"].as_array_mut().unwrap();
        items.swap(0, 1);
        items.pop();
        data["date"] = J::from("2024-01-20");
        data["title"] = J::Null;
        data["problems"]["items"][0]["paragraphs"]
            .as_array_mut()
            .unwrap()
            .push(J::from("三是新的一段。"));
        let out = write_data(&data, Format::Toml, Some(EXAMPLE)).unwrap();
        let back = json_of(&out, Format::Toml);
        let mut expected = data.clone();
        expected.as_object_mut().unwrap().remove("title");
        assert_eq!(back, expected, "{out}");
    }

    #[test]
    fn json_and_yaml_read_back_to_the_same_data() {
        let mut data = json_of(EXAMPLE, Format::Toml);
        data["requests"]["new"][1] = J::Null;
        data["active"]["fees"] = J::from("7730.280");
        data["overview"]["paragraphs"][0] = J::from("第一行\n第二行：“引号” # 不是注释");
        for format in [Format::Json, Format::Yaml] {
            let out = write_data(&data, format, None).unwrap();
            assert_eq!(json_of(&out, format), data, "{format}: {out}");
        }
    }
}
