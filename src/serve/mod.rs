//! `nianbao serve`: a local web application (in Chinese) to write the reports
//! of a folder in the browser, with live checks and a live preview.
//!
//! The server is a thin HTTP layer over the library: the folder is a
//! [`Workspace`], checks are [`check::check`], the editor's grids are drawn
//! from [`layout::layout`] (the one label table), previews are [`Preview`]s,
//! PDFs come from the [`Publisher`], imports from [`crate::import`] through
//! [`Workspace::import`]. Workbooks (.xlsx, .xls, .ods) are reports as every
//! data file is: their findings carry `origin`, the sheet and cell
//! (`表三!F12`). The page, its script and its styles are
//! files under `src/serve/assets/`, embedded in the binary: no build step, no
//! network.
//!
//! # The JSON API
//!
//! | request | answer |
//! |---|---|
//! | `GET /api/reports` | every report of the folder with its state |
//! | `POST /api/reports` `{agency, year, edition?, prev?}` | a new report (the skeleton, or next year's from `prev`) |
//! | `GET /api/reports/{name}` | the data as JSON, its revision, findings and computed totals |
//! | `PUT /api/reports/{name}` `{revision, data}` | saves; 409 if the file changed since `revision` |
//! | `POST /api/check[?report={name}]` data | findings and totals, without saving (with `report`: also the draft its preview shows) |
//! | `GET /api/reports/{name}/preview` | the preview's pages (the draft's, else the file's) |
//! | `GET /api/reports/{name}/pages/{n}.png` | page `n` as PNG, with an ETag |
//! | `GET /api/reports/{name}/pdf[?archive=true]` | the PDF (archival copy) of the saved file |
//! | `POST /api/reports/{name}/render[?archive=true]` | the same, also written next to the data |
//! | `GET /api/reports/{name}/data` | the data file |
//! | `PUT /api/reports/{name}/seal` image | saves a seal image next to the data |
//! | `GET /api/files/{file}` | an image of the folder (a seal) |
//! | `GET /api/layout/{edition}`, `GET /api/refs/{edition}` | the tables' layout, the `${…}` references |
//! | `POST /api/import?file={upload's name}` body: the file | imports a published report (PDF, DOCX, HTML, text) into a new TOML file: 201 `{name, file, notes, findings, origins, …}`, 422 `{error: {kind, message, file}}` when it cannot |
//!
//! Errors are `{"error": {"kind", "message", …}}` with an HTTP status. The
//! editor adds `?tab=ID` (a random id per browser tab) to the calls about one
//! report, so that each tab has its own draft and preview.
//!
//! # Safety on a shared machine
//!
//! It listens on 127.0.0.1 unless told otherwise. Every request whose `Host` is
//! not the server's own is refused (DNS rebinding); every request that changes
//! something (any method but GET and HEAD) must carry the session's token (in
//! the page it serves, header `X-Nianbao-Token`) and no foreign `Origin`. File
//! names are names in the folder (see [`Workspace::path_of`]); bodies are
//! size-limited; a save names the revision it edits, so two tabs cannot
//! silently overwrite each other.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::check::{self, Finding};
use crate::export::ExportOptions;
use crate::model::{self, layout, refs, Edition, Loaded};
use crate::preview::Preview;
use crate::workspace::{self, Start, Workspace, WorkspaceError};
use crate::Publisher;

/// The largest JSON body (a report's data is tens of kilobytes).
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// The largest seal image.
pub const MAX_SEAL: usize = 1024 * 1024;
/// The largest published report to import.
pub const MAX_IMPORT: usize = 32 * 1024 * 1024;
/// How many editor tabs' drafts (each with its preview) are kept.
const MAX_DRAFTS: usize = 16;
/// The header that carries the session token.
pub const TOKEN_HEADER: &str = "x-nianbao-token";

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The server's state: the folder, the publisher, the session token, and the
/// draft and preview of every report open in an editor.
pub struct App {
    workspace: Workspace,
    publisher: Publisher,
    token: String,
    /// The address the server answers at.
    addr: SocketAddr,
    drafts: Mutex<HashMap<String, Arc<Mutex<Draft>>>>,
}

/// A report open in an editor: its latest unsaved data (as checked), its
/// previous year's report, its preview.
struct Draft {
    loaded: Option<Loaded>,
    /// Where the values are in the file when it is a workbook (`表三!F12`),
    /// given to the draft's findings.
    origins: std::collections::BTreeMap<String, String>,
    prev: Option<(String, Loaded)>,
    prev_looked_up: bool,
    preview: Preview,
}

