"""File → Export…: the format, the statuses, the format's options, the target, and a preview.

The preview writes the first article through the chosen format's own writer into
a temporary folder, on a background job with its own connection, and shows the
start of what it wrote as plain text: what the export will write, not a
description of it. The export itself is a background job; the writers write
atomically, so a failed or cancelled export leaves no partial file.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout,
)

from annotator import formats
from annotator.alignment import ALIGN_RULES
from annotator.formats import CONLL_SCHEMES, WriteOptions
from annotator.model import Status

from ..tasks import BackgroundJob

PREVIEW_CHARS = 2000
STATUSES = (Status.ACCEPTED, Status.REJECTED, Status.SKIPPED, Status.PENDING)


@dataclass
class ExportChoice:
    """What File → Export… passes to ``exporting.export``."""

    out: str
    form: str
    statuses: tuple[Status, ...]
    align: str = "strict"
    conll_scheme: str = "iob2"
    dev_fraction: float = 0.2
    with_tokens: bool = True  # JSONL only (--no-tokens): DocBin and CoNLL are made of tokens

    def write_options(self, on_progress=None, should_cancel=None) -> WriteOptions:
        return WriteOptions(on_progress=on_progress, should_cancel=should_cancel, conll_scheme=self.conll_scheme,
                            extra={"dev_fraction": self.dev_fraction})


def target_for(out: str, form: str) -> str:
    """``out`` with the extension ``form`` writes (none for a folder format)."""
    if not out:
        return out
    path = Path(out)
    if path.suffix.lower() in formats.EXPORT_SUFFIXES or path.suffix.lower() == ".txt":
        path = path.with_suffix("")
    chosen = formats.get(form)
    return str(path.with_suffix(chosen.suffixes[0]) if chosen.suffixes else path)


def preview_export(store, choice: ExportChoice, should_cancel=lambda: False) -> str:
    """The start of what exporting the first article writes (runs off the GUI thread): the export's
    own code, limited to one article."""
    from annotator.exporting import export

    chosen = formats.get(choice.form)
    with tempfile.TemporaryDirectory(prefix="annotator-preview-") as folder:
        name = Path(choice.out).name if choice.out else "export"
        out = Path(folder) / target_for(name, chosen.name)
        options = choice.write_options(should_cancel=should_cancel)
        options.extra["dev_fraction"] = 0  # one article has no dev split (an export of one is refused)
        if not export(store, out, choice.statuses, form=chosen.name, options=options, align=choice.align,
                      with_tokens=choice.with_tokens, limit=1):
            return "(no article has these statuses)"
        # the data first, files beside it (a spaCy config.cfg, brat's annotation.conf) after
        written = sorted((p for p in out.parent.rglob("*") if p.is_file()), key=lambda p: (p.suffix in (".cfg", ".conf"), p))
        shown = []
        for path in written:
            data = path.read_bytes()
            try:
                body = data.decode("utf-8")
            except UnicodeDecodeError:
                body = f"(binary, {len(data)} bytes)"
            shown.append(f"== {path.relative_to(folder)} ==\n{body}")
        return "\n".join(shown)[:PREVIEW_CHARS]


class ExportDialog(QDialog):
    """Choose what to export and how; ``choice()`` once accepted."""

    def __init__(self, project: Path, annotator: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self._project, self._annotator = project, annotator
        self._job: BackgroundJob | None = None

        self.form = QComboBox()
        for name, form in formats.FORMATS.items():
            self.form.addItem(f"{name}: {form.description}", name)
        self.statuses = {status: QCheckBox(status.value) for status in STATUSES}
        self.statuses[Status.ACCEPTED].setChecked(True)
        self.align = QComboBox()
        self.align.addItems(list(ALIGN_RULES))
        self.scheme = QComboBox()
        self.scheme.addItems(list(CONLL_SCHEMES))
        self.dev_fraction = QDoubleSpinBox(minimum=0.0, maximum=0.95, singleStep=0.05, value=0.2, decimals=2)
        self.no_tokens = QCheckBox("Leave out tokens and token indices (about an eighth of the size)")
        self.target = QLineEdit(str(project.with_suffix(".jsonl")))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.preview = QPlainTextEdit(readOnly=True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setMinimumHeight(160)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        statuses = QHBoxLayout()
        for box in self.statuses.values():
            statuses.addWidget(box)
        target = QHBoxLayout()
        target.addWidget(self.target, 1)
        target.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.form)
        form.addRow("Articles", statuses)
        form.addRow("Spans off token boundaries", self.align)
        form.addRow("CoNLL tag scheme", self.scheme)
        form.addRow("spaCy dev share", self.dev_fraction)
        form.addRow("JSONL tokens", self.no_tokens)
        form.addRow("Write to", target)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("The first article as it will be written", textFormat=Qt.TextFormat.PlainText))
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

        self.form.currentIndexChanged.connect(self._format_changed)
        for widget in (*self.statuses.values(), self.no_tokens):
            widget.toggled.connect(self._read_preview)
        for combo in (self.align, self.scheme):
            combo.currentIndexChanged.connect(self._read_preview)
        self.target.textChanged.connect(self._update_button)
        self.target.editingFinished.connect(self._read_preview)  # a spaCy config names its files
        self.finished.connect(self._stop_preview)
        self._format_changed()

    @property
    def chosen_form(self) -> str:
        return self.form.currentData()

    def set_format(self, name: str) -> None:
        self.form.setCurrentIndex(self.form.findData(name))

    def _format_changed(self) -> None:
        from annotator.exporting import TOKEN_FORMATS

        name = self.chosen_form
        self.align.setEnabled(name in TOKEN_FORMATS)
        self.scheme.setEnabled(name == "conll")
        self.dev_fraction.setEnabled(name == "spacy")
        self.no_tokens.setEnabled(name == "jsonl")
        self.target.setText(target_for(self.target.text(), name))
        self._read_preview()

    def _browse(self) -> None:
        chosen = formats.get(self.chosen_form)
        pattern = f"{chosen.description} (*{chosen.suffixes[0]})" if chosen.suffixes else "Folders (*)"
        name, _ = QFileDialog.getSaveFileName(self, "Export to", self.target.text(), pattern)
        if name:
            self.target.setText(target_for(name, chosen.name))
            self._read_preview()

    def _read_preview(self) -> None:
        self._stop_preview()
        self.preview.setPlainText("writing the first article…")
        self._update_button()
        choice = self.choice()
        if not choice.statuses:
            self.preview.setPlainText("(choose at least one status)")
            return
        job = BackgroundJob(self._project, self._annotator, lambda store, _p, cancel: preview_export(store, choice, cancel))
        # a result already on its way from a replaced job is dropped
        for ended in (job.succeeded, job.failed):
            ended.connect(lambda text: job is self._job and self.preview.setPlainText(text))
        self._job = job.start()

    def _stop_preview(self) -> None:
        if self._job is not None and self._job.running:
            self._job.abandon()
        self._job = None

    def _update_button(self) -> None:
        self.export_button.setEnabled(bool(self.target.text().strip()) and bool(self.choice().statuses))

    def choice(self) -> ExportChoice:
        return ExportChoice(
            self.target.text().strip(), self.chosen_form,
            tuple(status for status, box in self.statuses.items() if box.isChecked()),
            self.align.currentText(), self.scheme.currentText(), self.dev_fraction.value(),
            with_tokens=not (self.no_tokens.isEnabled() and self.no_tokens.isChecked()),
        )
