"""Arrays: the shapes of a program at a point, and its lowering onto the scalar tape.

The parser puts array syntax on the tape as ``ARRAY`` nodes (literals, indexing, ``@``,
reductions...), described in ``ArrayProgram.arrays``; shapes are unknown until the inputs are
bound, so a program is parsed once and lowered per shape.  ``lower(program, point)`` walks the
tape once, in order, and builds a NEW tape of scalar nodes only: an array is its shape and the
indices of its element nodes (row-major); an elementwise operation appends one node per element
(in bulk, with array appends, not node by node), a reduction appends a chain, indexing and
slicing only pick element nodes.  The engine, activity analysis, Hessians, forward mode, batch
replay and the graph views then see an ordinary scalar program, so derivatives stay exact.

A program without array syntax bound to numbers only is returned as it is: no cost at all.
"""

from __future__ import annotations

import re
from array import array
from functools import partial

from .builder import ARRAY, ArrayProgram
from .elements import Block, Flat, NodeNames, iter_names
from .errors import AdcliError
from .graph import ADD, DIV, MUL, POW, SUB, Lowered, Program, Tape
from .primitives import BY_CODE, CONST, INPUT, lookup
from .text import excerpt, where
from .values import ArrayValue, describe_shape

SQRT = lookup("sqrt", 1)
MAX2 = lookup("max", 2)
MIN2 = lookup("min", 2)
STOP = lookup("stop", 1)
EQ = lookup("eq", 2)


class ShapeError(AdcliError):
    """Shapes that do not fit an operation, an array output, an index out of range."""

    kind = "shape"


def lower(program: Program, point: dict) -> Lowered:
    """``program`` at the shapes of ``point`` as a scalar program (see the module docstring).

    Raises ``ShapeError`` (status 2) for shapes that do not fit, and the program's own unbound
    name error when an input has no value."""
    layout = {n: v.shape for n, v in point.items() if isinstance(v, ArrayValue)}
    if not isinstance(program, ArrayProgram) and not any(n in program.inputs for n in layout):
        return Lowered(program, point, layout)  # arrays bound but unused: their partials are 0
    if any(name not in point for name in program.inputs):
        program.bind(point)  # raises the unbound-name error, with its positions
    return _Lowering(program, point, layout).run()


def array_syntax(program: Program) -> str | None:
    """Where the program first uses array syntax (``'@' at 1:3``, ``sum at 1:1``), or None: for
    commands that handle scalar programs only."""
    arrays = getattr(program, "arrays", None)
    if not arrays:
        return None
    at = program.tape.at[min(arrays)]
    return f"{_operator(program.source, at, ARRAY)} at {where(program.source, at)}"


class _Array:
    """An array during lowering: its shape and its element nodes on the new tape, row-major."""

    __slots__ = ("nodes", "shape")

    def __init__(self, shape: tuple[int, ...], nodes: array) -> None:
        self.shape = shape
        self.nodes = nodes


def _shape(value) -> tuple[int, ...]:
    return value.shape if type(value) is _Array else ()


