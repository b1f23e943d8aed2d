"""The compiled parser (adcli._cparse) against the pure-Python one: the same Program, field by
field, on generated programs, the fuzz corpus and the benchmark's workloads; and on anything it
does not handle it bails (returns None), so ``parse`` gives the pure parser's very error."""

from __future__ import annotations

import os
import random
import struct
import sys
from pathlib import Path

import fuzzing
import pytest
import strategies
from hypothesis import given, settings
from hypothesis import strategies as st

from adcli import parse as driver
from adcli.elements import NodeNames
from adcli.errors import AdcliError
from adcli.primitives import CONST

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from workloads import WORKLOADS

pytestmark = pytest.mark.skipif(
    driver._core() is None,
    reason="the compiled core is not built here (no C compiler at install) or ADCLI_PURE is set",
)


def assert_same(compiled, pure) -> None:
    """Every field of two Programs and their tapes, with types, in dict order."""
    assert type(compiled) is type(pure)
    a, b = compiled.tape, pure.tape
    for field in ("op", "arg0", "arg1", "at", "const"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x.typecode, len(x)) == (y.typecode, len(y)), field
        assert x.tobytes() == y.tobytes(), field  # bits: -0.0 and 0.0 differ here
    assert list(a.names.items()) == list(b.names.items())
    assert (a.simplify, a._memo, a.cache) == (b.simplify, b._memo, b.cache)
    assert list(compiled.inputs.items()) == list(pure.inputs.items())
    assert list(compiled.bindings.items()) == list(pure.bindings.items())
    assert (compiled.output, compiled.source) == (pure.output, pure.source)


@pytest.fixture(scope="module", autouse=True)
def compiled_for_every_length():
    """``parse`` tries the compiled parser on texts of any length here (not only long ones)."""
    saved, driver.COMPILED_FROM = driver.COMPILED_FROM, 0
    yield
    driver.COMPILED_FROM = saved


def outcome(text: str, parse=driver.pure):
    """The Program ``parse`` makes, or its error as (class, message, excerpt)."""
    try:
        return parse(text)
    except AdcliError as error:
        return (type(error), str(error), getattr(error, "excerpt", None))


def check(text: str, handled: bool | None = None) -> None:
    """compiled(text) is the pure Program, or None (bail) wherever the pure parser fails;
    ``handled`` says whether the compiled parser must take the text (True) or bail (False)."""
    expected = outcome(text)
    got = driver.compiled(text)
    if handled is not None:
        assert (got is not None) == handled, text
    parsed = outcome(text, driver.parse)  # compiled first, then (on a bail) pure
    if isinstance(expected, tuple):
        assert got is None, f"compiled parsed what pure refuses: {expected}"
        assert parsed == expected  # the same error, message and caret
        return
    assert_same(parsed, expected)
    if got is not None:
        assert_same(got, expected)


SCALAR = [
    "x*y + sin(x)",
    "-x^2",
    "2^-1 + x^-y^2 + x**2",
    "a = x + pi; b = a*e\n# note\nlog(a, 2) + b",
    "h = tanh(w*x + b); loss = (h - t)^2; loss",
    "1.5e3 * x + .5 + 7. + 2E-3 + 1e+2 + 00012",
    "where(x < 1, x, y) + (x <= y) + (x > y) + (x >= y) + (x == y) + (x != y)",
    "((x))",
    "+x - +-x",
    "x = 1; y = x; y",
    "pi",
    "e * e",
    "y = pi; y",
    "a = 2\nb = a\na * b",
    "\n\n; x ;\n",
    "x # comment at the end",
    "sin(x)\n",
    "1e308 * 10",  # a finite literal: the overflow is the evaluation's business
    "0.1 + 0.2 + 123456789012345678901234567890 + 4.9e-324 + 2.2250738585072014e-308",
    "sin\t(x)\x0c+\rcos(x)",
    "sign(x) + step(x) + stop(x) + pick(x, y) + unpick(x, y) + atan2(x, y) + hypot(x, y)",
    "x = sin; x",  # a function's name as a variable
    "1" + "0" * 300 + ".5 + 0.000" + "1" * 300 + " + x",  # long numbers: float() of the token
    "# only a comment\nx",
    "x # é (latin-1: one byte per character)",
]
BAIL = [
    "",
    "\n",
    "x +",
    "e = 1",
    "pi = 2",
    "x = 1; x = 2",
    "y = x; x = 1",
    "1e999",
    "1" * 400,
    "sum(x)",
    "max(x)",
    "[1, 2]",
    "x[0]",
    "a @ b",
    "sin(x, y)",
    "where(x, y)",
    "nosuch(x)",
    "f()",
    "x $ y",
    "x → y",
    "x # ∂",  # not one byte per character: the pure parser
    "x\x00",
    "(x",
    "x)",
    "1 2",
    "x y",
    "= x",
    "log(x, 2, 3, 4)",
]


