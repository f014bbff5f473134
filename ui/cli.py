"""The ``annotator`` command: the headless CLI plus ``open``, and the app when no command is given."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli import cli, project_argument


def _launch(project: Path | None, annotator: str | None = None, model: str | None = None) -> int:
    from .app import run  # Qt is imported only when a window is wanted

    return run(project, annotator=annotator, model=model)


@cli.command("open")
@project_argument
@click.option("--annotator", metavar="NAME", help="Who is annotating (default: ANNOTATOR_NAME, the settings, the system user).")
@click.option("--model", metavar="NAME", help="spaCy package or pipeline folder for suggestions (default: the project's).")
@click.pass_context
def open_command(ctx: click.Context, project: Path, annotator: str | None, model: str | None) -> None:
    """Open a project in the desktop app.

    \b
    Example:
        annotator open news.db --annotator alice
    """
    ctx.exit(_launch(project, annotator, model))


def main() -> None:
    cli(obj={"launch": _launch})
