"""A program's numbers at one point, complete for the pictures (tree, trace, dot, graph data).

The sweeps run here, never in ``adcli.render``.  The engine records a g_weight only for an
argument that depends on an input (activity analysis), so it never computes a constant's local
derivative or adjoint; ``evaluate`` asks the sweep for every one (``need="all"``), for display
only: a constant shows its true ∂f/∂node, never a misleading 0.  The inputs' adjoints are
untouched by this (a constant feeds nothing but other constants' sums).
"""

from __future__ import annotations

from ..graph import Program
from ..primitives import FIRST_PRIMITIVE, INPUT
from .sweep import gradient, needed_partials


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
    """One forward sweep computing every local derivative (``need="all"``: constants' too, for
    display) and one reverse sweep; errors as ``eval`` reports them."""
    tape = program.tape
    result = gradient(program, point, need="all")
    need = needed_partials(tape)
    active = bytes(1 if k == INPUT or m else 0 for k, m in zip(tape.op, need))
    sweep = result.sweep
    return Evaluation(program, sweep.values, sweep.g0, sweep.g1, result.adjoint, active)


def node_names(program: Program) -> dict[int, tuple[str, ...]]:
    """Node → its names: the tape's (inputs, named constants), then every binding, in order."""
    names: dict[int, tuple[str, ...]] = {i: (n,) for i, n in program.tape.names.items()}
    for name, node in program.bindings.items():
        known = names.get(node, ())
        if name not in known:
            names[node] = (*known, name)
    return names
