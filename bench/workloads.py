"""The benchmark's workloads, each as adcli program text and as a builder on any scalar API.

A workload is sized by its node count N on adcli's tape.  For each one:

* ``text(p)`` — the program in adcli's language (for the parser and the CLI end to end), and
  ``python_text(p)`` — the same text as Python (``^`` is ``**``), for ``ast.parse``;
* ``build(ops, xs, p)`` — the same function built from a peer's scalar objects: ``xs`` maps each
  input's name to the peer's variable, ``ops`` gives the peer's ``sin`` and ``tanh``, and the rest
  is Python arithmetic with floats.  Built on ``adcli.Var`` it makes the very tape the parser
  makes from ``text(p)``, node for node;
* ``point(p)`` — the input values (deterministic), and ``nodes(p)`` — the tape's length.

``wide``: Σ xᵢ·sin(xᵢ) over N/4 inputs.  ``deep``: sin(sin(…sin(x)…)), N deep.  ``mlp``: the
summed squared error of a 4-8-1 tanh network over enough data samples to reach N nodes; the
samples are constants, the 49 weights and biases are the inputs.
"""

from __future__ import annotations

import random
from types import SimpleNamespace

Ops = SimpleNamespace  # a peer's scalar functions: ops.sin, ops.tanh


class Workload:
    """One family of programs, parameterised by ``p = params(N)``."""

    name = ""
    doc = ""

    def params(self, n: int) -> int:
        raise NotImplementedError

    def nodes(self, p: int) -> int:
        raise NotImplementedError

    def point(self, p: int) -> dict[str, float]:
        raise NotImplementedError

    def build(self, ops: Ops, xs: dict, p: int):
        raise NotImplementedError

    def text(self, p: int) -> str:
        raise NotImplementedError

    def python_text(self, p: int) -> str:
        return self.text(p).replace("^", "**")


class Wide(Workload):
    name = "wide"
    doc = "Σ xᵢ·sin(xᵢ) over N/4 inputs"

    def params(self, n: int) -> int:
        return max(1, (n + 1) // 4)

    def nodes(self, p: int) -> int:
        return 4 * p - 1  # per input: the input, sin, mul; and p - 1 adds

    def point(self, p: int) -> dict[str, float]:
        rng = random.Random(1)
        return {f"x{i}": rng.uniform(-2.0, 2.0) for i in range(p)}

    def build(self, ops: Ops, xs: dict, p: int):
        sin = ops.sin
        x = list(xs.values())
        total = x[0] * sin(x[0])
        for v in x[1:]:
            total = total + v * sin(v)
        return total

    def text(self, p: int) -> str:
        return " + ".join(f"x{i}*sin(x{i})" for i in range(p)) + "\n"


class Deep(Workload):
    name = "deep"
    doc = "sin(sin(…sin(x)…)), N deep"

    def params(self, n: int) -> int:
        return max(1, n - 1)

    def nodes(self, p: int) -> int:
        return p + 1

    def point(self, p: int) -> dict[str, float]:
        return {"x": 0.5}

    def build(self, ops: Ops, xs: dict, p: int):
        sin = ops.sin
        v = xs["x"]
        for _ in range(p):
            v = sin(v)
        return v

    def text(self, p: int) -> str:
        return "sin(" * p + "x" + ")" * p + "\n"


class MLP(Workload):
    """A 4-8-1 tanh network's summed squared error over ``p`` samples (125 nodes a sample)."""

    name = "mlp"
    doc = "squared error of a 4-8-1 tanh network, summed over N/125 samples"
    IN, HIDDEN = 4, 8
    PER_SAMPLE = HIDDEN * (3 * IN + 1) + 2 * HIDDEN + 4 + 1  # see build(): 125
    PARAMETERS = HIDDEN * IN + HIDDEN + HIDDEN + 1  # 49 inputs

    def params(self, n: int) -> int:
        return max(1, (n - self.PARAMETERS + 1) // self.PER_SAMPLE)

    def nodes(self, p: int) -> int:
        return self.PARAMETERS + p * self.PER_SAMPLE - 1  # the first sample adds to nothing

    def names(self) -> list[str]:
        """The inputs, in order of first appearance in ``text``."""
        names = ["c"]
        for j in range(self.HIDDEN):
            names += [f"v{j}", f"b{j}"] + [f"w{j}_{i}" for i in range(self.IN)]
        return names

    def point(self, p: int) -> dict[str, float]:
        rng = random.Random(2)
        return {name: rng.uniform(-0.5, 0.5) for name in self.names()}

    def data(self, p: int) -> list[tuple[list[float], float]]:
        """Samples (features, target): positive 3-digit numbers, so the text holds them exactly
        and no unary minus appears in it."""
        rng = random.Random(3)
        pick = lambda: round(rng.uniform(0.05, 0.95), 3)
        return [([pick() for _ in range(self.IN)], pick()) for _ in range(p)]

    def build(self, ops: Ops, xs: dict, p: int):
        tanh = ops.tanh
        c = xs["c"]
        v = [xs[f"v{j}"] for j in range(self.HIDDEN)]
        b = [xs[f"b{j}"] for j in range(self.HIDDEN)]
        w = [[xs[f"w{j}_{i}"] for i in range(self.IN)] for j in range(self.HIDDEN)]
        total = None
        for features, target in self.data(p):
            out = c
            for j in range(self.HIDDEN):
                s = b[j]
                for i in range(self.IN):
                    s = s + w[j][i] * features[i]
                out = out + v[j] * tanh(s)
            loss = (out - target) ** 2
            total = loss if total is None else total + loss
        return total

    def text(self, p: int) -> str:
        lines = []
        for k, (features, target) in enumerate(self.data(p)):
            hidden = []
            for j in range(self.HIDDEN):
                s = f"b{j}" + "".join(f" + w{j}_{i}*{features[i]!r}" for i in range(self.IN))
                hidden.append(f" + v{j}*tanh({s})")
            loss = f"(c{''.join(hidden)} - {target!r})^2"
            lines.append(f"l{k} = {loss}" if k == 0 else f"l{k} = l{k - 1} + {loss}")
        lines.append(f"l{p - 1}")
        return "\n".join(lines) + "\n"


WORKLOADS: dict[str, Workload] = {w.name: w for w in (Wide(), Deep(), MLP())}
