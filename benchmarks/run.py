"""Run the benchmark suite: every figure next to its baseline, in the same run.

    python -m benchmarks                       # full size (100,000 articles)
    python -m benchmarks --size smoke          # the CI size (500 articles)
    python -m benchmarks --only import,export  # some figures only
    python -m benchmarks --out benchmarks/out/results.json
    python -m benchmarks learning_curve GOLD.jsonl [--step K]   # see benchmarks/learning_curve.py

Figures: import, spans, suggest, suggest_cores, open, next, export, memory, queries, search (see benchmarks/README.md).
The work directory (generated corpus, projects) is reused between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from . import figures
from .common import REPO, SIZES, Row, log
from .project import Workspace

FIGURES = {
    "import": "import_figure",
    "spans": "spans_figure",
    "suggest": "suggest_figure",
    "suggest_cores": "cores_figure",
    "open": "open_figure",
    "next": "next_figure",
    "export": "export_figure",
    "formats": "formats_figure",
    "memory": "memory_figure",
    "queries": "queries_figure",
    "search": "search_figure",
}
ORDER = list(FIGURES)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=sorted(SIZES), default="full")
    p.add_argument("--only", default="", help="comma-separated figures: " + ",".join(ORDER))
    p.add_argument("--skip", default="", help="comma-separated figures to leave out")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "results.json")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where corpora and projects are built (default: $TMPDIR/annotator-bench/SIZE)")
    p.add_argument("--fresh", action="store_true", help="rebuild the corpus and projects")
    args = p.parse_args(argv)
    only = [x.strip() for x in args.only.split(",") if x.strip()] or ORDER
    skip = {x.strip() for x in args.skip.split(",") if x.strip()}
    unknown = (set(only) | skip) - set(FIGURES)
    if unknown:
        p.error(f"unknown figure(s): {', '.join(sorted(unknown))}; choose from {', '.join(ORDER)}")
    args.figures = [f for f in ORDER if f in only and f not in skip]
    return args


def fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or unit in ("stmts",):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"


def table(rows: list[Row], *, markdown: bool = False) -> str:
    head = ["figure", "ours", "baseline", "unit", "ratio", "target", "result"]
    body = []
    for r in rows:
        result = "n/a" if r.ok is None else ("PASS" if r.ok else "FAIL")
        body.append([r.figure, fmt(r.ours, r.unit), fmt(r.baseline, r.unit), r.unit,
                     "-" if r.ratio is None else f"{r.ratio:.2f}x", r.target, result])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 or i == 5 else str(c).rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    out = [line(head), "  ".join("-" * w for w in widths)] + [line(b) for b in body]
    notes = [f"  - {r.figure}: {r.note}" for r in rows if r.note]
    return "\n".join(out + ([""] + notes if notes else []))


def run(argv: list[str] | None = None) -> list[Row]:
    args = parse(argv)
    size = SIZES[args.size]
    root = args.workdir or (figures.workdir_default() / size.name)
    if args.fresh and root.exists():
        import shutil

        shutil.rmtree(root)
    ws = Workspace(root, size.articles)
    log(f"size {size.name}: {size.articles:,} articles; work directory {root}")
    rows: list[Row] = []
    timings = {}
    for name in args.figures:
        fn = getattr(figures, FIGURES[name], None)
        started = time.perf_counter()
        if fn is None:
            rows.append(Row(name, None, None, "", "", ok=None, note="not implemented yet"))
            continue
        log(f"--- {name}")
        try:
            got = fn(ws, size)
        except Exception as e:  # noqa: BLE001 - one broken figure must not hide the others
            import traceback

            traceback.print_exc()
            got = [Row(name, None, None, "", "", ok=None, note=f"error: {type(e).__name__}: {e}")]
        for r in got:
            r.extra.setdefault("figure_key", name)
        rows += got
        timings[name] = time.perf_counter() - started
        log(f"    {name} took {timings[name]:.1f} s")
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "size": size.name,
        "articles": size.articles,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()},
        "figure_seconds": timings,
        "rows": [r.as_dict() for r in rows],
        "markdown": table(rows, markdown=True),
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    log(f"results written to {args.out}")
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["learning_curve"]:  # a command of its own: it reads a gold file, not the generated corpus
        from . import learning_curve

        return learning_curve.run(argv[1:])
    rows = run(argv)
    return 1 if any(r.ok is False for r in rows) else 0
