"""rapport: a year's content files and charts, typeset as a PDF progress report."""

from rapport.isolation import isolate_libraries

__version__ = "0.1.0"

isolate_libraries()  # before reportlab or matplotlib is imported, whoever imports rapport