@pytest.mark.parametrize("text", SCALAR)
def test_scalar_programs_are_compiled_and_identical(text):
    check(text, handled=True)


@pytest.mark.parametrize("text", BAIL)
def test_the_rest_bails_to_the_pure_parser(text):
    check(text, handled=False)


def test_parse_compiles_long_texts_only(monkeypatch):
    monkeypatch.setattr(driver, "COMPILED_FROM", 2048)
    pure = driver.pure
    calls = []
    monkeypatch.setattr(driver, "pure", lambda text: calls.append(text) or pure(text))
    long = "x*y + sin(x)\n" * 200
    assert_same(driver.parse(long), pure(long))
    assert calls == []  # the compiled parser made it
    driver.parse("x*y")
    assert calls == ["x*y"]  # short: the pure parser, and no extension loaded for it
    bad = long + "y + [1, 2] +\n"  # bails at the end: the pure parser's message and caret
    with pytest.raises(AdcliError) as caught:
        driver.parse(bad)
    assert calls[-1] == bad
    assert (type(caught.value), str(caught.value)) == outcome(bad)[:2]
    assert "syntax error at 201:13" in str(caught.value)


UNARY = ("sin({})", "-{}", "+{}", "exp({})", "log({})", "({})", "tanh({})", "sqrt({})")
BINARY = ("{} + {}", "{} - {}", "{} * {}", "{} / {}", "{} ^ {}", "{} ** {}", "atan2({}, {})")
BINARY += ("log({}, {})", "{} < {}", "where({}, {}, {})".replace(", {})", ", 1)"))


@settings(max_examples=60, deadline=None)
@given(
    strategies.programs(
        ("x", "y", "w_1"),
        ("0.5", "2", "3e-2", "pi", "e", "1.", ".25", "0"),
        UNARY,
        BINARY,
        10,
        separators=("\n", "; ", " ;\n# c\n", ";;"),
    )
)
def test_generated_programs(text):
    check(text, handled=True)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="xy()+-*/^.,;=#\n e1234567890[]<:@!\t", max_size=40))
def test_random_texts(text):
    check(text)


@pytest.mark.parametrize("seed", range(4))
def test_fuzz_corpus(seed):
    rng = random.Random(seed)
    for _ in range(300):
        base = fuzzing.program(rng)
        check(base, handled="e999" not in base)
        check(rng.choice(fuzzing.VALID), handled=True)
        check(fuzzing.mutate(rng, base))
        data = fuzzing.gen_bytes(rng)[1]
        check(data.decode("latin-1"))
        check(fuzzing.gen_unicode(rng)[0][1])


def test_numbers_read_as_float_reads_them():
    """The compiled parser's short-number fast path and its general conversion give float()'s
    bits: every form the grammar's NUMBER takes, around 15 significant digits and 10^±22."""
    rng = random.Random(15)

    def digits(most: int) -> str:
        return str(rng.randint(0, 10 ** rng.randint(0, most))).rjust(rng.randint(0, 3), "0")

    exponents = ("", "e{}", "E-{}", "e+{}", "e00007", "e-000022", "e-3{}")
    numbers = []
    for _ in range(20_000):
        exponent = rng.choice(exponents).format(
            rng.choice((rng.randint(0, 25), rng.randint(0, 330)))
        )
        whole, fraction = digits(18), digits(18)
        numbers.append(
            rng.choice((whole, f"{whole}.{fraction}", f".{fraction}0", f"{whole}.")) + exponent
        )
    numbers = [n for n in numbers if float(n) != float("inf")]
    text = " + ".join(numbers)
    check(text, handled=True)
    program = driver.compiled(text)
    constants = [
        program.tape.const[i] for i in range(len(program.tape)) if program.tape.op[i] == CONST
    ]
    assert [struct.pack("<d", c) for c in constants] == [
        struct.pack("<d", float(n)) for n in numbers
    ]


