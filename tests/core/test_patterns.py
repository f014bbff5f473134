"""Patterns: read and checked from a file, stored once each, and matched before the model in
every suggestion run, each match saved with its own source."""

import json

import pytest
import spacy

from annotator.errors import EditError, InputError, UnknownLabels
from annotator.labels import make_labels
from annotator.model import Pattern
from annotator.patterns import add_pattern_files, read_patterns, set_version
from annotator.suggest import Pipeline, load_pipeline, pending_summary, suggest_project

TEXT = "Putin met the Pacific Fleet near the Kremlin in Russia."
PHRASE = {"label": "ORG", "pattern": "Pacific Fleet"}
TOKENS = {"label": "ORG", "pattern": [{"lower": "kremlin"}], "id": "kremlin"}


def write(path, *lines):
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), "utf-8")
    return path


def ruler_model():
    """The model side: blank English and an entity_ruler (no ner), whose "Pacific" a pattern overlaps."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "PERSON", "pattern": "Putin"}, {"label": "GPE", "pattern": "Pacific"}, {"label": "GPE", "pattern": "Russia"},
    ])
    return Pipeline.from_nlp(nlp, name="ruler", version="1")


@pytest.fixture
def project(store):
    store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
    store.add_articles([{"text": TEXT}])
    return store


def shown(store, article_id=1):
    text = store.article(article_id).text
    return [(text[e.start:e.end], e.label, e.source) for e in store.entities(article_id)]


def test_a_file_of_phrase_and_token_patterns_is_read_with_ids_and_blank_lines_passed_over(tmp_path):
    path = write(tmp_path / "terms.jsonl", PHRASE, "", TOKENS)
    assert read_patterns([path]) == [Pattern("ORG", "Pacific Fleet"), Pattern("ORG", [{"lower": "kremlin"}], "kremlin")]
    assert [p.where for p in read_patterns([path])] == [f"{path}:1", f"{path}:3"]


def test_pattern_matches_come_first_with_their_own_source_and_the_model_fills_the_rest(project, tmp_path):
    add_pattern_files(project, [write(tmp_path / "terms.jsonl", PHRASE, TOKENS)])
    assert suggest_project(project, ruler_model()) == 1
    version = set_version(project.patterns())
    model, pattern = f"suggested by ruler 1+patterns:{version}", f"pattern (set {version})"
    # the model's "Pacific" (GPE) overlaps the phrase's match: it is not shown, nor stored
    assert shown(project) == [("Putin", "PERSON", model), ("Pacific Fleet", "ORG", pattern),
                              ("Kremlin", "ORG", pattern), ("Russia", "GPE", model)]
    assert project.conn.execute("SELECT count(*) FROM suggestions").fetchone() == (4,)
    assert pending_summary(project, ruler_model()) == "1 pending article, with suggestions"


def test_of_overlapping_matches_the_longest_wins_then_the_first_and_removing_patterns_keeps_their_suggestions(project, tmp_path):
    add_pattern_files(project, [write(tmp_path / "terms.jsonl", {"label": "GPE", "pattern": "Pacific"},
                                      {"label": "ORG", "pattern": "the Pacific"}, {"label": "PERSON", "pattern": "Pacific Fleet"},
                                      {"label": "ORG", "pattern": "Kremlin in"}, {"label": "GPE", "pattern": "in Russia"})])
    suggest_project(project, ruler_model())
    # "the Pacific" and "Pacific Fleet" are as long: the first in the text wins; "Kremlin in" likewise
    assert [(text, label) for text, label, _ in shown(project)] == [
        ("Putin", "PERSON"), ("the Pacific", "ORG"), ("Kremlin in", "ORG"), ("Russia", "GPE")]  # the model fills the rest
    before = shown(project)
    project.remove_patterns(everything=True)
    assert shown(project) == before


def test_without_patterns_a_run_is_the_models_alone_as_before(project):
    suggest_project(project, ruler_model())
    assert shown(project) == [("Putin", "PERSON", "suggested by ruler 1"), ("Pacific", "GPE", "suggested by ruler 1"),
                              ("Russia", "GPE", "suggested by ruler 1")]


def test_a_changed_pattern_set_is_a_new_run_that_adds_only_when_asked(project, tmp_path):
    add_pattern_files(project, [write(tmp_path / "a.jsonl", PHRASE)])
    suggest_project(project, ruler_model())
    add_pattern_files(project, [write(tmp_path / "b.jsonl", TOKENS)])
    assert suggest_project(project, ruler_model()) == 0  # the article has suggestions: left alone
    assert "Kremlin" not in [text for text, _, _ in shown(project)]
    assert suggest_project(project, ruler_model(), add=True) == 1
    kremlin = [(label, source) for text, label, source in shown(project) if text == "Kremlin"]
    assert kremlin == [("ORG", f"pattern (set {set_version(project.patterns())})")]
    assert len(shown(project)) == 4  # the earlier three stay as they were
    assert suggest_project(project, ruler_model(), add=True) == 0  # this set has run on it already


def test_patterns_follow_a_renamed_label_and_go_with_a_removed_one(project, tmp_path):
    add_pattern_files(project, [write(tmp_path / "terms.jsonl", PHRASE, TOKENS, {"label": "GPE", "pattern": "Pacific Fleet"},
                                      {"label": "MISC", "pattern": "Russia"})], add_labels=True)
    project.rename_label("ORG", "ORGANISATION")
    project.remove_label("GPE", to="ORGANISATION")  # its "Pacific Fleet" is ORGANISATION's already: kept once
    assert [(p.label, p.pattern) for p in project.patterns()] == [
        ("ORGANISATION", "Pacific Fleet"), ("ORGANISATION", [{"lower": "kremlin"}]), ("MISC", "Russia")]
    project.remove_label("MISC")
    assert [p.label for p in project.patterns()] == ["ORGANISATION", "ORGANISATION"]
    suggest_project(project, ruler_model())
    assert [(text, label) for text, label, _ in shown(project)] == [  # the model's GPE follows the map to ORGANISATION
        ("Putin", "PERSON"), ("Pacific Fleet", "ORGANISATION"), ("Kremlin", "ORGANISATION"), ("Russia", "ORGANISATION")]


def test_duplicates_are_reported_not_stored_twice(project, tmp_path):
    first = add_pattern_files(project, [write(tmp_path / "a.jsonl", PHRASE, TOKENS, PHRASE)])
    assert (first.added, [p.where for p in first.duplicates]) == (2, [f"{tmp_path / 'a.jsonl'}:3"])
    again = add_pattern_files(project, [write(tmp_path / "b.jsonl", {**TOKENS, "id": "other"}, {"label": "GPE", "pattern": "Pacific Fleet"})])
    assert (again.added, [p.where for p in again.duplicates]) == (1, [f"{tmp_path / 'b.jsonl'}:1"])
    assert [(p.number, p.label, p.pattern) for p in project.patterns()] == [
        (1, "ORG", "Pacific Fleet"), (2, "ORG", [{"lower": "kremlin"}]), (3, "GPE", "Pacific Fleet")]


def test_a_bad_line_or_an_unknown_label_stores_nothing(project, tmp_path):
    with pytest.raises(InputError, match=r"bad.jsonl:2: empty pattern"):
        add_pattern_files(project, [write(tmp_path / "bad.jsonl", PHRASE, {"label": "ORG", "pattern": "  "})])
    with pytest.raises(UnknownLabels) as refused:
        add_pattern_files(project, [write(tmp_path / "new.jsonl", PHRASE, {"label": "WEAPON", "pattern": "Kalashnikov"})])
    assert refused.value.labels == ("WEAPON",)
    assert project.patterns() == [] and project.label_names() == {"PERSON", "ORG", "GPE"}
    report = add_pattern_files(project, [tmp_path / "new.jsonl"], add_labels=True)
    assert (report.added, report.labels_added) == (2, ("WEAPON",))
    assert "WEAPON" in project.label_names()


def test_remove_by_number_label_or_all_and_an_unknown_number_removes_nothing(project, tmp_path):
    add_pattern_files(project, [write(tmp_path / "a.jsonl", PHRASE, TOKENS, {"label": "GPE", "pattern": "Russia"})])
    with pytest.raises(EditError, match="no pattern numbered 9"):
        project.remove_patterns([1, 9])
    assert len(project.patterns()) == 3
    assert project.remove_patterns([1]) == 1
    assert project.remove_patterns(label="ORG") == 1
    assert [p.label for p in project.patterns()] == ["GPE"]
    assert project.remove_patterns(everything=True) == 1 and project.patterns() == []


@pytest.mark.model
def test_patterns_with_the_real_default_model(project, tmp_path):
    text = "The Pacific Fleet sailed past the Kremlin, where Vladimir Putin met Sergei Shoigu in Moscow."
    project.add_articles([{"text": text}])
    add_pattern_files(project, [write(tmp_path / "terms.jsonl", PHRASE, TOKENS)])
    pipeline = load_pipeline()
    suggest_project(project, pipeline)
    version = set_version(project.patterns())
    model, pattern = f"suggested by {pipeline.name} {pipeline.version}+{pipeline.content_id}+patterns:{version}", f"pattern (set {version})"
    # the model says "The Pacific Fleet" (ORG): the phrase's narrower match takes its place
    assert shown(project, 2) == [("Pacific Fleet", "ORG", pattern), ("Kremlin", "ORG", pattern),
                                 ("Vladimir Putin", "PERSON", model), ("Sergei Shoigu", "PERSON", model), ("Moscow", "GPE", model)]
