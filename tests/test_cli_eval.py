"""``adcli eval`` through the installed console script: bindings, output, every error class.

Each run checks stdout and stderr apart and the exit status; JSON is parsed strictly.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import adcli_command, run_adcli, strict_json

from adcli.cli import COMMANDS

GOLDEN = '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'


def ok_json(*args: str, input: str | None = None) -> dict:
    done = run_adcli("eval", "--json", *args, input=input)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("}\n") and done.stdout.count("\n") == 1
    return strict_json(done.stdout)


def assert_error(done, status: int, *fragments: str) -> None:
    """One clear message on stderr, nothing on stdout, the contract's status, no traceback."""
    assert done.returncode == status, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith("adcli: "), done.stderr
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr.split("\n")[0][:20]
    first = done.stderr.split("\n")[0]
    for fragment in fragments:
        assert fragment in first, (fragment, first)


# ---- the golden example ------------------------------------------------------------------------


def test_golden_json_is_byte_exact():
    done = run_adcli("eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json")
    assert done.returncode == 0
    assert done.stdout == GOLDEN
    assert done.stderr == ""


def test_golden_human_table():
    done = run_adcli("eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in done.stdout.splitlines()
        if line.startswith("│")
    ]
    assert rows == [
        ["f", "2.579425538604203", ""],
        ["x", "0.5", "5.077582561890373"],
        ["y", "4.2", "0.5"],
    ]
    assert "x*y+sin(x)" in done.stdout


def test_digits_rounds_the_table():
    done = run_adcli("eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--digits", "3")
    assert done.returncode == 0
    assert "2.58" in done.stdout and "5.08" in done.stdout
    assert "2.579" not in done.stdout


@pytest.mark.parametrize("bad", ["0", "18", "abc", "-1", "2.5"])
def test_digits_must_be_a_small_whole_number(bad):
    done = run_adcli("eval", "x", "--x", "1", "--digits", bad)
    assert_error(done, 2, "--digits")


# ---- binding forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["x*y+sin(x)", "--x", "0.5", "--y", "4.2"],
        ["x*y+sin(x)", "--x=0.5", "--y=4.2"],
        ["x*y+sin(x)", "x=0.5", "y=4.2"],
        ["x*y+sin(x)", "--at", '{"x": 0.5, "y": 4.2}'],
        ["--x", "0.5", "--y", "4.2", "x*y+sin(x)"],
        ["x=0.5", "x*y+sin(x)", "--y=4.2"],
        ["--at", '{"x": 0.5}', "x*y+sin(x)", "y=4.2"],
        ["--y", "4.2", "--json", "x*y+sin(x)", "x=0.5"],
        ["x*y+sin(x)", "--at", '{"x": 0.5}', "--at", '{"y": 4.2}'],
        ["x*y+sin(x)", "--x", "5e-1", "--y", "42E-1"],
        ["x*y+sin(x)", "--x", ".5", "--y", "4.20"],
    ],
)
def test_binding_forms(args):
    done = run_adcli("eval", *args, *([] if "--json" in args else ["--json"]))
    assert done.returncode == 0, done.stderr
    assert done.stdout == GOLDEN


def test_at_file(tmp_path):
    path = tmp_path / "point.json"
    path.write_text('{"x": 0.5, "y": 4.2}')
    done = run_adcli("eval", "x*y+sin(x)", "--at", str(path), "--json")
    assert done.stdout == GOLDEN
    done = run_adcli("eval", "x*y+sin(x)", f"--at={path}", "--json")
    assert done.stdout == GOLDEN


def test_at_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "point.json"
    path.write_bytes(b'\xef\xbb\xbf{"x": 0.5, "y": 4.2}')
    done = run_adcli("eval", "x*y+sin(x)", "--at", str(path), "--json")
    assert done.stdout == GOLDEN, done.stderr


@pytest.mark.parametrize(
    "args", [["--x", "-1.5"], ["--x=-1.5"], ["x=-1.5"], ["--at", '{"x": -1.5}'], ["--x", "-15e-1"]]
)
def test_negative_values(args):
    assert ok_json("x^2", *args) == {"value": 2.25, "gradient": {"x": -3.0}}


