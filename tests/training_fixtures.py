"""Small, real training data for the model-version tests: a tiny NER pipeline and projects of
accepted articles, so a training run takes seconds (no mocks)."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.training import Example

from annotator.importing import import_into_project

PEOPLE = ["Alice Brown", "Boris Petrov", "Chen Wei", "Dara Singh", "Emil Novak", "Fatima Khan", "Gustav Berg",
          "Hana Sato", "Ivan Horvat", "Jana Kral", "Kofi Mensah", "Lena Vogel", "Marco Rossi", "Nadia Haddad"]
PLACES = ["Paris", "Lagos", "Oslo", "Lima", "Seoul", "Cairo", "Quito", "Hanoi", "Dakar", "Riga", "Accra", "Sofia",
          "Tunis", "Minsk"]


def sentence(i: int, person_label: str = "PERSON", verb: str = "flew") -> dict:
    """'Alice Brown flew to Paris on Monday.' with its two entities."""
    person, place = PEOPLE[i % len(PEOPLE)], PLACES[(i * 5 + 3) % len(PLACES)]
    text = f"{person} {verb} to {place} on Monday."
    start = text.index(place)
    return {"text": text, "spans": [{"start": 0, "end": len(person), "label": person_label},
                                    {"start": start, "end": start + len(place), "label": "GPE"}]}


def tiny_model(path: Path, *, trained_on: list[dict] = (), iterations: int = 30) -> str:
    """A blank English pipeline with an entity recognizer knowing PERSON and GPE, trained on
    ``trained_on`` (records as ``sentence`` makes them): it predicts those well and little else."""
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "GPE"):
        ner.add_label(label)
    spacy.util.fix_random_seed(0)
    examples = [Example.from_dict(nlp.make_doc(r["text"]), {"entities": [(s["start"], s["end"], s["label"]) for s in r["spans"]]})
                for r in trained_on]
    optimizer = nlp.initialize(lambda: examples) if examples else nlp.initialize()
    for _ in range(iterations if examples else 0):
        nlp.update(examples, sgd=optimizer, drop=0.1)
    nlp.meta["name"] = "tiny"
    nlp.meta["version"] = "0.1.0"
    nlp.to_disk(path)
    return str(path)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def accepted_project(folder: Path, model: str, records: list[dict], *, pending: list[dict] = (),
                     name: str = "news.db") -> Path:
    """A project whose model is ``model``, with ``records`` accepted (their spans confirmed) and
    ``pending`` as plain pending articles."""
    tasks = [{**r, "answer": "accept", "_annotator_id": "alice", "_timestamp": 1764171263} for r in records]
    tasks += [{"text": r["text"]} for r in pending]
    source = write_jsonl(folder / f"{name}.import.jsonl", tasks)
    project = folder / name
    import_into_project(project, [source], labels=["PERSON", "GPE"], model=model)
    return project


def ruler_model(path: Path) -> str:
    """Another model (no entity recognizer to train): an entity ruler that finds 'Oslo'."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Oslo"}])
    nlp.meta["name"] = "ruler"
    nlp.to_disk(path)
    return str(path)
