"""The manual page, ``adcli.1`` in roff, made from the help pages' own text (``adcli --man``)."""

from __future__ import annotations

import re

from ..commands import COMMANDS, command
from . import DESCRIPTION, HELP_FLAGS, TOP_EXAMPLES, TOP_OPTIONS, paragraphs, usage, version


def _roff(text: str) -> str:
    """Text to roff: backslashes and hyphens escaped, bold markup as \\fB...\\fR, no line
    starting with a control character."""
    text = text.replace("\\[", "\x00").replace("\\", "\\e").replace("-", "\\-")
    text = re.sub(r"\[bold\](.*?)\[/bold\]", r"\\fB\1\\fR", text).replace("\x00", "[")
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line for line in text.split("\n"))


def man_page() -> str:
    """``adcli.1``, made from the help pages' own text (``adcli --man``)."""
    out = [
        f'.TH ADCLI 1 "" "adcli {version()}" "User Commands"',
        ".SH NAME",
        "adcli \\- " + _roff(DESCRIPTION[0].lower() + DESCRIPTION[1:].rstrip(".")),
        ".SH SYNOPSIS",
        ".B adcli",
        "COMMAND [OPTIONS] PROGRAM [BINDINGS...]",
        ".br",
        ".B adcli",
        "[\\-h | \\-V | \\-\\-man | \\-\\-completion SHELL]",
        ".SH DESCRIPTION",
        _roff(
            "adcli evaluates a math expression or a small program and every partial derivative "
            "of it, exactly, by reverse-mode automatic differentiation on a computational graph. "
            "Bind each input with --x 0.5, --x=0.5, x=0.5, or --at with a JSON object or file."
        ),
        ".SH OPTIONS",
    ]
    for flags, metavar, text in TOP_OPTIONS:
        term = ", ".join(f"\\fB{_roff(f)}\\fR" for f in flags)
        out += [".TP", term + (f" \\fI{metavar}\\fR" if metavar else ""), _roff(text)]
    out.append(".SH COMMANDS")
    for name in COMMANDS:
        module = command(name)
        out += [f".SS {_roff(usage(name, module))}"]
        for paragraph in paragraphs(module.HELP):
            out += [".PP", _roff(paragraph)]
        for option in module.OPTIONS:
            flags = HELP_FLAGS if option.dest == "help" else option.flags
            term = ", ".join(f"\\fB{_roff(f)}\\fR" for f in flags)
            if option.takes_value:
                term += f" \\fI{_roff(option.metavar)}\\fR"
            out += [".TP", term, _roff(option.help)]
        examples = [e for e in module.EXAMPLES.strip().splitlines() if e.strip()]
        if examples:
            out += [".PP", "Examples:", ".PP", ".RS", ".nf"]
            out += [_roff(e) for e in examples]
            out += [".fi", ".RE"]
    out += [
        ".SH EXIT STATUS",
        ".TP",
        "0",
        "success",
        ".TP",
        "1",
        _roff(
            "the program cannot be evaluated at that point (a domain error, an overflow, a "
            "non-finite value or derivative); in batch mode, any failed line"
        ),
        ".TP",
        "2",
        _roff("anything wrong with the command line or the program text"),
        ".SH EXAMPLES",
        ".nf",
        *(_roff(e) for e in TOP_EXAMPLES.splitlines()),
        ".fi",
    ]
    return "\n".join(out) + "\n"
