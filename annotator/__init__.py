"""annotator: the headless core (storage, suggestions, formats, CLI). It never imports Qt."""

__version__ = "0.1.0"
