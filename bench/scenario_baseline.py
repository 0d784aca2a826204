"""Baseline for benches/scenario.rs: the same uncertain funnel drawn with numpy.

180,000 visitors x Beta(601, 3401) x Beta(241, 361) x Beta(169, 73) x Beta(152, 18) x 150
(the beta posteriors of 600/4000, 240/600, 168/240, 151/168 under a uniform prior),
10 million trials, vectorised with numpy's Generator (PCG64) on one thread.
Prints the wall and CPU time and the trials per second. Run: python3 bench/scenario_baseline.py
"""
import time

import numpy as np

N = 10_000_000
SHAPES = [(601, 3401), (241, 361), (169, 73), (152, 18)]


def run(n: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    revenue = np.full(n, 180_000.0 * 150.0)
    for a, b in SHAPES:
        revenue *= rng.beta(a, b, size=n)
    return revenue


if __name__ == "__main__":
    run(1000)
    best = None
    for _ in range(3):
        w, c = time.perf_counter(), time.process_time()
        r = run(N)
        w, c = time.perf_counter() - w, time.process_time() - c
        best = (w, c) if best is None or c < best[1] else best
    w, c = best
    print(f"numpy {np.__version__}: {N} trials, wall {w:.2f} s, cpu {c:.2f} s, "
          f"{N / c / 1e6:.2f} M trials per CPU-second, mean {r.mean():.1f}")
