//! Workbooks (Excel/WPS 表格): `init --xlsx`, reading workbooks everywhere data
//! is read, `export`, `summary`. Workbooks are read back and filled in by
//! independent programs: Python's openpyxl (tests/fixtures/workbook/*.py) and
//! LibreOffice Calc headless; `scripts/test` installs both.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

use crate::common::*;
use nianbao::render::archive::canonical_json;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn script(name: &str) -> PathBuf {
    fixture("workbook").join(name)
}

/// Runs a Python helper; panics with its output when it fails.
fn python(name: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let out = Process::new("python3")
        .arg(script(name))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (scripts/test installs it): {e}"));
    assert!(
        out.status.success(),
        "{name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What openpyxl reads in a workbook (see dump.py).
pub(crate) fn inspect(path: &Path) -> Value {
    serde_json::from_str(&python("dump.py", &[&path])).unwrap()
}

/// Converts workbooks with LibreOffice Calc headless (its own profile, so
/// tests can run side by side) into `outdir`.
pub(crate) fn libreoffice(files: &[&Path], to: &str, outdir: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let out = Process::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(outdir)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run soffice (scripts/test installs libreoffice-calc-nogui): {e}")
        });
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy();
        let ext = to.split(':').next().unwrap();
        let converted = outdir.join(format!("{stem}.{ext}"));
        assert!(
            converted.exists(),
            "LibreOffice wrote no {}: {}",
            converted.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

fn generate(dir: &Path, count: usize, seed: u64) -> Vec<PathBuf> {
    nianbao()
        .args(["generate", &count.to_string(), "--seed", &seed.to_string()])
        .args(["--pages", "2-3", "-o"])
        .arg(dir)
        .assert()
        .success();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Agency and year of a TOML data file, read with the toml crate.
fn identity(toml_path: &Path) -> (String, i64) {
    let v: toml::Value = toml::from_str(&std::fs::read_to_string(toml_path).unwrap()).unwrap();
    (
        v["agency"].as_str().unwrap().to_string(),
        v["year"].as_integer().unwrap(),
    )
}

fn init_xlsx(agency: &str, year: i64, out: &Path) {
    nianbao()
        .args([
            "init",
            "--xlsx",
            "--agency",
            agency,
            "--year",
            &year.to_string(),
            "-o",
        ])
        .arg(out)
        .assert()
        .success();
}

/// A workbook from `init --xlsx`, filled by openpyxl through its defined names
/// (and 正文 row by row) with the data of a TOML file.
fn filled(toml_path: &Path, out: &Path, extra: &[&str]) {
    let (agency, year) = identity(toml_path);
    let template = out.with_extension("template.xlsx");
    init_xlsx(&agency, year, &template);
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&template, &toml_path, &out];
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    for e in &extra {
        args.push(e);
    }
    python("fill.py", &args);
}

fn render(data: &Path, pdf: &Path) -> Vec<u8> {
    nianbao()
        .arg("render")
        .arg(data)
        .arg("-o")
        .arg(pdf)
        .assert()
        .success();
    std::fs::read(pdf).unwrap()
}

fn check_json(data: &Path) -> (i32, Value) {
    let out = nianbao()
        .args(["check", "--format", "json"])
        .arg(data)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn findings(doc: &Value) -> Vec<Value> {
    doc["files"][0]["findings"].as_array().unwrap().clone()
}

fn canonical(path: &Path) -> String {
    let loaded = nianbao::load_data(path, None).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(canonical_json(&loaded.report)).unwrap()
}

#[test]
fn init_xlsx_lays_out_the_printed_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("t.xlsx");
    init_xlsx("某某县人民政府办公室", 2024, &path);
    let w = inspect(&path);
    assert_eq!(
        w["sheets"],
        serde_json::json!(["说明", "基本信息", "表二", "表三", "表四", "正文"])
    );
    assert_eq!(w["custom"]["nianbao-template"], "2021/1");

    // Table 3 as the format prints it: the 3×3 note, 申请人情况 over the seven
    // number columns, 自然人 and 总计 over two header rows, 法人或其他组织 over
    // five; 三、本年度办理结果 down the outcome rows (（一） to （七）总计), each group
    // label down its rows (8, 3, 5, 3), and 一、二、四 across the label columns.
    let merged: Vec<String> = serde_json::from_value(w["merged"]["表三"].clone()).unwrap();
    for m in [
        "A1:C3", "D1:J1", "D2:D3", "E2:I2", "J2:J3", "A4:C4", "A5:C5", "A6:A27", "B6:C6", "B7:C7",
        "B8:B15", "B16:B18", "B19:B23", "B24:B26", "B27:C27", "A28:C28",
    ] {
        assert!(
            merged.contains(&m.to_string()),
            "{m} not merged: {merged:?}"
        );
    }
    // Table 4: 行政复议 over 5 columns, 行政诉讼 over 10, its two groups over 5 each.
    let merged4: Vec<String> = serde_json::from_value(w["merged"]["表四"].clone()).unwrap();
    for m in ["A1:E1", "F1:O1", "A2:A3", "E2:E3", "F2:J2", "K2:O2"] {
        assert!(merged4.contains(&m.to_string()), "{m}: {merged4:?}");
    }
    let v = &w["values"];
    assert_eq!(
        v["表三"]["A1"],
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    );
    assert_eq!(v["表三"]["C8"], "1.属于国家秘密");
    assert_eq!(v["表三"]["B27"], "（七）总计");
    assert_eq!(v["表四"]["K2"], "复议后起诉");
    assert_eq!(v["表二"]["A1"], "第二十条第（一）项");
    assert_eq!(v["基本信息"]["B3"], "某某县人民政府办公室");
    assert_eq!(v["基本信息"]["B4"], 2024);

    // Every input row is named by its key path; the names cover the input cells.
    let names = &w["names"];
    assert_eq!(names["requests_new"], "'表三'!$D$4:$I$4");
    assert_eq!(names["requests_carried_forward"], "'表三'!$D$28:$I$28");
    assert_eq!(names["requests_denied_state_secret"], "'表三'!$D$8:$I$8");
    assert_eq!(names["appeals_review"], "'表四'!$A$4:$D$4");
    assert_eq!(names["appeals_litigation_after_review"], "'表四'!$K$4:$N$4");
    assert_eq!(names["active_rules"], "'表二'!$B$3:$D$3");
    assert_eq!(names["active_licensing"], "'表二'!$B$7");
    assert_eq!(names["agency"], "'基本信息'!$B$3");
    assert_eq!(
        names
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with("requests_"))
            .count(),
        25,
        "24 rows and （七）总计"
    );

    // Inputs: unlocked, 0, validated as whole numbers 0…10^9 with a Chinese
    // message; labels and totals locked; every table sheet protected.
    let unlocked: Vec<String> = serde_json::from_value(w["unlocked"]["表三"].clone()).unwrap();
    assert!(unlocked.contains(&"D4".to_string()) && unlocked.contains(&"I28".to_string()));
    assert!(!unlocked.contains(&"J4".to_string()) && !unlocked.contains(&"C8".to_string()));
    assert!(
        !unlocked.contains(&"D27".to_string()),
        "（七）总计 is computed"
    );
    assert_eq!(v["表三"]["D4"], 0);
    for s in ["基本信息", "表二", "表三", "表四"] {
        assert_eq!(w["protected"][s], true, "{s}");
    }
    let dv = w["validations"]["表三"].as_array().unwrap();
    let whole = dv
        .iter()
        .find(|d| d["sqref"].as_str().unwrap().split(' ').any(|c| c == "D4"))
        .expect("D4 is validated");
    assert_eq!(whole["type"], "whole");
    assert_eq!(whole["formula1"], "0");
    assert_eq!(whole["formula2"], "1000000000");
    assert!(whole["error"].as_str().unwrap().contains("整数"));
    let fee = w["validations"]["表二"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["sqref"] == "B14")
        .expect("the fee is validated");
    assert_eq!(fee["type"], "decimal");

    // Totals are formulas; the check column names the rules it checks.
    let f = &w["formulas"];
    assert_eq!(f["表三"]["J4"], "=SUM(D4:I4)");
    assert_eq!(f["表三"]["D27"], "=SUM(D6:D26)");
    assert_eq!(f["表四"]["E4"], "=SUM(A4:D4)");
    assert!(f["表三"]["K28"].as_str().unwrap().contains("\" R1\""));
    assert!(f["表四"]["P4"].as_str().unwrap().contains("\" R4\""));
    assert!(f["表三"]["K6"].as_str().unwrap().contains("\" R3\""));
    // The cached results a viewer without a calculator shows.
    assert_eq!(v["表三"]["K28"], "✓");
    // The check column is not printed.
    assert_eq!(w["print_area"]["表三"], "'表三'!$A$1:$J$28");

    // 正文 starts from the skeleton's prose, one row per paragraph.
    assert_eq!(v["正文"]["A1"], "部分");
    assert_eq!(v["正文"]["A2"], "一、总体情况");
    assert_eq!(v["正文"]["B3"], "（一）");
    assert_eq!(v["正文"]["C3"], "主动公开。");

    // The template reads back to the skeleton's data, without a problem.
    let skeleton = tmp.path().join("s.toml");
    nianbao()
        .args([
            "init",
            "--agency",
            "某某县人民政府办公室",
            "--year",
            "2024",
            "-o",
        ])
        .arg(&skeleton)
        .assert()
        .success();
    assert_eq!(canonical(&path), canonical(&skeleton));
}

#[test]
fn the_workbook_prints_its_labels_in_the_order_of_the_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("t.xlsx");
    nianbao()
        .arg("export")
        .arg(example())
        .arg("-o")
        .arg(&xlsx)
        .assert()
        .success();
    let w = inspect(&xlsx);
    let pdf = render(&example(), &tmp.path().join("t.pdf"));
    let text = strip_ws(&pdf_text_of(&pdf, tmp.path()));
    // Table 3's row labels (the rightmost label of each row), as openpyxl reads
    // them, appear in the PDF in that order; the labels spanning rows (drawn
    // after their rows) appear too.
    let cells = w["values"]["表三"].as_object().unwrap();
    let mut rows = Vec::new();
    let mut spanning = Vec::new();
    for row in 4..=28 {
        let labels: Vec<String> = ["A", "B", "C"]
            .iter()
            .filter_map(|col| match cells.get(&format!("{col}{row}")) {
                Some(Value::String(s)) => Some(strip_ws(s)),
                _ => None,
            })
            .collect();
        let (last, rest) = labels.split_last().expect("every row has a label");
        rows.push(last.clone());
        spanning.extend(rest.iter().cloned());
    }
    assert_eq!(rows.len(), 25);
    assert_eq!(
        spanning.len(),
        5,
        "三、本年度办理结果 and the four groups: {spanning:?}"
    );
    assert_in_order(&text, &rows);
    for s in &spanning {
        assert!(text.contains(s.as_str()), "{s}");
    }
    // Table 2 likewise.
    let cells2 = w["values"]["表二"].as_object().unwrap();
    let mut labels2: Vec<(u32, String)> = cells2
        .iter()
        .filter(|(k, v)| k.starts_with('A') && v.is_string())
        .map(|(k, v)| (k[1..].parse().unwrap(), strip_ws(v.as_str().unwrap())))
        .collect();
    labels2.sort();
    let labels2: Vec<String> = labels2.into_iter().map(|(_, s)| s).collect();
    assert_in_order(&text, &labels2);
}

