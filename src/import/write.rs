//! Writing imported data as a data file: JSON or YAML (a missing value is
//! null), or TOML (which has no null: a key with a missing value is written
//! commented out, with what is printed, so that loading reports it as R6).

use serde_json::Value;

use crate::model::labels::{self, AppealKind, RequestRow};
use crate::model::{Edition, Format};

use super::Imported;

/// The data file's text in a format.
pub fn to_format(imported: &Imported, format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = pretty_json(&imported.data);
            s.push('\n');
            s
        }
        Format::Yaml => {
            // The data is always a table of keys, which the YAML writer takes.
            let body =
                crate::model::write_data(&imported.data, Format::Yaml, None).unwrap_or_default();
            format!("{}{body}", header("# ")).replace("{file}", &imported.file)
        }
        Format::Toml => toml(imported),
    }
}

fn header(prefix: &str) -> String {
    format!(
        "{prefix}Imported by nianbao from {{file}}: what the published report prints.\n{prefix}A value the report does not print is missing (never 0): `nianbao check` lists each one (R6).\n"
    )
}

/// JSON with arrays of numbers on one line (as the expected data is written).
pub fn pretty_json(v: &Value) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    // Collapse arrays whose items are all numbers or null.
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_end().ends_with('[') {
            let mut items = Vec::new();
            let mut closing = None;
            let mut lookahead = Vec::new();
            for l in lines.by_ref() {
                lookahead.push(l);
                let t = l.trim();
                if t.starts_with(']') {
                    closing = Some(t.to_string());
                    break;
                }
                let item = t.trim_end_matches(',');
                if item == "null" || item.parse::<f64>().is_ok() {
                    items.push(item.to_string());
                } else {
                    break;
                }
            }
            if let (Some(close), false) = (&closing, items.is_empty()) {
                if items.len() + 1 == lookahead.len() {
                    out.push_str(line.trim_end());
                    out.push_str(&items.join(", "));
                    out.push_str(close);
                    out.push('\n');
                    continue;
                }
            }
            out.push_str(line);
            out.push('\n');
            for l in lookahead {
                out.push_str(l);
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(q(s)),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(q)).collect())
        .unwrap_or_default()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    if items.iter().map(String::len).sum::<usize>() < 60 && items.len() < 4 {
        return format!("[{}]", items.join(", "));
    }
    let mut s = String::from("[\n");
    for i in items {
        s.push_str(&format!("  {i},\n"));
    }
    s.push(']');
    s
}

/// A row of numbers: `[1, 2, 3]`, or None when a value is missing; the
/// printed form for the comment.
fn numbers(v: &Value) -> (Option<String>, String) {
    let Some(a) = v.as_array() else {
        return (None, "未印出".into());
    };
    let shown: Vec<String> = a
        .iter()
        .map(|x| scalar(x).unwrap_or_else(|| "空白".into()))
        .collect();
    let text = format!("[{}]", shown.join(", "));
    if a.iter().any(Value::is_null) {
        (None, text)
    } else {
        (Some(text.clone()), text)
    }
}

