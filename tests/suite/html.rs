//! The portal web page (`render --html`, `batch --html`).
//!
//! Read back with tools that are not ours: Python's own HTML parser (the
//! page's elements, attributes and text; the tables laid out on their grid
//! with the HTML table model's rowspan/colspan; every number's header cells
//! found through `headers`/`id`), and a real browser (Debian's chromium,
//! headless: screenshots at desktop and phone widths, and through chromedriver
//! the page's own measurements: no sideways overflow of the page, tables that
//! scroll in their own box, a readable maximum width — also once pasted into
//! a page the way a portal's editor keeps it).

use std::collections::BTreeSet;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{json, Value};

use crate::common::form::{self, long_report_data};
use crate::common::tagged::{cell_headed_by, ResolvedCell};
use crate::common::*;

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

/// The long report as a web page, in `dir`.
fn long_html(dir: &Path) -> PathBuf {
    let out = dir.join("report.html");
    nianbao()
        .arg("render")
        .arg(fixture("long-report.toml"))
        .arg("--html")
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

/// Parses a page with Python's html.parser and prints what the tests read:
/// the document's shape, anything that is not self-contained, the headings,
/// and every table cell with its place on the table's grid.
const PARSE: &str = r#"
import sys, json
from html.parser import HTMLParser
VOID = {"area","base","br","col","embed","hr","img","input","link","meta","source","track","wbr"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = {"doctype": None, "tags": [], "attrs": [], "styles": [], "headings": [], "tables": [], "lang": None, "charset": None, "title": "", "text": ""}
        self.stack = []; self.tables = []; self.cell = None; self.heading = None; self.in_title = False
    def handle_decl(self, d): self.out["doctype"] = d
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.out["tags"].append(tag)
        for k, v in attrs:
            self.out["attrs"].append([tag, k, v or ""])
            if k == "style": self.out["styles"].append(v or "")
        if tag == "html": self.out["lang"] = a.get("lang")
        if tag == "meta" and "charset" in a: self.out["charset"] = a["charset"]
        if tag == "title": self.in_title = True
        if tag in ("h1","h2","h3","h4","h5","h6"): self.heading = [tag, ""]
        if tag == "table": self.tables.append({"rows": [], "grid": {}, "cells": []})
        if tag == "tr" and self.tables:
            t = self.tables[-1]; t["rows"].append(0)
        if tag in ("td","th") and self.tables:
            t = self.tables[-1]; y = len(t["rows"]) - 1; x = 0
            while (y, x) in t["grid"]: x += 1
            rs = int(a.get("rowspan", 1)); cs = int(a.get("colspan", 1))
            for dy in range(rs):
                for dx in range(cs): t["grid"][(y+dy, x+dx)] = True
            self.cell = {"kind": tag.upper(), "id": a.get("id"), "headers": (a.get("headers") or "").split(), "scope": a.get("scope"), "row": y, "col": x, "rowspan": rs, "colspan": cs, "text": ""}
            t["cells"].append(self.cell)
        if tag not in VOID: self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in ("td","th"): self.cell = None
        if tag == "title": self.in_title = False
        if self.heading and tag == self.heading[0]:
            self.out["headings"].append(self.heading); self.heading = None
        if tag == "table" and self.tables:
            t = self.tables.pop(); self.out["tables"].append(t["cells"])
        if self.stack and self.stack[-1] == tag: self.stack.pop()
    def handle_data(self, d):
        s = "".join(d.split())
        if self.cell is not None: self.cell["text"] += s
        if self.heading is not None: self.heading[1] += s
        if self.in_title: self.out["title"] += d
        if "body" in self.stack: self.out["text"] += d
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps(p.out, ensure_ascii=False))
"#;

fn parse(page: &Path) -> Value {
    let out = Process::new("python3")
        .args(["-c", PARSE])
        .arg(page)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "the page does not parse: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The cells of a parsed table, each with the texts of the header cells its
/// `headers` names; and a check that each named header cell is above the
/// cell on the table's grid (same columns) or beside it (same rows), so that
/// what a screen reader says agrees with what the eye sees.
fn cells(table: &Value) -> Vec<ResolvedCell> {
    let all = table.as_array().unwrap();
    let by_id = |id: &str| -> &Value {
        all.iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("headers names {id}, which no cell has as id"))
    };
    let span = |c: &Value, at: &str, len: &str| {
        let start = c[at].as_u64().unwrap();
        start..start + c[len].as_u64().unwrap()
    };
    let overlap =
        |a: std::ops::Range<u64>, b: std::ops::Range<u64>| a.start < b.end && b.start < a.end;
    all.iter()
        .map(|c| {
            let mut headers = BTreeSet::new();
            for id in c["headers"].as_array().unwrap() {
                let h = by_id(id.as_str().unwrap());
                assert_eq!(h["kind"], "TH", "{id} is not a header cell");
                let column = overlap(span(h, "col", "colspan"), span(c, "col", "colspan"));
                let row = overlap(span(h, "row", "rowspan"), span(c, "row", "rowspan"));
                assert!(
                    column || row,
                    "{} names {} ({}), which is neither above it nor beside it",
                    c["text"],
                    id,
                    h["text"]
                );
                headers.insert(h["text"].as_str().unwrap().to_string());
            }
            ResolvedCell {
                kind: c["kind"].as_str().unwrap().to_string(),
                text: c["text"].as_str().unwrap().to_string(),
                headers,
            }
        })
        .collect()
}

fn table_containing<'a>(page: &'a Value, text: &str) -> &'a Value {
    page["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            t.as_array()
                .unwrap()
                .iter()
                .any(|c| c["text"].as_str().unwrap().contains(text))
        })
        .unwrap_or_else(|| panic!("no table with {text}"))
}

