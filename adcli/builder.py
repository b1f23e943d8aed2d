"""The graph builder: the parser's semantic actions, one method per grammar alias.

``adcli.parse`` runs the LALR automaton and calls these on each reduction with the kept
children — token offsets for tokens, node indices for sub-expressions — so the tape grows while
the text is read and no parse tree is ever made.  Scalar syntax becomes primitive nodes; array
syntax (literals, indexing, ``@``, reductions) becomes ``ARRAY`` nodes described on the side,
which ``adcli.arrays`` lowers onto scalar nodes once the inputs' shapes are known.
"""

from __future__ import annotations

import re

from .errors import ArityError, ProgramNameError, ProgramSyntaxError
from .graph import ADD, DIV, MUL, NEG, POW, SUB, Program, Tape
from .primitives import ARITIES, CONST, CONSTANTS, TABLE, lookup
from .text import clip, excerpt, where

ARRAY = 255  # op code of an array-level node; adcli.arrays lowers these onto scalar nodes
# Functions of whole arrays (reductions and shape functions) and how many arguments each takes.
ARRAY_FUNCTIONS = {
    "sum": 1,
    "mean": 1,
    "prod": 1,
    "max": 1,
    "min": 1,
    "norm": 1,
    "len": 1,
    "transpose": 1,
    "dot": 2,
}
# What `adcli functions` says of the array-level syntax: (call, derivatives, doc).  Each is
# lowered onto the table's primitives (adcli.arrays), so these rules are the primitives' own.
PICKED = {"d/d(element)": "1 where it is picked, else 0"}
ARRAY_DOCS: tuple[tuple[str, dict[str, str], str], ...] = (
    ("[a, b, ...]", PICKED, "a vector; [[1, 2], [3, 4]] is a matrix (rows of equal length)"),
    ("x[i]  A[i, j]  A[i]", PICKED, "0-based indexing; x[-1] is the last; A[i] is a row"),
    ("x[i:j]  x[i:]  x[:j]  A[:, j]", PICKED, "slices with numpy's meaning, no step"),
    (
        "a @ b",
        {"d/da, d/db": "those of the * and + it unrolls to"},
        "matrix product (numpy's rules)",
    ),
    ("sum(a)", {"d/da[i]": "1"}, "the sum of all elements"),
    ("mean(a)", {"d/da[i]": "1/n"}, "the mean of all n elements"),
    ("prod(a)", {"d/da[i]": "the product of the other elements"}, "the product of all elements"),
    ("max(a)", {"d/da[i]": "1/k for each of the k largest, else 0"}, "the largest element"),
    ("min(a)", {"d/da[i]": "1/k for each of the k smallest, else 0"}, "the smallest element"),
    ("norm(a)", {"d/da[i]": "a[i] / norm(a)"}, "sqrt(sum(a^2))"),
    ("dot(a, b)", {"d/da[i]": "b[i]", "d/db[i]": "a[i]"}, "a @ b for two vectors"),
    ("len(a)", {"d/da": "0"}, "the length of the first axis (a constant)"),
    ("transpose(A)", PICKED, "rows become columns; a vector is its own transpose"),
    (
        "where(c, a, b)",
        {"d/da": "1 where c != 0", "d/db": "1 where c = 0", "d/dc": "0"},
        "a where c is true (not 0), else b; the other branch gets no derivative",
    ),
)


class ArrayProgram(Program):
    """A program whose text uses array syntax: ``arrays`` maps each ARRAY node to what it is:
    ``("literal", *elements)``, ``("index", base, subscripts)``, ``("matmul", a, b)`` or
    ``(function, *arguments)`` for sum, mean, prod, max, min, norm, len, transpose, dot."""

    __slots__ = ("arrays",)

    def __init__(self, tape, output, inputs, source, bindings, arrays) -> None:
        super().__init__(tape, output, inputs, source, bindings)
        self.arrays: dict[int, tuple] = arrays


