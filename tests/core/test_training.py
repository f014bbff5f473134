"""Training model versions on a project's accepted articles: real, small training runs."""

from __future__ import annotations

import errno
import shutil

import pytest
import spacy

from annotator.errors import AnnotatorError, Cancelled, InputError, ModelError
from annotator.importing import import_into_project
from annotator.model import Status
from annotator.store import AnnotationStore
from annotator.suggest import load_pipeline, suggest_project
from annotator.training import MIN_ACCEPTED, train_project
from annotator.versions import find_version, model_in_use, resuggest, use_version, versions_dir
from training_fixtures import accepted_project, ruler_model, sentence, tiny_model, write_jsonl


@pytest.fixture(scope="module")
def base_model(tmp_path_factory):
    """Knows PERSON and GPE in 'X flew to Y' sentences from three examples."""
    return tiny_model(tmp_path_factory.mktemp("base") / "tiny", trained_on=[sentence(i) for i in range(3)])


@pytest.fixture(scope="module")
def ruler_pipeline(tmp_path_factory):
    return load_pipeline(ruler_model(tmp_path_factory.mktemp("ruler") / "ruler"))


@pytest.fixture
def project(tmp_path, base_model):
    path = accepted_project(tmp_path, base_model, [sentence(i) for i in range(12)],
                            pending=[sentence(i, verb="drove") for i in range(4)])
    store = AnnotationStore.open(path)
    yield store
    store.close()


def test_a_version_is_saved_beside_the_project_loads_with_spacy_and_suggests(project):
    result = train_project(project, epochs=3)
    version = result.version
    assert version.name == "v1" and version.folder == "news.models/v1"
    assert (version.trained_on, version.held_out, version.accepted) == (10, 2, 12)  # every fifth held out
    assert result.switched and project.setting("model_version") == 1
    folder = project.path.parent / "news.models" / "v1"
    assert model_in_use(project) == str(folder)
    nlp = spacy.load(folder)
    assert "ner" in nlp.pipe_names and nlp.meta["version"] == "v1"
    doc = nlp("Chen Wei flew to Oslo on Monday.")
    assert {ent.label_ for ent in doc.ents} <= {"PERSON", "GPE"} and doc.ents
    # every label's figures, the new version's next to the model in use's, on the same articles
    assert set(version.scores["per_label"]) == set(version.previous_scores["per_label"]) == {"PERSON", "GPE"}
    assert version.scores["micro"]["support"] == version.previous_scores["micro"]["support"] == 4
    # suggestions now come from it, named by its version
    suggest_project(project, load_pipeline(model_in_use(project)))
    sources = {e.source for a in project.queue(Status.PENDING) for e in project.entities(a[0])}
    assert sources and all(s.startswith("suggested by en_tiny v1+sha1:") for s in sources)


def test_a_project_moved_with_its_versions_folder_keeps_them(project, tmp_path):
    train_project(project, epochs=1)
    project.close()
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.move(tmp_path / "news.db", moved / "news.db")
    shutil.move(tmp_path / "news.models", moved / "news.models")
    store = AnnotationStore.open(moved / "news.db")
    try:
        assert model_in_use(store) == str(moved / "news.models" / "v1")
        shutil.rmtree(moved / "news.models")
        with pytest.raises(ModelError, match="the folder of model version v1, in use, is missing"):
            model_in_use(store)
    finally:
        store.close()


def test_a_worse_version_is_kept_but_not_used(tmp_path, base_model):
    """The reviewer's articles call people places and places people; scored on a dev file that says
    what the model in use already predicts, the new version is worse."""
    swapped = [{**r, "spans": [{**s, "label": {"PERSON": "GPE", "GPE": "PERSON"}[s["label"]]} for s in r["spans"]]}
               for r in (sentence(i) for i in range(12))]
    dev = write_jsonl(tmp_path / "dev.jsonl", [sentence(i, verb="sailed") for i in range(5)])
    store = AnnotationStore.open(accepted_project(tmp_path, base_model, swapped))
    try:
        result = train_project(store, epochs=10, dev=dev)
        assert result.version.trained_on == 12 and result.version.held_out == 5  # a dev file: every article trained on
        assert result.scores.micro.f1 < result.previous_scores.micro.f1
        assert not result.switched and store.setting("model_version") is None
        assert model_in_use(store) == base_model
        assert store.model_versions() == [result.version]
        assert result.summary(store.path).splitlines()[0].endswith(
            f"kept v1 but still using base: F1 {result.scores.micro.f1:.2f} < {result.previous_scores.micro.f1:.2f}; "
            f"use `annotator models use {store.path} v1` to switch")
        use_version(store, find_version(store, "v1"))  # "use it anyway"
        assert model_in_use(store) == str(tmp_path / "news.models" / "v1")
    finally:
        store.close()


