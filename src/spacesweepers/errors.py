"""Errors that Space Sweepers raises on purpose.

Every error says what was expected, where (file, line, field) and how to fix it.
Callers catch :class:`SweepersError` to separate our own clear errors from bugs.
"""

from __future__ import annotations

from dataclasses import dataclass


class SweepersError(Exception):
    """Base class of every error Space Sweepers raises deliberately."""


@dataclass(eq=False)
class ParseError(SweepersError, ValueError):
    """A record in an input file that cannot be read.

    ``source`` is the file name (or URL, or ``<string>``), ``line`` the 1-based line
    number (or record number for formats without lines, with ``record=True``),
    ``field`` the name of the offending field, ``message`` what is wrong, ``expected``
    the layout that was expected (for fixed-column formats, the official column
    template), ``text`` the offending line or value and ``hint`` how to fix it.
    """

    message: str
    source: str = "<string>"
    line: int | None = None
    field: str | None = None
    expected: str | None = None
    text: str | None = None
    hint: str | None = None
    record: bool = False

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def location(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", {'record' if self.record else 'line'} {self.line}"
        if self.field:
            where += f", field {self.field}"
        return where

    def __str__(self) -> str:
        parts = [f"{self.location}: {self.message}"]
        if self.expected is not None and self.text is not None:
            parts.append(f"  expected: {self.expected}")
            parts.append(f"  found:    {self.text}")
        elif self.expected is not None:
            parts.append(f"  expected: {self.expected}")
        elif self.text is not None:
            parts.append(f"  found:    {self.text}")
        if self.hint:
            parts.append(f"  fix: {self.hint}")
        return "\n".join(parts)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "expected": self.expected,
            "text": self.text,
            "hint": self.hint,
        }


def _first_problems(problems: list[ParseError], n: int = 10) -> str:
    shown = "\n".join(str(p) for p in problems[:n])
    return shown + (f"\n... and {len(problems) - n} more" if len(problems) > n else "")


class IngestRejected(SweepersError):
    """A strict ingest found bad records; nothing was written to the database."""

    def __init__(self, source: str, problems: list[ParseError]):
        self.source = source
        self.problems = problems
        super().__init__(
            f"{source}: {len(problems)} bad record(s); strict ingest rejected the whole file "
            f"and changed nothing.\n{_first_problems(problems)}\n"
            "fix: correct the records above, or load without --strict to skip them."
        )


class NoGoodRecords(IngestRejected):
    """Not one record of the input could be read; nothing was written to the database (not
    even a provenance row), whether the ingest was strict or not."""

    def __init__(self, source: str, problems: list[ParseError]):
        self.source = source
        self.problems = problems
        SweepersError.__init__(
            self,
            f"{source}: none of its records could be read ({len(problems)} bad record(s), 0 good); "
            f"nothing was loaded and the database is unchanged.\n{_first_problems(problems, 5)}\n"
            "fix: check that this is a catalog file (TLE/3LE, OMM XML/KVN/JSON/CSV, SATCAT CSV, "
            "CARA HBR/mass CSV, keeptrack JSON) and not truncated; force the reader with --format "
            "if it was detected wrongly.",
        )


class NotFound(SweepersError, LookupError):
    """An object, element set or file that was asked for does not exist."""


class TimeError(SweepersError, ValueError):
    """A time that cannot be interpreted without guessing."""


class NetworkError(SweepersError):
    """A remote data source could not be reached or answered badly."""
