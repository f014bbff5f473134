"""A new project's label set, the effective label map and its overrides (the core behind the window's dialogs)."""

import pytest

from annotator.errors import InputError, ProjectError
from annotator.labels import BUILT_IN, OVERRIDE, SAME_NAME, effective_map, with_override
from annotator.new_project import create_project, label_choices
from annotator.store import AnnotationStore


def test_label_choices_offer_the_model_labels_then_the_presets():
    choices = label_choices(["PERSON", "ORG"])
    assert list(choices) == ["the model's labels", "ontonotes", "conll"]
    assert choices["conll"] == ["PER", "LOC", "ORG", "MISC"] and len(choices["ontonotes"]) == 18
    assert list(label_choices(None)) == ["ontonotes", "conll"]  # a model whose labels are not known


def test_create_project_with_a_preset_and_refuse_what_exists(tmp_path):
    path = create_project(tmp_path / "p.db", label_choices(None)["conll"], annotator="ada")
    store = AnnotationStore.open(path, readonly=True)
    try:
        assert [(label.name, label.hotkey) for label in store.labels()] == [
            ("PER", "1"), ("LOC", "2"), ("ORG", "3"), ("MISC", "4")]
    finally:
        store.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="exists already"):
        create_project(path, ["X"])
    assert path.read_bytes() == before
    with pytest.raises(InputError, match="at least one label"):
        create_project(tmp_path / "empty.db", [])
    with pytest.raises(InputError, match="invisible"):
        create_project(tmp_path / "bad.db", ["PER\u200b"])
    assert not (tmp_path / "empty.db").exists() and not (tmp_path / "bad.db").exists()


def test_effective_map_says_where_each_line_comes_from():
    rows = {m: (t, where) for m, t, where in effective_map(["PERSON", "ORG", "DATE"], {"PER", "ORG", "MISC"},
                                                           {"DATE": "MISC"})}
    assert rows["PERSON"] == ("PER", BUILT_IN) and rows["ORG"] == ("ORG", SAME_NAME)
    assert rows["DATE"] == ("MISC", OVERRIDE) and rows["GPE"] == (None, "built-in LOC, not a project label")


def test_with_override_refuses_a_target_the_project_lacks():
    assert with_override({"A": "X"}, "DATE", None, {"ORG"}) == {"A": "X", "DATE": None}
    assert with_override({}, "DATE", "ORG", {"ORG"}) == {"DATE": "ORG"}
    with pytest.raises(InputError, match="'NOPE' is not one of the project's labels"):
        with_override({}, "DATE", "NOPE", {"ORG"})
    with pytest.raises(InputError, match="non-empty"):
        with_override({}, " ", "ORG", {"ORG"})
