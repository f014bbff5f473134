"""The exports written from the store's pieces (annotator.task_lines: JSONL without tokens, doccano,
Label Studio; brat's files) write what the task-dict writers they replaced wrote, byte for byte: those
writers are kept here as the reference (``_doccano_line``, ``_labelstudio_task``, ``_brat_files``)."""

import json
import re
import threading
import unicodedata

import pytest

from annotator.errors import Cancelled, InputError
from annotator.exporting import ExportNotes, export, export_jsonl, tasks, write_jsonl, write_task
from annotator.formats.brat import _flat
from annotator.formats.doccano import RESERVED
from annotator.labels import make_labels
from annotator.model import Status
from annotator.store import AnnotationStore

LABELS = ["PERSON", 'say "hi"', "back\\slash", "Ортография", "🙂 emoji", "a}, {b"]
TEXTS = [
    "Putin 🙂 met Kim Jong Un in 北京.\r\n\r\nThe Kremlin  said nothing.",
    'Quotes "inside", a back\\slash, a tab\there, \x01 \x1f \x7f controls, \u2028 and \u2029 separators.',
    "No spans at all, é and ß.",
    "Overlap: New York City Hall.",
    "Ties: Ada Lovelace and Ada.",
    "",
]


@pytest.fixture(params=["memory", "file"])
def varied(request, tmp_path):
    """A project of every kind of content, in memory (read on its one connection) and in a file
    (read ahead on a second connection)."""
    yield from _varied(request.param, tmp_path, LABELS)


@pytest.fixture(params=["memory", "file"])
def varied_brat(request, tmp_path):
    """The same content with labels brat can write (no whitespace)."""
    yield from _varied(request.param, tmp_path, [label.replace(" ", "_") for label in LABELS])


def _varied(kind, tmp_path, labels):
    store = AnnotationStore.memory() if kind == "memory" else AnnotationStore.open(
        tmp_path / "p.db", create=True, annotator="tester")
    PERSON, QUOTE, SLASH, CYRILLIC, EMOJI, BRACES = labels  # noqa: N806
    try:
        store.add_labels(make_labels(labels))
        store.set_setting("allow_overlap", True)
        ids, _ = store.add_articles([
            {"text": TEXTS[0], "title": 'Meeting "at" 北京', "meta": {"source": "wire", "nested": {"a": [1, 2.5, None]}}},
            {"text": TEXTS[1], "meta": {"quote": 'he said "no"\n', "emoji": "🙂", "big": 10**20, "f": 1e16}},
            {"text": TEXTS[2], "title": ""},
            {"text": TEXTS[3], "meta": {"score": float("nan"), "range": [float("inf"), float("-inf")]}},
            {"text": TEXTS[4], "title": "Ties", "meta": {"text": "clash", "meta": {"a": 1}, "label": [], "title": "t", "id": 7}},
            {"text": TEXTS[5] or " "},
        ])
        add = lambda i, needle, label, at=0: store.add_entity(ids[i], TEXTS[i].index(needle, at), TEXTS[i].index(needle, at) + len(needle), label)  # noqa: E731
        add(0, "Kremlin", BRACES)  # added out of text order
        add(0, "Putin", PERSON)
        add(0, "北京", CYRILLIC)
        add(0, ".\r\n\r\nThe", PERSON)  # line breaks inside a span (brat writes them as spaces)
        add(1, "Quotes", QUOTE)
        add(1, "back\\slash", SLASH)
        add(1, "tab\there", PERSON)
        add(1, "\x01 \x1f \x7f controls, \u2028", EMOJI)
        add(3, "New York City Hall", PERSON)
        add(3, "York", EMOJI)  # overlaps: a spans_manual task
        add(3, "New York", PERSON)
        add(4, "Ada", PERSON, 20)
        add(4, "Ada", EMOJI)
        add(4, "Ada Lovelace", PERSON)
        store.accept(ids[0])
        store.accept(ids[1])
        store.reject(ids[2])
        store.accept(ids[3])
        store.skip(ids[4])
        yield store, ids
    finally:
        store.close()


def _old_writer(store, path, statuses, **kwargs) -> ExportNotes:
    notes = ExportNotes()
    write_jsonl(path, tasks(store, statuses, with_tokens=False, spans_only=True, notes=notes, **kwargs))
    return notes


