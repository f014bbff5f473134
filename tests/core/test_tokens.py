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
