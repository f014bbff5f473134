"""annotator patterns add|list|remove, and suggest --patterns: from the command line, end to end."""

import json

from annotator.cli import cli
from annotator.patterns import set_version
from annotator.store import AnnotationStore

TEXT = "The Pacific Fleet sailed past the Kremlin with Putin."


def run(runner, *args, code=0):
    result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.stderr


def write(path, *lines):
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return path


def project_with_an_article(runner, tmp_path, ruler_model):
    project, news = tmp_path / "news.db", tmp_path / "news.jsonl"
    write(news, {"text": TEXT})
    run(runner, "import", project, news, "--model", ruler_model)
    return project


def test_add_list_and_remove(runner, tmp_path, ruler_model):
    project = project_with_an_article(runner, tmp_path, ruler_model)
    terms = write(tmp_path / "terms.jsonl", {"label": "ORG", "pattern": "Pacific Fleet"},
                  {"label": "ORG", "pattern": [{"lower": "kremlin"}], "id": "kremlin"}, {"label": "ORG", "pattern": "Pacific Fleet"})
    assert run(runner, "patterns", "add", project, terms) == (
        f"{project}: added 2 patterns; 1 duplicate not stored again ({terms}:3)\n")
    assert run(runner, "patterns", "list", project) == (
        f"{project}: 2 patterns\n"
        '     1  ORG  "Pacific Fleet"\n'
        '     2  ORG  [{"lower":"kremlin"}]  id kremlin\n')
    listed = run(runner, "patterns", "list", project, "--json")
    assert [json.loads(line) for line in listed.splitlines()] == [
        {"label": "ORG", "pattern": "Pacific Fleet"}, {"label": "ORG", "pattern": [{"lower": "kremlin"}], "id": "kremlin"}]
    # what --json prints is a patterns file: read back, every pattern is a duplicate
    again = tmp_path / "again.jsonl"
    again.write_text(listed, "utf-8")
    assert run(runner, "patterns", "add", project, again) == (
        f"{project}: added 0 patterns; 2 duplicates not stored again ({again}:1, {again}:2)\n")
    assert run(runner, "patterns", "remove", project, "1") == f"{project}: removed 1 pattern; 1 pattern left\n"
    assert run(runner, "patterns", "remove", project, "--label", "ORG") == f"{project}: removed 1 pattern; 0 patterns left\n"
    assert run(runner, "patterns", "remove", project, "--all", "5", code=2).startswith(
        "Error: say which patterns: NUMBER..., --label LABEL or --all (one of them)")


def test_suggest_with_patterns_adds_them_then_matches_them_before_the_model(runner, tmp_path, ruler_model):
    project = project_with_an_article(runner, tmp_path, ruler_model)
    terms = write(tmp_path / "terms.jsonl", {"label": "ORG", "pattern": "Pacific Fleet"},
                  {"label": "WEAPON", "pattern": [{"lower": "fleet"}]})
    # an unknown label: refused before the model loads, and nothing stored
    assert run(runner, "suggest", project, "--patterns", terms, code=1) == (
        f"Error: 1 pattern label the project does not have: 'WEAPON' ({terms}:2) (the project has: PERSON, ORG, GPE); "
        "pass --add-labels to add it\n")
    out = run(runner, "suggest", project, "--patterns", terms, "--add-labels")
    assert out.splitlines()[0] == f"{project}: added 2 patterns; labels added: WEAPON"
    assert out.splitlines()[1].startswith(f"{project}: suggested entities for 1 article with en_ruler 0.1.0")
    store = AnnotationStore.open(project, readonly=True)
    try:
        version = set_version(store.patterns())
        shown = [(TEXT[e.start:e.end], e.label, e.source) for e in store.entities(1)]
    finally:
        store.close()
    # "Pacific Fleet" is the longer of the two overlapping matches; the model's Kremlin and Putin fill the rest
    model = shown[1][2]
    assert model.startswith("suggested by en_ruler 0.1.0+sha1:") and model.endswith(f"+patterns:{version}")
    assert shown == [("Pacific Fleet", "ORG", f"pattern (set {version})"), ("Kremlin", "ORG", model), ("Putin", "PERSON", model)]


def test_suggest_with_no_model_suggests_the_patterns_matches_alone(runner, tmp_path, ruler_model):
    project = project_with_an_article(runner, tmp_path, ruler_model)
    assert run(runner, "suggest", project, "--model", "none", code=1) == (
        "Error: with no model (--model none) the project's patterns are all there is to suggest with, and it has none: "
        "add some with 'annotator patterns add' or --patterns FILE\n")
    terms = write(tmp_path / "terms.jsonl", {"label": "ORG", "pattern": [{"lower": "kremlin"}]})
    out = run(runner, "suggest", project, "--model", "none", "--patterns", terms)
    assert out.splitlines()[1] == (f"{project}: suggested entities for 1 article with the project's patterns alone; "
                                   "1 pending article, with suggestions")
    store = AnnotationStore.open(project, readonly=True)
    try:
        version = set_version(store.patterns())
        assert [(TEXT[e.start:e.end], e.label, e.source) for e in store.entities(1)] == [
            ("Kremlin", "ORG", f"pattern (set {version})")]
        assert store.conn.execute("SELECT kind, version FROM sources WHERE id = ?", (store.article(1).suggested_by,)
                                  ).fetchone() == ("patterns", version)  # the run is the pattern set's
    finally:
        store.close()
    # the model may add its entities to the article, as to any other source's
    out = run(runner, "suggest", project, "--add-to-suggested")
    assert out.startswith(f"{project}: suggested entities for 1 article with en_ruler 0.1.0")
