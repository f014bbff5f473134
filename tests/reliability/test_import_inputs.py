"""Import of odd inputs: every problem is an InputError naming its file (and line), never another exception,
and a FIFO is never waited on."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import InputError
from annotator.importing import import_files
from annotator.labels import make_labels
from annotator.store import AnnotationStore

from ._support import run_python

# Pieces of JSONL lines, valid or not: what a broken exporter or a hostile file holds.
ATOMS = [
    "0", "1", "-1", "3", "1.5", "-0", "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "9" * 5000, "-" + "7" * 4301,
    "null", "true", "false", '""', '" "', '"a b c d e f"', '"PERSON"', '"PERSON "', '"Cafe\\u0301"', '"\\u200b"',
    '"\\ufeff\\u2060"', '"\\ud800"', '"\\u0000"', '"\\u202eX"', '"A\\tB"', '"😀"', "[]", "{}", "[" * 3000 + "]" * 3000,
]
KEYS = ['"text"', '"meta"', '"spans"', '"start"', '"end"', '"label"', '"title"', '"x"']
RAW = ["{", "}", "[", "]", ",", ":", " ", '"', "\\", "\xff", "\x00", "\ufeff", "\r"]


def _json(children):
    return st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(KEYS), children), max_size=5).map(
            lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
        ),
    )


values = st.recursive(st.sampled_from(ATOMS), _json, max_leaves=12)
spans = st.lists(
    st.fixed_dictionaries({}, optional={'"start"': values, '"end"': values, '"label"': values}).map(
        lambda d: "{" + ",".join(f"{k}:{v}" for k, v in d.items()) + "}"
    ),
    max_size=3,
).map(lambda items: "[" + ",".join(items) + "]")
records = st.fixed_dictionaries(
    {'"text"': st.one_of(st.sampled_from(['"Ada Lovelace met Babbage."', '"abc"']), values)},
    optional={'"meta"': values, '"title"': values, '"spans"': st.one_of(spans, values)},
).map(lambda d: "{" + ",".join(f"{k}:{v}" for k, v in d.items()) + "}")
lines = st.one_of(
    records,
    values,
    st.tuples(records, st.integers(0, 60), st.lists(st.sampled_from(RAW), min_size=1, max_size=3)).map(
        lambda t: t[0][: t[1]] + "".join(t[2]) + t[0][t[1]:]  # a valid record with junk cut into it
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=lines)
def test_any_line_is_imported_or_refused_with_its_file_and_line(line):
    store = AnnotationStore.memory()
    folder = tempfile.TemporaryDirectory()
    try:
        store.add_labels(make_labels(["PERSON", "ORG"]))
        path = Path(folder.name) / "in.jsonl"
        path.write_bytes(b'{"text": "A good first line."}\n' + line.encode("utf-8", "surrogatepass") + b"\n")
        before = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        try:
            report = import_files(store, [path], add_labels=True)
        except InputError as e:
            assert str(e).startswith(f"{path}:2: "), str(e)
            assert "\n" not in str(e)
            assert store.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == before
        else:
            assert report.added >= 1
    finally:
        store.close()
        folder.cleanup()


FIFO_READER = """
import sys
from pathlib import Path
from annotator.errors import InputError
from annotator.importing import read_jsonl, read_txt

for path, read in ((Path(sys.argv[1]), lambda p: read_txt(p, p.name)), (Path(sys.argv[2]), lambda p: list(read_jsonl(p)))):
    try:
        read(path)
        print("read")
    except InputError as e:
        print(e)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_a_file_is_refused_without_waiting_for_a_writer(tmp_path):
    """A file replaced by a FIFO after collect_files looked: opening it must not wait for a writer that never comes.

    Run in another process so a regression fails on the timeout instead of hanging the suite.
    """
    fifo_txt, fifo_jsonl = tmp_path / "a.txt", tmp_path / "b.jsonl"
    os.mkfifo(fifo_txt)
    os.mkfifo(fifo_jsonl)
    result = run_python(["-c", FIFO_READER, str(fifo_txt), str(fifo_jsonl)], timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{fifo_txt}: is a FIFO (named pipe), not a file",
        f"{fifo_jsonl}: is a FIFO (named pipe), not a file",
    ]


def test_a_file_name_that_is_not_utf8_is_stored_with_a_replacement_character(tmp_path):
    """Python keeps such a name's bytes as lone surrogates, which SQLite refuses; the articles still import."""
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        (Path(os.fsdecode(bytes(folder))) / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"Hello there.")
        (Path(os.fsdecode(bytes(folder))) / os.fsdecode(b"\xff.jsonl")).write_bytes(
            b'{"text": "Ada met Babbage.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}]}\n'
        )
    except (OSError, UnicodeError):
        pytest.skip("this file system keeps only UTF-8 names")
    store = AnnotationStore.memory()
    try:
        store.add_labels(make_labels(["PERSON"]))
        report = import_files(store, [folder])
        assert (report.added, report.spans) == (2, 1)
        metas = store.conn.execute("SELECT meta FROM articles ORDER BY id").fetchall()
        assert metas == [('{"file": "caf\ufffd.txt"}',), ("{}",)]
        sources = store.conn.execute("SELECT name FROM sources").fetchall()
        assert ("\ufffd.jsonl",) in sources, sources
    finally:
        store.close()
