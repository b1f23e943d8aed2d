"""Hessian cost against the number of inputs n: ``adcli.engine.hessian`` is one symbolic
gradient, one forward sweep over it, then one reverse sweep per input — O(n) gradient sweeps.

Program with n inputs and a dense Hessian: ``s = Σ sin(x_i * x_{i+1}) + x_i^2/2; s*s + exp(s/n)``.
Columns: median times (s) of one reverse-mode gradient and of the full Hessian, their ratio, and
the ratio divided by n (flat when the cost is O(n) gradient sweeps).

Run: ``python bench/hessian.py``.
"""

from __future__ import annotations

import statistics
import time

from adcli import compile
from adcli.engine import hessian

SIZES = (2, 4, 8, 16, 32, 64, 128, 256)


def source(n: int) -> str:
    terms = [f"sin(x{i} * x{(i + 1) % n}) + x{i}^2/2" for i in range(n)]
    return f"s = {' + '.join(terms)}\ns*s + exp(s/{n})"


def median_time(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"{'n':>5} {'nodes':>7} {'gradient s':>11} {'hessian s':>10} {'ratio':>8} {'ratio/n':>8}")
    for n in SIZES:
        program = compile(source(n))
        point = {f"x{i}": 0.1 * ((i % 7) - 3) for i in range(n)}
        names = list(program.inputs)
        repeat = 7 if n <= 64 else 3
        t_grad = median_time(lambda p=program, x=point: p.gradient(x), repeat * 5)
        t_hess = median_time(lambda p=program, x=point, k=names: hessian(p, x, k), repeat)
        ratio = t_hess / t_grad
        print(
            f"{n:>5} {len(program.tape):>7} {t_grad:>11.6f} {t_hess:>10.5f} {ratio:>8.1f} {ratio / n:>8.2f}"
        )


if __name__ == "__main__":
    main()
