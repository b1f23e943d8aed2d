"""The sweeps on a built tape: adcli's compiled core, its pure-Python path and a plain C loop.

    python bench/sweeps.py                      # wide, deep, mlp at 10^4, 10^5, 10^6 nodes
    python bench/sweeps.py --sizes 1e6 --runs 5 --workloads mlp

For each workload the program text is parsed once; then, on that one tape, value + every
partial (``sweep.forward`` + ``sweep.backward``, array set-up included) is timed on the compiled
path and on the pure-Python one, and a plain C loop (gcc -O2, written out below: a switch over
the few op codes the workloads use, every partial computed, no checks) sweeps the same arrays,
in turns.  Times are medians; the issue's target is compiled ≤ 3× the plain loop.  Without gcc or the
compiled core the missing columns say so.  ``bench/run.py`` calls ``measure`` for its table.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from workloads import WORKLOADS  # noqa: E402

from adcli import native  # noqa: E402
from adcli.engine import sweep  # noqa: E402
from adcli.parse import parse  # noqa: E402
from adcli.primitives import CODES, OPERATORS  # noqa: E402

# The plain loop: values and both partials of every node, then the reverse accumulation, with
# the simplest rule for each op (tanh' = 1 - t², pow's d/dx = y·x^(y-1)), over the tape's own
# arrays; one call is one point (the inputs bound, forward, backward) and returns its seconds.
FLOOR_C = r"""
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { ADD, SUB, MUL, DIV, NEG, POW, SIN, COS, TANH, EXP, LOG, KNOWN };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

