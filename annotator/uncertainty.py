"""How sure the model is of an article's suggestions, for the "least sure first" review order.

spaCy's transition-based NER gives no scores with ``doc.ents``. It reads a text token by
token and, at each step, scores every action (begin an entity of a label, continue it, end it,
outside...) and takes the best valid one. ``scored_pipe`` runs that same greedy parse step by
step from Python (``ner.model.predict`` for the step scores, ``ner.transition_states`` to take
the actions, as spaCy's own loop does), so the entities are exactly the usual ones, and keeps
each token's confidence: the softmax probability of the best-scored action at its step (the
lowest, when a token saw several steps).

- A suggested span's score (``suggestions.score``) is the lowest confidence of its tokens.
- The article's certainty is its least sure token's confidence (a piece of a long article
  counts as part of it); its uncertainty is 1 minus that. Every decision counts, "no entity
  here" included, whatever the label map keeps.

Why not spaCy's beam (``ner.beam_parse`` + ``ner.scored_ents``): it runs the NER a second time
(1.5-2.5 times the suggesting time at width 2-4, measured), and its parses of a greedily trained
pipeline like en_core_web_sm part from the greedy one: on 40 WikiGold documents, 31 held a
suggested entity that no parse of a width-4 beam held (probability 0). Measured here, the
step-by-step parse costs what spaCy's own greedy loop does, so ``annotator suggest`` scores
every article it suggests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy


def scorers(nlp) -> set[str]:
    """The enabled components whose greedy parse can be scored (spaCy's "ner")."""
    return {
        name for name, component in getattr(nlp, "pipeline", ())  # a stand-in pipeline may have none
        if hasattr(component, "transition_states") and hasattr(component, "moves") and hasattr(component, "model")
    }


def scored_pipe(nlp, stream: Iterable[tuple[str, Any]], batch_size: int) -> Iterator[tuple[Any, Any, numpy.ndarray]]:
    """``nlp.pipe(stream, as_tuples=True)``, with each doc's per-token confidence (1 where no
    scoring component decided anything)."""
    import numpy
    from spacy.util import minibatch

    scoring = scorers(nlp)
    for batch in minibatch(stream, batch_size):
        docs = [nlp.make_doc(text) for text, _ in batch]
        confidence = [numpy.ones(len(doc), dtype="f") for doc in docs]
        for name, component in nlp.pipeline:
            if name in scoring:
                _parse(component, docs, confidence)
            else:
                docs = list(component.pipe(docs)) if hasattr(component, "pipe") else [component(doc) for doc in docs]
        for doc, (_, context), sure in zip(docs, batch, confidence):
            yield doc, context, sure


def _parse(ner, docs: list, confidence: list[numpy.ndarray]) -> None:
    """``ner``'s greedy parse of ``docs`` (entities set as ``ner.pipe`` sets them), lowering each
    token's confidence to that of the steps taken on it."""
    import numpy

    states = ner.moves.init_batch(docs)
    todo = [(i, state) for i, state in enumerate(states) if not state.is_final()]
    if not todo:
        ner.set_annotations(docs, states)
        return
    model = ner.model.predict(docs)
    try:
        while todo:
            scores = numpy.ascontiguousarray(model.ops.to_numpy(model.predict([state for _, state in todo])), dtype="f")
            exp = numpy.exp(scores - scores.max(axis=1, keepdims=True))
            best = exp.max(axis=1) / exp.sum(axis=1)
            for row, (i, state) in enumerate(todo):
                token = state.B(0)
                if 0 <= token < len(confidence[i]) and best[row] < confidence[i][token]:
                    confidence[i][token] = best[row]
            unfinished = {id(state) for state in ner.transition_states([state for _, state in todo], scores)}
            todo = [(i, state) for i, state in todo if id(state) in unfinished]
    finally:
        model.clear_memory()
    ner.set_annotations(docs, states)


def span_score(confidence: numpy.ndarray, start: int, end: int) -> float:
    """A span's score from its tokens' (token offsets, end exclusive)."""
    return float(confidence[start:end].min()) if end > start else 1.0


def certainty(confidence: numpy.ndarray) -> float:
    return float(confidence.min()) if len(confidence) else 1.0
