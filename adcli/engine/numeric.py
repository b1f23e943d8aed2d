"""The table's values and rules on numpy arrays (batch replay) and numpy scalars (IEEE arithmetic
for the rare local derivative that Python floats refuse, ``0.5 / 0.0``).

numpy is passed in, never imported at module level: batch mode must set numpy's CPU features
before the first import (see ``adcli.engine.replay``).
"""

from __future__ import annotations

import math

from ..primitives import BY_CODE, namespace

# Results on arrays should equal eval's to the last bit, and eval calls the C library (libm)
# through ``math``.  With its AVX-512 loops off (batch does that), numpy's float64 loops call libm,
# except for a few ufuncs replaced here: numpy's ``power`` (``float_power`` calls libm's pow), its
# own ``tanh``, and ``hypot`` (Python's ``math.hypot`` is Python's own algorithm): those two go
# through ``math`` element by element (~75 ns a point).
_LIBM = {"power": "float_power", "tanh": math.tanh, "hypot": math.hypot}
_NAMESPACES: dict[int, object] = {}


def vector_fn(np, p):
    """A primitive's value on arrays: its ``vfn`` (a numpy name, or a function of ``np``)."""
    if isinstance(p.vfn, str):
        name = _LIBM.get(p.vfn, p.vfn)
        if isinstance(name, str):
            return getattr(np, name)
        each = np.frompyfunc(name, p.arity, 1)
        return lambda *args: np.asarray(each(*args), dtype=float)
    vfn = p.vfn
    return lambda *args: vfn(np, *args)


def rules_namespace(np):
    """The backend ``F`` for partial rules on numpy values (built once per numpy module)."""
    found = _NAMESPACES.get(id(np))
    if found is None:
        found = _NAMESPACES[id(np)] = namespace(lambda code: vector_fn(np, BY_CODE[code]))
    return found


def partials_ieee(p, args: tuple[float, ...], value: float) -> tuple[float, ...]:
    """A primitive's local derivatives in IEEE arithmetic: x/0 = ±inf, 0/0 = nan."""
    import numpy as np

    F = rules_namespace(np)
    with np.errstate(all="ignore"):
        xs = [np.float64(a) for a in args]
        return tuple(float(rule(F, *xs, np.float64(value))) for rule in p.partials)
