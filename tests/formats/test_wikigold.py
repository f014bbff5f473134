"""Real gold data (WikiGold, CC-BY 4.0: 145 articles, 3,558 entities) through every text format and back."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import AnnotationStore

REPO = Path(__file__).resolve().parents[2]
WIKIGOLD = next((p / "shared/data/wikigold/wikigold.jsonl" for p in REPO.parents
                 if (p / "shared/data/wikigold/wikigold.jsonl").is_file()), None)
pytestmark = pytest.mark.skipif(WIKIGOLD is None, reason="shared/data/wikigold not beside the repository")


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def gold(tmp_path_factory):
    """All of WikiGold as spaCy's tokenizer cuts it: 8 spans end inside a token ("LL Cool J" of "J."),
    grown to it by --align expand (see test_conll_export_names_a_span_off_token_boundaries)."""
    project = tmp_path_factory.mktemp("gold") / "gold.db"
    run("import", project, WIKIGOLD, "--labels", "PER,LOC,ORG,MISC", "--spans-as", "annotations", "--align", "expand")
    return project


@pytest.fixture(scope="module")
def aligned(tmp_path_factory):
    """WikiGold without the 8 articles holding a span that is not on spaCy's token boundaries ("LL Cool J"
    of the token "J."): CoNLL cannot hold those (see test_conll_export_names_a_span_off_token_boundaries)."""
    from annotator.tokens import tokenize

    folder = tmp_path_factory.mktemp("aligned")
    kept = []
    for line in WIKIGOLD.read_text("utf-8").splitlines():
        task = json.loads(line)
        tokens = tokenize(task["text"])
        starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
        if all(s["start"] in starts and s["end"] in ends for s in task["spans"]):
            kept.append(line)
    (folder / "aligned.jsonl").write_text("\n".join(kept) + "\n", "utf-8")
    run("import", folder / "aligned.db", folder / "aligned.jsonl", "--labels", "PER,LOC,ORG,MISC", "--spans-as", "annotations")
    return folder / "aligned.db"


def test_conll_export_names_a_span_off_token_boundaries(tmp_path):
    """A project holding a span inside a token (imported before --align, here through the store):
    CoNLL export refuses it by name unless --align says how to move it."""
    from annotator.labels import make_labels

    task = json.loads(WIKIGOLD.read_text("utf-8").splitlines()[2])  # "Edward D" of the token "D."
    project = tmp_path / "old.db"
    store = AnnotationStore.open(project, create=True)
    try:
        store.add_labels(make_labels(["PER", "LOC", "ORG", "MISC"]))
        [article_id], _ = store.add_articles([{"text": task["text"]}])
        store.add_confirmed(article_id, [(s["start"], s["end"], s["label"]) for s in task["spans"]])
    finally:
        store.close()
    out = tmp_path / "out" / "out.conll"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["export", str(project), str(out), "--status", "all"])
    assert result.exit_code == 1 and result.stderr == (
        "Error: article 1: span 'Edward D' at 6066-6074 (in 'Edward D.') does not fall on token boundaries; "
        "export with --align contract (shrink to the whole tokens inside) or --align expand "
        "(grow to the tokens it touches), or fix it in the project\n"
    )
    assert list(out.parent.iterdir()) == []
    result = CliRunner().invoke(cli, ["export", str(project), str(out), "--status", "all", "--align", "expand"])
    assert result.exit_code == 0 and "1 span expanded to token boundaries" in result.stderr
    assert "Edward B-PER\nD. I-PER\n" in out.read_text("utf-8")


def entities(project):
    store = AnnotationStore.open(project, readonly=True)
    try:
        return [(a.text, [(e.start, e.end, e.label) for e in ents]) for a, ents, _ in store.iter_articles(None)]
    finally:
        store.close()


@pytest.mark.parametrize("form, name", [("doccano", "out.jsonl"), ("labelstudio", "out.json"), ("brat", "out"), ("conll", "out.conll")])
def test_wikigold_round_trip(tmp_path, gold, aligned, form, name):
    if form == "conll":
        gold = aligned
    first, second = tmp_path / "first" / name, tmp_path / "second" / name
    first.parent.mkdir()
    second.parent.mkdir()
    run("export", gold, first, "--format", form, "--status", "all")
    again = tmp_path / "again.db"
    run("import", again, first, "--labels", "PER,LOC,ORG,MISC", "--spans-as", "annotations")
    run("export", again, second, "--format", form, "--status", "all")
    original = entities(gold)
    assert (len(original), sum(len(spans) for _, spans in original)) == ((137, 3095) if form == "conll" else (145, 3558))
    if form == "conll":
        # The text is rebuilt from the tokens (single spaces), and spaCy does not always cut a rebuilt
        # text where it cut the original ("who's-who" is one token, "who's - who" three): the same
        # characters, entity words and labels come back, not always the same token lines.
        def characters(path):
            return ["".join(line.split()[0] for line in doc.splitlines()[2:] if line)
                    for doc in path.read_text("utf-8").split("-DOCSTART- -X- -X- O\n")[1:]]

        assert characters(second) == characters(first) and len(characters(first)) == 137
        assert [[("".join(text[s:e].split()), label) for s, e, label in spans] for text, spans in entities(again)] == [
            [("".join(text[s:e].split()), label) for s, e, label in spans] for text, spans in original]
        return
    assert entities(again) == original  # the same texts, offsets and labels
    if form == "brat":
        files = sorted(p.name for p in first.iterdir())
        assert files == sorted(p.name for p in second.iterdir()) and len(files) == 2 * 145 + 1
        assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    elif form == "labelstudio":  # undecided articles are predictions; read back, they stay undecided
        assert json.loads(second.read_text("utf-8")) == json.loads(first.read_text("utf-8"))
    else:  # doccano: meta keys beside text and label, read back as meta
        assert second.read_text("utf-8") == first.read_text("utf-8")
        assert json.loads(first.read_text("utf-8").splitlines()[0]).keys() == {"text", "label", "source", "doc"}
