"""The fuzz oracle, input generators and runners: what ``tests/test_fuzz.py`` checks with a short
budget and ``bench/fuzz.py`` runs for minutes (``python bench/fuzz.py --minutes 5``).

Each input class has a generator; every input is run in-process through ``adcli.cli.run`` with
its own ``Environment`` (stdin, stdout, stderr), or through the real console script.  The oracle
is the contract's: exit status 0, 1 or 2 (and which one, where the class decides it), no
traceback and no internal error, every stderr line an ``adcli:`` message or its caret excerpt,
stderr short whatever the input, ``--json``/``--batch`` stdout strict JSON (no NaN/Infinity), and
an end in bounded time.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

from adcli.cli import run as adcli_run
from adcli.commands import COMMANDS
from adcli.environment import Environment
from adcli.primitives import ARITIES

MAX_STDERR = 4000  # characters: an error message is a line and an excerpt, never the input
TIMEOUT = 10.0  # seconds per in-process run before it counts as a hang
ENVIRON = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so adcli's boundary cannot swallow it."""


class Outcome:
    __slots__ = ("seconds", "status", "stderr", "stdout")

    def __init__(self, status: int, stdout: str, stderr: str, seconds: float) -> None:
        self.status, self.stdout, self.stderr, self.seconds = status, stdout, stderr, seconds


def _on_alarm(signum, frame):
    raise Hang()


def run_inprocess(args: list[str], stdin: bytes = b"", timeout: float = TIMEOUT) -> Outcome:
    """``adcli ARGS < stdin`` in this process, its streams captured; a hang raises ``Hang``."""
    fake_in = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    fake_out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    fake_err = io.TextIOWrapper(
        err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True
    )
    env = Environment(fake_in, fake_out, fake_err, stdout_isatty=False, environ=ENVIRON)
    old_handler = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        status = adcli_run(list(args), env)
    except SystemExit as exc:  # a path that exits instead of returning is a finding too
        status = exc.code if isinstance(exc.code, int) else -1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
    seconds = time.perf_counter() - start
    return Outcome(
        status,
        out_bytes.getvalue().decode("utf-8", "replace"),
        err_bytes.getvalue().decode("utf-8", "replace"),
        seconds,
    )


def run_subprocess(args: list[str], stdin: bytes = b"", timeout: float = 30) -> Outcome:
    """The same through the installed console script (what a user runs)."""
    script = os.path.join(os.path.dirname(sys.executable), "adcli")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "adcli"]
    env = dict(ENVIRON)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command + list(args), input=stdin, capture_output=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        raise Hang() from None
    return Outcome(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        time.perf_counter() - start,
    )


def strict_json(text: str):
    def refuse(token: str):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def problems(args: list[str], outcome: Outcome, expect=(0, 1, 2)) -> list[str]:
    """Everything in ``outcome`` that breaks the contract (an empty list when it holds)."""
    found = []
    status, out, err = outcome.status, outcome.stdout, outcome.stderr
    if status not in expect:
        found.append(f"exit status {status}, expected one of {sorted(expect)}")
    if "Traceback" in err or "internal error" in err:
        found.append("traceback or internal error on stderr")
    if len(err) > MAX_STDERR:
        found.append(f"stderr is {len(err):,} characters (the input echoed back?)")
    lines = err.splitlines()
    if lines and not lines[0].startswith("adcli:"):
        found.append(f"stderr does not start with 'adcli:': {lines[0][:80]!r}")
    if any(not (line.startswith(("adcli:", "  ")) or not line) for line in lines):
        found.append("a stderr line is neither an 'adcli:' message nor an excerpt")
    errors = [line for line in lines if line.startswith("adcli:") and "warning:" not in line]
    options = args[: args.index("--")] if "--" in args else args
    # In batch mode a failed line is reported on stdout, so status 1 may come with no message.
    batch_line_failed = "--batch" in options and status == 1
    if status in (1, 2) and "--help" not in args and len(errors) != 1 and not batch_line_failed:
        found.append(f"{len(errors)} error messages on stderr, expected exactly one")
    if status == 0 and errors:
        found.append("status 0 with an error message")
    if "--help" in options:
        pass  # a help page, whatever else is on the line
    elif "--batch" in options:
        found += _check_batch(out, status)
    elif "--json" in options and (status == 0 or out):
        # On success one strict JSON line; on error nothing, or one JSON report (check's).
        found += _check_json_line(out)
    return found


