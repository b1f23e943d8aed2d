"""Batch mode's speed and memory, as ratios against baselines measured in the same run.

1. Engine: value + gradient of the seed example ``x*y + sin(x)`` at 100,000 points by the array
   replay (``adcli.engine.replay.Replay``, chunks of ``CHUNK_ROWS``, no JSON), against a per-point loop
   through the same tape with the float engine (``Program.gradient``).  Targets: >= 1,000,000
   points/s and >= 50x.
2. End to end: ``adcli eval ... --batch FILE`` on 100,000 JSON lines against a stdlib script that
   only does ``json.loads`` + ``json.dumps`` per line (both as fresh processes, start-up included,
   output to /dev/null).  Target: <= 2x.
3. Peak memory (max RSS of the process) at 100,000 and 1,000,000 lines.  Target: flat.
4. Agreement with single ``eval`` per primitive: the share of random in-domain points where the
   replay's value differs from the float engine's in any bit, and the largest difference in ulps.

Run: ``python bench/batch.py`` (``--quick`` for smaller sizes).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

from adcli.engine.replay import _NO_SVML

# As `adcli eval --batch` runs: numpy without its AVX-512 (SVML) loops, unless told otherwise.
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", _NO_SVML)

import numpy as np
from measure import peak_rss_kb, timed

from adcli import compile
from adcli.engine.replay import CHUNK_ROWS, Replay
from adcli.primitives import TABLE
from adcli.stream import Batch

SEED = "x*y + sin(x)"
ADCLI = os.path.join(os.path.dirname(sys.executable), "adcli")
BASELINE = """
import json, sys
out = sys.stdout
for line in open(sys.argv[1], "rb"):
    out.write(json.dumps(json.loads(line)) + "\\n")
"""


def engine(n: int, loop_n: int) -> tuple[float, float]:
    """Points per second: the array replay over n points, the float engine over loop_n."""
    program = compile(SEED)
    replay = Replay.compile(program)
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(-5, 5, n), rng.uniform(-5, 5, n)
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for lo in range(0, n, CHUNK_ROWS):
            _, _, bad = replay.run(
                [xs[lo : lo + CHUNK_ROWS], ys[lo : lo + CHUNK_ROWS]], min(CHUNK_ROWS, n - lo)
            )
            assert len(bad) == 0
        best = min(best, time.perf_counter() - start)
    points = [{"x": x, "y": y} for x, y in zip(xs[:loop_n].tolist(), ys[:loop_n].tolist())]
    loop_best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for p in points:
            program.gradient(p)
        loop_best = min(loop_best, time.perf_counter() - start)
    return n / best, loop_n / loop_best


def write_points(path: str, n: int) -> None:
    rng = random.Random(2)
    with open(path, "w") as out:
        for _ in range(n):
            out.write(json.dumps({"x": rng.uniform(-5, 5), "y": rng.uniform(-5, 5)}) + "\n")


def agreement(points: int = 20_000) -> list[tuple[str, float, float]]:
    """Per primitive: share of points where the replay differs from eval, and the max ulps."""
    rows = []
    rng = random.Random(3)
    for p in TABLE:
        call = p.call_name if not p.symbol or p.callable_as else None
        if call is None:
            text = f"{p.symbol}x" if p.arity == 1 else f"x {p.symbol} y"
        else:
            text = f"{call}(x)" if p.arity == 1 else f"{call}(x, y)"
        lo, hi = _domain(p.name)
        program = compile(text)
        names = list(program.inputs)
        batch = Batch(program, {}, names, wrt=False, quiet=True)
        sample = [
            {n: rng.uniform(lo, hi) if n == "x" else rng.uniform(1.5, 3) for n in names}
            for _ in range(points)
        ]
        results = batch.evaluate(sample, 1)
        differ, worst = 0, 0.0
        for j, point in enumerate(sample):
            expected = program.value(point)
            special = results.special.get(j)
            got = special.value if special else results.values[j]
            if got != expected:
                differ += 1
                worst = max(worst, abs(got - expected) / math.ulp(expected))
        rows.append((f"{p.call_name}/{p.arity}" if call else p.name, differ / points, worst))
    return rows


def agreement_in(env_value: str, points: int) -> list:
    """``agreement`` in a fresh process whose numpy has NPY_DISABLE_CPU_FEATURES=env_value."""
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": env_value}
    done = subprocess.run(
        [sys.executable, __file__, "--agreement", str(points)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout)


def _domain(name: str) -> tuple[float, float]:
    if name in ("asin", "acos", "atanh"):
        return -0.99, 0.99
    if name == "acosh":
        return 1.01, 10.0
    if name in ("log", "ln", "log2", "log10", "sqrt", "pow"):
        return 0.01, 10.0
    if name == "log1p":
        return -0.99, 10.0
    return -5.0, 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller sizes")
    parser.add_argument("--agreement", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.agreement:
        print(json.dumps(agreement(args.agreement)))
        return
    scale = 10 if args.quick else 1
    n, big = 100_000 // scale, 1_000_000 // scale

    replay_rate, loop_rate = engine(n, 20_000 // scale)

    with tempfile.TemporaryDirectory() as tmp:
        small_file, big_file = os.path.join(tmp, "small.jsonl"), os.path.join(tmp, "big.jsonl")
        write_points(small_file, n)
        batch_cmd = [ADCLI, "eval", SEED, "--batch"]
        adcli_s = timed([*batch_cmd, small_file])
        stdlib_s = timed([sys.executable, "-c", BASELINE, small_file])
        rss_small = peak_rss_kb([*batch_cmd, small_file], check=False)
        write_points(big_file, big)
        rss_big = peak_rss_kb([*batch_cmd, big_file], check=False)

    print(f"Batch engine, {SEED}, value + gradient:")
    print(f"  array replay      {replay_rate:>14,.0f} points/s   (target >= 1,000,000)")
    print(f"  per-point loop    {loop_rate:>14,.0f} points/s")
    print(f"  ratio             {replay_rate / loop_rate:>14.1f}x          (target >= 50x)")
    print(f"End to end, {n:,} JSON lines (median of 3, start-up included):")
    print(f"  adcli --batch     {adcli_s:>14.3f} s")
    print(f"  json.loads+dumps  {stdlib_s:>14.3f} s")
    print(f"  ratio             {adcli_s / stdlib_s:>14.2f}x          (target <= 2x)")
    print("Peak memory (max RSS):")
    print(f"  {n:>9,} lines     {rss_small / 1024:>14.1f} MB")
    print(f"  {big:>9,} lines     {rss_big / 1024:>14.1f} MB")
    print(f"  ratio             {rss_big / rss_small:>14.2f}x          (target: flat, ~1x)")
    points = 20_000 // scale
    as_run, simd = agreement_in(_NO_SVML, points), agreement_in("", points)
    print(f"Agreement with eval (value), per primitive, {points:,} random points each:")
    print(f"  {'':<12} {'as adcli runs numpy':>22}   {'numpy with AVX-512 loops':>24}")
    print(f"  {'primitive':<12} {'differ':>10} {'max ulps':>10}   {'differ':>12} {'max ulps':>10}")
    for (name, share, worst), (_, share2, worst2) in zip(as_run, simd):
        print(f"  {name:<12} {share:>10.2%} {worst:>10.0f}   {share2:>12.2%} {worst2:>10.0f}")


if __name__ == "__main__":
    main()
