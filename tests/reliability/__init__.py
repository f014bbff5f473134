"""Reliability suite: durability, concurrency, refusals, bad input, text as data (issue 4)."""
