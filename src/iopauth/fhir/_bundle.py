"""Reading FHIR JSON: the source, the Bundle's entries, references, and small typed getters.

Every problem is a line ``"<path>: <rule>"`` where the path names the place in the Bundle
(``$.entry[3].resource.code``). Values from the Bundle never appear in a line: they may be
patient data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attrs import frozen

from ..caseformat._reading import MAX_DOCUMENT_BYTES, read_source
from ..errors import FhirError, InvalidCaseError

__all__ = ["MAX_BYTES", "Entry", "Index", "read_json"]

#: Largest FHIR document read (bytes), as for a case: a 10,000-entry Bundle is about 5 MB.
MAX_BYTES = MAX_DOCUMENT_BYTES
_MAX_DEPTH = 64


def read_json(source: object, what: str = "bundle") -> dict[str, Any]:
    """Parse a mapping, JSON text, UTF-8 bytes or a file path into a JSON object.

    Read as strictly as a case document (``iopauth.caseformat._reading``): at most
    :data:`MAX_BYTES`, a key given twice is an error at its path, an over-long integer is no
    traceback, and a string is read as a path only when it names a regular file.
    """
    if isinstance(source, Mapping):
        return dict(source)
    try:
        data = read_source(source, what)
    except InvalidCaseError as exc:
        raise FhirError(exc.errors) from None
    if not isinstance(data, dict):
        raise FhirError([f"$: the {what} must be a JSON object (a FHIR resource)"])
    return data


@frozen
class Entry:
    """One resource of the Bundle and the path that names it."""

    index: int
    path: str
    resource: dict[str, Any]

    @property
    def type(self) -> str:
        """The resource type."""
        return str(self.resource["resourceType"])


class Index:
    """The Bundle's entries by type, id and fullUrl; collects problems as it reads."""

    def __init__(self, bundle: dict[str, Any], *, strict: bool = True) -> None:
        """Index ``bundle``; ``strict=False`` tolerates repeated fullUrls (payers send them)."""
        self.errors: list[str] = []
        self.entries: list[Entry] = []
        self._by_key: dict[str, Entry] = {}
        if bundle.get("resourceType") != "Bundle":
            self.errors.append("$.resourceType: must be Bundle")
            return
        raw = bundle.get("entry", [])
        if not isinstance(raw, list):
            self.errors.append("$.entry: must be an array")
            return
        seen_ids: dict[str, str] = {}
        for i, item in enumerate(raw):
            path = f"$.entry[{i}]"
            resource = item.get("resource") if isinstance(item, dict) else None
            if not isinstance(resource, dict):
                self.errors.append(f"{path}.resource: required: a FHIR resource object")
                continue
            rtype = resource.get("resourceType")
            if not isinstance(rtype, str) or not rtype.isalpha():
                self.errors.append(f"{path}.resource.resourceType: required")
                continue
            entry = Entry(i, f"{path}.resource", resource)
            self.entries.append(entry)
            rid = resource.get("id")
            keys: list[tuple[str, str]] = []
            if rid is not None:
                if not isinstance(rid, str) or not rid:
                    self.errors.append(f"{path}.resource.id: must be a non-empty string")
                else:
                    keys.append((f"{rtype}/{rid}", "id"))
            full_url = item.get("fullUrl")
            if isinstance(full_url, str) and full_url:
                keys.append((full_url, "fullUrl"))
            self._add(entry, keys, path, seen_ids, strict=strict)
            if isinstance(full_url, str) and "/" in full_url and not full_url.startswith("urn:"):
                tail = "/".join(full_url.rstrip("/").split("/")[-2:])
                self._by_key.setdefault(tail, entry)

    def _add(
        self,
        entry: Entry,
        keys: list[tuple[str, str]],
        path: str,
        seen: dict[str, str],
        *,
        strict: bool,
    ) -> None:
        for key, where in keys:
            if key in self._by_key:
                if strict or where == "id":
                    field = f"{path}.resource.id" if where == "id" else f"{path}.fullUrl"
                    first = seen.get(key, "an earlier entry")
                    self.errors.append(f"{field}: duplicates the {where} of {first}")
                continue
            self._by_key[key] = entry
            seen[key] = path

    def of_type(self, rtype: str) -> list[Entry]:
        """Entries of one resource type, in Bundle order."""
        return [e for e in self.entries if e.type == rtype]

    def resolve(self, ref: object, path: str, *types: str) -> Entry | None:
        """The entry a Reference points to, or ``None`` with a problem recorded."""
        if not isinstance(ref, dict):
            if ref is not None:
                self.errors.append(f"{path}: must be a Reference object")
            return None
        target = ref.get("reference")
        if target is None:
            return None  # a display-only or identifier-only reference: nothing to follow
        if not isinstance(target, str):
            self.errors.append(f"{path}.reference: must be a string")
            return None
        entry = self._by_key.get(target)
        if entry is None:
            self.errors.append(f"{path}.reference: refers to no entry in the bundle")
            return None
        if types and entry.type not in types:
            wanted = " or ".join(types)
            self.errors.append(f"{path}.reference: must refer to a {wanted}, not a {entry.type}")
            return None
        return entry

    def check_references(self) -> None:
        """Record every relative or ``urn:`` reference that resolves to no entry."""
        for entry in self.entries:
            for path, target in _references(entry.resource, entry.path, 0):
                local = target.startswith("urn:") or (
                    "/" in target and not target.startswith(("http:", "https:", "#"))
                )
                if local and target not in self._by_key:
                    self.errors.append(f"{path}: refers to no entry in the bundle")


def _references(node: object, path: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield f"{path}.reference", value
            elif isinstance(value, dict | list) and key != "contained":
                yield from _references(value, f"{path}.{key}", depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _references(value, f"{path}[{i}]", depth + 1)


# ------------------------------------------------------------------ small typed getters


def text(node: object, key: str) -> str | None:
    """``node[key]`` when it is a non-empty string."""
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def obj(node: object, key: str) -> dict[str, Any]:
    """``node[key]`` when it is an object, else an empty one."""
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}


def items(node: object, key: str) -> list[Any]:
    """``node[key]`` when it is an array, else an empty one."""
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, list) else []


def codings(concept: object) -> list[dict[str, Any]]:
    """The codings of a CodeableConcept that are objects."""
    return [c for c in items(concept, "coding") if isinstance(c, dict)]


def code_in(concept: object, *systems: str) -> str | None:
    """The first code of a CodeableConcept in one of ``systems``."""
    for coding in codings(concept):
        if coding.get("system") in systems and (code := text(coding, "code")):
            return code.strip()
    return None


def day(value: object) -> str | None:
    """The date part (``YYYY-MM-DD``) of a FHIR date or dateTime string."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    return None


def drop_none(**fields: Any) -> dict[str, Any]:
    """The fields that hold a value: neither ``None`` nor an empty list or object."""
    return {k: v for k, v in fields.items() if v is not None and v not in ([], {})}


def first_code(concepts: list[Any], system: str) -> str | None:
    """The first code in ``system`` among several CodeableConcepts."""
    return next((c for c in (code_in(x, system) for x in concepts) if c is not None), None)
