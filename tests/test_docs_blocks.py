"""Every Python and shell block of README.md and docs/*.md runs as written (issue 22 §12).

Each file's blocks run in order from a scratch copy of the checkout (the folders the blocks
read: examples/, templates/, scripts/, src/, tests/forms/, docs/ and the top-level files), with
the working directory there. The Python blocks of one file share one namespace, as a reader
pasting them one after another would; a shell block runs under ``bash -e -o pipefail`` with the
virtual environment's ``iopauth`` first on ``PATH``. A failure names the file, the block's
number and line, and its first line.

Skipped, and only these: a block whose first line starts with ``# excerpt`` (it cannot run
offline, e.g. it posts to a real payer's URL, and says so on that line); and the line
``./run test`` of the quick start, which is this very test suite (running it here would run
this test again). Blocks fenced as ``text`` (command synopses with placeholders) are not code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
PYTHON = frozenset({"python", "py", "pycon"})
SHELL = frozenset({"sh", "bash", "shell", "console"})
#: What the scratch copy holds: what the documented blocks read.
COPIED = ("examples", "templates", "scripts", "src", "docs", "tests/forms")
COPIED_FILES = ("README.md", "CHANGELOG.md", "pyproject.toml", "run", "LICENSE")
#: The quick start's second command is this suite itself.
NESTED = "./run test"
_FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)\s*$")
_BLOCK_SECONDS = 600
BASH = shutil.which("bash") or "/bin/bash"


@attrs.frozen
class Block:
    """One fenced code block: where it is, its language and its text."""

    path: Path
    number: int  # 1-based among the file's runnable blocks
    line: int  # the line of its first code line
    language: str
    code: str

    @property
    def where(self) -> str:
        first = next((ln for ln in self.code.splitlines() if ln.strip()), "")
        return f"{self.path.name} block {self.number} (line {self.line}: {first.strip()!r})"

    @property
    def excerpt(self) -> bool:
        first = next((ln for ln in self.code.splitlines() if ln.strip()), "")
        return first.strip().startswith("# excerpt")


def blocks(path: Path) -> list[Block]:
    """The Python and shell blocks of a Markdown file, in order."""
    out: list[Block] = []
    language: str | None = None
    start, lines = 0, list[str]()
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = _FENCE.match(text)
        if language is None:
            if fence:
                language, start, lines = fence.group(1).lower(), number + 1, list[str]()
            continue
        if text.strip() == "```":
            if language in PYTHON | SHELL:
                code = "\n".join(lines) + "\n"
                out.append(Block(path, len(out) + 1, start, language, code))
            language = None
            continue
        lines.append(text)
    return out


def _scratch(tmp_path: Path) -> Path:
    """A copy of the checkout's documented folders, with the real virtual environment."""
    work = tmp_path / "checkout"
    work.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.exists():
            shutil.copytree(
                source, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
    for name in COPIED_FILES:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, work / name)
    venv = ROOT / ".venv"
    if venv.is_dir():
        (work / ".venv").symlink_to(venv)
    return work


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONPATH", None)
    return env


def _run_shell(block: Block, cwd: Path) -> None:
    code = "\n".join(ln for ln in block.code.splitlines() if ln.strip() != NESTED)
    done = subprocess.run(
        [BASH, "-e", "-o", "pipefail", "-c", code],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=_BLOCK_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{block.where} exited {done.returncode}\n--- stdout\n{done.stdout[-3000:]}"
            f"\n--- stderr\n{done.stderr[-3000:]}",
            pytrace=False,
        )


def _run_python(block: Block, namespace: dict[str, Any]) -> None:
    try:
        exec(compile(block.code, f"{block.path.name}#block{block.number}", "exec"), namespace)  # noqa: S102 - the documentation's own code
    except Exception:  # any failure of a documented block is reported as one
        pytest.fail(f"{block.where} raised\n{traceback.format_exc(limit=-3)}", pytrace=False)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_block_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file's Python and shell blocks run in order from a scratch checkout."""
    work = _scratch(tmp_path)
    monkeypatch.chdir(work)
    monkeypatch.setenv("PATH", _environment()["PATH"])
    namespace: dict[str, Any] = {"__name__": f"docs_{path.stem}"}
    for block in blocks(path):
        if block.excerpt:
            continue
        if block.language in SHELL:
            _run_shell(block, work)
        else:
            _run_python(block, namespace)


def test_the_block_reader_finds_blocks_and_excerpts(tmp_path: Path) -> None:
    """The reader returns runnable blocks only, numbered in order, with their first line."""
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n```python\nx = 1\n```\n```text\nnot code\n```\n```sh\n# excerpt: a real URL\n"
        "curl https://payer.example\n```\n```json\n{}\n```\n```bash\necho hi\n```\n",
        encoding="utf-8",
    )
    found = blocks(page)
    assert [(b.number, b.language, b.line) for b in found] == [
        (1, "python", 3),
        (2, "sh", 9),
        (3, "bash", 16),
    ]
    assert [b.excerpt for b in found] == [False, True, False]
    assert found[0].where == "page.md block 1 (line 3: 'x = 1')"


def test_every_excerpt_says_why() -> None:
    """A skipped block gives its reason on its first line, after ``# excerpt``."""
    for path in FILES:
        for block in blocks(path):
            if block.excerpt:
                first = block.code.strip().splitlines()[0]
                assert re.match(r"# excerpt[:,;-] *\S", first), block.where


def test_the_files_the_docs_show_are_the_files_shipped() -> None:
    """A file a page shows in full is the one under examples/ it names: the payer overlay of
    docs/criteria.md and the decision of the README, so the runnable blocks read what a
    reader sees."""
    import json

    criteria = (ROOT / "docs" / "criteria.md").read_text(encoding="utf-8")
    shown = re.search(r"Its overlay on `iop-standard`.*?```toml\n(.*?)```", criteria, re.DOTALL)
    assert shown is not None
    shipped = (ROOT / "examples" / "payer-x-iop.toml").read_text(encoding="utf-8")
    assert shipped.endswith(shown.group(1))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    decision = re.search(
        r"\(`examples/decisions/partial-approval\.json`\):\n\n```json\n(.*?)```", readme, re.DOTALL
    )
    assert decision is not None
    on_disk = (ROOT / "examples" / "decisions" / "partial-approval.json").read_text("utf-8")
    assert json.loads(decision.group(1)) == json.loads(on_disk)
