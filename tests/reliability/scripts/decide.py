"""Make decisions on a project from a separate process, printing each one once it is committed.

usage: decide.py PROJECT ANNOTATOR FIRST STEP COUNT [--hold SECONDS] [--start-at EPOCH] [--loop]

For COUNT articles (ids FIRST, FIRST+STEP, ...): draw an entity over "Ada
Lovelace" (PERSON), then accept the article. After each decision returns, one
line "OK <decision> <article_id> <entity_id>" is printed and flushed: every
printed decision must be in the project afterwards, whatever happens next.
``--hold`` keeps the write lock that long inside each decision (to make the
other writer wait); ``--loop`` keeps going (reopen, relabel...) until killed.
"""

import argparse
import sys
import time

from annotator.store import AnnotationStore


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("annotator")
    ap.add_argument("first", type=int)
    ap.add_argument("step", type=int)
    ap.add_argument("count", type=int)
    ap.add_argument("--hold", type=float, default=0.0)
    ap.add_argument("--start-at", type=float, default=0.0)
    ap.add_argument("--loop", action="store_true")
    args = ap.parse_args()

    store = AnnotationStore.open(args.project, annotator=args.annotator)
    waits = []
    store.on_busy = waits.append
    ids = [args.first + i * args.step for i in range(args.count)]
    delay = args.start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    print("READY", flush=True)

    def decide(name, fn, article_id):
        if args.hold:
            with store.transaction():
                result = fn()
                time.sleep(args.hold)
        else:
            result = fn()
        entity_id = result[0].id if isinstance(result, tuple) else 0
        print(f"OK {name} {article_id} {entity_id}", flush=True)
        return result

    for article_id in ids:
        text = store.article(article_id).text
        start = text.index("Ada Lovelace")
        decide("add", lambda: store.add_entity(article_id, start, start + 12, "PERSON"), article_id)
        decide("accept", lambda: store.accept(article_id), article_id)
    round_ = 0
    while args.loop:
        round_ += 1
        for article_id in ids:
            ent = store.entities(article_id)[0]
            label = "ORG" if round_ % 2 else "PERSON"
            decide(f"relabel:{label}", lambda: store.relabel_entity(ent.id, label), article_id)
            status = "reopen" if round_ % 2 else "accept"
            decide(status, lambda: getattr(store, status)(article_id), article_id)
    print(f"BUSY {len(waits)}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
