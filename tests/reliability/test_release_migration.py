"""A project made by the previous release (schema 1, tests/data/v1_project.db, see make_v1_project.py)
opens in this version: migrated through schema 2 (search) to 3 (tokens in their own table) after a
backup, every row kept, its tokens moved, its articles searchable; and that release refuses the
migrated file with its own clear message."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from io import BytesIO

import pytest

from annotator import schema
from annotator.errors import ProjectError
from annotator.store import AnnotationStore

from ._support import REPO, dump, file_state, integrity, subprocess_env

V1_PROJECT = REPO / "tests" / "data" / "v1_project.db"
V1_RELEASE = "d518715"  # the commit that made V1_PROJECT


@pytest.fixture
def v1_copy(tmp_path):
    path = tmp_path / "news.db"
    shutil.copyfile(V1_PROJECT, path)
    return path


def test_the_release_file_is_schema_one():
    assert dump(V1_PROJECT)["_pragmas"] == [(1,), (schema.APPLICATION_ID,)]


def test_a_release_v1_project_is_migrated_after_a_backup_keeping_every_row(v1_copy):
    before = dump(v1_copy)
    store = AnnotationStore.open(v1_copy, annotator="ada")
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert store.model_versions() == [] and store.setting("model_version") is None  # none trained yet
        assert [h.title.text for h in store.search("zurich")] == ["Talks in Zürich"]
        assert [h.title.text for h in store.search("hamb")] == ["Harbour news"]
        assert [h.article_id for h in store.search("café")] == [3]  # untitled
        assert [h.title.text for h in store.search("AND stock")] == ["Markets"]
        (harbour,) = store.search("hamburg")
        text = store.article(harbour.article_id).text
        assert [text[a:b] for a, b in store.match_ranges(harbour.article_id, "hamburg")] == ["Hamburg"]
    finally:
        store.close()
    after = dump(v1_copy)
    kept = {table: rows for table, rows in before.items() if not table.startswith("_")}
    # Version 1's last articles column held the tokens as JSON; version 3 has every other column, unchanged.
    kept["articles"] = [row[:-1] for row in before["articles"]]
    assert {table: rows for table, rows in after.items() if table in before and not table.startswith("_")} == kept
    assert len(before["articles"]) == 4 and len(before["annotations"]) == 3 and len(before["events"]) == 5
    store = AnnotationStore.open(v1_copy, annotator="ada")
    try:
        store.accept(3)  # and it takes decisions
        assert store.article(3).status.value == "accepted"
    finally:
        store.close()
    backups = sorted(v1_copy.parent.glob("news.db.v1-*.bak"))
    assert len(backups) == 1
    assert dump(backups[0]) == before
    assert integrity(v1_copy) == "ok"


def _old_release(folder):
    """The previous release's ``annotator`` package, from git (skip where the history is not there)."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", V1_RELEASE, "annotator"],
            capture_output=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip(f"git history with release {V1_RELEASE} is not available")
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def test_the_previous_release_refuses_a_migrated_project_with_a_clear_message(v1_copy, tmp_path):
    AnnotationStore.open(v1_copy).close()
    state = file_state(v1_copy)
    release = _old_release(tmp_path / "release")
    env = subprocess_env(PYTHONPATH=str(release))
    done = subprocess.run([sys.executable, "-m", "annotator", "stats", str(v1_copy)], cwd=release, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert (f"{v1_copy}: made by a newer version of annotator (schema {schema.SCHEMA_VERSION}; this version reads up to 1). "
            "Upgrade annotator to open it.") in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert file_state(v1_copy) == state


def test_a_project_missing_its_search_index_is_refused(v1_copy):
    AnnotationStore.open(v1_copy).close()
    conn = sqlite3.connect(str(v1_copy))
    conn.execute("DROP TABLE articles_fts")  # its shadow tables go with it
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError) as raised:
        AnnotationStore.open(v1_copy)
    assert str(raised.value) == (
        f"{v1_copy}: damaged project file (missing table articles_fts, table articles_fts_config, "
        "table articles_fts_data, table articles_fts_idx)"
    )


def test_the_release_projects_tokens_move_to_their_own_table(v1_copy):
    moved = {row[0]: json.loads(row[-1]) for row in dump(v1_copy)["articles"] if row[-1] is not None}
    assert sorted(moved) == [2, 4]  # the two articles the release's model run stored tokens for
    store = AnnotationStore.open(v1_copy)
    try:
        columns = [row[1] for row in store.conn.execute("PRAGMA table_info(articles)")]
        assert "tokens" not in columns
        for article_id, flat in moved.items():
            assert store.tokens(article_id) == list(zip(flat[::2], flat[1::2]))
        assert store.tokens(1) is None and store.tokens(3) is None
        assert store.conn.execute("SELECT DISTINCT tokenizer FROM tokens").fetchall() == [("fixture_model@1.0",)]
        text = store.article(2).text
        words = [text[s:e] for s, e in store.tokens(2)]
        assert words[:5] == ["The", "ferry", "to", "Hamburg", "left"] and "😀" in words  # code points, as stored
    finally:
        store.close()


def test_a_version_two_project_moves_its_tokens_after_a_backup(tmp_path):
    """Version 2 as its migrations made it (the FTS index, tokens still JSON in the articles row)."""
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(str(path))
    try:
        for script in schema.MIGRATIONS[:2]:
            for statement in schema._statements(script):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 2")
        conn.execute("INSERT INTO articles (id, text, hash, tokens) VALUES (7, 'Ada met 😀 Bob.', 'h7', '[0, 3, 4, 7, 8, 9, 10, 13, 13, 14]')")
        conn.execute("INSERT INTO articles (id, text, hash) VALUES (8, 'No tokens yet.', 'h8')")
        conn.execute("INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text FROM articles")  # as add_articles does
        conn.commit()
    finally:
        conn.close()
    store = AnnotationStore.open(path)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert store.tokens(7) == [(0, 3), (4, 7), (8, 9), (10, 13), (13, 14)] and store.tokens(8) is None
        assert store.conn.execute("SELECT tokenizer FROM tokens").fetchall() == [("unknown",)]  # no model named
        assert [h.article_id for h in store.search("bob")] == [7]  # the search index still reads the rows
    finally:
        store.close()
    (backup,) = tmp_path.glob("v2.db.v2-*.bak")
    assert dump(backup)["_pragmas"][0] == (2,)


def test_a_migration_refused_at_its_first_step_leaves_no_backup(tmp_path):
    """A project whose recorded schema is older than its tables (the model_versions table of schema 5
    in a file that says 4): the step fails and nothing is migrated, so the copy made before it is the
    file itself; each attempt to open it used to leave one more."""
    path = tmp_path / "news.db"
    AnnotationStore.open(path, create=True).close()
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    before = file_state(path)
    for _ in range(2):
        with pytest.raises(ProjectError, match="table model_versions already exists"):
            AnnotationStore.open(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.db"] and file_state(path) == before
