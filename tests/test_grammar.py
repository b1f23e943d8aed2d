"""The language of the contract: numbers, names, precedence, programs, and the text's errors.

Most checks go through the library (``adcli.compile``), which is what the CLI runs; the messages a
person reads (line:col, caret, words instead of token names) are checked through the console script.
"""

from __future__ import annotations

import math

import pytest
from conftest import run_adcli

import adcli
from adcli.errors import ArityError, ExitStatus, ProgramNameError, ProgramSyntaxError
from adcli.primitives import CONST, INPUT


def shape(program, table: dict) -> int:
    """A canonical id of the program's output DAG: equal ids in one ``table`` mean the same
    structure (ops, constants, input names), whatever the node numbering or sharing."""
    tape = program.tape
    ids: dict[int, int] = {}
    for i in range(program.output + 1):
        k = tape.op[i]
        if k == INPUT:
            key = ("input", tape.names[i])
        elif k == CONST:
            key = ("const", repr(tape.const[i]))
        else:
            key = (k, ids.get(tape.arg0[i], -1), ids.get(tape.arg1[i], -1))
        ids[i] = table.setdefault(key, len(table))
    return ids[program.output]


def same_graph(a: str, b: str) -> bool:
    table: dict = {}
    return shape(adcli.compile(a), table) == shape(adcli.compile(b), table)


def value(text: str, **point: float) -> float:
    return adcli.compile(text).value(point)


# ---- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", 2.0),
        ("2.5", 2.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e-3", 1e-3),
        ("1E+3", 1000.0),
        ("1e3", 1000.0),
        ("2.5e2", 250.0),
        (".5E-1", 0.05),
        ("0", 0.0),
        ("007", 7.0),
        ("1e-400", 0.0),  # underflows to zero quietly, as a double does
    ],
)
def test_number_forms(text, expected):
    assert value(text) == expected


@pytest.mark.parametrize("text", ["\u0661\u0662 + 1", "x\u00b2", "\uff11"])
def test_only_ascii_digits_are_numbers(text):
    # float() accepts '١٢' (Arabic-Indic digits) as 12; the language does not.
    with pytest.raises(ProgramSyntaxError) as info:
        adcli.compile(text)
    assert "unexpected character" in info.value.message


def test_numbers_are_doubles_not_integers():
    # A Python int would make 2^64 + 1 exact; a double cannot tell it from 2^64.
    assert value("2^64 + 1 - 2^64") == 0.0
    assert value("10000000000000000000000") == 1e22


def test_literal_too_large_for_a_double_is_a_text_error():
    with pytest.raises(ProgramSyntaxError) as info:
        adcli.compile("x + 1e999")
    assert info.value.status == ExitStatus.USAGE
    assert "1e999" in info.value.message and "1:5" in info.value.message


def test_huge_power_overflows_instead_of_hanging():
    done = run_adcli("eval", "9^9^9^9", "--json", timeout=20)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("adcli: ") and "overflow" in done.stderr


# ---- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x", "X", "_", "_x1", "abc_DEF_123", "sine", "sin_", "e2", "pi_"])
def test_names(name):
    program = adcli.compile(f"{name} * 2")
    assert list(program.inputs) == [name]
    assert program.gradient({name: 3.0}).gradient == {name: 2.0}


def test_constants_pi_and_e():
    assert value("pi") == math.pi
    assert value("e") == math.e
    assert list(adcli.compile("pi * e * x").inputs) == ["x"]


@pytest.mark.parametrize("constant", ["pi", "e"])
def test_binding_a_constant_in_the_program_is_an_error(constant):
    with pytest.raises(ProgramNameError) as info:
        adcli.compile(f"{constant} = 3; {constant} * 2")
    assert info.value.status == ExitStatus.USAGE
    assert constant in info.value.message


def test_a_name_is_not_split_at_a_function_name():
    assert list(adcli.compile("sinx + expy").inputs) == ["sinx", "expy"]


