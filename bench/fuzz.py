"""A long fuzz run of adcli against its contract: ``python bench/fuzz.py --minutes 5``.

The generators, the runners and the oracle are ``tests/fuzzing.py``'s (the tests use the same
ones with a short budget); this driver picks classes round-robin for the time given, sends
every Nth input through the real console script, and prints a table of counts per class and
each failure with a reproducer.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from fuzzing import (  # noqa: E402
    CLASSES,
    SLOW,
    Hang,
    Outcome,
    batch_exists,
    problems,
    reproducer,
    run_inprocess,
    run_subprocess,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--subprocess-every", type=int, default=50, metavar="N")
    parser.add_argument(
        "--huge", action="store_true", help="also the 100 MB program / 1 GB-line checks (slow)"
    )
    options = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="adcli-fuzz-"))  # options such as --output write here
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    classes = dict(CLASSES)
    if not batch_exists():
        del classes["batch faults"]
        print("--batch does not exist yet: batch faults are not fuzzed")
    counts: dict[str, Counter] = defaultdict(Counter)
    failures: dict = {}  # (class, problems with numbers blanked) -> [count, args, stdin, problems]
    deadline = time.monotonic() + 60 * options.minutes
    slowest = (0.0, "", "")  # seconds, class, reproducer
    i = 0
    names = list(classes)
    while time.monotonic() < deadline:
        cls = names[i % len(names)]
        i += 1
        if cls in SLOW and rng.random() > 0.1:
            continue  # a big input costs as much as a hundred small ones
        args, stdin, expect = classes[cls](rng)
        through_script = rng.random() * options.subprocess_every < 1
        try:
            outcome = (run_subprocess if through_script else run_inprocess)(args, stdin)
            found = problems(args, outcome, expect)
            counts[cls][f"status {outcome.status}"] += 1
            if outcome.seconds > slowest[0]:
                slowest = (outcome.seconds, cls, reproducer(args, stdin, "slowest"))
        except Hang:
            found = ["no answer within the time limit"]
        counts[cls]["inputs"] += 1
        counts[cls]["via script"] += through_script
        if found:
            counts[cls]["failures"] += 1
            record_failure(failures, cls, args, stdin, found)
    if options.huge:
        huge_checks(counts, failures)
    print_table(counts, seed, options.minutes, slowest[0])
    print(f"\nslowest input ({slowest[0]:.2f} s, {slowest[1]}): {slowest[2][:300]}")
    for number, (signature, (seen, args, stdin, found)) in enumerate(failures.items(), 1):
        print(f"\nFAIL x{seen} [{signature[0]}] {'; '.join(found)}")
        print("  " + reproducer(args, stdin, f"failure-{number}"))
    return 1 if failures else 0


def record_failure(failures: dict, cls: str, args, stdin: bytes, found: list[str]) -> None:
    """Count failures by kind, keeping the first (smallest-numbered) reproducer of each."""
    signature = (cls, re.sub(r"[\d,]+", "N", "; ".join(found)))
    if signature in failures:
        failures[signature][0] += 1
    else:
        failures[signature] = [1, args, stdin, found]


def _drain(stream, into: list[bytes]) -> None:
    into.append(stream.read())


def huge_checks(counts, failures) -> None:
    """The default limits for real, streamed (never held whole here): a 100 MB program on
    stdin, and a 1 GB line inside a batch; each must fail clearly with bounded memory."""
    script = os.path.join(os.path.dirname(sys.executable), "adcli")
    cases = (
        ("100 MB program", ["eval", "-", "--json"], b"", b"x+", 100 * 2**20, b"x", (2,)),
        ("100 MB program -f", ["eval", "-f", "-", "--json"], b"", b"x+", 100 * 2**20, b"x", (2,)),
        (
            "1 GB batch line",
            ["eval", "x", "--batch", "-"],
            b'{"x": 1}\n{"x": "',
            b"q",
            2**30,
            b'"}\n{"x": 3}\n',
            (1,),
        ),
    )
    for label, args, head, filler, size, tail, expect in cases:
        proc = subprocess.Popen(
            [script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        chunk = filler * (2**20 // len(filler))
        out_parts: list[bytes] = []
        reader = threading.Thread(target=_drain, args=(proc.stdout, out_parts))
        reader.start()
        start = time.perf_counter()
        try:
            proc.stdin.write(head)
            for _ in range(size // len(chunk)):
                proc.stdin.write(chunk)
            proc.stdin.write(tail)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # adcli stopped reading at its limit: that is the point
        err = proc.stderr.read()
        proc.wait(timeout=300)
        reader.join()
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        outcome = Outcome(proc.returncode, b"".join(out_parts).decode(), err.decode(), seconds)
        found = problems(args, outcome, expect)
        if "--max-size" not in outcome.stderr + outcome.stdout:
            found.append("the message does not name --max-size")
        if "--batch" in args and len(outcome.stdout.splitlines()) != 3:
            found.append("batch: not one result per line")
        name = f"{label} ({seconds:.1f} s, peak RSS so far {peak_mb:.0f} MB)"
        counts[name]["inputs"] += 1
        counts[name][f"status {outcome.status}"] += 1
        counts[name]["failures"] += bool(found)
        if found:
            record_failure(failures, label, args, b"", found)


def print_table(counts, seed: int, minutes: float, slowest: float) -> None:
    columns = ("inputs", "status 0", "status 1", "status 2", "via script", "failures")
    width = max(24, *(len(cls) for cls in counts))
    print(f"adcli fuzz: {minutes:g} min, seed {seed}, slowest input {slowest:.2f} s\n")
    print(f"| {'class':<{width}} | " + " | ".join(f"{c:>10}" for c in columns) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * 12 for _ in columns) + "|")
    total = Counter()
    for cls, c in counts.items():
        total.update(c)
        print(f"| {cls:<{width}} | " + " | ".join(f"{c[k]:>10,}" for k in columns) + " |")
    print(f"| {'total':<{width}} | " + " | ".join(f"{total[k]:>10,}" for k in columns) + " |")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
