"""Hostile but plausible inputs: size limits, huge numbers, deep nesting, non-finite values,
unreadable files, and faulty batch lines — each a clear error with the contract's status."""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
from conftest import run_adcli, strict_json

OVERFLOW_TIMEOUT = 20  # seconds: generous for a loaded machine; a hang would take forever


def only_error(done, status: int) -> str:
    """The one error message of a failed run (stdout empty, no traceback)."""
    assert done.returncode == status, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    errors = [
        line
        for line in done.stderr.splitlines()
        if line.startswith("adcli:") and not line.startswith("adcli: warning:")
    ]
    assert len(errors) == 1, done.stderr
    return errors[0]


# -- program size -------------------------------------------------------------------------------


def test_program_file_over_max_size_names_the_flag(tmp_path):
    program = tmp_path / "big.adc"
    program.write_text("x+" * 600 + "x")  # 1,201 bytes
    message = only_error(run_adcli("eval", "-f", str(program), "--max-size", "1K", "--x", "1"), 2)
    assert "--max-size" in message and "1,024" in message


def test_program_on_stdin_over_max_size_names_the_flag():
    done = run_adcli("eval", "-", "--max-size", "1K", "--x", "1", input="x+" * 600 + "x")
    assert "--max-size" in only_error(done, 2)


def test_inline_program_over_max_size_names_the_flag():
    message = only_error(run_adcli("eval", "x+" * 600 + "x", "--max-size", "1K", "--x", "1"), 2)
    assert "--max-size" in message


def test_max_size_can_be_raised(tmp_path):
    program = tmp_path / "big.adc"
    program.write_text("x+" * 600 + "x")
    done = run_adcli("eval", "-f", str(program), "--max-size", "2K", "--x", "1", "--json")
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout) == {"value": 601.0, "gradient": {"x": 601.0}}


def test_program_exactly_at_max_size_is_accepted(tmp_path):
    program = tmp_path / "exact.adc"
    program.write_text("x+" * 511 + "xx")  # 1,024 bytes
    done = run_adcli("eval", "-f", str(program), "--max-size", "1K", "--xx", "1", "--x", "1")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("bad", ["abc", "-1", "", "1T", "1.5M", "9" * 5000])
def test_bad_max_size_is_a_usage_error(bad):
    message = only_error(run_adcli("eval", "x", "--x", "1", "--max-size", bad), 2)
    assert "--max-size" in message


def test_max_size_needs_a_value():
    assert "--max-size" in only_error(run_adcli("eval", "x", "--x", "1", "--max-size"), 2)


def test_stdin_over_the_limit_is_not_read_whole():
    # 8 MB offered, 1 KB allowed: adcli stops reading at the limit (a broken pipe for the
    # writer is fine) and says which flag raises it.
    done = run_adcli("eval", "-", "--max-size", "1K", input="x+" * (4 * 2**20))
    assert "--max-size" in only_error(done, 2)


# -- numbers too big, towers, deep nesting -----------------------------------------------------


@pytest.mark.parametrize("program", ["9^9^9^9", "9**9**9**9", "2^2^2^2^2^2", "(x^x)^(x^x)^x"])
def test_exponent_towers_are_overflow_errors(program):
    done = run_adcli("eval", program, "--x", "9", timeout=OVERFLOW_TIMEOUT)
    message = only_error(done, 1)
    assert re.match(r"adcli: pow at 1:\d+: the result overflows at \(", message), message


@pytest.mark.parametrize("literal", ["1e999", "1E+400", "9" * 10_000, "1" * 400 + ".5"])
def test_literal_too_large_for_a_double_is_a_text_error(literal):
    done = run_adcli("eval", "-", "--json", input=f"1 + {literal}", timeout=OVERFLOW_TIMEOUT)
    message = only_error(done, 2)
    assert "too large for a double" in message and "1:5" in message
    assert len(done.stderr) < 500  # the literal is clipped, not echoed


def test_long_literals_that_fit_are_numbers():
    done = run_adcli("eval", "-", "--json", input="0." + "5" * 10_000 + " + " + "0" * 10_000 + "1")
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout)["value"] == pytest.approx(1.5555555555555556)


