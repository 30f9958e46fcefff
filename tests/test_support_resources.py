"""Packaged resources: where templates, fonts and examples are found, installed or not."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from iopauth._support import resources as _resources
from iopauth.rendering import documents

REPO = Path(__file__).resolve().parent.parent


def test_every_document_has_a_shipped_template() -> None:
    """Each document name has a ``<name>.html.j2`` in the templates folder; the packet is
    assembled from its parts, the list of enclosures among them."""
    folder = _resources.templates_dir()
    for name in (*documents(), "enclosures"):
        if name != "packet":
            assert (folder / f"{name}.html.j2").is_file(), name
    assert not (folder / "packet.html.j2").exists()
    assert (folder / "partials" / "style.css").is_file()


def test_fonts_ship_with_their_licence() -> None:
    """Regular, bold, italic and bold italic ship beside their licence and notice."""
    folder = _resources.fonts_dir()
    for style in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert (folder / f"OpenSans-{style}.ttf").stat().st_size < 64_000
    assert "Apache License" in (folder / "LICENSE-OpenSans.txt").read_text("utf-8")
    assert "Modified by the iopauth developers" in (folder / "README.md").read_text("utf-8")


def test_asset_roots_are_the_template_and_font_folders() -> None:
    """Only the templates and fonts folders are readable by documents."""
    assert _resources.asset_roots() == (
        _resources.templates_dir().resolve(),
        _resources.fonts_dir().resolve(),
    )


def test_checkout_templates_are_found_without_an_installed_copy() -> None:
    """In a checkout (editable install) the repository's templates folder is used."""
    installed = Path(str(_resources._package_dir())) / "templates"
    if installed.is_dir():
        pytest.skip("iopauth is installed with its own templates folder")
    assert _resources.templates_dir() == REPO / "templates"


def test_criteria_sets_folder_holds_toml_sets() -> None:
    """The criteria sets folder is inside the package."""
    assert _resources.criteria_sets_dir().name == "sets"
    assert _resources.criteria_sets_dir().is_dir()


_SCRIPT = """
import pathlib, sys
import iopauth
from iopauth._support import resources as _resources
from iopauth.rendering import render
from iopauth.caseformat.serialize import load_case

venv = pathlib.Path(sys.prefix).resolve()
for path in (pathlib.Path(iopauth.__file__), _resources.templates_dir(), _resources.fonts_dir(),
             _resources.locale_dir()):
    assert venv in path.resolve().parents, path
from iopauth.rendering.language import catalogs
assert catalogs() == ("es",), catalogs()
case = load_case(_resources.examples_dir() / "medicare-stepdown-depression.json")
sys.stdout.buffer.write(render(case, "request-letter"))
"""


def test_built_wheel_renders_outside_the_checkout(tmp_path: Path) -> None:
    """The wheel, installed in a fresh virtual environment, renders the same letter."""
    wheels = tmp_path / "wheels"
    # No build isolation: hatchling comes from the test environment, so nothing is downloaded.
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("iopauth-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name in (*documents(), "enclosures"):
        if name == "packet":
            continue
        assert f"iopauth/templates/{name}.html.j2" in names, (
            "pyproject must force-include templates"
        )
    assert "iopauth/fonts/OpenSans-Regular.ttf" in names
    assert "iopauth/locale/es/LC_MESSAGES/iopauth.mo" in names  # committed, no build step
    assert "iopauth/locale/iopauth.pot" in names  # the completeness check reads it
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )  # fmt: skip
    # The dependencies come from this environment's site-packages as a plain path entry:
    # its .pth files (among them the editable install of the checkout) are not processed.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = subprocess.run(
        [str(python), "-c", _SCRIPT],
        cwd=outside,
        capture_output=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert result.stdout.startswith(b"%PDF-")

    from iopauth.caseformat.serialize import load_case
    from iopauth.rendering import render

    example = _resources.examples_dir()
    assert example is not None
    here = render(load_case(example / "medicare-stepdown-depression.json"), "request-letter")
    assert result.stdout == here
