"""Wide programs (many inputs): the bulk paths give what the binding-by-binding ones gave.

``bindings.valid_names`` against ``check_name`` one name at a time; ``bindings_from_json``
against the loop it replaced (same values, same first error); and ``eval --json`` of wide
programs against JSON written from the engine's own answer, byte for byte, whatever order the
point names the inputs in, with unused and assigned names bound, ``--wrt`` and array inputs.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adcli.bindings import bindings_from_json, check_name, valid_names
from adcli.cli import run
from adcli.engine import gradient
from adcli.environment import Environment
from adcli.errors import UsageError
from adcli.parse import parse
from adcli.values import json_number, loads_strict, value_from_json

NAMEISH = st.text(alphabet="ab_Z09\n é-.", min_size=0, max_size=4) | st.sampled_from(
    ["pi", "e", "x", "_", "x1", "1x", "", "é", "a\nb", "\x7f", "sin"]
)


def one_by_one(names: list[str]) -> bool:
    try:
        for name in names:
            check_name(name, "w")
    except UsageError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(st.lists(NAMEISH, max_size=6))
def test_valid_names_is_check_name_on_every_name(names):
    assert valid_names(names) == one_by_one(names)


def reference(text: str, what: str, arrays: bool) -> dict:
    """bindings_from_json as it was: a name check and a value check per binding, in order."""
    data = loads_strict(text, what)
    out = {}
    for name, value in data.items():
        check_name(name, what)
        if arrays and isinstance(value, list):
            out[name] = value_from_json(value, f"{what}: {name}")
        else:
            out[name] = json_number(value, f"{what}: {name}", plain=True)
    return out


def outcome(function, *args):
    try:
        return "ok", function(*args)
    except UsageError as error:
        return "error", str(error)


VALUES = st.sampled_from(
    ["0.5", "-0.0", "1e-300", "2", "true", "null", '"3"', "[1, 2]", "[[1], [2]]", "[]",
     "[1, [2]]", '["a"]', "1e999", "{}"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(NAMEISH, VALUES), max_size=6), st.booleans())
def test_bindings_from_json_is_the_loop_it_replaced(items, arrays):
    text = "{" + ", ".join(f"{json.dumps(n)}: {v}" for n, v in items) + "}"
    assert outcome(bindings_from_json, text, "--at", arrays) == outcome(
        reference, text, "--at", arrays
    )


def test_the_first_error_is_still_the_first_binding_wrong():
    # A bad value before a bad name: the value is reported, as binding by binding did.
    with pytest.raises(UsageError, match=r'--at: x: "a" is not a number'):
        bindings_from_json('{"x": "a", "1y": 2}', "--at")
    with pytest.raises(UsageError, match=r"--at: '1y' is not a valid input name"):
        bindings_from_json('{"x": 1, "1y": "a"}', "--at")
    with pytest.raises(UsageError, match=r"--at: x2: an empty array"):
        bindings_from_json('{"x0": 1, "x1": [1, 2], "x2": [], "x3": true}', "--at", arrays=True)


def eval_json(args: list[str], stdin: str = "") -> tuple[int, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={})
    return run(["eval", *args], env), out.getvalue()


def expected(program_text: str, point: dict, names: list[str]) -> str:
    """The JSON eval writes, from the engine's flat answer: every name's partial, 0.0 unused."""
    result = gradient(parse(program_text), {k: v for k, v in point.items()})
    shown = {n: result.gradient.get(n, 0.0) for n in names}
    return json.dumps({"value": result.value, "gradient": shown}, allow_nan=False) + "\n"


@pytest.mark.parametrize("order", ["program", "reversed", "shuffled"])
def test_wide_eval_json_is_byte_for_byte_the_engine_answer(tmp_path, order):
    n = 2000
    values = [(-1) ** k * 10.0 ** (k % 40 - 20) / 3 for k in range(n)]
    values[8] = -0.0
    values[11] = 0.0
    text = " + ".join(f"x{k}*x{k + 1}" for k in range(0, n, 2)) + " + 1e-300*y"
    names = [f"x{k}" for k in range(n)] + ["y"]
    point = dict(zip(names, [*values, 1.0]))
    if order == "reversed":
        point = dict(reversed(point.items()))
    elif order == "shuffled":
        point = dict(sorted(point.items(), key=lambda item: hash(item[0]) % 97))
    program = tmp_path / "p.adc"
    program.write_text(text)
    at = tmp_path / "at.json"
    at.write_text(json.dumps(point))
    status, out = eval_json(["-f", str(program), "--at", str(at), "--json"])
    assert status == 0
    assert out == expected(text, point, names)
    assert '"y": 1e-300' in out and '"x10": 0.0' in out


def test_wide_eval_with_unused_and_assigned_names_and_wrt(tmp_path):
    text = "h = a*b\nh + " + " + ".join(f"sin(x{k})" for k in range(500))
    point = {f"x{k}": k / 7 for k in range(500)} | {"a": 2.0, "b": 3.0, "z": 1.0, "h": 4.0}
    at = tmp_path / "at.json"
    at.write_text(json.dumps(point))
    status, out = eval_json([text, "--at", str(at), "--json", "--quiet"])
    assert status == 0
    inputs = ["a", "b"] + [f"x{k}" for k in range(500)]
    free = {k: v for k, v in point.items() if k != "h"}
    assert out == expected(text, free, [*inputs, "z", "h"])
    status, out = eval_json([text, "--at", str(at), "--json", "--quiet", "--wrt", "x3,a"])
    assert out == expected(text, free, ["x3", "a"])


def test_wide_array_eval_json_is_shaped(tmp_path):
    n = 3000
    x = [math.ldexp(1.0, k % 60 - 30) * (-1) ** k for k in range(n)]
    at = tmp_path / "at.json"
    at.write_text(json.dumps({"x": x, "W": [[1.0, -0.0], [2.5, 1e-300]], "c": 2.0}))
    status, out = eval_json(["sum(x^2) + c*sum(W)", "--at", str(at), "--json"])
    assert status == 0
    answer = json.loads(out)
    assert answer["gradient"]["x"] == [2 * v for v in x]
    assert answer["gradient"]["W"] == [[2.0, 2.0], [2.0, 2.0]]
    assert answer["gradient"]["c"] == 3.5
    assert out == json.dumps(answer, allow_nan=False) + "\n"


FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [-0.0, 0.0, 1e-300, 5e-324, 1e16, 1e22, 0.1 + 0.2, -1.5]
)
KEYS = st.text(alphabet='xy_09"\\é\n\0 ', min_size=0, max_size=3) | st.sampled_from(["x", "W[1,0]"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(KEYS, FLOATS | st.integers(-3, 3)), max_size=5),
    FLOATS | st.integers(-3, 3),
)
def test_dumps_gradient_writes_json_dumps_bytes_or_declines(items, value):
    from adcli.environment import dumps_gradient

    names = list(dict.fromkeys(n for n, _ in items))  # reported names are distinct
    values = [dict(items)[n] for n in names]
    text = dumps_gradient(value, names, values)
    if text is None:
        return  # the caller builds the dict and writes it with json.dumps
    assert text == json.dumps(
        {"value": value, "gradient": dict(zip(names, values))}, allow_nan=False
    )


def test_dumps_gradient_declines_what_it_cannot_promise():
    from adcli.environment import dumps_gradient

    assert (
        dumps_gradient(1.0, ["x", "y"], [0.5, -0.0])
        == '{"value": 1.0, "gradient": {"x": 0.5, "y": -0.0}}'
    )
    for value, names, values in [
        (1.0, [], []),  # no names
        (1.0, ["x"], [float("inf")]),  # json.dumps raises: so must the caller's path
        (float("nan"), ["x"], [1.0]),
        (1, ["x"], [1.0]),  # an int value: not this writer's
        (1.0, ["x"], [True]),
        (1.0, ['a"b'], [1.0]),  # a name JSON escapes
        (1.0, ["é"], [1.0]),
        (1.0, ["x", "y"], [1.0]),  # lengths differ
    ]:
        assert dumps_gradient(value, names, values) is None, (value, names, values)
