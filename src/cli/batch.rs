//! `nianbao batch`, `nianbao manifest merge` and `nianbao generate`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Args, Subcommand};

use nianbao::batch::{self, BatchOptions, Entry, Manifest, Shard, Status};
use nianbao::export;

use super::{exit, CliError, CliResult, FontArgs, Printer};

#[derive(Args)]
pub struct BatchArgs {
    /// Data files, or directories searched recursively for .toml/.json/.yaml/.yml and workbooks (.xlsx/.xls/.ods).
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The output directory (created if missing); PDFs and manifest.json/.csv go here.
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,
    /// Worker threads (default: the number of cores).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Render only shard K of N (by a stable hash of each input's path relative to its INPUT).
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Skip reports whose input hash, nianbao version and existing output match the manifest.
    #[arg(long)]
    pub skip_unchanged: bool,
    /// Print only failures and the summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print where the time went (per step) and the peak memory after the summary.
    #[arg(long)]
    pub timings: bool,
    /// How many documents an unused cached layout result survives (Typst's comemo
    /// cache). Reports share little: keeping results saves 3 % of the
    /// instructions per report with 1 and 4.6 % with 3 (callgrind, 10 reports),
    /// while the peak RSS of 100 reports grows from 92 MiB (0) to 100 (1) and
    /// 108 MiB (2). Memory flat over thousands of reports matters more: the
    /// cache is emptied after every document.
    #[arg(long, value_name = "N", default_value_t = 0, hide = true)]
    pub cache_age: usize,
    /// Conform to PDF standards: one PDF/A level (a-2b, a-2a, a-3b, a-3a) and/or
    /// ua-1 (PDF/UA-1, accessible), e.g. `a-2a,ua-1`.
    #[arg(long, value_name = "STANDARD[,STANDARD]", value_delimiter = ',')]
    pub pdf_standard: Vec<export::PdfStandard>,
    /// Make archival copies: PDF/A-3b with each report's data attached.
    #[arg(long)]
    pub archive: bool,
    /// Write OFD packages (GB/T 33190-2016), named .ofd, instead of PDFs.
    #[arg(long, conflicts_with_all = ["pdf_standard", "sign"])]
    pub ofd: bool,
    /// Also write FILE.pdf: every rendered report in the manifest's order, each
    /// starting on an odd page (a blank page where needed, for duplex printing),
    /// one bookmark per report, each report's own page numbers. A print
    /// artifact: tags, attached data and signatures are not carried over.
    #[arg(long, value_name = "FILE.pdf", conflicts_with = "ofd")]
    pub bundle: Option<PathBuf>,
    /// Also write each report as a portal web page next to its PDF (the same
    /// name with .html; see `render --html`).
    #[arg(long)]
    pub html: bool,
    /// Sign every output (PAdES, as `nianbao sign`) with --key and --cert.
    #[arg(long, requires_all = ["key", "cert"])]
    pub sign: bool,
    #[command(flatten)]
    pub signer: super::sign::SignerArgs,
    #[command(flatten)]
    pub fonts: FontArgs,
}

#[derive(Args)]
pub struct ManifestArgs {
    #[command(subcommand)]
    pub command: ManifestCommand,
}

