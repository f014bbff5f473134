"""Background work, in Anki's style: one writer thread, ops as small builders.

- ``TaskRunner`` owns ONE writer thread with its own ``AnnotationStore``
  connection (opened in that thread: sqlite3 connections belong to the thread
  that opened them). Store operations run there one at a time, in the order
  they were submitted; results come back to the GUI thread through queued
  signals. The GUI thread keeps a separate connection for reads only.
- ``StoreOp(runner, fn)`` wraps ``fn(store) -> Changes`` (or ``(result, Changes)``)
  with ``.success(cb)`` / ``.failure(cb)`` and ``.run()``.
- ``BackgroundJob`` runs long work (suggest the corpus, import) on its own
  thread and connection, reporting ``Progress`` and honouring a cancel flag,
  so the reviewer's decisions never queue behind it.

Callbacks always run on the GUI thread; ``fn`` runs on the writer thread and
must not touch widgets.
"""

from __future__ import annotations

import queue
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.errors import AnnotatorError, Cancelled, FileLost, is_disk_full
from annotator.model import Changes
from annotator.store import AnnotationStore


def describe_error(error: BaseException, what: str | None = None, project: Path | None = None) -> str:
    """A one-line message for the status bar or a dialog; ``what`` the failed write names, if any."""
    if isinstance(error, AnnotatorError):
        return str(error)
    if is_disk_full(error):
        # The failed transaction rolled back whole: every earlier commit is in the file.
        where = f" to {project.name}" if project is not None else ""
        return (f"Could not save {what or 'the change'}{where}: the disk is full. "
                "Nothing shown as saved was lost; free some space and try again.")
    return f"unexpected error: {type(error).__name__}: {error}"


def split_result(value) -> tuple[object, Changes | None]:
    """Store methods return Changes, (result, Changes), None (nothing to undo) or a plain value."""
    if isinstance(value, Changes):
        return value, value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], Changes):
        return value[0], value[1]
    return value, None


CHECKPOINT_IDLE_MS = 2000  # the writer's log goes into the project file once decisions pause this long


class _Job:
    __slots__ = ("fn", "on_success", "on_failure", "initiator", "what", "future")

    def __init__(self, fn, on_success, on_failure, initiator, what=None):
        self.fn, self.on_success, self.on_failure, self.initiator = fn, on_success, on_failure, initiator
        self.what = what  # what the write saves, for a message when it cannot ("the acceptance of article 3")
        self.future: Future = Future()


