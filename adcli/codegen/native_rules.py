"""The compiled sweeps' derivative rules, generated from the primitive table into C.

Each row's value and partials are *traced*: its ``partials`` lambdas run once on symbols with a
recording namespace ``F`` in which ``F.<name>`` writes the row's own C spelling (``math.h`` or an
``adcli_`` helper of ``adcli.codegen.spellings``), and ``+ - * /`` write themselves, in Python's
order of evaluation, fully parenthesised — so C performs the same IEEE operations in the same
order as the Python rule, and (compiled without contraction into fused multiply-adds) gives the
same bits.  Constants are written by ``repr``, which C reads back to the same double.

A row whose value or rule needs a function whose C library version is not bit-identical to
Python's (``math.hypot`` has its own algorithm) is *not compiled*: a tape that holds it is swept
in Python.  The differential tests (tests/test_csweep.py) check every compiled row against
Python's float function and rule, bit for bit.

Regenerate after editing the table (a test checks that the checked-in header is current)::

    python -m adcli.codegen.native_rules
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from ..primitives import BY_CODE, CODES, TABLE, Primitive, namespace
from .spellings import C_HELPERS, spelling

HEADER = os.path.join(os.path.dirname(os.path.dirname(__file__)), "_native", "rules.h")

# C library functions whose result differs from the Python float function of the same name
# (CPython's math.hypot is its own correctly-rounded-ish algorithm, not libm's hypot).
NOT_IDENTICAL = {"hypot": "math.hypot is CPython's own algorithm, not the C library's hypot"}


class Untraceable(Exception):
    """A rule uses a function with no bit-identical C spelling."""


class Sym:
    """A C expression recorded while a rule runs on it."""

    __slots__ = ("c",)

    def __init__(self, c: str) -> None:
        self.c = c

    def _op(self, symbol: str, other: object, swap: bool = False) -> Sym:
        a, b = c_of(self), c_of(other)
        if swap:
            a, b = b, a
        return Sym(f"({a} {symbol} {b})")

    # ``+ - * /`` and their reflected forms (``2.0 * x`` reaches ``x.__rmul__``) write themselves.
    __add__, __radd__ = (lambda s, o: s._op("+", o)), (lambda s, o: s._op("+", o, True))
    __sub__, __rsub__ = (lambda s, o: s._op("-", o)), (lambda s, o: s._op("-", o, True))
    __mul__, __rmul__ = (lambda s, o: s._op("*", o)), (lambda s, o: s._op("*", o, True))
    __truediv__, __rtruediv__ = (lambda s, o: s._op("/", o)), (lambda s, o: s._op("/", o, True))

    def __neg__(self) -> Sym:
        return Sym(f"(-{self.c})")


def c_of(value: object) -> str:
    """A recorded expression's C text, or a float constant's (``repr`` reads back exactly)."""
    if isinstance(value, Sym):
        return value.c
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        text = repr(value)
        return f"({text})" if text.startswith("-") else text
    raise Untraceable(f"a constant C cannot hold: {value!r}")


def call(p: Primitive, args: list[object]) -> Sym:
    """``p(args)`` in C: an operator written as one, any other row by its C spelling."""
    name = spelling("c", p)
    if name in NOT_IDENTICAL:
        raise Untraceable(NOT_IDENTICAL[name])
    if p.symbol and name == p.symbol:
        if p.arity == 1:
            return -Sym(c_of(args[0]))
        return Sym(c_of(args[0]))._op(name, args[1])
    return Sym(f"{name}({', '.join(c_of(a) for a in args)})")


RECORDING = namespace(lambda code: lambda *args: call(BY_CODE[code], list(args)))
ARGS = (Sym("x"), Sym("y"))
VALUE = Sym("v")


def trace(p: Primitive) -> SimpleNamespace:
    """Row ``p`` in C: ``value`` (of ``x``, ``y``), ``partials`` (of ``x``, ``y`` and the value
    ``v``), or ``reason`` why it is not compiled."""
    args = list(ARGS[: p.arity])
    try:
        value = call(p, args).c
        partials = [c_of(rule(RECORDING, *args, VALUE)) for rule in p.partials]
    except Untraceable as exc:
        return SimpleNamespace(value=None, partials=None, reason=str(exc))
    return SimpleNamespace(value=value, partials=partials, reason="")


def rows_signature() -> str:
    """Every row's name/arity in op-code order: the compiled module carries the one it was
    generated from, and the engine uses it only when the two agree."""
    return " ".join(f"{p.call_name}/{p.arity}" for p in TABLE)


def helpers_used(texts: list[str]) -> list[str]:
    joined = "\n".join(texts)
    return [body for name, body in C_HELPERS.items() if f"{name}(" in joined]


def generate() -> str:
    """The header ``adcli/_native/rules.h``."""
    cases, skipped, texts = [], [], []
    for p in TABLE:
        code = CODES[(p.call_name, p.arity)]
        row = trace(p)
        label = f"{p.call_name}/{p.arity}"
        if row.reason:
            skipped.append(f" *   {label}: {row.reason}")
            continue
        texts += [row.value, *row.partials]
        lines = [f"    case {code}: {{ /* {label}: {p.doc.split(';')[0]} */"]
        lines.append(f"        const double v = {row.value};")
        lines.append("        *value = v;")
        for slot, partial in enumerate(row.partials):
            lines.append(f"        if (need & {1 << slot})")
            lines.append(f"            *w{slot} = {partial};")
        lines.append("        return 1;")
        lines.append("    }")
        cases.append("\n".join(lines))
    not_compiled = "\n".join(skipped) or " *   (none)"
    return f"""\
/* Generated by `python -m adcli.codegen.native_rules` from adcli/primitives.py: do not edit.
 *
 * Every row's value and local derivatives (g_weights), traced from its float function and its
 * partials into C, operation for operation in Python's order (see adcli/codegen/native_rules.py).
 * Not compiled (a tape holding one is swept in Python):
{not_compiled}
 */
#include <math.h>

/* The table this was generated from: name/arity per op code, from op code 2 on. */
#define ADCLI_ROWS "{rows_signature()}"

{chr(10).join(f"{body}{chr(10)}" for body in helpers_used(texts))}
/* Node of op code `code` with argument values x (and y): its value, and the g_weights that
 * `need` asks for (bit 0: w0 = d/d arg0, bit 1: w1 = d/d arg1).  0 when the op is not compiled. */
static inline int adcli_rule(int code, double x, double y, int need, double *value, double *w0,
                             double *w1)
{{
    (void)y;
    switch (code) {{
{chr(10).join(cases)}
    default:
        return 0;
    }}
}}
"""


def main() -> None:
    with open(HEADER, "w", encoding="utf-8", newline="\n") as out:
        out.write(generate())
    print(f"wrote {os.path.relpath(HEADER)}")


if __name__ == "__main__":
    main()
