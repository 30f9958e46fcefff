"""Build iopauth's compact ICD-10-CM index from the ``simple-icd-10-cm`` package.

``simple_icd_10_cm`` parses a 9.7 MB XML file when it is imported (seconds), so iopauth does not
import it at run time. This script, run by a maintainer when the code set changes, writes
``src/iopauth/codes/data/icd10cm-2026-04.tsv.gz``: one row per category or subcategory (chapters
and blocks are left out), sorted by code::

    code<TAB>billable<TAB>title

``code`` has no dot; ``billable`` is 1 for a leaf (a code that may go on a claim) and 0 for a
header; when a title starts with the title of the nearest ancestor row, it is stored as ``^``
plus the rest (``T1491XA  1  ^, initial encounter``), which makes the file about a third smaller.
Lines starting with ``#`` are comments; the first one records the source.

The output is deterministic (sorted rows, gzip mtime 0, no file name in the gzip header): a
rerun writes identical bytes, and ``--check`` exits 1 when the shipped file is stale.

Usage: ``python scripts/build_icd_index.py [--output PATH] [--check]``
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import importlib.metadata
import sys
import warnings
from pathlib import Path
from types import ModuleType

# The release the file name and iopauth.codes.ICD10CM_VERSION describe. Building from another
# package version would mislabel the data, so the script refuses (change all three together).
PACKAGE_VERSION = "1.5.0"
RELEASE = "ICD-10-CM FY2026, April 1, 2026 release"
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent / "src/iopauth/codes/data/icd10cm-2026-04.tsv.gz"
)

PARENT_TITLE = "^"


def load_package() -> ModuleType:
    """Import ``simple_icd_10_cm`` (slow), silencing its own deprecation warning."""
    with warnings.catch_warnings():
        # 1.5.0 calls importlib.resources.read_text, deprecated since Python 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        # imported here, not at the top: it is heavy and only this script and one test need it
        return importlib.import_module("simple_icd_10_cm")


def collect(icd: ModuleType) -> dict[str, tuple[bool, str]]:
    """Every category and subcategory of the package's release: code -> (billable, title).

    Chapters (``1``-``22``) and blocks (``F10-F19``) are left out.

    Titles are whitespace-normalized: a few source titles contain a tab (H35.3113), which would
    break the TSV and means nothing.
    """
    rows: dict[str, tuple[bool, str]] = {}
    for code in icd.get_all_codes(False):
        # A block holding a single category shares its name (F99, D3A, B10) and is listed
        # twice, so test for "category or subcategory", not "not a chapter or block".
        if not icd.is_category_or_subcategory(code):
            if not icd.is_chapter_or_block(code):
                raise SystemExit(f"unexpected item kind in simple_icd_10_cm: {code}")
            continue
        title = " ".join(str(icd.get_description(code)).split())
        if title.startswith(PARENT_TITLE):
            raise SystemExit(f"title starts with the parent marker: {code}")
        rows[str(code)] = (bool(icd.is_leaf(code)), title)
    return rows


def nearest_ancestor(code: str, rows: dict[str, tuple[bool, str]]) -> str | None:
    """The longest proper prefix of ``code`` that is a row (placeholder X rows are absent)."""
    for end in range(len(code) - 1, 2, -1):
        if code[:end] in rows:
            return code[:end]
    return None


def render(rows: dict[str, tuple[bool, str]]) -> bytes:
    """The gzip-compressed TSV for ``rows``; identical input gives identical bytes."""
    billable = sum(1 for leaf, _ in rows.values() if leaf)
    lines = [
        f"# {RELEASE}; simple-icd-10-cm {PACKAGE_VERSION}; built by scripts/build_icd_index.py",
        f"# rows={len(rows)} billable={billable} headers={len(rows) - billable}",
        "# columns: code (no dot), billable (1) or header (0), title (^ = parent title + rest)",
    ]
    for code in sorted(rows):
        leaf, title = rows[code]
        parent = nearest_ancestor(code, rows)
        if parent is not None:
            parent_title = rows[parent][1]
            if title.startswith(parent_title) and len(title) > len(parent_title):
                title = PARENT_TITLE + title[len(parent_title) :]
        lines.append(f"{code}\t{int(leaf)}\t{title}")
    text = "\n".join(lines) + "\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def build() -> bytes:
    """Import the package, check its version and return the index file's bytes."""
    installed = importlib.metadata.version("simple-icd-10-cm")
    if installed != PACKAGE_VERSION:
        raise SystemExit(
            f"simple-icd-10-cm {installed} is installed; this script builds from "
            f"{PACKAGE_VERSION}. Update PACKAGE_VERSION, RELEASE, the file name and "
            "iopauth.codes.ICD10CM_VERSION together."
        )
    return render(collect(load_package()))


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the index; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs from a fresh build"
    )
    args = parser.parse_args(argv)
    data = build()
    output: Path = args.output
    if args.check:
        current = output.read_bytes() if output.exists() else b""
        if current != data:
            print(f"{output} is stale; rerun without --check", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    print(f"wrote {output} ({len(data)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
