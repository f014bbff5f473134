"""`python -m benchmarks learning_curve` keeps working: a real run on six WikiGold articles, one epoch a round."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.run import main

REPO = Path(__file__).resolve().parents[1]
# CI puts shared/ beside the clone; a worktree may sit deeper (the same search as tests/formats/test_wikigold.py)
WIKIGOLD = next((p / "shared/data/wikigold/wikigold.jsonl" for p in REPO.parents
                 if (p / "shared/data/wikigold/wikigold.jsonl").is_file()), None)


@pytest.mark.model
@pytest.mark.gui  # the plot is drawn with QPainter
@pytest.mark.skipif(WIKIGOLD is None, reason="shared/data/wikigold not beside the repository")
def test_learning_curve_on_six_articles(tmp_path, capsys, qapp):
    # qapp: the plot needs an application for its fonts; were the plot to make a bare QGuiApplication,
    # every widget test after this one in the process would abort ("Cannot create a QWidget without QApplication")
    out, png = tmp_path / "curve.txt", tmp_path / "curve.png"
    code = main(["learning_curve", str(WIKIGOLD), "--first", "6", "--step", "2", "--epochs", "1",
                 "--out", str(out), "--png", str(png), "--mark", "plain fine-tuning=0.604"])
    assert code == 0
    lines = out.read_text("utf-8").splitlines()
    assert lines == capsys.readouterr().out.splitlines()
    assert "6 articles" in lines[0] and "held out: the last 2" in lines[0]
    assert lines[2].split() == ["reviewed", "F1", "unreviewed", "F1", "held-out", "ORG", "LOC", "MISC", "PER", "train", "s", "load"]
    rounds = [line.split() for line in lines[3:6]]
    assert [r[0] for r in rounds] == ["0", "2", "4"]  # the untrained model, then every 2 of the 4 reviewable
    assert rounds[-1][1] == "-"  # nothing left to review but the held-out two
    assert all(0.0 <= float(r[2]) <= 1.0 for r in rounds)
    assert float(rounds[0][-2]) == 0.0 < float(rounds[1][-2])  # the untrained round trains nothing
    assert lines[6] == "per label on the articles not yet reviewed:"
    assert [line.split()[0] for line in lines[8:]] == ["0", "2"]  # the rounds that left some

    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert (image.width(), image.height()) == (900, 520)


def test_learning_curve_refuses_a_held_out_set_as_big_as_the_file(tmp_path, capsys):
    gold = tmp_path / "two.jsonl"
    gold.write_text('{"text": "Ann Lee", "spans": [{"start": 0, "end": 7, "label": "PER"}]}\n' * 2, encoding="utf-8")
    assert main(["learning_curve", str(gold), "--held-out", "2"]) == 2
    assert "--held-out must be between 1 and 1 for 2 articles" in capsys.readouterr().err


class _Vectors:
    """Word vectors as ``annotator.vectors`` gives them, a few dimensions from each word's letters."""

    name, dims = "letters", 3

    def rows(self, words):
        import numpy

        return numpy.array([[len(w) / 10, w[:1].isupper(), sum(map(ord, w)) % 7 / 7] for w in words], dtype="f").reshape(len(words), 3)


@pytest.mark.model
@pytest.mark.skipif(WIKIGOLD is None, reason="shared/data/wikigold not beside the repository")
def test_with_word_vectors_every_round_and_the_200_article_timing_train_a_typer(tmp_path, capsys, monkeypatch):
    import annotator.vectors
    from benchmarks import learning_curve

    monkeypatch.setattr(annotator.vectors, "installed", _Vectors)
    typed = []
    real = learning_curve.span_typer.add_typer
    monkeypatch.setattr(learning_curve.span_typer, "add_typer", lambda nlp, *a, **k: typed.append(real(nlp, *a, **k)))
    short = SimpleNamespace(text="Ann Lee met Bo Chen in Oslo.", spans=[(0, 7, "PER"), (12, 19, "PER"), (23, 27, "LOC")])
    monkeypatch.setattr(learning_curve.datagen, "article", lambda i: short)  # 200 short articles: seconds, not minutes
    monkeypatch.setattr(learning_curve.learning, "default_epochs", lambda train: 1)
    assert main(["learning_curve", str(WIKIGOLD), "--first", "6", "--step", "4", "--epochs", "1", "--time-200"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "; span typer on word vectors letters; " in out[0]
    assert out[-1].startswith("training on 200 generated articles (")
    assert len(typed) == 2 and all(n > 0 for n in typed)  # the round of 4 reviewed, and the 200 articles
