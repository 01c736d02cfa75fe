"""Without ``--scheduler`` nothing imports Dask; without the extra, ``--scheduler`` says how
to install it (exit 1: the command line is right, the installation lacks a package)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import OWN_CASES, messages

SCRIPT = """
import sys
from sim.cli.main import main

def sim(*args):
    try:
        main(list(args))
    except SystemExit as exit:
        return exit.code

assert sim("run", sys.argv[1], "--runs", "300", "--jobs", "1", "--no-charts",
           "--out", sys.argv[2] + "/plain") == 0
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("distributed", "dask"))
assert not loaded, loaded
sys.modules["distributed"] = None  # as if the dask extra were not installed
print("exit", sim("run", sys.argv[1], "--runs", "300", "--scheduler", "local:2",
                  "--out", sys.argv[2] + "/cluster"))
"""


def test_no_dask_without_scheduler_and_a_clear_message_without_the_extra(tmp_path):
    case = OWN_CASES / "split.yaml"
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(case), str(tmp_path)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "exit 1"
    assert messages(r.stderr) == [
        "--scheduler needs Dask, which is not installed: install the dask extra: "
        "pip install 'sim[dask]'"
    ]
    assert (tmp_path / "plain" / "summary.json").is_file()
    assert not (tmp_path / "cluster").exists()
