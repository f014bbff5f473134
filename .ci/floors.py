#!/usr/bin/env python3
"""Print a pip constraints file pinning every declared dependency to its floor.

Reads pyproject.toml (the build requirements, the dependencies and every extra)
and turns each ``name>=X`` (or ``==X``, ``~=X``) into ``name==X``, keeping its
environment marker. A dependency without a floor is an error: a floor nobody
tested is a bug, and no floor at all is an untested one. Standard library only,
so it runs before any venv exists. Used by .ci/lowest and tests/test_packaging.py.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<specs>[^;]*?)\s*(?:;\s*(?P<marker>.+))?$")
FLOOR = re.compile(r"(?:>=|==|~=)\s*(?P<version>[0-9][^,\s]*)")


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    data = tomllib.loads(pyproject.read_text("utf-8"))
    project = data["project"]
    found = list(data.get("build-system", {}).get("requires", [])) + list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        found += extra
    return found


def floor_pin(requirement: str) -> str:
    """``name>=1.2,<2; marker`` -> ``name==1.2; marker`` (ValueError without a floor)."""
    match = REQUIREMENT.match(requirement)
    floor = FLOOR.search(match["specs"]) if match else None
    if floor is None:
        raise ValueError(f"{requirement!r} has no floor (>=X, ==X or ~=X)")
    marker = f"; {match['marker']}" if match["marker"] else ""
    return f"{match['name']}=={floor['version']}{marker}"


def main() -> int:
    try:
        pins = [floor_pin(requirement) for requirement in requirements()]
    except ValueError as e:
        print(f"floors.py: {e}", file=sys.stderr)
        return 1
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
