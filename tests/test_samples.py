"""Every sample in samples/ runs through the CLI, and its gradient matches centred differences.

A sample is ``NAME.adc`` (the program, with comments) and ``NAME.json`` (its point, for --at).
"""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, run_adcli, strict_json

import adcli

SAMPLE_NAMES = sorted(path.stem for path in SAMPLES.glob("*.adc"))


def run_sample(name: str, *extra: str):
    return run_adcli(
        "eval", "-f", str(SAMPLES / f"{name}.adc"), "--at", str(SAMPLES / f"{name}.json"), *extra
    )


def test_the_samples_the_issue_asks_for_are_there():
    assert {"seed", "softplus", "softplus_naive", "neuron", "two_layer", "logistic"} <= set(
        SAMPLE_NAMES
    )
    for name in SAMPLE_NAMES:
        assert (SAMPLES / f"{name}.json").exists(), name
        assert "#" in (SAMPLES / f"{name}.adc").read_text(), f"{name}.adc has no comment"


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_gradient_matches_centred_differences(name):
    done = run_sample(name, "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    data = strict_json(done.stdout)
    point = json.loads((SAMPLES / f"{name}.json").read_text())
    program = adcli.compile((SAMPLES / f"{name}.adc").read_text())
    assert list(data["gradient"]) == list(program.inputs)
    assert set(program.inputs) == set(point)
    assert data["value"] == program.value(point)
    for input_name in program.inputs:
        h = 1e-6 * max(1.0, abs(point[input_name]))
        up = program.value({**point, input_name: point[input_name] + h})
        down = program.value({**point, input_name: point[input_name] - h})
        expected = (up - down) / (2 * h)
        assert data["gradient"][input_name] == pytest.approx(expected, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_table(name):
    done = run_sample(name)
    assert done.returncode == 0, done.stderr
    rows = [line.split("│")[1].strip() for line in done.stdout.splitlines() if line.startswith("│")]
    program = adcli.compile((SAMPLES / f"{name}.adc").read_text())
    assert rows == ["f", *program.inputs]


def test_seed_sample_is_the_golden_example():
    done = run_sample("seed", "--json")
    assert done.stdout == (
        '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'
    )


def test_two_layer_network_has_a_dozen_parameters():
    program = adcli.compile((SAMPLES / "two_layer.adc").read_text())
    assert len(program.inputs) >= 12


# Far left the naive form loses relative accuracy (1 + e^-30 rounds), so compare where it is exact.
@pytest.mark.parametrize("x", ["-5", "-2.5", "0", "0.7", "3", "30", "700"])
def test_naive_softplus_agrees_with_the_primitive_where_it_does_not_overflow(x):
    naive = run_adcli("eval", "-f", str(SAMPLES / "softplus_naive.adc"), "--x", x, "--json")
    careful = run_adcli("eval", "-f", str(SAMPLES / "softplus.adc"), "--x", x, "--json")
    assert naive.returncode == careful.returncode == 0
    a, b = strict_json(naive.stdout), strict_json(careful.stdout)
    assert a["value"] == pytest.approx(b["value"], rel=1e-12, abs=0)
    assert a["gradient"]["x"] == pytest.approx(b["gradient"]["x"], rel=1e-12, abs=0)


def test_naive_softplus_overflows_at_1000_and_the_primitive_does_not():
    naive = run_adcli("eval", "-f", str(SAMPLES / "softplus_naive.adc"), "--x", "1000", "--json")
    assert naive.returncode == 1
    assert naive.stdout == ""
    assert naive.stderr.startswith("adcli: exp at 4:9:") and "overflows" in naive.stderr
    careful = run_adcli("eval", "-f", str(SAMPLES / "softplus.adc"), "--x", "1000", "--json")
    assert careful.returncode == 0
    assert strict_json(careful.stdout) == {"value": 1000.0, "gradient": {"x": 1.0}}
