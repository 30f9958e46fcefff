"""Applying one profile's rules (``data/pas-profiles.json``) to one FHIR JSON element.

What each kind of rule means here:

- ``min``/``max``: counted in every instance of the parent element (a slice counts its members).
- ``fixed`` / ``pattern``: equality for a primitive; for an object every key of the pattern
  must match, and every item of a pattern array must match some item (FHIR's pattern[x]).
- ``binding`` (required only; extensible and weaker bindings are guidance): see
  :func:`~._profile_rules.binding_systems` for what is known of each value set.
- ``types``: the choice key names an allowed type; a profiled type (PASQuantity, PASIdentifier,
  PASTiming, a Claim profile on ``Bundle.entry[Claim].resource``) is checked against that profile
  and must conform to at least one; a Reference goes to the caller (:class:`References`).
- ``invariant``: FullDateRule (a date of 10 characters, Claim-update.fsh:317) and ClaimFirst
  (Bundle.fsh:94) are evaluated; other FHIRPath invariants are not (listed in docs/fhir.md).
- ``must_support`` and ``abstract`` say what a system must handle, not what an instance holds.

Slices: an extension slice is its ``extension_url``; any other slice's members are the elements
that match every fixed/pattern rule under it (its discriminator). A slice whose members cannot
be told apart this way is not checked. Messages name the element's JSON path, the rule, the
profile and its source line — never a value from the instance.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from attrs import frozen

from ._profile_rules import Profile, binding_systems, profile_by_url, split_path

__all__ = ["Node", "Problems", "ReferenceCheck", "check", "select"]

Problems = list[str]
#: Checks a Reference element against the allowed targets of a rule: (node, targets, where).
ReferenceCheck = Callable[["Node", list[dict[str, Any]], str], Problems]


@frozen
class Node:
    """An element: its JSON value, its JSON path, its parent object and its key there."""

    value: Any
    path: str
    parent: Any = None
    key: str = ""


def _children(node: Node, name: str) -> list[Node]:
    value = node.value
    if not isinstance(value, dict):
        return []
    if name.endswith("[x]"):
        prefix = name[:-3]
        keys = [
            k
            for k in value
            if k.startswith(prefix) and len(k) > len(prefix) and k[len(prefix)].isupper()
        ]
    else:
        keys = [name] if name in value else []
    out: list[Node] = []
    for key in keys:
        child = value[key]
        if isinstance(child, list):
            out += [Node(v, f"{node.path}.{key}[{i}]", value, key) for i, v in enumerate(child)]
        else:
            out.append(Node(child, f"{node.path}.{key}", value, key))
    return out


def matches(value: Any, expected: Any, *, fixed: bool) -> bool:
    """``value`` equals a fixed value, or holds a pattern (FHIR pattern[x] semantics)."""
    if fixed or not isinstance(expected, dict | list):
        return bool(value == expected and type(value) is type(expected))
    if isinstance(expected, dict):
        return isinstance(value, dict) and all(
            matches(value.get(k), v, fixed=False) for k, v in expected.items()
        )
    return isinstance(value, list) and all(
        any(matches(v, e, fixed=False) for v in value) for e in expected
    )


def _member(prof: Profile, node: Node, *, sliced: str, plain: str, name: str, slc: str) -> bool:
    if name in ("extension", "modifierExtension"):
        url = prof.extension_url(plain, slc)
        return isinstance(node.value, dict) and url is not None and node.value.get("url") == url
    tests = 0
    for below, rule in prof.slice_rules(f"{sliced}.{name}", slc):
        if "fixed" in rule or "pattern" in rule:
            expected, fixed = (rule["fixed"], True) if "fixed" in rule else (rule["pattern"], False)
            found = [node] if not below else select(prof, node, below, f"{sliced}.{name}[{slc}]")
            tests += 1
            if not any(matches(n.value, expected, fixed=fixed) for n in found):
                return False
        elif below == "resource" and "types" in rule:
            tests += 1
            resource = node.value.get("resource") if isinstance(node.value, dict) else None
            kinds = [t["type"] for t in rule["types"]]
            if not isinstance(resource, dict) or resource.get("resourceType") not in kinds:
                return False
    return tests > 0


def select(prof: Profile, root: Node, path: str, sliced_root: str) -> list[Node]:
    """The elements at ``path`` (relative, slices in brackets) below ``root``."""
    nodes = [root]
    sliced = sliced_root
    for name, slc in split_path(path):
        plain = _plain(sliced)
        nodes = [c for n in nodes for c in _children(n, name)]
        if slc is not None:
            nodes = [
                n for n in nodes if _member(prof, n, sliced=sliced, plain=plain, name=name, slc=slc)
            ]
            sliced = f"{sliced}.{name}[{slc}]"
        else:
            sliced = f"{sliced}.{name}"
    return nodes


def _plain(path: str) -> str:
    return ".".join(name for name, _ in split_path(path))


def _where(prof: Profile, rule: dict[str, Any]) -> str:
    return f"{rule.get('owner', prof.name)}, {rule['source']}"


def _described(value: Any) -> str:
    """A fixed or pattern value of the IG, for a message (the IG's constants, never the case's)."""
    if isinstance(value, dict) and isinstance(value.get("coding"), list):
        return " or ".join(
            f"{c.get('system', '')}#{c.get('code', '')}"
            for c in value["coding"]
            if isinstance(c, dict)
        )
    return json.dumps(value, sort_keys=True)


def _cardinality(prof: Profile, root: Node, rule: dict[str, Any], rest: str, head: str) -> Problems:
    parent_path, _, last = rest.rpartition(".")
    parents = select(prof, root, parent_path, head) if parent_path else [root]
    sliced = f"{head}.{parent_path}" if parent_path else head
    out: Problems = []
    low = int(rule.get("min", 0))
    high = rule.get("max", "*")
    for parent in parents:
        count = len(select(prof, parent, last, sliced))
        label = f"{parent.path}.{last}"
        if count < low:
            need = "required" if low == 1 else f"at least {low} required"
            out.append(f"{label}: {need} ({_where(prof, rule)})")
        elif high == "0" and count:
            out.append(f"{label}: not allowed ({_where(prof, rule)})")
        elif high != "*" and count > int(high):
            out.append(f"{label}: at most {high} allowed, {count} present ({_where(prof, rule)})")
    return out


def _codes(node: Node) -> list[tuple[Any, Any]]:
    value = node.value
    if isinstance(value, str):
        # Quantity.code and Coding.code have a sibling system; a bare ``code`` element's system
        # is the value set's own (None: any of the value set's systems)
        parent = node.parent if isinstance(node.parent, dict) else {}
        return [(parent.get("system") if node.key == "code" else None, value)]
    if isinstance(value, dict) and isinstance(value.get("coding"), list):
        return [(c.get("system"), c.get("code")) for c in value["coding"] if isinstance(c, dict)]
    if isinstance(value, dict):
        return [(value.get("system"), value.get("code"))]
    return []


def _in_value_set(pairs: list[tuple[Any, Any]], includes: list[dict[str, Any]]) -> bool:
    for system, code in pairs:
        for include in includes:
            if system is not None and include.get("system") != system:
                continue
            listed = include.get("codes") or ([include["code"]] if "code" in include else None)
            if listed is None or code in listed:
                return True
    return False


def _misplaced(pairs: list[tuple[Any, Any]], includes: list[dict[str, Any]]) -> bool:
    """A code the value set lists, written under another system (and nothing in the set)."""
    listed = {c for i in includes for c in (i.get("codes") or [i.get("code")]) if c is not None}
    return not _in_value_set(pairs, includes) and any(
        isinstance(code, str) and code in listed for _, code in pairs
    )


def _binding(prof: Profile, nodes: list[Node], rule: dict[str, Any]) -> Problems:
    binding = rule["binding"]
    known = binding_systems(binding["value_set"])
    if known is None:
        return []
    includes, source, name = known
    if binding.get("strength") == "extensible":
        # An extensible binding allows another code when the value set has none that fits; a
        # code the value set does list, under another system, is not that case.
        return [
            f"{n.path}: a code of {name} must be written with its system "
            f"({', '.join(dict.fromkeys(str(i.get('system')) for i in includes))}; {source}) "
            f"({_where(prof, rule)})"
            for n in nodes
            if _misplaced(_codes(n), includes)
        ]
    if binding.get("strength") != "required":
        return []
    systems = ", ".join(dict.fromkeys(str(i.get("system")) for i in includes))
    return [
        f"{n.path}: must be coded from {name} (code systems: {systems}; {source}) "
        f"({_where(prof, rule)})"
        for n in nodes
        if not _in_value_set(_codes(n), includes)
    ]


def _type_name(kind: str) -> str:
    return "Quantity" if kind == "SimpleQuantity" else kind


def _types(
    prof: Profile, nodes: list[Node], rule: dict[str, Any], refs: ReferenceCheck, depth: int
) -> Problems:
    out: Problems = []
    last = split_path(rule["path"])[-1][0]
    options = rule["types"]
    for node in nodes:
        allowed = options
        if last.endswith("[x]"):
            suffix = node.key[len(last) - 3 :]
            allowed = [t for t in options if _type_name(t["type"]).lower() == suffix.lower()]
            if not allowed:
                names = " or ".join(_type_name(t["type"]) for t in options)
                out.append(f"{node.path}: must be of type {names} ({_where(prof, rule)})")
                continue
        targets = [x for t in allowed if t["type"] == "Reference" for x in t.get("targets", [])]
        if targets:
            out += refs(node, targets, _where(prof, rule))
            continue
        profiles = [p for t in allowed if (p := profile_by_url(t.get("profile") or "")) is not None]
        if profiles:
            results = [check(p, node, refs, depth + 1) for p in profiles]
            if all(results):  # conforms to none: report the declared one's, else the nearest
                meta = node.value.get("meta") if isinstance(node.value, dict) else None
                declared = meta.get("profile") if isinstance(meta, dict) else None
                named = [
                    r
                    for p, r in zip(profiles, results, strict=True)
                    if isinstance(declared, list) and p.url in declared
                ]
                out += named[0] if named else _fewest(results)
    return out


def _fewest(results: list[Problems]) -> Problems:
    """The shortest list of problems: the profile the element comes nearest to."""
    return sorted(results, key=len)[0]


def _invariant(prof: Profile, root: Node, nodes: list[Node], rule: dict[str, Any]) -> Problems:
    key = rule["invariant"]["key"]
    if key == "FullDateRule":  # Claim-update.fsh:317 "$this.toString().length() = 10"
        return [
            f"{n.path}: must be a full date YYYY-MM-DD ({_where(prof, rule)})"
            for n in nodes
            if isinstance(n.value, str) and len(n.value) != 10
        ]
    if key == "ClaimFirst":  # Bundle.fsh:94 "entry.first().resource is Claim"
        entries = root.value.get("entry") if isinstance(root.value, dict) else None
        first = entries[0] if isinstance(entries, list) and entries else None
        resource = first.get("resource") if isinstance(first, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Claim":
            return [f"{root.path}.entry[0].resource: must be the Claim ({_where(prof, rule)})"]
    return []


def check(prof: Profile, root: Node, refs: ReferenceCheck, depth: int = 0) -> Problems:
    """Every rule of ``prof`` that the element ``root`` breaks."""
    if depth > 8:  # profiles nest a few levels (Bundle > Claim > Quantity); never deeper
        return []
    out: Problems = []
    for rule in prof.rules:
        steps = rule["path"].split(".", 1)
        if steps[0] != prof.type or (len(steps) == 1 and "invariant" not in rule):
            continue
        rest = steps[1] if len(steps) > 1 else ""
        if "min" in rule or "max" in rule:
            out += _cardinality(prof, root, rule, rest, prof.type)
        nodes = select(prof, root, rest, prof.type) if rest else [root]
        if "fixed" in rule or "pattern" in rule:
            fixed = "fixed" in rule
            expected = rule["fixed"] if fixed else rule["pattern"]
            out += [
                f"{n.path}: must be {_described(expected)} ({_where(prof, rule)})"
                for n in nodes
                if not matches(n.value, expected, fixed=fixed)
            ]
        if "binding" in rule:
            out += _binding(prof, nodes, rule)
        if "types" in rule:
            out += _types(prof, nodes, rule, refs, depth)
        if "invariant" in rule:
            out += _invariant(prof, root, nodes, rule)
    return out
