"""Every bad input gets one clear line and leaves the project exactly as it was.

The cases live in ``bad_inputs.py`` and are listed, with their messages, in
BAD_INPUTS.md; this test fails when the two disagree. Large inputs are
imported in a separate process whose peak memory is measured.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from .bad_inputs import CASES, Case, documented, make_base_project, run_case, table_message, write_files
from ._support import dump, integrity, run_python

needs_proc = pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory is read from /proc (Linux)")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case, tmp_path):
    project = make_base_project(tmp_path)
    write_files(tmp_path, case.files)
    if case.setup:
        case.setup(tmp_path)
    before = dump(project)
    outcome = run_case(case, tmp_path)
    assert "Traceback" not in outcome.stdout + outcome.stderr
    if case.ok:
        assert outcome.exit_code == 0, outcome.stderr
        assert case.expect in outcome.message
        if case.check:
            case.check(project)
        assert integrity(project) == "ok"
    else:
        assert outcome.exit_code != 0, f"accepted: {outcome.stdout}"
        lines = outcome.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), outcome.stderr
        assert case.expect in lines[0]
        assert not re.search(r"\b(\w+) \1\b", lines[0]), f"doubled word in {lines[0]!r}"
        assert dump(project) == before, "the project changed"
        for name in ("new.db", "new.db-wal", "new.db-shm"):
            assert not (tmp_path / name).exists(), f"{name} was left behind"
    assert documented().get(case.id) == table_message(case, outcome), (
        "BAD_INPUTS.md is out of date for this case: run `cd tests && python -m reliability.bad_inputs`"
    )


def test_the_table_lists_exactly_the_cases():
    assert sorted(documented()) == sorted(c.id for c in CASES)


# ------------------------------------------------------------------ big inputs
# Peak memory from VmHWM: ru_maxrss would include the parent's peak (kept across fork + exec).
IMPORT_AND_MEASURE = """
import json, sys, time
from annotator.importing import import_into_project

def peak_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024

started = time.monotonic()
report = import_into_project(sys.argv[1], [sys.argv[2]], labels=["PERSON", "ORG"])
print(json.dumps({"added": report.added, "duplicates": report.duplicates, "spans": report.spans,
                  "seconds": time.monotonic() - started, "peak_mb": peak_mb()}))
"""


def _write_jsonl(path, megabytes: int, *, bad_last_line: bool = False) -> int:
    """About ``megabytes`` MB of distinct ~2 KB articles with a span each (at least one article: the
    baseline then pays the fixed costs too, such as loading spaCy's tokenizer for the first span); returns
    the line count."""
    body = "Ada Lovelace met Charles Babbage in London. " * 45 + "😀 Ünïcödé\r\n"
    lines = 0
    with path.open("w", encoding="utf-8") as f:
        while lines == 0 or f.tell() < megabytes * 1024 * 1024:
            record = {"text": f"{lines} {body}", "meta": {"n": lines, "nested": {"a": [1, 2]}},
                      "spans": [{"start": len(str(lines)) + 1, "end": len(str(lines)) + 13, "label": "PERSON"}]}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            lines += 1
        if bad_last_line:
            f.write('{"text": "broken"\n')
    return lines


def _import_measured(tmp_path, megabytes, *, bad_last_line=False):
    source = tmp_path / "big.jsonl"
    lines = _write_jsonl(source, megabytes, bad_last_line=bad_last_line)
    project = tmp_path / "big.db"
    result = run_python(["-c", IMPORT_AND_MEASURE, str(project), str(source)], timeout=1800)
    return lines, project, result


def _baseline_mb(tmp_path) -> float:
    folder = tmp_path / "small"
    folder.mkdir()
    _, _, result = _import_measured(folder, 0)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["peak_mb"]


@needs_proc
@pytest.mark.parametrize("megabytes", [30])
def test_a_large_jsonl_is_streamed_with_bounded_memory(tmp_path, megabytes):
    baseline = _baseline_mb(tmp_path)
    lines, project, result = _import_measured(tmp_path, megabytes)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["added"] == lines and stats["spans"] == lines
    # Reading 30 MB into memory would add well over 30 MB; streaming adds a few batches' worth.
    assert stats["peak_mb"] - baseline < 25, f"peak {stats['peak_mb']:.0f} MB vs {baseline:.0f} MB for an empty file"
    assert integrity(project) == "ok"


@needs_proc
@pytest.mark.slow
def test_a_200mb_jsonl_is_streamed_with_bounded_memory(tmp_path):
    lines, project, result = _import_measured(tmp_path, 200)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["added"] == lines
    assert stats["peak_mb"] < 300, stats
    assert integrity(project) == "ok"


def test_a_bad_last_line_of_a_large_file_imports_nothing(tmp_path):
    """All-or-nothing over many write batches: line N+1 is bad, so the new project is removed."""
    lines, project, result = _import_measured(tmp_path, 8, bad_last_line=True)
    assert result.returncode != 0
    assert f"big.jsonl:{lines + 1}: malformed JSON" in result.stderr
    assert not project.exists() and not os.path.exists(f"{project}-wal")


def test_a_bad_last_line_leaves_an_existing_project_as_it_was(tmp_path):
    project = make_base_project(tmp_path)
    source = tmp_path / "big.jsonl"
    lines = _write_jsonl(source, 4, bad_last_line=True)
    before = dump(project)
    outcome = run_case(Case("big-bad-last-line", "", {}, ["import", "project.db", "big.jsonl"], ""), tmp_path)
    assert outcome.exit_code == 1
    assert outcome.stderr.strip().startswith(f"Error: big.jsonl:{lines + 1}: malformed JSON")
    assert dump(project) == before
