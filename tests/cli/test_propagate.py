"""`annotator propagate`: a text and label suggested across the pending articles, undone in one step."""

from annotator.cli import cli
from annotator.labels import make_labels
from annotator.store import AnnotationStore


def run(runner, *args):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def make(path):
    store = AnnotationStore.open(path, create=True, annotator="setup")
    try:
        store.add_labels(make_labels(["ORG", "GPE"]))
        ids, _ = store.add_articles([{"text": t} for t in (
            "The Pacific Fleet sailed. The Pacific Fleet returned.", "No fleet here.", "The Pacific Fleet again.",
        )])
        store.accept(ids[2])
        return ids
    finally:
        store.close()


def shown(path, ids):
    store = AnnotationStore.open(path, readonly=True)
    try:
        return {i: [(store.article(i).text[e.start:e.end], e.label, e.state.value, e.source) for e in store.entities(i)]
                for i in ids}
    finally:
        store.close()


def test_propagate_suggests_in_pending_articles_and_undo_takes_it_back(runner, tmp_path):
    project = tmp_path / "p.db"
    ids = make(project)
    result = run(runner, "propagate", str(project), "--text", "Pacific Fleet", "--label", "ORG")
    assert result.exit_code == 0, result.output
    assert "Suggested ORG for “Pacific Fleet” at 2 places in 1 pending article" in result.output
    after = shown(project, ids)
    assert after[ids[0]] == [("Pacific Fleet", "ORG", "suggested", "propagated from “Pacific Fleet”")] * 2
    assert after[ids[1]] == [] and after[ids[2]] == []  # no such text; decided
    result = run(runner, "undo", str(project))
    assert "undone" in result.output and "propagate ORG" in result.output
    assert shown(project, ids)[ids[0]] == []


def test_propagate_from_an_entity_and_bad_options(runner, tmp_path):
    project = tmp_path / "p.db"
    ids = make(project)
    store = AnnotationStore.open(project, annotator="tester")
    try:
        entity, _ = store.add_entity(ids[0], 4, 17, "GPE")
    finally:
        store.close()
    result = run(runner, "propagate", str(project), "--entity", str(entity.id))
    assert "Suggested GPE for “Pacific Fleet” at 1 place in 1 pending article" in result.output
    before = shown(project, ids)
    for args, message in [
        (["--text", "Fleet"], "give --text and --label, or --entity alone"),
        (["--entity", str(entity.id), "--text", "x", "--label", "ORG"], "give --text and --label, or --entity alone"),
        (["--text", "Fleet", "--label", "NOPE"], "unknown label 'NOPE'"),
        (["--text", " ", "--label", "ORG"], "must be non-empty"),
        (["--entity", "999"], "entity 999 no longer exists"),
    ]:
        result = runner.invoke(cli, ["propagate", str(project), *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert shown(project, ids) == before
