"""The seed's recursive ``Var``, as the notebook in the project's seed describes it: a peer.

Each ``Var`` holds its ``value`` and a ``children`` list of ``(g_weight, var)`` pairs, one per
node built from it, where the g_weight is the local derivative of that node with respect to this
one.  ``grad()`` pulls the adjoint recursively from the output, caching it in ``grad_value``.
The notebook defines ``+``, ``*`` and ``sin``; the few operations the benchmark's workloads also
need (``-``, a constant power, ``tanh``, numbers mixed with Vars) are written the same way.

The recursion is the point of this peer: ``grad()`` goes as deep as the graph, so it dies with
``RecursionError`` on deep graphs, and on long sums too.  This is benchmark code, not adcli's.
"""

from __future__ import annotations

import math


class Var:
    def __init__(self, value: float) -> None:
        self.value = value
        self.children: list[tuple[float, Var]] = []
        self.grad_value: float | None = None  # None: not yet evaluated

    def grad(self) -> float:
        # Recurse only if not cached yet: the chain rule over the nodes built from this one.
        if self.grad_value is None:
            self.grad_value = sum(g_weight * var.grad() for g_weight, var in self.children)
        return self.grad_value

    def __add__(self, other: Var | float) -> Var:
        other = _var(other)
        z = Var(self.value + other.value)
        self.children.append((1.0, z))
        other.children.append((1.0, z))
        return z

    __radd__ = __add__

    def __sub__(self, other: Var | float) -> Var:
        other = _var(other)
        z = Var(self.value - other.value)
        self.children.append((1.0, z))
        other.children.append((-1.0, z))
        return z

    def __rsub__(self, other: float) -> Var:
        return _var(other) - self

    def __mul__(self, other: Var | float) -> Var:
        other = _var(other)
        z = Var(self.value * other.value)
        self.children.append((other.value, z))
        other.children.append((self.value, z))
        return z

    __rmul__ = __mul__

    def __pow__(self, p: float) -> Var:
        z = Var(self.value**p)
        self.children.append((p * self.value ** (p - 1), z))
        return z


def _var(x: Var | float) -> Var:
    return x if isinstance(x, Var) else Var(float(x))


def sin(x: Var) -> Var:
    z = Var(math.sin(x.value))
    x.children.append((math.cos(x.value), z))
    return z


def tanh(x: Var) -> Var:
    t = math.tanh(x.value)
    z = Var(t)
    x.children.append((1.0 - t * t, z))
    return z


def gradient(output: Var, inputs: list[Var]) -> list[float]:
    """Every input's partial: seed the output's adjoint, then pull each input's recursively."""
    output.grad_value = 1.0
    return [x.grad() for x in inputs]
