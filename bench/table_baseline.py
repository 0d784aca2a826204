"""The alternative the table benchmarks are measured against: pandas.

usage: python3 bench/table_baseline.py FILE.csv
Times pandas.read_csv (default C engine, type inference) and a group-by sum of
revenue and spend per channel, best of 5 runs each (and the median read), and prints
the figures.
"""
import sys
import time

import pandas as pd

path = sys.argv[1]
best_read = best_group = float("inf")
reads = []
for _ in range(5):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    g = df.groupby("channel", sort=False).agg(revenue=("revenue", "sum"), spend=("spend", "sum"))
    t2 = time.perf_counter()
    reads.append(t1 - t0)
    best_read = min(best_read, t1 - t0)
    best_group = min(best_group, t2 - t1)
median_read = sorted(reads)[len(reads) // 2]
print(f"pandas {pd.__version__}: read_csv {best_read * 1000:.0f} ms (median {median_read * 1000:.0f} ms), group_by sum {best_group * 1000:.1f} ms ({len(df)} rows)")
