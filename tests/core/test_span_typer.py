"""The span typer: entity types from word vectors, trained on reviewed entities (real, small fits)."""

from __future__ import annotations

import numpy
import pytest
import spacy

import annotator.vectors
from annotator import span_typer
from annotator.errors import ModelError
from annotator.store import AnnotationStore
from annotator.suggest import entity_components
from annotator.training import train_project
from training_fixtures import PEOPLE, PLACES, accepted_project, sentence, tiny_model

PERSONS = ["alice", "boris", "chen", "dara", "emil", "fatima", "gustav", "hana", "zora", "yusuf"]
TOWNS = ["paris", "lagos", "oslo", "lima", "seoul", "cairo", "hanoi", "riga", "quito", "tunis"]
SEEN = 8  # the first 8 of each are in the training articles, the last 2 only in the tests


class Table:
    """Word vectors as ``annotator.vectors`` gives them: people point one way, towns another."""

    name = "test-vectors"
    dims = 4

    def __init__(self, words: dict[str, list[float]]):
        self.words = words

    def rows(self, words):
        return numpy.array([self.words.get(w.lower(), [0.0] * self.dims) for w in words], dtype="f").reshape(len(words), self.dims)


def table() -> Table:
    rng = numpy.random.default_rng(0)
    words = {w: [1.0, 0.0, *rng.normal(0, 0.1, 2)] for w in PERSONS}
    words |= {w: [0.0, 1.0, *rng.normal(0, 0.1, 2)] for w in TOWNS}
    return Table(words)


