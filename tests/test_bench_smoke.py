"""Smoke test of the benchmark: ``bench/run.py --quick`` with adcli alone at 1000 nodes.

No timings are asserted (speed targets live in the bench's own table); this checks that the one
command runs, prints every section's table and writes its results, without needing torch.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_quick_bench_runs_adcli_alone(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--peers", "adcli",
         "--sizes", "1000", "--parse-mb", "0.01", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for heading in ("## Engine", "## Parser", "## End to end", "## Cold start", "## Targets"):
        assert heading in done.stdout
    assert "Machine: " in done.stdout
    results = json.loads((tmp_path / "latest.json").read_text())
    engine = {row["workload"]: row for row in results["engine"]}
    assert set(engine) == {"wide", "deep", "mlp"}
    for workload, row in engine.items():
        assert row["peer"] == "adcli"
        assert row["tape"] == row["nodes"], workload  # the builder makes the tape it promises
    # The CLI, reading the program text, agrees with the engine built from Var arithmetic.
    assert all(row.get("check") == "ok" for row in results["cli"])
    assert (tmp_path / "latest.md").read_text() == done.stdout
