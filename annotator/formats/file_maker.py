"""Making many new files in one folder in a process of its own (brat's two files per article).

Creating a file costs the kernel more than anything Python does to fill it: 100,001 files
took this machine 2.5-4 s of system time. In the exporting process that time added to the
reading and formatting (a median of 6.0 s for 50,000 articles); a thread of its own made it
slower, as each of the three calls per file waited for the GIL the formatting held, and two
threads creating files in one folder took twice the system time between them. Here a child
process does nothing else while its parent reads and formats the next batch (README, Speed,
has the figures).

The parent sends batches through the child's stdin: the number of files k and the bytes of
their names (8 bytes each), k sizes (8 bytes each, native order: both ends are this machine),
the names as the file system encodes them, each ended by a NUL (which no file name holds), and
the contents one after another. The child makes each file new (never onto an existing one) in
the folder it was given, relative to that folder's descriptor. On an error it writes one line,
``ERRNO<TAB>MESSAGE<TAB>NAME``, to stderr and ends, and the parent raises that OSError. Input
that ends inside a batch means the parent is gone: the child ends without a word (the parent's
temporary folder is removed by the next export, ``files.remove_stale_temps``).
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
from array import array
from collections.abc import Sequence
from itertools import accumulate, chain
from pathlib import Path
from typing import BinaryIO

_HEAD = struct.Struct("=QQ")  # files, bytes of their names
_PIPE_SIZE = 1 << 20  # Linux's default pipe-max-size
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL  # as open(..., "x")


class FileMaker:
    """The files written with ``write`` are made in ``folder`` by a child process; use it as a
    context manager: leaving it normally waits for the last file and raises the child's error,
    if any; leaving it on an error stops the child first, so that nothing is still writing
    into the folder when the caller removes it."""

    def __init__(self, folder: Path):
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(folder)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: a batch crosses in 16 turns instead of 256
            try:
                fcntl.fcntl(self._process.stdin.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
            except OSError:
                pass  # over the system's pipe-max-size: the default size works, in more turns

    def __enter__(self) -> FileMaker:
        return self

    def write(self, names: Sequence[str], contents: Sequence[bytes]) -> None:
        """Make a new file ``names[i]`` holding ``contents[i]`` for each i (in the background)."""
        encoded = os.fsencode("".join(name + "\0" for name in names))
        try:
            for piece in (_HEAD.pack(len(names), len(encoded)), array("Q", map(len, contents)), encoded, b"".join(contents)):
                self._process.stdin.write(piece)
        except BrokenPipeError:  # the child ended: its error says why
            self._finish()
            raise OSError("the process making the files ended early") from None

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self._finish()
            return
        self._process.kill()
        self._process.wait()
        try:
            self._process.stdin.close()
        except BrokenPipeError:  # what was still buffered for it
            pass
        self._process.stderr.close()

    def _finish(self) -> None:
        """Wait for the child to make every file; raise its error."""
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        said = self._process.stderr.read().decode("utf-8", "replace")
        self._process.stderr.close()
        if self._process.wait() != 0:
            number, _, rest = said.partition("\t")
            message, _, name = rest.rstrip("\n").partition("\t")
            if number.isdigit():
                raise OSError(int(number), message, name or None)
            last = said.strip().splitlines()[-1:] or [f"exit status {self._process.returncode}"]
            raise OSError(f"the process making the files failed: {last[0]}")  # a traceback's last line says what


def make_files(folder: Path, source: BinaryIO) -> None:
    """Make the files of each batch read from ``source`` in ``folder`` until ``source`` ends."""
    where = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while head := source.read(_HEAD.size):
            count, names_size = _HEAD.unpack(_whole(head, _HEAD.size))
            sizes = array("Q")
            sizes.frombytes(_read(source, count * sizes.itemsize))
            names = _read(source, names_size).split(b"\0")
            contents = memoryview(_read(source, sum(sizes)))
            ends = list(accumulate(sizes))
            for name, start, end in zip(names, chain((0,), ends), ends):  # the loop a file costs: kept bare
                fd = os.open(name, _NEW_FILE, 0o666, dir_fd=where)
                try:
                    written = os.write(fd, contents[start:end]) if start < end else 0
                    if written < end - start:  # a short write (interrupted, or the disk's last free bytes)
                        _write_rest(fd, contents[start + written:end])
                finally:
                    os.close(fd)
    finally:
        os.close(where)


def _read(source: BinaryIO, size: int) -> bytes:
    return _whole(source.read(size), size)


def _whole(data: bytes, size: int) -> bytes:
    if len(data) < size:
        raise EOFError  # the parent ended inside a batch
    return data


def _write_rest(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data):]


def main(argv: list[str]) -> int:
    # Ctrl+C reaches the whole process group; the parent decides what it means and stops this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        make_files(Path(argv[0]), sys.stdin.buffer)
    except OSError as e:
        sys.stderr.write(f"{e.errno}\t{e.strerror}\t{os.fsdecode(e.filename or '')}\n")
        return 1
    except EOFError:
        return 1  # the parent ended inside a batch
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
