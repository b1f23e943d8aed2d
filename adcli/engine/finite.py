"""Finite differences, to check a gradient against (``adcli check``, and the library).

A finite difference has a truncation error that shrinks with the step h and a round-off error
that grows as h shrinks, so it is never exact; automatic differentiation has neither.  Here:
the step that balances the two for each input (central, or one-sided where x ± h leaves the
domain), the comparison with an AD partial, and the error as h runs over decades.
"""

from __future__ import annotations

import math
import sys

from ..errors import EvaluationError
from .sweep import value

EPS = sys.float_info.epsilon
CBRT_EPS = EPS ** (
    1.0 / 3.0
)  # minimises truncation (∝ h²) plus round-off (∝ eps/h) of a centred difference
SQRT_EPS = math.sqrt(EPS)  # the same balance for a one-sided difference (∝ h plus eps/h)
DECADES = range(1, 16)


def compare(program, at: dict[str, float], name: str, ad: float) -> dict:
    """AD against a finite difference for one input, with the step h chosen for that input."""
    if name not in program.inputs:
        fd, h, method = 0.0, 0.0, "unused"  # the output does not depend on it: exactly 0
    else:
        fd, h, method = difference(program, at, name)
    abs_error = abs(ad - fd)
    return {
        "ad": ad,
        "fd": fd,
        "h": h,
        "method": method,
        "abs_error": abs_error,
        "rel_error": abs_error / max(1.0, abs(ad), abs(fd)),
    }


def difference(program, at: dict[str, float], name: str) -> tuple[float, float, str]:
    """A centred difference, or a one-sided one if x ± h leaves the domain."""
    x = at[name]
    scale = max(1.0, abs(x))
    for method, h, steps in (
        ("central", CBRT_EPS * scale, (1.0, -1.0)),
        ("forward", SQRT_EPS * scale, (1.0, 0.0)),
        ("backward", SQRT_EPS * scale, (0.0, -1.0)),
    ):
        fd = _quotient(program, at, name, h * steps[0], h * steps[1])
        if fd is not None:
            return fd, h, method
    raise EvaluationError(
        f"no finite difference for '{name}': the program cannot be evaluated near {name} = {x!r}"
    )


def _quotient(program, at: dict[str, float], name: str, up: float, down: float) -> float | None:
    x = at[name]
    # Step to representable neighbours and divide by their true distance, not by the nominal h.
    hi, lo = x + up, x + down
    try:
        f_hi = value(program, _moved(at, name, hi)) if up else value(program, at)
        f_lo = value(program, _moved(at, name, lo)) if down else value(program, at)
    except EvaluationError:
        return None
    fd = (f_hi - f_lo) / (hi - lo)
    return fd if math.isfinite(fd) else None


def _moved(at, name: str, x: float):
    """``at`` with ``name`` at ``x``; a lowered point of array blocks (``adcli.elements.Flat``)
    copies only that element's array, never naming every element."""
    replace = getattr(at, "replace", None)
    return replace(name, x) if replace is not None else {**at, name: x}


def error_sweep(program, at: dict[str, float], name: str, ad: float) -> list[dict]:
    """Centred differences for h = 10^-k · max(1, |x|), k = 1 … 15, and the default h."""
    if name not in program.inputs:
        return []
    scale = max(1.0, abs(at[name]))
    steps = sorted({*(10.0**-k * scale for k in DECADES), CBRT_EPS * scale}, reverse=True)
    out = []
    for h in steps:
        fd = _quotient(program, at, name, h, -h)
        out.append(
            {
                "h": h,
                "fd": fd,
                "abs_error": None if fd is None else abs(fd - ad),
                "default": h == CBRT_EPS * scale,
            }
        )
    return out
