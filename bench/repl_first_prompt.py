"""Time from starting `pacer repl` on a pseudo-terminal to its first prompt, RUNS times
(default 20); prints each and the median. Figures: docs/performance.md.

Usage (from the repository root, after `cargo build --release`):
    python3 bench/repl_first_prompt.py [RUNS]
"""
import os
import pty
import select
import statistics
import sys
import time

PACER = os.path.join(os.getcwd(), "target", "release", "pacer")


def first_prompt() -> float:
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execv(PACER, [PACER, "repl"])
    seen = b""
    try:
        while b"pacer> " not in seen:
            r, _, _ = select.select([fd], [], [], 10)
            if not r:
                raise RuntimeError("no prompt within 10 s")
            chunk = os.read(fd, 4096)
            if b"\x1b[6n" in chunk:
                os.write(fd, b"\x1b[1;1R")
            seen += chunk
        return time.perf_counter() - start
    finally:
        os.write(fd, b"\x04")
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    times = [first_prompt() * 1000 for _ in range(runs)]
    for t in times:
        print(f"{t:.1f} ms")
    print(f"median {statistics.median(times):.1f} ms, best {min(times):.1f} ms, worst {max(times):.1f} ms")


if __name__ == "__main__":
    main()
