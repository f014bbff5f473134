"""The PySide6 desktop front end over the headless ``annotator`` core."""