@pytest.mark.parametrize(
    "program, slope",
    [
        ("(" * 100_000 + "x" + ")" * 100_000, 1.0),
        ("-" * 100_000 + "x", 1.0),  # an even number of signs
        ("sin(" * 100_000 + "x" + ")" * 100_000, None),
        ("x+" * 100_000 + "x", 100_001.0),
    ],
    ids=["parens", "signs", "calls", "chain"],
)
def test_nesting_100000_deep_is_evaluated(tmp_path, program, slope):
    path = tmp_path / "deep.adc"
    path.write_text(program)
    done = run_adcli("eval", "-f", str(path), "--x", "2", "--json")
    assert done.returncode == 0, done.stderr[:500]
    if slope is not None:
        assert strict_json(done.stdout)["gradient"]["x"] == slope


def test_unbalanced_deep_nesting_is_a_syntax_error_with_a_clipped_excerpt(tmp_path):
    path = tmp_path / "deep.adc"
    path.write_text("(" * 100_000 + "x" + ")" * 99_999)
    done = run_adcli("eval", "-f", str(path), "--x", "2")
    assert only_error(done, 2).startswith("adcli: syntax error at 1:200001: expected")
    assert len(done.stderr) < 500


# -- non-finite bindings -----------------------------------------------------------------------

NON_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "1e999", "-1e400", "9" * 400]


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("form", ["--x V", "--x=V", "x=V", "--x -V"])
def test_non_finite_bindings_are_usage_errors(form, value):
    args = [part.replace("V", value) for part in form.split()]
    message = only_error(run_adcli("eval", "x*y", "--y", "2", *args, "--json"), 2)
    assert "--x" in message or "x:" in message or "x=" in message


@pytest.mark.parametrize(
    "at",
    [
        '{"x": NaN}',
        '{"x": Infinity}',
        '{"x": -Infinity}',
        '{"x": 1e999}',
        '{"x": %s}' % ("1" * 5000),  # past Python's 4,300-digit int limit
        '{"x": "1"}',
        '{"x": true}',
        '{"x": null}',
        '{"x": [1, "a"]}',  # arrays bind (contract v0.2), but only of numbers
        '{"x": {"y": 1}}',
        "[1]",
        "{",
        "{}" + "x",
        '{"pi": 1}',
        '{"1x": 1}',
    ],
)
def test_bad_at_values_are_usage_errors(at):
    message = only_error(run_adcli("eval", "x", "--at", at, "--json"), 2)
    assert message.startswith("adcli: --at")


def test_at_from_a_file_with_nan_is_a_usage_error(tmp_path):
    path = tmp_path / "point.json"
    path.write_text('{"x": NaN}')
    assert "NaN" in only_error(run_adcli("eval", "x", "--at", str(path)), 2)


# -- non-finite intermediates: the operation, its operands, its position -----------------------


@pytest.mark.parametrize(
    "program, x, expected",
    [
        ("1 + log(x)", "-2.5", "adcli: log at 1:5: argument -2.5 is not > 0"),
        ("sqrt(x)", "-1", "adcli: sqrt at 1:1: argument -1 is not >= 0"),
        ("asin(x)", "2", "adcli: asin at 1:1: argument 2 is not in [-1, 1]"),
        ("acosh(x)", "0.5", "adcli: acosh at 1:1: argument 0.5 is not >= 1"),
        ("y = 2\ny * atanh(x)", "1", "adcli: atanh at 2:5: argument 1 is not in (-1, 1)"),
        ("exp(x)", "1000", "adcli: exp at 1:1: the result overflows at 1000"),
        ("x * 1e308", "10", "adcli: mul at 1:3: the result overflows at (10, 1e+308)"),
        ("x ^ 0.5", "-2.5", "adcli: pow at 1:3: negative base -2.5 to a non-integer power 0.5"),
        ("0 ^ x", "-1", "adcli: pow at 1:3: zero to a negative power (-1)"),
        ("log(x, 1)", "2", "adcli: log at 1:1: base 1 is not > 0 and != 1"),
    ],
)
def test_non_finite_intermediates_name_operation_operands_and_position(program, x, expected):
    assert only_error(run_adcli("eval", program, "--x", x, "--json"), 1) == expected


