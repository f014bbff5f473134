"""The learning curve: how suggestions improve as a reviewer accepts gold articles.

    python -m benchmarks learning_curve GOLD.jsonl [--step K] [--first N] [--model M]
        [--held-out H] [--epochs E] [--no-typer] [--out FILE] [--png FILE] [--mark NAME=F1] [--time-200]

A simulated reviewer accepts the gold file's entities article by article, in file order.
Every K accepted articles a copy of the base model is fine-tuned (``annotator.learning.fine_tune``,
then ``span_typer.add_typer`` when word vectors are installed, as ``annotator train`` does) on
everything accepted so far, and the new model's suggestions
are scored (exact spans, micro and per label) on

- the articles not yet reviewed (what the reviewer sees next), and
- a fixed held-out set, the file's last H articles, never reviewed (H = 45 by default, so
  that on WikiGold the last round's figure is the "other 45" figure of issue 12).

Each round prints the time its training took and the machine's load average (1 minute)
when it ended, since a shared machine's timings say little without it. ``--time-200`` adds
the time to train on 200 generated articles of about 2,000 characters (the issue's budget:
under 2 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from annotator import formats, importing, learning, span_typer, vectors
from annotator.learning import Gold, Scores
from annotator.training import score

from . import datagen

HELD_OUT = 45
STEP = 20
TARGET_F1, TARGET_AFTER = 0.70, 100
BUDGET_200_SECONDS = 120.0


@dataclass
class Round:
    reviewed: int
    unreviewed: Scores | None  # None when every article outside the held-out set is reviewed
    held_out: Scores
    train_seconds: float
    load: float


def read_gold(path: Path) -> list[Gold]:
    """Every article of a gold file in any import format, checked as ``annotator import`` checks it."""
    fmt = formats.detect(path) or formats.get("jsonl")
    out = []
    for item in fmt.load().read(path, path.name, formats.ReadOptions(ignore_unknown=True)):
        if item.task is not None:
            record = importing.check_task(item.task, item.where)
            out.append(Gold(record.text, tuple(record.spans)))
    return out


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks learning_curve", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gold", type=Path, help="gold articles in an import format (JSONL with spans, ...)")
    p.add_argument("--step", type=int, default=STEP, help=f"train every K reviewed articles (default {STEP})")
    p.add_argument("--first", type=int, default=None, help="use only the file's first N articles")
    p.add_argument("--model", default=None, help="the base model (default: the bundled one)")
    p.add_argument("--held-out", type=int, default=None,
                   help=f"the fixed held-out set: the last H articles (default {HELD_OUT}, at most a third of the file)")
    p.add_argument("--epochs", type=int, default=None, help="passes over the training articles (default: fine_tune's)")
    p.add_argument("--no-typer", action="store_true", help="fine-tune the recognizer only, even with word vectors installed")
    p.add_argument("--out", type=Path, default=None, help="also write the table here")
    p.add_argument("--png", type=Path, default=None, help="also draw the curve here")
    p.add_argument("--mark", action="append", default=[], metavar="NAME=F1",
                   help="a reference figure drawn on the plot at the target's article count (repeatable)")
    p.add_argument("--time-200", action="store_true", help="also time training on 200 generated articles of ~2,000 characters")
    args = p.parse_args(argv)
    if args.step < 1:
        p.error("--step must be at least 1")
    try:
        args.marks = {name: float(f1) for name, _, f1 in (m.rpartition("=") for m in args.mark)}
    except ValueError:
        p.error("--mark takes NAME=F1, F1 a number such as 0.604")
    return args


def load_model(name: str | None):
    import spacy

    from annotator.suggest import DEFAULT_MODEL, resolve_model

    return spacy.load(resolve_model(name or DEFAULT_MODEL)[0])


def train_round(model: str | None, reviewed: list[Gold], project_labels: set[str], epochs: int | None, word_vectors):
    """A copy of the model trained as ``annotator train`` trains it (with a span typer when
    ``word_vectors`` is not None), and the seconds that took."""
    nlp = load_model(model)
    options = {} if epochs is None else {"epochs": epochs}
    started = time.perf_counter()
    learning.fine_tune(nlp, reviewed, project_labels=project_labels, **options)
    if word_vectors is not None:
        span_typer.add_typer(nlp, reviewed, word_vectors, project_labels=project_labels, label_map={})
    return nlp, time.perf_counter() - started


def curve(gold: list[Gold], *, step: int, held_out: int, model: str | None = None, epochs: int | None = None,
          word_vectors=None, on_round=None) -> list[Round]:
    pool, fixed = gold[: len(gold) - held_out], gold[len(gold) - held_out:]
    project_labels = {span[2] for g in gold for span in g.spans}
    rounds = []
    for reviewed in [0, *range(step, len(pool), step), len(pool)]:
        unreviewed = pool[reviewed:]
        if reviewed == 0:
            nlp, seconds = load_model(model), 0.0
        else:
            nlp, seconds = train_round(model, pool[:reviewed], project_labels, epochs, word_vectors)
        load = os.getloadavg()[0]
        scores = score(nlp, unreviewed + fixed, project_labels, {}) if unreviewed else None
        rounds.append(Round(reviewed, scores, score(nlp, fixed, project_labels, {}), seconds, load))
        if on_round:
            on_round(rounds[-1])
    return rounds


def time_200(model: str | None, word_vectors) -> tuple[float, float, int]:
    """(seconds, load average, characters) to train (as ``curve``'s rounds) on 200 generated ~2,000-character articles."""
    articles = [datagen.article(i) for i in range(200)]
    train = [Gold(a.text, tuple(a.spans)) for a in articles]
    _, seconds = train_round(model, train, {s[2] for g in train for s in g.spans}, None, word_vectors)
    return seconds, os.getloadavg()[0], sum(len(a.text) for a in articles)


def header(labels: list[str]) -> str:
    return (f"{'reviewed':>8}  {'F1 unreviewed':>13}  {'F1 held-out':>11}  "
            + "  ".join(f"{name:>6}" for name in labels) + f"  {'train s':>7}  {'load':>5}")


def per_label(scores: Scores, labels: list[str]) -> str:
    return "  ".join(f"{scores.per_label[name].f1:>6.3f}" if name in scores.per_label else f"{'-':>6}" for name in labels)


def row(r: Round, labels: list[str]) -> str:
    unreviewed = "-" if r.unreviewed is None else f"{r.unreviewed.micro.f1:.3f}"
    return (f"{r.reviewed:>8}  {unreviewed:>13}  {r.held_out.micro.f1:>11.3f}  {per_label(r.held_out, labels)}"
            f"  {r.train_seconds:>7.1f}  {r.load:>5.2f}")


def unreviewed_table(rounds: list[Round], labels: list[str]) -> list[str]:
    """Per label on the articles not yet reviewed, for the rounds that left some."""
    return (["per label on the articles not yet reviewed:", f"{'reviewed':>8}  " + "  ".join(f"{name:>6}" for name in labels)]
            + [f"{r.reviewed:>8}  {per_label(r.unreviewed, labels)}" for r in rounds if r.unreviewed is not None])


def run(argv: list[str]) -> int:
    args = parse(argv)
    gold = read_gold(args.gold)[: args.first]
    held_out = min(HELD_OUT, len(gold) // 3) if args.held_out is None else args.held_out
    if not 0 < held_out < len(gold):
        print(f"--held-out must be between 1 and {len(gold) - 1} for {len(gold)} articles", file=sys.stderr)
        return 2
    labels = learning.label_set.sort_names({span[2] for g in gold for span in g.spans})
    word_vectors = None if args.no_typer else vectors.installed()
    typer = f"span typer on word vectors {word_vectors.name}" if word_vectors is not None else "no span typer"
    lines = [f"learning curve: {args.gold.name}, {len(gold)} articles; training every {args.step} reviewed; "
             f"held out: the last {held_out} (never reviewed); model {args.model or 'default'}; "
             f"epochs {args.epochs or 'default'}; {typer}; {os.cpu_count()} cores",
             "F1: exact-span micro F1 of the suggestions; per label on the held-out set; "
             "train s: that round's training (recognizer, then typer); load: 1-minute load average when it ended",
             header(labels)]
    print("\n".join(lines), flush=True)

    def show(r: Round) -> None:
        lines.append(row(r, labels))
        print(lines[-1], flush=True)

    rounds = curve(gold, step=args.step, held_out=held_out, model=args.model, epochs=args.epochs, word_vectors=word_vectors, on_round=show)
    table = unreviewed_table(rounds, labels)
    lines += table
    print("\n".join(table), flush=True)
    if args.time_200:
        seconds, load, chars = time_200(args.model, word_vectors)
        ok = "PASS" if seconds < BUDGET_200_SECONDS else "FAIL"
        lines.append(f"training on 200 generated articles ({chars:,} characters): {seconds:.1f} s at load {load:.2f} "
                     f"(target < {BUDGET_200_SECONDS:.0f} s on 2 cores: {ok})")
        print(lines[-1], flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.png:
        from .curve_plot import draw

        draw(rounds, args.png, title=f"{args.gold.name}: suggestion F1 as the reviewer accepts articles",
             target=(TARGET_AFTER, TARGET_F1), reference=args.marks)
    return 0

