"""Arrays and data sets end to end, as ratios against baselines measured in the same run.

1. ``sum(x^2)`` with x a vector of N = 10^6 elements read from a file (``--at x.json``), against
   the same-size scalar program ``x0^2 + x1^2 + ... `` (N names, bound by ``--at`` from a file of N
   names).  Both as fresh ``adcli eval --json`` processes, start-up and output included.
   Target (issue 12 point 7): the array program within 2x the scalar one (ratio <= 2).
2. The same vector from a one-column CSV (``--data x.csv``) instead of JSON; and ``adcli jvp``
   of it along a second column ``dx`` (the direction, as long as the data).
3. ``--data`` with 10^6 rows: ``mean((w*a + b - y)^2)`` over a three-column CSV (3 x 10^6 cells),
   end to end; and reading the columns alone in-process (``stream.csvdata.read_columns``), against
   ``numpy.loadtxt`` of the same file as a baseline.
Peak memory is the process's max RSS (``ru_maxrss`` of the child), next to the bytes the data
needs as doubles.  ``--baseline DIR`` runs the array rows again with an older adcli (``DIR`` holds
its ``adcli`` package, e.g. ``git archive 2fc75df adcli | tar -x -C DIR``; run as
``python -m adcli`` with ``PYTHONPATH=DIR``) and prints its seconds and peak memory beside:
before/after numbers from the same run (issue 12 point 4: 10^6 rows cost the columns' memory,
not Python objects per cell).

Run: ``python bench/arrays.py`` (``--quick`` for N = 10^5; ``--sizes 1e5,1e6`` for several;
``--repeat K`` for medians of K runs; ``--no-scalar`` skips the slow scalar baseline program).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ADCLI = os.path.join(os.path.dirname(sys.executable), "adcli")


def measure(args: list[str], repeat: int, baseline: str | None = None) -> tuple[float, float]:
    """Median wall seconds and the largest max RSS (MB) of ``adcli ARGS`` as fresh processes
    (the adcli in ``baseline``, a folder holding an ``adcli`` package, when given)."""
    command, env, cwd = [ADCLI], None, None
    if baseline is not None:  # run from DIR: `-m` puts the working folder first on the path
        command, cwd = [sys.executable, "-m", "adcli"], os.path.abspath(baseline)
        env = {**os.environ, "PYTHONPATH": cwd}
        # Byte-compiled once, as the installed adcli is: start-up must not count compiling.
        subprocess.run([sys.executable, "-m", "compileall", "-q", cwd], check=True)
    times, peaks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        child = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"adcli {' '.join(args)[:80]}... failed: status {child.returncode}")
        peaks.append(usage.ru_maxrss / 1024)  # KB on Linux
    return statistics.median(times), max(peaks)


def write_files(folder: str, n: int) -> dict[str, str]:
    rng = random.Random(12)
    x = [round(rng.uniform(-2, 2), 6) for _ in range(n)]
    paths = {
        name: os.path.join(folder, name)
        for name in ("x.json", "x.csv", "xdx.csv", "scalar.adc", "scalar.json", "data.csv")
    }
    with open(paths["x.json"], "w") as handle:
        json.dump({"x": x}, handle)
    with open(paths["x.csv"], "w") as handle:
        handle.write("x\n" + "\n".join(map(repr, x)) + "\n")
    with open(paths["xdx.csv"], "w") as handle:
        handle.write("x,dx\n" + "".join(f"{a!r},{(k % 5 - 2) / 4}\n" for k, a in enumerate(x)))
    with open(paths["scalar.adc"], "w") as handle:
        handle.write(" + ".join(f"x{k}^2" for k in range(n)) + "\n")
    with open(paths["scalar.json"], "w") as handle:
        json.dump({f"x{k}": v for k, v in enumerate(x)}, handle)
    with open(paths["data.csv"], "w") as handle:
        handle.write("a,b,y\n")
        for k in range(n):
            a = x[k]
            handle.write(f"{a!r},{k % 7},{2.5 * a - 1 + (k % 11) * 0.01:.6f}\n")
    return paths


def read_alone(path: str, repeat: int) -> tuple[float, float]:
    """Seconds to read the columns in-process: adcli's reader, numpy.loadtxt."""
    import numpy as np

    from adcli.stream.csvdata import read_columns

    ours, theirs = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        read_columns(path)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        np.loadtxt(path, delimiter=",", skiprows=1)
        theirs.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 10^5 instead of 10^6")
    parser.add_argument("--sizes", help="comma-separated N, e.g. 1e5,1e6 (default: 1e6)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--baseline", metavar="DIR", help="an older adcli to compare (see above)")
    parser.add_argument("--no-scalar", action="store_true", help="skip the scalar program")
    options = parser.parse_args()
    sizes = [int(float(n)) for n in options.sizes.split(",")] if options.sizes else []
    for n in sizes or [100_000 if options.quick else 1_000_000]:
        run_size(n, options)


