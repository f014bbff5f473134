"""One damaged page in a project too large to check page by page at open (issue 9, item 6)."""

from __future__ import annotations

import pytest

from annotator import schema
from annotator.errors import ProjectDamaged
from annotator.store import AnnotationStore

from ._support import damaged_project


def test_a_damaged_page_fails_only_its_article_and_the_full_check_names_it(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "FULL_CHECK_BYTES", 0)  # as if the project were over 64 MB
    store = AnnotationStore.open(damaged_project(tmp_path / "p.db"))
    try:
        with pytest.raises(ProjectDamaged, match="the file may be damaged"):
            store.entities(2)
        assert [len(store.entities(i)) for i in (1, 3, 4)] == [0, 0, 0]
        assert store.neighbour(1) == 2 and store.article(3).text == "Third article."
        problems = store.integrity_problems()
        assert problems and all(isinstance(p, str) for p in problems)
    finally:
        store.close()


def test_a_project_with_no_damage_passes_the_full_check(tmp_path):
    store = AnnotationStore.open(tmp_path / "p.db", create=True)
    try:
        store.add_articles([{"text": "fine"}])
        assert store.integrity_problems() == []
    finally:
        store.close()
