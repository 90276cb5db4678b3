//! A folder of reports, as the web editor (`nianbao serve`) shows and edits it.
//!
//! Every report file directly in the folder, by its file name: what it is, its
//! state (errors, warnings, ready, rendered), opening it as JSON for the
//! editor, saving it back in its own format (atomically, keeping a `.bak` of
//! the previous version, refusing to overwrite a version the editor has not
//! seen), new reports (the skeleton, or next year's from last year's), and the
//! previous year's report each report is checked against (as `--prev`).
//!
//! The kinds of file the folder holds are [`FileKind`]: a data file in one of
//! the [`Format`]s, or a workbook (.xlsx, .xls, .ods) read by the one loader
//! of workbooks ([`crate::workbook::read`]). A workbook report is saved by
//! writing the workbook afresh with the writer of `nianbao export`
//! ([`crate::workbook::export`]): only .xlsx files are saved; an .xls or .ods
//! workbook is opened, checked and previewed, and its save is refused with a
//! message that says to save it as .xlsx first (nianbao writes no .xls/.ods).
//! Importing a published report (PDF, DOCX, HTML, text) is
//! [`Workspace::import`]: it writes a new TOML data file into the folder.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::{self, Finding, Severity};
use crate::export::{self, ExportError};
use crate::import::{self, ImportError, Imported};
use crate::model::{self, Edition, Format, LoadError, Loaded, WriteError};
use crate::workbook::{self, WorkbookError};

/// The most bytes a report's data file may have to be opened.
pub const MAX_DATA_BYTES: u64 = 4 * 1024 * 1024;

/// What a file in the folder is, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A data file: TOML, JSON or YAML.
    Data(Format),
    /// A workbook (.xlsx, .xls, .ods), by its extension. Only .xlsx is saved.
    Workbook(workbook::Kind),
}

impl FileKind {
    pub fn of(name: &str) -> Option<FileKind> {
        let path = Path::new(name);
        if let Some(f) = Format::from_path(path) {
            return Some(FileKind::Data(f));
        }
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" => Some(FileKind::Workbook(workbook::Kind::Xlsx)),
            "xls" => Some(FileKind::Workbook(workbook::Kind::Xls)),
            "ods" => Some(FileKind::Workbook(workbook::Kind::Ods)),
            _ => None,
        }
    }

    /// The kind's name in the API: `toml`, `json`, `yaml`, `xlsx`, `xls`, `ods`.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Data(f) => f.extension(),
            FileKind::Workbook(workbook::Kind::Xlsx) => "xlsx",
            FileKind::Workbook(workbook::Kind::Xls) => "xls",
            FileKind::Workbook(workbook::Kind::Ods) => "ods",
        }
    }

    /// Why a report of this kind cannot be saved here, if it cannot.
    pub fn read_only(self) -> Option<&'static str> {
        match self {
            FileKind::Workbook(workbook::Kind::Xls | workbook::Kind::Ods) => Some(
                "nianbao 只能保存 .xlsx 工作簿，不能保存 .xls 或 .ods 工作簿：可以在这里查看、检查和预览；要修改，请先用 Excel、WPS 或 LibreOffice 把它另存为 .xlsx 工作簿，再在这里打开",
            ),
            _ => None,
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
    /// A report this server reads but does not write (an .xls or .ods workbook).
    #[error("{name}: 不能保存：{reason}")]
    ReadOnly { name: String, reason: String },
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A workbook that is not a report workbook, or cannot be read or written.
    #[error("{name}: 工作簿无法读取或写入：{source}")]
    Workbook {
        name: String,
        #[source]
        source: WorkbookError,
    },
    /// An uploaded published report that could not be imported.
    #[error("{file}: 无法导入：{message}")]
    Import {
        file: String,
        /// The import error's kind ([`ImportError::kind`]).
        kind: &'static str,
        /// What went wrong, in Chinese.
        message: String,
    },
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
    /// The file cannot be read (syntax error, not text, not a report workbook).
    Unreadable,
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
    /// Why it cannot be read, for unreadable files.
    pub message: Option<String>,
}

