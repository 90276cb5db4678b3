#!/usr/bin/env bash
# Where a report's CPU goes, by instruction counts: `nianbao batch --jobs 1` on
# generated reports under callgrind. Instruction counts do not depend on the
# machine's load, so they compare template or code changes reliably (wall times
# on a shared 2-core machine vary by ±15 % from run to run).
#
#   benches/profile.sh [REPORTS=5]
#
# Needs valgrind (installed with apt-get when missing). Valgrind hides the CPU's
# SHA extensions, so the SHA-256 of inputs and outputs (manifest) counts its
# software path here: "read, hash and load" is smaller in a real run.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}
if ! command -v valgrind >/dev/null 2>&1; then
  echo "installing valgrind"
  apt-get install -y -qq valgrind >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
fi
cargo build --release --quiet
# The binary Cargo built, wherever CARGO_TARGET_DIR (or a config) puts it.
BIN=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys;print(json.load(sys.stdin)["target_directory"])')/release/nianbao
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" generate "$N" -o "$WORK/in" --seed 1 2>/dev/null
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
  "$BIN" batch "$WORK/in" -o "$WORK/out" --jobs 1 --quiet >/dev/null 2>&1
pages=$(python3 -c "import json;print(sum(e['pages'] or 0 for e in json.load(open('$WORK/out/manifest.json'))['entries']))")
callgrind_annotate --inclusive=yes "$WORK/callgrind.out" > "$WORK/annotated.txt" 2>/dev/null
echo "== instructions per report (callgrind, inclusive), nianbao $($BIN --version | cut -d' ' -f2)"
python3 benches/profile.py "$WORK/annotated.txt" "$N" "$pages"