def _check_json_line(out: str) -> list[str]:
    if not out.endswith("\n") or out.count("\n") != 1:
        return ["--json stdout is not exactly one line"]
    try:
        data = strict_json(out)
    except ValueError as exc:
        return [f"--json stdout is not strict JSON: {exc}"]
    return [] if isinstance(data, (dict, list)) else ["--json stdout is not an object"]


def _check_batch(out: str, status: int) -> list[str]:
    found = []
    for line in out.splitlines():
        try:
            record = strict_json(line)
        except ValueError as exc:
            found.append(f"batch line is not strict JSON: {exc}: {line[:80]!r}")
            continue
        if not isinstance(record, dict):
            found.append("batch line is not an object")
        elif "error" in record and status != 1:
            found.append("a batch line failed but the exit status is not 1")
    return found


# ---------------------------------------------------------------------------------------------
# Generators: each returns (args, stdin, expected statuses).

FUNCTIONS = sorted(ARITIES)
NAMES = ("x", "y", "z", "w", "b", "t")
VALID = (
    "x*y + sin(x)",
    "h = tanh(w*x + b); loss = (h - t)^2; loss",
    "-x^2",
    "2^-1 + x^-y^2",
    "log(x, 2) + atan2(y, x) + hypot(x, y)",
    "a = x\n# comment\nb = a*a; b / (1 + a)",
    "min(x, y) * max(x, y) + relu(x) + abs(y)",
    "cbrt(x) + sqrt(x*x + 1) + exp(-x) + pi * e",
)
TOKEN = re.compile(r"\*\*|[A-Za-z_]\w*|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|\s+|.", re.S)


def number(rng: random.Random) -> str:
    forms = ("{i}", "{i}.{f}", ".{f}", "{i}.", "{i}e-{k}", "{i}E+{k}", "{i}.{f}e{k}")
    return rng.choice(forms).format(
        i=rng.randint(0, 99), f=rng.randint(0, 999), k=rng.randint(0, 3)
    )


def expression(rng: random.Random, depth: int) -> str:
    """A random well-formed expression (without recursion limits mattering: depth <= ~8)."""
    if depth <= 0 or rng.random() < 0.25:
        leaf = rng.random()
        if leaf < 0.5:
            return rng.choice(NAMES)
        if leaf < 0.9:
            return number(rng)
        return rng.choice(("pi", "e"))
    kind = rng.random()
    if kind < 0.45:
        op = rng.choice(("+", "-", "*", "/", "^", "**"))
        return f"{expression(rng, depth - 1)} {op} {expression(rng, depth - 1)}"
    if kind < 0.55:
        return rng.choice(("-", "+")) + expression(rng, depth - 1)
    if kind < 0.7:
        return f"({expression(rng, depth - 1)})"
    name = rng.choice(FUNCTIONS)
    arity = rng.choice(ARITIES[name])
    return f"{name}({', '.join(expression(rng, depth - 1) for _ in range(arity))})"


def program(rng: random.Random) -> str:
    statements, bound = [], []
    for i in range(rng.randint(0, 3)):
        name = f"v{i}"
        statements.append(f"{name} = {expression(rng, 3)}")
        bound.append(name)
    last = expression(rng, 4)
    if bound:
        last += " + " + " * ".join(bound)
    statements.append(last)
    seps = ("; ", "\n", " ;\n", "\n# note\n", ";;")
    text = statements[0]
    for s in statements[1:]:
        text += rng.choice(seps) + s
    return text


