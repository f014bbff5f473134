"""What ``export_rows`` (and, for brat, ``export_text_batches``) builds of each article in SQL, for a
format that writes from it.

Each format that writes without tokens has its spans made here, as one SQL aggregate over
the article's annotations (``a``, read in the order start, end, id of the covering index)
that may read the article's row (``t``): no Python object per entity (1.9 million in
50,000 articles were most of an export's time). The JSON formats use SQLite's JSON
functions, whose compact output (no spaces after ``:`` and ``,``) is the project's JSON:
they make an article's spans in half the time of strings joined with ``||``, and
escape strings as ``json.dumps(ensure_ascii=False)`` does (tests/core/test_task_lines.py
holds them together, nasty strings included). Every piece is a constant: labels and texts
are column values, never SQL text. SQLite-only, like the search index: a PostgreSQL port
would write ``json_agg(json_build_object(...) ORDER BY start, "end", id)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowPieces:
    """What ``export_rows`` makes of an article's spans: aggregates over them, made in one pass, each
    a piece of the article's row. Each must make JSON (or a number): ``export_rows`` joins an
    article's pieces with tabs and the articles with line breaks. ``readers``: the threads that
    read the batches in turns, each on its own connection: 2 where SQLite's share is most of the
    export (Label Studio: 3.4 s of CPU in SQLite, 1 s in Python), which two free cores then share;
    it costs a tenth more CPU, which is all it does when only one core is free."""

    aggregates: tuple[str, ...]
    readers: int = 1

    def sql(self) -> str:
        """The aggregates as one expression, joined by tabs."""
        return " || x'09' || ".join(self.aggregates)


# The project's own JSONL spans (Prodigy's, without token indices) as a JSON array; their starts
# and ends, "[[S,S...],[E,E...]]", from which task_lines tells whether two overlap (the task's _view_id:
# a self-join of the spans in SQL took twice as long); and the spans as _task_hash hashes them,
# [[S,E,"L"],...] (as fast here as taking the keys out in Python, on the thread that has time).
# What export_rows gives by default.
TASK_SPANS = RowPieces((
    "json_group_array(json_object('start', a.start, 'end', a.\"end\", 'label', a.label))",
    "'[' || json_group_array(a.start) || ',' || json_group_array(a.\"end\") || ']'",
    "json_group_array(json_array(a.start, a.\"end\", a.label))",
))
# Each span as [start, end, "LABEL"]: doccano's "label" list.
SPAN_LISTS = RowPieces(("json_group_array(json_array(a.start, a.\"end\", a.label))",))
# Label Studio's result items' values, each with the text it covers (substr counts code points, as
# offsets do); labelstudio.row_line adds the constant rest of each item, which took SQLite's JSON
# functions a quarter of their time.
LABELSTUDIO_SPANS = RowPieces((
    "json_group_array(json_object('start', a.start, 'end', a.\"end\", "
    "'text', substr(t.text, a.start + 1, a.\"end\" - a.start), 'labels', json_array(a.label)))",
), readers=2)


@dataclass(frozen=True)
class TextBatch:
    """A batch of ``store.export_text_batches``' articles: ``texts`` their texts as stored, one after
    another as UTF-8, ``sizes`` each one's bytes, ``spans`` each one's spans piece ("" without
    spans), and ``heads`` the first ``HEAD_CHARS`` characters of each one's title, or of its text
    when it has none (to name a file after), with any x'1f' made a space."""

    texts: bytes
    sizes: list[int]
    spans: list[str]
    heads: list[str]


HEAD_CHARS = 60  # room for the 40 characters of words a brat file name keeps once punctuation drops out


# What brat's .ann lines are made of: each span's label, joined by line breaks, then x'1e', the
# starts, x'1e', the ends (joined by commas). Python numbers the lines, puts them together and cuts
# the text each span covers (it slices text in constant time; SQLite's substr counts the code points
# before each span, and made the export take twice as long). SQLite writing whole lines (printf)
# took twice the SQL time of this, which Python's joining the pieces does not make up.
BRAT_SPANS = "group_concat(a.label, x'0a') || x'1e' || group_concat(a.start) || x'1e' || group_concat(a.\"end\")"
