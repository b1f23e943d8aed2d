"""The float floor: a plain C loop (gcc -O2) sweeping the very arrays adcli's tape holds.

What a hand-written C program does with the tape once it is built: a forward loop (a ``switch``
on the op code computing the value and the local derivatives the activity mask asks for, with
the same formulas as adcli's rules: ``tanh``'s is 4·e^(-2|x|)/(1 + e^(-2|x|))²) and a reverse
loop accumulating adjoints.  No parsing, no checks, no Python: the limit the compiled core is
measured against ("sweeps within 3× of plain C").  It runs ``RUNS`` times with its arrays
reused (the floor), then ``RUNS`` times with fresh ones (``fresh_*``: what a program that
returns its results pays for new memory, as adcli's sweeps do).

Run by ``bench/run.py`` as ``python bench/floor.py WORKLOAD N RUNS BINARY``: parses the workload's
program text with adcli, writes op, arg0, arg1, the mask and the starting values to a file, runs
the compiled loop ``RUNS`` times on it and prints one JSON object (times, and the value and sum
of the partials the C loop found, next to adcli's own, for the check).
``compile_floor(folder)`` builds BINARY (None when there is no C compiler).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SOURCE = r"""
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec;
}
static void *slurp(FILE *f, size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p || fread(p, 1, bytes, f) != bytes) { fprintf(stderr, "short file\n"); exit(2); }
    return p;
}
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb"); int runs = atoi(argv[2]);
    int64_t head[2]; if (!f || fread(head, 8, 2, f) != 2) return 2;
    int64_t n = head[0], output = head[1];
    uint8_t *op = slurp(f, n), *need = slurp(f, n);
    int32_t *a0 = slurp(f, 4 * n), *a1 = slurp(f, 4 * n);
    double *start = slurp(f, 8 * n);
    double *v = malloc(8 * n), *g0 = calloc(n, 8), *g1 = calloc(n, 8), *adj = malloc(8 * n);
    double fwd[128], rev[128];
    if (runs > 64) runs = 64;
    /* runs with the arrays reused, then runs with fresh ones (what returning results costs) */
    for (int r = 0; r < 2 * runs; r++) {
        if (r >= runs) {
            free(v); free(g0); free(g1); free(adj);
            v = malloc(8 * n); g0 = calloc(n, 8); g1 = calloc(n, 8); adj = malloc(8 * n);
        }
        double t0 = now();
        memcpy(v, start, 8 * n);
        for (int64_t i = 0; i < n; i++) {
            double x = a0[i] >= 0 ? v[a0[i]] : 0.0, y = a1[i] >= 0 ? v[a1[i]] : 0.0, e;
            uint8_t m = need[i];
            switch (op[i]) {
            case OP_INPUT: case OP_CONST: break;
            case OP_ADD: v[i] = x + y; g0[i] = 1.0; g1[i] = 1.0; break;
            case OP_SUB: v[i] = x - y; g0[i] = 1.0; g1[i] = -1.0; break;
            case OP_MUL: v[i] = x * y; g0[i] = y; g1[i] = x; break;
            case OP_DIV: v[i] = x / y; g0[i] = 1.0 / y; g1[i] = -v[i] / y; break;
            case OP_NEG: v[i] = -x; g0[i] = -1.0; break;
            case OP_POW: v[i] = pow(x, y);
                if (m & 1) g0[i] = y == 0.0 ? 0.0 : y * pow(x, y - 1.0);
                if (m & 2) g1[i] = v[i] == 0.0 ? 0.0 : v[i] * log(x);
                break;
            case OP_SIN: v[i] = sin(x); if (m) g0[i] = cos(x); break;
            case OP_COS: v[i] = cos(x); if (m) g0[i] = -sin(x); break;
            case OP_EXP: v[i] = exp(x); if (m) g0[i] = v[i]; break;
            case OP_LOG: v[i] = log(x); if (m) g0[i] = 1.0 / x; break;
            case OP_TANH: v[i] = tanh(x);
                if (m) { e = exp(-2.0 * fabs(x)); g0[i] = 4.0 * e / pow(1.0 + e, 2.0); }
                break;
            default: fprintf(stderr, "op %d not in the floor\n", op[i]); return 3;
            }
        }
        double t1 = now();
        memset(adj, 0, 8 * n);
        adj[output] = 1.0;
        for (int64_t i = output; i >= 0; i--) {
            double g = adj[i];
            if (g == 0.0 || op[i] < OP_FIRST) continue;
            adj[a0[i]] += g * g0[i];
            if (a1[i] >= 0) adj[a1[i]] += g * g1[i];
        }
        double t2 = now();
        fwd[r] = t1 - t0; rev[r] = t2 - t1;
    }
    const char *keys[4] = {"forward", "backward", "fresh_forward", "fresh_backward"};
    for (int k = 0; k < 4; k++) {
        double *t = (k % 2 ? rev : fwd) + (k / 2) * runs;
        printf("%s\"%s\": [", k ? "], " : "{", keys[k]);
        for (int r = 0; r < runs; r++) printf("%s%.9f", r ? ", " : "", t[r]);
    }
    double gsum = 0.0;
    for (int64_t i = 0; i < n; i++) if (op[i] == OP_INPUT) gsum += adj[i];
    printf("], \"value\": %.17g, \"gsum\": %.17g}\n", v[output], gsum);
    return 0;
}
"""


def defines() -> list[str]:
    """The op codes, from adcli's primitive table (so the floor reads the tape adcli writes)."""
    from adcli.primitives import CODES, CONST, FIRST_PRIMITIVE, INPUT, OPERATORS

    codes = {"INPUT": INPUT, "CONST": CONST, "FIRST": FIRST_PRIMITIVE}
    codes |= {k.upper(): OPERATORS[k] for k in ("add", "sub", "mul", "div", "neg", "pow")}
    codes |= {k.upper(): CODES[(k, 1)] for k in ("sin", "cos", "exp", "log", "tanh")}
    return [f"-DOP_{name}={code}" for name, code in codes.items()]


