"""Import of .txt files, folders and JSONL: content stored exactly, and every error path."""

import json
import sqlite3
import tracemalloc

import pytest

from annotator.errors import Cancelled, InputError, ProjectError
from annotator.formats import ReadOptions
from annotator.importing import guess_title, import_files, import_into_project, read_jsonl
from annotator.labels import make_labels, sort_names
from annotator.model import EntityState
from annotator.store import AnnotationStore
from annotator.suggest import DEFAULT_MODEL, model_labels

ARTICLE = "Kremlin Denies Signing Agreements\nMoscow, Tuesday.\r\nVladimir Putin met Kim Jong Un.\n"


@pytest.fixture
def labelled(store):
    store.add_labels(make_labels(["PERSON", "ORG", "GPE"]))
    return store


def write_jsonl(path, *objects):
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects), "utf-8")
    return path


def snapshot(store):
    """Everything a failed import must leave untouched."""
    tables = ("articles", "labels", "sources", "suggestions", "annotations", "settings", "events")
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


# ------------------------------------------------------------------- .txt
def test_txt_is_stored_exactly_with_its_title(store, tmp_path):
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode("utf-8"))
    report = import_files(store, [tmp_path / "a.txt"])
    assert (report.added, report.duplicates, report.files) == (1, 0, 1)
    article = store.article(1)
    assert article.text == ARTICLE  # "\r\n" kept: offsets are into the file as read
    assert article.title == "Kremlin Denies Signing Agreements"
    assert article.meta == {"file": "a.txt"}


@pytest.mark.parametrize("text, title", [
    ("Headline without a period\nBody text.", "Headline without a period"),
    ("  Indented headline  \r\nBody.", "Indented headline"),
    ("The first sentence ends here.\nMore text.", None),
    ("Only one line and no body", None),
    ("Headline\n\n   \n", None),
    ("x" * 300 + "\nBody.", None),
])
def test_title_is_the_first_line_only_when_it_looks_like_one(text, title):
    assert guess_title(text) == title


