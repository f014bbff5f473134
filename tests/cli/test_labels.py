"""`annotator labels`: the label set, colours, hotkeys, the model label map and overlaps."""

from annotator.cli import cli
from annotator.store import AnnotationStore


def run(runner, *args):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def read(path):
    store = AnnotationStore.open(path, readonly=True)
    try:
        return store.labels(), store.setting("label_map", {}), store.setting("allow_overlap", False)
    finally:
        store.close()


def test_labels_are_added_coloured_keyed_and_mapped(runner, tmp_path):
    project = tmp_path / "p.db"
    result = run(runner, "labels", str(project), "--add", "PER,LOC,ORG", "--color", "PER=#ff0000",
                 "--hotkey", "ORG=9", "--map", "PERSON=PER", "--map", "NORP=", "--allow-overlap")
    assert result.exit_code == 0, result.output
    labels, label_map, overlap = read(project)
    assert [(l.name, l.color, l.hotkey) for l in labels] == [
        ("PER", "#ff0000", "1"), ("LOC", "#ff9561", "2"), ("ORG", "#7aecec", "9"),  # displaCy's colours
    ]
    assert label_map == {"PERSON": "PER", "NORP": None} and overlap is True
    assert "map NORP -> (dropped)" in result.output and "overlaps allowed" in result.output
    run(runner, "labels", str(project), "--unmap", "NORP", "--hotkey", "LOC=")
    labels, label_map, _ = read(project)
    assert label_map == {"PERSON": "PER"} and labels[1].hotkey is None


def test_a_bad_option_changes_nothing(runner, tmp_path):
    project = tmp_path / "p.db"
    run(runner, "labels", str(project), "--add", "PER,ORG")
    before = read(project)
    for args, message in [
        (["--add", "MISC", "--map", "X=NOPE"], "'NOPE' is not one of the project's labels"),
        (["--hotkey", "PER=2"], "hotkey 2 would belong to both PER and ORG"),
        (["--hotkey", "PER=0"], "'0' is not a digit 1-9"),
        (["--color", "PER=red"], "'red' is not a colour"),
        (["--color", "NOPE=#000000"], "'NOPE' is not one of the project's labels"),
        (["--map", "PERSON"], "expected NAME=VALUE"),
    ]:
        result = runner.invoke(cli, ["labels", str(project), *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
        assert read(project) == before


def test_labels_needs_an_existing_project_unless_adding(runner, tmp_path):
    result = runner.invoke(cli, ["labels", str(tmp_path / "none.db")])
    assert result.exit_code != 0 and "no such project file" in result.output
    assert not (tmp_path / "none.db").exists()


def test_names_are_one_label_however_they_are_spelled(runner, tmp_path):
    """Trimmed and NFC-normalised on the way in, and when naming a label for --color, --hotkey and --map."""
    project = tmp_path / "p.db"
    result = run(runner, "labels", str(project), "--add", " Caf\u00e9 ,Cafe\u0301,PER")
    assert result.exit_code == 0, result.output
    result = run(runner, "labels", str(project), "--color", "Cafe\u0301=#123456", "--hotkey", "Cafe\u0301 =5",
                 "--map", "FAC=Cafe\u0301")
    assert result.exit_code == 0, result.output
    labels, label_map, _ = read(project)
    assert [(label.name, label.color, label.hotkey) for label in labels] == [("Caf\u00e9", "#123456", "5"), ("PER", labels[1].color, "2")]
    assert label_map == {"FAC": "Caf\u00e9"}
