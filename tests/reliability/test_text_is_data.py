"""Text is data: nothing imported is executed, unpickled or spliced into SQL.

Static checks read the source of annotator/ and ui/ (AST, not regexes); a
dynamic check records every SQL string the store sends to SQLite during a
whole workflow fed with hostile strings and finds none of them inside.
"""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path

import pytest

from ._support import REPO

SOURCES = sorted((REPO / "annotator").rglob("*.py")) + sorted((REPO / "ui").rglob("*.py"))
STORE_MODULES = {f"annotator/store/{name}.py" for name in ("__init__", "base", "articles", "search", "suggestions", "decisions", "sessions", "rows", "label_edits", "propagation", "patterns", "versions", "review_order")}
SQL_MODULES = STORE_MODULES | {"annotator/schema.py"}  # the only modules that run SQL

UNSAFE_MODULES = {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "joblib", "yaml"}
UNSAFE_BUILTINS = {"eval", "exec", "compile", "__import__", "execfile"}
UNSAFE_ATTRIBUTES = {
    "pickle_load", "pickle_loads",  # srsly's pickle helpers
    "system", "popen",  # os.system / os.popen: a shell
    "load_module", "exec_module",  # running a file as code
}

# Expressions that the store / schema.py may interpolate into SQL text. Each is built
# only from constants or from history.COLUMNS (a whitelist); values always go as
# parameters. A new one must be reviewed and added here.
SQL_INTERPOLATIONS = {
    "APPLICATION_ID", "target",  # schema.py: integers it computes itself
    "self._ARTICLE_COLUMNS", "where", "order", "marks", "table", "assignments",
    "', '.join(columns)", "', '.join(names)", "', ?' * len(names)", "self._ENTITY_SELECT", "self._VERSION_SELECT",
    "','.join('?' * len(statuses))",  # store.position: one placeholder per Status member
    "self._WITHOUT_TOKENS",  # articles.py: a constant
    # the queue's order: fragments of the two QueueOrder constants of store/review_order.py (no user text)
    "order.id", "order.ids_from", "order.rows_from", "order.status", "order.sort(forward)",
}


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _trees():
    for path in SOURCES:
        yield _rel(path), ast.parse(path.read_text("utf-8"), str(path))


def test_sources_were_found():
    names = {_rel(p) for p in SOURCES}
    assert {"annotator/store/decisions.py", "annotator/importing.py"} <= names


def test_nothing_is_unpickled_evaluated_or_run_through_a_shell():
    found = []
    for name, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [f"{name}:{node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
                found.append(f"{name}:{node.lineno}: from {node.module} import ...")
            elif isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name) and node.func.id in UNSAFE_BUILTINS:
                    found.append(f"{name}:{node.lineno}: {node.func.id}()")
                if isinstance(node.func, ast.Attribute) and node.func.attr in UNSAFE_ATTRIBUTES:
                    found.append(f"{name}:{node.lineno}: .{node.func.attr}()")
                for kw in node.keywords:
                    if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                        found.append(f"{name}:{node.lineno}: shell=...")
    assert found == []


def _sql_calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "execute", "executemany", "executescript",
        ) and node.args:
            yield node


def _built(arg: ast.AST) -> bool:
    """Is this SQL argument built at run time (f-string, + or %, .format)?"""
    if isinstance(arg, ast.JoinedStr):
        return True
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Add, ast.Mod)):
        return True
    return isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format"


def test_only_the_store_runs_sql():
    outside = []
    for name, tree in _trees():
        if name in SQL_MODULES:
            continue
        outside += [f"{name}:{call.lineno}: .{call.func.attr}(...)" for call in _sql_calls(tree)]
        if name.startswith("ui/"):
            for node in ast.walk(tree):
                if isinstance(node, ast.Import) and any(a.name in ("sqlite3", "sqlite_utils") for a in node.names):
                    outside.append(f"{name}:{node.lineno}: the GUI imports {node.names[0].name}")
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlite3", "sqlite_utils"):
                    outside.append(f"{name}:{node.lineno}: the GUI imports {node.module}")
    assert outside == [], "SQL outside annotator/store/ and annotator/schema.py"


def test_no_sql_text_is_built_outside_the_store():
    """No execute(f"...") (nor + / % / .format) anywhere but the store and schema.py."""
    built = []
    for name, tree in _trees():
        if name not in SQL_MODULES:
            built += [f"{name}:{c.lineno}" for c in _sql_calls(tree) if _built(c.args[0])]
    assert built == []


