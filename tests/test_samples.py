"""Every sample in samples/ runs through the CLI, and its numbers are checked independently:
scalar samples against centred differences, array samples against numpy closed forms (and
scipy's Rosenbrock where scipy is installed).

A sample is ``NAME.adc`` (the program, with comments), ``NAME.json`` (its point, for --at) and,
for a sample over a data set, ``NAME.csv`` (its columns, for --data).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SAMPLES, run_adcli, strict_json

import adcli

SAMPLE_NAMES = sorted(path.stem for path in SAMPLES.glob("*.adc"))


def point_of(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def is_scalar(name: str) -> bool:
    no_arrays = not any(isinstance(v, list) for v in point_of(name).values())
    return no_arrays and not (SAMPLES / f"{name}.csv").exists()


SCALAR_SAMPLES = [name for name in SAMPLE_NAMES if is_scalar(name)]
ARRAY_SAMPLES = [name for name in SAMPLE_NAMES if not is_scalar(name)]


def sample_args(name: str) -> list[str]:
    args = ["-f", str(SAMPLES / f"{name}.adc"), "--at", str(SAMPLES / f"{name}.json")]
    if (SAMPLES / f"{name}.csv").exists():
        args += ["--data", str(SAMPLES / f"{name}.csv")]
    return args


def run_sample(name: str, *extra: str, command: str = "eval"):
    return run_adcli(command, *sample_args(name), *extra)


def sample_json(name: str, *extra: str, command: str = "eval") -> dict:
    done = run_sample(name, "--json", *extra, command=command)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return strict_json(done.stdout)


def columns(name: str) -> dict[str, np.ndarray]:
    data = np.loadtxt(SAMPLES / f"{name}.csv", delimiter=",", skiprows=1, ndmin=2)
    header = (SAMPLES / f"{name}.csv").read_text().splitlines()[0].split(",")
    return {column: data[:, k] for k, column in enumerate(header)}


def test_the_samples_the_issues_ask_for_are_there():
    assert {
        "seed",
        "softplus",
        "softplus_naive",
        "neuron",
        "two_layer",
        "logistic",
        "rosenbrock",
        "huber",
    } <= set(SAMPLE_NAMES)
    for name in SAMPLE_NAMES:
        assert (SAMPLES / f"{name}.json").exists(), name
        assert "#" in (SAMPLES / f"{name}.adc").read_text(), f"{name}.adc has no comment"
    assert (SAMPLES / "logistic.csv").exists() and (SAMPLES / "huber.csv").exists()


@pytest.mark.parametrize("name", SCALAR_SAMPLES)
def test_scalar_sample_gradient_matches_centred_differences(name):
    data = sample_json(name)
    point = point_of(name)
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
def test_sample_table_has_a_row_per_input_element(name):
    gradient = sample_json(name)["gradient"]
    done = run_sample(name)
    assert done.returncode == 0, done.stderr
    rows = [line.split("│")[1].strip() for line in done.stdout.splitlines() if line.startswith("│")]
    expected = ["f"]
    for input_name, partial in gradient.items():
        shape = np.shape(partial)  # every sample is short enough to show whole
        if not shape:
            expected.append(input_name)
        expected += [f"{input_name}[{','.join(map(str, k))}]" for k in np.ndindex(shape) if k]
    assert rows == expected


def test_seed_sample_is_the_golden_example():
    done = run_sample("seed", "--json")
    assert done.stdout == (
        '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'
    )


# --- array samples against closed forms -----------------------------------------------------


def rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def rosen_der(x):
    d = np.zeros_like(x)
    d[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    d[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return d


def rosen_hess(x):
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200.0 * x[i] ** 2 - 400.0 * x[i + 1] + 2.0
        h[i + 1, i + 1] += 200.0
        h[i, i + 1] = h[i + 1, i] = -400.0 * x[i]
    return h


def test_rosenbrock_in_n_dimensions_matches_its_closed_form():
    x = np.array(point_of("rosenbrock")["x"])
    data = sample_json("rosenbrock")
    assert data["value"] == pytest.approx(rosen(x), rel=1e-14)
    assert data["gradient"]["x"] == pytest.approx(rosen_der(x).tolist(), rel=1e-13, abs=1e-12)
    at_minimum = run_adcli(
        "eval", "-f", str(SAMPLES / "rosenbrock.adc"), "--x", json.dumps([1.0] * 50), "--json"
    )
    assert strict_json(at_minimum.stdout) == {"value": 0.0, "gradient": {"x": [0.0] * 50}}


def test_rosenbrock_hessian_matches_its_closed_form_by_element_name():
    x = np.array(point_of("rosenbrock")["x"])
    data = sample_json("rosenbrock", command="hessian")
    names = [f"x[{i}]" for i in range(len(x))]
    assert list(data["hessian"]) == names
    got = np.array([[data["hessian"][r][c] for c in names] for r in names])
    assert np.allclose(got, rosen_hess(x), rtol=1e-13, atol=1e-12)
    assert data["gradient"]["x"] == pytest.approx(rosen_der(x).tolist(), rel=1e-13, abs=1e-12)


def test_rosenbrock_against_scipy():
    optimize = pytest.importorskip("scipy.optimize")
    x = np.array([0.3, -0.8, 1.4, 2.0, -1.1, 0.6, 0.9])
    done = run_adcli(
        "hessian", "-f", str(SAMPLES / "rosenbrock.adc"), "--x", json.dumps(x.tolist()), "--json"
    )
    data = strict_json(done.stdout)
    assert data["value"] == pytest.approx(optimize.rosen(x), rel=1e-14)
    assert data["gradient"]["x"] == pytest.approx(optimize.rosen_der(x).tolist(), rel=1e-13)
    names = [f"x[{i}]" for i in range(len(x))]
    got = np.array([[data["hessian"][r][c] for c in names] for r in names])
    assert np.allclose(got, optimize.rosen_hess(x), rtol=1e-13, atol=1e-12)


def test_two_layer_network_matches_backpropagation_by_hand():
    p = {k: np.array(v) for k, v in point_of("two_layer").items()}
    w1, b1, w2, c = p["W1"], p["b1"], p["w2"], float(p["c"])
    assert w1.size + b1.size + w2.size + 1 >= 12  # a dozen parameters, four names
    points = [(np.array([0.5, -1.0]), 0.8), (np.array([-0.3, 0.9]), -0.2)]
    value, g_w1, g_b1, g_w2, g_c = 0.0, np.zeros_like(w1), np.zeros_like(b1), np.zeros(3), 0.0
    for x, t in points:
        h = np.tanh(w1 @ x + b1)
        e = float(w2 @ h + c - t)
        value += e * e / 2
        back = e * w2 * (1 - h * h)  # d(e^2/2)/d(pre-activation)
        g_w1 += np.outer(back, x)
        g_b1 += back
        g_w2 += e * h
        g_c += e
    data = sample_json("two_layer")
    assert list(data["gradient"]) == ["W1", "b1", "w2", "c"]
    assert data["value"] == pytest.approx(value, rel=1e-14)
    assert np.allclose(data["gradient"]["W1"], g_w1, rtol=1e-13, atol=1e-15)
    assert np.allclose(data["gradient"]["b1"], g_b1, rtol=1e-13, atol=1e-15)
    assert np.allclose(data["gradient"]["w2"], g_w2, rtol=1e-13, atol=1e-15)
    assert data["gradient"]["c"] == pytest.approx(g_c, rel=1e-13)


def softplus(z):
    return np.logaddexp(0.0, z)


def test_logistic_regression_over_a_csv_matches_its_closed_form():
    p, d = point_of("logistic"), columns("logistic")
    a, b, label = d["a"], d["b"], d["label"]
    n = len(a)
    z = p["w1"] * a + p["w2"] * b + p["c"]
    dz = (1 / (1 + np.exp(-z)) - label) / n  # d(mean cross-entropy)/dz
    data = sample_json("logistic")
    assert data["value"] == pytest.approx(
        float(np.mean(label * softplus(-z) + (1 - label) * softplus(z))), rel=1e-14
    )
    g = data["gradient"]
    assert list(g) == ["w1", "a", "w2", "b", "c", "label"]
    assert g["w1"] == pytest.approx(float(dz @ a), rel=1e-12)
    assert g["w2"] == pytest.approx(float(dz @ b), rel=1e-12)
    assert g["c"] == pytest.approx(float(dz.sum()), rel=1e-12)
    assert g["a"] == pytest.approx((dz * p["w1"]).tolist(), rel=1e-12)
    assert g["b"] == pytest.approx((dz * p["w2"]).tolist(), rel=1e-12)
    assert g["label"] == pytest.approx((-z / n).tolist(), rel=1e-12, abs=1e-15)


def test_huber_loss_with_where_matches_its_closed_form():
    p, d = point_of("huber"), columns("huber")
    x, y = d["x"], d["y"]
    w, b, delta = p["w"], p["b"], p["delta"]
    r = w * x + b - y
    inside = np.abs(r) <= delta
    assert inside.any() and not inside.all()  # both branches are taken: the sample means it
    n = len(x)
    value = np.mean(np.where(inside, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta)))
    dr = np.where(inside, r, delta * np.sign(r)) / n
    data = sample_json("huber")
    g = data["gradient"]
    assert data["value"] == pytest.approx(float(value), rel=1e-14)
    assert g["w"] == pytest.approx(float(dr @ x), rel=1e-12)
    assert g["b"] == pytest.approx(float(dr.sum()), rel=1e-12)
    assert g["delta"] == pytest.approx(float(np.mean(np.where(inside, 0, np.abs(r) - delta))))
    assert g["x"] == pytest.approx((dr * w).tolist(), rel=1e-12, abs=1e-15)
    assert g["y"] == pytest.approx((-dr).tolist(), rel=1e-12, abs=1e-15)


# --- softplus, naive and careful -------------------------------------------------------------


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
