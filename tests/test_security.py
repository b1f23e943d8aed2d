"""User text is data, never code: no eval/exec/compile/pickle in the package, Python-looking
programs are syntax errors that run nothing, files are only read, and messages stay short."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tokenize

import pytest
from conftest import ROOT, adcli_command, run_adcli

PACKAGE = ROOT / "adcli"

# Builtins that run or load code: a call to one of these names (not a method, not a `def`).
BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}
# Modules that run or load code: importing one is a finding.
MODULES = {
    "pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "subprocess", "ctypes",
    "runpy", "code", "codeop", "pty", "multiprocessing", "yaml",
}  # fmt: skip
# Attributes that run or load code, by owner.
ATTRIBUTES = {
    "os": {"system", "popen", "execv", "execve", "execvp", "execl", "execlp", "spawnv", "fork"},
    "builtins": BUILTINS,
    "__builtins__": BUILTINS,
    "ast": {"literal_eval"},
    "importlib": {"import_module", "__import__"},
}
# Importing a module by name (importlib.import_module, or __import__ as start-up prefers) is fine
# only where the name comes from a fixed table: COMMANDS, and the compiled core's module names.
IMPORT_MODULE_ALLOWED = {"adcli/commands/__init__.py", "adcli/native.py"}
# subprocess only to run Graphviz's `dot` (a fixed argv, the DOT text on its stdin) for --output.
SUBPROCESS_ALLOWED = {"adcli/commands/dot.py"}


def findings(source: str, filename: str = "<text>") -> list[str]:
    """Each place in ``source``'s code (not its comments or strings) that could run code."""
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT)
    ]
    # A builtin's name imported from the package itself (``from .api import compile``) is the
    # package's function, not the builtin.
    own = {
        name.split(" as ")[-1].strip()
        for names in re.findall(r"^\s*from \.[\w.]* import ([\w ,]+)$", source, re.M)
        for name in names.split(",")
    }
    found = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string in own:
            continue
        before = tokens[i - 1].string if i else ""
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        owner = tokens[i - 2].string if i >= 2 and before == "." else None
        bad = (
            (tok.string in BUILTINS and before not in (".", "def") and after == "(")
            or (
                before in ("import", "from")
                and tok.string.split(".")[0] in MODULES
                and not tok.line.lstrip().startswith("from .")  # the package's own modules
            )
            or (owner is not None and tok.string in ATTRIBUTES.get(owner, ()))
        )
        if (owner == "importlib" or tok.string == "__import__") and filename.replace(
            os.sep, "/"
        ) in IMPORT_MODULE_ALLOWED:
            bad = False
        if tok.string == "subprocess" and filename.replace(os.sep, "/") in SUBPROCESS_ALLOWED:
            bad = False
        if bad:
            found.append(f"{filename}:{tok.start[0]}: {tok.line.strip()}")
    return found


def package_files() -> list:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_package_never_runs_or_loads_code():
    assert len(package_files()) >= 10
    problems = []
    for path in package_files():
        problems += findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "snippet",
    [
        "value = eval(text)",
        "exec(text)",
        "code = compile(text, '<x>', 'eval')",
        "import pickle",
        "from marshal import loads",
        "os.system(text)",
        "import subprocess",
        "m = __import__(name)",
        "ast.literal_eval(text)",
        "builtins.eval(text)",
        "importlib.import_module(text)",
        "import pickle as p",
        "from subprocess import run",
        "os.popen(text)",
    ],
)
def test_the_scan_finds_what_it_looks_for(snippet):
    assert findings(snippet, "adcli/x.py"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "SCANNER = re.compile(r'\\d+')",
        "# we never eval( or exec( user text",
        "'''Never eval, exec or compile user text.'''",
        "x = 'pickle'",
        "def evaluate(program): return program",
        "def compile(text): return parse(text)",
        "program = adcli.compile(text)",
        "code = CODES[name]",
        "system = 'unix'",
        "COMMANDS = {'eval': 'evaluate'}",
        "from . import code, latex",  # the package's own modules, not the stdlib's
        "from .api import compile\nprogram = compile(text)",  # the package's compile
    ],
)
def test_the_scan_allows_re_compile_comments_and_strings(snippet):
    assert findings(snippet, "adcli/x.py") == []


# -- Python-looking programs -------------------------------------------------------------------

PYTHON_LOOKING = [
    "__import__('os').system('touch CANARY')",
    'exec(\'open("CANARY", "w")\')',
    "eval('1')",
    "open('CANARY', 'w')",
    "lambda: 1",
    "lambda x: x",
    "x.y",
    "x.__class__",
    'f"{x}"',
    "'x'",
    "[x for x in y]",
    "x if y else z",
    "x[0]",  # array syntax since v0.2: indexing a scalar is a shape error
    "{x: 1}",
    "x and y",
    "not x",
    "x % y",
    "x // y",
    "x @ y",  # array syntax since v0.2: a matrix product of scalars is a shape error
    "import os",
    "def f(): return 1",
    "x, y",
    "(1,)",
    "x; import os",
    "`touch CANARY`",
    "$(touch CANARY)",
    "x := 1",
    "print(x)\n__import__('os')",
]


