"""``python -m annotator train|models use ... --progress-lines`` as a background process.

Training holds a core for minutes: in its own process it never slows the window, and Cancel
is SIGTERM (QProcess.terminate), which the command turns into a clean stop (no version kept).
The command writes JSON lines: ``progress`` (done, total, label), ``result`` (the trained
version and its scores), ``using`` (after a switch) and ``resuggested`` (articles re-suggested
with the version in use, which the command does after a switch, batch by batch).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

RESUGGESTING = "Suggesting entities"  # the label of re-suggesting's progress
STOP_WAIT_MS = 10_000  # a closing window or dialog waits this long for a clean stop (it then keeps nothing half-made)


class ModelProcess(QObject):
    """One run of a training command. ``progress(done, total, label)``; ``trained(result)`` once
    the version is saved, or ``using(model)`` once switched (re-suggesting may follow); then
    exactly one of ``succeeded(lines)``, ``cancelled()`` or ``failed(message)``."""

    progress = Signal(int, int, str)
    trained = Signal(dict)
    using = Signal(str)  # after ``models use``: what suggests now
    succeeded = Signal(dict)  # the last line of each kind
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, args: list[str], parent: QObject | None = None):
        super().__init__(parent)
        self.args = [*args, "--progress-lines"]
        self.lines: dict[str, dict] = {}
        self._cancelling = False
        self._buffer = b""
        self.process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        self.process.setProcessEnvironment(environment)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)

    @classmethod
    def train(cls, project: Path, parent: QObject | None = None) -> ModelProcess:
        return cls(["train", str(project)], parent)

    @classmethod
    def use(cls, project: Path, version: str, parent: QObject | None = None) -> ModelProcess:
        return cls(["models", "use", str(project), version], parent)

    PROGRAM = ["-m", "annotator"]  # what runs the command (tests may run it another way)

    def start(self) -> ModelProcess:
        self.process.start(sys.executable, [*self.PROGRAM, *self.args])
        return self

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def cancel(self) -> None:
        """Stop at the command's next safe point: training keeps nothing, re-suggesting keeps its finished batches."""
        if self.running:
            self._cancelling = True
            self.process.terminate()

    def wait(self, msecs: int) -> bool:
        return self.process.waitForFinished(msecs)

    def stop(self) -> None:
        """Its window or dialog closes: cancel, reporting nothing more, and wait for a clean stop
        (killed after STOP_WAIT_MS)."""
        if self.running:
            self.blockSignals(True)
            self.cancel()
            if not self.wait(STOP_WAIT_MS):
                self.process.kill()
                self.wait(STOP_WAIT_MS)

    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                report = json.loads(line)
            except ValueError:
                continue  # not one of ours (a library printing to stdout)
            kind = report.pop("kind", None)
            self.lines[kind] = report
            if kind == "progress":
                self.progress.emit(report["done"], report["total"], report["label"])
            elif kind == "result":
                self.trained.emit(report)
            elif kind == "using":
                self.using.emit(report["model"])

    def _finished(self, code: int, _status) -> None:
        self._read()
        if code == 0:
            self.succeeded.emit(self.lines)
        elif self._cancelling:
            self.cancelled.emit()
        else:
            errors = bytes(self.process.readAllStandardError()).decode("utf-8", "replace").strip().splitlines()
            said = next((line.removeprefix("Error: ") for line in reversed(errors) if line.startswith("Error: ")), None)
            self.failed.emit(said or f"the background process stopped (exit code {code})")

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.failed.emit(f"could not start {sys.executable} -m annotator: {self.process.errorString()}")
