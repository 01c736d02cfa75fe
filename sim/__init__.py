"""Scenario forecasting simulator: Monte Carlo runs of analysts' "what next" scenarios.

Public API
----------
load_scenario(path, variant="base", *, evidence=(), as_of=None, use_evidence=True) -> Scenario
    Read, validate and compile a scenario file, with the observations in effect from it and
    from evidence files (raises ScenarioError).
"""

import os
import sys

# Parallelism is by worker processes; BLAS threads would only compete with them for cores.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# Engines agree bit for bit only if a quantile is computed the same way in a vectorized loop as
# in the kernel's scalar code; Intel's SVML (used by numba where installed) would not be.
os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")


def _can_write(path: str) -> bool:
    """Whether ``path`` is, or could be made as, a folder this process may write in (checked
    on its nearest existing ancestor, creating nothing)."""
    path = os.path.abspath(path)
    while not os.path.lexists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def _private_temp(name: str) -> str:
    """A folder for caches in the temporary folder, this user's only (mode 0700): the same one
    from run to run when it can be, else a new one."""
    import tempfile  # here, not at the top: ``import sim`` stays quick (see _LAZY)

    root = os.path.join(tempfile.gettempdir(), f"sim-{os.getuid()}")
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
        st = os.lstat(root)
        if os.path.islink(root) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            raise PermissionError(root)  # another user's or a link: not a cache to trust
        path = os.path.join(root, name)
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path
    except OSError:
        return tempfile.mkdtemp(prefix=f"sim-{name}-")


def _writable_caches() -> None:
    """Point numba's and matplotlib's caches to a private temporary folder when their usual
    places cannot be written (a read-only install with an unwritable HOME): numba would stop
    with "cannot cache function ...: no locator available", matplotlib would warn."""
    if not hasattr(os, "getuid") or not sys.platform.startswith(("linux", "freebsd")):
        return
    home_cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    home_config = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    # numba caches only in NUMBA_CACHE_DIR when it is set; else beside the code or in HOME
    numba_places = (
        [os.environ["NUMBA_CACHE_DIR"]]
        if os.environ.get("NUMBA_CACHE_DIR")
        else [
            os.path.join(os.path.dirname(__file__), "__pycache__"),
            os.path.join(home_cache, "numba"),
        ]
    )
    if not any(map(_can_write, numba_places)):
        os.environ["NUMBA_CACHE_DIR"] = _private_temp("numba")
    mpl = os.environ.get("MPLCONFIGDIR")
    mpl_places = [mpl] if mpl else [f"{home_config}/matplotlib", f"{home_cache}/matplotlib"]
    if not all(map(_can_write, mpl_places)):
        os.environ["MPLCONFIGDIR"] = _private_temp("matplotlib")


_writable_caches()

__version__ = "0.1.0"

# The public names are imported when first used (PEP 562), so that ``import sim`` is quick:
# the command line (sim.cli.main) catches a Ctrl-C while its modules import only after it.
_LAZY = {
    "Problem": "sim.errors",
    "ScenarioError": "sim.errors",
    "SimError": "sim.errors",
    "SimulationError": "sim.errors",
    "Scenario": "sim.model.scenario",
    "check_file": "sim.scenario.load",
    "load_scenario": "sim.scenario.load",
}


def __getattr__(name: str):
    """The public name ``name``, imported from its module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "SimError",
    "SimulationError",
    "__version__",
    "check_file",
    "load_scenario",
]
