"""The wheel: the grammar ships inside it, and the example runs from a non-editable install.

Builds the wheel (pip fetches the build backend, hatchling, from the package index), installs it
with ``pip install --no-deps --target`` and runs it with ``PYTHONPATH`` pointing there, from a
directory outside the checkout, so nothing can come from the source tree.  The run-time
dependencies come from the current environment.  Skipped cleanly when the wheel cannot be built
here (no network, no pip).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, strict_json

GOLDEN = '{"value": 2.579425538604203, "gradient": {"x": 5.077582561890373, "y": 0.5}}\n'


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot build the wheel here: {exc}")
    wheels = list(out.glob("adcli-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        pytest.skip(f"cannot build the wheel here: {done.stderr.strip()[-400:]}")
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return target


def run_installed(target, *args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(target), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_wheel_holds_the_grammar_and_the_tables(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "adcli/grammar/adcli.lark" in names
        assert "adcli/_tables.py" in names
        assert (
            archive.read("adcli/grammar/adcli.lark")
            == (ROOT / "grammar" / "adcli.lark").read_bytes()
        )
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "adcli = adcli.cli:main" in archive.read(entry_points).decode()
    assert not any(name.startswith("tests/") for name in names)


def test_installed_package_uses_its_own_grammar(installed, tmp_path):
    code = (
        "import adcli, adcli._tables as t, adcli.grammar_tables as g;"
        "p = g.grammar_path();"
        "print(adcli.__file__); print(p);"
        "print(g.grammar_crc(open(p, 'rb').read()) == t.GRAMMAR_CRC)"
    )
    done = run_installed(installed, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    module, grammar, fresh = done.stdout.split("\n")[:3]
    assert module.startswith(str(installed))
    assert grammar == os.path.join(str(installed), "adcli", "grammar", "adcli.lark")
    assert fresh == "True"  # the frozen tables match the grammar: no lark at start-up


def test_installed_package_runs_the_example(installed, tmp_path):
    done = run_installed(
        installed,
        "-m",
        "adcli",
        "eval",
        "x*y+sin(x)",
        "--x",
        "0.5",
        "--y",
        "4.2",
        "--json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == GOLDEN
    done = run_installed(installed, "-m", "adcli", "eval", "x +", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("adcli: syntax error at 1:4")


def test_installed_library_api(installed, tmp_path):
    code = (
        "import json, adcli;"
        "r = adcli.compile('h = tanh(w*x + b); (h - t)^2').gradient(w=0.5, x=2.0, b=-0.3, t=1.0);"
        "print(json.dumps([r.value, r.gradient]))"
    )
    done = run_installed(installed, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    value, gradient = strict_json(done.stdout)
    assert list(gradient) == ["w", "x", "b", "t"]
    assert value == pytest.approx(0.15652485578321435, rel=1e-15)


def test_one_version_source():
    """pyproject.toml holds the version; the package reads it back from its metadata."""
    import importlib.metadata
    import tomllib

    import adcli

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert importlib.metadata.version("adcli") == declared == adcli.__version__
    assert not any(
        "__version__ =" in path.read_text() for path in (ROOT / "adcli").rglob("*.py")
    ), "the version is written in pyproject.toml only"


def test_license_and_typing_marker_ship_in_the_wheel(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert "adcli/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    text = metadata.decode()
    assert "License-Expression: MIT" in text
    assert "Classifier: Typing :: Typed" in text and "Keywords:" in text
    lark = [line for line in text.splitlines() if line.startswith("Requires-Dist: lark")]
    assert lark and all("extra ==" in line for line in lark)  # never needed at run time


def test_an_edited_grammar_without_lark_says_what_to_do():
    code = (
        "import sys; sys.modules['lark'] = None\n"
        "from adcli.grammar_tables import build\n"
        "try:\n    build('start: NAME')\n"
        "except Exception as exc:\n    print(type(exc).__name__, exc.status, exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.startswith("AdcliError 2 grammar/adcli.lark differs"), done.stderr
    assert "pip install" in done.stdout and "python -m adcli.grammar_tables" in done.stdout