def value(rng: random.Random) -> str:
    return repr(rng.choice((rng.uniform(-3, 3), rng.uniform(0.01, 2), 0.0, 1.0, -1.0, 0.5)))


def bindings(rng: random.Random, names=NAMES) -> list[str]:
    out = []
    for name in names:
        v = value(rng)
        form = rng.randrange(4)
        out += (
            [f"--{name}", v]
            if form == 0
            else [f"--{name}={v}"]
            if form == 1
            else [f"{name}={v}"]
            if form == 2
            else ["--at", json.dumps({name: float(v)})]
        )
    return out


def gen_bytes(rng: random.Random):
    data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 60)))
    if rng.random() < 0.5:  # mostly program-ish bytes, so the parser goes deeper
        data = bytes(rng.choice(b"xy()+-*/^.,;=#\n e1234567890\x00\xff\t") for _ in data)
    how = rng.choice((["-"], ["-f", "-"]))
    return ["eval", *how, "--json", "--x", "0.5", "--y", "2"], data, (0, 1, 2)


def gen_unicode(rng: random.Random):
    alphabet = "xy+-*/^()=;#\n\t .,0123456789éπ∂√²αβ\u200b\u202e\ufeff\U0001f600\x1b\x7f"
    n = rng.randint(0, 40)
    if rng.random() < 0.5:
        text = "".join(rng.choice(alphabet) for _ in range(n))
    else:  # any code point except NUL and surrogates (argv cannot carry them)
        text = "".join(
            chr(c)
            for c in (rng.randint(1, 0x10FFFF) for _ in range(n))
            if not 0xD800 <= c <= 0xDFFF
        )
    return ["eval", text, "--json", "x=1", "y=2"], b"", (0, 1, 2)


def mutate(rng: random.Random, text: str) -> str:
    tokens = TOKEN.findall(text)
    for _ in range(rng.randint(1, 3)):
        if not tokens:
            tokens = ["("]
        i = rng.randrange(len(tokens))
        op = rng.randrange(6)
        if op == 0:
            del tokens[i]
        elif op == 1:
            tokens.insert(i, tokens[i])
        elif op == 2 and len(tokens) > 1:
            j = rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == 3:
            tokens.insert(i, rng.choice("()"))
        elif op == 4:
            tokens.insert(i, rng.choice(("(", ")", ",", "=", ";", "\n", "^", "e", "1e999", "#")))
        else:
            tokens = [t for t in tokens if t not in "()"] if rng.random() < 0.5 else tokens[:i]
    return "".join(tokens)


def gen_mutation(rng: random.Random):
    base = rng.choice(VALID) if rng.random() < 0.5 else program(rng)
    return ["eval", "--json", *bindings(rng), "--", mutate(rng, base)], b"", (0, 1, 2)


def gen_grammar(rng: random.Random):
    # All inputs bound: a well-formed program can only succeed or fail to evaluate here.
    return ["eval", program(rng), *bindings(rng), "--json", "--quiet"], b"", (0, 1)


PROGRAMS = ("x*y", "-x^2", "x", "h = x; h*y", "1", "x +", "log(x)", "--x", "-", "json")
BAD_VALUES = ("nan", "inf", "-inf", "NaN", "abc", "", " 1", "1e999", "0x10", "1_0", "--", "-")
OPTION_VALUES = ("1", "0", "6", "x", "x,y", "18", "-1", "64M", "1K", "0", "zz", "{}", "-")