def test_division_by_zero_names_its_operands():
    message = only_error(run_adcli("eval", "x / y", "--x", "3.5", "--y", "0"), 1)
    assert message.startswith("adcli: div at 1:3:") and "3.5" in message


@pytest.mark.parametrize(
    "program, x, expected",
    [
        ("sqrt(x)", "0", "adcli: sqrt at 1:1: the derivative is infinite at 0"),
        ("cbrt(x)", "0", "adcli: cbrt at 1:1: the derivative is infinite at 0"),
        ("asin(x)", "1", "adcli: asin at 1:1: the derivative is infinite at 1"),
        ("x ^ 0.5", "0", "the derivative with respect to argument 1 is infinite at (0, 0.5)"),
    ],
)
def test_infinite_derivatives_are_reported_as_such(program, x, expected):
    message = only_error(run_adcli("eval", program, "--x", x, "--json"), 1)
    assert expected in message


def test_an_infinite_derivative_behind_a_zero_weight_does_not_poison_the_gradient():
    done = run_adcli("eval", "0 * sqrt(x) + x", "--x", "0", "--json")
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout) == {"value": 0.0, "gradient": {"x": 1.0}}


# -- files: only read, and clear when they cannot be ----------------------------------------------


@pytest.mark.parametrize("flag", ["-f", "--at"])
def test_unreadable_paths_are_clear_usage_errors(tmp_path, flag):
    for path in (tmp_path / "missing.json", tmp_path):
        message = only_error(
            run_adcli("eval", "x", "--x", "1", flag, str(path))
            if flag == "--at"
            else run_adcli("eval", flag, str(path)),
            2,
        )
        assert message.startswith(f"adcli: cannot read {path}: "), message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("flag", ["-f", "--at"])
def test_a_fifo_nobody_writes_to_does_not_hang(tmp_path, flag):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    args = (
        ["eval", "x", "--x", "1", "--at", str(fifo)]
        if flag == "--at"
        else ["eval", "-f", str(fifo)]
    )
    message = only_error(run_adcli(*args, timeout=20), 2)
    assert "empty" in message


def test_at_from_process_substitution_style_pipe_still_works(tmp_path):
    # /dev/stdin is the process's own stdin: a real process
    done = run_adcli("eval", "x", "--at", "/dev/stdin", "--json", input='{"x": 2}', real=True)
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout)["value"] == 2.0


def test_program_that_is_not_utf8_is_a_usage_error():
    message = only_error(run_adcli("eval", "-", input=b"x + \xff\xfe"), 2)
    assert "not UTF-8" in message


# -- batch faults --------------------------------------------------------------------------------


def batch_supported() -> bool:
    return run_adcli("eval", "x", "--batch", "-", input='{"x": 1}\n').returncode == 0


needs_batch = pytest.mark.skipif(not batch_supported(), reason="--batch does not exist yet")


def batch_results(done) -> list[dict]:
    assert "Traceback" not in done.stderr
    return [strict_json(line) for line in done.stdout.splitlines()]


FAULTS = [
    ('{"x": "1"}', "a string"),
    ('{"x": true}', "a boolean"),
    ('{"x": null}', "null"),
    ('{"x": NaN}', "NaN"),
    ('{"x": 1e999}', "too large"),
    ('{"x": %s}' % ("1" * 5000), "huge integer"),
    ("[1, 2]", "not an object"),
    ("42", "not an object"),
    ('{"x": 1', "truncated"),
    ("{" * 10_000, "deep"),
    ('{"pi": 1, "x": 1}', "a constant"),
    ('{"1x": 1}', "a bad name"),
    ('{"x": -1}', "a domain error"),
    ("\x00", "a NUL byte"),
]


@needs_batch
def test_each_faulty_batch_line_gets_its_own_error_and_the_rest_go_on():
    lines = []
    for fault, _ in FAULTS:
        lines += ['{"x": 2}', fault]
    done = run_adcli(
        "eval", "log(x) + y", "--y", "1", "--batch", "-", input="\n".join(lines) + "\n"
    )
    assert done.returncode == 1
    results = batch_results(done)
    assert len(results) == len(lines)  # nothing lost, nothing merged
    for i, (_fault, why) in enumerate(FAULTS):
        good, bad = results[2 * i], results[2 * i + 1]
        assert good == {
            "value": pytest.approx(1.6931471805599454),
            "gradient": {"x": 0.5, "y": 1.0},
        }
        assert set(bad) == {"error"}, (why, bad)
        assert set(bad["error"]) >= {"kind", "message"}, why
        assert len(bad["error"]["message"]) < 1000, why


