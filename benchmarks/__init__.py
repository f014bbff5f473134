"""Benchmarks for annotator: every figure measured next to its baseline in the same run.

Run ``python -m benchmarks --help``.
"""
