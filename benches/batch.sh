#!/usr/bin/env bash
# Batch benchmark: prints figures, asserts nothing.
#
#   benches/batch.sh [REPORTS=200]
#
# 1. Generates REPORTS synthetic reports (2–15 pages of prose, valid tables).
# 2. Times `nianbao batch --jobs 2` on them (release build): reports/s, CPU per report.
# 3. When a `typst` binary is on PATH: times `typst compile` of the same generated
#    sources (`nianbao typst`), one process per report, two at a time (xargs -P 2),
#    and prints the ratio.
# 4. Splits the time per report into our own work (read, load, check, template)
#    and Typst's (layout, export), from a --jobs 1 run (step times ≈ CPU times).
# 5. Peak RSS of a 1,000-report batch next to a 100-report batch.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
cargo build --release --quiet
# The binary Cargo built, wherever CARGO_TARGET_DIR (or a config) puts it.
BIN=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')/release/nianbao
M="python3 $PWD/benches/measure.py"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
calc() { python3 -c "print(f'{$1:$2}')"; }

have_typst() { command -v typst >/dev/null 2>&1; }

# compare NAME: `nianbao batch --jobs 2` on $WORK/NAME, then (when `typst` is on
# PATH) `typst compile` of the same sources, one process per report (main.typ,
# nianbao.typ, roles.typ, as nianbao compiles it), two at a time. Sets wall,
# pages, twall, tcpu.
compare() {
  local name=$1 cpu rss trss
  read -r wall cpu rss < <($M "$BIN" batch "$WORK/$name" -o "$WORK/$name-out" --jobs 2 --quiet)
  pages=$(python3 -c "import json;print(sum(e['pages'] or 0 for e in json.load(open('$WORK/$name-out/manifest.json'))['entries']))")
  echo "nianbao batch --jobs 2: ${wall} s wall, $(calc "$N/$wall" .1f) reports/s, $(calc "$cpu*1000/$N" .1f) ms CPU per report, peak RSS ${rss} MiB"
  echo "  ${pages} pages in all, $(calc "$pages/$N" .1f) pages per report"
  have_typst || return 0
  for f in "$WORK/$name"/*.toml; do
    "$BIN" typst "$f" --project "$WORK/$name-typ/$(basename "$f" .toml)"
  done
  ls -d "$WORK/$name-typ"/report-* > "$WORK/$name-list"
  read -r twall tcpu trss < <($M sh -c "xargs -P 2 -I{} typst compile --root {} --font-path $PWD/fonts/fandol --ignore-system-fonts {}/main.typ {}/out.pdf < '$WORK/$name-list'")
  echo "typst compile, one process per report, 2 at a time: ${twall} s wall, $(calc "$N/$twall" .1f) reports/s, $(calc "$tcpu*1000/$N" .1f) ms CPU per report, peak RSS per process ${trss} MiB"
  echo "ratio: nianbao batch throughput is $(calc "$twall/$wall" .2f)x the Typst CLI loop"
}

# bound: Typst's own work per report (the CLI's CPU less its fixed cost) and the
# best ratio an in-process batch could reach if nothing but that work cost CPU.
bound() {
  local work
  work=$(calc "$tcpu*1000/$N-$fixed" .1f)
  echo "  Typst's own work per report: ${work} ms CPU ($(calc "$work*$N/$pages" .1f) ms per page); at most (fixed + work)/work = $(calc "($fixed+$work)/$work" .2f)x the CLI loop in CPU"
}

echo "== nianbao $($BIN --version | cut -d' ' -f2), $(nproc) cores, $N generated reports"
"$BIN" generate "$N" -o "$WORK/in" --seed 1 2>/dev/null
compare in
if have_typst; then
  # What a Typst process costs before any work of the report: start-up, loading the
  # same five Fandol faces, a one-page export (a line in each role's font).
  mkdir -p "$WORK/fixed"
  cp "$(head -1 "$WORK/in-list")/roles.typ" "$WORK/fixed/"
  cat > "$WORK/fixed/main.typ" <<'TYP'
#import "roles.typ": fonts
#for (role, chain) in fonts [#text(font: chain, weight: if role == "title" { "bold" } else { "regular" })[年报] ]
TYP
  read -r _ fcpu _ < <($M sh -c "for i in \$(seq 20); do typst compile --root $WORK/fixed --font-path $PWD/fonts/fandol --ignore-system-fonts $WORK/fixed/main.typ $WORK/fixed/out.pdf; done")
  fixed=$(calc "$fcpu*1000/20" .1f)
  echo "  Typst CLI fixed cost per process (start-up, 5 faces, a one-line page): ${fixed} ms CPU"
  bound
else
  echo "typst not on PATH: no Typst CLI comparison (install it with: cargo install typst-cli --version 0.15.1 --locked)"
fi

echo "== short reports (2–3 pages of prose, about 5 pages in all), the same comparison"
"$BIN" generate "$N" -o "$WORK/short" --seed 3 --pages 2-3 2>/dev/null
compare short
have_typst && bound

echo "== where the time goes (--jobs 1)"
"$BIN" batch "$WORK/in" -o "$WORK/in-out1" --jobs 1 --quiet --timings 2>&1 | grep -E "time per report|our work" | sed 's/^/  /'

echo "== memory: peak RSS of 100 vs 1,000 reports (--jobs 2)"
"$BIN" generate 1000 -o "$WORK/in1000" --seed 2 2>/dev/null
# The same seed writes the same first 100 reports.
"$BIN" generate 100 -o "$WORK/in100" --seed 2 2>/dev/null
# Peak RSS varies from run to run (which large reports happen to be laid out at
# the same moment on the two workers): three runs of each, and the medians.
r100s=(); r1000s=(); w1000s=()
for i in 1 2 3; do
  rm -rf "$WORK/o100" "$WORK/o1000"
  read -r _ _ r < <($M "$BIN" batch "$WORK/in100" -o "$WORK/o100" --jobs 2 --quiet); r100s+=("$r")
  read -r w _ r < <($M "$BIN" batch "$WORK/in1000" -o "$WORK/o1000" --jobs 2 --quiet); r1000s+=("$r"); w1000s+=("$w")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
r100=$(median "${r100s[@]}"); r1000=$(median "${r1000s[@]}"); w1000=$(median "${w1000s[@]}")
echo "  100 reports: ${r100s[*]} MiB; 1,000 reports: ${r1000s[*]} MiB"
echo "  medians: 100 reports ${r100} MiB, 1,000 reports ${r1000} MiB ($(calc "($r1000-$r100)*100/$r100" +.1f) %); 1,000 reports took ${w1000} s"