@needs_batch
def test_batch_unknown_name_is_an_error_line_or_a_warning():
    done = run_adcli("eval", "x", "--batch", "-", input='{"x": 1, "zz": 2}\n{"x": 3}\n')
    results = batch_results(done)
    assert len(results) == 2 and results[1]["value"] == 3.0


@needs_batch
def test_batch_unbound_input_is_an_error_line():
    done = run_adcli("eval", "x * y", "--batch", "-", input='{"x": 1}\n{"x": 1, "y": 2}\n')
    assert done.returncode == 1
    results = batch_results(done)
    assert "error" in results[0] and results[1]["value"] == 2.0


@needs_batch
def test_batch_truncated_last_line_is_an_error_and_earlier_lines_are_kept():
    done = run_adcli("eval", "x", "--batch", "-", input='{"x": 1}\n{"x": 2}\n{"x": ')
    assert done.returncode == 1
    results = batch_results(done)
    assert [r.get("value") for r in results[:2]] == [1.0, 2.0]
    assert len(results) == 3 and "error" in results[2]


@needs_batch
def test_batch_last_line_without_newline_is_computed():
    done = run_adcli("eval", "x", "--batch", "-", input='{"x": 1}\n{"x": 2}')
    assert done.returncode == 0, done.stderr
    assert [r["value"] for r in batch_results(done)] == [1.0, 2.0]


@needs_batch
@pytest.mark.parametrize(
    "huge",
    ['{"x": "' + "q" * 2_000_000 + '"}', "q" * 2_000_000, '{"x": ' + "1" * 2_000_000 + "}"],
    ids=["string value", "garbage", "long number"],
)
def test_batch_huge_faulty_line_is_a_short_error_line(huge):
    done = run_adcli("eval", "x", "--batch", "-", input=f'{{"x": 1}}\n{huge}\n{{"x": 3}}\n')
    assert done.returncode == 1
    results = batch_results(done)
    assert len(results) == 3 and results[0]["value"] == 1.0 and results[2]["value"] == 3.0
    assert "error" in results[1]
    assert len(done.stdout) < 5_000 and len(done.stderr) < 5_000


@needs_batch
def test_batch_invalid_utf8_line_is_an_error_line():
    done = run_adcli("eval", "x", "--batch", "-", input=b'{"x": 1}\n{"x": \xff}\n{"x": 3}\n')
    assert done.returncode == 1
    results = batch_results(done)
    assert len(results) == 3 and "error" in results[1] and results[2]["value"] == 3.0


@needs_batch
def test_batch_blank_lines_do_not_crash():
    done = run_adcli("eval", "x", "--batch", "-", input='\n{"x": 1}\n\n  \n{"x": 2}\n')
    assert done.returncode in (0, 1)
    values = [r.get("value") for r in batch_results(done)]
    assert 1.0 in values and 2.0 in values


def test_json_module_is_what_the_tests_parse_with():
    # strict_json must refuse what the contract refuses, or every check above is weaker.
    for token in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError):
            strict_json(json.dumps({"v": float(token.replace("Infinity", "inf"))}))


def test_error_messages_are_clipped_at_the_boundary():
    from adcli.errors import MAX_MESSAGE, UsageError

    error = UsageError("unbound name '" + "q" * 1_000_000 + "' at 1:1: bind it with --q VALUE")
    assert len(error.message) < MAX_MESSAGE + 40
    assert error.message.startswith("unbound name 'qqq") and error.message.endswith("VALUE")
    assert "characters]" in error.message and str(error) == error.message
    assert UsageError("short").message == "short"


@needs_batch
def test_batch_warning_about_a_huge_unused_name_stays_short():
    line = '{"x": 1, "' + "q" * 5_000 + '": 1}\n'
    done = run_adcli("eval", "x", "--batch", "-", input=line)
    assert done.returncode == 0
    assert len(done.stderr) < 1_000


