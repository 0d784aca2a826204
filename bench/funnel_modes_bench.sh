#!/usr/bin/env bash
# The strict-order funnel, retention and lifecycle on a 10-million-row export against
# the polars baselines (bench/funnel_modes_polars.py): wall time, CPU time and peak
# memory (GNU time's "Maximum resident set size"), each run RUNS (default 3) times in
# turn; medians at the end, and a check that both give the same table. Figures:
# docs/performance.md.
#
# Usage (from the repository root): bash bench/funnel_modes_bench.sh [ROWS] [DIR]
# Needs python3 with numpy and polars, and /usr/bin/time. The data (about 360 MB for
# 10M rows, bench/gen_events.py) goes to DIR (default /tmp/pacer-bench), never into git.
set -euo pipefail
ROWS=${1:-10000000}
DIR=${2:-/tmp/pacer-bench}
ROOT=$(pwd)
mkdir -p "$DIR"
DATA="$DIR/events_${ROWS}.csv"
[ -f "$DATA" ] || python3 bench/gen_events.py "$ROWS" "$DATA"
cargo build --release -q --bin pacer
cat > "$DIR/strict.rhai" <<RHAI
let f = funnel_events("events_${ROWS}.csv", ["visit", "signup", "add_to_cart", "purchase"],
                      #{ window: "7d", order: "strict" });
write_csv(f.table, "pacer_strict.csv");
RHAI
cat > "$DIR/retention.rhai" <<RHAI
let r = retention("events_${ROWS}.csv",
                  #{ start_event: "visit", return_event: "purchase", interval: "day", periods: 7 });
write_csv(r.summary, "pacer_retention.csv");
RHAI
cat > "$DIR/lifecycle.rhai" <<RHAI
let l = lifecycle("events_${ROWS}.csv", #{ event: "visit", interval: "week" });
write_csv(l.table, "pacer_lifecycle.csv");
RHAI
RUNS=${RUNS:-3}
: > "$DIR/modes_times.txt"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label %e %U %S %M" "$@" > "$DIR/last_$label.out" 2> "$DIR/last_$label.err" || { cat "$DIR/last_$label.err"; exit 1; }
  tail -1 "$DIR/last_$label.err" | tee -a "$DIR/modes_times.txt"
}
echo "label wall_s user_s sys_s max_rss_kb"
for i in $(seq "$RUNS"); do
  for kind in strict retention lifecycle; do
    (cd "$DIR" && measure "pacer_$kind" "$ROOT/target/release/pacer" run "$kind.rhai" --out .)
    measure "polars_$kind" python3 bench/funnel_modes_polars.py "$kind" "$DATA" "$DIR/polars_$kind.csv"
  done
done
python3 - "$DIR/modes_times.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for kind in ["strict", "retention", "lifecycle"]:
    m = {}
    for who in ["pacer", "polars"]:
        r = [list(map(float, x[1:])) for x in rows if x[0] == f"{who}_{kind}"]
        m[who] = (statistics.median(v[0] for v in r), statistics.median(v[1] + v[2] for v in r), statistics.median(v[3] for v in r) / 1024)
        print(f"{kind:9} {who:6} median of {len(r)}: wall {m[who][0]:.2f} s, cpu {m[who][1]:.2f} s, max RSS {m[who][2]:.0f} MB")
    print(f"{kind:9} pacer/polars: wall {m['pacer'][0] / m['polars'][0]:.2f}x, memory {m['pacer'][2] / m['polars'][2]:.2f}x")
PY
for kind in strict retention lifecycle; do
  if cmp -s "$DIR/pacer_$kind.csv" "$DIR/polars_$kind.csv"; then
    echo "$kind: pacer and polars tables agree"
  else
    echo "$kind: pacer and polars tables DIFFER"
  fi
done