fn pdf_text_of(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("text-of.pdf");
    std::fs::write(&path, pdf).unwrap();
    pdf_text(&path)
}

#[test]
fn a_workbook_filled_through_its_names_renders_the_same_pdf_as_the_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generate(&tmp.path().join("data"), 2, 5);
    for toml_path in &files {
        let xlsx = tmp.path().join(format!(
            "{}.xlsx",
            toml_path.file_stem().unwrap().to_string_lossy()
        ));
        filled(toml_path, &xlsx, &["--prose"]);
        nianbao().arg("check").arg(&xlsx).assert().success();
        let from_toml = render(toml_path, &tmp.path().join("a.pdf"));
        let from_xlsx = render(&xlsx, &tmp.path().join("b.pdf"));
        assert!(
            from_toml == from_xlsx,
            "{}: the workbook renders another PDF than the TOML",
            toml_path.display()
        );
    }
}

#[test]
fn libreoffice_opens_recalculates_and_saves_what_nianbao_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generate(&tmp.path().join("data"), 1, 21);
    let toml_path = &files[0];
    let good = tmp.path().join("good.xlsx");
    let bad = tmp.path().join("bad.xlsx");
    filled(toml_path, &good, &["--prose"]);
    filled(toml_path, &bad, &["--prose", "--break", "R1,R3,R4"]);
    let lo = tmp.path().join("lo");
    libreoffice(&[&good, &bad], "xlsx", &lo);

    // openpyxl wrote the formulas without results: what the check column shows
    // now, LibreOffice computed.
    let g = inspect(&lo.join("good.xlsx"));
    for row in 4..=28 {
        assert_eq!(g["values"]["表三"][format!("K{row}")], "✓", "表三!K{row}");
    }
    for row in [3, 4, 7, 10, 11, 14] {
        assert_eq!(g["values"]["表二"][format!("E{row}")], "✓", "表二!E{row}");
    }
    assert_eq!(g["values"]["表四"]["P4"], "✓");
    let data: toml::Value = toml::from_str(&std::fs::read_to_string(toml_path).unwrap()).unwrap();
    let new: i64 = data["requests"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_integer().unwrap())
        .sum();
    assert!(new > 0);
    assert_eq!(g["values"]["表三"]["J4"], new, "the 总计 recalculated");

    let b = inspect(&lo.join("bad.xlsx"));
    assert_eq!(
        b["values"]["表三"]["K6"], "R3",
        "（一）予以公开: a wrong 总计 typed in"
    );
    assert!(
        b["values"]["表三"]["K28"].as_str().unwrap().contains("R1"),
        "四: {}",
        b["values"]["表三"]["K28"]
    );
    assert_eq!(b["values"]["表四"]["P4"], "R4");
    assert_eq!(b["values"]["表三"]["K4"], "✓");

    // nianbao reads what LibreOffice saved: the same PDF as the TOML …
    let from_toml = render(toml_path, &tmp.path().join("a.pdf"));
    let from_lo = render(&lo.join("good.xlsx"), &tmp.path().join("b.pdf"));
    assert!(
        from_toml == from_lo,
        "LibreOffice's workbook renders another PDF"
    );
    // … and the broken rules, each at its cell.
    let (code, doc) = check_json(&lo.join("bad.xlsx"));
    assert_eq!(code, 1);
    let found = findings(&doc);
    let at = |rule: &str, origin: &str| {
        found
            .iter()
            .any(|f| f["rule"] == rule && f["origin"] == origin)
    };
    assert!(at("R3", "表三!J6"), "{found:#?}");
    assert!(at("R4", "表四!E4"), "{found:#?}");
    assert!(at("R1", "表三!D28"), "{found:#?}");

    // .ods and .xls, as LibreOffice saves them, read the same, by their
    // defined names: a name moved to the wrong row is caught there too.
    let moved = tmp.path().join("moved.xlsx");
    let status = Process::new("python3")
        .arg("-c")
        .arg(
            "import openpyxl,sys\nwb=openpyxl.load_workbook(sys.argv[1])\nwb.defined_names['requests_granted'].attr_text=\"'表三'!$D$7:$I$7\"\nwb.save(sys.argv[2])",
        )
        .arg(lo.join("good.xlsx"))
        .arg(&moved)
        .status()
        .unwrap();
    assert!(status.success());
    libreoffice(&[&lo.join("good.xlsx"), &moved], "ods", &lo);
    libreoffice(&[&lo.join("good.xlsx"), &moved], "xls:MS Excel 97", &lo);
    for other in ["good.ods", "good.xls"] {
        let pdf = render(&lo.join(other), &tmp.path().join("c.pdf"));
        assert!(from_toml == pdf, "{other} renders another PDF");
    }
    for other in ["moved.ods", "moved.xls"] {
        let (code, doc) = check_json(&lo.join(other));
        assert_eq!(code, 1, "{other}");
        assert!(
            findings(&doc)
                .iter()
                .any(|f| f["rule"] == "KEY" && f["key"] == "requests.granted"),
            "{other}: {doc:#}"
        );
    }
}