@pytest.mark.parametrize("statuses", [(Status.ACCEPTED,), None, (Status.REJECTED, Status.SKIPPED)])
def test_lines_without_tokens_are_the_task_writers_bytes(varied, tmp_path, statuses):
    store, _ = varied
    before, after = tmp_path / "tasks.jsonl", tmp_path / "lines.jsonl"
    expected = _old_writer(store, before, statuses)
    notes = ExportNotes()
    count = export_jsonl(store, after, statuses, with_tokens=False, notes=notes)
    assert after.read_bytes() == before.read_bytes()
    assert count == len(before.read_bytes().splitlines())
    assert notes == expected


def test_every_kind_of_content_is_in_the_comparison(varied, tmp_path):
    """The comparison above covers what it claims: escapes, NaN meta, titles, overlaps, every answer."""
    store, _ = varied
    out = tmp_path / "all.jsonl"
    notes = ExportNotes()
    export(store, out, None, with_tokens=False, notes=notes)
    text = out.read_text("utf-8")
    for piece in ['\\"inside\\"', "\\\\slash", "\\t", "\\u0001", "\\u001f", "\x7f", "\u2028", '"NaN"', '"-Infinity"',
                  '"title":""', '"label":"say \\"hi\\""', '"label":"a}, {b"', '"_view_id":"spans_manual"',
                  '"answer":"reject"', '"answer":"ignore"', '"spans":[]', "🙂"]:
        assert piece in text, piece
    assert notes.overlapping == 2  # the article of New York and the one of Ada (skipped)


def test_an_annotator_filter_reads_the_same_articles(varied, tmp_path):
    store, _ = varied
    before, after = tmp_path / "tasks.jsonl", tmp_path / "lines.jsonl"
    _old_writer(store, before, None, annotator="tester")
    export_jsonl(store, after, None, annotator="tester", with_tokens=False)
    assert after.read_bytes() == before.read_bytes() != b""


def test_a_cancelled_export_without_tokens_writes_nothing_and_stops_its_reader(tmp_path):
    store = AnnotationStore.open(tmp_path / "p.db", create=True, annotator="tester")
    try:
        ids, _ = store.add_articles([{"text": f"Article {i}."} for i in range(2500)])
        for article_id in ids:
            store.accept(article_id)
        out = tmp_path / "out.jsonl"
        with pytest.raises(Cancelled):
            export_jsonl(store, out, with_tokens=False, should_cancel=lambda: True)
        assert not out.exists()
        assert list(tmp_path.glob(".out.jsonl.*")) == []
        assert not [t for t in threading.enumerate() if t.name == "annotator-read-ahead"]
    finally:
        store.close()


def test_an_export_without_tokens_builds_no_task_dicts(varied, tmp_path, monkeypatch):
    """Its lines come from the store's JSON pieces: prodigy_task (a dict and a tuple per entity) is not run."""
    import annotator.exporting as exporting

    def no_dicts(*args, **kwargs):
        raise AssertionError("prodigy_task ran for an export without tokens")

    store, _ = varied
    expected = tmp_path / "tasks.jsonl"
    _old_writer(store, expected, None)
    monkeypatch.setattr(exporting, "prodigy_task", no_dicts)
    out = tmp_path / "out.jsonl"
    assert export(store, out, None, with_tokens=False) == 6
    assert out.read_bytes() == expected.read_bytes()


def _doccano_line(task: dict) -> dict:
    """The doccano writer's line of a task, as it was before its lines were made from the store's pieces."""
    meta = task.get("meta") or {}
    line = {"text": task["text"], "label": [[s["start"], s["end"], s["label"]] for s in task["spans"]]}
    if "title" in task:
        line["title"] = task["title"]
    clashing = {k: v for k, v in meta.items() if k in RESERVED or k in ("title", "meta")}
    line.update((k, v) for k, v in meta.items() if k not in clashing)
    if clashing:
        line["meta"] = clashing
    return line


def _labelstudio_task(task: dict) -> dict:
    """The Label Studio writer's task, as it was before (one per line of a JSON array, see _labelstudio)."""
    data = {"text": task["text"]}
    if "title" in task:
        data["title"] = task["title"]
    result = [
        {"value": {"start": s["start"], "end": s["end"], "text": task["text"][s["start"]:s["end"]], "labels": [s["label"]]},
         "from_name": "label", "to_name": "text", "type": "labels"}
        for s in task["spans"]
    ]
    out = {"data": data, "meta": task.get("meta") or {}}
    out["annotations" if task.get("answer") == "accept" else "predictions"] = [{"result": result}]
    return out


