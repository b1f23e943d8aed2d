"""The examples in README.md and docs/*.md show real output: this finds them, runs them and
compares (or, with ``--update``, rewrites what they show from what the commands print now).

    python docs/examples.py            # check every example; a diff for each that differs
    python docs/examples.py --update   # rewrite the shown outputs from the real commands
    python docs/examples.py --update docs/commands.md   # one page

Two forms are examples:

* a ```console block: each ``$ `` line is a command, the lines under it what it prints (stdout
  and stderr as a terminal interleaves them); ``[exit N]`` as the last line shows a non-zero
  status. The block's commands run in order in one fresh scratch directory, so a command may
  make the files the next one reads (``$ printf ... > points.jsonl``);
* a ```bash block followed by a ```text block: a script and its stdout. The ```bash blocks before
  it under the same heading run first, in the same directory, to make its files.

Every scratch directory has the repository's ``samples/`` linked in. An example that runs a tool
this machine lacks (Graphviz's ``dot``, ``jq``, GNU ``parallel``, a C compiler) is skipped, and
left as it is by ``--update``. The tests (tests/test_readme.py) run the same code.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPTIONAL_TOOLS = ("dot", "jq", "parallel", "cc", "gcc", "chromium")

CONSOLE = re.compile(r"^```console\n(.*?)^```", re.DOTALL | re.MULTILINE)
BASH = re.compile(r"^```bash\n(.*?)^```\s*^```text\n(.*?)^```", re.DOTALL | re.MULTILINE)
STATUS = re.compile(r"\[exit \d+\]\n\Z")
SEPARATOR = "\x1e"


@dataclass
class Example:
    """One block: its page and line, the commands (or script), what it shows and where."""

    page: Path
    line: int
    kind: str  # "console" or "bash"
    commands: list[str]
    shown: list[str]
    spans: list[tuple[int, int]]  # where each shown output sits in the page's text
    setup: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def missing_tools(self) -> list[str]:
        text = "\n".join(self.setup + self.commands)
        used = set(re.findall(r"(?:^|[|;&(]|\bthen|\bdo)\s*([\w.+-]+)", text, re.MULTILINE))
        return [t for t in OPTIONAL_TOOLS if t in used and shutil.which(t) is None]


def examples(page: Path) -> list[Example]:
    text = page.read_text()
    found = []
    for block in CONSOLE.finditer(text):
        body, base = block.group(1), block.start(1)
        commands, shown, spans = [], [], []
        offset = 0
        lines = body.splitlines(keepends=True)
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
            commands.append(line[2:].rstrip("\n"))
            shown.append(body[start + len(line) : end])
            spans.append((base + start + len(line), base + end))
        if commands:
            line_no = text.count("\n", 0, block.start()) + 1
            found.append(Example(page, line_no, "console", commands, shown, spans))
    section, earlier = None, []
    for block in BASH.finditer(text):
        headings = re.findall(r"^#+ (.+)$", text[: block.start()], re.MULTILINE)
        heading = headings[-1] if headings else ""
        if heading != section:
            section, earlier = heading, []
        line_no = text.count("\n", 0, block.start()) + 1
        found.append(
            Example(
                page,
                line_no,
                "bash",
                [block.group(1)],
                [block.group(2)],
                [(block.start(2), block.end(2))],
                setup=list(earlier),
            )
        )
        earlier.append(block.group(1))
    return sorted(found, key=lambda e: e.line)


def all_examples(pages: list[Path] | None = None) -> list[Example]:
    return [e for page in pages or PAGES for e in examples(page)]


def environment() -> dict[str, str]:
    """The user's environment, the adcli next to this interpreter first on PATH, and none of
    the settings that change how output looks."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    adcli = Path(sys.executable).parent / "adcli"
    found = adcli if adcli.exists() else shutil.which("adcli")
    if found:
        env["PATH"] = str(Path(found).parent) + os.pathsep + env.get("PATH", "")
    return env


def run(example: Example) -> list[str]:
    """What each of the example's commands prints now."""
    with tempfile.TemporaryDirectory(prefix="adcli-docs-") as scratch:
        (Path(scratch) / "samples").symlink_to(ROOT / "samples")
        for script in example.setup:
            subprocess.run(["bash", "-c", script], cwd=scratch, capture_output=True, timeout=300)
        if example.kind == "bash":
            done = subprocess.run(
                ["bash", "-c", example.commands[0]],
                cwd=scratch,
                capture_output=True,
                text=True,
                env=environment(),
                timeout=300,
            )
            return [done.stdout]
        # One shell for the block: each command's output (stderr interleaved, as a terminal
        # shows it) ends with a separator and its status; `$?` still sees the command's own.
        script = "".join(
            f'{{ {command}\n}} 2>&1; s=$?; printf "{SEPARATOR}%s{SEPARATOR}" $s; (exit $s)\n'
            for command in example.commands
        )
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=scratch,
            capture_output=True,
            text=True,
            env=environment(),
            timeout=300,
        )
    parts = done.stdout.split(SEPARATOR)
    outputs = []
    for shown, (out, status) in zip(example.shown, zip(parts[0::2], parts[1::2])):
        if STATUS.search(shown) or (status != "0" and not shown.strip()):
            out += f"[exit {status}]\n"
        outputs.append(out)
    return outputs


def update(pages: list[Path]) -> int:
    changed = 0
    for page in pages:
        text = page.read_text()
        for example in reversed(examples(page)):
            if example.missing_tools():
                print(f"{example.id}: left as it is (needs {', '.join(example.missing_tools())})")
                continue
            for (start, end), new in reversed(list(zip(example.spans, run(example)))):
                if text[start:end] != new:
                    text = text[:start] + new + text[end:]
                    changed += 1
        if text != page.read_text():
            page.write_text(text)
            print(f"{page.relative_to(ROOT)}: updated")
    print(f"{changed} output(s) rewritten")
    return 0


def check(pages: list[Path]) -> int:
    failed = 0
    for example in all_examples(pages):
        if example.missing_tools():
            continue
        for command, shown, now in zip(example.commands, example.shown, run(example)):
            if shown != now:
                failed += 1
                print(f"--- {example.id}: $ {command.splitlines()[0]}")
                sys.stdout.writelines(
                    difflib.unified_diff(
                        shown.splitlines(True), now.splitlines(True), "shown", "now"
                    )
                )
    print(f"{failed} example(s) differ" if failed else "every example shows what it prints")
    return 1 if failed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = [Path(a).resolve() for a in args if not a.startswith("-")] or PAGES
    sys.exit(update(chosen) if "--update" in args else check(chosen))