@pytest.mark.parametrize(
    "args",
    [
        ["-x^2", "--x", "3"],
        ["--x", "3", "-x^2"],
        ["--x", "3", "--", "-x^2"],
        ["--x=3", "--", "-x^2"],
        ["-x ^ 2", "x=3"],
    ],
)
def test_program_starting_with_minus(args):
    assert ok_json(*args) == {"value": -9.0, "gradient": {"x": -6.0}}


def test_double_dash_ends_options():
    # After `--`, even `--json` is the program (an input named json).
    done = run_adcli("eval", "json=2", "--", "--json")
    assert done.returncode == 2 or done.stdout  # `--json` is no valid program text either way
    assert ok_json("json=2", "--", "json*3") == {"value": 6.0, "gradient": {"json": 3.0}}


@pytest.mark.parametrize(
    ("flag", "name"), [("--b", "b"), ("--j", "j"), ("--dig", "dig"), ("--a", "a"), ("--w", "w")]
)
def test_options_are_never_abbreviated(flag, name):
    assert ok_json(f"{name}*2", flag, "2") == {"value": 4.0, "gradient": {name: 2.0}}


@pytest.mark.parametrize("name", ["json", "at", "file", "digits", "wrt", "quiet", "help", "f"])
def test_inputs_named_like_options(name):
    expected = {"value": 3.0, "gradient": {name: 1.0}}
    assert ok_json(f"{name} + 2", f"{name}=1") == expected
    assert ok_json(f"{name} + 2", "--at", json.dumps({name: 1})) == expected


def test_program_from_a_file(tmp_path):
    path = tmp_path / "golden.adc"
    path.write_text("# the seed's example\nx*y + sin(x)\n")
    for flag in ("-f", "--file"):
        done = run_adcli("eval", flag, str(path), "--x", "0.5", "--y", "4.2", "--json")
        assert done.stdout == GOLDEN, done.stderr
    done = run_adcli("eval", "--x", "0.5", f"--file={path}", "y=4.2", "--json")
    assert done.stdout == GOLDEN, done.stderr


@pytest.mark.parametrize("args", [["-"], ["-f", "-"], ["--file", "-"]])
def test_program_from_stdin(args):
    done = run_adcli("eval", *args, "--x", "0.5", "--y", "4.2", "--json", input="x*y+sin(x)\n")
    assert done.stdout == GOLDEN, done.stderr


def test_program_from_stdin_with_a_byte_order_mark():
    done = run_adcli("eval", "-", "x=0.5", "y=4.2", "--json", input="\ufeffx*y+sin(x)")
    assert done.stdout == GOLDEN, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--x", "nan"],
        ["--x", "inf"],
        ["--x", "-inf"],
        ["--x", "1e999"],
        ["--x", "abc"],
        ["--x", ""],
        ["--x", "0x10"],
        ["--x", "1_000"],
        ["--x", "\u0661\u0662"],
        ["x=\u0661"],
        ["--x=nan"],
        ["x=nan"],
        ["x=inf"],
        ["x=1e999"],
        ["--at", '{"x": NaN}'],
        ["--at", '{"x": Infinity}'],
        ["--at", '{"x": -Infinity}'],
        ["--at", '{"x": 1e999}'],
        ["--at", '{"x": "1"}'],
        ["--at", '{"x": true}'],
        ["--at", '{"x": null}'],
        ["--at", '{"x": [1]}'],
        ["--at", '{"x": {"y": 1}}'],
        ["--at", "[1, 2]"],
        ["--at", '{"x": 1'],
        ["--at", '{"1x": 1}'],
    ],
)
def test_bound_values_must_be_finite_numbers(args):
    done = run_adcli("eval", "x + 1", *args, "--json")
    assert_error(done, 2)


def test_unused_bound_names_get_zero_and_a_warning_after_the_inputs_in_order():
    done = run_adcli(
        "eval", "y*x", "--q", "1", "--x", "2", "p=3", "--y", "4", "--at", '{"r": 5}', "--json"
    )
    assert done.returncode == 0
    data = strict_json(done.stdout)
    assert list(data["gradient"]) == ["y", "x", "q", "p", "r"]
    assert data["gradient"] == {"y": 2.0, "x": 4.0, "q": 0.0, "p": 0.0, "r": 0.0}
    warnings = done.stderr.splitlines()
    assert len(warnings) == 3
    assert all(line.startswith("adcli: warning:") for line in warnings)
    assert ["'q'" in warnings[0], "'p'" in warnings[1], "'r'" in warnings[2]] == [True] * 3


