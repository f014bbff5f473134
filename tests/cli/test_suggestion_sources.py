"""How sources of suggestions combine from the command line: a file's suggestions are never
replaced by a model's unless asked, and a model is known by its content, not its name."""

import json

import spacy

from annotator.cli import cli
from annotator.store import AnnotationStore
from annotator.suggest import load_pipeline

TEXT = "Putin met Kim Jong Un in Russia."


def run(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def shown(project):
    store = AnnotationStore.open(project, readonly=True)
    try:
        out = {}
        for article_id, in store.conn.execute("SELECT id FROM articles ORDER BY id"):
            text = store.article(article_id).text
            out[article_id] = [(text[e.start:e.end], e.label, e.source) for e in store.entities(article_id)]
        return out
    finally:
        store.close()


def ruler_folder(path, patterns):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    nlp.meta["name"], nlp.meta["version"] = "pipeline", "0.0.0"
    nlp.to_disk(path)
    return path


def test_suggest_leaves_a_files_suggestions_alone_unless_asked_to_add(runner, tmp_path, ruler_model):
    project, news = tmp_path / "news.db", tmp_path / "news.jsonl"
    news.write_text(
        json.dumps({"text": TEXT, "spans": [{"start": 0, "end": 5, "label": "PERSON"},
                                            {"start": 25, "end": 31, "label": "ORG"}]}) + "\n"
        + json.dumps({"text": "The Kremlin said nothing."}) + "\n", "utf-8")
    run(runner, "import", project, news, "--model", ruler_model)
    from_file = [("Putin", "PERSON", "from file news.jsonl"), ("Russia", "ORG", "from file news.jsonl")]

    out = run(runner, "suggest", project)
    assert out == (
        f"{project}: suggested entities for 1 article with en_ruler 0.1.0; 2 pending articles, all with suggestions\n"
        f"{project}: skipped 1 pending article that already has suggestions from another source "
        "(a file or another model); add this model's with --add-to-suggested\n"
    )
    model = f"suggested by en_ruler 0.1.0+{load_pipeline(ruler_model).content_id}"
    assert shown(project) == {1: from_file, 2: [("Kremlin", "ORG", model)]}

    out = run(runner, "suggest", project, "--add-to-suggested")
    assert out == f"{project}: suggested entities for 1 article with en_ruler 0.1.0; 2 pending articles, all suggested by this model\n"
    # the model's Putin and Russia overlap the file's and are not shown; its Kim Jong Un is added
    assert shown(project) == {1: [from_file[0], ("Kim Jong Un", "PERSON", model), from_file[1]],
                              2: [("Kremlin", "ORG", model)]}
    assert run(runner, "suggest", project, "--add-to-suggested").startswith(
        f"{project}: suggested entities for 0 articles")  # this model has run on both: nothing to add


def test_two_pipeline_folders_with_one_name_and_version_are_two_sources(runner, tmp_path):
    first = ruler_folder(tmp_path / "a", [{"label": "PERSON", "pattern": "Putin"}])
    second = ruler_folder(tmp_path / "b", [{"label": "GPE", "pattern": "Russia"}])
    project, news = tmp_path / "news.db", tmp_path / "news.txt"
    news.write_text(TEXT, "utf-8")
    run(runner, "import", project, news, "--labels", "PERSON,GPE")
    run(runner, "suggest", project, "--model", first)
    out = run(runner, "suggest", project, "--model", second, "--add-to-suggested")
    assert out == f"{project}: suggested entities for 1 article with en_pipeline 0.0.0; 1 pending article, suggested by this model\n"
    ids = [load_pipeline(str(folder)).content_id for folder in (first, second)]
    assert ids[0] != ids[1] and all(i.startswith("sha1:") and len(i) == 21 for i in ids)
    assert shown(project)[1] == [("Putin", "PERSON", f"suggested by en_pipeline 0.0.0+{ids[0]}"),
                                 ("Russia", "GPE", f"suggested by en_pipeline 0.0.0+{ids[1]}")]
    # the same folder copied elsewhere is the same model: nothing left for it to do
    copy = ruler_folder(tmp_path / "c", [{"label": "GPE", "pattern": "Russia"}])
    assert load_pipeline(str(copy)).content_id == ids[1]
    assert run(runner, "suggest", project, "--model", copy, "--add-to-suggested").startswith(
        f"{project}: suggested entities for 0 articles")
