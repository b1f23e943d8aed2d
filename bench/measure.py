"""Wall-clock time and peak memory of a fresh process, for the bench scripts that run commands.

Imported by ``bench/batch.py`` and ``bench/scale.py`` (run as scripts, so ``bench/`` is on the path).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

# Runs the command as its child and prints the child's max RSS (KiB on Linux).
PEAK_RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=sys.argv[1] == "check")
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def timed(command: list[str], repeat: int = 3) -> float:
    """Median wall-clock seconds of a fresh process (output to /dev/null)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_kb(command: list[str], check: bool = True) -> int:
    """The command's peak resident memory in KiB; ``check``: a failing command is an error."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, "check" if check else "-", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip())
