//! Batch publishing: many reports on a pool of worker threads sharing one font
//! store, with a manifest, resumable runs and shards for several machines.

pub mod generate;
mod manifest;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub use manifest::{Entry, Manifest, ManifestError, Status};

use crate::check::{self, Severity};
use crate::export::{self, ExportOptions};
use crate::model::{Format, Loaded};
use crate::{Publisher, RenderOptions, VERSION};

/// Shard K of N (K from 1 to N).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses "K/N".
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}`: expected K/N, e.g. 2/8"))?;
        let index: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: K must be a number"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: N must be a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!(
                "`{text}`: K must be from 1 to N (shards are numbered 1/N … N/N)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Whether a report (by its path relative to its INPUT root) belongs to this shard.
    /// The hash is SHA-256, so every machine agrees.
    pub fn contains(&self, relative: &str) -> bool {
        let digest = Sha256::digest(relative.as_bytes());
        let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        (n % self.count as u64) as u32 == self.index - 1
    }

    /// The manifest name of this shard.
    pub fn manifest_name(&self) -> String {
        format!("manifest-{}-of-{}.json", self.index, self.count)
    }
}

/// One input found by `discover`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub path: PathBuf,
    /// The path relative to the INPUT it was found under ("/"-separated).
    pub relative: String,
}

/// Why a batch could not run at all (per-report problems are entries, not errors).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{path}: no such file or directory")]
    MissingInput { path: String },
    #[error("{path}: {reason}")]
    OutputDir { path: String, reason: String },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("cannot start {jobs} worker threads: {reason}")]
    Threads { jobs: usize, reason: String },
    /// The print bundle could not be made (the reports themselves are written).
    #[error("{path}: cannot write the print bundle: {source}")]
    Bundle {
        path: String,
        #[source]
        source: export::ExportError,
    },
}

/// Finds the data files among the inputs: files as given, directories searched
/// recursively for .toml, .json, .yaml, .yml and workbooks (.xlsx, .xls,
/// .ods), skipping hidden entries, the output directory, manifests and the
/// lock files of spreadsheet programs. Sorted, so every run sees the same order.
pub fn discover(inputs: &[PathBuf], outdir: &Path) -> Result<Vec<Job>, BatchError> {
    let out_canon = outdir.canonicalize().ok();
    let mut jobs = Vec::new();
    for input in inputs {
        if input.is_file() {
            let name = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            jobs.push(Job {
                path: input.clone(),
                relative: name,
            });
        } else if input.is_dir() {
            let mut found = Vec::new();
            let walker = walkdir::WalkDir::new(input)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter();
            for entry in walker.filter_entry(|e| {
                let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
                let is_out = out_canon.is_some() && e.path().canonicalize().ok() == out_canon;
                !hidden && !is_out
            }) {
                let Ok(entry) = entry else { continue };
                let path = entry.path();
                let name = entry.file_name().to_string_lossy();
                // Skips Excel's lock files (~$a.xlsx) and LibreOffice's (.~lock…, hidden).
                if !entry.file_type().is_file()
                    || !crate::is_data_path(path)
                    || name.starts_with("manifest")
                    || name.starts_with("~$")
                {
                    continue;
                }
                let relative = path
                    .strip_prefix(input)
                    .unwrap_or(path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                found.push(Job {
                    path: path.to_path_buf(),
                    relative,
                });
            }
            jobs.extend(found);
        } else {
            return Err(BatchError::MissingInput {
                path: input.display().to_string(),
            });
        }
    }
    Ok(jobs)
}

/// A file name for a report: "{agency}{year}年政府信息公开工作年度报告.pdf", made safe
/// for file systems (no separators or reserved characters, at most 200 bytes).
pub fn output_name(agency: &str, year: u16) -> String {
    let mut name: String = format!("{agency}{year}年政府信息公开工作年度报告")
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    name = name
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    while name.len() > 200 {
        name.pop();
    }
    if name.is_empty() {
        name = format!("report-{year}");
    }
    format!("{name}.pdf")
}

/// Options of a batch.
#[derive(Clone)]
pub struct BatchOptions {
    pub outdir: PathBuf,
    /// Worker threads.
    pub jobs: usize,
    pub shard: Option<Shard>,
    /// Skip reports whose input, nianbao version and existing output match the manifest.
    pub skip_unchanged: bool,
    pub render: RenderOptions,
    pub export: ExportOptions,
    /// How many evictions an unused memoized result survives (`comemo::evict`).
    pub cache_age: usize,
    /// Signs every output.
    pub sign: Option<std::sync::Arc<export::Signer>>,
    /// Also writes one print bundle of every rendered report, in the
    /// manifest's order (`--bundle`; see [`export::BundleBuilder`]).
    pub bundle: Option<PathBuf>,
    /// Also writes each report as a portal web page next to its PDF (`--html`).
    pub html: bool,
}

/// Time spent in each step, summed over reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct StepTimes {
    pub read: Duration,
    pub load: Duration,
    pub check: Duration,
    pub template: Duration,
    pub layout: Duration,
    pub export: Duration,
    pub write: Duration,
}

impl StepTimes {
    fn add(&mut self, o: &StepTimes) {
        self.read += o.read;
        self.load += o.load;
        self.check += o.check;
        self.template += o.template;
        self.layout += o.layout;
        self.export += o.export;
        self.write += o.write;
    }

    /// Our own work: reading, loading, checking, templates.
    pub fn ours(&self) -> Duration {
        self.read + self.load + self.check + self.template
    }

    /// Typst's work: layout and PDF export.
    pub fn typst(&self) -> Duration {
        self.layout + self.export
    }
}

/// What a batch did.
#[derive(Debug)]
pub struct Summary {
    pub manifest: Manifest,
    pub manifest_path: PathBuf,
    pub rendered: usize,
    pub failed: usize,
    pub skipped: usize,
    pub elapsed: Duration,
    pub times: StepTimes,
    /// The print bundle, when one was asked for.
    pub bundle: Option<BundleSummary>,
}

/// What went into a print bundle.
#[derive(Debug)]
pub struct BundleSummary {
    pub path: PathBuf,
    /// The reports, in the manifest's order, with their first page.
    pub placed: Vec<export::Placed>,
    pub pages: usize,
    /// Blank pages inserted so that every report starts on an odd page.
    pub blank_pages: usize,
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A report to render, with the name of its output (None when it does not load).
struct Named {
    job: Job,
    output: Option<String>,
}

/// Reads, hashes and loads one input.
fn read_and_load(job: &Job, times: &mut StepTimes) -> (String, Result<Loaded, crate::Error>) {
    let t = Instant::now();
    let bytes = std::fs::read(&job.path);
    times.read = t.elapsed();
    let name = job.path.display().to_string();
    match bytes {
        Ok(bytes) => {
            let sha = sha256_hex(&bytes);
            let t = Instant::now();
            let format = Format::from_path(&job.path).or(Some(Format::Toml));
            let dir = Some(job.path.parent().map(Path::to_path_buf).unwrap_or_default());
            let loaded = crate::load_data_bytes(name, dir, bytes, &job.path, format);
            times.load = t.elapsed();
            (sha, loaded)
        }
        Err(source) => (
            String::new(),
            Err(crate::model::LoadError::Io { file: name, source }.into()),
        ),
    }
}

/// Runs a batch. `on_done` is called (from worker threads) as each report finishes.
pub fn run(
    publisher: &Publisher,
    jobs: Vec<Job>,
    options: &BatchOptions,
    on_done: &(dyn Fn(&Entry) + Sync),
) -> Result<Summary, BatchError> {
    let started = Instant::now();
    if !options.outdir.is_dir() {
        std::fs::create_dir_all(&options.outdir).map_err(|e| BatchError::OutputDir {
            path: options.outdir.display().to_string(),
            reason: format!("cannot create the output directory: {e}"),
        })?;
    }
    let manifest_path = options.outdir.join(
        options
            .shard
            .map_or_else(|| "manifest.json".to_string(), |s| s.manifest_name()),
    );
    let previous: HashMap<String, Entry> = if options.skip_unchanged && manifest_path.exists() {
        Manifest::read(&manifest_path)?
            .entries
            .into_iter()
            .map(|e| (e.input.clone(), e))
            .collect()
    } else {
        HashMap::new()
    };
    let workers = options.jobs.max(1);

    // Phase 1: name the outputs. Every input is loaded (all shards: the names
    // must be the same on every machine) but only its agency and year are kept,
    // so memory does not grow with the number of reports.
    let identities: Vec<Option<(String, u16)>> = parallel_map(jobs.clone(), workers, |job| {
        let (_, loaded) = read_and_load(&job, &mut StepTimes::default());
        loaded.ok().map(|l| (l.report.agency, l.report.year.0))
    })?;
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut named: Vec<Named> = Vec::with_capacity(jobs.len());
    let ext = if options.export.ofd { ".ofd" } else { ".pdf" };
    for (job, identity) in jobs.into_iter().zip(identities) {
        let output = identity.map(|(agency, year)| {
            let pdf = output_name(&agency, year);
            let base = format!("{}{ext}", pdf.strip_suffix(".pdf").unwrap_or(&pdf));
            let n = used.entry(base.to_lowercase()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{}-{}{ext}", base.strip_suffix(ext).unwrap_or(&base), n)
            }
        });
        named.push(Named { job, output });
    }
    if let Some(shard) = options.shard {
        named.retain(|n| shard.contains(&n.job.relative));
    }

    // Phase 2: check, render and write, in parallel.
    let results: Vec<(Entry, StepTimes)> = parallel_map(named, workers, |p| {
        let result = process(publisher, p, options, &previous);
        // Keep the memoization caches bounded, on every path.
        typst::comemo::evict(options.cache_age);
        on_done(&result.0);
        result
    })?;
    let mut times = StepTimes::default();
    let mut entries = Vec::with_capacity(results.len());
    for (e, t) in results {
        times.add(&t);
        entries.push(e);
    }
    let count = |s: Status| entries.iter().filter(|e| e.status == s).count();
    let (rendered, failed, skipped) = (
        count(Status::Rendered),
        count(Status::Failed),
        count(Status::Skipped),
    );
    let manifest = Manifest {
        nianbao_version: VERSION.to_string(),
        shard: options.shard.map(|s| format!("{}/{}", s.index, s.count)),
        entries,
    };
    manifest.write(&manifest_path)?;
    let bundle = match &options.bundle {
        Some(path) => Some(write_bundle(path, &manifest, &options.outdir)?),
        None => None,
    };
    Ok(Summary {
        manifest,
        manifest_path,
        rendered,
        failed,
        skipped,
        elapsed: started.elapsed(),
        times,
        bundle,
    })
}

/// Writes the print bundle: every report that is rendered (or unchanged and
/// skipped), read back from the output directory, in the manifest's order,
/// each bookmarked with its own title.
fn write_bundle(
    path: &Path,
    manifest: &Manifest,
    outdir: &Path,
) -> Result<BundleSummary, BatchError> {
    let err = |source: export::ExportError| BatchError::Bundle {
        path: path.display().to_string(),
        source,
    };
    let mut builder = export::BundleBuilder::new();
    for entry in &manifest.entries {
        let (Status::Rendered | Status::Skipped, Some(output)) = (entry.status, &entry.output)
        else {
            continue;
        };
        let file = outdir.join(output);
        let bytes = export::read_pdf(&file).map_err(err)?;
        builder
            .add(&file.display().to_string(), &bytes, None)
            .map_err(err)?;
    }
    let placed = builder.placed().to_vec();
    let blank_pages = builder.blank_pages();
    let pdf = builder.finish().map_err(err)?;
    export::write_atomic(path, &pdf).map_err(err)?;
    Ok(BundleSummary {
        path: path.to_path_buf(),
        pages: placed.last().map_or(0, |p| p.first_page + p.pages - 1),
        placed,
        blank_pages,
    })
}

/// Maps `f` over `items` on a pool of `workers` threads, keeping the order.
///
/// Each thread of a dedicated rayon pool runs one loop that takes the next
/// item until none is left. Typst parallelizes inside a document with rayon;
/// called from a thread of this pool, that work stays on the report's own
/// thread instead of hopping to the global pool (about 5 % faster on 100
/// reports than plain worker threads). The loops are already running, so an
/// idle thread never steals a whole other report.
fn parallel_map<T: Send, R: Send>(
    items: Vec<T>,
    workers: usize,
    f: impl Fn(T) -> R + Sync,
) -> Result<Vec<R>, BatchError> {
    let n = items.len();
    let queue: Vec<std::sync::Mutex<Option<T>>> = items
        .into_iter()
        .map(|t| std::sync::Mutex::new(Some(t)))
        .collect();
    let results: Vec<std::sync::Mutex<Option<R>>> =
        (0..n).map(|_| std::sync::Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.min(n.max(1)))
        .thread_name(|i| format!("nianbao-worker-{i}"))
        .build()
        .map_err(|e| BatchError::Threads {
            jobs: workers,
            reason: e.to_string(),
        })?;
    pool.broadcast(|_| loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        let item = queue[i].lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(item) = item {
            let r = f(item);
            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
    });
    Ok(results
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect())
}

/// Checks, renders and writes one report.
fn process(
    publisher: &Publisher,
    p: Named,
    options: &BatchOptions,
    previous: &HashMap<String, Entry>,
) -> (Entry, StepTimes) {
    let mut times = StepTimes::default();
    let (sha, loaded) = read_and_load(&p.job, &mut times);
    let input = p.job.path.display().to_string();
    let mut entry = Entry {
        agency: loaded.as_ref().ok().map(|l| l.report.agency.clone()),
        year: loaded.as_ref().ok().map(|l| l.report.year.0),
        input: input.clone(),
        input_relative: p.job.relative.clone(),
        input_sha256: sha.clone(),
        output: p.output.clone(),
        html: None,
        output_sha256: None,
        pages: None,
        bytes: None,
        status: Status::Failed,
        findings: Vec::new(),
        nianbao_version: VERSION.to_string(),
    };
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => {
            entry.findings.push(e.to_string());
            return (entry, times);
        }
    };
    let Some(output_name) = p.output else {
        entry
            .findings
            .push("the input changed while the batch ran; run it again".into());
        return (entry, times);
    };
    let output_path = options.outdir.join(&output_name);
    let html_name = Path::new(&output_name)
        .with_extension("html")
        .to_string_lossy()
        .into_owned();

    if let Some(prev) = previous.get(&input) {
        let unchanged = prev.input_sha256 == sha
            && prev.nianbao_version == VERSION
            && matches!(prev.status, Status::Rendered | Status::Skipped)
            && prev.output.as_deref() == Some(output_name.as_str())
            && std::fs::read(&output_path)
                .is_ok_and(|b| Some(sha256_hex(&b)) == prev.output_sha256)
            && (!options.html || options.outdir.join(&html_name).is_file());
        if unchanged {
            let mut e = prev.clone();
            e.status = Status::Skipped;
            return (e, times);
        }
    }

    let t = Instant::now();
    let findings = check::check(&loaded, None);
    times.check = t.elapsed();
    entry.findings = findings.iter().map(|f| f.to_string()).collect();
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return (entry, times);
    }
    let rendered = match publisher.render_with(&loaded, &options.render, &options.export) {
        Ok(r) => r,
        Err(e) => {
            entry.findings.push(e.to_string());
            return (entry, times);
        }
    };
    times.template = rendered.timings.template;
    times.layout = rendered.timings.layout;
    times.export = rendered.timings.export;
    let t = Instant::now();
    let pdf = match &options.sign {
        Some(signer) => match export::sign_pdf(&output_name, &rendered.pdf, signer) {
            Ok(signed) => signed,
            Err(e) => {
                entry.findings.push(e.to_string());
                return (entry, times);
            }
        },
        None => rendered.pdf,
    };
    if let Err(e) = export::write_atomic(&output_path, &pdf) {
        entry.findings.push(e.to_string());
        return (entry, times);
    }
    if options.html {
        let page = publisher
            .render_html(&loaded)
            .map_err(|e| e.to_string())
            .and_then(|page| {
                export::write_atomic(&options.outdir.join(&html_name), page.as_bytes())
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = page {
            entry.findings.push(e);
            return (entry, times);
        }
        entry.html = Some(html_name);
    }
    times.write = t.elapsed();
    entry.output_sha256 = Some(sha256_hex(&pdf));
    entry.pages = Some(rendered.pages);
    entry.bytes = Some(pdf.len() as u64);
    entry.status = Status::Rendered;
    (entry, times)
}

/// The peak resident set size of this process, in bytes (Linux; None elsewhere).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_are_safe() {
        assert_eq!(
            output_name("卞路口乡人民政府", 2023),
            "卞路口乡人民政府2023年政府信息公开工作年度报告.pdf"
        );
        assert_eq!(
            output_name("a/b\\c:d", 2023),
            "a_b_c_d2023年政府信息公开工作年度报告.pdf"
        );
        assert!(output_name(&"长".repeat(300), 2023).len() <= 204);
    }

    #[test]
    fn shards_partition_the_inputs() {
        let names: Vec<String> = (0..1000).map(|i| format!("dir/report-{i}.toml")).collect();
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { index: k, count: 4 }).collect();
        for n in &names {
            assert_eq!(shards.iter().filter(|s| s.contains(n)).count(), 1);
        }
        let sizes: Vec<usize> = shards
            .iter()
            .map(|s| names.iter().filter(|n| s.contains(n)).count())
            .collect();
        assert!(sizes.iter().all(|&s| s > 200), "{sizes:?}");
        assert!(
            Shard::parse("0/4").is_err()
                && Shard::parse("5/4").is_err()
                && Shard::parse("2/4").is_ok()
        );
    }
}
