"""The proposed fixes as monkeypatches, for before/after measurements only (not product code).

Used through a ``sitecustomize.py`` on PYTHONPATH (so the benchmark's child
processes get it too) containing::

    import os, sys
    if os.environ.get("BENCH_FIXES"):
        sys.path.insert(0, "<folder of this file>")
        import simulated_fixes

then ``BENCH_FIXES=position,quickcheck,importjournal,lookahead python -m benchmarks ...``.
Delete this file once the real fixes are in.
"""
import os
import sqlite3
import types
from pathlib import Path

from annotator import store as store_mod
from annotator.model import Status

FIXES = set(filter(None, os.environ.get("BENCH_FIXES", "").split(",")))


def position(self, article_id, status=None):
    if status is None:
        index = self.conn.execute(
            "SELECT count(*) FROM articles WHERE status IN ('pending', 'accepted', 'rejected', 'skipped') AND id <= ?",
            (article_id,)).fetchone()[0]
        return index, self.article_count()
    status = Status(status).value
    index = self.conn.execute("SELECT count(*) FROM articles WHERE status = ? AND id <= ?", (status, article_id)).fetchone()[0]
    return index, self.counts().get(status, 0)


if "position" in FIXES:
    store_mod.AnnotationStore.position = position

if "quickcheck" in FIXES:
    class _Conn(sqlite3.Connection):
        def execute(self, sql, *a):
            if sql.strip().upper() == "PRAGMA QUICK_CHECK":
                return super().execute("SELECT 'ok'")
            return super().execute(sql, *a)

    def _connect(*a, **kw):
        kw.setdefault("factory", _Conn)
        return sqlite3.connect(*a, **kw)

    shim = types.SimpleNamespace(**{k: getattr(sqlite3, k) for k in dir(sqlite3) if not k.startswith("__")})
    shim.connect = _connect
    store_mod.sqlite3 = shim

if "importjournal" in FIXES:
    _open = store_mod.AnnotationStore.open.__func__

    def open_(cls, path, *, create=False, **kw):
        new = create and not Path(path).exists()
        s = _open(cls, path, create=create, **kw)
        if new:  # nobody else can have a brand-new file open: no WAL while filling it
            s.conn.execute("PRAGMA journal_mode = DELETE")
            if os.environ.get("BENCH_IMPORT_CACHE", "1") == "1":
                s.conn.execute("PRAGMA cache_size = -65536")
            close = s.close

            def close_():
                s.conn.execute("PRAGMA journal_mode = WAL")
                close()

            s.close = close_
        return s

    store_mod.AnnotationStore.open = classmethod(open_)

if "lookahead" in FIXES:
    def unsuggested_among(self, source_id, ids):
        """Which of these articles this source has not suggested for yet: (id, text), bounded by ids."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self.conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({marks}) AND (suggested_by IS NULL OR suggested_by <> ?)",
            [*ids, source_id]).fetchall()

    store_mod.AnnotationStore.unsuggested_among = unsuggested_among
    try:
        from ui import lookahead

        def _wanted(self, store, source, handed):
            target = self._target
            if target is None:
                return []
            window = [i for i, _, _ in store.queue(Status.PENDING, after_id=target - 1, limit=self._ahead)]
            if len(window) < self._ahead:
                window += [i for i, _, _ in store.queue(Status.PENDING, after_id=0, limit=self._ahead - len(window))]
            items = dict(store.unsuggested_among(source, [i for i in dict.fromkeys(window) if i not in handed]))
            return [(i, items[i]) for i in dict.fromkeys(window) if i in items]

        lookahead.SuggestionWorker._wanted = _wanted
    except ImportError:
        pass
