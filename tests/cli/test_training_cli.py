"""`annotator train`, `annotator models list|use` and the model in `annotator stats`, through click
(and one real process, for Ctrl+C)."""

from __future__ import annotations

import json
import signal
import sys

import pytest

from annotator.cli import cli
from annotator.store import AnnotationStore
from training_fixtures import accepted_project, sentence, tiny_model


@pytest.fixture(scope="module")
def base_model(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("base") / "tiny", trained_on=[sentence(i) for i in range(3)])


@pytest.fixture
def project(tmp_path, base_model):
    return accepted_project(tmp_path, base_model, [sentence(i) for i in range(12)],
                            pending=[sentence(i, verb="drove") for i in range(4)])


def run(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_train_then_list_stats_and_go_back(runner, project, base_model):
    run(runner, "suggest", project)  # the base model suggests for the pending articles
    out = run(runner, "train", project, "--epochs", "2")
    assert f"{project}: trained v1 on 10 accepted articles, scored on 2 held-out articles: F1 " in out
    assert "now using v1" in out
    assert "label            v1 P/R/F1         base P/R/F1  support" in out and "  PERSON  " in out
    assert f"{project}: re-suggested 4 pending articles with en_tiny v1" in out

    listed = run(runner, "models", "list", project)
    assert "model in use: v1 (news.models/v1)" in listed
    row = next(line for line in listed.splitlines() if line.strip().startswith("v1 "))
    assert row.split()[3:5] == ["10", "2"] and row.rstrip().endswith("*")

    stats = run(runner, "stats", project)
    assert "  model in use: v1 (news.models/v1)" in stats and "next to base:" in stats
    numbers = json.loads(run(runner, "stats", project, "--json"))["model"]
    assert numbers["version"] == "v1" and numbers["previous"] == "base"
    assert set(numbers["scores"]["per_label"]) == {"PERSON", "GPE"}

    back = run(runner, "models", "use", project, "base")
    assert f"now suggesting with base ({base_model})" in back
    assert "re-suggested 4 pending articles with en_tiny 0.1.0" in back
    assert "model in use: base" in run(runner, "models", "list", project)


def test_suggest_without_model_uses_the_version_in_use(runner, project):
    run(runner, "train", project, "--epochs", "1")
    out = run(runner, "suggest", project)
    assert "suggested entities for 4 articles with en_tiny v1" in out


def test_every_sets_the_automatic_retraining_option(runner, project):
    assert "the app retrains after every 25 newly accepted articles" in run(runner, "train", project, "--every", "25")
    store = AnnotationStore.open(project)
    try:
        assert store.setting("retrain_every") == 25 and store.model_versions() == []
    finally:
        store.close()
    assert "automatic retraining is off" in run(runner, "train", project, "--every", "0")


@pytest.mark.parametrize("sig, message, code", [
    (signal.SIGINT, "Error: training interrupted; no version was kept", 130),  # Ctrl+C
    (signal.SIGTERM, "Error: training cancelled; no version was kept", 1),  # the app's Cancel
])
def test_stopping_a_training_keeps_nothing(project, sig, message, code, stop_at):
    """A real process, stopped once it reports training progress."""
    assert stop_at([sys.executable, "-m", "annotator", "train", str(project), "--epochs", "200", "--progress-lines"],
                   lambda report: report["label"] == "Training" and report["done"], sig) == (code, message)
    store = AnnotationStore.open(project)
    try:
        assert store.model_versions() == [] and store.setting("model_version") is None
    finally:
        store.close()
    folder = project.parent / "news.models"
    assert not folder.exists() or list(folder.iterdir()) == []
