"""Which format an input is read in, which one an export is written in, and what is refused rather than dropped."""

import json

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import AnnotationStore

SHOP = "Apple opened a shop in Berlin."
DOCCANO = {"text": SHOP, "label": [[0, 5, "ORG"], [23, 29, "GPE"]]}


def run(tmp_path, *args, ok=True):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


def error(result) -> str:
    [line] = result.stderr.splitlines()
    return line


def spans(project):
    store = AnnotationStore.open(project, readonly=True)
    try:
        return [(article.text, [(e.start, e.end, e.label) for e in store.entities(article.id)])
                for article, _, _ in store.iter_articles(None)]
    finally:
        store.close()


def test_a_doccano_line_imports_its_spans(tmp_path):
    """The issue's first report: this line imported with exit 0, no spans and no warning."""
    source = tmp_path / "doccano.jsonl"
    source.write_text(json.dumps(DOCCANO) + "\n", "utf-8")
    result = run(tmp_path, "import", tmp_path / "p.db", source, "--labels", "ORG,GPE")
    assert "2 spans as suggestions" in result.output
    assert spans(tmp_path / "p.db") == [(SHOP, [(0, 5, "ORG"), (23, 29, "GPE")])]


def test_a_doccano_line_read_as_jsonl_names_the_keys_it_does_not_read(tmp_path):
    source = tmp_path / "doccano.jsonl"
    source.write_text(json.dumps(DOCCANO) + "\n" + json.dumps({**DOCCANO, "text": "Again " + SHOP}) + "\n", "utf-8")
    project = tmp_path / "p.db"
    result = run(tmp_path, "import", project, source, "--labels", "ORG,GPE", "--format", "jsonl", ok=False)
    assert error(result) == (
        f'Error: {source}:1: key "label" not understood (in 2 records, first here); nothing imported '
        "(pass --ignore-unknown to import without them)"
    )
    assert not project.exists()
    result = run(tmp_path, "import", project, source, "--labels", "ORG,GPE", "--format", "jsonl", "--ignore-unknown")
    assert f'ignored: {source}:1: key "label" not understood (in 2 records, first here)' in result.output
    assert spans(project) == [(SHOP, []), ("Again " + SHOP, [])]


def test_conll_in_a_txt_file_is_recognised_and_prose_is_not(tmp_path):
    (tmp_path / "tagged.txt").write_text("-DOCSTART- -X- -X- O\n\nApple B-ORG\nopened O\n", "utf-8")
    (tmp_path / "prose.txt").write_text("Apple opened a shop.\nIn Berlin O\n", "utf-8")
    run(tmp_path, "import", tmp_path / "p.db", tmp_path / "tagged.txt", tmp_path / "prose.txt", "--labels", "ORG")
    assert spans(tmp_path / "p.db") == [("Apple opened", [(0, 5, "ORG")]), ("Apple opened a shop.\nIn Berlin O\n", [])]


@pytest.mark.parametrize("name, args, message", [
    ("out.spacy", [], "format spacy is not available in this build"),
    ("out.conll", ["--format", "jsonl"], "out.conll: a .conll name means format conll, not jsonl; name it .jsonl or pass --format conll"),
    ("out.json", ["--format", "doccano"], "out.json: a .json name means format labelstudio, not doccano; name it .jsonl or pass --format labelstudio"),
    ("out.jsonl", ["--format", "brat"], "out.jsonl: a .jsonl name means format jsonl, not brat; name it as a folder (no extension) or pass --format jsonl"),
])
def test_an_export_name_that_means_another_format_is_refused(tmp_path, monkeypatch, name, args, message):
    from annotator import formats

    # The spacy format as a build without its module has it (whether or not this one has it).
    monkeypatch.setitem(formats.FORMATS, "spacy", formats.Format("spacy", "no_such_module", (".spacy",)))
    project = tmp_path / "p.db"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": SHOP}) + "\n", "utf-8")
    run(tmp_path, "import", project, source, "--labels", "ORG")
    result = run(tmp_path, "export", project, tmp_path / name, *args, "--status", "all", ok=False)
    assert message in error(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "p.db"]


