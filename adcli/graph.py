"""The computational graph: nodes on a tape in creation order, and ``Var`` handles to build it.

A node is an op code (``INPUT``, ``CONST`` or a primitive from ``adcli.primitives``) and up to two
argument nodes.  Nodes are appended as they are created, so every node's arguments come before
it: the tape *is* a topological order, and the sweeps in ``adcli.engine`` are plain loops over it
(graph never runs them).
The tape holds structure only — flat arrays, about 21 bytes a node — and no values or adjoints,
so one graph is replayed at any number of points without growing.

``Var`` is the seed's variable: ``x * y + sin(x)`` on ``Var`` objects appends nodes.  The same
``Var`` arithmetic builds derivative graphs (Hessians, ``adcli diff``): a ``Tape`` made with
``simplify=True`` folds constants, drops ``x*1``, ``x+0``, ``0*x``, ``x-x`` and ``--x``, and shares
identical nodes, so derivatives stay linear in size.
"""

from __future__ import annotations

import math
from array import array

from .errors import ProgramNameError
from .primitives import BY_CODE, CODES, CONST, INPUT, OPERATORS, namespace
from .text import where

ADD, SUB, MUL, DIV, NEG, POW = (OPERATORS[k] for k in ("add", "sub", "mul", "div", "neg", "pow"))
PICK, UNPICK, XLOGY = (CODES[(k, 2)] for k in ("pick", "unpick", "xlogy"))


