"""Documents: the sandboxed Jinja templates, the WeasyPrint pipeline and their options.

This module only re-exports; WeasyPrint is imported by :mod:`iopauth.rendering.pdf` when a
document is first rendered.
"""

from .demo import demo_lines, write_demo
from .language import Language, summary_language
from .options import (
    Attachment,
    FormPlacement,
    Letterhead,
    PaperSize,
    PayerForm,
    PayerQuestionnaire,
    RenderOptions,
)
from .parts import applicable_documents, documents, packet_parts
from .render import (
    is_draft,
    layout_documents,
    render,
    render_documents,
    render_html,
)

__all__ = [
    "Attachment",
    "FormPlacement",
    "Language",
    "Letterhead",
    "PaperSize",
    "PayerForm",
    "PayerQuestionnaire",
    "RenderOptions",
    "applicable_documents",
    "demo_lines",
    "documents",
    "is_draft",
    "layout_documents",
    "packet_parts",
    "render",
    "render_documents",
    "render_html",
    "summary_language",
    "write_demo",
]
