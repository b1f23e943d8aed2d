"""Scale: points/s of value + gradient at 10^6 points through JSON Lines, Parquet and the Python
API, and peak memory at 10^5 vs 10^6 rows (flat means the rows are streamed), in one run.

1. ``adcli eval PROGRAM --batch points.jsonl > /dev/null`` (JSON Lines in and out);
2. ``adcli eval PROGRAM --batch points.parquet --output parquet --out FILE`` (columns in and out);
3. ``adcli.compile(PROGRAM).batch({"x": xs, "y": ys})`` in this process (numpy in, numpy out).

Each CLI run is a fresh process (start-up included), median of ``--repeat`` runs; the API is
timed in-process.  Ratios are against the JSON Lines path measured in the same run.  Peak RSS is
the child's max RSS (``getrusage``).

Run: ``python bench/scale.py`` (``--rows 100000`` for a quick look; needs pyarrow).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from measure import peak_rss_kb, timed

import adcli

PROGRAM = "x*y + sin(x)"
ADCLI = os.path.join(os.path.dirname(sys.executable), "adcli")


def write_inputs(tmp: str, n: int) -> tuple[str, str, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    xs, ys = rng.uniform(-5, 5, n), rng.uniform(-5, 5, n)
    jsonl = os.path.join(tmp, f"points{n}.jsonl")
    with open(jsonl, "w") as out:
        for lo in range(0, n, 100_000):
            chunk = zip(xs[lo : lo + 100_000].tolist(), ys[lo : lo + 100_000].tolist())
            out.write("".join(f'{{"x": {x!r}, "y": {y!r}}}\n' for x, y in chunk))
    parquet = os.path.join(tmp, f"points{n}.parquet")
    pq.write_table(pa.table({"x": xs, "y": ys}), parquet, row_group_size=256 * 1024)
    return jsonl, parquet, xs, ys


def commands(jsonl: str, parquet: str, out: str) -> dict[str, list[str]]:
    return {
        "JSON Lines": [ADCLI, "eval", PROGRAM, "--batch", jsonl],
        "Parquet": [
            ADCLI,
            "eval",
            PROGRAM,
            "--batch",
            parquet,
            "--output",
            "parquet",
            "--out",
            out,
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, small = args.rows, max(1, args.rows // 10)
    with tempfile.TemporaryDirectory() as tmp:
        jsonl, parquet, xs, ys = write_inputs(tmp, n)
        out = os.path.join(tmp, "out.parquet")
        seconds = {
            name: timed(cmd, args.repeat) for name, cmd in commands(jsonl, parquet, out).items()
        }
        assert pq.read_metadata(out).num_rows == n
        function = adcli.compile(PROGRAM)
        api = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = function.batch({"x": xs, "y": ys})
            api.append(time.perf_counter() - start)
        assert len(result) == n and not result.errors
        seconds["API .batch"] = statistics.median(api)

        small_jsonl, small_parquet, _, _ = write_inputs(tmp, small)
        rss = {}
        for label, files in ((small, (small_jsonl, small_parquet)), (n, (jsonl, parquet))):
            for name, cmd in commands(*files, out).items():
                rss[name, label] = peak_rss_kb(cmd) / 1024

    print(f"{PROGRAM}: value + gradient at {n:,} points (median of {args.repeat}):")
    base = seconds["JSON Lines"]
    for name, s in seconds.items():
        print(f"  {name:<12} {s:>8.3f} s {n / s:>14,.0f} points/s   {base / s:>6.2f}x JSON Lines")
    print(f"Peak memory (max RSS of the CLI process), {small:,} vs {n:,} rows:")
    for name in ("JSON Lines", "Parquet"):
        a, b = rss[name, small], rss[name, n]
        print(f"  {name:<12} {a:>8.1f} MB {b:>8.1f} MB   ratio {b / a:.2f}x (flat: ~1x)")
    print(json.dumps({"seconds": seconds, "rss_mb": {f"{k[0]} {k[1]}": v for k, v in rss.items()}}))


if __name__ == "__main__":
    main()
