//! The web editor in a real browser: Debian's chromium, driven through
//! chromedriver with fantoccini, against `nianbao serve` on 127.0.0.1.
//! `scripts/test` installs chromium and chromium-driver; a missing one fails
//! the test (it does not pass silently).
//!
//! Screenshots of what a person sees are written to
//! `target/tmp/browser/*.png`.

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use nianbao::serve::{serve, App};
use nianbao::workspace::Workspace;

use crate::common;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const EXAMPLE_NAME: &str = "bianlukou-2023.toml";
/// How long any one thing may take to appear.
const WAIT: Duration = Duration::from_secs(20);

/// A process we started, stopped when dropped.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn chromedriver() -> (Started, u16) {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: scripts/test installs chromium and chromium-driver"
        );
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Started(child);
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (started, port)
}

async fn browser(port: u16, profile: &Path, downloads: &Path) -> Client {
    let caps = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
            },
        },
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a chromium session")
}

/// Waits until a JavaScript expression is true; panics with `what` after [`WAIT`].
async fn until(c: &Client, expression: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = c
            .execute(&format!("return !!({expression});"), vec![])
            .await
            .unwrap();
        if v == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "waited {WAIT:?} for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn js(c: &Client, script: &str, args: Vec<Value>) -> Value {
    c.execute(script, args).await.unwrap()
}

/// Types into a table cell as a person does: empties it, types.
async fn type_into_cell(c: &Client, key: &str, text: &str) {
    let selector = format!("td[data-key=\"{key}\"] input");
    let input = c.find(Locator::Css(&selector)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// Pastes a block of text into a cell, as the clipboard delivers it.
async fn paste(c: &Client, key: &str, text: &str) {
    js(
        c,
        "const input = document.querySelector(arguments[0]); input.focus();
         const data = new DataTransfer(); data.setData('text/plain', arguments[1]);
         input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));",
        vec![json!(format!("td[data-key=\"{key}\"] input")), json!(text)],
    )
    .await;
}

fn cell_flag(key: &str, rule: &str) -> String {
    format!("document.querySelector('td[data-key=\"{key}\"] .flag[data-rule=\"{rule}\"]')")
}

async fn cell_value(c: &Client, key: &str) -> String {
    js(
        c,
        "return document.querySelector(arguments[0]).value;",
        vec![json!(format!("td[data-key=\"{key}\"] input"))],
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots().join(name), png).unwrap();
}

