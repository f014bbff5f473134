"""The reviewer's state machine (Anki's Reviewer): idle -> reviewing -> transition.

Slots here only translate keys into store calls; the rules (overlaps, what
accept means, undo) live in the core. A decision switches to ``transition``
before its write is queued, and every decision or navigation key is ignored
until the write has landed, so a double press can never decide twice.

Edits (confirm, relabel, resize, add, remove) read the entity afresh in the
writer thread, so quick repeated boundary moves compose instead of racing
against a view that has not caught up yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.errors import ProjectDamaged
from annotator.labels import label_for_slot
from annotator.model import Article, Changes, Entity, Label, Status
from annotator.offsets import step_end, step_start, word_tokens
from annotator.store import AnnotationStore

from .actions import resolve_keys
from .tasks import StoreOp, TaskRunner
from .tokenizer import Tokenizer

IDLE, REVIEWING, TRANSITION, CLOSED = "idle", "reviewing", "transition", "closed"
# Longer articles are not prepared ahead: filling one holds the GUI thread (a 5 MB article for
# about 2 s) while the reviewer reads the one before, for a saving they would not notice.
PREPARE_MAX_CHARS = 250_000
SKIP_AT_MOST = 20  # unreadable articles skipped in a row before staying where the reviewer is
# How a message names a decision that could not be saved ("Could not save the acceptance of article 3 ...").
DECISION_NOUNS = {"accept": "acceptance", "reject": "rejection", "skip": "skip"}


def end_of_queue(counts: Mapping[str, int], keys: Mapping[str, tuple[str, ...]]) -> str:
    """What the reviewer is told when no pending article is left: what remains, and how to reach it."""
    skipped = counts.get(Status.SKIPPED.value, 0)
    if not skipped:
        return "every article is decided: undo, or pick one in the queue"
    it = "it" if skipped == 1 else "them"
    walk = "/".join(keys[a][0] for a in ("next_article", "previous_article") if keys[a])
    how = f"walk to {it} with {walk}, or choose" if walk else "choose"
    return f"no pending articles left; {skipped} skipped: {how} Skipped in the queue"


class ReviewController(QObject):
    article_changed = Signal(object)  # the shown Article, or None
    message = Signal(str)  # one line for the status bar
    unreadable = Signal(str)  # a database error while reading an article: the project file may be damaged

    def __init__(self, view, label_bar, picker, runner: TaskRunner, store: AnnotationStore, tokenizer: Tokenizer, parent=None):
        super().__init__(parent)
        self.view, self.label_bar, self.picker = view, label_bar, picker
        self.runner, self.store, self.tokenizer = runner, store, tokenizer
        self.state = IDLE
        self.article: Article | None = None
        self.labels: list[Label] = []
        self.keys = resolve_keys({})[0]  # the window's keys, for messages that name them
        # (article id, its tokens, their word tokens): a key press is not a pass over a long article
        self._words: tuple = (None, None, None)
        # article id -> the entity focused when it was last decided: undoing the decision brings it back there
        self._focus_at_decision: dict[int, int | None] = {}
        view.focus_changed.connect(self._on_focus)
        label_bar.label_chosen.connect(self.apply_label)
        picker.chosen.connect(self.apply_label)
        runner.finished.connect(self.on_changes)
        tokenizer.ready.connect(self._on_tokenizer_ready)

    # ---------------------------------------------------------------- showing
    def set_labels(self, labels: list[Label]) -> None:
        self.labels = labels
        self.view.set_labels(labels)
        self.label_bar.set_labels(labels)

    def show(self, article_id: int | None, *, forward: bool = True) -> None:
        """Show an article; one that cannot be read (a damaged page) is reported and skipped over,
        towards ``forward``, and when none can be, the reviewer stays on the article shown."""
        article, skipped = None, False
        for _ in range(SKIP_AT_MOST):
            try:
                article = self._load(article_id)
                break
            except ProjectDamaged as e:
                self.unreadable.emit(f"article {article_id} skipped: {e.detail}")
                skipped, unread = True, article_id
                article_id = self._readable(lambda: self.store.neighbour(unread, forward=forward))
        if article is None and skipped:
            article = self.article  # nothing readable further on: stay where the reviewer is
        self.article = article
        self.state = IDLE if article is None else REVIEWING
        self.label_bar.set_current(None)
        self.article_changed.emit(article)
        if article is not None:
            self.view.after_paint(self._prepare_next)

    def _load(self, article_id: int | None) -> Article | None:
        article = None if article_id is None else self.view.show_prepared(article_id)
        if article is not None:
            self.view.set_tokens(self._token_source(article))
        elif article_id is not None:
            article = self.store.article(article_id)
            if article is not None:
                self.view.show_article(article, self.store.entities(article.id), self._token_source(article))
        return article

    def _readable(self, read: Callable):
        """``read()``, or None when the project file cannot be read there."""
        try:
            return read()
        except ProjectDamaged:
            return None

    def _prepare_next(self) -> None:
        """Once the article is on screen: fill the one a decision would show next, so that the
        decision costs its write and a swap of documents (ReviewView.prepare)."""
        if self.state != REVIEWING:
            return
        following = self._readable(lambda: self.store.next_to_review(self.article.id))
        if following is None or following in (self.article.id, self.view.prepared_id):
            return
        # An article that cannot be read is not prepared; showing it reports the error.
        article, entities = self._readable(lambda: (self.store.article(following), self.store.entities(following))) or (None, None)
        if article is not None and len(article.text) <= PREPARE_MAX_CHARS:
            self.view.prepare(article, entities)

    def check_prepared(self) -> None:
        """Another connection committed: keep the prepared article only if the project still holds it as prepared."""
        prepared_id = self.view.prepared_id
        if prepared_id is not None and (self.store.article(prepared_id), self.store.entities(prepared_id)) != self.view.prepared:
            self._prepare_again()

    def _prepare_again(self) -> None:
        """The prepared article is out of date: drop it, and prepare afresh once idle."""
        self.view.forget_prepared()
        QTimer.singleShot(0, self._prepare_next)

    def _tokens(self, article: Article):
        """The tokens spans snap to and boundary keys step over (no whitespace, no cut clusters)."""
        tokens = self.store.tokens(article.id) or self.tokenizer.tokens(article.text)
        if self._words[:2] != (article.id, tokens):
            self._words = (article.id, tokens, word_tokens(article.text, tokens))
        return self._words[2]

    def _token_source(self, article: Article) -> Callable[[], list | None]:
        """The article's tokens, read when a selection first needs them, not to paint the article
        (a long article's token list is a large JSON value)."""
        found: list = []

        def tokens():
            if not found:
                value = self._tokens(article)
                if value is None:
                    return None  # the tokenizer is not ready yet: ask again next time
                found.append(value)
            return found[0]

        return tokens

    def close(self) -> None:
        """The window is closing: late reports from background threads find nothing to do."""
        self.state = CLOSED
        self.article = None

    def _on_tokenizer_ready(self) -> None:
        if self.article is not None:
            self.view.set_tokens(self._token_source(self.article))

    def on_changes(self, changes: Changes, initiator) -> None:
        """Redraw the shown article only when a write touched it (and it is not about to change)."""
        prepared_id = self.view.prepared_id
        if prepared_id is not None and (prepared_id in changes.article_ids or changes.labels):
            self._prepare_again()
        if self.article is None or self.state == TRANSITION or self.article.id not in changes.article_ids:
            return
        article = self.store.article(self.article.id)
        if article is None:  # the article vanished (another program); show the next one
            self.show(self.store.next_to_review(None))
            return
        status_changed = article.status != self.article.status
        self.article = article
        self.view.update_entities(self.store.entities(article.id))
        self.view.set_tokens(self._token_source(article))  # the suggester may have stored them meanwhile
        if status_changed:
            self.article_changed.emit(article)

    def _on_focus(self, focused) -> None:
        entity = self._entity(focused)
        self.label_bar.set_current(entity.label if entity else None)

    def _entity(self, focused) -> Entity | None:
        if focused is None or isinstance(focused, Entity):
            return focused
        return next((e for e in self.view.entities() if e.id == focused), None)

    def focused(self) -> Entity | None:
        return self._entity(self.view.focused_entity())

    # -------------------------------------------------------------- decisions
    def accept(self) -> None:
        self._decide("accept")

    def reject(self) -> None:
        self._decide("reject")

    def skip(self) -> None:
        self._decide("skip")

    def _decide(self, method: str) -> None:
        if self.state != REVIEWING:
            return
        article_id = self.article.id
        focused = self.view.focused_entity()
        self._focus_at_decision[article_id] = focused.id if focused else None
        self.state = TRANSITION
        self.view.pause_highlights()
        (
            StoreOp(self.runner, lambda s: getattr(s, method)(article_id), initiator=self,
                    what=f"the {DECISION_NOUNS[method]} of article {article_id}")
            .success(lambda _: self._after_decision(article_id))
            .failure(self._failed_transition)
            .run()
        )

    def _after_decision(self, article_id: int) -> None:
        following = self._readable(lambda: self.store.next_to_review(article_id))
        if following is None:
            self.show(article_id)
            self.message.emit(end_of_queue(self._readable(self.store.counts) or {}, self.keys))
        else:
            self.show(following)

    def _failed_transition(self, message: str) -> None:
        self.state = REVIEWING if self.article is not None else IDLE
        self.view.resume_highlights()
        self.message.emit(message)

    # ------------------------------------------------------------- navigation
    def next_article(self) -> None:
        self._step(forward=True)

    def previous_article(self) -> None:
        self._step(forward=False)

    def _step(self, *, forward: bool) -> None:
        if self.state != REVIEWING:
            return
        target = self._readable(lambda: self.store.neighbour(self.article.id, forward=forward))
        if target is None:
            self.message.emit("this is the last article" if forward else "this is the first article")
        else:
            self.show(target, forward=forward)

    def go_to(self, article_id: int) -> None:
        if self.state not in (TRANSITION, CLOSED):
            self.show(article_id)

    def focus_next(self) -> None:
        if self.state == REVIEWING:
            self.view.focus_next()

    def focus_previous(self) -> None:
        if self.state == REVIEWING:
            self.view.focus_previous()

    # ------------------------------------------------------------------ edits
    def confirm(self) -> None:
        entity = self._editable()
        if entity is not None and entity.suggested:
            self._edit(lambda s: s.confirm_entity(entity.id))

    def remove(self) -> None:
        entity = self._editable()
        if entity is None:
            return
        order = [e.id for e in self.view.entities()]
        after = order[order.index(entity.id) + 1 :] + order[: order.index(entity.id)][::-1] if entity.id in order else []
        self._edit(lambda s: s.remove_entity(entity.id), then=lambda _: self._focus_first(after))

    def _focus_first(self, candidates: list[int]) -> None:
        present = {e.id for e in self.view.entities()}
        self.view.focus_entity(next((i for i in candidates if i in present), None))

    def label_slot(self, n: int) -> None:
        label = label_for_slot(self.labels, n)
        if label is None:
            self.message.emit(f"no label on key {n}")
        else:
            self.apply_label(label.name)

    def pick_label(self) -> None:
        if self.state == REVIEWING and self.labels:
            focused = self.focused()
            self.picker.pick(self.labels, current=focused.label if focused else None, beside=self.view.target_rect())

    def apply_label(self, name: str) -> None:
        """Label the selected text, else relabel the focused entity."""
        if self.state != REVIEWING:
            return
        article_id = self.article.id
        span = self.view.selected_span()
        if span is not None:
            start, end = span
            self._edit(lambda s: s.add_entity(article_id, start, end, name), then=self._added)
            return
        entity = self.focused()
        if entity is None:
            self.message.emit("select some text or focus an entity (Tab) first")
        elif entity.label != name or entity.suggested:
            self._edit(lambda s: s.relabel_entity(entity.id, name))

    def propagate(self) -> None:
        """P: the focused entity's text and label at its other whole-word places in this article,
        confirmed, in one undo step (``annotator.propagation`` says which places count)."""
        entity = self._editable()
        if entity is not None:
            self._edit(lambda s: s.propagate_in_article(entity.id), then=lambda done: self.message.emit(done.summary(pending=False)))

    def _added(self, entity: Entity) -> None:
        self.view.clear_selection()
        self.view.focus_entity(entity.id)

    def move_end(self, delta: int) -> None:
        self._resize(lambda start, end, tokens: step_end(start, end, tokens, delta))

    def move_start(self, delta: int) -> None:
        self._resize(lambda start, end, tokens: step_start(start, end, tokens, delta))

    def _resize(self, step: Callable) -> None:
        entity = self._editable()
        if entity is None:
            return
        tokens = self._tokens(self.article)
        if not tokens:
            self.message.emit("the article's words are still being read; try again in a moment")
            return

        def resize(s: AnnotationStore):
            current = s.entity(entity.id)  # fresh: an earlier move may just have landed
            start, end = step(current.start, current.end, tokens)
            if (start, end) == (current.start, current.end):
                return Changes()
            return s.resize_entity(entity.id, start, end)

        self._edit(resize)

    def _editable(self) -> Entity | None:
        if self.state != REVIEWING:
            return None
        entity = self.focused()
        if entity is None:
            self.message.emit("no entity is focused; press Tab to focus one")
        return entity

    def _edit(self, fn: Callable, then: Callable | None = None) -> None:
        op = StoreOp(self.runner, fn, initiator=self).failure(self.message.emit)
        if then is not None:
            op.success(then)
        op.run()

    # ------------------------------------------------------------------- undo
    def undo(self) -> None:
        self._travel("undo")

    def redo(self) -> None:
        self._travel("redo")

    def _travel(self, method: str) -> None:
        if self.state in (TRANSITION, CLOSED):
            return
        self.state = TRANSITION
        (
            StoreOp(self.runner, lambda s: getattr(s, method)(), initiator=self, what=f"the {method}")
            .success(lambda changes: self._after_travel(method, changes))
            .failure(self._failed_transition)
            .run()
        )

    def _after_travel(self, method: str, changes: Changes | None) -> None:
        """Show the article the undone (or redone) step touched, focused where the step was: on the
        entity an edit touched, or where the focus was when a decision was made."""
        if changes is None:
            self.state = REVIEWING if self.article is not None else IDLE
            self.message.emit(f"nothing to {method}")
            return
        touched = sorted(changes.article_ids)
        shown = self.article.id if self.article else None
        # a step over many articles (a propagation to the pending ones) leaves the reviewer where they are
        target = shown if shown is not None and (shown in touched or len(touched) != 1) else next(iter(touched), shown)
        if changes.statuses or self.article is None or target != self.article.id:
            self.show(target)
        else:  # an edit of the shown article: redrawn in place, where the reviewer had scrolled
            self.state = REVIEWING
            self.on_changes(changes, None)
        if self.article is not None and self.article.id == target:
            places = [self._focus_at_decision.get(target)] if changes.statuses else list(changes.entity_ids)
            self._focus_first([i for i in places if i is not None])
