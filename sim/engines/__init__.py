"""The engines and their registry: every engine runs a block of replications of a scenario
behind one interface (:class:`sim.engines.base.Engine`) and returns the same results type.

* ``compiled``: :class:`~sim.engines.compiled.CompiledEngine`, the reference semantics
  compiled by numba and run run by run (the fastest);
* ``numpy``: :class:`~sim.engines.numpy_engine.NumPyEngine`, many runs advancing together in
  NumPy arrays;
* ``simpy``: :class:`~sim.engines.simpy_engine.SimPyEngine`, the readable reference, one
  SimPy process per run.

``auto`` and ``fast`` (the compiled engine's former name) are aliases of ``compiled``. Every
engine needs numba (the addressed random numbers and quantile functions all engines share
are numba-compiled, :mod:`sim.kernels`). Engine modules are imported when first asked for.
"""

from __future__ import annotations

from importlib import import_module

from sim.engines.base import Engine
from sim.errors import SimError

__all__ = [
    "ALIASES",
    "ENGINES",
    "ENGINE_NAMES",
    "REFERENCE",
    "Engine",
    "canonical_name",
    "get_engine",
]

# canonical name -> (module, class)
_REGISTRY = {
    "compiled": ("sim.engines.compiled", "CompiledEngine"),
    "numpy": ("sim.engines.numpy_engine", "NumPyEngine"),
    "simpy": ("sim.engines.simpy_engine", "SimPyEngine"),
}
ENGINE_NAMES = tuple(_REGISTRY)  # canonical names
ALIASES = {"auto": "compiled", "fast": "compiled"}
ENGINES = ("auto", *ENGINE_NAMES, "fast")  # every name the command line accepts
REFERENCE = "simpy"  # the engine other engines are checked against; it names runaway runs


def canonical_name(name: str) -> str:
    """The canonical engine name of ``name`` (an alias or a canonical name).

    Raises
    ------
    SimError
        Unknown name.
    """
    name = ALIASES.get(name, name)
    if name not in _REGISTRY:
        raise SimError(f"unknown engine '{name}'; choose one of {', '.join(ENGINES)}")
    return name


def get_engine(name: str) -> Engine:
    """A new instance of the engine called ``name`` (see the module's table; ``auto`` and
    ``fast`` give the compiled engine).

    Raises
    ------
    SimError
        Unknown name.
    """
    module, cls = _REGISTRY[canonical_name(name)]
    return getattr(import_module(module), cls)()
