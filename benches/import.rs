//! Import benchmark: prints figures, asserts nothing.
//!
//!   cargo bench --bench import
//!
//! Times `nianbao::import::import_bytes` (in process, release build) on every
//! real file of the corpus and on a generated report's own PDF: the median and
//! the fastest of 30 runs each, and the share of the PDF time spent reading the
//! page (`read_layout`) versus mapping it. The target: a 6-page published PDF
//! imports in under 50 ms. `benches/import.sh` times `nianbao check DIR` on
//! 1,000 published PDFs, one core against all.

use std::time::{Duration, Instant};

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("tests/fixtures/corpus");
    let mut files: Vec<(String, Vec<u8>)> = [
        "huaian-shi-2024.pdf",
        "huaian-hongze-qu-2023.pdf",
        "suqian-shuyang-xian-fgj-2023.html",
        "pingtan-2020.html",
        "pingtan-2022.html",
        "template-2021-blank-wps.docx",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(corpus.join(n)).unwrap()))
    .collect();
    files.push((
        "bianlukou-2023.txt".into(),
        std::fs::read(root.join("tests/fixtures/reference/bianlukou-2023.txt")).unwrap(),
    ));
    // A generated 12–15 page report, rendered by nianbao.
    let g = nianbao::batch::generate::report(1, 0, 12..=15);
    let loaded = nianbao::model::load_str("g.toml", &g.toml, nianbao::model::Format::Toml).unwrap();
    let rendered = nianbao::Publisher::embedded()
        .render(&loaded, &nianbao::RenderOptions::default())
        .unwrap();
    files.push((
        format!("generated ({} pages).pdf", rendered.pages),
        rendered.pdf,
    ));

    println!(
        "== nianbao {} import, release build, median (fastest) of 30 runs",
        nianbao::VERSION
    );
    for (name, bytes) in &files {
        let (median, best) = time(30, || nianbao::import::import_bytes(name, bytes).unwrap());
        let (layout, _) = time(30, || nianbao::import::read_layout(name, bytes).unwrap());
        let kb = bytes.len() as f64 / 1024.0;
        println!(
            "{name:<40} {kb:>7.0} KB  import {:>9} ({})  of which reading {:>9}",
            ms(median),
            ms(best),
            ms(layout)
        );
    }
}
