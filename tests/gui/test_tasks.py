"""Background work: the writer thread, long jobs, the lock hook and the look-ahead worker."""

import sqlite3
import threading
from functools import partial

import pytest
from PySide6.QtCore import Qt

from annotator.errors import EditError
from annotator.labels import make_labels
from annotator.model import Changes, Status
from annotator.progress import Progress, check_cancel
from annotator.store import AnnotationStore
from annotator_ui.lookahead import READY, UNAVAILABLE, SuggestionWorker
from annotator_ui.main_window import LOCKED_MESSAGE
from annotator_ui.tasks import BackgroundJob, StoreOp, TaskRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(project, qtbot):
    r = TaskRunner(project, "tester")
    yield r
    r.close()


def test_ops_run_one_at_a_time_on_the_writer_thread(runner, qtbot):
    threads, results = [], []
    for n in range(3):
        StoreOp(runner, lambda s, n=n: (threads.append(threading.current_thread().name), n)[1]).success(results.append).run()
    qtbot.waitUntil(lambda: len(results) == 3)
    assert results == [0, 1, 2]  # in submission order, results on the GUI thread
    assert set(threads) == {"annotator-writer"}


def test_changes_reach_the_gui_with_their_initiator(runner, qtbot):
    with qtbot.waitSignal(runner.finished) as blocker:
        StoreOp(runner, lambda s: s.accept(1), initiator="me").run()
    changes, initiator = blocker.args
    assert isinstance(changes, Changes) and changes.article_ids == {1} and initiator == "me"


def test_failures_come_back_as_one_line(runner, qtbot):
    messages = []
    StoreOp(runner, lambda s: s.relabel_entity(1, "NOPE")).failure(messages.append).run()
    qtbot.waitUntil(lambda: bool(messages))
    assert "unknown label 'NOPE'" in messages[0]
    with qtbot.waitSignal(runner.failed) as blocker:  # no failure callback: the runner says it
        runner.submit(lambda s: (_ for _ in ()).throw(EditError("nope")))
    assert blocker.args == ["nope"]


