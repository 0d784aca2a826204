"""Baseline for benches/budget.rs: the same 50-channel instance (same LCG) solved by
scipy.optimize.minimize(method="SLSQP") from one start (an equal split) and from 100
random starts; prints wall time and the best objective of each, to compare with
pacer's `allocate` (objective printed by `cargo bench --bench budget`).

Run: python3 bench/budget_baseline.py   (scipy 1.17.1, numpy)
"""
import time
import numpy as np
from scipy.optimize import minimize

MASK = (1 << 64) - 1


def channels(n):
    state = 42
    def nxt():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        return ((state >> 33) % 1_000_000) / 1_000_000
    out = []
    for i in range(n):
        a, b, c, d = nxt(), nxt(), nxt(), nxt()
        if i % 7 == 6:
            cur = ("linear", 0.02 + 0.2 * a, 1000 + 4000 * b)
        else:
            shape = 0.5 + 0.5 * c if i % 2 == 0 else 1.2 + 2.3 * c
            cur = ("hill", 500 + 4500 * a, 2000 + 18000 * b, shape)
        lo = 1000.0 if d < 0.2 else 0.0
        hi = 15000.0 if d > 0.8 else np.inf
        out.append((cur, lo, hi))
    return out


def value(cur, x):
    x = max(x, 0.0)
    if cur[0] == "hill":
        return 0.0 if x == 0 else cur[1] / (1 + (cur[2] / x) ** cur[3])
    return min(cur[1] * x, cur[2])


def grad(cur, x):
    x = max(x, 1e-9)
    if cur[0] == "hill":
        r = (cur[2] / x) ** cur[3]
        return cur[1] * cur[3] * r / (x * (1 + r) ** 2)
    return cur[1] if cur[1] * x < cur[2] else 0.0


chans = channels(50)
B = 400_000.0
n = len(chans)
lo = np.array([c[1] for c in chans])
hi = np.array([min(c[2], B) for c in chans])
f = lambda x: -sum(value(c[0], xi) for c, xi in zip(chans, x))
g = lambda x: -np.array([grad(c[0], xi) for c, xi in zip(chans, x)])
cons = [{"type": "eq", "fun": lambda x: x.sum() - B, "jac": lambda x: np.ones(n)}]


def run(x0):
    r = minimize(f, x0, jac=g, bounds=list(zip(lo, hi)), constraints=cons, method="SLSQP",
                 options={"ftol": 1e-12, "maxiter": 1000})
    return -r.fun if abs(r.x.sum() - B) < 1e-6 * B else -np.inf


t = time.perf_counter()
one = run(np.clip(np.full(n, B / n), lo, hi))
t1 = time.perf_counter() - t
rng = np.random.default_rng(1)
t = time.perf_counter()
best = -np.inf
for _ in range(100):
    x0 = np.clip(lo + (B - lo.sum()) * rng.dirichlet(np.ones(n)), lo, hi)
    best = max(best, run(x0))
t100 = time.perf_counter() - t
print(f"SLSQP 1 start (equal split): {one:.6f} in {t1*1000:.1f} ms")
print(f"SLSQP best of 100 random starts: {best:.6f} in {t100:.2f} s")
