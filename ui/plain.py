"""Tooltips that show their text literally, whatever it holds.

Qt shows a tooltip as rich text whenever ``Qt.mightBeRichText`` guesses so from
its first line, so a model name or label name like ``<h1>big</h1><img src=x>``
would render as a heading and an image; escaping alone is not enough either
(an escaped text whose first line has no markup is shown as plain text, with
its ``&lt;`` visible). So every tooltip that can hold data is escaped AND made
rich on purpose, keeping line breaks and runs of spaces as they are.
"""

from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """Tooltip markup that shows ``text`` exactly; "" (no tooltip) stays "" ."""
    return f'<span style="white-space:pre-wrap">{html.escape(text)}</span>' if text else ""


def set_plain_tooltip(target, text: str) -> None:
    """``target.setToolTip`` (a widget, an action or an item) with ``text`` shown literally."""
    target.setToolTip(plain_tooltip(text))
