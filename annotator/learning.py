"""Teaching a suggestion pipeline from reviewed articles, and scoring it.

``fine_tune`` updates a copy of a pipeline's entity recognizer on gold articles (the rest
of the pipeline untouched) and ``evaluate`` scores a pipeline against gold articles, per
label, after the project's label map. Nothing here knows about the project file: the
caller reads the articles and decides where the result goes (see ``annotator.training``).
spaCy is imported on first use so that importing this module stays cheap.

The recipe (each step measured on WikiGold: benchmarks/learning_curve.py, README "Learning curve"):
the reviewer's entities are taught in the labels the model already has (PER as PERSON, a LOC as
the GPE, LOC or FAC the model itself gave it...), so training starts from what the model knows
instead of from zero, and the project's label map turns them back; what the model finds that the
project has no label for (dates, numbers) is kept as it was; the weights kept are the optimizer's
running averages, as spaCy's own training keeps them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import labels as label_set
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .suggest import entity_components

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


# Training passes over at most this many characters (epochs x the articles' characters): 4
# epochs of 200 articles of 2,000 characters, under 2 minutes on 2 cores; a small project gets
# more epochs, up to MAX_EPOCHS.
CHARACTER_BUDGET = 2_000_000
MAX_EPOCHS = 10


def default_epochs(train: Sequence[Gold]) -> int:
    """Epochs for ``train``: as many as CHARACTER_BUDGET allows, between 1 and MAX_EPOCHS."""
    characters = sum(len(g.text) for g in train) or 1
    return max(1, min(MAX_EPOCHS, CHARACTER_BUDGET // characters))


def fine_tune(
    nlp,
    train: Sequence[Gold],
    *,
    epochs: int | None = None,
    seed: int = 0,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    label_map: Mapping[str, str | None] | None = None,
    project_labels: set[str] | None = None,
    rehearse: Sequence[str] = (),
    dropout: float = 0.2,
    batch_size: int = 8,
):
    """Update ``nlp``'s entity recognizer in place on ``train`` and return ``nlp``.

    ``train`` holds project labels; ``label_map`` (the project's overrides) and ``project_labels``
    (default: the labels in ``train``) say which model label becomes which project label, as
    ``predict`` maps them. A project label no model label maps to is added to the recognizer.
    ``rehearse``: texts whose entities, as the model finds them before training, are taught
    alongside (against forgetting; on WikiGold it cost F1, so nothing is rehearsed by default).
    ``epochs`` defaults to ``default_epochs(train)``. Every other component is frozen. ``nlp``
    must be a full pipeline as ``spacy.load`` gives it (not one with components disabled by
    ``Pipeline.from_nlp``); save it with ``nlp.to_disk``. What was taught, and how many spans
    were left out for lying off token boundaries or over another span, is in
    ``nlp.meta["annotator_training"]``.
    """
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
    epochs = default_epochs(train) if epochs is None else epochs
    ner = nlp.get_pipe("ner")
    wanted = set(project_labels) if project_labels is not None else {s[2] for g in train for s in g.spans}
    becomes = {m: label_set.map_label(m, wanted, label_map or {}) for m in ner.labels}
    rehearse = list(rehearse)
    with nlp.select_pipes(enable=entity_components(nlp)):
        found = [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                 for doc in nlp.pipe([g.text for g in train] + rehearse, batch_size=32)]
    in_model_labels = _model_labels(train, found, becomes)

    counts: Counter = Counter()
    examples = []
    for item, own, theirs in zip(train, in_model_labels, found):
        # the model's entities of labels the project drops (dates, numbers), where the reviewer marked nothing
        kept = [s for s in theirs if becomes.get(s[2]) is None and not any(_overlaps(s, g) for g in item.spans)]
        examples.append(_example(nlp, item.text, own, kept, counts))
    examples += [_example(nlp, text, spans, (), Counter()) for text, spans in zip(rehearse, found[len(train):])]
    for example in examples:
        for ent in example.reference.ents:
            ner.add_label(ent.label_)

    others = [name for name in nlp.pipe_names if name != "ner"]
    rng = random.Random(seed)
    optimizer = nlp.resume_training()
    total, done = epochs * len(examples), 0
    with nlp.select_pipes(disable=others):
        for _ in range(epochs):
            rng.shuffle(examples)
            for start in range(0, len(examples), batch_size):
                batch = examples[start:start + batch_size]
                nlp.update(batch, sgd=optimizer, drop=dropout)
                done += len(batch)
                if on_progress:
                    on_progress(Progress(done, total, "Training"))
                check_cancel(should_cancel, "training")
    _set_weights(ner.model, optimizer.averages or {})
    nlp.meta["annotator_training"] = {
        "articles": len(train), "entities": sum(len(g.spans) for g in train), "rehearsal_texts": len(rehearse),
        "epochs": epochs, "off_token_boundaries": counts["off_token_boundaries"], "overlapping": counts["overlapping"],
        "speakers": _speakers(train, in_model_labels),  # which model label was taught for each project label
    }
    return nlp


def _speakers(train: Sequence[Gold], in_model_labels: Sequence[Sequence[Span3]]) -> dict[str, str]:
    """Each project label of ``train`` and the model label taught for it most often."""
    votes: dict[str, Counter] = {}
    for item, own in zip(train, in_model_labels):
        for (_, _, label), (_, _, model_label) in zip(item.spans, own):
            votes.setdefault(label, Counter())[model_label] += 1
    return {label: counted.most_common(1)[0][0] for label, counted in votes.items()}


def _model_labels(train: Sequence[Gold], found: Sequence[Sequence[Span3]], becomes: Mapping[str, str | None]) -> list[list[Span3]]:
    """``train``'s spans in the model's own labels: each takes the model label the untrained model
    gave that very span, when it maps to the span's label (Japanese: NORP for MISC, Kyoto: GPE for
    LOC); else the model label that most often did so over all of ``train``; else a model label
    mapping to it, the same name first; else the project label itself (a new label)."""
    speakers: dict[str, list[str]] = {}
    for model_label, target in becomes.items():
        if target is not None:
            speakers.setdefault(target, []).append(model_label)
    said = [{(s, e): label for s, e, label in spans} for spans in found]
    votes: dict[str, Counter] = {}
    for item, by_span in zip(train, said):
        for start, end, label in item.spans:
            model_label = by_span.get((start, end))
            if model_label is not None and becomes.get(model_label) == label:
                votes.setdefault(label, Counter())[model_label] += 1

    def fallback(label: str) -> str:
        if label in votes:
            return votes[label].most_common(1)[0][0]
        candidates = sorted(speakers.get(label, ()), key=lambda m: m != label)
        return candidates[0] if candidates else label

    out = []
    for item, by_span in zip(train, said):
        spans = []
        for start, end, label in item.spans:
            model_label = by_span.get((start, end))
            spans.append((start, end, model_label if model_label is not None and becomes.get(model_label) == label else fallback(label)))
        out.append(spans)
    return out


def _overlaps(a: Span3, b: Span3) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _example(nlp, text: str, spans: Sequence[Span3], kept: Sequence[Span3], counts: Counter):
    """A training example whose entities are ``spans`` plus those of ``kept`` that touch none of them.

    A span off the token boundaries ("UK" in "UK-based") leaves the tokens it touches unknown
    (neither entity nor outside), rather than teaching a wrong boundary, and is counted.
    """
    from spacy.training import Example

    doc = nlp.make_doc(text)
    tags = ["O"] * len(doc)
    for start, end, label in spans:
        span = doc.char_span(start, end)
        if span is None:
            counts["off_token_boundaries"] += 1
            touched = doc.char_span(start, end, alignment_mode="expand")
            for i in range(touched.start, touched.end) if touched is not None else ():
                tags[i] = "-"
        elif all(t == "O" for t in tags[span.start:span.end]):
            _tag(tags, span.start, span.end, label)
        else:  # one entity a token, as in doc.ents: the first of overlapping spans is taught
            counts["overlapping"] += 1
    for start, end, label in kept:
        span = doc.char_span(start, end)
        if span is not None and all(t == "O" for t in tags[span.start:span.end]):
            _tag(tags, span.start, span.end, label)
    return Example.from_dict(doc, {"entities": tags})


def _tag(tags: list[str], start: int, end: int, label: str) -> None:
    """BILUO tags for the tokens [start, end) as one entity."""
    if end - start == 1:
        tags[start] = f"U-{label}"
        return
    tags[start] = f"B-{label}"
    for i in range(start + 1, end - 1):
        tags[i] = f"I-{label}"
    tags[end - 1] = f"L-{label}"


def _set_weights(model, weights: Mapping) -> None:
    """Keep ``weights`` (the optimizer's running averages), as spaCy's own training saves a pipeline."""
    for node in model.walk():
        for name in node.param_names:
            if (node.id, name) in weights:
                node.set_param(name, weights[(node.id, name)])