def test_byte_order_mark_is_dropped_silently(store, tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfTitle\nBody with \xc3\xa9.")
    import_files(store, [tmp_path / "bom.txt"])
    assert store.article(1).text == "Title\nBody with é."


def test_jsonl_byte_order_mark_is_dropped(store, tmp_path):
    (tmp_path / "bom.jsonl").write_bytes(b'\xef\xbb\xbf{"text": "With a BOM"}\n')
    import_files(store, [tmp_path / "bom.jsonl"])
    assert store.article(1).text == "With a BOM"


@pytest.mark.parametrize("name, data, message", [
    ("latin1.txt", "Caf\xe9 au lait".encode("latin-1"), "latin1.txt: not UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.txt: binary data (NUL bytes), expected UTF-8 text"),
    ("empty.txt", b"", "empty.txt: empty file, no text to import"),
    ("blank.txt", b"  \n\t\n", "blank.txt: empty file, no text to import"),
])
def test_unreadable_txt_is_refused_by_name(labelled, tmp_path, name, data, message):
    (tmp_path / "good.txt").write_text("A good article.", "utf-8")
    (tmp_path / name).write_bytes(data)
    before = snapshot(labelled)
    with pytest.raises(InputError) as error:
        import_files(labelled, [tmp_path / "good.txt", tmp_path / name])
    assert str(error.value) == f"{tmp_path / name}: {message.split(': ', 1)[1]}"
    assert snapshot(labelled) == before  # the good file before it was rolled back too


# ---------------------------------------------------------------- folders
def test_folders_are_read_recursively_in_sorted_order(store, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Second article.", "utf-8")
    (tmp_path / "a.txt").write_text("First article.", "utf-8")
    write_jsonl(tmp_path / "b" / "1.jsonl", {"text": "From JSONL."})
    (tmp_path / "notes.md").write_text("not an article", "utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("Hidden.", "utf-8")
    report = import_files(store, [tmp_path])
    assert report.files == 3
    assert [store.article(i).text for i in (1, 2, 3)] == ["First article.", "From JSONL.", "Second article."]
    assert store.article(3).meta == {"file": "b/2.txt"}


def test_missing_paths_and_unknown_files_are_refused(store, tmp_path):
    with pytest.raises(InputError, match="nothing.txt: no such file or folder"):
        import_files(store, [tmp_path / "nothing.txt"])
    (tmp_path / "data.csv").write_text("a,b", "utf-8")
    with pytest.raises(InputError, match=r"data.csv: cannot import this kind of file \(expected .txt, .jsonl, .json, .conll, .iob, .bio, .bilou, .spacy or a folder; --format reads it as one of the formats\)"):
        import_files(store, [tmp_path / "data.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: no .txt, .jsonl, .json, .conll, .iob, .bio, .bilou or .spacy files in this folder"):
        import_files(store, [tmp_path / "empty"])


# ------------------------------------------------------------------ JSONL
def test_jsonl_records_with_meta_title_and_spans_as_suggestions(labelled, tmp_path):
    text = "Putin visited the Kremlin."
    path = write_jsonl(
        tmp_path / "news.jsonl",
        {"text": text, "title": "Visit", "meta": {"source": {"name": "wire", "tags": ["a", 1]}},
         "spans": [{"start": 0, "end": 5, "label": "PERSON"}, {"start": 18, "end": 25, "label": "ORG", "extra": 1}]},
        "",
        {"text": "No spans here."},
    )
    with pytest.raises(InputError, match=r'news.jsonl:1: span key "extra" not understood; nothing imported'):
        import_files(labelled, [path])  # nothing dropped silently: an unknown key is refused...
    assert sum(labelled.counts().values()) == 0
    report = import_files(labelled, [path], options=ReadOptions(ignore_unknown=True))  # ...unless the user says so
    assert (report.added, report.spans, report.spans_as) == (2, 2, "suggestions")
    assert 'ignored: ' in report.summary() and 'span key "extra" not understood' in report.summary()
    article = labelled.article(1)
    assert (article.text, article.title) == (text, "Visit")
    assert article.meta == {"source": {"name": "wire", "tags": ["a", 1]}}
    entities = labelled.entities(1)
    assert [(text[e.start:e.end], e.label, e.state) for e in entities] == [
        ("Putin", "PERSON", EntityState.SUGGESTED), ("Kremlin", "ORG", EntityState.SUGGESTED),
    ]
    assert {e.source for e in entities} == {"from file news.jsonl"}
    assert labelled.article(2).meta == {} and labelled.article(2).title is None


def test_jsonl_spans_as_annotations_are_confirmed(labelled, tmp_path):
    path = write_jsonl(tmp_path / "gold.jsonl", {"text": "Putin spoke.", "spans": [{"start": 0, "end": 5, "label": "PERSON"}]})
    report = import_files(labelled, [path], spans_as="annotations")
    assert report.summary() == "imported 1 article from 1 file (0 duplicates skipped; 1 span as annotations)"
    [entity] = labelled.entities(1)
    assert (entity.start, entity.end, entity.label, entity.state) == (0, 5, "PERSON", EntityState.CONFIRMED)
    assert entity.annotator == "tester"


def test_duplicates_are_skipped_and_reported(labelled, tmp_path):
    labelled.add_articles([{"text": "Already there."}])
    path = write_jsonl(
        tmp_path / "dups.jsonl",
        {"text": "Already there.", "spans": [{"start": 0, "end": 7, "label": "ORG"}]},
        {"text": "New."}, {"text": "New."}, {"text": "New.", "meta": {"other": True}},
    )
    report = import_files(labelled, [path])
    assert (report.added, report.duplicates) == (1, 3)
    assert "3 duplicates skipped" in report.summary()
    assert labelled.entities(1) == []  # a duplicate's spans do not touch the article already there
    assert labelled.article_count() == 2


def test_unknown_labels_are_added_when_asked(labelled, tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", {"text": "Ukraine war", "spans": [{"start": 0, "end": 11, "label": "EVENT 🔥"}]})
    report = import_files(labelled, [path], add_labels=True)
    assert report.labels_added == ["EVENT 🔥"]
    assert [label.name for label in labelled.labels()] == ["PERSON", "ORG", "GPE", "EVENT 🔥"]
    assert labelled.labels()[-1].position == 3


BAD_LINES = [
    ('{"text": "ok"', "malformed JSON (Expecting ',' delimiter; column 14)"),
    ('["text"]', "expected a JSON object, got a list"),
    ('"just a string"', "expected a JSON object, got a string"),
    ('{"title": "no text"}', 'missing "text"'),
    ('{"text": 42}', '"text" must be a string, got a number'),
    ('{"text": null}', '"text" must be a string, got null'),
    ('{"text": "   "}', '"text" is empty'),
    ('{"text": "abc", "meta": [1]}', '"meta" must be an object, got a list'),
    ('{"text": "abc", "title": 3}', '"title" must be a string, got a number'),
    ('{"text": "abc \\ud800"}', '"text" contains an unpaired surrogate escape'),
    ('{"text": "abc", "spans": {"start": 0}}', '"spans" must be a list of {start, end, label} objects, got an object'),
    ('{"text": "abc", "spans": [[0, 1, "ORG"]]}', "span 1 must be an object with start, end and label, got a list"),
    ('{"text": "abc", "spans": [{"start": 0, "label": "ORG"}]}', "span 1 is missing 'end'"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "ORG"}]}', "span 1: span 0-9 is out of range (the text has 3 characters)"),
    ('{"text": "abc", "spans": [{"start": -1, "end": 2, "label": "ORG"}]}', "span 1: span -1-2 has a negative offset"),
    ('{"text": "abc", "spans": [{"start": 2, "end": 1, "label": "ORG"}]}', "span 1: span 2-1 is empty or inverted"),
    ('{"text": "abc", "spans": [{"start": 0.5, "end": 1, "label": "ORG"}]}', "span 1: offsets must be whole numbers"),
    ('{"text": "abcdef", "spans": [{"start": 0, "end": 3, "label": "ORG"}, {"start": 2, "end": 5, "label": "GPE"}]}',
     "spans 0-3 and 2-5 overlap"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "NOPE"}]}',
     "unknown label 'NOPE' (the project has: PERSON, ORG, GPE); pass --add-labels to add it"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "A\\u0007B"}]}', "span 1: label name 'A\\x07B' contains a control character"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": ""}]}', "span 1: label name must be non-empty text"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "OR\\u200bG"}]}',
     "span 1: label name 'OR\\u200bG' contains an invisible character U+200B (ZERO WIDTH SPACE)"),
    ('{"text": "\\u200b\\u2060\\ufeff"}', '"text" is empty (only invisible characters, such as U+200B ZERO WIDTH SPACE)'),
    ('{"text": "abc", "meta": {"x": NaN}}', 'NaN is not valid JSON (write null, or the value as a string "NaN")'),
    ('{"text": "abc", "meta": {"x": [Infinity]}}', "Infinity is not valid JSON"),
    ('{"text": "abc", "meta": {"x": -1e400}}', '"meta" holds a number too large for JSON (like 1e999)'),
    ('{"text": "abc", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"text": "abc", "meta": {"n": -' + "1" * 5000 + "}}", '"meta" holds a number of 5,000 digits, too long to store'),
    ('{"text": "abc", "spans": [{"start": 0, "end": ' + "2" * 4301 + ', "label": "ORG"}]}',
     'span 1 "end" is not a valid offset (a number of 4,301 digits)'),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": ' + "3" * 4400 + "}]}",
     "span 1: label name must be non-empty text, got a number of 4,400 digits"),
]


