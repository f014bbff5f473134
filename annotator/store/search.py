"""Full-text search (Ctrl+F) over the ``articles_fts`` index the schema keeps current.

The user's words are plain terms: each is quoted for FTS5, so nothing typed
(``AND``, ``"``, ``*``, ``-``, ``:``) is read as query syntax, and the last word
also matches as a prefix while it is being typed. The index keeps no word
positions (``detail = none``: a quarter cheaper to build on import), so a query
is words that must all occur, never a phrase. Matched words come back as
code-point ranges, so nothing downstream parses markup made from article text.
"""

from __future__ import annotations

import re
import sqlite3
from typing import NamedTuple

from ..errors import AnnotatorError

CONTEXT_TOKENS = 16  # words of context FTS5's snippet() shows around the matches
ELLIPSIS = "…"
# Noncharacters (Unicode: "for internal use") stand for the start and end of a match in what
# FTS5 returns; an article that holds these too gets a pair it does not hold (_markers).
_NONCHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)]


class SearchError(AnnotatorError):
    """A search the index could not run (the message says which words)."""


class Marked(NamedTuple):
    """A piece of text and the code-point ranges [start, end) in it that the query matched."""

    text: str
    marks: tuple[tuple[int, int], ...]


class SearchHit(NamedTuple):
    article_id: int
    status: str
    title: Marked    # the title ("" when the article has none)
    context: Marked  # a few words of the text around the matches, whitespace runs as one space


_WORD = re.compile(r"[^\W_]+")  # a run of letters and digits: what the index's tokenizer keeps as one token


def fts_query(query: str, *, prefix: bool = True) -> str | None:
    """The FTS5 query for what the user typed (None: no word to look for).

    The query is cut into words at anything but letters and digits, as the
    index was (``end-of-year`` is three words, all required), and each word is
    quoted, so FTS5 sees words only, never operators. While the last word is
    being typed (the query ends in a letter or digit) it matches as a prefix:
    ``zür`` finds "Zürich"; ``100%`` does not find "1000". ``prefix=False``: whole words only.
    """
    words = _WORD.findall(query)
    if not words:
        return None
    phrases = [f'"{w}"' for w in words]
    if prefix and query[-1].isalnum():
        phrases[-1] += "*"
    return " ".join(phrases)


def unmark(marked: str, start: str, end: str, *, squeeze: bool = False) -> Marked:
    """Take the match markers out of FTS5 output: the text and where the matches are in it.

    ``squeeze`` turns every run of whitespace into one space (a context line).
    """
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    opened = -1
    for c in marked:
        if c == start:
            opened = len(out)
        elif c == end:
            if opened >= 0:
                marks.append((opened, len(out)))
            opened = -1
        elif squeeze and c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(c)
    text = "".join(out)
    if squeeze and text.endswith(" "):
        text = text[:-1]
        marks = [(a, min(b, len(text))) for a, b in marks]
    return Marked(text, tuple(marks))


def _markers(*texts: str) -> tuple[str, str]:
    """Two noncharacters none of ``texts`` holds."""
    free = (c for c in _NONCHARACTERS if not any(c in t for t in texts))
    return next(free), next(free)


class SearchStore:
    _FIRST = _markers()

    def search(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        """Articles holding every word of ``query`` (case and accents folded), in queue order,
        each with its title and a few words of context, the matched words marked."""
        fts = fts_query(query)
        if fts is None:
            return []
        start, end = self._FIRST
        rows = self._fts(
            "SELECT articles_fts.rowid, a.status, coalesce(highlight(articles_fts, 0, ?, ?), ''), "
            f"snippet(articles_fts, 1, ?, ?, '{ELLIPSIS}', {CONTEXT_TOKENS}), "
            "instr(a.text, ?) OR instr(a.text, ?) OR instr(coalesce(a.title, ''), ?) OR instr(coalesce(a.title, ''), ?) "
            "FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY articles_fts.rowid LIMIT ?",
            (start, end, start, end, start, end, start, end, fts, limit), query,
        )
        hits = []
        for article_id, status, title, context, holds_markers in rows:
            if holds_markers:  # the article holds the markers themselves: ask again with others
                title, context, (start, end) = self._marked_again(article_id, fts, query)
            hits.append(SearchHit(
                article_id, status, unmark(title, start, end, squeeze=True), unmark(context, start, end, squeeze=True)
            ))
            start, end = self._FIRST
        return hits

    def match_ranges(self, article_id: int, query: str) -> list[tuple[int, int]]:
        """Where ``query`` matches the article's text: code-point ranges in the text as imported."""
        fts = fts_query(query)
        row = self.conn.execute("SELECT text, coalesce(title, '') FROM articles WHERE id = ?", (article_id,)).fetchone()
        if fts is None or row is None:
            return []
        start, end = _markers(*row)
        found = self._fts(
            "SELECT highlight(articles_fts, 1, ?, ?) FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?",
            (start, end, fts, article_id), query,
        )
        return list(unmark(found[0][0], start, end).marks) if found else []

    def _marked_again(self, article_id: int, fts: str, query: str) -> tuple[str, str, tuple[str, str]]:
        row = self.conn.execute("SELECT text, coalesce(title, '') FROM articles WHERE id = ?", (article_id,)).fetchone()
        start, end = _markers(*row)
        ((title, context),) = self._fts(
            "SELECT coalesce(highlight(articles_fts, 0, ?, ?), ''), "
            f"snippet(articles_fts, 1, ?, ?, '{ELLIPSIS}', {CONTEXT_TOKENS}) "
            "FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?",
            (start, end, start, end, fts, article_id), query,
        )
        return title, context, (start, end)

    def _fts(self, sql: str, args: tuple, query: str) -> list[tuple]:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as e:
            if "fts5" not in str(e):
                raise
            raise SearchError(f"cannot search for {query.strip()!r} ({e}); try other words") from None
