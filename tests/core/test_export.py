"""JSONL export: Prodigy task content, token indices, filters and atomic writes."""

import json
import time

import pytest

from annotator.errors import InputError
from annotator.exporting import ExportNotes, export_jsonl, prodigy_task, stable_hash, tasks, write_jsonl
from annotator.importing import import_files
from annotator.labels import make_labels
from annotator.model import Status
from annotator.store import AnnotationStore
from annotator.tokens import tokenize

TEXT = "Putin 🙂 met Kim Jong Un in 北京.\r\n\r\nThe Kremlin  said nothing."


@pytest.fixture
def project(store):
    store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
    ids, _ = store.add_articles([
        {"text": TEXT, "title": "Meeting", "meta": {"source": "wire", "nested": {"a": [1, 2]}}},
        {"text": "Second article about Moscow."},
        {"text": "Third one."},
    ])
    return store, ids


def entity(store, article_id, needle, label):
    start = store.article(article_id).text.index(needle)
    store.add_entity(article_id, start, start + len(needle), label)


def lines(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_an_accepted_article_exports_as_a_ner_manual_task(project, tmp_path):
    store, ids = project
    entity(store, ids[0], "Putin", "PERSON")
    entity(store, ids[0], "Kim Jong Un", "PERSON")
    entity(store, ids[0], "北京", "GPE")
    entity(store, ids[0], "Kremlin", "ORG")
    store.accept(ids[0])
    out = tmp_path / "out.jsonl"
    assert export_jsonl(store, out) == 1
    [task] = lines(out)
    assert task["text"] == TEXT  # "\r\n", emoji and CJK exactly as imported
    assert task["meta"] == {"source": "wire", "nested": {"a": [1, 2]}}
    assert task["title"] == "Meeting"
    assert [(TEXT[s["start"]:s["end"]], s["label"]) for s in task["spans"]] == [
        ("Putin", "PERSON"), ("Kim Jong Un", "PERSON"), ("北京", "GPE"), ("Kremlin", "ORG"),
    ]
    tokens = task["tokens"]
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    assert all(TEXT[t["start"]:t["end"]] == t["text"] for t in tokens)
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == TEXT
    for span in task["spans"]:
        first, last = tokens[span["token_start"]], tokens[span["token_end"]]
        assert (first["start"], last["end"]) == (span["start"], span["end"])
    kim = task["spans"][1]
    assert [t["text"] for t in tokens[kim["token_start"]:kim["token_end"] + 1]] == ["Kim", "Jong", "Un"]
    assert task["answer"] == "accept"
    assert task["_view_id"] == "ner_manual"
    assert task["_annotator_id"] == "tester"
    assert abs(task["_timestamp"] - time.time()) < 60
    assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)
    assert -2**31 <= task["_task_hash"] < 2**31


def test_hashes_are_deterministic_and_track_the_spans(project):
    store, ids = project
    first = next(tasks(store, None))
    assert first["_input_hash"] == stable_hash({"text": TEXT}) == next(tasks(store, None))["_input_hash"]
    entity(store, ids[0], "Putin", "PERSON")
    second = next(tasks(store, None))
    assert second["_input_hash"] == first["_input_hash"]
    assert second["_task_hash"] != first["_task_hash"]


