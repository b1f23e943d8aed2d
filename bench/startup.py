"""Cold start of the commands people run in a hurry, against ``python3 -c pass`` and ``qalc``.

Runs, interleaved so a noisy machine hits each alike, N times each:

* ``python3 -c pass`` — the floor: starting the same interpreter and doing nothing;
* ``adcli eval "x*y+sin(x)" --x 0.5 --y 4.2 --json`` — the installed console script (target:
  <= 2.5x python), on the compiled core as built and with ``ADCLI_PURE=1``;
* with ``--baseline ADCLI``, the same eval by an older adcli's console script (e.g. v0.1's
  ``.venv/bin/adcli``), so "no slower than before" is read from one run (target: <= 1x);
* ``adcli --help``, ``adcli eval --help``, ``adcli --version`` (target: <= 3x python);
* ``qalc -t "diff(x*y+sin(x), x)"`` — a calculator that differentiates (skipped, with a note,
  when ``qalc`` is not installed: ``apt-get install -y qalc``).

Then the cost of one TAB with the static completion scripts (``adcli --completion bash|fish``),
timed inside the shell over many presses (target: <= 100 ms each), and the modules that cost
most at import on the ``--json`` path (``python -X importtime``). Byte-compiled files are
written first so a run measures start-up, not compilation.

Run: ``python bench/startup.py [-n 30] [--baseline /path/to/v0.1/venv/bin/adcli]``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ADCLI = os.path.join(os.path.dirname(sys.executable), "adcli")
EVAL = [ADCLI, "eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json"]
PYTHON = [sys.executable, "-c", "pass"]
EVAL_PURE = "... (ADCLI_PURE=1)"  # the same eval on the pure-Python path
BASELINE = "baseline eval --json"
QALC = ["qalc", "-t", "diff(x*y+sin(x), x)"]
HELP = {
    "adcli --help": [ADCLI, "--help"],
    "adcli eval --help": [ADCLI, "eval", "--help"],
    "adcli --version": [ADCLI, "--version"],
}
TAB_LINES = ("adcli ev", "adcli eval --mode ", "adcli eval --batch ")


def once(command: list[str]) -> float:
    environ = None
    if command and command[0] == EVAL_PURE:  # marks the pure-Python run of the command after it
        environ, command = {**os.environ, "ADCLI_PURE": "1"}, command[1:]
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=environ
    )
    return time.perf_counter() - start


def import_profile(top: int = 8) -> list[tuple[int, str]]:
    """The modules with the largest cumulative import time (µs) on the --json path."""
    code = "from adcli.cli import run; run(" + repr(EVAL[1:]) + ")"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            try:
                rows.append((int(cumulative), name.rstrip()))
            except ValueError:
                continue
    return sorted(rows, reverse=True)[:top]


def tab_times(presses: int = 50) -> dict[str, float]:
    """Seconds per TAB: the completion script is loaded once (as a shell does at start-up),
    then each line of TAB_LINES is completed ``presses`` times, timed inside the shell."""
    out: dict[str, float] = {}
    if shutil.which("bash"):
        script = subprocess.run([ADCLI, "--completion", "bash"], capture_output=True, text=True)
        loop = "\n".join(
            f"COMP_WORDS=({line!s}); COMP_WORDS+=(''); COMP_CWORD=$((${{#COMP_WORDS[@]}}-1)); _adcli"
            for line in TAB_LINES
        )
        code = (
            f"{script.stdout}\nstart=$EPOCHREALTIME\nfor i in $(seq {presses}); do\n{loop}\ndone\n"
            "echo $start $EPOCHREALTIME"
        )
        out["bash"] = _shell_rounds(["bash", "-c", code], presses * len(TAB_LINES))
    if shutil.which("fish"):
        script = subprocess.run([ADCLI, "--completion", "fish"], capture_output=True, text=True)
        calls = "; ".join(f"complete -C {line!r} >/dev/null" for line in TAB_LINES)
        code = (
            f"{script.stdout}\nset start (date +%s.%N)\nfor i in (seq {presses}); {calls}; end\n"
            "echo $start (date +%s.%N)"
        )
        out["fish"] = _shell_rounds(["fish", "--no-config", "-c", code], presses * len(TAB_LINES))
    return out


def _shell_rounds(command: list[str], presses: int, rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        done = subprocess.run(command, capture_output=True, text=True, cwd=HERE)
        start, end = (float(v.replace(",", ".")) for v in done.stdout.split()[-2:])
        samples.append((end - start) / presses)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=21, help="runs of each command (default 21)")
    parser.add_argument(
        "--baseline", metavar="ADCLI", help="an older adcli console script to time alongside"
    )
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode read, and written when missing
    os.environ.pop("ADCLI_PURE", None)
    compileall.compile_dir(os.path.join(os.path.dirname(HERE), "adcli"), quiet=1)

    commands = {"python3 -c pass": PYTHON, "adcli eval --json": EVAL, EVAL_PURE: [EVAL_PURE, *EVAL]}
    if args.baseline:
        commands[BASELINE] = [args.baseline, *EVAL[1:]]
    commands.update(HELP)
    if shutil.which("qalc"):
        commands["qalc -t diff(...)"] = QALC
    for command in commands.values():
        once(command)  # warm the page cache (and write the bytecode and scanner caches)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.n):
        for name, command in commands.items():
            times[name].append(once(command))

    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["python3 -c pass"]
    print(f"Cold start, median of {args.n} runs each (interleaved; the machine may be shared):")
    for name, median in medians.items():
        target = "  (target <= 3x)" if name in HELP else ""
        target = "  (target <= 2.5x)" if name in ("adcli eval --json", EVAL_PURE) else target
        print(f"  {name:<24} {median * 1000:8.1f} ms   {median / base:5.2f}x python{target}")
    if args.baseline:
        old = medians[BASELINE]
        for name in ("adcli eval --json", EVAL_PURE):
            print(f"  {name} / baseline {medians[name] / old:8.2f}x      (target <= 1x)")
    if "qalc -t diff(...)" in medians:
        qalc = medians["qalc -t diff(...)"]
        print(
            f"  adcli / qalc         {medians['adcli eval --json'] / qalc:8.2f}x      (target <= 1x)"
        )
    else:
        print("  qalc not installed (apt-get install -y qalc): that comparison is skipped")
    print("One TAB with the static completion scripts, median over 5 rounds (target <= 100 ms):")
    for shell, per_tab in tab_times().items():
        print(f"  {shell:<20} {per_tab * 1000:8.2f} ms")
    print("Largest cumulative imports on that path (python -X importtime):")
    for micros, name in import_profile():
        print(f"  {micros / 1000:8.1f} ms  {name.strip()}")


if __name__ == "__main__":
    main()
