"""Generates a synthetic daily channel export for the table benchmarks.

usage: python3 bench/gen_channels.py ROWS OUT.csv
Columns: channel,day,campaign,impressions,clicks,orders,revenue,spend (seeded, reproducible).
"""
import random
import sys
import datetime

rows = int(sys.argv[1])
out = sys.argv[2]
rng = random.Random(7)
channels = ["wechat", "weibo", "douyin", "xiaohongshu", "baidu", "bilibili"]
start = datetime.date(2024, 1, 1)
with open(out, "w") as f:
    f.write("channel,day,campaign,impressions,clicks,orders,revenue,spend\n")
    for i in range(rows):
        ch = channels[i % len(channels)]
        day = start + datetime.timedelta(days=(i // 600) % 365)
        imp = rng.randint(1000, 200000)
        clicks = imp * rng.randint(10, 40) // 1000
        orders = clicks * rng.randint(1, 6) // 100
        revenue = round(orders * rng.uniform(80, 220), 2)
        spend = round(imp / 1000 * rng.uniform(20, 60), 2)
        f.write(f"{ch},{day.isoformat()},c{i % 97},{imp},{clicks},{orders},{revenue},{spend}\n")
