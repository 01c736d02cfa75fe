#!/usr/bin/env python3
"""Check the size and privacy rules of the code (issue 11), one line a violation.

Rules:

* no module in ``sim/`` over 500 lines (``sim/kernels.py`` excepted: numba caches per file);
* no function or method in ``sim/`` over 80 lines, kernels included (decorators not counted,
  docstring counted), except the few named in ``FUNCTION_SIZE_EXEMPT``, each with its reason;
* nowhere (``sim/``, ``tests/``, ``benchmarks/``, ``tools/``) a private name (one leading
  underscore, not a dunder) imported from another module, a private module imported
  (``sim.plots._style``), or a private attribute read or set through an imported module
  (``results._trajectories`` after ``import sim.results as results``), or a private
  attribute of another object that this module does not define itself (``run._cache`` where
  no ``_cache`` is assigned, defined or declared in the module). A named tuple's documented
  API (``_fields``, ``_asdict``, ``_replace``, ``_make``, ``_field_defaults``) is public.

Usage, from the repository root: ``python tools/check_layout.py [PATH ...]``; prints
``FILE:LINE: message`` for each violation and exits 1 when there is any, 0 otherwise.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
SIZE_EXEMPT = {"sim/kernels.py"}
# (module, function) -> why it may exceed MAX_FUNCTION_LINES
FUNCTION_SIZE_EXEMPT = {
    ("sim/kernels.py", "simulate"): "numba loop; see kernels.simulate docstring",
}
# collections.namedtuple's documented API: leading underscores that are not private
NAMEDTUPLE_API = frozenset({"_fields", "_asdict", "_replace", "_make", "_field_defaults"})
SIZED = ("sim",)  # folders whose modules and functions have size limits
SCANNED = ("sim", "tests", "benchmarks", "tools")  # folders checked for private imports
SKIPPED_PARTS = {"malformed", "__pycache__", ".venv"}


def is_private(name: str) -> bool:
    """A name with a leading underscore that is not a dunder (``__version__`` is public)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_private_attribute(name: str) -> bool:
    """A private name that is not part of a named tuple's documented API (``_asdict``)."""
    return is_private(name) and name not in NAMEDTUPLE_API


def size_problems(tree: ast.Module, lines: int, rel: str) -> Iterator[tuple[int, str]]:
    """(line, message) for a module over MAX_MODULE_LINES or a function over MAX_FUNCTION_LINES."""
    if lines > MAX_MODULE_LINES and rel not in SIZE_EXEMPT:
        yield 1, f"module has {lines} lines (at most {MAX_MODULE_LINES})"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES and (rel, node.name) not in FUNCTION_SIZE_EXEMPT:
                yield (
                    node.lineno,
                    f"function '{node.name}' has {length} lines (at most {MAX_FUNCTION_LINES})",
                )


def module_aliases(tree: ast.Module) -> set[str]:
    """Names bound to modules by ``import a.b`` / ``import a.b as m`` / ``from a import m``.

    A ``from`` import counts when the imported name is a module of this repository (a file or
    package beside the importing one is not resolved: only absolute ``sim`` imports).
    """
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            folder = ROOT.joinpath(*node.module.split("."))
            for a in node.names:
                if (folder / f"{a.name}.py").is_file() or (folder / a.name).is_dir():
                    aliases.add(a.asname or a.name)
    return aliases


def privacy_problems(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, message) for each private name, private module or private attribute used across
    modules."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if any(is_private(part) for part in a.name.split(".")):
                    yield node.lineno, f"imports the private module '{a.name}'"
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if any(is_private(part) for part in (node.module or "").split(".")):
                yield node.lineno, f"imports from the private module '{module}'"
            for a in node.names:
                if is_private(a.name):
                    yield node.lineno, f"imports the private name '{a.name}' from '{module}'"
    aliases = module_aliases(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private_attribute(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            yield node.lineno, f"uses the private attribute '{node.value.id}.{node.attr}'"


def defined_here(tree: ast.Module) -> set[str]:
    """Private names this module defines: functions, classes, class-body and module-level
    assignments, and attributes it sets (``self._x = ...``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if is_private(n)}


def foreign_attributes(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, message) for ``obj._x`` (read or set) where obj is not self or cls and this
    module does not define ``_x``: a private attribute of something from another module."""
    own, aliases = defined_here(tree), module_aliases(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and is_private_attribute(node.attr)):
            continue
        if node.attr in own:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"} | aliases:
            continue  # an imported module's attribute is reported by privacy_problems
        target = node.value.id if isinstance(node.value, ast.Name) else "an object"
        yield node.lineno, f"uses the private attribute '{node.attr}' of {target}, not defined here"


def check_file(path: Path, root: Path = ROOT) -> list[str]:
    """Every violation in one file, as ``FILE:LINE: message`` with FILE relative to ``root``."""
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:  # a file outside the repository: named as given, no size rules
        rel = path.as_posix()
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=rel)
    found = list(privacy_problems(tree))
    found += foreign_attributes(tree)
    if rel.split("/")[0] in SIZED:
        found += size_problems(tree, len(text.splitlines()), rel)
    return [f"{rel}:{line}: {message}" for line, message in sorted(found)]


def python_files(paths: list[Path]) -> Iterator[Path]:
    """The .py files under ``paths`` (files or folders), without the skipped folders."""
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for f in files:
            if not SKIPPED_PARTS & set(f.parts):
                yield f


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or [ROOT / d for d in SCANNED if (ROOT / d).is_dir()]
    problems = [p for f in python_files(paths) for p in check_file(f)]
    print("\n".join(problems) if problems else "layout: no violations")
    if problems:
        print(f"{len(problems)} violations", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
