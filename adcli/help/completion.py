"""Static completion scripts for bash, zsh and fish (``adcli --completion SHELL``): commands,
options, option values (``--mode``, ``--output``, ``--to``) and file names, from each command's
``OPTIONS``. A TAB runs shell code only, never Python."""

from __future__ import annotations

import re

from ..commands import COMMANDS, command
from . import HELP_FLAGS, SHELLS, TOP_OPTIONS, styled, summary, top_flags

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..arguments import Option


def _completion_data() -> list[tuple[str, str, list[Option]]]:
    return [(name, summary(name), list(command(name).OPTIONS)) for name in COMMANDS]


def option_values(option: Option) -> list[str] | None:
    """What follows an option on the command line: its choices, [] for a file name, None for
    anything else (a number, a name)."""
    if not option.takes_value:
        return None
    choices = getattr(option.convert, "choices", None)  # arguments.choice(...)
    if choices:
        return list(choices)
    return [] if "FILE" in option.metavar else None


def completion_script(shell: str) -> str:
    """A static completion script for ``shell``: a TAB runs no Python."""
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](_completion_data())


def _flags(option: Option) -> tuple[str, ...]:
    return HELP_FLAGS if option.dest == "help" else option.flags


def _bash(data: list[tuple[str, str, list[Option]]]) -> str:
    top = " ".join([name for name, _, _ in data] + top_flags())
    values, options = [], []
    for name, _, opts in data:
        options.append(f'        {name}) opts="{" ".join(f for o in opts for f in _flags(o))}" ;;')
        for option in opts:
            choices = option_values(option)
            if choices is None:
                continue
            pattern = "|".join(f'"{name} {flag}"' for flag in _flags(option))
            action = (
                f'COMPREPLY=($(compgen -W "{" ".join(choices)}" -- "$cur"))'
                if choices
                else 'COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null'
            )
            values.append(f"        {pattern}) {action}; return ;;")
    return f"""# bash completion for adcli. Install: adcli --completion bash > \\
#   ~/.local/share/bash-completion/completions/adcli   (or source it from ~/.bashrc)
_adcli() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} opts
    if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 2 ]; then prev=${{COMP_WORDS[COMP_CWORD-2]}}; fi
    [ "$cur" = "=" ] && cur=""
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "{top}" -- "$cur"))
        return
    fi
    if [ "$COMP_CWORD" -eq 2 ] && [ "$prev" = "--completion" ]; then
        COMPREPLY=($(compgen -W "{" ".join(SHELLS)}" -- "$cur"))
        return
    fi
    case "${{COMP_WORDS[1]}} $prev" in
{chr(10).join(values)}
    esac
    case "${{COMP_WORDS[1]}}" in
{chr(10).join(options)}
        *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}}
complete -F _adcli adcli
"""


def _zsh_text(text: str) -> str:
    """Text inside a zsh single-quoted _arguments spec: no quotes, brackets or colons."""
    text = styled(text, bold=False).split("; ")[0].split(" (")[0]
    return re.sub(r"[\[\]:']", "", text).replace("\\", "")


def _zsh(data: list[tuple[str, str, list[Option]]]) -> str:
    commands = "\n".join(f"        '{name}:{_zsh_text(text)}'" for name, text, _ in data)
    cases = []
    for name, _, opts in data:
        specs = []
        for option in opts:
            flags = _flags(option)
            exclusive = f"({' '.join(flags)})" if len(flags) > 1 else ""
            names = "{" + ",".join(flags) + "}" if len(flags) > 1 else flags[0]
            choices = option_values(option)
            if choices is None and option.takes_value:
                action = f":{option.metavar.lower()}: "
            elif choices == []:
                action = ":file:_files"
            elif choices:
                action = f":{option.dest}:({' '.join(choices)})"
            else:
                action = ""
            specs.append(f"'{exclusive}'{names}'[{_zsh_text(option.help)}]{action}'")
        body = " \\\n                ".join(specs)
        cases.append(
            f"        {name})\n            _arguments -S \\\n                {body} \\\n"
            "                '*:: :'\n            ;;"
        )
    return f"""#compdef adcli
# zsh completion for adcli. Install: adcli --completion zsh > ~/.zfunc/_adcli
# (with fpath=(~/.zfunc $fpath); autoload -U compinit; compinit in ~/.zshrc)
_adcli() {{
    local -a commands
    commands=(
{commands}
    )
    if (( CURRENT == 2 )); then
        _describe -t commands 'adcli command' commands
        _arguments '(- *)'{{-h,--help}}'[show help]' '(- *)'{{-V,--version}}'[print the version]' \\
            '(- *)--man[print the manual page]' '(- *)--completion[print a completion script]:shell:({" ".join(SHELLS)})'
        return
    fi
    shift words
    (( CURRENT-- ))
    case $words[1] in
{chr(10).join(cases)}
    esac
}}
_adcli "$@"
"""


def _fish_text(text: str) -> str:
    return "'" + styled(text, bold=False).split("; ")[0].replace("\\", "").replace("'", "\\'") + "'"


def _fish(data: list[tuple[str, str, list[Option]]]) -> str:
    lines = [
        "# fish completion for adcli. Install: adcli --completion fish > "
        "~/.config/fish/completions/adcli.fish",
        "complete -c adcli -f",
    ]
    for name, text, _ in data:
        lines.append(f"complete -c adcli -n __fish_use_subcommand -a {name} -d {_fish_text(text)}")
    for flags, metavar, text in TOP_OPTIONS:
        spec = " ".join(f"-s {f[1:]}" if len(f) == 2 else f"-l {f[2:]}" for f in flags)
        extra = f" -x -a '{' '.join(SHELLS)}'" if metavar else ""
        lines.append(
            f"complete -c adcli -n __fish_use_subcommand {spec}{extra} -d {_fish_text(text)}"
        )
    for name, _, opts in data:
        for option in opts:
            spec = " ".join(f"-s {f[1:]}" if len(f) == 2 else f"-l {f[2:]}" for f in _flags(option))
            choices = option_values(option)
            if choices == []:
                spec += " -r -F"
            elif choices:
                spec += f" -x -a '{' '.join(choices)}'"
            elif option.takes_value:
                spec += " -x"
            lines.append(
                f"complete -c adcli -n '__fish_seen_subcommand_from {name}' {spec} "
                f"-d {_fish_text(option.help)}"
            )
    return "\n".join(lines) + "\n"
