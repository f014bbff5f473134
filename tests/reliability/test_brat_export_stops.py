"""A brat export stopped midway (Ctrl+C, or killed) leaves no process making its files, and no files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ._support import REPO, run_python, subprocess_env

ARTICLES = 20_000  # about two seconds of export: long enough to be stopped while files are made


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """ARTICLES accepted articles, each with one entity."""
    folder = tmp_path_factory.mktemp("brat-stops")
    tasks = folder / "tasks.jsonl"
    tasks.write_text("".join(
        json.dumps({"text": f"Article {i:05d}: Ada Lovelace met Charles Babbage in London.",
                    "spans": [{"start": 15, "end": 27, "label": "PERSON"}], "answer": "accept"}) + "\n"
        for i in range(ARTICLES)
    ), "utf-8")
    result = run_python(["-m", "annotator", "import", str(folder / "p.db"), str(tasks), "--labels", "PERSON"])
    assert result.returncode == 0, result.stderr
    return folder / "p.db"


def _temps(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".out.") and p.name.endswith(".tmp"))


def _file_makers(folder: Path) -> list[int]:
    """The file-making processes writing into a temporary folder in ``folder``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"annotator.formats.file_maker" in command and any(part.startswith(bytes(folder)) for part in command):
            found.append(int(pid))
    return found


def _start_and_stop(project: Path, out: Path, sig: int) -> subprocess.Popen:
    """Start a brat export of ``project`` to ``out``, and send it ``sig`` once its files are being made."""
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", "export", str(project), str(out), "--format", "brat"],
        cwd=REPO, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal's Ctrl+C meets it
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        temps = _temps(out.parent)
        if temps and len(os.listdir(temps[0])) > 100:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the export ended before it could be stopped"
    if sig == signal.SIGINT:
        # a terminal sends Ctrl+C to the whole process group:
        for pid in [process.pid, *_file_makers(out.parent)]:
            os.kill(pid, sig)
    else:
        process.send_signal(sig)
    return process


def _gone(folder: Path) -> bool:
    deadline = time.monotonic() + 30
    while _file_makers(folder) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _file_makers(folder)


def test_ctrl_c_stops_the_export_and_removes_what_it_made(project, tmp_path):
    out = tmp_path / "out"
    process = _start_and_stop(project, out, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip().splitlines() == ["Error: interrupted"]  # one line: the child said nothing
    assert _gone(tmp_path)
    assert not out.exists() and _temps(tmp_path) == []


def test_a_killed_export_leaves_no_process_and_the_next_export_cleans_up(project, tmp_path):
    out = tmp_path / "out"
    process = _start_and_stop(project, out, signal.SIGKILL)
    process.wait(30)
    assert process.returncode == -signal.SIGKILL
    assert _gone(tmp_path), "the file maker outlived the export that started it"
    [left] = _temps(tmp_path)
    assert not out.exists()

    result = run_python(["-m", "annotator", "export", str(project), str(out), "--format", "brat"])
    assert result.returncode == 0, result.stderr
    assert _temps(tmp_path) == [], f"{left.name} was left behind"
    assert len(list(out.iterdir())) == 2 * ARTICLES + 1
    last = out / "020000-article-19999-ada-lovelace-met-charles"
    assert last.with_suffix(".txt").read_text("utf-8") == "Article 19999: Ada Lovelace met Charles Babbage in London."
    assert last.with_suffix(".ann").read_text("utf-8") == "T1\tPERSON 15 27\tAda Lovelace\n"