def test_quiet_silences_warnings():
    done = run_adcli("eval", "x", "--x", "1", "--z", "2", "--json", "--quiet")
    assert done.returncode == 0 and done.stderr == ""
    assert strict_json(done.stdout)["gradient"] == {"x": 1.0, "z": 0.0}


def test_unused_bound_name_in_the_table():
    done = run_adcli("eval", "x", "--x", "1", "--z", "2")
    assert done.returncode == 0
    assert "'z'" in done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == ["f", "x", "z"]


def test_dead_statement_input_has_partial_zero():
    data = ok_json("dead = q*3; x^2", "--x", "3", "--q", "1")
    assert data == {"value": 9.0, "gradient": {"q": 0.0, "x": 6.0}}


@pytest.mark.parametrize(
    ("wrt", "expected"), [("y", {"y": 0.5}), ("y,x", {"y": 0.5, "x": 5.077582561890373})]
)
def test_wrt_selects_partials(wrt, expected):
    data = ok_json("x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--wrt", wrt)
    assert data == {"value": 2.579425538604203, "gradient": expected}


@pytest.mark.parametrize("wrt", ["z", "x,z", "1x", ""])
def test_wrt_refuses_what_is_not_an_input(wrt):
    done = run_adcli("eval", "x*y", "--x", "1", "--y", "2", "--wrt", wrt, "--json")
    assert_error(done, 2, "--wrt")


def test_output_is_always_strict_json():
    data = ok_json("exp(x)", "--x", "709")
    assert data["value"] > 1e307
    done = run_adcli("eval", "exp(x)*10", "--x", "709", "--json")
    assert_error(done, 1)  # overflow is an error, never Infinity in the output


# ---- every error class of the contract --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        # status 1: well formed, not evaluable at this point
        (["log(x)", "--x", "-2.5"], ("log", "1:1", "-2.5")),
        (["1 + sqrt(x)", "--x", "-1"], ("sqrt", "1:5", "-1")),
        (["1/x", "--x", "0"], ("div", "1:2", "zero")),
        (["exp(x)", "--x", "1000"], ("exp", "overflow")),
        (["9^9^9^9"], ("pow", "overflow")),
        (["sqrt(x)", "--x", "0"], ("sqrt", "derivative", "infinite")),
        (["x^y", "--x", "-2", "--y", "0.5"], ("pow", "negative base")),
        (["acosh(x)", "--x", "0.5"], ("acosh", "0.5")),
        (["a = x - x; 1/a", "--x", "3"], ("div",)),
    ],
)
def test_evaluation_errors_are_status_1(args, fragments):
    assert_error(run_adcli("eval", *args, "--json"), 1, *fragments)
    assert_error(run_adcli("eval", *args), 1, *fragments)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        # syntax
        (["x +"], ("syntax error at 1:4", "expected a number, a name or '(' after '+'")),
        (["1e999"], ("1e999", "too large")),
        ([""], ("empty",)),
        # unbound name: says how to bind it
        (["x*y", "--x", "1"], ("unbound name 'y' at 1:3", "--y VALUE")),
        (["x*y"], ("unbound names", "--x VALUE --y VALUE")),
        # unknown name
        (["foo(x)", "--x", "1"], ("unknown function 'foo' at 1:1",)),
        (["sinn(x)", "--x", "1"], ("did you mean sin",)),
        # arity
        (["atan2(x)", "--x", "1"], ("atan2 at 1:1 takes 2 arguments, got 1",)),
        (["sin(x, x)", "--x", "1"], ("sin", "takes 1 argument, got 2")),
        # reassignment
        (["a = x; a = 2; a", "--x", "1"], ("'a' is assigned twice",)),
        # binding a constant
        (["pi = 3; pi"], ("constant 'pi'",)),
        (["x + pi", "--x", "1", "--pi", "3"], ("pi", "constant")),
        (["x + e", "--x", "1", "e=3"], ("'e'", "constant")),
        (["x + e", "--x", "1", "--at", '{"e": 3}'], ("'e'", "constant")),
        # not a finite number
        (["x", "--x", "nan"], ("--x", "not a finite number")),
        (["x", "--x", "abc"], ("--x", "not a number")),
        # usage
        ([], ("no program",)),
        (["x", "y", "--x", "1"], ("unexpected argument 'y'",)),
        (["x", "--x"], ("--x needs a value",)),
        (["x", "--x", "1", "--json=yes"], ("--json takes no value",)),
        (["x", "--x", "1", "--at"], ("--at needs a value",)),
        (["x", "--x", "1", "--digits"], ("--digits needs a value",)),
        (["-f", "/nonexistent/prog.adc", "--x", "1"], ("cannot read /nonexistent/prog.adc",)),
        (["-f", "/nonexistent/prog.adc", "x", "--x", "1"], ("unexpected argument 'x'",)),
        (["x", "--at", "/nonexistent/point.json"], ("cannot read /nonexistent/point.json",)),
        (["x", "--x", "1", "--max-size", "big"], ("--max-size",)),
        (["x + y + z", "--x", "1", "--max-size", "3"], ("limit", "--max-size")),
        (["x", "--x", "1", "--wrt", "q"], ("--wrt q",)),
        (["x", "1x=2"], ()),
    ],
)
def test_usage_and_text_errors_are_status_2(args, fragments):
    done = run_adcli("eval", "--json", *args)
    assert_error(done, 2, *fragments)


