"""The look-ahead suggestion worker: spaCy never runs on the GUI thread.

It loads the pipeline in the background (the window is already usable), then
keeps the shown article and the next few pending ones suggested ahead of the
reviewer: only articles that no source (a file, a model) has suggested for, so
it never replaces another source's suggestions. Adding the model's to an article
that has some is the user's explicit request (``add_to``), combined by the rule
of ``AnnotationStore.save_suggestions``. Results go to the writer thread (``store.save_suggestions``), so the
view hears about them like any other change. A model that fails to load only
costs the suggestions: the state becomes ``unavailable`` with the reason.

The project's patterns take part in every run, read afresh for each batch: patterns added
or removed in Edit → Patterns… count for the articles suggested after that.

It runs the model on this thread, not in worker processes as ``annotator suggest`` and
File → Suggest all… do (``annotator.suggest_workers``): it suggests one article, then the
next four, a few tenths of a second of work, where a worker process takes about 2 s to start
and load the model, and as much memory again; the shown article's suggestions would come later.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from annotator.model import Status
from annotator.store import AnnotationStore

from .tasks import TaskRunner, describe_error

LOADING, SUGGESTING, READY, UNAVAILABLE = "loading model", "suggesting ahead", "ready", "unavailable"
LOOKAHEAD = "lookahead"  # the initiator of this worker's writes


def _load(name: str | None):
    from annotator.suggest import load_pipeline  # imports spaCy: only ever on this thread

    return load_pipeline(name)


def _suggest(pipeline, items, labels, label_map, patterns=None):
    from annotator.suggest import suggest_texts

    return suggest_texts(pipeline, items, labels, label_map, batch_size=8, patterns=patterns)


def _patterns(store: AnnotationStore, pipeline, previous):
    """The project's patterns to run with, refused here (not by the writer) when there is nothing to run."""
    from annotator.suggest import check_runnable, project_patterns

    patterns = project_patterns(store, pipeline, previous)
    check_runnable(pipeline, patterns)
    return patterns


def _run_source(pipeline, patterns):
    def source(store: AnnotationStore) -> int:
        from annotator.suggest import run_source

        return run_source(store, pipeline, patterns)

    return source


