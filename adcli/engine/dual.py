"""Forward (tangent) mode: dual numbers.

One pass in creation order carries each node's value and its tangent ``Σ partial_k · tangent_k``,
the partials coming from the same table rules the reverse sweep uses, evaluated here on floats —
a genuinely separate sweep, not a replay of the reverse sweep's g_weights.  A full gradient costs
one pass per input (``forward_gradient``); a directional derivative (JVP) costs one pass.

Conventions match the reverse sweep: a zero tangent contributes nothing, even through an infinite
local derivative, so an untaken branch never poisons a result.
"""

from __future__ import annotations

import math
from array import array
from itertools import count

from ..errors import NonFiniteError
from ..graph import Program, Tape
from ..primitives import BY_CODE, FIRST_PRIMITIVE, FLOAT
from .sweep import (
    PARTIALS0,
    PARTIALS1,
    VALUE_FNS,
    Gradient,
    args_text,
    forward,
    node_where,
    recover,
    value,
)


def tangent_sweep(
    program: Program, point: dict[str, float], direction: dict[str, float]
) -> tuple[float, float]:
    """Value and directional derivative ``∇f · direction`` by one forward pass of dual numbers.

    >>> from adcli.parse import parse
    >>> tangent_sweep(parse("x*y + sin(x)"), {"x": 0.5, "y": 4.2}, {"x": 1.0})
    (2.579425538604203, 5.077582561890373)
    """
    tape, source = program.tape, program.source
    inputs = program.bind(point)
    seed = {node: float(direction.get(name, 0.0)) for name, node in program.inputs.items()}
    values, tangent = _dual_pass(tape, inputs, seed, source)
    out = program.output
    if not math.isfinite(tangent[out]):
        _raise_non_finite(tape, values, tangent, out, source)
    return values[out], tangent[out]


def forward_gradient(program: Program, point: dict[str, float]) -> Gradient:
    """Every partial by forward mode: one dual-number pass per input, as the seed describes."""
    at = value(program, point)  # checks bindings and reports value errors once, as eval does
    gradient = {}
    for name in program.inputs:
        at, gradient[name] = tangent_sweep(program, point, {name: 1.0})
    return Gradient(at, gradient)


def _dual_pass(
    tape: Tape, inputs: dict[int, float], seed: dict[int, float], source: str
) -> tuple[array, array]:
    n = len(tape)
    values = array("d", tape.const)
    tangent = array("d", bytes(8 * n))
    for node, x in inputs.items():
        values[node] = x
    for node, dot in seed.items():
        tangent[node] = dot
    fns, d0s, d1s, F = VALUE_FNS, PARTIALS0, PARTIALS1, FLOAT
    nodes = zip(count(), tape.op, tape.arg0, tape.arg1)
    while True:
        try:
            for i, k, a, b in nodes:
                if k < FIRST_PRIMITIVE:
                    continue
                x = values[a]
                ta = tangent[a]
                if b < 0:
                    v = values[i] = fns[k](x)
                    if ta != 0.0:
                        w = d0s[k](F, x, v)
                        if w != 0.0:
                            tangent[i] = w * ta
                    continue
                y = values[b]
                tb = tangent[b]
                v = values[i] = fns[k](x, y)
                # A zero tangent or a zero partial adds nothing (0·∞ is not NaN here), and the
                # partial of an argument that does not move is never asked for (x^2: no log 2).
                t = 0.0
                if ta != 0.0:
                    w = d0s[k](F, x, y, v)
                    if w != 0.0:
                        t = w * ta
                if tb != 0.0:
                    w = d1s[k](F, x, y, v)
                    if w != 0.0:
                        t += w * tb
                tangent[i] = t
            break
        except (ArithmeticError, ValueError):
            _recover(tape, i, values, tangent, source)
    if not math.isfinite(sum(values)):
        forward(tape, inputs, source)  # raises the reverse sweep's own message for the bad node
    return values, tangent


def _recover(tape: Tape, i: int, values: array, tangent: array, source: str) -> None:
    """A node raised: the reverse sweep's recovery path (``sweep.recover``) reports an undefined
    value as eval does, or gives the singular partials in IEEE arithmetic (sqrt at 0)."""
    a, b = tape.arg0[i], tape.arg1[i]
    moving = (1 if tangent[a] != 0.0 else 0) | (2 if b >= 0 and tangent[b] != 0.0 else 0)
    weights = recover(tape, i, values, source, moving)
    t = 0.0
    for arg, w in zip((a, b), weights):
        if arg >= 0 and tangent[arg] != 0.0 and w != 0.0:
            t += w * tangent[arg]
    tangent[i] = t


def _raise_non_finite(tape: Tape, values: array, tangent: array, out: int, source: str) -> None:
    """Name the first operation whose tangent turns non-finite from finite arguments."""
    for i in range(out + 1):
        if math.isfinite(tangent[i]) or tape.op[i] < FIRST_PRIMITIVE:
            continue
        a, b = tape.arg0[i], tape.arg1[i]
        if all(math.isfinite(tangent[j]) for j in (a, b) if j >= 0):
            p = BY_CODE[tape.op[i]]
            args = args_text(tape, values, i)
            what = "infinite" if math.isinf(tangent[i]) else "undefined"
            raise NonFiniteError(
                f"{p.call_name} at {node_where(tape, i, source)}: the derivative is {what} at {args}"
            )
    raise NonFiniteError("the derivative is not finite (it overflows)")
