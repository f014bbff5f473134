"""Deterministic, news-like articles for the benchmarks.

``article(i, seed)`` always returns the same article for the same ``(i, seed)``,
independently of every other index, so a 500-article smoke corpus is the
prefix of the 100,000-article one. Each article is about 2,000 characters of
sentences full of capitalised names, places, organisations, dates, numbers,
amounts and percentages, with non-ASCII text (“curly quotes”, accents, emoji
outside the Basic Multilingual Plane) and a unique reference so that
de-duplication by content hash keeps every one.

Besides the text, the generator returns where it put the entities (the spans a
model would plausibly suggest) and a simple tokenisation, so benchmark projects
can be given realistic suggestions without running spaCy on 100,000 articles.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEED = 20240611
ARTICLE_CHARS = 2000

FIRST = [
    "Anna", "José", "Zoë", "Björn", "Chloé", "Søren", "François", "Łukasz", "Maria", "Ahmed",
    "Yuki", "Olusegun", "Priya", "Mateo", "Ingrid", "Kwame", "Élodie", "Rafael", "Siobhán", "Wei",
    "Hannah", "Dmitri", "Amara", "Lars", "Fatima", "Tomás", "Ngozi", "Giulia", "Hiroshi", "Nadia",
]
LAST = [
    "Müller", "García", "O'Brien", "Nguyen", "Okafor", "Dubois", "Kowalski", "Rossi", "Tanaka", "Haddad",
    "Johansson", "Mensah", "Fernández", "Schmidt", "Novak", "Adeyemi", "Lefèvre", "Petrov", "Sato", "Costa",
    "Van der Berg", "Ó Súilleabháin", "Brontë", "Andersen", "Moreau", "Papadopoulos", "Kim", "Silva",
]
PLACES = [
    "São Paulo", "Zürich", "Kraków", "Reykjavík", "Montréal", "New York", "Lagos", "Nairobi", "Málaga",
    "Düsseldorf", "Bogotá", "Hanoi", "Cape Town", "Lyon", "Gdańsk", "Tromsø", "Istanbul", "Jakarta",
    "Québec", "Brussels", "Lisbon", "Osaka", "Accra", "Valparaíso", "Córdoba", "Göteborg", "Mumbai",
]
ORGS = [
    "the European Central Bank", "Acme Holdings", "the World Health Organization", "Société Générale",
    "Nordic Rail", "the United Nations", "Banco do Brasil", "Siemens", "the Red Cross", "Lufthansa",
    "the Ministry of Finance", "Crédit Agricole", "Tata Steel", "the University of Oxford", "Nestlé",
    "the International Monetary Fund", "Petrobras", "the Federal Reserve", "Médecins Sans Frontières",
    "Orbit Telecom", "the African Union", "Volvo", "Île-de-France Mobilités", "Samsung Electronics",
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TOPICS = [
    "the budget", "the merger", "the vaccine programme", "the rail strike", "the election",
    "the new stadium", "the trade agreement", "the flood defences", "the pension reform",
    "the data breach", "the wind farm", "the housing plan", "the port expansion",
]
VERBS = ["said", "told reporters", "announced", "warned", "confirmed", "insisted", "added", "wrote"]
QUOTES = [
    "We will not back down", "This is a turning point for everyone", "The numbers speak for themselves",
    "Nobody expected it to happen so fast", "It’s a good day — finally", "We need more time",
    "Our customers deserve better", "The décor was the least of our worries",
]
EMOJI = ["👍", "🌍", "🚆", "📈", "🇫🇷", "🎉", "🙏", "⚽"]

# (template, slots): {P} person, {L} place, {O} organisation, {D} date, {N} number,
# {M} money, {C} percentage, {T} topic, {V} verb, {Q} quote, {W} weekday.
TEMPLATES = [
    "{P} of {O} {V} on {W} that {T} in {L} would cost {M}.",
    "In {L}, {P} met {P} to discuss {T} on {D}.",
    "“{Q},” {P} {V}, speaking in {L}.",
    "Shares in {O} rose {C} after {P} {V} the results on {D}.",
    "{O} and {O} signed a deal worth {M} in {L} on {W}.",
    "About {N} people gathered in {L} on {D}, according to {O}.",
    "{P}, a spokesperson for {O}, {V} that {T} was “on track”.",
    "The plan, first reported by {O} in {L}, affects {N} households.",
    "By {D}, unemployment in {L} had fallen {C}, {P} {V}.",
    "{P} {V}: “{Q}.” {O} declined to comment.",
    "Officials in {L} and {L} expect {T} to be finished by {D}.",
    "Last {W}, {P} flew from {L} to {L} to meet {O}.",
    "{O} reported revenue of {M}, up {C} on the year.",
    "Critics, including {P} and {P}, said {T} ignored {L}.",
    "Fans reacted online with {E} after {P} scored twice in {L}.",
]
_SLOT = re.compile(r"\{([A-Z])\}")
_LABEL = {"P": "PERSON", "L": "GPE", "O": "ORG", "D": "DATE", "N": "CARDINAL", "M": "MONEY", "C": "PERCENT", "W": "DATE"}
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class GenArticle:
    text: str
    title: str
    meta: dict
    spans: list[tuple[int, int, str]]  # (start, end, label), code points, sorted, non-overlapping

    def record(self) -> dict:
        """The JSONL line: text and metadata (the title travels in meta too)."""
        return {"text": self.text, "meta": self.meta}

    def tokens(self) -> list[tuple[int, int]]:
        return tokenize(self.text)


def tokenize(text: str) -> list[tuple[int, int]]:
    """A cheap stand-in for spaCy's tokeniser: words and single punctuation marks."""
    return [m.span() for m in _TOKEN.finditer(text)]


