#!/usr/bin/env bash
# pacer batch over N (default 1000) small exports (copies of fixtures/channels.csv) with a
# trivial script that returns one summary column, --jobs 2; wall time of each of RUNS
# (default 5) runs and their median. Figures: docs/performance.md.
#
# Usage (from the repository root): bash bench/batch_bench.sh [N] [DIR]
# The inputs and outputs go to DIR (default /tmp/pacer-batch-bench), never into git.
set -euo pipefail
N=${1:-1000}
DIR=${2:-/tmp/pacer-batch-bench}
ROOT=$(pwd)
cargo build --release -q --bin pacer
rm -rf "$DIR" && mkdir -p "$DIR/exports"
for i in $(seq -w 1 "$N"); do cp fixtures/channels.csv "$DIR/exports/e$i.csv"; done
printf '#{ revenue: data.col("revenue").reduce(|s, v| s + v, 0) }\n' > "$DIR/trivial.rhai"
cd "$DIR"
RUNS=${RUNS:-5}
: > times.txt
for r in $(seq 1 "$RUNS"); do
  rm -rf out
  s=$(date +%s.%N)
  "$ROOT/target/release/pacer" batch trivial.rhai exports/*.csv --out out --jobs 2 --quiet
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l | tee -a times.txt
done
echo "median: $(sort -n times.txt | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s for $N inputs"
grep -c ',ok,' out/summary.csv
