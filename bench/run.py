"""adcli's benchmark: one command measures adcli against its peers and prints one table a section.

    python bench/run.py                 # the full run: N = 10^4 … 10^6 (about 15 minutes, 2 cores)
    python bench/run.py --quick         # a smoke run (about a minute)
    python bench/run.py --peers adcli --sizes 1000 --quick
    python bench/run.py --profile       # cProfile of adcli's parse and sweeps at 10^6 nodes

adcli runs on both its paths side by side: the compiled core (as built) and pure Python
(``ADCLI_PURE=1``).  Sections: ``engine`` (graph built from Python scalars, then value + every
partial: adcli's API against PyTorch, micrograd, the seed's recursive Var and SymPy; and adcli
replaying a built tape), ``floor`` (a plain C loop, gcc -O2, sweeping the same tape arrays:
``bench/floor.py``), ``parser`` (MB/s on ~1 MB of program text against ``ast.parse``), ``cli``
(``adcli eval -f PROGRAM --at POINT --json`` end to end, against PyTorch's build + backward),
``arrays`` (``sum(x^2)`` with x a vector of 10^6 elements from ``--at`` and ``--data``) and
``start`` (cold start against ``python -c pass``, ``qalc`` and, with ``--baseline ADCLI``, an older
adcli such as v0.1's), then the targets, met or not
(``bench/targets.py``).

Every measurement runs in its own process (``bench/peers.py``, ``bench/floor.py`` or the CLI
itself) under a timeout; times are medians.  A peer that is not installed is skipped with a
note; one that fails (RecursionError, timeout) at some size is not tried at larger sizes of that
workload.  Tables go to stdout and, with the raw numbers, to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from peers import PEERS, available  # noqa: E402
from report import (  # noqa: E402
    arrays_table,
    cli_table,
    engine_tables,
    floor_table,
    parser_table,
    size,
    start_table,
)
from sections import (  # noqa: E402
    adcli_command,
    arrays_section,
    cli_section,
    engine_section,
    env_for,
    floor_section,
    log,
    parser_section,
    start_section,
    worker,
)
from targets import targets  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

SIZES = (10**4, 10**5, 10**6)
QUICK_SIZES = (10**3, 10**4)
SECTIONS = ("engine", "floor", "parser", "cli", "arrays", "start")


# the machine ------------------------------------------------------------------------------------
# Which compiled pieces really run (a stale build is skipped silently, whatever --version says).
_ACTIVE = """
try:
    from adcli import parse
    from adcli.engine import sweep
    from adcli.graph import Tape
    tape = Tape()
    for i in range(sweep.COMPILED_FROM):
        tape.input(f"x{i}")
    on = {"sweeps": sweep.compiled(tape) is not None, "parser": parse._core() is not None}
    print(", ".join(f"{k} {'compiled' if v else 'pure Python'}" for k, v in on.items()))
except Exception as error:
    print(f"unknown ({type(error).__name__})")
"""


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for package in ("adcli", "lark", "torch", "micrograd", "sympy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    qalc = shutil.which("qalc")
    if qalc:
        done = subprocess.run([qalc, "--version"], capture_output=True, text=True)
        versions["qalc"] = done.stdout.strip() or None
    path = subprocess.run([*adcli_command(), "--version"], capture_output=True, text=True)
    active = subprocess.run([sys.executable, "-c", _ACTIVE], capture_output=True, text=True,
                            env=env_for("compiled"))  # fmt: skip
    return {
        "path": path.stdout.strip() or path.stderr.strip()[-100:],
        "active": active.stdout.strip() or "unknown (the probe failed)",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "source": _source_state(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?",
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "versions": versions,
    }


def _source_state() -> str:
    """The commit measured, and whether adcli's files differ from it (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "adcli", "grammar"],
            capture_output=True, text=True, cwd=HERE.parent,
        ).stdout.strip()  # fmt: skip
    except OSError:
        return "unknown"
    return f"{head}{' + uncommitted changes to adcli/' if dirty else ''}" if head else "unknown"


