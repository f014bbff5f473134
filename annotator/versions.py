"""The project's model versions: where they live, which one suggests, switching and re-suggesting.

A version is a pipeline folder ``v{N}`` in the versions folder beside the project
(``news.db`` -> ``news.models/v3``), named in the project relative to the project's folder,
so a project moved together with that folder keeps its versions. The model in use is the
setting ``model_version`` (absent or null: the project's base model, its setting ``model``).

Switching to another version (after training, or ``annotator models use``) re-suggests the
pending articles whose suggestions all came from another version of the same lineage (the
base model the first version was trained from and every version since): the one exception
to "a source never replaces another" (``AnnotationStore.replace_suggestions``), because the
user asked for it by training or switching. File-imported, pattern and other models'
suggestions, and decided articles, are never touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, ModelError
from .model import ModelVersion
from .progress import OnProgress, ShouldCancel

if TYPE_CHECKING:
    from .store import AnnotationStore
    from .suggest import Pipeline

BASE = "base"


def versions_dir(project: Path) -> Path:
    """``news.db`` -> ``news.models``: the folder of the project's model versions."""
    project = Path(project)
    return project.with_name(f"{project.stem}.models")


def version_path(store: AnnotationStore, version: ModelVersion) -> Path:
    return Path(store.path).parent / version.folder


def in_use(store: AnnotationStore) -> ModelVersion | None:
    """The trained version that suggests (None: the base model)."""
    version_id = store.setting("model_version")
    return None if version_id is None else store.model_version(version_id)


def model_in_use(store: AnnotationStore) -> str | None:
    """What suggests for the project: the folder of the version in use, else the project's
    model (None when it names none: the caller's default)."""
    version = in_use(store)
    if version is None:
        return store.setting("model")
    path = version_path(store, version)
    if not (path / "config.cfg").is_file():
        raise ModelError(
            f"{path}: the folder of model version {version.name}, in use, is missing (the project moved without "
            f"its {Path(version.folder).parent} folder?); put it back beside the project, or go back to the "
            f"base model with `annotator models use {store.path} base`"
        )
    return str(path)


def describe_in_use(store: AnnotationStore) -> str:
    version = in_use(store)
    if version is None:
        from .suggest import DEFAULT_MODEL

        return f"base ({store.setting('model') or DEFAULT_MODEL})"
    return f"{version.name} ({version.folder})"


def find_version(store: AnnotationStore, name: str) -> ModelVersion | None:
    """The version ``name`` says ("v3" or "3"; None for "base"); refused when there is no such version."""
    text = name.strip().lower()
    if text == BASE:
        return None
    number = text.removeprefix("v")
    version = store.model_version(int(number)) if number.isdigit() else None
    if version is None:
        known = ", ".join([BASE] + [v.name for v in store.model_versions()])
        raise InputError(f"{name!r} is not a model version of this project (it has {known})")
    return version


def use_version(store: AnnotationStore, version: ModelVersion | None) -> None:
    """Make ``version`` (None: the base model) the one that suggests."""
    if version is not None and not (version_path(store, version) / "config.cfg").is_file():
        raise ModelError(f"{version_path(store, version)}: the folder of model version {version.name} is missing; "
                         "nothing was changed")
    store.set_setting("model_version", None if version is None else version.id)


def lineage_sources(store: AnnotationStore, pipeline: Pipeline) -> list[int]:
    """The project's model sources of this lineage other than ``pipeline``: the base model the
    versions were trained from and every version, told by their content ids."""
    ids = {cid for v in store.model_versions() for cid in (v.content_id, v.base_content_id)}
    keep = pipeline.source_id(store)
    return [source for source, _, version in store.model_sources()
            if source != keep and version.rpartition("+")[2] in ids]


def resuggest(
    store: AnnotationStore,
    pipeline: Pipeline,
    *,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    batch_size: int = 64,
) -> int:
    """Replace other versions' suggestions on pending articles with ``pipeline``'s (the version
    now in use); how many articles got them. Each batch commits on its own, so stopping keeps
    what is done and running again continues."""
    from .suggest import paged, suggest_batches

    old = lineage_sources(store, pipeline)
    source = pipeline.source_id(store)
    total = store.count_replaceable(source, old)
    pages = paged(lambda after, n: store.replaceable(source, old, after_id=after, limit=n), total)
    return suggest_batches(store, pipeline, pages, total, lambda batch: store.replace_suggestions(source, old, batch),
                           on_progress=on_progress, should_cancel=should_cancel, batch_size=batch_size)
