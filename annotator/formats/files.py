"""Writing an export atomically: a file (or stdout) or a folder appears complete or not at all.

Everything goes to a temporary file or folder beside the target, which replaces
it only when everything was written; on any error or cancel the temporary is
removed. Nothing is ever written onto a project (``targets.refuse_data_file``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from ..errors import InputError
from ..targets import refuse_data_file


def _temporary(out: Path) -> Path:
    # Not mkstemp: its files are private (0600); this one gets the usual mode from the umask.
    return out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def _check_parent(out: Path) -> None:
    if not out.parent.is_dir():
        raise InputError(f"{out}: folder {out.parent} does not exist")
    refuse_data_file(out)


@contextmanager
def atomic_text(out: str | Path, newline: str = "\n") -> Iterator[TextIO]:
    """A UTF-8 text file to write ``out`` through; ``"-"`` is stdout (written as it goes)."""
    with _atomic(out, sys.stdout, "x", encoding="utf-8", newline=newline) as f:
        yield f


@contextmanager
def atomic_bytes(out: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write ``out`` through (a DocBin, say); ``"-"`` is stdout's bytes."""
    with _atomic(out, sys.stdout.buffer, "xb") as f:
        yield f


@contextmanager
def _atomic(out: str | Path, stdout, mode: str, **kwargs) -> Iterator:
    if str(out) == "-":
        yield stdout
        return
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out}: is a folder; give a file name to export to")
    _check_parent(out)
    temp = _temporary(out)
    try:
        with open(temp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """A folder to write ``out``'s files into; ``out`` must not exist or be an empty folder.

    A folder with files in it is refused rather than merged into: files left
    from an earlier export would be read back as part of this one.
    """
    out = Path(out)
    if str(out) == "-":
        raise InputError("this format writes a folder; give a folder name, not - (stdout)")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; this format writes a folder, give a new folder name")
    if out.is_dir() and any(out.iterdir()):
        raise InputError(f"{out}: folder is not empty; give a new or empty folder to export to")
    _check_parent(out)
    temp = _temporary(out)
    temp.mkdir()
    try:
        yield temp
        if out.is_dir():
            out.rmdir()  # empty, checked above: os.replace cannot put a folder onto a folder
        os.replace(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
