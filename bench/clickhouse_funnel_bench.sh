#!/usr/bin/env bash
# funnel_events pushed down to a local ClickHouse against the native path over the same
# rows as a CSV file: wall time of `pacer run` for each (RUNS times in turn, default 5,
# medians at the end) and the bytes the pushed-down call receives. Figures:
# docs/performance.md.
#
# Usage (from the repository root): bash bench/clickhouse_funnel_bench.sh [ROWS] [DIR]
# Needs python3 with numpy and polars (bench/gen_events.py), /usr/bin/time and curl.
# Starts its own server with .ci/clickhouse.sh (data under DIR/clickhouse, removed at
# the end). The export (about 370 MB for 10M rows) goes to DIR (default
# /tmp/pacer-bench), never into git.
set -euo pipefail
ROWS=${1:-10000000}
DIR=${2:-/tmp/pacer-bench}
ROOT=$(pwd)
RUNS=${RUNS:-5}
mkdir -p "$DIR"
DATA="$DIR/events_${ROWS}.csv"
[ -f "$DATA" ] || python3 bench/gen_events.py "$ROWS" "$DATA"
cargo build --release -q --bin pacer

export PACER_CH_DIR="$DIR/clickhouse"
trap 'bash "$ROOT/.ci/clickhouse.sh" stop' EXIT
bash .ci/clickhouse.sh start
URL="http://127.0.0.1:$(cat "$PACER_CH_DIR/http_port")"
export PACER_CLICKHOUSE_PASSWORD
PACER_CLICKHOUSE_PASSWORD=$(cat "$PACER_CH_DIR/password")
ch() { curl -fsS -u "pacer:$PACER_CLICKHOUSE_PASSWORD" "$URL/" --data-binary @- ; }
echo "CREATE DATABASE IF NOT EXISTS bench" | ch
echo "DROP TABLE IF EXISTS bench.events" | ch
echo "CREATE TABLE bench.events (user_id String, event String, timestamp UInt32, channel String) ENGINE = MergeTree ORDER BY (user_id, timestamp)" | ch
start=$(date +%s.%N)
curl -fsS -u "pacer:$PACER_CLICKHOUSE_PASSWORD" \
    "$URL/?query=INSERT%20INTO%20bench.events%20FORMAT%20CSVWithNames" --data-binary @"$DATA"
echo "SELECT count() FROM bench.events" | ch | xargs echo "loaded rows:"
echo "load took $(echo "$(date +%s.%N) - $start" | bc) s"
echo "OPTIMIZE TABLE bench.events FINAL" | ch

cat > "$DIR/native.rhai" <<RHAI
let f = funnel_events("events_${ROWS}.csv", ["visit", "signup", "add_to_cart", "purchase"],
                      #{ window: "7d", by: "channel" });
write_csv(f.table, "native_${ROWS}.csv");
RHAI
cat > "$DIR/pushed.rhai" <<RHAI
let ch = clickhouse("$URL", #{ user: "pacer", database: "bench" });
let f = funnel_events(ch.table("events"), ["visit", "signup", "add_to_cart", "purchase"],
                      #{ window: "7d", by: "channel" });
write_csv(f.table, "pushed_${ROWS}.csv");
RHAI

# The bytes of the pushed-down answer: the statement from --explain, sent with curl.
(cd "$DIR" && "$ROOT/target/release/pacer" run pushed.rhai --out . --allow-url "$URL" --explain) |
    awk '/^-- funnel_events/{on=1; next} on && /^;$/{exit} on{sub(/;$/, ""); print}' > "$DIR/funnel.sql"
printf '\nFORMAT TSVWithNamesAndTypes' >> "$DIR/funnel.sql"
BYTES=$(curl -fsS -o /dev/null -w '%{size_download}' -u "pacer:$PACER_CLICKHOUSE_PASSWORD" \
    "$URL/?database=bench" --data-binary @"$DIR/funnel.sql")
echo "pushed-down answer: $BYTES bytes"

: > "$DIR/ch_times.txt"
for i in $(seq "$RUNS"); do
    (cd "$DIR" && /usr/bin/time -f "native %e %U %S %M" "$ROOT/target/release/pacer" run native.rhai --out . 2>> ch_times.txt >/dev/null)
    (cd "$DIR" && /usr/bin/time -f "pushed %e %U %S %M" "$ROOT/target/release/pacer" run pushed.rhai --out . --allow-url "$URL" 2>> ch_times.txt >/dev/null)
done
python3 - "$DIR/ch_times.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and l.split()[0] in ("native", "pushed")]
walls = {}
for label in ["native", "pushed"]:
    r = [list(map(float, x[1:])) for x in rows if x[0] == label]
    walls[label] = [v[0] for v in r]
    print(f"{label:7} runs: {' '.join(f'{v[0]:.2f}' for v in r)} s; median wall {statistics.median(v[0] for v in r):.2f} s, pacer cpu {statistics.median(v[1] + v[2] for v in r):.2f} s, pacer max RSS {statistics.median(v[3] for v in r) / 1024:.0f} MB")
ratios = [p / n for n, p in zip(walls["native"], walls["pushed"])]
print(f"pushed / native: {statistics.median(walls['pushed']) / statistics.median(walls['native']):.2f} on the medians; by round {min(ratios):.2f} to {max(ratios):.2f}")
PY
if cmp -s "$DIR/native_${ROWS}.csv" "$DIR/pushed_${ROWS}.csv"; then
    echo "native and pushed-down tables are identical"
else
    echo "native and pushed-down tables DIFFER"; exit 1
fi
