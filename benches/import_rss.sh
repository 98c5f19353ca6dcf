#!/bin/sh
# Peak RSS and time of a streamed `wacrm contacts import` of ROWS rows (default
# 1 M, 0.1 % broken with stray quotes) into a fresh SQLite store. Target: peak
# RSS < 100 MB whatever the file size.
#
#   sh benches/import_rss.sh            # 1,000,000 rows
#   ROWS=200000 sh benches/import_rss.sh
#   PROFILE=debug sh benches/import_rss.sh   # the debug binary (no release build)
set -eu
ROWS=${ROWS:-1000000}
TARGET=${CARGO_TARGET_DIR:-target}
PROFILE=${PROFILE:-release}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
if [ "$PROFILE" = release ]; then cargo build --release -q -p wacrm-cli; else cargo build -q -p wacrm-cli; fi
awk -v n="$ROWS" 'BEGIN {
  print "id,first,last,phone,city,labels,plan"
  for (i = 0; i < n; i++) {
    if (i % 1000 == 999) printf "%d,\"Broken %d,Row,+55119%08d,Rio,x,y\n", i, i, i % 100000000
    else printf "%d,First%d,Last%d,+5511 9%08d,City %d,vip;t%d,plan%d\n", i, i, i, i % 100000000, i % 500, i % 7, i % 3
  }
}' > "$DIR/contacts.csv"
echo "file: $(wc -c < "$DIR/contacts.csv") bytes, $ROWS rows"
/usr/bin/time -f 'peak_rss_kb=%M elapsed_s=%e' "$TARGET/$PROFILE/wacrm" contacts import \
  --id id --map first=first_name --map last=last_name --map phone=phone --map city=city \
  --map labels=tags --map plan=attr:plan --db "sqlite://$DIR/c.db" "$DIR/contacts.csv" \
  > "$DIR/report.json" 2> "$DIR/stderr.txt" &
# RSS sampled every 5 s while it runs: flat after warm-up means memory does
# not grow with the rows read.
sleep 1
PID=$(pgrep -n -f "wacrm contacts import --id id" || true)
while [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; do
  awk '/VmRSS/ {printf "%d ", $2 / 1024}' "/proc/$PID/status" 2>/dev/null >> "$DIR/rss.txt" || true
  sleep 5
done
wait $! || { tail -3 "$DIR/stderr.txt"; exit 1; }
echo "rss_mb every 5 s: $(cat "$DIR/rss.txt" 2>/dev/null)"
tail -2 "$DIR/stderr.txt"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("rows", r["rows"], "imported", r["imported"], "bad", len(r["bad_rows"]), "last_committed_line", r.get("last_committed_line"))' "$DIR/report.json"
