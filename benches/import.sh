#!/usr/bin/env bash
# Audit benchmark: prints figures, asserts nothing.
#
#   benches/import.sh [REPORTS=1000]
#
# Times `nianbao check DIR --summary audit.csv` (release build) on REPORTS
# published PDFs — copies of the corpus's two WPS PDFs (淮安 2024, 6 pages;
# 洪泽 2023, 5 pages) — with one worker and with one per core, and prints wall
# and CPU time, reports per second and the speed-up. (The per-file import time
# is measured in process by `cargo bench --bench import`.)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
cargo build --release --quiet
BIN=$PWD/target/release/nianbao
M="python3 $PWD/benches/measure.py"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
calc() { python3 -c "print(f'{$1:$2}')"; }

mkdir -p "$WORK/reports"
for i in $(seq 1 "$N"); do
  if [ $((i % 2)) -eq 0 ]; then src=huaian-shi-2024.pdf; else src=huaian-hongze-qu-2023.pdf; fi
  cp "tests/fixtures/corpus/$src" "$WORK/reports/$(printf 'r%05d' "$i")-$src"
done
echo "== nianbao $($BIN --version | cut -d' ' -f2), $(nproc) cores, $N published PDFs (淮安 2024 and 洪泽 2023, alternating)"
for jobs in 1 "$(nproc)"; do
  # Exit 1 is expected: 洪泽 2023 breaks R4 as published.
  read -r wall cpu rss < <($M "$BIN" check "$WORK/reports" --jobs "$jobs" --summary "$WORK/audit-$jobs.csv" || true)
  lines=$(($(wc -l < "$WORK/audit-$jobs.csv") - 1))
  echo "check DIR --jobs $jobs: ${wall} s wall, ${cpu} s CPU ($(calc "$cpu/$wall" .2f) cores busy), $(calc "$N/$wall" .0f) reports/s, $(calc "$wall*1000/$N" .1f) ms wall per report, peak RSS ${rss} MiB; audit.csv has $lines lines"
  eval "wall_$jobs=$wall"
done
echo "speed-up with $(nproc) workers: $(calc "$wall_1/$(eval echo "\$wall_$(nproc)")" .2f)x"
