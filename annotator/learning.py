"""Teaching a suggestion pipeline from reviewed articles, and scoring it.

``fine_tune`` updates a copy of a pipeline's entity recognizer on gold articles (the rest
of the pipeline untouched) and ``evaluate`` scores a pipeline against gold articles, per
label, after the project's label map. Nothing here knows about the project file: the
caller reads the articles and decides where the result goes (see ``annotator.training``).
spaCy is imported on first use so that importing this module stays cheap.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import labels as label_set
from .progress import OnProgress, Progress, ShouldCancel, check_cancel

Span3 = tuple[int, int, str]


@dataclass(frozen=True)
class Gold:
    """An article as the reviewer left it: its text and confirmed entities (project labels)."""

    text: str
    spans: tuple[Span3, ...]


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int  # gold entities with this label


@dataclass(frozen=True)
class Scores:
    """Exact-span scores: an entity counts only with the same start, end and label."""

    micro: LabelScore
    per_label: dict[str, LabelScore] = field(default_factory=dict)

    def to_json(self) -> dict:
        def one(s: LabelScore) -> dict:
            return {"precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support}

        return {"micro": one(self.micro), "per_label": {k: one(v) for k, v in self.per_label.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Scores:
        return cls(LabelScore(**data["micro"]), {k: LabelScore(**v) for k, v in data["per_label"].items()})


def _score(tp: int, n_predicted: int, n_gold: int) -> LabelScore:
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LabelScore(precision, recall, f1, n_gold)


def score_spans(predicted: Sequence[Sequence[Span3]], gold: Sequence[Sequence[Span3]]) -> Scores:
    """Precision, recall and F1 per label and over all labels, from parallel lists of spans."""
    tp: dict[str, int] = {}
    n_pred: dict[str, int] = {}
    n_gold: dict[str, int] = {}
    for pred_spans, gold_spans in zip(predicted, gold, strict=True):
        wanted = set(gold_spans)
        for span in set(pred_spans):
            n_pred[span[2]] = n_pred.get(span[2], 0) + 1
            if span in wanted:
                tp[span[2]] = tp.get(span[2], 0) + 1
        for span in wanted:
            n_gold[span[2]] = n_gold.get(span[2], 0) + 1
    names = label_set.sort_names(set(n_pred) | set(n_gold))
    per_label = {name: _score(tp.get(name, 0), n_pred.get(name, 0), n_gold.get(name, 0)) for name in names}
    micro = _score(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return Scores(micro, per_label)


def predict(nlp, texts: Sequence[str], project_labels: set[str], label_map: Mapping[str, str | None]) -> list[list[Span3]]:
    """The pipeline's entities for each text, mapped onto the project's labels (unmapped ones dropped)."""
    out = []
    for doc in nlp.pipe(texts, batch_size=32):
        spans = []
        for ent in doc.ents:
            label = label_set.map_label(ent.label_, project_labels, label_map)
            if label is not None:
                spans.append((ent.start_char, ent.end_char, label))
        out.append(spans)
    return out


def evaluate(nlp, gold: Sequence[Gold], project_labels: set[str], label_map: Mapping[str, str | None]) -> Scores:
    predicted = predict(nlp, [g.text for g in gold], project_labels, label_map)
    return score_spans(predicted, [g.spans for g in gold])


def fine_tune(
    nlp,
    train: Sequence[Gold],
    *,
    epochs: int = 10,
    seed: int = 0,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
):
    """Update ``nlp``'s entity recognizer in place on ``train`` and return ``nlp``.

    The project's labels the recognizer lacks are added; every other component is frozen.
    ``nlp`` must be a full pipeline as ``spacy.load`` gives it (not one with components
    disabled by ``Pipeline.from_nlp``); save it with ``nlp.to_disk``.
    """
    from spacy.training import Example

    ner = nlp.get_pipe("ner")
    for item in train:
        for _, _, label in item.spans:
            ner.add_label(label)
    examples = []
    for item in train:
        doc = nlp.make_doc(item.text)
        examples.append(Example.from_dict(doc, {"entities": [list(s) for s in item.spans]}))
    others = [name for name in nlp.pipe_names if name != "ner"]
    rng = random.Random(seed)
    optimizer = nlp.resume_training()
    total = epochs * len(examples)
    done = 0
    with nlp.select_pipes(disable=others):
        for _ in range(epochs):
            rng.shuffle(examples)
            for start in range(0, len(examples), 8):
                batch = examples[start:start + 8]
                nlp.update(batch, sgd=optimizer, drop=0.2)
                done += len(batch)
                if on_progress:
                    on_progress(Progress(done, total, "Training"))
                check_cancel(should_cancel, "training")
    return nlp
