"""Graph → text in adcli's own language, so anything printed can be read back.

Used by ``adcli diff`` (a derivative as a program), ``adcli functions`` (each rule as a
formula) and the round-trip tests.  Parentheses follow the grammar exactly — ``a - (b - c)``,
``(-2)^x``, ``x^-y`` — so re-parsing gives the same graph.  A node used more than once becomes a
named binding (``t1 = ...``), which keeps the text linear in the size of the graph.  Printing is
iterative: nesting depth costs no recursion.
"""

from __future__ import annotations

from .primitives import BY_CODE, CONST, FIRST_PRIMITIVE, INPUT
from .text import number

_LEAF = 9
_UNARY = 3
_POW = 4


def _precedence(tape, node: int, names: dict[int, str]) -> int:
    if node in names:
        return _LEAF
    k = tape.op[node]
    if k == CONST:
        return _UNARY if tape.const[node] < 0 or str(tape.const[node]).startswith("-") else _LEAF
    if k == INPUT:
        return _LEAF
    return BY_CODE[k].precedence


def _needs_parens(parent_k: int, side: int, child_prec: int) -> bool:
    p = BY_CODE[parent_k]
    if not p.symbol:
        return False  # function arguments are delimited already
    if p.arity == 1:  # unary minus: `-x^2`, `--x` would read back, but `-(-x)` reads better
        return child_prec <= _UNARY
    if p.precedence == _POW:  # base must be an atom; the exponent may carry unary signs
        return child_prec < _LEAF if side == 0 else child_prec < _UNARY
    # Left-associative + - * /: the right operand needs parentheses at equal precedence too.
    return child_prec < p.precedence if side == 0 else child_prec <= p.precedence


def expression(tape, root, names: dict[int, str] | None = None) -> str:
    """One expression (a node or a Var); nodes in ``names`` (and inputs, named constants) print
    as their names."""
    names = names or {}
    out: list[str] = []
    stack: list[object] = [getattr(root, "index", root)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node = item
        if node in names:
            out.append(names[node])
            continue
        k = tape.op[node]
        if k == INPUT:
            out.append(tape.names[node])
            continue
        if k == CONST:
            name = tape.names.get(node)
            out.append(name if name in ("pi", "e") else number(tape.const[node], short=True))
            continue
        p = BY_CODE[k]
        args = (tape.arg0[node],) if p.arity == 1 else (tape.arg0[node], tape.arg1[node])
        pieces: list[object] = []
        if p.symbol and p.arity == 1:
            pieces.append(p.symbol)
        elif not p.symbol:
            pieces.append(p.call_name + "(")
        for side, arg in enumerate(args):
            if side == 1:
                pieces.append(f" {p.symbol} " if p.symbol else ", ")
            if p.symbol and _needs_parens(k, side, _precedence(tape, arg, names)):
                pieces += ["(", arg, ")"]
            else:
                pieces.append(arg)
        if not p.symbol:
            pieces.append(")")
        stack.extend(reversed(pieces))
    return "".join(out)


def program_text(tape, outputs: dict[str, int], reserved: set[str] = frozenset()) -> dict[str, str]:
    """Each output as a program: nodes shared within it become ``tN = ...`` bindings first.

    ``reserved`` names (the inputs) are never used for temporaries.
    """
    texts = {}
    used = set(reserved) | {name for i, name in tape.names.items() if tape.op[i] == INPUT}
    for label, root in outputs.items():
        shared = _shared_nodes(tape, root)
        names: dict[int, str] = {}
        counter = 0
        lines = []
        for node in shared:  # creation order: each binding's own references are already named
            counter += 1
            while f"t{counter}" in used:
                counter += 1
            lines.append(f"t{counter} = {expression(tape, node, names)}")
            names[node] = f"t{counter}"
        lines.append(expression(tape, root, names))
        texts[label] = "\n".join(lines)
    return texts


def _shared_nodes(tape, root: int) -> list[int]:
    """Non-leaf nodes that ``root`` reaches along more than one edge, in creation order."""
    uses = {root: 1}
    for i in range(root, -1, -1):
        if i not in uses or tape.op[i] < FIRST_PRIMITIVE:
            continue
        for arg in (tape.arg0[i], tape.arg1[i]):
            if arg >= 0:
                uses[arg] = uses.get(arg, 0) + 1
    return sorted(i for i, n in uses.items() if n > 1 and tape.op[i] >= FIRST_PRIMITIVE)


def program_source(program) -> str:
    """A parsed program printed back: its bindings in order, then its output."""
    tape = program.tape
    named: dict[int, str] = {}
    lines = []
    for name, node in program.bindings.items():
        lines.append(f"{name} = {named.get(node) or expression(tape, node, named)}")
        named.setdefault(node, name)
    lines.append(named.get(program.output) or expression(tape, program.output, named))
    return "\n".join(lines)
