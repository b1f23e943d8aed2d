"""Cold start of one ``adcli eval ... --json`` call, against ``python3 -c pass`` and ``qalc``.

Runs, interleaved so a noisy machine hits each alike, N times each:

* ``python3 -c pass`` — the floor: starting the same interpreter and doing nothing;
* ``adcli eval "x*y+sin(x)" --x 0.5 --y 4.2 --json`` — the installed console script;
* ``qalc -t "diff(x*y+sin(x), x)"`` — a calculator that differentiates (skipped, with a note,
  when ``qalc`` is not installed: ``apt-get install -y qalc``).

Prints the medians and the ratios (targets: adcli <= 5x python, and no slower than qalc), then the
modules that cost most at import (``python -X importtime``).  Byte-compiled files are written
first so a run measures start-up, not compilation.

Run: ``python bench/startup.py [-n 30]``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ADCLI = os.path.join(os.path.dirname(sys.executable), "adcli")
EVAL = [ADCLI, "eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json"]
PYTHON = [sys.executable, "-c", "pass"]
QALC = ["qalc", "-t", "diff(x*y+sin(x), x)"]


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def import_profile(top: int = 8) -> list[tuple[int, str]]:
    """The modules with the largest cumulative import time (µs) on the --json path."""
    code = "from adcli.cli import run; run(" + repr(EVAL[1:]) + ")"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            try:
                rows.append((int(cumulative), name.rstrip()))
            except ValueError:
                continue
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="runs of each command (default 20)")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(os.path.join(os.path.dirname(HERE), "adcli"), quiet=1)

    commands = {"python3 -c pass": PYTHON, "adcli eval --json": EVAL}
    if shutil.which("qalc"):
        commands["qalc -t diff(...)"] = QALC
    for command in commands.values():
        once(command)  # warm the page cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.n):
        for name, command in commands.items():
            times[name].append(once(command))

    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["python3 -c pass"]
    print(f"Cold start, median of {args.n} runs each (interleaved):")
    for name, median in medians.items():
        print(f"  {name:<20} {median * 1000:8.1f} ms   {median / base:5.2f}x python")
    adcli = medians["adcli eval --json"]
    print(f"  adcli / python       {adcli / base:8.2f}x      (target <= 5x)")
    if "qalc -t diff(...)" in medians:
        qalc = medians["qalc -t diff(...)"]
        print(f"  adcli / qalc         {adcli / qalc:8.2f}x      (target <= 1x)")
    else:
        print("  qalc not installed (apt-get install -y qalc): that comparison is skipped")
    print("Largest cumulative imports on that path (python -X importtime):")
    for micros, name in import_profile():
        print(f"  {micros / 1000:8.1f} ms  {name.strip()}")


if __name__ == "__main__":
    main()
