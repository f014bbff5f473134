"""The child process that makes a folder export's files (brat's): what it makes, and how it ends."""

from __future__ import annotations

import errno
import time

import pytest

from annotator.formats.file_maker import FileMaker


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_it_makes_each_file_with_its_bytes_batch_after_batch(tmp_path):
    big = bytes(range(256)) * 4096  # 1 MiB: more than a pipe holds at once
    with FileMaker(tmp_path) as files:
        files.write(["a.txt", "a.ann", "é €.txt"], ["Zürich 😀\r\n".encode(), b"", big])
        files.write([f"{n:06d}.txt" for n in range(1, 501)], [f"text {n}".encode() for n in range(1, 501)])
    made = _files(tmp_path)
    assert made["a.txt"] == "Zürich 😀\r\n".encode()
    assert made["a.ann"] == b""
    assert made["é €.txt"] == big
    assert len(made) == 503 and made["000500.txt"] == b"text 500"


def test_a_file_that_exists_is_not_written_over_and_its_error_is_raised(tmp_path):
    (tmp_path / "b.txt").write_bytes(b"kept")
    with pytest.raises(OSError) as caught:
        with FileMaker(tmp_path) as files:
            files.write(["a.txt", "b.txt", "c.txt"], [b"a", b"new", b"c"])
    assert caught.value.errno == errno.EEXIST
    assert caught.value.filename == "b.txt"
    assert _files(tmp_path) == {"a.txt": b"a", "b.txt": b"kept"}  # it stopped at the first error


def test_a_folder_that_is_gone_is_an_error_of_its_own(tmp_path):
    with pytest.raises(OSError) as caught:
        with FileMaker(tmp_path / "missing") as files:
            files.write(["a.txt"], [b"a"])
    assert caught.value.errno == errno.ENOENT


def test_leaving_on_an_error_stops_the_child_before_the_caller_cleans_up(tmp_path):
    """The caller removes the folder next (``atomic_folder``): nothing may still be writing into it."""
    with pytest.raises(RuntimeError):
        with FileMaker(tmp_path) as files:
            files.write([f"{n:06d}.txt" for n in range(20_000)], [b"x" * 100] * 20_000)
            raise RuntimeError("cancelled")
    made = len(list(tmp_path.iterdir()))
    time.sleep(0.3)
    assert len(list(tmp_path.iterdir())) == made < 20_000


def test_a_child_that_cannot_start_its_work_is_named_by_its_last_words(tmp_path, monkeypatch):
    """A child that fails before making anything (here: a Python without the package) says why in
    one line, not a traceback."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                    "echo \"ModuleNotFoundError: No module named 'annotator'\" >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr("sys.executable", str(fake))
    with pytest.raises(OSError) as caught:
        with FileMaker(tmp_path) as files:
            files.write(["a.txt"], [b"a"])
    assert str(caught.value) == "the process making the files failed: ModuleNotFoundError: No module named 'annotator'"
