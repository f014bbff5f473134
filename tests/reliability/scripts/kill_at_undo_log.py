"""Make one decision and die by SIGKILL exactly where its undo-log row is written.

usage: kill_at_undo_log.py PROJECT ACTION at|after|none

ACTION is one of ``ACTIONS`` below, made by annotator "ada". POINT says which
statement of the store's connection is the last: ``at`` the first one that
writes the ``events`` table (before it runs), ``after`` the first one after the
events writes (the COMMIT, when the log shares the decision's transaction);
``none`` lets the decision finish (it prints "DONE").
The statements are watched through sqlite3's trace callback, so the store
needs no test hook and any code path that writes the log is caught.
Exits 3 (without being killed) when the decision never wrote the log.
"""

import os
import re
import signal
import sys

from annotator.store import AnnotationStore

EVENTS_WRITE = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+events\b", re.IGNORECASE)

# ACTION -> what it does on the project made by tests/reliability/_support.make_review_project
ACTIONS = {
    "accept": lambda s: s.accept(1),
    "reject": lambda s: s.reject(2),
    "add entity": lambda s: s.add_entity(5, 0, 6, "PERSON"),
    "relabel entity": lambda s: s.relabel_entity(s.entities(1)[0].id, "DATE"),
    "remove entity": lambda s: s.remove_entity(s.entities(1)[0].id),
    "undo": lambda s: s.undo(),
    "redo": lambda s: s.redo(),
}


def main() -> int:
    project, action, point = sys.argv[1:4]
    store = AnnotationStore.open(project, annotator="ada")
    seen_events_write = False

    def watch(statement: str) -> None:
        nonlocal seen_events_write
        if point == "none":
            return
        if EVENTS_WRITE.match(statement):
            if point == "at":
                os.kill(os.getpid(), signal.SIGKILL)
            seen_events_write = True
        elif seen_events_write:
            os.kill(os.getpid(), signal.SIGKILL)

    store.conn.set_trace_callback(watch)
    ACTIONS[action](store)
    store.conn.set_trace_callback(None)
    store.close()
    if point == "none":
        print("DONE", flush=True)
        return 0
    print(f"{action} finished without writing the undo log", flush=True)
    return 3


if __name__ == "__main__":
    sys.exit(main())
