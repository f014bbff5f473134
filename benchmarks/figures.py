"""The figures: each one measured next to its baseline, in the same run.

Every function takes the workspace and the size and returns a list of ``Row``.
A figure whose code under test does not exist yet (or fails) returns rows with
``ok=None`` and the reason in ``note``, so the table always comes out whole.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import datagen
from .common import Row, Size, Timer, log, median, pct, ratio, run_child
from .project import MODEL_NAME, Workspace, remove_db

IMPORT_RATIO, IMPORT_MB = 1.5, 300.0
SPANS_RATIO = 3.0  # suggestions are stored twice (the model's output, and what is shown)
SPANS_GROWTH = 15.0  # time at 10x the spans: linear is 10x; quadratic was 100x
SPANS_RATIO = 3.0  # suggestions are stored twice (the model's output, and what is shown)
SPANS_GROWTH = 15.0  # time at 10x the spans: linear is 10x; quadratic was 100x
SUGGEST_RATIO = 0.9
OPEN_RATIO, OPEN_SECONDS = 1.2, 1.0
NEXT_RATIO, NEXT_A_MS, NEXT_B_MS = 2.0, 16.0, 50.0
READING_MS = 100  # between a paint and the next press: far less than anyone takes to read an article
EXPORT_RATIO = 2.0
SEARCH_MS = 50.0  # Ctrl+F answers while the user types: well under a keystroke's interval
# What people type into Ctrl+F on the generated corpus: a word in most articles, a place with its
# accent left off, a pair of names, a name being typed (the prefix), a miss (the LIKE scan's worst case).
SEARCH_QUERIES = ("spokesperson", "zurich", "ingrid okafor", "medecins sans fron", "qwertyzzz")
SEARCH_REPEATS = 10
MEMORY_MB = 50.0


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def missing(figure: str, unit: str, target: str, why: str) -> Row:
    return Row(figure, None, None, unit, target, ok=None, note=why)


# ====================================================================== import
def import_figure(ws: Workspace, size: Size) -> list[Row]:
    t_time, t_mem = f"≤ {IMPORT_RATIO}x", f"< {IMPORT_MB:.0f} MB"
    name = f"import {size.articles:,} articles"
    if not available("annotator.cli"):
        return [missing(f"{name}: time", "s", t_time, "annotator.cli not written yet"),
                missing(f"{name}: peak memory", "MB", t_mem, "annotator.cli not written yet")]
    jsonl = ws.jsonl()
    _read_through(jsonl)  # both sides start with the file in the page cache
    base_db, our_db = ws.root / "import-baseline.db", ws.root / "import-ours.db"
    remove_db(base_db)
    remove_db(our_db)
    bases, ourses = [], []
    for k in range(size.repeats):
        log(f"import baseline: sqlite_utils insert_all of {size.articles:,} rows ({k + 1}/{size.repeats})")
        bases.append(run_child(["import-baseline", str(base_db), str(jsonl)]))
        remove_db(base_db)
        remove_db(our_db)
        log(f"import ours: annotator import of {size.articles:,} articles ({k + 1}/{size.repeats})")
        try:
            ourses.append(run_child(["import-ours", str(our_db), str(jsonl)]))
        except RuntimeError as e:
            return [missing(f"{name}: time", "s", t_time, f"failed: {e}"),
                    missing(f"{name}: peak memory", "MB", t_mem, "failed")]
    base = _median_run(bases)
    ours = _median_run(ourses)
    r = ratio(ours["seconds"], base["seconds"])
    rows = [
        Row(f"{name}: time", ours["seconds"], base["seconds"], "s", t_time, ok=r <= IMPORT_RATIO, ratio=r,
            note=f"JSONL -> new project vs insert_all into a bare table; fresh process each, imports included; "
                 f"median of {size.repeats}",
            extra={"ours": ourses, "baseline": bases}),
        Row(f"{name}: peak memory", ours["peak_rss_mb"], base["peak_rss_mb"], "MB", t_mem,
            ok=ours["peak_rss_mb"] < IMPORT_MB, ratio=ratio(ours["peak_rss_mb"], base["peak_rss_mb"]),
            note="ru_maxrss of the importing process"),
    ]
    ws.adopt_import(our_db, size.articles)
    return rows


def _median_run(runs: list[dict]) -> dict:
    """The run with the median time (its peak memory travels with it; the max peak is kept too)."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    out = dict(ordered[len(ordered) // 2])
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return out


def _read_through(path: Path) -> None:
    with open(path, "rb") as f:
        while f.read(1 << 22):
            pass


