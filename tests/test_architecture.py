"""The import rule (docs/architecture.md), checked over every import in ``src/``, including those
inside functions: stage packages import only downward, there is no cycle between them, and
in-package imports are plain module-top imports (only heavy third-party libraries are imported
inside the function that needs them)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "exitwatch"

#: Stage of each top-level module or subpackage of ``exitwatch``: a module may import its own
#: stage and lower ones, never a higher one. ``read`` sits above ``ingest`` (``read_file`` reads
#: a file as ingest does); ``ingest`` never imports ``read``.
STAGES = {
    "exitwatch": 0, "records": 0, "errors": 0, "dates": 0, "shared_data": 0, "locations": 0,
    "kb": 1,
    "ingest": 2,
    "read": 3,
    "store": 4,
    "indicators": 5,
    "forecast": 6,
    "report": 7,
    "app": 8,
    "scale": 9,
    "cli": 10,
}

#: Upward imports (module, stage it imports) still waiting for their module's move into
#: ``exitwatch.app``. Delete an entry when its module moves (both the watch loop and the
#: news-updated forecast have moved).
PENDING_MOVES: set[tuple[str, str]] = set()

#: Third-party libraries slow enough to import that modules import them inside the function that
#: needs them (DEVELOPERS.md, "Imports").
HEAVY = {"spacy", "onnxruntime", "tokenizers", "sklearn", "scipy", "dask", "distributed", "trafilatura",
         "country_converter", "uvicorn", "joblib", "feedparser", "lxml", "dateutil"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, inside a function?) for every import statement of ``path``; relative
    imports resolved against the module."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, inside) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                found.append((base, inside))
            visit(child, inside)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _all_imports(root: Path = PACKAGE) -> list[tuple[str, str, bool]]:
    return [(_module_name(path), imported, inside)
            for path in sorted(root.rglob("*.py")) for imported, inside in _imports(path)]


def _stage_edges(imports) -> set[tuple[str, str]]:
    return {(_stage(src), _stage(dst)) for src, dst, _ in imports
            if dst.split(".")[0] == "exitwatch" and _stage(src) != _stage(dst)
            and (src, _stage(dst)) not in PENDING_MOVES}


def _cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}

    def walk(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [node, nxt] if nxt in path else path + [node, nxt]
            if nxt not in state and (found := walk(nxt, path + [node])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := walk(start, [])):
            return found
    return None


IMPORTS = _all_imports()


def test_every_package_has_a_stage():
    packages = {_stage(module) for module, _, _ in IMPORTS}
    assert packages <= set(STAGES), f"give these a stage in STAGES: {sorted(packages - set(STAGES))}"


def test_no_cycle_between_stages():
    assert _cycle(_stage_edges(IMPORTS)) is None


def test_stages_import_only_downward():
    upward = sorted({(src, dst) for src, dst, _ in IMPORTS
                     if dst.split(".")[0] == "exitwatch" and STAGES[_stage(dst)] > STAGES[_stage(src)]
                     and (src, _stage(dst)) not in PENDING_MOVES})
    assert upward == [], "imports from a lower stage to a higher one:\n" + "\n".join(f"{a} -> {b}" for a, b in upward)


def test_pending_moves_are_still_pending():
    """An entry of PENDING_MOVES that no longer happens must be deleted (the rule tightens)."""
    happening = {(src, _stage(dst)) for src, dst, _ in IMPORTS if dst.startswith("exitwatch.")}
    assert PENDING_MOVES <= happening


def test_in_package_imports_are_at_module_top():
    inside = sorted(f"{src} -> {dst}" for src, dst, in_function in IMPORTS
                    if in_function and dst.split(".")[0] == "exitwatch")
    assert inside == [], "in-package imports inside functions:\n" + "\n".join(inside)


def test_only_heavy_libraries_are_imported_inside_functions():
    light = sorted(f"{src} -> {dst}" for src, dst, in_function in IMPORTS
                   if in_function and dst.split(".")[0] != "exitwatch" and dst.split(".")[0] not in HEAVY)
    assert light == [], "import these at module top (not heavy):\n" + "\n".join(light)


#: What ``scale`` may import from ``ingest``: the package's public names (byte ranges read as the
#: whole file is: ``read_range``) and the near-duplicate MinHash, never ingest's internals.
INGEST_INTERFACE = {"exitwatch.ingest", "exitwatch.ingest.dedup"}


def test_scale_uses_only_the_ingest_interface():
    internals = sorted(f"{src} -> {dst}" for src, dst, _ in IMPORTS
                       if _stage(src) == "scale" and _stage(dst) == "ingest" and dst not in INGEST_INTERFACE)
    assert internals == [], "scale imports ingest internals (export them from exitwatch.ingest):\n" + "\n".join(internals)


def test_the_rule_catches_a_cycle_and_an_upward_import(tmp_path):
    """The checks themselves: a lazily imported upward edge is seen and forms a cycle."""
    pkg = tmp_path / "exitwatch"
    (pkg / "ingest").mkdir(parents=True)
    (pkg / "read").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "ingest" / "__init__.py").write_text("def f():\n    from exitwatch.read import g\n")
    (pkg / "read" / "__init__.py").write_text("from exitwatch.ingest import f\n")
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        imports = _all_imports(pkg)
    finally:
        SRC = saved
    assert ("exitwatch.ingest", "exitwatch.read", True) in imports
    assert _cycle(_stage_edges(imports)) is not None
