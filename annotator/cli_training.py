"""The training commands: ``annotator train`` and ``annotator models list|use`` (registered on
``annotator.cli.cli``). ``--progress-lines`` (hidden) writes progress and the result as JSON lines
on stdout, for the app, which runs ``python -m annotator train`` as a background process and
cancels it with SIGTERM."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import click

from .cli import Interrupted, _open, cli, progress_bar, project_argument
from .progress import Progress
from .store import AnnotationStore
from .wording import plural


def emit(kind: str, **values) -> None:
    """One machine-readable line for the app (``--progress-lines``)."""
    click.echo(json.dumps({"kind": kind, **values}))


def _cancel_flag(progress_lines: bool) -> threading.Event:
    """Set when the work should stop at its next safe point. Run by the app (``--progress-lines``),
    SIGTERM is its Cancel; in a terminal, Ctrl+C is."""
    flag = threading.Event()
    if progress_lines:
        signal.signal(signal.SIGTERM, lambda *_: flag.set())
    return flag


def _reporter(lines: bool, draw: Callable, stage: str) -> Callable[[Progress], None]:
    def report(progress: Progress) -> None:
        if lines:
            emit("progress", done=progress.done, total=progress.total, label=progress.label)
        elif progress.label == stage:  # the bar shows the long stage; the others are seconds
            draw(progress)

    return report


progress_lines_option = click.option("--progress-lines", is_flag=True, hidden=True,
                                     help="Write progress and the result as JSON lines (for the app).")
resuggest_option = click.option("--no-resuggest", is_flag=True, help="Do not re-suggest pending articles "
                                "with the version now in use (see `annotator models use`).")


@cli.command()
@project_argument
@click.option("--epochs", type=click.IntRange(min=1),
              help="Passes over the accepted articles (default: as many as 2,000,000 characters of them "
              "make, at most 10).")
@click.option("--dev", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Score on this JSONL file (the import format: text and spans) instead of holding out "
              "every fifth accepted article; then every accepted article is trained on.")
@click.option("--every", type=click.IntRange(min=0), metavar="N",
              help="Set the project's option to retrain automatically in the app after every N newly "
              "accepted articles (0: off, the default); trains nothing now.")
@resuggest_option
@progress_lines_option
@click.pass_context
def train(ctx, project, epochs, dev, every, no_resuggest, progress_lines):
    """Fine-tune the project's suggestion model on its accepted articles.

    Every fifth accepted article (or --dev FILE) is held out and scored with
    the new version and the model in use. The new version is saved in the
    versions folder beside the project (news.db: news.models/vN) and used for
    suggestions only if its held-out F1 is at least the one in use's; then the
    pending articles the older versions suggested for are re-suggested with it.
    Ctrl+C stops and keeps nothing.

    \b
    Example:
        annotator train news.db --epochs 10
        annotator train news.db --dev dev.jsonl
        annotator train news.db --every 50
    """
    from .training import score_lines, train_project

    store = _open(ctx, project)
    if every is not None:
        store.set_setting("retrain_every", every or None)
        click.echo(f"{project}: " + (f"the app retrains after every {plural(every, 'newly accepted article')}"
                                     if every else "automatic retraining is off"))
        return
    cancel = _cancel_flag(progress_lines)
    with progress_bar("Training") as draw:
        try:
            result = train_project(store, epochs=epochs, dev=dev, on_progress=_reporter(progress_lines, draw, "Training"),
                                   should_cancel=cancel.is_set)
        except KeyboardInterrupt:
            raise Interrupted("training interrupted; no version was kept") from None
    if progress_lines:
        emit("result", summary=result.summary(project), **result.to_json())
    else:
        click.echo(f"{project}: {result.summary(project)}")
        for line in score_lines(result.scores, result.previous_scores, result.version.name, result.previous):
            click.echo(f"  {line}")
    if result.switched and not no_resuggest:
        _resuggest(store, project, progress_lines, cancel)


def _resuggest(store: AnnotationStore, project: Path, progress_lines: bool, cancel: threading.Event) -> None:
    """Re-suggest pending articles with the version now in use (see ``versions.resuggest``)."""
    from .suggest import load_pipeline
    from .versions import model_in_use, resuggest

    pipeline = load_pipeline(model_in_use(store))
    seen = {"done": 0}
    with progress_bar("Re-suggesting") as draw:
        report = _reporter(progress_lines, draw, "Suggesting entities")

        def track(progress: Progress) -> None:
            seen["done"] = progress.done
            report(progress)

        try:
            done = resuggest(store, pipeline, on_progress=track, should_cancel=cancel.is_set)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted after re-suggesting {plural(seen['done'], 'article')}; they are saved, "
                              "`annotator models use` with the same version continues") from None
    if progress_lines:
        emit("resuggested", articles=done)
    else:
        click.echo(f"{project}: re-suggested {plural(done, 'pending article')} with {pipeline.name} {pipeline.version}")


@cli.group(context_settings={"help_option_names": ["-h", "--help"]})
def models():
    """List the project's model versions, or choose the one that suggests.

    \b
    Example:
        annotator models list news.db
        annotator models use news.db v2
        annotator models use news.db base
    """


@models.command("list")
@project_argument
@click.pass_context
def list_command(ctx, project):
    """The trained versions: articles trained on, held-out F1 next to the model then in use's, and which suggests."""
    from .learning import Scores
    from .versions import describe_in_use, in_use

    store = _open(ctx, project, readonly=True)
    current = in_use(store)
    versions = store.model_versions()
    click.echo(f"{project}: model in use: {describe_in_use(store)}")
    if not versions:
        click.echo("  no trained versions yet: `annotator train PROJECT` makes one")
        return
    click.echo(f"  {'version':<8} {'created':<16} {'trained on':>10} {'held out':>8} {'F1':>5} {'before':>6}  in use")
    for v in versions:
        f1, before = Scores.from_json(v.scores).micro.f1, Scores.from_json(v.previous_scores).micro.f1
        mark = "*" if current is not None and current.id == v.id else ""
        click.echo(f"  {v.name:<8} {v.created_at[:16].replace('T', ' '):<16} {v.trained_on:>10} {v.held_out:>8} "
                   f"{f1:>5.2f} {before:>6.2f}  {mark}")


