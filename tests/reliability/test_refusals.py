"""Files that are not projects are refused with a clear message and never modified;
older projects are migrated after a backup copy is written next to them."""

from __future__ import annotations

import random
import sqlite3

import pytest

from annotator import schema
from annotator.errors import ProjectError
from annotator.store import AnnotationStore

from ._support import dump, file_state, integrity, make_project, siblings


def _project_bytes(tmp_path) -> bytes:
    """A real project big enough to have many pages, closed cleanly (no -wal left)."""
    path = tmp_path / "source.db"
    store = AnnotationStore.open(path, create=True, annotator="maker")
    try:
        store.add_articles([{"text": f"Article number {i}. " * 100} for i in range(200)])
    finally:
        store.close()
    data = path.read_bytes()
    path.unlink()
    assert len(data) > 64 * 1024
    return data


def _damage(data: bytes, fill: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + fill + data[middle + len(fill):]


def _other_program(path):
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()


def _newer_project(path, data):
    path.write_bytes(data)
    conn = sqlite3.connect(str(path))
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


# name -> (how to make the file, words the message must contain)
CASES = {
    "text file": (lambda p, d: p.write_text("id,text\n1,Hello\n"), "not an annotator project (not an SQLite database)"),
    "empty file": (lambda p, d: p.write_bytes(b""), "not an annotator project (empty file)"),
    "binary file": (lambda p, d: p.write_bytes(bytes(range(256)) * 64), "not an SQLite database"),
    "header only": (lambda p, d: p.write_bytes(d[:100]), "damaged or unreadable project file"),
    "truncated to one page": (lambda p, d: p.write_bytes(d[:4096]), "damaged or unreadable project file"),
    "truncated in half": (lambda p, d: p.write_bytes(d[: len(d) // 2]), "damaged or unreadable project file"),
    "damaged (random bytes in the middle)": (
        lambda p, d: p.write_bytes(_damage(d, random.Random(4).randbytes(8192))), "damaged",
    ),
    "damaged (zeroed pages in the middle)": (lambda p, d: p.write_bytes(_damage(d, b"\0" * 8192)), "damaged"),
    "damaged first page": (lambda p, d: p.write_bytes(d[:100] + b"\xff" * 400 + d[500:]), "damaged"),
    "SQLite database of another program": (lambda p, d: _other_program(p), "an SQLite database of another program"),
    "project from a newer version": (_newer_project, "made by a newer version of annotator"),
}


@pytest.mark.parametrize("create", [False, True], ids=["open", "open-create"])
@pytest.mark.parametrize("case", list(CASES))
def test_not_a_project_is_refused_untouched(tmp_path, case, create):
    make, words = CASES[case]
    path = tmp_path / "thing.db"
    make(path, _project_bytes(tmp_path))
    before = file_state(path)
    with pytest.raises(ProjectError) as raised:
        AnnotationStore.open(path, create=create)
    message = str(raised.value)
    assert words in message
    assert str(path) in message and "\n" not in message
    assert file_state(path) == before, "the refused file was modified"
    assert siblings(path) == [], "files were left next to the refused file"


@pytest.mark.parametrize("case", ["text file", "damaged (random bytes in the middle)", "project from a newer version"])
def test_not_a_project_is_refused_readonly_too(tmp_path, case):
    make, words = CASES[case]
    path = tmp_path / "thing.db"
    make(path, _project_bytes(tmp_path))
    before = file_state(path)
    with pytest.raises(ProjectError, match=words.split(" (")[0]):
        AnnotationStore.open(path, readonly=True)
    assert file_state(path) == before


def test_newer_project_message_says_what_to_do(tmp_path):
    path = tmp_path / "newer.db"
    _newer_project(path, _project_bytes(tmp_path))
    with pytest.raises(ProjectError, match="Upgrade annotator"):
        AnnotationStore.open(path)


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "project.db"
    folder.mkdir()
    (folder / "inside.txt").write_text("x")
    for create in (False, True):
        with pytest.raises(ProjectError, match="is a folder, not a project file"):
            AnnotationStore.open(folder, create=create)
    assert sorted(p.name for p in folder.iterdir()) == ["inside.txt"]


def test_missing_file_and_missing_folder(tmp_path):
    with pytest.raises(ProjectError, match="no such project file"):
        AnnotationStore.open(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(ProjectError, match="does not exist"):
        AnnotationStore.open(tmp_path / "no" / "such" / "p.db", create=True)
    assert not (tmp_path / "no").exists()


def test_an_empty_sqlite_database_becomes_a_project(tmp_path):
    """A zero-table SQLite file (e.g. made by `sqlite3 p.db VACUUM`) is safe to initialise."""
    path = tmp_path / "fresh.db"
    conn = sqlite3.connect(str(path))
    conn.execute("VACUUM")
    conn.close()
    store = AnnotationStore.open(path)
    try:
        assert store.article_count() == 0
    finally:
        store.close()


# ------------------------------------------------------------------ migration
def _v1_project(path):
    """A project exactly as schema version 1 wrote it, with some content, built with raw SQL."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("BEGIN")
    for statement in schema._statements(schema.MIGRATIONS[0]):  # MIGRATIONS[:1]: version 1 only
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.execute("INSERT INTO labels VALUES ('PERSON', '#f4a3a8', '1', 0)")
    conn.execute(
        "INSERT INTO articles (id, text, title, meta, hash, status) VALUES "
        "(1, 'Ada Lovelace wrote.\r\nThe end 😀', 'T', '{\"k\": [1, {\"x\": null}]}', 'h1', 'accepted')"
    )
    conn.execute(
        "INSERT INTO annotations (article_id, start, end, label, state, annotator, decided_at) "
        "VALUES (1, 0, 12, 'PERSON', 'confirmed', 'ada', '2024-01-01T00:00:00.000+00:00')"
    )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def _migration_tables(monkeypatch, extra: str):
    monkeypatch.setattr(schema, "MIGRATIONS", [schema.MIGRATIONS[0], extra])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)


@pytest.mark.skipif(schema.SCHEMA_VERSION > 1, reason="real migrations exist; see test_older_project_is_migrated")
def test_migration_machinery_backs_up_then_migrates(tmp_path, monkeypatch):
    """With a stand-in v2 migration: backup first, then upgrade, data kept, backup is the old project."""
    path = tmp_path / "old.db"
    _v1_project(path)
    before = dump(path)
    _migration_tables(monkeypatch, "ALTER TABLE articles ADD COLUMN note TEXT;\nCREATE TABLE extra (x INTEGER);")
    store = AnnotationStore.open(path)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert store.article(1).text == "Ada Lovelace wrote.\r\nThe end 😀"
        assert [(e.start, e.end, e.label) for e in store.entities(1)] == [(0, 12, "PERSON")]
    finally:
        store.close()
    backups = sorted(tmp_path.glob("old.db.v1-*.bak"))
    assert len(backups) == 1
    assert dump(backups[0]) == before
    assert integrity(path) == "ok" and integrity(backups[0]) == "ok"
    AnnotationStore.open(path).close()  # opening again: no second backup
    assert len(sorted(tmp_path.glob("old.db.v1-*.bak"))) == 1


@pytest.mark.skipif(schema.SCHEMA_VERSION > 1, reason="real migrations exist; the failing case is covered by them")
def test_failed_migration_leaves_the_project_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    _v1_project(path)
    before = dump(path)
    _migration_tables(monkeypatch, "CREATE TABLE extra (x INTEGER);\nCREATE TABLE settings (key TEXT);")
    with pytest.raises(ProjectError) as raised:
        AnnotationStore.open(path)
    assert str(path) in str(raised.value)
    assert dump(path) == before
    assert integrity(path) == "ok"


def test_readonly_open_of_an_older_project_is_refused_untouched(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    _v1_project(path)
    if schema.SCHEMA_VERSION == 1:
        _migration_tables(monkeypatch, "CREATE TABLE extra (x INTEGER);")
    before = file_state(path)
    with pytest.raises(ProjectError, match="needs upgrading"):
        AnnotationStore.open(path, readonly=True)
    assert file_state(path) == before
    assert not list(tmp_path.glob("*.bak"))


@pytest.mark.skipif(schema.SCHEMA_VERSION == 1, reason="schema is still at version 1: no older project to migrate yet")
def test_older_project_is_migrated_after_a_backup(tmp_path):
    path = tmp_path / "old.db"
    _v1_project(path)
    before = dump(path)
    store = AnnotationStore.open(path, annotator="ada")
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        article = store.article(1)
        assert article.text == "Ada Lovelace wrote.\r\nThe end 😀"
        assert article.meta == {"k": [1, {"x": None}]}
        assert article.status.value == "accepted"
        assert [(e.start, e.end, e.label, e.state.value) for e in store.entities(1)] == [(0, 12, "PERSON", "confirmed")]
        assert [label.name for label in store.labels()] == ["PERSON"]
        store.accept(1)  # and it takes decisions
    finally:
        store.close()
    backups = sorted(tmp_path.glob("old.db.v1-*.bak"))
    assert len(backups) == 1, f"expected one backup next to the project, found {siblings(path)}"
    assert dump(backups[0]) == before
    assert integrity(path) == "ok"
    AnnotationStore.open(path).close()
    assert len(sorted(tmp_path.glob("old.db.v1-*.bak"))) == 1


def test_two_processes_migrating_at_once_are_covered_by_the_lock(tmp_path, monkeypatch):
    """The second opener waits for the first migration and then finds the project current."""
    path = tmp_path / "old.db"
    _v1_project(path)
    if schema.SCHEMA_VERSION == 1:
        _migration_tables(monkeypatch, "CREATE TABLE extra (x INTEGER);")
    first = sqlite3.connect(str(path), isolation_level=None)
    second = sqlite3.connect(str(path), isolation_level=None)
    version = schema.inspect(second, path)  # the second one looked before the first migrated
    schema.migrate(first, path, schema.inspect(first, path))
    schema.migrate(second, path, version)  # must not re-run (would fail: tables exist)
    assert second.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    first.close()
    second.close()
    assert integrity(path) == "ok"


def test_make_project_helper(tmp_path):
    assert make_project(tmp_path / "p.db", 3) == [1, 2, 3]
