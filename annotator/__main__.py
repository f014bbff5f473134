"""``python -m annotator``: the headless command line (no GUI launcher registered)."""

from .cli import cli

if __name__ == "__main__":
    cli(prog_name="annotator")
