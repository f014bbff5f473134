"""File → Import…: the format of each input, the options that matter, and a preview of the first records.

The preview reads only the first records of each input, on a background job
(a Label Studio or DocBin reader parses its whole file before the first record),
and lists what the readers reported: keys they do not understand, labels the
project lacks, records they cannot read. Everything shown is data: plain text only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit,
    QPushButton, QVBoxLayout, QWidget,
)

from annotator import formats
from annotator.alignment import ALIGN_RULES, TokenIndex
from annotator.errors import AnnotatorError
from annotator.formats import Item, ReadOptions
from annotator.tokens import tokenize

from ..plain import set_plain_tooltip
from ..tasks import BackgroundJob

AUTO = "Auto"
PREVIEW_RECORDS = 5  # per input
PREVIEW_TEXT = 60  # characters of each record's title or text
SHOWN_INPUTS = 5  # names of the chosen inputs shown (all of them in the tooltip)


IMPORT_FILTER = "Articles (*.txt *.jsonl *.json *.conll *.iob *.bio *.bilou *.spacy *.ann);;All files (*)"


def choose_import_files(parent: QWidget, folder: str) -> list[str]:
    names, _ = QFileDialog.getOpenFileNames(parent, "Import articles", folder, IMPORT_FILTER)
    return names


def choose_import_folder(parent: QWidget, folder: str) -> str:
    """A folder to import: brat's .txt and .ann pairs, or the files of any format inside it ("" if none)."""
    return QFileDialog.getExistingDirectory(parent, "Import a folder (brat .txt/.ann pairs, or files inside)", folder)


@dataclass
class ImportChoice:
    """What File → Import… passes to ``import_files``."""

    paths: list[str]
    form: str | None = None  # None: recognise each input
    spans_as: str = "suggestions"
    decisions: str = "restore"
    align: str = "strict"
    options: ReadOptions = field(default_factory=ReadOptions)
    add_labels: bool = False


@dataclass
class Preview:
    formats: list[str]  # "NAME: FORMAT" per input
    records: list[str]
    problems: list[str]
    unknown_keys: bool = False  # a reader reported something it cannot carry


def _record_line(task: dict) -> str:
    head = str(task.get("title") or task.get("text") or "").replace("\n", " ")[:PREVIEW_TEXT]
    spans = _spans(task)
    labels = ", ".join(dict.fromkeys(_labels(task)))
    line = f"{head!r}: {len(spans)} span{'' if len(spans) == 1 else 's'}"
    if labels:
        line += f" ({labels})"
    if task.get("answer") is not None:
        line += f"; decision: {task['answer']}"
    return line


def read_preview(paths: list[str], form: str | None, known_labels: set[str], should_cancel=lambda: False) -> Preview:
    """The first records of each input and the problems seen in them (runs off the GUI thread)."""
    from annotator.importing import collect_files, read_txt

    preview = Preview([], [], [])
    try:
        inputs = collect_files(paths, None, form)
    except AnnotatorError as e:
        preview.problems.append(str(e))
        return preview
    unknown_labels: dict[str, None] = {}
    for path, name, form_of in inputs:
        preview.formats.append(f"{name}: {form_of.name if form_of else 'plain text'}")
        try:
            if form_of is None:
                record = read_txt(path, name)
                items = [Item(str(path), 0, {"title": record.title, "text": record.text})]
            else:
                items = list(islice(form_of.load().read(path, name, ReadOptions()), PREVIEW_RECORDS))
        except AnnotatorError as e:
            preview.problems.append(str(e))
            continue
        for item in items:
            if should_cancel():
                return preview
            for phrase in item.unknown:
                preview.problems.append(f"{item.where}: {phrase} not understood")
                preview.unknown_keys = True
            if isinstance(item.task, dict):
                preview.records.append(f"{name}: {_record_line(item.task)}")
                preview.problems += _off_tokens(item.task, item.where)
                unknown_labels.update((label, None) for label in _labels(item.task) if label not in known_labels)
    if unknown_labels:
        preview.problems.append(f"labels the project doesn't have: {', '.join(unknown_labels)}")
    return preview


def _spans(task: dict) -> list[dict]:
    spans = task.get("spans")
    return [s for s in spans if isinstance(s, dict)] if isinstance(spans, list) else []


def _labels(task: dict) -> list[str]:
    return [s["label"] for s in _spans(task) if isinstance(s.get("label"), str)]


def _off_tokens(task: dict, where: str) -> list[str]:
    """The task's spans that do not fall on token boundaries (the import's align rule decides)."""
    text = task.get("text")
    if not isinstance(text, str):
        return []
    index = TokenIndex(tokenize(text))
    found = []
    for span in _spans(task):
        start, end = span.get("start"), span.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) and index.indices(start, end) is None:
            found.append(f"{where}: {text[start:end]!r} at {start}-{end} is not on token boundaries")
    return found


def _plain_box(height: int) -> QPlainTextEdit:
    box = QPlainTextEdit(readOnly=True)
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    box.setMinimumHeight(height)
    return box


