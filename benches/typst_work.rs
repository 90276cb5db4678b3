//! nianbao against the same report set by hand in Typst (the anchor,
//! benches/handset-bianlukou-2023.typ), in one run, side by side. Prints
//! figures, asserts nothing.
//!
//!     cargo bench --bench typst_work
//!
//! 1. Typst's work per page, in-process: nianbao's generated source for the
//!    bundled example against the hand-set source. Both are compiled and
//!    exported with the same fonts (the embedded Fandol faces, loaded once),
//!    the same Typst and PDF options, comemo emptied before every run; the
//!    figures are medians of `NIANBAO_BENCH_RUNS` runs (default 15). For ours,
//!    "layout" is everything Typst does before export, for every compile a
//!    render takes (a second one when a widow line is pulled back).
//! 2. Throughput: `nianbao batch --jobs 2` over `NIANBAO_BENCH_REPORTS` copies
//!    of the example (default 100) against the Typst CLI compiling the
//!    hand-set source as many times, two processes at a time
//!    (`typst compile --font-path fonts/fandol --ignore-system-fonts`), with
//!    wall time, CPU time and peak RSS from benches/measure.py. The `nianbao`
//!    binary is the one Cargo built for this bench (`CARGO_BIN_EXE_nianbao`,
//!    so `CARGO_TARGET_DIR` is honoured). The Typst CLI must be version 0.15.1
//!    on PATH (or in `TYPST`); install it with
//!
//!        cargo install typst-cli --version 0.15.1 --locked
//!
//!    Without it, part 2 prints nianbao's figures only.
//!
//! `NIANBAO_BENCH_ONLY=ours` or `=handset` runs one side of part 1 and nothing
//! else (for callgrind); `NIANBAO_BENCH_PDF=DIR` writes both PDFs there
//! (ours.pdf, handset.pdf) for inspection; `NIANBAO_BENCH_TEMPLATES=DIR` reads
//! the templates from DIR (to try a template change without a build);
//! `NIANBAO_BENCH_HANDSET=FILE` compiles FILE in place of the hand-set source
//! (to price a property of ours on the anchor).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nianbao::typeset::FontStore;
use nianbao::{Publisher, RenderOptions};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// A world for one Typst file, with nianbao's fonts.
struct FileWorld {
    library: LazyHash<Library>,
    main: Source,
    fonts: Arc<FontStore>,
}

impl World for FileWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_with_slash().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Err(FileError::NotFound(id.vpath().get_with_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }
    fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(2024, 1, 20)
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Layout and export of the hand-set source: (pages, layout, export).
/// The source is parsed in "layout", as ours is (nianbao parses the source it
/// writes for every report; the Typst CLI parses it in every process).
fn handset(world: &mut FileWorld, text: &str) -> (usize, Duration, Duration) {
    let started = Instant::now();
    world.main = Source::new(world.main.id(), text.to_string());
    let doc = typst::compile::<PagedDocument>(&*world)
        .output
        .expect("the hand-set source compiles");
    let laid_out = Instant::now();
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom("handset".into()),
        tagged: true,
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&doc, &options).expect("the hand-set source exports");
    let exported = laid_out.elapsed();
    if let Ok(dir) = std::env::var("NIANBAO_BENCH_PDF") {
        std::fs::write(Path::new(&dir).join("handset.pdf"), pdf).unwrap();
    }
    (doc.pages().len(), laid_out - started, exported)
}

fn main() {
    let runs: usize = std::env::var("NIANBAO_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let fonts = Arc::new(FontStore::embedded());
    // `NIANBAO_BENCH_TEMPLATES=DIR`: templates from DIR (to try a change without a build).
    let templates = match std::env::var("NIANBAO_BENCH_TEMPLATES") {
        Ok(dir) => nianbao::render::Templates::with_dir(Path::new(&dir)).expect("templates"),
        Err(_) => nianbao::render::Templates::embedded(),
    };
    let publisher = Publisher::new(fonts.clone(), templates);
    let example = nianbao::load_data(&root.join("examples/bianlukou-2023.toml"), None)
        .expect("the example loads");
    // `NIANBAO_BENCH_HANDSET=FILE`: another hand-set source (to price a property).
    let handset_path = std::env::var("NIANBAO_BENCH_HANDSET")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("benches/handset-bianlukou-2023.typ"));
    let text = std::fs::read_to_string(handset_path).unwrap();
    let id = RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new("/handset.typ").unwrap(),
    )
    .intern();
    let mut world = FileWorld {
        library: LazyHash::new(Library::default()),
        main: Source::new(id, text.clone()),
        fonts,
    };

    // `NIANBAO_BENCH_ONLY=ours` or `=handset` runs one side (for callgrind).
    let only = std::env::var("NIANBAO_BENCH_ONLY").unwrap_or_default();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut our_pages, mut their_pages) = (0, 0);
    for _ in 0..runs {
        if only != "handset" {
            typst::comemo::evict(0);
            let r = publisher
                .render(&example, &RenderOptions::default())
                .expect("the example renders");
            our_pages = r.pages;
            if let Ok(dir) = std::env::var("NIANBAO_BENCH_PDF") {
                std::fs::write(Path::new(&dir).join("ours.pdf"), &r.pdf).unwrap();
            }
            ours.push((r.timings.template, r.timings.layout, r.timings.export));
        }
        if only != "ours" {
            typst::comemo::evict(0);
            let (pages, layout, export) = handset(&mut world, &text);
            their_pages = pages;
            theirs.push((layout, export));
        }
    }
    if !only.is_empty() {
        return;
    }
    let our_layout = median(ours.iter().map(|t| t.1).collect());
    let our_export = median(ours.iter().map(|t| t.2).collect());
    let our_total = median(ours.iter().map(|t| t.1 + t.2).collect());
    let our_template = median(ours.iter().map(|t| t.0).collect());
    let their_layout = median(theirs.iter().map(|t| t.0).collect());
    let their_export = median(theirs.iter().map(|t| t.1).collect());
    let their_total = median(theirs.iter().map(|t| t.0 + t.1).collect());
    let per_page = |d: Duration, pages: usize| ms(d) / pages as f64;
    println!("Typst's work, in-process, median of {runs} runs (comemo emptied before each):");
    println!(
        "{:<34} {:>5} {:>9} {:>9} {:>9} {:>10}",
        "source", "pages", "layout", "export", "total", "per page"
    );
    println!(
        "{:<34} {:>5} {:>7.1}ms {:>7.1}ms {:>7.1}ms {:>8.2}ms",
        "nianbao, examples/bianlukou-2023",
        our_pages,
        ms(our_layout),
        ms(our_export),
        ms(our_total),
        per_page(our_total, our_pages)
    );
    println!(
        "{:<34} {:>5} {:>7.1}ms {:>7.1}ms {:>7.1}ms {:>8.2}ms",
        "hand-set, same report",
        their_pages,
        ms(their_layout),
        ms(their_export),
        ms(their_total),
        per_page(their_total, their_pages)
    );
    println!(
        "per page, ours / hand-set: layout {:.2}x, export {:.2}x, layout + export {:.2}x (target ≤ 1.1x)",
        per_page(our_layout, our_pages) / per_page(their_layout, their_pages),
        per_page(our_export, our_pages) / per_page(their_export, their_pages),
        per_page(our_total, our_pages) / per_page(their_total, their_pages),
    );
    println!(
        "(ours also spends {:.1} ms before Typst: view, line breaking, coverage check, template)",
        ms(our_template)
    );
    throughput(root, our_pages, their_pages);
}

