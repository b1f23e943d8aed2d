"""The engine's one forward walk (``adcli.engine.walk``) and its one non-finite diagnosis."""

from __future__ import annotations

import math

import pytest

from adcli.engine import gradient, tangent_sweep
from adcli.engine.walk import walk
from adcli.errors import NonFiniteError
from adcli.parse import parse
from adcli.primitives import FIRST_PRIMITIVE


def test_walk_visits_operations_in_creation_order_and_leaves_when_asked():
    tape = parse("sin(x) * y + 2").tape
    seen = []
    walk(tape, bytes(len(tape)), lambda i, k, a, b, m: seen.append(("op", i, a, b)))
    # every operation, in order, with its arguments
    assert [i for _, i, _, _ in seen] == [
        i for i in range(len(tape)) if tape.op[i] >= FIRST_PRIMITIVE
    ]
    assert all((a, b) == (tape.arg0[i], tape.arg1[i]) for _, i, a, b in seen)
    everything = []
    walk(
        tape,
        bytes(len(tape)),
        lambda i, k, a, b, m: everything.append(i),
        leaf=lambda i, k: everything.append(i),
        end=3,
    )
    assert everything == [0, 1, 2]


def test_walk_recovers_a_node_and_resumes_after_it():
    tape = parse("log(x) + sqrt(x) + x").tape
    done, recovered = [], []

    def step(i, k, a, b, m):
        if i == 1:
            raise ValueError("math domain error")
        done.append(i)

    walk(tape, bytes(len(tape)), step, recover=lambda i, m: recovered.append(i))
    assert recovered == [1]
    assert done == [i for i in range(2, len(tape)) if tape.op[i] >= FIRST_PRIMITIVE]
    with pytest.raises(ZeroDivisionError):  # without a recovery, the error is the caller's
        walk(tape, bytes(len(tape)), lambda *node: 1 / 0)


# Reverse mode names the argument of a binary operation, forward mode the operation: one
# diagnosis (walk.non_finite_derivative) gives both, byte for byte as before it was shared.
@pytest.mark.parametrize(
    "text, point, reverse, forward_mode",
    [
        (
            "x ^ y",
            {"x": 0.0, "y": 0.5},
            "pow at 1:3: the derivative with respect to argument 1 is infinite at (0, 0.5)",
            "pow at 1:3: the derivative is infinite at (0, 0.5)",
        ),
        (
            "sqrt(x) + 1",
            {"x": 0.0},
            "sqrt at 1:1: the derivative is infinite at 0",
            "sqrt at 1:1: the derivative is infinite at 0",
        ),
        (
            "x*1e308 + x*1e308",
            {"x": 1e-300},
            "the gradient is not finite (it overflows)",
            None,
        ),
    ],
)
def test_one_non_finite_diagnosis_for_both_modes(text, point, reverse, forward_mode):
    program = parse(text)
    with pytest.raises(NonFiniteError) as caught:
        gradient(program, point)
    assert str(caught.value) == reverse
    if forward_mode is None:
        return
    with pytest.raises(NonFiniteError) as caught:
        tangent_sweep(program, point, {name: 1.0 for name in point})
    assert str(caught.value) == forward_mode


def test_forward_mode_reports_a_bad_value_as_eval_does():
    program = parse("exp(exp(x))")
    with pytest.raises(Exception) as reverse:
        gradient(program, {"x": 10.0})
    with pytest.raises(Exception) as forward_mode:
        tangent_sweep(program, {"x": 10.0}, {"x": 1.0})
    assert type(reverse.value) is type(forward_mode.value)
    assert str(forward_mode.value) == "exp at 1:1: the result overflows at 22026.465794806718"
    assert str(forward_mode.value) == str(reverse.value)
    assert math.isfinite(tangent_sweep(program, {"x": 1.0}, {"x": 1.0})[1])
