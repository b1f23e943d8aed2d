"""What adcli says about itself: help pages, version, manual page and shell completion.

Everything here is made from each command module's ``HELP``, ``OPTIONS`` and ``EXAMPLES``, so the
tests walk the registry: a new command or option is covered without editing this file.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
from conftest import adcli_command, run_adcli

from adcli import help as adcli_help
from adcli.commands import COMMANDS, command
from adcli.help import completion

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_top_level_help(flag):
    done = run_adcli(flag)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("Usage: adcli COMMAND")
    for name in COMMANDS:
        assert re.search(rf"^  {name} +\S", done.stdout, re.MULTILINE), name
    assert "\nExamples:\n  adcli eval " in done.stdout
    assert not ANSI.search(done.stdout)  # plain on a pipe


def test_bare_adcli_lists_the_commands_on_stderr_with_status_2():
    done = run_adcli()
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("adcli: missing command\n  Usage: adcli COMMAND")
    for name in COMMANDS:
        assert re.search(rf"^    {name} ", done.stderr, re.MULTILINE), name


def test_every_command_has_a_one_line_summary():
    for name in COMMANDS:
        assert name in adcli_help.SUMMARIES, f"add a line for '{name}' to adcli.help.SUMMARIES"
    assert set(adcli_help.SUMMARIES) <= set(COMMANDS)


@pytest.mark.parametrize("flag", ["-h", "--help"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_a_page_listing_every_option(name, flag):
    done = run_adcli(name, flag)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(f"Usage: adcli {name} [OPTIONS]")
    flat = " ".join(done.stdout.split())
    for option in command(name).OPTIONS:
        assert adcli_help.option_term(option) in done.stdout, option.flags
        assert " ".join(adcli_help.styled(option.help, False).split()) in flat, option.flags
    assert "<bool>" not in done.stdout and "BOOLEAN" not in done.stdout
    assert "[bold]" not in done.stdout and not ANSI.search(done.stdout)
    assert "\nExamples:\n  adcli " + name in done.stdout


def test_help_after_a_program_and_bindings():
    for args in (["eval", "x*y", "--x", "1", "-h"], ["hessian", "--help", "x*y", "x=1"]):
        done = run_adcli(*args)
        assert done.returncode == 0, args
        assert done.stdout.startswith(f"Usage: adcli {args[0]} ")


def test_help_pages_fit_the_terminal():
    for width in (40, 60, 100):
        page = adcli_help.command_page("eval", width)
        prose = page.split("\nExamples:")[0]  # examples are commands: never wrapped
        lines = [line for line in prose.splitlines() if not line.startswith("Usage")]
        widest = max(len(line) for line in lines)
        assert widest <= width, (width, widest)


def test_bold_on_a_terminal_plain_on_a_pipe():
    terminal = run_adcli("eval", "--help", tty=True)
    assert "\x1b[1mUsage:\x1b[0m" in terminal.stdout
    assert not ANSI.search(run_adcli("eval", "--help", tty=True, env={"TERM": "dumb"}).stdout)
    bold = adcli_help.command_page("tree", 80, bold=True)
    assert "\x1b[1mUsage:\x1b[0m" in bold and "\x1b[1mg=\x1b[0m" in bold
    assert ANSI.sub("", bold) == adcli_help.command_page("tree", 80, bold=False)


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    done = run_adcli(flag)
    assert done.returncode == 0 and done.stderr == ""
    from adcli.native import describe

    assert done.stdout == f"adcli {importlib.metadata.version('adcli')} ({describe()})\n"


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["evl", "x"], "no such command: 'evl' (did you mean 'eval'?)"),
        (["--verison"], "no such option: --verison (did you mean '--version'?)"),
        (["--completion", "tcsh"], "--completion needs a shell: bash, zsh, fish"),
    ],
)
def test_top_level_usage_errors_say_what_to_do(args, hint):
    done = run_adcli(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"adcli: {hint}\n")
    assert "Try 'adcli --help'" in done.stderr


def test_help_and_version_import_neither_rich_nor_typer():
    """What keeps them fast: only the standard library and the asked command's module."""
    code = (
        "import io, sys\n"
        "from adcli.cli import run\n"
        "sys.stdout = io.StringIO()\n"
        "for args in (['--help'], ['-V'], ['eval', '--help'], ['tree', '-h'], []):\n"
        "    sys.stderr = io.StringIO(); run(args)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'typer', 'click',"
        " 'numpy', 'lark', 'pyarrow'})\n"
        "sys.__stdout__.write(repr(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "[]", done.stderr


# ---- the manual page -------------------------------------------------------------------------

MACROS = {"TH", "SH", "SS", "PP", "TP", "B", "br", "RS", "RE", "nf", "fi"}


def test_man_page_is_roff_and_lists_every_command():
    done = run_adcli("--man")
    assert done.returncode == 0 and done.stderr == ""
    page = done.stdout
    assert page.startswith(f'.TH ADCLI 1 "" "adcli {importlib.metadata.version("adcli")}"')
    for line in page.splitlines():
        if line.startswith((".", "'")):
            assert line[1:].split(" ")[0] in MACROS, line
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS"):
        assert f"\n.SH {section}\n" in page
    for name in COMMANDS:
        assert f"\n.SS adcli {name} " in page, name
        for option in command(name).OPTIONS:
            assert option.flags[-1].replace("-", "\\-") in page
    if shutil.which("groff"):
        lint = subprocess.run(
            ["groff", "-k", "-man", "-ww", "-z", "-Tutf8"],
            input=page,
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0 and lint.stderr == "", lint.stderr


# ---- completion ------------------------------------------------------------------------------


def test_completion_scripts_name_every_command_option_and_choice():
    for shell in adcli_help.SHELLS:
        done = run_adcli("--completion", shell)
        assert done.returncode == 0 and done.stderr == ""
        for name in COMMANDS:
            assert name in done.stdout
            for option in command(name).OPTIONS:
                for flag in option.flags:
                    assert flag.lstrip("-") in done.stdout, (shell, flag)
                for value in completion.option_values(option) or ():
                    assert value in done.stdout, (shell, value)


BASH_CASES = {
    "adcli ev": "eval",
    "adcli eval --mo": "--mode",
    "adcli eval --mode ": "reverse forward auto",
    "adcli eval --mode=f": "forward",
    "adcli eval x --output js": "jsonl",
    "adcli eval -f po": "points.jsonl",
    "adcli eval --batch po": "points.jsonl",
    "adcli eval --at po": "points.jsonl",
    "adcli --completion ": "bash zsh fish",
    "adcli diff x --to ": "adcli python numpy c latex",
    "adcli functions --js": "--json",
}


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_commands_options_values_and_files(tmp_path):
    (tmp_path / "completion.bash").write_text(run_adcli("--completion", "bash").stdout)
    (tmp_path / "points.jsonl").write_text("")
    calls = [
        "source completion.bash",
        'tab() { COMP_LINE="$1"; read -ra COMP_WORDS <<< "$1"; '
        '[[ $1 == *" " ]] && COMP_WORDS+=(""); '
        "COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _adcli; "
        'echo "${COMPREPLY[*]}"; }',
    ]
    for line in BASH_CASES:
        # bash splits --mode=f at '=' (COMP_WORDBREAKS): the words are --mode, =, f
        words = line.replace("=", " = ") if "=" in line else line
        calls.append(f"tab {words!r}")
    done = subprocess.run(
        ["bash", "-c", "\n".join(calls)], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.stdout.splitlines() == list(BASH_CASES.values()), done.stderr


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion(tmp_path):
    (tmp_path / "completion.fish").write_text(run_adcli("--completion", "fish").stdout)
    (tmp_path / "points.jsonl").write_text("")
    for line, expected in [
        ("adcli ev", ["eval"]),
        ("adcli eval --mode ", ["auto", "forward", "reverse"]),
        ("adcli eval --batch po", ["points.jsonl"]),
        ("adcli eval --js", ["--json"]),
    ]:
        done = subprocess.run(
            ["fish", "--no-config", "-c", f"source completion.fish; complete -C {line!r}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert [row.split("\t")[0] for row in done.stdout.splitlines()] == expected, line


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_script_parses(tmp_path):
    script = tmp_path / "_adcli"
    script.write_text(run_adcli("--completion", "zsh").stdout)
    done = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert script.read_text().startswith("#compdef adcli\n")


# ---- the examples run where a user is --------------------------------------------------------


def help_examples() -> list[str]:
    lines = adcli_help.TOP_EXAMPLES.splitlines()
    for name in COMMANDS:
        lines += [e for e in command(name).EXAMPLES.strip().splitlines() if e.strip()]
    return lines


@pytest.mark.parametrize("example", help_examples())
def test_every_help_example_runs_in_an_empty_directory(example, tmp_path, monkeypatch):
    """No example may need a file from the repository: a user runs them anywhere."""
    tools = [t for t in ("dot", "jq") if re.search(rf"\| *{t}\b", example) and not shutil.which(t)]
    if tools:
        pytest.skip(f"needs {', '.join(tools)}, which is not installed")
    monkeypatch.chdir(tmp_path)
    if re.search(r"[|<>;&]", example):  # a pipeline: the shell runs it
        env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
        env["PATH"] = os.path.dirname(adcli_command()[0]) + os.pathsep + env.get("PATH", "")
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", example],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    else:
        done = run_adcli(*shlex.split(example, comments=True)[1:])
    if done.returncode == 2 and "install" in done.stderr:
        pytest.skip(done.stderr.strip())  # an optional extra or tool (matplotlib, Graphviz)
    assert done.returncode in (0, 1), done.stderr  # 1: the check at a kink fails, by design
    assert "Traceback" not in done.stderr and "No such file" not in done.stderr
    assert done.stdout or list(tmp_path.iterdir()), "the example printed or wrote something"
