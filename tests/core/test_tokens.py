"""The fallback tokenizer: spaCy's English rules, code-point offsets."""

from annotator.tokens import tokenize


def test_tokens_cover_words_and_punctuation_in_code_points():
    text = "Putin’s visit 🙂 to Россия, 北京.\n\nNext"
    tokens = tokenize(text)
    assert [text[s:e] for s, e in tokens] == [
        "Putin", "’s", "visit", "🙂", "to", "Россия", ",", "北京", ".", "\n\n", "Next",
    ]
    assert tokens[3] == (14, 15) and tokens[4] == (16, 18)  # an emoji is one code point (two UTF-16 units)


def test_only_single_spaces_fall_between_tokens():
    text = "Two  spaces\tand a tab "
    tokens = tokenize(text)
    gaps = [text[a[1]:b[0]] for a, b in zip(tokens, tokens[1:])]
    assert set(gaps) <= {"", " "}
    assert tokenize("") == []


def test_a_long_text_tokenized_a_piece_at_a_time_gets_the_tokens_of_the_whole(monkeypatch):
    from annotator import tokens

    text = "Putin’s U.S. visit at 9 a.m. — don't  stop!\n\n(e-mail http://x.com/a?b=c) 🙂\r\n\tMr. Kim's $4.5bn... " * 300
    whole = [(t.idx, t.idx + len(t.text)) for t in tokens._tokenizer()(text)]
    monkeypatch.setattr(tokens, "PIECE", 97)  # cuts in hundreds of places
    assert tokenize(text) == whole
    flat = tokens.token_spans(text)
    assert flat == whole and len(flat.starts) == len(whole)
    assert tokens.Tokens.from_flat_json(str([x for pair in whole for x in pair])) == whole


def test_stored_tokens_are_little_endian_int32_pairs_of_arrays():
    import struct

    from annotator.tokens import Tokens

    tokens = Tokens.from_pairs([(0, 5), (6, 300), (301, 70_000)])
    starts, ends = tokens.to_blobs()
    assert starts == struct.pack("<3i", 0, 6, 301) and ends == struct.pack("<3i", 5, 300, 70_000)  # the documented encoding
    assert Tokens.from_blobs(starts, ends) == [(0, 5), (6, 300), (301, 70_000)]
    assert Tokens.from_flat([0, 5, 6, 300]) == [(0, 5), (6, 300)]
