"""The alternative the table benchmarks are measured against: polars (in process).

usage: python3 bench/table_polars.py FILE.csv
Times polars.read_csv (type inference on, every thread), a group-by sum of revenue
and spend per channel, and clicks / impressions over the whole table; best of 5 runs
each, plus the median read. Peak RSS of this process is printed last (run it alone:
`/usr/bin/time -v python3 bench/table_polars.py FILE.csv` gives the same figure).
"""
import resource
import sys
import time

import polars as pl

path = sys.argv[1]
reads, groups, ratios = [], [], []
for _ in range(5):
    t0 = time.perf_counter()
    df = pl.read_csv(path)
    t1 = time.perf_counter()
    g = df.group_by("channel", maintain_order=True).agg(pl.col("revenue").sum(), pl.col("spend").sum())
    t2 = time.perf_counter()
    r = df.select(pl.col("clicks") / pl.col("impressions"))
    t3 = time.perf_counter()
    reads.append(t1 - t0)
    groups.append(t2 - t1)
    ratios.append(t3 - t2)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    f"polars {pl.__version__}: read_csv {min(reads) * 1000:.0f} ms (median {sorted(reads)[2] * 1000:.0f} ms), "
    f"group_by sum {min(groups) * 1000:.1f} ms, clicks/impressions {min(ratios) * 1000:.2f} ms "
    f"({len(df)} rows); peak RSS {rss:.0f} MB"
)
