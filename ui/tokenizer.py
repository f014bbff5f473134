"""Token boundaries for articles the model has not read yet, without importing spaCy on the GUI thread.

Suggested articles carry their tokens in the project. For the others the
blank spaCy tokenizer (``annotator.tokens``) is needed; importing spaCy takes
a second or two, so it is loaded on a background thread at start-up and
``ready`` fires when it can be used (tokenizing one article is then quick).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal


class Tokenizer(QObject):
    ready = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tokenize = None
        self._thread = threading.Thread(target=self._load, name="annotator-tokenizer", daemon=True)

    def start(self) -> Tokenizer:
        self._thread.start()
        return self

    def _load(self) -> None:
        try:
            from annotator.tokens import tokenize

            tokenize("warm up")  # builds the cached tokenizer off the GUI thread
        except Exception:  # without it, selections and boundary moves wait for stored tokens
            return
        self._tokenize = tokenize
        try:
            self.ready.emit()
        except RuntimeError:  # the window closed while spaCy loaded: nobody is left to tell
            pass

    def tokens(self, text: str) -> list[tuple[int, int]] | None:
        """The text's tokens, or None while the tokenizer is still loading."""
        return None if self._tokenize is None else self._tokenize(text)
