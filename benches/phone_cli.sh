#!/usr/bin/env bash
# `wacrm phone normalize` end to end against a Python `phonenumbers` script
# doing the same per-line work (parse, E.164, region, type, validity) on the
# same generated file, in the same run; and the CLI's start-up for one line.
# Usage: benches/phone_cli.sh [LINES]   (default 1000000)
# Needs a release build (`cargo build --release -p wacrm-cli`) and a Python
# with phonenumbers: WACRM_BENCH_PYTHON, else target/bench-venv/bin/python
# (python3 -m venv target/bench-venv && target/bench-venv/bin/pip install phonenumbers).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
BIN=${WACRM_BIN:-${CARGO_TARGET_DIR:-target}/release/wacrm}
PY=${WACRM_BENCH_PYTHON:-target/bench-venv/bin/python}
REGION=US
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The input: the phone corpus (mixed regions and forms, some invalid) repeated
# to LINES lines.
python3 - "$LINES" "$TMP/in.txt" <<'PY'
import csv, sys
n, path = int(sys.argv[1]), sys.argv[2]
rows = [r["input"] for r in csv.DictReader(open("core/tests/data/phone/corpus.csv", encoding="utf-8"))]
rows = [r for r in rows if "\n" not in r and "\r" not in r]
with open(path, "w", encoding="utf-8") as f:
    for i in range(n):
        f.write(rows[i % len(rows)] + "\n")
PY

# Times come from bash's own clock ($EPOCHREALTIME, no process started to read
# it), so only the measured command is inside the timing.
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }

# Start-up: one line (a here-string, no `echo` process), 21 fresh processes, median.
starts=()
for _ in $(seq 21); do
  t0=${EPOCHREALTIME/,/.}
  "$BIN" phone normalize --region JP <<<"+81 90-1234-5678" >/dev/null
  t1=${EPOCHREALTIME/,/.}
  starts+=("$(python3 -c "print(f'{($t1 - $t0) * 1000:.2f}')")")
done
start_ms=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 11p)

t0=${EPOCHREALTIME/,/.}; "$BIN" phone normalize --region "$REGION" "$TMP/in.txt" >"$TMP/wacrm.csv" 2>/dev/null; t1=${EPOCHREALTIME/,/.}
cli=$(secs "$t0" "$t1")
t0=${EPOCHREALTIME/,/.}; "$PY" benches/anchors/phone_cli_py.py "$TMP/in.txt" "$REGION" >"$TMP/py.csv"; t1=${EPOCHREALTIME/,/.}
py=$(secs "$t0" "$t1")
[ "$(wc -l <"$TMP/wacrm.csv")" = "$(wc -l <"$TMP/py.csv")" ] || { echo "line counts differ" >&2; exit 1; }

echo "phone normalize, $LINES lines (corpus inputs, --region $REGION), $(nproc) cores:"
echo "  start-up, one line: ${start_ms} ms (median of 21 fresh processes; target < 10 ms)"
echo "  wacrm CLI end to end: ${cli} s ($(python3 -c "print(f'{$LINES / $cli:,.0f}')") lines/s; target 1 M lines < 1 s)"
echo "  python phonenumbers $("$PY" -c 'import phonenumbers; print(phonenumbers.__version__)'): ${py} s"
echo "  ratio: $(python3 -c "print(f'{$py / $cli:.1f}')")x (target >= 100x)"