double floor_sweep(long n, const unsigned char *op, const int *arg0, const int *arg1,
                   const double *cst, long ni, const int *in_nodes, const double *in_values,
                   const int *codes, double *v, double *g0, double *g1, double *adj, long output)
{
    int rule[256];
    for (int k = 0; k < 256; k++)
        rule[k] = -1;
    for (int r = 0; r < KNOWN; r++)
        rule[codes[r]] = r;
    double t0 = now();
    memcpy(v, cst, 8 * n);
    for (long k = 0; k < ni; k++)
        v[in_nodes[k]] = in_values[k];
    for (long i = 0; i < n; i++) {
        int k = op[i];
        if (k < 2) { g0[i] = g1[i] = 0.0; continue; }
        double x = v[arg0[i]], y = arg1[i] >= 0 ? v[arg1[i]] : 0.0, z;
        switch (rule[k]) {
        case ADD: z = x + y; g0[i] = 1.0; g1[i] = 1.0; break;
        case SUB: z = x - y; g0[i] = 1.0; g1[i] = -1.0; break;
        case MUL: z = x * y; g0[i] = y; g1[i] = x; break;
        case DIV: z = x / y; g0[i] = 1.0 / y; g1[i] = -z / y; break;
        case NEG: z = -x; g0[i] = -1.0; break;
        case POW: z = pow(x, y); g0[i] = y * pow(x, y - 1.0); g1[i] = z * log(x); break;
        case SIN: z = sin(x); g0[i] = cos(x); break;
        case COS: z = cos(x); g0[i] = -sin(x); break;
        case TANH: z = tanh(x); g0[i] = 1.0 - z * z; break;
        case EXP: z = exp(x); g0[i] = z; break;
        case LOG: z = log(x); g0[i] = 1.0 / x; break;
        default: return -1.0; /* an op this loop has no rule for */
        }
        v[i] = z;
    }
    memset(adj, 0, 8 * n);
    adj[output] = 1.0;
    for (long i = output; i >= 0; i--) {
        double g = adj[i];
        if (g == 0.0 || op[i] < 2) continue;
        adj[arg0[i]] += g * g0[i];
        if (arg1[i] >= 0) adj[arg1[i]] += g * g1[i];
    }
    return now() - t0;
}
"""
FLOOR_OPS = ("add", "sub", "mul", "div", "neg", "pow", "sin", "cos", "tanh", "exp", "log")


def build_floor(directory: Path):
    """The plain loop compiled with gcc -O2 and loaded (ctypes), or None without a compiler."""
    import ctypes

    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        return None
    source, library = directory / "floor.c", directory / "floor.so"
    source.write_text(FLOOR_C)
    subprocess.run(
        [gcc, "-O2", "-shared", "-fPIC", "-o", str(library), str(source), "-lm"], check=True
    )
    function = ctypes.CDLL(str(library)).floor_sweep
    function.restype = ctypes.c_double
    return function


class Floor:
    """The plain loop bound to one tape and point: ``run()`` sweeps once, returns seconds."""

    def __init__(self, function, program, inputs: dict) -> None:
        import ctypes

        tape, n = program.tape, len(program.tape)
        self.keep = [
            tape.op,
            tape.arg0,
            tape.arg1,
            tape.const,
            array("i", inputs.keys()),
            array("d", inputs.values()),
            array("i", [OPERATORS.get(name) or CODES[(name, 1)] for name in FLOOR_OPS]),
            *(array("d", bytes(8 * n)) for _ in range(4)),
        ]
        pointers = [ctypes.c_void_p(a.buffer_info()[0]) for a in self.keep]
        self.args = [ctypes.c_long(n), *pointers[:4], ctypes.c_long(len(inputs)), *pointers[4:]]
        self.args.append(ctypes.c_long(program.output))
        self.function = function

    def run(self) -> float:
        seconds = self.function(*self.args)
        if seconds < 0:
            raise RuntimeError("the plain C loop has no rule for an op of this tape")
        return seconds


def one_sweep(program, inputs: dict, compiled: bool) -> float:
    """Seconds of value + every partial on the built tape (forward + backward) on one path."""
    saved = sweep.COMPILED_FROM
    sweep.COMPILED_FROM = 0 if compiled else math.inf
    try:
        start = time.perf_counter()
        s = sweep.forward(program.tape, inputs)
        sweep.backward(program.tape, s, program.output)
        return time.perf_counter() - start
    finally:
        sweep.COMPILED_FROM = saved


class Kernel:
    """The compiled core's own loops on arrays allocated once, as the plain loop's are (what
    ``sweep.forward`` + ``backward`` add to it is fresh result arrays and the checks)."""

    def __init__(self, program, inputs: dict) -> None:
        self.c = native.load("_csweep")
        self.program, self.inputs = program, inputs
        self.tape, n = program.tape, len(program.tape)
        self.need = sweep.needed_partials(self.tape)
        self.arrays = [array("d", bytes(8 * n)) for _ in range(4)]
        self.zeros = array("d", bytes(8 * n))

    def run(self) -> float:
        t, (values, g0, g1, adjoint) = self.tape, self.arrays
        start = time.perf_counter()
        values[:] = t.const
        ok = self.c.bind(values, self.inputs)
        ok = ok and self.c.forward(t.op, t.arg0, t.arg1, self.need, values, g0, g1)
        adjoint[:] = self.zeros
        adjoint[self.program.output] = 1.0
        ok = ok and self.c.backward(t.op, t.arg0, t.arg1, g0, g1, adjoint, self.program.output)
        seconds = time.perf_counter() - start
        if not ok:
            raise RuntimeError("the compiled core left this tape to Python")
        return seconds


def measure(workload: str, n: int, runs: int = 5, pure_runs: int = 3) -> dict:
    """One row: nodes and median seconds of the compiled sweeps (``compiled``: sweep.forward +
    backward; ``kernel``: the C loops alone on reused arrays), the pure-Python sweeps and the plain
    C loop (None where that path is missing here), measured in turns so that a busy machine slows
    them alike; ``compiled_over_floor`` and ``kernel_over_floor``: medians of the per-turn ratios."""
    w = WORKLOADS[workload]
    p = w.params(n)
    program = parse(w.text(p))
    inputs = program.bind(w.point(p))
    sweep.needed_partials(program.tape)  # cached on the tape, as for any point after the first
    kernel = Kernel(program, inputs)
    times: dict[str, list[float]] = {"compiled": [], "kernel": [], "pure": [], "c_floor": []}
    with tempfile.TemporaryDirectory(prefix="adcli-floor-") as tmp:
        function = build_floor(Path(tmp))
        floor = Floor(function, program, inputs) if function is not None else None
        for r in range(runs):
            if kernel.c is not None:
                times["compiled"].append(one_sweep(program, inputs, compiled=True))
                times["kernel"].append(kernel.run())
            if floor is not None:
                times["c_floor"].append(floor.run())
            if r < pure_runs:
                times["pure"].append(one_sweep(program, inputs, compiled=False))
    row = {"workload": workload, "nodes": len(program.tape)}
    row.update({k: statistics.median(v) if v else None for k, v in times.items()})
    # Ratios to the plain loop run by run (each pair measured back to back), then the median:
    # steadier than a ratio of medians when other processes come and go.
    for key in ("compiled", "kernel"):
        pairs = [a / b for a, b in zip(times[key], times["c_floor"])]
        row[f"{key}_over_floor"] = statistics.median(pairs) if pairs else None
    return row


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def times(x: float | None) -> str:
    return "—" if x is None else f"×{x:.2f}"


def ns(seconds: float | None, nodes: int) -> str:
    return "—" if seconds is None else f"{seconds / nodes * 1e9:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6")
    parser.add_argument("--workloads", default="wide,deep,mlp")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    print(
        f"adcli {native.describe()}; ns/node, medians; ratios to the plain C loop: medians of "
        "back-to-back pairs; target: compiled ≤ 3× the plain C loop"
    )
    print(
        f"{'workload':<8} {'nodes':>9} {'compiled':>9} {'C kernel':>9} {'pure':>9} {'plain C':>9}"
        f" {'pure/comp':>9} {'comp/C':>7} {'kern/C':>7} target"
    )
    ok = True
    for size in options.sizes.split(","):
        for name in options.workloads.split(","):
            r = measure(name, int(float(size)), options.runs, max(1, min(3, options.runs)))
            n = r["nodes"]
            speedup = ratio(r["pure"], r["compiled"])
            over, kernel = r["compiled_over_floor"], r["kernel_over_floor"]
            met = "—" if over is None else ("met" if over <= 3 else "NOT met")
            ok &= over is None or over <= 3
            print(
                f"{name:<8} {n:>9} {ns(r['compiled'], n):>9} {ns(r['kernel'], n):>9} "
                f"{ns(r['pure'], n):>9} {ns(r['c_floor'], n):>9} {times(speedup):>9} "
                f"{times(over):>7} {times(kernel):>7} {met}"
            )
    print("(one run on this machine; other processes may share its cores)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
