"""adcli's benchmark: one command measures adcli against its peers and prints one table a section.

    python bench/run.py                 # the full run: N = 10^3 … 10^6 (about 15 minutes, 2 cores)
    python bench/run.py --quick         # a smoke run (about a minute)
    python bench/run.py --peers adcli --sizes 1000 --quick
    python bench/run.py --profile       # cProfile of adcli's parse and sweeps at 10^6 nodes

Sections: ``engine`` (graph built from Python scalars, then value + every partial: adcli's API
against PyTorch, micrograd, the seed's recursive Var and SymPy; and adcli replaying a built tape),
``parser`` (MB/s on ~1 MB of program text against ``ast.parse``), ``cli`` (``adcli eval -f
PROGRAM --at POINT --json`` end to end, against PyTorch's build + backward) and ``start`` (cold
start against ``python -c pass`` and ``qalc``), then the issue's targets, met or not.

Every measurement runs in its own process (``bench/peers.py``, or the CLI itself) under a
timeout; times are medians.  A peer that is not installed is skipped with a note; one that fails
(RecursionError, timeout) at some size is not tried at larger sizes of that workload.  Tables go
to stdout and, with the raw numbers, to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from peers import PEERS, available  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

SIZES = (10**3, 10**4, 10**5, 10**6)
QUICK_SIZES = (10**3, 10**4)
SECTIONS = ("engine", "parser", "cli", "start")
CHECK_TOLERANCE = 1e-9  # relative: peers sum in other orders, so the last bits may differ


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# running things ---------------------------------------------------------------------------------
def runs_for(n: int, peer: str, quick: bool) -> int:
    """How many runs a median is taken over: fewer where one run takes seconds."""
    if quick:
        return 3 if n <= 10**3 else 1
    if peer == "sympy":
        return 3  # seconds a run at 10^3 already
    if n <= 10**4:
        return 11  # milliseconds a run: enough runs that a busy moment is not the median
    if n <= 10**5:
        return 3
    return 3 if peer == "adcli" else 1


def timeout_for(n: int, peer: str, runs: int, quick: bool) -> float:
    if peer == "sympy":
        return 10.0 if quick else 60.0  # it gives up early; don't wait for it
    return 30.0 + runs * n * 150e-6  # 150 µs a node a run: slower than any peer measured


def worker(task: str, peer: str, workload: str, n: int, runs: int, timeout: float) -> dict:
    """One measurement in a fresh process (bench/peers.py); errors come back as ``error``."""
    command = [sys.executable, str(HERE / "peers.py"), task, peer, workload, str(n), str(runs)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout ({timeout:.0f} s)"}
    if done.returncode != 0 or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["no message"])[-1][:100]
        return {"error": f"crashed (status {done.returncode}: {last})"}
    return json.loads(done.stdout.splitlines()[-1])


# Runs a command and reports its wall time and peak resident set.  A child's ru_maxrss counts the
# memory of the process that forked it, so a large parent (this runner, holding results) would
# inflate it: the command is forked from this small process instead.
_SPAWNER = """
import json, os, subprocess, sys, time
command, report = json.loads(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
child = subprocess.Popen(command)
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as handle:
    json.dump({"seconds": seconds, "peak": usage.ru_maxrss * 1024,
               "status": os.waitstatus_to_exitcode(status)}, handle)
"""


def run_measured(command: list[str], timeout: float, env: dict | None = None) -> dict:
    """Run a command: its wall time, peak resident set, exit status and output."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".json") as report,
    ):
        spawner = [sys.executable, "-c", _SPAWNER, json.dumps(command), report.name]
        process = subprocess.Popen(spawner, stdout=out, stderr=err, env=env, start_new_session=True)
        try:
            process.wait(timeout=timeout)
            measured = json.loads(Path(report.name).read_text() or "{}")
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            measured = {}
        out.seek(0)
        err.seek(0)
        return {
            "seconds": measured.get("seconds"),
            "peak": measured.get("peak", 0),
            "status": measured.get("status", f"timeout ({timeout:.0f} s)"),
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


def run_timed(command: list[str], timeout: float, env: dict | None = None) -> tuple[float, int]:
    """Wall time and exit status of a command run directly (cold start: nothing in between)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, -1
    return time.perf_counter() - start, done.returncode


def median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


# the machine ------------------------------------------------------------------------------------
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
    return {
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


# tables -----------------------------------------------------------------------------------------
def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, columns padded so it also reads in a terminal; numbers to the right."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    right = [i > 0 and _numeric([r[i] for r in rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if r else "-") for w, r in zip(widths, right)) + "|"
    return "\n".join([line(headers), rule, *map(line, rows)])


def _numeric(cells: list[str]) -> bool:
    """A column of numbers (blank cells aside)."""
    filled = [c for c in cells if c]
    return bool(filled) and all(c[0].isdigit() or c[0] == "×" for c in filled)


def secs(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.3f}" if x >= 0.1 else f"{x:.4f}" if x >= 0.001 else f"{x:.2e}"


def fixed(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def size(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10**exponent else str(n)


# sections ---------------------------------------------------------------------------------------
def engine_section(options, peers: list[str]) -> list[dict]:
    rows: list[dict] = []
    failed: dict[tuple[str, str], str] = {}
    for name in options.workloads:
        for n in options.sizes:
            for peer in peers:
                key = (peer, name)
                if key in failed:
                    rows.append({"workload": name, "n": n, "peer": peer, "skipped": failed[key]})
                    continue
                runs = options.runs or runs_for(n, peer, options.quick)
                timeout = timeout_for(n, peer, runs, options.quick)
                result = worker("engine", peer, name, n, runs, timeout)
                result.update(workload=name, n=n, peer=peer, runs=runs)
                if "error" in result:
                    failed[key] = f"failed at {size(n)}"
                    log(f"engine {name:5} {size(n):>5} {peer:16} {result['error']}")
                else:
                    log(f"engine {name:5} {size(n):>5} {peer:16} {median(result['total']):.4f} s")
                rows.append(result)
    return rows


def _check(result: dict, reference: dict | None) -> str:
    """Do the peer's value and partials agree with adcli's?"""
    if reference is None or "value" not in reference:
        return ""
    for key in ("value", "gsum", "gsq"):
        a, b = result[key], reference[key]
        if abs(a - b) > CHECK_TOLERANCE * max(abs(a), abs(b), 1e-300) and abs(a - b) > 1e-12:
            return f"differs ({key})"
    return "ok" if result.get("inputs") == reference.get("inputs") else "differs (inputs)"


def engine_tables(rows: list[dict]) -> tuple[str, str]:
    adcli = {(r["workload"], r["n"]): r for r in rows if r["peer"] == "adcli" and "total" in r}
    lines = []
    for r in rows:
        label = PEERS[r["peer"]][0]
        nodes = r.get("nodes") or WORKLOADS[r["workload"]].nodes(
            WORKLOADS[r["workload"]].params(r["n"])
        )
        head = [r["workload"], str(nodes), label]
        if "total" not in r:
            note = r.get("error") or f"skipped ({r['skipped']})"
            lines.append([*head, "", "", "", "", "", "", note])
            continue
        total = median(r["total"])
        reference = adcli.get((r["workload"], r["n"]))
        ratio = total / median(reference["total"]) if reference else None
        sweeps = (
            median([f + b for f, b in zip(r["forward"], r["backward"])])
            if "forward" in r
            else median(r["backward"])
        )
        lines.append(
            [
                *head,
                secs(total),
                fixed(total / nodes * 1e6),
                f"×{ratio:.2f}" if ratio is not None else "",
                secs(median(r["build"])),
                secs(sweeps),
                fixed(r["peak"] / nodes, 0),
                _check(r, reference) if r["peer"] != "adcli" else f"{r['runs']} runs",
            ]
        )
    engine = table(
        ["workload", "nodes", "tool", "seconds", "µs/node", "× adcli", "build s", "gradient s",
         "peak B/node", "check / note"],
        lines,
    )  # fmt: skip
    replay = []
    for (name, _), r in adcli.items():
        nodes = r["nodes"]
        f, b = median(r["replay_forward"]), median(r["replay_backward"])
        replay.append(
            [name, str(nodes), secs(f), secs(b), fixed(b / f), fixed((f + b) / nodes * 1e6),
             secs(median(r["forward"])), secs(median(r["backward"]))]
        )  # fmt: skip
    replay_table = table(
        ["workload", "nodes", "forward s", "reverse s", "reverse/forward", "µs/node",
         "first forward s", "first reverse s"],
        replay,
    )  # fmt: skip
    return engine, replay_table


def parser_section(options) -> list[dict]:
    rows = []
    for name in options.workloads:
        workload = WORKLOADS[name]
        # Size each program to about options.parse_mb megabytes of text.
        probe = workload.params(10**4)
        per_node = len(workload.text(probe).encode()) / workload.nodes(probe)
        n = max(10, int(options.parse_mb * 1e6 / per_node))
        runs = 3
        row = {"workload": name, "n": n}
        for peer in ("adcli", "python-ast"):
            result = worker("parse", peer, name, n, runs, 30.0 + n * runs * 200e-6)
            row[peer] = result
            shown = result.get("error") or f"{median(result['total']):.4f} s"
            log(f"parser {name:5} {size(n):>5} {peer:10} {shown}")
        rows.append(row)
    return rows


def parser_table(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        a, p = row["adcli"], row["python-ast"]
        if "error" in a:
            lines.append([row["workload"], "", "", a["error"], "", "", "", "", ""])
            continue
        t = median(a["total"])
        mb = a["bytes"] / 1e6
        cells = [
            row["workload"],
            fixed(mb),
            str(a["nodes"]),
            secs(t),
            fixed(mb / t),
            fixed(t / a["nodes"] * 1e6),
        ]
        if "error" in p:
            cells += [p["error"][:60], "", ""]
        else:
            tp = median(p["total"])
            cells += [
                secs(tp),
                fixed(p["bytes"] / 1e6 / tp),
                fixed((mb / t) / (p["bytes"] / 1e6 / tp), 3),
            ]
        lines.append(cells)
    return table(
        ["workload", "MB", "nodes", "adcli s", "adcli MB/s", "µs/node", "ast.parse s",
         "ast MB/s", "adcli/ast"],
        lines,
    )  # fmt: skip


def adcli_command() -> list[str]:
    script = Path(sys.executable).parent / "adcli"
    if script.exists():
        return [str(script)]
    found = shutil.which("adcli")
    return [found] if found else [sys.executable, "-m", "adcli"]


def cli_section(options, engine_rows: list[dict], programs: Path) -> list[dict]:
    programs.mkdir(parents=True, exist_ok=True)
    torch = {(r["workload"], r["n"]): r for r in engine_rows if r["peer"] == "torch"}
    adcli = {(r["workload"], r["n"]): r for r in engine_rows if r["peer"] == "adcli"}
    rows = []
    for name in options.workloads:
        workload = WORKLOADS[name]
        for n in options.sizes:
            p = workload.params(n)
            source = programs / f"{name}-{n}.adc"
            at = programs / f"{name}-{n}.json"
            source.write_text(workload.text(p))
            at.write_text(json.dumps(workload.point(p)))
            command = [*adcli_command(), "eval", "-f", str(source), "--at", str(at), "--json"]
            runs = 1 if n >= 10**6 or options.quick else 3
            measured = []
            for _ in range(runs):
                result = run_measured(command, timeout=60.0 + n * 300e-6)
                if result["status"] != 0:
                    break
                measured.append(result)
            row = {
                "workload": name,
                "n": n,
                "nodes": workload.nodes(p),
                "bytes": source.stat().st_size,
            }
            if len(measured) < runs:
                row["error"] = f"status {result['status']}: {result['stderr'].strip()[:100]}"
                log(f"cli    {name:5} {size(n):>5} {row['error']}")
            else:
                answer = json.loads(measured[0]["stdout"])
                row["seconds"] = [m["seconds"] for m in measured]
                row["peak"] = max(m["peak"] for m in measured)
                row["value"] = answer["value"]
                row["gsum"] = sum(answer["gradient"].values())
                log(f"cli    {name:5} {size(n):>5} {median(row['seconds']):.3f} s")
            reference = adcli.get((name, n))
            if reference and "value" in reference and "value" in row:
                ok = abs(row["value"] - reference["value"]) <= 1e-9 * max(
                    1.0, abs(reference["value"])
                )
                row["check"] = "ok" if ok else "differs"
            t = torch.get((name, n))
            if t and "total" in t:
                row["torch"] = median(t["total"])
            rows.append(row)
            source.unlink()
            at.unlink()
    return rows


def cli_table(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        head = [r["workload"], str(r["nodes"]), fixed(r["bytes"] / 1e6)]
        if "error" in r:
            lines.append([*head, "", "", "", "", "", r["error"]])
            continue
        t = median(r["seconds"])
        torch = r.get("torch")
        lines.append(
            [*head, secs(t), fixed(t / r["nodes"] * 1e6), fixed(r["peak"] / 2**20, 0),
             secs(torch), f"×{torch / t:.2f}" if torch else "", r.get("check", "")]
        )  # fmt: skip
    return table(
        ["workload", "nodes", "MB", "adcli eval s", "µs/node", "peak MB", "PyTorch s",
         "PyTorch/adcli", "check"],
        lines,
    )  # fmt: skip


def start_section(options) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    import adcli

    # Cold start reads bytecode; make sure it is there (the dev venv may run with it off).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(adcli.__file__).parent)],
        env=env,
        check=False,
    )
    commands = {
        "adcli eval \"x*y+sin(x)\" --x 0.5 --y 4.2 --json": [
            *adcli_command(), "eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json"
        ],
        "python -c pass": [sys.executable, "-c", "pass"],
    }  # fmt: skip
    qalc = shutil.which("qalc")
    if qalc:
        commands['qalc -t "diff(x*y+sin(x), x)"'] = [qalc, "-t", "diff(x*y+sin(x), x)"]
    times: dict[str, list[float]] = {label: [] for label in commands}
    runs = 3 if options.quick else 21
    for k in range(runs + 1):  # round-robin, so a busy moment hurts every command alike
        for label, command in commands.items():
            seconds, status = run_timed(command, timeout=30.0, env=env)
            if k > 0 and status == 0:  # the first round warms the page cache
                times[label].append(seconds)
    result = {"times": times, "qalc": bool(qalc)}
    for label, values in times.items():
        log(f"start  {label:50} {median(values) * 1e3 if values else float('nan'):.1f} ms")
    return result


def start_table(start: dict) -> str:
    times = start["times"]
    base = median(times["python -c pass"])
    lines = []
    for label, values in times.items():
        if not values:
            lines.append([label, "failed", "", ""])
            continue
        m = median(values)
        lines.append([label, fixed(m * 1e3, 1), fixed(min(values) * 1e3, 1), f"×{m / base:.2f}"])
    if not start["qalc"]:
        lines.append(["qalc (not installed: apt-get install qalc)", "", "", ""])
    return table(["command", "median ms", "min ms", "× python -c pass"], lines)


# targets ----------------------------------------------------------------------------------------
def targets(engine_rows, parser_rows, cli_rows, start) -> str:
    lines = []

    def add(target: str, measured: str, met: bool | None) -> None:
        lines.append([target, measured, "" if met is None else ("yes" if met else "NO")])

    if engine_rows:
        top = max(r["n"] for r in engine_rows)
        at = {(r["workload"], r["peer"]): r for r in engine_rows if r["n"] == top}
        where = f" at {size(top)}"
        for name in dict.fromkeys(r["workload"] for r in engine_rows):
            a = at.get((name, "adcli"))
            if not a or "total" not in a:
                add(
                    f"{name}: adcli works{where}",
                    a.get("error", "not run") if a else "not run",
                    False,
                )
                continue
            nodes, total = a["nodes"], median(a["total"])
            us = total / nodes * 1e6
            add(
                f"{name}: value + every partial ≤ 1 µs/node{where} (build + sweeps)",
                f"{us:.2f} µs/node",
                us <= 1,
            )
            f, b = median(a["replay_forward"]), median(a["replay_backward"])
            rus = (f + b) / nodes * 1e6
            add(
                f"{name}: … on a built tape (sweeps only) ≤ 1 µs/node",
                f"{rus:.2f} µs/node",
                rus <= 1,
            )
            for peer, factor in (("torch", 10), ("micrograd", 5)):
                r = at.get((name, peer))
                if peer == "micrograd" and (not r or "total" not in r):
                    r = at.get((name, "micrograd-stack"))
                if r and "total" in r:
                    ratio = median(r["total"]) / total
                    add(
                        f"{name}: ≥ {factor}× faster than {PEERS[r['peer']][0]}",
                        f"×{ratio:.2f}",
                        ratio >= factor,
                    )
                elif r:
                    add(
                        f"{name}: ≥ {factor}× faster than {PEERS[peer][0]}",
                        r.get("error") or "skipped",
                        None,
                    )
            add(f"{name}: reverse ≤ 1.5× forward (replay)", f"×{b / f:.2f}", b / f <= 1.5)
            per = a["peak"] / nodes
            add(f"{name}: peak memory ≤ 150 B/node{where}", f"{per:.0f} B/node", per <= 150)
        d = at.get(("deep", "adcli"))
        if d:
            add(
                f"depth {size(top)} works (deep)",
                "ok" if "total" in d else d.get("error", ""),
                ("total" in d) if top >= 10**6 or "total" not in d else None,
            )
    for row in parser_rows:
        a, p = row["adcli"], row["python-ast"]
        if "total" in a:
            mbs = a["bytes"] / 1e6 / median(a["total"])
            vs = (
                f" (ast.parse {p['bytes'] / 1e6 / median(p['total']):.2f} MB/s)"
                if "total" in p
                else ""
            )
            add(
                f"{row['workload']}: parser ≥ 0.5 MB/s on {a['bytes'] / 1e6:.1f} MB",
                f"{mbs:.3f} MB/s{vs}",
                mbs >= 0.5,
            )
    if cli_rows:
        top = max(r["n"] for r in cli_rows)
        for r in cli_rows:
            if r["n"] != top:
                continue
            if "seconds" in r and r.get("torch"):
                t = median(r["seconds"])
                add(f"{r['workload']}: adcli eval -f at {size(top)} faster than PyTorch build+backward",
                    f"{t:.2f} s vs {r['torch']:.2f} s", t < r["torch"])  # fmt: skip
            else:
                add(
                    f"{r['workload']}: adcli eval -f at {size(top)} vs PyTorch",
                    r.get("error") or "PyTorch not measured",
                    None,
                )
    if start:
        times = start["times"]
        cold = median(times[next(iter(times))])
        py = median(times["python -c pass"])
        add(
            "cold start ≤ 5× python -c pass",
            f"{cold * 1e3:.0f} ms = ×{cold / py:.2f}",
            cold <= 5 * py,
        )
        q = [v for k, v in times.items() if k.startswith("qalc")]
        if q and q[0]:
            add(
                "cold start ≤ qalc",
                f"{cold * 1e3:.0f} ms vs {median(q[0]) * 1e3:.0f} ms",
                cold <= median(q[0]),
            )
        else:
            add("cold start ≤ qalc", "qalc not installed", None)
    return table(["target", "measured", "met"], lines)


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
    if "adcli" not in wanted:
        wanted.insert(0, "adcli")  # every ratio is to adcli
    peers = [p for p in wanted if available(p)]
    missing = [p for p in wanted if p not in peers]
    info = machine()
    out: dict = {"machine": info, "sizes": list(options.sizes), "quick": options.quick}
    engine_rows = parser_rows = cli_rows = []
    start = None
    if "engine" in options.sections:
        engine_rows = engine_section(options, peers)
    if "parser" in options.sections:
        parser_rows = parser_section(options)
    if "cli" in options.sections:
        cli_rows = cli_section(options, engine_rows, options.out / "programs")
    if "start" in options.sections:
        start = start_section(options)
    out.update(engine=engine_rows, parser=parser_rows, cli=cli_rows, start=start)
    report = render(info, options, peers, missing, engine_rows, parser_rows, cli_rows, start)
    print(report, end="")
    write(options.out, out, report)
    return 0


def render(info, options, peers, missing, engine_rows, parser_rows, cli_rows, start) -> str:
    v = info["versions"]
    shown = ", ".join(f"{k} {v[k]}" for k in v if v[k])
    parts = [
        f"# adcli benchmark — {info['date']}",
        "",
        f"Machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, {info['system']}.  ",
        f"Versions: {shown}; adcli source {info['source']}.  ",
        f"Command: `{' '.join(['python bench/run.py', *sys.argv[1:]])}`; load average at the "
        f"start {info['load']} (the machine is shared: absolute times vary, ratios less).",
    ]
    if missing:
        parts += [
            "",
            "Skipped (not installed): "
            + ", ".join(PEERS[p][0] for p in missing)
            + " — `pip install -e '.[bench]'`.",
        ]
    if engine_rows:
        engine, replay = engine_tables(engine_rows)
        notes = "\n".join(f"- {PEERS[p][0]}: {PEERS[p][2]}" for p in peers)
        parts += [
            "", "## Engine: build the graph from Python scalars, then value + every partial", "",
            engine, "",
            "seconds = build + gradient (median); × adcli = the tool's time over adcli's; "
            "build = graph from Python objects (peers compute values as they build; adcli's "
            "forward sweep does); gradient = what runs after (adcli: forward + reverse sweep; "
            "peers: backward); peak = growth of the resident set during one run; check = value "
            "and partials agree with adcli's to 1e-9.",
            "", notes,
            "", "## Engine: replaying a built tape (adcli)", "", replay,
        ]  # fmt: skip
    if parser_rows:
        parts += ["", "## Parser: program text → graph", "", parser_table(parser_rows), "",
                  "ast.parse reads the same text as Python (`^` → `**`); it refuses nesting deeper than 200."]  # fmt: skip
    if cli_rows:
        parts += ["", "## End to end: `adcli eval -f PROGRAM --at POINT.json --json`", "", cli_table(cli_rows), "",
                  "Wall time of the whole command (start-up, reading, parsing, sweeps, JSON out); "
                  "PyTorch s = its build + backward of the same function in-process (its ~1.3 s import not counted)."]  # fmt: skip
    if start:
        parts += ["", "## Cold start", "", start_table(start)]
    parts += ["", "## Targets (issue 6)", "", targets(engine_rows, parser_rows, cli_rows, start)]
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