def ruler_nlp():
    """A "recognizer" that finds every name but calls them all PERSON, as a model does with names it never saw."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": w.title()} for w in PERSONS + TOWNS])
    return nlp


def fitted(nlp):
    texts = [f"{PERSONS[i].title()} flew to {TOWNS[(i + 3) % SEEN].title()} on Monday." for i in range(SEEN)]
    texts += [f"{TOWNS[i].title()} welcomed {PERSONS[(i + 5) % SEEN].title()}." for i in range(SEEN)]
    gold = []
    for text in texts:
        doc = nlp(text)
        gold.append([(e.start_char, e.end_char, "PER" if e.text.lower() in PERSONS else "LOC") for e in doc.ents])
    typer = nlp.add_pipe(span_typer.FACTORY, name=span_typer.NAME)
    learnt = typer.fit([nlp.make_doc(t) for t in texts], gold, table(), {"PERSON": "PER", "GPE": "LOC"},
                       {"PER": "PERSON", "LOC": "GPE"})
    return learnt


def labels(nlp, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in nlp(text).ents]


def test_names_it_never_saw_are_typed_by_their_vectors_and_kept_in_model_labels():
    nlp = ruler_nlp()
    assert labels(nlp, "Quito welcomed Zora.") == [("Quito", "PERSON"), ("Zora", "PERSON")]  # the recognizer's
    assert fitted(nlp) == 2 * 2 * SEEN
    # "Quito" and "Zora" were in no training article, and here in another sentence shape
    assert labels(nlp, "Zora met Yusuf in Quito and Tunis.") == [
        ("Zora", "PERSON"), ("Yusuf", "PERSON"), ("Quito", "GPE"), ("Tunis", "GPE")]


def test_mentions_of_one_name_in_an_article_share_a_label():
    nlp = ruler_nlp()
    fitted(nlp)
    found = labels(nlp, "Riga flew to Riga. Then Riga welcomed Hana.")
    assert [label for text, label in found if text == "Riga"] == ["GPE", "GPE", "GPE"]


def test_entities_of_labels_the_project_drops_are_left_alone():
    nlp = ruler_nlp()
    nlp.get_pipe("entity_ruler").add_patterns([{"label": "DATE", "pattern": "Monday"}])
    fitted(nlp)
    assert ("Monday", "DATE") in labels(nlp, "Zora flew to Quito on Monday.")


def test_a_saved_pipeline_loads_with_spacy_and_types_the_same(tmp_path, monkeypatch):
    nlp = ruler_nlp()
    fitted(nlp)
    nlp.to_disk(tmp_path / "typed")
    monkeypatch.setattr(annotator.vectors, "installed", table)
    loaded = spacy.load(tmp_path / "typed")
    assert loaded.pipe_names == ["entity_ruler", "span_typer"]
    text = "Zora met Yusuf in Quito and Tunis."
    assert labels(loaded, text) == labels(nlp, text)


def test_a_version_with_a_typer_names_the_missing_vectors(tmp_path, monkeypatch):
    nlp = ruler_nlp()
    fitted(nlp)
    nlp.to_disk(tmp_path / "typed")
    monkeypatch.setattr(annotator.vectors, "installed", lambda: None)
    loaded = spacy.load(tmp_path / "typed")
    with pytest.raises(ModelError, match=r"word vectors 'test-vectors'.*annotator vectors fetch"):
        loaded("Zora flew to Quito.")


def test_one_label_gives_nothing_to_tell_apart():
    nlp = ruler_nlp()
    typer = nlp.add_pipe(span_typer.FACTORY, name=span_typer.NAME)
    doc = nlp.make_doc("Zora flew.")
    assert typer.fit([doc], [[(0, 4, "PER")]], table(), {"PERSON": "PER"}, {"PER": "PERSON"}) == 0
    assert labels(nlp, "Quito flew.") == [("Quito", "PERSON")]


def test_the_typer_brings_the_context_vectors_it_reads_into_the_entity_components():
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("entity_ruler")
    assert entity_components(nlp) == ["entity_ruler"]  # the recognizer alone needs no doc.tensor
    nlp.add_pipe(span_typer.FACTORY, name=span_typer.NAME)
    assert entity_components(nlp) == ["tok2vec", "entity_ruler", "span_typer"]


# Training a project's version: a real, small fine-tuning, then the typer on the fixtures' names.

def fixture_table() -> Table:
    rng = numpy.random.default_rng(1)
    words = {w.lower(): [1.0, 0.0, *rng.normal(0, 0.1, 2)] for name in PEOPLE for w in name.split()}
    return Table(words | {w.lower(): [0.0, 1.0, *rng.normal(0, 0.1, 2)] for w in PLACES})


@pytest.fixture
def project(tmp_path):
    base = tiny_model(tmp_path / "tiny", trained_on=[sentence(i) for i in range(3)])
    store = AnnotationStore.open(accepted_project(tmp_path, base, [sentence(i) for i in range(12)]))
    yield store
    store.close()


def test_training_with_word_vectors_adds_a_typer_to_the_version(project, monkeypatch):
    monkeypatch.setattr(annotator.vectors, "installed", fixture_table)
    result = train_project(project, epochs=3)
    assert result.typed == 2 * 10  # two entities in each of the 10 articles trained on
    assert "recognizer alone" not in result.summary(project.path)
    nlp = spacy.load(project.path.parent / "news.models" / "v1")
    assert nlp.pipe_names[-1] == "span_typer"
    assert nlp.meta["annotator_training"]["speakers"] == {"PERSON": "PERSON", "GPE": "GPE"}
    doc = nlp("Chen Wei flew to Oslo on Monday.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Chen Wei", "PERSON"), ("Oslo", "GPE")]


def test_training_without_word_vectors_says_how_to_get_them(project, monkeypatch):
    monkeypatch.setattr(annotator.vectors, "installed", lambda: None)
    result = train_project(project, epochs=3)
    assert result.typed == 0
    assert result.summary(project.path).splitlines()[1] == (
        "Entity types come from the recognizer alone: word vectors type names better "
        "(`annotator vectors fetch`, or Model → Word vectors… in the app).")
    assert "span_typer" not in spacy.load(project.path.parent / "news.models" / "v1").pipe_names
