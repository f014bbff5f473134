"""The demo project: built once from seeds/, complete or not at all."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.demo import default_demo_path, ensure_demo_project
from annotator.errors import ModelError
from annotator.paths import data_dir, seeds_dir
from annotator.store import AnnotationStore


def test_the_demo_is_built_once_with_suggestions(tmp_path, ruler_model):
    path = tmp_path / "sub" / "demo.db"
    seen = []
    assert ensure_demo_project(path, model=ruler_model, on_progress=seen.append) == path
    assert {p.label for p in seen} == {"Importing", "Suggesting entities"}
    store = AnnotationStore.open(path)
    try:
        seed = next(seeds_dir().glob("*.txt")).read_text("utf-8")
        assert store.article(1).text == seed
        assert {seed[e.start:e.end] for e in store.entities(1)} >= {"Putin", "Kremlin", "Russia"}
    finally:
        store.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["demo.db"]
    stamp = path.stat().st_mtime_ns
    assert ensure_demo_project(path, model=ruler_model) == path
    assert path.stat().st_mtime_ns == stamp


def test_a_failed_build_leaves_nothing_behind(tmp_path):
    with pytest.raises(ModelError):
        ensure_demo_project(tmp_path / "demo.db", model="no_such_model")
    assert list(tmp_path.iterdir()) == []


def test_the_default_place_is_the_data_folder():
    assert default_demo_path() == data_dir() / "demo.db"


def test_the_demo_builds_from_an_installed_layout(tmp_path, ruler_model):
    """As in a wheel: resources/ and seeds/ live inside the package, with no checkout around."""
    repo = Path(__file__).resolve().parents[2]
    site = tmp_path / "site"
    shutil.copytree(repo / "annotator", site / "annotator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(repo / "resources", site / "annotator" / "resources")
    shutil.copytree(repo / "seeds", site / "annotator" / "seeds")
    code = (
        "import annotator.demo as d, annotator.paths as p, sys;"
        f"print(str(p.seeds_dir().parent) == str(p.resources_dir().parent) == {str(site / 'annotator')!r});"
        f"print(d.ensure_demo_project(model={ruler_model!r}))"
    )
    env = {"PATH": "", "PYTHONPATH": str(site), "ANNOTATOR_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", str(tmp_path / "data" / "demo.db")]
