"""What every language shares: which nodes become named locals, and expressions with precedence.

The gradient graph shares subexpressions (the simplifying tape gives one node to identical
expressions), so writing it as nested expressions would repeat them and grow exponentially.
Instead a node used more than once becomes a local (``t1 = ...``), written once, in creation
order, which keeps the code linear in the size of the graph.  A node used once is written inline
where it is used, unless its expression would nest deeper than ``MAX_DEPTH`` (a long chain such as
``sin(sin(...))``): then it too becomes a local, so no compiler or parser meets deep nesting and
rendering recurses at most ``MAX_DEPTH`` levels.

``Expressions`` turns nodes into text for one ``Syntax`` (a language), parenthesising exactly
where precedence needs it and nowhere else, so the evaluation order (and so every rounding) is
the graph's own.
"""

from __future__ import annotations

import json
import math

from ..primitives import BY_CODE, CONST, FIRST_PRIMITIVE, INPUT

# Precedence of an expression's outermost operation: higher binds tighter.
SUM, PRODUCT, UNARY, POWER, CALL, ATOM = 1, 2, 3, 4, 8, 9
MAX_DEPTH = 8

Piece = tuple[str, int]  # text and its precedence


def local_nodes(tape, roots: list[int], max_depth: int = MAX_DEPTH) -> list[int]:
    """The operation nodes that ``roots`` reach and that become locals, in creation order."""
    uses: dict[int, int] = {}
    for root in roots:
        uses[root] = uses.get(root, 0) + 1
    op, arg0, arg1 = tape.op, tape.arg0, tape.arg1
    for i in range(max(roots, default=-1), -1, -1):
        if i not in uses or op[i] < FIRST_PRIMITIVE:
            continue
        for arg in (arg0[i], arg1[i]):
            if arg >= 0:
                uses[arg] = uses.get(arg, 0) + 1
    depth: dict[int, int] = {}
    chosen = []
    for i in sorted(uses):
        if op[i] < FIRST_PRIMITIVE:
            continue
        d = 1 + max(depth.get(arg0[i], 0), depth.get(arg1[i], 0))
        if uses[i] > 1 or d > max_depth:
            chosen.append(i)
            d = 0
        depth[i] = d
    return chosen


class Syntax:
    """One language's way of writing leaves, operators and calls (C-like by default)."""

    language = ""
    left, right = "(", ")"

    def constant(self, value: float, name: str | None) -> Piece:
        raise NotImplementedError

    def call(self, spelling: str, args: list[Piece]) -> Piece:
        return f"{spelling}({', '.join(text for text, _ in args)})", ATOM

    def operator(self, symbol: str, args: list[Piece], precedence: int) -> Piece:
        if len(args) == 1:
            text, prec = args[0]
            return f"{symbol}{self.wrap(text) if prec <= UNARY else text}", UNARY
        (a, pa), (b, pb) = args
        # Left-associative + - * /: the right operand needs parentheses at equal precedence too,
        # and keeping them keeps the graph's order of operations (and so its rounding).
        a = self.wrap(a) if pa < precedence else a
        b = self.wrap(b) if pb <= precedence else b
        return f"{a} {symbol} {b}", precedence

    def wrap(self, text: str) -> str:
        return f"{self.left}{text}{self.right}"


class Expressions:
    """Nodes of ``tape`` as text in ``syntax``; nodes in ``names`` print as those names."""

    def __init__(self, tape, syntax: Syntax, names: dict[int, str]) -> None:
        from .spellings import HELPERS, spelling

        self.tape, self.syntax, self.names = tape, syntax, names
        self.helpers_known = HELPERS.get(syntax.language, {})
        self.spell = lambda p: spelling(syntax.language, p)
        self.helpers_used: set[str] = set()

    def text(self, node: int) -> str:
        return self.piece(node, top=True)[0]

    def piece(self, node: int, top: bool = False) -> Piece:
        if not top and node in self.names:
            return self.names[node], ATOM
        tape = self.tape
        k = tape.op[node]
        if k == INPUT:
            return self.names[node], ATOM
        if k == CONST:
            return self.syntax.constant(tape.const[node], tape.names.get(node))
        p = BY_CODE[k]
        args = [self.piece(tape.arg0[node])]
        if p.arity == 2:
            args.append(self.piece(tape.arg1[node]))
        spelled = self.spell(p)
        if p.symbol and spelled == p.symbol:
            return self.syntax.operator(spelled, args, p.precedence)
        if spelled in self.helpers_known:
            self.helpers_used.add(spelled)
        return self.syntax.call(spelled, args)

    def helpers(self) -> list[str]:
        """Definitions of the helpers used so far, in their table's order."""
        return [src for name, src in self.helpers_known.items() if name in self.helpers_used]


def number_text(value: float) -> str:
    """A float as a literal that reads back exactly in Python and C (repr: shortest round trip)."""
    return repr(float(value))


def is_negative(value: float) -> bool:
    return math.copysign(1.0, value) < 0


def describe(source: str, limit: int = 160) -> str:
    """The program as one line of ASCII for a comment: escaped, so no newline, control
    character or trailing backslash can end the comment early; long programs are clipped."""
    text = json.dumps(source if len(source) <= limit else source[: limit - 3] + "...")
    return text


def unique_name(name: str, taken: set[str], bad) -> str:
    """``name``, or it with an underscore appended (or a ``v`` in front) until it is neither
    taken nor bad (a keyword, a reserved prefix)."""
    candidate = name
    if bad(candidate):
        candidate = name + "_" if not bad(name + "_") else "v" + name
    while candidate in taken:
        candidate += "_"
    return candidate