#[test]
fn export_and_read_back_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = generate(&tmp.path().join("data"), 24, 8);
    files.push(example());
    // A real 2019-edition report, with its published errors and blanks.
    let pingtan = tmp.path().join("pingtan-2020.json");
    std::fs::copy(fixture("corpus/expected/pingtan-2020.html.json"), &pingtan).unwrap();
    files.push(pingtan);
    // Fonts, a seal, a title, a date, a preamble, nested items and an amount with
    // a trailing zero.
    let text = std::fs::read_to_string(example()).unwrap();
    let extra = tmp.path().join("extra.toml");
    std::fs::write(
        &extra,
        text.replacen(
            "[overview]",
            "title = \"某某乡2023年政务公开年报\"\ndate = \"2024-01-05\"\nseal = \"seal.png\"\npreamble = [\"开头一段。\", \"开头第二段，含 ${year} 引用和“引号”。\"]\n\n[fonts]\nbody = [\"FandolFang R\", \"FangSong\"]\ntitle = \"FandolHei\"\n\n[overview]",
            1,
        )
        .replacen(
            "[[overview.items]]",
            "[[overview.items]]\ntitle = \"有下级条目。\"\n[[overview.items.items]]\ntitle = \"第一小项\"\nparagraphs = [\"小项文字。\"]\n[[overview.items.items]]\ntitle = \"第二小项\"\nrun_in = true\n\n[[overview.items]]",
            1,
        )
        .replacen("\nfees = 0", "\nfees = \"12.50\"", 1),
    )
    .unwrap();
    files.push(extra);
    for data in &files {
        let loaded = nianbao::load_data(data, None).unwrap_or_else(|e| panic!("{e}"));
        let xlsx = tmp.path().join("round.xlsx");
        std::fs::write(&xlsx, nianbao::workbook::export(&loaded).unwrap()).unwrap();
        let back = nianbao::load_data(&xlsx, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            String::from_utf8(canonical_json(&back.report)).unwrap(),
            String::from_utf8(canonical_json(&loaded.report)).unwrap(),
            "{}",
            data.display()
        );
        let keys = |l: &nianbao::model::Loaded| -> Vec<(String, nianbao::model::ProblemKind)> {
            l.problems.iter().map(|p| (p.key.clone(), p.kind)).collect()
        };
        assert_eq!(keys(&back), keys(&loaded), "{}", data.display());
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    }
    // The CLI writes the same workbook, which reads back through `check`.
    let out = tmp.path().join("cli.xlsx");
    nianbao()
        .arg("export")
        .arg(&files[0])
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    nianbao().arg("check").arg(&out).assert().success();
    assert_eq!(canonical(&out), canonical(&files[0]));
}

