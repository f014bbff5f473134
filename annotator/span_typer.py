"""Typing the recognizer's entities again, with word vectors: the "span typer" of a trained version.

Fine-tuned on a hundred articles, ``en_core_web_sm`` finds where names are far better than what
they are: on WikiGold's held-out articles its spans are right at F1 0.83 but its labelled
entities at 0.59, and most of the difference is the type of names it never saw (a Balinese
guitarist as ORG, a Goan village as PER). The small model has no word vectors to know them by.
The typer gives each entity the project label a small network picks from GloVe vectors of its
words and of the words around it, the recognizer's own context vectors (``doc.tensor``) and the
entity's shape, trained on the reviewed entities; the mentions of one name in an article share
one label (their probabilities are added). Measured on WikiGold: README, "Learning curve".

The component keeps ``doc.ents`` in the model's own labels: an entity the typer moves to
another project label takes the model label that stood for it in training (LOC as GPE...),
so the project's label map reads it as before. Entities whose label the project drops (dates,
numbers) are left alone. The vectors are not stored with the version (they are 71 MB); a
version with a typer needs them installed (``annotator vectors fetch``), and says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy

from .errors import ModelError
from .learning import Gold
from .progress import ShouldCancel, check_cancel

FACTORY = "annotator_span_typer"
NAME = "span_typer"
CONTEXT = 3  # words either side that describe an entity's surroundings
HIDDEN = 64  # units of the network's one hidden layer
SEEDS = 5  # networks trained from different starts, their probabilities averaged
EPOCHS = 30  # passes over the entities, as long as they stay within UPDATES
UPDATES = 1500  # minibatches per network at most: 30 epochs of WikiGold's 100 articles (2,454 entities)
BATCH = 64
LEARNING_RATE = 0.002
L2 = 1e-4
Span2 = tuple[int, int]  # token start, token end


@dataclass
class Network:
    """A one-hidden-layer network over standardised features, as arrays (saved with numpy)."""

    mean: numpy.ndarray
    scale: numpy.ndarray
    layers: list[tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray]]  # per seed: W1, b1, W2, b2

    def probabilities(self, features: numpy.ndarray) -> numpy.ndarray:
        x = (features - self.mean) / self.scale
        return numpy.mean([_softmax(numpy.maximum(x @ w1 + b1, 0) @ w2 + b2) for w1, b1, w2, b2 in self.layers], axis=0)


def _softmax(z: numpy.ndarray) -> numpy.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = numpy.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def features(doc, spans: Sequence[Span2], vectors, tensor: bool) -> numpy.ndarray:
    """One row per span of ``doc`` (token offsets): vectors of the span's words (mean, first,
    last), of the words before and after it (mean of CONTEXT, and the nearest), the same from
    ``doc.tensor`` (the pipeline's context vectors) when ``tensor``, and the span's shape."""
    words = vectors.rows([t.lower_ for t in doc]) if len(doc) else numpy.zeros((0, vectors.dims), "f")
    unknown = ~words.any(axis=1)
    tensor = doc.tensor if tensor else None
    rows = []
    for start, end in spans:
        parts = _around(words, start, end)
        if tensor is not None:
            parts += _around(tensor, start, end)[:5]
        text = doc[start:end].text
        parts.append(numpy.array([
            (end - start) / 5, unknown[start:end].mean(), text.isupper(), any(c.isdigit() for c in text),
            "-" in text, "." in text, text.endswith("s"), doc[start].is_title, text.lower().startswith("the "),
        ], dtype="f"))
        rows.append(numpy.concatenate(parts))
    return numpy.array(rows, dtype="f").reshape(len(rows), -1)


def _around(table: numpy.ndarray, start: int, end: int) -> list[numpy.ndarray]:
    """Mean, first and last rows of [start, end); mean of the CONTEXT rows before and after;
    the row just before and just after (zeros where there is none)."""
    zero = numpy.zeros(table.shape[1], dtype="f")
    left, right = table[max(0, start - CONTEXT):start], table[end:end + CONTEXT]
    return [
        table[start:end].mean(axis=0), table[start], table[end - 1],
        left.mean(axis=0) if len(left) else zero, right.mean(axis=0) if len(right) else zero,
        table[start - 1] if start else zero, table[end] if end < len(table) else zero,
    ]


def train_network(x: numpy.ndarray, y: numpy.ndarray, classes: int, seed: int = 0, should_cancel: ShouldCancel | None = None) -> Network:
    """SEEDS networks fitted to (x, y) with Adam on minibatches; their average is the model."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = ((x - mean) / scale).astype("f")
    target = numpy.eye(classes, dtype="f")[y]
    return Network(mean, scale, [_fit(z, target, numpy.random.default_rng(seed + k), should_cancel) for k in range(SEEDS)])


def _fit(x: numpy.ndarray, target: numpy.ndarray, rng: numpy.random.Generator, should_cancel: ShouldCancel | None):
    n, d = x.shape
    params = [rng.normal(0, 1 / numpy.sqrt(d), (d, HIDDEN)).astype("f"), numpy.zeros(HIDDEN, "f"),
              rng.normal(0, 1 / numpy.sqrt(HIDDEN), (HIDDEN, target.shape[1])).astype("f"),
              numpy.zeros(target.shape[1], "f")]
    moments = [numpy.zeros_like(p) for p in params]
    squares = [numpy.zeros_like(p) for p in params]
    step = 0
    for _ in range(max(1, min(EPOCHS, UPDATES * BATCH // n))):  # 15,215 entities: 6 epochs, 4 s instead of 42
        check_cancel(should_cancel, "training")
        order = rng.permutation(n)
        for at in range(0, n, BATCH):
            rows = order[at:at + BATCH]
            xb, tb = x[rows], target[rows]
            w1, b1, w2, b2 = params
            hidden = numpy.maximum(xb @ w1 + b1, 0)
            g = (_softmax(hidden @ w2 + b2) - tb) / len(rows)
            gh = (g @ w2.T) * (hidden > 0)
            grads = [xb.T @ gh + L2 * w1, gh.sum(axis=0), hidden.T @ g + L2 * w2, g.sum(axis=0)]
            step += 1
            for p, m, v, grad in zip(params, moments, squares, grads):
                m *= 0.9
                m += 0.1 * grad
                v *= 0.999
                v += 0.001 * grad * grad
                p -= LEARNING_RATE * (m / (1 - 0.9 ** step)) / (numpy.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return tuple(params)


def load_vectors(name: str):
    """The installed word vectors ``name``; ModelError naming the fix when they are not there."""
    from . import vectors

    table = vectors.installed()
    if table is None or table.name != name:
        raise ModelError(f"this model version types entities with the word vectors {name!r}, which are not "
                         "installed here; run `annotator vectors fetch` (or use another version)")
    return table


class SpanTyper:
    """The pipeline component (factory ``annotator_span_typer``); empty until ``fit`` or ``from_disk``."""

    def __init__(self, nlp, name: str = NAME):
        self.name = name
        self.classes: list[str] = []  # project labels, in the network's order (not "labels": not the model's)
        self.becomes: dict[str, str] = {}  # model label -> project label, for the labels it retypes
        self.speakers: dict[str, str] = {}  # project label -> the model label that stands for it
        self.vectors_name = ""
        self.tensor = False  # whether the network reads doc.tensor
        self.network: Network | None = None
        self._vectors = None

    def __call__(self, doc):
        if self.network is None:
            return doc
        ents = list(doc.ents)
        chosen = [i for i, ent in enumerate(ents) if ent.label_ in self.becomes]
        if not chosen:
            return doc
        if self._vectors is None:
            self._vectors = load_vectors(self.vectors_name)
        table = features(doc, [(ents[i].start, ents[i].end) for i in chosen], self._vectors, self.tensor)
        probabilities = self.network.probabilities(table)
        by_name: dict[str, numpy.ndarray] = {}
        for i, p in zip(chosen, probabilities):
            key = ents[i].text.lower()
            by_name[key] = by_name.get(key, 0) + p
        for i in chosen:
            label = self.classes[int(by_name[ents[i].text.lower()].argmax())]
            if self.becomes[ents[i].label_] != label:
                ents[i] = doc[ents[i].start:ents[i].end]
                ents[i].label_ = self.speakers[label]
        doc.ents = ents
        return doc

    def fit(self, docs, gold: Sequence[Sequence[tuple[int, int, str]]], vectors, becomes: Mapping[str, str | None],
            speakers: Mapping[str, str], seed: int = 0, should_cancel: ShouldCancel | None = None) -> int:
        """Train on ``docs`` (run through the pipeline up to the recognizer) and their ``gold``
        entities (character offsets, project labels); returns how many entities it learnt from
        (0: fewer than two labels to tell apart, and the typer stays empty)."""
        self.classes = sorted({label for spans in gold for _, _, label in spans if label in speakers})
        if len(self.classes) < 2:
            return 0
        self.tensor = all(getattr(doc, "tensor", None) is not None and doc.tensor.size for doc in docs)
        rows, targets = [], []
        for doc, spans in zip(docs, gold):
            tokens = [(span.start, span.end, label) for start, end, label in spans if label in self.classes
                      and (span := doc.char_span(start, end, alignment_mode="expand")) is not None and len(span)]
            if tokens:
                rows.append(features(doc, [t[:2] for t in tokens], vectors, self.tensor))
                targets += [self.classes.index(t[2]) for t in tokens]
        self.network = train_network(numpy.concatenate(rows), numpy.array(targets), len(self.classes), seed, should_cancel)
        self.becomes = {m: p for m, p in becomes.items() if p in self.classes}
        self.speakers = {label: speakers[label] for label in self.classes}
        self.vectors_name, self._vectors = vectors.name, vectors
        return len(targets)

    def to_disk(self, path, *, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "cfg.json").write_text(json.dumps({
            "classes": self.classes, "becomes": self.becomes, "speakers": self.speakers,
            "vectors": self.vectors_name, "tensor": self.tensor,
        }, indent=1), encoding="utf-8")
        if self.network is not None:
            arrays = {"mean": self.network.mean, "scale": self.network.scale}
            for k, layer in enumerate(self.network.layers):
                arrays.update({f"{name}_{k}": a for name, a in zip(("w1", "b1", "w2", "b2"), layer)})
            numpy.savez(path / "network.npz", **arrays)

    def from_disk(self, path, *, exclude=()) -> SpanTyper:
        path = Path(path)
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        self.classes, self.becomes, self.speakers = cfg["classes"], cfg["becomes"], cfg["speakers"]
        self.vectors_name, self.tensor = cfg["vectors"], cfg["tensor"]
        if (path / "network.npz").exists():
            with numpy.load(path / "network.npz") as a:
                layers = [tuple(a[f"{n}_{k}"] for n in ("w1", "b1", "w2", "b2")) for k in range(SEEDS) if f"w1_{k}" in a]
                self.network = Network(a["mean"], a["scale"], layers)
        return self


def add_typer(nlp, train: Sequence[Gold], vectors, *, project_labels: set[str],
              label_map: Mapping[str, str | None], seed: int = 0, should_cancel: ShouldCancel | None = None) -> int:
    """Put a typer trained on ``train`` at the end of ``nlp``, which ``learning.fine_tune`` has just
    trained on the same articles, replacing any it had; returns how many entities it learnt from
    (0: none was added)."""
    from . import labels as label_set

    if NAME in nlp.pipe_names:
        nlp.remove_pipe(NAME)
    becomes = {m: label_set.map_label(m, project_labels, label_map) for m in nlp.get_pipe("ner").labels}
    makers = [name for name in nlp.pipe_names if "doc.tensor" in nlp.get_pipe_meta(name).assigns]
    with nlp.select_pipes(enable=makers):  # the context vectors only: the typer learns from the reviewed entities
        docs = list(nlp.pipe([g.text for g in train], batch_size=32))
    typer = nlp.add_pipe(FACTORY, name=NAME, last=True)
    speakers = nlp.meta["annotator_training"]["speakers"]
    learnt = typer.fit(docs, [g.spans for g in train], vectors, becomes, speakers, seed, should_cancel)
    if not learnt:
        nlp.remove_pipe(NAME)
    return learnt


def make_typer(nlp, name: str) -> SpanTyper:
    return SpanTyper(nlp, name)


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, assigns=["doc.ents"], requires=["doc.ents", "doc.tensor"], func=make_typer)


_register()
