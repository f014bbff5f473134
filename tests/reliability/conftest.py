"""Fixtures for the reliability suite."""

import os

import pytest

from ._support import make_project


@pytest.fixture
def project(tmp_path):
    """A fresh project file with labels PERSON, ORG, GPE and 20 articles."""
    path = tmp_path / "project.db"
    make_project(path, 20)
    return path


@pytest.fixture(autouse=True)
def _slow_only_when_asked(request):
    """Tests marked ``slow`` run only with ``-m slow`` (or ANNOTATOR_SLOW=1), so the default run stays quick."""
    if request.node.get_closest_marker("slow") is None:
        return
    markexpr = request.config.getoption("markexpr", "") or ""
    if "slow" in markexpr and "not slow" not in markexpr:
        return
    if os.environ.get("ANNOTATOR_SLOW") == "1":
        return
    pytest.skip("slow: run with -m slow (or ANNOTATOR_SLOW=1)")