# ================================================================= span import
def spans_figure(ws: Workspace, size: Size) -> list[Row]:
    """One article of many one-character spans (issue 9: quadratic, 200,000 never finished):
    imported as suggestions against the same spans as annotations, and at a tenth of the spans."""
    few, many = size.spans
    name, target = f"span import: {many:,} one-character spans as suggestions", f"≤ {SPANS_RATIO}x"
    seconds = {}
    for n in (few, many):
        jsonl = datagen.write_spans_jsonl(ws.root / f"spans-{n}.jsonl", n)
        for spans_as in ("suggestions", "annotations"):
            db = ws.root / f"spans-{spans_as}.db"
            remove_db(db)
            log(f"span import: one article of {n:,} spans as {spans_as}")
            try:
                seconds[n, spans_as] = run_child(["import-spans", str(db), str(jsonl), spans_as])["call_seconds"]
            except RuntimeError as e:
                return [missing(name, "s", target, f"failed: {e}")]
            finally:
                remove_db(db)
        jsonl.unlink()
    ours, base = seconds[many, "suggestions"], seconds[many, "annotations"]
    growth = ours / seconds[few, "suggestions"]
    base_growth = base / seconds[few, "annotations"]
    r = ratio(ours, base)
    return [
        Row(name, ours, base, "s", target, ok=r <= SPANS_RATIO, ratio=r,
            note="one article, annotator import --spans-as suggestions vs the same spans as annotations; "
                 "fresh process each, the import call timed",
            extra={"seconds": {f"{n} {how}": t for (n, how), t in seconds.items()}}),
        Row(f"span import: time at {many:,} / at {few:,} spans, as suggestions", growth, base_growth, "x",
            f"≤ {SPANS_GROWTH:.0f}x", ok=growth <= SPANS_GROWTH, ratio=ratio(growth, base_growth),
            note="10x the spans: linear work takes 10x (baseline: the same growth as annotations)"),
    ]


# ===================================================================== suggest
@contextmanager
def _project_of(path: Path, texts: list[str]) -> Iterator:
    """A new project at ``path`` holding ``texts`` as pending articles, removed afterwards."""
    from annotator.store import AnnotationStore

    remove_db(path)
    store = AnnotationStore.open(path, create=True, annotator="bench")
    try:
        with store.transaction():
            store.add_articles([{"text": t, "title": None, "meta": {}} for t in texts])
        yield store
    finally:
        store.close()
        remove_db(path)


def suggest_figure(ws: Workspace, size: Size) -> list[Row]:
    target = f"≥ {SUGGEST_RATIO}x"
    n = size.suggest_articles
    name = f"suggest {n:,} articles"
    if not available(MODEL_NAME) or not available("annotator.suggest"):
        return [missing(f"{name}: rate", "art/s", target, "model or annotator.suggest missing")]
    import spacy

    from annotator.suggest import load_pipeline, suggest_project

    texts = [a.text for a in datagen.iter_articles(n, ws.seed)]
    warm = [a.text for a in (datagen.article(10**7 + k, ws.seed) for k in range(16))]

    # Baseline: nlp.pipe with only what NER needs (ner + any tok2vec it listens to), results discarded.
    nlp = spacy.load(MODEL_NAME)
    needed = [c for c in nlp.pipe_names if c == "ner" or "ner" in (getattr(nlp.get_pipe(c), "listener_map", None) or {})]
    nlp.select_pipes(enable=needed)
    for _ in nlp.pipe(warm, batch_size=64):
        pass
    log(f"suggest baseline: nlp.pipe over {n:,} texts with {needed}")
    with Timer() as tb:
        for _ in nlp.pipe(texts, batch_size=64):
            pass
    base_rate = n / tb.seconds

    # Ours: suggest_project on a project holding the same texts (the CLI's code path).
    with _project_of(ws.root / f"suggest-{n}.db", texts) as store:
        pipeline = load_pipeline(MODEL_NAME)
        for _ in pipeline.nlp.pipe(warm, batch_size=64):
            pass
        log(f"suggest ours: suggest_project over {n:,} articles")
        with Timer() as to:
            done = suggest_project(store, pipeline, processes=1)  # one process, as the baseline (suggest_cores: every core)
        assert done == n, f"suggest_project did {done} of {n}"
        saved = sum(1 for _ in store.conn.execute("SELECT 1 FROM suggestions"))
    our_rate = n / to.seconds

    # The naive loop: nlp(text) one by one with the full pipeline.
    m = min(size.naive_articles, n)
    full = spacy.load(MODEL_NAME)
    for t in warm[:4]:
        full(t)
    log(f"suggest naive: nlp(text) loop, full pipeline, {m} texts")
    with Timer() as tn:
        for t in texts[:m]:
            full(t)
    naive_rate = m / tn.seconds
    r = ratio(our_rate, base_rate)
    return [
        Row(f"{name}: rate", our_rate, base_rate, "art/s", target, ok=r >= SUGGEST_RATIO, ratio=r,
            note=f"suggest_project (stores {saved:,} suggestions) vs nlp.pipe({'+'.join(needed)}), results discarded"),
        Row(f"suggest: naive nlp(text) loop, full pipeline ({m} articles)", naive_rate, base_rate, "art/s",
            "well behind", ok=naive_rate < our_rate, ratio=ratio(naive_rate, base_rate),
            note="for reference: what not batching and not disabling components costs"),
    ]


