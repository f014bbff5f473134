"""Reading a project on a second connection in a thread of its own, a few batches ahead of the caller.

SQLite releases the GIL while it works, so the export's queries (which build
each article's JSON in C) run while the caller formats and writes the batch
before: on two cores the export takes about the longer of the two, not their
sum. The connection is opened, used and closed by that thread (a connection
belongs to the thread that opened it) and is read-only: it sees what is
committed, as any reader beside the GUI does.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
DEPTH = 2  # batches read ahead: enough to keep both sides busy, little memory
_OPENED, _DONE = object(), object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def read_ahead(
    connect: Callable[[], sqlite3.Connection], read: Callable[[sqlite3.Connection], Iterator[T]],
) -> Iterator[T] | None:
    """``read(connection)``'s items, made in a thread that opened the connection with ``connect``;
    None when ``connect`` raised sqlite3.Error (the caller reads on its own connection instead).
    An error while reading is raised here; closing the iterator stops the thread."""
    items: queue.Queue = queue.Queue(DEPTH)
    stop = threading.Event()
    thread = threading.Thread(target=_run, args=(connect, read, items, stop), name="annotator-read-ahead", daemon=True)
    thread.start()
    if items.get() is not _OPENED:
        thread.join()
        return None
    return _drain(items, stop, thread)


def _drain(items: queue.Queue, stop: threading.Event, thread: threading.Thread) -> Iterator:
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


def _run(connect, read, items: queue.Queue, stop: threading.Event) -> None:
    try:
        conn = connect()
    except sqlite3.Error:
        items.put(None)
        return
    items.put(_OPENED)
    try:
        for item in read(conn):
            if not _put(items, item, stop):
                return
        _put(items, _DONE, stop)
    except BaseException as e:  # handed to the reader, which raises it
        _put(items, _Failed(e), stop)
    finally:
        conn.close()


def _put(items: queue.Queue, item, stop: threading.Event) -> bool:
    """Put ``item`` once there is room; False when the reader stopped first."""
    while not stop.is_set():
        try:
            items.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
