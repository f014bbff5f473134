"""AnnotationStore: the only code that runs SQL, one mixin per concern.

Every decision a person makes (confirm, relabel, resize, add, remove, accept,
reject, skip) is one method, committed in its own transaction, and recorded in
the ``events`` table as row-level changes so that undo and redo work from the
GUI, the CLI and after a restart alike.

Threading: an ``AnnotationStore`` wraps one sqlite3 connection and must be used
from the thread that opened it. The GUI opens one for its writer thread and one
read-only for the GUI thread; WAL lets them run side by side.

- ``base``: opening, transactions, settings, labels
- ``articles``: the queue, import writes, export reads
- ``review_order``: the queue's order (import order, or least sure first)
- ``search``: full-text search (Ctrl+F)
- ``suggestions``: model runs and the entities shown for an article
- ``label_edits``: renaming and removing labels
- ``patterns``: the project's patterns (terminology matched before the model)
- ``decisions``: every decision, with the undo log and its replay
- ``propagation``: an entity applied to the other places of its text
- ``sessions``: review sessions and their summaries
- ``versions``: model versions trained on the project, and replacing their suggestions
"""

from .articles import ArticleStore
from .base import StoreBase, content_hash, now
from .decisions import DecisionStore
from .review_order import ReviewOrderStore
from .label_edits import LabelEdit, LabelEditStore
from .propagation import PropagationStore
from .patterns import PatternStore
from .search import SearchStore
from .sessions import SessionStore
from .suggestions import SuggestionStore
from .versions import VersionStore

__all__ = ["AnnotationStore", "LabelEdit", "content_hash", "now"]


class AnnotationStore(
    DecisionStore, PropagationStore, LabelEditStore, PatternStore, VersionStore, SuggestionStore, ArticleStore,
    ReviewOrderStore, SearchStore, SessionStore, StoreBase,
):
    """One project file, through one connection."""
