//! A folder of reports, as the web editor (`nianbao serve`) shows and edits it.
//!
//! Every report file directly in the folder, by its file name: what it is, its
//! state (errors, warnings, ready, rendered), opening it as JSON for the
//! editor, saving it back in its own format (atomically, keeping a `.bak` of
//! the previous version, refusing to overwrite a version the editor has not
//! seen), new reports (the skeleton, or next year's from last year's), and the
//! previous year's report each report is checked against (as `--prev`).
//!
//! **Extension points.** The kinds of file the folder holds are [`FileKind`]:
//! a data file in one of the [`Format`]s, or a workbook (.xlsx), which is
//! listed but cannot be opened until workbook support lands — then
//! [`Workspace::load`] reads it as every other kind. Importing a published
//! report (PDF, DOCX, HTML) is [`Workspace::import`], which answers
//! [`WorkspaceError::NotAvailable`] until `nianbao import` lands.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::{self, Finding, Severity};
use crate::export::{self, ExportError};
use crate::model::{self, Edition, Format, LoadError, Loaded, WriteError};

/// The most bytes a report's data file may have to be opened.
pub const MAX_DATA_BYTES: u64 = 4 * 1024 * 1024;

/// What a file in the folder is, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A data file: TOML, JSON or YAML.
    Data(Format),
    /// A workbook (.xlsx): listed; read once workbook support lands.
    Workbook,
}

impl FileKind {
    pub fn of(name: &str) -> Option<FileKind> {
        let path = Path::new(name);
        if let Some(f) = Format::from_path(path) {
            return Some(FileKind::Data(f));
        }
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" => Some(FileKind::Workbook),
            _ => None,
        }
    }

    /// The kind's name in the API: `toml`, `json`, `yaml`, `xlsx`.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Data(f) => f.extension(),
            FileKind::Workbook => "xlsx",
        }
    }
}

/// Why the workspace could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// A name that is not a plain file name in the folder (a path, `..`, a
    /// hidden file, a symbolic link out of the folder, an unknown extension).
    #[error("{name}: 不是本文件夹中的报告文件名：{reason}")]
    BadName { name: String, reason: String },
    #[error("{name}: 印章图像无法使用：{reason}")]
    Image { name: String, reason: String },
    #[error("{name}: 文件不存在")]
    NotFound { name: String },
    #[error("{name}: 文件已存在")]
    Exists { name: String },
    #[error("{name}: 文件太大（{bytes} 字节，最多 {MAX_DATA_BYTES} 字节）")]
    TooLarge { name: String, bytes: u64 },
    /// The file changed since the editor opened it (another tab, another program).
    #[error("{name}: 文件在您打开之后已被修改（可能是另一个窗口保存的）；请重新打开后再修改，以免覆盖别人的修改")]
    Conflict { name: String, current: String },
    /// A feature that has not landed yet (workbooks, import).
    #[error("{what}尚未开通")]
    NotAvailable { what: String },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{name}: 无法写入：{source}")]
    Write {
        name: String,
        #[source]
        source: WriteError,
    },
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The report breaks rules of the format: it is not printed.
    #[error("{name}: 数据违反了格式规则（{errors} 处错误），改正后才能生成 PDF")]
    Findings {
        name: String,
        errors: usize,
        findings: Vec<Finding>,
    },
    #[error(transparent)]
    Render(Box<crate::Error>),
    #[error("{name}: {source}")]
    Io {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// The state of a report, as the folder's list shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// At least one error: it cannot be printed.
    Errors,
    /// Warnings only.
    Warnings,
    /// No finding.
    Ready,
    /// Its PDF is in the folder, newer than the data.
    Rendered,
    /// The file cannot be read (syntax error, not text).
    Unreadable,
    /// A kind of file that cannot be opened yet (a workbook).
    Unsupported,
}

