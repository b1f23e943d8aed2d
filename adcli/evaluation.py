"""A program's numbers at one point, complete for the pictures (tree, trace, dot, graph data).

Engine side: the sweeps run here, never in ``adcli.render``.  The engine records a g_weight only
for an argument that depends on an input (activity analysis), so it never computes a constant's
local derivative or adjoint; ``evaluate`` completes both from the same rules, for display only: a
constant shows its true ∂f/∂node, never a misleading 0.  The inputs' adjoints are untouched by
this (a constant feeds nothing but other constants' sums).

Interim home: when the engine's ``forward(..., need="all")`` lands, ``evaluate`` calls it and
the completion pass below goes away.
"""

from __future__ import annotations

from array import array
from itertools import count

from .engine import Sweep, backward, ieee_partials, needed_partials
from .graph import Program
from .primitives import BY_CODE, FIRST_PRIMITIVE, FLOAT, INPUT


class Evaluation:
    """A program's numbers at one point, complete for display.

    ``g0``/``g1`` hold every local derivative, constants' included; ``adjoint`` every ∂f/∂node;
    ``names`` maps a node to its names (an input, a named constant, every ``name = ...`` binding).
    """

    __slots__ = ("active", "adjoint", "g0", "g1", "names", "program", "values")

    def __init__(self, program: Program, values, g0, g1, adjoint, active: bytes) -> None:
        self.program = program
        self.values, self.g0, self.g1, self.adjoint = values, g0, g1, adjoint
        self.active = active  # 1 where the node depends on an input (the engine's view)
        self.names = node_names(program)

    def inputs_of(self, i: int) -> tuple[tuple[int, float], ...]:
        """``(argument node, g_weight)`` per argument of node ``i``, in argument order."""
        tape = self.program.tape
        if tape.op[i] < FIRST_PRIMITIVE:
            return ()
        if tape.arg1[i] < 0:
            return ((tape.arg0[i], self.g0[i]),)
        return ((tape.arg0[i], self.g0[i]), (tape.arg1[i], self.g1[i]))


def evaluate(program: Program, point: dict[str, float]) -> Evaluation:
    """One forward and reverse sweep (errors as ``eval`` reports them), then the constants'
    local derivatives and adjoints filled in for display."""
    tape = program.tape
    result = program.gradient(point)
    values = result.sweep.values
    g0, g1 = complete_g_weights(tape, result.sweep)
    adjoint = backward(tape, Sweep(values, g0, g1), program.output)
    need = needed_partials(tape)
    active = bytes(1 if k == INPUT or m else 0 for k, m in zip(tape.op, need))
    return Evaluation(program, values, g0, g1, adjoint, active)


def complete_g_weights(tape, sweep: Sweep) -> tuple[array, array]:
    """The sweep's g_weights plus those the engine skipped (arguments that are constants)."""
    values = sweep.values
    g0, g1 = array("d", sweep.g0), array("d", sweep.g1)
    nodes = zip(count(), tape.op, tape.arg0, tape.arg1, needed_partials(tape))
    for i, k, a, b, m in nodes:
        if k < FIRST_PRIMITIVE or m == (1 if b < 0 else 3):
            continue
        p = BY_CODE[k]
        args = (values[a],) if b < 0 else (values[a], values[b])
        if not m & 1:
            g0[i] = local_derivative(p, 0, args, values[i])
        if b >= 0 and not m & 2:
            g1[i] = local_derivative(p, 1, args, values[i])
    return g0, g1


def local_derivative(p, slot: int, args: tuple[float, ...], value: float) -> float:
    """A primitive's g_weight for one argument by its own rule; where floats refuse (a division
    by zero), IEEE arithmetic says ±inf or nan, as the engine does for active arguments."""
    try:
        return float(p.partials[slot](FLOAT, *args, value))
    except (ArithmeticError, ValueError):
        return ieee_partials(p, args, value)[slot]


def node_names(program: Program) -> dict[int, tuple[str, ...]]:
    """Node → its names: the tape's (inputs, named constants), then every binding, in order."""
    names: dict[int, tuple[str, ...]] = {i: (n,) for i, n in program.tape.names.items()}
    for name, node in program.bindings.items():
        known = names.get(node, ())
        if name not in known:
            names[node] = (*known, name)
    return names
