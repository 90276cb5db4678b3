#!/usr/bin/env python3
"""Reads `callgrind_annotate --inclusive=yes` output of a `nianbao batch --jobs 1`
run and prints where a report's instructions go (per report, inclusive).

    profile.py ANNOTATED REPORTS PAGES
"""
import re
import sys

path, reports, pages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cost = {}
for line in open(path, encoding="utf-8", errors="replace"):
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*?:(\S+)", line)
    if m and "=>" not in line and m[2] not in cost:
        cost[m[2]] = int(m[1].replace(",", "")) / reports / 1e6

def get(name):
    return cost.get(name, 0.0)


# In the release build our small functions are inlined into their callers, so
# our own work is what render_with spends outside Typst's compile and export.
report = get("rayon_core::registry::ThreadBuilder::run")
render = get("nianbao::Publisher::render_with")
compile_ = get("nianbao::typeset::compile")
export = get("nianbao::export::pdf_with")
rows = [
    ("one report, in all (worker threads)", report, 0),
    ("Typst: evaluation and layout", compile_, 1),
    ("tables", get("typst_layout::grid::layout_table"), 2),
    ("paragraphs (shaping, line breaking)", get("typst_layout::inline::layout_par"), 2),
    ("Typst: PDF export", export, 1),
    ("embedding the 5 fonts (krilla CIDFont::serialize)", get("krilla::text::cid::CIDFont::serialize"), 2),
    ("subsetting (subsetter)", get("subsetter::subset_with_variations"), 3),
    ("glyph bounding boxes (krilla compute_bbox)", get("krilla::text::cid::compute_bbox"), 3),
    ("deflate, fonts and content streams (zlib-rs)", get("krilla::stream::deflate_encode"), 2),
    ("ours: references, checks, coverage, templates, world", render - compile_ - export, 1),
    ("ours: read, hash and load the data (twice), write, manifest", report - render, 1),
]
print(f"{'':56s} {'M instr':>9s} {'share':>6s}")
for label, c, depth in rows:
    share = 100 * c / report if report else 0
    print(f"{'  ' * depth + label:56s} {c:9.1f} {share:5.1f}%")
per_page = pages / reports
print(f"({reports} reports, {per_page:.1f} pages each: {report / per_page:.1f} M instructions per page)")