def test_brat_export_refuses_a_folder_with_files_in_it(tmp_path):
    project = tmp_path / "p.db"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": SHOP}) + "\n", "utf-8")
    run(tmp_path, "import", project, source, "--labels", "ORG")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.ann").write_text("", "utf-8")
    result = run(tmp_path, "export", project, tmp_path / "out", "--format", "brat", "--status", "all", ok=False)
    assert error(result) == f"Error: {tmp_path / 'out'}: folder is not empty; give a new or empty folder to export to"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["old.ann"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folder left


def brat(tmp_path, ann: str):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Putin and Xi met in Beijing.", "utf-8")
    (folder / "a.ann").write_text(ann, "utf-8")
    return folder


def test_brat_discontinuous_spans_are_refused_unless_a_rule_is_chosen(tmp_path):
    folder = brat(tmp_path, "T1\tPER 0 5;10 12\tPutin Xi\nT2\tGPE 20 27\tBeijing\nT3\tPER 13 16;17 19\tmet in\n")
    project = tmp_path / "p.db"
    result = run(tmp_path, "import", project, folder, "--labels", "PER,GPE", ok=False)
    assert error(result) == (
        f"Error: {folder / 'a.ann'}:1: discontinuous span (2 in this file); "
        "choose --discontinuous cover (one span over the pieces) or split (a span per piece)"
    )
    assert not project.exists()
    run(tmp_path, "import", project, folder, "--labels", "PER,GPE", "--discontinuous", "split", "--spans-as", "annotations")
    assert spans(project) == [("Putin and Xi met in Beijing.", [(0, 5, "PER"), (10, 12, "PER"), (13, 16, "PER"), (17, 19, "PER"), (20, 27, "GPE")])]
    cover = tmp_path / "cover.db"
    run(tmp_path, "import", cover, folder, "--labels", "PER,GPE", "--discontinuous", "cover", "--spans-as", "annotations",
        "--add-labels")
    assert spans(cover) == [("Putin and Xi met in Beijing.", [(0, 12, "PER"), (13, 19, "PER"), (20, 27, "GPE")])]


def test_brat_relation_and_note_lines_are_reported(tmp_path):
    folder = brat(tmp_path, "T1\tPER 0 5\tPutin\nT2\tPER 10 12\tXi\nR1\tMeets Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tleader\n")
    project = tmp_path / "p.db"
    result = run(tmp_path, "import", project, folder, "--labels", "PER", ok=False)
    assert error(result) == (
        f"Error: {folder / 'a.ann'}: relation line (R) not understood; {folder / 'a.ann'}: note line (#) not understood; "
        "nothing imported (pass --ignore-unknown to import without them)"
    )
    run(tmp_path, "import", project, folder, "--labels", "PER", "--ignore-unknown")
    assert spans(project) == [("Putin and Xi met in Beijing.", [(0, 5, "PER"), (10, 12, "PER")])]


def test_brat_entity_text_that_disagrees_with_the_txt_is_refused(tmp_path):
    folder = brat(tmp_path, "T1\tPER 0 5\tPutin\nT2\tGPE 20 27\tMoscow\n")
    result = run(tmp_path, "import", tmp_path / "p.db", folder, "--labels", "PER,GPE", ok=False)
    assert error(result) == f"Error: {folder / 'a.ann'}:2: offsets 20 27 cover 'Beijing' in the .txt, not 'Moscow'"


def test_a_forced_format_reads_only_its_own_files_in_a_folder(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps(DOCCANO) + "\n", "utf-8")
    (folder / "notes.txt").write_text("Not doccano.", "utf-8")
    project = tmp_path / "p.db"
    run(tmp_path, "import", project, folder, "--format", "doccano", "--labels", "ORG,GPE")
    assert spans(project) == [(SHOP, [(0, 5, "ORG"), (23, 29, "GPE")])]
    result = run(tmp_path, "import", project, folder, "--format", "labelstudio", ok=False)
    assert error(result) == f"Error: {folder}: no .json files in this folder"


def test_a_brat_corpus_inside_a_folder_is_read_as_brat(tmp_path):
    folder = tmp_path / "data"
    (folder / "corpus").mkdir(parents=True)
    (folder / "corpus" / "a.txt").write_text("Putin and Xi met in Beijing.", "utf-8")
    (folder / "corpus" / "a.ann").write_text("T1\tPER 0 5\tPutin\n", "utf-8")
    (folder / "notes.txt").write_text("A plain article.", "utf-8")
    project = tmp_path / "p.db"
    result = run(tmp_path, "import", project, folder, "--labels", "PER")
    assert "imported 2 articles from 2 files" in result.output
    assert spans(project) == [("Putin and Xi met in Beijing.", [(0, 5, "PER")]), ("A plain article.", [])]