#[test]
fn bad_cells_are_errors_that_name_the_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let template = tmp.path().join("t.xlsx");
    init_xlsx("某某县人民政府办公室", 2024, &template);
    let bad = tmp.path().join("bad.xlsx");
    python(
        "edit.py",
        &[
            &template,
            &bad,
            &"表三!D6=null",
            &"表三!E6=-1",
            &"表三!F6=1.5",
            &"表三!G6=\"abc\"",
            &"表三!H6=\"12\"",
            &"表三!H5=12",
            &"表四!B4=null",
            &"表二!B14=-3.5",
        ],
    );
    let (code, doc) = check_json(&bad);
    assert_eq!(code, 1);
    let found = findings(&doc);
    let finding = |origin: &str| -> &Value {
        found
            .iter()
            .find(|f| f["origin"] == origin)
            .unwrap_or_else(|| panic!("no finding at {origin}: {found:#?}"))
    };
    for (origin, rule, severity, key) in [
        ("表三!D6", "R6", "error", "requests.granted[0]"),
        ("表三!E6", "R5", "error", "requests.granted[1]"),
        ("表三!F6", "R5", "error", "requests.granted[2]"),
        ("表三!G6", "R5", "error", "requests.granted[3]"),
        ("表三!H6", "R5", "warning", "requests.granted[4]"),
        ("表四!B4", "R6", "error", "appeals.review[1]"),
        ("表二!B14", "R5", "error", "active.fees"),
    ] {
        let f = finding(origin);
        assert_eq!(f["rule"], rule, "{origin}: {f:#}");
        assert_eq!(f["severity"], severity, "{origin}: {f:#}");
        assert_eq!(f["key"], key, "{origin}: {f:#}");
    }
    let text_number = finding("表三!H6");
    assert_eq!(text_number["row"], "（一）予以公开");
    assert_eq!(text_number["column"], "法人或其他组织 · 法律服务机构");
    // The number stored as text is read as the number: the H column balances
    // (12 new, 12 granted), so no R1 there.
    assert!(
        !found
            .iter()
            .any(|f| f["rule"] == "R1"
                && f["column"].as_str().unwrap_or("").contains("法律服务机构")),
        "{found:#?}"
    );
    // In text, the cell is printed with the finding.
    let out = nianbao().arg("check").arg(&bad).output().unwrap();
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.contains("source: 表三!F6"), "{text}");
    assert!(text.contains("requests.granted[2]"), "{text}");
    // A blank is never printed as 0.
    nianbao()
        .arg("render")
        .arg(&bad)
        .arg("-o")
        .arg(tmp.path().join("x.pdf"))
        .assert()
        .code(1);
    assert!(!tmp.path().join("x.pdf").exists());
}

