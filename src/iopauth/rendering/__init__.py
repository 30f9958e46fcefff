"""Documents: the sandboxed Jinja templates, the WeasyPrint pipeline and their options.

This module only re-exports; WeasyPrint is imported by :mod:`iopauth.rendering.pdf` when a
document is first rendered.
"""

from .demo import write_demo
from .options import Attachment, Letterhead, PaperSize, RenderOptions
from .render import applicable_documents, documents, render, render_html

__all__ = [
    "Attachment",
    "Letterhead",
    "PaperSize",
    "RenderOptions",
    "applicable_documents",
    "documents",
    "render",
    "render_html",
    "write_demo",
]
