"""What ``export_rows`` builds of each article in SQL, for a format that writes from it.

A format describes its spans as a template (``RowPieces.span``): literal strings and
``SpanField``s. ``export_rows`` turns it into one SQL expression per span (the literals
bound as parameters) and has SQLite join the spans of an article with ``separator``, in
the order start, end, id: no Python object per entity (1.9 million in 50,000 articles
were most of an export's time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

_COVERED = 'substr(t.text, a.start + 1, a."end" - a.start)'  # substr counts code points, as offsets do


class SpanField(Enum):
    """A value of a span, as the SQL that makes its text."""

    START = "a.start"
    END = 'a."end"'
    LABEL = "json_quote(a.label)"  # a JSON string, escaped as json.dumps(ensure_ascii=False) escapes
    LABEL_TEXT = "a.label"
    COVERED = f"json_quote({_COVERED})"  # the characters the span covers, a JSON string
    COVERED_FLAT = f"replace(replace(replace({_COVERED}, char(13), ' '), char(10), ' '), char(9), ' ')"  # brat's


@dataclass(frozen=True)
class RowPieces:
    """How ``export_rows`` gives an article: its text JSON-quoted (or as UTF-8 bytes), its spans (bytes)
    each made from ``span`` and joined by ``separator``, and a second string of them (str) from
    ``second`` joined by ``second_separator`` (by default the positions "S,E,S,E..."; empty: "")."""

    span: Sequence[str | SpanField]
    separator: str = ", "
    quoted_text: bool = True
    second: Sequence[str | SpanField] = (SpanField.START, ",", SpanField.END)
    second_separator: str = ","

    def sql(self) -> tuple[str, str, list[str]]:
        """The SQL of the two per-article aggregates, the table they read, and the literals they bind."""
        span, literals = _expression(self.span)
        literals.append(self.separator)
        aggregates = f"CAST(group_concat({span}, ?) AS BLOB), "
        if self.second:
            second, more = _expression(self.second)
            aggregates += f"group_concat({second}, ?)"
            literals += [*more, self.second_separator]
        else:
            aggregates += "''"  # not asked for: not made (the positions are a fifth of the SQL's time)
        covering = any(part in (SpanField.COVERED, SpanField.COVERED_FLAT) for part in (*self.span, *self.second))
        source = "annotations a JOIN articles t ON t.id = a.article_id" if covering else "annotations a"
        return aggregates, source, literals


def _expression(template: Sequence[str | SpanField]) -> tuple[str, list[str]]:
    """One span's SQL expression from a template, and the literals it binds, in order."""
    parts, literals = [], []
    for part in template:
        if isinstance(part, SpanField):
            parts.append(part.value)
        else:
            parts.append("?")
            literals.append(part)
    return " || ".join(parts), literals


# The project's own JSONL span (Prodigy's, without token indices): what export_rows gives by default.
TASK_SPANS = RowPieces(('{"start": ', SpanField.START, ', "end": ', SpanField.END, ', "label": ', SpanField.LABEL, "}"))