impl App {
    /// The state of a server for the folder `workspace`, answering at `addr`.
    pub fn new(workspace: Workspace, publisher: Publisher, addr: SocketAddr) -> App {
        use rand::RngCore;
        let mut bytes = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        App {
            workspace,
            publisher,
            token: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            addr,
            drafts: Mutex::default(),
        }
    }

    /// The session token the page carries.
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The draft of report `name` in the editor tab `tab` (each tab has its own).
    fn draft(&self, name: &str, tab: Option<&str>) -> Arc<Mutex<Draft>> {
        let tab = tab
            .filter(|t| t.len() <= 40 && t.bytes().all(|b| b.is_ascii_alphanumeric()))
            .unwrap_or("");
        let key = format!("{name}\u{0}{tab}");
        let mut drafts = self.drafts.lock().unwrap_or_else(|e| e.into_inner());
        if drafts.len() >= MAX_DRAFTS && !drafts.contains_key(&key) {
            // Forget the drafts no request is using (their tabs were closed).
            drafts.retain(|_, d| Arc::strong_count(d) > 1);
        }
        drafts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Mutex::new(Draft {
                    loaded: None,
                    origins: Default::default(),
                    prev: None,
                    prev_looked_up: false,
                    preview: Preview::new(self.publisher.clone()),
                }))
            })
            .clone()
    }

    /// Whether a `Host` header names this server: `localhost` or an IP address
    /// (a loopback one, unless the server listens on another address) with
    /// the server's port. A name that resolves to us (DNS rebinding) is not.
    fn host_allowed(&self, host: &str) -> bool {
        let Some((name, port)) = host.rsplit_once(':') else {
            return false;
        };
        if port.parse::<u16>().ok() != Some(self.addr.port()) {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let name = name.trim_start_matches('[').trim_end_matches(']');
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || !self.addr.ip().is_loopback(),
            Err(_) => false,
        }
    }
}

/// The router of the application (the page and the API), with its guards.
pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/api/info", get(info))
        .route("/api/layout/{edition}", get(layout_of))
        .route("/api/refs/{edition}", get(refs_of))
        .route("/api/reports", get(list).post(create))
        .route("/api/reports/{name}", get(open).put(save))
        .route("/api/check", post(check_data))
        .route("/api/reports/{name}/preview", get(preview))
        .route("/api/reports/{name}/pages/{page}", get(page_png))
        .route("/api/reports/{name}/pdf", get(pdf))
        .route("/api/reports/{name}/render", post(render))
        .route("/api/reports/{name}/data", get(data_file))
        .route(
            "/api/reports/{name}/seal",
            put(seal).layer(DefaultBodyLimit::max(MAX_SEAL)),
        )
        .route("/api/files/{file}", get(image_file))
        .route(
            "/api/import",
            post(import).layer(DefaultBodyLimit::max(MAX_IMPORT)),
        );
    Router::new()
        .route("/", get(index))
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
        .merge(api)
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not-found", "没有这个地址")
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Serves the router on a listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, app: Arc<App>) -> std::io::Result<()> {
    axum::serve(listener, router(app)).await
}

// ---------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------

/// Refuses foreign hosts (DNS rebinding), and changes without the session's
/// token or from a foreign origin; adds the headers every answer carries.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !app.host_allowed(&host) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "host",
            "拒绝访问：请求的主机名不是本服务器（Host 不符）",
        )
        .into_response();
    }
    // A page of another site may not even read through the browser.
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "origin",
            "拒绝访问：请求来自其他网站",
        )
        .into_response();
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        if let Some(origin) = headers.get(header::ORIGIN) {
            if origin.to_str().ok() != Some(&format!("http://{host}")) {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "origin",
                    "拒绝访问：修改请求来自其他网站（Origin 不符）",
                )
                .into_response();
            }
        }
        let token = headers.get(TOKEN_HEADER).map(HeaderValue::as_bytes);
        if !token.is_some_and(|t| same(t, app.token.as_bytes())) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "token",
                "拒绝访问：修改请求缺少本次会话的令牌，请从 nianbao serve 打印的地址打开页面",
            )
            .into_response();
        }
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ));
    response
}

