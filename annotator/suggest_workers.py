"""Suggesting on every core: worker processes that each load the pipeline and run
``suggest_texts`` on chunks of articles, while the calling process keeps the only
connection that writes (``suggest_project`` saves each chunk as it comes back, in order).

Processes, not threads: spaCy holds the GIL for most of its work. A process with one
thread (the command line) forks its workers: they start at once with the pipeline already
loaded, its memory shared until written. A process with more threads (the window runs File →
Suggest all… on a thread, beside Qt's) must not fork (a child would inherit locks other
threads hold), so it spawns fresh interpreters that each load the model from where the
caller loaded it (spaCy's import and en_core_web_sm: about 2 s each, and their own memory:
see benchmarks/README.md). Either way a few articles are suggested in the calling process
instead (``MIN_ARTICLES_PER_PROCESS``). Workers never open the project: they get texts and
give back spans, tokens and scores.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:
    from .suggest import Pipeline

# Articles each extra process must have before it pays for its start (loading spaCy and the
# model, about 2 s: 50-70 articles of ~2,000 characters on one core of the development machine).
MIN_ARTICLES_PER_PROCESS = 200
# Peak memory of a process suggesting 64-article batches of ~2,000 characters with en_core_web_sm:
# 580-610 MB measured (the model, spaCy, and the batch's arrays)
PROCESS_MB = 650
IN_FLIGHT_PER_PROCESS = 2  # chunks queued per worker: it never waits for work, memory stays bounded

_worker: dict = {}  # in a worker process: its pipeline and what every chunk needs


def default_processes() -> int:
    """Every core, as far as the free memory holds a process each (``--processes`` overrides it)."""
    cores = os.cpu_count() or 1
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not on Linux: cores only
        return cores
    return max(1, min(cores, free // (PROCESS_MB << 20)))


def _start_method() -> str:
    """"fork" from the main thread of a process with no other (the command line), else "spawn"."""
    alone = threading.current_thread() is threading.main_thread() and threading.active_count() == 1
    return "fork" if alone and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def processes_for(total: int, wanted: int, pipeline: Pipeline) -> int:
    """How many processes suggesting ``total`` articles is worth (1: in this process)."""
    worth = max(1, min(wanted, total // MIN_ARTICLES_PER_PROCESS))
    if worth > 1 and pipeline.origin is None and _start_method() != "fork":  # made in memory: a spawned worker could not load it
        return 1
    return worth


def suggest_in_processes(
    pipeline: Pipeline,
    items: Iterable[tuple[int, str]],
    project_labels: set[str],
    label_map: Mapping[str, str | None],
    batch_size: int,
    processes: int,
    *,
    scored: bool = False,
) -> Iterator[tuple]:
    """``suggest_texts`` over ``items`` on ``processes`` worker processes, in input order.

    Chunks of ``batch_size`` articles go out as workers can take them (``items`` is read no
    further ahead than that); closing the iterator (a cancel, Ctrl+C, an error) stops the
    workers at once, and what was yielded before stays yielded.
    """
    method = _start_method()
    if method == "fork":
        _worker["pipeline"] = pipeline  # the forked workers' copy; this process drops its reference below
    try:
        pool = multiprocessing.get_context(method).Pool(
            processes, initializer=_start_worker,
            initargs=(pipeline.origin, set(project_labels), dict(label_map), batch_size, scored),
        )
    finally:
        _worker.clear()
    try:
        remaining = iter(items)
        chunks = iter(lambda: list(islice(remaining, batch_size)), [])
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_suggest_chunk, (chunk,)))
            if len(pending) >= processes * IN_FLIGHT_PER_PROCESS:
                yield from _checked(pipeline, pending.popleft().get())
        while pending:
            yield from _checked(pipeline, pending.popleft().get())
    finally:
        pool.terminate()
        pool.join()


def _checked(pipeline: Pipeline, answer: tuple[str, list]) -> list:
    content_id, results = answer
    if content_id != pipeline.content_id:
        raise ModelError(
            f"the pipeline {pipeline.origin!r} changed on disk while suggesting (now {content_id or 'unreadable'}); "
            "run the command again to suggest with the new one"
        )
    return results


# ------------------------------------------------------------ in a worker process
def _start_worker(origin: str, project_labels: set[str], label_map: dict, batch_size: int, scored: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the calling process's to handle: it stops us
    # with SIGTERM (pool.terminate), which must end us whatever handler a forked worker inherited: `annotator
    # train --progress-lines` makes SIGTERM its Cancel, and a worker keeping that ran on and held the caller
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker.update(origin=origin, labels=project_labels, label_map=label_map, batch_size=batch_size, scored=scored)


def _suggest_chunk(chunk: list[tuple[int, str]]) -> tuple[str, list]:
    from .suggest import load_pipeline, suggest_texts

    # Loaded by the first chunk, not by the pool's initializer: a pipeline that fails to load
    # must fail the chunk (the error reaches the caller), where a failing initializer only
    # makes the pool start another worker, forever.
    if "pipeline" not in _worker:
        _worker["pipeline"] = load_pipeline(_worker["origin"])
    pipeline = _worker["pipeline"]
    results = list(suggest_texts(pipeline, chunk, _worker["labels"], _worker["label_map"], _worker["batch_size"],
                                 scored=_worker["scored"]))
    return pipeline.content_id, results