class Tape:
    """Nodes in creation order: op code, two argument slots (-1 when unused), source offset."""

    __slots__ = ("_at", "_const", "_memo", "arg0", "arg1", "cache", "names", "op", "simplify")

    def __init__(self, simplify: bool = False) -> None:
        self.op = array("B")
        self.arg0 = array("i")
        self.arg1 = array("i")
        # Offsets and constants, per node; nodes built by Var arithmetic have neither, so these
        # two arrays may lag behind and are padded (-1, 0.0) when read: two appends a node saved.
        self._at = array("i")
        self._const = array("d")
        self.names: dict[int, str] = {}  # inputs, named bindings and named constants
        self.simplify = simplify
        self._memo: dict[tuple[int, int, int], int] | None = {} if simplify else None
        self.cache: dict[str, object] = {}  # facts derived from the structure (engine's activity)

    @classmethod
    def from_arrays(
        cls, op: array, arg0: array, arg1: array, at: array, const: array, names: dict[int, str]
    ) -> Tape:
        """A parser's tape from its five arrays, as they are (the compiled parser's result)."""
        tape = cls()
        tape.op, tape.arg0, tape.arg1, tape._at, tape._const = op, arg0, arg1, at, const
        tape.names = names
        return tape

    def __len__(self) -> int:
        return len(self.op)

    @property
    def at(self) -> array:
        """Each node's offset in the source text, or -1."""
        self._pad()
        return self._at

    @property
    def const(self) -> array:
        """A CONST node's value, 0.0 for the others: the forward pass's template."""
        self._pad()
        return self._const

    def _pad(self) -> None:
        missing = len(self.op) - len(self._const)
        if missing:
            self._const.frombytes(bytes(8 * missing))
            self._at.frombytes(b"\xff" * (4 * missing))  # -1 in two's complement

    def node(self, code: int, a: int = -1, b: int = -1, at: int = -1, value: float = 0.0) -> int:
        """Append a node and return its index (no simplification: the parser's faithful graph)."""
        index = len(self.op)
        if len(self._const) != index:
            self._pad()
        self.op.append(code)
        self.arg0.append(a)
        self.arg1.append(b)
        self._at.append(at)
        self._const.append(value)
        return index

    def input(self, name: str, at: int = -1) -> Var:
        index = self.node(INPUT, at=at)
        self.names[index] = name
        return Var(self, index)

    def constant(self, value: float, at: int = -1) -> Var:
        value = float(value)
        if self._memo is not None:
            # Shared by value *and* sign: -0.0 == 0.0, but atan2(-0.0, -1) is -pi, not pi.
            key = (CONST, hash(value), 1 if math.copysign(1.0, value) < 0 else 0)
            found = self._memo.get(key)
            if found is not None and self.const[found] == value:
                return Var(self, found)
            index = self.node(CONST, at=at, value=value)
            self._memo[key] = index
            return Var(self, index)
        return Var(self, self.node(CONST, at=at, value=value))

    def is_const(self, index: int, value: float | None = None) -> bool:
        return self.op[index] == CONST and (value is None or self.const[index] == value)

    def apply(self, code: int, *args: Var | float) -> Var:
        """The node ``primitive(args)``; on a simplifying tape, folded and shared where possible."""
        slots = [a.index if type(a) is Var and a.tape is self else self._slot(a) for a in args]
        if self._memo is None:
            return self.link(code, *slots)  # the common case: append, nothing else
        simpler = self._simplify(code, slots)
        if simpler is not None:
            return simpler
        key = (code, slots[0], slots[1] if len(slots) > 1 else -1)
        found = self._memo.get(key)
        if found is not None:
            return Var(self, found)
        index = self.node(code, *slots)
        self._memo[key] = index
        return Var(self, index)

    def link(self, code: int, a: int, b: int = -1) -> Var:
        """``code(a, b)`` by node index: the fast path of ``Var`` arithmetic and ``fn``."""
        if self._memo is not None:
            return self.apply(code, *(Var(self, k) for k in (a, b) if k >= 0))
        index = len(self.op)
        self.op.append(code)
        self.arg0.append(a)
        self.arg1.append(b)
        return Var(self, index)

    def var(self, value: Var | float) -> Var:
        """``value`` as a Var of this tape (a number becomes a constant node)."""
        return Var(self, self._slot(value))

    def _slot(self, arg: Var | float) -> int:
        if isinstance(arg, Var):
            if arg.tape is not self:
                raise ValueError("cannot combine Vars from different tapes")
            return arg.index
        return self.constant(arg).index

    def _simplify(self, code: int, slots: list[int]) -> Var | None:
        """Algebraic identities and constant folding for derivative graphs; None if none applies."""
        c = self.is_const
        if all(c(s) for s in slots):
            try:
                folded = BY_CODE[code].fn(*(self.const[s] for s in slots))
            except (ArithmeticError, ValueError):
                return None  # keep the node: evaluating it reports the error where it belongs
            # 1e308 * 10 is inf without raising: keep the node, so it is reported as an overflow
            # (and a printed derivative never holds an `inf` that cannot be read back).
            return self.constant(folded) if abs(folded) <= 1.7976931348623157e308 else None
        a = slots[0]
        b = slots[1] if len(slots) > 1 else -1
        same = Var(self, a)
        if code == NEG:
            return Var(self, self.arg0[a]) if self.op[a] == NEG else None
        if code == ADD:
            if c(a, 0.0):
                return Var(self, b)
            if self.op[b] == NEG:  # a + -b is a - b, bit for bit
                return self.apply(SUB, same, Var(self, self.arg0[b]))
            if self._branches_of_one(a, b):  # pick(c, v) + unpick(c, v) is v, bit for bit
                return Var(self, self.arg1[a])
            return same if c(b, 0.0) else None
        if code == SUB:
            if a == b:
                return self.constant(0.0)
            if c(a, 0.0):
                return self.apply(NEG, Var(self, b))
            return same if c(b, 0.0) else None
        if code == MUL:
            if c(a, 0.0) or c(b, 0.0):
                return self.constant(0.0)
            if c(a, 1.0):
                return Var(self, b)
            if c(b, 1.0):
                return same
            if c(a, -1.0):
                return self.apply(NEG, Var(self, b))
            return self.apply(NEG, same) if c(b, -1.0) else None
        if code == DIV:
            if c(a, 0.0):
                return self.constant(0.0)
            return same if c(b, 1.0) else None
        if code == POW:
            if c(b, 1.0):
                return same
            return self.constant(1.0) if c(b, 0.0) else None
        if code in (PICK, UNPICK) and c(a):
            # A known condition picks its branch (x^2's d/dx is 2 * x, not pick(2, 2 * x)); the
            # untaken one is where's -0.0.
            taken = (self.const[a] != 0.0) == (code == PICK)
            return Var(self, b) if taken else self.constant(-0.0)
        if code == XLOGY and c(b, 0.0) and self.op[a] == POW and c(self.arg0[a], 0.0):
            # d/dy 0^y = xlogy(0^y, 0): 0 wherever 0^y has a finite derivative (y > 0).  Written
            # as is, evaluating it would differentiate log at 0, which is infinite.
            return self.constant(0.0)
        return None

    def _branches_of_one(self, a: int, b: int) -> bool:
        """Whether nodes a, b are pick(c, v) and unpick(c, v) of the same c and v (either order)."""
        ops = {self.op[a], self.op[b]}
        return (
            ops == {PICK, UNPICK} and self.arg0[a] == self.arg0[b] and self.arg1[a] == self.arg1[b]
        )


def _binary(code: int, reflected: bool = False):
    """``Var`` ⊕ ``Var | number`` as a method: the other operand's node, then one append."""

    def method(self: Var, other: Var | float) -> Var:
        tape = self.tape
        o = other.index if type(other) is Var and other.tape is tape else tape._slot(other)
        return tape.link(code, o, self.index) if reflected else tape.link(code, self.index, o)

    return method


class Var:
    """A node of a tape, with arithmetic that appends new nodes (the seed's ``Var``)."""

    __slots__ = ("index", "tape")

    def __init__(self, tape: Tape, index: int) -> None:
        self.tape = tape
        self.index = index

    def __repr__(self) -> str:
        name = self.tape.names.get(self.index)
        return f"Var({self.index}{', ' + repr(name) if name else ''})"

    # Arithmetic appends a node; these are the hot path of building a graph from Python, so
    # each is one closure (see _binary) rather than a trip through Tape.apply's argument packing.
    __add__ = _binary(ADD)
    __radd__ = _binary(ADD, reflected=True)
    __sub__ = _binary(SUB)
    __rsub__ = _binary(SUB, reflected=True)
    __mul__ = _binary(MUL)
    __rmul__ = _binary(MUL, reflected=True)
    __truediv__ = _binary(DIV)
    __rtruediv__ = _binary(DIV, reflected=True)
    __pow__ = _binary(POW)
    __rpow__ = _binary(POW, reflected=True)

    def __neg__(self) -> Var:
        return self.tape.link(NEG, self.index)

    def __pos__(self) -> Var:
        return self


