//! Every kind of bad input gets a clear one-paragraph error, exit 1 (2 for usage),
//! no panic, and no output file left behind.

use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use predicates::prelude::*;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn example_text() -> String {
    std::fs::read_to_string(example()).unwrap()
}

/// Renders `data` to `dir/out.pdf`, expecting failure with `code` and every
/// `needle` in the message; asserts that no PDF (or temporary file) is left.
fn fails(dir: &Path, data: &Path, code: i32, needles: &[&str]) -> String {
    let out = dir.join("out.pdf");
    let assert = nianbao()
        .arg("render")
        .arg(data)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(code);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for n in needles {
        assert!(stderr.contains(n), "expected {n:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "no output file for bad input");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.ends_with(".pdf"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // `check` says the same (usage errors aside).
    if code == 1 {
        nianbao().arg("check").arg(data).assert().code(1);
    }
    stderr
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn malformed_toml_json_yaml_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let toml = write(dir.path(), "a.toml", "agency = \"x\"\nyear = \n");
    fails(dir.path(), &toml, 1, &["a.toml:2:", "TOML"]);
    let json = write(
        dir.path(),
        "a.json",
        "{\n  \"agency\": \"x\",\n  \"year\": 2023,\n}\n",
    );
    fails(
        dir.path(),
        &json,
        1,
        &["a.json:3:", "JSON syntax error", "Trailing commas"],
    );
    let yaml = write(dir.path(), "a.yaml", "agency: \"x\nyear: 2023\n");
    fails(dir.path(), &yaml, 1, &["a.yaml", "YAML"]);
}

#[test]
fn wrong_types() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "t.toml",
        example_text().replace("year = 2023", "year = \"2023\""),
    );
    fails(
        dir.path(),
        &f,
        1,
        &["t.toml:7:8", "`year`", "报告年度应为", "整数"],
    );
    let f = write(
        dir.path(),
        "u.toml",
        example_text().replace("\nlicensing = 0", "\nlicensing = [0]"),
    );
    fails(
        dir.path(),
        &f,
        1,
        &["`active.licensing`", "error[R5]", "而不是列表"],
    );
    let f = write(
        dir.path(),
        "v.toml",
        example_text().replace("\ngranted = [0, 0, 0, 0, 0, 0]", "\ngranted = [0, 0, 0]"),
    );
    fails(
        dir.path(),
        &f,
        1,
        &[
            "`requests.granted`",
            "error[R6]",
            "应有 6 个数字",
            "只填了 3 个",
        ],
    );
}

#[test]
fn negative_fractional_and_huge_counts() {
    let dir = tempfile::tempdir().unwrap();
    for (value, words) in [
        ("-2", "件数不能为负数，填的是 -2"),
        ("2.5", "件数应为整数，填的是 2.5"),
        ("1000000001", "超过了允许的最大值"),
    ] {
        let f = write(
            dir.path(),
            "n.toml",
            example_text().replace(
                "\ngranted = [0, 0, 0, 0, 0, 0]",
                &format!("\ngranted = [0, 0, {value}, 0, 0, 0]"),
            ),
        );
        fails(
            dir.path(),
            &f,
            1,
            &["n.toml:", "`requests.granted[2]`", words],
        );
    }
}

#[test]
fn missing_row_and_unknown_key_with_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "m.toml",
        example_text().replace("\nrejected_repeated = [0, 0, 0, 0, 0, 0]", ""),
    );
    fails(
        dir.path(),
        &f,
        1,
        &[
            "`requests.rejected_repeated`",
            "（五）不予处理 2.重复申请",
            "error[R6]",
            "空白不是零",
        ],
    );
    let f = write(
        dir.path(),
        "k.toml",
        example_text().replace("\nrejected_repeated = ", "\nrejected_repeatd = "),
    );
    fails(
        dir.path(),
        &f,
        1,
        &["`requests.rejected_repeatd`", "是不是 `rejected_repeated`"],
    );
    let f = write(
        dir.path(),
        "k2.toml",
        example_text().replace("\npenalties = 0", "\npenalties = 0\npenalites = 0"),
    );
    fails(
        dir.path(),
        &f,
        1,
        &["`active.penalites`", "是不是 `penalties`"],
    );
}

