"""The PAS profile rules as data (``data/pas-profiles.json``): loading, lookups, value sets.

The data is the IG's FSH (HL7/davinci-pas 46be73e4) and the US Core 7.0.0 differentials PAS
derives from, one rule per FSH line with its source (``data/README.md``). This module reads it;
:mod:`._profile_check` applies it. Nothing here is a hand-picked rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "Profile",
    "binding_systems",
    "extension",
    "extension_by_url",
    "profile",
    "profile_by_url",
    "split_path",
]

_X12_VALUE_SET = re.compile(r"https://valueset\.x12\.org/.*/(\d+)$")
_X12_SYSTEM = "https://codesystem.x12.org/005010/"


@cache
def _data() -> dict[str, Any]:
    text = resources.files("iopauth.fhir").joinpath("data", "pas-profiles.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class Profile:
    """One profile (or extension definition) with the rules of its parents folded in."""

    def __init__(self, name: str, spec: dict[str, Any], rules: list[dict[str, Any]]) -> None:
        """``rules`` are the profile's own followed by its parents', nearest first."""
        self.name = name
        self.url: str = spec.get("url", "")
        self.type: str = spec.get("type", "Extension")
        self.rules = rules
        self._extension_urls: dict[tuple[str, str], str] = {}
        for rule in rules:
            if "extension_url" in rule and "slice" in rule:
                parent = _unsliced(rule["path"].rsplit(".", 1)[0])
                self._extension_urls.setdefault((parent, rule["slice"]), rule["extension_url"])

    def extension_url(self, parent: str, name: str) -> str | None:
        """The url of the extension slice ``name`` on the element ``parent`` (no slices in it)."""
        return self._extension_urls.get((parent, name))

    def slice_rules(self, sliced: str, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The rules under the slice ``sliced[name]``, with the path below it ("" for itself)."""
        head = f"{sliced}[{name}]"
        for rule in self.rules:
            path = rule["path"]
            if path == head:
                yield "", rule
            elif path.startswith(head + "."):
                yield path[len(head) + 1 :], rule


def _unsliced(path: str) -> str:
    return re.sub(r"\[(?!x\])[^\]]*\]", "", path)


def split_path(path: str) -> list[tuple[str, str | None]]:
    """``Claim.item.extension[certificationType]`` -> [("Claim", None), ("item", None), ...]."""
    steps: list[tuple[str, str | None]] = []
    for part in re.findall(r"[^.\[]+(?:\[[^\]]*\])?", path):
        if part.endswith("]") and not part.endswith("[x]"):
            name, _, rest = part.partition("[")
            steps.append((name, rest[:-1]))
        else:
            steps.append((part, None))
    return steps


def _owned(owner: str, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rules, each marked with the profile that states it (messages name that one)."""
    return [{**rule, "owner": owner} for rule in rules]


def _us_core_name(key: str) -> str:
    return key.split("|", maxsplit=1)[0].rsplit("/", 1)[-1]


def _chain(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = _data()
    spec = data["profiles"][name]
    rules = _owned(name, spec["rules"])
    parent = spec.get("parent")
    while parent:
        if parent in data["profiles"]:
            rules += _owned(parent, data["profiles"][parent]["rules"])
            parent = data["profiles"][parent].get("parent")
        elif parent in data["parent_profiles"]:
            rules += _owned(_us_core_name(parent), data["parent_profiles"][parent]["rules"])
            parent = data["parent_profiles"][parent].get("parent")
        else:  # a base type: FHIR R4's own rules (data/README.md leaves them out)
            parent = None
    return spec, rules


@cache
def profile(name: str) -> Profile:
    """The PAS profile named ``name`` (its FSH name, e.g. ``PASClaim``) with its parents."""
    spec, rules = _chain(name)
    return Profile(name, spec, rules)


@cache
def profile_by_url(url: str) -> Profile | None:
    """A PAS profile or a US Core parent by canonical url (a ``|version`` suffix is allowed)."""
    data = _data()
    for name, spec in data["profiles"].items():
        if spec["url"] == url.split("|", maxsplit=1)[0]:
            return profile(name)
    for key, spec in data["parent_profiles"].items():
        if key.split("|")[0] == url.split("|", maxsplit=1)[0]:
            name = _us_core_name(key)
            return Profile(name, {"url": key, **spec}, _owned(name, spec["rules"]))
    return None


@cache
def extension(name: str) -> Profile:
    """The PAS extension definition named ``name`` (e.g. ``ReviewAction``)."""
    spec = _data()["extensions"][name]
    return Profile(name, spec, _owned(name, spec["rules"]))


@cache
def _extensions_by_url() -> dict[str, str]:
    return {spec["url"]: name for name, spec in _data()["extensions"].items()}


def extension_by_url(url: str) -> Profile | None:
    """The PAS extension definition with this canonical url, if the IG defines one."""
    name = _extensions_by_url().get(url)
    return extension(name) if name is not None else None


def binding_systems(value_set: str) -> tuple[list[dict[str, Any]], str, str] | None:
    """What a required binding to ``value_set`` allows, the source saying so, and its name.

    - The IG's own value sets (Terminology.fsh): their ``include`` entries (system, and the
      code or codes when listed).
    - X12 value sets: X12's licensed content, unpublished. Only the code system is checked:
      ``https://codesystem.x12.org/005010/<element>`` (the form of every X12 code in the IG's
      examples) and any other system the IG's own examples put under that binding (PASQuantity's
      673 holds UCUM in ReferralRequestExample, Examples.fsh:700 — so the IG example passes,
      issue 23; a checker cannot confirm UCUM is in 673, nor that it is not).
    - Any other value set (VSAC, hl7.org/fhir/ValueSet, LOINC): content not in the data, so
      ``None``: not checked.
    """
    data = _data()
    if value_set in data["value_sets"]:
        spec = data["value_sets"][value_set]
        return list(spec["include"]), spec["source"], f"the IG's value set {spec['name']}"
    if value_set in data["x12_value_sets"]:
        spec = data["x12_value_sets"][value_set]
        systems = [_X12_SYSTEM + spec["x12_element"], *spec.get("example_systems", [])]
        includes = [{"system": s} for s in dict.fromkeys(systems)]
        label = f"the X12 value set of element {spec['x12_element']}"
        return includes, ", ".join(spec["bound_at"]), label
    match = _X12_VALUE_SET.match(value_set)
    if match:  # an X12 value set the data holds no evidence for: its element's system
        label = f"the X12 value set of element {match.group(1)}"
        return [{"system": _X12_SYSTEM + match.group(1)}], value_set, label
    return None
