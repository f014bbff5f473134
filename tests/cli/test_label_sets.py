"""`annotator labels`: presets, rename and remove (entities, suggestions and the map follow), --show-map."""

import json

import pytest

from annotator.cli import cli
from annotator.store import AnnotationStore

TEXT = "Putin met Kim in Russia at the UN."


def run(runner, *args, ok=True):
    result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


@pytest.fixture
def project(runner, tmp_path):
    """A CoNLL project: Putin PER and Russia LOC suggested by a file, UN as MISC confirmed by alice."""
    news = tmp_path / "news.jsonl"
    spans = [{"start": 0, "end": 5, "label": "PER"}, {"start": 17, "end": 23, "label": "LOC"}]
    news.write_text(json.dumps({"text": TEXT, "spans": spans}) + "\n", "utf-8")
    path = tmp_path / "news.db"
    out = run(runner, "import", path, news, "--label-set", "conll").stdout
    assert out == f"{path}: imported 1 article from 1 file (0 duplicates skipped; 2 spans as suggestions)\n"
    store = AnnotationStore.open(path, annotator="alice")
    try:
        store.add_entity(1, 31, 33, "MISC")
    finally:
        store.close()
    return path


def state(path):
    store = AnnotationStore.open(path, readonly=True)
    try:
        entities = [(TEXT[e.start:e.end], e.label, e.state.value) for e in store.entities(1)]
        raw = [r[0] for r in store.conn.execute("SELECT label FROM suggestions ORDER BY id")]
        log = store.conn.execute("SELECT annotator, action, state FROM events ORDER BY id").fetchall()
        return [label.name for label in store.labels()], entities, raw, store.setting("label_map", {}), log
    finally:
        store.close()


def test_presets_at_import_and_later(runner, project):
    assert state(project)[0] == ["PER", "LOC", "ORG", "MISC"]
    out = run(runner, "labels", project, "--preset", "ontonotes").stdout
    assert out.splitlines()[3:6] == ["  4  #e3a0b7  MISC", "  5  #aa9cfc  PERSON", "  6  #feca74  GPE"]
    assert state(project)[0] == ["PER", "LOC", "ORG", "MISC", "PERSON", "GPE", "NORP", "FAC", "EVENT", "PRODUCT",
                                 "DATE", "WORK_OF_ART", "LAW", "LANGUAGE", "TIME", "PERCENT", "MONEY", "QUANTITY",
                                 "ORDINAL", "CARDINAL"]


def test_rename_carries_entities_suggestions_and_the_map(runner, project):
    out = run(runner, "labels", project, "--rename", "LOC=PLACE").stdout
    assert out == (
        f"{project}: renamed LOC to PLACE: 1 entity and 1 suggestion carried along\n"
        "  1  #aa9cfc  PER\n  2  #ff9561  PLACE\n  3  #7aecec  ORG\n  4  #e3a0b7  MISC\n"
        "  map FAC -> PLACE\n  map GPE -> PLACE\n  map LOC -> PLACE\n  overlaps not allowed\n"
    )
    labels, entities, raw, label_map, log = state(project)
    assert labels == ["PER", "PLACE", "ORG", "MISC"]
    assert entities == [("Putin", "PER", "suggested"), ("Russia", "PLACE", "suggested"), ("UN", "MISC", "confirmed")]
    assert raw == ["PER", "PLACE"]
    # the model labels that reached LOC (its own name, the built-in GPE and FAC -> LOC) reach PLACE
    assert label_map == {"LOC": "PLACE", "GPE": "PLACE", "FAC": "PLACE"}
    assert log[-1][1:] == ("rename label LOC to PLACE (1 entity, 1 suggestion)", "logged")


def test_remove_refuses_a_used_label_until_told_what_becomes_of_its_entities(runner, project):
    before = state(project)
    result = run(runner, "labels", project, "--remove", "MISC", ok=False)
    assert result.stderr == ("Error: label 'MISC' is used by 1 confirmed entity and 0 suggestions: add --to LABEL "
                             "to relabel them, or --drop-entities to remove them; nothing was changed\n")
    assert state(project) == before
    out = run(runner, "labels", project, "--remove", "MISC", "--to", "ORG").stdout
    assert out.splitlines()[0] == (f"{project}: removed MISC: 1 entity and 0 suggestions relabelled ORG; "
                                   "1 undo step naming it left out of the history")
    labels, entities, _, label_map, log = state(project)
    assert labels == ["PER", "LOC", "ORG"] and entities[-1] == ("UN", "ORG", "confirmed")
    assert label_map["MISC"] == "ORG" and label_map["NORP"] == "ORG"  # built-in NORP -> MISC now reaches ORG
    # alice's drawing of the MISC entity would bring MISC back: it is out of her history
    assert log == [("alice", "add entity", "dropped"),
                   (log[1][0], "remove label MISC, relabelling to ORG (1 entity, 0 suggestions)", "logged")]
    out = run(runner, "labels", project, "--remove", "PER", "--drop-entities").stdout
    assert out.splitlines()[0] == f"{project}: removed PER: 1 entity removed"
    assert state(project)[1] == [("Russia", "LOC", "suggested"), ("UN", "ORG", "confirmed")]
    assert run(runner, "undo", project, "--annotator", "alice").stdout == "nothing to undo for alice\n"


def test_show_map_says_where_each_line_comes_from(runner, tmp_path, ruler_model):
    path, news = tmp_path / "news.db", tmp_path / "a.txt"
    news.write_text(TEXT, "utf-8")
    run(runner, "import", path, news, "--model", ruler_model, "--labels", "PER,LOC")
    out = run(runner, "labels", path, "--map", "NORP=", "--show-map").stdout
    assert out.splitlines()[2:] == [
        f"  model label -> project label (model {ruler_model}; built-in: resources/label_map.json)",
        "  PERSON      -> PER        built-in",
        "  ORG         -> (dropped)  not a project label",
        "  GPE         -> LOC        built-in",
        "  NORP        -> (dropped)  project override",
        "  FAC         -> LOC        built-in",
        "  EVENT       -> (dropped)  built-in MISC, not a project label",
        "  PRODUCT     -> (dropped)  built-in MISC, not a project label",
        "  WORK_OF_ART -> (dropped)  built-in MISC, not a project label",
        "  LAW         -> (dropped)  built-in MISC, not a project label",
        "  LANGUAGE    -> (dropped)  built-in MISC, not a project label",
        "  overlaps not allowed",
    ]


def test_a_label_added_after_a_removal_takes_a_free_key(runner, project):
    run(runner, "labels", project, "--remove", "PER", "--drop-entities")
    out = run(runner, "labels", project, "--add", "EVENT").stdout
    assert out.splitlines()[:4] == ["  2  #ff9561  LOC", "  3  #7aecec  ORG", "  4  #e3a0b7  MISC", "  5  #ffeb80  EVENT"]
