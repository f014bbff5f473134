"""The benchmark suite keeps working: every figure comes out at smoke size.

These are not timed tests (CI machines are noisy): they check that each
figure is measured next to its baseline and yields sane numbers, not that it
meets its target. One check is exact, because it does not depend on timing:
nothing in the review loop reads the whole project.
"""

from __future__ import annotations

import json

import pytest

from benchmarks import datagen
from benchmarks.figures import least_sure_copy, review_offenders
from benchmarks.project import Workspace
from benchmarks.run import run, table

EVERY_FIGURE = ["import", "spans", "open", "next", "export", "formats", "memory", "queries", "search"]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One smoke-size run of every figure but the real-model one (see test_suggest_figure)."""
    root = tmp_path_factory.mktemp("bench")
    out = root / "results.json"
    rows = run(["--size", "smoke", "--only", ",".join(EVERY_FIGURE), "--workdir", str(root / "work"), "--out", str(out)])
    return rows, json.loads(out.read_text("utf-8")), root


def _by_key(rows):
    found: dict[str, list] = {}
    for r in rows:
        found.setdefault(r.extra.get("figure_key"), []).append(r)
    return found


@pytest.mark.gui  # the open, next and memory figures run the app offscreen
def test_every_figure_is_measured_against_its_baseline(smoke):
    rows, _, _ = smoke
    found = _by_key(rows)
    assert sorted(found) == sorted(EVERY_FIGURE)
    for r in rows:
        assert r.ours is not None, f"{r.figure}: no value ({r.note})"
        assert r.baseline is not None, f"{r.figure}: no baseline ({r.note})"
        assert r.target, r.figure
    # import: time and peak memory; open: first run and at a remembered position;
    # next: the two article sizes of the issue, and articles deep in the big project, each with a
    # reading pause (judged) and back to back (reported)
    assert len(found["import"]) == 2
    assert len(found["spans"]) == 2  # as suggestions against as annotations, and its growth at 10x the spans
    assert len(found["open"]) == 2
    assert len(found["next"]) == 6
    assert [r.ok is None for r in found["next"]] == [False, True] * 3
    assert len(found["search"]) == 2  # median and p95 against the LIKE scan
    assert len(found["export"]) == 3
    assert [r.figure for r in found["formats"]] == [f"export 500 articles --format {f} vs doccano" for f in ("doccano", "labelstudio", "brat")]
    hits = found["search"][0].extra["hits"]
    assert hits["spokesperson"] > 0 and hits["zurich"] > 0 and hits["qwertyzzz"] == 0


@pytest.mark.gui
def test_numbers_are_sane(smoke):
    rows, _, _ = smoke
    for r in rows:
        if r.unit in ("s", "ms", "MB", "art/s"):
            assert r.ours > 0 and r.baseline > 0, r.figure
            assert r.ratio is not None and 0 < r.ratio < 1000, r.figure
    found = _by_key(rows)
    imp_time, imp_mem = found["import"]
    assert imp_time.ours < 120 and imp_mem.ours < 2000
    for r in found["next"]:
        assert r.extra["ours"]["presses"] == r.extra["baseline"]["presses"] > 0
        assert r.extra["ours"]["p50_ms"] <= r.extra["ours"]["p95_ms"]
    export, tokenless, doccano = found["export"]  # with stored tokens; --no-tokens; --no-tokens against doccano
    for r in (export, tokenless):
        assert r.extra["ours"]["lines"] == r.extra["baseline"]["lines"] == 500
        assert r.extra["same_records"] == "yes"  # the baseline writes the same tasks
    assert tokenless.figure.endswith("--no-tokens") and doccano.baseline == pytest.approx(11.7 * 500 / 50_000)
    # doccano: a line an article; Label Studio: an array item a line, between "[" and "]"; brat: two files an
    # article and annotation.conf
    assert [r.extra["runs"][0]["lines"] for r in found["formats"]] == [500, 502, 1001]
    for opened in found["open"]:
        assert 0 < opened.ours < 30


@pytest.mark.gui
def test_results_file_and_table(smoke):
    rows, report, _ = smoke
    assert report["size"] == "smoke"
    assert [r["figure"] for r in report["rows"]] == [r.figure for r in rows]
    assert report["markdown"].startswith("| figure |")
    text = table(rows)
    for r in rows:
        assert r.figure in text


@pytest.mark.model
def test_suggest_figure(tmp_path):
    rows = run(["--size", "smoke", "--only", "suggest", "--workdir", str(tmp_path / "w"), "--out", str(tmp_path / "r.json")])
    rate, naive = rows
    assert rate.ours > 0 and rate.baseline > 0 and naive.ours > 0
    assert "suggestions" in rate.note


def test_generator_is_deterministic_and_news_like():
    a, b = datagen.article(7), datagen.article(7)
    assert a == b
    assert datagen.article(8).text != a.text
    assert 1500 <= len(a.text) <= 2600
    assert any(ord(c) > 127 for c in a.text)
    for start, end, label in a.spans:
        assert a.text[start:end].strip() == a.text[start:end] and label
    long = datagen.long_article(3000, 60)
    assert len(long.text) == 3000 and len(long.spans) == 60


def test_review_loop_reads_no_whole_table_in_least_sure_order(tmp_path):
    """The same in the least-sure-first order (every pending article scored)."""
    ws = Workspace(tmp_path, 3000)
    small, big = (least_sure_copy(ws.project(n), tmp_path) for n in (10, 3000))
    got = review_offenders(small, big, floor=5_000)
    assert not got["scans"], f"full table scans: {got['scans']}"
    assert not got["growing"], "statements whose cost grows with the project: " + json.dumps(
        {k: [a, b, plan] for k, (a, b, plan) in got["growing"].items()}, indent=1)


def test_review_loop_reads_no_whole_table(tmp_path):
    """Queue, counts, position, neighbours and decisions use indexed queries only.

    Checked two ways on the store's own SQL (traced while the review loop
    runs): no query plan scans a big table, and no statement that reads table
    rows costs more on a 3,000-article project than on a 10-article one.
    """
    ws = Workspace(tmp_path, 3000)
    got = review_offenders(ws.project(10), ws.project(3000), floor=5_000)
    assert not got["scans"], f"full table scans: {got['scans']}"
    assert not got["growing"], "statements whose cost grows with the project: " + json.dumps(
        {k: [a, b, plan] for k, (a, b, plan) in got["growing"].items()}, indent=1)
