"""The fast path of a large import: batches without spans in one executemany, a
rollback journal while a just-created project is filled, WAL again after, the
meta serialised and the text hashed once (the hash's UTF-8 encoding doubling as
the unpaired-surrogate check)."""

import json
import sqlite3
from pathlib import Path

import pytest

from annotator import importing
from annotator.errors import InputError
from annotator.importing import import_files, import_into_project
from annotator.store import AnnotationStore, content_hash


def write_jsonl(path, *objects):
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects), "utf-8")
    return path


def header_mode(path: Path) -> str:
    """The journal mode the file's header says (bytes 18-19: 1 rollback journal, 2 WAL)."""
    with path.open("rb") as f:
        f.seek(18)
        versions = f.read(2)
    return {b"\x01\x01": "rollback", b"\x02\x02": "wal"}[versions]


def journal_mode(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def rows(path: Path, sql: str) -> list:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# ------------------------------------------------------------- duplicates
def test_duplicates_are_counted_exactly_without_spans(store, tmp_path, monkeypatch):
    """Inside a batch, across batches and against the project: executemany counts them all."""
    monkeypatch.setattr(importing, "BATCH_SIZE", 3)
    store.add_articles([{"text": "already there"}])
    texts = ["a", "b", "a", "c", "already there", "b", "d", "d", "e"]
    path = write_jsonl(tmp_path / "d.jsonl", *({"text": t, "meta": {"n": i}} for i, t in enumerate(texts)))
    report = import_files(store, [path])
    assert (report.added, report.duplicates) == (5, 4)
    stored = store.conn.execute("SELECT text, meta, hash FROM articles ORDER BY id").fetchall()
    assert [t for t, _, _ in stored] == ["already there", "a", "b", "c", "d", "e"]  # file order, first copy kept
    assert [json.loads(m) for _, m, _ in stored[1:]] == [{"n": 0}, {"n": 1}, {"n": 3}, {"n": 6}, {"n": 8}]
    assert all(h == content_hash(t) for t, _, h in stored)
    assert store.counts()["pending"] == 6  # the status_counts trigger fired once per stored row


def test_add_articles_without_ids_counts_duplicates_not_trigger_rows(store):
    store.add_articles([{"text": "x"}])
    ids, duplicates = store.add_articles([{"text": "x"}, {"text": "y"}, {"text": "y"}, {"text": "z"}], ids=False)
    assert (ids, duplicates) == ([], 2)
    ids, duplicates = store.add_articles([{"text": "w"}, {"text": "z"}])
    assert duplicates == 1 and ids[1] is None and store.article(ids[0]).text == "w"
    assert store.article_count() == 4


def test_meta_is_stored_as_serialised_once(store, tmp_path):
    meta = {"source": "Le Monde", "quote": "“curly” — ß 🙂", "nested": {"list": [1, None, True]}}
    path = write_jsonl(tmp_path / "m.jsonl", {"text": "Une histoire.", "title": "Titre", "meta": meta})
    import_files(store, [path])
    stored = store.conn.execute("SELECT meta, title FROM articles").fetchone()
    assert stored == (json.dumps(meta, ensure_ascii=False), "Titre")
    assert store.article(1).meta == meta


def test_batches_with_and_without_spans_keep_file_order(store, tmp_path, monkeypatch):
    from annotator.labels import make_labels

    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    store.add_labels(make_labels(["ORG"]))
    lines = [{"text": f"plain {i}"} for i in range(3)] + [
        {"text": "Acme spans", "spans": [{"start": 0, "end": 4, "label": "ORG"}]},
        {"text": "plain 0"},  # a duplicate in a batch that has spans
    ]
    report = import_files(store, [write_jsonl(tmp_path / "s.jsonl", *lines)])
    assert (report.added, report.duplicates, report.spans) == (4, 1, 1)
    texts = [t for (t,) in store.conn.execute("SELECT text FROM articles ORDER BY id")]
    assert texts == ["plain 0", "plain 1", "plain 2", "Acme spans"]
    assert [(e.start, e.end, e.label) for e in store.entities(4)] == [(0, 4, "ORG")]


# -------------------------------------------------------------- surrogates
@pytest.mark.parametrize("line, what", [
    ('{"text": "abc \\uDFFF"}', "text"),
    ('{"text": "abc", "title": "T \\uD83D"}', "title"),
    ('{"text": "abc", "meta": {"k": "\\udc00"}}', "meta"),
    ('{"text": "abc", "meta": {"\\uDBFF": 1}}', "meta"),
])
def test_an_unpaired_surrogate_anywhere_is_refused_with_file_and_line(store, tmp_path, line, what):
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n", "utf-8")
    with pytest.raises(InputError) as error:
        import_files(store, [path])
    assert str(error.value) == f'{path}:2: "{what}" contains an unpaired surrogate escape (\\ud800-\\udfff)'
    assert store.article_count() == 0


def test_paired_surrogate_escapes_and_escaped_backslashes_are_text(store, tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text(
        '{"text": "smile \\ud83d\\ude00", "title": "\\uD83D\\uDE00", "meta": {"k": "\\ud83d\\ude00"}}\n'
        '{"text": "a literal \\\\ud800 is six characters"}\n',
        "utf-8",
    )
    assert import_files(store, [path]).added == 2
    assert store.article(1).text == "smile 😀" and store.article(1).title == "😀"
    assert store.article(1).meta == {"k": "😀"}
    assert store.article(2).text == "a literal \\ud800 is six characters"
    for text, stored in store.conn.execute("SELECT text, hash FROM articles"):
        assert stored == content_hash(text)  # hashed in the importer, as the store would


# ------------------------------------------------------------ journal mode
def test_a_new_project_is_filled_without_the_wal_and_is_wal_after(project_path, tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl", *({"text": f"Article {i}. " * 20} for i in range(2500)))
    seen = []

    def on_progress(progress):
        seen.append((header_mode(project_path), Path(f"{project_path}-wal").exists()))

    report = import_into_project(project_path, [path], labels=["ORG"], on_progress=on_progress)
    assert report.added == 2500
    assert seen and all(mode == ("rollback", False) for mode in seen[:-1])  # every 1,000 lines
    assert header_mode(project_path) == "wal" and journal_mode(project_path) == "wal"
    assert not Path(f"{project_path}-journal").exists()
    assert rows(project_path, "SELECT count(*), count(DISTINCT hash) FROM articles") == [(2500, 2500)]
    assert rows(project_path, "PRAGMA integrity_check") == [("ok",)]


def test_an_existing_project_stays_wal_throughout(project_path, tmp_path):
    (tmp_path / "a.txt").write_text("First.", "utf-8")
    import_into_project(project_path, [tmp_path / "a.txt"], labels=["ORG"])
    reader = AnnotationStore.open(project_path, readonly=True)  # another window, say
    try:
        path = write_jsonl(tmp_path / "many.jsonl", *({"text": f"Article {i}."} for i in range(2500)))
        seen = []
        report = import_into_project(
            project_path, [path], on_progress=lambda p: seen.append(header_mode(project_path)),
        )
        assert report.added == 2500 and seen and set(seen) == {"wal"}
        assert reader.article_count() == 2501
    finally:
        reader.close()
    assert journal_mode(project_path) == "wal"


@pytest.mark.parametrize("bad_line", ["not json", '{"text": "x \\ud800"}'])
def test_a_failed_import_of_a_new_project_leaves_no_file(project_path, tmp_path, bad_line):
    lines = [json.dumps({"text": f"Article {i}. " * 20}) for i in range(2500)] + [bad_line]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2501: "):
        import_into_project(project_path, [path], labels=["ORG"])
    assert list(tmp_path.glob("project.db*")) == [] and list(tmp_path.glob(".project.db*")) == []


def test_a_cancelled_import_of_a_new_project_leaves_no_file(project_path, tmp_path):
    from annotator.errors import Cancelled

    path = write_jsonl(tmp_path / "many.jsonl", *({"text": f"Article {i}."} for i in range(2500)))
    with pytest.raises(Cancelled):
        import_into_project(project_path, [path], labels=["ORG"], should_cancel=lambda: True)
    assert list(tmp_path.glob("project.db*")) == []


def test_filling_a_new_file_stays_wal_when_someone_else_has_it_open(project_path):
    store = AnnotationStore.open(project_path, create=True)
    try:
        other = sqlite3.connect(project_path)
        other.execute("SELECT count(*) FROM articles").fetchone()  # holds the WAL open
        with store.filling_new_file(), store.transaction():
            assert header_mode(project_path) == "wal"
            store.add_articles([{"text": "one"}, {"text": "two"}], ids=False)
        assert other.execute("SELECT count(*) FROM articles").fetchone() == (2,)
        other.close()
        with store.filling_new_file(), store.transaction():
            assert header_mode(project_path) == "rollback"  # alone now
            store.add_articles([{"text": "three"}], ids=False)
    finally:
        store.close()
    assert journal_mode(project_path) == "wal" and rows(project_path, "SELECT count(*) FROM articles") == [(3,)]