/// Compares two byte strings in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// An error answer: `{"error": {"kind", "message", …}}`.
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "kind": kind, "message": message.into() }),
        }
    }

    fn with(mut self, key: &str, value: Value) -> ApiError {
        self.body[key] = value;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.body }))).into_response()
    }
}

impl From<WorkspaceError> for ApiError {
    fn from(e: WorkspaceError) -> ApiError {
        let message = e.to_string();
        match e {
            WorkspaceError::BadName { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "name", message)
            }
            WorkspaceError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not-found", message)
            }
            WorkspaceError::Exists { .. } => ApiError::new(StatusCode::CONFLICT, "exists", message),
            WorkspaceError::TooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", message)
            }
            WorkspaceError::Conflict { current, .. } => {
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
                    .with("current", json!(current))
            }
            WorkspaceError::ReadOnly { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "read-only", message)
            }
            WorkspaceError::Workbook { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "workbook", message)
            }
            WorkspaceError::Import { kind, file, .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, kind, message)
                    .with("file", json!(file))
            }
            WorkspaceError::Load(l) => {
                let (line, column) = l.line_col().unzip();
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "data", l.to_string())
                    .with("line", json!(line))
                    .with("column", json!(column))
            }
            WorkspaceError::Write { .. } | WorkspaceError::Image { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "data", message)
            }
            WorkspaceError::Findings { findings, .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "findings", message)
                    .with("findings", json!(findings))
            }
            WorkspaceError::Render(e) => publisher_error(&e),
            WorkspaceError::Export(_) | WorkspaceError::Io { .. } => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "io", message)
            }
        }
    }
}

/// A publisher's error, said for the person at the editor.
fn publisher_error(e: &crate::Error) -> ApiError {
    use crate::typeset::TypesetError;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match e {
        crate::Error::Incomplete { problems, .. } => ApiError::new(
            status,
            "incomplete",
            format!(
                "有 {} 处空白或填写有误的数据，改正后才能排版（见“检查结果”）",
                problems.len()
            ),
        ),
        crate::Error::Reference { source, .. } => ApiError::new(
            status,
            "reference",
            format!(
                "正文中的引用 ${{{}}} 不指向表格中的任何一个数{}",
                source.name,
                source
                    .suggestion
                    .as_ref()
                    .map(|s| format!("；是不是 ${{{s}}}？"))
                    .unwrap_or_default()
            ),
        )
        .with("key", json!(source.place)),
        crate::Error::Typeset(TypesetError::MissingGlyphs { missing }) => ApiError::new(
            status,
            "missing-glyph",
            format!(
                "字体中没有这些字符，无法排版：{}",
                missing
                    .iter()
                    .map(|m| format!("“{}”（{}）", m.character, m.place))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ),
        crate::Error::Seal { reason, .. } => {
            ApiError::new(status, "seal", format!("印章图像无法使用：{reason}"))
        }
        other => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "render",
            format!("无法排版：{other}"),
        ),
    }
}

type ApiResult = Result<Response, ApiError>;

/// Runs CPU-bound work (checks of a folder, layout, rendering) off the
/// server's threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("内部错误：{e}"),
        )
    })
}

// ---------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------

async fn index(State(app): State<Arc<App>>) -> Response {
    // The token is hex: nothing in it is markup.
    let html = INDEX_HTML.replace("{{TOKEN}}", &app.token);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------

async fn info(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({
        "nianbao": crate::VERSION,
        "dir": app.workspace.dir().display().to_string(),
        "lan": !app.addr.ip().is_loopback(),
        "import": { "available": true },
        "limits": { "body": MAX_BODY, "seal": MAX_SEAL, "import": MAX_IMPORT },
    }))
}

fn edition(text: &str) -> Result<Edition, ApiError> {
    Edition::parse(text).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "edition",
            "格式版本只有 2021 和 2019 两种",
        )
    })
}

async fn layout_of(Path(e): Path<String>) -> ApiResult {
    Ok(Json(layout::layout(edition(&e)?)).into_response())
}

async fn refs_of(Path(e): Path<String>) -> ApiResult {
    Ok(Json(refs::all_refs(edition(&e)?)).into_response())
}

async fn list(State(app): State<Arc<App>>) -> ApiResult {
    let reports = blocking(move || {
        json!({
            "dir": app.workspace.dir().display().to_string(),
            "reports": app.workspace.list(),
        })
    })
    .await?;
    Ok(Json(reports).into_response())
}

