"""The PDF file identifier: in the trailer, a hash of the content, computed in one pass."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer ships no types
import pytest
from pypdf import PdfReader

from iopauth.caseformat.serialize import load_case
from iopauth.rendering import RenderOptions, render

CASE = Path(__file__).resolve().parent.parent / "examples/cases/medicare-stepdown-depression.json"


@pytest.mark.parametrize("options", [RenderOptions(), RenderOptions(archival=True)])
def test_identifier_is_the_hash_of_the_content(options: RenderOptions) -> None:
    """The trailer's /ID is two copies of the MD5 of the file written before it was added."""
    pdf = render(load_case(CASE), "request-letter", options=options)
    ids: Any = PdfReader(io.BytesIO(pdf), strict=True).trailer["/ID"]
    entry = f"/ID [({ids[0]}) ({ids[1]})]\n".encode()
    assert ids[0] == ids[1]
    assert pdf.count(entry) == 1
    assert hashlib.md5(pdf.replace(entry, b""), usedforsecurity=False).hexdigest() == ids[0]


def test_writer_serializes_objects_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydyf is asked for no identifier, so it never serializes every object again to hash it."""
    seen: list[Any] = []
    original = pydyf.PDF.write

    def spy(self: Any, output: Any, version: Any, identifier: Any, compress: Any) -> Any:
        seen.append(identifier)
        return original(self, output, version, identifier, compress)

    monkeypatch.setattr(pydyf.PDF, "write", spy)
    render(load_case(CASE), "request-letter", options=RenderOptions(archival=True))
    assert seen == [False]