def test_syntax_error_shows_the_line_and_a_caret():
    done = run_adcli("eval", "a = 1\nb = (a + 2\nb")
    assert_error(done, 2, "syntax error at 2:11", "')'", "found a new line")
    lines = done.stderr.rstrip("\n").split("\n")
    assert lines[1:] == ["  b = (a + 2", "            ^"]


def test_domain_error_names_the_operation_value_and_place():
    done = run_adcli("eval", "h = x + 1\ny = log(h)\ny", "--x", "-3.5")
    assert_error(done, 1)
    assert done.stderr == "adcli: log at 2:5: argument -2.5 is not > 0\n"


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "bad.adc"
    path.write_bytes(b"x + \xff\xfe")
    assert_error(run_adcli("eval", "-f", str(path), "--x", "1"), 2, "UTF-8")


@pytest.mark.parametrize(
    "garbage",
    ["\x00", "((((", "))))", "x" * 5000 + "+", "\u00e9t\u00e9 + 1", "x = = 1", "f(,)", "😀"],
)
def test_no_traceback_whatever_the_input(garbage):
    done = run_adcli("eval", "-", "--x", "1", input=garbage)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("adcli: ")
    assert "Traceback" not in done.stderr


def test_bare_adcli_prints_usage_on_stderr():
    done = run_adcli()
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Usage" in done.stderr and "Traceback" not in done.stderr


def test_unknown_command_is_a_usage_error():
    done = run_adcli("evaluate", "x")
    assert done.returncode == 2
    assert done.stdout == ""


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_on_every_command(command):
    done = run_adcli(*([command] if command else []), "--help")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Usage" in done.stdout


def test_help_after_a_program_and_bindings():
    done = run_adcli("eval", "x*y", "--x", "1", "--help")
    assert done.returncode == 0
    assert "--json" in done.stdout and "--at" in done.stdout


def test_version():
    done = run_adcli("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("adcli ")


def test_a_full_disk_is_a_clear_error_not_an_internal_one():
    import os

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*adcli_command(), "eval", "x", "--x", "1", "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 1
    assert done.stderr.startswith("adcli: cannot write the output")
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_name_value_bindings_still_bind_after_the_end_of_options():
    done = run_adcli("eval", "--json", "--", "-x^2", "x=3")
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout) == {"value": -9.0, "gradient": {"x": -6.0}}


def test_a_name_value_binding_with_a_bad_value_says_so():
    done = run_adcli("eval", "x", "x=abc")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "adcli: x: 'abc' is not a number\n"


