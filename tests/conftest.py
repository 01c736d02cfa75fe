"""Shared fixtures, and the tests that need the team's shared folder.

The repository's own exact-answer cases live in ``tests/cases/``; the suite passes with
nothing beside the repository. The team's shared folder (``../shared`` beside the repository,
or ``SIM_SHARED``) adds its cases as an extra check. When it is absent, every test that needs
it is skipped with the reason, found without any change to the test files:

* a test marked ``@pytest.mark.shared`` or using the ``shared`` fixture (the way for new
  tests);
* a test function, or a fixture or helper it uses, that names ``SHARED``, ``CASES`` or
  ``BENCH`` imported from this module, or a module-level name computed from them that holds
  only paths in the shared folder (found by reading the test module's syntax tree);
* a test module whose import reads a file in the shared folder (the module is skipped).
"""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIM_SHARED", ROOT.parent / "shared"))
CASES = SHARED / "cases"
BENCH = SHARED / "bench"
SCENARIOS = ROOT / "scenarios"
OWN_CASES = ROOT / "tests" / "cases"
SHARED_NAMES = frozenset({"SHARED", "CASES", "BENCH"})
HAVE_SHARED = (CASES / "expected.json").is_file()
SKIP_REASON = (
    f"needs the team's shared folder at {SHARED} (absent): clone the repository beside it or "
    "set SIM_SHARED=/path/to/shared to run these extra checks"
)


@pytest.fixture
def write_scenario(tmp_path):
    """Write dedented YAML text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def shared() -> Path:
    """The team's shared folder; the test is skipped when it is absent."""
    if not HAVE_SHARED:
        pytest.skip(SKIP_REASON)
    return SHARED


def pytest_configure(config):
    config.addinivalue_line("markers", "shared: the test needs the team's shared folder")


class SharedAwareModule(pytest.Module):
    """A test module that is skipped, not failed, when its import reads the absent folder."""

    def collect(self):
        try:
            return super().collect()
        except OSError as error:  # an import error would come as a CollectError
            if error.filename and in_shared(Path(error.filename)):
                pytest.skip(f"{self.path.name} reads {error.filename} at import; {SKIP_REASON}")
            raise


def pytest_pycollect_makemodule(module_path: Path, parent):
    if HAVE_SHARED or module_path.name == "__init__.py":
        return None
    return SharedAwareModule.from_parent(parent, path=module_path)


def in_shared(value) -> bool:
    """Whether a module-level value is a path in the shared folder, or only holds such paths."""
    if isinstance(value, Path):
        return value == SHARED or SHARED in value.parents
    if isinstance(value, list | tuple | set | frozenset):
        return all(in_shared(v) for v in value)
    return False


LOCAL_IMPORT = "<imports a shared name from conftest>"


def names_used(node: ast.AST) -> set[str]:
    """Names a function (or expression) reads; LOCAL_IMPORT if it imports a shared name here."""
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    for n in ast.walk(node):
        if (
            isinstance(n, ast.ImportFrom)
            and (n.module or "").endswith("conftest")
            and any(a.name in SHARED_NAMES for a in n.names)
        ):
            used.add(LOCAL_IMPORT)
    return used


def needing_shared(module) -> set[str]:
    """Qualified names of the functions of a test module that need the shared folder.

    Starts from the names imported from this module (``SHARED``, ``CASES``, ``BENCH``) and
    the module-level assignments computed from them whose value holds only shared paths,
    then adds, until nothing changes, every function (test, fixture or helper) that reads a
    name already found. Methods are named ``Class.method``.
    """
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    tainted = {LOCAL_IMPORT} | {
        a.asname or a.name
        for n in tree.body
        if isinstance(n, ast.ImportFrom) and (n.module or "").endswith("conftest")
        for a in n.names
        if a.name in SHARED_NAMES
    }
    for n in tree.body:
        if isinstance(n, ast.Assign) and names_used(n.value) & tainted:
            targets = {t.id for t in n.targets if isinstance(t, ast.Name)}
            tainted |= {t for t in targets if in_shared(getattr(module, t, None))}
    functions = {}
    for n in tree.body:
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
            functions[n.name] = (n.name, names_used(n))
        elif isinstance(n, ast.ClassDef):
            for m in n.body:
                if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef):
                    functions[f"{n.name}.{m.name}"] = (m.name, names_used(m))
    functions = {q: used - {name} for q, (name, used) in functions.items()}
    found: set[str] = set()
    while True:
        short = {q.rsplit(".", 1)[-1] for q in found}
        more = {q for q, used in functions.items() if used & (tainted | short)} - found
        if not more:
            return found
        found |= more


def pytest_collection_modifyitems(config, items):
    """Skip, with the reason, the tests that need the shared folder when it is absent."""
    if HAVE_SHARED:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    by_module: dict[str, set[str]] = {}
    for item in items:
        function = getattr(item, "function", None)
        module = getattr(item, "module", None)
        if function is None or module is None:
            continue
        if module.__name__ not in by_module:
            by_module[module.__name__] = needing_shared(module)
        found = by_module[module.__name__]
        fixtures = set(getattr(item, "fixturenames", ()))
        qualified = function.__qualname__.replace(".<locals>", "")
        if (
            item.get_closest_marker("shared")
            or qualified in found
            or fixtures & {q for q in found if "." not in q}
        ):
            item.add_marker(skip)