def compile_floor(folder: Path) -> tuple[Path | None, str]:
    """Build the floor; (binary, how) or (None, why not)."""
    cc = shutil.which(os.environ.get("CC") or "gcc") or shutil.which("cc")
    if not cc:
        return None, "no C compiler found (gcc, cc or $CC)"
    folder.mkdir(parents=True, exist_ok=True)
    source, binary = folder / "floor.c", folder / "floor"
    source.write_text(SOURCE)
    flags = ["-O2", "-ffp-contract=off", "-fno-fast-math"]
    done = subprocess.run(
        [cc, *flags, *defines(), str(source), "-o", str(binary), "-lm"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return None, f"{Path(cc).name} failed: {done.stderr.strip()[:120]}"
    version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    return binary, f"{(version.splitlines() or [cc])[0]} {' '.join(flags)}"


def floor_task(workload_name: str, n: int, runs: int, binary: str) -> dict:
    from workloads import WORKLOADS

    from adcli.engine import gradient, needed_partials
    from adcli.parse import parse

    workload = WORKLOADS[workload_name]
    p = workload.params(n)
    program, point = parse(workload.text(p)), workload.point(p)
    tape = program.tape
    start = array("d", tape.const)  # a copy: the tape keeps its own
    for node, value in program.bind(point).items():
        start[node] = value
    with tempfile.NamedTemporaryFile(suffix=".tape") as handle:
        handle.write(struct.pack("<qq", len(tape), program.output))
        for data in (tape.op, needed_partials(tape), tape.arg0, tape.arg1, start):
            handle.write(data.tobytes())
        handle.flush()
        done = subprocess.run(
            [binary, handle.name, str(runs)], capture_output=True, text=True, check=True
        )
    out = json.loads(done.stdout)
    reference = gradient(program, point)
    out.update(
        nodes=len(tape),
        adcli_value=reference.value,
        adcli_gsum=math.fsum(reference.gradient.values()),
    )
    return out


if __name__ == "__main__":
    name, size, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    print(json.dumps(floor_task(name, size, count, path)))