#[derive(Subcommand)]
pub enum ManifestCommand {
    /// Join the manifests of several shards into one.
    #[command(
        after_help = "Example:\n  nianbao manifest merge out/manifest-*-of-4.json -o out/manifest.json"
    )]
    Merge {
        /// Shard manifests (manifest-K-of-N.json).
        #[arg(required = true)]
        manifests: Vec<PathBuf>,
        /// The merged manifest (a .csv is written next to it).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Args)]
pub struct GenerateArgs {
    /// How many reports to write.
    #[arg(value_name = "COUNT")]
    pub count: usize,
    /// The directory to write them to (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// The seed: the same seed writes the same reports.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Pages of prose per report, MIN-MAX (tables add about two).
    #[arg(long, value_name = "MIN-MAX", default_value = "2-15", value_parser = parse_pages)]
    pub pages: std::ops::RangeInclusive<usize>,
}

fn parse_pages(text: &str) -> Result<std::ops::RangeInclusive<usize>, String> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let number = |n: &str| {
        n.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{text}`: expected MIN-MAX, e.g. 2-15"))
    };
    let (a, b) = (number(a)?, number(b)?);
    if a > b || b > 200 {
        return Err(format!("`{text}`: MIN must not exceed MAX (at most 200)"));
    }
    Ok(a..=b)
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Rendered => "rendered",
        Status::Failed => "FAILED",
        Status::Skipped => "skipped",
    }
}

pub fn batch(args: BatchArgs, printer: &Printer) -> CliResult {
    let publisher = args.fonts.publisher()?;
    if !args.sign && (args.signer.key.is_some() || args.signer.cert.is_some()) {
        return Err(CliError::Usage(
            "--key and --cert sign only with --sign".into(),
        ));
    }
    let signer = args.signer.signer()?.filter(|_| args.sign).map(Arc::new);
    let jobs = batch::discover(&args.inputs, &args.output).map_err(|e| match e {
        e @ batch::BatchError::MissingInput { .. } => CliError::Usage(e.to_string()),
        e => e.into(),
    })?;
    let workers = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let options = BatchOptions {
        outdir: args.output.clone(),
        jobs: workers,
        shard: args.shard,
        skip_unchanged: args.skip_unchanged,
        render: args.fonts.render_options(None)?,
        export: export::ExportOptions {
            standards: args.pdf_standard.clone(),
            archive: args.archive,
            ofd: args.ofd,
        },
        cache_age: args.cache_age,
        sign: signer,
        bundle: args.bundle.clone(),
        html: args.html,
    };
    let in_shard = match args.shard {
        Some(s) => jobs.iter().filter(|j| s.contains(&j.relative)).count(),
        None => jobs.len(),
    };
    let bar = (std::io::stderr().is_terminal() && !args.quiet).then(|| {
        let bar = indicatif::ProgressBar::new(in_shard as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} reports · {per_sec} · ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let printed = Mutex::new(0usize);
    let on_done = |e: &Entry| {
        let line = || {
            let out = e.output.as_deref().unwrap_or("-");
            let mut s = format!("{:<8} {} -> {}", status_word(e.status), e.input, out);
            if e.status == Status::Failed {
                for f in e.findings.iter().take(3) {
                    s.push_str(&format!("\n    {}", f.replace('\n', "\n    ")));
                }
                if e.findings.len() > 3 {
                    s.push_str(&format!("\n    … and {} more", e.findings.len() - 3));
                }
            }
            s
        };
        match &bar {
            Some(bar) => {
                if e.status == Status::Failed {
                    bar.println(line());
                }
                bar.inc(1);
            }
            None => {
                if !args.quiet || e.status == Status::Failed {
                    let _guard = printed.lock();
                    printer.note(&line());
                }
            }
        }
    };
    let summary = batch::run(&publisher, jobs, &options, &on_done);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = summary?;
    let secs = summary.elapsed.as_secs_f64();
    printer.note(&format!(
        "{} rendered, {} failed, {} skipped in {:.2} s ({:.1} reports/s); manifest: {}",
        summary.rendered,
        summary.failed,
        summary.skipped,
        secs,
        summary.rendered as f64 / secs.max(1e-9),
        summary.manifest_path.display()
    ));
    if let Some(b) = &summary.bundle {
        printer.note(&format!(
            "print bundle: {} ({} reports, {} pages, {} blank page{} so that every report starts on an odd page)",
            b.path.display(),
            b.placed.len(),
            b.pages,
            b.blank_pages,
            if b.blank_pages == 1 { "" } else { "s" }
        ));
    }
    if args.timings {
        let t = &summary.times;
        let n = (summary.rendered + summary.failed).max(1) as f64;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n;
        let ours = ms(t.ours());
        let typst = ms(t.typst());
        printer.note(&format!(
            "time per report: read {:.2} ms, load {:.2} ms, check {:.2} ms, template {:.2} ms | layout {:.2} ms, export {:.2} ms | write {:.2} ms",
            ms(t.read), ms(t.load), ms(t.check), ms(t.template), ms(t.layout), ms(t.export), ms(t.write)
        ));
        printer.note(&format!(
            "our work {ours:.2} ms ({:.1} %), Typst {typst:.2} ms per report",
            100.0 * ours / (ours + typst).max(1e-9)
        ));
        if let Some(rss) = batch::peak_rss() {
            printer.note(&format!("peak RSS {:.1} MiB", rss as f64 / 1048576.0));
        }
    }
    if printer.json() {
        printer.emit_json(&serde_json::json!({
            "nianbao": nianbao::VERSION,
            "status": if summary.failed > 0 { "failed" } else { "ok" },
            "rendered": summary.rendered,
            "failed": summary.failed,
            "skipped": summary.skipped,
            "manifest": summary.manifest_path,
            "bundle": summary.bundle.as_ref().map(|b| serde_json::json!({
                "path": b.path,
                "pages": b.pages,
                "blank_pages": b.blank_pages,
                "reports": b.placed.iter().map(|p| serde_json::json!({
                    "title": p.title,
                    "first_page": p.first_page,
                    "pages": p.pages,
                })).collect::<Vec<_>>(),
            })),
        }))?;
    }
    Ok(exit(summary.failed > 0))
}

pub fn manifest(args: ManifestArgs, printer: &Printer) -> CliResult {
    match args.command {
        ManifestCommand::Merge { manifests, output } => {
            let mut parts = Vec::new();
            for path in &manifests {
                let m = Manifest::read(path).map_err(batch::BatchError::from)?;
                parts.push((path.display().to_string(), m));
            }
            let merged = Manifest::merge(&parts).map_err(batch::BatchError::from)?;
            merged.write(&output).map_err(batch::BatchError::from)?;
            printer.note(&format!(
                "merged {} manifests, {} reports, into {}",
                parts.len(),
                merged.entries.len(),
                output.display()
            ));
            Ok(exit(false))
        }
    }
}

pub fn generate(args: GenerateArgs, printer: &Printer) -> CliResult {
    std::fs::create_dir_all(&args.output).map_err(|e| export::ExportError::Write {
        path: args.output.display().to_string(),
        reason: format!("cannot create the directory: {e}"),
    })?;
    for i in 0..args.count {
        let g = batch::generate::report(args.seed, i, args.pages.clone());
        export::write_atomic(&args.output.join(&g.file_name), g.toml.as_bytes())?;
    }
    printer.note(&format!(
        "wrote {} reports to {}",
        args.count,
        args.output.display()
    ));
    Ok(exit(false))
}
