"""The alternative the ab_report benchmark is measured against: pandas + statsmodels + scipy.

usage: PACER_BENCH_CSV=/tmp/ab_users_1m.csv cargo bench --bench abtest   (writes the data)
       python3 bench/abtest_baseline.py /tmp/ab_users_1m.csv
Times the same readout over the already-loaded per-user table, best of 5 runs each:
(1) conversion: per-arm users and conversions (groupby), pooled z-test
(statsmodels proportions_ztest), lift interval (confint_proportions_2indep, log ratio),
SRM (scipy chisquare), chance to beat control (the closed-form sum in numpy over B's
conversions), power and MDE (NormalIndPower); (2) plus revenue per user (Welch,
scipy ttest_ind) and the cumulative daily counts the sequential test needs.
"""
import sys
import time

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import stats
from scipy.special import betaln
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)


def prob_beat(aa, ba, ab, bb):
    i = np.arange(int(ab))
    logs = (betaln(aa + i, ba + bb) - np.log(bb + i) - betaln(1 + i, bb) - betaln(aa, ba))
    return float(np.exp(logs).sum())


def conversion(df):
    g = df.groupby("variant", sort=False).converted.agg(["size", "sum"])
    n, x = g["size"], g["sum"]
    z, p = proportions_ztest([x["B"], x["A"]], [n["B"], n["A"]])
    ci = confint_proportions_2indep(x["B"], n["B"], x["A"], n["A"], method="log",
                                    compare="ratio")
    srm = stats.chisquare([n["A"], n["B"]])
    pb = prob_beat(1 + x["A"], 1 + n["A"] - x["A"], 1 + x["B"], 1 + n["B"] - x["B"])
    h = proportion_effectsize(x["B"] / n["B"], x["A"] / n["A"])
    pw = NormalIndPower().power(h, nobs1=min(n), alpha=0.05)
    return p, ci, srm, pb, pw


def full(df):
    out = conversion(df)
    a = df.revenue[df.variant == "A"].to_numpy()
    b = df.revenue[df.variant == "B"].to_numpy()
    w = stats.ttest_ind(b, a, equal_var=False)
    daily = df.groupby(["day", "variant"]).converted.agg(["size", "sum"]).groupby("variant").cumsum()
    return out, w, daily


def best(fn, df):
    t = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        fn(df)
        t = min(t, time.perf_counter() - t0)
    return t


df = pd.read_csv(sys.argv[1])
print(f"pandas {pd.__version__}, statsmodels {statsmodels.__version__}, scipy {scipy.__version__}: "
      f"conversion readout {best(conversion, df) * 1000:.0f} ms, "
      f"with revenue and daily counts {best(full, df) * 1000:.0f} ms ({len(df)} rows)")
