"""tools/check_layout.py: the size and privacy rules, on small files written here."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "check_layout.py"
spec = importlib.util.spec_from_file_location("check_layout", TOOL)
check_layout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_layout)


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_sizes_of_modules_and_functions(tmp_path: Path):
    body = "".join(f"    x{i} = {i}\n" for i in range(79))  # def line + 79 = 80 lines: allowed
    text = f"def fits():\n{body}\n\ndef too_long():\n{body}    return 1\n"
    text += "\n" * (501 - len(text.splitlines()))
    path = write(tmp_path, "sim/big.py", text)
    assert check_layout.check_file(path, tmp_path) == [
        "sim/big.py:1: module has 501 lines (at most 500)",
        "sim/big.py:83: function 'too_long' has 81 lines (at most 80)",
    ]
    kernels = write(tmp_path, "sim/kernels.py", text)
    assert check_layout.check_file(kernels, tmp_path) == [
        "sim/kernels.py:83: function 'too_long' has 81 lines (at most 80)"
    ]
    # sizes are checked in sim/ only
    assert check_layout.check_file(write(tmp_path, "tests/test_big.py", text), tmp_path) == []


def test_private_names_modules_and_attributes(tmp_path: Path):
    path = write(
        tmp_path,
        "sim/user.py",
        """\
        from __future__ import annotations

        import sim.plots._style
        from sim.report import _io
        from sim.report.render import _css, label
        from sim.plots._style import COLORS
        from . import _local
        from sim import results
        from sim import __version__


        class Holder:
            def __init__(self):
                self._mine = 1

            def copy(self, other):
                other._mine = self._mine  # defined in this module: allowed
                return results._cache, other._theirs
        """,
    )
    assert check_layout.check_file(path, tmp_path) == [
        "sim/user.py:3: imports the private module 'sim.plots._style'",
        "sim/user.py:4: imports the private name '_io' from 'sim.report'",
        "sim/user.py:5: imports the private name '_css' from 'sim.report.render'",
        "sim/user.py:6: imports from the private module 'sim.plots._style'",
        "sim/user.py:7: imports the private name '_local' from '.'",
        "sim/user.py:18: uses the private attribute '_theirs' of other, not defined here",
        "sim/user.py:18: uses the private attribute 'results._cache'",
    ]


def test_named_tuple_api_is_public_but_other_underscores_are_not(tmp_path: Path):
    path = write(
        tmp_path,
        "sim/tuples.py",
        """\
        def use(kind, out):
            return kind._fields, out._asdict(), out._replace(a=1), kind._make([1]), out._other
        """,
    )
    assert check_layout.check_file(path, tmp_path) == [
        "sim/tuples.py:2: uses the private attribute '_other' of out, not defined here"
    ]


def test_only_the_listed_long_function_is_exempt(tmp_path: Path):
    body = "".join(f"    x{i} = {i}\n" for i in range(90))
    text = f"def simulate():\n{body}\n\ndef other():\n{body}"
    assert check_layout.check_file(write(tmp_path, "sim/kernels.py", text), tmp_path) == [
        "sim/kernels.py:94: function 'other' has 91 lines (at most 80)"
    ]
    assert check_layout.check_file(write(tmp_path, "sim/engine.py", text), tmp_path) == [
        "sim/engine.py:1: function 'simulate' has 91 lines (at most 80)",
        "sim/engine.py:94: function 'other' has 91 lines (at most 80)",
    ]


def test_a_clean_file_has_no_violations(tmp_path: Path):
    path = write(
        tmp_path,
        "sim/clean.py",
        """\
        from sim.report.render import label

        __all__ = ["show"]


        def show(x):
            return label(x).__class__.__name__
        """,
    )
    assert check_layout.check_file(path, tmp_path) == []


def test_command_line_exit_status_and_lines(tmp_path: Path):
    bad = write(tmp_path, "bad.py", "from sim.report.render import _css\n")
    good = write(tmp_path, "good.py", "import math\n")
    run = [sys.executable, str(TOOL)]
    proc = subprocess.run([*run, str(good)], capture_output=True, text=True, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "layout: no violations\n")
    proc = subprocess.run([*run, str(bad), str(good)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout == f"{bad}:1: imports the private name '_css' from 'sim.report.render'\n"
    assert proc.stderr == "1 violations\n"


def test_the_import_contracts_state_the_layers_of_the_architecture():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    assert linter["root_package"] == "sim" and linter["include_external_packages"]
    contracts = {c["id"]: c for c in linter["contracts"]}
    assert [m.strip("()") for m in contracts["run-layers"]["layers"]] == [
        "sim.cli",
        "sim.experiments",
        "sim.runner",
        "sim.cluster",
        "sim.work",
        "sim.collect",
        "sim.engines",
        "sim.results",
        "sim.model",
    ]
    assert contracts["report-layers"]["layers"] == [
        "sim.report",
        "sim.plots",
        "sim.analysis",
        "sim.results",
    ]
    assert contracts["scenario-layers"]["layers"] == ["sim.scenario", "sim.model"]
    simpy = contracts["simpy-in-one-engine"]
    assert (simpy["source_modules"], simpy["forbidden_modules"]) == (["sim"], ["simpy"])
    assert simpy["ignore_imports"] == ["sim.engines.simpy_engine -> simpy"]
    dask = contracts["dask-in-one-module"]
    assert (dask["source_modules"], dask["forbidden_modules"]) == (["sim"], ["distributed", "dask"])
    assert dask["ignore_imports"] == [
        "sim.cluster -> distributed",
        "sim.cluster -> dask",
        "sim.scheduler -> distributed",
    ]
    assert contracts["no-cycles"]["type"] == "acyclic_siblings"
    assert {c["type"] for c in contracts.values()} <= {"layers", "forbidden", "acyclic_siblings"}