@pytest.mark.parametrize("line, message", BAD_LINES)
def test_a_bad_line_is_reported_with_file_and_line_and_nothing_is_imported(labelled, tmp_path, line, message):
    labelled.add_articles([{"text": "Existing article."}])
    before = snapshot(labelled)
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "Good first line."}) + "\n\n" + line + "\n", "utf-8")
    with pytest.raises(InputError) as error:
        import_files(labelled, [path], add_labels=False)
    assert str(error.value).startswith(f"{path}:3: {message}")
    assert snapshot(labelled) == before


def test_non_utf8_and_binary_jsonl_lines_name_the_line(store, tmp_path):
    path = tmp_path / "enc.jsonl"
    path.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"enc.jsonl:2: not UTF-8 text \(byte 0xe9 at offset 13\); save it as UTF-8"):
        import_files(store, [path])
    path.write_bytes(b'{"text": "fine"}\n\x00\x01\x02\n')
    with pytest.raises(InputError, match=r"enc.jsonl:2: binary data \(NUL bytes\), expected UTF-8 text"):
        import_files(store, [path])
    assert store.article_count() == 0


def test_an_empty_jsonl_file_imports_nothing(store, tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert import_files(store, [tmp_path / "empty.jsonl"]).added == 0


def test_jsonl_is_read_lazily_line_by_line(tmp_path):
    path = write_jsonl(tmp_path / "lazy.jsonl", {"text": "one"}, {"text": "two"}, "{broken")
    lines = read_jsonl(path)
    assert next(lines)[2].text == "one"
    assert next(lines)[2].text == "two"
    with pytest.raises(InputError, match="lazy.jsonl:3: malformed JSON"):
        next(lines)


def test_memory_stays_flat_for_a_large_file(store, tmp_path):
    path = tmp_path / "big.jsonl"
    body = "word " * 200
    with path.open("w", encoding="utf-8") as f:
        for i in range(20_000):
            f.write(json.dumps({"text": f"{i} {body}", "meta": {"i": i}}) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    report = import_files(store, [path])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.added == 20_000
    assert size > 20_000_000 and peak < size / 10  # batches of 500 lines, never the whole file


def test_an_article_over_the_limit_is_refused_without_reading_its_line_whole(labelled, tmp_path, monkeypatch):
    from annotator import importing

    monkeypatch.setattr(importing, "MAX_ARTICLE_BYTES", 2**20)  # 1 MB here, so the test stays small
    monkeypatch.setattr(importing, "MAX_ARTICLE_MB", 1)
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"text": "Fine."}) + "\n")
        f.write(json.dumps({"text": "word " * (16 * 2**20 // 5)}) + "\n")  # a 16 MB line
    (tmp_path / "big.txt").write_text("word " * (2**20 // 5 + 1), "utf-8")
    before = snapshot(labelled)
    tracemalloc.start()
    with pytest.raises(InputError) as refused:
        import_files(labelled, [path])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(refused.value) == f"{path}:2: article is 16.0 MB; the limit is 1 MB per article (split it into smaller articles)"
    assert peak < 8 * 2**20  # the limit and read buffers, never the 16 MB line (or copies of it)
    with pytest.raises(InputError, match=r"big.txt: article is 1.0 MB; the limit is 1 MB per article"):
        import_files(labelled, [tmp_path / "big.txt"])
    assert snapshot(labelled) == before


def test_cancel_rolls_the_whole_import_back(store, tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Article {i}.", "utf-8")
    calls = []
    with pytest.raises(Cancelled):
        import_files(store, [tmp_path], should_cancel=lambda: calls.append(1) or len(calls) >= 2)
    assert store.article_count() == 0


def test_progress_counts_bytes(store, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", {"text": "a"}, {"text": "b"})
    seen = []
    import_files(store, [path], on_progress=seen.append)
    assert seen[-1].done == seen[-1].total == path.stat().st_size


# ---------------------------------------------------------- project files
def test_a_new_project_takes_given_labels(project_path, tmp_path):
    (tmp_path / "a.txt").write_text("Text.", "utf-8")
    import_into_project(project_path, [tmp_path / "a.txt"], labels=["PER", "ORG", "PER"])
    store = AnnotationStore.open(project_path)
    try:
        assert [(label.name, label.hotkey) for label in store.labels()] == [("PER", "1"), ("ORG", "2")]
    finally:
        store.close()


def test_a_new_project_takes_the_models_labels_without_loading_it(project_path, tmp_path):
    (tmp_path / "a.txt").write_text("Text.", "utf-8")
    import_into_project(project_path, [tmp_path / "a.txt"], model=DEFAULT_MODEL)
    store = AnnotationStore.open(project_path)
    try:
        names = [label.name for label in store.labels()]
        assert names == model_labels(DEFAULT_MODEL) == sort_names(names)
        assert names[:3] == ["PERSON", "ORG", "GPE"] and len(names) == 18
        assert store.setting("model") == DEFAULT_MODEL
    finally:
        store.close()


def test_a_failed_import_removes_the_project_it_created(project_path, tmp_path):
    write_jsonl(tmp_path / "bad.jsonl", {"text": "fine"}, "not json")
    with pytest.raises(InputError, match="bad.jsonl:2: malformed JSON"):
        import_into_project(project_path, [tmp_path / "bad.jsonl"], labels=["ORG"])
    assert list(project_path.parent.glob("project.db*")) == []


def test_a_failed_import_leaves_an_existing_project_byte_for_byte(project_path, tmp_path):
    (tmp_path / "a.txt").write_text("First.", "utf-8")
    import_into_project(project_path, [tmp_path / "a.txt"], labels=["ORG"])
    before = project_path.read_bytes()
    write_jsonl(tmp_path / "bad.jsonl", {"text": "fine"}, {"text": "x", "spans": [{"start": 0, "end": 1, "label": "NEW"}]})
    with pytest.raises(InputError, match="bad.jsonl:2: unknown label 'NEW'"):
        import_into_project(project_path, [tmp_path / "bad.jsonl"], labels=["ADDED"])
    assert project_path.read_bytes() == before
    with sqlite3.connect(project_path) as conn:
        assert conn.execute("SELECT text FROM articles").fetchall() == [("First.",)]
        assert conn.execute("SELECT name FROM labels").fetchall() == [("ORG",)]


def test_a_file_that_is_not_a_project_is_refused_untouched(tmp_path):
    other = tmp_path / "other.db"
    other.write_text("hello", "utf-8")
    (tmp_path / "a.txt").write_text("Text.", "utf-8")
    with pytest.raises(ProjectError, match="not an annotator project"):
        import_into_project(other, [tmp_path / "a.txt"], labels=["ORG"])
    assert other.read_text("utf-8") == "hello"


def test_the_open_project_itself_is_never_read_as_articles(tmp_path):
    odd = tmp_path / "news.jsonl"  # a project file with an article file's name
    store = AnnotationStore.open(odd, create=True, annotator="tester")
    try:
        with pytest.raises(InputError, match="is a project open here"):
            import_files(store, [odd])
        assert store.article_count() == 0
    finally:
        store.close()
