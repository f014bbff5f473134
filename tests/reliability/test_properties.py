"""Property-based tests: offsets stay exact for any Unicode text and any line endings,
and undo/redo walks exactly back and forth through the recorded states."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from annotator import offsets
from annotator.characters import is_blank
from annotator.errors import EditError, InputError
from annotator.labels import check_name, make_labels
from annotator.store import AnnotationStore

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that break naive offset code: astral characters (two UTF-16 units), CJK, combining
# marks, every line-ending convention, tabs, Unicode line/paragraph separators, BOM, markup.
PIECES = [
    "😀", "👩\u200d💻", "𝐀𝐁", "中文字", "日本語", "e\u0301", "a\u0308\u0301", "\r\n", "\r", "\n", "\n\n",
    "\t", " ", "  ", "\u2028", "\u2029", "\u00a0", "\ufeff", "\u200b", "Ada", "Lovelace", "U.S.", "don't",
    "<b>", "&amp;", "\"", "'", "-", "...", "1,000", "\x0b", "\x0c", "\x85",
]
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(CHARS, min_size=1, max_size=6)), min_size=1, max_size=25).map("".join)


@st.composite
def text_and_spans(draw, min_spans=0, max_spans=6, on_tokens=False):
    """A text and sorted, non-overlapping, non-empty spans inside it (``on_tokens``: on token boundaries,
    as import and export require by default; see annotator/alignment.py)."""
    text = draw(texts)
    if on_tokens:
        from annotator.tokens import tokenize

        tokens = tokenize(text)
        picks = sorted(draw(st.lists(st.integers(0, max(len(tokens) - 1, 0)), max_size=2 * max_spans))) if tokens else []
        spans, last = [], -1
        for first, final in zip(picks[::2], picks[1::2]):
            if first > last:
                spans.append((tokens[first][0], tokens[final][1]))
                last = final
        assume(len(spans) >= min_spans)
        return text, spans
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=2 * max_spans))))
    pairs = list(zip(cuts[::2], cuts[1::2]))
    spans = [(s, e) for s, e in pairs if s < e]
    assume(len(spans) >= min_spans)
    return text, spans


label_names = st.one_of(
    st.sampled_from(["PERSON", "my label", 'say "hi"', "it's", "DROP TABLE articles;--", "😀 emoji", "<b>x</b>", "ORG"]),
    st.text(CHARS, min_size=1, max_size=20),
).filter(lambda n: _valid_label(n))


def _valid_label(name: str) -> bool:
    """A name check_name keeps as it is (it trims and NFC-normalises the rest)."""
    try:
        return check_name(name) == name
    except InputError:
        return False


# ------------------------------------------------------------------ store round trip
@SETTINGS
@given(
    articles=st.lists(text_and_spans(), min_size=1, max_size=4),
    labels=st.lists(label_names, min_size=1, max_size=4, unique=True),
    data=st.data(),
)
def test_store_round_trip_keeps_text_and_offsets_exact(articles, labels, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.db"
        store = AnnotationStore.open(path, create=True, annotator="ada")
        try:
            store.add_labels(make_labels(labels))
            records = [{"text": t, "title": t[:10], "meta": {"t": t, "nested": {"list": [t, 1, None]}}} for t, _ in articles]
            ids, duplicates = store.add_articles(records)
            distinct = {t for t, _ in articles}
            assert duplicates == len(articles) - len(distinct)
            expected = {}
            for article_id, (text, spans) in zip(ids, articles):
                if article_id is None:
                    continue
                chosen = [(s, e, data.draw(st.sampled_from(labels))) for s, e in spans]
                for s, e, label in chosen:
                    entity, _ = store.add_entity(article_id, s, e, label)
                    assert (entity.start, entity.end, entity.label) == (s, e, label)
                expected[article_id] = (text, chosen)
        finally:
            store.close()

        store = AnnotationStore.open(path, annotator="ada")  # read back from disk
        try:
            seen = {}
            for article, entities, _tokens in store.iter_articles():
                seen[article.id] = (article.text, [(e.start, e.end, e.label) for e in entities])
                assert article.text.encode("utf-8") == expected[article.id][0].encode("utf-8")
                assert article.meta == {"t": article.text, "nested": {"list": [article.text, 1, None]}}
                for e in entities:
                    assert article.text[e.start:e.end] == expected[article.id][0][e.start:e.end]
            assert seen == expected
            for article_id, (text, chosen) in expected.items():
                assert [(e.start, e.end, e.label) for e in store.entities(article_id)] == chosen
            assert {label.name for label in store.labels()} == set(labels)
        finally:
            store.close()


@SETTINGS
@given(text=texts, data=st.data())
def test_store_refuses_bad_spans_without_changing_anything(text, data):
    store = AnnotationStore.memory()
    try:
        store.add_labels(make_labels(["PERSON"]))
        (article_id,), _ = store.add_articles([{"text": text}])
        n = len(text)
        start = data.draw(st.integers(-3, n + 3))
        end = data.draw(st.integers(-3, n + 3))
        valid = 0 <= start < end <= n
        if valid:
            store.add_entity(article_id, start, end, "PERSON")
            assert len(store.entities(article_id)) == 1
        else:
            try:
                store.add_entity(article_id, start, end, "PERSON")
            except EditError as e:
                assert str(e)
            else:
                raise AssertionError(f"span {start}-{end} accepted on a text of {n} characters")
            assert store.entities(article_id) == []
            assert store.undo_status().undo is None
    finally:
        store.close()


# ------------------------------------------------------------------ snapping
def _regex_tokens(text):
    import re

    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _spacy_tokens(text):
    from annotator.tokens import tokenize

    return tokenize(text)


def _check_snap(text, tokens, start, end):
    result = offsets.snap(start, end, tokens)
    lo, hi = min(start, end), max(start, end)
    if lo < hi:
        touched = [t for t in tokens if t[0] < hi and lo < t[1]]
    else:
        touched = [t for t in tokens if t[0] < lo < t[1]]
    if not touched:
        assert result is None
        return
    assert result == (touched[0][0], touched[-1][1])
    s, e = result
    assert s < e
    for ts, te in tokens:  # never cuts a token: each is wholly inside or wholly outside
        assert (s <= ts and te <= e) or te <= s or e <= ts, f"{(s, e)} cuts token {(ts, te)}"
    # Covers the selection: every selected character that belongs to a token is inside.
    for i in range(lo, hi):
        if any(ts <= i < te for ts, te in tokens):
            assert s <= i < e


@SETTINGS
@given(text=texts, data=st.data())
def test_snap_never_cuts_a_token_and_covers_the_selection(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(0, len(text)))
    _check_snap(text, _regex_tokens(text), start, end)
    _check_snap(text, _spacy_tokens(text), start, end)


@SETTINGS
@given(text=texts, data=st.data())
def test_step_end_and_step_start_stay_on_token_boundaries(text, data):
    tokens = _spacy_tokens(text)
    assume(tokens)
    i = data.draw(st.integers(0, len(tokens) - 1))
    j = data.draw(st.integers(i, len(tokens) - 1))
    delta = data.draw(st.integers(-4, 4))
    start, end = tokens[i][0], tokens[j][1]
    assert offsets.step_end(start, end, tokens, delta) == (start, tokens[max(i, min(len(tokens) - 1, j + delta))][1])
    assert offsets.step_start(start, end, tokens, delta) == (tokens[max(0, min(j, i + delta))][0], end)


@SETTINGS
@given(text=texts)
def test_spacy_tokens_are_ordered_disjoint_and_inside_the_text(text):
    tokens = _spacy_tokens(text)
    for (s, e), nxt in zip(tokens, tokens[1:] + [(len(text), len(text))]):
        assert 0 <= s < e <= nxt[0] <= len(text)


# ------------------------------------------------------------------ UTF-16
@SETTINGS
@given(text=texts)
def test_utf16_converters_are_inverse(text):
    table = offsets.utf16_prefix(text)
    assert table[-1] == len(text.encode("utf-16-le")) // 2
    for i in range(len(text) + 1):
        pos = offsets.index_to_utf16(text, i)
        assert pos == table[i] == len(text[:i].encode("utf-16-le")) // 2
        assert offsets.utf16_to_index(text, pos) == i
    for pos in range(table[-1] + 1):
        i = offsets.utf16_to_index(text, pos)
        # a position inside a surrogate pair rounds down to the character's start
        assert offsets.index_to_utf16(text, i) == pos or (offsets.index_to_utf16(text, i) == pos - 1 and ord(text[i]) > 0xFFFF)


# ------------------------------------------------------------------ undo / redo
ARTICLES = [
    "Ada Lovelace met Charles Babbage in London.\r\nThey wrote 😀 notes.",
    "中文 text with e\u0301 and 𝐀𝐁 in Paris\rthen Rome\nthen Oslo.",
    "Short one.",
]


class UndoRedoMachine(RuleBasedStateMachine):
    """Random decisions, undos, redos and restarts against a model of the history.

    After every undo the project must equal, row for row, the state recorded
    before the undone decision; after every redo the state recorded after it.
    """

    @initialize()
    def setup(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = Path(self.tmp.name) / "undo.db"
        self.store = AnnotationStore.open(self.path, create=True, annotator="ada")
        self.store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
        self.ids, _ = self.store.add_articles([{"text": t} for t in ARTICLES])
        source = self.store.source_id("model", "test", "1")
        self.store.save_suggestions(source, [
            (self.ids[0], [(0, 12, "PERSON", 0.9), (17, 32, "PERSON", None), (36, 42, "GPE", 0.5)], None),
            (self.ids[1], [(0, 2, "GPE", None), (30, 35, "GPE", 0.7)], None),
        ])
        self.store.start_session()
        self.history = [self.snapshot()]
        self.position = 0

    def teardown(self):
        if hasattr(self, "store"):
            self.store.close()
            self.tmp.cleanup()

    def snapshot(self):
        conn = self.store.conn
        return (
            conn.execute("SELECT * FROM annotations ORDER BY id").fetchall(),
            conn.execute("SELECT id, status, annotator, decided_at FROM articles ORDER BY id").fetchall(),
            {a: self.store.entities(a) for a in self.ids},
            self.store.counts(),
        )

    def events(self):
        return self.store.conn.execute("SELECT count(*) FROM events").fetchone()[0]

    def decide(self, fn):
        before_events, before = self.events(), self.snapshot()
        try:
            fn()
        except EditError:
            assert self.snapshot() == before and self.events() == before_events
            return
        if self.events() == before_events:  # nothing changed, nothing recorded
            assert self.snapshot() == before
            return
        self.history = self.history[: self.position + 1] + [self.snapshot()]
        self.position += 1

    def all_entities(self):
        return [e for a in self.ids for e in self.store.entities(a)]

    # decisions
    @rule(data=st.data(), which=st.integers(0, 2), label=st.sampled_from(["PERSON", "ORG", "GPE"]))
    def add(self, data, which, label):
        n = len(ARTICLES[which])
        start = data.draw(st.integers(0, n - 1))
        end = data.draw(st.integers(start + 1, n))
        self.decide(lambda: self.store.add_entity(self.ids[which], start, end, label))

    @precondition(lambda self: self.all_entities())
    @rule(data=st.data(), action=st.sampled_from(["remove", "confirm", "relabel", "resize"]))
    def edit(self, data, action):
        entity = data.draw(st.sampled_from(self.all_entities()))
        if action == "remove":
            self.decide(lambda: self.store.remove_entity(entity.id))
        elif action == "confirm":
            self.decide(lambda: self.store.confirm_entity(entity.id))
        elif action == "relabel":
            label = data.draw(st.sampled_from(["PERSON", "ORG", "GPE"]))
            self.decide(lambda: self.store.relabel_entity(entity.id, label))
        else:
            n = len(ARTICLES[self.ids.index(entity.article_id)])
            start = data.draw(st.integers(0, n - 1))
            end = data.draw(st.integers(start + 1, n))
            self.decide(lambda: self.store.resize_entity(entity.id, start, end))

    @rule(which=st.integers(0, 2), verb=st.sampled_from(["accept", "reject", "skip", "reopen"]))
    def article_decision(self, which, verb):
        self.decide(lambda: getattr(self.store, verb)(self.ids[which]))

    # history
    @rule()
    def undo(self):
        changes = self.store.undo()
        if self.position == 0:
            assert changes is None
        else:
            assert changes is not None
            self.position -= 1
        assert self.snapshot() == self.history[self.position]

    @rule()
    def redo(self):
        changes = self.store.redo()
        if self.position == len(self.history) - 1:
            assert changes is None
        else:
            assert changes is not None
            self.position += 1
        assert self.snapshot() == self.history[self.position]

    @rule()
    def restart(self):
        """Close and reopen the project: the history is in the file, not in memory."""
        self.store.close()
        self.store = AnnotationStore.open(self.path, annotator="ada")
        assert self.snapshot() == self.history[self.position]

    @invariant()
    def undo_status_matches_the_model(self):
        if not hasattr(self, "store"):
            return
        status = self.store.undo_status()
        assert (status.undo is not None) == (self.position > 0)
        assert (status.redo is not None) == (self.position < len(self.history) - 1)


UndoRedoMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
test_undo_redo_returns_exactly_to_recorded_states = UndoRedoMachine.TestCase


# ------------------------------------------------------------------ import -> export
@SETTINGS
@given(
    articles=st.lists(text_and_spans(on_tokens=True), min_size=1, max_size=5, unique_by=lambda a: a[0]),
    label=label_names,
    ascii_json=st.booleans(),
    data=st.data(),
)
def test_import_then_export_keeps_text_and_spans_exact(articles, label, ascii_json, data):
    """JSONL and .txt in, accept, JSONL out: the same text byte for byte, the same spans."""
    import json

    from annotator.exporting import export_jsonl
    from annotator.importing import import_files

    assume(not any(is_blank(t) for t, _ in articles))  # a text with nothing visible is refused as empty
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        as_txt = data.draw(st.lists(st.booleans(), min_size=len(articles), max_size=len(articles)))
        # A .txt file's leading byte-order mark is an encoding marker, not text: it is dropped.
        imported = [t[1:] if txt and t.startswith("\ufeff") else t for (t, _), txt in zip(articles, as_txt)]
        assume(not any(is_blank(t) for t in imported) and len(set(imported)) == len(imported))
        lines, files = [], []
        for i, ((text, spans), txt) in enumerate(zip(articles, as_txt)):
            if txt:  # a .txt file carries no spans; its bytes are the text
                path = tmp / f"{i:03}.txt"
                path.write_bytes(text.encode("utf-8"))
                files.append(path)
            else:
                record = {"text": text, "meta": {"i": i}, "spans": [{"start": s, "end": e, "label": label} for s, e in spans]}
                lines.append(json.dumps(record, ensure_ascii=ascii_json))
        if lines:
            (tmp / "in.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
            files.append(tmp / "in.jsonl")
        store = AnnotationStore.memory()
        try:
            store.add_labels(make_labels([label]))
            report = import_files(store, files)
            assert report.added == len(articles)
            for article, _, _ in list(store.iter_articles()):
                store.accept(article.id)
            out = tmp / "out.jsonl"
            assert export_jsonl(store, out) == len(articles)
            exported = {}
            for raw in out.read_bytes().split(b"\n")[:-1]:
                task = json.loads(raw)
                exported[task["text"]] = task
            expected = {t: (s, txt) for t, (_, s), txt in zip(imported, articles, as_txt)}
            assert set(exported) == set(expected)
            for text, task in exported.items():
                spans, txt = expected[text]
                assert task["text"].encode("utf-8") == text.encode("utf-8")
                got = [(s["start"], s["end"], s["label"]) for s in task["spans"]]
                assert got == ([] if txt else [(s, e, label) for s, e in spans])
                tokens = task["tokens"]
                for tok in tokens:
                    assert text[tok["start"]:tok["end"]] == tok["text"]
                for s in task["spans"]:
                    touched = [t["id"] for t in tokens if t["start"] < s["end"] and s["start"] < t["end"]]
                    assert s["token_start"] <= s["token_end"]
                    if touched:  # the first and last token the span touches (Prodigy's inclusive indices)
                        assert (s["token_start"], s["token_end"]) == (touched[0], touched[-1])
        finally:
            store.close()
