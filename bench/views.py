"""The views' cost: ``tree --all``, ``trace --all`` and ``dot`` against ``eval`` on the same program.

Each run is the installed console script in a subprocess writing into a pipe that is read to the
end (as ``| wc`` would); its peak memory is the child's own (``os.wait4``), its CPU time user +
system.  "head" is the time until the first line arrived and the reader left, with the exit
status (141: the view stopped at once).  Programs:

* ``chain N``: N lines, each using the line before twice (``h5 = h4*y + sin(h4)``), so the tree
  is about 2N levels deep — the case that used to cost depth² (1,000 lines: 15.6 s, 317 MB);
* ``nest N``: ``sin(sin(...sin(x)...))``, N + 1 nodes (the trace/dot stress case).

Prints medians of ``-n`` runs (default 3) and the ratios to ``eval`` measured in the same run;
what to expect: time and memory ratios that stay flat as N grows (linear), memory far below the
output's size for big outputs.

Run: ``python bench/views.py [-n 3] [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ADCLI = os.path.join(os.path.dirname(sys.executable), "adcli")
POINT = ["--x", "0.5", "--y", "0.9"]


def chain(lines: int) -> str:
    body = ["h0 = x*y + sin(x)"]
    body += [f"h{i} = h{i - 1}*y + sin(h{i - 1})" for i in range(1, lines)]
    return "\n".join([*body, f"h{lines - 1}"]) + "\n"


def nest(depth: int) -> str:
    return "sin(" * depth + "x*y" + ")" * depth + "\n"


def run_once(args: list[str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak memory (KB) and bytes written, reading to the end."""
    start = time.perf_counter()
    proc = subprocess.Popen([ADCLI, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    size = 0
    while chunk := proc.stdout.read(1 << 16):
        size += len(chunk)
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"adcli {' '.join(args)} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, size


def head_once(args: list[str]) -> tuple[float, int]:
    """Seconds until the first line arrived and the reader left, and the exit status."""
    start = time.perf_counter()
    proc = subprocess.Popen([ADCLI, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdout.readline()
    proc.stdout.close()
    status = proc.wait()
    return time.perf_counter() - start, status


def measure(args: list[str], repeat: int) -> dict:
    runs = [run_once(args) for _ in range(repeat)]
    heads = [head_once(args) for _ in range(repeat)]
    return {
        "wall": statistics.median(r[0] for r in runs),
        "cpu": statistics.median(r[1] for r in runs),
        "kb": statistics.median(r[2] for r in runs),
        "bytes": runs[0][3],
        "head": statistics.median(h[0] for h in heads),
        "status": heads[0][1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    options = parser.parse_args()
    cases = [("chain", n, chain(n)) for n in ((100, 300) if options.quick else (300, 1000, 3000))]
    cases += [("nest", n, nest(n)) for n in ((2_000,) if options.quick else (30_000, 120_000))]
    views = {
        "chain": (["tree", "--all"], ["trace", "--all"], ["dot"]),
        "nest": (["trace", "--all"], ["dot"], ["tree", "--all"]),
    }
    header = (
        f"{'program':<13} {'view':<12} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} "
        f"{'out MB':>7} {'x eval cpu':>10} {'x eval mem':>10} {'head s':>7} {'status':>6}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for kind, n, text in cases:
            path = os.path.join(tmp, f"{kind}{n}.adc")
            with open(path, "w") as f:
                f.write(text)
            base = measure(["eval", "-f", path, *POINT], options.n)
            rows = [("eval", base)]
            rows += [
                (" ".join(v), measure([*v, "-f", path, *POINT], options.n)) for v in views[kind]
            ]
            for view, m in rows:
                print(
                    f"{kind + ' ' + format(n, ','):<13} {view:<12} {m['wall']:>7.2f} "
                    f"{m['cpu']:>7.2f} {m['kb'] / 1024:>8.1f} {m['bytes'] / 1e6:>7.2f} "
                    f"{m['cpu'] / base['cpu']:>10.2f} {m['kb'] / base['kb']:>10.2f} "
                    f"{m['head']:>7.2f} {m['status']:>6}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
