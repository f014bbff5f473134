"""`annotator order`: show and set the project's review order."""

import json

from annotator.cli import cli
from annotator.model import ReviewOrder
from annotator.store import AnnotationStore


def test_order_shows_sets_and_counts_the_scored_articles(runner, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"text": t}) for t in ["One.", "Two.", "Three."]), "utf-8")
    project = tmp_path / "p.db"
    assert runner.invoke(cli, ["import", str(project), str(source)]).exit_code == 0
    store = AnnotationStore.open(project)
    try:
        store.save_suggestions(store.source_id("model", "fake", "1"), [(2, [], None, 0.4)])
    finally:
        store.close()

    shown = runner.invoke(cli, ["order", str(project)])
    assert shown.exit_code == 0 and "review order import; 1 of 3 pending articles has a score" in shown.output
    chosen = runner.invoke(cli, ["order", str(project), "least-sure"])
    assert chosen.exit_code == 0 and "review order least-sure" in chosen.output
    store = AnnotationStore.open(project, readonly=True)
    try:
        assert store.review_order() is ReviewOrder.LEAST_SURE
        assert [row[0] for row in store.queue()] == [2, 1, 3]
    finally:
        store.close()
