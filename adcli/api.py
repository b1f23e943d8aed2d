"""The library API behind ``import adcli``: a compiled program evaluated from Python.

``adcli.compile(text)`` parses once; the returned ``Function`` evaluates at any number of points
through the engine (layer 4: it may import every layer below; the CLI is not involved, so errors
speak of names and values, never of flags).
"""

from __future__ import annotations

from . import engine
from .graph import Program
from .parse import parse


class Function(Program):
    """A parsed program (an ``adcli.graph.Program``: tape, inputs, source) that evaluates itself:
    ``.gradient(point)`` and ``.value(point)`` run the engine's sweeps."""

    __slots__ = ()

    @classmethod
    def of(cls, program: Program) -> Function:
        return cls(program.tape, program.output, program.inputs, program.source, program.bindings)

    def gradient(self, point: dict[str, float] | None = None, **values: float) -> engine.Gradient:
        """Value and every partial derivative at a point, by one forward and one reverse sweep.

        >>> from adcli import compile
        >>> result = compile("x*y + sin(x)").gradient(x=0.5, y=4.2)
        >>> result.value
        2.579425538604203
        >>> result.gradient
        {'x': 5.077582561890373, 'y': 0.5}
        """
        return engine.gradient(self, {**(point or {}), **values})

    def value(self, point: dict[str, float] | None = None, **values: float) -> float:
        """The output's value at a point (a forward sweep only)."""
        return engine.value(self, {**(point or {}), **values})


def compile(text: str) -> Function:
    """Parse a program's text into its graph, ready to evaluate at any number of points."""
    return Function.of(parse(text))
