"""A small test-side reading of the PAS profile rules (src/iopauth/fhir/data/pas-profiles.json).

Not the shared checker (PAS-IN's, landing at merge): enough to hold the Bundles *we* write to the
rules on the elements we emit. For each resource whose ``meta.profile`` names a PAS profile, every
rule of that profile, its PAS parents and its US Core parent is applied where it can be read
without FHIRPath: cardinality (``min``/``max``), ``fixed``/``pattern`` values, required bindings
whose systems the data lists (the IG's own value sets, and the X12 systems its examples use),
the allowed targets of a Reference (resolved in the Bundle), and the rules of an extension
slice's own Extension definition. Slices are told apart by their extension url or by the fixed
or pattern value the profile sets under them. Each problem names the rule's source line.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "src" / "iopauth" / "fhir" / "data"
_PART = re.compile(r"^([A-Za-z0-9]+(?:\[x\])?)(?:\[([^\]]+)\])?$")


@cache
def data() -> dict[str, Any]:
    """The rules data."""
    loaded: dict[str, Any] = json.loads((DATA / "pas-profiles.json").read_text())
    return loaded


def profile_by_url(url: str) -> tuple[str, dict[str, Any]] | None:
    """The PAS profile (name, definition) of a canonical url."""
    for name, profile in data()["profiles"].items():
        if profile["url"] == url:
            return name, profile
    return None


def rules_of(name: str) -> list[dict[str, Any]]:
    """Every rule of a PAS profile and of its PAS and US Core parents."""
    d = data()
    out: list[dict[str, Any]] = []
    while name in d["profiles"]:
        profile = d["profiles"][name]
        out += profile["rules"]
        name = profile["parent"]
    if name in d["parent_profiles"]:
        out += d["parent_profiles"][name]["rules"]
    return out


def rule(name: str, path: str, key: str) -> dict[str, Any]:
    """The one rule of profile ``name`` (or its parents) on ``path`` that has ``key``."""
    found = [r for r in rules_of(name) if r["path"] == path and key in r]
    assert len(found) == 1, (name, path, key, found)
    return found[0]


def _matches(value: Any, pattern: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            _matches(value.get(k), v) for k, v in pattern.items()
        )
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(_matches(v, p) for v in value) for p in pattern)
    return bool(value == pattern)


def _children(node: Any, name: str) -> list[Any]:
    if not isinstance(node, dict):
        return []
    if name.endswith("[x]"):
        stem = name[:-3]
        return [v for k, v in node.items() if k.startswith(stem) and k[len(stem) :][:1].isupper()]
    value = node.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Profile:
    def __init__(self, rules: list[dict[str, Any]], root: str) -> None:
        self.rules = rules
        self.root = root

    def _discriminate(self, prefix: str, slice_path: str, items: list[Any]) -> list[Any] | None:
        """Elements of a sliced list that belong to the slice (None: cannot tell)."""
        for r in self.rules:
            if r["path"] == slice_path and "extension_url" in r:
                return [
                    i for i in items if isinstance(i, dict) and i.get("url") == r["extension_url"]
                ]
        for r in self.rules:
            path = r["path"]
            if path.startswith(slice_path + ".") and ("fixed" in r or "pattern" in r):
                sub = path[len(slice_path) + 1 :]
                want = r.get("fixed", r.get("pattern"))
                return [i for i in items if any(_matches(v, want) for v in self._at(i, sub))]
            if path == slice_path + ".resource" and "types" in r:
                kinds = {t["type"] for t in r["types"]}
                return [
                    i
                    for i in items
                    if _children(i, "resource") and i["resource"].get("resourceType") in kinds
                ]
        return None

    def _at(self, node: Any, path: str, prefix: str = "") -> list[Any]:
        values = [node]
        done = prefix
        for part in path.split(".") if path else []:
            m = _PART.match(part)
            if m is None:
                return []
            name, slice_name = m.groups()
            values = [c for v in values for c in _children(v, name)]
            done = f"{done}.{part}" if done else part
            if slice_name is not None:
                picked = self._discriminate(done, f"{self.root}.{done}", values)
                if picked is None:
                    return []
                values = picked
        return values

    def values(self, resource: Any, path: str) -> list[Any]:
        rel = path[len(self.root) + 1 :] if path != self.root else ""
        return self._at(resource, rel)


def _coded(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict) and "coding" in value:
        return [c for c in value["coding"] if isinstance(c, dict)]
    if isinstance(value, dict) and "system" in value:
        return [value]
    return []


def _binding_systems(value_set: str) -> set[tuple[str, str | None]] | None:
    d = data()
    if value_set in d["value_sets"]:
        return {(i["system"], i.get("code")) for i in d["value_sets"][value_set]["include"]}
    x12 = d["x12_value_sets"].get(value_set)
    if x12 and x12["example_systems"] and all("x12.org" in s for s in x12["example_systems"]):
        return {(s, None) for s in x12["example_systems"]}
    return None


def _cardinality(p: _Profile, resource: Any, r: dict[str, Any], root: str) -> list[str]:
    path = r["path"]
    parent, _, last = path.rpartition(".")
    low, high = r.get("min", 0), r.get("max", "*")
    out = []
    for owner in p.values(resource, parent):
        n = len(p._at(owner, last, parent[len(root) + 1 :]))
        if n < low or (high != "*" and n > int(high)):
            out.append(f"{path}: {n} present, {low}..{high} ({r['source']})")
    return out


def _value(v: Any, r: dict[str, Any], index: dict[str, dict[str, Any]]) -> list[str]:
    path, source = r["path"], r["source"]
    out = []
    want = r.get("fixed", r.get("pattern"))
    if ("fixed" in r or "pattern" in r) and not _matches(v, want):
        out.append(f"{path}: must be {json.dumps(want)} ({source})")
    binding = r.get("binding")
    if binding and binding["strength"] == "required" and _coded(v):
        allowed = _binding_systems(binding["value_set"])
        if allowed is not None and not any(
            (c.get("system"), None) in allowed or (c.get("system"), c.get("code")) in allowed
            for c in _coded(v)
        ):
            out.append(f"{path}: not in {binding['value_set']} ({source})")
    for t in r.get("types", []):
        if t.get("type") == "Reference" and isinstance(v, dict) and "reference" in v:
            kinds = {x.get("resource_type") for x in t["targets"]}
            target = index.get(v["reference"])
            if None in kinds:
                continue  # a US Core target named by profile only
            if target is None:
                out.append(f"{path}: refers to no entry ({source})")
            elif target["resourceType"] not in kinds:
                found = target["resourceType"]
                out.append(f"{path}: a {found}, not {sorted(kinds)} ({source})")
    url = r.get("extension_url")
    if url and url.startswith("http"):
        out += _extension(v, url, index)
    return out


def problems(
    resource: dict[str, Any],
    index: dict[str, dict[str, Any]],
    rules: list[dict[str, Any]],
    root: str,
) -> list[str]:
    """What ``resource`` breaks of ``rules`` (paths starting ``root``)."""
    p = _Profile(rules, root)
    out: list[str] = []
    for r in rules:
        if r["path"] == root:
            continue
        if "min" in r or "max" in r:
            out += _cardinality(p, resource, r, root)
        for v in p.values(resource, r["path"]):
            out += _value(v, r, index)
    return out


def _extension(value: Any, url: str, index: dict[str, dict[str, Any]]) -> list[str]:
    for ext in data()["extensions"].values():
        if ext["url"] == url:
            return problems(value, index, ext["rules"], "Extension")
    return []


def bundle_problems(bundle: dict[str, Any]) -> list[str]:
    """Every rule of the PAS profiles our test reader can apply that ``bundle`` breaks."""
    index = {}
    for e in bundle["entry"]:
        res = e["resource"]
        index[f"{res['resourceType']}/{res['id']}"] = res
    out: list[str] = []
    targets = [("$", bundle)] + [
        (f"$.entry[{i}]", e["resource"]) for i, e in enumerate(bundle["entry"])
    ]
    for where, res in targets:
        for url in res.get("meta", {}).get("profile", []):
            found = profile_by_url(url)
            if found is None:
                continue
            name, profile = found
            root = profile["type"]
            out += [
                f"{where} {name}: {line}" for line in problems(res, index, rules_of(name), root)
            ]
    return out