class ImportDialog(QDialog):
    """Choose how to read ``paths``; ``choice()`` once accepted. The preview job reads ``project``'s labels."""

    def __init__(self, paths: list[str], project: Path, annotator: str, known_labels: set[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.paths, self._project, self._annotator, self._known = paths, project, annotator, known_labels
        self._job: BackgroundJob | None = None
        self.preview: Preview | None = None

        # What is imported: the files or folder chosen, which the two buttons replace.
        self.inputs = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.choose_files = QPushButton("Files…")
        self.choose_folder = QPushButton("Folder…")
        for button in (self.choose_files, self.choose_folder):
            button.setAutoDefault(False)  # Enter imports; it never opens a file chooser
        self.choose_files.clicked.connect(lambda: self._set_paths(choose_import_files(self, self._start_folder())))
        self.choose_folder.clicked.connect(lambda: self._set_paths([name] if (name := choose_import_folder(self, self._start_folder())) else []))
        inputs = QHBoxLayout()
        inputs.addWidget(self.inputs, 1)
        inputs.addWidget(self.choose_files)
        inputs.addWidget(self.choose_folder)
        self.form = QComboBox()
        self.form.addItems([AUTO, *formats.NAMES])
        self.detected = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.spans_as = QComboBox()
        self.spans_as.addItems(["suggestions", "annotations"])
        self.decisions = QComboBox()
        self.decisions.addItems(["restore", "ignore"])
        self.align = QComboBox()
        self.align.addItems(list(ALIGN_RULES))
        self.ignore_unknown = QCheckBox("Import without what the reader does not understand (unknown keys)")
        self.add_labels = QCheckBox("Add labels the project doesn't have")
        self.records = _plain_box(110)
        self.problems = _plain_box(70)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Import", inputs)
        form.addRow("Read as", self.form)
        form.addRow("Detected", self.detected)
        form.addRow("Spans in the files as", self.spans_as)
        form.addRow("Decisions (accept, reject)", self.decisions)
        form.addRow("Spans off token boundaries", self.align)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.ignore_unknown)
        layout.addWidget(self.add_labels)
        layout.addWidget(QLabel("First records", textFormat=Qt.TextFormat.PlainText))
        layout.addWidget(self.records)
        layout.addWidget(QLabel("Problems found in them", textFormat=Qt.TextFormat.PlainText))
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

        self.form.currentTextChanged.connect(self._read_preview)
        self.ignore_unknown.toggled.connect(self._update_button)
        self.finished.connect(self._stop_preview)
        self._set_paths(paths)

    def _set_paths(self, paths: list[str]) -> None:
        """Import these instead (nothing chosen: keep what was)."""
        if not paths:
            return
        self.paths = list(paths)
        names = [Path(p).name + ("/" if Path(p).is_dir() else "") for p in self.paths]
        more = f" and {len(names) - SHOWN_INPUTS} more" if len(names) > SHOWN_INPUTS else ""
        self.inputs.setText(", ".join(names[:SHOWN_INPUTS]) + more)
        set_plain_tooltip(self.inputs, "\n".join(self.paths))
        self._read_preview()

    def _start_folder(self) -> str:
        return str(Path(self.paths[0]).parent) if self.paths else str(self._project.parent)

    @property
    def chosen_form(self) -> str | None:
        return None if self.form.currentText() == AUTO else self.form.currentText()

    def _read_preview(self) -> None:
        self._stop_preview()
        self.preview = None
        self.detected.setText("reading…")
        self.records.setPlainText("")
        self.problems.setPlainText("")
        self._update_button()
        paths, form, known = list(self.paths), self.chosen_form, set(self._known)
        job = BackgroundJob(self._project, self._annotator, lambda _s, _p, cancel: read_preview(paths, form, known, cancel))
        # a result already on its way from a replaced job is dropped
        job.succeeded.connect(lambda preview: job is self._job and self._show_preview(preview))
        job.failed.connect(lambda message: job is self._job and self._show_preview(Preview([], [], [message])))
        self._job = job.start()

    def _stop_preview(self) -> None:
        if self._job is not None and self._job.running:
            self._job.abandon()
        self._job = None

    def _show_preview(self, preview: Preview) -> None:
        self.preview = preview
        self.detected.setText("\n".join(preview.formats) or "nothing to import")
        self.records.setPlainText("\n".join(preview.records) or "(no records)")
        self.problems.setPlainText("\n".join(preview.problems) or "none in the first records")
        self._update_button()

    def _update_button(self) -> None:
        """Import waits for the preview, and is refused while unknown keys have no rule."""
        ready = self.preview is not None and bool(self.preview.formats)
        blocked = ready and self.preview.unknown_keys and not self.ignore_unknown.isChecked()
        self.import_button.setEnabled(ready and not blocked)

    def choice(self) -> ImportChoice:
        return ImportChoice(
            list(self.paths), self.chosen_form, self.spans_as.currentText(), self.decisions.currentText(),
            self.align.currentText(), ReadOptions(ignore_unknown=self.ignore_unknown.isChecked()),
            self.add_labels.isChecked(),
        )