def test_a_lock_held_by_another_program_is_reported_not_frozen(make_main_window, qtbot, settle):
    w = make_main_window()
    other = sqlite3.connect(w.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    qtbot.keyClick(w, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: w.status.currentMessage() == LOCKED_MESSAGE, timeout=5000)
    assert w.controller.state == "transition"  # the window still answers; the decision waits
    other.rollback()
    other.close()
    settle(w)
    assert w.controller.article.title == "Kremlin denies"


def _counting(store, on_progress, should_cancel, *, started):
    for n in range(1000):
        on_progress(Progress(n, 1000, "Counting"))
        started.set()
        check_cancel(should_cancel, "counting")
        threading.Event().wait(0.01)
    return "done"


def test_background_job_reports_progress_and_can_be_cancelled(project, qtbot):
    started = threading.Event()
    job = BackgroundJob(project, "tester", partial(_counting, started=started))
    reports = []
    job.progress.connect(lambda done, total, label: reports.append((done, total, label)))
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.start()
        started.wait(5)
        job.cancel()
    job.wait(5)
    assert not job.running  # its thread ended with the cancel
    assert reports and reports[0] == (0, 1000, "Counting")


def test_background_job_result_and_failure(project, qtbot):
    job = BackgroundJob(project, "tester", lambda s, p, c: s.article_count())
    with qtbot.waitSignal(job.succeeded) as blocker:
        job.start()
    assert blocker.args == [4]
    broken = BackgroundJob(project, "tester", lambda s, p, c: s.add_entity(1, 0, 999, "PERSON"))
    with qtbot.waitSignal(broken.failed) as blocker:
        broken.start()
    assert "out of range" in blocker.args[0]
    for finished in (job, broken):  # a job reports, then closes its project: wait for that too
        finished.wait(5)
        assert not finished.running


# ------------------------------------------------------------------ look-ahead
class FakePipeline:
    name, version = "fake-ner", "0"

    def source_id(self, store):
        return store.source_id("model", self.name, self.version)


def fake_suggest(pipeline, items, labels, label_map):
    """Marks the first word of every article as a PERSON, like a (bad) model would."""
    for article_id, text in items:
        first = text.split()[0]
        yield article_id, [(0, len(first), "PERSON", None)], None


@pytest.fixture
def unsuggested(tmp_path):
    path = tmp_path / "fresh.db"
    store = AnnotationStore.open(path, create=True)
    try:
        store.add_labels(make_labels(["PERSON", "ORG"]))
        store.add_articles([{"text": f"Word{i} and more words.", "title": f"Fresh {i}"} for i in range(12)])
    finally:
        store.close()
    return path


def test_lookahead_suggests_the_shown_article_and_the_next_ones(make_main_window, unsuggested, qtbot, press):
    factory = partial(SuggestionWorker, load=lambda name: FakePipeline(), suggest=fake_suggest, ahead=3)
    w = make_main_window(unsuggested, worker_factory=factory)
    assert w.controller.article.title == "Fresh 0"  # shown at once, before any suggestion
    qtbot.waitUntil(lambda: [e.label for e in w.view.entities()] == ["PERSON"], timeout=5000)
    qtbot.waitUntil(lambda: w.worker.state == READY and w.status.model.text() == "model: ready", timeout=5000)
    reader = AnnotationStore.open(unsuggested)
    try:
        qtbot.waitUntil(lambda: len([a for a in range(1, 13) if reader.article(a).suggested_by]) == 3, timeout=5000)
        press(w, Qt.Key.Key_A)  # the next article was suggested ahead: it shows with its entity at once
        assert [e.label for e in w.view.entities()] == ["PERSON"]
        qtbot.waitUntil(lambda: len([a for a in range(1, 13) if reader.article(a).suggested_by]) == 4, timeout=5000)
    finally:
        reader.close()


def test_lookahead_output_for_an_article_decided_meanwhile_is_dropped(make_main_window, unsuggested, qtbot, press, stored):
    """The model is still working on the shown article when the reviewer accepts it as shown
    (no entities): the suggestions that come back afterwards are not saved onto it."""
    working, release = threading.Event(), threading.Event()

    def slow_on_the_first(pipeline, items, labels, label_map):
        if items[0][0] == 1:  # the shown article, in a chunk of its own
            working.set()
            release.wait(10)
        yield from fake_suggest(pipeline, items, labels, label_map)

    factory = partial(SuggestionWorker, load=lambda name: FakePipeline(), suggest=slow_on_the_first, ahead=3)
    try:
        w = make_main_window(unsuggested, worker_factory=factory)
        qtbot.waitUntil(working.is_set, timeout=5000)
        press(w, Qt.Key.Key_A)
        assert stored(unsuggested, 1) == (Status.ACCEPTED, [])
    finally:
        release.set()
    reader = AnnotationStore.open(unsuggested)
    try:
        # the next articles' save is submitted after the shown one's: once it landed, so had that one
        qtbot.waitUntil(lambda: reader.article(2).suggested_by is not None, timeout=5000)
        assert stored(unsuggested, 1) == (Status.ACCEPTED, [])
        assert reader.article(1).suggested_by is None
        assert [e.label for e in reader.entities(2)] == ["PERSON"]
    finally:
        reader.close()


def test_a_model_that_fails_to_load_leaves_the_app_working(make_main_window, unsuggested, qtbot, press, stored):
    from annotator.errors import ModelError

    def broken(name):
        raise ModelError("model 'nope' is not installed; install it with pip or pass --model PATH")

    w = make_main_window(unsuggested, worker_factory=partial(SuggestionWorker, load=broken))
    qtbot.waitUntil(lambda: w.status.model.text() == "model: unavailable (details)", timeout=5000)
    assert "is not installed" in w.status.currentMessage()
    first = w.controller.article.id
    press(w, Qt.Key.Key_A)
    assert stored(w.path, first)[0].value == "accepted"
    assert UNAVAILABLE == w.worker.state


def test_changing_the_model_in_settings_restarts_the_worker(make_main_window, unsuggested, qtbot):
    from annotator_ui.dialogs.settings_dialog import SettingsValues

    asked = []

    def load(name):
        asked.append(name)
        return FakePipeline()

    w = make_main_window(unsuggested, worker_factory=partial(SuggestionWorker, load=load, suggest=fake_suggest))
    qtbot.waitUntil(lambda: asked == [None])
    old = w.worker
    w.apply_settings(SettingsValues("tester", "my_model", False, {}))
    qtbot.waitUntil(lambda: asked == [None, "my_model"])
    assert w.worker is not old and w.model == "my_model"
    qtbot.waitUntil(lambda: w.status.model.text() == "model: ready")


def test_the_writer_defers_checkpoints_to_a_pause(project, qtbot, monkeypatch):
    import annotator_ui.tasks as tasks

    monkeypatch.setattr(tasks, "CHECKPOINT_IDLE_MS", 50)
    checkpoints = []
    real = AnnotationStore.checkpoint
    monkeypatch.setattr(AnnotationStore, "checkpoint", staticmethod(lambda path: checkpoints.append(real(path))))
    r = TaskRunner(project, "tester")
    try:
        autocheckpoint = r.submit(lambda s: s.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]).result(5)
        assert autocheckpoint == 0  # no commit of a decision ever copies the log into the file
        StoreOp(r, lambda s: s.accept(1)).run()
        qtbot.waitUntil(lambda: bool(checkpoints), timeout=3000)
        assert checkpoints[0][1] > 0  # pages were copied, on the checkpoint thread, after the queue went idle
    finally:
        r.close()
