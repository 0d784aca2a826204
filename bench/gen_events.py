"""Generates a large synthetic event export for the funnel_events benchmark.

Usage: python3 bench/gen_events.py ROWS OUT.csv   (e.g. 10000000 /tmp/pacer-bench/events_10m.csv)

Columns user_id,event,timestamp,channel (epoch seconds), about 37 bytes a row, so
10 million rows make about 370 MB. ROWS/10 users, each row's user drawn uniformly; event
names drawn with funnel-like frequencies (visit 18%, signup 10%, add_to_cart 7%,
purchase 5%; page_view, scroll, share for the rest); each user's events fall within 30
days of a per-user start, with 5% of the times rounded to the minute (ties); six
channels. Rows are in random order. Deterministic (numpy seed 7).
Keep the output out of git (write it under /tmp or target/).
"""

import sys

import numpy as np
import polars as pl


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    rng = np.random.default_rng(7)
    users = max(rows // 10, 1)
    user = rng.integers(0, users, rows)
    events = np.array(["visit", "signup", "add_to_cart", "purchase", "page_view", "scroll", "share"])
    p = np.array([0.18, 0.10, 0.07, 0.05, 0.35, 0.15, 0.10])
    ev = rng.choice(len(events), rows, p=p)
    start = 1719792000 + rng.integers(0, 60 * 86400, users)
    t = start[user] + rng.integers(0, 30 * 86400, rows)
    tie = rng.random(rows) < 0.05
    t = np.where(tie, t - t % 60, t)
    channels = np.array(["wechat", "douyin", "search", "weibo", "xiaohongshu", "email"])
    ch = rng.integers(0, len(channels), rows)
    df = pl.DataFrame(
        {
            "user_id": "u" + pl.Series(user).cast(pl.String).str.zfill(7),
            "event": events[ev],
            "timestamp": t,
            "channel": channels[ch],
        }
    )
    df.write_csv(out)
    print(f"wrote {out}: {rows} rows, {users} users")


if __name__ == "__main__":
    main()
