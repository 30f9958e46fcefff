"""``python -m iopauth``: the same as the ``iopauth`` command."""

from .cli import main

raise SystemExit(main())
