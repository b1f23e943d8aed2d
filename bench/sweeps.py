"""The sweeps on a built tape: adcli's compiled core, its pure-Python path and a plain C loop.

    python bench/sweeps.py                      # wide, deep, mlp at 10^4, 10^5, 10^6 nodes
    python bench/sweeps.py --sizes 1e6 --runs 5 --workloads mlp

For each workload the program text is parsed once; then, on that one tape, value + every
partial (``sweep.forward`` + ``sweep.backward``, array set-up included) is timed on the compiled
path and on the pure-Python one, and a plain C loop (gcc -O2, written out below: a switch over
the few op codes the workloads use, every partial computed, no checks) sweeps the same arrays.
Times are medians; the issue's target is compiled ≤ 3× the plain loop.  Without gcc or the
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
# the simplest rule for each op (tanh' = 1 - t², pow's d/dx = y·x^(y-1)).  argv: directory,
# runs, then the op codes of add sub mul div neg pow sin cos tanh exp log.
FLOOR_C = r"""
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *slurp(const char *dir, const char *name, long *bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END); *bytes = ftell(f); fseek(f, 0, SEEK_SET);
    void *p = malloc(*bytes ? *bytes : 1);
    if (fread(p, 1, *bytes, f) != (size_t)*bytes) { perror(path); exit(2); }
    fclose(f);
    return p;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 14) { fprintf(stderr, "usage\n"); return 2; }
    const char *dir = argv[1];
    int runs = atoi(argv[2]);
    int ADD = atoi(argv[3]), SUB = atoi(argv[4]), MUL = atoi(argv[5]), DIV = atoi(argv[6]),
        NEG = atoi(argv[7]), POW = atoi(argv[8]), SIN = atoi(argv[9]), COS = atoi(argv[10]),
        TANH = atoi(argv[11]), EXP = atoi(argv[12]), LOG = atoi(argv[13]);
    long nb, bytes;
    unsigned char *op = slurp(dir, "op", &nb);
    long n = nb;
    int *arg0 = slurp(dir, "arg0", &bytes), *arg1 = slurp(dir, "arg1", &bytes);
    double *cst = slurp(dir, "const", &bytes);
    long ib;
    double *inputs = slurp(dir, "inputs", &ib); /* (node, value) pairs as doubles */
    long ni = ib / 16;
    long output = n - 1;
    double *v = malloc(8 * n), *g0 = malloc(8 * n), *g1 = malloc(8 * n), *adj = malloc(8 * n);
    double *times = malloc(sizeof(double) * runs), check = 0.0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        memcpy(v, cst, 8 * n);
        for (long k = 0; k < ni; k++)
            v[(long)inputs[2 * k]] = inputs[2 * k + 1];
        for (long i = 0; i < n; i++) {
            int k = op[i];
            if (k < 2) { g0[i] = g1[i] = 0.0; continue; }
            double x = v[arg0[i]], y = arg1[i] >= 0 ? v[arg1[i]] : 0.0, z;
            if (k == ADD) { z = x + y; g0[i] = 1.0; g1[i] = 1.0; }
            else if (k == SUB) { z = x - y; g0[i] = 1.0; g1[i] = -1.0; }
            else if (k == MUL) { z = x * y; g0[i] = y; g1[i] = x; }
            else if (k == DIV) { z = x / y; g0[i] = 1.0 / y; g1[i] = -z / y; }
            else if (k == NEG) { z = -x; g0[i] = -1.0; }
            else if (k == POW) { z = pow(x, y); g0[i] = y * pow(x, y - 1.0); g1[i] = z * log(x); }
            else if (k == SIN) { z = sin(x); g0[i] = cos(x); }
            else if (k == COS) { z = cos(x); g0[i] = -sin(x); }
            else if (k == TANH) { z = tanh(x); g0[i] = 1.0 - z * z; }
            else if (k == EXP) { z = exp(x); g0[i] = z; }
            else if (k == LOG) { z = log(x); g0[i] = 1.0 / x; }
            else { fprintf(stderr, "the plain loop has no rule for op %d\n", k); return 3; }
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
        times[r] = now() - t0;
        check += v[output] + adj[0];
    }
    qsort(times, runs, sizeof(double), cmp);
    printf("%.9f %.17g\n", times[runs / 2], check);
    return 0;
}
"""
FLOOR_OPS = ("add", "sub", "mul", "div", "neg", "pow", "sin", "cos", "tanh", "exp", "log")


def build_floor(directory: Path) -> Path | None:
    """Compile the plain loop with gcc -O2, or None when there is no gcc."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        return None
    source, binary = directory / "floor.c", directory / "floor"
    source.write_text(FLOOR_C)
    subprocess.run([gcc, "-O2", "-o", str(binary), str(source), "-lm"], check=True)
    return binary


