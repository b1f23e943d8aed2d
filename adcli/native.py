"""Which path runs: the optional compiled core (C extension modules) or pure Python.

``pip install .`` builds ``adcli._csweep`` (the sweeps), ``adcli._cparse`` (the parser) and
``adcli._cjson`` (a wide program's --at point and gradient text) where
a C compiler is available; without one, the build skips them and adcli runs in pure Python with
the same results.  Callers ask ``load(name)`` for a module and fall back to Python on ``None``.
``ADCLI_PURE=1`` in the environment (read on the first ``load``) forces pure Python, so both
paths can be tested on one machine.  Standard library only: this module is on the start-up path.
"""

from __future__ import annotations

import os
from types import ModuleType

NAMES = ("_csweep", "_cparse", "_cjson")

_pure: bool | None = None  # ADCLI_PURE, read once
_loaded: dict[str, ModuleType | None] = {}


def pure() -> bool:
    """True when ``ADCLI_PURE`` asks for the pure-Python path (any value but empty or ``0``)."""
    global _pure
    if _pure is None:
        _pure = os.environ.get("ADCLI_PURE", "") not in ("", "0")
    return _pure


def load(name: str) -> ModuleType | None:
    """The compiled module ``adcli.<name>`` (one of ``NAMES``), or None when it is
    not built here or ``ADCLI_PURE`` forces pure Python."""
    if name in _loaded:
        return _loaded[name]
    if name not in NAMES:  # only the compiled core's own modules, never a name from elsewhere
        raise ValueError(f"not a compiled module of adcli: {name!r}")
    module = None
    if not pure():
        try:  # __import__, not importlib: that module is not on the start-up path
            module = __import__(f"adcli.{name}", fromlist=["_"])
        except ImportError:
            module = None
    _loaded[name] = module
    return module


def describe() -> str:
    """Which path runs, for ``adcli --version``: ``compiled core``, ``pure Python
    (ADCLI_PURE=1)`` or ``pure Python (no compiled core built)``; a partial build says which
    modules it has."""
    if pure():
        return f"pure Python (ADCLI_PURE={os.environ.get('ADCLI_PURE')})"
    built = [name for name in NAMES if load(name) is not None]
    if not built:
        return "pure Python (no compiled core built)"
    if len(built) < len(NAMES):
        return f"compiled core: {', '.join(n.lstrip('_') for n in built)} only"
    return "compiled core"