def _fill(rng: random.Random, slot: str) -> str:
    if slot == "P":
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if slot == "L":
        return rng.choice(PLACES)
    if slot == "O":
        name = rng.choice(ORGS)
        return name[4:] if name.startswith("the ") else name
    if slot == "D":
        return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(1990, 2025)}"
    if slot == "W":
        return rng.choice(DAYS)
    if slot == "N":
        return f"{rng.randint(2, 98_000):,}"
    if slot == "M":
        return rng.choice(["€", "$", "£", "R$", "¥"]) + f"{rng.randint(1, 999)}.{rng.randint(0, 9)} million"
    if slot == "C":
        return f"{rng.randint(1, 40)}.{rng.randint(0, 9)}%"
    if slot == "T":
        return rng.choice(TOPICS)
    if slot == "V":
        return rng.choice(VERBS)
    if slot == "Q":
        return rng.choice(QUOTES)
    if slot == "E":
        return rng.choice(EMOJI)
    raise KeyError(slot)


def _sentence(rng: random.Random, out: list[str], pos: int, spans: list) -> int:
    template = rng.choice(TEMPLATES)
    last = 0
    for m in _SLOT.finditer(template):
        chunk = template[last : m.start()]
        out.append(chunk)
        pos += len(chunk)
        value = _fill(rng, m.group(1))
        out.append(value)
        label = _LABEL.get(m.group(1))
        if label is not None:
            spans.append((pos, pos + len(value), label))
        pos += len(value)
        last = m.end()
    chunk = template[last:]
    out.append(chunk)
    return pos + len(chunk)


def body(rng: random.Random, chars: int, first_pos: int = 0) -> tuple[str, list[tuple[int, int, str]]]:
    """Paragraphs of sentences until about ``chars`` characters."""
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = first_pos
    sentences_in_paragraph = 0
    while pos - first_pos < chars:
        if sentences_in_paragraph:
            sep = "\n\n" if sentences_in_paragraph >= rng.randint(3, 5) else " "
            out.append(sep)
            pos += len(sep)
            if sep != " ":
                sentences_in_paragraph = 0
        pos = _sentence(rng, out, pos, spans)
        sentences_in_paragraph += 1
    return "".join(out), spans


def article(i: int, seed: int = SEED, chars: int = ARTICLE_CHARS) -> GenArticle:
    rng = random.Random(seed * 1_000_003 + i)
    place = rng.choice(PLACES)
    topic = rng.choice(TOPICS)
    title = f"{place}: {topic[0].upper()}{topic[1:]} under scrutiny ({i})"
    dateline = f"{place.upper()}, {rng.randint(1, 28)} {rng.choice(MONTHS)} — "
    text_body, spans = body(rng, chars - len(dateline) - 40, first_pos=len(dateline))
    ref = f"\n\nRef. {seed % 1000:03d}-{i:07d}"
    text = dateline + text_body + ref
    meta = {"id": f"news-{i:07d}", "title": title, "source": rng.choice(["Wire", "Courier", "Le Journal", "Daily Ørsted"]),
            "published": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
    return GenArticle(text, title, meta, spans)


def long_article(chars: int, entities: int, seed: int = SEED) -> GenArticle:
    """One article of exactly ``chars`` characters with exactly ``entities`` entity spans."""
    rng = random.Random(seed + chars * 7 + entities)
    text, spans = body(rng, chars + 200)
    cut = text.rfind(" ", 0, chars)
    text = text[:cut] + "." + "x" * (chars - cut - 1)
    spans = [s for s in spans if s[1] <= cut]
    if len(spans) < entities:
        raise ValueError(f"only {len(spans)} entities fit in {chars} characters; ask for fewer")
    step = len(spans) / entities
    chosen = [spans[int(k * step)] for k in range(entities)]
    return GenArticle(text, f"Long read ({chars:,} characters)", {"id": f"long-{chars}"}, chosen)


def iter_articles(n: int, seed: int = SEED) -> Iterator[GenArticle]:
    for i in range(n):
        yield article(i, seed)


def write_jsonl(path: Path, n: int, seed: int = SEED) -> Path:
    """Write ``n`` articles as JSONL (atomically), unless an identical file is already there."""
    path = Path(path)
    stamp = path.with_suffix(path.suffix + ".done")
    if path.exists() and stamp.exists() and stamp.read_text() == f"{n} {seed}":
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as f:
        for a in iter_articles(n, seed):
            f.write(json.dumps(a.record(), ensure_ascii=False))
            f.write("\n")
    os.replace(tmp, path)
    stamp.write_text(f"{n} {seed}")
    return path


if __name__ == "__main__":  # a quick look: python -m benchmarks.datagen
    a = article(0)
    print(a.text)
    print(len(a.text), "chars,", len(a.spans), "entities,", len(a.tokens()), "tokens")
    for s, e, label in a.spans[:8]:
        print(f"  {label:9} {a.text[s:e]!r}")


def write_spans_jsonl(path: Path, n: int) -> Path:
    """One article of ``n`` one-character spans ("a a a ...", every "a" a span): the import that was
    quadratic (issue 9)."""
    spans = [{"start": 2 * i, "end": 2 * i + 1, "label": "X"} for i in range(n)]
    path.write_text(json.dumps({"text": "a " * n, "spans": spans}) + "\n", encoding="utf-8")
    return path
