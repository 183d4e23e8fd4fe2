"""Helpers shared by the format readers and writers: loading text, writing files,
number formatting, and the error raised when a record cannot be *written*."""

from __future__ import annotations

import io
import math
import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from ...errors import ParseError, SweepersError


class WriteError(SweepersError, ValueError):
    """An element set that cannot be written in the requested format (for example a
    catalog number above 339999 as a TLE). The message says which object and why."""


def _looks_like_path(obj) -> bool:
    if isinstance(obj, os.PathLike):
        return True
    if isinstance(obj, str):
        return "\n" not in obj and "\r" not in obj and len(obj) < 4096 and os.path.isfile(obj)
    return False


def load_text(obj, source: str | None = None) -> tuple[str, str]:
    """Return ``(text, source)`` for a path, an open file, bytes or a string of content.

    A string that names an existing file is read from that file; any other string is
    the content itself. Bytes are decoded as UTF-8 (a BOM is dropped); bytes that are
    not UTF-8 become U+FFFD so that the record holding them is reported, not the file.
    A NUL byte means the input is binary, not text: that is a whole-file problem and
    raises :class:`ParseError` at line 1 (the message says where the NUL is).
    """
    if _looks_like_path(obj):
        path = Path(obj)
        data = path.read_bytes()
        source = source or str(path)
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        data = bytes(obj)
        source = source or "<bytes>"
    elif isinstance(obj, str):
        data = None
        text = obj
        source = source or "<string>"
    elif hasattr(obj, "read"):
        got = obj.read()
        source = source or str(getattr(obj, "name", "<file>"))
        if isinstance(got, str):
            data, text = None, got
        else:
            data = bytes(got)
    else:
        raise TypeError(f"cannot read {type(obj).__name__}: give a path, an open file, bytes or a string")
    if data is not None:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
    elif text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ParseError(
            f"this is binary data, not a text catalog file (a NUL byte on line {line}, character {nul + 1})",
            source=source,
            line=1,
            hint="give a text file: TLE/3LE, OMM (XML, KVN, JSON, CSV), SATCAT CSV or CARA CSV",
        )
    return text, source


def empty_file_error(source: str) -> ParseError:
    return ParseError(
        "the file is empty (no records in it)",
        source=source,
        line=1,
        hint="check that the download or export finished; an empty catalog file has nothing to load",
    )


def csv_width_field(header: list[str], row: list[str]) -> str:
    """The field to name when a CSV row has the wrong number of values: the first column
    the row does not reach, or the last column when the row has values beyond it."""
    if len(row) < len(header):
        return header[len(row)] or f"column {len(row) + 1}"
    return f"after {header[-1] or f'column {len(header)}'}"


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (LF, CRLF or lone CR), without their line ends."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@contextmanager
def open_for_writing(path_or_file, newline: str = "\n") -> Iterator[IO[str]]:
    """Yield a text stream: a path is opened (and closed), a stream is used as it is."""
    if hasattr(path_or_file, "write"):
        yield path_or_file
        return
    with open(path_or_file, "w", encoding="utf-8", newline=newline) as f:
        yield f


def fmt_float(x: float) -> str:
    """Shortest text that reads back as the value rounded to 13 significant digits.

    13 digits keep every digit a TLE or CelesTrak OMM carries and drop binary noise
    such as ``0.00030034000000000003`` (a TLE mantissa times a power of ten)."""
    x = float(x)
    if not math.isfinite(x):
        raise WriteError(f"cannot write the non-finite number {x!r}")
    if x == 0.0:
        return "0" if math.copysign(1.0, x) > 0 else "-0"
    r = float(f"{x:.13g}")
    s = repr(r)
    if "e" in s:
        mant, exp = s.split("e")
        e = int(exp)
        if -12 <= e < 0:
            s = f"{r:.{min(-e + 13, 24)}f}".rstrip("0").rstrip(".")
            if float(s) != r:
                s = repr(r)
    if s.endswith(".0"):
        s = s[:-2]
    return s


def to_stringio(text: str) -> io.StringIO:
    return io.StringIO(text)