def cores_figure(ws: Workspace, size: Size) -> list[Row]:
    """``suggest_project`` (what ``annotator suggest`` runs) on 1 process and on every core,
    each against bare ``nlp.pipe`` with the same ``n_process``, runs interleaved. Enough
    articles that every process is used (``MIN_ARTICLES_PER_PROCESS`` each, twice over)."""
    target = f"≥ {SUGGEST_RATIO}x"
    if not available(MODEL_NAME) or not available("annotator.suggest_workers"):
        return [missing("suggest on every core", "art/s", target, "model or annotator.suggest_workers missing")]
    import resource

    import spacy

    from annotator.suggest import load_pipeline, suggest_project
    from annotator.suggest_workers import MIN_ARTICLES_PER_PROCESS, default_processes

    cores = default_processes()
    n = max(size.suggest_articles, 2 * MIN_ARTICLES_PER_PROCESS * cores)
    texts = [a.text for a in datagen.iter_articles(n, ws.seed)]
    nlp = spacy.load(MODEL_NAME)
    nlp.select_pipes(enable=["ner"])
    pipeline = load_pipeline(MODEL_NAME)
    for _ in pipeline.nlp.pipe(texts[:16], batch_size=64):
        pass
    rates: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], float] = {}  # CPU seconds per article, workers included: the work, whatever the load
    child_mb: dict[int, float] = {}

    def cpu_seconds() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    for processes in dict.fromkeys((1, cores)):
        log(f"suggest on {processes} process(es): bare nlp.pipe(n_process={processes}) over {n:,} texts")
        started = cpu_seconds()
        with Timer() as tb:
            for _ in nlp.pipe(texts, batch_size=64, n_process=processes):
                pass
        rates["bare", processes] = n / tb.seconds
        cpu["bare", processes] = (cpu_seconds() - started) / n
        with _project_of(ws.root / f"suggest-cores-{processes}.db", texts) as store:
            log(f"suggest on {processes} process(es): suggest_project(processes={processes})")
            started = cpu_seconds()
            with Timer() as to:
                done = suggest_project(store, pipeline, processes=processes)
            assert done == n, f"suggest_project did {done} of {n}"
            cpu["ours", processes] = (cpu_seconds() - started) / n
        rates["ours", processes] = n / to.seconds
        child_mb[processes] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KB on Linux
    rows = []
    for processes in dict.fromkeys((1, cores)):
        r = ratio(rates["ours", processes], rates["bare", processes])
        rows.append(Row(f"suggest {n:,} articles on {processes} process{'es' if processes > 1 else ''}",
                        rates["ours", processes], rates["bare", processes], "art/s", target, ok=r >= SUGGEST_RATIO,
                        ratio=r, note=f"suggest_project(processes={processes}) vs nlp.pipe(n_process={processes}); "
                        f"CPU per article {cpu['ours', processes] * 1000:.0f} ms vs {cpu['bare', processes] * 1000:.0f} ms; "
                        f"largest child process so far {child_mb[processes]:.0f} MB",
                        extra={"cpu_ms_per_article": {"ours": cpu["ours", processes] * 1000,
                                                      "baseline": cpu["bare", processes] * 1000}}))
    if cores > 1:
        ours, bare = rates["ours", cores] / rates["ours", 1], rates["bare", cores] / rates["bare", 1]
        rows.append(Row(f"suggest: speed-up on {cores} processes", ours, bare, "x", "reported", ok=None,
                        ratio=ratio(ours, bare), note="articles/s on every core over articles/s on one"))
    return rows


