"""The optional compiled core: which path runs, and the compiled sweeps give Python's bits.

Tests of the compiled path skip with a reason where it is not built (no C compiler when
``pip install .`` ran) or where ``ADCLI_PURE=1`` forces pure Python, as in CI's second run.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from adcli import native
from adcli.engine import sweep
from adcli.parse import parse

compiled = native.load("_csweep")
needs_compiled = pytest.mark.skipif(
    compiled is None, reason=f"the compiled sweeps are not loaded: {native.describe()}"
)


def test_adcli_pure_forces_python():
    code = "from adcli import native; print(native.load('_csweep'), native.describe())"
    env = {**os.environ, "ADCLI_PURE": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout == "None pure Python (ADCLI_PURE=1)\n", done.stderr


def test_describe_names_the_path():
    said = native.describe()
    if native.pure():
        assert said.startswith("pure Python (ADCLI_PURE=")
    elif compiled is None:
        assert said == "pure Python (no compiled core built)"
    else:
        assert said.startswith("compiled core")


def both_paths(monkeypatch, program, point):
    """The gradient by the compiled sweeps and by pure Python (the same tape, the same point)."""
    monkeypatch.setattr(sweep, "COMPILED_FROM", 0)
    fast = sweep.gradient(program, point)
    monkeypatch.setattr(sweep, "COMPILED_FROM", math.inf)
    slow = sweep.gradient(program, point)
    return fast, slow


def same_bits(a, b) -> bool:
    return a.tobytes() == b.tobytes()


@needs_compiled
@pytest.mark.parametrize(
    "text",
    [
        "x*y + sin(x)",
        "h = tanh(w*x + b); (h - t)^2",
        "a = x*x; b = a*a; b*b + a/y + x",
        "max(x, y) * 0 + min(x, y) - atan2(y, x)",
    ],
)
def test_compiled_backward_gives_pythons_bits(monkeypatch, text):
    program = parse(text)
    point = {name: 0.25 + 0.5 * k for k, name in enumerate(program.inputs)}
    fast, slow = both_paths(monkeypatch, program, point)
    assert same_bits(fast.adjoint, slow.adjoint)
    assert fast.gradient == slow.gradient


@needs_compiled
def test_a_malformed_tape_is_left_to_python():
    from array import array

    op, arg0, arg1 = array("B", [0, 2]), array("i", [-1, 5]), array("i", [-1, -1])
    g = array("d", [0.0, 1.0])
    adjoint = array("d", [0.0, 1.0])
    assert compiled.backward(op, arg0, arg1, g, g, adjoint, 1) is False
    with pytest.raises(ValueError):
        compiled.backward(op, arg0, arg1, g, g, adjoint, 5)


@needs_compiled
def test_a_stale_build_is_ignored(monkeypatch):
    program = parse("x*y + sin(x)")
    monkeypatch.setattr(sweep, "COMPILED_FROM", 0)
    assert sweep.compiled(program.tape) is compiled
    monkeypatch.setattr(sweep, "_VERSION", sweep._VERSION + 1)  # C source newer than the build
    assert sweep.compiled(program.tape) is None
    monkeypatch.setattr(sweep, "_VERSION", sweep._VERSION - 1)
    monkeypatch.setattr(sweep, "_ROWS", sweep._ROWS + " new/1")  # a row added since
    assert sweep.compiled(program.tape) is None
    assert sweep.gradient(program, {"x": 0.5, "y": 4.2}).gradient == {
        "x": 5.077582561890373,
        "y": 0.5,
    }


def test_only_the_compiled_cores_modules_load():
    with pytest.raises(ValueError, match="not a compiled module of adcli: 'os'"):
        native.load("os")
