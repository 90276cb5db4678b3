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
        assert_eq!(
            a.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&a.bytes)
        );
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
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.bytes)
    );
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
    assert_eq!(
        pages.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&pages.bytes)
    );
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
    assert_eq!(
        a.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&a.bytes)
    );
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

#[tokio::test]
async fn import_answers_501_until_it_lands() {
    let s = server();
    let a = s
        .change("POST", "/api/import?file=report.pdf", json!(null))
        .await;
    assert_eq!(a.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(a.error_kind(), "not-available");
    let info = s.get("/api/info").await.json();
    assert_eq!(info["import"]["available"], false);
    // A workbook in the folder is listed, and cannot be opened yet.
    std::fs::write(s.path("2024.xlsx"), b"PK\x03\x04").unwrap();
    let list = s.get("/api/reports").await.json();
    let workbook = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "2024.xlsx")
        .unwrap()
        .clone();
    assert_eq!(workbook["status"], "unsupported");
    assert_eq!(
        s.get("/api/reports/2024.xlsx").await.status,
        StatusCode::NOT_IMPLEMENTED
    );
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