# ====================================================================== export
DOCCANO_SECONDS, DOCCANO_ARTICLES = 11.7, 50_000  # doccano's export of 50,000 ~2,000-character articles (issue 11)
DOCCANO_SHARE = 1 / 3  # --no-tokens: at most a third of doccano's time


def export_figure(ws: Workspace, size: Size) -> list[Row]:
    """Export with stored tokens (against json.dumps of the same tasks) and ``--no-tokens`` (against
    json.dumps of the same tokenless tasks, and a third of doccano's time scaled to this size)."""
    if not available("annotator.cli"):
        return [missing(f"export {size.articles:,} accepted articles", "s", f"≤ {EXPORT_RATIO}x", "annotator.cli not written yet")]
    db = ws.accepted_project()
    _read_through(db)
    doccano = DOCCANO_SECONDS * size.articles / DOCCANO_ARTICLES
    return [
        *_export_rows(ws, size, db, []),
        *_export_rows(ws, size, db, ["--no-tokens"], budget=doccano * DOCCANO_SHARE),
    ]


def _export_rows(ws: Workspace, size: Size, db: Path, flags: list[str], budget: float | None = None) -> list[Row]:
    tokenless = "--no-tokens" in flags
    name = f"export {size.articles:,} accepted articles" + (" --no-tokens" if tokenless else "")
    target = f"≤ {EXPORT_RATIO}x"
    out_base, out_ours = ws.root / "export-baseline.jsonl", ws.root / "export-ours.jsonl"
    bases, ourses = [], []
    for k in range(max(1, size.repeats - 1)):
        log(f"export baseline: sqlite3 + json.dumps {' '.join(flags)} ({k + 1})")
        bases.append(run_child(["export-baseline", str(db), str(out_base), *flags]))
        log(f"export ours: annotator export {' '.join(flags)} ({k + 1})")
        try:
            ourses.append(run_child(["export-ours", str(db), str(out_ours), *flags]))
        except RuntimeError as e:
            return [missing(name, "s", target, f"failed: {e}")]
    base, ours = _median_run(bases), _median_run(ourses)
    note = f"{ours['lines']:,} lines ({out_ours.stat().st_size / 1e6:.0f} MB) vs json.dumps of the same tasks ({base['lines']:,} lines, {out_base.stat().st_size / 1e6:.0f} MB)"
    if ours["lines"] != size.articles:
        note += f"; WARNING: expected {size.articles:,} lines"
    r = ratio(ours["seconds"], base["seconds"])
    extra = {"ours": ours, "baseline": base, "runs": {"ours": ourses, "baseline": bases},
             "same_records": _same_records(out_ours, out_base, keys=("text", "spans") if tokenless else ("text", "spans", "tokens"))}
    rows = [Row(name, ours["seconds"], base["seconds"], "s", target, ok=r <= EXPORT_RATIO, ratio=r, note=note, extra=extra)]
    if budget is not None:
        doccano = budget / DOCCANO_SHARE
        rows.append(Row(
            f"{name} vs doccano", ours["seconds"], doccano, "s", f"≤ {DOCCANO_SHARE:.2f}x (≤ {budget:.2f} s)",
            ok=ours["seconds"] <= budget, ratio=ratio(ours["seconds"], doccano),
            note=f"baseline: doccano's {DOCCANO_SECONDS} s for {DOCCANO_ARTICLES:,} articles (measured once, issue 11), "
                 f"scaled to {size.articles:,}: a fixed reference, not run here; json.dumps of the same records took "
                 f"{base['seconds']:.2f} s in this run (ours {r:.2f}x of it: on a loaded machine, the ratio to read)",
        ))
    out_base.unlink(missing_ok=True)
    out_ours.unlink(missing_ok=True)
    return rows


FORMATS = ("doccano", "labelstudio", "brat")  # the formats that hold no tokens, besides --no-tokens


