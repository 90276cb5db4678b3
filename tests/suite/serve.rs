//! `nianbao serve`, handler by handler, without a browser (tower's `oneshot`):
//! the JSON API, saving in the file's own format, previews, PDFs read back
//! with pdftotext, and every refusal of a shared machine.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use nianbao::serve::{router, App, TOKEN_HEADER};
use nianbao::workspace::Workspace;

use crate::common;

const EXAMPLE_NAME: &str = "bianlukou-2023.toml";
const HOST: &str = "127.0.0.1:4000";

struct Server {
    dir: tempfile::TempDir,
    app: Arc<App>,
}

fn server_at(addr: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::example(), dir.path().join(EXAMPLE_NAME)).unwrap();
    let workspace = Workspace::open(dir.path()).unwrap();
    let addr: SocketAddr = addr.parse().unwrap();
    let app = Arc::new(App::new(workspace, common::publisher().clone(), addr));
    Server { dir, app }
}

fn server() -> Server {
    server_at(HOST)
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Answer {
    /// Asserts the status, showing the body when it differs.
    fn assert_status(&self, status: StatusCode) {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.bytes)
        );
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.bytes)))
    }

    fn error_kind(&self) -> String {
        self.json()["error"]["kind"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Server {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = router(self.app.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            bytes,
        }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.send(
            Request::get(uri)
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A change as the page sends it: the session's token, our own origin.
    async fn change(&self, method: &str, uri: &str, body: Value) -> Answer {
        self.send(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::HOST, HOST)
                .header(header::ORIGIN, format!("http://{HOST}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(TOKEN_HEADER, self.app.token())
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    async fn open(&self) -> Value {
        let a = self.get(&format!("/api/reports/{EXAMPLE_NAME}")).await;
        a.assert_status(StatusCode::OK);
        a.json()
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

fn findings_with(answer: &Value, rule: &str) -> Vec<Value> {
    answer["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

fn computed(answer: &Value, key: &str) -> Value {
    answer["computed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no computed {key}"))["value"]
        .clone()
}

#[tokio::test]
async fn the_folder_lists_its_reports_with_their_state() {
    let s = server();
    std::fs::write(s.path("broken.toml"), "agency = [").unwrap();
    std::fs::write(s.path("notes.txt"), "not a report").unwrap();
    let a = s.get("/api/reports").await;
    assert_eq!(a.status, StatusCode::OK);
    let list = a.json();
    let reports = list["reports"].as_array().unwrap();
    let names: Vec<&str> = reports
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bianlukou-2023.toml", "broken.toml"]);
    let example = &reports[0];
    assert_eq!(example["agency"], "卞路口乡人民政府");
    assert_eq!(example["year"], 2023);
    assert_eq!(example["edition"], "2021");
    assert_eq!(example["status"], "ready");
    assert_eq!(reports[1]["status"], "unreadable");
    assert!(reports[1]["message"]
        .as_str()
        .unwrap()
        .contains("broken.toml"));
}

#[tokio::test]
async fn a_report_opens_as_json_with_its_findings() {
    let s = server();
    let opened = s.open().await;
    assert_eq!(opened["data"]["agency"], "卞路口乡人民政府");
    assert_eq!(opened["data"]["requests"]["new"], json!([0, 0, 0, 0, 0, 0]));
    assert_eq!(opened["findings"], json!([]));
    assert_eq!(opened["kind"], "toml");
    assert_eq!(opened["numbers"]["overview.items[1]"], "（二）");
    let bytes = std::fs::read(s.path(EXAMPLE_NAME)).unwrap();
    assert_eq!(opened["revision"], nianbao::workspace::revision(&bytes));
}

#[tokio::test]
async fn a_check_finds_r1_at_its_column_and_computes_the_totals() {
    let s = server();
    let mut data = s.open().await["data"].clone();
    data["requests"]["new"][0] = json!(5);
    let a = s
        .change(
            "POST",
            &format!("/api/check?report={EXAMPLE_NAME}"),
            data.clone(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let answer = a.json();
    let r1 = findings_with(&answer, "R1");
    assert_eq!(
        r1.len(),
        2,
        "the 自然人 column and the 总计 column: {r1:#?}"
    );
    assert_eq!(r1[0]["key"], "requests.carried_forward[0]");
    assert_eq!(r1[0]["column"], "自然人");
    assert!(r1[0]["message"].as_str().unwrap().contains("两者应相等"));
    assert_eq!(computed(&answer, "requests.new[6]"), 5);
    assert_eq!(computed(&answer, "requests.total[0]"), 0);
    // A blank cell is R6, and the total it adds to is unknown, not 0.
    data["requests"]["new"][0] = Value::Null;
    let answer = s.change("POST", "/api/check", data).await.json();
    let r6 = findings_with(&answer, "R6");
    assert_eq!(r6[0]["key"], "requests.new[0]");
    assert_eq!(computed(&answer, "requests.new[6]"), Value::Null);
    // Nothing was written.
    let text = std::fs::read_to_string(s.path(EXAMPLE_NAME)).unwrap();
    assert_eq!(text, std::fs::read_to_string(common::example()).unwrap());
}

#[tokio::test]
async fn a_save_writes_toml_in_place_keeps_a_backup_and_refuses_a_stale_revision() {
    let s = server();
    let opened = s.open().await;
    let revision = opened["revision"].as_str().unwrap().to_string();
    let mut data = opened["data"].clone();
    data["requests"]["new"][0] = json!(2);
    data["requests"]["granted"][0] = json!(2);
    data["date"] = json!("2024-01-20");
    let a = s
        .change(
            "PUT",
            &format!("/api/reports/{EXAMPLE_NAME}"),
            json!({ "revision": revision, "data": data }),
        )
        .await;
    a.assert_status(StatusCode::OK);
    let saved = a.json();
    assert_eq!(saved["findings"], json!([]));
    let text = std::fs::read_to_string(s.path(EXAMPLE_NAME)).unwrap();
    let original = std::fs::read_to_string(common::example()).unwrap();
    // The changed rows, with their comments (the official labels) kept.
    assert!(
        text.contains(
            "new = [2, 0, 0, 0, 0, 0]                          # 一、本年新收政府信息公开申请数量"
        ),
        "{text}"
    );
    assert!(text.contains("granted = [2, 0, 0, 0, 0, 0]                      # （一）予以公开"));
    assert!(text.contains("date = \"2024-01-20\""));
    assert!(text.contains("# Verbatim: the published text lacks the date"));
    assert_eq!(
        std::fs::read_to_string(s.path("bianlukou-2023.toml.bak")).unwrap(),
        original
    );
    // Read back with the library's own loader: what the editor sent.
    let loaded = common::load(&s.path(EXAMPLE_NAME));
    assert_eq!(loaded.problems, vec![]);
    assert_eq!(loaded.report.date.unwrap().to_string(), "2024-01-20");
    // A second tab still at the first revision gets a conflict, and the file stays.
    let a = s
        .change(
            "PUT",
            &format!("/api/reports/{EXAMPLE_NAME}"),
            json!({ "revision": revision, "data": opened["data"] }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.error_kind(), "conflict");
    assert_eq!(std::fs::read_to_string(s.path(EXAMPLE_NAME)).unwrap(), text);
    assert_eq!(saved["revision"], a.json()["error"]["current"]);
}

#[tokio::test]
async fn json_and_yaml_reports_are_saved_in_their_own_format() {
    let s = server();
    let original = std::fs::read_to_string(common::example()).unwrap();
    let data = nianbao::model::tree::parse(&original, nianbao::model::Format::Toml)
        .unwrap()
        .to_json();
    std::fs::write(s.path("a.json"), serde_json::to_string(&data).unwrap()).unwrap();
    let yaml: serde_norway::Value = serde_json::from_value(data.clone()).unwrap();
    std::fs::write(s.path("b.yaml"), serde_norway::to_string(&yaml).unwrap()).unwrap();
    for name in ["a.json", "b.yaml"] {
        let opened = s.get(&format!("/api/reports/{name}")).await.json();
        let mut edited = opened["data"].clone();
        edited["requests"]["new"][5] = json!(7);
        edited["requests"]["granted"][5] = json!(7);
        let a = s
            .change(
                "PUT",
                &format!("/api/reports/{name}"),
                json!({ "revision": opened["revision"], "data": edited }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{name}");
        // Read back by an independent parser of the format.
        let text = std::fs::read_to_string(s.path(name)).unwrap();
        let back: Value = if name.ends_with(".json") {
            serde_json::from_str(&text).unwrap()
        } else {
            serde_json::to_value(serde_norway::from_str::<serde_norway::Value>(&text).unwrap())
                .unwrap()
        };
        assert_eq!(
            back["requests"]["new"],
            json!([0, 0, 0, 0, 0, 7]),
            "{name}: {text}"
        );
        assert_eq!(back["agency"], "卞路口乡人民政府");
    }
}

#[tokio::test]
async fn previews_are_png_pages_with_etags_that_change_with_the_data() {
    let s = server();
    let pages = s.get(&format!("/api/reports/{EXAMPLE_NAME}/preview")).await;
    pages.assert_status(StatusCode::OK);
    let pages = pages.json()["pages"].clone();
    let count = pages.as_array().unwrap().len();
    // The PDF of the same data, counted by an independent reader.
    let rendered = common::render_to_file(&common::load(&common::example()), &Default::default());
    let info = common::tool("pdfinfo", &[rendered.1.to_str().unwrap()]);
    let pdf_pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap();
    assert_eq!(count, pdf_pages);

    let png = s
        .get(&format!("/api/reports/{EXAMPLE_NAME}/pages/1.png"))
        .await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.headers[header::CONTENT_TYPE], "image/png");
    assert!(png.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    // The IHDR chunk's size is the size the preview announced.
    let width = u32::from_be_bytes(png.bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png.bytes[20..24].try_into().unwrap());
    assert_eq!(
        (width, height),
        (
            pages[0]["width"].as_u64().unwrap() as u32,
            pages[0]["height"].as_u64().unwrap() as u32
        )
    );
    let etag = png.headers[header::ETAG].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", pages[0]["hash"].as_str().unwrap()));
    let again = s
        .send(
            Request::get(format!("/api/reports/{EXAMPLE_NAME}/pages/1.png"))
                .header(header::HOST, HOST)
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // An edit of the first paragraph (unsaved) changes page 1, not the last.
    let mut data = s.open().await["data"].clone();
    // One digit of the telephone number: no line moves.
    let first = data["overview"]["paragraphs"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(first.contains("5630399"));
    data["overview"]["paragraphs"][0] = json!(first.replace("5630399", "5630398"));
    s.change("POST", &format!("/api/check?report={EXAMPLE_NAME}"), data)
        .await;
    let after = s
        .get(&format!("/api/reports/{EXAMPLE_NAME}/preview"))
        .await
        .json()["pages"]
        .clone();
    assert_ne!(after[0]["hash"], pages[0]["hash"]);
    let last = count - 1;
    assert_eq!(
        after[last]["hash"], pages[last]["hash"],
        "the last page did not change"
    );
    let png2 = s
        .get(&format!("/api/reports/{EXAMPLE_NAME}/pages/1.png"))
        .await;
    assert_ne!(png2.bytes, png.bytes);
    assert_eq!(
        s.get(&format!("/api/reports/{EXAMPLE_NAME}/pages/99.png"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_pdf_is_the_report_and_a_report_with_errors_is_not_printed() {
    let s = server();
    let a = s.get(&format!("/api/reports/{EXAMPLE_NAME}/pdf")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("a.pdf");
    std::fs::write(&pdf, &a.bytes).unwrap();
    let text = common::strip_ws(&common::pdf_text(&pdf));
    assert!(
        text.contains("卞路口乡人民政府2023年政府信息公开工作年度报告"),
        "{text}"
    );
    assert!(text.contains("三、收到和处理政府信息公开申请情况"));
    // A GET writes nothing; POST …/render writes the PDF next to the data.
    assert!(!s.path("bianlukou-2023.pdf").exists());
    let a = s
        .change(
            "POST",
            &format!("/api/reports/{EXAMPLE_NAME}/render"),
            json!(null),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        std::fs::read(s.path("bianlukou-2023.pdf")).unwrap(),
        a.bytes
    );
    let list = s.get("/api/reports").await.json();
    assert_eq!(list["reports"][0]["status"], "rendered");
    // The archival copy carries the data (qpdf lists the attachment).
    let a = s
        .get(&format!("/api/reports/{EXAMPLE_NAME}/pdf?archive=true"))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let archive = dir.path().join("archive.pdf");
    std::fs::write(&archive, &a.bytes).unwrap();
    let attachments = common::tool("qpdf", &["--list-attachments", archive.to_str().unwrap()]);
    assert!(attachments.contains(".json"), "{attachments}");

    let text = std::fs::read_to_string(s.path(EXAMPLE_NAME))
        .unwrap()
        .replace("\nnew = [0, 0, 0, 0, 0, 0]", "\nnew = [4, 0, 0, 0, 0, 0]");
    std::fs::write(s.path(EXAMPLE_NAME), text).unwrap();
    let a = s.get(&format!("/api/reports/{EXAMPLE_NAME}/pdf")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.error_kind(), "findings");
    assert!(!findings_with(&a.json()["error"], "R1").is_empty());
}

#[tokio::test]
async fn new_reports_start_from_the_skeleton_or_from_last_year() {
    let s = server();
    let a = s
        .change("POST", "/api/reports", json!({ "prev": EXAMPLE_NAME }))
        .await;
    a.assert_status(StatusCode::CREATED);
    let name = a.json()["name"].as_str().unwrap().to_string();
    assert_eq!(name, "卞路口乡人民政府2024.toml");
    let opened = s
        .get(&format!("/api/reports/{}", urlencode(&name)))
        .await
        .json();
    assert_eq!(opened["data"]["year"], 2024);
    assert_eq!(opened["prev"], EXAMPLE_NAME);
    // Last year's prose is still there: R11 says so.
    assert!(!findings_with(&opened, "R11").is_empty());
    let a = s
        .change("POST", "/api/reports", json!({ "prev": EXAMPLE_NAME }))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);

    let a = s
        .change(
            "POST",
            "/api/reports",
            json!({ "agency": "某某县人民政府办公室", "year": 2024 }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let text = std::fs::read_to_string(s.path("某某县人民政府办公室2024.toml")).unwrap();
    assert!(text.contains("# （三）不予公开 1.属于国家秘密"));
    let a = s
        .change(
            "POST",
            "/api/reports",
            json!({ "agency": "某某", "year": 2024, "edition": "2019" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_layout_and_references_come_from_the_official_labels() {
    let s = server();
    let layout = s.get("/api/layout/2021").await.json();
    let rows = layout["requests"]["rows"].as_array().unwrap();
    // The official 2021 Table 3 (国办公开办函〔2021〕30号) has 25 rows of numbers.
    assert_eq!(rows.len(), 25);
    assert_eq!(rows[0]["label"], "一、本年新收政府信息公开申请数量");
    let secret = rows
        .iter()
        .find(|r| r["key"] == "denied_state_secret")
        .unwrap();
    assert_eq!(secret["group"], "（三）不予公开");
    assert_eq!(secret["group_rows"], 8);
    assert_eq!(rows[rows.len() - 2]["label"], "（七）总计");
    assert_eq!(
        layout["appeals"]["columns"],
        json!(["结果维持", "结果纠正", "其他结果", "尚未审结"])
    );
    let layout_2019 = s.get("/api/layout/2019").await.json();
    assert_eq!(
        layout_2019["requests"]["rows"].as_array().unwrap().len(),
        23
    );
    assert_eq!(
        s.get("/api/layout/2020").await.status,
        StatusCode::NOT_FOUND
    );
    let refs = s.get("/api/refs/2021").await.json();
    let new_total = refs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "requests.new.total")
        .unwrap();
    assert_eq!(
        new_total["label"],
        "表三 · 一、本年新收政府信息公开申请数量 · 总计"
    );
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_the_session_token() {
    let s = server();
    let page = s.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8(page.bytes).unwrap();
    assert!(html.contains(&format!("content=\"{}\"", s.app.token())));
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    for asset in ["/assets/app.js", "/assets/app.css"] {
        let a = s.get(asset).await;
        assert_eq!(a.status, StatusCode::OK, "{asset}");
        assert!(!a.bytes.is_empty());
    }
    // Nothing is loaded from elsewhere.
    assert!(!html.contains("http://") && !html.contains("https://"));
    let data = s.get(&format!("/api/reports/{EXAMPLE_NAME}/data")).await;
    assert_eq!(data.bytes, std::fs::read(common::example()).unwrap());
}

// ---------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_foreign_host_is_refused_dns_rebinding() {
    let s = server();
    for host in [
        "evil.example:4000",
        "evil.example",
        "127.0.0.1:4001",
        "localhost.evil.example:4000",
        "192.168.1.5:4000",
        "",
    ] {
        let a = s
            .send(
                Request::get("/api/reports")
                    .header(header::HOST, host)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{host}");
        assert_eq!(a.error_kind(), "host", "{host}");
    }
    for host in ["127.0.0.1:4000", "localhost:4000", "LOCALHOST:4000"] {
        let a = s
            .send(
                Request::get("/api/reports")
                    .header(header::HOST, host)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{host}");
    }
    // Serving a LAN (--listen 0.0.0.0): any address of the machine, still no names.
    let lan = server_at("0.0.0.0:4000");
    let get = |host: &'static str| {
        Request::get("/api/reports")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        lan.send(get("192.168.1.5:4000")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        lan.send(get("evil.example:4000")).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn changes_without_the_token_or_from_a_foreign_origin_are_refused() {
    let s = server();
    let opened = s.open().await;
    let body = json!({ "revision": opened["revision"], "data": opened["data"] }).to_string();
    let uri = format!("/api/reports/{EXAMPLE_NAME}");
    let put = |token: Option<&str>, origin: Option<&str>| {
        let mut r = Request::put(&uri)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            r = r.header(TOKEN_HEADER, t);
        }
        if let Some(o) = origin {
            r = r.header(header::ORIGIN, o);
        }
        r.body(Body::from(body.clone())).unwrap()
    };
    let token = s.app.token().to_string();
    let wrong = "0".repeat(token.len());
    for (request, kind) in [
        (put(None, Some("http://127.0.0.1:4000")), "token"),
        (put(Some(&wrong), Some("http://127.0.0.1:4000")), "token"),
        (put(Some(&token), Some("http://evil.example")), "origin"),
        (put(Some(&token), Some("null")), "origin"),
        (put(Some(&token), Some("http://127.0.0.1:4001")), "origin"),
    ] {
        let a = s.send(request).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{kind}");
        assert_eq!(a.error_kind(), kind);
    }
    // Every change is guarded: check (it sets the preview's draft), new
    // reports, renders, seals, import.
    for (method, uri) in [
        ("POST", "/api/check".to_string()),
        ("POST", "/api/reports".to_string()),
        ("POST", format!("/api/reports/{EXAMPLE_NAME}/render")),
        ("PUT", format!("/api/reports/{EXAMPLE_NAME}/seal")),
        ("POST", "/api/import".to_string()),
    ] {
        let a = s
            .send(
                Request::builder()
                    .method(method)
                    .uri(&uri)
                    .header(header::HOST, HOST)
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {uri}");
    }
    assert_eq!(
        std::fs::read(s.path(EXAMPLE_NAME)).unwrap(),
        std::fs::read(common::example()).unwrap()
    );
    // With the token and our origin, the same save goes through.
    assert_eq!(
        s.send(put(Some(&token), Some("http://127.0.0.1:4000")))
            .await
            .status,
        StatusCode::OK
    );
    // A program without an Origin (curl) is served with the token (the data
    // did not change, so neither did the revision).
    assert_eq!(s.send(put(Some(&token), None)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn file_names_cannot_leave_the_folder() {
    let s = server();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.toml"), "agency = \"秘密\"").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.toml"), s.path("link.toml")).unwrap();
    let escaped_parent = format!(
        "..%2F{}%2Fsecret.toml",
        outside.path().file_name().unwrap().to_str().unwrap()
    );
    let absolute = urlencode(outside.path().join("secret.toml").to_str().unwrap());
    for name in [
        escaped_parent.as_str(),
        absolute.as_str(),
        "..",
        ".hidden.toml",
        "a%5Cb.toml",
        "x.txt",
        "link.toml",
    ] {
        let a = s.get(&format!("/api/reports/{name}")).await;
        assert_eq!(
            a.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            String::from_utf8_lossy(&a.bytes)
        );
        assert_eq!(a.error_kind(), "name", "{name}");
        let a = s.get(&format!("/api/reports/{name}/data")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{name}");
        let a = s
            .change(
                "PUT",
                &format!("/api/reports/{name}"),
                json!({ "revision": "", "data": {} }),
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{name}");
    }
    let a = s
        .change(
            "POST",
            "/api/reports",
            json!({ "agency": "x", "year": 2024, "name": "../escape.toml" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(!s.dir.path().parent().unwrap().join("escape.toml").exists());
    assert_eq!(
        s.get("/api/files/..%2Fetc%2Fpasswd").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.get("/api/files/x.toml").await.status,
        StatusCode::BAD_REQUEST
    );
    // The link out is not listed either.
    let list = s.get("/api/reports").await.json();
    assert_eq!(list["reports"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bodies_and_uploads_are_size_limited() {
    let s = server();
    let big = format!("{{\"agency\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let request = |uri: &str, body: Vec<u8>| {
        Request::post(uri)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/json")
            .header(TOKEN_HEADER, s.app.token())
            .body(Body::from(body))
            .unwrap()
    };
    let a = s.send(request("/api/check", big.into_bytes())).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut seal = b"\x89PNG\r\n\x1a\n".to_vec();
    seal.resize(2 * 1024 * 1024, 0);
    let a = s
        .send(
            Request::put(format!("/api/reports/{EXAMPLE_NAME}/seal"))
                .header(header::HOST, HOST)
                .header(TOKEN_HEADER, s.app.token())
                .body(Body::from(seal))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Not an image: refused; a real one is saved next to the report.
    let upload = |bytes: Vec<u8>| {
        Request::put(format!("/api/reports/{EXAMPLE_NAME}/seal"))
            .header(header::HOST, HOST)
            .header(TOKEN_HEADER, s.app.token())
            .body(Body::from(bytes))
            .unwrap()
    };
    let a = s.send(upload(b"GIF89a".to_vec())).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let png = std::fs::read(common::fixture("archive-seal.png")).unwrap();
    let a = s.send(upload(png.clone())).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["seal"], "bianlukou-2023-seal.png");
    assert_eq!(
        std::fs::read(s.path("bianlukou-2023-seal.png")).unwrap(),
        png
    );
    let image = s.get("/api/files/bianlukou-2023-seal.png").await;
    assert_eq!(image.bytes, png);
}

impl Server {
    /// An upload as the page sends it (raw bytes, the token, our own origin).
    async fn upload(&self, uri: &str, bytes: Vec<u8>) -> Answer {
        self.send(
            Request::post(uri)
                .header(header::HOST, HOST)
                .header(header::ORIGIN, format!("http://{HOST}"))
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(TOKEN_HEADER, self.app.token())
                .body(Body::from(bytes))
                .unwrap(),
        )
        .await
    }

    /// The names of the files in the folder, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

/// A value of the expected JSON or of a TOML file, as text (`null` when absent).
fn json_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "null".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

fn toml_text(v: Option<&toml::Value>) -> String {
    match v {
        None => "null".into(),
        Some(toml::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// Compares every table value of the expected JSON (read by hand from the
/// published file) with the TOML file written by the import, read with the
/// `toml` crate; returns how many values were compared.
fn compare_tables(expected: &Value, saved: &toml::Value) -> usize {
    fn walk(path: &str, e: &Value, t: Option<&toml::Value>, n: &mut usize) {
        match e {
            Value::Object(m) => {
                for (k, v) in m {
                    if k == "paragraphs" {
                        continue;
                    }
                    walk(&format!("{path}.{k}"), v, t.and_then(|t| t.get(k)), n);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let at = t.and_then(|t| t.as_array()).and_then(|a| a.get(i));
                    walk(&format!("{path}[{i}]"), v, at, n);
                }
            }
            _ => {
                *n += 1;
                assert_eq!(toml_text(t), json_text(Some(e)), "{path}");
            }
        }
    }
    let mut n = 0;
    for table in ["active", "requests", "appeals"] {
        walk(table, &expected[table], saved.get(table), &mut n);
    }
    n
}

#[tokio::test]
async fn a_published_pdf_is_imported_into_a_new_toml_file_with_the_values_it_prints() {
    let s = server();
    let pdf = std::fs::read(common::fixture("corpus/huaian-shi-2024.pdf")).unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("corpus/expected/huaian-shi-2024.pdf.json"))
            .unwrap(),
    )
    .unwrap();
    let a = s
        .upload("/api/import?file=huaian-shi-2024.pdf", pdf.clone())
        .await;
    a.assert_status(StatusCode::CREATED);
    let answer = a.json();
    // Named after the agency and year, as `nianbao init --xlsx` and batch name reports.
    let name = format!(
        "{}{}年政府信息公开工作年度报告.toml",
        expected["agency"].as_str().unwrap(),
        expected["year"]
    );
    assert_eq!(answer["name"], name.as_str());
    assert_eq!(answer["file"], "huaian-shi-2024.pdf");
    assert!(answer["notes"].is_array());
    assert!(answer["findings"].is_array());
    // The file, read by an independent TOML parser, holds what the PDF prints.
    let saved: toml::Value = std::fs::read_to_string(s.path(&name))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(saved["agency"].as_str(), expected["agency"].as_str());
    assert_eq!(
        saved["year"].as_integer(),
        expected["year"].as_i64(),
        "year"
    );
    assert_eq!(compare_tables(&expected, &saved), 200);
    // It is a report of the folder now, and opens in the editor.
    let list = s.get("/api/reports").await.json();
    assert!(list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == name.as_str() && r["year"] == 2024));
    let opened = s.get(&format!("/api/reports/{}", urlencode(&name))).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert_eq!(
        opened.json()["data"]["requests"]["new"],
        expected["requests"]["new"]
    );
    // Importing it again never overwrites: the name gets a suffix.
    let before = std::fs::read(s.path(&name)).unwrap();
    std::fs::write(s.path(&name), b"# edited by hand\n").unwrap();
    let again = s.upload("/api/import?file=huaian-shi-2024.pdf", pdf).await;
    assert_eq!(again.status, StatusCode::CREATED);
    let second = name.replace(".toml", "-2.toml");
    assert_eq!(again.json()["name"], second.as_str());
    assert_eq!(
        std::fs::read_to_string(s.path(&name)).unwrap(),
        "# edited by hand\n"
    );
    assert_eq!(std::fs::read(s.path(&second)).unwrap(), before);
}

#[tokio::test]
async fn a_published_report_with_blank_cells_is_imported_with_its_findings_placed_in_it() {
    let s = server();
    let pdf = std::fs::read(common::fixture("corpus/huaian-hongze-qu-2023.pdf")).unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture(
            "corpus/expected/huaian-hongze-qu-2023.pdf.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let a = s
        .upload("/api/import?file=huaian-hongze-qu-2023.pdf", pdf)
        .await;
    a.assert_status(StatusCode::CREATED);
    let answer = a.json();
    let name = answer["name"].as_str().unwrap().to_string();
    let saved: toml::Value = std::fs::read_to_string(s.path(&name))
        .unwrap()
        .parse()
        .unwrap();
    // Blank cells stay blank (absent keys), never 0.
    assert_eq!(compare_tables(&expected, &saved), 200);
    // The published errors are findings (R6 for the blanks, R4), each placed
    // in the published file, in Chinese.
    let findings = answer["findings"].as_array().unwrap();
    assert!(!findings_with(&answer, "R6").is_empty(), "{answer}");
    assert!(!findings_with(&answer, "R4").is_empty(), "{answer}");
    assert!(
        findings.iter().any(|f| f["origin"]
            .as_str()
            .is_some_and(|o| o.starts_with("原文第"))),
        "{findings:?}"
    );
    // The notes are the importer's, in Chinese.
    let notes = answer["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["level"] == "warning"), "{notes:?}");
    assert!(notes.iter().all(|n| n["message"]
        .as_str()
        .unwrap()
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
}

#[tokio::test]
async fn a_bad_upload_is_refused_with_its_reason_and_writes_nothing() {
    let s = server();
    let before = s.files();
    let png = std::fs::read(common::fixture("archive-seal.png")).unwrap();
    for (file, bytes) in [("report.pdf", png), ("empty.pdf", Vec::new())] {
        let a = s.upload(&format!("/api/import?file={file}"), bytes).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}");
        let error = &a.json()["error"];
        assert!(
            ["unknown-format", "damaged", "not-a-report"]
                .contains(&error["kind"].as_str().unwrap()),
            "{file}: {error}"
        );
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("无法导入"), "{message}");
        assert_eq!(error["file"], file);
        assert_eq!(s.files(), before, "{file}");
    }
    // Without the page's token, nothing is imported.
    let pdf = std::fs::read(common::fixture("corpus/huaian-shi-2024.pdf")).unwrap();
    let a = s
        .send(
            Request::post("/api/import?file=a.pdf")
                .header(header::HOST, HOST)
                .body(Body::from(pdf.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(s.files(), before);
    // Nor from a foreign origin, with the token.
    let a = s
        .send(
            Request::post("/api/import?file=a.pdf")
                .header(header::HOST, HOST)
                .header(header::ORIGIN, "http://evil.example")
                .header(TOKEN_HEADER, s.app.token())
                .body(Body::from(pdf.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // An upload larger than the limit is refused before it is read.
    let a = s
        .upload(
            "/api/import?file=big.pdf",
            vec![b'%'; nianbao::serve::MAX_IMPORT + 1],
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(s.files(), before);
    let info = s.get("/api/info").await.json();
    assert_eq!(info["import"]["available"], true);
}

#[tokio::test]
async fn a_published_form_without_agency_or_year_is_named_after_the_uploaded_file() {
    let s = server();
    let docx = std::fs::read(common::fixture("corpus/template-2021-blank-wps.docx")).unwrap();
    let a = s
        .upload("/api/import?file=C%3A%5Cfakepath%5Cblank.docx", docx)
        .await;
    a.assert_status(StatusCode::CREATED);
    let answer = a.json();
    // A browser's path is not a path in the folder: only a safe name is used.
    let name = answer["name"].as_str().unwrap();
    assert!(!name.contains(['/', '\\', ':']), "{name}");
    assert!(
        name.ends_with("blank.docx.toml") || name.ends_with("blank.toml"),
        "{name}"
    );
    assert!(s.path(name).is_file());
    // Every cell of the blank form is blank (R6), not 0.
    assert_eq!(
        s.get(&format!("/api/reports/{}", urlencode(name)))
            .await
            .json()["data"]["requests"]["new"],
        json!(null)
    );
    assert!(!findings_with(&answer, "R6").is_empty());
}

/// The cells of a defined name as openpyxl reads them (`'表三'!$D$4:$I$4`).
pub(crate) fn named_cells(dump: &Value, name: &str) -> Vec<Value> {
    let text = dump["names"][name].as_str().unwrap();
    let (sheet, range) = text.rsplit_once('!').unwrap();
    let sheet = sheet.trim_matches('\'');
    let range = range.replace('$', "");
    let (first, last) = range.split_once(':').unwrap_or((&range, &range));
    let split = |c: &str| {
        let at = c.find(|ch: char| ch.is_ascii_digit()).unwrap();
        (c.as_bytes()[0], c[at..].to_string())
    };
    let (c0, row) = split(first);
    let (c1, _) = split(last);
    (c0..=c1)
        .map(|c| dump["values"][sheet][format!("{}{row}", c as char)].clone())
        .collect()
}

#[tokio::test]
async fn a_workbook_is_listed_opened_saved_as_a_workbook_and_starts_next_years_report() {
    let s = server();
    let source = common::load(&common::fixture("long-report.toml"));
    let bytes = nianbao::workbook::export(&source).unwrap();
    std::fs::write(s.path("long.xlsx"), &bytes).unwrap();
    let dump = crate::workbook::inspect(&s.path("long.xlsx"));

    let list = s.get("/api/reports").await.json();
    let entry = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "long.xlsx")
        .unwrap()
        .clone();
    assert_eq!(entry["kind"], "xlsx");
    assert_eq!(
        entry["agency"].as_str(),
        Some(source.report.agency.as_str())
    );
    assert_eq!(entry["year"], source.report.year.0);
    assert_eq!(entry["status"], "ready", "{entry}");

    // Opened: the data are what openpyxl reads in the workbook.
    let opened = s.get("/api/reports/long.xlsx").await;
    opened.assert_status(StatusCode::OK);
    let opened = opened.json();
    assert_eq!(opened["kind"], "xlsx");
    assert_eq!(opened["read_only"], Value::Null);
    assert_eq!(opened["findings"], json!([]));
    assert_eq!(opened["data"]["agency"], named_cells(&dump, "agency")[0]);
    for (table, key) in [
        ("requests", "new"),
        ("requests", "granted"),
        ("appeals", "review"),
    ] {
        let values = opened["data"][table][key].as_array().unwrap().clone();
        let cells = named_cells(&dump, &format!("{table}_{key}"));
        assert_eq!(values, cells[..values.len()], "{table}.{key}");
        assert!(
            values.iter().any(|v| v.as_i64() != Some(0)),
            "{table}.{key}"
        );
    }
    assert_eq!(
        opened["data"]["active"]["licensing"],
        named_cells(&dump, "active_licensing")[0]
    );

    // An edit that breaks R1: the finding names the workbook's cell.
    let mut data = opened["data"].clone();
    let new_value = data["requests"]["new"][0].as_i64().unwrap() + 5;
    data["requests"]["new"][0] = json!(new_value);
    let checked = s
        .change("POST", "/api/check?report=long.xlsx", data.clone())
        .await
        .json();
    // R1 sits at the column's 四、结转下年度继续办理 (its first cell for 自然人).
    let forward = dump["names"]["requests_carried_forward"]
        .as_str()
        .unwrap()
        .replace(['$', '\''], "");
    let first_cell = forward.split(':').next().unwrap().to_string();
    assert!(
        checked["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["origin"] == first_cell.as_str()),
        "no finding at {first_cell}: {}",
        checked["findings"]
    );

    // Saved through PUT: a workbook again, the previous one kept as .bak.
    let a = s
        .change(
            "PUT",
            "/api/reports/long.xlsx",
            json!({ "revision": opened["revision"], "data": data }),
        )
        .await;
    a.assert_status(StatusCode::OK);
    let revision = a.json()["revision"].as_str().unwrap().to_string();
    assert_ne!(revision, opened["revision"].as_str().unwrap());
    assert_eq!(std::fs::read(s.path("long.xlsx.bak")).unwrap(), bytes);
    let saved = crate::workbook::inspect(&s.path("long.xlsx"));
    assert_eq!(named_cells(&saved, "requests_new")[0], json!(new_value));
    assert_eq!(
        named_cells(&saved, "requests_granted"),
        named_cells(&dump, "requests_granted")
    );
    // A second tab's save of the first version is a conflict.
    let stale = s
        .change(
            "PUT",
            "/api/reports/long.xlsx",
            json!({ "revision": opened["revision"], "data": opened["data"] }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // LibreOffice opens the saved workbook; its .ods copy reads back with the new value.
    let out = tempfile::tempdir().unwrap();
    crate::workbook::libreoffice(&[&s.path("long.xlsx")], "ods", out.path());
    std::fs::copy(out.path().join("long.ods"), s.path("long.ods")).unwrap();
    let ods = s.get("/api/reports/long.ods").await.json();
    assert_eq!(ods["kind"], "ods");
    assert_eq!(ods["data"]["requests"]["new"][0], json!(new_value));
    assert!(ods["read_only"].as_str().unwrap().contains(".xlsx"));
    // An .ods (or .xls) workbook is not saved: nianbao writes .xlsx only.
    let ods_bytes = std::fs::read(s.path("long.ods")).unwrap();
    let refused = s
        .change(
            "PUT",
            "/api/reports/long.ods",
            json!({ "revision": ods["revision"], "data": ods["data"] }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_kind(), "read-only");
    assert_eq!(std::fs::read(s.path("long.ods")).unwrap(), ods_bytes);
    std::fs::remove_file(s.path("long.ods")).unwrap();

    // Next year's report starts from the workbook.
    let a = s
        .change("POST", "/api/reports", json!({ "prev": "long.xlsx" }))
        .await;
    a.assert_status(StatusCode::CREATED);
    let next = a.json()["name"].as_str().unwrap().to_string();
    let next_data = s
        .get(&format!("/api/reports/{}", urlencode(&next)))
        .await
        .json();
    assert_eq!(next_data["data"]["year"], source.report.year.0 + 1);
    assert_eq!(next_data["prev"], "long.xlsx");
    let forward = named_cells(&saved, "requests_carried_forward");
    let carried = next_data["data"]["requests"]["carried_over"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(carried, forward[..carried.len()]);
}

/// The command: `nianbao serve DIR` prints its address on standard output and
/// serves the folder there (127.0.0.1, an ephemeral port).
#[test]
fn the_command_prints_its_address_and_serves_the_folder() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::example(), dir.path().join(EXAMPLE_NAME)).unwrap();
    let binary = assert_cmd::cargo::cargo_bin("nianbao");
    let mut child = std::process::Command::new(binary)
        .arg("serve")
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let _stop = Stop(child);
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    let url = url.trim();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let list = ureq::get(&format!("{url}api/reports"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["reports"][0]["agency"], "卞路口乡人民政府");
    // A change without the page's token is refused.
    let refused = ureq::post(&format!("{url}api/check")).send_string("{}");
    assert!(
        matches!(refused, Err(ureq::Error::Status(403, _))),
        "{refused:?}"
    );
}
