"""The queue's order: import order, or the articles the model was least sure of first.

Every query that walks the queue (``ArticleStore.neighbour``, ``position``, ``queue``...)
asks ``_order()`` which table and key to walk. Import order walks ``articles`` by id;
least sure first walks ``review_order`` by (certainty, article id), through an index that
starts with the status, so finding the next pending article costs a few index entries
whatever the project's size (no sort of all articles, no join walking decided ones).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Changes, ReviewOrder, Status

ORDER_SETTING = "review_order"
UNSCORED = 2.0  # review_order.certainty of an article with no score: after every scored one (certainty <= 1)


@dataclass(frozen=True)
class QueueOrder:
    """Where a queue query reads and what it sorts by (SQL fragments, no user text)."""

    ids_from: str  # the table holding each article's place and status
    rows_from: str  # the same joined with articles, for titles
    id: str
    status: str
    key: tuple[str, ...]  # the sort key, unique per article (ends with the id)
    first: tuple  # a key before every article's, and one after: anchors that keep each query an index search
    last: tuple

    def compare(self, op: str) -> str:
        """``key op anchor`` as a row value: (certainty, article_id) > (?, ?)."""
        columns = ", ".join(self.key)
        return f"({columns}) {op} ({', '.join('?' * len(self.key))})"

    def sort(self, forward: bool = True) -> str:
        return ", ".join(f"{column} {'ASC' if forward else 'DESC'}" for column in self.key)


IMPORT = QueueOrder("articles", "articles", "id", "status", ("id",), (0,), (2**62,))
LEAST_SURE = QueueOrder(
    "review_order", "review_order JOIN articles ON articles.id = review_order.article_id",
    "review_order.article_id", "review_order.status", ("review_order.certainty", "review_order.article_id"),
    (-1.0, 0), (UNSCORED + 1, 2**62),
)


class ReviewOrderStore:
    def review_order(self) -> ReviewOrder:
        value = self.setting(ORDER_SETTING, ReviewOrder.IMPORT.value)
        try:
            return ReviewOrder(value)
        except ValueError:
            return ReviewOrder.IMPORT  # written by a later version: the default order stands in

    def set_review_order(self, order: ReviewOrder | str) -> Changes:
        self.set_setting(ORDER_SETTING, ReviewOrder(order).value)
        return Changes(statuses=True)  # every queue view re-reads its rows

    def _order(self) -> QueueOrder:
        return LEAST_SURE if self.review_order() is ReviewOrder.LEAST_SURE else IMPORT

    def order_key(self, article_id: int) -> tuple:
        """The article's sort key in the current order (compare two articles' places with it);
        an article that does not exist sorts after every other."""
        if self._order() is IMPORT:
            return (article_id,)
        row = self.conn.execute(
            "SELECT certainty, article_id FROM review_order WHERE article_id = ?", (article_id,)
        ).fetchone()
        return (float("inf"), article_id) if row is None else tuple(row)

    def _anchor(self, order: QueueOrder, article_id: int | None, *, forward: bool = True) -> tuple | None:
        """The sort key to page from: the article's, or with None the start (``forward``) or the
        end of the queue; None when the article is not there."""
        if article_id is None:
            return order.first if forward else order.last
        if order is IMPORT:
            return (article_id,)
        return self.conn.execute(
            "SELECT certainty, article_id FROM review_order WHERE article_id = ?", (article_id,)
        ).fetchone()

    def certainty(self, article_id: int) -> float | None:
        """How sure the model was of the article's suggestions (0..1), None when it was not scored."""
        row = self.conn.execute("SELECT certainty FROM review_order WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None or row[0] == UNSCORED else row[0]

    def count_scored(self, status=None) -> int:
        """How many articles (of ``status``) have a certainty (the rest come last in least-sure order)."""
        where, args = "certainty < ?", [UNSCORED]
        if status is not None:
            where, args = "status = ? AND certainty < ?", [Status(status).value, UNSCORED]
        return self.conn.execute(f"SELECT count(*) FROM review_order WHERE {where}", args).fetchone()[0]

    def _save_certainties(self, items: Iterable[tuple[int, float]]) -> None:
        """Inside the caller's write transaction: each article's certainty, 0..1."""
        self.conn.executemany(
            "UPDATE review_order SET certainty = ? WHERE article_id = ?",
            ((min(1.0, max(0.0, float(certainty))), article_id) for article_id, certainty in items),
        )

    def _add_to_order(self, after_id: int) -> None:
        """Place the articles with ids above ``after_id`` (just imported) in the order, unscored."""
        self.conn.execute(
            "INSERT INTO review_order (article_id, status) SELECT id, status FROM articles WHERE id > ? "
            "ON CONFLICT (article_id) DO NOTHING",
            (after_id,),
        )