# main -------------------------------------------------------------------------------------------
def sizes(text: str) -> tuple[int, ...]:
    return tuple(int(float(s)) for s in text.split(","))


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, single runs: a smoke run"
    )
    parser.add_argument("--sizes", type=sizes, help="node counts, e.g. 1e3,1e4 (default 10^3…10^6)")
    parser.add_argument(
        "--peers", help=f"comma list of {', '.join(PEERS)} (default: all installed)"
    )
    parser.add_argument(
        "--workloads", default=",".join(WORKLOADS), help="comma list (default: all)"
    )
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help="comma list of " + ", ".join(SECTIONS)
    )
    parser.add_argument("--runs", type=int, help="runs per measurement (default: 5 … 1 by size)")
    parser.add_argument(
        "--parse-mb", type=float, help="parser program size in MB (default 1, quick 0.1)"
    )
    parser.add_argument(
        "--out", type=Path, default=HERE / "results", help="where results are written"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile adcli's parse and sweeps instead"
    )
    parser.add_argument(
        "--baseline",
        metavar="ADCLI",
        help="an older adcli console script (e.g. v0.1's venv/bin/adcli): the start section "
        "times it interleaved with this one, and its cold start becomes a target",
    )
    options = parser.parse_args(argv)
    options.sizes = options.sizes or (QUICK_SIZES if options.quick else SIZES)
    options.workloads = options.workloads.split(",")
    options.sections = options.sections.split(",")
    options.parse_mb = options.parse_mb or (0.1 if options.quick else 1.0)
    for name in options.workloads:
        if name not in WORKLOADS:
            parser.error(f"unknown workload {name!r}")
    for section in options.sections:
        if section not in SECTIONS:
            parser.error(f"unknown section {section!r}")
    return options


def profile(options) -> int:
    n = max(options.sizes) if options.sizes != SIZES or options.quick else 10**6
    for name in options.workloads:
        log(f"profiling {name} at {size(n)} nodes …")
        result = worker("profile", "adcli", name, n, 1, 1800.0)
        if "error" in result:
            print(f"## {name}: {result['error']}")
            continue
        for stage in ("parse", "build", "sweeps"):
            print(f"## {name} at {size(n)} nodes: {stage}\n")
            print(result[stage].strip())
            print()
    return 0


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    if options.profile:
        return profile(options)
    wanted = options.peers.split(",") if options.peers else list(PEERS)
    unknown = [p for p in wanted if p not in PEERS]
    if unknown:
        log(f"unknown peer(s): {', '.join(unknown)}; known: {', '.join(PEERS)}")
        return 2
    # Every ratio is to adcli (compiled path), its pure path beside it.
    wanted = ["adcli", "adcli-pure", *(p for p in wanted if not p.startswith("adcli"))]
    peers = [p for p in wanted if available(p)]
    missing = [p for p in wanted if p not in peers]
    info = machine()
    out: dict = {"machine": info, "sizes": list(options.sizes), "quick": options.quick}
    rows: dict = {section: [] for section in SECTIONS}
    rows["start"] = None
    if "engine" in options.sections:
        rows["engine"] = engine_section(options, peers)
    if "floor" in options.sections:
        rows["floor"] = floor_section(options, options.out / "floor")
    if "parser" in options.sections:
        rows["parser"] = parser_section(options)
    if "cli" in options.sections:
        rows["cli"] = cli_section(options, rows["engine"], options.out / "programs")
    if "arrays" in options.sections:
        rows["arrays"] = arrays_section(options, options.out / "programs")
    if "start" in options.sections:
        rows["start"] = start_section(options)
    out.update(rows)
    report = render(info, peers, missing, rows)
    print(report, end="")
    write(options.out, out, report)
    return 0


