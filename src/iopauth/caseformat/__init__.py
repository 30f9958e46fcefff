"""The case document: reading a case's JSON, checking it and writing it back.

Data flows through this package in one direction:

- :mod:`._reading` reads a document with its size cap and strict JSON (keys given twice,
  huge numbers);
- :mod:`.limits` holds the document's limits (array lengths, string length, number size);
- the structural pass turns JSON into :mod:`iopauth.model` objects: :mod:`._firstpass` builds
  a valid document fast, and the converter of :mod:`._hooks` reports every problem of one it
  refuses;
- the rule pass (:mod:`.rules`, with the date rules of :mod:`._date_rules`) checks field and
  cross-field rules;
- :mod:`.serialize` puts the passes together as ``load_case`` and ``dump_case``;
  :mod:`.known_valid` remembers which cases passed; :mod:`.validity` checks a case built in
  code the same way (``validate_case``); :mod:`.schema` states the structure as JSON Schema.

The public names are re-exported from :mod:`iopauth`; this package imports only
:mod:`iopauth.model`, :mod:`iopauth.codes`, :mod:`iopauth.measures`, :mod:`iopauth.levels`,
:mod:`iopauth.errors`, :mod:`iopauth._support` and the authorization record's two array types
(for their limits; see docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._support.lazy import exports

if TYPE_CHECKING:
    from .serialize import case_schema, dump_case, load_case
    from .validity import validate_case

# public name -> module that defines it, imported when the name is first used
_LAZY = {
    "case_schema": ".serialize",
    "dump_case": ".serialize",
    "load_case": ".serialize",
    "validate_case": ".validity",
}

__all__ = ["case_schema", "dump_case", "load_case", "validate_case"]

__getattr__, __dir__ = exports(__name__, _LAZY, globals(), __all__)