#[test]
fn tables_without_names_are_found_by_their_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generate(&tmp.path().join("data"), 1, 33);
    let filled_path = tmp.path().join("filled.xlsx");
    filled(&files[0], &filled_path, &["--prose"]);
    let want = canonical(&files[0]);
    // Names removed.
    let unnamed = tmp.path().join("unnamed.xlsx");
    python(
        "fill.py",
        &[&filled_path, &files[0], &unnamed, &"--remove-names"],
    );
    assert!(inspect(&unnamed)["names"].as_object().unwrap().is_empty());
    assert_eq!(canonical(&unnamed), want);
    // Pasted into another workbook: other sheet names, shifted, no formulas,
    // no properties.
    let pasted = tmp.path().join("pasted.xlsx");
    python("paste.py", &[&filled_path, &pasted]);
    let w = inspect(&pasted);
    assert_eq!(w["sheets"][3], "Sheet4");
    assert!(w["custom"].as_object().unwrap().is_empty());
    assert_eq!(canonical(&pasted), want);
    nianbao().arg("check").arg(&pasted).assert().success();
    // A moved name is caught by the label beside it.
    let moved = tmp.path().join("moved.xlsx");
    let status = Process::new("python3")
        .arg("-c")
        .arg(
            "import openpyxl,sys\nwb=openpyxl.load_workbook(sys.argv[1])\nwb.defined_names['requests_granted'].attr_text=\"'表三'!$D$7:$I$7\"\nwb.save(sys.argv[2])",
        )
        .arg(&filled_path)
        .arg(&moved)
        .status()
        .unwrap();
    assert!(status.success());
    let (code, doc) = check_json(&moved);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert!(
        f.iter().any(|f| f["rule"] == "KEY"
            && f["key"] == "requests.granted"
            && f["message"].as_str().unwrap().contains("（二）部分公开")),
        "{f:#?}"
    );
}

