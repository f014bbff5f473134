"""Review → Apply to pending articles…: the window's side of ``annotator propagate --entity``.

The focused entity's text and label become suggestions wherever that text stands in the
pending articles, after a plain-text question (article text never goes to rich text). The
write is one store call on the writer thread, one step that Ctrl+Z takes back whole.
"""

from __future__ import annotations

from .messages import ask


def apply_to_pending(window) -> None:
    entity = window.controller.focused()
    article = window.controller.article
    if entity is None or article is None:
        window.status.say("no entity is focused; press Tab to focus one")
        return
    text = article.text[entity.start : entity.end]
    question = (f"Suggest {entity.label} for “{text}” wherever it stands as a whole word in the pending articles?\n\n"
                "Places already covered by an entity are left as they are, decided articles are not touched, "
                "and one undo takes it all back.")
    if not ask(window, "Apply to pending articles", question):
        return
    window.runner.submit(
        lambda s: s.propagate_from_entity(entity.id),
        on_success=lambda done: window.status.say(done.summary(pending=True)),
        what="the propagation",
    )
