"""Span edges: never in whitespace, never inside a grapheme cluster (code-point offsets)."""

import pytest

from annotator.graphemes import cluster_end, cluster_start, is_boundary
from annotator.offsets import snap, step_end, step_start, word_tokens
from annotator.tokens import tokenize

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # man ZWJ woman ZWJ girl: 5 code points, one character
JAPAN = "\U0001F1EF\U0001F1F5"  # regional indicators J P
ZOE = "Zoe\u0308"  # e + combining diaeresis
THUMB = "\U0001F44D\U0001F3FD"  # thumbs up + medium skin tone
HEART = "\u2764\ufe0f"  # heart + emoji presentation selector


def words(text):
    return [text[s:e] for s, e in word_tokens(text, tokenize(text))]


@pytest.mark.parametrize(
    "text,boundaries",
    [
        ("a\r\nb", [0, 1, 3, 4]),  # CR LF is one
        (FAMILY, [0, 5]),
        (JAPAN + JAPAN + "\U0001F1EF", [0, 2, 4, 5]),  # indicators pair up from the start of the run
        (ZOE, [0, 1, 2, 4]),
        (THUMB, [0, 2]),
        (HEART, [0, 2]),
        ("\u1100\u1161\u11a8", [0, 3]),  # a Hangul syllable from conjoining jamo
        ("a\u200db", [0, 2, 3]),  # a joiner between letters joins nothing after it
        ("\t\u0301", [0, 1, 2]),  # a mark never attaches to a control
    ],
)
def test_cluster_boundaries(text, boundaries):
    assert [i for i in range(len(text) + 1) if is_boundary(text, i)] == boundaries


def test_cluster_start_and_end_round_outwards():
    text = "x " + FAMILY + " y"
    assert [cluster_start(text, i) for i in range(2, 8)] == [2, 2, 2, 2, 2, 7]
    assert [cluster_end(text, i) for i in range(2, 8)] == [2, 7, 7, 7, 7, 7]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a\r\nKim", ["a", "Kim"]),
        (f"x {FAMILY} y", ["x", FAMILY, "y"]),
        (f"{JAPAN} Japan", [JAPAN, "Japan"]),
        (f"{ZOE} went", [ZOE, "went"]),
        ("Kim\r", ["Kim"]),
        ("Kim\t", ["Kim"]),
        ("Kim \t\r\n", ["Kim"]),
        (f"a {THUMB} b {HEART}", ["a", THUMB, "b", HEART]),
        (f"x{FAMILY}y", ["x", FAMILY, "y"]),
    ],
)
def test_word_tokens_drop_whitespace_and_join_split_clusters(text, expected):
    assert words(text) == expected


def test_word_tokens_leave_a_space_that_carries_a_mark_outside_the_word():
    text = "ab \u0301cd"
    assert [text[s:e] for s, e in word_tokens(text, [(0, 2), (3, 6)])] == ["ab", "cd"]  # the mark went with the space
    assert word_tokens(text, None) is None  # not known yet stays not known


def test_start_moves_left_past_a_line_break_to_the_word():
    text = "a\r\nKim"
    tokens = word_tokens(text, tokenize(text))
    assert step_start(3, 6, tokens, -1) == (0, 6)  # "a\r\nKim", never "\r\nKim"


def test_start_moves_over_a_zwj_sequence_whole():
    text = f"x {FAMILY} y"
    tokens = word_tokens(text, tokenize(text))
    y = text.index("y")
    assert step_start(y, y + 1, tokens, -1) == (2, y + 1)  # the whole family, not its girl
    assert step_start(2, y + 1, tokens, +1) == (y, y + 1)
    assert step_end(0, 1, tokens, +1) == (0, 7)


def test_start_moves_over_a_flag_whole():
    text = f"{JAPAN} Japan"
    tokens = word_tokens(text, tokenize(text))
    assert step_start(3, 8, tokens, -1) == (0, 8)
    assert step_start(0, 8, tokens, +1) == (3, 8)
    assert step_end(0, 2, tokens, +1) == (0, 8)


def test_end_never_takes_trailing_whitespace():
    for text in ("Kim\r", "Kim\t", "Kim \t\r\n", "Kim\n\n"):
        tokens = word_tokens(text, tokenize(text))
        assert step_end(0, 3, tokens, +1) == (0, 3), repr(text)


def test_end_steps_back_over_a_combining_mark_whole():
    text = f"{ZOE} went"
    tokens = word_tokens(text, tokenize(text))
    assert step_end(0, 9, tokens, -1) == (0, 4)


@pytest.mark.parametrize(
    "text,selection,expected",
    [
        ("Kim\r", (0, 4), "Kim"),
        ("\tKim\t", (0, 5), "Kim"),
        ("a\r\nKim", (1, 6), "Kim"),
        (f"x {FAMILY} y", (4, 5), FAMILY),  # half a family selects all of it
        (f"{JAPAN} Japan", (1, 2), JAPAN),
        (f"{ZOE} went", (3, 4), ZOE),  # only the mark selected: its letter comes along
        ("a \r\n\t b", (1, 6), None),
    ],
)
def test_selections_snap_to_whole_characters_without_whitespace(text, selection, expected):
    span = snap(*selection, word_tokens(text, tokenize(text)))
    assert (span if span is None else text[span[0]:span[1]]) == expected