def test_the_unbound_hint_for_a_name_that_is_also_an_option_uses_name_equals_value():
    done = run_adcli("eval", "json + at", "--json")
    assert done.returncode == 2
    assert "bind them with json=VALUE at=VALUE" in done.stderr
    bound = run_adcli("eval", "json + at", "json=1", "at=2", "--json")
    assert strict_json(bound.stdout)["value"] == 3.0


def test_binding_an_assigned_name_warns_that_it_is_ignored():
    done = run_adcli("eval", "a = x; a", "x=1", "a=5", "--json")
    assert done.returncode == 0
    assert strict_json(done.stdout)["value"] == 1.0
    assert "'a' is assigned by the program" in done.stderr


@pytest.mark.parametrize(
    ("redirect", "message"),
    [("<&-", "adcli: stdin is closed"), (">&-", "adcli: stdout is closed")],
)
def test_a_closed_standard_stream_is_a_clear_error(redirect, message):
    command = " ".join(adcli_command()) + f" eval - x=1 --json {redirect}"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert done.stderr.startswith(message)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.returncode in (1, 2)


# -- option typos ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "typo", "option"),
    [
        (["eval", "x^2/3", "--x", "1", "--digit", "3"], "digit", "--digits"),
        (["eval", "x^2/3", "--x", "1", "--digit=3"], "digit", "--digits"),
        (["eval", "x", "--x", "1", "--jsno"], "jsno", "--json"),
        (["eval", "x", "--jsno", "--x", "1"], "jsno", "--json"),
        (["eval", "x", "--x", "1", "--jsno", "1"], "jsno", "--json"),
        (["eval", "x*y", "--x", "1", "--y", "2", "--wtr", "x"], "wtr", "--wrt"),
        (["eval", "x", "--x", "1", "--max_size", "1M"], "max_size", "--max-size"),
        (["hessian", "x*y", "x=1", "y=2", "--qiuet"], "qiuet", "--quiet"),
        (["tree", "x", "--x", "1", "--dept", "2"], "dept", "--depth"),
        (["functions", "--jsno"], "jsno", "--json"),
    ],
)
def test_an_option_typo_is_an_error_that_names_the_option(args, typo, option):
    done = run_adcli(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"adcli: unknown option --{typo}: did you mean {option}?")
    assert f"{typo}=VALUE" in done.stderr  # how to bind an input that really has that name
    assert done.stderr.count("\n") == 1


def test_a_name_like_an_option_binds_when_the_program_uses_it():
    done = run_adcli("eval", "digit*2", "--digit", "3", "--json")
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout) == {"value": 6.0, "gradient": {"digit": 2.0}}


@pytest.mark.parametrize("binding", [["digit=3"], ["--at", '{"digit": 3}'], ["--", "digit=3"]])
def test_an_unused_input_named_like_an_option_binds_with_name_equals_value_or_at(binding):
    done = run_adcli("eval", "x", "--x", "1", "--json", *binding)
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout)["gradient"] == {"x": 1.0, "digit": 0.0}
    assert "'digit' is bound but the program does not use it" in done.stderr


@pytest.mark.parametrize("name", ["b", "t", "alpha", "xyz", "weights", "d"])
def test_options_are_never_abbreviated_and_other_names_still_bind(name):
    """The contract: ``--b 2`` binds b; a name that is no near-miss of an option binds as
    before (a warning when unused)."""
    done = run_adcli("eval", "x", "--x", "1", f"--{name}", "2", "--json")
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout)["gradient"][name] == 0.0


def test_numbers_and_names_are_spelled_as_the_grammar_spells_them():
    from adcli import _tables, arguments
    from adcli.bindings import _UNSIGNED

    terminals = dict(_tables.TERMINALS)
    assert _UNSIGNED.pattern == terminals["NUMBER"]
    assert arguments.NAME.pattern == terminals["NAME"]
    for text in ("1", "1.", ".5", "2.5e-3", "-1E+2", "+7"):
        assert arguments.is_number(text), text
    for text in ("1_0", "0x10", "١٢", "1e", ".", "e5", "1.2.3", "inf", "--1", "+-1", "-", ""):
        assert not arguments.is_number(text), text
