"""Small helpers for messages shown to people."""


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "article")`` is "1 article"; ``plural(3, "article")`` is "3 articles"."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def session_counts(summary: dict) -> str:
    """A session's articles as they stand at its end (see ``SessionStore.session_summary``)."""
    return (
        f"{plural(summary['decided'], 'article')} decided: accepted {summary['accepted']}, "
        f"rejected {summary['rejected']}, skipped {summary['skipped']}"
    )
