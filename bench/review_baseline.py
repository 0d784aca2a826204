"""The pandas baseline for `cargo bench --bench review` (docs/performance.md).

Rebuilds the benchmark's 100,000-row metrics CSV (10,000 campaigns x 10 metrics) from the
same LCG as `benches/review.rs::metrics_csv`, then times the same work in pandas: read
the CSV, parse the cells (plain, `5%`, `1:2.2`), compute difference, achievement (positive
targets only) and the direction-aware status; then the comparison of 1,000 campaigns
(achievement per metric per campaign, with the average).

    python3 bench/review_baseline.py            # prints the timings
    python3 bench/review_baseline.py --write x  # writes the CSV to x
"""

import io
import sys
import time

import numpy as np
import pandas as pd

MASK = (1 << 64) - 1


def metrics_csv(campaigns):
    state = 7

    def nxt():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        return ((state >> 33) % 1_000_000) / 1_000_000.0

    def rnd(x):  # Rust's f64::round for positive x (half away from zero)
        return float(np.floor(x + 0.5))

    def fmt(x):  # Rust's `{}` for an f64 of this size
        s = repr(float(x))
        return s[:-2] if s.endswith(".0") else s

    metrics = [
        ("traffic", "impressions", 0, "higher"),
        ("traffic", "UV", 0, "higher"),
        ("conversion", "sign-up conversion", 1, "higher"),
        ("conversion", "order rate", 1, "higher"),
        ("conversion", "average order value", 0, "higher"),
        ("spread", "share rate", 1, "higher"),
        ("revenue", "ROI", 2, "higher"),
        ("cost", "total cost", 0, "lower"),
        ("cost", "CAC", 0, "lower"),
        ("headline", "sales", 0, "higher"),
    ]
    out = ["campaign,dimension,metric,target,actual,better\n"]
    for c in range(campaigns):
        for dim, m, kind, better in metrics:
            t, a = nxt(), nxt()
            if kind == 0:
                t = rnd(1000.0 + 1e6 * t)
                ts, as_ = fmt(t), fmt(rnd(t * (0.6 + 0.8 * a)))
            elif kind == 1:
                t = rnd(1.0 + 20.0 * t) / 2.0
                ts, as_ = fmt(t) + "%", fmt(rnd(t * (0.6 + 0.8 * a) * 10.0) / 10.0) + "%"
            else:
                t = rnd(1.0 + 4.0 * t * 10.0) / 10.0
                ts, as_ = "1:" + fmt(t), "1:" + fmt(rnd(t * (0.6 + 0.8 * a) * 10.0) / 10.0)
            out.append(f"c{c},{dim},{m},{ts},{as_},{better}\n")
    return "".join(out)


def parse(col):
    s = col.str.strip()
    pct = s.str.endswith("%")
    ratio = s.str.contains(":")
    val = pd.Series(np.nan, index=s.index)
    plain = ~pct & ~ratio
    val[plain] = pd.to_numeric(s[plain])
    val[pct] = pd.to_numeric(s[pct].str[:-1]) / 100.0
    parts = s[ratio].str.split(":", expand=True)
    val[ratio] = pd.to_numeric(parts[1]) / pd.to_numeric(parts[0])
    return val


def review(text):
    df = pd.read_csv(io.StringIO(text), dtype={"target": str, "actual": str})
    t, a = parse(df["target"]), parse(df["actual"])
    df["difference"] = a - t
    df["achievement"] = np.where(t > 0, a / t.where(t > 0), np.nan)
    lower = df["better"] == "lower"
    met = np.where(lower, a <= t, a >= t)
    df["status"] = np.where(met, "met", np.where(lower, "over", "missed"))
    return df


def compare(df):
    wide = df.pivot_table(index="metric", columns="campaign", values="achievement", sort=False)
    wide["average"] = wide.mean(axis=1)
    return wide


def best_of(f, n=10):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


if __name__ == "__main__":
    text = metrics_csv(10_000)
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        open(sys.argv[2], "w").write(text)
        sys.exit(0)
    print(f"pandas {pd.__version__}, numpy {np.__version__}")
    print(f"review of 100,000 rows from CSV: {best_of(lambda: review(text)) * 1000:.1f} ms (median of 10)")
    df = review(text)
    first = df[df["campaign"].isin([f"c{i}" for i in range(1000)])]
    print(f"compare 1,000 campaigns: {best_of(lambda: compare(first)) * 1000:.1f} ms (median of 10)")
    print("statuses:", df["status"].value_counts().to_dict())
