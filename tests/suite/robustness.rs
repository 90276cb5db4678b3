//! Random bytes and randomly mutated valid reports never panic or hang the
//! loader and the checker (proptest, bounded in cases and time).

use std::sync::mpsc;
use std::time::Duration;

use nianbao::check::check;
use nianbao::model::{load_str, Format};
use proptest::prelude::*;
use serde_json::Value;

const FORMATS: [Format; 3] = [Format::Toml, Format::Json, Format::Yaml];

/// Loads and checks, on a thread that must finish within a generous bound.
fn load_and_check(text: String, format: Format) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(loaded) = load_str("fuzz", &text, format) {
            let findings = check(&loaded, Some(&loaded));
            let _ = findings.len();
        }
        let _ = tx.send(());
    });
    // A hang (not a slow machine) is what this catches: one input takes microseconds.
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the loader and checker finished");
}

fn example_value() -> Value {
    serde_json::to_value(&crate::common::load(&crate::common::example()).report).unwrap()
}

/// A random replacement value of any type.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        prop::collection::vec(any::<i32>().prop_map(Value::from), 0..9).prop_map(Value::Array),
    ]
}

/// Every path to a leaf or container in a JSON value.
fn paths(v: &Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| paths(c, [prefix.clone(), vec![k.clone()]].concat(), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| paths(c, [prefix.clone(), vec![i.to_string()]].concat(), out)),
        _ => {}
    }
}

fn mutate(v: &mut Value, path: &[String], op: u8, new: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = v;
    for p in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(p).unwrap(),
            Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
            _ => return,
        };
    }
    match (cur, op % 3) {
        (Value::Object(m), 0) => {
            m.remove(last);
        }
        (Value::Object(m), 1) => {
            m.insert(format!("{last}x"), new);
        }
        (Value::Object(m), _) => {
            m.insert(last.clone(), new);
        }
        (Value::Array(a), 0) => {
            a.remove(last.parse().unwrap());
        }
        (Value::Array(a), _) => {
            a[last.parse::<usize>().unwrap()] = new;
        }
        _ => {}
    }
}

fn serialize(v: &Value, format: Format) -> Option<String> {
    match format {
        Format::Json => serde_json::to_string(v).ok(),
        Format::Yaml => serde_norway::to_string(v).ok(),
        Format::Toml => toml::to_string(v).ok(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), f in 0usize..3) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        load_and_check(text, FORMATS[f]);
    }

    #[test]
    fn random_text_near_the_syntax_never_panics(text in "[\\[\\]{}=:,\"'#0-9a-z_\\-. \\n]{0,200}", f in 0usize..3) {
        load_and_check(text, FORMATS[f]);
    }

    #[test]
    fn mutated_reports_never_panic(
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any_value()), 1..6),
        f in 0usize..3,
    ) {
        let mut v = example_value();
        for (index, op, new) in picks {
            let mut all = Vec::new();
            paths(&v, Vec::new(), &mut all);
            let path = index.get(&all).clone();
            mutate(&mut v, &path, op, new);
        }
        if let Some(text) = serialize(&v, FORMATS[f]) {
            load_and_check(text, FORMATS[f]);
        }
    }
}
