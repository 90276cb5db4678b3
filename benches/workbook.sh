#!/usr/bin/env bash
# Workbook benchmark: prints figures, asserts nothing.
#
#   benches/workbook.sh [REPORTS=200]
#
# 1. `nianbao init --xlsx` (2021 and 2019 editions): time and size of the workbook.
# 2. `nianbao export` of each of REPORTS generated reports: time per workbook, size.
# 3. `nianbao check` of the REPORTS workbooks against the same reports in TOML:
#    reading a workbook (calamine, defined names, labels verified) vs parsing TOML.
# 4. `nianbao summary` of the REPORTS workbooks: wall, CPU, peak RSS, output sizes.
# 5. `nianbao batch --jobs 2` of the first 20 workbooks vs the same 20 TOML files.
#
# Uses a release build (made here); NIANBAO_BIN=path runs another binary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
if [ -n "${NIANBAO_BIN:-}" ]; then
  BIN=$NIANBAO_BIN
else
  cargo build --release --quiet
  BIN=$PWD/target/release/nianbao
fi
M="python3 $PWD/benches/measure.py"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
calc() { python3 -c "print(f'{$1:$2}')"; }
size() { python3 -c "import os;print(f'{os.path.getsize(\"$1\")/1024:.1f}')"; }

echo "binary: $BIN"
for year in 2024 2020; do
  read -r wall cpu rss < <($M "$BIN" init --xlsx --agency 某某县人民政府办公室 --year "$year" -o "$WORK/init-$year.xlsx")
  echo "init --xlsx --year $year: ${wall} s wall, $(size "$WORK/init-$year.xlsx") KiB"
done

"$BIN" generate "$N" --seed 3 -o "$WORK/toml" >/dev/null 2>&1
mkdir -p "$WORK/xlsx"
start=$(date +%s.%N)
for f in "$WORK"/toml/*.toml; do
  "$BIN" export "$f" -o "$WORK/xlsx/$(basename "$f" .toml).xlsx" >/dev/null 2>&1
done
end=$(date +%s.%N)
bytes=$(du -sb "$WORK/xlsx" | cut -f1)
echo "export: $N workbooks in $(calc "$end-$start" .2f) s ($(calc "($end-$start)*1000/$N" .1f) ms per workbook, process start included), $(calc "$bytes/1024/$N" .1f) KiB per workbook"

read -r twall tcpu trss < <($M "$BIN" check "$WORK"/toml/*.toml)
read -r xwall xcpu xrss < <($M "$BIN" check "$WORK"/xlsx/*.xlsx)
echo "check of $N reports in one process: TOML ${twall} s wall, ${tcpu} s CPU, ${trss} MiB; workbooks ${xwall} s wall, ${xcpu} s CPU, ${xrss} MiB: $(calc "($xcpu-$tcpu)*1000/$N" .1f) ms more CPU per workbook"

read -r wall cpu rss < <($M "$BIN" summary "$WORK/xlsx" -o "$WORK/summary.xlsx" --csv "$WORK/summary.csv")
echo "summary of $N workbooks: ${wall} s wall, ${cpu} s CPU, peak RSS ${rss} MiB; summary.xlsx $(size "$WORK/summary.xlsx") KiB, summary.csv $(size "$WORK/summary.csv") KiB"
read -r wall cpu rss < <($M "$BIN" summary "$WORK/toml" -o "$WORK/summary-toml.xlsx")
echo "summary of the same $N reports in TOML: ${wall} s wall, ${cpu} s CPU, peak RSS ${rss} MiB"

mkdir -p "$WORK/x20" "$WORK/t20"
for i in $(seq -f "%05g" 0 19); do
  cp "$WORK/xlsx/report-$i.xlsx" "$WORK/x20/"
  cp "$WORK/toml/report-$i.toml" "$WORK/t20/"
done
read -r twall _ _ < <($M "$BIN" batch "$WORK/t20" -o "$WORK/t20-out" --jobs 2 --quiet)
read -r xwall _ _ < <($M "$BIN" batch "$WORK/x20" -o "$WORK/x20-out" --jobs 2 --quiet)
same=$(cd "$WORK" && for f in t20-out/*.pdf; do cmp -s "$f" "x20-out/$(basename "$f")" && echo same; done | wc -l)
echo "batch --jobs 2 of 20 reports: TOML ${twall} s, workbooks ${xwall} s; ${same} of 20 PDFs byte-identical"
