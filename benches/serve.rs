//! Latency of the web editor (`nianbao serve`): prints figures, asserts nothing.
//!
//!     cargo bench --bench serve
//!
//! Through the server's own router (tower `oneshot`: everything but the
//! socket), on the bundled example report:
//!
//! 1. a check (`POST /api/check`: the editor's JSON → findings and totals), the
//!    editor's call after every keystroke;
//! 2. the preview after an edit of one paragraph, and after an edit of one
//!    table cell: `POST /api/check?report=…` (the draft), `GET …/preview` (the
//!    document laid out again in the kept world) and `GET …/pages/N.png` of
//!    the page that changed — the time until the new page image is ready;
//! 3. for comparison, the same report laid out from scratch (a new world).
//!
//! Each figure is the median (and the slowest) of several runs, after one
//! warm-up run.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use nianbao::serve::{router, App, TOKEN_HEADER};
use nianbao::workspace::Workspace;

const HOST: &str = "127.0.0.1:4000";
const NAME: &str = "bianlukou-2023.toml";
const RUNS: usize = 15;

/// An edit of the data: the run number makes each run's edit new.
type Edit = Box<dyn Fn(&mut Value, usize)>;

struct Bench {
    app: Arc<App>,
}

impl Bench {
    async fn call(&self, method: &str, uri: &str, body: Option<&Value>) -> Value {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, HOST)
            .header(TOKEN_HEADER, self.app.token());
        let body = match body {
            Some(b) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let response = router(self.app.clone())
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{method} {uri}: {}",
            response.status()
        );
        let png = response.headers()[header::CONTENT_TYPE] == "image/png";
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        if png {
            json!(bytes.len())
        } else {
            serde_json::from_slice(&bytes).unwrap()
        }
    }
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:7.2} ms   slowest {:7.2} ms   ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len()
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("examples").join(NAME), dir.path().join(NAME)).unwrap();
    let addr: SocketAddr = HOST.parse().unwrap();
    let app = Arc::new(App::new(
        Workspace::open(dir.path()).unwrap(),
        nianbao::Publisher::embedded(),
        addr,
    ));
    let b = Bench { app };
    let opened = b.call("GET", &format!("/api/reports/{NAME}"), None).await;
    // The example is 4 pages; a few more paragraphs of its own text make it 5.
    let mut data = opened["data"].clone();
    let text = data["overview"]["items"][1]["paragraphs"][0].clone();
    for _ in 0..4 {
        data["overview"]["paragraphs"]
            .as_array_mut()
            .unwrap()
            .push(text.clone());
    }
    let saved = json!({ "revision": opened["revision"], "data": data });
    b.call("PUT", &format!("/api/reports/{NAME}"), Some(&saved))
        .await;
    let pages = b
        .call("GET", &format!("/api/reports/{NAME}/preview"), None)
        .await;
    let page_count = pages["pages"].as_array().unwrap().len();
    println!("nianbao serve latency, {NAME} ({page_count} pages), through the router:");

    // 1. Checks.
    let mut times = Vec::new();
    for i in 0..=RUNS * 4 {
        let mut d = data.clone();
        d["requests"]["new"][0] = json!(i % 3);
        let started = Instant::now();
        let answer = b
            .call("POST", &format!("/api/check?report={NAME}"), Some(&d))
            .await;
        let elapsed = started.elapsed();
        assert!(answer["findings"].is_array());
        if i > 0 {
            times.push(elapsed);
        }
    }
    println!(
        "  check (POST /api/check)                     {}",
        summary(&mut times)
    );

    // 2. Previews after one edit: a paragraph, a cell.
    let edits: [(&str, Edit); 2] = [
        (
            "one paragraph",
            Box::new(|d: &mut Value, i: usize| {
                d["overview"]["items"][1]["paragraphs"][0] = json!(format!(
                    "充分利用政务新媒体平台发挥宣传引导作用，第{i}次修改。"
                ));
            }),
        ),
        (
            "one cell of Table 3",
            Box::new(|d: &mut Value, i: usize| {
                d["requests"]["new"][0] = json!(i + 1);
                d["requests"]["granted"][0] = json!(i + 1);
            }),
        ),
    ];
    for (what, edit) in edits.iter() {
        let mut times = Vec::new();
        let mut changed_pages = 0;
        for i in 0..=RUNS {
            let mut d = data.clone();
            edit(&mut d, i);
            let before = b
                .call("GET", &format!("/api/reports/{NAME}/preview"), None)
                .await;
            let started = Instant::now();
            b.call("POST", &format!("/api/check?report={NAME}"), Some(&d))
                .await;
            let after = b
                .call("GET", &format!("/api/reports/{NAME}/preview"), None)
                .await;
            let pages = after["pages"].as_array().unwrap();
            let page = pages
                .iter()
                .zip(before["pages"].as_array().unwrap())
                .position(|(a, b)| a["hash"] != b["hash"])
                .unwrap_or(0);
            changed_pages = pages
                .iter()
                .zip(before["pages"].as_array().unwrap())
                .filter(|(a, b)| a["hash"] != b["hash"])
                .count();
            b.call(
                "GET",
                &format!("/api/reports/{NAME}/pages/{}.png", page + 1),
                None,
            )
            .await;
            let elapsed = started.elapsed();
            if i > 0 {
                times.push(elapsed);
            }
        }
        println!(
            "  preview after an edit of {what:<19} {}; {changed_pages} page(s) changed",
            summary(&mut times)
        );
    }

    // Where the time of a cell edit goes: our own work (view, templates, font
    // check), Typst's layout in the kept world, rasterising the page.
    let publisher = nianbao::Publisher::embedded();
    let base = std::fs::read_to_string(dir.path().join(NAME)).unwrap();
    let mut preview = nianbao::preview::Preview::new(publisher.clone());
    let (mut prepare, mut layout, mut raster) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..=RUNS {
        let text = base.replace("\nnew = [0,", &format!("\nnew = [{},", i + 1));
        let loaded = nianbao::model::load_str(NAME, &text, nianbao::model::Format::Toml).unwrap();
        let started = Instant::now();
        publisher
            .prepare(&loaded, &Default::default(), false)
            .unwrap();
        let prepared = started.elapsed();
        let before = preview.pages().to_vec();
        let started = Instant::now();
        let pages = preview.update(&loaded).unwrap().to_vec();
        let laid_out = started.elapsed().saturating_sub(prepared);
        let changed = pages
            .iter()
            .zip(&before)
            .position(|(a, b)| a.hash != b.hash)
            .unwrap_or(0);
        let started = Instant::now();
        preview.png(changed + 1).unwrap();
        if i > 0 {
            prepare.push(prepared);
            layout.push(laid_out);
            raster.push(started.elapsed());
        }
    }
    println!(
        "    of which: view and templates (ours)     {}",
        summary(&mut prepare)
    );
    println!(
        "              layout in the kept world      {}",
        summary(&mut layout)
    );
    println!(
        "              one page to PNG               {}",
        summary(&mut raster)
    );

    // 3. From scratch: a new world and an empty cache each time (what the
    //    preview avoids).
    let loaded = nianbao::load_data(&dir.path().join(NAME), None).unwrap();
    let mut times = Vec::new();
    for i in 0..=RUNS / 3 {
        let mut preview = nianbao::preview::Preview::new(publisher.clone());
        typst::comemo::evict(0);
        let started = Instant::now();
        preview.update(&loaded).unwrap();
        preview.png(1).unwrap();
        if i > 0 {
            times.push(started.elapsed());
        }
    }
    println!(
        "  preview from scratch (new world, page 1)    {}",
        summary(&mut times)
    );
}
