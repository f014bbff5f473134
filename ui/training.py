"""The Model menu: training in a background process, its result, versions, automatic retraining.

Training runs as ``python -m annotator train`` (``ModelProcess``), never in the window's
process: the reviewer goes on reviewing while it runs, a non-modal progress dialog shows it
and cancels it. When a new version becomes the one in use (better, or "Use it anyway", or
Model → Versions…), the look-ahead restarts with it and the same process re-suggests the
pending articles other versions suggested for, while the status bar counts them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from annotator.errors import ModelError
from annotator.suggest import DEFAULT_MODEL
from annotator.store import AnnotationStore
from annotator.training import MIN_ACCEPTED
from annotator.versions import in_use, model_in_use, version_path

from .dialogs.model_versions import TrainingResultDialog, VersionsDialog
from .dialogs.progress import watch
from .messages import warn
from .model_process import RESUGGESTING, ModelProcess

if TYPE_CHECKING:
    from .main_window import MainWindow



def project_model(store: AnnotationStore) -> str | None:
    """The model that suggests for the project (its version in use, else its model). A version whose
    folder is missing is still named, so the look-ahead says it cannot load it rather than
    quietly suggesting with another model."""
    try:
        return model_in_use(store)
    except ModelError:
        return str(version_path(store, in_use(store)))


class TrainingControl(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.process: ModelProcess | None = None
        self._auto_from = 0  # accepted articles when an automatic run last started
        self.result_dialog: TrainingResultDialog | None = None
        self.progress_dialog = None

    def fill_menu(self, menu) -> None:
        menu.addAction("Train now…", self.train_now)
        menu.addAction("Versions…", self.show_versions)

    @property
    def busy(self) -> bool:
        return self.process is not None and self.process.running

    # ------------------------------------------------------------ training
    def train_now(self) -> None:
        self._train(auto=False)

    def maybe_retrain(self) -> None:
        """After a decision: start a run when the project asks for one every N accepted articles
        and N more have been accepted since the last version (or the last automatic run)."""
        every = self.window.store.setting("retrain_every")
        if not every or self.busy:
            return
        accepted = self.window.store.counts().get("accepted", 0)
        last = max([self._auto_from, *(v.accepted for v in self.window.store.model_versions())])
        if accepted >= max(MIN_ACCEPTED, last + every):
            self._auto_from = accepted
            self._train(auto=True)

    def _train(self, *, auto: bool) -> None:
        if self.busy:
            self.window.status.say("the model is already being trained or switched; wait for it to finish")
            return
        process = self.process = ModelProcess.train(self.window.path, self)
        say = self.window.status.say
        if auto:
            process.progress.connect(lambda done, total, label: say(f"retraining automatically: {label.lower()}"
                                                                      + (f" {done} of {total}" if total else "…")))
            process.trained.connect(lambda result: say(" ".join(result["summary"].splitlines()), timeout=0))  # one line
            process.failed.connect(lambda message: say(f"automatic retraining failed: {message}", timeout=0))
        else:
            dialog = self.progress_dialog = watch(process, "Training", self.window)
            dialog.setWindowModality(Qt.WindowModality.NonModal)  # the reviewer goes on meanwhile...
            dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)  # ...keys still going to the article
            process.trained.connect(lambda _: (dialog.canceled.disconnect(), dialog.close()))  # closing cancels
            process.trained.connect(self._show_result)
            process.failed.connect(lambda message: warn(self.window, "Train", message))
        process.trained.connect(lambda result: self.window.follow_project_model() if result["switched"] else None)
        process.cancelled.connect(lambda: say("training cancelled; no version was kept"))
        self._follow_resuggesting(process)
        process.start()

    def _show_result(self, result: dict) -> None:
        dialog = self.result_dialog = TrainingResultDialog(result, self.window)
        dialog.use_requested.connect(self.use_version)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "result_dialog", None))
        dialog.open()

    # ------------------------------------------------------------ versions
    def show_versions(self) -> None:
        store = self.window.store
        current = in_use(store)
        dialog = VersionsDialog(store.model_versions(), current and current.id, store.setting("model") or DEFAULT_MODEL,
                                self.window)
        dialog.use_requested.connect(self.use_version)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def use_version(self, name: str) -> None:
        """Switch to version ``name`` ("v2", "base") and re-suggest, in a background process."""
        if self.busy:
            self.window.status.say("the model is already being trained or switched; wait for it to finish")
            return
        process = self.process = ModelProcess.use(self.window.path, name, self)
        process.using.connect(lambda model: (self.window.status.say(f"now suggesting with {model}"),
                                             self.window.follow_project_model()))
        process.failed.connect(lambda message: warn(self.window, "Use model version", message))
        self._follow_resuggesting(process)
        process.start()

    # --------------------------------------------------------- afterwards
    def _follow_resuggesting(self, process: ModelProcess) -> None:
        say = self.window.status.say

        def progress(done: int, total: int, label: str) -> None:
            if label == RESUGGESTING and total:
                say(f"re-suggesting pending articles with the model in use: {done} of {total}")

        def finished(lines: dict) -> None:
            if "resuggested" in lines:
                say(f"re-suggested {lines['resuggested']['articles']} pending articles with the model in use", timeout=0)

        process.progress.connect(progress)
        process.succeeded.connect(finished)

    def close(self) -> None:
        """The window closes: stop a running process cleanly (a training keeps nothing, re-suggesting
        keeps its finished batches), reporting nothing more."""
        if self.busy:
            self.process.stop()
