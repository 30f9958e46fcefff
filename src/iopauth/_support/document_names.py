"""The names of the documents iopauth renders, apart from the renderer.

The command line builds its ``render`` options from these names; keeping them here lets every
other command (``check`` above all) start without loading Jinja, the templates' context code
or WeasyPrint.
"""

from __future__ import annotations

__all__ = ["DOCUMENTS"]

DOCUMENTS = (
    "request-letter",
    "checklist",
    "concurrent-review",
    "appeal-letter",
    "fax-cover",
    "patient-summary",
    "packet",
)
