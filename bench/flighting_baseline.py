"""Baseline for the flighting case of benches/budget.rs: the same instance (10 concave
Hill curves with geometric carryover from the same LCG, 52 weeks, seasonality
1 + 0.3 sin(2 pi t / 52), a budget of 5,000,000) solved by
scipy.optimize.minimize(method="SLSQP") over the whole 520-spend matrix with an exact
gradient, from an equal split; prints the wall time and the objective, to compare
with pacer's `allocate_flighting` (objective printed by `cargo bench --bench budget`).

Run: python3 bench/flighting_baseline.py   (scipy 1.17.1, numpy)
"""
import math
import time

import numpy as np
from scipy.optimize import minimize

MASK = (1 << 64) - 1
WEEKS, N, B = 52, 10, 5_000_000.0


def instance():
    state = 7

    def nxt():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        return ((state >> 33) % 1_000_000) / 1_000_000

    out = []
    for _ in range(N):
        a, b, c, d = nxt(), nxt(), nxt(), nxt()
        out.append((2000 + 8000 * a, 20_000 + 80_000 * b, 0.5 + 0.5 * c, 0.2 + 0.6 * d))
    return out


chans = instance()
season = np.array([1 + 0.3 * math.sin(2 * math.pi * t / WEEKS) for t in range(1, WEEKS + 1)])


def carry(x, decay):
    out = np.empty_like(x)
    acc = 0.0
    for t, v in enumerate(x):
        acc = v + decay * acc
        out[t] = acc
    return out


def objective_and_gradient(flat):
    x = flat.reshape(N, WEEKS)
    total, grad = 0.0, np.empty_like(x)
    for i, (top, half, shape, decay) in enumerate(chans):
        a = np.maximum(carry(x[i], decay), 1e-12)
        r = (half / a) ** shape
        total += float(np.sum(season * top / (1 + r)))
        h = season * top * shape * r / (a * (1 + r) ** 2)
        g, acc = np.empty(WEEKS), 0.0
        for t in range(WEEKS - 1, -1, -1):
            acc = h[t] + decay * acc
            g[t] = acc
        grad[i] = g
    return -total, -grad.ravel()


cons = [{"type": "eq", "fun": lambda v: v.sum() - B, "jac": lambda v: np.ones(N * WEEKS)}]
x0 = np.full(N * WEEKS, B / (N * WEEKS))
start = time.perf_counter()
r = minimize(objective_and_gradient, x0, jac=True, bounds=[(0, B)] * (N * WEEKS),
             constraints=cons, method="SLSQP", options={"maxiter": 2000, "ftol": 1e-12})
took = time.perf_counter() - start
print(f"scipy SLSQP, 10 channels x 52 weeks: {took * 1000:.0f} ms, objective {-r.fun:.6f} "
      f"({r.message}, {r.nit} iterations)")
