"""What a ``cslib`` process of its own sets first, before its heavy imports.

nbformat validates notebooks with jsonschema, whose format checker imports
the optional ``rfc3987_syntax`` package when it is installed (it is: Jupyter
asks for ``jsonschema[format-nongpl]``). That package builds about forty Lark
parsers at import: ~2 s of CPU in every process that imports nbformat, which
is most of a build worker's start and of every ``cslib`` command that runs a
notebook. It serves only the ``iri`` and ``iri-reference`` string formats; no
schema a cslib process validates uses them (nbformat's notebook schema does
not check formats). So the processes cslib starts itself (the ``cslib``
command, build workers, warm processes) skip it. Importing :mod:`cslib` as a
library changes nothing: a Jupyter server, a kernel or another program keeps
the checker.
"""

from __future__ import annotations

import sys

__all__ = ["lean_imports"]

#: Optional packages cslib's own processes never use, and what each costs to import.
SKIPPED = {"rfc3987_syntax": "jsonschema's IRI format checker: ~40 Lark grammars, ~2 s"}


def lean_imports() -> None:
    """Skip :data:`SKIPPED` in this process (call before anything imports nbformat).

    An import of a skipped package raises ``ImportError``, which jsonschema
    expects of an optional checker; a package already imported is left alone.
    """
    for name in SKIPPED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