#[derive(Deserialize)]
struct NewReport {
    agency: Option<String>,
    year: Option<u16>,
    edition: Option<String>,
    /// A report of the folder to start from (next year's report).
    prev: Option<String>,
    name: Option<String>,
}

async fn create(State(app): State<Arc<App>>, Json(new): Json<NewReport>) -> ApiResult {
    let name = blocking(move || -> Result<String, ApiError> {
        let (start, agency, year) = match &new.prev {
            Some(prev) => {
                let opened = app.workspace.open_report(prev)?;
                let r = &opened.loaded.report;
                (
                    Start::NextYear { prev: prev.clone() },
                    r.agency.clone(),
                    r.year.0.saturating_add(1),
                )
            }
            None => {
                let agency = new.agency.clone().unwrap_or_default().trim().to_string();
                let Some(year) = new.year.filter(|y| (2019..=2200).contains(y)) else {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "year",
                        "请填写报告年度（2019 年及以后）",
                    ));
                };
                if agency.is_empty() {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "agency",
                        "请填写机关名称",
                    ));
                }
                let edition = new.edition.as_deref().map(edition).transpose()?;
                if edition.is_some_and(|e| e != Edition::for_year(year)) {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "edition",
                        format!(
                            "{year} 年度的报告用 {} 年版格式（规则 R12）",
                            Edition::for_year(year)
                        ),
                    ));
                }
                (
                    Start::Skeleton {
                        agency: agency.clone(),
                        year,
                        edition,
                    },
                    agency,
                    year,
                )
            }
        };
        let name = new
            .name
            .clone()
            .unwrap_or_else(|| workspace::new_name(&agency, year));
        Ok(app.workspace.create(&name, &start)?)
    })
    .await??;
    Ok((StatusCode::CREATED, Json(json!({ "name": name }))).into_response())
}

/// What the editor shows beside the data: findings, computed totals, the
/// numbers of the items （一）（二）….
fn checked(loaded: &Loaded, prev: Option<&Loaded>) -> Value {
    let findings: Vec<Finding> = check::check(loaded, prev);
    let mut numbers = serde_json::Map::new();
    model::prose::walk(&loaded.report, &mut |_, event| {
        if let model::prose::ProseEvent::ItemStart { path, number, .. } = event {
            numbers.insert(path, json!(number));
        }
    });
    json!({
        "findings": findings,
        "computed": layout::computed(loaded),
        "numbers": numbers,
        "edition": loaded.report.edition(),
    })
}

/// The editor tab a request comes from (each tab has its own draft and preview).
#[derive(Deserialize)]
struct TabQuery {
    tab: Option<String>,
}