# ---- precedence and associativity --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("-x^2", "-(x^2)"),
        ("2^-1", "2^(-1)"),
        ("2^3^2", "2^(3^2)"),
        ("x^-y^2", "x^(-(y^2))"),
        ("a/b/c", "(a/b)/c"),
        ("a-b-c", "(a-b)-c"),
        ("a-b+c", "(a-b)+c"),
        ("a*b/c", "(a*b)/c"),
        ("a/b*c", "(a/b)*c"),
        ("a+b*c", "a+(b*c)"),
        ("a*b^c", "a*(b^c)"),
        ("-a*b", "(-a)*b"),
        ("-a+b", "(-a)+b"),
        ("a*-b", "a*(-b)"),
        ("a - -b", "a - (-b)"),
        ("--a", "-(-a)"),
        ("+a", "a"),
        ("+-+a", "-a"),
        ("a^+b", "a^b"),
        ("a^--b", "a^(-(-b))"),
        ("-a^-b^c", "-(a^(-(b^c)))"),
        ("x**2", "x^2"),
        ("2**3**2", "2^(3^2)"),
        ("-x**2", "-(x^2)"),
        ("x**-y**2", "x^(-(y^2))"),
        ("pow(x, y)", "x^y"),
        ("(a)", "a"),
        ("((((a))))", "a"),
        ("sin(x)^2", "(sin(x))^2"),
        ("-sin(x)", "-(sin(x))"),
    ],
)
def test_precedence_table(text, meaning):
    assert same_graph(text, meaning)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-x^2", -9.0),
        ("2^-1", 0.5),
        ("2^3^2", 512.0),
        ("x^-y^2", 3.0 ** -(2.0**2)),
        ("a/b/c", (12.0 / 3.0) / 2.0),
        ("2**3**2", 512.0),
        ("-2^2", -4.0),
        ("(-2)^2", 4.0),
        ("8 - 3 - 2", 3.0),
        ("1 + 2 * 3", 7.0),
    ],
)
def test_precedence_values(text, expected):
    point = {"x": 3.0, "y": 2.0, "a": 12.0, "b": 3.0, "c": 2.0}
    program = adcli.compile(text)
    assert program.value({k: point[k] for k in program.inputs}) == expected


def test_power_and_star_star_are_one_operator():
    assert adcli.compile("x^y").gradient(x=2.0, y=3.0).gradient == (
        adcli.compile("x**y").gradient(x=2.0, y=3.0).gradient
    )


# ---- calls -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sin(0)", 0.0),
        ("atan2(1, 1)", math.pi / 4),
        ("hypot(3, 4)", 5.0),
        ("log(8, 2)", 3.0),
        ("max( 1 , 2 )", 2.0),
        ("min(1+1, 3*1)", 2.0),
        ("exp(log(2))", 2.0),
        ("sqrt(sqrt(16))", 2.0),
    ],
)
def test_calls(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("text", ["foo(x)", "sine(x)", "Sin(x)", "x(1)"])
def test_unknown_function(text):
    with pytest.raises(ProgramNameError) as info:
        adcli.compile(text)
    assert "unknown function" in info.value.message
    assert info.value.status == ExitStatus.USAGE


@pytest.mark.parametrize("text", ["sin()", "sin(x, y)", "atan2(x)", "max(x, y, z)", "log()"])
def test_wrong_number_of_arguments(text):
    with pytest.raises(ArityError) as info:
        adcli.compile(text)
    assert "argument" in info.value.message
    assert info.value.status == ExitStatus.USAGE


# ---- programs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a = 2*x; a + 1",
        "a = 2*x\na + 1",
        "a = 2*x;;; a + 1",
        "a = 2*x\n\n\n a + 1",
        "a = 2*x ;\n; \n a + 1",
        ";a = 2*x; a + 1;",
        "\n\n;a = 2*x; a + 1\n\n;",
        "a = 2*x  # twice x\na + 1  # plus one",
        "# a comment first\na = 2*x\n# one between\n\na + 1\n# and last",
        "a = 2*x; # comment; with a semicolon\na + 1",
        "a = 2*x\r\na + 1\r\n",
        "\ta = 2*x;\ta + 1",
    ],
)
def test_statement_separators_and_comments(text):
    program = adcli.compile(text)
    assert list(program.inputs) == ["x"]
    result = program.gradient(x=3.0)
    assert (result.value, result.gradient) == (7.0, {"x": 2.0})


def test_the_contract_program():
    result = adcli.compile("h = tanh(w*x + b); loss = (h - t)^2; loss").gradient(
        w=0.5, x=2.0, b=-0.3, t=1.0
    )
    h = math.tanh(0.5 * 2.0 - 0.3)
    assert result.value == pytest.approx((h - 1.0) ** 2, rel=1e-15)
    dh = 2 * (h - 1.0) * (1 - h * h)
    assert result.gradient == pytest.approx(
        {"w": dh * 2.0, "x": dh * 0.5, "b": dh, "t": -2 * (h - 1.0)}, rel=1e-14
    )


