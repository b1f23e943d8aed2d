"""Smoke test of the benchmark: ``bench/run.py --quick`` with adcli alone (both of its paths) at
1000 nodes.

No timings are asserted (speed targets live in the bench's own table); this checks that the one
command runs, prints every section's table and writes its results, without needing torch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from adcli import native


def test_quick_bench_runs_adcli_alone(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--peers", "adcli",
         "--sizes", "1000", "--parse-mb", "0.01", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for heading in ("## Engine", "## Sweeps against plain C", "## Parser", "## End to end",
                    "## Arrays", "## Cold start", "## Targets"):  # fmt: skip
        assert heading in done.stdout
    assert "Machine: " in done.stdout
    results = json.loads((tmp_path / "latest.json").read_text())
    for peer in ("adcli", "adcli-pure"):  # both paths, side by side
        engine = {row["workload"]: row for row in results["engine"] if row["peer"] == peer}
        assert set(engine) == {"wide", "deep", "mlp"}
        for workload, row in engine.items():
            assert row["tape"] == row["nodes"], workload  # the builder makes the tape it promises
    # The CLI, reading the program text, agrees with the engine built from Var arithmetic, and
    # its two paths print the same bytes; so do the array programs.
    assert {row["path"] for row in results["cli"]} == {"compiled", "pure"}
    assert all(row.get("check") == "ok" for row in results["cli"] + results["arrays"])
    # The C floor ran (or says why not) and found adcli's value.
    floor = results["floor"]
    assert all("forward" in row or "skipped" in row.get("error", "") for row in floor)
    assert all(row["value"] == row["adcli_value"] for row in floor if "forward" in row)
    assert (tmp_path / "latest.md").read_text() == done.stdout


def test_baseline_bench_compares_against_an_older_adcli(tmp_path):
    # The installed adcli as its own baseline: every line must say the two paths agree and
    # the baseline's output is the same bytes (a real run passes v0.1's console script).
    me = shutil.which("adcli", path=os.path.dirname(sys.executable))
    assert me, "the adcli console script beside this Python"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "baseline.py"), "--baseline", me,
         "--rounds", "1", "--sizes", "200"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [
        line
        for line in done.stdout.splitlines()
        if line.strip().startswith(("wide", "deep", "mlp"))
    ]
    assert len(rows) == 3
    assert all(row.endswith("pure = compiled, = baseline") for row in rows), done.stdout


@pytest.mark.skipif(
    native.load("_cparse") is None or native.load("_csweep") is None,
    reason=f"the C variant needs the compiled core: {native.describe()}",
)
def test_alternatives_bench_runs_pure_and_c(tmp_path):
    # bench/alternatives.py without the compilers (they are not adcli dependencies): the table,
    # the rows that say why a variant is missing, and the check that the paths agree bit for bit.
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "alternatives.py"), "--variants", "pure,c",
         "--parse-sizes", "3000", "--sweep-sizes", "1000", "--rounds", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith(("| parse", "| sweeps"))]
    assert len(rows) == 6  # wide, deep, mlp × parse, sweeps
    assert all(cell.strip() for row in rows for cell in row.strip("|").split("|")), done.stdout
    assert "pure CPython, C core: the same tapes (checksum)" in done.stdout


def test_alternatives_copies_the_modules_unchanged_and_says_what_is_missing(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "bench"))
    import alternatives

    copy = alternatives.copy_package(tmp_path / "copy")
    for path in alternatives.HOT:
        assert (copy / "adcli" / path).read_bytes() == (ROOT / "adcli" / path).read_bytes()
    assert not list(copy.rglob("*.so")) and not (copy / "adcli" / "_native").exists()
    assert alternatives.compiled_modules(copy) == []
    monkeypatch.setattr(alternatives.importlib.util, "find_spec", lambda name: None)
    for variant, wheel in (("cython", "cython"), ("mypyc", "mypy")):
        assert alternatives.build(variant, tmp_path / variant) == {
            "error": f"not installed (pip install {wheel})"
        }
    assert alternatives.first_error("gcc -c x.c\nx.c:3: error: bad\nerror: failed") == (
        "x.c:3: error: bad"
    )
