"""The main window: composes the review view, label bar, queue and status bar, and routes Changes.

Reads go through the GUI thread's own connection (``self.store``); every
write goes through the ``TaskRunner``'s writer thread. Keys come only from
``annotator_ui.actions.ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QFileDialog, QLayout, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget,
)

from annotator.errors import AnnotatorError, UnknownLabels
from annotator.model import Article, Changes, ReviewOrder, Status
from annotator.store import AnnotationStore

from . import label_edits, label_setup, propagation
from .actions import ACTIONS, resolve_keys
from .decision_bar import DecisionBar
from .dialogs.export_dialog import ExportChoice, ExportDialog
from .dialogs.import_dialog import ImportChoice, ImportDialog, choose_import_files, choose_import_folder
from .dialogs.keyboard_map import KeyboardMapDialog
from .dialogs.patterns import PatternsDialog
from .dialogs.progress import watch
from .dialogs.search import SearchDialog
from .dialogs.sessions import SessionsDialog, SummaryBox
from .dialogs.settings_dialog import SettingsDialog, SettingsValues
from .entity_list import EntityList, WidthWatcher
from .label_bar import LabelBar
from .label_colors import choose_label_color
from .messages import ask, warn
from .one_press import OnePressKeys
from .label_picker import LabelPicker
from .lookahead import SuggestionWorker
from .queue_panel import FILTER_SETTING, QueuePanel
from .review_controller import IDLE, REVIEWING, ReviewController
from .review_view import ReviewView
from .settings import Settings
from .status_bar import StatusBar
from .tasks import BackgroundJob, StoreOp, TaskRunner
from .tokenizer import Tokenizer
from .training import TrainingControl, project_model

PACE_REFRESH_MS = 30_000
POSITION_SAVE_MS = 2000  # the remembered position is written once the reviewer pauses this long
WATCH_MS = 1000  # how soon another window's or a terminal's changes to the project show here
TOKEN_JOB_DELAY_MS = 1000  # the background tokens job starts once the first article is up, not before its paint
LOCKED_MESSAGE = "waiting for the project (locked by another program)…"
LOST_REASONS = {"deleted": "deleted", "replaced": "replaced by another file", "overwritten": "overwritten"}
ARTICLE_MIN_WIDTH = 320  # px: the article column keeps about 35 characters a line
QUEUE_WIDTH, QUEUE_MIN_WIDTH = 260, 160
WINDOW_MIN_WIDTH, WINDOW_MIN_HEIGHT = ARTICLE_MIN_WIDTH + 40, 300
BUTTONS_FIT_HEIGHT = 440  # a window lower than this hides the decision buttons (their keys still work)
QUEUE_FITS_WIDTH = 760  # a window narrower than this hides the queue (the toggle key shows it again)
_windows: list[MainWindow] = []  # windows opened from File → Open live until they close


class MainWindow(QMainWindow):
    def __init__(
        self,
        store: AnnotationStore,
        *,
        settings: Settings,
        model: str | None = None,
        worker_factory: Callable[..., SuggestionWorker] | None = SuggestionWorker,
        show_summary: bool = True,
        store_tokens: bool = True,
    ):
        """``store`` is the GUI thread's read connection; ``worker_factory=None`` runs without a model;
        ``store_tokens``: tokenize the articles that have no tokens in the background (``_store_tokens``)."""
        super().__init__()
        self.store, self.settings, self.show_summary = store, settings, show_summary
        self.path = Path(store.path)
        self._model_given = model  # --model: also used for projects opened from this window
        self.model = model or project_model(store) or settings.model
        self.session_id: int | None = None
        self._jobs: list[BackgroundJob] = []
        self._token_job: BackgroundJob | None = None
        self._tokens_again = False  # articles arrived while the token job ran: run it once more
        self._store_tokens_on = store_tokens
        self._closed = False
        # Where the reviewer is goes to the settings when they pause (and on closing), not on every article.
        self._position_timer = QTimer(self, singleShot=True, interval=POSITION_SAVE_MS)
        self._position_timer.timeout.connect(self._save_position)
        # The queue, counts and pace follow a decision once the next article is painted, in one
        # refresh that folds every change since.
        self._chrome_changes = Changes()
        self._chrome_article: list[Article | None] = []  # [the article now shown] when it changed
        self.file_lost: str | None = None  # why the project file is no longer the one opened, once found
        self._lost_box: QMessageBox | None = None
        self._copy_saved = False  # since the file was lost
        self.setWindowTitle(f"{self.path.name}{' (read-only)' if store.read_only else ''} — annotator")

        self.runner = TaskRunner(self.path, store.annotator, self)
        self.tokenizer = Tokenizer(self).start()
        self.view = ReviewView()
        self.label_bar = LabelBar()
        self.picker = LabelPicker(self)
        self.controller = ReviewController(self.view, self.label_bar, self.picker, self.runner, store, self.tokenizer, self)
        self.queue = QueuePanel(store)
        self.status = StatusBar()
        # --- for the mouse: decision buttons and progress under the article, the entity list beside it
        self.decisions = DecisionBar()
        self.entity_list = EntityList(self.view)
        WidthWatcher(self, self.entity_list)
        self.label_bar.recolor_requested.connect(lambda label: choose_label_color(self, self.runner, label, self.status.say))
        # ---
        if store.read_only:
            self.status.set_read_only(store.read_only)
        self._compose()

        self.actions_by_id: dict[str, QAction] = {}
        self.training = TrainingControl(self)
        self.word_vectors = None  # Model → Word vectors…, while open (closing the window stops its fetch)
        self.one_press = OnePressKeys(self)  # a held decision key decides once, even unflagged X repeats
        self._build_menus()
        self.decisions.bind(self.actions_by_id)
        self._wire()

        self.worker: SuggestionWorker | None = None
        self._worker_factory = worker_factory
        if worker_factory is not None:
            self.controller.article_changed.connect(self._look_ahead)
            self._start_worker()
        else:
            self.status.set_model_state("off")

        self.controller.set_labels(store.labels())
        self.runner.submit(lambda s: s.start_session(), on_success=self._session_started)
        self._show_first()
        self._refresh_progress()
        self._refresh_undo()
        if settings.geometry is not None:
            self.restoreGeometry(settings.geometry)
        else:
            self.resize(1200, 780)
        self._pace_timer = QTimer(self, interval=PACE_REFRESH_MS)
        self._pace_timer.timeout.connect(self._refresh_pace)
        self._pace_timer.start()
        self._seen_version = store.data_version()
        QTimer.singleShot(TOKEN_JOB_DELAY_MS, self, self._store_tokens)
        self._watch_timer = QTimer(self, interval=WATCH_MS)
        self._watch_timer.timeout.connect(self._watch_project)
        self._watch_timer.start()

    # ---------------------------------------------------------------- layout
    def _compose(self) -> None:
        review = QWidget()
        review.setMinimumWidth(ARTICLE_MIN_WIDTH)
        self.queue.setMinimumWidth(QUEUE_MIN_WIDTH)
        column = QVBoxLayout(review)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.label_bar)
        column.addWidget(self.view, 1)
        column.addWidget(self.decisions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.queue)
        splitter.addWidget(review)
        splitter.addWidget(self.entity_list)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 1)  # a wide window gives the entity list a share too
        splitter.setSizes([QUEUE_WIDTH, 760, 380])  # queue, article, entity list
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        # The panels beside the article hide themselves in a narrow window, on its resize event. The
        # layout's minimum would stop the window short of that width (at the sum of every panel's
        # minimum) before the event came, so the window has a minimum of its own: the article's.
        self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumSize(WINDOW_MIN_WIDTH, WINDOW_MIN_HEIGHT)
        self._queue_hidden_for_width = False  # hidden by a narrow window, not by the reviewer
        self.setStatusBar(self.status)
        self.view.setFocus()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        menus = {name: bar.addMenu(f"&{name}") for name in ("File", "Edit", "View", "Review", "Model", "Help")}
        file_items = [
            ("New project…", self.new_project),
            ("Open project…", self.open_project),
            ("Import…", self.import_files),
            ("Import a folder…", self.import_folder),
            ("Export…", self.export_files),
            ("Save a copy as…", self.save_copy),
            ("Suggest all…", self.suggest_all),
        ]
        for text, slot in file_items:
            menus["File"].addAction(text, slot)
        menus["File"].addSeparator()
        for action_id, spec in ACTIONS.items():
            target = self.controller if spec.context == "review" else self
            handler = getattr(target, spec.handler)
            action = QAction(spec.text, self)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setAutoRepeat(spec.auto_repeat)
            action.triggered.connect(partial(handler, spec.arg) if spec.arg is not None else (lambda _=False, h=handler: h()))
            menus[spec.menu].addAction(action)
            self.addAction(action)
            self.actions_by_id[action_id] = action
            if action_id == "redo":
                menus["Edit"].addSeparator()
        menus["Review"].addSeparator()
        menus["Review"].addAction("Apply to pending articles…", self.apply_to_pending)
        menus["Review"].addAction("Add model suggestions to this article", self.add_model_suggestions)
        self.least_sure_first = menus["Review"].addAction("Least sure first")
        self.least_sure_first.setCheckable(True)
        self.least_sure_first.setChecked(self.store.review_order() is ReviewOrder.LEAST_SURE)
        self.least_sure_first.toggled.connect(self.set_least_sure_first)
        menus["Edit"].addAction("Rename label…", self.rename_label)
        menus["Edit"].addAction("Remove label…", self.remove_label)
        menus["Edit"].addAction("Labels and mapping…", self.show_label_map)
        menus["Edit"].addAction("Patterns…", self.open_patterns)
        menus["Edit"].addAction("Settings…", self.open_settings)
        menus["Help"].addAction("Session summaries", self.show_sessions)
        self.training.fill_menu(menus["Model"])
        menus["Model"].addAction("Word vectors…", self.show_word_vectors)
        self._apply_keys()

    def _apply_keys(self) -> None:
        keys, problems = resolve_keys(self.settings.shortcuts)
        for action_id, action in self.actions_by_id.items():
            action.setShortcuts([QKeySequence(k, QKeySequence.SequenceFormat.PortableText) for k in keys[action_id]])
        self.keys = self.controller.keys = keys
        self.one_press.set_keys(k for action_id, spec in ACTIONS.items() if not spec.auto_repeat for k in keys[action_id])
        if problems:
            self.status.say("shortcut settings: " + "; ".join(problems), timeout=0)

    def _wire(self) -> None:
        self.runner.finished.connect(self._on_changes)
        self.runner.failed.connect(self.status.say)
        self.runner.busy.connect(lambda _waited: self.status.say(LOCKED_MESSAGE, timeout=2000))
        self.runner.file_lost.connect(self._on_file_lost)
        QApplication.instance().applicationStateChanged.connect(self._on_application_state)
        self.status.file_lost.clicked.connect(self.save_copy)
        self.status.check.clicked.connect(self.check_integrity)
        self.controller.message.connect(self.status.say)
        self.controller.unreadable.connect(lambda message: (self.status.say(message, timeout=0), self.status.check.show()))
        self.controller.article_changed.connect(self._on_article_changed)
        self.queue.article_activated.connect(self.controller.go_to)
        self.queue.filter_changed.connect(self._remember_filter)
        self.label_bar.more_requested.connect(self.controller.pick_label)

    def _show_first(self) -> None:
        remembered = self.settings.last_position(self.path)
        if remembered is not None and self.store.article(remembered) is None:
            remembered = None
        first = remembered or self.store.next_to_review(None) or self.store.neighbour(None)
        self.controller.show(first)
        if first is None:
            self.status.say("this project has no articles yet: File → Import… adds some", timeout=0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        narrow = self.width() < QUEUE_FITS_WIDTH
        if narrow and not self.queue.isHidden():
            self.queue.hide()
            self._queue_hidden_for_width = True
        elif not narrow and self._queue_hidden_for_width:
            self.queue.show()
            self._queue_hidden_for_width = False
        # The buttons are for the mouse, and every one has its key: a low window gives their row to the text.
        self.decisions.setVisible(self.height() >= BUTTONS_FIT_HEIGHT)

    def toggle_queue(self) -> None:
        """Show or hide the queue panel; shown in a narrow window, the article keeps its minimum width."""
        self._queue_hidden_for_width = False
        self.queue.setVisible(self.queue.isHidden())

    # ------------------------------------------------------------ reactions
    def _session_started(self, session_id: int) -> None:
        self.session_id = session_id
        self._refresh_pace()

    def _look_ahead(self, article) -> None:
        self.worker.look_ahead(None if article is None else article.id)

    def _on_article_changed(self, article) -> None:
        self._chrome_article = [article]
        self.view.after_paint(self._refresh_chrome)
        if article is not None:
            self._position_timer.start()

    def _remember_filter(self, value: str) -> None:
        def remember(s: AnnotationStore) -> None:
            s.set_setting(FILTER_SETTING, value)  # no Changes: the queue already shows the filter

        self.runner.submit(remember)

    def _save_position(self) -> None:
        if self.controller.article is not None:
            self.settings.set_last_position(self.path, self.controller.article.id)

    def _on_changes(self, changes: Changes, initiator) -> None:
        if changes.labels:
            self.controller.set_labels(self.store.labels())
        self._refresh_undo()  # at once: an undo key pressed right after a decision must find it
        if changes.statuses or changes.articles_added:  # what the queue and the counts show
            self._chrome_changes |= changes
            self.view.after_paint(self._refresh_chrome)
        if changes.statuses:
            self.training.maybe_retrain()

    @property
    def chrome_pending(self) -> bool:
        """A refresh of the queue and status bar is waiting for the article's next paint."""
        return bool(self._chrome_article) or self._chrome_changes != Changes()

    def _refresh_chrome(self) -> None:
        if self._closed:
            return
        changes, self._chrome_changes = self._chrome_changes, Changes()
        if changes.statuses or changes.articles_added:
            self.queue.refresh(changes)
            self._refresh_progress()
            self._refresh_pace()
        if self._chrome_article:
            self.queue.set_current(self._chrome_article.pop())

    def _watch_project(self) -> None:
        """Show what other connections committed: another window, a terminal's import or suggest.

        Our own writer is another connection too, but its writes were already
        shown through their Changes: for them each step below compares and
        finds nothing that differs, so the view, labels and queue stay as they are.
        """
        if self._check_file():
            return
        version = self.store.data_version()
        if version == self._seen_version or self._in_the_middle():
            return  # when busy, look again on the next tick
        self._seen_version = version
        if self.controller.article is None:
            if self.store.article_count():
                self._show_first()
        else:
            self.controller.on_changes(Changes(frozenset({self.controller.article.id})), None)
            self.controller.check_prepared()
        labels = self.store.labels()
        if labels != self.controller.labels:
            self.controller.set_labels(labels)
        self.queue.refresh()
        self._refresh_progress()
        self._refresh_undo()

    # ------------------------------------------------ the project file lost
    def _on_application_state(self, state) -> None:
        if state == Qt.ApplicationState.ApplicationActive and not self._closed:
            self._check_file()  # back from another program: the file may have been removed meanwhile

    def _check_file(self) -> bool:
        """Is the project file lost (deleted or replaced since it was opened)? Says so the first time."""
        if self.file_lost is None:
            reason = self.store.file_lost()
            if reason is not None:
                self._on_file_lost(reason)
        return self.file_lost is not None

    def _on_file_lost(self, reason: str) -> None:
        if self.file_lost is not None or self._closed:
            return
        self.file_lost = reason
        self._watch_timer.stop()  # what the path holds now is not this project
        self.status.file_lost.show()
        self.status.say(f"not saved: the project file was {LOST_REASONS[reason]} by another program", timeout=0)
        box = QMessageBox(QMessageBox.Icon.Critical, "Project file lost", self.lost_text(), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        save = box.addButton("Save a copy as…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.buttonClicked.connect(lambda button: QTimer.singleShot(0, self.save_copy) if button is save else None)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(lambda: setattr(self, "_lost_box", None))
        self._lost_box = box
        box.open()  # window-modal, not blocking: background reports keep arriving

    def lost_text(self) -> str:
        return (
            f"The project file {self.path} was {LOST_REASONS[self.file_lost]} by another program while open. "
            "Nothing more is saved to it. Everything you did until now is still held in memory: "
            "use File → Save a copy as… to keep it before closing this window."
        )

    def save_copy(self) -> None:
        """Save the project as this window holds it to a new file (SQLite's backup, on the writer thread)."""
        default = str(self.path.with_name(self.path.stem + "-copy.db"))
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy of the project", default, "Projects (*.db)")
        if not name:
            return
        self.runner.submit(
            lambda s: s.save_copy(name),
            on_success=self._copy_done,
            on_failure=lambda message: warn(self, "Save a copy", message),
        )

    def _copy_done(self, path: Path) -> None:
        self._copy_saved = True
        self.status.say(f"saved a copy of the project to {path}", timeout=0)

    # ------------------------------------------------------ a damaged project
    def check_integrity(self) -> None:
        """SQLite's full integrity check, on a thread of its own: it reads every page."""
        self.status.say("checking the project file…", timeout=0)
        self._background("Checking", lambda store, _p, _c: store.integrity_problems(), on_success=self._checked)

    def _checked(self, problems: list[str]) -> None:
        if not problems:
            self.status.say("integrity check: the project file has no damage", timeout=0)
            return
        self.status.say(f"integrity check: the project file is damaged ({problems[0]})", timeout=0)
        warn(self, "Project file damaged", "SQLite's integrity check found:\n" + "\n".join(problems)
             + "\n\nArticles that cannot be read are skipped. Restore the project from a backup, "
             "or export what can be read.")

    def _in_the_middle(self) -> bool:
        """A decision or edit on its way, or a mouse drag selecting text: redrawing now would disturb it."""
        return (
            self.controller.state not in (IDLE, REVIEWING)
            or self.runner.in_flight
            or QApplication.mouseButtons() != Qt.MouseButton.NoButton
        )

    def _refresh_progress(self) -> None:
        counts = self.store.counts()
        self.status.set_counts(counts)
        self.decisions.set_counts(counts)

    def _refresh_pace(self) -> None:
        self.status.set_pace(None if self.session_id is None else self.store.session_summary(self.session_id))

    def _refresh_undo(self) -> None:
        undo_status = self.store.undo_status()
        for action_id, step in (("undo", undo_status.undo), ("redo", undo_status.redo)):
            action = self.actions_by_id[action_id]
            action.setText(f"{ACTIONS[action_id].text} {step}" if step else ACTIONS[action_id].text)
            action.setEnabled(step is not None)

    # ------------------------------------------------------- global actions
    def undo(self) -> None:
        self.controller.undo()

    def redo(self) -> None:
        self.controller.redo()

    def toggle_entity_list(self) -> None:
        self.entity_list.toggle()

    def search(self) -> None:
        dialog = SearchDialog(self.store, self)
        dialog.article_chosen.connect(self.show_search_hit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_search_hit(self, article_id: int, query: str) -> None:
        """Go to the article a search found, with its matches marked and the first in view."""
        self.controller.go_to(article_id)
        article = self.controller.article
        if article is not None and article.id == article_id:
            # one article's row through the index: milliseconds, on the window's own read connection
            self.controller.view.mark_matches(self.store.match_ranges(article_id, query))

    def keyboard_map(self) -> None:
        dialog = KeyboardMapDialog(self.keys, self.controller.labels, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_sessions(self) -> None:
        dialog = SessionsDialog(self.store.sessions(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_patterns(self) -> None:
        """Edit → Patterns…: the project's patterns, which every later suggestion run uses."""
        dialog = PatternsDialog(self.runner, self.store.patterns, self.path.parent, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_word_vectors(self) -> None:
        """Model → Word vectors…: their status, and fetching them in a background process."""
        from .dialogs.word_vectors import WordVectorsDialog  # imports numpy: only when asked

        if self.word_vectors is None:
            self.word_vectors = WordVectorsDialog(self)
            self.word_vectors.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.word_vectors.destroyed.connect(lambda: setattr(self, "word_vectors", None))
        self.word_vectors.open()

    def open_settings(self) -> None:
        values = SettingsValues(
            annotator=self.store.annotator,
            model=self.model or "",
            allow_overlap=bool(self.store.setting("allow_overlap", False)),
            shortcuts=self.settings.shortcuts,
            show_summary=self.settings.show_summary,
            retrain_every=self.store.setting("retrain_every") or 0,
        )
        dialog = SettingsDialog(values, self.controller.labels, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.values()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def apply_settings(self, values: SettingsValues) -> None:
        if values.annotator != self.store.annotator:
            self.settings.annotator = values.annotator
            self._switch_annotator(values.annotator)
        if values.allow_overlap != bool(self.store.setting("allow_overlap", False)):
            StoreOp(self.runner, lambda s: s.set_setting("allow_overlap", values.allow_overlap)).run()
        if values.retrain_every != (self.store.setting("retrain_every") or 0):
            StoreOp(self.runner, lambda s: s.set_setting("retrain_every", values.retrain_every or None)).run()
        if (values.model or None) != (self.model or None):
            self.settings.model = values.model
            self.model = values.model or None
            self._restart_worker()
        self.settings.shortcuts = values.shortcuts
        self.settings.show_summary = values.show_summary
        self._apply_keys()

    def _switch_annotator(self, name: str) -> None:
        """A new name starts a new session, so every session has exactly one annotator."""
        self.store.annotator = name

        def switch(s: AnnotationStore) -> int:
            s.end_session()
            s.annotator = name
            return s.start_session()

        self.runner.submit(switch, on_success=self._session_started)
        self._refresh_undo()

    def _start_worker(self) -> None:
        self.worker = self._worker_factory(self.runner, self.path, self.model, parent=self)
        self.worker.state_changed.connect(self.status.set_model_state)
        self.worker.message.connect(self.status.say)
        self.worker.start()
        if self.controller.article is not None:
            self.worker.look_ahead(self.controller.article.id)

    # Bound methods, not partials: a connection holding the window itself would keep it alive.
    def rename_label(self) -> None:
        label_edits.rename_label(self)

    def remove_label(self) -> None:
        label_edits.remove_label(self)

    def new_project(self) -> None:
        label_setup.new_project(self)

    def show_label_map(self) -> None:
        label_setup.show_label_map(self)

    def apply_to_pending(self) -> None:
        propagation.apply_to_pending(self)

    def add_model_suggestions(self) -> None:
        """Review → Add model suggestions to this article: the explicit way to combine sources."""
        article = self.controller.article
        if self.worker is None or article is None:
            self.status.say("no model to add suggestions from" if article else "no article shown")
            return
        self.worker.add_to(article.id)

    def follow_project_model(self) -> None:
        """The project's model in use changed (training, Model → Versions…): the look-ahead suggests
        with it from now on, unless this window was opened with --model."""
        if self._model_given is None:
            self.model = project_model(self.store) or self.settings.model  # as when the window opened
            self._restart_worker()

    def set_least_sure_first(self, on: bool) -> None:
        """Review → Least sure first: the project's review order (``annotator order``). Switching
        shows the first pending article of the new order."""
        order = ReviewOrder.LEAST_SURE if on else ReviewOrder.IMPORT
        if self.store.review_order() is not order:
            StoreOp(self.runner, lambda s: s.set_review_order(order)).success(lambda _: self._reordered(order)).run()

    def _reordered(self, order: ReviewOrder) -> None:
        self.queue.reorder()
        first = self.store.next_to_review(None)
        if first is not None:
            self.controller.go_to(first)
        scored = self.store.count_scored(Status.PENDING)
        self.status.say("review order: the import order" if order is ReviewOrder.IMPORT else
                        f"review order: least sure first ({scored} pending articles have a score; "
                        "the others follow in import order)")

    def _restart_worker(self) -> None:
        if self.worker is not None:
            self.worker.state_changed.disconnect()  # the old worker's last words would mislead
            self.worker.message.disconnect()
            self.worker.stop(timeout=0)  # a model still loading finishes on its own, then exits
            self._start_worker()

    # ------------------------------------------------------------ file menu
    def open_project(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open project", str(self.path.parent), "Projects (*.db);;All files (*)")
        if name:
            self.open_path(Path(name))

    def open_path(self, path: Path) -> MainWindow | None:
        try:
            store = AnnotationStore.open(path, annotator=self.store.annotator)
        except AnnotatorError as e:
            warn(self, "Cannot open project", str(e))
            return None
        window = MainWindow(store, settings=self.settings, model=self._model_given)
        _windows.append(window)
        window.destroyed.connect(lambda: _windows.remove(window) if window in _windows else None)
        window.show()
        self.settings.last_project = path
        self.close()
        return window

    def import_files(self) -> None:
        names = choose_import_files(self, str(self.path.parent))
        if names:
            self._open_import_dialog(names)

    def import_folder(self) -> None:
        """A folder: brat's .txt/.ann pairs, or files of any format found inside it."""
        name = choose_import_folder(self, str(self.path.parent))
        if name:
            self._open_import_dialog([name])

    def _open_import_dialog(self, names: list[str]) -> None:
        self.import_dialog = ImportDialog(names, self.path, self.store.annotator, set(self.store.label_names()), self)
        self.import_dialog.accepted.connect(lambda: self._import(self.import_dialog.choice()))
        self.import_dialog.open()

    def _import(self, choice: ImportChoice) -> None:
        from annotator.importing import import_files, unknown_labels

        def run(store, on_progress, should_cancel):
            try:
                return import_files(
                    store, choice.paths, spans_as=choice.spans_as, add_labels=choice.add_labels, decisions=choice.decisions,
                    align=choice.align, form=choice.form, options=choice.options,
                    on_progress=on_progress, should_cancel=should_cancel,
                ).summary()
            except UnknownLabels as e:
                # Not a failure in the GUI: the project is unchanged, and the window asks whether to add them.
                found = unknown_labels(store, choice.paths, form=choice.form, should_cancel=should_cancel)
                return UnknownLabels(str(e), tuple(found) or e.labels)

        self._background("Importing", run, on_success=lambda result: self._imported(choice, result),
                         cancelled="import cancelled; the project is unchanged")

    def _imported(self, choice: ImportChoice, result) -> None:
        if not isinstance(result, UnknownLabels):
            self._job_done(result)
            self._store_tokens()
            return
        files = "file uses" if len(choice.paths) == 1 else "files use"
        which = f"labels the project doesn't have: {', '.join(result.labels)}. Add them?"
        if len(result.labels) == 1:
            which = f"a label the project doesn't have: {result.labels[0]}. Add it?"
        if ask(self, "Import", f"The {files} {which}"):
            self._import(replace(choice, add_labels=True))

    def export_files(self) -> None:
        self.export_dialog = ExportDialog(self.path, self.store.annotator, self)
        self.export_dialog.accepted.connect(lambda: self._export(self.export_dialog.choice()))
        self.export_dialog.open()

    def _export(self, choice: ExportChoice) -> None:
        from annotator.exporting import export

        def run(store, on_progress, should_cancel):
            options = choice.write_options(on_progress, should_cancel)
            count = export(store, choice.out, choice.statuses, form=choice.form, align=choice.align,
                           with_tokens=choice.with_tokens, options=options)
            return "; ".join([f"exported {count} articles to {choice.out}", *options.notes])

        self._background("Exporting", run, cancelled="export cancelled; nothing was written")

    def suggest_all(self) -> None:
        model = self.model

        def suggest(store, on_progress, should_cancel):
            from annotator.suggest import load_pipeline, suggest_project  # spaCy loads on the job's thread

            done = suggest_project(store, load_pipeline(model), on_progress=on_progress, should_cancel=should_cancel)
            return f"suggested entities for {done} articles"

        self._background("Suggesting", suggest)

    def _background(self, label: str, fn: Callable, *, on_success: Callable | None = None,
                    cancelled: str | None = None) -> BackgroundJob:
        job = BackgroundJob(self.path, self.store.annotator, fn)
        self._jobs = [j for j in self._jobs if j.running] + [job]
        self._progress = watch(job, label, self)
        job.succeeded.connect(on_success or self._job_done)
        said = cancelled or f"{label.lower()} cancelled; the work finished so far is kept"
        job.cancelled.connect(lambda: self.status.say(said))
        job.failed.connect(lambda message: warn(self, label, message))
        return job.start()

    def _store_tokens(self) -> None:
        """Tokenize and store the tokens of every article that has none, on a job thread, with its
        progress in the status bar: the view reads stored tokens instead of running the tokenizer
        each time it shows a never-suggested article."""
        if not self._store_tokens_on or self.store.read_only or self._closed:
            return
        if self._token_job is not None and self._token_job.running:
            self._tokens_again = True
            return
        from annotator.tokens import store_missing_tokens

        self._tokens_again = False
        job = self._token_job = BackgroundJob(self.path, self.store.annotator, store_missing_tokens)
        self._jobs = [j for j in self._jobs if j.running] + [job]
        job.progress.connect(lambda done, total, _: self.status.set_background(f"storing tokens: {done:,} of {total:,} articles"))
        job.succeeded.connect(self._tokens_stored)
        job.cancelled.connect(lambda: self.status.set_background(""))
        job.failed.connect(lambda message: (self.status.set_background(""), self.status.say(f"tokens not stored: {message}")))
        job.start()

    def _tokens_stored(self, _count: int) -> None:
        self.status.set_background("")  # quietly: the message area keeps what the import said
        if self._tokens_again:
            self._store_tokens()

    def _job_done(self, summary) -> None:
        self.status.say(str(summary))
        # The job wrote through its own connection: refresh as if everything changed.
        shown = self.controller.article
        if shown is None:
            self._show_first()
        everything = Changes(frozenset({shown.id}) if shown else frozenset(), statuses=True, labels=True, articles_added=True)
        self._on_changes(everything, None)
        self.controller.on_changes(everything, None)

    # -------------------------------------------------------------- closing
    def closeEvent(self, event) -> None:
        if not self._closed and self.file_lost and not self._copy_saved and not ask(
            self, "Project file lost", self.lost_text() + "\n\nClose without saving a copy? What you did is then lost."
        ):
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self._shut_down()
        super().closeEvent(event)

    def _shut_down(self) -> None:
        """Finish every queued write, end the session, then let go of the project."""
        self.settings.geometry = self.saveGeometry()
        self.settings.last_project = self.path
        self._position_timer.stop()
        self._save_position()
        self._pace_timer.stop()
        self._watch_timer.stop()
        self.one_press.close()
        if self.word_vectors is not None:
            self.word_vectors.stop()  # a fetch stopped cleanly leaves nothing half-written
        # Background threads may still report (queued); nothing may read the closing store.
        self.controller.close()
        if self.worker is not None:
            self.worker.state_changed.disconnect()
            self.worker.message.disconnect()
            self.worker.stop()
        self.training.close()
        for job in self._jobs:
            job.abandon()  # keeps what it finished (each batch is committed); the rest is for next time
            job.wait(10)
        summary = None
        try:
            summary = self.runner.submit(lambda s: s.end_session()).result(timeout=30)
        except Exception as e:  # the decisions are already saved; only the session's end time is lost
            self.status.say(f"could not close the review session: {e}")
        for dialog in self.findChildren(SearchDialog):
            dialog.shut()
        self.runner.close()
        self.store.close()
        self.settings.sync()
        if self.show_summary and self.settings.show_summary and summary and summary["decided"]:
            SummaryBox(summary, self).exec()