def _labelstudio(path, made) -> None:
    with open(path, "x", encoding="utf-8", newline="\n") as f:
        f.write("[")
        for count, task in enumerate(made):
            f.write(",\n" if count else "\n")
            write_task(f, _labelstudio_task(task))
        f.write("\n]\n")


def _brat_name(count: int, task: dict) -> str:
    """A brat file's name, word by word: the number, then the ASCII words of the title's (or the
    text's) first 60 characters that fit in 40 (a first word longer than that, cut)."""
    head = unicodedata.normalize("NFKD", (task.get("title") or task["text"])[:60].replace("ß", "ss"))
    words = re.findall(r"[a-z0-9]+", head.encode("ascii", "ignore").decode().lower())
    name = words[0][:40] if words else ""
    for word in words[1:]:
        if len(name) + 1 + len(word) > 40:
            break
        name += "-" + word
    return f"{count:06d}-{name}" if name else f"{count:06d}"


def _brat_files(folder, made) -> None:
    """The brat writer's files, as it wrote them from task dicts."""
    labels: dict[str, None] = {}
    folder.mkdir()
    for count, task in enumerate(made, start=1):
        name = _brat_name(count, task)
        (folder / f"{name}.txt").write_bytes(task["text"].encode("utf-8"))
        lines = []
        for i, span in enumerate(task["spans"], start=1):
            if span["label"].split() != [span["label"]]:
                raise InputError(f"label {span['label']!r} holds whitespace, which brat labels cannot")
            labels[span["label"]] = None
            lines.append(f"T{i}\t{span['label']} {span['start']} {span['end']}\t{_flat(task['text'][span['start']:span['end']])}\n")
        (folder / f"{name}.ann").write_bytes("".join(lines).encode("utf-8"))
    conf = "[entities]\n" + "".join(f"{label}\n" for label in labels) + "[relations]\n[events]\n[attributes]\n"
    (folder / "annotation.conf").write_bytes(conf.encode("utf-8"))


def _character_tasks(store, statuses, **kwargs):
    return tasks(store, statuses, with_tokens=False, spans_only=True, align=None, **kwargs)


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("statuses", [(Status.ACCEPTED,), None])
def test_doccano_lines_are_the_task_writers_bytes(varied, tmp_path, statuses, monkeypatch):
    import annotator.exporting as exporting

    store, _ = varied
    before, after = tmp_path / "tasks.jsonl", tmp_path / "rows.jsonl"
    write_jsonl(before, map(_doccano_line, _character_tasks(store, statuses)))
    monkeypatch.setattr(exporting, "prodigy_task", None)  # not run: no task dicts
    assert export(store, after, statuses, form="doccano") == len(before.read_bytes().splitlines())
    assert after.read_bytes() == before.read_bytes()
    if statuses is None:
        text = after.read_text("utf-8")
        for piece in ['"label":[[', '"title":"Ties","id":7,"meta":{"text":"clash","meta":{"a":1},"label":[],"title":"t"}}',
                      '"title":"Ties"', '"NaN"', '"label":[[6,9,"🙂 emoji"],[6,18,"PERSON"],[23,26,"PERSON"]]']:
            assert piece in text, piece


@pytest.mark.parametrize("statuses", [(Status.ACCEPTED,), None, (Status.REJECTED,), (Status.PENDING,)])
def test_labelstudio_tasks_are_the_task_writers_bytes(varied, tmp_path, statuses, monkeypatch):
    import annotator.exporting as exporting

    store, _ = varied
    before, after = tmp_path / "tasks.json", tmp_path / "rows.json"
    _labelstudio(before, _character_tasks(store, statuses))
    monkeypatch.setattr(exporting, "prodigy_task", None)  # not run: no task dicts
    count = export(store, after, statuses, form="labelstudio")
    assert after.read_bytes() == before.read_bytes()
    assert len(json.loads(after.read_bytes())) == count
    if statuses is None:
        text = after.read_text("utf-8")
        for piece in ['"text":"\\u0001 \\u001f \x7f controls, \u2028"', '"text":"tab\\there"', '"labels":["say \\"hi\\""]',
                      '"title":"Meeting \\"at\\" 北京"', '"NaN"', '"-Infinity"', '"predictions":[{"result":[{"value":{"start":6',
                      '"text":"北京"', '"labels":["a}, {b"]']:
            assert piece in text, piece


