"""Small helpers shared by several rooms of iopauth; nothing here is public API.

- :mod:`.lazy`: the PEP 562 ``__getattr__``/``__dir__`` of packages that load on first use;
- :mod:`.once`: shared state built once per process, safely across threads;
- :mod:`.files`: writing output whole or not at all;
- :mod:`.resources`: where the packaged templates, fonts, catalogs and examples live;
- :mod:`.dates`: dates written out the one way letters and reasons write them;
- :mod:`.document_names`: the names of the documents, without loading the renderer.

Each module here imports only the standard library and :mod:`iopauth.errors`, so every other
package may import it.
"""
