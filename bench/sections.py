"""The benchmark's sections: each measures, in fresh processes, and returns rows (``bench/run.py``).

Both of adcli's paths run side by side: the compiled core as built, and pure Python
(``ADCLI_PURE=1`` in the child's environment, see ``adcli/native.py``).  Without a compiled core
the two rows measure the same code, and the header says so.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from floor import compile_floor
from report import median, size
from workloads import WORKLOADS

HERE = Path(__file__).resolve().parent
PATHS = {"compiled": {}, "pure": {"ADCLI_PURE": "1"}}  # path -> what its environment adds


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def env_for(path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ADCLI_PURE"}
    return env | PATHS[path]


# running things ---------------------------------------------------------------------------------
def runs_for(n: int, peer: str, quick: bool) -> int:
    """How many runs a median is taken over: fewer where one run takes seconds."""
    if quick:
        return 3 if n <= 10**3 else 1
    if peer == "sympy":
        return 3
    if n <= 10**4:
        return 7
    return 3 if peer.startswith("adcli") else 1


def timeout_for(n: int, peer: str, runs: int, quick: bool) -> float:
    if peer == "sympy":
        return 10.0 if quick else 60.0  # it gives up early; don't wait for it
    return 30.0 + runs * n * 150e-6  # 150 µs a node a run: slower than any peer measured


def worker(task: str, peer: str, workload: str, n: int, runs: int, timeout: float) -> dict:
    """One measurement in a fresh process (bench/peers.py); errors come back as ``error``."""
    command = [sys.executable, str(HERE / "peers.py"), task, peer, workload, str(n), str(runs)]
    env = env_for("pure" if peer == "adcli-pure" else "compiled")
    return _json_of(command, timeout, env)


def _json_of(command: list[str], timeout: float, env: dict | None = None) -> dict:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
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


def adcli_command() -> list[str]:
    script = Path(sys.executable).parent / "adcli"
    if script.exists():
        return [str(script)]
    found = shutil.which("adcli")
    return [found] if found else [sys.executable, "-m", "adcli"]


def measured_runs(command: list[str], runs: int, timeout: float, path: str) -> tuple[dict, list]:
    """``runs`` measured runs of a command on one path, alternated by the caller; stops at a
    failure.  (row fields, the runs)"""
    measured = []
    for _ in range(runs):
        result = run_measured(command, timeout, env_for(path))
        if result["status"] != 0:
            return {"error": f"status {result['status']}: {result['stderr'].strip()[:100]}"}, []
        measured.append(result)
    return {"seconds": [m["seconds"] for m in measured],
            "peak": max(m["peak"] for m in measured)}, measured  # fmt: skip


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
                result = worker("engine", peer, name, n, runs, timeout_for(n, peer, runs, False))
                result.update(workload=name, n=n, peer=peer, runs=runs)
                if "error" in result:
                    failed[key] = f"failed at {size(n)}"
                    log(f"engine {name:5} {size(n):>5} {peer:16} {result['error']}")
                else:
                    log(f"engine {name:5} {size(n):>5} {peer:16} {median(result['total']):.4f} s")
                rows.append(result)
    return rows


def parser_section(options) -> list[dict]:
    rows = []
    for name in options.workloads:
        workload = WORKLOADS[name]
        # Size each program to about options.parse_mb megabytes of text.
        probe = workload.params(10**4)
        per_node = len(workload.text(probe).encode()) / workload.nodes(probe)
        n = max(10, int(options.parse_mb * 1e6 / per_node))
        row = {"workload": name, "n": n}
        for peer in ("adcli", "adcli-pure", "python-ast"):
            result = worker("parse", peer, name, n, 3, 30.0 + n * 3 * 200e-6)
            row[peer] = result
            shown = result.get("error") or f"{median(result['total']):.4f} s"
            log(f"parser {name:5} {size(n):>5} {peer:10} {shown}")
        rows.append(row)
    return rows


def cli_section(options, engine_rows: list[dict], programs: Path) -> list[dict]:
    """``adcli eval -f PROGRAM --at POINT.json --json`` on each path, one after the other; the
    two paths' outputs are compared byte for byte."""
    programs.mkdir(parents=True, exist_ok=True)
    torch = {(r["workload"], r["n"]): r for r in engine_rows if r["peer"] == "torch"}
    adcli = {(r["workload"], r["n"]): r for r in engine_rows if r["peer"] == "adcli"}
    rows = []
    for name in options.workloads:
        workload = WORKLOADS[name]
        for n in options.sizes:
            p = workload.params(n)
            source, at = programs / f"{name}-{n}.adc", programs / f"{name}-{n}.json"
            source.write_text(workload.text(p))
            at.write_text(json.dumps(workload.point(p)))
            command = [*adcli_command(), "eval", "-f", str(source), "--at", str(at), "--json"]
            runs = 1 if n >= 10**6 or options.quick else 3
            outputs = {}
            for path in PATHS:
                row = {"workload": name, "n": n, "path": path, "nodes": workload.nodes(p),
                       "bytes": source.stat().st_size}  # fmt: skip
                fields, measured = measured_runs(command, runs, 60.0 + n * 300e-6, path)
                row.update(fields)
                if measured:
                    outputs[path] = measured[0]["stdout"]
                    answer = json.loads(outputs[path])
                    ref = adcli.get((name, n))
                    if ref and "value" in ref:
                        ok = abs(answer["value"] - ref["value"]) <= 1e-9 * max(1, abs(ref["value"]))
                        row["check"] = "ok" if ok else "differs"
                if (name, n) in torch and "total" in torch[(name, n)]:
                    row["torch"] = median(torch[(name, n)]["total"])
                shown = row.get("error") or f"{median(row['seconds']):.3f} s"
                log(f"cli    {name:5} {size(n):>5} {path:8} {shown}")
                rows.append(row)
            if len(outputs) == 2 and outputs["compiled"] != outputs["pure"]:
                rows[-2]["check"] = "NOT the pure path's bytes"
            source.unlink()
            at.unlink()
    return rows


