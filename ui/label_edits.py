"""Edit → Rename label… and Remove label…: the window's side of ``labels --rename`` and ``--remove``.

Simple dialogs (QInputDialog); label names appear only as list items and in window titles,
which Qt shows as plain text, never in a dialog's (rich-text capable) prompt. The change itself
is one store call on the writer thread, refused with a message in the status bar like any write.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from annotator.model import Changes
from annotator.wording import plural


def rename_label(window) -> None:
    old = _choose(window, "Rename label")
    if old is None:
        return
    new, ok = QInputDialog.getText(window, f"Rename label {old}", "New name:", text=old)
    if ok and new.strip() and new.strip() != old:
        _submit(window, lambda s: s.rename_label(old, new),
                lambda edit: f"renamed {old} to {new.strip()}: {plural(edit.entities, 'entity', 'entities')} "
                f"and {plural(edit.suggestions, 'suggestion')} carried along")


def remove_label(window) -> None:
    name = _choose(window, "Remove label")
    if name is None:
        return
    confirmed, suggested = window.store.label_usage(name)
    to = drop = None
    if confirmed or suggested:
        others = [label.name for label in window.store.labels() if label.name != name]
        used = f"{plural(confirmed, 'confirmed entity', 'confirmed entities')} and {plural(suggested, 'suggestion')}"
        choices = [f"Relabel them to {other}" for other in others] + ["Remove them"]
        choice, ok = QInputDialog.getItem(window, f"Remove label {name}", f"The label is on {used}:", choices, 0, False)
        if not ok:
            return
        drop = choice == "Remove them"
        to = None if drop else others[choices.index(choice)]
    _submit(window, lambda s: s.remove_label(name, to=to, drop_entities=bool(drop)),
            lambda edit: f"removed {name}: " + (f"{plural(edit.entities, 'entity', 'entities')} relabelled {to}" if to
                                                 else f"{plural(edit.entities, 'entity', 'entities')} removed"))


def _choose(window, title: str) -> str | None:
    names = [label.name for label in window.store.labels()]
    if not names:
        window.status.say("this project has no labels")
        return None
    name, ok = QInputDialog.getItem(window, title, "Label:", names, 0, False)
    return name if ok else None


def _submit(window, edit, say) -> None:
    shown = window.controller.article
    redraw = Changes(article_ids=frozenset({shown.id}) if shown else frozenset())

    def run(store):
        result = edit(store)
        return result, result.changes | redraw

    window.runner.submit(run, on_success=lambda result: window.status.say(say(result)), what="the label change")
