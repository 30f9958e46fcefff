"""Reading criteria set files: the shipped sets, TOML within its limits, and overlays.

An overlay names the set it builds on with ``extends`` (a shipped set or a sibling file); the
chain is followed to its root and each file is merged onto its base by :func:`overlay` before
anything is checked (:mod:`._set_build` checks the merged table).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from .._support.once import once
from ..errors import CriteriaSetError

#: Largest criteria file read (the shipped sets are 20 to 45 kB).
MAX_SET_BYTES = 1024 * 1024


def _sets_dir() -> resources.abc.Traversable:
    return resources.files("iopauth.criteria") / "sets"


@once()
def criteria_sets() -> tuple[str, ...]:
    """Names of the shipped criteria sets, sorted (package data: read once)."""
    names = (p.name for p in _sets_dir().iterdir() if p.name.endswith(".toml"))
    return tuple(sorted(n.removesuffix(".toml") for n in names))


def raw_shipped(name: str) -> dict[str, Any]:
    text = (_sets_dir() / f"{name}.toml").read_text(encoding="utf-8")
    return _parse_toml(text, label=name)


def _parse_toml(text: str, *, label: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CriteriaSetError(f"criteria set {label!r}: invalid TOML: {error}") from None
    except RecursionError:
        raise CriteriaSetError(f"criteria set {label!r}: invalid TOML: nested too deeply") from None
    except ValueError:  # an integer past Python's digit limit, raised inside tomllib
        raise CriteriaSetError(f"criteria set {label!r}: invalid TOML: number too long") from None


def raw_file(path: Path, *, seen: tuple[Path, ...]) -> dict[str, Any]:
    from .._support.files import RefusedInputError, read_bounded

    label = path.name
    try:  # the one bounded reader: a regular file or a pipe, never a device or a FIFO's hang
        text = read_bounded(path, MAX_SET_BYTES).decode("utf-8")
    except RefusedInputError as error:
        rule = str(error).removeprefix("is ")
        raise CriteriaSetError(f"criteria set {label!r}: {rule}") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise CriteriaSetError(f"criteria set {label!r}: cannot read: {reason}") from None
    raw = _parse_toml(text, label=label)
    base_name = raw.get("extends")
    if base_name is None:
        return raw
    if not isinstance(base_name, str):
        raise CriteriaSetError(f"criteria set {label!r}: extends must be a set name or file")
    if base_name in criteria_sets():
        base = raw_shipped(base_name)
    else:
        base_path = (path.parent / base_name).resolve()
        if base_path in seen:
            raise CriteriaSetError(f"criteria set {label!r}: extends itself in a cycle")
        base = raw_file(base_path, seen=(*seen, path.resolve()))
    return overlay(base, raw, label=label)


def overlay(base: dict[str, Any], over: dict[str, Any], *, label: str) -> dict[str, Any]:
    """Merge ``over`` onto ``base``: params update, criteria replace by id or append."""
    merged = {k: v for k, v in base.items() if k not in ("extends", "remove")}
    for key, value in over.items():
        if key in ("criteria", "params", "extends", "remove"):
            continue
        merged[key] = value
    params = dict(base.get("params", {}))
    extra = over.get("params", {})
    if not isinstance(extra, dict):
        raise CriteriaSetError(f"criteria set {label!r}: params must be a table")
    params.update(extra)
    merged["params"] = params
    criteria: list[Any] = list(base.get("criteria", []))
    if not isinstance(over.get("criteria", []), list):
        raise CriteriaSetError(f"criteria set {label!r}: criteria must be a list of tables")
    removed = over.get("remove", [])
    if not isinstance(removed, list) or not all(isinstance(r, str) for r in removed):
        raise CriteriaSetError(f"criteria set {label!r}: remove must be a list of ids")
    known = {c.get("id") for c in criteria if isinstance(c, dict)}
    for criterion_id in removed:
        if criterion_id not in known:
            raise CriteriaSetError(f"criteria set {label!r}: remove names unknown {criterion_id!r}")
    criteria = [c for c in criteria if not (isinstance(c, dict) and c.get("id") in removed)]
    for new in over.get("criteria", []):
        ids = [c.get("id") if isinstance(c, dict) else None for c in criteria]
        new_id = new.get("id") if isinstance(new, dict) else None
        if new_id is not None and new_id in ids:
            criteria[ids.index(new_id)] = new
        else:
            criteria.append(new)
    merged["criteria"] = criteria
    return merged