#[test]
fn the_page_is_one_self_contained_utf8_document() {
    let dir = tempfile::tempdir().unwrap();
    let page_path = long_html(dir.path());
    let bytes = std::fs::read(&page_path).unwrap();
    assert!(std::str::from_utf8(&bytes).is_ok(), "UTF-8");
    let page = parse(&page_path);
    assert_eq!(page["doctype"], "DOCTYPE html");
    assert_eq!(page["lang"], "zh-CN");
    assert_eq!(page["charset"], "utf-8");
    assert_eq!(
        page["title"],
        "示例县人民政府办公室2023年政府信息公开工作年度报告"
    );
    // Nothing that runs, loads or embeds anything.
    let tags: BTreeSet<&str> = page["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for forbidden in [
        "script", "link", "style", "iframe", "frame", "object", "embed", "img", "base", "form",
        "svg", "video", "audio", "source",
    ] {
        assert!(!tags.contains(forbidden), "<{forbidden}>");
    }
    for attr in page["attrs"].as_array().unwrap() {
        let name = attr[1].as_str().unwrap();
        assert!(
            !name.starts_with("on") && !["src", "href", "srcset", "action"].contains(&name),
            "{attr}"
        );
    }
    // Styles on the elements only: sizes in em (only borders in px), nothing
    // fixed to a screen size, nothing positioned, nothing fetched.
    for style in page["styles"].as_array().unwrap() {
        let style = style.as_str().unwrap();
        for bad in ["vw", "vh", "url(", "@import", "position", "float"] {
            assert!(!style.contains(bad), "style {style:?} has {bad}");
        }
        for declaration in style.split(';') {
            let (property, value) = declaration.split_once(':').unwrap_or((declaration, ""));
            if !property.trim().starts_with("border") {
                assert!(!value.contains("px"), "style {style:?}: {declaration}");
            }
        }
    }
    // The title, the six parts and the items of 五 with lines of their own, as
    // headings of the right levels; the signature and date at the end.
    let headings: Vec<(String, String)> = page["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        headings[0],
        (
            "h1".to_string(),
            "示例县人民政府办公室2023年政府信息公开工作年度报告".to_string()
        )
    );
    let h2: Vec<&str> = headings
        .iter()
        .filter(|(t, _)| t == "h2")
        .map(|(_, s)| s.as_str())
        .collect();
    assert_eq!(
        h2,
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        ]
    );
    let h3: Vec<&str> = headings
        .iter()
        .filter(|(t, _)| t == "h3")
        .map(|(_, s)| s.as_str())
        .collect();
    assert_eq!(
        h3,
        [
            "（一）存在的主要问题",
            "（二）改进措施",
            "（三）下一步工作安排"
        ]
    );
    let text = strip_ws(page["text"].as_str().unwrap());
    assert!(
        text.ends_with("示例县人民政府办公室2024年1月20日"),
        "{}",
        &text[text.len() - 90..]
    );
    // Every paragraph of the data is on the page.
    let data = long_report_data();
    for p in data["overview"]["paragraphs"].as_array().unwrap() {
        assert!(text.contains(&strip_ws(p.as_str().unwrap())));
    }
}