def test_use_switches_back_to_an_earlier_version_or_the_base(project):
    train_project(project, epochs=1)
    second = train_project(project, epochs=1)
    assert second.version.name == "v2" and second.version.base == 1  # trained from v1, then in use
    use_version(project, find_version(project, "v1"))
    assert model_in_use(project).endswith("news.models/v1")
    use_version(project, find_version(project, "base"))
    assert model_in_use(project) == project.setting("model")
    with pytest.raises(InputError, match=r"'v9' is not a model version of this project \(it has base, v1, v2\)"):
        find_version(project, "v9")


def test_resuggest_replaces_only_older_versions_suggestions_on_pending_articles(tmp_path, base_model, ruler_pipeline):
    texts = [sentence(i, verb="drove") for i in range(6)]
    project = accepted_project(tmp_path, base_model, [sentence(i) for i in range(12)], pending=texts)
    # a pending article with a file's suggestions
    import_into_project(project, [write_jsonl(tmp_path / "file.jsonl", [sentence(0, verb="rode")])])
    store = AnnotationStore.open(project)
    try:
        base = load_pipeline(base_model)
        suggest_project(store, base)
        ids = {article.text: article.id for article in (store.article(i) for i, _, _ in store.queue(None, limit=100))}
        by_base = [ids[t["text"]] for t in texts]
        from_file = ids[sentence(0, verb="rode")["text"]]
        confirmed_one, rejected, with_other_model = by_base[0], by_base[1], by_base[2]
        kept = store.entities(confirmed_one)[0]
        store.confirm_entity(kept.id)  # still pending, with a person's decision on one entity
        store.reject(rejected)
        store.save_suggestions(ruler_pipeline.source_id(store), [(with_other_model, [(0, 4, "GPE", None)], None)], add=True)
        before = {i: store.entities(i) for i in (rejected, with_other_model, from_file)}

        result = train_project(store, epochs=2)
        assert result.switched
        new = load_pipeline(model_in_use(store))
        replaced = resuggest(store, new)

        assert replaced == 4  # the four pending articles only the base model suggested for
        for article_id in (by_base[0], *by_base[3:]):
            shown = store.entities(article_id)
            suggested = [e for e in shown if e.suggested]
            assert suggested and all(e.source.startswith("suggested by en_tiny v1+") for e in suggested)
            assert store.article(article_id).suggested_by == new.source_id(store)
        assert kept.id in [e.id for e in store.entities(confirmed_one) if not e.suggested]
        for article_id, entities in before.items():  # decided, another model's, a file's: untouched
            assert store.entities(article_id) == entities
        assert resuggest(store, new) == 0  # nothing left to replace
    finally:
        store.close()


def test_cancelled_training_keeps_nothing(project):
    reports = []

    def cancel_once_training() -> bool:
        return any(p.label == "Training" and p.done for p in reports)

    with pytest.raises(Cancelled, match="training cancelled; no version was kept"):
        train_project(project, epochs=5, on_progress=reports.append, should_cancel=cancel_once_training)
    assert project.model_versions() == [] and project.setting("model_version") is None
    folder = versions_dir(project.path)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_full_disk_while_saving_keeps_nothing(project, monkeypatch):
    def full(self, path, *args, **kwargs):
        (path / "meta.json").write_text("{}")  # something written before the disk filled up
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spacy.language.Language, "to_disk", full)
    with pytest.raises(AnnotatorError, match=r"news.models/v1: the disk is full; nothing was written "
                                             r"\(free some space and train again\)"):
        train_project(project, epochs=1)
    assert project.model_versions() == []
    assert list(versions_dir(project.path).iterdir()) == []


def test_refusals_say_what_is_missing(tmp_path, base_model, ruler_pipeline):
    few = AnnotationStore.open(accepted_project(tmp_path, base_model, [sentence(i) for i in range(MIN_ACCEPTED - 1)]))
    try:
        with pytest.raises(AnnotatorError, match=f"training needs at least {MIN_ACCEPTED} accepted articles and the "
                                                 f"project has {MIN_ACCEPTED - 1}; accept 1 more"):
            train_project(few)
        extra = write_jsonl(tmp_path / "plain.jsonl", [{"text": f"Plain words {i}.", "answer": "accept"} for i in range(12)])
        empty_path = tmp_path / "empty.db"
        import_into_project(empty_path, [extra], labels=["PERSON"], model=base_model)
        empty = AnnotationStore.open(empty_path)
        try:
            with pytest.raises(AnnotatorError, match="the 12 accepted articles have no entities; nothing to learn from"):
                train_project(empty)
        finally:
            empty.close()
    finally:
        few.close()
    (tmp_path / "other").mkdir()
    ruled = AnnotationStore.open(accepted_project(tmp_path / "other", str(ruler_pipeline.nlp.path), [sentence(i) for i in range(12)]))
    try:
        with pytest.raises(ModelError, match=r"has no entity recognizer \(ner\) to train \(components: entity_ruler\)"):
            train_project(ruled)
        assert ruled.model_versions() == [] and not versions_dir(ruled.path).exists()
    finally:
        ruled.close()
