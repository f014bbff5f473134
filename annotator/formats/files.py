"""Writing an export atomically: a file (or stdout) or a folder appears complete or not at all.

Everything goes to a temporary file or folder beside the target, which replaces
it only when everything was written; on any error or cancel the temporary is
removed. Nothing is ever written onto a project (``targets.refuse_data_file``).
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from ..errors import AnnotatorError, InputError, is_disk_full
from ..targets import refuse_data_file


def _temporary(out: Path) -> Path:
    # Not mkstemp: its files are private (0600); this one gets the usual mode from the umask.
    return out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def _check_parent(out: Path) -> None:
    if not out.parent.is_dir():
        raise InputError(f"{out}: folder {out.parent} does not exist")
    refuse_data_file(out)
    remove_stale_temps(out)


def remove_stale_temps(out: Path) -> list[Path]:
    """Delete the temporary files that killed exports to ``out`` left beside it; returns them.

    A temporary file or folder is ``.NAME.PID.HEX.tmp``; one whose process no longer runs
    is stale (a running export's, here or in another process, is left alone).
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(\d+)\.[0-9a-f]{{8}}\.tmp")
    removed = []
    for path in out.parent.glob(f".{glob.escape(out.name)}.*.tmp"):
        found = pattern.fullmatch(path.name)
        if found and not _running(int(found.group(1))):
            try:
                if path.is_dir() and not path.is_symlink():  # a killed folder export's (brat)
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            except OSError:
                continue  # not ours to remove (another user's, in a sticky folder): it does not stop this export
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or not a pid at all): leave its file alone
    return True


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
    except BaseException as e:
        temp.unlink(missing_ok=True)
        _say_if_disk_full(e, out)
        raise


def write_together(contents: dict[Path, bytes]) -> None:
    """Write a set of files that only make sense together (a DocBin's train, dev and config.cfg):
    each goes to a temporary file beside it, and only when every one is written are they renamed
    onto their targets. Any failure before that removes the temporaries and changes no target."""
    for out in contents:
        if out.is_dir():
            raise InputError(f"{out}: is a folder; give a file name to export to")
        _check_parent(out)
    temps: list[Path] = []
    try:
        for out, data in contents.items():
            temps.append(_temporary(out))
            with open(temps[-1], "xb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
    except BaseException as e:
        for temp in temps:
            temp.unlink(missing_ok=True)
        _say_if_disk_full(e, next(iter(contents)))
        raise
    for temp, out in zip(temps, contents):
        os.replace(temp, out)


@contextmanager
def atomic_folder(out: str | Path, *, retry: str = "export") -> Iterator[Path]:
    """A folder to write ``out``'s files into; ``out`` must not exist or be an empty folder.
    ``retry`` names what to do again once the disk has room ("export", "train").

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
    except BaseException as e:
        shutil.rmtree(temp, ignore_errors=True)
        _say_if_disk_full(e, out, retry)
        raise


def _say_if_disk_full(error: BaseException, out: Path, retry: str = "export") -> None:
    if is_disk_full(error):
        raise AnnotatorError(f"{out}: the disk is full; nothing was written (free some space and {retry} again)") from None
