"""Fixtures for the command-line tests: a runner and a small rule-based pipeline on disk."""

import pytest
import spacy
from click.testing import CliRunner

PATTERNS = [
    {"label": "PERSON", "pattern": "Putin"},
    {"label": "PERSON", "pattern": [{"LOWER": "kim"}, {"LOWER": "jong"}, {"LOWER": "un"}]},
    {"label": "ORG", "pattern": "Kremlin"},
    {"label": "GPE", "pattern": "Russia"},
    {"label": "GPE", "pattern": "Moscow"},
]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="session")
def ruler_model(tmp_path_factory):
    """A pipeline folder (blank English + entity_ruler) that `--model PATH` can load in a blink."""
    path = tmp_path_factory.mktemp("models") / "ruler"
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    nlp.meta["name"] = "ruler"
    nlp.meta["version"] = "0.1.0"
    nlp.to_disk(path)
    return str(path)


@pytest.fixture
def stop_at():
    """``stop_at(command, reached, sig)``: run ``command`` (an ``--progress-lines`` one), send it ``sig``
    at the first progress line for which ``reached(report)`` holds, and give its exit code and stderr."""
    return _stop_at


def _stop_at(command: list[str], reached, sig) -> tuple[int, str]:
    import json
    import os
    import signal
    import subprocess

    # Ctrl+C as a terminal delivers it: a shell that starts the tests in the background (`cmd &`
    # in a script) ignores SIGINT, and an ignored signal stays ignored in every child
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for line in process.stdout:
            if reached(json.loads(line)):
                process.send_signal(sig)
                break
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
        process.wait()
    return process.returncode, err.strip()
