"""Rendering for people: pure functions from computed numbers to Rich renderables or text.

Nothing here evaluates a program (``adcli.engine.evaluation`` does) and nothing prints
except through the console or stream a command hands in.  One module per picture:

- ``tables``  the eval, hessian, jvp and check tables
- ``fit``     a table too wide for the terminal, wrapped or stacked: never a cut number
- ``tree``    the graph as a tree rooted at the output
- ``trace``   the forward and reverse sweeps as a Wengert list
- ``dot``     Graphviz DOT text
- ``data``    the graph as JSON-able data
- ``nodes``   how every picture names and labels a node
- ``html``    the graph as a self-contained page (``tree --html``)
- ``plot``    a function and its derivative along an input (``adcli plot``)

The big views (tree, trace, dot, data) are generators: a command writes them as they are made
(``write_lines``/``write_text`` below), so output starts at once, memory stays flat, and a
reader that leaves (``| head``) stops them.  Rich is imported only inside functions, so
``--json`` and ``dot`` never pay for it.
"""

from __future__ import annotations

import io

CHUNK = 1 << 15  # characters per write: the reader sees output as it comes, the writer pays
# one system call per chunk, and a short write at a closed pipe is never one huge silent loss


def write_lines(lines, stream, console=None) -> None:
    """Write lines of ``(text, style)`` segments as they are made: styled through ``console``
    (a terminal), else plain to ``stream``.  A reader that goes away raises BrokenPipeError at
    the next chunk, so a view piped into ``head`` stops at once."""
    if console is None:
        write_text(("".join(text for text, _ in line) + "\n" for line in lines), stream)
        return
    from rich.text import Text

    def styled():
        batch: list = []
        for line in lines:
            batch.append(Text.assemble(*line))
            if len(batch) == 64:
                yield rendered(console, Text("\n").join(batch), soft_wrap=True)
                batch.clear()
        if batch:
            yield rendered(console, Text("\n").join(batch), soft_wrap=True)

    write_text(styled(), stream)


def show(console, *renderables) -> None:
    """Print Rich renderables on ``console``'s stream: rendered by Rich, written by us.  Rich's
    own print turns a closed pipe into ``SystemExit(1)`` (``Console.on_broken_pipe``); written
    here in chunks, the reader's leaving reaches the CLI boundary (ExitStatus.BROKEN_PIPE)."""
    text = rendered(console, *renderables)
    write_text((text[k : k + CHUNK] for k in range(0, len(text), CHUNK)), console.file)


def rendered(console, *renderables, soft_wrap: bool = False) -> str:
    """What ``console.print`` would write (styles as the console's terminal codes), as text;
    with ``soft_wrap`` lines are never wrapped or cropped (a terminal wraps what is too wide)."""
    with console.capture() as captured:
        for renderable in renderables:
            console.print(renderable, soft_wrap=soft_wrap)
    return captured.get()


def write_text(pieces, stream) -> None:
    """Write strings as they come, in chunks of about ``CHUNK`` characters, then flush."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            _write(stream, "".join(buffer))
            buffer.clear()
            size = 0
    if buffer:
        _write(stream, "".join(buffer))
    stream.flush()


def _write(stream, text: str) -> None:
    """``stream.write(text)``, every byte of it.  Under ``python -u`` / PYTHONUNBUFFERED the
    text layer sits on an unbuffered file that may take part of a chunk (a pipe whose reader
    just left) and the rest is lost without an error; written here byte by byte count, the next
    write raises BrokenPipeError as it should."""
    raw = getattr(stream, "buffer", None)
    if not isinstance(raw, io.RawIOBase):
        stream.write(text)
        return
    stream.flush()
    data = memoryview(text.encode(stream.encoding or "utf-8", stream.errors or "strict"))
    while data:
        written = raw.write(data)
        data = data[written or 0 :]


def plain_text(lines) -> str:
    """Lines of segments as one plain string (tests, small outputs)."""
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)