def _graph_function(code: int):
    def call(*args: Var | float) -> Var:
        first = args[0]
        if len(args) == 1 and type(first) is Var:
            return first.tape.link(code, first.index)  # the common case, sin(x): one append
        tape = (
            first.tape if type(first) is Var else next(a.tape for a in args if isinstance(a, Var))
        )
        return tape.apply(code, *args)

    call.__name__ = BY_CODE[code].call_name
    call.__doc__ = BY_CODE[code].doc
    return call


# The table's functions on Vars: ``fn.sin(x)``.  Also the backend ``F`` for partial rules on graphs.
fn = namespace(_graph_function)


class Program:
    """A parsed program: its graph, the output node, and its inputs in order of first use."""

    __slots__ = ("bindings", "inputs", "output", "source", "tape")

    def __init__(
        self,
        tape: Tape,
        output: int,
        inputs: dict[str, int],
        source: str = "",
        bindings: dict[str, int] | None = None,
    ) -> None:
        self.tape = tape
        self.output = output
        self.inputs = inputs  # input name -> its INPUT node, in order of first appearance
        self.source = source
        self.bindings = bindings if bindings is not None else {}  # `name = expr` -> its node

    def where(self, node: int) -> str:
        """``line:col`` of a node's token in the source (``?`` for nodes with no source)."""
        return where(self.source, self.tape.at[node])

    def bind(self, point: dict[str, float]) -> dict[int, float]:
        """INPUT node → value for a point given by name; every input must be bound.  A lowered
        program's array inputs (``adcli.elements.Flat``) bind as blocks: first node → values."""
        inputs = self.inputs
        if type(inputs) is not dict:
            bound = inputs.bind(point)
            if bound is not None:
                return bound
        # Bulk, in C: a point naming the inputs in their order (a generated one) is read in
        # order, without a lookup per name; one that binds them all otherwise, by lookups.
        if type(point) is dict and list(point) == list(inputs):
            return dict(zip(inputs.values(), map(float, point.values())))
        if point.keys() >= inputs.keys():
            return dict(zip(inputs.values(), map(float, map(point.__getitem__, inputs))))
        missing = [name for name in inputs if name not in point]
        if missing:
            first = missing[0]
            if len(missing) == 1:
                message = f"unbound name '{first}' at {self.where(self.inputs[first])}"
            else:
                # Name a few, count the rest: the message must not grow with the program.
                shown = ", ".join(f"'{n}' (at {self.where(self.inputs[n])})" for n in missing[:5])
                more = f" and {len(missing) - 5:,} more" if len(missing) > 5 else ""
                message = f"unbound names {shown}{more}"
            raise ProgramNameError(message, names=tuple(missing))
        return {node: float(point[name]) for name, node in self.inputs.items()}


class Lowered:
    """A program ready for the engine: ``program`` is scalar-only and ``point`` binds its inputs
    (array inputs as element names ``x[0]``, ``W[1,0]``); ``layout`` is the shape of each array
    bound in the original point, in binding order."""

    __slots__ = ("layout", "point", "program")

    def __init__(self, program: Program, point: dict, layout: dict[str, tuple[int, ...]]) -> None:
        self.program = program
        self.point = point
        self.layout = layout

    def names(self, names) -> list[str]:
        """Original input names with each array flattened row-major into its element names."""
        from .values import element_names  # only array programs get here: not a start-up cost

        out: list[str] = []
        for name in names:
            shape = self.layout.get(name)
            out.extend(element_names(name, shape) if shape else [name])
        return out

    def shaped(self, flat: dict[str, float], names=None) -> dict[str, object]:
        """A flat gradient (element names) regrouped by ``names`` (default: the original
        program's inputs, then the other arrays bound): arrays as nested lists, JSON-ready."""
        from .values import element_names, nested

        if names is None:  # the original inputs in order of first use, then unused arrays
            inputs = self.program.inputs
            bases = getattr(inputs, "blocks", None) or (
                n[: n.find("[")] if "[" in n else n for n in inputs
            )
            names = list(dict.fromkeys([*bases, *self.layout]))
        block = getattr(flat, "block", None)  # adcli.elements.Flat: an array's partials at once
        out: dict[str, object] = {}
        for name in names:
            shape = self.layout.get(name)
            if shape:
                values = block(name, shape) if block is not None else None
                if values is None:
                    values = [flat.get(e, 0.0) for e in element_names(name, shape)]
                out[name] = nested(shape, values)
            else:
                out[name] = flat.get(name, 0.0)
        return out