class SuggestionWorker(QObject):
    state_changed = Signal(str, str)  # state, detail (model name, or why it is unavailable)
    message = Signal(str)  # what came of an explicit request (add_to), for the status bar

    def __init__(
        self,
        runner: TaskRunner,
        path: Path,
        model: str | None,
        *,
        ahead: int = 5,
        load: Callable | None = None,
        suggest: Callable | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._runner, self._path, self._model, self._ahead = runner, Path(path), model, ahead
        self._load, self._suggest = load or _load, suggest or _suggest
        self._target: int | None = None
        self._additions: list[int] = []  # articles the user asked to add the model's suggestions to
        self._run: tuple = (None, None)  # (the project's patterns as last read, the source of a run with them)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="annotator-lookahead", daemon=True)
        self.state = LOADING

    def start(self) -> SuggestionWorker:
        self._set_state(LOADING, self._model or "default model")
        self._thread.start()
        return self

    def look_ahead(self, article_id: int | None) -> None:
        """The reviewer is now on ``article_id``: suggest it (if needed) and the next ones."""
        self._target = article_id
        self._wake.set()

    def add_to(self, article_id: int) -> None:
        """Add the model's suggestions to this article, next to those it has (an explicit request)."""
        if self.state == UNAVAILABLE:
            self.message.emit("no model to add suggestions from: it could not be loaded")
            return
        self._additions.append(article_id)
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        # A pipeline still loading cannot be interrupted; the thread is a daemon, so don't wait long.
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        self.state_changed.emit(state, detail)

    # ------------------------------------------------------------- worker thread
    def _main(self) -> None:
        try:
            pipeline = self._load(self._model)
            gc.freeze()  # the pipeline's objects live as long as the window: no full collection walks them
            if self._stop.is_set():
                return
        except Exception as e:
            self._set_state(UNAVAILABLE, describe_error(e))
            return
        name = getattr(pipeline, "name", self._model or "model")
        store = AnnotationStore.open(self._path)  # reads only; writes go through the runner
        handed: set[int] = set()  # handed to the writer, maybe not saved yet
        try:
            self._current_run(store, pipeline)  # with no model and no patterns: unavailable, saying so
            self._set_state(READY, name)
            while not self._stop.is_set():
                self._wake.wait()
                self._wake.clear()
                while self._additions and not self._stop.is_set():
                    self._add(store, pipeline, self._additions.pop(0))
                items = self._wanted(store, self._run[1], handed)
                if not items:
                    continue
                self._set_state(SUGGESTING, name)
                # The shown article alone first, so its suggestions appear as soon as possible.
                for chunk in (items[:1], items[1:]):
                    if not chunk or self._stop.is_set():
                        continue
                    source, results = self._suggested(store, pipeline, chunk)
                    handed.update(article_id for article_id, _ in chunk)
                    self._runner.submit(_saver(source, results), initiator=LOOKAHEAD)
                self._set_state(READY, name)
                if self._wanted(store, self._run[1], handed):
                    self._wake.set()  # the reviewer moved on while we worked
        except Exception as e:
            self._set_state(UNAVAILABLE, describe_error(e))
        finally:
            store.close()

    def _suggested(self, store: AnnotationStore, pipeline, items: list[tuple[int, str]]) -> tuple[int, list]:
        """(the run's source, the results for ``items``): the model's entities and the project's
        pattern matches, combined by the rule of ``annotator.suggest.suggest_texts``."""
        patterns = self._current_run(store, pipeline)
        labels, label_map = store.label_names(), store.setting("label_map", {}) or {}
        extra = {"patterns": patterns} if patterns is not None else {}  # a stand-in suggest need not take them
        return self._run[1], list(self._suggest(pipeline, items, labels, label_map, **extra))

    def _current_run(self, store: AnnotationStore, pipeline):
        """The project's patterns, read now; a changed set is a new run, whose source the writer makes."""
        previous, source = self._run
        patterns = _patterns(store, pipeline, previous)
        if source is None or patterns is not previous:
            source = self._runner.submit(_run_source(pipeline, patterns)).result()
            self._run = (patterns, source)
        return patterns

    def _add(self, store: AnnotationStore, pipeline, article_id: int) -> None:
        self._current_run(store, pipeline)
        source = self._run[1]
        items = store.unsuggested_among(source, [article_id], add=True)
        name = getattr(pipeline, "name", "the model")
        if not items:
            article = store.article(article_id)
            why = ("it is no longer pending" if article is None or article.status is not Status.PENDING
                   else f"{name} has suggested for it already")
            self.message.emit(f"no suggestions added to article {article_id}: {why}")
            return
        source, results = self._suggested(store, pipeline, items)
        done = self._runner.submit(_saver(source, results, add=True), initiator=LOOKAHEAD).result()
        added = "added" if done.article_ids else "not added (the article was decided meanwhile)"
        self.message.emit(f"suggestions of {name} {added} to article {article_id}; those overlapping an entity shown were left out")

    def _wanted(self, store: AnnotationStore, source: int, handed: set[int]) -> list[tuple[int, str]]:
        """Unsuggested articles among the shown one and the next pending ones (wrapping round)."""
        target = self._target
        if target is None:
            return []
        window = [i for i, _, _ in store.queue(Status.PENDING, from_id=target, limit=self._ahead)]
        if len(window) < self._ahead:
            window += [i for i, _, _ in store.queue(Status.PENDING, after_id=0, limit=self._ahead - len(window))]
        window = [i for i in dict.fromkeys(window) if i not in handed]
        # Only the window's rows are read: never a walk over the rest of the queue.
        items = dict(store.unsuggested_among(source, window))
        return [(i, items[i]) for i in window if i in items]


def _saver(source: int, results: list, *, add: bool = False):
    def save(store: AnnotationStore):
        # An article decided while the model worked is left as the reviewer saw it (and, unless
        # this is an explicit addition, one another source suggested for meanwhile keeps those):
        # the store checks both in its write transaction.
        return store.save_suggestions(source, results, add=add)

    return save
