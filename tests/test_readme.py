"""The README shows real output: its Python examples run as written (doctest), and every
``$ adcli ...`` line of its ```console blocks prints exactly what is shown under it.

After a deliberate change of output, refresh the README from the real commands with
``python tests/test_readme.py --refresh`` and read the diff.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, adcli_command

README = ROOT / "README.md"
CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)
FILE_ARGUMENT = re.compile(r"[\w./-]+\.(?:adc|json|jsonl|csv)\b")


def test_readme_python_examples():
    result = doctest.testfile(str(README), module_relative=False)
    assert result.failed == 0


def console_examples(text: str) -> list[tuple[str, str, tuple[int, int]]]:
    """(command, shown output, span of the output in the text) for each ``$ adcli`` line."""
    examples = []
    for block in CONSOLE.finditer(text):
        body, base = block.group(1), block.start(1)
        lines = body.splitlines(keepends=True)
        offset = 0
        for i, line in enumerate(lines):
            start = offset
            offset += len(line)
            if not line.startswith("$ "):
                continue
            end = offset
            for following in lines[i + 1 :]:
                if following.startswith("$ "):
                    break
                end += len(following)
            command = line[2:].rstrip("\n")
            if command.startswith("adcli ") or "| adcli " in command:
                examples.append(
                    (command, body[start + len(line) : end], (base + start + len(line), base + end))
                )
    return examples


def runnable(command: str) -> bool:
    """Commands whose input files are in the repository (others need files the text made)."""
    return all((ROOT / path).exists() for path in FILE_ARGUMENT.findall(command))


STATUS = re.compile(r"\[exit \d+\]\n\Z")


def run(command: str, shown: str) -> str:
    """stdout and stderr as a terminal interleaves them; ``[exit N]`` after them when the README
    shows the status that way."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env["PATH"] = str(Path(adcli_command()[0]).parent) + os.pathsep + env.get("PATH", "")
    script = f"{{ {command}\n}} 2>&1"
    if STATUS.search(shown):
        script += '; echo "[exit $?]"'
    done = subprocess.run(
        ["bash", "-c", script], cwd=_workdir(), capture_output=True, text=True, env=env, timeout=120
    )
    return done.stdout


def _workdir() -> Path:
    """A scratch directory with the samples, so examples that write files (``> graph.svg``)
    leave the checkout clean."""
    import tempfile

    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="adcli-readme-"))
        (_WORKDIR / "samples").symlink_to(ROOT / "samples")
    return _WORKDIR


_WORKDIR: Path | None = None


EXAMPLES = [e for e in console_examples(README.read_text()) if runnable(e[0])]


@pytest.mark.parametrize(
    ("command", "shown"), [e[:2] for e in EXAMPLES], ids=[e[0][:60] for e in EXAMPLES]
)
def test_readme_console_example(command, shown):
    missing = missing_tools(command)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}, which is not installed")
    assert run(command, shown) == shown


# Programs an example may pipe into that a fresh machine may lack (CI installs them).
EXTERNAL_TOOLS = ("dot", "jq", "parallel", "cc", "gcc")


def missing_tools(command: str) -> list[str]:
    """The external tools ``command`` runs (after a pipe or a ;) that are not on PATH."""
    used = re.findall(r"(?:^|[|;&]\s*)(\w+)", command)
    return [tool for tool in EXTERNAL_TOOLS if tool in used and shutil.which(tool) is None]


def refresh() -> None:
    text = README.read_text()
    for command, shown, (start, end) in reversed(console_examples(text)):
        if runnable(command) and not missing_tools(command):
            text = text[:start] + run(command, shown) + text[end:]
    README.write_text(text)


if __name__ == "__main__" and "--refresh" in sys.argv:
    refresh()