def render(info: dict, peers: list[str], missing: list[str], rows: dict) -> str:
    v = info["versions"]
    shown = ", ".join(f"{k} {v[k]}" for k in v if v[k])
    parts = [
        f"# adcli benchmark — {info['date']}",
        "",
        f"Machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, {info['system']}.  ",
        f"Versions: {shown}; adcli source {info['source']}; `adcli --version`: {info['path']}; "
        f"running: {info['active']}.  ",
        f"Command: `{' '.join(['python bench/run.py', *sys.argv[1:]])}`; load average at the "
        f"start {info['load']} (the machine is shared: absolute times vary, ratios less).",
    ]
    if missing:
        parts += ["", "Skipped (not installed): " + ", ".join(PEERS[p][0] for p in missing)
                  + " — `pip install -e '.[bench]'`."]  # fmt: skip
    engine_rows = rows["engine"]
    if engine_rows:
        engine, replay = engine_tables(engine_rows)
        notes = "\n".join(f"- {PEERS[p][0]}: {PEERS[p][2]}" for p in peers)
        parts += [
            "", "## Engine: build the graph from Python scalars, then value + every partial", "",
            engine, "",
            "seconds = build + gradient (median); × adcli = the tool's time over adcli's "
            "(compiled path); build = graph from Python objects (peers compute values as they "
            "build; adcli's forward sweep does); gradient = what runs after (adcli: forward + "
            "reverse sweep; peers: backward); peak = growth of the resident set during one run; "
            "check = value and partials agree with adcli's to 1e-9.",
            "", notes,
            "", "## Engine: replaying a built tape (adcli, both paths)", "", replay, "",
            "forward, reverse = the sweeps alone; by name = gathering the inputs' partials into "
            "a dict by name after them (Python, both paths).",
        ]  # fmt: skip
    if rows["floor"]:
        parts += ["", "## Sweeps against plain C (the same tape arrays)", "",
                  floor_table(rows["floor"], engine_rows), "",
                  "C = bench/floor.py's loop (" + rows["floor"][0].get("compiler", "not built")
                  + "), median of its runs with its arrays reused; C fresh = the same loop "
                  "writing into freshly allocated arrays each run (new memory costs here: adcli's "
                  "sweeps return fresh arrays); compiled / C and pure / C = adcli's replay "
                  "(forward + reverse) over the C loop's time."]  # fmt: skip
    if rows["parser"]:
        parts += ["", "## Parser: program text → graph", "", parser_table(rows["parser"]), "",
                  "ast.parse reads the same text as Python (`^` → `**`); it refuses nesting deeper than 200."]  # fmt: skip
    if rows["cli"]:
        parts += ["", "## End to end: `adcli eval -f PROGRAM --at POINT.json --json`", "",
                  cli_table(rows["cli"]), "",
                  "Wall time of the whole command (start-up, reading, parsing, sweeps, JSON out); "
                  "peak = the process's max RSS; PyTorch = its build + backward of the same "
                  "function in-process (its ~1.3 s import not counted); check = the value agrees "
                  "with the engine's, and the two paths print the same bytes."]  # fmt: skip
    if rows["arrays"]:
        parts += ["", "## Arrays: a vector input end to end", "", arrays_table(rows["arrays"])]
    if rows["start"]:
        parts += ["", "## Cold start", "", start_table(rows["start"])]
    parts += ["", "## Targets", "",
              targets(engine_rows, rows["parser"], rows["cli"], rows["floor"], rows["start"])]  # fmt: skip
    return "\n".join(parts) + "\n"


def write(directory: Path, data: dict, report: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    for stem in (f"bench-{stamp}", "latest"):
        (directory / f"{stem}.json").write_text(json.dumps(data, indent=1) + "\n")
        (directory / f"{stem}.md").write_text(report)
    log(f"results written to {directory}/latest.md and latest.json")


if __name__ == "__main__":
    sys.exit(main())
