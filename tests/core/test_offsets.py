"""Offset rules and conversions: code points in storage, UTF-16 only at the Qt edge."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.errors import EditError
from annotator.offsets import (
    check_span, clear_of, first_overlap, overlapping, index_to_utf16, snap, step_end, step_start, utf16_prefix, utf16_to_index,
)

TEXT = "Putin met Kim in Vladivostok."
TOKENS = [(0, 5), (6, 9), (10, 13), (14, 16), (17, 28), (28, 29)]


@pytest.mark.parametrize(
    "selection,expected",
    [((2, 4), (0, 5)), ((3, 11), (0, 13)), ((5, 6), None), ((0, 5), (0, 5)), ((12, 7), (6, 13)), ((27, 29), (17, 29))],
)
def test_snap_grows_to_whole_tokens(selection, expected):
    assert snap(*selection, TOKENS) == expected


def test_step_end_and_start_move_by_one_token_and_keep_one_token():
    assert step_end(0, 5, TOKENS, +1) == (0, 9)
    assert step_end(0, 9, TOKENS, -1) == (0, 5)
    assert step_end(0, 5, TOKENS, -1) == (0, 5)  # never empty
    assert step_end(17, 29, TOKENS, +1) == (17, 29)  # last token
    assert step_start(6, 13, TOKENS, +1) == (10, 13)
    assert step_start(10, 13, TOKENS, +1) == (10, 13)  # never past its own last token
    assert step_start(6, 13, TOKENS, -1) == (0, 13)
    assert step_start(0, 13, TOKENS, -1) == (0, 13)


def test_clear_of_keeps_spans_apart_from_what_is_taken_and_from_each_other():
    taken = [(0, 10), (2, 4), (20, 22)]  # taken spans may overlap each other
    spans = [(30, 31), (5, 6), (10, 12), (11, 13), (21, 25), (25, 26), (10, 11)]
    # (5, 6) sits inside (0, 10); (10, 11) comes before (10, 12) in text order and wins; (21, 25) meets (20, 22)
    assert clear_of(spans, taken) == [0, 3, 5, 6]
    assert clear_of([], taken) == [] and clear_of(spans[:2], []) == [0, 1]


_spans = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)).map(lambda p: (p[0], p[0] + p[1])), max_size=25)


@given(_spans, _spans)
def test_clear_of_is_the_greedy_pass_in_text_order(spans, taken):
    kept = []
    for i in sorted(range(len(spans)), key=spans.__getitem__):
        if not overlapping(*spans[i], [*taken, *(spans[k] for k in kept)]):
            kept.append(i)
    assert clear_of(spans, taken) == sorted(kept)


def test_check_span_messages():
    check_span(0, 5, 5)
    for args, message in [((0, 6, 5), "out of range"), ((-1, 2, 5), "negative"), ((3, 3, 5), "empty or inverted")]:
        with pytest.raises(EditError, match=message):
            check_span(*args)
    with pytest.raises(EditError, match="whole numbers"):
        check_span(True, 2, 5)


def test_first_overlap():
    assert first_overlap([(0, 5), (6, 9)]) is None
    assert first_overlap([(6, 9), (0, 7)]) == ((0, 7), (6, 9))


@pytest.mark.parametrize("text", ["plain", "emoji 😀 here 𝔘", "中文 text", "", "a\r\nb😀"])
def test_utf16_conversions_agree(text):
    table = utf16_prefix(text)
    assert table[-1] == len(text.encode("utf-16-le")) // 2
    for i in range(len(text) + 1):
        assert index_to_utf16(text, i) == table[i]
        assert utf16_to_index(text, table[i]) == i