#[test]
fn every_number_is_in_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let page = parse(&long_html(dir.path()));
    let data = long_report_data();
    form::assert_table_3(&cells(table_containing(&page, "勾稽关系")), &data);
    form::assert_table_4(&cells(table_containing(&page, "复议后起诉")), &data);
    form::assert_table_2_rules(&cells(table_containing(&page, "第二十条第（一）项")), &data);
    // Table 3 has the printed merged cells: 办理结果 spans the 22 rows of the
    // outcome, （三）不予公开 its 8, the note the 3 header rows and 3 columns.
    let t3 = table_containing(&page, "勾稽关系").as_array().unwrap();
    let find = |text: &str| t3.iter().find(|c| c["text"] == text).unwrap();
    assert_eq!(
        (
            find("三、本年度办理结果")["rowspan"].as_u64(),
            find("三、本年度办理结果")["col"].as_u64()
        ),
        (Some(22), Some(0))
    );
    assert_eq!(find("（三）不予公开")["rowspan"], 8);
    assert_eq!(find("申请人情况")["colspan"], 7);
    assert_eq!(find("法人或其他组织")["colspan"], 5);
    let note = t3
        .iter()
        .find(|c| c["text"].as_str().unwrap().contains("勾稽关系"))
        .unwrap();
    assert_eq!(
        (note["rowspan"].as_u64(), note["colspan"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(find("一、本年新收政府信息公开申请数量")["scope"], "row");
}

#[test]
fn a_2019_report_has_its_own_table_2() {
    // 平潭 2020 (2019 edition; published with an arithmetic error, so --force):
    // Table 2's 2019 columns, a negative 本年增/减 and an amount as written,
    // each headed by its block, its column and its row.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pingtan.html");
    let data = fixture("corpus/expected/pingtan-2020.html.json");
    nianbao()
        .arg("render")
        .arg(&data)
        .args(["--force", "--html", "-o"])
        .arg(&out)
        .assert()
        .success();
    let page = parse(&out);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&data).unwrap()).unwrap();
    let active = &json["active"];
    for (block, column, row, value) in [
        (
            "第二十条第（八）项",
            "本年增/减",
            "行政事业性收费",
            &active["fees"]["change"],
        ),
        (
            "第二十条第（六）项",
            "本年增/减",
            "行政处罚",
            &active["penalties"]["change"],
        ),
        (
            "第二十条第（九）项",
            "采购总金额",
            "政府集中采购",
            &active["procurement"]["amount"],
        ),
        (
            "第二十条第（五）项",
            "上一年项目数量",
            "其他对外管理服务事项",
            &active["other_services"]["last_year_items"],
        ),
    ] {
        let cells = cells(table_containing(&page, block));
        let expected = match value {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        assert_eq!(cell_headed_by(&cells, &[block, column, row]).text, expected);
    }
}

#[test]
fn data_never_becomes_markup() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example()).unwrap();
    let hostile =
        "<script>alert(1)</script><b>粗体</b> & \"引号\" 'x' </p><img src=x onerror=alert(2)>";
    let text = text.replacen(
        "paragraphs = [\n  \"本年度报告",
        &format!("paragraphs = [\n  {}, \"本年度报告", toml_string(hostile)),
        1,
    );
    assert!(text.contains("alert(1)"), "the fixture changed");
    let data = dir.path().join("hostile.toml");
    std::fs::write(&data, text).unwrap();
    let out = dir.path().join("hostile.html");
    nianbao()
        .arg("render")
        .arg(&data)
        .arg("--html")
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let page = parse(&out);
    let tags: Vec<&str> = page["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(!tags.contains(&"script") && !tags.contains(&"b") && !tags.contains(&"img"));
    // The text reads exactly as written.
    assert!(page["text"].as_str().unwrap().contains(hostile));
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[test]
fn batch_writes_a_page_next_to_each_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    nianbao()
        .arg("batch")
        .arg(example())
        .arg(fixture("long-report.toml"))
        .arg("-o")
        .arg(&out)
        .arg("--html")
        .assert()
        .success();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for e in manifest["entries"].as_array().unwrap() {
        let pdf = out.join(e["output"].as_str().unwrap());
        let html = out.join(e["html"].as_str().unwrap());
        assert_eq!(html, pdf.with_extension("html"));
        let page = parse(&html);
        assert_eq!(page["title"], info_value(&pdfinfo(&pdf), "Title"));
    }
}