def test_stored_tokens_are_used_and_spans_off_them_are_refused_or_aligned(project):
    store, ids = project
    text = store.article(ids[1]).text  # "Second article about Moscow."
    coarse = [0, 14, 15, 20, 21, 28]  # a model that tokenized differently: "Second article" is one token
    source = store.source_id("model", "coarse", "1")
    store.save_suggestions(source, [(ids[1], [(3, 10, "ORG", None), (15, 20, "ORG", None)], coarse)])  # "ond art": mid-token
    with pytest.raises(InputError) as caught:
        list(tasks(store, None))
    assert str(caught.value) == (
        "article 2: span 'ond art' at 3-10 (in 'Second article') does not fall on token boundaries; "
        "export with --align contract (shrink to the whole tokens inside) or --align expand "
        "(grow to the tokens it touches), or fix it in the project"
    )
    notes = ExportNotes()
    task = next(t for t in tasks(store, None, align="expand", notes=notes) if t["text"] == text)
    assert [t["text"] for t in task["tokens"]] == ["Second article", "about", "Moscow."]
    assert [t["ws"] for t in task["tokens"]] == [True, True, False]
    assert task["spans"] == [
        {"start": 0, "end": 14, "label": "ORG", "token_start": 0, "token_end": 0},
        {"start": 15, "end": 20, "label": "ORG", "token_start": 1, "token_end": 1},
    ]
    assert (notes.moved, notes.dropped) == (1, 0)
    notes = ExportNotes()
    task = next(t for t in tasks(store, None, align="contract", notes=notes) if t["text"] == text)
    assert task["spans"] == [{"start": 15, "end": 20, "label": "ORG", "token_start": 1, "token_end": 1}]
    assert (notes.moved, notes.dropped) == (0, 1)
    assert notes.summary("contract") == "1 span dropped, no whole token inside"


def test_overlapping_spans_make_a_spans_manual_task(project):
    store, ids = project
    store.set_setting("allow_overlap", True)
    entity(store, ids[0], "Kim Jong Un", "PERSON")
    entity(store, ids[0], "Kim Jong", "PERSON")
    notes = ExportNotes()
    first, second = list(tasks(store, None, notes=notes))[:2]
    assert first["_view_id"] == "spans_manual" and len(first["spans"]) == 2
    assert second["_view_id"] == "ner_manual"
    assert notes.overlapping == 1


def test_tokens_fall_back_to_the_tokenizer(project):
    store, ids = project
    task = prodigy_task(store.article(ids[2]), [], None)
    assert [(t["start"], t["end"]) for t in task["tokens"]] == tokenize("Third one.")
    assert task["spans"] == [] and task["answer"] == "ignore" and task["_timestamp"] is None