def test_store_interpolates_only_whitelisted_names_into_sql():
    seen = {}
    for name, tree in _trees():
        if name not in SQL_MODULES:
            continue
        for call in _sql_calls(tree):
            for node in ast.walk(call.args[0]):
                if isinstance(node, ast.FormattedValue):
                    seen.setdefault(ast.unparse(node.value), f"{name}:{call.lineno}")
                elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                    for side in (node.left, node.right):
                        if not isinstance(side, (ast.Constant, ast.JoinedStr, ast.BinOp)):
                            seen.setdefault(ast.unparse(side), f"{name}:{call.lineno}")
    unknown = {expr: where for expr, where in seen.items() if expr not in SQL_INTERPOLATIONS}
    assert unknown == {}, (
        "new values spliced into SQL text; pass values as ? parameters, or (for names) check them "
        "against a whitelist and add the expression to SQL_INTERPOLATIONS after review"
    )
    # ...and the names that are spliced come from the history whitelist
    store_source = (REPO / "annotator" / "store" / "decisions.py").read_text("utf-8")
    assert "columns = history.COLUMNS[table]" in store_source


# ------------------------------------------------------------------ dynamic
MARK = "zq'\"); DROP TABLE articles;--"


class _RecordingCursor(sqlite3.Cursor):
    statements: list[str] = []

    def execute(self, sql, *args):
        self.statements.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        self.statements.append(sql)
        return super().executemany(sql, *args)

    def executescript(self, sql):
        self.statements.append(sql)
        return super().executescript(sql)


class _RecordingConnection(sqlite3.Connection):
    def cursor(self, factory=_RecordingCursor):
        return super().cursor(factory)

    def execute(self, sql, *args):
        return self.cursor().execute(sql, *args)

    def executemany(self, sql, *args):
        return self.cursor().executemany(sql, *args)

    def executescript(self, sql):
        return self.cursor().executescript(sql)


@pytest.fixture
def recorded(monkeypatch):
    real = sqlite3.connect
    _RecordingCursor.statements = []

    def connect(*args, **kwargs):
        kwargs.setdefault("factory", _RecordingConnection)
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    return _RecordingCursor.statements


def test_hostile_strings_never_reach_the_sql_text(tmp_path, recorded, monkeypatch):
    """A whole workflow with MARK in every user string: texts, titles, meta, labels, names, searches."""
    from annotator.exporting import export_jsonl
    from annotator.importing import import_files
    from annotator.labels import make_labels
    from annotator.store import AnnotationStore

    monkeypatch.setenv("ANNOTATOR_NAME", f"ann{MARK}")
    text = f"Ada {MARK} Lovelace 100% _under_ back\\slash"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({
        "text": text, "title": f"T{MARK}", "meta": {MARK: [MARK, {"k": MARK}]},
        "spans": [{"start": 0, "end": 3, "label": f"L{MARK}"}],
    }) + "\n", "utf-8")
    store = AnnotationStore.open(tmp_path / "p.db", create=True)
    try:
        assert store.annotator == f"ann{MARK}"
        store.add_labels(make_labels([f"P{MARK}"]))
        import_files(store, [source], add_labels=True)
        store.set_setting(f"key{MARK}", {MARK: MARK})
        assert store.setting(f"key{MARK}") == {MARK: MARK}
        store.source_id("model", f"m{MARK}", f"v{MARK}")
        store.start_session()
        (article_id,) = [a.id for a, _, _ in store.iter_articles()]
        entity = store.entities(article_id)[0]
        store.relabel_entity(entity.id, f"P{MARK}")
        added, _ = store.add_entity(article_id, 4, 8, f"L{MARK}")
        store.accept(article_id)
        store.undo()
        store.redo()
        assert store.search(MARK)[0][0] == article_id
        assert store.search("100%")[0][0] == article_id and store.search("_under_")
        assert store.search("%") == []  # punctuation alone is no word to look for
        assert store.search("zz%zz") == []
        store.queue()
        store.label_counts()
        store.end_session()
        export_jsonl(store, tmp_path / "out.jsonl")
    finally:
        store.close()

    assert len(recorded) > 30, "the recording connection was not used"
    leaked = [sql for sql in recorded if "zq'" in sql or "DROP TABLE" in sql]
    assert leaked == []
    task = json.loads((tmp_path / "out.jsonl").read_text("utf-8"))
    assert task["text"] == text and task["meta"] == {MARK: [MARK, {"k": MARK}]}
    assert {s["label"] for s in task["spans"]} == {f"P{MARK}", f"L{MARK}"}
    assert task["_annotator_id"] == f"ann{MARK}"