#[test]
fn summary_of_200_reports_adds_up() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let files = generate(&data, 200, 77);
    // All of one year, but one: a summary is of one year.
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        std::fs::write(f, text.replacen("\nyear = 2023 ", "\nyear = 2024 ", 1)).unwrap();
    }
    let text = std::fs::read_to_string(&files[30]).unwrap();
    assert!(text.contains("\nyear = 2024 "));
    std::fs::write(
        &files[30],
        text.replacen("\nyear = 2024 ", "\nyear = 2023 ", 1),
    )
    .unwrap();
    // Two break R1 (an application counted twice), one does not load.
    let mut excluded = vec![files[30]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()];
    for f in &files[10..12] {
        let text = std::fs::read_to_string(f).unwrap();
        let start = text.find("\nnew = [").unwrap() + "\nnew = [".len();
        let end = start + text[start..].find(',').unwrap();
        let n: u64 = text[start..end].trim().parse().unwrap();
        let text = format!("{}{}{}", &text[..start], n + 1, &text[end..]);
        std::fs::write(f, text).unwrap();
        excluded.push(f.file_name().unwrap().to_string_lossy().into_owned());
    }
    std::fs::write(&files[20], "agency = \"未填完\"\nyear = 2024\n[requests\n").unwrap();
    let xlsx = tmp.path().join("汇总.xlsx");
    let csv = tmp.path().join("汇总.csv");
    let out = nianbao()
        .arg("summary")
        .arg(&data)
        .arg("-o")
        .arg(&xlsx)
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    // Not every report was summed: exit 1, each named.
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("summed 196 of 200 reports"), "{err}");
    for e in &excluded {
        assert!(err.contains(e.as_str()), "{e}: {err}");
    }
    let ok = python("sums.py", &[&xlsx, &csv, &data, &excluded.join(",")]);
    assert!(ok.starts_with("ok"), "{ok}");
    let w = inspect(&xlsx);
    assert_eq!(
        w["sheets"],
        serde_json::json!(["汇总", "合计表二", "合计表三", "合计表四", "图表"])
    );
    // The summed Table 3 in the printed layout: 一 for 自然人 is the sum of the summed rows.
    let rows = w["values"]["汇总"].as_object().unwrap();
    let header_col = rows
        .iter()
        .find(|(k, v)| {
            k.ends_with('1')
                && k.len() <= 3
                && v.as_str() == Some("表三·一、本年新收政府信息公开申请数量·自然人")
        })
        .map(|(k, _)| k.trim_end_matches('1').to_string())
        .expect("the column");
    let last = rows
        .keys()
        .filter(|k| {
            k.starts_with(&header_col) && k[header_col.len()..].chars().all(|c| c.is_ascii_digit())
        })
        .map(|k| k[header_col.len()..].parse::<u32>().unwrap())
        .max()
        .unwrap();
    assert_eq!(
        w["values"]["合计表三"]["D4"],
        rows[&format!("{header_col}{last}")],
        "合计表三!D4 is the total of the column"
    );
}