/// One report of the folder.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// The file name in the folder.
    pub name: String,
    pub kind: &'static str,
    pub agency: Option<String>,
    pub year: Option<u16>,
    pub edition: Option<Edition>,
    pub status: Status,
    pub errors: usize,
    pub warnings: usize,
    /// Last change, seconds since 1970 (UTC).
    pub modified: u64,
    /// The PDF next to it, when there is one.
    pub pdf: Option<String>,
    /// Last year's report in the folder it is checked against.
    pub prev: Option<String>,
    /// Why it cannot be read, for unreadable and unsupported files.
    pub message: Option<String>,
}

/// A report opened for the editor.
pub struct Opened {
    pub name: String,
    pub kind: FileKind,
    /// The revision of the file's bytes: a save must name it.
    pub revision: String,
    pub loaded: Loaded,
    /// The data as the editor edits it.
    pub data: serde_json::Value,
    /// Last year's report in the folder, if there is one (for R7, R8, R11).
    pub prev: Option<(String, Loaded)>,
}

impl Opened {
    /// Every finding, checked against last year's report when there is one.
    pub fn findings(&self) -> Vec<Finding> {
        check::check(&self.loaded, self.prev.as_ref().map(|(_, p)| p))
    }
}

/// What a new report starts from.
#[derive(Clone, Debug)]
pub enum Start {
    /// The `nianbao init` skeleton.
    Skeleton {
        agency: String,
        year: u16,
        edition: Option<Edition>,
    },
    /// Next year's report, pre-filled from a report in the folder.
    NextYear { prev: String },
}

/// A report file loaded: its kind, its bytes, the report.
pub type LoadResult = Result<(FileKind, Vec<u8>, Loaded), WorkspaceError>;