class Builder:
    """The parser's semantic actions: each grammar alias appends nodes to the tape."""

    def __init__(self, text: str, name: re.Pattern, number: re.Pattern) -> None:
        self.text = text
        self.name_pattern = name  # the grammar's NAME and NUMBER: a token's value is its offset,
        self.number_pattern = number  # and these read the token back from the text
        self.tape = Tape()
        self.inputs: dict[str, int] = {}
        self.bindings: dict[str, int] = {}
        self.assigned_at: dict[str, int] = {}  # where each binding's name is, for messages
        self.program: Program | None = None
        self.arrays: dict[int, tuple] = {}  # ARRAY node -> what it is (see adcli.arrays)

    def _error(self, cls, message: str, offset: int):
        raise cls(f"{message}", excerpt(self.text, offset))

    # statements -------------------------------------------------------------------------------
    def start(self, *statements: int) -> None:
        if self.arrays:
            self.program = ArrayProgram(
                self.tape, statements[-1], self.inputs, self.text, self.bindings, self.arrays
            )
            return
        self.program = Program(self.tape, statements[-1], self.inputs, self.text, self.bindings)

    def _token(self, pattern: re.Pattern, at: int) -> str:
        return pattern.match(self.text, at).group()

    def assign(self, at: int, value: int) -> int:
        label = self._token(self.name_pattern, at)
        if label in CONSTANTS or label in self.bindings or label in self.inputs:
            self._bad_assignment(label, at)
        self.bindings[label] = value
        self.assigned_at[label] = at
        self.tape.names.setdefault(value, label)
        return value

    def _bad_assignment(self, label: str, at: int) -> None:
        here = where(self.text, at)  # error path only: finding line:col scans the text
        if label in CONSTANTS:
            self._error(ProgramNameError, f"cannot assign to the constant '{label}' at {here}", at)
        if label in self.bindings:
            first = where(self.text, self.assigned_at[label])
            self._error(
                ProgramNameError, f"'{label}' is assigned twice (at {first} and {here})", at
            )
        used = where(self.text, self.tape.at[self.inputs[label]])
        self._error(
            ProgramNameError, f"'{label}' is used at {used} before it is assigned at {here}", at
        )

    # leaves -----------------------------------------------------------------------------------
    def number(self, at: int) -> int:
        token = self._token(self.number_pattern, at)
        value = float(token)
        if value == float("inf"):
            self._error(
                ProgramSyntaxError,
                f"the number {clip(token, 24)} at {where(self.text, at)} is too large for a double",
                at,
            )
        return self.tape.node(CONST, at=at, value=value)

    def name(self, at: int) -> int:
        label = self._token(self.name_pattern, at)
        found = self.bindings.get(label)
        if found is None:
            found = self.inputs.get(label)
        if found is not None:
            return found
        if label in CONSTANTS:
            index = self.tape.node(CONST, at=at, value=CONSTANTS[label])
            self.tape.names[index] = label
            return index
        index = self.tape.input(label, at=at).index
        self.inputs[label] = index
        return index

    # operators --------------------------------------------------------------------------------
    def add(self, a: int, op: int, b: int) -> int:
        return self.tape.node(ADD, a, b, op)

    def sub(self, a: int, op: int, b: int) -> int:
        return self.tape.node(SUB, a, b, op)

    def mul(self, a: int, op: int, b: int) -> int:
        return self.tape.node(MUL, a, b, op)

    def div(self, a: int, op: int, b: int) -> int:
        return self.tape.node(DIV, a, b, op)

    def pow(self, a: int, op: int, b: int) -> int:
        return self.tape.node(POW, a, b, op)

    def matmul(self, a: int, op: int, b: int) -> int:
        return self._array(op, "matmul", a, b)

    def neg(self, op: int, a: int) -> int:
        return self.tape.node(NEG, a, -1, op)

    def pos(self, op: int, a: int) -> int:
        return a

    # calls ------------------------------------------------------------------------------------
    def arguments(self, *args: int) -> tuple[int, ...]:
        return args

    def call(self, at: int, args: tuple[int, ...] = ()) -> int:
        label = self._token(self.name_pattern, at)
        code = lookup(label, len(args))
        if code is None and label in ARRAY_FUNCTIONS and len(args) == ARRAY_FUNCTIONS[label]:
            return self._array(at, label, *args)
        if code is None and label == "where" and len(args) == 3:
            # where(c, a, b) = pick(c, a) + unpick(c, b): each branch's adjoint is zero unless
            # it is the one taken, and an untaken branch's value never reaches the output.
            c, a, b = args
            return self.tape.node(
                ADD, self._apply("pick", at, c, a), self._apply("unpick", at, c, b), at
            )
        if code is None:
            here = where(self.text, at)
            if label not in ARITIES and label not in ARRAY_FUNCTIONS and label != "where":
                self._error(
                    ProgramNameError,
                    f"unknown function '{clip(label, 24)}' at {here}{_suggest(label)}",
                    at,
                )
            extra = (3,) if label == "where" else (ARRAY_FUNCTIONS.get(label),)
            arities = tuple(sorted({*ARITIES.get(label, ()), *extra} - {None}))
            counts = " or ".join(str(n) for n in arities)
            plural = "" if arities == (1,) else "s"
            self._error(
                ArityError,
                f"{label} at {here} takes {counts} argument{plural}, got {len(args)}",
                at,
            )
        return self.tape.node(code, *args, at=at)

    def _apply(self, name: str, at: int, *args: int) -> int:
        """A primitive by name (comparisons, where's pick/unpick) on scalar nodes."""
        return self.tape.node(lookup(name, len(args)), *args, at=at)

    # arrays: ARRAY nodes, described in self.arrays, lowered once shapes are known ---------------
    def _array(self, at: int, kind: str, *parts) -> int:
        index = self.tape.node(ARRAY, at=at)
        self.arrays[index] = (kind, *parts)
        return index

    def array(self, at: int, elements: tuple[int, ...]) -> int:
        return self._array(at, "literal", *elements)

    def elements(self, *elements: int) -> tuple[int, ...]:
        return elements

    def index(self, a: int, at: int, subscripts: tuple) -> int:
        if len(subscripts) > 2:
            self._error(
                ProgramSyntaxError,
                f"syntax error at {where(self.text, at)}: {len(subscripts)} indices, but arrays "
                "have at most 2 axes",
                at,
            )
        return self._array(at, "index", a, subscripts)

    def subscripts(self, *subscripts) -> tuple:
        return subscripts

    def integer(self, *offsets: int) -> int:
        at = offsets[-1]
        token = self._token(self.number_pattern, at)
        if not token.isdigit():
            self._error(
                ProgramSyntaxError,
                f"syntax error at {where(self.text, at)}: an index is a whole number "
                f"such as 0 or -1, found the number {clip(token, 24)}",
                at,
            )
        # Beyond any array's size anyway: keep the number small (int() refuses 5,000 digits).
        value = int(token) if len(token) < 19 else 10**18
        return -value if len(offsets) == 2 else value

    def slice_all(self, colon: int) -> tuple:
        return (None, None)

    def slice_from(self, start: int, colon: int) -> tuple:
        return (start, None)

    def slice_to(self, colon: int, stop: int) -> tuple:
        return (None, stop)

    def slice_between(self, start: int, colon: int, stop: int) -> tuple:
        return (start, stop)


def _suggest(label: str) -> str:
    import difflib

    known = list(dict.fromkeys([*ARITIES, *ARRAY_FUNCTIONS, "where"]))
    close = difflib.get_close_matches(label, known, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return hint + "; 'adcli functions' lists them"


# The comparisons' actions: the grammar names each comparison alias after its row of the table
# (lt, le, gt, ge, eq, ne), so one action per comparison row applies that primitive.
def _comparison(name: str):
    return lambda self, a, op, b: self._apply(name, op, a, b)


for _p in TABLE:
    if _p.symbol and _p.precedence == 0:
        setattr(Builder, _p.name, _comparison(_p.name))
