"""`annotator suggest` on several processes: the same suggestions as one, saved batch by batch
by the calling process only, with cancel, decisions made meanwhile and a failing worker."""

import multiprocessing

import pytest

from annotator import suggest_workers
from annotator.errors import Cancelled, ModelError
from annotator.labels import make_labels
from annotator.model import Status
from annotator.store import AnnotationStore
from annotator.suggest import load_pipeline, suggest_project

pytestmark = pytest.mark.model

TEXTS = [
    f"{who} met {whom} in {where} on {when}, {org} said."
    for who, whom, where, when, org in [
        ("Vladimir Putin", "Kim Jong Un", "Vladivostok", "Wednesday", "the Kremlin"),
        ("Angela Merkel", "Emmanuel Macron", "Berlin", "Monday", "Reuters"),
        ("Joe Biden", "Xi Jinping", "Bali", "November 14", "the White House"),
        ("Ada Lovelace", "Charles Babbage", "London", "1833", "the Royal Society"),
        ("Grace Hopper", "Howard Aiken", "Harvard", "1944", "the Navy"),
        ("Alan Turing", "Max Newman", "Manchester", "1948", "the university"),
    ]
]


@pytest.fixture(scope="module")
def model():
    return load_pipeline(None)


@pytest.fixture
def few_per_process(monkeypatch):
    """Worker processes for a handful of articles (the real threshold is hundreds)."""
    monkeypatch.setattr(suggest_workers, "MIN_ARTICLES_PER_PROCESS", 2)


def _project(path, model):
    store = AnnotationStore.open(path, create=True, annotator="tester")
    store.add_labels(make_labels(model.labels))
    store.add_articles([{"text": t} for t in TEXTS])
    return store


def _suggested(store):
    return {i: ([(e.start, e.end, e.label, round(e.score, 5)) for e in store.entities(i)], round(store.certainty(i), 5))
            for i in range(1, len(TEXTS) + 1)}


def test_two_processes_suggest_and_score_what_one_does(tmp_path, model, few_per_process):
    one, two = _project(tmp_path / "one.db", model), _project(tmp_path / "two.db", model)
    try:
        assert suggest_project(one, model, batch_size=2, processes=1) == len(TEXTS)
        assert suggest_workers.processes_for(len(TEXTS), 2, model) == 2
        assert suggest_project(two, model, batch_size=2, processes=2) == len(TEXTS)
        assert _suggested(two) == _suggested(one) and any(entities for entities, _ in _suggested(one).values())
        assert multiprocessing.active_children() == []  # the workers are gone
    finally:
        one.close()
        two.close()


def test_cancel_keeps_the_finished_batches_and_stops_the_workers(tmp_path, model, few_per_process):
    store = _project(tmp_path / "p.db", model)
    try:
        with pytest.raises(Cancelled):
            suggest_project(store, model, batch_size=2, processes=2, should_cancel=lambda: True)
        assert [i for i in range(1, len(TEXTS) + 1) if store.article(i).suggested_by] == [1, 2]
        assert multiprocessing.active_children() == []
        assert suggest_project(store, model, batch_size=2, processes=2) == len(TEXTS) - 2  # and it resumes
    finally:
        store.close()


def test_an_article_decided_while_the_workers_ran_keeps_its_decision(tmp_path, model, few_per_process):
    path = tmp_path / "p.db"
    store = _project(path, model)
    other = AnnotationStore.open(path, annotator="bob")

    def decide_the_last_one(progress):
        if progress.done == 2:  # the first batch is saved; the workers have the rest
            other.accept(len(TEXTS))

    try:
        done = suggest_project(store, model, batch_size=2, processes=2, on_progress=decide_the_last_one)
        assert done == len(TEXTS) - 1
        last = store.article(len(TEXTS))
        assert last.status is Status.ACCEPTED and last.suggested_by is None and store.entities(last.id) == []
    finally:
        other.close()
        store.close()


def test_a_worker_that_cannot_load_the_model_fails_the_run_with_its_reason(tmp_path, model, few_per_process, monkeypatch):
    """A spawned worker loads the model from where it was loaded: gone, it says so (no pool restarting workers forever)."""
    monkeypatch.setattr(suggest_workers, "_start_method", lambda: "spawn")
    store = _project(tmp_path / "p.db", model)
    moved = load_pipeline(None)
    moved.origin = str(tmp_path / "moved-away")
    try:
        with pytest.raises(ModelError, match="not a spaCy pipeline folder"):
            suggest_project(store, moved, batch_size=2, processes=2)
        assert store.counts()[Status.PENDING.value] == len(TEXTS) and not any(
            store.article(i).suggested_by for i in range(1, len(TEXTS) + 1))
        assert multiprocessing.active_children() == []
    finally:
        store.close()


def test_from_a_thread_the_workers_are_spawned_and_suggest_what_one_process_does(tmp_path, model, few_per_process):
    """The window's File → Suggest all… runs on a job thread: its workers are fresh processes
    that load the model from where it was loaded."""
    import threading

    one = _project(tmp_path / "one.db", model)
    try:
        suggest_project(one, model, batch_size=3, processes=1)
        expected = _suggested(one)
    finally:
        one.close()
    got, methods = {}, []

    def job():
        store = _project(tmp_path / "two.db", model)  # a connection belongs to the thread that opened it
        try:
            methods.append(suggest_workers._start_method())
            suggest_project(store, model, batch_size=3, processes=2)
            got.update(_suggested(store))
        finally:
            store.close()

    thread = threading.Thread(target=job)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert methods == ["spawn"] and got == expected
    assert multiprocessing.active_children() == []


@pytest.mark.timeout(90)
def test_workers_stop_even_when_the_caller_handles_sigterm(tmp_path, model, few_per_process, monkeypatch):
    """`annotator train --progress-lines` (the app's Train now…) makes SIGTERM its Cancel; forked workers
    inherited that handler, so stopping them with SIGTERM left them running and the caller waiting forever."""
    import signal
    import threading

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(suggest_workers, "_start_method", lambda: "fork")
    flag = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: flag.set())
    store = _project(tmp_path / "p.db", model)
    try:
        with pytest.raises(Cancelled):
            suggest_project(store, model, batch_size=2, processes=2, should_cancel=lambda: True)
        assert multiprocessing.active_children() == [] and not flag.is_set()
    finally:
        signal.signal(signal.SIGTERM, previous)
        store.close()