async fn open(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    Query(q): Query<TabQuery>,
) -> ApiResult {
    let body = blocking(move || -> Result<Value, ApiError> {
        let opened = app.workspace.open_report(&name)?;
        let draft = app.draft(&name, q.tab.as_deref());
        let mut draft = draft.lock().unwrap_or_else(|e| e.into_inner());
        draft.prev = opened.prev.clone();
        draft.prev_looked_up = true;
        draft.loaded = None;
        draft.origins = opened.loaded.origins.clone();
        let mut body = checked(&opened.loaded, opened.prev.as_ref().map(|(_, p)| p));
        body["name"] = json!(opened.name);
        body["kind"] = json!(opened.kind.name());
        body["read_only"] = json!(opened.kind.read_only());
        body["revision"] = json!(opened.revision);
        body["data"] = opened.data;
        body["prev"] = json!(opened.prev.as_ref().map(|(n, _)| n));
        body["pdf"] = json!(workspace::pdf_name(&name));
        Ok(body)
    })
    .await??;
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
struct SaveBody {
    revision: String,
    data: Value,
}

async fn save(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    Query(q): Query<TabQuery>,
    Json(body): Json<SaveBody>,
) -> ApiResult {
    let answer = blocking(move || -> Result<Value, ApiError> {
        let revision = app.workspace.save(&name, &body.data, &body.revision)?;
        let mut loaded = app.workspace.load_data(&name, &body.data)?;
        let draft = app.draft(&name, q.tab.as_deref());
        let mut draft = draft.lock().unwrap_or_else(|e| e.into_inner());
        loaded.origins = draft.origins.clone();
        let prev = prev_of(&app, &name, &mut draft, &loaded);
        let mut answer = checked(&loaded, prev.as_ref());
        answer["revision"] = json!(revision);
        draft.loaded = Some(loaded);
        Ok(answer)
    })
    .await??;
    Ok(Json(answer).into_response())
}

/// Last year's report of a draft, looked up in the folder once.
fn prev_of(app: &App, name: &str, draft: &mut Draft, loaded: &Loaded) -> Option<Loaded> {
    if !draft.prev_looked_up {
        draft.prev = app.workspace.previous(name, loaded);
        draft.prev_looked_up = true;
    }
    draft.prev.as_ref().map(|(_, p)| p.clone())
}

#[derive(Deserialize)]
struct CheckQuery {
    report: Option<String>,
    tab: Option<String>,
}

async fn check_data(
    State(app): State<Arc<App>>,
    Query(q): Query<CheckQuery>,
    Json(data): Json<Value>,
) -> ApiResult {
    let answer = blocking(move || -> Result<Value, ApiError> {
        let name = q.report.clone().unwrap_or_else(|| "data.json".into());
        if let Some(report) = &q.report {
            app.workspace.path_of(report)?;
        }
        let mut loaded = app.workspace.load_data(&name, &data)?;
        let Some(report) = q.report else {
            return Ok(checked(&loaded, None));
        };
        let draft = app.draft(&report, q.tab.as_deref());
        let mut draft = draft.lock().unwrap_or_else(|e| e.into_inner());
        loaded.origins = draft.origins.clone();
        let prev = prev_of(&app, &report, &mut draft, &loaded);
        let answer = checked(&loaded, prev.as_ref());
        draft.loaded = Some(loaded);
        Ok(answer)
    })
    .await??;
    Ok(Json(answer).into_response())
}

async fn preview(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    Query(q): Query<TabQuery>,
) -> ApiResult {
    let pages = blocking(move || -> Result<Value, ApiError> {
        app.workspace.path_of(&name)?;
        let draft = app.draft(&name, q.tab.as_deref());
        let mut draft = draft.lock().unwrap_or_else(|e| e.into_inner());
        let draft = &mut *draft;
        let loaded = match &draft.loaded {
            Some(l) => l.clone(),
            None => app.workspace.load(&name)?.2,
        };
        let started = std::time::Instant::now();
        let pages = draft
            .preview
            .update(&loaded)
            .map_err(|e| publisher_error(&e))?;
        Ok(json!({
            "pages": pages,
            "milliseconds": started.elapsed().as_secs_f64() * 1000.0,
        }))
    })
    .await??;
    Ok(Json(pages).into_response())
}

async fn page_png(
    State(app): State<Arc<App>>,
    Path((name, page)): Path<(String, String)>,
    Query(q): Query<TabQuery>,
    headers: HeaderMap,
) -> ApiResult {
    let number: usize = page
        .strip_suffix(".png")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "page", "页码应写成 1.png、2.png …"))?;
    let found = blocking(move || -> Result<_, ApiError> {
        app.workspace.path_of(&name)?;
        let draft = app.draft(&name, q.tab.as_deref());
        let mut draft = draft.lock().unwrap_or_else(|e| e.into_inner());
        if draft.preview.pages().is_empty() {
            let loaded = match &draft.loaded {
                Some(l) => l.clone(),
                None => app.workspace.load(&name)?.2,
            };
            draft
                .preview
                .update(&loaded)
                .map_err(|e| publisher_error(&e))?;
        }
        Ok(draft.preview.png(number))
    })
    .await??;
    let Some((hash, png)) = found else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "page",
            format!("没有第 {number} 页"),
        ));
    };
    let etag = format!("\"{hash}\"");
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        [(header::CONTENT_TYPE, "image/png".to_string())],
        png.as_ref().clone(),
    )
        .into_response())
}

#[derive(Deserialize)]
struct PdfQuery {
    #[serde(default)]
    archive: bool,
}

