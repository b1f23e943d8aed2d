"""The hand-written LALR driver (``adcli.parse``) against lark's own LALR parser.

``adcli/_tables.py`` freezes what lark makes of ``grammar/adcli.lark`` and ``adcli.parse`` runs
those tables with its own lexer, driver and shortcuts (unit-reduction chains).  Here
``Lark(grammar, parser="lalr", transformer=...)`` runs the same grammar with the same graph
builder on hypothesis-generated programs — well-formed ones with the full syntax (arrays,
indexing, slices, ``@``, comparisons) and token soups that are mostly errors — and the two must
build the same graph node for node, or fail at the same place with the same error.
"""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adcli.builder import Builder
from adcli.errors import AdcliError, ProgramSyntaxError
from adcli.grammar_tables import fixed_texts, grammar_path
from adcli.text import where

lark = pytest.importorskip("lark")
driver = importlib.import_module("adcli.parse")


def _lark_parser():
    """Lark's LALR parser whose reductions call a ``Builder`` exactly as adcli's driver does:
    tokens become their offsets, sub-results pass as they are."""
    with open(grammar_path(), encoding="utf-8") as handle:
        grammar = handle.read()

    class Adapter(lark.Transformer):
        builder: Builder | None = None

    def callback(name):
        def method(self, children):
            args = [c.start_pos if isinstance(c, lark.Token) else c for c in children]
            return getattr(self.builder, name)(*args)

        return method

    names = {rule[3][0] for rule in driver._T["RULES"] if rule[2] == 1}  # CALL rules
    for name in names:
        setattr(Adapter, name, callback(name))
    adapter = Adapter()
    parser = lark.Lark(grammar, parser="lalr", lexer="basic", transformer=adapter)
    return parser, adapter


PARSER, ADAPTER = _lark_parser()


def graph(program) -> tuple:
    tape = program.tape
    return (
        tape.op.tobytes(),
        list(tape.arg0),
        list(tape.arg1),
        list(tape.at),
        [repr(c) for c in tape.const],
        sorted(tape.names.items()),
        list(program.inputs.items()),
        list(program.bindings.items()),
        sorted(getattr(program, "arrays", {}).items()),
        program.output,
    )


def _position(message: str) -> str | None:
    found = re.search(r"at (\d+:\d+)", message)
    return found.group(1) if found else None


def ours(text: str) -> tuple:
    try:
        return ("ok", graph(driver.parse(text)))
    except ProgramSyntaxError as exc:
        if re.match(r"syntax error at \S+: (expected|unexpected character)", exc.message):
            return ("syntax", _position(exc.message))
        if exc.message.startswith("empty program"):
            return ("syntax", "end")
        return ("error", type(exc).__name__, exc.message)
    except AdcliError as exc:
        return ("error", type(exc).__name__, exc.message)


def theirs(text: str) -> tuple:
    builder = ADAPTER.builder = Builder(text, driver._NAME, driver._NUMBER)
    try:
        PARSER.parse(text)
    except lark.exceptions.UnexpectedCharacters as exc:
        return ("syntax", where(text, exc.pos_in_stream))
    except lark.exceptions.UnexpectedToken as exc:
        if exc.token.type == "$END":
            # lark places the end at the last token; adcli at the end of the text (or says
            # "empty program" when there is no statement at all).
            return ("syntax", "end" if _empty(text) else where(text, len(text)))
        return ("syntax", where(text, exc.token.start_pos))
    except AdcliError as exc:  # the builder's own errors (names, arity, numbers)
        return ("error", type(exc).__name__, exc.message)
    return ("ok", graph(builder.program))


def _empty(text: str) -> bool:
    return not re.sub(r"#[^\n]*|[\s;]", "", text)


def same(text: str) -> None:
    mine, reference = ours(text), theirs(text)
    assert mine == reference, text


# ---- programs ---------------------------------------------------------------------------------

