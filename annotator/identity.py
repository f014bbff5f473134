"""Who is annotating, when nobody said: the environment, else the system user."""

from __future__ import annotations

import getpass
import os


def default_annotator() -> str:
    name = os.environ.get("ANNOTATOR_NAME", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers): still never block
        return "annotator"
