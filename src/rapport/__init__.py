"""rapport: a year's content files and charts, typeset as a PDF progress report."""

__version__ = "0.1.0"
