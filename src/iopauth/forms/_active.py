"""Active content removed from every form iopauth writes.

A payer's form comes from outside; the filled copy goes into a fax packet beside the patient's
data. Whatever the form could do when opened is removed before it is written, editable or
flattened: JavaScript (document, page, field and widget actions, the ``/JavaScript`` name
tree), ``/OpenAction``, every additional-action (``/AA``) dictionary, ``/Launch``,
``/SubmitForm``, ``/ImportData``, ``/URI`` and every other action except a jump inside the
document (``/GoTo``), embedded files (``/EmbeddedFiles`` and each file specification's
``/EF``), and XFA. The form's fields, their values and appearances stay.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ACTIVE_KEYS", "strip_active_content"]

#: Keys removed from every dictionary of the written PDF.
ACTIVE_KEYS = ("/AA", "/OpenAction", "/JS", "/EF", "/XFA", "/JavaScript", "/EmbeddedFiles")
_SAFE_ACTIONS = frozenset({"/GoTo"})


def _action_is_safe(action: Any) -> bool:
    action = action.get_object() if hasattr(action, "get_object") else action
    if not hasattr(action, "get"):
        return False
    return action.get("/S") in _SAFE_ACTIONS and "/Next" not in action


def _scrub(value: Any, seen: set[int]) -> None:
    """Empty the streams a removed value holds — script text (``/JS``), embedded files
    (``/EF``), XFA packets — so their bytes are not written even as objects nothing refers
    to any more. Only actions, their ``/Next`` chains, additional-action and name-tree nodes
    and file specifications are followed: never a field, a widget or a page an action names.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    todo = [value]
    while todo:
        node = todo.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ArrayObject):
            todo.extend(node)  # a name tree's [name value …], an XFA packet list, a chain
            continue
        if isinstance(node, StreamObject) and not ("/FT" in node or "/Subtype" in node):
            node.set_data(b"")  # a script, an embedded file or an XFA packet
            continue
        if (
            not isinstance(node, DictionaryObject)
            or "/FT" in node
            or "/Subtype" in node
            or node.get("/Type") in ("/Page", "/Pages", "/Catalog")
        ):
            continue  # a field, a widget, a page: named by an action, kept
        for key in ("/JS", "/Next", "/Names", "/Kids", "/EF", "/F", "/UF"):
            if key in node:
                todo.append(node[key])
        if "/JS" in node:
            del node["/JS"]
        if node.get("/S") is None and "/Type" not in node:  # an /AA dictionary: its actions
            todo.extend(node.values())


def _remove(node: Any, key: str, scrubbed: set[int]) -> None:
    _scrub(node[key], scrubbed)
    del node[key]


def _clean(node: Any, seen: set[int], scrubbed: set[int]) -> None:
    """Remove active keys from ``node`` and the direct objects inside it."""
    from pypdf.generic import ArrayObject, DictionaryObject

    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, DictionaryObject):
        for key in ACTIVE_KEYS:
            if key in node:
                _remove(node, key, scrubbed)
        if "/A" in node and not _action_is_safe(node["/A"]):
            _remove(node, "/A", scrubbed)
        if node.get("/S") not in (None, *_SAFE_ACTIONS) and node.get("/Type") == "/Action":
            node.clear()  # an action object of its own: nothing left to run
        for value in list(node.values()):
            if isinstance(value, DictionaryObject | ArrayObject):
                _clean(value, seen, scrubbed)
    elif isinstance(node, ArrayObject):
        for value in node:
            if isinstance(value, DictionaryObject | ArrayObject):
                _clean(value, seen, scrubbed)


def strip_active_content(writer: Any) -> None:
    """Remove the active content of the module docstring from every object ``writer`` holds.

    Walks every indirect object the writer will write (pypdf keeps them in one list), so
    nothing reachable only through an odd path — an outline item, a name tree, an annotation
    not in any page — is missed.
    """
    seen: set[int] = set()
    scrubbed: set[int] = set()
    _clean(writer.root_object, seen, scrubbed)
    for obj in list(writer._objects):  # pypdf has no public list of the objects it writes
        if obj is not None:
            _clean(obj, seen, scrubbed)
