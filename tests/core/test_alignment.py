"""Spans against token boundaries (annotator/alignment.py): the three rules and the overlap rule."""

import pytest
import spacy

from annotator.alignment import TokenIndex, without_overlaps
from annotator.tokens import tokenize

# Code points, not UTF-16 units: the emoji and the flag's two regional indicators are astral.
TEXT = "😀 The E.U.-backed plan 🇪🇺 sold iPhones."
EU = (TEXT.index("E.U."), TEXT.index("E.U.") + 4)
IPHONE = (TEXT.index("iPhone"), TEXT.index("iPhone") + 6)


@pytest.fixture(scope="module")
def index():
    return TokenIndex(tokenize(TEXT))


def test_astral_characters_count_as_one_offset_each(index):
    assert TEXT[EU[0]:EU[1]] == "E.U."
    assert index.indices(0, 1) == (0, 0)  # the emoji is one code point and one token
    assert index.indices(*EU) is None
    plan_to_sold = (TEXT.index("plan"), TEXT.index("sold") + 4)
    assert index.indices(*plan_to_sold) == (3, 6)  # plan 🇪 🇺 sold


def test_aligned_spans_are_kept_under_every_rule(index):
    sold = (TEXT.index("sold"), TEXT.index("sold") + 4)
    for rule in ("strict", "contract", "expand"):
        assert index.align(*sold, rule) == sold


def test_strict_refuses_what_is_not_on_token_boundaries(index):
    assert index.align(*EU, "strict") is None
    assert index.align(*IPHONE, "strict") is None


def test_contract_keeps_whole_tokens_inside_and_drops_spans_with_none(index):
    assert index.align(*IPHONE, "contract") is None  # inside the one token "iPhones"
    the_eu = (TEXT.index("The"), EU[1])  # "The E.U." -> "The"
    assert TEXT[slice(*index.align(*the_eu, "contract"))] == "The"
    assert TEXT[slice(*index.align(0, 3, "contract"))] == "😀"  # "😀 T"


def test_expand_grows_to_the_touched_tokens(index):
    assert TEXT[slice(*index.align(*EU, "expand"))] == "E.U.-backed"
    assert TEXT[slice(*index.align(*IPHONE, "expand"))] == "iPhones"
    space = TEXT.index(" plan")
    assert index.align(space, space + 1, "expand") is None  # only a space: no token
    assert TEXT[slice(*index.align(space, space + 5, "expand"))] == "plan"  # " plan": the space is nobody's


def test_aligned_results_are_what_spacy_char_span_accepts(index):
    doc = spacy.blank("en")(TEXT)
    for start in range(len(TEXT)):
        for end in range(start + 1, len(TEXT) + 1):
            for rule in ("contract", "expand"):
                moved = index.align(start, end, rule)
                if moved is not None:
                    span = doc.char_span(*moved)
                    assert span is not None and (span.start, span.end - 1) == index.indices(*moved)


def test_unknown_rule_is_refused(index):
    with pytest.raises(ValueError, match="unknown alignment rule 'loose'"):
        index.align(*EU, "loose")


def test_overlaps_keep_the_longest_then_the_earliest():
    # without tokens, length counts characters
    spans = [(0, 5, "A"), (3, 10, "B"), (8, 12, "C"), (20, 22, "D"), (11, 14, "E")]
    kept, dropped = without_overlaps(spans)
    assert kept == [(3, 10, "B"), (11, 14, "E"), (20, 22, "D")]
    assert dropped == [(0, 5, "A"), (8, 12, "C")]
    # equal lengths: the earliest wins, as in spacy.util.filter_spans
    assert without_overlaps([(4, 8, "X"), (2, 6, "Y")]) == ([(2, 6, "Y")], [(4, 8, "X")])


def test_overlap_rule_matches_spacy_filter_spans():
    doc = spacy.blank("en")("one two three four five six seven")
    tokens = [(t.idx, t.idx + len(t)) for t in doc]
    spans = [(tokens[a][0], tokens[b][1], "L") for a, b in [(0, 2), (1, 3), (2, 2), (4, 5), (5, 6), (3, 4)]]
    kept, _ = without_overlaps(spans, TokenIndex(tokens))
    ours = [(s, e) for s, e, _ in kept]
    theirs = [(s.start_char, s.end_char) for s in spacy.util.filter_spans([doc.char_span(s, e) for s, e, _ in spans])]
    assert ours == sorted(theirs)
