"""Polars baselines for the strict-order funnel, retention and lifecycle of pacer
(docs/events.md), the idiomatic way: read_csv, then sorts, window shifts, joins and
group-bys over the whole frame.

Usage: python3 bench/funnel_modes_polars.py KIND EVENTS.csv OUT.csv
  KIND strict     visit -> signup -> add_to_cart -> purchase, window 7 days, strict order
                  (no other event of the user between two steps; ties in funnel order,
                  other events after the steps of their timestamp): step, users,
                  conversion_from_previous, conversion_from_first, median_time_from_previous
  KIND retention  start visit, return purchase, daily cohorts, 7 periods: period,
                  cohort_users, retained, rate, unbounded, unbounded_rate
  KIND lifecycle  event visit, weekly: week, new, returning, resurrected, dormant, active
Prints the wall time of read + compute. The output CSV is compared with pacer's.
"""

import sys
import time

import polars as pl

STEPS = ["visit", "signup", "add_to_cart", "purchase"]
DAY = 86400


def strict(df, window=7 * DAY):
    n = len(STEPS)
    code = pl.col("event").replace_strict(STEPS, list(range(n)), default=n)
    ev = df.select("user_id", "timestamp", code.alias("k")).sort(["user_id", "timestamp", "k"])
    # A chain of k steps starts on a row when the next k-1 rows of the same user are
    # the next steps, inside the window.
    ok = (pl.col("k") == 0)
    level = ok.cast(pl.Int32)
    for j in range(1, n):
        ok = (
            ok
            & (pl.col("user_id").shift(-j) == pl.col("user_id"))
            & (pl.col("k").shift(-j) == j)
            & (pl.col("timestamp").shift(-j) - pl.col("timestamp") <= window)
        )
        level = level + ok.cast(pl.Int32)
    gaps = [(pl.col("timestamp").shift(-j) - pl.col("timestamp").shift(-(j - 1))).alias(f"g{j}") for j in range(1, n)]
    starts = ev.with_columns(level.alias("level"), *gaps).filter(pl.col("level") > 0)
    # The counted chain: the deepest, then the one completing first (earliest start).
    best = starts.sort(["user_id", "level", "timestamp"], descending=[False, True, False]).group_by(
        "user_id", maintain_order=True
    ).first()
    users = [best.filter(pl.col("level") > k).height for k in range(n)]
    med = [None] + [
        best.filter(pl.col("level") > k).select(pl.col(f"g{k}").median()).item() for k in range(1, n)
    ]
    return pl.DataFrame(
        {
            "step": STEPS,
            "users": users,
            "conversion_from_previous": [None] + [users[k] / users[k - 1] if users[k - 1] else None for k in range(1, n)],
            "conversion_from_first": [u / users[0] if users[0] else None for u in users],
            "median_time_from_previous": med,
        }
    )


def retention(df, start="visit", ret="purchase", periods=7):
    day = (pl.col("timestamp") // DAY)
    both = df.filter(pl.col("event").is_in([start, ret])).select("user_id", "event", "timestamp")
    last = both.select(day.max()).item()
    starts = both.filter(pl.col("event") == start).group_by("user_id").agg(pl.col("timestamp").min().alias("t0"))
    starts = starts.with_columns((pl.col("t0") // DAY).alias("cohort"))
    rets = (
        both.filter(pl.col("event") == ret)
        .join(starts, on="user_id")
        .filter(pl.col("timestamp") >= pl.col("t0"))
        .with_columns((day - pl.col("cohort")).alias("p"))
    )
    per_user = rets.group_by("user_id", "cohort").agg(pl.col("p").max().alias("maxp"))
    exact = rets.filter(pl.col("p") <= periods).select("user_id", "cohort", "p").unique()
    grid = pl.DataFrame({"period": list(range(periods + 1))})
    sizes = starts.group_by("cohort").len("size")
    observed = sizes.join(grid, how="cross").filter(pl.col("cohort") + pl.col("period") <= last)
    retained = exact.group_by("cohort", "p").len("retained").rename({"p": "period"})
    unbounded = (
        per_user.join(grid, how="cross")
        .filter(pl.col("maxp") >= pl.col("period"))
        .group_by("cohort", "period")
        .len("unbounded")
    )
    out = (
        observed.join(retained, on=["cohort", "period"], how="left")
        .join(unbounded, on=["cohort", "period"], how="left")
        .fill_null(0)
        .group_by("period")
        .agg(
            pl.col("size").sum().alias("cohort_users"),
            pl.col("retained").sum(),
            pl.col("unbounded").sum(),
        )
        .sort("period")
        .with_columns(
            (pl.col("retained") / pl.col("cohort_users")).alias("rate"),
            (pl.col("unbounded") / pl.col("cohort_users")).alias("unbounded_rate"),
        )
        .select("period", "cohort_users", "retained", "rate", "unbounded", "unbounded_rate")
    )
    return out


def lifecycle(df, event="visit"):
    # ISO weeks from Monday: 1970-01-01 was a Thursday.
    week = (pl.col("timestamp") // DAY + 3) // 7
    active = df.filter(pl.col("event") == event).select("user_id", week.alias("w")).unique().sort(["user_id", "w"])
    active = active.with_columns(
        pl.col("w").shift(1).over("user_id").alias("prev"),
        pl.col("w").shift(-1).over("user_id").alias("next"),
    )
    lo, hi = active.select(pl.col("w").min()).item(), active.select(pl.col("w").max()).item()
    kinds = active.with_columns(
        pl.when(pl.col("prev").is_null())
        .then(pl.lit("new"))
        .when(pl.col("prev") == pl.col("w") - 1)
        .then(pl.lit("returning"))
        .otherwise(pl.lit("resurrected"))
        .alias("kind")
    )
    counts = kinds.group_by("w", "kind").len().pivot(on="kind", index="w", values="len")
    dormant = (
        active.filter(pl.col("next").is_null() | (pl.col("next") != pl.col("w") + 1))
        .select((pl.col("w") + 1).alias("w"))
        .group_by("w")
        .len("dormant")
    )
    grid = pl.DataFrame({"w": list(range(lo, hi + 1))})
    out = grid.join(counts, on="w", how="left").join(dormant, on="w", how="left").fill_null(0)
    for c in ["new", "returning", "resurrected"]:
        if c not in out.columns:
            out = out.with_columns(pl.lit(0).alias(c))
    return (
        out.with_columns(
            (pl.from_epoch(pl.col("w") * 7 - 3, time_unit="d")).dt.strftime("%Y-%m-%d").alias("week"),
            (pl.col("new") + pl.col("returning") + pl.col("resurrected")).alias("active"),
        )
        .sort("w")
        .select("week", "new", "returning", "resurrected", "dormant", "active")
    )


def main():
    kind, path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    start = time.perf_counter()
    df = pl.read_csv(path)
    out = {"strict": strict, "retention": retention, "lifecycle": lifecycle}[kind](df)
    elapsed = time.perf_counter() - start
    print(out)
    print(f"polars {pl.__version__}: read_csv + {kind} in {elapsed:.3f} s")
    out.write_csv(out_path)


if __name__ == "__main__":
    main()
