"""The injectable Environment: streams, terminal, colour, width, and the ways a command writes."""

from __future__ import annotations

import io
import json
import re

import pytest
from conftest import run_adcli, strict_json
from hypothesis import given, settings
from hypothesis import strategies as st

from adcli.cli import run
from adcli.environment import SMALL_JSON, Environment, dumps

COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[;m]")  # a foreground colour


def buffers(**settings) -> tuple[Environment, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Environment(stdout=out, stderr=err, **settings), out, err


@pytest.mark.parametrize(
    ("environ", "tty", "colour"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # set but empty: not asked for (no-color.org)
        ({"FORCE_COLOR": "1"}, False, True),
        ({"TERM": "dumb"}, True, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_follows_the_conventions(environ, tty, colour):
    env, _, _ = buffers(stdout_isatty=tty, environ=environ)
    assert env.colour is colour


@pytest.mark.parametrize(
    ("environ", "width"),
    [({"COLUMNS": "123"}, 123), ({}, 80), ({"COLUMNS": "wide"}, 80), ({"COLUMNS": "0"}, 80)],
)
def test_width_from_columns_or_80(environ, width):
    env, _, _ = buffers(stdout_isatty=False, environ=environ)
    assert env.width == width


def test_stdout_isatty_is_asked_of_the_stream_unless_given():
    assert Environment(stdout=io.StringIO()).stdout_isatty is False
    assert Environment(stdout=io.StringIO(), stdout_isatty=True).stdout_isatty is True


def test_write_json_is_strict_and_one_line():
    env, out, _ = buffers(environ={})
    env.write_json({"value": 1.5, "names": ["x", "é"]})
    assert out.getvalue().count("\n") == 1 and json.loads(out.getvalue())["value"] == 1.5
    with pytest.raises(ValueError):
        env.write_json({"value": float("nan")})


def test_warnings_and_errors_are_one_escaped_line_and_quiet_means_quiet():
    env, _, err = buffers(environ={})
    env.warn("about 'x'", quiet=True)
    assert err.getvalue() == ""
    env.warn("about '\x1b[31mx'")
    env.error("no \x07bell\nhere", "  excerpt\n  ^")
    assert err.getvalue() == (
        "adcli: warning: about '\\x1b[31mx'\nadcli: no \\x07bell\\nhere\n  excerpt\n  ^\n"
    )
    long = "q" * 100_000
    env.warn(long)
    assert len(err.getvalue().splitlines()[-1]) < 1000


def test_a_closed_stderr_is_not_an_error():
    closed = io.StringIO()
    closed.close()
    env = Environment(stdout=io.StringIO(), stderr=closed, environ={})
    env.error("nowhere to say this")  # no exception


def test_the_console_is_plain_on_a_pipe_and_coloured_on_a_terminal():
    args = ("eval", "x*y", "--x", "1", "--y", "2")
    plain = run_adcli(*args, env={"NO_COLOR": ""})
    assert plain.returncode == 0 and "\x1b[" not in plain.stdout
    coloured = run_adcli(*args, env={"NO_COLOR": ""}, tty=True)
    assert coloured.returncode == 0 and COLOUR.search(coloured.stdout)
    # NO_COLOR=1 (the tests' default) on a terminal: bold stays, colour goes (no-color.org)
    assert not COLOUR.search(run_adcli(*args, tty=True).stdout)


def test_the_console_takes_its_width_from_the_environment():
    args = ("hessian", "h = tanh(w*x + b); (h - t)^2", "w=0.5", "x=2", "b=-0.3", "t=1")
    narrow = run_adcli(*args, env={"COLUMNS": "60"}, tty=True)
    assert narrow.returncode == 0
    shown = re.sub(r"\x1b\[[0-9;]*m", "", narrow.stdout)
    assert max(len(line) for line in shown.splitlines()) <= 60
    assert "-1.004493739746001" in shown  # narrower, and still every digit


def test_run_without_an_environment_uses_the_process_streams(capsys):
    assert run(["eval", "x", "--x", "2", "--json"]) == 0
    captured = capsys.readouterr()
    assert strict_json(captured.out) == {"value": 2.0, "gradient": {"x": 1.0}}
    assert captured.err == ""


def test_stdin_comes_from_the_environment():
    done = run_adcli("eval", "-", "x=3", "--json", input="x^2")
    assert strict_json(done.stdout) == {"value": 9.0, "gradient": {"x": 6.0}}
    raw = run_adcli("eval", "-", "x=3", "--json", input=b"x^2 + \xff")
    assert raw.returncode == 2 and "not UTF-8" in raw.stderr


class Failing(io.StringIO):
    """A stdout whose every write fails with ``error``."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "stderr"),
    [
        (BrokenPipeError(), 141, ""),
        (OSError(28, "No space left on device"), 1, "adcli: cannot write the output: No space"),
        (MemoryError(), 1, "adcli: out of memory"),
        (KeyboardInterrupt(), 130, "adcli: interrupted"),
        (RuntimeError("boom"), 1, "adcli: internal error: RuntimeError: boom"),
    ],
)
def test_the_boundary_turns_every_failure_into_a_status_and_at_most_one_line(error, status, stderr):
    err = io.StringIO()
    env = Environment(stdout=Failing(error), stderr=err, stdout_isatty=False, environ={})
    assert run(["eval", "x", "--x", "1", "--json"], env) == status
    assert err.getvalue().startswith(stderr) and err.getvalue().count("\n") == (1 if stderr else 0)


def test_an_in_process_run_over_its_time_limit_fails_as_a_subprocess_would(monkeypatch):
    import subprocess
    import time

    import adcli.commands.evaluate as evaluate

    monkeypatch.setattr(evaluate, "run", lambda args, env: time.sleep(5) or 0)
    start = time.perf_counter()
    with pytest.raises(subprocess.TimeoutExpired):
        run_adcli("eval", "x", timeout=0.2)
    assert time.perf_counter() - start < 4


# JSON made of what commands answer with, and of what json.dumps escapes or refuses.
_JSON_SCALARS = (
    st.floats()
    | st.integers()
    | st.booleans()
    | st.none()
    | st.text(max_size=4)
    | st.sampled_from([float("inf"), -0.0, 1e-320, 5e-324, 1e300])
)
_JSON_KEYS = st.text(max_size=6) | st.sampled_from(["x", "x[0]", "W[1,0]", 'a"b', "a\\b", "é"])
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_JSON_KEYS, inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=120, deadline=None)
@given(_JSON)
def test_dumps_writes_the_bytes_of_json_dumps_or_raises_its_error(obj):
    # eval --json writes small answers without importing json: the same bytes, or the same error
    try:
        expected = json.dumps(obj, allow_nan=False)
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            dumps(obj)
    else:
        assert dumps(obj) == expected


def test_dumps_hands_a_large_answer_to_the_c_encoder_with_the_same_bytes():
    big = {"value": 1.5, "gradient": {f"x[{i}]": i / 7 for i in range(3 * SMALL_JSON)}}
    assert dumps(big) == json.dumps(big)
    assert dumps([[0.1] * 3] * SMALL_JSON) == json.dumps([[0.1] * 3] * SMALL_JSON)