async fn make_pdf(app: Arc<App>, name: String, archive: bool, write: bool) -> ApiResult {
    let (pdf_name, pdf) = blocking(move || -> Result<(String, Vec<u8>), ApiError> {
        let options = if archive {
            ExportOptions::archive()
        } else {
            ExportOptions::default()
        };
        if write {
            Ok(app.workspace.render(&app.publisher, &name, &options)?)
        } else {
            let opened = app.workspace.open_report(&name)?;
            let findings = opened.findings();
            let errors = findings
                .iter()
                .filter(|f| f.severity == check::Severity::Error)
                .count();
            if errors > 0 {
                return Err(WorkspaceError::Findings {
                    name: name.clone(),
                    errors,
                    findings,
                }
                .into());
            }
            let rendered = app
                .publisher
                .render_with(&opened.loaded, &crate::RenderOptions::default(), &options)
                .map_err(|e| publisher_error(&e))?;
            Ok((workspace::pdf_name(&name), rendered.pdf))
        }
    })
    .await??;
    let file = if archive {
        pdf_name.replace(".pdf", "（存档版）.pdf")
    } else {
        pdf_name
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, attachment(&file)),
        ],
        pdf,
    )
        .into_response())
}

async fn pdf(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    Query(q): Query<PdfQuery>,
) -> ApiResult {
    make_pdf(app, name, q.archive, false).await
}

async fn render(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    Query(q): Query<PdfQuery>,
) -> ApiResult {
    make_pdf(app, name, q.archive, true).await
}

/// `Content-Disposition: attachment` with the file name in UTF-8 (RFC 6266).
fn attachment(file: &str) -> String {
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

async fn data_file(State(app): State<Arc<App>>, Path(name): Path<String>) -> ApiResult {
    let (path, kind) = app.workspace.path_of(&name)?;
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| ApiError::from(WorkspaceError::NotFound { name: name.clone() }))?;
    let content_type = match kind {
        workspace::FileKind::Data(model::Format::Json) => "application/json",
        workspace::FileKind::Data(_) => "text/plain; charset=utf-8",
        workspace::FileKind::Workbook(crate::workbook::Kind::Xlsx) => {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
        workspace::FileKind::Workbook(crate::workbook::Kind::Xls) => "application/vnd.ms-excel",
        workspace::FileKind::Workbook(crate::workbook::Kind::Ods) => {
            "application/vnd.oasis.opendocument.spreadsheet"
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&name)),
        ],
        bytes,
    )
        .into_response())
}

async fn seal(State(app): State<Arc<App>>, Path(name): Path<String>, body: Bytes) -> ApiResult {
    let file = blocking(move || -> Result<String, ApiError> {
        Ok(app.workspace.save_seal(&name, &body)?)
    })
    .await??;
    Ok(Json(json!({ "seal": file })).into_response())
}

async fn image_file(State(app): State<Arc<App>>, Path(file): Path<String>) -> ApiResult {
    let (bytes, svg) = blocking(move || app.workspace.read_image(&file)).await??;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                if svg { "image/svg+xml" } else { "image/png" },
            ),
            // An SVG is an image here, never a page that runs scripts.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            ),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct ImportQuery {
    /// The uploaded file's name (its content decides its kind).
    file: Option<String>,
}

/// Imports an uploaded published report into a new TOML file of the folder:
/// 201 with its name, the importer's notes (in Chinese), the findings of the
/// new file (each with `origin`, where the value is printed in the published
/// file) and its computed totals.
async fn import(
    State(app): State<Arc<App>>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult {
    let answer = blocking(move || -> Result<Value, ApiError> {
        let done = app
            .workspace
            .import(q.file.as_deref().unwrap_or(""), &body)?;
        let prev = app.workspace.previous(&done.name, &done.loaded);
        let mut answer = checked(&done.loaded, prev.as_ref().map(|(_, p)| p));
        if let Some(findings) = answer["findings"].as_array_mut() {
            for f in findings {
                if f["origin"].is_null() {
                    if let Some(place) = f["key"]
                        .as_str()
                        .and_then(|k| workspace::imported_place(&done.imported, k))
                    {
                        f["origin"] = json!(place);
                    }
                }
            }
        }
        let origins: serde_json::Map<String, Value> = done
            .imported
            .values
            .iter()
            .filter_map(|v| {
                workspace::imported_place(&done.imported, &v.key).map(|p| (v.key.clone(), json!(p)))
            })
            .collect();
        answer["origins"] = Value::Object(origins);
        answer["name"] = json!(done.name);
        answer["file"] = json!(done.imported.file);
        answer["kind"] = json!(done.imported.kind.name());
        answer["notes"] = json!(done.imported.notes);
        answer["prev"] = json!(prev.as_ref().map(|(n, _)| n));
        Ok(answer)
    })
    .await??;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