/// A digest of the pixels of every preview page as the browser decoded them
/// (drawn on a canvas and read back).
async fn page_pixels(c: &Client) -> Vec<i64> {
    // An image may be reloading (a later check): try until every one is decoded.
    let deadline = Instant::now() + WAIT;
    loop {
        let v = js(
            c,
            "const imgs = Array.from(document.querySelectorAll('#pages img'));
             if (!imgs.length || !imgs.every(i => i.complete && i.naturalWidth > 0)) return null;
             return imgs.map(img => {
               const canvas = document.createElement('canvas');
               canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
               const g = canvas.getContext('2d'); g.drawImage(img, 0, 0);
               const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
               let h = 0; for (let k = 0; k < d.length; k += 4) h = (h * 31 + d[k] + d[k + 1] * 7) | 0;
               return h;
             });",
            vec![],
        )
        .await;
        if !v.is_null() {
            return serde_json::from_value(v).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "the preview images were not decoded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The hashes of the preview's page images, once every one has loaded.
async fn preview_hashes(c: &Client) -> Vec<String> {
    until(
        c,
        "document.querySelectorAll('#pages img').length > 0 && Array.from(document.querySelectorAll('#pages img')).every(i => i.complete && i.naturalWidth > 0)",
        "the preview pages to load",
    )
    .await;
    let v = js(
        c,
        "return Array.from(document.querySelectorAll('#pages img')).map(i => i.dataset.hash);",
        vec![],
    )
    .await;
    serde_json::from_value(v).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_in_chromium() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(common::example(), folder.path().join(EXAMPLE_NAME)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Arc::new(App::new(
        Workspace::open(folder.path()).unwrap(),
        common::publisher().clone(),
        addr,
    ));
    let server = tokio::spawn(serve(listener, app));
    let (driver, port) = chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let client = browser(port, profile.path(), downloads.path()).await;

    let result = tokio::time::timeout(
        Duration::from_secs(240),
        session(
            &client,
            &format!("http://{addr}/"),
            folder.path(),
            downloads.path(),
        ),
    )
    .await;
    let _ = client.close().await;
    drop(driver);
    server.abort();
    result.expect("the browser session took more than 4 minutes");
}

async fn session(c: &Client, url: &str, folder: &Path, downloads: &Path) {
    // The folder's reports.
    c.goto(url).await.unwrap();
    until(
        c,
        "document.querySelector('table.reports tr[data-name]')",
        "the list of reports",
    )
    .await;
    let row = js(
        c,
        "return document.querySelector('tr[data-name=\"bianlukou-2023.toml\"]').innerText;",
        vec![],
    )
    .await;
    let row = row.as_str().unwrap();
    assert!(
        row.contains("卞路口乡人民政府") && row.contains("2023") && row.contains("可以生成"),
        "{row}"
    );
    screenshot(c, "1-workspace.png").await;

    // The example in the editor.
    c.find(Locator::Css(
        "tr[data-name=\"bianlukou-2023.toml\"] a.button",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    until(
        c,
        "document.querySelector('#form table.t3 td[data-key=\"requests.new[0]\"] input')",
        "the editor's Table 3",
    )
    .await;
    until(
        c,
        "document.querySelector('#findings-count').textContent === '全部通过'",
        "the first check",
    )
    .await;
    let before = preview_hashes(c).await;
    screenshot(c, "2-editor.png").await;

    // A number that breaks R1: the finding appears next to its column's cell.
    type_into_cell(c, "requests.new[0]", "5").await;
    until(
        c,
        &cell_flag("requests.carried_forward[0]", "R1"),
        "R1 next to the cell",
    )
    .await;
    until(
        c,
        "document.querySelector('#findings li[data-rule=\"R1\"]')",
        "R1 in the list",
    )
    .await;
    until(
        c,
        "document.querySelector('td[data-key=\"requests.new[6]\"]').textContent === '5'",
        "the computed total",
    )
    .await;
    js(c, "document.querySelector('td[data-key=\"requests.carried_forward[0]\"]').scrollIntoView({block: 'center'});", vec![]).await;
    screenshot(c, "3-r1.png").await;
    // Fixed: it goes.
    type_into_cell(c, "requests.new[0]", "0").await;
    until(
        c,
        &format!("!{}", cell_flag("requests.carried_forward[0]", "R1")),
        "R1 to go",
    )
    .await;
    until(
        c,
        "document.querySelector('#findings-count').textContent === '全部通过'",
        "no findings",
    )
    .await;

    // A block pasted into Table 3, as copied from a spreadsheet: the preview changes.
    let page_of_table_3 = {
        let hashes = preview_hashes(c).await;
        assert_eq!(hashes, before, "back to the same data, the same pages");
        hashes
    };
    let pixels_before = page_pixels(c).await;
    paste(c, "requests.new[0]", "3\t1\t0\t0\t0\t2\n0\t0\t0\t0\t0\t0\n").await;
    // The same numbers as 予以公开, copied from a web page: runs of spaces, a full-width space.
    paste(c, "requests.granted[0]", "3  1 0\u{3000}0 0   2").await;
    assert_eq!(cell_value(c, "requests.new[0]").await, "3");
    assert_eq!(cell_value(c, "requests.new[5]").await, "2");
    assert_eq!(cell_value(c, "requests.granted[5]").await, "2");
    until(
        c,
        "document.querySelector('td[data-key=\"requests.new[6]\"]').textContent === '6'",
        "the new total 6",
    )
    .await;
    until(
        c,
        "document.querySelector('td[data-key=\"requests.total[6]\"]').textContent === '6'",
        "（七）总计 6",
    )
    .await;
    until(
        c,
        "document.querySelector('#findings-count').textContent === '全部通过'",
        "the balanced table",
    )
    .await;
    let deadline = Instant::now() + WAIT;
    let after = loop {
        let h = preview_hashes(c).await;
        if h != page_of_table_3 {
            break h;
        }
        assert!(Instant::now() < deadline, "the preview did not change");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let changed: Vec<usize> = (0..after.len())
        .filter(|&i| page_of_table_3.get(i) != Some(&after[i]))
        .collect();
    assert!(!changed.is_empty());
    // What the browser shows: the decoded pixels of each page image.
    let pixels_after = page_pixels(c).await;
    for (i, (b, a)) in pixels_before.iter().zip(&pixels_after).enumerate() {
        assert_eq!(
            a != b,
            changed.contains(&i),
            "page {}: the image the browser shows changed exactly when the page did",
            i + 1
        );
    }
    let page = c.find_all(Locator::Css("#pages figure")).await.unwrap();
    let shot = page[changed[0]].screenshot().await.unwrap();
    std::fs::write(screenshots().join("4-preview-page.png"), shot).unwrap();

    // Blanks stay blank, not 0: "/", "—", "-" and nothing.
    paste(c, "appeals.review[0]", "1\t/\t—\t-").await;
    assert_eq!(cell_value(c, "appeals.review[0]").await, "1");
    for i in 1..4 {
        assert_eq!(
            cell_value(c, &format!("appeals.review[{i}]")).await,
            "",
            "review[{i}]"
        );
    }
    until(c, &cell_flag("appeals.review[1]", "R6"), "R6 at a blank").await;
    until(
        c,
        &cell_flag("appeals.review[3]", "R6"),
        "R6 at the last blank",
    )
    .await;
    js(
        c,
        "document.querySelector('table.t4').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await;
    screenshot(c, "5-blanks.png").await;
    paste(c, "appeals.review[0]", "0\t0\t0\t0").await;
    until(
        c,
        "document.querySelector('#findings-count').textContent === '全部通过'",
        "no findings after the fix",
    )
    .await;

    // Save, then download the PDF and read it back.
    c.find(Locator::Id("save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "document.querySelector('#save-status').textContent.startsWith('已保存')",
        "the save",
    )
    .await;
    let saved = std::fs::read_to_string(folder.join(EXAMPLE_NAME)).unwrap();
    assert!(saved.contains("new = [3, 1, 0, 0, 0, 2]"), "{saved}");
    assert!(saved.contains("granted = [3, 1, 0, 0, 0, 2]"));
    assert!(
        saved.contains("# 一、本年新收政府信息公开申请数量"),
        "comments are kept"
    );
    c.find(Locator::Id("download-pdf"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pdf = downloads.join("bianlukou-2023.pdf");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !pdf.exists() {
        assert!(
            Instant::now() < deadline,
            "no PDF in {}: {:?}",
            downloads.display(),
            std::fs::read_dir(downloads)
                .unwrap()
                .flatten()
                .map(|e| e.file_name())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = common::strip_ws(&common::pdf_text(&pdf));
    assert!(
        text.contains("卞路口乡人民政府2023年政府信息公开工作年度报告"),
        "{text}"
    );
    assert!(text.contains("三、收到和处理政府信息公开申请情况"));
    // The pasted row in the printed Table 3, its total computed: 3 1 0 0 0 2 | 6.
    assert!(
        text.contains("一、本年新收政府信息公开申请数量3100026"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(folder.join("bianlukou-2023.pdf")).unwrap()
    );

    // Back in the folder, the report is rendered.
    c.goto(url).await.unwrap();
    until(
        c,
        "document.querySelector('tr[data-name=\"bianlukou-2023.toml\"] .status.done')",
        "the state 已生成 PDF",
    )
    .await;

    // Import a published report through the 导入 button: the new report opens
    // with the importer's notes above the editor.
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture(
            "corpus/expected/huaian-hongze-qu-2023.pdf.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let import = c.find(Locator::Id("import")).await.unwrap();
    assert_eq!(import.attr("disabled").await.unwrap(), None);
    // The file chooser is the system's: the file goes to the button's file input.
    js(
        c,
        "document.querySelector('#import-file').style.display = 'block';",
        vec![],
    )
    .await;
    let pdf = common::fixture("corpus/huaian-hongze-qu-2023.pdf");
    c.find(Locator::Id("import-file"))
        .await
        .unwrap()
        .send_keys(&pdf.display().to_string())
        .await
        .unwrap();
    until(
        c,
        "location.hash.startsWith('#/edit/') && document.querySelector('#import-notes') && document.querySelector('#agency')",
        "the imported report in the editor",
    )
    .await;
    let name = format!(
        "{}{}年政府信息公开工作年度报告.toml",
        expected["agency"].as_str().unwrap(),
        expected["year"]
    );
    assert_eq!(
        js(
            c,
            "return document.querySelector('.doc-name').textContent;",
            vec![]
        )
        .await,
        json!(name)
    );
    assert!(folder.join(&name).is_file());
    let notes = js(
        c,
        "return document.querySelector('#import-notes').innerText;",
        vec![],
    )
    .await;
    let notes = notes.as_str().unwrap();
    assert!(
        notes.contains("导入说明") && notes.contains("huaian-hongze-qu-2023.pdf"),
        "{notes}"
    );
    assert_eq!(
        js(c, "return document.querySelector('#agency').value;", vec![]).await,
        expected["agency"]
    );
    assert_eq!(
        cell_value(c, "requests.new[0]").await,
        expected["requests"]["new"][0].to_string()
    );
    // Its published errors are findings, placed in the published file.
    until(
        c,
        "document.querySelector('#findings li[data-rule=\"R6\"]') && Array.from(document.querySelectorAll('#findings li .origin')).some(o => o.textContent.startsWith('位置：原文第'))",
        "R6, and findings with where they are printed",
    )
    .await;
    screenshot(c, "6-imported.png").await;

    // A workbook of the folder: a finding names its sheet and cell; saved as a workbook.
    let long = common::load(&common::fixture("long-report.toml"));
    std::fs::write(
        folder.join("long.xlsx"),
        nianbao::workbook::export(&long).unwrap(),
    )
    .unwrap();
    let dump = crate::workbook::inspect(&folder.join("long.xlsx"));
    // R1 sits at the column's 四、结转下年度继续办理: 自然人's cell, as openpyxl names it.
    let forward = dump["names"]["requests_carried_forward"]
        .as_str()
        .unwrap()
        .replace(['$', '\''], "");
    let cell = forward.split(':').next().unwrap().to_string();
    c.goto(&format!("{url}#/edit/long.xlsx")).await.unwrap();
    until(
        c,
        "document.querySelector('.doc-name') && document.querySelector('.doc-name').textContent === 'long.xlsx' && document.querySelector('#findings-count').textContent === '全部通过'",
        "the workbook in the editor",
    )
    .await;
    let first = cell_value(c, "requests.new[0]").await;
    let changed = first.parse::<i64>().unwrap() + 5;
    type_into_cell(c, "requests.new[0]", &changed.to_string()).await;
    until(
        c,
        &format!("Array.from(document.querySelectorAll('#findings li[data-rule=\"R1\"] .origin')).some(o => o.textContent === '位置：{cell}')"),
        "R1 with its workbook cell",
    )
    .await;
    screenshot(c, "7-workbook.png").await;
    c.find(Locator::Id("save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "document.querySelector('#save-status').textContent.startsWith('已保存')",
        "the workbook's save",
    )
    .await;
    assert!(folder.join("long.xlsx.bak").is_file());
    let saved = crate::workbook::inspect(&folder.join("long.xlsx"));
    assert_eq!(
        crate::serve::named_cells(&saved, "requests_new")[0],
        json!(changed)
    );
}