def floor_section(options, folder: Path) -> list[dict]:
    """The plain C loop over each workload's tape (bench/floor.py), at every size."""
    binary, how = compile_floor(folder)
    if binary is None:
        log(f"floor: skipped ({how})")
        return [{"workload": "all", "n": 0, "error": f"skipped: {how}"}]
    rows = []
    for name in options.workloads:
        for n in options.sizes:
            runs = 3 if options.quick else 15
            command = [sys.executable, str(HERE / "floor.py"), name, str(n), str(runs), str(binary)]
            row = _json_of(command, 60.0 + n * 100e-6)
            row.update(workload=name, n=n, compiler=how)
            if "forward" in row:
                c = median([f + b for f, b in zip(row["forward"], row["backward"])])
                log(f"floor  {name:5} {size(n):>5} {c:.4f} s")
            rows.append(row)
    return rows


def arrays_section(options, folder: Path) -> list[dict]:
    """``sum(x^2)`` with x a vector of N elements (N the largest size), from --at and --data."""
    n = max(options.sizes)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    x = [round(rng.uniform(-2, 2), 6) for _ in range(n)]
    expected = sum(2 * v for v in x)
    at, data = folder / "x.json", folder / "x.csv"
    at.write_text(json.dumps({"x": x}))
    data.write_text("x\n" + "\n".join(map(repr, x)) + "\n")
    rows = []
    for source, args in (
        ("--at x.json", ["--at", str(at)]),
        ("--data x.csv", ["--data", str(data)]),
    ):
        command = [*adcli_command(), "eval", "sum(x^2)", *args, "--json"]
        outputs = {}
        for path in PATHS:
            row = {"program": "sum(x^2)", "source": source, "n": n, "path": path}
            runs = 1 if options.quick or n >= 10**6 else 3
            fields, measured = measured_runs(command, runs, 300.0, path)
            row.update(fields)
            if measured:
                outputs[path] = measured[0]["stdout"]
                gsum = sum(json.loads(outputs[path])["gradient"]["x"])
                row["check"] = (
                    "ok" if abs(gsum - expected) <= 1e-6 * max(1, abs(expected)) else "differs"
                )
            log(
                f"arrays {source:12} {size(n):>5} {path:8} {row.get('error') or median(row['seconds'])}"
            )
            rows.append(row)
        if len(outputs) == 2 and outputs["compiled"] != outputs["pure"]:
            rows[-2]["check"] = "NOT the pure path's bytes"
    at.unlink()
    data.unlink()
    return rows


def start_section(options) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "ADCLI_PURE")
    }
    import adcli

    # Cold start reads bytecode; make sure it is there (the dev venv may run with it off).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(adcli.__file__).parent)],
                   env=env, check=False)  # fmt: skip
    example = [*adcli_command(), "eval", "x*y+sin(x)", "--x", "0.5", "--y", "4.2", "--json"]
    shown = 'adcli eval "x*y+sin(x)" --x 0.5 --y 4.2 --json'
    commands = {
        shown: (example, env),
        f"{shown} (ADCLI_PURE=1)": (example, env | {"ADCLI_PURE": "1"}),
        "python -c pass": ([sys.executable, "-c", "pass"], env),
    }
    if getattr(options, "baseline", None):  # an older adcli, e.g. v0.1: same command, same run
        commands[f"baseline: {shown}"] = ([options.baseline, *example[len(adcli_command()) :]], env)
    qalc = shutil.which("qalc")
    if qalc:
        commands['qalc -t "diff(x*y+sin(x), x)"'] = ([qalc, "-t", "diff(x*y+sin(x), x)"], env)
    times: dict[str, list[float]] = {label: [] for label in commands}
    runs = 3 if options.quick else 21
    for k in range(runs + 1):  # round-robin, so a busy moment hurts every command alike
        for label, (command, environment) in commands.items():
            start = time.perf_counter()
            try:
                status = subprocess.run(command, capture_output=True, env=environment,
                                        timeout=30.0).returncode  # fmt: skip
            except subprocess.TimeoutExpired:
                status = -1
            if k > 0 and status == 0:  # the first round warms the page cache
                times[label].append(time.perf_counter() - start)
    for label, values in times.items():
        log(f"start  {label:60} {median(values) * 1e3 if values else float('nan'):.1f} ms")
    return {"times": times, "qalc": bool(qalc), "baseline": getattr(options, "baseline", None)}
