"""Default label colours: displaCy's for spaCy's labels, every one readable under black text and
told apart from the others, neighbours in the label bar most of all."""

import itertools

import pytest
from spacy.displacy.render import DEFAULT_LABEL_COLORS as DISPLACY

from annotator.labels import make_labels, sort_names

SPACY_LABELS = sort_names(DISPLACY)  # the 18 labels of spaCy's English pipelines, in label-bar order
OTHER_SET = [f"TAG{i:02}" for i in range(12)]  # a label set the project knows no colours for
MIN_CONTRAST = 4.5  # WCAG AA for normal text
# CIE76 delta-E: displaCy's own FAC (#9cc9cc) and DATE (#bfe1d9) are 11.2 apart, so any two of
# spaCy's labels at least 10; labels side by side in the bar, or neighbours in the palette, 20.
MIN_ANY_PAIR, MIN_NEIGHBOURS = 10.0, 20.0


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(hex_color: str) -> list[int]:
    return [int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]


def luminance(hex_color: str) -> float:
    r, g, b = map(_linear, _rgb(hex_color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_black(hex_color: str) -> float:
    return (luminance(hex_color) + 0.05) / 0.05  # WCAG: (L1 + 0.05) / (L2 + 0.05), black's L = 0


def lab(hex_color: str) -> tuple[float, float, float]:
    r, g, b = map(_linear, _rgb(hex_color))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116  # noqa: E731
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b))) ** 0.5


def colors(names: list[str]) -> dict[str, str]:
    return {label.name: label.color for label in make_labels(names)}


def test_the_formulas_match_known_values():
    assert contrast_with_black("#ffffff") == pytest.approx(21.0)
    assert contrast_with_black("#767676") == pytest.approx(4.62, abs=0.01)  # 21 / 4.54, white on #767676
    assert delta_e("#000000", "#ffffff") == pytest.approx(100.0, abs=0.01)


def test_spacy_labels_take_displacys_colours():
    """A label displaCy colours alone has displaCy's hex; of labels sharing one, exactly one keeps it
    (the most frequent: DATE, LAW, CARDINAL) and the others get colours of their own."""
    ours = colors(SPACY_LABELS)
    for hex_color, group in itertools.groupby(sorted(SPACY_LABELS, key=DISPLACY.get), key=DISPLACY.get):
        keeping = [name for name in group if ours[name].lower() == hex_color.lower()]
        assert len(keeping) == 1, (hex_color, keeping)


@pytest.mark.parametrize("names", [SPACY_LABELS, OTHER_SET], ids=["spacy", "other"])
def test_black_text_is_readable_on_every_colour(names):
    for name, color in colors(names).items():
        assert contrast_with_black(color) >= MIN_CONTRAST, (name, color)


def test_any_two_spacy_labels_differ():
    ours = colors(SPACY_LABELS)
    close = [(a, b, round(delta_e(ours[a], ours[b]), 1)) for a, b in itertools.combinations(SPACY_LABELS, 2)
             if delta_e(ours[a], ours[b]) < MIN_ANY_PAIR]
    assert close == []


@pytest.mark.parametrize("names", [SPACY_LABELS, OTHER_SET], ids=["spacy", "other"])
def test_neighbours_in_the_label_bar_differ_strongly(names):
    ours = colors(names)
    ring = names + names[:1] if len(set(ours.values())) == len(names) else names  # the palette wraps round
    close = [(a, b, round(delta_e(ours[a], ours[b]), 1)) for a, b in zip(ring, ring[1:])
             if delta_e(ours[a], ours[b]) < MIN_NEIGHBOURS]
    assert close == []


def test_the_greens_and_beiges_of_old_are_told_apart():
    """GPE, LOC and MONEY were all greens; DATE, ORDINAL and CARDINAL all beige or grey."""
    ours = colors(SPACY_LABELS)
    for trio in (("GPE", "LOC", "MONEY"), ("DATE", "ORDINAL", "CARDINAL")):
        for a, b in itertools.combinations(trio, 2):
            assert delta_e(ours[a], ours[b]) >= MIN_ANY_PAIR, (a, b)