/// The revision of a file's bytes (SHA-256, hex).
pub fn revision(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A folder of reports.
pub struct Workspace {
    dir: PathBuf,
    /// Held while a save compares revisions and writes, so two saves of the
    /// same version cannot both succeed.
    writing: Mutex<()>,
}

impl Workspace {
    /// The folder `dir` (which must exist).
    pub fn open(dir: &Path) -> Result<Workspace, WorkspaceError> {
        let name = dir.display().to_string();
        let dir = dir
            .canonicalize()
            .map_err(|source| WorkspaceError::Io { name, source })?;
        if !dir.is_dir() {
            return Err(WorkspaceError::Io {
                name: dir.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "不是文件夹"),
            });
        }
        Ok(Workspace {
            dir,
            writing: Mutex::new(()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of a report file by its name in the folder, refusing every name
    /// that could leave it.
    pub fn path_of(&self, name: &str) -> Result<(PathBuf, FileKind), WorkspaceError> {
        let kind = FileKind::of(name);
        let path = self.plain_file(
            name,
            kind.is_some(),
            "扩展名应为 .toml、.json、.yaml、.yml 或 .xlsx",
        )?;
        Ok((path, kind.expect("checked")))
    }

    /// The path of a file directly in the folder: a plain name (no path, not
    /// hidden) of a regular file or of a link to one in the folder.
    fn plain_file(
        &self,
        name: &str,
        known: bool,
        extensions: &str,
    ) -> Result<PathBuf, WorkspaceError> {
        let bad = |reason: &str| WorkspaceError::BadName {
            name: name.to_string(),
            reason: reason.to_string(),
        };
        if name.is_empty() || name.len() > 255 {
            return Err(bad("文件名为空或太长"));
        }
        if name.contains(['/', '\\', '\0']) || name == ".." || name == "." {
            return Err(bad("只能是文件名，不能含路径"));
        }
        if name.starts_with('.') {
            return Err(bad("不能是隐藏文件"));
        }
        if !known {
            return Err(bad(extensions));
        }
        let path = self.dir.join(name);
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            if meta.file_type().is_symlink() {
                let target = path
                    .canonicalize()
                    .map_err(|_| bad("符号链接指向不存在的文件"))?;
                if target.parent() != Some(self.dir.as_path()) {
                    return Err(bad("符号链接指向文件夹之外"));
                }
            } else if !meta.is_file() {
                return Err(bad("不是普通文件"));
            }
        }
        Ok(path)
    }

    /// Saves a seal image (PNG or SVG) for report `name`, next to it as
    /// `{stem}-seal.png` (`.svg`); returns the file name the data's `seal` names.
    pub fn save_seal(&self, name: &str, bytes: &[u8]) -> Result<String, WorkspaceError> {
        self.path_of(name)?;
        let image = crate::typeset::SealImage::from_bytes(bytes.to_vec()).map_err(|reason| {
            WorkspaceError::Image {
                name: name.to_string(),
                reason,
            }
        })?;
        let stem = Path::new(name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("report");
        let file = format!("{stem}-seal.{}", if image.svg { "svg" } else { "png" });
        let path = self.plain_file(&file, true, "")?;
        export::write_atomic(&path, bytes)?;
        Ok(file)
    }

    /// An image of the folder (a seal): its bytes, and whether it is SVG.
    pub fn read_image(&self, file: &str) -> Result<(Vec<u8>, bool), WorkspaceError> {
        let ext = Path::new(file)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let svg = ext.as_deref() == Some("svg");
        let path = self.plain_file(
            file,
            svg || ext.as_deref() == Some("png"),
            "图像应为 .png 或 .svg 文件",
        )?;
        let bytes = std::fs::read(&path).map_err(|_| WorkspaceError::NotFound {
            name: file.to_string(),
        })?;
        if bytes.len() as u64 > MAX_DATA_BYTES {
            return Err(WorkspaceError::TooLarge {
                name: file.to_string(),
                bytes: bytes.len() as u64,
            });
        }
        Ok((bytes, svg))
    }

    /// Reads a file of the folder, at most [`MAX_DATA_BYTES`].
    fn read(&self, name: &str) -> Result<(PathBuf, FileKind, Vec<u8>), WorkspaceError> {
        let (path, kind) = self.path_of(name)?;
        let meta = std::fs::metadata(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => WorkspaceError::NotFound {
                name: name.to_string(),
            },
            _ => WorkspaceError::Io {
                name: name.to_string(),
                source: e,
            },
        })?;
        if meta.len() > MAX_DATA_BYTES {
            return Err(WorkspaceError::TooLarge {
                name: name.to_string(),
                bytes: meta.len(),
            });
        }
        let bytes = std::fs::read(&path).map_err(|source| WorkspaceError::Io {
            name: name.to_string(),
            source,
        })?;
        Ok((path, kind, bytes))
    }

    /// Loads a report file of any kind the folder holds.
    pub fn load(&self, name: &str) -> LoadResult {
        let (_, kind, bytes) = self.read(name)?;
        match kind {
            FileKind::Data(format) => {
                let loaded = model::load_bytes(
                    name.to_string(),
                    Some(self.dir.clone()),
                    bytes.clone(),
                    format,
                )?;
                Ok((kind, bytes, loaded))
            }
            // Workbook support plugs in here: read the workbook into a tree and
            // load it with `model::load_node`.
            FileKind::Workbook => Err(WorkspaceError::NotAvailable {
                what: "读取 Excel/WPS 工作簿（.xlsx）".into(),
            }),
        }
    }

    /// The file names of the folder's reports, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| self.path_of(n).is_ok())
            .filter(|n| self.dir.join(n).is_file())
            .collect();
        names.sort();
        names
    }

    /// Every report of the folder with its state.
    pub fn list(&self) -> Vec<Entry> {
        let names = self.names();
        let loaded: Vec<(String, LoadResult)> = names
            .into_iter()
            .map(|n| {
                let l = self.load(&n);
                (n, l)
            })
            .collect();
        let reports: Vec<(&str, &Loaded)> = loaded
            .iter()
            .filter_map(|(n, l)| l.as_ref().ok().map(|(_, _, l)| (n.as_str(), l)))
            .collect();
        loaded
            .iter()
            .map(|(name, result)| {
                let modified = self.modified(name).unwrap_or(0);
                let kind = FileKind::of(name).map_or("", FileKind::name);
                let mut entry = Entry {
                    name: name.clone(),
                    kind,
                    agency: None,
                    year: None,
                    edition: None,
                    status: Status::Unreadable,
                    errors: 0,
                    warnings: 0,
                    modified,
                    pdf: None,
                    prev: None,
                    message: None,
                };
                match result {
                    Ok((_, _, l)) => {
                        let prev = previous_of(&reports, name, l);
                        let findings = check::check(l, prev.map(|(_, p)| p));
                        entry.errors = count(&findings, Severity::Error);
                        entry.warnings = count(&findings, Severity::Warning);
                        entry.agency = Some(l.report.agency.clone()).filter(|a| !a.is_empty());
                        entry.year = l.known("year").then_some(l.report.year.0);
                        entry.edition = Some(l.report.edition());
                        entry.prev = prev.map(|(n, _)| n.to_string());
                        let pdf = pdf_name(name);
                        let rendered = self
                            .modified(&pdf)
                            .is_some_and(|pdf_time| pdf_time >= modified);
                        if self.dir.join(&pdf).is_file() {
                            entry.pdf = Some(pdf);
                        }
                        entry.status = if entry.errors > 0 {
                            Status::Errors
                        } else if rendered {
                            Status::Rendered
                        } else if entry.warnings > 0 {
                            Status::Warnings
                        } else {
                            Status::Ready
                        };
                    }
                    Err(e) => {
                        entry.status = match e {
                            WorkspaceError::NotAvailable { .. } => Status::Unsupported,
                            _ => Status::Unreadable,
                        };
                        entry.message = Some(e.to_string());
                    }
                }
                entry
            })
            .collect()
    }

    fn modified(&self, name: &str) -> Option<u64> {
        let meta = std::fs::metadata(self.dir.join(name)).ok()?;
        Some(
            meta.modified()
                .ok()?
                .duration_since(UNIX_EPOCH)
                .ok()?
                .as_secs(),
        )
    }

    /// Last year's report of the same agency in the folder, other than `name`.
    pub fn previous(&self, name: &str, loaded: &Loaded) -> Option<(String, Loaded)> {
        if !loaded.known("year") || !loaded.known("agency") {
            return None;
        }
        self.names()
            .into_iter()
            .filter(|n| n != name)
            .filter_map(|n| self.load(&n).ok().map(|(_, _, l)| (n, l)))
            .find(|(_, l)| is_previous(l, loaded))
    }

    /// Opens a report for the editor.
    pub fn open_report(&self, name: &str) -> Result<Opened, WorkspaceError> {
        let (kind, bytes, loaded) = self.load(name)?;
        let data = match kind {
            FileKind::Data(format) => {
                let text = String::from_utf8_lossy(&bytes);
                model::tree::parse(&text, format)
                    .map(|n| n.to_json())
                    .unwrap_or_default()
            }
            FileKind::Workbook => serde_json::to_value(&loaded.report).unwrap_or_default(),
        };
        let prev = self.previous(name, &loaded);
        Ok(Opened {
            name: name.to_string(),
            kind,
            revision: revision(&bytes),
            loaded,
            data,
            prev,
        })
    }

    /// Loads the editor's data (not saved) as a report of `name` (for its
    /// checks and its preview; relative paths resolve in the folder).
    pub fn load_data(
        &self,
        name: &str,
        data: &serde_json::Value,
    ) -> Result<Loaded, WorkspaceError> {
        let node = model::tree::Node::from_json(data);
        Ok(model::load_node(name, Some(self.dir.clone()), &node)?)
    }

    /// Saves the editor's data to `name` in the file's own format, if the file
    /// is still at `revision` (else [`WorkspaceError::Conflict`]). The previous
    /// version is kept as `name.bak`. Returns the new revision.
    pub fn save(
        &self,
        name: &str,
        data: &serde_json::Value,
        revision_seen: &str,
    ) -> Result<String, WorkspaceError> {
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let (path, kind, bytes) = self.read(name)?;
        let current = revision(&bytes);
        if current != revision_seen {
            return Err(WorkspaceError::Conflict {
                name: name.to_string(),
                current,
            });
        }
        let FileKind::Data(format) = kind else {
            return Err(WorkspaceError::NotAvailable {
                what: "保存 Excel/WPS 工作簿（.xlsx）".into(),
            });
        };
        let existing = String::from_utf8_lossy(&bytes);
        let text = model::write_data(data, format, Some(&existing)).map_err(|source| {
            WorkspaceError::Write {
                name: name.to_string(),
                source,
            }
        })?;
        // What is written must read back.
        model::load_str(name, &text, format)?;
        let bak = self.dir.join(format!("{name}.bak"));
        export::write_atomic(&bak, &bytes)?;
        export::write_atomic(&path, text.as_bytes())?;
        Ok(revision(text.as_bytes()))
    }

    /// Writes a new report file `name` (TOML) and returns its name.
    pub fn create(&self, name: &str, start: &Start) -> Result<String, WorkspaceError> {
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let (path, kind) = self.path_of(name)?;
        if kind != FileKind::Data(Format::Toml) {
            return Err(WorkspaceError::BadName {
                name: name.to_string(),
                reason: "新报告保存为 .toml 文件".into(),
            });
        }
        if path.exists() || std::fs::symlink_metadata(&path).is_ok() {
            return Err(WorkspaceError::Exists {
                name: name.to_string(),
            });
        }
        let text = match start {
            Start::Skeleton {
                agency,
                year,
                edition,
            } => model::skeleton(
                agency,
                *year,
                edition.unwrap_or_else(|| Edition::for_year(*year)),
            ),
            Start::NextYear { prev } => {
                let (_, _, loaded) = self.load(prev)?;
                model::next_year(&loaded.report)
            }
        };
        export::write_atomic(&path, text.as_bytes())?;
        Ok(name.to_string())
    }

    /// Imports a published report (PDF, DOCX, HTML) into a data file of the
    /// folder. `nianbao import` plugs in here: read `bytes` into a tree, write it
    /// as a TOML data file next to the others, return its name.
    pub fn import(&self, file_name: &str, bytes: &[u8]) -> Result<String, WorkspaceError> {
        self.import_available()?;
        let _ = (file_name, bytes);
        Err(not_yet_importing())
    }

    /// Whether published reports can be imported: [`WorkspaceError::NotAvailable`]
    /// until `nianbao import` lands (the editor's button is disabled, the API
    /// answers 501).
    pub fn import_available(&self) -> Result<(), WorkspaceError> {
        Err(not_yet_importing())
    }

    /// Renders a report file, refusing one whose data breaks a rule (errors,
    /// checked against last year's report in the folder). Without `archive`
    /// the PDF is also written next to the data (`name` with `.pdf`), as
    /// `nianbao render` writes it. Returns the PDF's name and bytes.
    pub fn render(
        &self,
        publisher: &crate::Publisher,
        name: &str,
        options: &export::ExportOptions,
    ) -> Result<(String, Vec<u8>), WorkspaceError> {
        let opened = self.open_report(name)?;
        let findings = opened.findings();
        let errors = count(&findings, Severity::Error);
        if errors > 0 {
            return Err(WorkspaceError::Findings {
                name: name.to_string(),
                errors,
                findings,
            });
        }
        let rendered = publisher
            .render_with(&opened.loaded, &crate::RenderOptions::default(), options)
            .map_err(|e| WorkspaceError::Render(Box::new(e)))?;
        let pdf = pdf_name(name);
        if !options.archive {
            export::write_atomic(&self.dir.join(&pdf), &rendered.pdf)?;
        }
        Ok((pdf, rendered.pdf))
    }
}

fn not_yet_importing() -> WorkspaceError {
    WorkspaceError::NotAvailable {
        what: "导入已发布的报告（PDF、Word、网页）".into(),
    }
}

/// The name of a report's PDF in the folder: `name` with `.pdf`.
pub fn pdf_name(name: &str) -> String {
    let stem = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name);
    format!("{stem}.pdf")
}

/// A file name for a new report: `{agency}{year}.toml`, made safe.
pub fn new_name(agency: &str, year: u16) -> String {
    let clean: String = agency
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_start_matches('.');
    let clean: String = clean.chars().take(60).collect();
    format!("{clean}{year}.toml")
}

fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

/// Whether `prev` is last year's report of the same agency as `loaded`.
fn is_previous(prev: &Loaded, loaded: &Loaded) -> bool {
    prev.known("year")
        && prev.report.agency == loaded.report.agency
        && prev.report.year.0 + 1 == loaded.report.year.0
}

fn previous_of<'a>(
    reports: &[(&'a str, &'a Loaded)],
    name: &str,
    loaded: &Loaded,
) -> Option<(&'a str, &'a Loaded)> {
    if !loaded.known("year") || !loaded.known("agency") {
        return None;
    }
    reports
        .iter()
        .find(|(n, l)| *n != name && is_previous(l, loaded))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../examples/bianlukou-2023.toml");

    fn folder() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), EXAMPLE).unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        (dir, ws)
    }

    #[test]
    fn names_cannot_leave_the_folder() {
        let (dir, ws) = folder();
        for name in [
            "../a.toml",
            "/etc/passwd.toml",
            "..",
            "sub/a.toml",
            ".hidden.toml",
            "a.txt",
            "a\\b.toml",
            "",
        ] {
            assert!(
                matches!(ws.path_of(name), Err(WorkspaceError::BadName { .. })),
                "{name}"
            );
        }
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::fs::write(outside.path().join("x.toml"), EXAMPLE).unwrap();
            std::os::unix::fs::symlink(outside.path().join("x.toml"), dir.path().join("out.toml"))
                .unwrap();
            assert!(matches!(
                ws.path_of("out.toml"),
                Err(WorkspaceError::BadName { .. })
            ));
            std::os::unix::fs::symlink(dir.path().join("a.toml"), dir.path().join("in.toml"))
                .unwrap();
            assert!(ws.path_of("in.toml").is_ok());
            // The list does not show the link out.
            let names: Vec<String> = ws.list().into_iter().map(|e| e.name).collect();
            assert_eq!(names, ["a.toml", "in.toml"]);
        }
    }

    #[test]
    fn a_save_of_an_old_revision_is_a_conflict_and_the_previous_version_is_kept() {
        let (dir, ws) = folder();
        let opened = ws.open_report("a.toml").unwrap();
        let mut data = opened.data.clone();
        data["requests"]["new"][0] = serde_json::json!(3);
        let rev = ws.save("a.toml", &data, &opened.revision).unwrap();
        assert_ne!(rev, opened.revision);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.toml.bak")).unwrap(),
            EXAMPLE
        );
        // A second tab that opened the first version cannot overwrite the save.
        let e = ws
            .save("a.toml", &opened.data, &opened.revision)
            .unwrap_err();
        assert!(matches!(e, WorkspaceError::Conflict { .. }), "{e}");
        let text = std::fs::read_to_string(dir.path().join("a.toml")).unwrap();
        assert!(text.contains("new = [3, 0, 0, 0, 0, 0]"));
    }

    #[test]
    fn next_years_report_is_checked_against_last_years() {
        let (_dir, ws) = folder();
        let name = new_name("卞路口乡人民政府", 2024);
        ws.create(
            &name,
            &Start::NextYear {
                prev: "a.toml".into(),
            },
        )
        .unwrap();
        let list = ws.list();
        let next = list.iter().find(|e| e.name == name).unwrap();
        assert_eq!(next.prev.as_deref(), Some("a.toml"));
        assert_eq!(next.year, Some(2024));
        assert!(matches!(
            ws.create(
                &name,
                &Start::NextYear {
                    prev: "a.toml".into()
                }
            ),
            Err(WorkspaceError::Exists { .. })
        ));
    }
}
