"""The ``iopauth`` command line: the top floor, importing the library and imported by none of it.

:func:`main` (in :mod:`.main`) builds the parser and runs a command; each command group has a
module of its own (:mod:`.check`, :mod:`.render`, :mod:`.reference`, :mod:`.auth`,
:mod:`.fhir`, :mod:`.forms`, :mod:`.batch`, :mod:`.demo`), and what they share (exit codes,
reading a case or decision argument, writing an output file) sits below them in :mod:`._args`.
The console script ``iopauth`` and ``python -m iopauth`` both call :func:`main`.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