class _Lowering:
    def __init__(self, program: Program, point: dict, layout: dict) -> None:
        self.program = program
        self.source = program.source
        self.point = point
        self.layout = layout
        self.tape = Tape()
        self.tape.names = NodeNames()  # array elements are named only if something reads them
        # Each input as a block (adcli.elements): ((), node) or (shape, range of its element
        # nodes); the point likewise, ((), value) or (shape, the array's doubles as they are).
        self.inputs: dict[str, Block] = {}
        self.flat: dict[str, Block] = {}
        self.at = -1  # the source offset of the node being lowered

    # ---- appending ------------------------------------------------------------------------
    def bulk(self, code: int, a: array, b: array | None = None) -> array:
        """Append ``code(a[j], b[j])`` for every j at once; returns the new nodes."""
        tape, n = self.tape, len(a)
        start = len(tape)
        offsets, constants = tape.at, tape.const  # padded to the tape's length first
        tape.op.frombytes(bytes((code,)) * n)
        tape.arg0.extend(a)
        tape.arg1.extend(b if b is not None else array("i", [-1]) * n)
        offsets.extend(array("i", [self.at]) * n)
        constants.frombytes(bytes(8 * n))
        return array("i", range(start, start + n))

    def one(self, code: int, a: int, b: int = -1) -> int:
        return self.tape.node(code, a, b, self.at)

    def const(self, value: float) -> int:
        return self.tape.node(CONST, at=self.at, value=value)

    def chain(self, code: int, nodes: array) -> int:
        """((n0 ⊕ n1) ⊕ n2) ⊕ ...: a fixed left-to-right order, as the written sum would be."""
        if len(nodes) == 1:
            return nodes[0]
        start = len(self.tape)
        left = array("i", [nodes[0]]) + array("i", range(start, start + len(nodes) - 2))
        return self.bulk(code, left, nodes[1:])[-1]

    # ---- errors ---------------------------------------------------------------------------
    def fail(self, message: str, cls=ShapeError):
        here = where(self.source, self.at)
        raise cls(message.replace("{at}", here), excerpt(self.source, self.at))

    # ---- the walk -------------------------------------------------------------------------
    def run(self) -> Lowered:
        program, old = self.program, self.program.tape
        arrays = getattr(program, "arrays", {})
        names = old.names
        values: list = []
        append = values.append
        for i, (k, a, b, at, c) in enumerate(zip(old.op, old.arg0, old.arg1, old.at, old.const)):
            self.at = at
            if k == INPUT:
                append(self.input(names[i], at))
            elif k == CONST:
                node = self.tape.node(CONST, at=at, value=c)
                if i in names:
                    self.tape.names[node] = names[i]
                append(node)
            elif k == ARRAY:
                kind, *parts = arrays[i]
                if kind == "index":
                    append(self.do_index(values[parts[0]], parts[1]))
                else:
                    append(getattr(self, "do_" + kind)(*(values[p] for p in parts)))
            elif b < 0:
                x = values[a]
                append(self.one(k, x) if type(x) is int else _Array(x.shape, self.bulk(k, x.nodes)))
            else:
                append(self.binary(k, values[a], values[b]))
        out = values[program.output]
        if type(out) is _Array:
            self.at = old.at[program.output]
            raise ShapeError(
                f"the output is {describe_shape(out.shape)}; reduce it, e.g. sum(...)",
                excerpt(self.source, self.at) if self.at >= 0 else "",
            )
        bindings: dict[str, Block] = {}
        for name, node in program.bindings.items():
            value = values[node]
            bindings[name] = ((), value) if type(value) is int else (value.shape, value.nodes)
        inputs, flat, named = Flat(self.inputs), Flat(self.flat), Flat(bindings)
        self.tape.names.later(partial(_name_elements, inputs=inputs, bindings=named))
        if not any(shape for shape, _ in self.inputs.values()):  # scalars only: plain dicts
            inputs, flat, named = dict(inputs.items()), dict(flat.items()), dict(named.items())
        return Lowered(Program(self.tape, out, inputs, self.source, named), flat, self.layout)

    def input(self, name: str, at: int):
        value = self.point.get(name)
        if not isinstance(value, ArrayValue):
            node = self.tape.node(INPUT, at=at)
            self.tape.names[node] = name
            self.inputs[name] = ((), node)
            if value is not None:
                self.flat[name] = ((), value)
            return node
        nodes = self.bulk(INPUT, array("i", [-1]) * value.size)
        self.inputs[name] = (value.shape, range(nodes[0], nodes[0] + len(nodes)))
        self.flat[name] = (value.shape, value.data)
        return _Array(value.shape, nodes)

    def binary(self, code: int, x, y):
        """An elementwise primitive; a scalar combines with any array, two arrays match."""
        tx, ty = type(x) is int, type(y) is int
        if tx and ty:
            return self.one(code, x, y)
        if tx:
            return _Array(y.shape, self.bulk(code, array("i", [x]) * len(y.nodes), y.nodes))
        if ty:
            return _Array(x.shape, self.bulk(code, x.nodes, array("i", [y]) * len(x.nodes)))
        if x.shape != y.shape:
            self.fail(
                f"shapes do not match for {_operator(self.source, self.at, code)} at {{at}}: "
                f"{describe_shape(x.shape)} and {describe_shape(y.shape)}"
            )
        return _Array(x.shape, self.bulk(code, x.nodes, y.nodes))

    # ---- array syntax ---------------------------------------------------------------------
    def do_literal(self, *elements):
        shapes = [_shape(e) for e in elements]
        if all(not s for s in shapes):
            return _Array((len(elements),), array("i", elements))
        first = shapes[0]
        for j, s in enumerate(shapes):
            if s != first:
                self.fail(
                    f"the rows of the array at {{at}} differ: element 0 is "
                    f"{describe_shape(first)}, element {j} is {describe_shape(s)}"
                )
        if len(first) == 2:
            self.fail("the array at {at} would have 3 axes; arrays have at most 2")
        nodes = array("i")
        for e in elements:
            nodes.extend(e.nodes)
        return _Array((len(elements), first[0]), nodes)

    def do_index(self, base, subscripts: tuple):
        shape = _shape(base)
        if not shape:
            self.fail("cannot index a scalar at {at}")
        if len(subscripts) > len(shape):
            self.fail(
                f"{len(subscripts)} indices at {{at}} for {describe_shape(shape)}; "
                f"it has {len(shape)} ax{'is' if len(shape) == 1 else 'es'}"
            )
        subscripts = tuple(subscripts) + ((None, None),) * (len(shape) - len(subscripts))
        ranges = [
            self.axis(s, n, axis, shape) for axis, (s, n) in enumerate(zip(subscripts, shape))
        ]
        kept = tuple(len(r) for r, s in zip(ranges, subscripts) if type(s) is tuple)
        if len(shape) == 1:
            nodes = base.nodes[ranges[0].start : ranges[0].stop]
        else:
            cols = shape[1]
            rows, span = ranges
            nodes = array("i")
            for r in rows:
                nodes.extend(base.nodes[r * cols + span.start : r * cols + span.stop])
        return _Array(kept, nodes) if kept else nodes[0]

    def axis(self, subscript, n: int, axis: int, shape) -> range:
        if type(subscript) is int:
            k = subscript + n if subscript < 0 else subscript
            if not 0 <= k < n:
                what = "row " if len(shape) == 2 and axis == 0 else ""
                what = "column " if axis == 1 else what
                self.fail(
                    f"{what}index {subscript} at {{at}} is out of range for "
                    f"{describe_shape(shape)} (valid: {-n} to {n - 1})"
                )
            return range(k, k + 1)
        start, stop = subscript
        lo, hi = slice(start, stop).indices(n)[:2]  # numpy's (and Python's) slice meaning
        if lo >= hi:
            shown = f"{'' if start is None else start}:{'' if stop is None else stop}"
            self.fail(
                f"the slice [{shown}] at {{at}} of {describe_shape(shape)} is empty; "
                "an array needs at least one element"
            )
        return range(lo, hi)

    def do_matmul(self, x, y):
        sx, sy = _shape(x), _shape(y)
        if not sx or not sy:
            self.fail(
                f"'@' at {{at}} multiplies arrays; got {describe_shape(sx)} and "
                f"{describe_shape(sy)} (use * to scale by a scalar)"
            )
        inner_x = sx[-1]
        inner_y = sy[0]
        if inner_x != inner_y:
            self.fail(
                f"shapes do not match for '@' at {{at}}: {describe_shape(sx)} and "
                f"{describe_shape(sy)} (inner sizes {inner_x} and {inner_y})"
            )
        k = inner_x
        rows = [x.nodes] if len(sx) == 1 else [x.nodes[r * k : (r + 1) * k] for r in range(sx[0])]
        cols = [y.nodes] if len(sy) == 1 else [y.nodes[c :: sy[1]] for c in range(sy[1])]
        left, right = array("i"), array("i")
        for row in rows:
            for col in cols:
                left.extend(row)
                right.extend(col)
        products = self.bulk(MUL, left, right)
        out = array("i", (self.chain(ADD, products[j : j + k]) for j in range(0, len(products), k)))
        shape = (*sx[:-1], *sy[1:])
        return _Array(shape, out) if shape else out[0]

    def do_dot(self, x, y):
        if len(_shape(x)) != 1 or len(_shape(y)) != 1:
            self.fail(
                f"dot at {{at}} takes two vectors; got {describe_shape(_shape(x))} and "
                f"{describe_shape(_shape(y))} (use @ for matrices)"
            )
        return self.do_matmul(x, y)

    def do_sum(self, x):
        return x if type(x) is int else self.chain(ADD, x.nodes)

    def do_prod(self, x):
        return x if type(x) is int else self.chain(MUL, x.nodes)

    def do_mean(self, x):
        return x if type(x) is int else self.one(DIV, self.do_sum(x), self.const(len(x.nodes)))

    def do_norm(self, x):
        two = self.const(2.0)
        squares = self.binary(POW, x, two)
        return self.one(SQRT, self.do_sum(squares))

    def do_len(self, x):
        if type(x) is int:
            self.fail("len at {at} needs an array; got a scalar")
        return self.const(float(x.shape[0]))

    def do_transpose(self, x):
        if type(x) is int or len(x.shape) == 1:
            return x  # as numpy: a vector (or a scalar) is its own transpose
        rows, cols = x.shape
        nodes = array("i")
        for c in range(cols):
            nodes.extend(x.nodes[c::cols])
        return _Array((cols, rows), nodes)

    def do_max(self, x):
        return self.extreme(x, MAX2)

    def do_min(self, x):
        return self.extreme(x, MIN2)

    def extreme(self, x, code: int):
        """max(a)/min(a) over every element, tied elements sharing the adjoint equally.

        m is the chain of two-argument max (its value only: stopped); the result is
        m − Σ (stop(aᵢ) − aᵢ)·[aᵢ = m] / k with k the number of ties: exactly m in value (every
        term is 0), and ∂/∂aᵢ = [aᵢ = m]/k: equal shares, exact Hessian (zero)."""
        if type(x) is int:
            return x
        nodes = x.nodes
        m = self.chain(code, nodes)
        if len(nodes) == 1:
            return m
        n = len(nodes)
        top = self.one(STOP, m)
        ties = self.bulk(EQ, nodes, array("i", [top]) * n)
        count = self.chain(ADD, ties)
        gaps = self.bulk(SUB, self.bulk(STOP, nodes), nodes)
        share = self.one(DIV, self.chain(ADD, self.bulk(MUL, gaps, ties)), count)
        return self.one(SUB, top, share)


def _name_elements(names: dict[int, str], inputs: Flat, bindings: Flat) -> None:
    """The lowered tape's names, made when first read: each array input's element nodes
    (``x[0]``, ``W[1,0]``), then every binding's nodes that have no name yet, in order."""
    for name, (shape, nodes) in inputs.blocks.items():
        if shape:
            names.update(zip(nodes, iter_names(name, shape)))
    for label, node in bindings.items():
        names.setdefault(node, label)


_WRITTEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\*\*|[<>=!]=|.")


def _operator(source: str, at: int, code: int) -> str:
    """The operator or function as the text writes it at ``at`` (``where`` for its parts)."""
    if at >= 0:
        word = _WRITTEN.match(source, at).group()
        return word if word[0].isalpha() or word[0] == "_" else f"'{word}'"
    p = BY_CODE[code] if code < len(BY_CODE) else None
    return "array syntax" if p is None else f"'{p.symbol}'" if p.symbol else p.call_name