#[test]
fn init_for_every_agency_carries_last_year_over_and_batch_reads_the_returns() {
    let tmp = tempfile::tempdir().unwrap();
    // Last year's reports of two of three agencies.
    let prev = tmp.path().join("2023");
    std::fs::create_dir(&prev).unwrap();
    let gen = generate(&tmp.path().join("gen"), 2, 3);
    let names = ["城关镇人民政府", "县教育局", "县民政局"];
    for (i, g) in gen.iter().enumerate() {
        let text = std::fs::read_to_string(g).unwrap();
        let (agency, year) = identity(g);
        let text = text
            .replacen(
                &format!("agency = \"{agency}\""),
                &format!("agency = \"{}\"", names[i]),
                1,
            )
            .replacen(&format!("year = {year}"), "year = 2023", 1)
            .replace(&format!("{year}年"), "2023年");
        std::fs::write(prev.join(format!("{i}.toml")), text).unwrap();
    }
    // The list as Excel saves CSV in China: GB18030, with a header.
    let list = tmp.path().join("agencies.csv");
    let csv_text = format!(
        "机关名称,联系人\n{},张三\n{},李四\n{},王五\n",
        names[0], names[1], names[2]
    );
    let (gb, _, _) = encoding_rs::GB18030.encode(&csv_text);
    std::fs::write(&list, &gb).unwrap();
    let out = tmp.path().join("2024");
    nianbao()
        .args(["init", "--xlsx", "--year", "2024", "--agencies"])
        .arg(&list)
        .arg("--prev-dir")
        .arg(&prev)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    for (i, name) in names.iter().enumerate() {
        let path = out.join(format!("{name}2024年政府信息公开工作年度报告.xlsx"));
        let w = inspect(&path);
        assert_eq!(w["values"]["基本信息"]["B3"], *name);
        let carried: Vec<i64> = (b'D'..=b'I')
            .map(|c| {
                w["values"]["表三"][format!("{}5", c as char)]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        if i < 2 {
            let last: toml::Value =
                toml::from_str(&std::fs::read_to_string(prev.join(format!("{i}.toml"))).unwrap())
                    .unwrap();
            let forward: Vec<i64> = last["requests"]["carried_forward"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_integer().unwrap())
                .collect();
            assert_eq!(carried, forward, "{name}: 二、上年结转 = last year's 四");
            assert_eq!(
                w["values"]["表二"]["D3"],
                last["active"]["rules"]["in_force"].as_integer().unwrap(),
                "{name}: 现行有效件数 carried over"
            );
            let first = last["overview"]["paragraphs"][0].as_str().unwrap();
            assert_eq!(
                w["values"]["正文"]["E2"], first,
                "{name}: last year's prose"
            );
        } else {
            assert_eq!(carried, vec![0; 6], "{name}: nothing to carry over");
        }
    }
    // The returned workbooks go straight into batch. As sent out, the two with
    // 二、上年结转 break R1 (nothing is handled yet) and are not printed …
    let pdfs = tmp.path().join("pdf");
    let out_batch = nianbao()
        .arg("batch")
        .arg(&out)
        .arg("-o")
        .arg(&pdfs)
        .output()
        .unwrap();
    assert_eq!(out_batch.status.code(), Some(1));
    let err = String::from_utf8(out_batch.stderr).unwrap();
    assert!(err.contains("1 rendered, 2 failed"), "{err}");
    assert!(
        err.contains("error[R1]") && err.contains("source: 表三!D28"),
        "{err}"
    );
    // … filled in (everything carried over is still pending: 四 = 二), they are.
    for name in &names[..2] {
        let path = out.join(format!("{name}2024年政府信息公开工作年度报告.xlsx"));
        let w = inspect(&path);
        let carried: Vec<i64> = (b'D'..=b'I')
            .map(|c| {
                w["values"]["表三"][format!("{}5", c as char)]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        let assignment = format!("requests_carried_forward={carried:?}");
        python("edit.py", &[&path, &path, &assignment]);
    }
    nianbao()
        .arg("batch")
        .arg(&out)
        .arg("-o")
        .arg(&pdfs)
        .assert()
        .success();
    for name in names {
        assert!(pdfs
            .join(format!("{name}2024年政府信息公开工作年度报告.pdf"))
            .exists());
    }
}

#[test]
fn init_with_last_years_workbook_carries_it_over() {
    let tmp = tempfile::tempdir().unwrap();
    let last = tmp.path().join("2023.xlsx");
    nianbao()
        .arg("export")
        .arg(example())
        .arg("-o")
        .arg(&last)
        .assert()
        .success();
    let this = tmp.path().join("2024.xlsx");
    nianbao()
        .args(["init", "--xlsx", "--prev"])
        .arg(&last)
        .arg("-o")
        .arg(&this)
        .assert()
        .success();
    let example_data: toml::Value =
        toml::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    let w = inspect(&this);
    assert_eq!(
        w["values"]["基本信息"]["B3"],
        example_data["agency"].as_str().unwrap()
    );
    assert_eq!(w["values"]["基本信息"]["B4"], 2024);
    let forward = example_data["requests"]["carried_forward"]
        .as_array()
        .unwrap();
    for (i, c) in (b'D'..=b'I').enumerate() {
        assert_eq!(
            w["values"]["表三"][format!("{}5", c as char)].as_i64(),
            forward[i].as_integer()
        );
    }
    let loaded = nianbao::load_data(&this, None).unwrap();
    assert_eq!(loaded.report.year.0, 2024);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
}

#[test]
fn the_2019_edition_has_its_own_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("2020.xlsx");
    init_xlsx("某某县人民政府办公室", 2020, &path);
    let w = inspect(&path);
    assert_eq!(w["custom"]["nianbao-template"], "2019/1");
    let t2: Vec<String> = w["values"]["表二"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    for label in [
        "规范性文件",
        "其他对外管理服务事项",
        "政府集中采购",
        "本年增/减",
        "采购总金额",
    ] {
        assert!(t2.contains(&label.to_string()), "{label}: {t2:?}");
    }
    assert!(!t2.contains(&"本年制发件数".to_string()));
    assert_eq!(w["names"]["active_procurement"], "'表二'!$B$18:$C$18");
    // 本年增/减 may be negative.
    let change = w["validations"]["表二"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["sqref"] == "C7")
        .expect("本年增/减 of 行政许可 is validated");
    assert_eq!(change["formula1"], "-1000000000");
    // Table 3: the 2019 （六）其他处理 is one row, across the group and label columns.
    assert_eq!(w["values"]["表三"]["B24"], "（六）其他处理");
    let merged: Vec<String> = serde_json::from_value(w["merged"]["表三"].clone()).unwrap();
    assert!(merged.contains(&"B24:C24".to_string()), "{merged:?}");
    assert!(merged.contains(&"A6:A25".to_string()), "{merged:?}");
    // A 2019 report reads back in its edition.
    let loaded = nianbao::load_data(&path, None).unwrap();
    assert_eq!(loaded.report.edition(), nianbao::model::Edition::E2019);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
}

#[test]
fn files_that_are_not_report_workbooks_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("fake.xlsx");
    std::fs::write(&fake, "agency = \"x\"\n").unwrap();
    let out = nianbao().arg("check").arg(&fake).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot read the workbook"), "{err}");
    // A workbook of something else entirely.
    let other = tmp.path().join("other.xlsx");
    let status = Process::new("python3")
        .arg("-c")
        .arg("import openpyxl,sys\nwb=openpyxl.Workbook()\nwb.active['A1']='工资表'\nwb.active['B2']=3\nwb.save(sys.argv[1])")
        .arg(&other)
        .status()
        .unwrap();
    assert!(status.success());
    let out = nianbao().arg("check").arg(&other).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no table of a report found"), "{err}");
}
