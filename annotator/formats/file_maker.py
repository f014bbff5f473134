"""Making many new files in one folder in a process of its own (brat's two files per article).

Creating a file costs the kernel more than anything Python does to fill it: 100,001 files
took this machine 2.5-3.2 s of system time when its disk was idle. In the exporting process
that time added to the reading and formatting (5.7-6.0 s for 50,000 articles); a thread
of its own made it slower, as each of the three calls per file waited for the GIL the
formatting held, and two threads creating files in one folder took twice the system time
between them. Here a child process does nothing else, while its parent reads and formats
the next batch: 3.3 s.

The parent sends batches through the child's stdin: the number of files k (8 bytes), 2k sizes
(the names' bytes, then the contents', 8 bytes each, native order: both ends are this machine),
the names (as the file system encodes them) one after another, and the contents likewise. The
child makes each file new (never onto an existing one) in the folder it was given, relative to
that folder's descriptor. On an error it writes one line, ``ERRNO<TAB>MESSAGE<TAB>NAME``, to
stderr and ends, and the parent raises that OSError. Input that ends inside a batch means the
parent is gone: the child ends without a word (the parent's temporary folder is removed by the
next export, ``files.remove_stale_temps``).
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
from pathlib import Path
from typing import BinaryIO

_COUNT = struct.Struct("=Q")
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
        encoded = [os.fsencode(name) for name in names]
        sizes = array("Q", [*map(len, encoded), *map(len, contents)])
        try:
            for piece in (_COUNT.pack(len(encoded)), sizes, b"".join(encoded), b"".join(contents)):
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
        while head := source.read(_COUNT.size):
            (count,) = _COUNT.unpack(_whole(head, _COUNT.size))
            sizes = array("Q")
            sizes.frombytes(_read(source, 2 * count * sizes.itemsize))
            names = _read(source, sum(sizes[:count]))
            contents = memoryview(_read(source, sum(sizes[count:])))
            at_name = at_content = 0
            for name_size, size in zip(sizes[:count], sizes[count:]):
                _write_new(names[at_name:at_name + name_size], contents[at_content:at_content + size], where)
                at_name += name_size
                at_content += size
    finally:
        os.close(where)


def _read(source: BinaryIO, size: int) -> bytes:
    return _whole(source.read(size), size)


def _whole(data: bytes, size: int) -> bytes:
    if len(data) < size:
        raise EOFError  # the parent ended inside a batch
    return data


def _write_new(name: bytes, data: memoryview, folder: int) -> None:
    """A new file ``name`` in the open folder ``folder`` holding ``data`` (refused if it exists)."""
    fd = os.open(name, _NEW_FILE, 0o666, dir_fd=folder)
    try:
        written = os.write(fd, data) if data else 0
        if written < len(data):  # a short write (interrupted, or the disk's last free bytes): the rest
            view = data[written:]
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)


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
