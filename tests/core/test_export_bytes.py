"""The exact bytes of the exports without tokens, which SQLite's JSON functions make (store/span_pieces.py):
compact JSON, escaped as json.dumps(ensure_ascii=False) escapes, and the overlap rule of offsets.first_overlap."""

import json
import random

import pytest

from annotator.exporting import ExportNotes, _timestamp, export, input_hash, stable_hash
from annotator.labels import make_labels
from annotator.offsets import first_overlap
from annotator.store import AnnotationStore
from annotator.task_lines import overlapping

# Every character JSON must escape, the ones it must not (DEL, the line separators, "/", non-BMP...).
NASTY = "".join(chr(c) for c in range(1, 32)) + '"\\/\x7f\u2028\u2029\u00e9\u00df\u4eac\U0001f642\U00010348\ufffd\uffff<&>'
# Labels holding what the writers look for in SQLite's JSON: a span's or an item's boundary.
LABELS = ['say "hi"', "back\\slash", "a/b", "🙂 emoji", "北京", "<b>&amp;</b>", "a}, {b", "x],[1,2,\"y",
          '},{"start":1', ']},{"value":']


def _compact(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    made = AnnotationStore.memory() if request.param == "memory" else AnnotationStore.open(
        tmp_path / "p.db", create=True, annotator='ann "quoted"\tname')
    try:
        made.add_labels(make_labels(LABELS))
        made.set_setting("allow_overlap", True)
        yield made
    finally:
        made.close()


def _nasty_article(store) -> tuple[int, str, list[tuple[int, int, str]]]:
    text = "Start " + NASTY + ' end },{"start":9]},{"value": end.'
    ids, _ = store.add_articles([{"text": text, "title": "T\t\"" + NASTY, "meta": {"k\n": NASTY, "n": [1.5, 10**20, -0.0]}}])
    spans = [(text.index(char), text.index(char) + 1, LABELS[i % len(LABELS)]) for i, char in enumerate(NASTY)]
    spans.append((text.index(" },"), len(text) - 5, LABELS[0]))  # covers what the writers look for
    for start, end, label in spans:
        store.add_entity(ids[0], start, end, label)
    store.accept(ids[0])
    return ids[0], text, spans


def test_a_jsonl_line_without_tokens_is_compact_json_escaped_as_python_escapes(store, tmp_path):
    article_id, text, spans = _nasty_article(store)
    decided = store.article(article_id)
    out = tmp_path / "out.jsonl"
    assert export(store, out, with_tokens=False) == 1

    text_hash = input_hash(text)
    expected = {
        "text": text, "meta": {"k\n": NASTY, "n": [1.5, 10**20, -0.0]}, "title": "T\t\"" + NASTY,
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
        "answer": "accept", "_input_hash": text_hash,
        "_task_hash": stable_hash([text_hash, [list(span) for span in spans]]),
        "_view_id": "ner_manual", "_annotator_id": decided.annotator, "_timestamp": _timestamp(decided.decided_at),
    }
    assert out.read_bytes() == _compact(expected) + b"\n"


def test_doccano_and_labelstudio_are_compact_json_escaped_as_python_escapes(store, tmp_path):
    _, text, spans = _nasty_article(store)
    doccano, labelstudio = tmp_path / "out.jsonl", tmp_path / "out.json"
    export(store, doccano, form="doccano")
    export(store, labelstudio, form="labelstudio")
    assert doccano.read_bytes() == _compact({
        "text": text, "label": [list(span) for span in spans], "title": "T\t\"" + NASTY,
        "k\n": NASTY, "n": [1.5, 10**20, -0.0],
    }) + b"\n"
    result = [{"value": {"start": s, "end": e, "text": text[s:e], "labels": [label]},
               "from_name": "label", "to_name": "text", "type": "labels"} for s, e, label in spans]
    task = {"data": {"text": text, "title": "T\t\"" + NASTY}, "meta": {"k\n": NASTY, "n": [1.5, 10**20, -0.0]},
            "annotations": [{"result": result}]}
    assert labelstudio.read_bytes() == b"[\n" + _compact(task) + b"\n]\n"


def test_the_exact_bytes_of_a_small_export_in_each_format(tmp_path):
    store = AnnotationStore.open(tmp_path / "p.db", create=True, annotator="ann")
    try:
        store.add_labels(make_labels(["PER", "LOC"]))
        ids, _ = store.add_articles([{"text": "Ada was in Zürich.", "title": "One", "meta": {"id": 7}}, {"text": "None."}])
        store.add_entity(ids[0], 11, 17, "LOC")
        store.add_entity(ids[0], 0, 3, "PER")
        store.accept(ids[0])
        store.reject(ids[1])
        when = [_timestamp(store.article(i).decided_at) for i in ids]

        h0, h1 = input_hash("Ada was in Zürich."), input_hash("None.")
        t0 = stable_hash([h0, [[0, 3, "PER"], [11, 17, "LOC"]]])
        t1 = stable_hash([h1, []])
        export(store, tmp_path / "all.jsonl", None, with_tokens=False)
        assert (tmp_path / "all.jsonl").read_text("utf-8") == (
            '{"text":"Ada was in Zürich.","meta":{"id":7},"title":"One","spans":[{"start":0,"end":3,"label":"PER"},'
            f'{{"start":11,"end":17,"label":"LOC"}}],"answer":"accept","_input_hash":{h0},"_task_hash":{t0},'
            f'"_view_id":"ner_manual","_annotator_id":"ann","_timestamp":{when[0]}}}\n'
            f'{{"text":"None.","meta":{{}},"spans":[],"answer":"reject","_input_hash":{h1},"_task_hash":{t1},'
            f'"_view_id":"ner_manual","_annotator_id":"ann","_timestamp":{when[1]}}}\n'
        )
        export(store, tmp_path / "d.jsonl", None, form="doccano")
        assert (tmp_path / "d.jsonl").read_text("utf-8") == (
            '{"text":"Ada was in Zürich.","label":[[0,3,"PER"],[11,17,"LOC"]],"title":"One","id":7}\n'
            '{"text":"None.","label":[]}\n'
        )
        export(store, tmp_path / "l.json", None, form="labelstudio")
        assert (tmp_path / "l.json").read_text("utf-8") == (
            '[\n{"data":{"text":"Ada was in Zürich.","title":"One"},"meta":{"id":7},"annotations":[{"result":['
            '{"value":{"start":0,"end":3,"text":"Ada","labels":["PER"]},"from_name":"label","to_name":"text","type":"labels"},'
            '{"value":{"start":11,"end":17,"text":"Zürich","labels":["LOC"]},"from_name":"label","to_name":"text","type":"labels"}]}]},\n'
            '{"data":{"text":"None."},"meta":{},"predictions":[{"result":[]}]}\n]\n'
        )
        export(store, tmp_path / "b", None, form="brat")
        files = {p.name: p.read_text("utf-8") for p in (tmp_path / "b").iterdir()}
        assert files == {
            "000001-one.txt": "Ada was in Zürich.", "000001-one.ann": "T1\tPER 0 3\tAda\nT2\tLOC 11 17\tZürich\n",
            "000002-none.txt": "None.", "000002-none.ann": "",
            "annotation.conf": "[entities]\nPER\nLOC\n[relations]\n[events]\n[attributes]\n",
        }
    finally:
        store.close()


# Span sets and whether two of them overlap: nested, touching, same start, same span twice...
LAYOUTS = [
    ([(0, 10), (2, 3), (5, 6)], True),  # nested: the third starts after its predecessor ends, inside the first
    ([(0, 5), (5, 9)], False),  # touching
    ([(0, 5), (0, 3)], True),  # same start
    ([(4, 6), (4, 6)], True),  # the same span twice (two labels)
    ([(0, 3), (5, 9), (6, 7)], True),
    ([(0, 3), (5, 9), (9, 12), (20, 21)], False),
    ([(0, 100), (50, 60), (99, 100)], True),
    ([(3, 4)], False),
    ([], False),
]


@pytest.mark.parametrize("spans, expected", LAYOUTS)
def test_overlapping_spans_are_a_spans_manual_task(store, tmp_path, spans, expected):
    ids, _ = store.add_articles([{"text": "x" * 120}])
    for start, end in spans:
        store.add_entity(ids[0], start, end, LABELS[0])
    store.accept(ids[0])
    out, notes = tmp_path / "out.jsonl", ExportNotes()
    export(store, out, with_tokens=False, notes=notes)
    task = json.loads(out.read_bytes())
    assert (first_overlap(spans) is not None) == expected
    assert task["_view_id"] == ("spans_manual" if expected else "ner_manual")
    assert notes.overlapping == int(expected)


def _bounds(spans: list[tuple[int, int]]) -> bytes:
    """The starts and ends as store.export_rows gives them: in the order start, end, id."""
    ordered = sorted(spans)
    return b"[[%b],[%b]]" % (b",".join(b"%d" % s for s, _ in ordered), b",".join(b"%d" % e for _, e in ordered))


def test_the_overlap_rule_is_first_overlaps_on_random_span_sets():
    rng = random.Random(11)
    for _ in range(3000):
        spans = []
        for _ in range(rng.randrange(0, 7)):
            start = rng.randrange(0, 30)
            spans.append((start, start + rng.randrange(1, 8)))
        assert overlapping(_bounds(spans)) == (first_overlap(spans) is not None), spans


@pytest.mark.parametrize("readers", [1, 2, 3])
@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_batches_read_in_turns_by_several_threads_come_in_order(tmp_path, batch, readers):
    """With two readers, export_rows reads batch 0, 2, 4... on one connection and 1, 3, 5... on
    another; filters included."""
    from dataclasses import replace

    from annotator.exporting import tasks, write_jsonl
    from annotator.model import Status
    from annotator.store.span_pieces import TASK_SPANS

    store = AnnotationStore.open(tmp_path / "p.db", create=True, annotator="a")
    try:
        store.add_labels(make_labels(["PER"]))
        ids, _ = store.add_articles([{"text": f"Article {i} by Ada."} for i in range(100)])
        for i, article_id in enumerate(ids):
            if i % 5:
                store.add_entity(article_id, len(f"Article {i} by "), len(f"Article {i} by Ada"), "PER")
            (store.accept if i % 3 else store.reject)(article_id)
        for statuses in [None, (Status.ACCEPTED,), (Status.REJECTED,), (Status.PENDING,)]:
            expected = [article.text for article, _, _ in store.iter_articles(statuses, tokens=False)]
            rows = store.export_rows(statuses, batch=batch, pieces=replace(TASK_SPANS, readers=readers))
            assert [json.loads(row[0]) for row in rows] == expected
        expected, out = tmp_path / "expected.jsonl", tmp_path / "out.jsonl"
        write_jsonl(expected, tasks(store, (Status.ACCEPTED,), with_tokens=False, spans_only=True))
        export(store, out, with_tokens=False)
        assert out.read_bytes() == expected.read_bytes()
        assert len(out.read_bytes().splitlines()) == 66
    finally:
        store.close()


@pytest.mark.parametrize("title", [None, 'T "1"'])
@pytest.mark.parametrize("meta", [
    {}, {"id": 7}, {"n": {"text": 1, "meta": [2]}}, {"s": ',"text":1', "t": '{"label":2'}, {"text": "clash", "id": 7},
    {"id": 1, "title": "t", "x": float("nan")},
])
def test_doccano_lines_put_meta_keys_beside_text_and_clashing_ones_under_meta(tmp_path, title, meta):
    """Meta keys as they are when none is a top-level "text", "label", "entities", "title" or "meta"
    (a nested one or one inside a string is not); else the clashing ones under "meta"."""
    store = AnnotationStore.open(tmp_path / "p.db", create=True, annotator="a")
    try:
        store.add_labels(make_labels(["PER"]))
        ids, _ = store.add_articles([{"text": "Ada.", "title": title, "meta": meta}])
        store.add_entity(ids[0], 0, 3, "PER")
        export(store, tmp_path / "d.jsonl", None, form="doccano")
        clashing = {k: v for k, v in meta.items() if k in ("text", "label", "entities", "title", "meta")}
        line = {"text": "Ada.", "label": [[0, 3, "PER"]]}
        if title is not None:
            line["title"] = title
        line.update((k, "NaN" if v != v else v) for k, v in meta.items() if k not in clashing)
        if clashing:
            line["meta"] = clashing
        assert (tmp_path / "d.jsonl").read_bytes() == _compact(line) + b"\n"
    finally:
        store.close()
