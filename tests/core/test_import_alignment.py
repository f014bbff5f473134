"""Spans off token boundaries at import: refused and named (strict), or moved by --align contract|expand."""

import json

import pytest

from annotator.errors import InputError
from annotator.importing import import_into_project
from annotator.store import AnnotationStore

EU = "The E.U.-backed plan 🇪🇺 worked."
PHONES = "Apple sold iPhones in Paris."


@pytest.fixture
def tasks(tmp_path):
    path = tmp_path / "tasks.jsonl"
    rows = [
        {"text": EU, "spans": [{"start": 4, "end": 8, "label": "ORG"}]},  # "E.U." inside "E.U.-backed"
        {"text": "Aligned Paris.", "spans": [{"start": 8, "end": 13, "label": "GPE"}]},
        {"text": PHONES, "spans": [
            {"start": 11, "end": 17, "label": "PRODUCT"},  # "iPhone" inside "iPhones"
            {"start": 22, "end": 27, "label": "GPE"},
        ]},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def spans(project):
    store = AnnotationStore.open(project)
    try:
        return [
            [(store.article(i).text[e.start:e.end], e.label) for e in store.entities(i)]
            for i, _, _ in store.queue()
        ]
    finally:
        store.close()


def test_strict_refuses_and_names_every_span_off_token_boundaries(tasks, tmp_path):
    project = tmp_path / "p.db"
    with pytest.raises(InputError) as caught:
        import_into_project(project, [tasks], labels=["ORG", "GPE", "PRODUCT"])
    assert str(caught.value) == (
        f"2 spans in 2 articles do not fall on token boundaries: "
        f"{tasks}:1: 'E.U.' at 4-8 (in 'E.U.-backed'), {tasks}:3: 'iPhone' at 11-17 (in 'iPhones'). "
        "Choose a rule: --align contract (shrink each to the whole tokens inside it, dropping those with none) "
        "or --align expand (grow each to the tokens it touches)"
    )
    assert not project.exists()


def test_expand_grows_spans_to_their_tokens_and_says_so(tasks, tmp_path):
    project = tmp_path / "p.db"
    report = import_into_project(project, [tasks], labels=["ORG", "GPE", "PRODUCT"], align="expand")
    assert report.moved == [
        f"{tasks}:1: 'E.U.' at 4-8 (in 'E.U.-backed') -> 'E.U.-backed'",
        f"{tasks}:3: 'iPhone' at 11-17 (in 'iPhones') -> 'iPhones'",
    ]
    assert "2 spans expanded to token boundaries" in report.summary()
    assert spans(project) == [[("E.U.-backed", "ORG")], [("Paris", "GPE")], [("iPhones", "PRODUCT"), ("Paris", "GPE")]]


def test_contract_drops_spans_with_no_whole_token_and_reports_them(tasks, tmp_path):
    project = tmp_path / "p.db"
    report = import_into_project(project, [tasks], labels=["ORG", "GPE", "PRODUCT"], align="contract")
    assert report.dropped == [f"{tasks}:1: 'E.U.' at 4-8 (in 'E.U.-backed')", f"{tasks}:3: 'iPhone' at 11-17 (in 'iPhones')"]
    assert report.summary() == (
        "imported 3 articles from 1 file (0 duplicates skipped; 2 spans as suggestions; "
        f"2 spans dropped, no whole token inside ({tasks}:1: 'E.U.' at 4-8 (in 'E.U.-backed'), "
        f"{tasks}:3: 'iPhone' at 11-17 (in 'iPhones')))"
    )
    assert spans(project) == [[], [("Paris", "GPE")], [("Paris", "GPE")]]


def test_the_cli_takes_align(tasks, tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    project = tmp_path / "p.db"
    result = CliRunner().invoke(cli, ["import", str(project), str(tasks), "--labels", "ORG,GPE,PRODUCT"])
    assert result.exit_code != 0 and "do not fall on token boundaries" in result.output
    result = CliRunner().invoke(cli, ["import", str(project), str(tasks), "--labels", "ORG,GPE,PRODUCT", "--align", "expand"])
    assert result.exit_code == 0, result.output
    assert spans(project)[0] == [("E.U.-backed", "ORG")]
