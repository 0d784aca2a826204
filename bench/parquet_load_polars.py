"""The alternative load_parquet is measured against: polars read_parquet, in process.

usage: python3 bench/parquet_load_polars.py FILE.parquet
Best of 5 runs and the median (every column, every thread), then this process's peak RSS.
"""
import resource
import sys
import time

import polars as pl

path = sys.argv[1]
times = []
for _ in range(5):
    t0 = time.perf_counter()
    df = pl.read_parquet(path)
    times.append(time.perf_counter() - t0)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    f"polars {pl.__version__}: read_parquet {min(times) * 1000:.0f} ms "
    f"(median {sorted(times)[2] * 1000:.0f} ms), {df.height} rows x {df.width} columns, peak RSS {rss:.0f} MB"
)
