"""The project's own JSONL tasks (Prodigy ``ner_manual``): one JSON object per line.

Read: "text", "title", "meta", "spans" and the decision ("answer",
"_annotator_id", "_timestamp") are carried; what the export derives again
("tokens", the hashes, "_view_id", "_session_id", "_is_binary") is passed over
knowingly; any other key is reported as unknown. Write: ``prodigy_task`` as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..importing import json_lines
from . import Item, ReadOptions, WriteOptions

CARRIED = {"text", "title", "meta", "spans", "answer", "_annotator_id", "_timestamp"}
DERIVED = {"tokens", "_input_hash", "_task_hash", "_view_id", "_session_id", "_is_binary"}
KNOWN = CARRIED | DERIVED
# Span keys: start, end and label are read; the rest are derived from them.
SPAN_KNOWN = {"start", "end", "label", "token_start", "token_end", "text", "source", "input_hash"}


def read(path: Path, name: str, options: ReadOptions) -> Iterator[Item]:
    for where, size, value in json_lines(path):
        yield Item(where, size, value, unknown_keys(value))


def unknown_keys(value: object) -> tuple[str, ...]:
    """Phrases for the keys of a task (and of its spans) this format does not read."""
    if not isinstance(value, dict):
        return ()
    found = [] if value.keys() <= KNOWN else [f'key "{key}"' for key in value if key not in KNOWN]
    spans = value.get("spans")
    # Every span of every line passes here: the common case is one subset test each.
    if isinstance(spans, list) and not all(type(s) is dict and s.keys() <= SPAN_KNOWN for s in spans):
        extra = {key for span in spans if isinstance(span, dict) for key in span if key not in SPAN_KNOWN}
        found += [f'span key "{key}"' for key in sorted(extra)]
    return tuple(found)


def write(out: Path | str, tasks: Iterable[dict], options: WriteOptions) -> int:
    from ..exporting import write_jsonl

    return write_jsonl(out, tasks, on_progress=options.on_progress, should_cancel=options.should_cancel, total=options.total)


def sniff(path: Path) -> bool:
    """A .jsonl file is this format unless its first object reads as doccano's."""
    from . import doccano

    return not doccano.sniff(path)
