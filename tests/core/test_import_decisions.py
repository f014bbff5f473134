"""JSONL tasks bring their decisions back: answer, _annotator_id and _timestamp survive export -> import -> export."""

import json

import pytest

from annotator.errors import InputError
from annotator.exporting import export_jsonl
from annotator.importing import import_into_project
from annotator.labels import make_labels
from annotator.model import EntityState, Status
from annotator.store import AnnotationStore

TEXTS = [
    "Angela Merkel met Emmanuel Macron in Paris.",
    "The Kremlin said nothing about Moscow.",
    "Apple sold iPhones in 北京 🙂 today.",
    "Nothing to see here.",
    "Still waiting for a decision.",
]


def mark(store, article_id, needle, label):
    start = store.article(article_id).text.index(needle)
    store.add_entity(article_id, start, start + len(needle), label)


@pytest.fixture
def exported(store, tmp_path):
    """Every article of a project decided every way, exported with --status all."""
    store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
    ids, _ = store.add_articles([{"text": t, "meta": {"n": i}} for i, t in enumerate(TEXTS)])
    mark(store, ids[0], "Angela Merkel", "PERSON")
    mark(store, ids[0], "Paris", "GPE")
    store.accept(ids[0])
    mark(store, ids[1], "Kremlin", "ORG")
    store.reject(ids[1])
    mark(store, ids[2], "北京", "GPE")
    store.accept(ids[2])
    store.skip(ids[3])  # ids[4] stays pending
    out = tmp_path / "first.jsonl"
    assert export_jsonl(store, out, None) == 5
    return out


def reimport(exported, path, **options):
    import_into_project(path, [exported], labels=["PERSON", "ORG", "GPE"], **options)
    return AnnotationStore.open(path, annotator="importer")


def test_export_import_export_gives_the_same_lines(exported, tmp_path):
    store = reimport(exported, tmp_path / "again.db")
    try:
        again = tmp_path / "again.jsonl"
        assert export_jsonl(store, again, None) == 5
        assert again.read_text("utf-8") == exported.read_text("utf-8")
        first = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
        assert [t["answer"] for t in first] == ["accept", "reject", "accept", "ignore", "ignore"]
        assert [t["_annotator_id"] for t in first] == ["tester", "tester", "tester", "tester", None]
        assert all(isinstance(t["_timestamp"], int) for t in first[:4]) and first[4]["_timestamp"] is None
        # the default export (accepted only) of the new project is not empty any more
        assert export_jsonl(store, tmp_path / "accepted.jsonl") == 2
    finally:
        store.close()


def test_restored_decisions_are_the_records_annotators_and_name_the_file(exported, tmp_path):
    store = reimport(exported, tmp_path / "again.db")
    try:
        ids = [article_id for article_id, _, _ in store.queue()]
        articles = [store.article(i) for i in ids]
        assert [a.status for a in articles] == [
            Status.ACCEPTED, Status.REJECTED, Status.ACCEPTED, Status.SKIPPED, Status.PENDING,
        ]
        assert [a.annotator for a in articles] == ["tester"] * 4 + [None]  # not "importer"
        assert all(a.decided_at.endswith("+00:00") for a in articles[:4]) and articles[4].decided_at is None
        entities = store.entities(ids[0])
        assert [(e.label, e.state, e.annotator, e.source) for e in entities] == [
            ("PERSON", EntityState.CONFIRMED, "tester", "from file first.jsonl"),
            ("GPE", EntityState.CONFIRMED, "tester", "from file first.jsonl"),
        ]
        assert store.undo_status().undo is None  # nothing was decided here: nothing to undo
    finally:
        store.close()


def test_decisions_ignore_takes_answers_as_pending_suggestions(exported, tmp_path):
    store = reimport(exported, tmp_path / "again.db", decisions="ignore")
    try:
        assert store.counts() == {"pending": 5, "accepted": 0, "rejected": 0, "skipped": 0}
        entities = store.entities(store.queue()[0][0])
        assert [(e.state, e.annotator) for e in entities] == [(EntityState.SUGGESTED, None)] * 2
    finally:
        store.close()


@pytest.mark.parametrize("key, value, message", [
    ("answer", "maybe", '"answer" must be "accept", "reject" or "ignore", got \'maybe\''),
    ("_annotator_id", 7, '"_annotator_id" must be a string, got a number'),
    ("_timestamp", "yesterday", '"_timestamp" must be whole seconds since 1970 (a number), got \'yesterday\''),
    ("_timestamp", 10**20, '"_timestamp" 100000000000000000000 is not a time this can store (seconds since 1970)'),
])
def test_a_bad_decision_is_refused_by_line(tmp_path, key, value, message):
    data = tmp_path / "tasks.jsonl"
    good = {"text": "Fine.", "answer": "accept", "_annotator_id": "ann", "_timestamp": 1700000000}
    data.write_text(json.dumps(good) + "\n" + json.dumps({**good, "text": "Bad.", key: value}) + "\n", "utf-8")
    project = tmp_path / "p.db"
    with pytest.raises(InputError) as caught:
        import_into_project(project, [data], labels=["PERSON"])
    assert str(caught.value) == f"{data}:2: {message}"
    assert not project.exists()
