#!/usr/bin/env bash
# Parquet and gzip input against the named alternatives, in the same run:
#   1. funnel_events on the 10M-row event export as snappy Parquet (written by polars)
#      against polars scan_parquet + the same computation (bench/funnel_events_polars.py):
#      wall time, CPU time, peak RSS (GNU time), RUNS times in turn, medians;
#   2. load_parquet of the 1M-row channels table (bench/gen_channels.py, written as
#      snappy Parquet by polars) against polars read_parquet, both in process, best of 5;
#   3. funnel_events on the export as .csv.gz against `gzip -dc FILE | wc -l`.
# Figures: docs/performance.md.
#
# Usage (from the repository root): bash bench/parquet_bench.sh [DIR]
# Needs python3 with numpy and polars, gzip and /usr/bin/time. The data (about 1 GB)
# goes to DIR (default /tmp/pacer-bench-parquet), never into git.
set -euo pipefail
DIR=${1:-/tmp/pacer-bench-parquet}
ROOT=$(pwd)
ROWS=10000000
mkdir -p "$DIR"
CSV="$DIR/events_${ROWS}.csv"
[ -f "$CSV" ] || python3 bench/gen_events.py "$ROWS" "$CSV"
[ -f "$DIR/events_${ROWS}.parquet" ] || python3 -c "import polars as pl, sys; pl.read_csv(sys.argv[1]).write_parquet(sys.argv[2], compression='snappy')" "$CSV" "$DIR/events_${ROWS}.parquet"
[ -f "$CSV.gz" ] || gzip -6 -c "$CSV" > "$CSV.gz"
[ -f "$DIR/channels_1000000.csv" ] || python3 bench/gen_channels.py 1000000 "$DIR/channels_1000000.csv"
[ -f "$DIR/channels_1000000.parquet" ] || python3 -c "import polars as pl, sys; pl.read_csv(sys.argv[1]).write_parquet(sys.argv[2], compression='snappy')" "$DIR/channels_1000000.csv" "$DIR/channels_1000000.parquet"
cargo build --release -q --bin pacer
PACER="$ROOT/target/release/pacer"
for form in parquet csv.gz; do
  cat > "$DIR/funnel_$form.rhai" <<RHAI
let f = funnel_events("events_${ROWS}.$form", ["visit", "signup", "add_to_cart", "purchase"],
                      #{ window: "7d", by: "channel" });
write_csv(f.table, "pacer_$form.csv");
RHAI
done
cat > "$DIR/load_parquet.rhai" <<'RHAI'
let times = [];
for i in 0..5 {
    let t0 = timestamp();
    let t = load_parquet("channels_1000000.parquet");
    times.push(t0.elapsed);
    if i == 0 { print(`${t.rows} rows x ${t.columns.len()} columns`); }
}
times.sort();
print(`pacer load_parquet ${times[0] * 1000} ms (median ${times[2] * 1000} ms)`);
RHAI
RUNS=${RUNS:-3}
: > "$DIR/times.txt"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label %e %U %S %M" "$@" > "$DIR/last_$label.out" 2> "$DIR/last_$label.err" || { cat "$DIR/last_$label.err"; exit 1; }
  tail -1 "$DIR/last_$label.err" | tee -a "$DIR/times.txt"
}
echo "label wall_s user_s sys_s max_rss_kb"
for i in $(seq "$RUNS"); do
  (cd "$DIR" && measure pacer_parquet "$PACER" run funnel_parquet.rhai --out .)
  measure polars_parquet python3 bench/funnel_events_polars.py "$DIR/events_${ROWS}.parquet" 604800 "$DIR/polars_parquet.csv"
  (cd "$DIR" && measure pacer_gz "$PACER" run funnel_csv.gz.rhai --out .)
  measure gzip_wc bash -c "gzip -dc '$CSV.gz' | wc -l"
done
python3 - "$DIR/times.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for label in ["pacer_parquet", "polars_parquet", "pacer_gz", "gzip_wc"]:
    r = [list(map(float, x[1:])) for x in rows if x[0] == label]
    med = lambda i: statistics.median(v[i] for v in r)
    print(f"{label:15} median of {len(r)}: wall {med(0):.2f} s, cpu {statistics.median(v[1] + v[2] for v in r):.2f} s, max RSS {med(3) / 1024:.0f} MB")
PY
python3 - "$DIR/pacer_parquet.csv" "$DIR/polars_parquet.csv" "$DIR/pacer_csv.gz.csv" <<'PY'
import sys, csv
a, b, c = (list(csv.reader(open(p))) for p in sys.argv[1:4])
def same(x, y):
    if x == y: return True
    try: return abs(float(x) - float(y)) <= 1e-9 * max(1.0, abs(float(y)))
    except ValueError: return False
agree = lambda a, b: len(a) == len(b) and all(len(r) == len(s) and all(same(x, y) for x, y in zip(r, s)) for r, s in zip(a, b))
print("pacer (parquet) and polars tables agree" if agree(a, b) else "pacer (parquet) and polars tables DIFFER")
print("pacer parquet and csv.gz tables agree" if agree(a, c) else "pacer parquet and csv.gz tables DIFFER")
PY
echo "-- load_parquet, 1M-row channels table, in process, same run"
(cd "$DIR" && "$PACER" run load_parquet.rhai --out .)
python3 bench/parquet_load_polars.py "$DIR/channels_1000000.parquet"
/usr/bin/time -f "pacer load_parquet process: peak RSS %M kB" "$PACER" run "$DIR/load_parquet.rhai" --out "$DIR" > /dev/null
