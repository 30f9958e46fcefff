"""The shipped ICD-10-CM index against its source, simple-icd-10-cm (slow import, ~3 s).

The only tests that import ``simple_icd_10_cm``; they share one import through a fixture.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from iopauth.codes import lookup_icd10
from iopauth.codes._icd_index import INDEX_FILE, get_index

ROOT = Path(__file__).resolve().parent.parent
NAMED = ["F32", "F32.9", "F32.A", "Z91.5", "Z91.51", "Z91.52", "T14.91", "T14.91XA", "R45.851"]


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    """scripts/build_icd_index.py loaded as a module."""
    spec = importlib.util.spec_from_file_location(
        "build_icd_index", ROOT / "scripts/build_icd_index.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def icd(builder: ModuleType) -> ModuleType:
    """The simple_icd_10_cm module, imported once for this file."""
    try:
        installed = importlib.metadata.version("simple-icd-10-cm")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("simple-icd-10-cm is not installed")
    if installed != builder.PACKAGE_VERSION:
        pytest.skip(f"index was built from simple-icd-10-cm {builder.PACKAGE_VERSION}")
    module: ModuleType = builder.load_package()
    return module


def test_sample_agrees_with_package(icd: ModuleType) -> None:
    """About 200 codes: same billable flag (leaf status) and title as simple_icd_10_cm."""
    codes = get_index().codes()
    sample = codes[:: len(codes) // 200]  # evenly spread over every chapter, deterministic
    for compact in [*sample, *(c.replace(".", "") for c in NAMED)]:
        found = lookup_icd10(compact)
        assert found is not None
        assert icd.is_category_or_subcategory(found.code)
        assert found.billable == icd.is_leaf(found.code)
        assert found.title == " ".join(icd.get_description(found.code).split())


def test_same_code_set_as_package(icd: ModuleType) -> None:
    """Every category and subcategory of the package is in the index, and nothing else."""
    from_package = {c for c in icd.get_all_codes(False) if icd.is_category_or_subcategory(c)}
    assert from_package == set(get_index().codes())


def test_rebuild_gives_identical_bytes(builder: ModuleType, icd: ModuleType) -> None:
    """Rebuilding from the installed package reproduces the shipped file byte for byte."""
    shipped = (ROOT / "src/iopauth/codes/data" / INDEX_FILE).read_bytes()
    assert builder.render(builder.collect(icd)) == shipped