def formats_figure(ws: Workspace, size: Size) -> list[Row]:
    """Export in each format without tokens, against a third of doccano's time (scaled to this size):
    the issue's target for every format that has no tokens. brat's folders are all removed at the
    end, not between runs: ext4 checks the inodes deleted in the last few minutes on every file it
    creates, which made a brat export right after a deleted one several times slower."""
    if not available("annotator.cli"):
        return [missing(f"export {size.articles:,} articles --format {form}", "s", "≤ 1/3 of doccano", "annotator.cli not written yet")
                for form in FORMATS]
    db = ws.accepted_project()
    _read_through(db)
    doccano = DOCCANO_SECONDS * size.articles / DOCCANO_ARTICLES
    budget = doccano * DOCCANO_SHARE
    rows, outs = [], []
    try:
        for form in FORMATS:
            runs = []
            for k in range(size.repeats):
                outs.append(ws.root / f"export-{form}-{k}")
                log(f"export ours: annotator export --format {form} ({k + 1})")
                try:
                    runs.append(run_child(["export-ours", str(db), str(outs[-1]), "--format", form]))
                except RuntimeError as e:
                    runs = []
                    rows.append(missing(f"export {size.articles:,} articles --format {form}", "s", "≤ 1/3 of doccano", f"failed: {e}"))
                    break
            if not runs:
                continue
            ours = _median_run(runs)
            rows.append(Row(
                f"export {size.articles:,} articles --format {form} vs doccano", ours["seconds"], doccano, "s",
                f"≤ {DOCCANO_SHARE:.2f}x (≤ {budget:.2f} s)", ok=ours["seconds"] <= budget, ratio=ratio(ours["seconds"], doccano),
                note=f"{ours['lines']:,} {'files' if form == 'brat' else 'lines'}; runs "
                     + " / ".join(f"{r['seconds']:.2f}" for r in runs) + f" s; baseline: doccano's {DOCCANO_SECONDS} s for "
                     f"{DOCCANO_ARTICLES:,} articles (issue 11), scaled to {size.articles:,}",
                extra={"runs": runs},
            ))
    finally:
        for out in outs:
            if out.is_dir():
                shutil.rmtree(out, ignore_errors=True)
            else:
                out.unlink(missing_ok=True)
    return rows


def _same_records(a: Path, b: Path, n: int = 50, keys: tuple[str, ...] = ("text", "spans", "tokens")) -> str:
    """Compare the first ``n`` records' ``keys``: is the baseline doing the same job?"""
    import json

    fields = ("start", "end", "label", "token_start", "token_end")
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        for k, (la, lb) in enumerate(zip(fa, fb)):
            if k >= n:
                break
            ra, rb = json.loads(la), json.loads(lb)
            for key in keys:
                va, vb = ra.get(key), rb.get(key)
                if key == "spans":
                    va, vb = ([{f: s.get(f) for f in fields} for s in v or []] for v in (va, vb))
                if va != vb:
                    return f"differs at record {k}, field {key}"
    return "yes"


# ============================================================= review queries
REVIEW_STEPS = 20


def look_ahead(store, source: int, current: int, ahead: int = 5) -> None:
    """What ui/lookahead.py's worker reads when the reviewer reaches ``current`` (its own code if it is there)."""
    try:
        from types import SimpleNamespace

        from annotator_ui.lookahead import SuggestionWorker

        wanted = SuggestionWorker._wanted  # noqa: SLF001 - measuring exactly what it runs
    except (ImportError, AttributeError):
        wanted = None
    if wanted is not None:
        wanted(SimpleNamespace(_target=current, _ahead=ahead), store, source, set())
        return
    if len(store.unsuggested(source, after_id=current - 1, limit=ahead)) < ahead:
        store.unsuggested(source, after_id=0, limit=ahead)


