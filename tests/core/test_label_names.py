"""Label names: one check (annotator.labels.check_name) that every way in goes through."""

import json

import pytest

from annotator.characters import is_blank
from annotator.errors import InputError
from annotator.importing import import_files, import_into_project
from annotator.labels import check_name, make_labels
from annotator.store import AnnotationStore

CAFE_NFC, CAFE_NFD = "Caf\u00e9", "Cafe\u0301"


@pytest.mark.parametrize("given, stored", [
    ("PERSON", "PERSON"), (" PERSON  ", "PERSON"), (CAFE_NFD, CAFE_NFC), (f" {CAFE_NFD}", CAFE_NFC),
    ("my label", "my label"), ("😀 emoji", "😀 emoji"), ("北京", "北京"), ("e\u0301\u0308", "\u00e9\u0308"),
])
def test_a_name_is_trimmed_and_nfc_normalised(given, stored):
    assert check_name(given) == stored


@pytest.mark.parametrize("char, kind", [
    ("\u200b", "an invisible character U+200B (ZERO WIDTH SPACE)"),
    ("\u200d", "an invisible character U+200D (ZERO WIDTH JOINER)"),
    ("\u2060", "an invisible character U+2060 (WORD JOINER)"),
    ("\ufeff", "an invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    ("\u202e", "an invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u2066", "an invisible character U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("\x00", "a control character U+0000 (NUL)"),
    ("\t", "a control character U+0009 (TAB)"),
    ("\x1b", "a control character U+001B (ESCAPE)"),
    ("\x85", "a control character U+0085"),
    ("\u2028", "a line separator U+2028 (LINE SEPARATOR)"),
    ("\u2029", "a paragraph separator U+2029 (PARAGRAPH SEPARATOR)"),
    ("\u00a0", "an unusual space U+00A0 (NO-BREAK SPACE)"),
    ("\u3000", "an unusual space U+3000 (IDEOGRAPHIC SPACE)"),
    ("\ue000", "a private-use character U+E000"),
    ("\U000f0000", "a private-use character U+F0000"),
    ("\u0378", "an unassigned code point U+0378"),
    ("\ud800", "an unpaired surrogate U+D800"),
])
@pytest.mark.parametrize("where", ["PER{}SON", "PERSON{}", "{}PERSON"])
def test_invisible_and_control_characters_are_refused_by_code_point(char, kind, where):
    name = where.format(char)
    with pytest.raises(InputError) as error:
        check_name(name)
    assert str(error.value) == f"label name {name!r} contains {kind}"


def test_labels_of_a_new_project_are_normalised_and_deduplicated(tmp_path):
    (tmp_path / "a.txt").write_text("Some text.", "utf-8")
    import_into_project(tmp_path / "p.db", [tmp_path / "a.txt"], labels=["PERSON ", CAFE_NFD, CAFE_NFC])
    store = AnnotationStore.open(tmp_path / "p.db")
    try:
        assert [label.name for label in store.labels()] == ["PERSON", CAFE_NFC]
    finally:
        store.close()


def test_span_labels_are_the_project_labels_they_normalise_to(store, tmp_path):
    """A span label "PERSON " or a decomposed "Café" is the project's label, not an unknown one."""
    store.add_labels(make_labels(["PERSON", CAFE_NFC]))
    path = tmp_path / "in.jsonl"
    line = {"text": "Ada at the Café.", "spans": [{"start": 0, "end": 3, "label": "PERSON "},
                                                    {"start": 11, "end": 15, "label": CAFE_NFD}]}
    path.write_text(json.dumps(line) + "\n", "utf-8")
    report = import_files(store, [path])
    assert report.labels_added == [] and report.spans == 2
    stored = store.conn.execute("SELECT label FROM annotations ORDER BY start")
    assert [row[0] for row in stored] == ["PERSON", CAFE_NFC]
    assert store.label_names() == {"PERSON", CAFE_NFC}


@pytest.mark.parametrize("text", ["\u200b", "\u2060", "\ufeff", " \u200b\r\n\u2060\t\ufeff ", "\u202e\u2066", "\x1c\x1d", ""])
def test_text_of_only_invisible_characters_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200ba", "\ufeff\u200b😀", "\u0301", "\ue000", " . ", "\u200b" * 1000 + "x"])
def test_one_visible_character_makes_text_not_blank(text):
    assert not is_blank(text)
