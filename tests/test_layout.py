"""The package's layout, read from its own imports: layers point down, no circles, small modules.

Every ``import`` of ``cslib`` code (at the top of a module or inside a
function) is an arrow. A module may import its own layer and the layers below
it, never a layer above (``data`` <- ``metrics`` <- ``document`` <- ``present``
<- ``render`` <- ``execute`` <- ``pipeline`` <- ``authoring`` <- ``cli``), and
no two modules may import each other, directly or around a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CSLIB = Path(__file__).resolve().parents[1] / "cslib"
#: Layers, lowest first. Foundation modules are leaves every layer may use.
LAYERS = [
    ("foundation", ("errors", "periods", "settings", "secrets", "terminal", "export", "names",
                    "typeface", "startup")),
    ("data", ("data",)),
    ("metrics", ("metrics",)),
    ("document", ("document",)),
    ("present", ("present",)),
    ("render", ("render",)),
    ("execute", ("execute",)),
    ("pipeline", ("pipeline",)),
    ("authoring", ("authoring", "schemas")),
    ("cli", ("cli", "__main__")),
]
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    out = {}
    for path in CSLIB.rglob("*.py"):
        parts = path.relative_to(CSLIB.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    for i, (_, names) in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def _imports(path: Path, known: set[str]) -> set[str]:
    """The cslib modules ``path`` imports (``from a.b import c`` counts c when c is a module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("cslib")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cslib"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in known else node.module)
    return {m for m in out if m in known and m != "cslib"}


GRAPH = {name: _imports(path, set(_modules())) for name, path in _modules().items()}


def test_every_module_has_a_layer():
    for name in GRAPH:
        if name != "cslib":
            _layer(name)


def test_no_arrow_points_up():
    up = [f"{a} -> {b}" for a, targets in GRAPH.items() if a != "cslib"
          for b in targets if _layer(b) > _layer(a)]
    assert not up, "imports that point up a layer:\n" + "\n".join(sorted(up))


def test_no_circle():
    seen: dict[str, int] = {}  # 1 = on the current path, 2 = done
    circles = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(GRAPH.get(node, ())):
            if seen.get(nxt) == 1:
                circles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for name in sorted(GRAPH):
        if name not in seen:
            visit(name, [name])
    assert not circles, "import circles:\n" + "\n".join(circles)


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_modules_stay_small_or_say_why(name):
    path = _modules()[name]
    lines = path.read_text(encoding="utf-8").count("\n")
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert lines <= MAX_LINES or "Why this module is long:" in doc, (
        f"{path.relative_to(CSLIB.parent)} has {lines} lines (over {MAX_LINES}) and its "
        "docstring does not say why (a paragraph starting 'Why this module is long:')"
    )
