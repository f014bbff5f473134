"""A progress dialog for long background work: it appears only after 600 ms (Anki's rule), and Cancel stops the job."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from ..tasks import BackgroundJob

SHOW_AFTER_MS = 600


def watch(job: BackgroundJob, label: str, parent) -> QProgressDialog:
    """Tie a job to a delayed progress dialog that closes itself when the job ends."""
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(label)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    dialog.canceled.connect(job.cancel)

    def on_progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        dialog.setLabelText(f"{text}… {done} of {total}" if total else f"{text}…")

    job.progress.connect(on_progress)
    for ended in (job.succeeded, job.cancelled, job.failed):
        ended.connect(dialog.close)
    dialog.setValue(0)  # starts Qt's show-after timer even before the first report
    return dialog