def review_script(store, steps: int = REVIEW_STEPS) -> list[float]:
    """What the review loop asks of the store, per article; returns seconds per article.

    Starts near the end of the queue (where position() and neighbour queries
    would be most expensive if they counted from the start), accepts, moves
    on, then undoes everything it did.
    """
    from annotator.model import Status

    from .project import model_version

    store.start_session()
    store.counts()
    store.labels()
    # The look-ahead worker's source: the default model, as the GUI registers it.
    source = store.source_id("model", MODEL_NAME, model_version())
    last = store.neighbour(None, forward=False)
    current = store.neighbour(max(0, last - steps - 5)) if last else None
    times = []
    decided = 0
    previous = None
    for _ in range(steps):
        if current is None:
            break
        t = time.perf_counter()
        article = store.article(current)
        store.entities(current)
        store.tokens(current)  # the GUI reads these only when a selection needs them; kept as the worst case
        if previous is None or not hasattr(store, "count_between"):
            store.position(current)  # the queue panel counts afresh once ...
        else:
            store.count_between(previous, current)  # ... then moves its position by the articles in between
        store.counts()
        store.queue(Status.PENDING, after_id=max(0, current - 50), limit=100)
        store.queue(None, after_id=current - 1, limit=1)  # the decided row, updated in place in the list
        store.undo_status()
        # On every article change the look-ahead worker asks which of the next ones need the model.
        look_ahead(store, source, current)
        if article is not None:
            store.accept(current)
            decided += 1
        store.counts()
        store.undo_status()
        previous, current = current, store.next_to_review(current)
        times.append(time.perf_counter() - t)
    # The reviewer may be anywhere: the first, a middle and the last article too.
    first = store.neighbour(None)
    for somewhere in {first, (first + last) // 2, last} if first and last else ():
        store.position(somewhere)
        store.position(somewhere, Status.PENDING)
        look_ahead(store, source, somewhere)
    for status in (None, Status.ACCEPTED, Status.PENDING):
        store.neighbour(current, status, forward=False)
        store.neighbour(current, status)
        store.queue(status, limit=100)
    store.search("Zürich", limit=20)
    for _ in range(decided):
        store.undo()
    store.redo()
    store.undo()
    store.end_session()
    return times


def least_sure_copy(path: Path, into: Path) -> Path:
    """A copy of a project whose pending articles all have a (seeded, random) certainty, in the
    least-sure-first order: the review loop's queries in that order, on a project of the same size."""
    import random

    from annotator.model import ReviewOrder, Status
    from annotator.store import AnnotationStore

    store = AnnotationStore.open(path, annotator="bench")
    try:
        copy = store.save_copy(into / f"least-sure-{path.name}")
    finally:
        store.close()
    store = AnnotationStore.open(copy, annotator="bench")
    try:
        draw, source, after = random.Random(7), store.source_id("model", "bench-scores", "1"), 0
        while page := store.queue(Status.PENDING, after_id=after, limit=5000):
            store.save_suggestions(source, [(i, [], None, draw.random()) for i, _, _ in page], add=True)
            after = page[-1][0]
        store.set_review_order(ReviewOrder.LEAST_SURE)
    finally:
        store.close()
    return copy


def review_offenders(small: Path, big: Path, *, floor: int = 20_000) -> dict:
    """Run the review script on a small and a big project; what in it reads the whole project?

    Returns {"scans": {stmt: plan}, "growing": {stmt: (small steps, big steps, plan)},
    "times": {"small": [...], "big": [...]}}. A statement may grow with the
    project only when it reads nothing but an index (COVERING INDEX, e.g. the
    queue position's count); one that walks table rows (article texts) may not.
    """
    from annotator.store import AnnotationStore

    from .sqlwatch import SqlWatch, growing

    watches, times = {}, {}
    for label, path in (("small", small), ("big", big)):
        with SqlWatch() as watch:
            store = AnnotationStore.open(path, annotator="bench-review")
            try:
                times[label] = review_script(store)
            finally:
                store.close()
        watches[label] = watch
    plans = watches["big"].plans(str(big))
    # search() goes through the full-text index: held to the same rule as the review loop.
    scans = watches["big"].full_scans(str(big))
    grow = {}
    for k, (a, b) in growing(watches["small"].cost(), watches["big"].cost(), floor=floor).items():
        plan = plans.get(k) or []
        if all("COVERING INDEX" in line for line in plan if line.startswith(("SEARCH", "SCAN"))) and plan:
            continue
        grow[k] = (a, b, plan)
    return {"scans": scans, "growing": grow, "times": times}


def queries_figure(ws: Workspace, size: Size) -> list[Row]:
    """No review-loop query reads the whole project: plans, and cost on small vs big."""
    got = review_offenders(ws.project(size.small_articles), ws.project())
    # the same loop in the least-sure-first order, on copies with every pending article scored
    sure = review_offenders(*(least_sure_copy(ws.project(n), ws.root) for n in (size.small_articles, size.articles)))
    for copy in ws.root.glob("least-sure-*"):
        copy.unlink()
    scans, grow = {**got["scans"], **sure["scans"]}, {**got["growing"], **sure["growing"]}
    offenders = sorted(set(scans) | set(grow))
    per_small, per_big = median(got["times"]["small"]) * 1000, median(got["times"]["big"]) * 1000
    sure_small, sure_big = median(sure["times"]["small"]) * 1000, median(sure["times"]["big"]) * 1000
    return [
        Row("review loop: statements reading the whole project", len(offenders), 0, "stmts", "0",
            ok=not offenders, note="; ".join(_brief(k, scans.get(k), grow.get(k)) for k in offenders)[:2000],
            extra={"scans": scans, "growing": {k: list(v) for k, v in grow.items()}}),
        Row(f"review loop: store time per article, {size.articles:,} vs {size.small_articles} articles",
            per_big, per_small, "ms", "informational", ok=None, ratio=ratio(per_big, per_small),
            note="article+entities+tokens+position+counts+queue page+accept+next, median over "
                 f"{len(got['times']['big'])} articles"),
        Row(f"review loop, least sure first: store time per article, {size.articles:,} vs {size.small_articles} articles",
            sure_big, sure_small, "ms", "informational", ok=None, ratio=ratio(sure_big, sure_small),
            note=f"the same in the least-sure-first order, every pending article scored; import order: {per_big:.2f} ms"),
    ]


def _brief(key: str, plan, grow) -> str:
    out = key[:140]
    if plan:
        out += f" [plan: {' / '.join(plan)}]"
    if grow:
        out += f" [VM steps {grow[0]:,} -> {grow[1]:,}; plan: {' / '.join(grow[2])}]"
    return out


# ====================================================================== search
def search_figure(ws: Workspace, size: Size) -> list[Row]:
    """Ctrl+F on the big project: each typical query through store.search (the full-text
    index), against the previous release's search, a LIKE over every title and text."""
    import sqlite3

    from annotator.store import AnnotationStore

    target = f"< {SEARCH_MS:.0f} ms"
    names = (f"search: median query, {size.articles:,} articles", f"search: p95 query, {size.articles:,} articles")
    big = ws.project()
    store = AnnotationStore.open(big, readonly=True)  # as the dialog's thread opens it
    like = sqlite3.connect(f"file:{big}?mode=ro", uri=True)
    ours, base, hits = [], [], {}
    try:
        for query in SEARCH_QUERIES:
            pattern = f"%{query}%"
            for _ in range(SEARCH_REPEATS):
                with Timer() as t:
                    hits[query] = len(store.search(query))
                ours.append(t.seconds * 1000)
                with Timer() as t:
                    like.execute(
                        "SELECT id, coalesce(title, substr(text, 1, 80)), status FROM articles "
                        "WHERE text LIKE ? OR title LIKE ? ORDER BY id LIMIT 50", (pattern, pattern),
                    ).fetchall()
                base.append(t.seconds * 1000)
    finally:
        store.close()
        like.close()
    note = (f"{len(SEARCH_QUERIES)} queries x {SEARCH_REPEATS}, results (up to 50, as the dialog asks) with context and marks; "
            "baseline: the previous release's LIKE scan; hits: " + ", ".join(f"{q!r} {n}" for q, n in hits.items()))
    return [
        Row(names[0], median(ours), median(base), "ms", target, ok=median(ours) < SEARCH_MS,
            ratio=ratio(median(ours), median(base)), note=note, extra={"ours_ms": ours, "baseline_ms": base, "hits": hits}),
        Row(names[1], pct(ours, 95), pct(base, 95), "ms", target, ok=pct(ours, 95) < SEARCH_MS,
            ratio=ratio(pct(ours, 95), pct(base, 95))),
    ]


# ======================================================================== open
def open_figure(ws: Workspace, size: Size) -> list[Row]:
    name = f"open: start to first article, {size.articles:,} vs {size.small_articles} articles"
    t_ratio = f"≤ {OPEN_RATIO}x, < {OPEN_SECONDS:.0f} s"
    if not available("annotator_ui.app") or not available("annotator_ui.main_window"):
        return [missing(name, "s", t_ratio, "annotator_ui.app / annotator_ui.main_window not written yet")]
    big, small = ws.project(), ws.project(size.small_articles)
    runs = {"big": [], "small": []}
    phases = {"big": [], "small": []}
    run_child(["open", str(small)], stamp=True)  # warm the caches (Python bytecode, Qt plugins, fonts)
    for k in range(size.open_runs):
        for label, path in (("small", small), ("big", big)) if k % 2 else (("big", big), ("small", small)):
            got = run_child(["open", str(path)], stamp=True)
            runs[label].append(got["seconds"])
            phases[label].append(got["phases"])
    ours, base = median(runs["big"]), median(runs["small"])
    r = ratio(ours, base)
    mid = phases["big"][len(phases["big"]) // 2]
    rows = [Row(name, ours, base, "s", t_ratio, ok=r <= OPEN_RATIO and ours < OPEN_SECONDS, ratio=r,
                note=f"median of {size.open_runs} runs each (annotator_ui.app.run, offscreen, no model); one big run: "
                     + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in mid.items()),
                extra={"runs": runs, "phases": phases})]
    # The reviewer comes back to where they left off, near the end of the big project.
    deep = size.articles - 10
    deep_runs = [run_child(["open", str(big), str(deep)], stamp=True)["seconds"] for _ in range(max(3, size.open_runs // 2))]
    d = median(deep_runs)
    rows.append(Row(f"open: at remembered article {deep:,} of {size.articles:,}", d, base, "s", t_ratio,
                    ok=ratio(d, base) <= OPEN_RATIO and d < OPEN_SECONDS, ratio=ratio(d, base),
                    note=f"median of {len(deep_runs)} runs; baseline: the {size.small_articles}-article project",
                    extra={"runs": deep_runs}))
    return rows


# =============================================================== next article
def next_figure(ws: Workspace, size: Size) -> list[Row]:
    """Press A -> next article painted, ours against a bare QPlainTextEdit, in two rhythms.

    The target rows leave ``READING_MS`` between a paint and the next press, with
    the event loop running, as a reviewer who reads each article at all would:
    the window prepares the next article in that time. The back-to-back rows
    press again the moment a paint lands (throughput, not latency): everything
    the window defers until after a paint then falls into the next press.
    """
    n = size.articles
    cases = [
        ("a", f"(a) {3_000:,} chars, 60 entities", NEXT_A_MS, lambda: (ws.long_project(3_000, 60, size.presses + 1), 0)),
        ("b", f"(b) {100_000:,} chars, 2,500 entities", NEXT_B_MS, lambda: (ws.long_project(100_000, 2_500, size.presses + 1), 0)),
        # Not in the table, same target as (a): ordinary articles deep in the big project,
        # where anything that counts or walks the project from its start shows up.
        ("c", f"(c) in the {n:,}-article project, from article {n - size.presses - 5:,}", NEXT_A_MS,
         lambda: (ws.project(), n - size.presses - 5)),
    ]
    rows = []
    for case, label, limit, make in cases:
        target = f"≤ {NEXT_RATIO}x, < {limit:.0f} ms"
        if not available("annotator_ui.main_window"):
            rows.append(missing(f"next article {label}: p95", "ms", target, "annotator_ui.main_window not written yet"))
            continue
        project, start = make()
        for pause, rhythm in ((READING_MS, f"{READING_MS} ms reading"), (0, "back to back")):
            name = f"next article {label}, {rhythm}: p95"
            log(f"next ({case}, {rhythm}): {size.presses} presses, ours")
            try:
                ours = run_child(["next", str(project), str(size.presses), str(ws.root), str(start), str(pause)])
            except RuntimeError as e:
                rows.append(missing(name, "ms", target, f"failed: {e}"))
                continue
            log(f"next ({case}, {rhythm}): {size.presses} presses, bare QPlainTextEdit")
            w, h = ours["viewport"]
            base = run_child(["next-baseline", str(project), str(size.presses), str(w), str(h), str(start), str(pause)])
            r = ratio(ours["p95_ms"], base["p95_ms"])
            judged = pause > 0  # the figure; back to back is reported, not judged
            rows.append(Row(name, ours["p95_ms"], base["p95_ms"], "ms", target if judged else "-",
                            ok=(r <= NEXT_RATIO and ours["p95_ms"] < limit) if judged else None, ratio=r,
                            note=f"p50 {ours['p50_ms']:.1f} ms vs {base['p50_ms']:.1f} ms; max {ours['max_ms']:.0f} ms; "
                                 f"{size.presses} presses, viewport {w}x{h}",
                            extra={"ours": ours, "baseline": base}))
    return rows


# ====================================================================== memory
def memory_figure(ws: Workspace, size: Size) -> list[Row]:
    name = f"memory: RSS, model loaded, {size.articles:,} vs {size.small_articles} articles"
    target = f"≤ +{MEMORY_MB:.0f} MB"
    if not available("annotator_ui.app") or not available(MODEL_NAME):
        return [missing(name, "MB", target, "annotator_ui.app or the model not available")]
    big, small = ws.project(), ws.project(size.small_articles)
    got = {"big": [], "small": []}
    for label, path in (("small", small), ("big", big)) * 2:
        got[label].append(run_child(["memory", str(path)]))
    ours = median([g["rss_mb"] for g in got["big"]])
    base = median([g["rss_mb"] for g in got["small"]])
    states = {g.get("model_state") for g in got["big"] + got["small"]}
    return [Row(name, ours, base, "MB", target, ok=ours - base <= MEMORY_MB, ratio=ratio(ours, base),
                note=f"difference {ours - base:+.1f} MB; model state {', '.join(map(str, states))}; median of 2 runs each",
                extra={"runs": got})]


def workdir_default() -> Path:
    return Path(tempfile.gettempdir()) / "annotator-bench"


