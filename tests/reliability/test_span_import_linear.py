"""Importing an article with many spans costs the same per span at any count.

Found (issue 9, item 8): an article of N one-character spans imported as
suggestions took 0.9 s at 5,000 and 8.6 s at 20,000, and 200,000 did not finish
in 10 minutes: each span was checked against every span stored before it.

Not a wall-clock test: the work is counted, as Python lines run (every module,
the standard library included) and SQLite virtual-machine steps, for 1,000 and
4,000 spans. Linear work gives the same count per span at both sizes; the
quadratic code had four times as many per span at 4,000.
"""

from __future__ import annotations

import json
import sys

import pytest

from annotator.importing import import_files
from annotator.labels import make_labels
from annotator.store import AnnotationStore

SQL_STEPS_PER_TICK = 100  # SQLite calls the progress handler every this many VM instructions
GROWTH = 1.3  # per-span work at 4x the spans may grow this much (B-tree depth), not 4x


def import_work(tmp_path, n: int, spans_as: str) -> tuple[int, int]:
    """(Python lines, SQLite VM ticks) to import one article of ``n`` one-character spans."""
    source = tmp_path / f"spans-{n}.jsonl"
    spans = [{"start": 2 * i, "end": 2 * i + 1, "label": "X"} for i in range(n)]
    source.write_text(json.dumps({"text": "a " * n, "spans": spans}) + "\n", "utf-8")
    store = AnnotationStore.memory()
    lines = ticks = 0

    def count_line(frame, event, arg):
        nonlocal lines
        lines += event == "line"
        return count_line

    def count_tick():
        nonlocal ticks
        ticks += 1
        return 0

    try:
        store.add_labels(make_labels(["X"]))
        store.conn.set_progress_handler(count_tick, SQL_STEPS_PER_TICK)
        sys.settrace(count_line)
        try:
            report = import_files(store, [source], spans_as=spans_as)
        finally:
            sys.settrace(None)
            store.conn.set_progress_handler(None, 0)
        assert report.spans == n
        assert len(store.entities(1)) == n
        return lines, ticks
    finally:
        store.close()


@pytest.mark.parametrize("spans_as", ["suggestions", "annotations"])
def test_work_per_span_does_not_grow_with_the_number_of_spans(tmp_path, spans_as):
    small, big = 1_000, 4_000
    (lines_small, ticks_small), (lines_big, ticks_big) = (import_work(tmp_path, n, spans_as) for n in (small, big))
    assert lines_big / big <= GROWTH * lines_small / small, (lines_small, lines_big)
    assert ticks_big / big <= GROWTH * ticks_small / small, (ticks_small, ticks_big)
