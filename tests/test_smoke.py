"""The contract's first example, end to end through the installed console script."""

from conftest import run_adcli, strict_json


def test_golden_example_json():
    done = run_adcli("eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'
    )
    data = strict_json(done.stdout)
    assert list(data["gradient"]) == ["x", "y"]