class TaskRunner(QObject):
    """Runs store writes one at a time on the writer thread."""

    finished = Signal(object, object)  # Changes, initiator (whoever asked; views skip their own)
    failed = Signal(str)
    busy = Signal(float)  # seconds waited for another program's write lock
    idle = Signal()  # the queue drained: nothing in flight
    file_lost = Signal(str)  # why: the project file was deleted or replaced; every later write is refused
    _done = Signal(object, object, object)  # job, result, error (crosses threads: queued)

    def __init__(self, path: Path, annotator: str, parent: QObject | None = None):
        super().__init__(parent)
        self.path, self.annotator = Path(path), annotator
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._pending = 0
        self._closed = False
        self._lock = threading.Lock()  # the look-ahead worker submits from its own thread
        self._done.connect(self._deliver)
        self._thread = threading.Thread(target=self._loop, name="annotator-writer", daemon=True)
        self._thread.start()
        # The writer defers SQLite's checkpoints (see AnnotationStore.defer_checkpoints); they run on
        # a thread of their own once the queue has been idle a while, never inside a decision.
        self._checkpoint_timer = QTimer(self, singleShot=True, interval=CHECKPOINT_IDLE_MS)
        self._checkpoint_timer.timeout.connect(self._checkpoint)
        self.idle.connect(self._checkpoint_timer.start)
        self._checkpointer: threading.Thread | None = None
        self.lost: str | None = None

    def submit(self, fn: Callable[[AnnotationStore], object], *, on_success=None, on_failure=None, initiator=None,
               what: str | None = None) -> Future:
        """Queue ``fn``; the returned Future also lets a worker thread wait for the result.

        Safe to call from any thread; callbacks still run on the GUI thread.
        """
        job = _Job(fn, on_success, on_failure, initiator, what)
        with self._lock:
            self._pending += 1
        self._queue.put(job)
        return job.future

    @property
    def in_flight(self) -> bool:
        return self._pending > 0

    def close(self, timeout: float = 10.0) -> None:
        """Let queued writes finish, then close the writer's connection.

        Results still on their way to the GUI are dropped: the window that
        asked for them is closing and its read connection is gone.
        """
        self._closed = True
        self._checkpoint_timer.stop()
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
        if self._checkpointer is not None:
            self._checkpointer.join(timeout)

    def _checkpoint(self) -> None:
        if self._closed or self.lost or self.in_flight or (self._checkpointer is not None and self._checkpointer.is_alive()):
            return
        self._checkpointer = threading.Thread(target=self._run_checkpoint, name="annotator-checkpoint", daemon=True)
        self._checkpointer.start()

    def _run_checkpoint(self) -> None:
        try:
            AnnotationStore.checkpoint(self.path)
        except Exception:  # noqa: BLE001 - nothing is lost: the log keeps every commit, and the next pause tries again
            pass

    def _deliver(self, job: _Job, result, error) -> None:
        if self._closed:
            return
        with self._lock:
            self._pending -= 1
            drained = self._pending == 0
        if isinstance(error, FileLost) and self.lost is None:
            self.lost = error.reason
            self.file_lost.emit(error.reason)
        if error is not None:
            message = describe_error(error, job.what, self.path)
            if job.on_failure is not None:
                job.on_failure(message)
            else:
                self.failed.emit(message)
        else:
            value, changes = split_result(result)
            if changes is not None:
                self.finished.emit(changes, job.initiator)
            if job.on_success is not None:
                job.on_success(value)
        if drained:
            self.idle.emit()

    # ---------------------------------------------------------- writer thread
    def _loop(self) -> None:
        store: AnnotationStore | None = None
        try:
            while (job := self._queue.get()) is not None:
                try:
                    if store is None:
                        store = AnnotationStore.open(self.path, annotator=self.annotator)
                        store.on_busy = self.busy.emit
                        store.defer_checkpoints()
                    result = job.fn(store)  # every write transaction first checks the file (store.file_lost)
                except BaseException as e:  # every failure goes back to the GUI, never kills the thread
                    job.future.set_exception(e)
                    self._done.emit(job, None, e)
                else:
                    job.future.set_result(result)
                    self._done.emit(job, result, None)
        finally:
            if store is not None:
                store.close()


class StoreOp:
    """An undoable store operation, built then run (Anki's CollectionOp)."""

    def __init__(self, runner: TaskRunner, fn: Callable[[AnnotationStore], object], *, initiator=None,
                 what: str | None = None):
        self._runner, self._fn, self._initiator, self._what = runner, fn, initiator, what
        self._success: Callable | None = None
        self._failure: Callable[[str], None] | None = None

    def success(self, callback: Callable) -> StoreOp:
        self._success = callback
        return self

    def failure(self, callback: Callable[[str], None]) -> StoreOp:
        self._failure = callback
        return self

    def run(self) -> Future:
        return self._runner.submit(self._fn, on_success=self._success, on_failure=self._failure,
                                   initiator=self._initiator, what=self._what)


class BackgroundJob(QObject):
    """Long work on its own thread and connection: ``fn(store, on_progress, should_cancel)``.

    ``progress(done, total, label)``, then exactly one of ``succeeded(result)``,
    ``cancelled()`` or ``failed(message)``.
    """

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, path: Path, annotator: str, fn: Callable):
        # No Qt parent: the thread may outlive a closing window by a moment, and must
        # never emit from a deleted object.
        super().__init__()
        self._path, self._annotator, self._fn = Path(path), annotator, fn
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._main, name="annotator-job", daemon=True)

    def start(self) -> BackgroundJob:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def abandon(self) -> None:
        """Whoever watched is going away: stop soon, and report nothing more."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # PySide warns when a signal had no connection
            for signal in (self.progress, self.succeeded, self.cancelled, self.failed):
                signal.disconnect()
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _main(self) -> None:
        store = None
        try:
            store = AnnotationStore.open(self._path, annotator=self._annotator)
            result = self._fn(
                store,
                lambda p: self.progress.emit(p.done, p.total, p.label),
                self._cancel.is_set,
            )
        except Cancelled:
            self.cancelled.emit()
        except BaseException as e:
            self.failed.emit(describe_error(e, None, self._path))
        else:
            if self._cancel.is_set():
                self.cancelled.emit()
            else:
                self.succeeded.emit(result)
        finally:
            if store is not None:
                store.close()
