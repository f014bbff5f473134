"""The atomic writers every format uses: complete or absent, never onto a project."""

import pytest

from annotator.errors import InputError
from annotator.formats.files import atomic_bytes, atomic_folder, atomic_text
from annotator.store import AnnotationStore


@pytest.mark.parametrize("opener, data", [(atomic_text, "tête\n"), (atomic_bytes, b"\x00DocBin\xff")])
def test_a_file_appears_complete_or_not_at_all(tmp_path, opener, data):
    out = tmp_path / "out"
    with opener(out) as f:
        f.write(data)
    assert (out.read_text("utf-8") if isinstance(data, str) else out.read_bytes()) == data
    with pytest.raises(RuntimeError), opener(out) as f:
        f.write(data * 2)
        raise RuntimeError("stopped half way")
    assert (out.read_text("utf-8") if isinstance(data, str) else out.read_bytes()) == data  # the old one, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_appears_complete_or_not_at_all(tmp_path):
    out = tmp_path / "corpus"
    with pytest.raises(RuntimeError), atomic_folder(out) as folder:
        (folder / "a.txt").write_text("x", "utf-8")
        raise RuntimeError("stopped half way")
    assert list(tmp_path.iterdir()) == []
    with atomic_folder(out) as folder:
        (folder / "a.txt").write_text("x", "utf-8")
    assert [p.name for p in out.iterdir()] == ["a.txt"]


@pytest.mark.parametrize("opener", [atomic_text, atomic_bytes, atomic_folder])
def test_nothing_is_written_onto_a_project(tmp_path, opener):
    project = tmp_path / "p.db"
    AnnotationStore.open(project, create=True).close()
    before = project.read_bytes()
    with pytest.raises(InputError, match="is an annotator project|is a file"), opener(project):
        pass
    assert project.read_bytes() == before
