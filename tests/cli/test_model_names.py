"""Which pipeline a --model name means, without loading one (fast: no `model` mark)."""

from annotator.suggest import DEFAULT_MODEL, resolve_model


def test_the_bundled_pipeline_stands_in_only_for_its_own_name(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(tmp_path))  # where a fake en_core_web_sm may be installed
    name, note = resolve_model("en_core_web_sm")
    assert name == DEFAULT_MODEL and note.startswith("en_core_web_sm is not installed; using the bundled")
    assert resolve_model("en_core_web_lg") == ("en_core_web_lg", None)
    assert resolve_model(DEFAULT_MODEL) == (DEFAULT_MODEL, None)

    (tmp_path / "en_core_web_sm").mkdir()
    (tmp_path / "en_core_web_sm" / "__init__.py").write_text("", "utf-8")
    assert resolve_model("en_core_web_sm") == ("en_core_web_sm", None)  # spaCy's own, once installed


def test_a_folder_named_like_the_pipeline_is_that_folder(monkeypatch, tmp_path):
    (tmp_path / "en_core_web_sm").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_model("en_core_web_sm") == ("en_core_web_sm", None)