# -- the error boundary ----------------------------------------------------------------------------


ADCLI = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "adcli")


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "-f", "/tmp/\x1b[31mnofile"],
        ["eval", "x", "--at", "/tmp/\x1b]0;title\x07nofile"],
        ["eval", "x", "--x", "1", "--batch", "/tmp/\x1b[2Jnofile"],
        ["tree", "x", "--x", "1", "--wrt", "\x1b[31m"],
    ],
)
def test_control_characters_in_echoed_paths_and_names_are_escaped(args):
    done = run_adcli(*args)
    assert done.returncode == 2, done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert done.stderr.startswith("adcli: ") and done.stderr.count("\n") == 1
    if args[1] == "-f":
        assert "\\x1b[31mnofile" in done.stderr


def test_escaped_path_on_the_console_script():
    done = run_adcli("eval", "-f", "/tmp/\x1b[31mnofile", real=True)
    assert done.returncode == 2 and "\x1b" not in done.stderr
    assert "cannot read /tmp/\\x1b[31mnofile" in done.stderr


@pytest.mark.parametrize(
    ("module", "args", "install"),
    [
        ("rich", ["eval", "x*y", "--x", "1", "--y", "2"], "pip install 'rich'"),
        ("rich", ["functions"], "pip install 'rich'"),
        ("rich", ["hessian", "x*y", "--x", "1", "--y", "2"], "pip install 'rich'"),
    ],
)
def test_a_missing_dependency_is_an_install_hint_not_an_internal_error(
    monkeypatch, module, args, install
):
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails
    message = only_error(run_adcli(*args, input='{"x": 1}\n'), 2)
    assert f"'{module}'" in message and install in message
    assert "internal error" not in message and "report" not in message


def test_an_import_error_inside_adcli_is_still_an_internal_error(monkeypatch):
    import adcli.commands

    def broken(name):
        raise ImportError("cannot import name 'x'", name="adcli.commands.evaluate")

    monkeypatch.setattr(adcli.commands, "command", broken)
    monkeypatch.setattr("adcli.cli.command", broken)
    message = only_error(run_adcli("eval", "x", "--x", "1"), 1)
    assert message.startswith("adcli: internal error: ImportError")


def python_sources() -> list[str]:
    return sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(ADCLI)
        for name in names
        if name.endswith(".py")
    )


def test_exit_statuses_are_named_never_literal():
    literal = re.compile(r"\breturn\s+(?:[1-9]\d*|141|130)\s*$|\bexit\(\s*[1-9]\d*\s*\)", re.M)
    found = []
    for path in python_sources():
        with open(path, encoding="utf-8") as handle:  # code only: comments may say "141"
            text = "\n".join(line.split("#")[0] for line in handle.read().splitlines())
        found += [f"{path}: {m.group(0)}" for m in literal.finditer(text)]
        if not path.endswith("errors.py") and re.search(r"\b141\b", text):
            found.append(f"{path}: 141")
    assert found == []


def test_commands_write_only_through_their_environment():
    """No command or picture writes to the process's streams itself (check's failure line,
    for one, goes through the boundary)."""
    pattern = re.compile(r"\bsys\.(?:stdout|stderr|stdin)\b|(?<![.\w])print\(")
    found = []
    for path in python_sources():
        # Relative to the package: the checkout's own path may hold "render" or "commands".
        if os.path.relpath(path, ADCLI).split(os.sep)[0] in ("commands", "render"):
            with open(path, encoding="utf-8") as handle:
                found += [f"{path}: {m.group(0)}" for m in pattern.finditer(handle.read())]
    assert found == []


def test_a_failed_check_prints_its_report_then_one_line_through_the_boundary():
    done = run_adcli("check", "relu(x)", "--x", "0", "--json")
    assert done.returncode == 1
    assert strict_json(done.stdout)["ok"] is False
    assert done.stderr.startswith("adcli: gradient check failed") and done.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["eval", "hessian", "check", "tree", "trace", "dot"])
def test_a_program_file_named_with_control_characters_is_titled_escaped(tmp_path, command):
    path = tmp_path / "\x1b[31mprog.adc"
    path.write_text("x*y")
    done = run_adcli(command, "-f", str(path), "--x", "1", "--y", "2")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr
