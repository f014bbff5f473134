"""The label set: default colours and hotkeys, and mapping model labels onto project labels."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from .characters import INVISIBLE, describe
from .errors import InputError
from .model import Label
from .paths import resources_dir

MAX_LABEL_LENGTH = 64
# A label name may hold no character that draws nothing or could draw anything: two
# names that look the same must be the same label. The plain space is the one exception.
_REFUSED = (INVISIBLE - {"Zs"}) | {"Co", "Cn", "Cs"}


@lru_cache(maxsize=None)
def _defaults() -> dict:
    return json.loads((resources_dir() / "labels.json").read_text("utf-8"))


@lru_cache(maxsize=None)
def default_label_map() -> dict[str, str]:
    data = json.loads((resources_dir() / "label_map.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=None)
def presets() -> dict[str, tuple[str, ...]]:
    """Label-set presets by name (resources/label_sets.json): ``ontonotes`` (spaCy's English
    models), ``conll`` (PER, LOC, ORG, MISC)."""
    data = json.loads((resources_dir() / "label_sets.json").read_text("utf-8"))
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


def preset(name: str) -> list[str]:
    """The labels of a preset; an unknown name is refused, naming the known ones."""
    found = presets().get(name.strip().lower())
    if found is None:
        raise InputError(f"unknown label set {name!r} (the presets are {', '.join(presets())})")
    return list(found)


def check_name(name: object) -> str:
    """The label name as stored: NFC-normalised and trimmed; refused when empty, too long or holding
    an invisible, control or unassigned character (spaces inside, quotes and emoji are fine).

    Every way a label name arrives (``labels --add``, ``import --labels``, span labels
    of an import, ``--map``) goes through here, so "PERSON " and a decomposed "É"
    name the same label as "PERSON" and the composed "É".
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"label name must be non-empty text, got {name!r}")
    return _checked_name(name)


@lru_cache(maxsize=4096)  # an import checks the same few names once per span
def _checked_name(name: str) -> str:
    for char in name:
        category = unicodedata.category(char)
        if category in _REFUSED or (category == "Zs" and char != " "):
            raise InputError(f"label name {name!r} contains {describe(char)}")
    normal = unicodedata.normalize("NFC", name).strip()
    if len(normal) > MAX_LABEL_LENGTH:
        raise InputError(f"label name {normal[:20]!r}... is longer than {MAX_LABEL_LENGTH} characters")
    return normal


def sort_names(names: Iterable[str]) -> list[str]:
    """Well-known labels first in a familiar order, then the rest alphabetically."""
    order = {name: i for i, name in enumerate(_defaults()["order"])}
    return sorted(set(names), key=lambda n: (order.get(n, len(order)), n))


def make_labels(names: Iterable[str], *, start: int = 0, taken_keys: Iterable[str | None] = ()) -> list[Label]:
    """Labels with default colours; the first nine positions get hotkeys 1-9, but for keys
    in ``taken_keys`` (after a label was removed, position and key no longer go together)."""
    colors, palette = _defaults()["colors"], _defaults()["palette"]
    taken = set(taken_keys)
    out = []
    for i, name in enumerate(names, start=start):
        color = colors.get(name) or palette[i % len(palette)]
        hotkey = str(i + 1) if i < 9 and str(i + 1) not in taken else None
        out.append(Label(check_name(name), color, hotkey, i))
    return out


def label_for_slot(labels: Sequence[Label], n: int) -> Label | None:
    """The label on number key ``n``: the one whose hotkey it is, else the n-th label."""
    by_hotkey = next((label for label in labels if label.hotkey == str(n)), None)
    return by_hotkey or (labels[n - 1] if 0 < n <= len(labels) else None)


OVERRIDE, SAME_NAME, BUILT_IN = "project override", "same name", "built-in"


def explain_label(label: str, project_labels: set[str], overrides: Mapping[str, str | None]) -> tuple[str | None, str]:
    """(the project label a model label becomes or None to drop it, where that comes from).

    A project override wins (null drops the label); then the label itself if
    the project has it; then the built-in map (resources/label_map.json) when
    its target is in the project.
    """
    if label in overrides:
        return overrides[label], OVERRIDE
    if label in project_labels:
        return label, SAME_NAME
    target = default_label_map().get(label)
    if target in project_labels:
        return target, BUILT_IN
    return None, f"built-in {target}, not a project label" if target else "not a project label"


def map_label(label: str, project_labels: set[str], overrides: Mapping[str, str | None]) -> str | None:
    """The project label a model label becomes, or None to drop it (see ``explain_label``)."""
    return explain_label(label, project_labels, overrides)[0]


def effective_map(
    model_labels: Iterable[str], project_labels: set[str], overrides: Mapping[str, str | None]
) -> list[tuple[str, str | None, str]]:
    """(model label, the project label it becomes or None, where that comes from) for every model
    label the map speaks of: what ``annotator labels --show-map`` prints and Edit → Labels and mapping shows."""
    return [(m, *explain_label(m, project_labels, overrides)) for m in mapped_labels(model_labels, overrides)]


def with_override(
    overrides: Mapping[str, str | None], model_label: str, target: str | None, project_labels: set[str]
) -> dict[str, str | None]:
    """The overrides with ``model_label`` mapped onto project label ``target`` (None: not shown).
    A target the project does not have is refused."""
    model_label = model_label.strip()
    if not model_label:
        raise InputError("a model label to map must be non-empty")
    if target is not None:
        target = check_name(target)
        if target not in project_labels:
            raise InputError(f"{target!r} is not one of the project's labels")
    return {**overrides, model_label: target}


def mapped_labels(model_labels: Iterable[str], overrides: Mapping[str, str | None]) -> list[str]:
    """The model labels a map can speak of: the model's, the built-in map's and the overrides'."""
    return sort_names({*model_labels, *default_label_map(), *overrides})


def follow(overrides: Mapping[str, str | None], before: set[str], old: str, new: str | None) -> dict[str, str | None]:
    """The overrides after project label ``old`` became ``new`` (None: removed, its entities gone).

    Every model label that reached ``old`` (by an override, its own name or the built-in
    map) reaches ``new`` afterwards, through an override where nothing else takes it there;
    with ``new`` None the overrides onto ``old`` go, and such labels are dropped.
    """
    after = (before - {old}) | ({new} if new else set())
    out = {m: t for m, t in overrides.items() if t != old}
    if new is None:
        return out
    for model_label in mapped_labels([old], overrides):
        if map_label(model_label, before, overrides) == old and map_label(model_label, after, out) != new:
            out[model_label] = new
    return out