// ---------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------

/// Chromium's flags for a quiet, isolated headless run.
fn chromium_flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// A chromedriver on 127.0.0.1 with one browser session; stopped when dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A browser whose viewport is `width` CSS pixels wide: a desktop window,
    /// or below 500 (Chrome's narrowest window) a phone, by Chrome's mobile
    /// emulation (which also honours the page's viewport meta).
    fn start(width: u32, height: u32) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Process::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = ureq::get(&format!("{base}/status"))
                .call()
                .ok()
                .and_then(|r| r.into_string().ok())
                .is_some_and(|s| s.contains("\"ready\":true"));
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let mut args = chromium_flags(profile.path());
        let mut options = json!({"binary": "/usr/bin/chromium"});
        if width < 500 {
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}});
        } else {
            args.push(format!("--window-size={width},{height}"));
        }
        options["args"] = json!(args);
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            _profile: profile,
        };
        let created = browser.request(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": options
            }}}),
        );
        browser.session = created["sessionId"].as_str().unwrap().to_string();
        browser
    }

    fn request(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{}", self.base, path);
        let response = ureq::request(method, &url)
            .set("Content-Type", "application/json")
            .timeout(Duration::from_secs(60))
            .send_string(&body.to_string());
        let text = match response {
            Ok(r) => r.into_string().unwrap(),
            Err(ureq::Error::Status(code, r)) => {
                panic!(
                    "WebDriver {method} {path}: {code} {}",
                    r.into_string().unwrap_or_default()
                )
            }
            Err(e) => panic!("WebDriver {method} {path}: {e}"),
        };
        serde_json::from_str::<Value>(&text).unwrap()["value"].clone()
    }

    fn open(&self, page: &Path) {
        let url = format!("file://{}", page.display());
        self.request(
            "POST",
            &format!("/session/{}/url", self.session),
            json!({"url": url}),
        );
    }

    fn run(&self, script: &str) -> Value {
        self.request(
            "POST",
            &format!("/session/{}/execute/sync", self.session),
            json!({"script": script, "args": []}),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session))
                .timeout(Duration::from_secs(20))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// What the browser measures of the page it shows (read by the test through
/// WebDriver; the page itself has no script).
const MEASURE: &str = r#"
const doc = document.documentElement;
const article = document.querySelector("article").getBoundingClientRect();
const boxes = Array.from(document.querySelectorAll("table")).map(t => {
  const box = t.parentElement, r = box.getBoundingClientRect();
  return {text: t.textContent.replace(/\s/g, "").slice(0, 16), scroll: box.scrollWidth, client: box.clientWidth,
          left: r.left, right: r.right, overflow: getComputedStyle(box).overflowX};
});
const hidden = Array.from(document.querySelectorAll("td, th")).filter(c => c.getClientRects().length == 0).length;
return {inner: window.innerWidth, page: doc.scrollWidth, left: article.left, width: article.width,
        boxes: boxes, hidden: hidden, cells: document.querySelectorAll("td").length};
"#;

fn measure(width: u32, page: &Path) -> Value {
    let browser = Browser::start(width, 900);
    browser.open(page);
    let m = browser.run(MEASURE);
    assert_eq!(m["inner"], width, "the viewport is the window's width");
    m
}

/// Checks a measurement: the page never scrolls sideways, every table box is
/// inside the viewport, the tables are all there.
fn assert_fits(m: &Value, width: u32) {
    assert!(
        m["page"].as_u64().unwrap() <= width as u64,
        "the page overflows: {m}"
    );
    for b in m["boxes"].as_array().unwrap() {
        assert!(b["right"].as_f64().unwrap() <= width as f64 + 0.5, "{b}");
        assert!(b["left"].as_f64().unwrap() >= -0.5, "{b}");
        assert_eq!(b["overflow"], "auto", "{b}");
    }
    assert_eq!(m["hidden"], 0, "every cell is laid out");
}

