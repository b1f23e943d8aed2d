r"""The partials as the formulas a paper prints: an ``aligned`` block of LaTeX.

Each partial is a line ``\frac{\partial f}{\partial x} &= ...``; subexpressions the partials share
come first as ``t_1 &= ...`` lines (the same sharing the code languages use, so the block stays
linear in the size of the program).  Division is a fraction, powers are superscripts, ``sqrt`` a
radical; inputs named like Greek letters print as them (``alpha`` → ``\alpha``), and a trailing
number becomes a subscript (``x1`` → ``x_{1}``).
"""

from __future__ import annotations

import math
import re

from .plan import ATOM, CALL, POWER, PRODUCT, UNARY, Expressions, Syntax, describe, local_nodes

# fmt: off
GREEK = frozenset((
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi",
    "Omega",
))
# fmt: on
_SPLIT = re.compile(r"([A-Za-z]+?)_?([0-9]+)")


def latex_name(name: str) -> str:
    """An input's name as a math symbol: ``x``, ``x_{1}``, ``\\alpha``, ``\\mathit{rate}``."""
    base, sub = name, ""
    m = _SPLIT.fullmatch(name)
    if m:
        base, sub = m.group(1), m.group(2)
    elif "_" in name.strip("_") and name.count("_") == 1:
        base, sub = name.split("_")
    if base in GREEK:
        base = "\\" + base
    elif len(base) > 1:
        base = r"\mathit{" + base.replace("_", r"\_") + "}"
    elif base == "_":
        base = r"\_"
    return base + (f"_{{{_subscript(sub)}}}" if sub else "")


def _subscript(text: str) -> str:
    if text.isdigit():
        return text
    return latex_name(text)


class LatexSyntax(Syntax):
    language = "latex"
    left, right = r"\left(", r"\right)"

    def constant(self, value: float, name: str | None) -> tuple[str, int]:
        if name == "pi" and value == math.pi:
            return r"\pi", ATOM
        if name == "e" and value == math.e:
            return "e", ATOM
        if math.isnan(value):
            return r"\mathrm{NaN}", ATOM
        if math.isinf(value):
            return ("-" if value < 0 else "") + r"\infty", UNARY if value < 0 else ATOM
        text = repr(abs(value))
        sign = "-" if math.copysign(1.0, value) < 0 else ""
        if "e" in text:
            mantissa, exponent = text.split("e")
            mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
            power = f"10^{{{int(exponent)}}}"
            text = power if mantissa == "1" else f"{mantissa} \\times {power}"
            return sign + text, UNARY if sign else (ATOM if mantissa == "1" else PRODUCT)
        text = text[:-2] if text.endswith(".0") else text
        return sign + text, UNARY if sign else ATOM

    def operator(self, symbol: str, args, precedence: int) -> tuple[str, int]:
        if symbol == "*":
            symbol = r"\cdot"
        if len(args) == 2 and args[1][1] == UNARY:  # `a - (-b)`, `a \cdot (-b)`
            args = [args[0], (self.wrap(args[1][0]), ATOM)]
        return super().operator(symbol, args, precedence)

    def call(self, spelling: str, args) -> tuple[str, int]:
        if "%0" not in spelling:
            inner = ", ".join(text for text, _ in args)
            return f"{spelling}{self.wrap(inner)}", CALL
        if spelling.startswith("%0^"):  # a power: the base must be a single symbol
            base, prec = args[0]
            base = base if prec == ATOM else self.wrap(base)
            return spelling.replace("%0", base, 1).replace("%1", args[1][0]), POWER
        text = spelling
        for i, (arg, prec) in enumerate(args):
            # A placeholder standing alone (pick's `[c \ne 0] %1`) is a factor: a sum or a
            # negation there needs parentheses; one inside braces or brackets does not.
            place = f"%{i}"
            at = text.index(place)
            before, after = text[at - 1 : at], text[at + len(place) : at + len(place) + 1]
            alone = before in ("", " ") and after in ("", " ")
            text = text.replace(place, self.wrap(arg) if alone and prec <= UNARY else arg)
        return text, CALL


def latex(graph, wrt: list[str], source: str) -> str:
    r"""``\frac{\partial f}{\partial x} &= ...`` lines in an ``aligned`` block."""
    tape = graph.tape
    symbols = {name: latex_name(name) for name in graph.inputs}
    taken = set(symbols.values())
    # Temporaries are t_1, t_2, ...; u_1, ... if an input is itself called t (or t_k).
    bases = {symbol.split("_")[0] for symbol in taken}
    letter = next((c for c in "tusvq" if c not in bases), "t")
    roots = [graph.gradient[n] for n in wrt]
    names = {graph.inputs[n]: symbols[n] for n in graph.inputs}
    counter = 0
    temps = []
    for node in local_nodes(tape, roots):
        counter += 1
        while _temp(letter, counter) in taken or f"{letter}_{{{counter}}}" in taken:
            counter += 1
        names[node] = _temp(letter, counter)
        temps.append(node)
    expressions = Expressions(tape, LatexSyntax(), names)
    rows = [f"{names[node]} &= {expressions.text(node)}" for node in temps]
    rows += [
        rf"\frac{{\partial f}}{{\partial {symbols[n]}}} &= {expressions.piece(root)[0]}"
        for n, root in zip(wrt, roots)
    ]
    return "\n".join(
        [
            f"% The partials of f = {describe(source)}, by adcli diff --to latex",
            r"\begin{aligned}",
            " \\\\\n".join(rows),
            r"\end{aligned}",
            "",
        ]
    )


def _temp(letter: str, k: int) -> str:
    return f"{letter}_{k}" if k < 10 else f"{letter}_{{{k}}}"
