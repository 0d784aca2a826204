"""The polars baseline for funnel_events: read_csv (or, for a .parquet file,
scan_parquet with only the four columns and the step filter pushed into the scan), then
the same computation.

Usage: python3 bench/funnel_events_polars.py EVENTS.csv|EVENTS.parquet [WINDOW_SECONDS] [OUT.csv]
(default window 7 days; steps visit -> signup -> add_to_cart -> purchase; breakdown by
channel, first touch). Prints the wall time of read + compute.

Same semantics as pacer's funnel_events (docs/events.md): for each first-step event as
a start, the earliest next-step event at or after the previous one (join_asof forward,
by user), inside the window; a user's level is the best over starts; the reported
chain is the one reaching the deepest step K first, earlier steps found backwards as
the latest event of each step inside [tK - window, tK] (join_asof backward); first
touch is the earliest first-step event, ties to the smallest channel; medians by
polars' median (mean of the two middle values). With OUT.csv the table is written for
comparison with pacer's output.
"""

import sys
import time

import polars as pl

STEPS = ["visit", "signup", "add_to_cart", "purchase"]


def load(path):
    if path.endswith(".parquet"):
        return (
            pl.scan_parquet(path)
            .select("user_id", "event", "timestamp", "channel")
            .filter(pl.col("event").is_in(STEPS))
            .collect()
        )
    return pl.read_csv(path)


def funnel(path, window):
    df = load(path)
    n = len(STEPS)
    ev = (
        df.filter(pl.col("event").is_in(STEPS))
        .with_columns(pl.col("event").replace_strict(STEPS, list(range(n))).alias("k"))
        .select("user_id", "k", pl.col("timestamp").alias("t"), "channel")
    )
    del df
    per_step = [ev.filter(pl.col("k") == k).select("user_id", "t").sort("t") for k in range(n)]
    # Forward: every start's chain, earliest next step each time.
    cur = per_step[0].select("user_id", pl.col("t").alias("t1"), pl.col("t").alias("tk"))
    reached = [cur.select("user_id", "t1", pl.col("tk").alias("end"), pl.lit(1).alias("level"))]
    for k in range(1, n):
        nxt = per_step[k].rename({"t": "tn"})
        cur = (
            cur.sort("tk")
            .join_asof(nxt, left_on="tk", right_on="tn", by="user_id", strategy="forward")
            .filter(pl.col("tn").is_not_null() & (pl.col("tn") - pl.col("t1") <= window))
            .select("user_id", "t1", pl.col("tn").alias("tk"))
        )
        reached.append(cur.select("user_id", "t1", pl.col("tk").alias("end"), pl.lit(k + 1).alias("level")))
    best = (
        pl.concat(reached)
        .sort(["user_id", "level", "end"], descending=[False, True, False])
        .group_by("user_id", maintain_order=True)
        .first()
        .select("user_id", "level", "end")
    )
    # Backward: the latest event of each earlier step inside [end - window, end].
    gaps = []
    for K in range(2, n + 1):
        chain = best.filter(pl.col("level") == K).select(
            "user_id", (pl.col("end") - window).alias("lower"), pl.col("end").alias(f"t{K - 1}")
        )
        for j in range(K - 2, -1, -1):
            prev = per_step[j].rename({"t": f"t{j}"})
            chain = chain.sort(f"t{j + 1}").join_asof(
                prev, left_on=f"t{j + 1}", right_on=f"t{j}", by="user_id", strategy="backward"
            )
        for k in range(1, K):
            gaps.append(chain.select("user_id", pl.lit(k).alias("k"), (pl.col(f"t{k}") - pl.col(f"t{k - 1}")).alias("gap")))
    first_touch = (
        ev.filter(pl.col("k") == 0)
        .sort(["user_id", "t", "channel"])
        .group_by("user_id", maintain_order=True)
        .first()
        .select("user_id", "channel")
    )
    levels = best.join(first_touch, on="user_id")
    counts = pl.concat(
        [levels.filter(pl.col("level") > k).group_by("channel").len().with_columns(pl.lit(k).alias("k")) for k in range(n)]
    )
    med = (
        pl.concat(gaps)
        .join(first_touch, on="user_id")
        .group_by("channel", "k")
        .agg(pl.col("gap").median().alias("median_time_from_previous"))
    )
    grid = levels.select("channel").unique().join(pl.DataFrame({"k": list(range(n))}), how="cross")
    out = (
        grid.join(counts, on=["channel", "k"], how="left")
        .join(med, on=["channel", "k"], how="left")
        .with_columns(pl.col("len").fill_null(0).alias("users"))
        .sort(["channel", "k"])
        .with_columns(
            (pl.col("users") / pl.col("users").shift(1).over("channel")).alias("conversion_from_previous"),
            (pl.col("users") / pl.col("users").first().over("channel")).alias("conversion_from_first"),
            pl.col("k").replace_strict(list(range(n)), STEPS).alias("step"),
        )
        .select("channel", "step", "users", "conversion_from_previous", "conversion_from_first", "median_time_from_previous")
    )
    return out


def main():
    path = sys.argv[1]
    window = int(sys.argv[2]) if len(sys.argv) > 2 else 7 * 86400
    start = time.perf_counter()
    out = funnel(path, window)
    elapsed = time.perf_counter() - start
    print(out)
    how = "scan_parquet" if path.endswith(".parquet") else "read_csv"
    print(f"polars {pl.__version__}: {how} + funnel in {elapsed:.3f} s")
    if len(sys.argv) > 3:
        out.write_csv(sys.argv[3])


if __name__ == "__main__":
    main()