#[test]
fn in_a_browser_the_page_reads_at_desktop_and_phone_widths() {
    let dir = tempfile::tempdir().unwrap();
    let page = long_html(dir.path());

    // Screenshots (for people to look at: `NIANBAO_KEEP_SCREENSHOTS=DIR` keeps them).
    let keep = std::env::var_os("NIANBAO_KEEP_SCREENSHOTS").map(PathBuf::from);
    for (name, size) in [("desktop", "1280,4000"), ("phone", "375,8000")] {
        let profile = tempfile::tempdir().unwrap();
        let shot = dir.path().join(format!("{name}.png"));
        let out = Process::new("chromium")
            .args(chromium_flags(profile.path()))
            .arg(format!("--window-size={size}"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut png = Vec::new();
        std::fs::File::open(&shot)
            .unwrap()
            .read_to_end(&mut png)
            .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(width.to_string(), size.split(',').next().unwrap());
        if let Some(keep) = &keep {
            std::fs::create_dir_all(keep).unwrap();
            std::fs::copy(&shot, keep.join(format!("{name}.png"))).unwrap();
        }
    }

    // Desktop: a readable column (at most 50 em of 16 px, plus 1 em padding each side),
    // centred, every table shown whole.
    let m = measure(1280, &page);
    assert_fits(&m, 1280);
    assert!(m["width"].as_f64().unwrap() <= 832.5, "{m}");
    let left = m["left"].as_f64().unwrap();
    assert!(
        (left - (1280.0 - m["width"].as_f64().unwrap()) / 2.0).abs() < 1.0,
        "centred: {m}"
    );
    for b in m["boxes"].as_array().unwrap() {
        assert!(
            b["scroll"].as_u64() <= b["client"].as_u64(),
            "a table scrolls at 1280: {b}"
        );
    }
    assert_eq!(m["cells"], 10 + 25 * 7 + 15, "every number cell is there");

    // Phone: the text column takes the screen; Table 3 and 4 scroll sideways in
    // their own boxes, the page does not.
    let m = measure(375, &page);
    assert_fits(&m, 375);
    let scrolls: Vec<&str> = m["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["scroll"].as_u64() > b["client"].as_u64())
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert!(
        scrolls.iter().any(|t| t.contains("勾稽关系")),
        "Table 3 scrolls: {m}"
    );
    assert!(
        scrolls.iter().any(|t| t.contains("行政复议")),
        "Table 4 scrolls: {m}"
    );
    assert!(
        !scrolls.iter().any(|t| t.contains("第二十条")),
        "Table 2 (four columns) fits a phone: {m}"
    );
}

#[test]
fn pasted_into_a_portal_page_it_keeps_its_shape() {
    // A portal's editor keeps the body of what is pasted, not its head: the
    // article goes into a narrow content column of a page with the portal's
    // own stylesheet (a common reset). The page still never scrolls sideways
    // and the tables stay in the column.
    let dir = tempfile::tempdir().unwrap();
    let page = std::fs::read_to_string(long_html(dir.path())).unwrap();
    let start = page.find("<article").unwrap();
    let end = page.find("</article>").unwrap() + "</article>".len();
    let portal = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>*{{box-sizing:border-box}} body{{margin:0;font:14px/1.5 sans-serif}} \
         table{{border-spacing:0}} td,th{{padding:0}} \
         .wrap{{display:flex;flex-wrap:wrap;max-width:1100px;margin:0 auto}} \
         .side{{flex:0 0 260px}} .content{{flex:1 1 300px;min-width:0;padding:0 12px}}</style>\
         </head><body><div class=\"wrap\"><nav class=\"side\">栏目导航</nav>\
         <div class=\"content\">{}</div></div></body></html>",
        &page[start..end]
    );
    let pasted = dir.path().join("portal.html");
    std::fs::write(&pasted, portal).unwrap();
    for width in [1280, 375] {
        let m = measure(width, &pasted);
        assert_fits(&m, width);
    }
}