def test_status_and_annotator_filters(project, tmp_path):
    store, ids = project
    store.accept(ids[0])
    store.annotator = "alice"
    store.reject(ids[1])
    out = tmp_path / "out.jsonl"
    assert export_jsonl(store, out) == 1 and lines(out)[0]["text"] == TEXT
    export_jsonl(store, out, [Status.ACCEPTED, Status.REJECTED])
    assert [(t["answer"], t["_annotator_id"]) for t in lines(out)] == [("accept", "tester"), ("reject", "alice")]
    export_jsonl(store, out, [Status.ACCEPTED, Status.REJECTED], annotator="alice")
    assert [t["answer"] for t in lines(out)] == ["reject"]
    store.skip(ids[2])
    export_jsonl(store, out, None)
    assert [t["answer"] for t in lines(out)] == ["accept", "reject", "ignore"]
    assert export_jsonl(store, out, [Status.PENDING]) == 0 and out.read_text("utf-8") == ""


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n", "utf-8")

    def records():
        yield {"text": "one"}
        raise RuntimeError("disk trouble")

    with pytest.raises(RuntimeError):
        write_jsonl(out, records())
    assert out.read_text("utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
    assert write_jsonl(out, [{"text": "a"}, {"text": "b"}]) == 2
    assert lines(out) == [{"text": "a"}, {"text": "b"}]
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_dash_writes_to_stdout(capsys):
    assert write_jsonl("-", [{"text": "Ж"}]) == 1
    assert capsys.readouterr().out == '{"text":"Ж"}\n'


def test_bad_destinations_are_refused(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        write_jsonl(tmp_path, [])
    with pytest.raises(InputError, match="folder .*missing does not exist"):
        write_jsonl(tmp_path / "missing" / "out.jsonl", [])


def test_export_then_import_round_trips_text_and_entities(project, tmp_path):
    store, ids = project
    entity(store, ids[0], "Putin", "PERSON")
    entity(store, ids[0], "Kremlin", "ORG")
    store.accept(ids[0])
    out = tmp_path / "out.jsonl"
    export_jsonl(store, out)
    again = AnnotationStore.memory()
    try:
        again.add_labels(make_labels(["PERSON", "ORG"]))
        import_files(again, [out], spans_as="annotations")
        article = again.article(1)
        assert (article.text, article.title, article.meta) == (TEXT, "Meeting", store.article(ids[0]).meta)
        assert [(e.start, e.end, e.label) for e in again.entities(1)] == [
            (e.start, e.end, e.label) for e in store.entities(ids[0])
        ]
    finally:
        again.close()


def _strict(line):
    """json.loads as a strict reader: NaN, Infinity and -Infinity are not JSON."""
    def refuse(name):
        raise ValueError(f"{name} in exported JSON")

    return json.loads(line, parse_constant=refuse)


def test_nan_and_infinity_of_an_older_project_are_exported_as_strings(store, tmp_path):
    """Import refuses them now, but a project imported before may hold them in meta: export writes standard JSON."""
    store.add_labels(make_labels(["PERSON"]))
    meta = {"score": float("nan"), "range": [float("inf"), float("-inf"), 1.5], "deep": {"x": float("nan")}}
    ids, _ = store.add_articles([{"text": "Ada Lovelace.", "meta": meta}])
    store.accept(ids[0])
    out = tmp_path / "out.jsonl"
    assert export_jsonl(store, out) == 1
    (task,) = [_strict(line) for line in out.read_text("utf-8").splitlines()]
    assert task["meta"] == {"score": "NaN", "range": ["Infinity", "-Infinity", 1.5], "deep": {"x": "NaN"}}
    assert task["text"] == "Ada Lovelace."


# ------------------------------------------------------------ a huge article
BIG = "Putin \"met\" Kim in 北京 🙂.\r\n\r\nThe Kremlin  said\tnothing. " * 6000  # 330,000 characters, 84,000 tokens


class Recorder:
    """A text file that keeps what is written to it and the size of its largest single write."""

    def __init__(self):
        self.parts, self.largest = [], 0

    def write(self, s):
        self.parts.append(s)
        self.largest = max(self.largest, len(s))

    def flush(self):
        pass


def test_a_huge_article_is_written_in_bounded_pieces_equal_to_one_json_line(store, monkeypatch):
    """The line is written a piece at a time: never the whole text, token list or line in one string."""
    store.add_labels(make_labels(["PERSON"]))
    [article_id], _ = store.add_articles([{"text": BIG, "meta": {"n": 1}}])
    store.add_entity(article_id, 0, 5, "PERSON")
    store.accept(article_id)
    out = Recorder()
    monkeypatch.setattr("sys.stdout", out)
    assert export_jsonl(store, "-") == 1
    line = "".join(out.parts)
    task = json.loads(line)
    assert task["text"] == BIG and len(task["tokens"]) == len(tokenize(BIG)) > 80_000
    assert [(t["start"], t["end"]) for t in task["tokens"]] == tokenize(BIG)
    # byte for byte what one json.dumps writes (compact, as Prodigy's db-out)
    assert line == json.dumps(task, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert task["_input_hash"] == stable_hash({"text": BIG})
    assert out.largest < 200_000 < len(line) // 30  # the old exporter wrote the whole line (6.6 MB) at once


def test_a_task_keeps_its_tokens_compact_and_makes_rows_on_demand(project):
    store, ids = project
    task = prodigy_task(store.article(ids[0]), [], None)
    rows = task["tokens"]
    assert not isinstance(rows, list)  # no dict per token held for the whole article
    assert list(rows) == [rows[i] for i in range(len(rows))] and rows[-1] == rows[len(rows) - 1]
    assert rows[0] == {"text": "Putin", "start": 0, "end": 5, "id": 0, "ws": True}


def test_the_streamed_input_hash_is_the_canonical_json_hash():
    from annotator.exporting import PIECE, input_hash

    for text in ["", "a\"b\\\n\x00\x1f\u2028🙂 ж", "x" * PIECE + "é\"" + "ж" * (PIECE + 7), BIG]:
        assert input_hash(text) == stable_hash({"text": text})
    assert input_hash("Putin met Kim.") == 1276866361  # pinned: the hash of {"text": ...} as canonical JSON


def test_character_formats_carry_spans_off_token_boundaries_as_they_are(project, tmp_path):
    from annotator.exporting import export

    store, ids = project
    store.add_entity(ids[1], 3, 10, "ORG")  # "ond art": inside two tokens
    store.accept(ids[1])
    out = tmp_path / "doccano.jsonl"
    assert export(store, out, form="doccano") == 1
    [line] = lines(out)
    assert line["label"] == [[3, 10, "ORG"]]
    with pytest.raises(InputError, match="does not fall on token boundaries"):
        export(store, tmp_path / "tasks.jsonl")  # the token format refuses it


# ------------------------------------------------------------ issue 11: tokens stored once, --no-tokens
@pytest.fixture
def counted_tokenizer(monkeypatch):
    """Count the tokenizer's runs (one per piece of text it cuts)."""
    from annotator import tokens as tokens_module

    real, calls = tokens_module._tokenizer(), []
    monkeypatch.setattr(tokens_module, "_tokenizer", lambda: lambda text: (calls.append(text), real(text))[1])
    return calls


def test_an_export_without_tokens_has_the_same_texts_spans_and_hashes_and_no_tokenizer_run(project, tmp_path, counted_tokenizer):
    store, ids = project
    entity(store, ids[0], "Kim Jong Un", "PERSON")
    entity(store, ids[0], "北京", "GPE")
    with_tokens, without = tmp_path / "with.jsonl", tmp_path / "without.jsonl"
    assert export_jsonl(store, with_tokens, None) == 3
    counted_tokenizer.clear()
    assert export_jsonl(store, without, None, with_tokens=False) == 3
    assert counted_tokenizer == []
    full, plain = lines(with_tokens), lines(without)
    for a, b in zip(full, plain, strict=True):
        assert "tokens" not in b and all(not {"token_start", "token_end"} & set(span) for span in b["spans"])
        assert b["spans"] == [{k: s[k] for k in ("start", "end", "label")} for s in a["spans"]]
        assert {k: v for k, v in a.items() if k != "tokens" and k != "spans"} == {k: v for k, v in b.items() if k != "spans"}
    assert [(TEXT[s["start"]:s["end"]], s["label"]) for s in plain[0]["spans"]] == [("Kim Jong Un", "PERSON"), ("北京", "GPE")]


def test_tokens_are_computed_once_stored_and_read_by_the_next_export(tmp_path, counted_tokenizer):
    store = AnnotationStore.open(tmp_path / "p.db", create=True, annotator="tester")
    try:
        ids, _ = store.add_articles([{"text": TEXT}, {"text": "Second article about Moscow."}, {"text": "Third one."}])
        source = store.source_id("model", "coarse", "1")
        store.save_suggestions(source, [(ids[1], [], [0, 14, 15, 20, 21, 28])])  # a model run stores its tokens
        first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
        export_jsonl(store, first, None)
        assert sorted(counted_tokenizer) == sorted([TEXT, "Third one."])  # not the suggested article
        counted_tokenizer.clear()
        export_jsonl(store, second, None)
        assert counted_tokenizer == []
        assert first.read_bytes() == second.read_bytes()
        assert store.tokens(ids[2]) == tokenize("Third one.")
        assert store.tokens(ids[1]) == [(0, 14), (15, 20), (21, 28)]  # the model's, not replaced
    finally:
        store.close()


def test_tokens_are_computed_each_time_where_the_project_cannot_be_written(tmp_path, counted_tokenizer):
    path = tmp_path / "p.db"
    store = AnnotationStore.open(path, create=True, annotator="tester")
    store.add_articles([{"text": "Third one."}])
    store.close()
    store = AnnotationStore.open(path, readonly=True)
    try:
        for name in ("1.jsonl", "2.jsonl"):
            export_jsonl(store, tmp_path / name, None)
        assert counted_tokenizer == ["Third one.", "Third one."]
        assert store.tokens(1) is None
    finally:
        store.close()