def test_an_empty_labelstudio_export_is_an_empty_array(varied, tmp_path):
    store, _ = varied
    before, after = tmp_path / "tasks.json", tmp_path / "rows.json"
    _labelstudio(before, _character_tasks(store, None, annotator="nobody"))
    assert export(store, after, None, annotator="nobody", form="labelstudio") == 0
    assert after.read_bytes() == before.read_bytes() == b"[\n]\n"


@pytest.mark.parametrize("statuses", [(Status.ACCEPTED,), None])
def test_brat_files_are_the_task_writers_bytes(varied_brat, tmp_path, statuses, monkeypatch):
    import annotator.exporting as exporting

    store, _ = varied_brat
    before, after = tmp_path / "tasks", tmp_path / "rows"
    _brat_files(before, _character_tasks(store, statuses))
    monkeypatch.setattr(exporting, "prodigy_task", None)  # not run: no task dicts
    count = export(store, after, statuses, form="brat")
    assert _files(after) == _files(before)
    assert len(_files(after)) == 2 * count + 1
    assert sorted(_files(after))[:2] == ["000001-meeting-at.ann", "000001-meeting-at.txt"]  # the title's words
    if statuses is None:
        ann = b"".join(_files(after).values()).decode("utf-8")
        for piece in ["T1\tPERSON 0 5\tPutin\n", "\t.    The\n", "\ttab here\n", "\t\x01 \x1f \x7f controls, \u2028\n",
                      "\tsay_\"hi\" 0 6\tQuotes\n", "T2\tPERSON 9 27\tNew York City Hall\n", "[entities]\nPERSON\n"]:
            assert piece in ann, piece


def test_brat_refuses_a_label_with_whitespace_and_writes_nothing(varied, tmp_path):
    store, _ = varied
    with pytest.raises(InputError) as before:
        _brat_files(tmp_path / "tasks", _character_tasks(store, None))
    with pytest.raises(InputError) as after:
        export(store, tmp_path / "rows", None, form="brat")
    assert str(after.value) == str(before.value) == "label 'a}, {b' holds whitespace, which brat labels cannot"
    assert not (tmp_path / "rows").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rows")] == []


def test_a_project_file_replaced_after_opening_is_not_read_by_the_second_connection(tmp_path):
    """The read-ahead connection opens by path: when another file now has that name, the export reads
    the file the store opened, on its own connection."""
    path, other = tmp_path / "p.db", tmp_path / "other.db"
    for name, text in ((path, "The project opened."), (other, "Another project.")):
        made = AnnotationStore.open(name, create=True, annotator="tester")
        try:
            ids, _ = made.add_articles([{"text": text}])
            made.accept(ids[0])
        finally:
            made.close()
    store = AnnotationStore.open(path, annotator="tester")
    try:
        expected = tmp_path / "expected.jsonl"
        _old_writer(store, expected, (Status.ACCEPTED,))
        path.rename(tmp_path / "moved.db")
        other.rename(path)
        out = tmp_path / "out.jsonl"
        export_jsonl(store, out, with_tokens=False)
        assert out.read_bytes() == expected.read_bytes()
        assert b"The project opened." in out.read_bytes()
    finally:
        store.close()


@pytest.mark.parametrize("form, name", [("labelstudio", "out.json"), ("doccano", "out.jsonl"), ("jsonl", "out.jsonl"), ("brat", "out")])
def test_an_export_limited_to_one_article_writes_the_first_one(varied_brat, tmp_path, form, name):
    """What the export dialog's preview shows: the export itself, limited to the first article."""
    store, _ = varied_brat
    whole, first = tmp_path / "whole", tmp_path / "first"
    whole.mkdir()
    first.mkdir()
    assert export(store, whole / name, None, form=form, with_tokens=False) == 6
    assert export(store, first / name, None, form=form, with_tokens=False, limit=1) == 1
    if form == "brat":
        written = _files(first / name)
        assert written.keys() == {"000001-meeting-at.txt", "000001-meeting-at.ann", "annotation.conf"}
        assert written["000001-meeting-at.ann"] == _files(whole / name)["000001-meeting-at.ann"] != b""
    elif form == "labelstudio":
        assert json.loads((first / name).read_bytes()) == json.loads((whole / name).read_bytes())[:1]
    else:
        assert (first / name).read_bytes() == (whole / name).read_bytes().splitlines(keepends=True)[0]