#[test]
fn empty_binary_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "e.toml", "");
    fails(dir.path(), &f, 1, &["e.toml", "the file is empty"]);
    let f = write(dir.path(), "w.yaml", "  \n\n");
    fails(dir.path(), &f, 1, &["the file is empty"]);
    let f = write(dir.path(), "b.toml", [0x89u8, b'P', b'N', b'G', 0, 0, 1, 2]);
    fails(dir.path(), &f, 1, &["b.toml", "not a text file"]);
    // "卞路口" in GBK.
    let f = write(
        dir.path(),
        "g.toml",
        b"agency = \"\xb1\xe5\xc2\xb7\xbf\xda\"\n",
    );
    fails(dir.path(), &f, 1, &["g.toml", "not valid UTF-8", "GBK"]);
}

#[test]
fn duplicate_keys_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "d.toml",
        example_text().replace("\nlicensing = 0", "\nlicensing = 0\nlicensing = 1"),
    );
    fails(dir.path(), &f, 1, &["d.toml:", "licensing"]);
    let json = serde_json::to_string_pretty(&load(&example()).report).unwrap();
    let f = write(
        dir.path(),
        "d.json",
        json.replacen("\"agency\":", "\"agency\": \"x\",\n  \"agency\":", 1),
    );
    fails(dir.path(), &f, 1, &["d.json", "agency", "出现了两次"]);
    let f = write(
        dir.path(),
        "r.json",
        json.replacen(
            "\"granted\":",
            "\"granted\": [0,0,0,0,0,0],\n    \"granted\":",
            1,
        ),
    );
    fails(
        dir.path(),
        &f,
        1,
        &["r.json", "requests.granted", "出现了两次"],
    );
    let yaml = serde_norway::to_string(&load(&example()).report).unwrap();
    let f = write(
        dir.path(),
        "d.yaml",
        yaml.replacen("year: 2023", "year: 2023\nyear: 2024", 1),
    );
    fails(dir.path(), &f, 1, &["d.yaml", "year"]);
}

#[test]
fn directory_or_missing_file_as_data() {
    let dir = tempfile::tempdir().unwrap();
    fails(dir.path(), dir.path(), 1, &["is a directory"]);
    fails(
        dir.path(),
        &dir.path().join("nope.toml"),
        1,
        &["nope.toml", "cannot read the file"],
    );
    fails(
        dir.path(),
        &dir.path().join("data.txt"),
        1,
        &["cannot tell the data format"],
    );
}

#[test]
fn output_directory_missing_or_not_writable() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/out.pdf");
    nianbao()
        .arg("render")
        .arg(example())
        .arg("-o")
        .arg(&missing)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
    // A "directory" that is a file cannot be written into (root can write anywhere else).
    let file = write(dir.path(), "plain", "x");
    nianbao()
        .arg("render")
        .arg(example())
        .arg("-o")
        .arg(file.join("out.pdf"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write the output"));
    // A directory nobody can create files in, not even root: /proc/self.
    nianbao()
        .arg("render")
        .arg(example())
        .arg("-o")
        .arg("/proc/self/out.pdf")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/proc/self/out.pdf"))
        .stderr(predicate::str::contains(
            "cannot create a file in /proc/self",
        ));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(example_text().as_bytes());
    let f = write(dir.path(), "bom.toml", bytes);
    nianbao().arg("check").arg(&f).assert().success();
    let json = serde_json::to_string(&load(&example()).report).unwrap();
    let f = write(dir.path(), "bom.json", format!("\u{feff}{json}"));
    nianbao().arg("render").arg(&f).assert().success();
}

#[test]
fn usage_errors_exit_2() {
    nianbao().args(["check"]).assert().code(2);
    nianbao()
        .args(["render", "a.toml", "b.toml"])
        .assert()
        .code(2);
    nianbao().args(["init", "--year", "abc"]).assert().code(2);
    nianbao().args(["frobnicate"]).assert().code(2);
}