def run_size(n: int, options) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = write_files(folder, n)
        runs = {
            "sum(x^2), x from --at x.json": ["eval", "sum(x^2)", "--at", paths["x.json"], "--json"],
            "sum(x^2), x from --data x.csv": [
                "eval",
                "sum(x^2)",
                "--data",
                paths["x.csv"],
                "--json",
            ],
            "jvp sum(x^2), x and dx from --data": [
                *("jvp", "sum(x^2)", "--data", paths["xdx.csv"], "--json"),
            ],
            "--data N rows x 3 columns": [
                "eval",
                "mean((w*a + b - y)^2)",
                "--data",
                paths["data.csv"],
                "--w",
                "2",
                "--b",
                "-1",
                "--json",
            ],
        }
        scalar = [
            *("eval", "-f", paths["scalar.adc"], "--at", paths["scalar.json"]),
            *("--json", "--max-size", "1G"),
        ]
        results = {}
        if not options.no_scalar:
            results[SCALAR] = measure(scalar, options.repeat)
        results.update((label, measure(args, options.repeat)) for label, args in runs.items())
        before = {}
        if options.baseline:
            before = {
                label: measure(args, options.repeat, options.baseline)
                for label, args in runs.items()
            }
        ours, numpy_time = read_alone(paths["data.csv"], options.repeat)
    report(n, options, results, before, ours, numpy_time)


SCALAR = "scalar program, N names (--at)"


def report(n: int, options, results: dict, before: dict, ours: float, numpy_time: float) -> None:
    base = results[SCALAR][0] if SCALAR in results else None
    print(f"Arrays end to end, N = {n:,} elements (median of {options.repeat}; fresh processes)")
    head = f"{'':34} {'seconds':>9} {'vs scalar':>10} {'peak MB':>9}"
    if before:
        head += f" {'baseline s':>11} {'baseline MB':>12}"
    print(head)
    for label, (seconds, peak) in results.items():
        ratio = f"{seconds / base:9.2f}x" if base else f"{'-':>10}"
        line = f"{label:34} {seconds:9.2f} {ratio} {peak:9.0f}"
        if label in before:
            line += f" {before[label][0]:11.2f} {before[label][1]:12.0f}"
        print(line)
    print(f"(one vector of N doubles is {8 * n / 1e6:.0f} MB; three columns {24 * n / 1e6:.0f} MB)")
    if before:
        print(f"(baseline: the adcli in {options.baseline}, same run, same files)")
    print()
    print(f"Reading the {n:,}-row CSV's 3 columns in-process")
    print(f"{'stream.csvdata.read_columns':34} {ours:9.2f}")
    print(f"{'numpy.loadtxt (baseline)':34} {numpy_time:9.2f} {ours / numpy_time:9.2f}x")
    if base:
        ratio = results["sum(x^2), x from --at x.json"][0] / base
        verdict = "met" if ratio <= 2 else "NOT met"
        print(
            f"\nTarget: array program within 2x the same-size scalar program: {ratio:.2f}x ({verdict})"
        )
    print()


if __name__ == "__main__":
    main()
