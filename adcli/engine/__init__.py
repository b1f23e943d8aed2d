"""The engine: every sweep over a tape (layer 2: imports primitives, graph, errors, text).

* ``walk`` — the one forward walk (backends: dual numbers, numpy arrays, graph nodes) and the one
  diagnosis of a non-finite derivative;
* ``sweep`` — the float forward and reverse sweeps, the gradient and value at a point;
* ``dual`` — forward (tangent) mode, directional derivatives;
* ``symbolic`` — the gradient as a graph (``adcli diff``, Hessians);
* ``second_order`` — ``hessian``: second derivatives, reverse over reverse;
* ``numeric`` — the table on numpy values (imported lazily: numpy is never a start-up cost).
"""

from __future__ import annotations

from .sweep import (
    Gradient,
    Sweep,
    backward,
    check_gradient,
    forward,
    gradient,
    ieee_partials,
    local_derivative,
    needed_partials,
    value,
)

# Forward mode, the gradient as a graph and Hessians are imported when first asked for: eval's
# hot path needs only the float sweeps above, and start-up time is paid on every run.
_LAZY = {
    "forward_gradient": "dual",
    "tangent_sweep": "dual",
    "GradientGraph": "symbolic",
    "symbolic_gradient": "symbolic",
    # a module of its own name would shadow the function once imported: hence second_order
    "hessian": "second_order",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'adcli.engine' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "Gradient",
    "GradientGraph",
    "Sweep",
    "backward",
    "check_gradient",
    "forward",
    "forward_gradient",
    "gradient",
    "hessian",
    "ieee_partials",
    "local_derivative",
    "needed_partials",
    "symbolic_gradient",
    "tangent_sweep",
    "value",
]