/// A report opened for the editor.
pub struct Opened {
    pub name: String,
    pub kind: FileKind,
    /// The revision of the file's bytes: a save must name it.
    pub revision: String,
    pub loaded: Loaded,
    /// The data as the editor edits it (a blank cell of a workbook is null).
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

/// A published report imported into a new data file of the folder.
pub struct ImportedReport {
    /// The new data file's name in the folder.
    pub name: String,
    /// What the importer read: its notes (in Chinese) and where each value came from.
    pub imported: Imported,
    /// The new data file, loaded.
    pub loaded: Loaded,
}

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
        if name.starts_with("~$") {
            // The lock file Excel and WPS keep next to an open workbook.
            return Err(WorkspaceError::BadName {
                name: name.to_string(),
                reason: "是 Excel/WPS 打开工作簿时留下的临时文件".into(),
            });
        }
        let path = self.plain_file(
            name,
            kind.is_some(),
            "扩展名应为 .toml、.json、.yaml、.yml、.xlsx、.xls 或 .ods",
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
        let (kind, bytes, loaded, _) = self.load_tree(name)?;
        Ok((kind, bytes, loaded))
    }

    /// Loads a report file, with its data as the editor edits it (JSON; a
    /// blank cell of a workbook is null, never 0).
    fn load_tree(
        &self,
        name: &str,
    ) -> Result<(FileKind, Vec<u8>, Loaded, serde_json::Value), WorkspaceError> {
        let (_, kind, bytes) = self.read(name)?;
        match kind {
            FileKind::Data(format) => {
                let loaded = model::load_bytes(
                    name.to_string(),
                    Some(self.dir.clone()),
                    bytes.clone(),
                    format,
                )?;
                let data = model::tree::parse(&loaded.source.text, format)
                    .map(|n| n.to_json())
                    .unwrap_or_default();
                Ok((kind, bytes, loaded, data))
            }
            FileKind::Workbook(_) => {
                let (loaded, tree) = self.read_workbook(name, bytes.clone())?;
                Ok((kind, bytes, loaded, tree.to_json()))
            }
        }
    }

