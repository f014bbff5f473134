"""Work that runs in its own process, so its time and peak memory are its own.

    python -m benchmarks.child import-ours PROJECT.db ARTICLES.jsonl
    python -m benchmarks.child import-baseline TABLE.db ARTICLES.jsonl
    python -m benchmarks.child import-spans PROJECT.db SPANS.jsonl suggestions|annotations
    python -m benchmarks.child export-ours PROJECT.db OUT.jsonl
    python -m benchmarks.child export-baseline PROJECT.db OUT.jsonl
    python -m benchmarks.child open PROJECT.db [START_ID]             (the app, offscreen, no model)
    python -m benchmarks.child memory PROJECT.db                      (the app with the model loaded)
    python -m benchmarks.child next PROJECT.db PRESSES [WORKDIR [START_ID]]
    python -m benchmarks.child next-baseline PROJECT.db PRESSES [W H [START_ID]]

Each prints one JSON line: {"seconds": ..., "peak_rss_mb": ..., ...}. Timings
start before the code under test is imported, so the cost of importing it
counts, as it does for a user.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

T0 = time.perf_counter()

from .common import peak_rss_mb  # noqa: E402


def emit(**values) -> None:
    values.setdefault("peak_rss_mb", peak_rss_mb())
    print(json.dumps(values), flush=True)


# ------------------------------------------------------------------ import
def import_ours(db: str, jsonl: str) -> None:
    from annotator.cli import cli

    t = time.perf_counter()
    cli.main(["import", db, jsonl], prog_name="annotator", standalone_mode=False)
    emit(seconds=time.perf_counter() - T0, call_seconds=time.perf_counter() - t)


def import_baseline(db: str, jsonl: str) -> None:
    """The floor: stream the JSONL, hash each text, sqlite_utils insert_all into a bare table."""
    import hashlib

    import sqlite_utils

    def rows():
        with open(jsonl, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                meta = rec.get("meta") or {}
                text = rec["text"]
                yield {
                    "text": text,
                    "title": meta.get("title"),
                    "meta": json.dumps(meta, ensure_ascii=False),
                    "hash": hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest(),
                }

    t = time.perf_counter()
    database = sqlite_utils.Database(db)
    database["articles"].insert_all(rows(), batch_size=1000)
    n = database["articles"].count
    database.close()
    emit(seconds=time.perf_counter() - T0, call_seconds=time.perf_counter() - t, rows=n)


def import_spans(db: str, jsonl: str, spans_as: str) -> None:
    from annotator.cli import cli

    t = time.perf_counter()
    cli.main(["import", db, jsonl, "--spans-as", spans_as, "--add-labels"], prog_name="annotator", standalone_mode=False)
    emit(seconds=time.perf_counter() - T0, call_seconds=time.perf_counter() - t)


# ------------------------------------------------------------------ export
def export_ours(db: str, out: str, *flags: str) -> None:
    from annotator.cli import cli

    t = time.perf_counter()
    cli.main(["export", db, out, *flags], prog_name="annotator", standalone_mode=False)
    emit(seconds=time.perf_counter() - T0, call_seconds=time.perf_counter() - t, lines=_lines(out))


def export_baseline(db: str, out: str, *flags: str) -> None:
    """The floor: read the accepted rows with plain sqlite3 and json.dumps each task to a file.

    The records have the export's shape (text, meta, spans with token indices,
    tokens, answer, hashes, annotator, timestamp), built as directly as Python
    allows, so the ratio is what annotator's layers cost on top. ``--no-tokens``:
    the same without tokens and token indices, and the tokens table not read.
    """
    import hashlib
    import sqlite3
    from array import array
    from bisect import bisect_left, bisect_right

    with_tokens = "--no-tokens" not in flags
    select = (
        "SELECT id, text, meta, starts, ends, annotator, decided_at FROM articles LEFT JOIN tokens ON article_id = id "
        if with_tokens else "SELECT id, text, meta, NULL, NULL, annotator, decided_at FROM articles "
    )

    t = time.perf_counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    last = 0
    with open(out, "w", encoding="utf-8") as f:
        while True:
            rows = conn.execute(
                select + "WHERE status = 'accepted' AND id > ? ORDER BY id LIMIT 1000",
                (last,),
            ).fetchall()
            if not rows:
                break
            ids = [r[0] for r in rows]
            ents: dict[int, list] = {i: [] for i in ids}
            for article_id, start, end, label in conn.execute(
                f"SELECT article_id, start, end, label FROM annotations WHERE article_id IN ({','.join('?' * len(ids))}) "
                "ORDER BY article_id, start, end",
                ids,
            ):
                ents[article_id].append((start, end, label))
            for article_id, text, meta, starts, ends, annotator, decided_at in rows:
                if with_tokens:
                    starts, ends = array("i", starts or b""), array("i", ends or b"")  # little-endian here
                    toks = [
                        {"text": text[s:e], "start": s, "end": e, "id": k,
                         "ws": k + 1 < len(starts) and starts[k + 1] > e}
                        for k, (s, e) in enumerate(zip(starts, ends))
                    ]
                    spans = [
                        {"start": s, "end": e, "label": label,
                         "token_start": bisect_right(starts, s) - 1, "token_end": bisect_left(ends, e)}
                        for s, e, label in ents[article_id]
                    ]
                else:
                    spans = [{"start": s, "end": e, "label": label} for s, e, label in ents[article_id]]
                input_hash = int.from_bytes(hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()[:4], "big", signed=True)
                task = json.dumps([s["start"] for s in spans])
                task_hash = int.from_bytes(hashlib.sha1(f"{input_hash}{task}".encode()).digest()[:4], "big", signed=True)
                record = {"text": text, "meta": json.loads(meta), "spans": spans, "answer": "accept",
                          "_input_hash": input_hash, "_task_hash": task_hash, "_annotator_id": annotator,
                          "_timestamp": decided_at}
                if with_tokens:
                    record["tokens"] = toks
                f.write(json.dumps(record, ensure_ascii=False))
                f.write("\n")
            last = ids[-1]
    conn.close()
    emit(seconds=time.perf_counter() - T0, call_seconds=time.perf_counter() - t, lines=_lines(out))


def _lines(path: str) -> int:
    """The lines of an export file; the files of an export folder (brat's)."""
    if Path(path).is_dir():
        return sum(1 for _ in Path(path).iterdir())
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "import-ours":
        import_ours(*args)
    elif command == "import-baseline":
        import_baseline(*args)
    elif command == "import-spans":
        import_spans(*args)
    elif command == "export-ours":
        export_ours(*args)
    elif command == "export-baseline":
        export_baseline(*args)
    elif command in ("open", "memory", "next", "next-baseline"):
        from . import gui_child

        gui_child.main(command, args)
    else:
        raise SystemExit(f"unknown child command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
