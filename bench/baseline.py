"""This adcli against an older one, end to end: no regression on either path.

For each workload of ``bench/workloads.py`` (wide, deep, mlp) at each size, the same
``adcli eval -f PROGRAM --at POINT --json`` runs, interleaved round by round so a busy moment hits
all alike, by:

* the older console script given with ``--baseline`` (e.g. v0.1's ``.venv/bin/adcli``);
* this adcli forced to pure Python (``ADCLI_PURE=1``);
* this adcli as built (the compiled core where it was built).

It prints medians of CPU time (user + system of the child: steadier than wall time on a shared
machine) and of wall time, as ratios to the baseline, and whether the outputs are the same bytes.
The two paths of this adcli must always agree; the baseline may differ in the last bits where a
derivative rule was made more accurate since (tanh' as sech², for instance) — the line says so.

Run: ``python bench/baseline.py --baseline /path/to/v0.1/.venv/bin/adcli [--rounds 7]
[--sizes 1e4,1e5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workloads import WORKLOADS  # noqa: E402

NOW = shutil.which("adcli", path=os.path.dirname(sys.executable)) or "adcli"


def run(command: list[str], extra: dict[str, str]) -> tuple[float, float, bytes]:
    """CPU seconds, wall seconds and stdout of one fresh process."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "ADCLI_PURE")
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env={**env, **extra}, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return cpu, wall, done.stdout


def compare(baseline: str, sizes: list[int], rounds: int, work: Path) -> None:
    runners = {
        "baseline": (baseline, {}),
        "pure": (NOW, {"ADCLI_PURE": "1"}),
        "compiled": (NOW, {}),
    }
    print(
        f"{'workload':>8} {'nodes':>8}  {'baseline CPU':>12}  {'pure':>13}  {'compiled':>13}"
        f"  {'wall: pure':>10} {'compiled':>8}  outputs"
    )
    for name, workload in WORKLOADS.items():
        for n in sizes:
            p = workload.params(n)
            program, point = work / f"{name}{n}.adc", work / f"{name}{n}.json"
            program.write_text(workload.text(p))
            point.write_text(json.dumps(workload.point(p)))
            cpu = {k: [] for k in runners}
            wall = {k: [] for k in runners}
            out = {}
            for _ in range(rounds):
                for key, (exe, extra) in runners.items():
                    c, w, out[key] = run(
                        [exe, "eval", "-f", str(program), "--at", str(point), "--json"], extra
                    )
                    cpu[key].append(c)
                    wall[key].append(w)
            c = {k: statistics.median(v) for k, v in cpu.items()}
            w = {k: statistics.median(v) for k, v in wall.items()}
            paths = "pure = compiled" if out["pure"] == out["compiled"] else "PURE != COMPILED"
            old = "= baseline" if out["pure"] == out["baseline"] else _last_bits(out)
            print(
                f"{name:>8} {workload.nodes(p):>8}  {c['baseline']:>10.3f} s"
                f"  {c['pure'] / c['baseline']:>12.2f}x  {c['compiled'] / c['baseline']:>12.2f}x"
                f"  {w['pure'] / w['baseline']:>9.2f}x {w['compiled'] / w['baseline']:>7.2f}x"
                f"  {paths}, {old}",
                flush=True,
            )


def _last_bits(out: dict[str, bytes]) -> str:
    """How far the baseline's numbers are from this adcli's: the largest relative difference."""
    try:
        old, new = json.loads(out["baseline"]), json.loads(out["pure"])
        pairs = [(old["value"], new["value"])]
        pairs += [(old["gradient"][k], v) for k, v in new["gradient"].items()]
    except (ValueError, KeyError, TypeError):
        return "baseline output differs"
    worst = max(abs(a - b) / max(abs(a), abs(b), 1e-300) for a, b in pairs)
    return f"baseline within {worst:.0e} relative"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--baseline", required=True, metavar="ADCLI", help="an older console script"
    )
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument(
        "--sizes", default="1e4,1e5", help="nodes, comma-separated (default 1e4,1e5)"
    )
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    print(
        f"# {NOW} against {args.baseline}: medians of {args.rounds} interleaved rounds;"
        f" ratios to the baseline (< 1 is faster); load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as work:
        compare(args.baseline, sizes, args.rounds, Path(work))


if __name__ == "__main__":
    main()