/// Runs a command under benches/measure.py: (wall s, CPU s, peak RSS MiB).
fn measured(root: &Path, program: &str, args: &[&str]) -> (f64, f64, f64) {
    let out = Command::new("python3")
        .arg(root.join("benches/measure.py"))
        .arg(program)
        .args(args)
        .output()
        .expect("python3 runs benches/measure.py");
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().expect("measure.py prints numbers"))
        .collect();
    assert!(out.status.success(), "{program} {args:?} failed");
    (v[0], v[1], v[2])
}

/// The Typst CLI to compare with: `TYPST` or `typst` on PATH, version 0.15.1.
fn typst_cli() -> Option<String> {
    let typst = std::env::var("TYPST").unwrap_or_else(|_| "typst".into());
    let out = Command::new(&typst).arg("--version").output().ok()?;
    let version = String::from_utf8_lossy(&out.stdout).to_string();
    if version.contains("0.15.1") {
        Some(typst)
    } else {
        println!(
            "{typst} is {}, not 0.15.1: no CLI comparison",
            version.trim()
        );
        None
    }
}

/// Part 2: `nianbao batch --jobs 2` over N copies of the example against the
/// Typst CLI compiling the hand-set source N times, two at a time.
fn throughput(root: &Path, our_pages: usize, their_pages: usize) {
    let n: usize = std::env::var("NIANBAO_BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let work = tempfile::tempdir().expect("a temporary directory");
    let input = work.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for i in 0..n {
        std::fs::copy(
            root.join("examples/bianlukou-2023.toml"),
            input.join(format!("report-{i:04}.toml")),
        )
        .unwrap();
    }
    let out = work.path().join("out");
    let (wall, cpu, rss) = measured(
        root,
        env!("CARGO_BIN_EXE_nianbao"),
        &[
            "batch",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--jobs",
            "2",
            "--quiet",
        ],
    );
    let per = |s: f64| s * 1000.0 / n as f64;
    println!();
    println!("Throughput, {n} reports, 2 at a time, {} cores:", cores());
    println!(
        "{:<44} {:>5} {:>12} {:>12} {:>9}",
        "", "pages", "wall/report", "CPU/report", "peak RSS"
    );
    println!(
        "{:<44} {:>5} {:>10.1}ms {:>10.1}ms {:>5.0} MiB",
        "nianbao batch --jobs 2, the example",
        our_pages,
        per(wall),
        per(cpu),
        rss
    );
    let Some(typst) = typst_cli() else {
        println!(
            "no Typst CLI 0.15.1 (install: cargo install typst-cli --version 0.15.1 --locked)"
        );
        return;
    };
    std::fs::copy(
        root.join("benches/handset-bianlukou-2023.typ"),
        work.path().join("handset.typ"),
    )
    .unwrap();
    let script = format!(
        "seq {n} | xargs -P 2 -I{{}} '{typst}' compile --font-path '{fonts}' --ignore-system-fonts '{dir}/handset.typ' '{dir}/handset-{{}}.pdf'",
        fonts = root.join("fonts/fandol").display(),
        dir = work.path().display(),
    );
    let (twall, tcpu, trss) = measured(root, "sh", &["-c", &script]);
    println!(
        "{:<44} {:>5} {:>10.1}ms {:>10.1}ms {:>5.0} MiB (per process)",
        "typst compile, hand-set source, 2 processes",
        their_pages,
        per(twall),
        per(tcpu),
        trss
    );
    println!(
        "per report, nianbao batch / Typst CLI: {:.2}x the throughput (target ≥ 3x), {:.2}x less CPU; per page: {:.2}x the throughput",
        twall / wall,
        tcpu / cpu,
        (twall / their_pages as f64) / (wall / our_pages as f64),
    );
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
