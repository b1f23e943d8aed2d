"""Forward (tangent) mode: dual numbers.

One pass in creation order carries each node's value and its tangent ``Σ partial_k · tangent_k``,
the partials coming from the same table rules the reverse sweep uses, evaluated here on floats —
a genuinely separate sweep, not a replay of the reverse sweep's g_weights.  A full gradient costs
one pass per input (``forward_gradient``); a directional derivative (JVP) costs one pass.

Conventions match the reverse sweep: a zero tangent contributes nothing, even through an infinite
local derivative, so an untaken branch never poisons a result.

The pass is ``adcli.engine.walk`` with a dual-number step.  The call per node costs about 1.17×
the former inlined loop (tangent_sweep on 19,501 nodes, 5 alternated runs, 2026-11-29: median
0.82 vs 0.69 µs/node); forward mode is not eval's hot path, so one loop shape wins here.
"""

from __future__ import annotations

import math
from array import array
from itertools import repeat

from ..errors import EvaluationError
from ..graph import Program, Tape
from ..primitives import FIRST_PRIMITIVE, FLOAT
from .sweep import (
    PARTIALS0,
    PARTIALS1,
    VALUE_FNS,
    Gradient,
    gradient,
    non_finite_value,
    recover,
    value,
)
from .walk import non_finite_derivative, walk


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
    names = program.inputs
    if type(names) is dict:
        seed = {node: float(direction.get(name, 0.0)) for name, node in names.items()}
    else:  # a lowered program's arrays (adcli.elements.Flat): a direction of arrays as blocks,
        # else only the elements it names (the tangents start at 0.0)
        seed = names.bind(names.like(direction)) if hasattr(direction, "blocks") else None
        if seed is None:
            seed = {names[n]: float(v) for n, v in direction.items() if n in names}
    values, tangent = _dual_pass(tape, inputs, seed, source)
    out = program.output
    if not math.isfinite(tangent[out]):
        rescued = _by_reverse(program, point, direction) if type(names) is dict else None
        if rescued is None:
            culprits = _non_finite_tangents(tape, tangent, out)
            raise non_finite_derivative(tape, values, source, culprits, "derivative")
        return values[out], rescued
    return values[out], tangent[out]


def _by_reverse(program: Program, point: dict[str, float], direction: dict[str, float]):
    """∇f · direction from the reverse sweep, or None where that is not finite either.

    A local derivative that is not finite can cancel downstream: in ``t = hypot(x, x); t - t``
    at 0 the tangent of ``t`` is already NaN, so forward mode cannot see that ``t`` leaves no
    trace; the reverse sweep can (the adjoint of ``t`` is 1 - 1 = 0, and a zero adjoint
    contributes nothing).  Asking it keeps the two modes' answers the same wherever one exists.
    """
    try:
        partials = gradient(program, point).gradient
    except EvaluationError:
        return None
    total = math.fsum(partials[name] * float(direction.get(name, 0.0)) for name in partials)
    return total if math.isfinite(total) else None


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
    """The walk (``adcli.engine.walk``) with the dual-number backend: values and tangents."""
    n = len(tape)
    values = array("d", tape.const)
    tangent = array("d", [0.0]) * n
    for node, x in inputs.items():
        if type(x) is array:  # an array input's elements (Program.bind of a lowered program)
            values[node : node + len(x)] = x
        else:
            values[node] = x
    for node, dot in seed.items():
        if type(dot) is array:
            tangent[node : node + len(dot)] = dot
        else:
            tangent[node] = dot
    fns, d0s, d1s, F = VALUE_FNS, PARTIALS0, PARTIALS1, FLOAT

    def step(i: int, k: int, a: int, b: int, m: int) -> None:
        x = values[a]
        ta = tangent[a]
        if b < 0:
            v = values[i] = fns[k](x)
            if ta != 0.0:
                w = d0s[k](F, x, v)
                if w != 0.0:
                    tangent[i] = w * ta
            return
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

    def recover_node(i: int, m: int) -> None:
        # sweep.recover, the reverse sweep's recovery path: it reports an undefined value as eval
        # does, or gives the singular partials in IEEE arithmetic (sqrt at 0).
        a, b = tape.arg0[i], tape.arg1[i]
        moving = (1 if tangent[a] != 0.0 else 0) | (2 if b >= 0 and tangent[b] != 0.0 else 0)
        weights = recover(tape, i, values, source, moving)
        t = 0.0
        for arg, w in zip((a, b), weights):
            if arg >= 0 and tangent[arg] != 0.0 and w != 0.0:
                t += w * tangent[arg]
        tangent[i] = t

    walk(tape, repeat(0, n), step, recover_node)
    if not math.isfinite(sum(values)):
        non_finite_value(tape, values, source)  # the reverse sweep's own message for the bad node
    return values, tangent


def _non_finite_tangents(tape: Tape, tangent: array, out: int):
    """In creation order: (node, None, tangent) where a tangent turns non-finite from finite
    arguments."""
    for i in range(out + 1):
        if math.isfinite(tangent[i]) or tape.op[i] < FIRST_PRIMITIVE:
            continue
        a, b = tape.arg0[i], tape.arg1[i]
        if all(math.isfinite(tangent[j]) for j in (a, b) if j >= 0):
            yield i, None, tangent[i]
