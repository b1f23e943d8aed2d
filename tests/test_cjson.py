"""The compiled JSON of wide programs (``adcli._cjson``) against the Python it stands in for.

``point(text)`` is None or json.loads' very dict (keys in order, each float's bits), and
``bindings_from_json`` through it gives the same dict or the same error as through json alone;
``gradient(value, inputs, adjoint)`` is None or ``environment.dumps_gradient``'s very text; and
``eval --json`` of a wide program writes the same bytes compiled and with ``ADCLI_PURE=1``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adcli import bindings, native
from adcli.environment import dumps_gradient
from adcli.errors import UsageError

cjson = native.load("_cjson")
pytestmark = pytest.mark.skipif(
    cjson is None, reason=f"the compiled JSON is not loaded: {native.describe()}"
)

NUMBER = st.from_regex(r"\A-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?\Z")
TOKENS = NUMBER | st.sampled_from(
    ["1.", ".5", "01", "-", "1e", "+1", "NaN", "-Infinity", "1e999", "-1e400", "true", "null",
     '"3"', "[1]", "{}", "0x10", "1_0", "١", "2.5e-324", "1" * 500, "0." + "1" * 450]
)  # fmt: skip
KEYS = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,3}\Z") | st.sampled_from(
    ["", "1x", "é", "a b", 'a\\"b', "a\\u0041", "pi", "x\\n", "x-1"]
)
SPACE = st.sampled_from(["", " ", "\n", "\t", "\r\n ", "\x0b", "\u00a0"])


def document(draw_items, space):
    body = f",{space}".join(f'{space}"{k}"{space}:{space}{v}{space}' for k, v in draw_items)
    return f"{space}{{{body}}}{space}"


def same_dict(a: dict, b: dict) -> bool:
    return list(a) == list(b) and [float.hex(v) for v in a.values()] == [
        float.hex(v) for v in b.values()
    ]


# Up to 40 bindings: past the 16 that point() reads ahead of putting them into its dict, so a
# document declined late, or a name bound again after its first binding was put, is covered.
@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(KEYS, TOKENS), max_size=40), SPACE, st.integers(0, 3))
def test_point_is_json_loads_or_declines(items, space, cut):
    text = document(items, space)
    text = text[: len(text) - cut] if cut < 3 else text + ","
    got = cjson.point(text)
    if got is None:
        return  # json reads it (or says what is wrong)
    assert same_dict(got, json.loads(text, parse_int=float))
    assert all(k.isidentifier() for k in got)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"\A[a-z_][a-z0-9_]{0,2}\Z"), NUMBER), max_size=40))
def test_point_reads_every_json_number_as_float_does(items):
    text = "{" + ", ".join(f'"{k}": {v}' for k, v in items) + "}"
    got = cjson.point(text)
    expected = json.loads(text, parse_int=float)
    if all(abs(float(v)) != float("inf") for _, v in items):
        assert got is not None and same_dict(got, expected)
    else:
        assert got is None  # too large for a double: json names the number


HARD = [
    "9007199254740993", "9007199254740992.5", "2.2250738585072011e-308", "4.9406564584124654e-324",
    "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308",
    "1.7976931348623158e308", "1.7976931348623159e308", "0.1", "1e23", "8.5e-323", "-0.0e5",
    "123456789012345678901234567890e-30", "0." + "0" * 300 + "1e300", "7" * 300 + "e-299",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 25))
def test_point_reads_any_double_back_to_its_bits(x, digits):
    tokens = [repr(x), f"{x:.{digits}e}", f"{x:.{digits}f}" if abs(x) < 1e30 else "0"]
    got = cjson.point("{" + ", ".join(f'"x{k}": {t}' for k, t in enumerate(tokens)) + "}")
    if any(abs(float(t)) == float("inf") for t in tokens):  # rounded up past the largest double
        assert got is None
    else:
        assert [float.hex(v) for v in got.values()] == [float.hex(float(t)) for t in tokens]


@pytest.mark.parametrize("token", HARD)
def test_point_rounds_hard_numbers_as_float_does(token):
    got = cjson.point(f'{{"x": {token}}}')
    if abs(float(token)) == float("inf"):
        assert got is None
    else:
        assert float.hex(got["x"]) == float.hex(float(token)), token


def outcome(text: str, compiled: bool, monkeypatch):
    monkeypatch.setattr(bindings, "COMPILED_FROM", 0 if compiled else 10**12)
    try:
        return "ok", bindings.bindings_from_json(text, "--at", arrays=True)
    except UsageError as error:
        return "error", str(error)


# Arrays as --at binds them (and as it refuses them: ragged, empty, nested too deep, not numbers)
ARRAYS = st.recursive(
    NUMBER | st.sampled_from(["1e999", '"a"', "true", "null", "NaN"]),
    lambda inner: st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    max_leaves=12,
) | st.sampled_from(["[]", "[[]]", "[[1, 2], [3]]", "[1,]", "[ 1 ,2 ]", "[" * 40 + "]" * 40])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(KEYS, TOKENS | ARRAYS), max_size=5), SPACE)
def test_bindings_from_json_say_the_same_through_the_compiled_reader(items, space):
    text = document(items, space)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = outcome(text, True, monkeypatch), outcome(text, False, monkeypatch)
    assert fast[0] == slow[0]
    if fast[0] == "ok":
        assert list(fast[1]) == list(slow[1]) and repr(fast[1]) == repr(slow[1])
    else:
        assert fast == slow


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"\A[a-z_][a-z0-9_]{0,2}\Z"), ARRAYS), max_size=6))
def test_point_reads_arrays_as_json_loads_when_asked(items):
    text = "{" + ", ".join(f'"{k}": {v}' for k, v in items) + "}"
    got = cjson.point(text, True)
    if got is not None:
        assert got == json.loads(text, parse_int=float)
        assert repr(got) == repr(json.loads(text, parse_int=float))  # -0.0 stays -0.0
    if any(v.startswith("[") for _, v in items):
        assert cjson.point(text) is None  # not asked for arrays: json's to read


def test_constants_and_edge_documents_go_the_same_way(monkeypatch):
    for text in ['{"pi": 1}', '{"x": 1, "e": 2}', "{}", " {} ", '{"x": 1e999}', "[1]", "{"]:
        assert outcome(text, True, monkeypatch) == outcome(text, False, monkeypatch), text
    assert cjson.point('{"x": 1, "x": -0}') == {"x": -0.0}
    assert cjson.point("\ufeff{}") is None and cjson.point(b"{}") is None


FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 5e-324, 1e16, 1.7976931348623157e308, -2.2250738585072014e-308, 0.1]
)
NAMES = st.text(alphabet='xy_09"\\é\n\x7f ', min_size=0, max_size=3) | st.sampled_from(["W[1,0]"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(NAMES, FLOATS), max_size=6), FLOATS, st.booleans())
def test_gradient_is_dumps_gradient_or_declines(items, value, shuffle):
    names = list(dict.fromkeys(n for n, _ in items))
    values = [dict(items)[n] for n in names]
    nodes = list(range(len(names)))[:: -1 if shuffle else 1]
    adjoint = array("d", [0.0] * len(names))
    for node, v in zip(nodes, values):
        adjoint[node] = v
    inputs = dict(zip(names, nodes))
    text = cjson.gradient(value, inputs, adjoint)
    assert text == dumps_gradient(value, names, values)


def test_gradient_declines_what_is_not_its_own():
    adjoint = array("d", [0.5, -0.0])
    assert cjson.gradient(1.0, {"x": 0, "y": 1}, adjoint) == (
        '{"value": 1.0, "gradient": {"x": 0.5, "y": -0.0}}'
    )
    for value, inputs, adj in [
        (1, {"x": 0}, adjoint),  # an int value
        (1.0, {"x": 2}, adjoint),  # a node outside the adjoint
        (1.0, {"x": -1}, adjoint),
        (1.0, {"x": True}, adjoint),
        (1.0, {"x": 0}, [0.5]),  # no buffer of doubles
        (1.0, {"x": 0}, array("f", [0.5])),
        (1.0, {}, adjoint),
    ]:
        assert cjson.gradient(value, inputs, adj) is None


def test_wide_eval_json_same_bytes_compiled_and_pure(tmp_path):
    n = 3000
    text = " + ".join(f"x{k}*sin(x{k})" for k in range(n)) + "\n"
    point = {f"x{k}": (-1) ** k * 10.0 ** (k % 40 - 20) / 3 for k in range(n)}
    point["x7"] = -0.0
    (tmp_path / "p.adc").write_text(text)
    (tmp_path / "at.json").write_text(json.dumps(point, indent=1))
    command = [sys.executable, "-m", "adcli", "eval", "-f", "p.adc", "--at", "at.json", "--json"]
    outs = []
    for pure in ("0", "1"):
        env = {**os.environ, "ADCLI_PURE": pure}
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        outs.append(done.stdout)
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["gradient"].keys() == point.keys()


def test_scatter_binds_as_program_bind_or_declines():
    from adcli.parse import parse

    program = parse("a*b + sin(c) + b")
    inputs = program.inputs
    values = array("d", [7.0]) * len(program.tape)
    assert cjson.scatter(values, inputs, {"a": 0.5, "b": -2.0, "c": 1e300})
    for node, value in program.bind({"a": 0.5, "b": -2.0, "c": 1e300}).items():
        assert values[node] == value
    for point in [
        {"b": -2.0, "a": 0.5, "c": 1.0},  # another order: Program.bind's lookups
        {"a": 0.5, "b": 2, "c": 1.0},  # an int: float() is Program.bind's
        {"a": 0.5, "b": 2.0},  # one unbound: Program.bind's error
        {"a": 0.5, "b": 2.0, "c": 1.0, "d": 1.0},
        {"a": 0.5, "b": 2.0, "z": 1.0},
    ]:
        assert not cjson.scatter(array("d", values), inputs, point), point
    assert not cjson.scatter(array("d", [0.0]), inputs, {"a": 0.5, "b": -2.0, "c": 1.0})
    assert not cjson.scatter(array("f", values), inputs, {"a": 0.5, "b": -2.0, "c": 1.0})


@pytest.mark.parametrize(
    "point",
    [
        {"x0": 0.5, "x1": -1.5, "y": 2.0},
        {"y": 2.0, "x0": 0.5, "x1": -1.5},
        {"x0": 1, "x1": -1.5, "y": True},
        {"x0": 0.5, "y": 2.0},
        {"x0": 0.5, "x1": -1.5, "q": 2.0},
        {"x0": 0.5, "x1": -1.5, "y": 2.0, "q": 1.0},
        {"x0": 0.5, "x1": -1.5, "y": -2.0},
    ],
)
def test_gradient_binds_an_unbound_point_as_program_bind(monkeypatch, point):
    from adcli.engine import sweep
    from adcli.parse import parse

    program = parse("x0*sin(x1) + log(y) + x1*y")

    def run(unbound: bool):
        monkeypatch.setattr(sweep, "COMPILED_FROM", 0)
        monkeypatch.setattr(sweep, "UNBOUND_FROM", 0 if unbound else 10**12)
        try:
            result = sweep.gradient(program, point)
            return result.value, result.gradient, result.adjoint.tobytes()
        except Exception as error:  # the same kind and message
            return type(error), str(error)

    fast = run(True)
    assert type(sweep._bound(program, point)) is sweep.Unbound  # bound in _start
    assert fast == run(False)


def test_a_build_without_scatter_binds_by_program_bind(monkeypatch):
    from types import SimpleNamespace

    from adcli.engine import sweep
    from adcli.parse import parse

    program = parse("x*y + sin(x)")
    monkeypatch.setattr(sweep, "COMPILED_FROM", 0)
    monkeypatch.setattr(sweep, "UNBOUND_FROM", 0)
    assert type(sweep._bound(program, {"x": 0.5, "y": 4.2})) is sweep.Unbound
    monkeypatch.setitem(native._loaded, "_cjson", SimpleNamespace(point=None, gradient=None))
    assert sweep._bound(program, {"x": 0.5, "y": 4.2}) == program.bind({"x": 0.5, "y": 4.2})
    assert sweep.gradient(program, {"x": 0.5, "y": 4.2}).gradient == {
        "x": 5.077582561890373,
        "y": 0.5,
    }


def test_finite_says_whether_every_input_adjoint_is_finite(monkeypatch):
    from adcli.engine import sweep
    from adcli.parse import parse

    adjoint = array("d", [1.0, float("inf"), -0.0])
    assert cjson.finite(adjoint, {"x": 0, "y": 2}) is True
    assert cjson.finite(adjoint, {"x": 0, "y": 1}) is False
    assert cjson.finite(adjoint, {"x": 3}) is None and cjson.finite([1.0], {"x": 0}) is None
    # A partial that is not finite: the same error through the compiled check as without it.
    program, point = parse("sqrt(x0) + x1*y"), {"x0": 0.0, "x1": 2.0, "y": 3.0}
    said = []
    for unbound in (0, 10**12):
        monkeypatch.setattr(sweep, "COMPILED_FROM", 0)
        monkeypatch.setattr(sweep, "UNBOUND_FROM", unbound)
        with pytest.raises(Exception) as error:
            sweep.gradient(program, point)
        said.append((type(error.value), str(error.value)))
    assert said[0] == said[1] and "sqrt" in said[0][1]


def test_point_puts_a_rebound_name_where_it_was_first_bound_and_declines_late():
    names = [f"x{i}" for i in range(50)]
    text = "{" + ", ".join(f'"{n}": {i}' for i, n in enumerate(names)) + ', "x3": 0.25}'
    got = cjson.point(text)
    assert list(got) == names and got["x3"] == 0.25  # json.loads': the later value, first place
    assert same_dict(got, json.loads(text, parse_int=float))
    assert cjson.point(text[:-1] + ', "y": true}') is None  # the 52nd binding: json's to read


JSON_VALUES = st.recursive(
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(-(10**30), 10**30)
    | st.booleans()
    | st.none()
    | st.just("text"),  # not its own: json writes it
    lambda inner: st.lists(inner, max_size=6)
    | st.tuples(inner)
    | st.dictionaries(KEYS | st.sampled_from(['a"b', "\x7f", "ok"]) | st.integers(0, 3), inner,
                      max_size=5),
    max_leaves=40,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_dumps_is_json_dumps_or_declines(obj):
    """_cjson.dumps (environment.dumps of a large value): json.dumps' very text, or None where
    json.dumps must write it (or raise its own error)."""
    got = cjson.dumps(obj)
    if got is None:
        return
    assert got == json.dumps(obj, allow_nan=False)


def test_dumps_writes_large_array_gradients_as_json(monkeypatch):
    from adcli import environment

    rng = __import__("random").Random(5)
    gradient = {"x": [rng.uniform(-2, 2) for _ in range(3000)], "W": [[1e22, -0.0], [5e-324, 3.0]]}
    obj = {"value": 0.1, "gradient": gradient}
    assert cjson.dumps(obj) == json.dumps(obj) == environment.dumps(obj)
    deep: list = []
    for _ in range(150):
        deep = [deep]
    assert cjson.dumps([[[[]]]]) == "[[[[]]]]" and cjson.dumps(deep) is None  # json's to write
    assert cjson.dumps([10**5000]) is None  # past int's digit limit: json raises its own error
    monkeypatch.setattr(native, "load", lambda name: None)  # without the compiled core: the same
    assert environment.dumps(obj) == json.dumps(obj)
    with pytest.raises(ValueError):  # a non-finite number is json's error, as before
        environment.dumps({"x": [float("inf")] * 300})