NAMES = ("x", "y", "A", "t0", "pi", "e")
NUMBERS = ("0", "2", "1.5", ".5", "3.", "1e3", "2E-2", "1e999")
BINARY = ("+", "-", "*", "/", "^", "**", "@", "<", "<=", ">", ">=", "==", "!=")
FUNCTIONS = ("sin", "max", "min", "sum", "mean", "where", "dot", "len", "transpose", "atan2", "foo")
SUBSCRIPTS = ("0", "-1", "1:", ":-1", "2:5", ":", "1, 0", "-2, 1:", ":, 0", "1.5", "0, 0, 0")
blank = st.sampled_from(("", " ", "  "))


def expressions(max_leaves: int = 12) -> st.SearchStrategy[str]:
    leaves = st.sampled_from(NAMES + NUMBERS)

    def extend(inner):
        return st.one_of(
            st.builds(
                lambda a, op, b, s: f"{a}{s}{op}{s}{b}",
                inner,
                st.sampled_from(BINARY),
                inner,
                blank,
            ),
            st.builds(lambda op, a: f"{op}{a}", st.sampled_from(("-", "+", "- ")), inner),
            st.builds(lambda a: f"({a})", inner),
            st.builds(
                lambda f, args: f"{f}({', '.join(args)})",
                st.sampled_from(FUNCTIONS),
                st.lists(inner, min_size=0, max_size=3),
            ),
            st.builds(
                lambda items: f"[{', '.join(items)}]", st.lists(inner, min_size=1, max_size=3)
            ),
            st.builds(lambda a, s: f"{a}[{s}]", inner, st.sampled_from(SUBSCRIPTS)),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


STATEMENT, OUTPUT = expressions(6), expressions(12)


@st.composite
def programs(draw) -> str:
    lines = [f"t{k} = {draw(STATEMENT)}" for k in range(draw(st.integers(0, 2)))]
    lines.append(draw(OUTPUT))
    separator = draw(st.sampled_from(("\n", "; ", " ;\n# note\n")))
    return separator.join(lines) + draw(st.sampled_from(("", "\n", ";")))


TOKENS = (
    *NAMES,
    *NUMBERS,
    *BINARY,
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    ";",
    "\n",
    " ",
    "#c\n",
    "sin",
    "sum",
    "$",
    "!",
    "é",
)
soups = st.lists(st.sampled_from(TOKENS), min_size=0, max_size=14).map("".join)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(programs())
def test_well_formed_programs_build_the_same_graph(text):
    same(text)


@FAST
@given(soups)
def test_token_soups_fail_at_the_same_place_or_build_the_same_graph(text):
    same(text)


@pytest.mark.parametrize(
    "text",
    [
        "x*y + sin(x)",
        "h = tanh(w*x + b); loss = (h - t)^2; loss",
        "-x^2 + 2^-1 + 2^3^2 + x^-y^2 + a/b/c",
        "sum(100 * (x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)",
        "W1 @ x + b1 < 2 == [1, 2][-1]",
        "[[1, 2], [3, 4]][1, 0] + A[:, 0] @ A[1]",
        "where(abs(r) <= d, 0.5 * r^2, d * (abs(r) - 0.5 * d))",
        "",
        ";;\n",
        "x[",
        "x[1:2:3]",
        "x @ @ y",
        "sin(x",
        "1e999",
        "f(x)",
        "x = 1; x = 2; x",
        "max(1, 2, 3)",
        "x \x1b y",
    ],
)
def test_known_programs(text):
    same(text)


def test_no_fixed_token_is_shadowed_by_a_shorter_one_tried_first():
    # The scanner takes the first alternative that matches: `<` before `<=` would split `<=`.
    order = re.findall(r"\(\?P<(\w+)>", driver.scanner().pattern)
    texts = {name: fixed_texts(regex) for name, regex in driver._T["TERMINALS"]}
    fixed = [(name, t) for name in order for t in texts.get(name) or ()]
    for i, (_, early) in enumerate(fixed):
        for name, late in fixed[i + 1 :]:
            assert not late.startswith(early), (early, late, name)
