"""``adcli diff`` against sympy (``diff`` then ``cse``) on programs that grow with n.

Families: a product of n factors ``sin(x + i)``, a composition n deep ``sin(sin(...x))``, and a
two-layer network with n hidden units (``h_j = tanh(a_j*x + b_j*y + c_j)``, ``(Σ v_j h_j - 1)^2``,
fixed weights).  Each derivative is taken with respect to x.  For both tools: output size in
characters and in operations (the printed text parsed back by adcli, counting primitive nodes, so
both are counted the same way), and time (adcli: text → derivative text; sympy: ``diff`` + ``cse``
of an expression built beforehand).  sympy runs in a subprocess with a 10 s timeout; once it times
out, larger n are skipped.  Both results are evaluated at one point as a cross-check.

Run: ``python bench/diff_vs_sympy.py`` (sympy from ``pip install sympy``).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from adcli import compile
from adcli.engine import symbolic_gradient
from adcli.primitives import FIRST_PRIMITIVE
from adcli.printer import program_text

SIZES = (10, 30, 100, 300, 1000)
TIMEOUT = 10.0
POINT = {"x": 0.3, "y": -0.2}


def weights(n: int) -> list[tuple[float, float, float, float]]:
    # Deterministic "random" weights, short decimals so both tools see the same numbers.
    return [
        (
            round(((7 * j) % 11) / 10 - 0.5, 2),
            round(((5 * j) % 13) / 13 - 0.5, 2),
            round(((3 * j) % 7) / 7 - 0.5, 2),
            round(((11 * j) % 17) / 17 - 0.5, 2),
        )
        for j in range(1, n + 1)
    ]


def adcli_source(family: str, n: int) -> str:
    if family == "product":
        return " * ".join(f"sin(x + {i})" for i in range(1, n + 1))
    if family == "compose":
        return "sin(" * n + "x" + ")" * n
    lines = [f"h{j} = tanh({a}*x + {b}*y + {c})" for j, (a, b, c, _) in enumerate(weights(n))]
    lines.append("out = " + " + ".join(f"{v}*h{j}" for j, (*_, v) in enumerate(weights(n))))
    lines.append("(out - 1)^2")
    return "\n".join(lines)


SYMPY_WORKER = r"""
import json, sys, time
sys.setrecursionlimit(100000)
import sympy as sp
family, n, w = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
x, y = sp.symbols("x y")
if family == "product":
    f = sp.Mul(*[sp.sin(x + i) for i in range(1, n + 1)])
elif family == "compose":
    f = x
    for _ in range(n):
        f = sp.sin(f)
else:
    hs = [sp.tanh(sp.Float(a) * x + sp.Float(b) * y + sp.Float(c)) for a, b, c, _ in w]
    f = (sp.Add(*[sp.Float(v) * h for h, (_, _, _, v) in zip(hs, w)]) - 1) ** 2
start = time.perf_counter()
d = sp.diff(f, x)
replacements, reduced = sp.cse(d)
elapsed = time.perf_counter() - start
lines = [f"{s} = {sp.sstr(e)}" for s, e in replacements] + [sp.sstr(reduced[0])]
print(json.dumps({"time": elapsed, "text": "\n".join(lines)}))
"""


def run_sympy(family: str, n: int) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-c", SYMPY_WORKER, family, str(n), json.dumps(weights(n))],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1][:60]}
    return json.loads(done.stdout)


def run_adcli(source: str) -> tuple[float, str]:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        program = compile(source)
        graph = symbolic_gradient(program)
        text = program_text(graph.tape, {"x": graph.gradient["x"]}, set(program.inputs))["x"]
        times.append(time.perf_counter() - start)
    return statistics.median(times), text


def size(text: str) -> tuple[int, int, float]:
    """Characters, operations (primitive nodes of the parsed text), and its value at POINT."""
    program = compile(text.replace("**", "^"))
    ops = sum(1 for k in program.tape.op if k >= FIRST_PRIMITIVE)
    return len(text), ops, program.value({k: POINT[k] for k in program.inputs})


def main() -> None:
    print("adcli diff vs sympy diff+cse, d/dx; times are medians of 3 (adcli) / one run (sympy)")
    header = (
        f"{'family':8} {'n':>5} | {'adcli chars':>11} {'ops':>6} {'time s':>8} | "
        f"{'sympy chars':>11} {'ops':>7} {'time s':>8} | {'time ratio':>10} {'ops ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    sys.setrecursionlimit(100000)  # sympy's text is parsed without recursion, but be safe
    for family in ("product", "compose", "network"):
        sympy_done = True
        crossover = None
        for n in SIZES:
            source = adcli_source(family, n)
            t_adcli, text = run_adcli(source)
            chars, ops, value = size(text)
            row = f"{family:8} {n:>5} | {chars:>11} {ops:>6} {t_adcli:>8.4f} | "
            if not sympy_done:
                print(row + f"{'skipped (slower n timed out)':>28} |")
                continue
            result = run_sympy(family, n)
            if result.get("timeout"):
                sympy_done = False
                crossover = crossover or n
                print(row + f"{'> 10 s (timeout)':>28} |")
                continue
            if "error" in result:
                sympy_done = False
                print(row + f"{result['error']:>28} |")
                continue
            s_chars, s_ops, s_value = size(result["text"])
            agree = abs(s_value - value) <= 1e-9 * max(1.0, abs(value))
            if result["time"] > TIMEOUT and crossover is None:
                crossover = n
            print(
                row + f"{s_chars:>11} {s_ops:>7} {result['time']:>8.3f} | "
                f"{result['time'] / t_adcli:>9.1f}x {s_ops / ops:>8.2f}x"
                + ("" if agree else "  VALUES DIFFER")
            )
        print(f"  {family}: sympy exceeds {TIMEOUT:.0f} s at n = {crossover or f'> {SIZES[-1]}'}")


if __name__ == "__main__":
    main()