def test_bindings_are_shared_not_recomputed():
    program = adcli.compile("a = x*x; a + a")
    assert program.gradient(x=3.0).gradient == {"x": 12.0}
    assert list(program.bindings) == ["a"]


def test_last_statement_is_the_output_even_an_assignment():
    assert value("a = 2; b = a * 3") == 6.0


def test_reassignment_is_an_error():
    with pytest.raises(ProgramNameError) as info:
        adcli.compile("a = x\na = 2*x\na")
    assert "assigned twice (at 1:1 and 2:1)" in info.value.message
    assert info.value.status == ExitStatus.USAGE


def test_assigning_an_input_after_using_it_is_an_error():
    with pytest.raises(ProgramNameError) as info:
        adcli.compile("y = x; x = 2; y")
    assert info.value.status == ExitStatus.USAGE


def test_input_order_is_first_appearance():
    program = adcli.compile("c = z*a; b + c + a + sin(y) + z")
    assert list(program.inputs) == ["z", "a", "b", "y"]
    assert list(program.gradient(z=1, a=2, b=3, y=0).gradient) == ["z", "a", "b", "y"]


def test_a_name_used_only_in_a_dead_statement_is_an_input_with_partial_zero():
    program = adcli.compile("unused = 3*q; x^2")
    assert list(program.inputs) == ["q", "x"]
    result = program.gradient(q=5.0, x=3.0)
    assert result.value == 9.0
    assert result.gradient == {"q": 0.0, "x": 6.0}
    assert repr(result.gradient["q"]) == "0.0"


def test_dead_statement_is_still_checked_for_unbound_names():
    with pytest.raises(ProgramNameError) as info:
        adcli.compile("unused = 3*q; x^2").gradient(x=3.0)
    # A library error names the name, never a flag (the CLI adds "bind it with --q VALUE").
    assert "'q'" in info.value.message and "--" not in info.value.message
    assert info.value.names == ("q",)


# ---- syntax errors: position, caret, words -----------------------------------------------------

TOKEN_NAMES = ("NAME", "NUMBER", "LPAR", "RPAR", "$END", "_SEP", "COMMA", "STAR", "SLASH", "POW")


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("x +", 1, 4, "expected a number, a name or '(' after '+'"),
        ("(x", 1, 3, "')'"),
        ("x)", 1, 2, "found ')'"),
        ("f(x,)", 1, 5, "after ','"),
        ("x y", 1, 3, "found the name 'y'"),
        ("a = ", 1, 5, "after '='"),
        ("a = 1\nb = a +* 2\nb", 2, 8, "found '*'"),
        ("x $ 2", 1, 3, "unexpected character '$'"),
        ("x[1.5]", 1, 3, "whole number"),
        ("x[", 1, 3, "expected an index"),
        ("1.2.3", 1, 4, "found the number .3"),
        ("sin(x", 1, 6, "found the end of the program"),
    ],
)
def test_syntax_error_has_position_caret_and_words(text, line, column, words):
    done = run_adcli("eval", text, "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    first, source, caret = done.stderr.rstrip("\n").split("\n")
    assert first.startswith(f"adcli: syntax error at {line}:{column}:")
    assert words in first
    assert not any(name in first for name in TOKEN_NAMES), first
    assert "Traceback" not in done.stderr
    # The caret sits under column `column` of the quoted source line.
    assert caret.strip() == "^"
    assert source == "  " + text.split("\n")[line - 1]
    assert caret.index("^") == 2 + column - 1


@pytest.mark.parametrize("text", ["", ";;", "\n\n", "# only a comment", "  "])
def test_empty_program_is_a_syntax_error(text):
    with pytest.raises(ProgramSyntaxError) as info:
        adcli.compile(text)
    assert "empty" in info.value.message


def test_long_line_is_clipped_around_the_caret():
    text = "x + " * 200 + "* 2 " + "+ x" * 200
    done = run_adcli("eval", text, "--x", "1")
    assert done.returncode == 2
    first, source, caret = done.stderr.rstrip("\n").split("\n")
    assert "1:801" in first
    assert len(source) < 100 and "…" in source
    column = caret.index("^")
    assert source[column] == "*"


def test_control_characters_do_not_reach_the_terminal():
    done = run_adcli("eval", "x + \x1b[31m", "--x", "1")
    assert done.returncode == 2
    assert "\x1b" not in done.stderr