NAMINGS = {
    "x{i}": lambda i: f"x{i}",
    "w{j}_{k}": lambda i: f"w{i % 97}_{i // 97}",
    "hex": lambda i: f"h{i:x}",
    "letters": lambda i: "".join(chr(97 + (i // 26**k) % 26) for k in range(4)),
    "long": lambda i: "layer_" * 6 + str(i),
}


@pytest.mark.parametrize("naming", sorted(NAMINGS))
def test_many_names_do_not_bail(naming):
    """The compiled parser's name table bails on a long probe (names made to collide): names as
    programs are generated never do."""
    names = [NAMINGS[naming](i) for i in range(100_000)]
    program = driver.compiled(" + ".join(names))
    assert program is not None
    assert list(program.inputs) == names
    check(" + ".join(names[:5_000]), handled=True)


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_workloads(name):
    workload = WORKLOADS[name]
    text = workload.text(workload.params(30_000))
    check(text, handled=True)


def test_names_are_made_when_read():
    """The compiled tape's names (node → name) are made only when something reads them — eval
    of a wide program never does — and then they are the pure parser's, in its order."""
    text = "y = pi*x0; z = y + sin(x1) + x0\ny*z + e + pi + z"
    tape = driver.compiled(text).tape
    assert type(tape.names) is NodeNames and tape.names._pending
    expected = driver.pure(text).tape.names
    assert dict(tape.names) == expected and not tape.names._pending
    assert list(tape.names.items()) == list(expected.items())
    tape.names[99] = "w"  # still a mutable mapping, like the pure tape's dict
    assert tape.names.get(99) == "w" and 0 in tape.names and len(tape.names) == len(expected) + 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["x0", "x1", "y", "zz", "q_1", "w"]), min_size=1, max_size=8),
    st.sampled_from(["same", "reordered", "fewer", "more", "spelled apart", "not a dict"]),
)
def test_names_given_are_shared_and_change_nothing(used, given_as):
    """parse(text, names): the inputs hold ``names``' own strings while they are its keys in
    order (a point made for the program), and the Program is the same as without them."""
    text = "h = w*2; " + " + ".join(f"{n}*sin({n})" for n in used) + " + h"
    inputs = list(dict.fromkeys(["w", *used]))  # in order of first use
    keys = {
        "same": inputs,
        "reordered": inputs[::-1],
        "fewer": inputs[1:],
        "more": [*inputs, "extra"],
        "spelled apart": ["".join(n) for n in map(list, inputs)],  # equal, not identical
    }.get(given_as, inputs)
    names = dict.fromkeys(keys, 1.0) if given_as != "not a dict" else list(keys)
    program = driver.compiled(text, names)
    assert_same(program, driver.pure(text))
    shared = [a is b for a, b in zip(program.inputs, keys)]
    if given_as == "not a dict":
        assert not any(shared)
        return
    # the point's strings up to the first input they do not spell, then the parser's own
    expected = [all(a == b for a, b in zip(inputs[: k + 1], keys)) for k in range(len(shared))]
    assert shared == expected
    assert all(shared) or given_as in ("reordered", "fewer")


@pytest.mark.skipif(
    not os.environ.get("ADCLI_SLOW_TESTS"),
    reason="the pure parser takes 5-20 s on each 10^6-node program: set ADCLI_SLOW_TESTS=1",
)
@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_workloads_at_a_million_nodes(name):
    workload = WORKLOADS[name]
    text = workload.text(workload.params(10**6))
    check(text, handled=True)
    assert len(driver.compiled(text).tape) >= 999_000


def test_tables_it_cannot_run_leave_the_pure_parser(monkeypatch):
    """One source of truth: the C file implements the five pattern terminals' regexes, and
    refuses tables whose regexes differ (an edited grammar) — parse() then runs pure Python."""
    core = driver._core()
    terminals = [list(t) for t in driver._T["TERMINALS"]]
    number = next(t for t in terminals if t[0] == "NUMBER")
    number[1] = number[1].replace("[eE]", "[eEdD]")  # Fortran's 1d5
    monkeypatch.setitem(driver._T, "TERMINALS", [tuple(t) for t in terminals])
    try:
        assert driver._feed(core) is False
        monkeypatch.setattr(driver, "_CORE", [None])
        assert driver.compiled("x*y") is None
    finally:
        monkeypatch.undo()
        assert driver._feed(core) is True  # the real tables again
    check("x*y + sin(x)", handled=True)


def test_a_build_older_than_names_parses_without_them(monkeypatch):
    core = driver._core()

    class Older:  # parse(text) only, as before ``names``
        def parse(self, text):
            return core.parse(text)

    monkeypatch.setattr(driver, "_CORE", [Older()])
    text = "x*y + sin(x)"
    assert_same(driver.compiled(text, {"x": 1.0, "y": 2.0}), driver.pure(text))
