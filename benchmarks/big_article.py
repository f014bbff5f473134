"""One huge article through import, the window and export: time and peak memory of each.

    python -m benchmarks.big_article 10 [WORKDIR]     # a JSONL line of 10 MB (the import's limit)

Each step runs in a fresh process; peak RSS is that process's ``ru_maxrss``.
The article is news-like prose (curly quotes, accents, an emoji) with a suggested PERSON span per ~330-character paragraph.
Not part of ``python -m benchmarks`` (a 10 MB article takes about a minute end to end);
the numbers are in ``benchmarks/results/big-article.txt`` and benchmarks/README.md, "A huge article".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARAGRAPH = (
    "Putin met Kim Jong Un in Beijing on Monday, officials said. The talks, which lasted “several hours”, "
    "covered trade, energy and the 2026 summit; neither side gave figures. Analysts in São Paulo and Zürich "
    "expect $4.5 billion in new contracts 🙂. The Kremlin said nothing further.\n\n"
)


def write_article(path: Path, megabytes: float) -> int:
    """One JSONL line of at most ``megabytes`` MB (2**20 bytes) holding one article; returns its span count."""
    span_json = len(json.dumps({"start": 10**7, "end": 10**7, "label": "PERSON"})) + 2
    repeats = max(1, int(megabytes * 2**20 / (len(PARAGRAPH.encode("utf-8")) + span_json)))
    spans = [{"start": i * len(PARAGRAPH), "end": i * len(PARAGRAPH) + 5, "label": "PERSON"} for i in range(repeats)]
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"text": PARAGRAPH * repeats, "meta": {"source": "bench"}, "spans": spans}, ensure_ascii=False))
        f.write("\n")
    return len(spans)


def _timed(argv: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    """(seconds, result) of a child process that must succeed."""
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise SystemExit(f"{argv}: {result.stderr.strip()}")
    return time.perf_counter() - start, result


def window_child(project: str) -> None:
    """Open the window, wait until the article is shown and A accepts it; print the figures as JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest
    from PySide6.QtCore import Qt

    from annotator.model import Status
    from annotator.store import AnnotationStore
    from annotator_ui.app import application
    from annotator_ui.main_window import MainWindow
    from annotator_ui.settings import Settings

    from .common import peak_rss_mb
    from .gui_child import wait_until

    start = time.perf_counter()
    app = application()
    store = AnnotationStore.open(project, annotator="bench")
    window = MainWindow(store, settings=Settings(), show_summary=False)
    window.show()
    text_len = store.conn.execute("SELECT length(text) FROM articles").fetchone()[0]
    document = lambda: window.view.text_view.document()  # noqa: E731
    wait_until(app, lambda: document().characterCount() > text_len // 2, timeout=600)
    shown = time.perf_counter() - start
    shown_rss = peak_rss_mb()
    QTest.keyClick(window, Qt.Key.Key_A)
    pressed = time.perf_counter()
    reader = AnnotationStore.open(project, annotator="bench-reader", readonly=True)
    try:
        wait_until(app, lambda: reader.article(1).status == Status.ACCEPTED, timeout=600)
    finally:
        reader.close()
    accepted = time.perf_counter() - pressed
    window.close()
    store.close()
    print(json.dumps({"shown_s": shown, "shown_rss_mb": shown_rss, "accept_s": accepted, "peak_rss_mb": peak_rss_mb()}))


def main(megabytes: float, workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    source, project, out = workdir / "in.jsonl", workdir / "p.db", workdir / "out.jsonl"
    for leftover in (project, Path(f"{project}-wal"), Path(f"{project}-shm"), out):
        leftover.unlink(missing_ok=True)
    spans = write_article(source, megabytes)
    size = source.stat().st_size / 2**20
    annotator = [sys.executable, "-m", "annotator"]
    env = dict(os.environ, XDG_CONFIG_HOME=str(workdir / "config"), ANNOTATOR_DATA_DIR=str(workdir / "data"))
    rows = []
    t, result = _timed(["/usr/bin/time", "-f", "%M", *annotator, "import", str(project), str(source), "--labels", "PERSON"], env=env)
    rows.append(("import", t, _rss(result)))
    _, result = _timed([sys.executable, "-m", "benchmarks.big_article", "--window", str(project)], env=env)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    rows.append(("window: article shown", figures["shown_s"], figures["shown_rss_mb"]))
    rows.append(("window: A accepted (saved)", figures["accept_s"], figures["peak_rss_mb"]))
    t, result = _timed(["/usr/bin/time", "-f", "%M", *annotator, "export", str(project), str(out)], env=env)
    rows.append(("export", t, _rss(result)))
    print(f"one article of {size:.1f} MB in its JSONL line, {spans} spans; export {out.stat().st_size / 2**20:.1f} MB")
    print(f"{'step':<28} {'seconds':>8} {'peak RSS MB':>12}")
    for name, seconds, peak in rows:
        print(f"{name:<28} {seconds:8.1f} {peak:12.0f}")


def _rss(result: subprocess.CompletedProcess) -> float:
    """/usr/bin/time -f %M: the child's peak RSS in KiB, on the last line of stderr."""
    return int(result.stderr.strip().splitlines()[-1]) / 1024


if __name__ == "__main__":
    if sys.argv[1] == "--window":
        window_child(sys.argv[2])
    else:
        main(float(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir()) / "annotator-big")