@models.command("use")
@project_argument
@click.argument("version", metavar="VERSION")
@resuggest_option
@progress_lines_option
@click.pass_context
def use_command(ctx, project, version, no_resuggest, progress_lines):
    """Suggest with VERSION (v1, v2... or base) from now on, and re-suggest the pending
    articles other versions suggested for (Ctrl+C keeps what is done; run it again to continue).

    \b
    Example:
        annotator models use news.db v2
    """
    from .versions import describe_in_use, find_version, use_version

    store = _open(ctx, project)
    use_version(store, find_version(store, version))
    if progress_lines:
        emit("using", model=describe_in_use(store))
    else:
        click.echo(f"{project}: now suggesting with {describe_in_use(store)}")
    if not no_resuggest:
        _resuggest(store, project, progress_lines, _cancel_flag(progress_lines))


def model_numbers(store: AnnotationStore) -> dict:
    """The model in use and, for a trained version, its held-out scores next to the previous
    version's on the same articles (``annotator stats``)."""
    from .versions import describe_in_use, in_use

    version = in_use(store)
    numbers = {"in_use": describe_in_use(store)}
    if version is not None:
        numbers.update(version=version.name, trained_on=version.trained_on, held_out=version.held_out,
                       previous=f"v{version.base}" if version.base else "base",
                       scores=version.scores, previous_scores=version.previous_scores)
    return numbers


def echo_model_numbers(numbers: dict) -> None:
    from .learning import Scores
    from .training import score_lines

    click.echo(f"  model in use: {numbers['in_use']}")
    if "scores" in numbers:
        click.echo(f"  trained on {plural(numbers['trained_on'], 'accepted article')}; scored on "
                   f"{plural(numbers['held_out'], 'held-out article')}, next to {numbers['previous']}:")
        for line in score_lines(Scores.from_json(numbers["scores"]), Scores.from_json(numbers["previous_scores"]),
                                numbers["version"], numbers["previous"]):
            click.echo(f"    {line}")