def floor_time(binary: Path, tape, inputs: dict, runs: int, directory: Path) -> float:
    """The plain C loop's median time over the tape's own arrays."""
    (directory / "op").write_bytes(tape.op.tobytes())
    (directory / "arg0").write_bytes(tape.arg0.tobytes())
    (directory / "arg1").write_bytes(tape.arg1.tobytes())
    (directory / "const").write_bytes(tape.const.tobytes())
    pairs = array("d")
    for node, value in inputs.items():
        pairs.extend((float(node), value))
    (directory / "inputs").write_bytes(pairs.tobytes())
    codes = [str(OPERATORS.get(name) or CODES[(name, 1)]) for name in FLOOR_OPS]
    done = subprocess.run(
        [str(binary), str(directory), str(runs), *codes], capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[0])


def sweeps_time(program, inputs: dict, runs: int, compiled: bool) -> float:
    """Median time of value + every partial on the built tape (forward + backward)."""
    saved = sweep.COMPILED_FROM
    sweep.COMPILED_FROM = 0 if compiled else math.inf
    try:
        tape, times = program.tape, []
        sweep.needed_partials(tape)  # cached on the tape, as for any second point
        for _ in range(runs):
            start = time.perf_counter()
            s = sweep.forward(tape, inputs)
            sweep.backward(tape, s, program.output)
            times.append(time.perf_counter() - start)
            del s
        return statistics.median(times)
    finally:
        sweep.COMPILED_FROM = saved


def measure(workload: str, n: int, runs: int = 5, pure_runs: int = 3) -> dict:
    """One row: nodes and median seconds of the compiled sweeps, the pure-Python sweeps and the
    plain C loop (None where that path is missing here)."""
    w = WORKLOADS[workload]
    p = w.params(n)
    program = parse(w.text(p))
    inputs = program.bind(w.point(p))
    row = {"workload": workload, "nodes": len(program.tape), "compiled": None, "c_floor": None}
    if sweep.compiled(program.tape) is not None or native.load("_csweep") is not None:
        row["compiled"] = sweeps_time(program, inputs, runs, compiled=True)
    row["pure"] = sweeps_time(program, inputs, pure_runs, compiled=False)
    with tempfile.TemporaryDirectory(prefix="adcli-floor-") as tmp:
        binary = build_floor(Path(tmp))
        if binary is not None:
            row["c_floor"] = floor_time(binary, program.tape, inputs, runs, Path(tmp))
    return row


def ns(seconds: float | None, nodes: int) -> str:
    return "—" if seconds is None else f"{seconds / nodes * 1e9:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6")
    parser.add_argument("--workloads", default="wide,deep,mlp")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    print(f"adcli {native.describe()}; ns/node, medians; target: compiled ≤ 3× the plain C loop")
    header = f"{'workload':<8} {'nodes':>9} {'compiled':>9} {'pure':>9} {'plain C':>9}"
    print(header + f" {'pure/comp':>9} {'comp/C':>7} target")
    ok = True
    for size in options.sizes.split(","):
        for name in options.workloads.split(","):
            r = measure(name, int(float(size)), options.runs, max(1, min(3, options.runs)))
            n = r["nodes"]
            speedup = r["pure"] / r["compiled"] if r["compiled"] else None
            ratio = r["compiled"] / r["c_floor"] if r["compiled"] and r["c_floor"] else None
            met = "—" if ratio is None else ("met" if ratio <= 3 else "NOT met")
            ok &= ratio is None or ratio <= 3
            print(
                f"{name:<8} {n:>9} {ns(r['compiled'], n):>9} {ns(r['pure'], n):>9} "
                f"{ns(r['c_floor'], n):>9} {'—' if speedup is None else f'×{speedup:.1f}':>9} "
                f"{'—' if ratio is None else f'×{ratio:.2f}':>7} {met}"
            )
    print("(one run on this machine; other processes may share its cores)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