    /// Reads a workbook with the one loader of workbooks.
    fn read_workbook(
        &self,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<(Loaded, model::tree::Node), WorkspaceError> {
        workbook::read_tree(name, Some(self.dir.clone()), bytes).map_err(|e| match e {
            WorkbookError::Load(l) => WorkspaceError::Load(l),
            source => WorkspaceError::Workbook {
                name: name.to_string(),
                source,
            },
        })
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
                        entry.status = Status::Unreadable;
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
        let (kind, bytes, loaded, data) = self.load_tree(name)?;
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
        if let Some(reason) = kind.read_only() {
            return Err(WorkspaceError::ReadOnly {
                name: name.to_string(),
                reason: reason.to_string(),
            });
        }
        let FileKind::Data(format) = kind else {
            return self.save_workbook(&path, name, data, bytes, current);
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

    /// Saves a workbook report: the workbook written afresh by the writer of
    /// `nianbao export` (the same layout, defined names and formulas), unless
    /// the data is what the file holds (then nothing is written and the
    /// revision stays).
    fn save_workbook(
        &self,
        path: &Path,
        name: &str,
        data: &serde_json::Value,
        bytes: Vec<u8>,
        current: String,
    ) -> Result<String, WorkspaceError> {
        let (_, tree) = self.read_workbook(name, bytes.clone())?;
        if tree.to_json() == *data {
            return Ok(current);
        }
        let loaded = self.load_data(name, data)?;
        let written = workbook::export(&loaded).map_err(|source| WorkspaceError::Workbook {
            name: name.to_string(),
            source,
        })?;
        // What is written must read back.
        self.read_workbook(name, written.clone())?;
        let bak = self.dir.join(format!("{name}.bak"));
        export::write_atomic(&bak, &bytes)?;
        export::write_atomic(path, &written)?;
        Ok(revision(&written))
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

    /// Imports a published report (PDF, Word .docx, web page, text; `file_name`
    /// is the uploaded file's name, its content decides its kind) into a new
    /// TOML data file of the folder, as `nianbao import` writes it (a value the
    /// report does not print is a commented-out key). The file is named after
    /// the agency and year as `nianbao init --xlsx` and `batch` name reports
    /// (`{机关}{年度}年政府信息公开工作年度报告.toml`), with `-2`, `-3`… when
    /// the name is taken: nothing is overwritten. Nothing is written when the
    /// file cannot be imported.
    pub fn import(&self, file_name: &str, bytes: &[u8]) -> Result<ImportedReport, WorkspaceError> {
        // The name only, whatever the browser sent (`C:\\fakepath\\年报.pdf`).
        let file = file_name
            .rsplit(['/', '\\'])
            .next()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .unwrap_or("上传的文件")
            .to_string();
        let imported = import::import_bytes(&file, bytes).map_err(|e| WorkspaceError::Import {
            file: file.clone(),
            kind: e.kind(),
            message: import_message(&e),
        })?;
        let text = import::write::to_format(&imported, Format::Toml);
        let base = import_stem(&imported, &file);
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let name = (1..1000)
            .map(|i| {
                if i == 1 {
                    format!("{base}.toml")
                } else {
                    format!("{base}-{i}.toml")
                }
            })
            .find(|n| {
                self.path_of(n).is_ok() && std::fs::symlink_metadata(self.dir.join(n)).is_err()
            })
            .ok_or_else(|| WorkspaceError::Exists {
                name: format!("{base}.toml"),
            })?;
        // What is written must read back.
        let loaded = model::load_bytes(
            name.clone(),
            Some(self.dir.clone()),
            text.clone().into_bytes(),
            Format::Toml,
        )?;
        export::write_atomic(&self.dir.join(&name), text.as_bytes())?;
        Ok(ImportedReport {
            name,
            imported,
            loaded,
        })
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

/// The stem of an imported report's file name: from its agency and year, else
/// from the uploaded file's name.
fn import_stem(imported: &Imported, file: &str) -> String {
    let agency = imported.data["agency"]
        .as_str()
        .map(str::trim)
        .unwrap_or("");
    let year = imported.data["year"]
        .as_u64()
        .and_then(|y| u16::try_from(y).ok());
    let stem = match (agency, year) {
        (a, Some(y)) if !a.is_empty() => {
            let name = crate::batch::output_name(a, y);
            name.strip_suffix(".pdf").unwrap_or(&name).to_string()
        }
        _ => clean_stem(
            Path::new(file)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or(""),
        ),
    };
    if stem.is_empty() {
        "导入的报告".to_string()
    } else {
        stem
    }
}

/// A text made safe as a file name's stem: no separators, reserved or control
/// characters, not hidden, at most 60 characters.
fn clean_stem(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().trim_start_matches(['.', '~', '$']);
    clean.chars().take(60).collect()
}

/// Where the value at a key path is printed in an imported published report,
/// in Chinese (`原文第 4 页（距页顶 210 pt）印作“1288”`): what
/// [`Imported::describe`] says for the command line.
pub fn imported_place(imported: &Imported, key: &str) -> Option<String> {
    let v = imported.origin_of(key)?;
    let place = match &v.origin {
        import::Origin::Page { page, y, .. } => format!("原文第 {page} 页（距页顶 {y:.0} pt）"),
        import::Origin::Cell { table, row, col } => {
            format!("原文第 {table} 个表格第 {row} 行第 {col} 列")
        }
        import::Origin::Paragraph { index } => format!("原文第 {index} 段"),
        import::Origin::Line { line, .. } => format!("原文第 {line} 行"),
    };
    let printed = v.printed.trim().replace('\n', " ");
    Some(if printed.is_empty() {
        place
    } else {
        format!("{place}印作“{printed}”")
    })
}

/// Why a published report could not be imported, in Chinese, for the person
/// at the editor (the importer's own messages are for the command line).
pub fn import_message(e: &ImportError) -> String {
    match e {
        ImportError::Io { source, .. } => format!("读取文件时出错（{source}）"),
        ImportError::TooLarge { size, max, .. } => format!(
            "文件太大（{size} 字节，最多 {max} 字节）；已发布的报告一般只有几 MB，是不是选错了文件？"
        ),
        ImportError::Unsupported { what, .. } => format!(
            "无法读取 {what} 文件：请先另存为 .docx 或 .pdf，再导入"
        ),
        ImportError::UnknownFormat { .. } => {
            "不是能导入的已发布报告：只能导入 PDF（带文字层）、Word（.docx）、网页（.html）或文本（.txt）文件；文件为空、是图片或其他格式都不能导入".into()
        }
        ImportError::NoText { pages, .. } => format!(
            "PDF 共 {pages} 页，但没有文字层（是扫描件或图片？）；请向发布机关索取用 WPS 或 Word 导出的 PDF"
        ),
        ImportError::Encrypted { .. } => {
            "PDF 已加密（有密码保护），无法读取；请索取未加密的文件".into()
        }
        ImportError::Damaged { kind, .. } => format!(
            "不是完整可读的 {kind} 文件（下载不完整或已损坏？）；请重新下载后再导入"
        ),
        ImportError::ZipBomb { max, .. } => format!(
            "文件解压后超过 {max} 字节，不像报告的 Word 文件，没有读取"
        ),
        ImportError::NotAReport { .. } => {
            "文件中没有找到年度报告的表格（表二至表四）：这是政府信息公开工作年度报告吗？".into()
        }
        ImportError::ReaderFailed { kind, .. } => format!(
            "读取这个 {kind} 文件时出错；请把文件发给 nianbao 的维护者"
        ),
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
    format!("{}{year}.toml", clean_stem(agency))
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
