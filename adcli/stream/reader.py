"""Lines of a file or of stdin, read a block at a time, for ``--batch``.

Owns the byte stream only: splitting it into lines, the per-line size limit (``--max-size``)
and not waiting on a pipe for lines that are not there yet.  What a line means is
``adcli.stream.records``'s business.
"""

from __future__ import annotations

import os
import select
import stat
import sys

from ..errors import UsageError

BLOCK = 1 << 16  # bytes per read
TOO_LONG = object()  # stands for a line over --max-size (its bytes were dropped unread)


class LineReader:
    """Lines of a file or of stdin, as bytes without their newline, read a block at a time.

    ``take(n)`` waits for the first line, then takes only lines that are ready: from a pipe or a
    terminal, what ``select`` says can be read without waiting (so an interactive producer gets
    each answer as soon as its line is in); from a regular file, up to ``n``.  A line longer than
    ``limit`` bytes becomes ``TOO_LONG`` and its bytes are dropped as they arrive.
    """

    def __init__(self, name: str, read, fd: int | None, limit: int) -> None:
        self.name = name
        self.read = read  # bytes -> at most BLOCK bytes, b"" at the end
        self.fd = fd  # polled with select when it is a pipe or a terminal; None: never polled
        self.limit = limit
        self.pending: list = []  # complete lines not taken yet
        self.partial: list[bytes] = []  # pieces of the line being read
        self.partial_size = 0
        self.skipping = False  # inside a line over the limit
        self.eof = False
        self.close = lambda: None

    @classmethod
    def open(cls, source: str, limit: int, stdin=None) -> LineReader:
        """A reader of the file ``source``, or of stdin for '-' (a file object without a file
        descriptor, as in tests, is read without polling)."""
        if source != "-":
            try:
                fd = os.open(source, os.O_RDONLY)
            except OSError as exc:
                raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
            reader = cls(source, lambda: os.read(fd, BLOCK), _pollable(fd), limit)
            reader.close = lambda: os.close(fd)
            return reader
        stdin = sys.stdin if stdin is None else stdin
        try:
            fd = stdin.fileno()
        except (AttributeError, OSError, ValueError):
            stream = getattr(stdin, "buffer", stdin)
            read = getattr(stream, "read1", stream.read)
            return cls("stdin", lambda: read(BLOCK), None, limit)
        return cls("stdin", lambda: os.read(fd, BLOCK), _pollable(fd), limit)

    def __enter__(self) -> LineReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def take(self, n: int) -> list:
        """Up to ``n`` lines; an empty list at the end of the input."""
        out: list = []
        while len(out) < n:
            if self.pending:
                room = n - len(out)
                out += self.pending[:room]
                del self.pending[:room]
                continue
            if self.eof or (out and not self._ready()):
                break
            self._fill()
        return out

    def _ready(self) -> bool:
        if self.fd is None:
            return True
        return bool(select.select([self.fd], [], [], 0)[0])

    def _fill(self) -> None:
        try:
            data = self.read()
        except OSError as exc:
            raise UsageError(f"cannot read {self.name}: {exc.strerror or exc}") from None
        if not data:
            self.eof = True
            if self.partial or self.skipping:  # a last line without a newline is a line
                self._end_line(b"")
            return
        pieces = data.split(b"\n")
        last = pieces.pop()
        if pieces:
            self._end_line(pieces[0])  # it ends the line begun in earlier blocks
            complete = pieces[1:]
            if self.limit < BLOCK:  # only then can a line within one block be over the limit
                complete = [p if len(p) <= self.limit else TOO_LONG for p in complete]
            self.pending += complete
        self._extend(last)

    def _end_line(self, piece: bytes) -> None:
        if self.skipping:
            self.pending.append(TOO_LONG)
            self.skipping = False
            return
        if self.partial:
            piece = b"".join((*self.partial, piece))
            self.partial.clear()
            self.partial_size = 0
        self.pending.append(piece if len(piece) <= self.limit else TOO_LONG)

    def _extend(self, piece: bytes) -> None:
        if self.skipping or not piece:
            return
        self.partial.append(piece)
        self.partial_size += len(piece)
        if self.partial_size > self.limit:
            self.partial.clear()
            self.partial_size = 0
            self.skipping = True


def _pollable(fd: int) -> int | None:
    """``fd`` if reading it can wait (a pipe, a terminal, a socket); None for a regular file."""
    return None if stat.S_ISREG(os.fstat(fd).st_mode) else fd
