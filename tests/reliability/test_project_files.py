"""Opening, refusing and diagnosing project files (issue 9, items 4, 5 and 7):

- a refusal leaves the file, its -wal and its -shm byte-identical and adds no sidecar;
- a project missing part of its schema is refused at open, naming what is missing;
- a locked project is waited for and then reported as locked, not as damaged;
- a killed import is rolled back on the next open;
- a project that cannot be written here opens read-only and refuses every change.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import schema
from annotator.cli import cli
from annotator.errors import ProjectError, ReadOnlyError
from annotator.store import AnnotationStore
from annotator.store import base as store_base

from ._support import REPO, dump, integrity, make_project, no_write_permission, siblings, subprocess_env


def _states(path: Path) -> dict[str, bytes]:
    """Bytes of the file and of every file beside it that starts with its name (-wal, -shm, -journal)."""
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)}


def _with_pending_wal(source: Path, target: Path, change: str) -> None:
    """``target`` (+ -wal, -shm) as a process killed after committing ``change`` to ``source``'s log left it."""
    conn = sqlite3.connect(str(source), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute(change)
        for suffix in ("", "-wal", "-shm"):
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    finally:
        conn.close()
    assert Path(f"{target}-wal").stat().st_size > 0


# ------------------------------------------------------------ item 4: refusals change nothing
def _foreign_with_wal(tmp_path: Path, target: Path) -> None:
    source = tmp_path / "other.db"
    conn = sqlite3.connect(str(source))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    _with_pending_wal(source, target, "INSERT INTO moz_places (url) VALUES ('https://example.org')")


def _empty_with_foreign_wal(tmp_path: Path, target: Path) -> None:
    """An empty database whose first tables are only in its log."""
    source = tmp_path / "other.db"
    conn = sqlite3.connect(str(source))
    conn.execute("VACUUM")
    conn.close()
    _with_pending_wal(source, target, "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")


def _newer_in_wal(tmp_path: Path, target: Path) -> None:
    """A project a newer version migrated, its new user_version still only in the log."""
    source = tmp_path / "source.db"
    make_project(source, 5)
    _with_pending_wal(source, target, f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")


PENDING = {
    "foreign database with a pending -wal": (_foreign_with_wal, "not an annotator project (an SQLite database of another program)"),
    "empty database whose tables are in its -wal": (_empty_with_foreign_wal, "not an annotator project (an SQLite database of another program)"),
    "newer version only in its -wal": (_newer_in_wal, "made by a newer version of annotator"),
}


@pytest.mark.parametrize("how", ["open", "create", "readonly"])
@pytest.mark.parametrize("case", list(PENDING))
def test_refusal_leaves_the_file_and_its_log_byte_identical(tmp_path, case, how):
    make, words = PENDING[case]
    folder = tmp_path / "here"
    folder.mkdir()
    path = folder / "thing.db"
    make(tmp_path, path)
    before = _states(path)
    assert set(before) == {"thing.db", "thing.db-wal", "thing.db-shm"}
    with pytest.raises(ProjectError) as raised:
        AnnotationStore.open(path, create=how == "create", readonly=how == "readonly")
    assert str(raised.value).startswith(f"{path}: ") and words in str(raised.value)
    assert _states(path) == before, "the refused file, its -wal or its -shm changed"


def _rollback_mode_project(tmp_path: Path) -> bytes:
    """A real project of many pages, in rollback-journal mode (as a killed import leaves it)."""
    path = tmp_path / "source.db"
    store = AnnotationStore.open(path, create=True, annotator="maker")
    store.add_articles([{"text": f"Article number {i}. " * 100} for i in range(200)])
    store.close()
    conn = sqlite3.connect(str(path))
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    conn.close()
    data = path.read_bytes()
    path.unlink()
    return data


@pytest.mark.parametrize("how", ["open", "create", "readonly"])
def test_damaged_rollback_journal_project_is_refused_untouched(tmp_path, how):
    data = _rollback_mode_project(tmp_path)
    middle = len(data) // 2
    path = tmp_path / "thing.db"
    path.write_bytes(data[:middle] + b"\0" * 8192 + data[middle + 8192:])
    with pytest.raises(ProjectError, match="damaged"):
        AnnotationStore.open(path, create=how == "create", readonly=how == "readonly")
    assert path.read_bytes()[:middle] == data[:middle], "the refused file was modified (switched to WAL?)"
    assert siblings(path) == []


def test_a_project_with_its_latest_state_in_the_log_opens(tmp_path):
    """The header is read as the log leaves it: a project whose last commits are only in its
    -wal is recognised and opened, with those commits."""
    source = tmp_path / "source.db"
    make_project(source, 3)
    path = tmp_path / "p.db"
    _with_pending_wal(source, path, "UPDATE articles SET status = 'accepted' WHERE id = 2")
    store = AnnotationStore.open(path, readonly=True)
    try:
        assert store.article(2).status.value == "accepted"
    finally:
        store.close()


# ------------------------------------------------------------ item 7: the schema the version promises
BREAKS = {
    "DROP TABLE events": "missing index events_by_annotator, index events_by_session, table events",
    "DROP INDEX annotations_by_article": "missing index annotations_by_article",
    "DROP TRIGGER articles_count_update": "missing trigger articles_count_update",
    "ALTER TABLE tokens DROP COLUMN tokenizer": "missing column tokens.tokenizer",
}


@pytest.mark.parametrize("readonly", [False, True], ids=["open", "readonly"])
@pytest.mark.parametrize("statement", list(BREAKS))
def test_a_project_missing_part_of_its_schema_is_refused_at_open(tmp_path, statement, readonly):
    path = tmp_path / "p.db"
    make_project(path, 3)
    conn = sqlite3.connect(str(path))
    conn.execute(statement)
    conn.commit()
    conn.close()
    before = _states(path)
    with pytest.raises(ProjectError) as raised:
        AnnotationStore.open(path, readonly=readonly)
    assert str(raised.value) == f"{path}: damaged project file ({BREAKS[statement]})"
    assert _states(path) == before


# ------------------------------------------------------------ item 5b: locked is not damaged
@pytest.fixture
def locked_project(tmp_path):
    """A project in rollback-journal mode that another connection holds EXCLUSIVE, as an import
    filling a new project does once its batches spill to the file."""
    path = tmp_path / "p.db"
    make_project(path, 3)
    holder = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO labels VALUES ('NEW', '#000000', NULL, 9)")
    try:
        yield path, holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("readonly", [False, True], ids=["open", "readonly"])
def test_a_locked_project_is_reported_as_locked_not_damaged(locked_project, monkeypatch, readonly):
    path, _ = locked_project
    monkeypatch.setattr(store_base, "OPEN_WAIT_SECONDS", 0.3)
    with pytest.raises(ProjectError) as raised:
        AnnotationStore.open(path, readonly=readonly)
    assert str(raised.value) == (
        f"{path}: locked by another program that is writing it (an import filling it, say); "
        "try again when it has finished"
    )


def test_opening_a_locked_project_waits_for_the_lock(locked_project):
    path, holder = locked_project
    waiting = threading.Event()
    real_sleep = time.sleep

    def sleep(seconds):  # the open is retrying: the holder may now commit
        waiting.set()
        real_sleep(seconds)

    def commit_when_waited():
        waiting.wait(timeout=30)
        holder.execute("COMMIT")

    committer = threading.Thread(target=commit_when_waited)
    committer.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(store_base.time, "sleep", sleep)
            store = AnnotationStore.open(path, readonly=True)
    finally:
        committer.join()
    try:
        assert waiting.is_set()
        assert "NEW" in store.label_names()
    finally:
        store.close()


@pytest.mark.parametrize("readonly", [False, True], ids=["open", "readonly"])
def test_reading_does_not_wait_for_a_writer_of_a_wal_project(tmp_path, monkeypatch, readonly):
    """The README's "reading does not wait": another connection holds the write lock with
    uncommitted changes for as long as the test runs; opening and reading still succeed
    (with no time allowed to wait), and see the last commit."""
    path = tmp_path / "p.db"
    ids = make_project(path, 3)
    writer = sqlite3.connect(str(path), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE articles SET status = 'accepted'")
        monkeypatch.setattr(store_base, "OPEN_WAIT_SECONDS", 0)
        store = AnnotationStore.open(path, readonly=readonly)
        try:
            assert [store.article(i).status.value for i in ids] == ["pending"] * 3
            assert store.counts()["pending"] == 3
        finally:
            store.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# ------------------------------------------------------------ item 5c: a killed import
def test_a_killed_import_into_a_new_project_is_rolled_back_on_the_next_open(tmp_path, monkeypatch):
    """SIGKILL an `annotator import` into a new project once it has written into the file
    (more than SQLite's page cache went to the file). While it runs, opening the project
    says it is locked (not damaged); after the kill, the next open, even a read-only one
    (export), rolls the unfinished import back: an empty project, whole."""
    lines = "".join(f'{{"text": "Article {i} about Ada Lovelace and Charles Babbage in London, {"x" * 200}."}}\n'
                    for i in range(200_000))
    (tmp_path / "big.jsonl").write_text(lines, encoding="utf-8")
    project = tmp_path / "new.db"
    journal = tmp_path / "new.db-journal"
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", "import", str(project), str(tmp_path / "big.jsonl"), "--labels", "PERSON"],
        cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        # New pages go straight to the file once they overflow SQLite's 2 MB page cache.
        while not (journal.exists() and project.stat().st_size > 8 * 1024 * 1024):
            assert process.poll() is None, f"the import ended before it could be killed: {process.communicate()}"
            assert time.monotonic() < deadline, "the import never wrote a large journal"
            time.sleep(0.01)
        monkeypatch.setattr(store_base, "OPEN_WAIT_SECONDS", 0.2)
        with pytest.raises(ProjectError, match="locked by another program that is writing it"):
            AnnotationStore.open(project, readonly=True)
        assert process.poll() is None, "the import finished: the open above proved nothing"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert journal.exists()
    result = CliRunner().invoke(cli, ["export", str(project), str(tmp_path / "out.jsonl"), "--status", "all"])
    assert result.exit_code == 0, result.output
    assert "exported 0 articles" in result.output
    assert not journal.exists()
    assert integrity(project) == "ok"
    store = AnnotationStore.open(project)
    try:
        assert store.article_count() == 0
        assert store.label_names() == set()
    finally:
        store.close()


# ------------------------------------------------------------ item 5a: cannot be written here
def test_a_project_without_write_permission_opens_read_only_and_refuses_changes(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    ids = make_project(path, 3)
    before = dump(path)
    no_write_permission(monkeypatch, path)
    store = AnnotationStore.open(path)
    try:
        assert store.read_only == "no permission to write it"
        assert store.article(ids[0]).text.startswith("Article 0")
        with pytest.raises(ReadOnlyError) as raised:
            store.accept(ids[0])
        assert str(raised.value) == f"{path}: the project is read-only here (no permission to write it); nothing was changed"
    finally:
        store.close()
    assert dump(path) == before


def test_cli_commands_that_write_say_the_project_is_read_only(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    make_project(path, 3)
    no_write_permission(monkeypatch, path)
    runner = CliRunner()
    stats = runner.invoke(cli, ["stats", str(path)])
    assert stats.exit_code == 0 and "3 articles" in stats.output
    listed = runner.invoke(cli, ["labels", str(path)])
    assert listed.exit_code == 0 and "PERSON" in listed.output
    for command in (["labels", str(path), "--add", "NEW"], ["train", str(path)], ["models", "use", str(path), "base"]):
        result = runner.invoke(cli, command)
        assert result.exit_code != 0
        assert result.output.strip().splitlines()[-1] == (
            f"Error: {path}: the project is read-only here (no permission to write it); nothing was changed"
        ), command


@pytest.fixture
def read_only_mount(tmp_path):
    """A tmpfs mounted read-only (skips where mounting is not permitted)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def _remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True, capture_output=True)


def test_a_project_on_a_read_only_file_system_opens_read_only(read_only_mount):
    path = read_only_mount / "p.db"
    ids = make_project(path, 3)
    _remount_read_only(read_only_mount)
    before = _states(path)
    store = AnnotationStore.open(path)
    try:
        assert store.read_only == "on a read-only file system"
        assert store.article(ids[1]).text.startswith("Article 1")
        with pytest.raises(ReadOnlyError, match="read-only here"):
            store.accept(ids[1])
    finally:
        store.close()
    result = CliRunner().invoke(cli, ["export", str(path), "-", "--status", "all"])
    assert result.exit_code == 0 and result.stdout.count("\n") == 3
    assert _states(path) == before


def test_a_killed_import_on_a_read_only_file_system_says_how(read_only_mount, tmp_path):
    """The journal cannot be rolled back where nothing can be written: the message says so."""
    path = read_only_mount / "p.db"
    make_project(path, 3)
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("PRAGMA cache_size = 1")  # spill to the file at once, as a large import does
    holder.execute("BEGIN")
    holder.execute("INSERT INTO articles (text, hash) SELECT text || 'x', hash || 'x' FROM articles")
    holder.execute("UPDATE articles SET text = text || 'y'")
    copy = tmp_path / "copy"
    copy.mkdir()
    for suffix in ("", "-journal"):  # what SIGKILL would leave: the spilled file and its hot journal
        shutil.copyfile(f"{path}{suffix}", copy / f"p.db{suffix}")
    holder.execute("ROLLBACK")
    holder.close()
    for suffix in ("", "-journal"):
        shutil.copyfile(copy / f"p.db{suffix}", f"{path}{suffix}")
    _remount_read_only(read_only_mount)
    with pytest.raises(ProjectError) as raised:
        AnnotationStore.open(path, readonly=True)
    assert str(raised.value) == (
        f"{path}: a write to it was interrupted (a killed import?) and its rollback journal p.db-journal "
        "can only be undone where the project can be written (on a read-only file system); open it once there"
    )


# ------------------------------------------------------------ item 1: never export onto a project
def test_export_onto_its_own_project_in_a_real_process_changes_nothing(tmp_path):
    """`annotator export p.db p.db` once replaced the project with JSONL and said it had exported."""
    path = tmp_path / "p.db"
    make_project(path, 4)
    before = _states(path)
    for target in ("p.db", "./p.db", "p.db-wal"):
        result = subprocess.run(
            [sys.executable, "-m", "annotator", "export", "p.db", target, "--status", "all"],
            cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=120,
        )
        assert result.returncode != 0, result.stderr
        assert result.stderr.splitlines() == [f"Error: {Path(target)}: " + (
            "is the write-ahead log of the database p.db" if target.endswith("-wal") else "is an annotator project"
        ) + "; choose another file to write to"]
        assert _states(path) == before


def test_no_output_is_written_over_a_project_open_here(tmp_path):
    """The GUI's export goes through write_jsonl too; a project open in this process is
    recognised by device and inode, without being read."""
    from annotator.errors import InputError
    from annotator.exporting import write_jsonl

    path = tmp_path / "p.db"
    make_project(path, 2)
    store = AnnotationStore.open(path)
    try:
        before = _states(path)
        for target in (path, tmp_path / "." / "p.db", Path(f"{path}-wal"), Path(f"{path}-shm")):
            with pytest.raises(InputError, match="choose another file to write to"):
                write_jsonl(target, [{"text": "x"}])
        assert _states(path) == before
    finally:
        store.close()


def test_the_store_refusals_here_are_listed_in_bad_inputs_md():
    table = (Path(__file__).parent / "BAD_INPUTS.md").read_text("utf-8")
    messages = [
        *(words for _, words in PENDING.values()),
        *(f"damaged project file ({BREAKS[s]})" for s in ("DROP TABLE events", "ALTER TABLE tokens DROP COLUMN tokenizer")),
        "locked by another program that is writing it (an import filling it, say); try again when it has finished",
        "the project is read-only here (no permission to write it); nothing was changed",
        "a write to it was interrupted (a killed import?) and its rollback journal p.db-journal can only be undone "
        "where the project can be written (on a read-only file system); open it once there",
    ]
    assert [m for m in messages if m not in table] == []