def gen_command_line(rng: random.Random):
    name = rng.choice(sorted(COMMANDS))
    module = __import__(f"adcli.commands.{COMMANDS[name]}", fromlist=["OPTIONS"])
    flags = [f for opt in module.OPTIONS for f in opt.flags if f not in ("-f", "--file")]
    pool = []
    for _ in range(rng.randint(0, 7)):
        r = rng.random()
        if r < 0.25:
            pool.append(rng.choice(PROGRAMS))
        elif r < 0.45:
            pool += bindings(rng, rng.sample(NAMES, 1))
        elif r < 0.6:
            n = rng.choice((*NAMES, "pi", "e", "1x", "json", "x-y"))
            v = rng.choice(BAD_VALUES)
            pool += rng.choice(([f"--{n}", v], [f"--{n}={v}"], [f"{n}={v}"]))
        elif r < 0.8:
            flag = rng.choice(flags)
            pool.append(flag)
            if rng.random() < 0.7:
                pool.append(rng.choice(OPTION_VALUES))
        elif r < 0.9:
            pool.append("--")
        else:
            pool.append(rng.choice(('{"x": 1}', '{"x": "1"}', '{"x": true}', "[1]", "{", "--at")))
    if rng.random() < 0.5:
        pool.append("--json")
    rng.shuffle(pool)
    return [name, *pool], b"", (0, 1, 2)


PYTHONISH = (
    "__import__('os').system('x')",
    "lambda: 1",
    "x.y",
    'f"{x}"',
    "[x for x in y]",
    "x if y else z",
    "open('/etc/passwd')",
    "exec('1')",
    "eval(x)",
    "x[0]",
    "{x: 1}",
    "x == y",
    "x and y",
    "not x",
    "x @ y",
    "x % y",
    "x // y",
    "import os",
    "def f(): 1",
    "x; import os",
    "`ls`",
    "$(ls)",
    "x, y",
    "(1,)",
    "True",
)


def gen_python(rng: random.Random):
    text = rng.choice(PYTHONISH)
    if rng.random() < 0.5:
        text = mutate(rng, text)
        return ["eval", "--json", "x=1", "y=2", "z=3", "--", text], b"", (0, 1, 2)
    # Unmutated, these are syntax errors, except where the Python happens to be adcli too.
    expect = (0, 2) if text in ("x", "True") else (2,)
    return ["eval", "--json", "x=1", "y=2", "z=3", "--", text], b"", expect


def json_object(name: str, raw_value: str) -> str:
    """``{"name": raw_value}`` with the value's text as is (it may be invalid JSON on purpose)."""
    return "{" + json.dumps(name) + ": " + raw_value + "}"


def gen_numbers(rng: random.Random):
    bad = rng.choice(("nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e400", "1" * 400))
    form = rng.randrange(4)
    binding = (
        ["--x", bad]
        if form == 0
        else [f"--x={bad}"]
        if form == 1
        else [f"x={bad}"]
        if form == 2
        else ["--at", json_object("x", bad)]
    )
    return ["eval", "x*y", "--y", "1", *binding, "--json"], b"", (2,)


def gen_batch(rng: random.Random):
    lines = []
    for _ in range(rng.randint(0, 6)):
        r = rng.random()
        if r < 0.4:
            lines.append(json.dumps({"x": rng.uniform(-2, 2), "y": rng.uniform(0.1, 2)}))
        elif r < 0.6:
            lines.append(mutate(rng, '{"x": 0.5, "y": 2}'))
        else:
            lines.append(
                rng.choice(
                    (
                        '{"x": "1"}',
                        '{"x": true}',
                        '{"x": null}',
                        "[1, 2]",
                        "1",
                        "",
                        '{"x": NaN}',
                        '{"x": 1e999}',
                        '{"zz": 1}',
                        '{"pi": 1}',
                        '{"x": -1}',
                        '{"x": 0, "y": 0}',
                        json_object("x", "1" * 5000),
                        json_object("q" * 5000, "1"),
                        "\x00",
                        "{" * 5000,
                    )
                )
            )
    text = "\n".join(lines)
    if rng.random() < 0.7:
        text += "\n"
    prog = rng.choice(("log(x) * y", "x*y + sin(x)", "sqrt(x) + y"))
    return ["eval", prog, "--batch", "-", "--y", "1"], text.encode(), (0, 1, 2)


