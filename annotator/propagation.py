"""Propagation: one entity's text and label, applied wherever else that text stands as a word.

Plain Python over plain data (the store's ``PropagationStore`` does the writing). Which
places count is one rule, the same for the reviewer's ``P`` in one article and for
``annotator propagate`` across the pending articles:

- the same code points exactly (case and accents as typed: "EU" is not "eu");
- a whole word: no letter or digit touches the place on either side, so "EU" is found
  in "EU's" and "(EU)" but not inside "EUR" or "NEU". The text is judged in grapheme
  clusters (``graphemes``): a place never starts or ends inside a cluster, and a letter
  carrying a combining accent counts as a letter ("e" is not found in "e\u0301t\u00e9");
- a place that overlaps an entity already shown (suggested or confirmed) is left to that
  entity and counted as skipped; two places of a text that overlaps itself ("a a" in
  "a a a") keep the first.

Why not the tokenizer's tokens: pending articles often have none yet (no model has run
on them), and one rule for every article is easier to predict than one per tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InputError
from .graphemes import cluster_start, is_boundary
from .offsets import clear_of, meets_any
from .wording import plural


@dataclass(frozen=True)
class Propagated:
    """What a propagation did: ``added`` places in ``articles`` articles, ``skipped`` places left
    to an entity already there."""

    text: str
    label: str
    added: int
    skipped: int
    articles: int

    def summary(self, *, pending: bool) -> str:
        """One line for the status bar or the terminal: "Applied ORG to 3 more occurrences"."""
        if not (self.added or self.skipped):
            return f"“{self.text}” stands nowhere else{' in the pending articles' if pending else ' in this article'}"
        if pending:
            line = (f"Suggested {self.label} for “{self.text}” at {plural(self.added, 'place')} "
                    f"in {plural(self.articles, 'pending article')}")
        else:
            line = f"Applied {self.label} to {plural(self.added, 'more occurrence')}"
        if self.skipped:
            line += f"; {self.skipped} already covered by an entity left as {'it was' if self.skipped == 1 else 'they were'}"
        return line


def _wordlike(cluster_first: str) -> bool:
    return cluster_first.isalnum()


def is_whole_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands as a word of its own (see the module's rule)."""
    if not (is_boundary(text, start) and is_boundary(text, end)):
        return False
    if start > 0 and _wordlike(text[start]) and _wordlike(text[cluster_start(text, start - 1)]):
        return False
    # the cluster that ends the place: its first code point says whether it is a letter
    if end < len(text) and _wordlike(text[cluster_start(text, end - 1)]) and _wordlike(text[end]):
        return False
    return True


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Every whole-word place of ``needle`` in ``text``, in text order (they may overlap)."""
    found, i = [], text.find(needle)
    while i >= 0:
        if is_whole_word(text, i, i + len(needle)):
            found.append((i, i + len(needle)))
        i = text.find(needle, i + 1)
    return found


def places(
    text: str, needle: str, taken: Iterable[tuple[int, int]], *, own: tuple[int, int] | None = None
) -> tuple[list[tuple[int, int]], int]:
    """(the places to add, how many were skipped): the whole-word places of ``needle`` that
    overlap nothing in ``taken`` (the entities shown), nor a place kept before them. ``own``
    is the entity propagated from: its place is neither added nor counted as skipped."""
    taken = list(taken)
    found = [place for place in occurrences(text, needle) if place != own]
    kept = [found[i] for i in clear_of(found, taken)]
    meets = meets_any(taken)  # an article may hold 200,000 imported spans: no pass over them per place
    skipped = sum(1 for s, e in found if meets(s, e))
    return kept, skipped


def check_needle(text: object) -> str:
    """The text to propagate, as given; refused when empty or only whitespace."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"the text to propagate must be non-empty, got {text!r}")
    if text != text.strip():
        raise InputError(f"the text to propagate {text!r} starts or ends with whitespace; give the words alone")
    return text

