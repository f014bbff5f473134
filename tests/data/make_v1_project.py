"""How tests/data/v1_project.db was made: by the release before schema version 2 (commit d518715).

    git worktree add /tmp/v1rel d518715
    PYTHONPATH=/tmp/v1rel python tests/data/make_v1_project.py /tmp/v1rel tests/data/v1_project.db

Run with THAT release's code on the path (this repository's ``annotator`` would make a
current-version file). It imports four articles with the release's own ``annotator import``,
stores tokens for two articles as a model run does (the release's save_suggestions, tokens from its
tokenizer, no spans: version 1 kept them as JSON in articles.tokens), then reviews as the GUI would:
an entity confirmed and one added, an accept, a reject, an undone skip, all in one session, so the
events log and the session table have rows.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ARTICLES = [
    {"title": "Talks in Zürich", "text": "Ada Lovelace met Charles Babbage in Zürich on Monday.",
     "spans": [{"start": 0, "end": 12, "label": "PERSON"}, {"start": 17, "end": 32, "label": "PERSON"}]},
    {"title": "Harbour news", "text": "The ferry to Hamburg left late.\r\nPassengers cheered 😀 when it docked.",
     "meta": {"source": "wire", "tags": ["ports"]}},
    {"text": "Untitled piece about the Café de Flore and its espresso."},
    {"title": "Markets", "text": "Shares rose 100% after the merger (AND the stock split)."},
]


def main(release: Path, target: Path) -> None:
    sys.path.insert(0, str(release))
    from annotator.store import AnnotationStore

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "articles.jsonl"
        source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), "utf-8")
        subprocess.run([sys.executable, "-m", "annotator", "import", str(target), str(source),
                        "--labels", "PERSON,GPE,ORG"], check=True, cwd=release)
    from annotator.tokens import tokenize

    store = AnnotationStore.open(target, annotator="ada")
    try:
        first, second, third, fourth = [a.id for a, _, _ in store.iter_articles()]
        source = store.source_id("model", "fixture_model", "1.0")
        store.save_suggestions(source, [
            (i, [], [x for pair in tokenize(store.article(i).text) for x in pair]) for i in (second, fourth)
        ])
        store.start_session()
        person = store.entities(first)[0]
        store.confirm_entity(person.id)
        store.add_entity(first, 47, 53, "GPE")
        store.accept(first)
        store.reject(second)
        store.skip(third)
        store.undo()
        store.end_session()
    finally:
        store.close()
    # one file, no -wal beside it
    import sqlite3

    conn = sqlite3.connect(str(target))
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA page_size = 512")  # small pages: a few KB in the repository
    conn.execute("VACUUM")
    conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
