"""The table's rules on numpy: batch replay over many points, and IEEE arithmetic for the rare
local derivative that Python floats refuse (``0.5 / 0.0``).  numpy is imported only here."""

from __future__ import annotations

import numpy as np

from .primitives import BY_CODE, namespace


def _resolve(code: int):
    vfn = BY_CODE[code].vfn
    if isinstance(vfn, str):
        return getattr(np, vfn)
    return lambda *args: vfn(np, *args)


# Rules on numpy scalars or arrays.
NUMPY = namespace(_resolve)


def partials_ieee(p, args: tuple[float, ...], value: float) -> tuple[float, ...]:
    with np.errstate(all="ignore"):
        xs = [np.float64(a) for a in args]
        return tuple(float(rule(NUMPY, *xs, np.float64(value))) for rule in p.partials)