def gen_other_commands(rng: random.Random):
    """A well-formed program, every input bound, through each command but eval."""
    name = rng.choice(sorted(set(COMMANDS) - {"eval", "functions"}))
    args = [name, program(rng), *bindings(rng), "--quiet"]
    if name == "jvp":
        args += ["--direction", "x=1"] if rng.random() < 0.5 else ["--dy", "0.5"]
    if name != "dot" and rng.random() < 0.7:
        args.append("--json")
    # jvp's direction may name a variable the program does not use, and diff refuses a program
    # without inputs: usage errors both.
    no_inputs = not re.search(r"\b[xyzwbt]\b", args[1])
    usage_ok = name == "jvp" or (name == "diff" and no_inputs)
    return args, b"", (0, 1, 2) if usage_ok else (0, 1)


def gen_large(rng: random.Random):
    """Big inputs whose messages must stay short: long names, numbers, lines, many names."""
    n = rng.choice((1_000, 20_000, 200_000))
    form = rng.randrange(8)
    if form == 0:
        text = "q" * n  # one huge unbound name
    elif form == 1:
        text = " + ".join(f"u{i}" for i in range(n // 6))  # many unbound names
    elif form == 2:
        text = "1" * n  # a huge literal
    elif form == 3:
        text = "x+" * (n // 2) + rng.choice(("", ")", "$", "(", "q" * n))
    elif form == 4:
        text = "(" * n + "x" + ")" * (n - rng.randrange(2))
    elif form == 5:
        text = "q" * n + "(x)"  # a huge unknown function
    elif form == 6:
        text = "-" * n + "x"
    else:
        text = "x = 1\n" * 2 + "y" * n + " = 2; x"
    expect = (0, 2) if form in (4, 6) else (1, 2) if form in (3,) else (2,)
    args = ["eval", "-f", "-", "--x", "0.5", "--json"]
    if rng.random() < 0.3:
        args += ["--at", json_object(rng.choice(("x", "1" * 5000, "p" * n)), "1")]
        expect = (0, 1, 2)
    elif rng.random() < 0.3:
        args += ["--x", rng.choice(("1" * 5000, "9" * 400 + ".5", "1e" + "9" * 1000))]
        expect = (2,)
    return args, text.encode(), expect


def gen_top_level(rng: random.Random):
    pool = ["", "nonsense", "--version", "--help", "--bogus", "eval", "functions", "-x", "--"]
    args = [a for a in rng.sample(pool, rng.randint(0, 3)) if a]
    return args, b"", (0, 1, 2)


CLASSES = {
    "random bytes (stdin)": gen_bytes,
    "random unicode (argv)": gen_unicode,
    "mutated programs": gen_mutation,
    "grammar programs": gen_grammar,
    "command lines": gen_command_line,
    "python-looking": gen_python,
    "non-finite bindings": gen_numbers,
    "other commands": gen_other_commands,
    "large inputs": gen_large,
    "top-level lines": gen_top_level,
    "batch faults": gen_batch,
}


SLOW = ("large inputs",)


def batch_exists() -> bool:
    try:
        return run_inprocess(["eval", "x", "--batch", "-"], b'{"x": 1}\n').status == 0
    except Hang:
        return False


def reproducer(args: list[str], stdin: bytes, tag: object) -> str:
    """A shell line that replays the input; big stdin goes to a file, huge arguments are
    shown by their length (rebuild them from the class's generator and the seed)."""
    shown = "adcli " + " ".join(
        shlex.quote(a) if len(a) <= 200 else f"<{len(a):,} chars: {shlex.quote(a[:40])}…>"
        for a in args
    )
    if not stdin:
        return shown
    if len(stdin) <= 200 and b"\0" not in stdin:
        return f"printf %s {shlex.quote(stdin.decode('latin-1'))} | {shown}"
    path = os.path.join(tempfile.gettempdir(), f"adcli-fuzz-{tag}.stdin")
    with open(path, "wb") as handle:
        handle.write(stdin)
    return f"{shown} < {path}"
