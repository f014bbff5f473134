"""Shared pieces: result rows, sizes, timing, child processes, memory readings."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    name: str
    articles: int          # the big project (import, open, export, memory)
    suggest_articles: int  # articles through the real model
    naive_articles: int    # articles through the naive nlp(text) loop
    open_runs: int         # GUI start-ups per project (median taken)
    presses: int           # key presses per next-article case
    small_articles: int = 10
    repeats: int = 1       # import and export: runs of each side, interleaved (median taken)
    spans: tuple[int, int] = (20_000, 200_000)  # span import: one article with this many spans, and 10x


SIZES = {
    "full": Size("full", articles=100_000, suggest_articles=2_000, naive_articles=500, open_runs=7, presses=200,
                 repeats=3),
    # Between the two: the figures at a fifth of full size, in minutes rather than an hour.
    "medium": Size("medium", articles=20_000, suggest_articles=200, naive_articles=50, open_runs=3, presses=50,
                   repeats=3, spans=(2_000, 20_000)),
    "smoke": Size("smoke", articles=500, suggest_articles=50, naive_articles=20, open_runs=3, presses=20,
                  spans=(2_000, 20_000)),
}


@dataclass
class Row:
    """One line of the results table: our figure next to its same-run baseline."""

    figure: str
    ours: float | None
    baseline: float | None
    unit: str
    target: str
    ok: bool | None = None          # None: informational, or not measurable in this run
    ratio: float | None = None      # ours / baseline (for rates: ours / baseline as well)
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def ratio(ours: float | None, baseline: float | None) -> float | None:
    if ours is None or baseline is None or baseline == 0:
        return None
    return ours / baseline


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank on sorted values."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values)


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


def rss_mb() -> float:
    """Current resident set size of this process, from /proc (Linux) or ru_maxrss."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def run_child(args: list[str], *, timeout: float = 3600, env: dict | None = None, stamp: bool = False) -> dict:
    """Run ``python -m benchmarks.child ARGS`` and return the JSON object it prints last.

    The child reports its own timings and memory; the wall time of the whole
    process (interpreter start included) is added as ``process_seconds``.
    """
    cmd = [sys.executable, "-m", "benchmarks.child", *args]
    env = env or child_env()
    if stamp:  # the child measures from this moment: process start, interpreter included
        env["BENCH_SPAWNED"] = repr(time.monotonic())
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - started
    result = None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            try:
                result = json.loads(line)
                break
            except ValueError:
                continue
    if proc.returncode != 0 or result is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise RuntimeError(f"child {' '.join(args)} failed (exit {proc.returncode}):\n" + "\n".join(tail))
    result["process_seconds"] = elapsed
    result["stderr_tail"] = proc.stderr.strip().splitlines()[-5:]
    return result


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