fn toml(imported: &Imported) -> String {
    let d = &imported.data;
    let mut o = header("# ").replace("{file}", &imported.file);
    let get = |k: &str| d.get(k).unwrap_or(&Value::Null);
    let edition =
        Edition::parse(get("edition").as_str().unwrap_or("2021")).unwrap_or(Edition::E2021);
    o.push_str(&format!(
        "# Edition: {edition} ({}); {}.\n\n",
        edition.notice(),
        imported.edition_evidence
    ));
    for key in ["edition", "agency", "year", "title", "date"] {
        match scalar(get(key)) {
            Some(v) => o.push_str(&format!("{key} = {v}\n")),
            None => o.push_str(&format!("# {key} = …  # 报告中没有印出\n")),
        }
    }
    o.push_str(&format!(
        "preamble = {}\n",
        list(&strings(d.get("preamble")))
    ));
    section(
        &mut o,
        "overview",
        get("overview"),
        labels::PART_HEADINGS[0],
    );

    // Table 2.
    o.push_str(&format!("\n# {}\n[active]\n", labels::PART_HEADINGS[1]));
    let active = get("active");
    o.push_str(&format!(
        "paragraphs = {}\n",
        list(&strings(active.get("paragraphs")))
    ));
    for block in labels::active_blocks(edition) {
        for row in block.rows {
            let v = active.get(row.key).unwrap_or(&Value::Null);
            if block.scalar() {
                match scalar(v) {
                    Some(s) => o.push_str(&format!("{} = {s}  # {}\n", row.key, row.label)),
                    None => o.push_str(&format!(
                        "# {} =   # {}：空白（未印出）\n",
                        row.key, row.label
                    )),
                }
            } else {
                let cells: Vec<(String, Option<String>)> = block
                    .columns
                    .iter()
                    .map(|c| (c.key.to_string(), v.get(c.key).and_then(scalar)))
                    .collect();
                let line = cells
                    .iter()
                    .map(|(k, v)| format!("{k} = {}", v.clone().unwrap_or_else(|| "空白".into())))
                    .collect::<Vec<_>>()
                    .join(", ");
                if cells.iter().all(|(_, v)| v.is_some()) {
                    o.push_str(&format!("{} = {{ {line} }}  # {}\n", row.key, row.label));
                } else {
                    o.push_str(&format!(
                        "# {} = {{ {line} }}  # {}：有空白（未印出）\n",
                        row.key, row.label
                    ));
                }
            }
        }
    }

    // Table 3.
    o.push_str(&format!(
        "\n# {}\n# Each row: [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计 as printed].\n[requests]\n",
        labels::PART_HEADINGS[2]
    ));
    let requests = get("requests");
    o.push_str(&format!(
        "paragraphs = {}\n",
        list(&strings(requests.get("paragraphs")))
    ));
    let mut rows: Vec<(String, String)> = RequestRow::rows_of(edition)
        .map(|r| (r.key().to_string(), r.full_label()))
        .collect();
    let at = rows.len() - 1;
    rows.insert(at, ("total".into(), labels::REQUESTS_TOTAL_ROW.into()));
    for (key, label) in rows {
        let Some(v) = requests.get(&key) else {
            continue;
        };
        match numbers(v) {
            (Some(n), _) => o.push_str(&format!("{key} = {n}  # {label}\n")),
            (None, shown) => {
                o.push_str(&format!("# {key} = {shown}  # {label}：有空白（未印出）\n"))
            }
        }
    }

    // Table 4.
    o.push_str(&format!(
        "\n# {}\n# Each group: [结果维持, 结果纠正, 其他结果, 尚未审结, 总计 as printed].\n[appeals]\n",
        labels::PART_HEADINGS[3]
    ));
    let appeals = get("appeals");
    o.push_str(&format!(
        "paragraphs = {}\n",
        list(&strings(appeals.get("paragraphs")))
    ));
    for kind in AppealKind::ALL {
        let v = appeals.get(kind.key()).unwrap_or(&Value::Null);
        match numbers(v) {
            (Some(n), _) => o.push_str(&format!("{} = {n}  # {}\n", kind.key(), kind.label())),
            (None, shown) => o.push_str(&format!(
                "# {} = {shown}  # {}：有空白（未印出）\n",
                kind.key(),
                kind.label()
            )),
        }
    }
    section(
        &mut o,
        "problems",
        get("problems"),
        labels::PART_HEADINGS[4],
    );
    section(&mut o, "other", get("other"), labels::PART_HEADINGS[5]);
    o
}

fn section(o: &mut String, key: &str, v: &Value, heading: &str) {
    o.push_str(&format!("\n# {heading}\n[{key}]\n"));
    o.push_str(&format!(
        "paragraphs = {}\n",
        list(&strings(v.get("paragraphs")))
    ));
    items(o, &format!("{key}.items"), v.get("items"));
}

fn items(o: &mut String, path: &str, v: Option<&Value>) {
    let Some(list_) = v.and_then(Value::as_array) else {
        return;
    };
    for item in list_ {
        o.push_str(&format!("\n[[{path}]]\n"));
        o.push_str(&format!(
            "title = {}\n",
            q(item.get("title").and_then(Value::as_str).unwrap_or(""))
        ));
        if item.get("run_in").and_then(Value::as_bool) == Some(true) {
            o.push_str("run_in = true\n");
        }
        o.push_str(&format!(
            "paragraphs = {}\n",
            list(&strings(item.get("paragraphs")))
        ));
        items(o, &format!("{path}.items"), item.get("items"));
    }
}