def run_in(cwd, *args: str, stdin: bytes = b"", real: bool = False) -> subprocess.CompletedProcess:
    """``adcli ARGS`` with ``cwd`` as the working directory (in-process unless ``real``)."""
    if real:
        env = {**os.environ, "NO_COLOR": "1"}
        return subprocess.run(
            [*adcli_command(), *args],
            input=stdin,
            capture_output=True,
            cwd=cwd,
            env=env,
            timeout=60,
        )
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return run_adcli(*args, input=stdin)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("program", PYTHON_LOOKING)
def test_python_looking_programs_are_text_errors(program):
    done = run_adcli("eval", "--json", "--x", "1", "--y", "2", "--z", "3", "--", program)
    assert done.returncode == 2, (program, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith("adcli: ") and "Traceback" not in done.stderr


def test_python_looking_programs_execute_nothing(tmp_path):
    dangerous = [p for p in PYTHON_LOOKING if "CANARY" in p]
    for program in dangerous:
        assert run_in(tmp_path, "eval", "--", program).returncode == 2
        assert run_in(tmp_path, "eval", "-", stdin=program.encode()).returncode == 2
        (tmp_path / "prog.adc").write_text(program)
        assert run_in(tmp_path, "eval", "-f", "prog.adc").returncode == 2
        assert run_in(tmp_path, "eval", "x", "--at", program).returncode == 2
    # and once through the console script, where a shell would run `...` or $(...)
    assert run_in(tmp_path, "eval", "--", dangerous[0], real=True).returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prog.adc"]


def test_program_file_and_at_file_are_only_read(tmp_path):
    program = tmp_path / "prog.adc"
    point = tmp_path / "point.json"
    program.write_text("x*y + sin(x)")
    point.write_text('{"x": 0.5, "y": 4.2}')
    os.chmod(program, 0o444)
    os.chmod(point, 0o444)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.iterdir()}
    done = run_in(tmp_path, "eval", "-f", "prog.adc", "--at", "point.json", "--json")
    assert done.returncode == 0, done.stderr
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in tmp_path.iterdir()}
    assert after == before


# -- messages never echo the input back ---------------------------------------------------------

LIMIT = 2_000  # characters of stderr: a message, a clipped excerpt and a caret


@pytest.mark.parametrize(
    "program",
    [
        "x + " * 250_000 + "$",  # 1 MB on one line, the error at its end
        "x + " * 50_000 + ")",
        "x + " * 50_000 + "(",
        "q" * 1_000_000 + "(x)",  # a huge unknown function
        "q" * 1_000_000,  # a huge unbound name
        " + ".join(f"u{i}" for i in range(2_000)),  # 2,000 unbound names
        "q" * 1_000_000 + " = 1; " + "q" * 1_000_000 + " = 2; x",  # assigned twice
        "1" * 1_000_000,  # a huge literal
        "log(" + "q" * 1_000_000 + ", x, x)",  # wrong number of arguments
    ],
    ids=[
        "bad char",
        "close",
        "open",
        "unknown fn",
        "unbound",
        "many unbound",
        "twice",
        "literal",
        "arity",
    ],
)
def test_errors_on_megabyte_programs_stay_short(tmp_path, program):
    path = tmp_path / "big.adc"
    path.write_text(program)
    done = run_adcli("eval", "-f", str(path), "--x", "1")
    assert done.returncode == 2
    assert done.stderr.startswith("adcli: ")
    assert len(done.stderr) < LIMIT, done.stderr[:300]


def test_errors_on_huge_bad_bindings_stay_short():
    for args in (
        ["--x", "q" * 100_000],
        ["--at", "[" * 100_000],
        ["--at", '{"x": "' + "q" * 100_000 + '"}'],
        ["--at", '{"' + "1" * 100_000 + '": 1}'],
        ["--at", "/nonexistent/" + "q" * 100_000],
        ["--max-size", "q" * 100_000],
        ["--" + "q" * 100_000],
    ):
        done = run_adcli("eval", "x", *args)
        assert done.returncode == 2, args[0]
        assert len(done.stderr) < LIMIT, (args[0], done.stderr[:300])


def test_warning_about_a_huge_unused_name_stays_short():
    done = run_adcli("eval", "x", "--x", "1", "--at", '{"' + "q" * 100_000 + '": 1}', "--json")
    assert done.returncode == 0
    assert len(done.stderr) < LIMIT


def test_many_unbound_names_are_summarised_not_listed():
    done = run_adcli("eval", " + ".join(f"u{i}" for i in range(2_000)))
    assert done.returncode == 2
    assert "characters]" not in done.stderr  # not cut by the boundary's clip: short by design
