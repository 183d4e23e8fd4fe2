"""Two-line element sets: TLE, 3LE (``0 NAME`` lines) and CelesTrak's plain name lines.

Reading follows the fixed-column layout of NORAD's punch-card format::

    1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNN
    2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNN

* Catalog numbers use Alpha-5 above 99999: a letter A..Z without I and O stands for
  10..33, so ``A0000`` = 100000, ``T0000`` = 270000 and ``Z9999`` = 339999.
* The epoch is a two-digit year (57–99 → 19xx, 00–56 → 20xx) and a day of year with
  8 decimals. :func:`parse_tle_lines` splits it into ``(epoch_jd1, epoch_jd2)`` exactly
  as ``sgp4.api.Satrec.twoline2rv`` fills ``jdsatepoch`` / ``jdsatepochF``, so that
  :meth:`ElementSet.to_satrec` reproduces ``twoline2rv``.
* ``nddot`` and ``bstar`` are read as ``mantissa * 10.0**exponent`` (the same floating-point
  operations as ``twoline2rv``).
* Column 69 is the mod-10 checksum (digits count their value, ``-`` counts 1). A line
  with nothing in column 69 is accepted without a check, as python-sgp4 does; text after
  column 69 is ignored (Vallado's ``SGP4-VER.TLE`` keeps start/stop/step times there),
  and lines starting with ``#`` are comments.

A bad record never stops :func:`read_tle`: it becomes a :class:`ParseError` in
``ParseResult.problems`` naming the file, line, field and column, with the official
column template printed above the offending line.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

from ...errors import ParseError
from ..elements import ElementSet, ParseResult
from ._common import WriteError, empty_file_error, load_text, open_for_writing, split_lines

LINE1_TEMPLATE = "1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNN"
LINE2_TEMPLATE = "2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNN"

_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # 10..33: no I, no O (they look like 1 and 0)
_ALPHA5_VALUE = {c: 10 + k for k, c in enumerate(_ALPHA5)}
MAX_TLE_NORAD_ID = 339999

# Fast path: one regular expression per line checks every column class at once.
_L1 = re.compile(
    r"1 [0-9A-HJ-NP-Z ][0-9 ]{4}[A-Z ] [0-9A-Z ]{8} [0-9 ]{2}[0-9 ]{3}\.[0-9 ]{8} "
    r"[-+ ]\.[0-9 ]{8} [-+ ][0-9 ]{5}[-+ ][0-9] [-+ ][0-9 ]{5}[-+ ][0-9] [0-9 ] [0-9 ]{4}[0-9 ]?\Z"
)
_L2 = re.compile(
    r"2 [0-9A-HJ-NP-Z ][0-9 ]{4} [0-9 ]{3}\.[0-9 ]{4} [0-9 ]{3}\.[0-9 ]{4} [0-9 ]{7} "
    r"[0-9 ]{3}\.[0-9 ]{4} [0-9 ]{3}\.[0-9 ]{4} [0-9 ]{2}\.[0-9 ]{8}[0-9 ]{5}[0-9 ]?\Z"
)

# (first column, last column exclusive, field name) — 0-based, for messages
_FIELDS1 = [
    (0, 1, "line number"), (2, 7, "catalog number"), (7, 8, "classification"),
    (9, 17, "international designator"), (18, 20, "epoch year"), (20, 32, "epoch day"),
    (33, 43, "mean motion dot"), (44, 52, "mean motion ddot"), (53, 61, "bstar"),
    (62, 63, "ephemeris type"), (64, 68, "element set number"), (68, 69, "checksum"),
]
_FIELDS2 = [
    (0, 1, "line number"), (2, 7, "catalog number"), (8, 16, "inclination"),
    (17, 25, "raan"), (26, 33, "eccentricity"), (34, 42, "argument of perigee"),
    (43, 51, "mean anomaly"), (52, 63, "mean motion"), (63, 68, "revolution number"),
    (68, 69, "checksum"),
]
# what each template letter accepts
_CLASSES = {
    "N": (set("0123456789 "), "a digit (or a leading blank)"),
    "C": (set("ABCDEFGHIJKLMNOPQRSTUVWXYZ "), "a classification letter (U, C or S)"),
    "A": (set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "), "a piece letter or a blank"),
    "+": (set("+- "), "a sign: blank, '+' or '-'"),
    "-": (set("+- "), "an exponent sign: '+' or '-'"),
    ".": (set("."), "a decimal point '.'"),
    " ": (set(" "), "a blank"),
}

_HINT_COLUMNS = (
    "every character of a TLE line has a fixed column; compare the line with the template "
    "above it (N = digit) and move the misplaced characters, or re-download the element set"
)


def from_alpha5(text: str) -> int:
    """Catalog number from the 5-character TLE field (``'25544'``, ``'T0000'`` → 270000)."""
    s = text.strip()
    if not s:
        raise ValueError("empty catalog number")
    head = s[0]
    if head.isdigit():
        if not s.isdigit():
            raise ValueError(f"catalog number {text!r} is not a number")
        return int(s)
    if head not in _ALPHA5_VALUE or len(s) != 5 or not s[1:].isdigit():
        raise ValueError(
            f"catalog number {text!r} is neither 5 digits nor Alpha-5 (a letter A-Z without I and O, then 4 digits)"
        )
    return _ALPHA5_VALUE[head] * 10000 + int(s[1:])


def to_alpha5(norad_id: int) -> str:
    """The 5-character TLE field for a catalog number 0..339999 (Alpha-5 above 99999)."""
    n = int(norad_id)
    if 0 <= n <= 99999:
        return f"{n:05d}"
    if n <= MAX_TLE_NORAD_ID:
        return _ALPHA5[n // 10000 - 10] + f"{n % 10000:04d}"
    raise WriteError(
        f"catalog number {n} cannot be written in a TLE: the 5-column field holds at most "
        f"{MAX_TLE_NORAD_ID} (Alpha-5 'Z9999'); write this object as OMM (JSON, XML, KVN or CSV) instead"
    )


_CHECKSUM_TABLE = bytes(
    (b - 48) if 48 <= b <= 57 else (1 if b == 45 else 0) for b in range(256)
)


def checksum(line: str) -> int:
    """Mod-10 checksum of the first 68 columns: digits count their value, '-' counts 1."""
    return sum(line[:68].encode("ascii", "replace").translate(_CHECKSUM_TABLE)) % 10


def tle_intl_to_omm(text: str) -> str:
    """``'98067A'`` → ``'1998-067A'`` (blank stays blank; anything else is kept as it is)."""
    s = text.strip()
    if len(s) >= 5 and s[:5].isdigit():
        yy = int(s[:2])
        return f"{1900 + yy if yy >= 57 else 2000 + yy}-{s[2:5]}{s[5:]}"
    return s


def omm_intl_to_tle(text: str) -> str:
    """``'1998-067A'`` → ``'98067A'``; a designator already in TLE form is kept."""
    s = (text or "").strip()
    if len(s) >= 8 and s[4] == "-" and s[:4].isdigit() and s[5:8].isdigit():
        return s[2:4] + s[5:]
    return s


def _year_start_jd(year: int) -> float:
    """JD of 0 January 00:00 of ``year``, as Satrec.twoline2rv builds jdsatepoch (1901–2099)."""
    return year * 365 + (year - 1) // 4 + 1721044.5


def epoch_from_tle(two_digit_year: int, day_of_year: float) -> tuple[float, float]:
    """``(jd1, jd2)`` exactly as ``Satrec.twoline2rv`` sets ``jdsatepoch, jdsatepochF``."""
    year = two_digit_year + (2000 if two_digit_year < 57 else 1900)
    days, fraction = divmod(day_of_year, 1.0)
    return year * 365 + (year - 1) // 4 + days + 1721044.5, round(fraction, 8)


def epoch_to_tle(jd1: float, jd2: float) -> tuple[int, str]:
    """``(year, 'DDD.DDDDDDDD')`` for a UTC split Julian date, rounded to 1e-8 day."""
    whole = math.floor(jd1 - 0.5) + 0.5
    frac = (jd1 - whole) + jd2
    shift = math.floor(frac)
    whole += shift
    frac -= shift
    units = round(frac * 1e8)
    if units >= 100_000_000:
        whole += 1.0
        units -= 100_000_000
    year = int((whole - 1721044.5) / 365.25)
    while whole - _year_start_jd(year) < 1:
        year -= 1
    while whole - _year_start_jd(year + 1) >= 1:
        year += 1
    doy = int(round(whole - _year_start_jd(year)))
    return year, f"{doy:03d}.{units:08d}"


def _template_error(line: str, which: int, source: str, lineno: int) -> ParseError:
    """Find the first column that breaks the template and say what belongs there."""
    template = LINE1_TEMPLATE if which == 1 else LINE2_TEMPLATE
    fields = _FIELDS1 if which == 1 else _FIELDS2

    def field_of(col: int) -> str:
        for a, b, name in fields:
            if a <= col < b:
                return name
        return "separator"

    for col, ch in enumerate(line[:69]):
        if ord(ch) > 126 or ord(ch) < 32:
            name = _unicode_name(ch)
            return ParseError(
                f"column {col + 1} ({field_of(col)}) holds the non-ASCII character {ch!r} ({name}); "
                "TLE lines are plain ASCII",
                source=source, line=lineno, field=field_of(col), expected=template, text=line,
                hint="retype the character as its ASCII look-alike (digit 0 for a Cyrillic or Greek O, "
                     "'-' for a Unicode minus sign) or re-download the element set",
            )
    if len(line) < 68:
        return ParseError(
            f"line {which} of the element set is {len(line)} characters long; a TLE line has 69 "
            f"(68 without checksum): the line is truncated",
            source=source, line=lineno, field=next(name for a, b, name in fields if b > len(line)),
            expected=template, text=line,
            hint="the line was cut short (a copy/paste or a download that wrapped lines); re-download it",
        )
    if line[0] != str(which):
        return ParseError(
            f"column 1 must be '{which}' for line {which} of an element set",
            source=source, line=lineno, field="line number", expected=template, text=line,
            hint=_HINT_COLUMNS,
        )
    if line[2:7].strip() and line[2] not in "0123456789 " and line[2] not in _ALPHA5_VALUE:
        return ParseError(
            f"catalog number {line[2:7]!r} starts with {line[2]!r}; Alpha-5 uses the letters A-Z without I and O",
            source=source, line=lineno, field="catalog number", expected=template, text=line,
            hint="Alpha-5: A0000 = 100000 … Z9999 = 339999; I and O are never used",
        )
    for col in range(min(len(line), 68)):
        t = template[col]
        allowed, desc = _CLASSES.get(t, (set(t), repr(t)))
        if col == 2:  # first catalog-number column may be an Alpha-5 letter
            allowed = allowed | set(_ALPHA5)
        if line[col] not in allowed:
            return ParseError(
                f"column {col + 1} ({field_of(col)}) should be {desc}, found {line[col]!r}",
                source=source, line=lineno, field=field_of(col), expected=template, text=line,
                hint=_HINT_COLUMNS,
            )
    if len(line) > 68 and line[68] not in "0123456789 ":
        return ParseError(
            f"column 69 (checksum) should be a digit, found {line[68]!r}",
            source=source, line=lineno, field="checksum", expected=template, text=line,
            hint=_HINT_COLUMNS,
        )
    return ParseError(
        f"line {which} does not match the TLE column template",
        source=source, line=lineno, field=f"line {which}", expected=template, text=line, hint=_HINT_COLUMNS,
    )


def _unicode_name(ch: str) -> str:
    import unicodedata

    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def _field_error(line, which, lineno, source, field, message, hint=None) -> ParseError:
    return ParseError(
        message, source=source, line=lineno, field=field,
        expected=LINE1_TEMPLATE if which == 1 else LINE2_TEMPLATE, text=line,
        hint=hint or _HINT_COLUMNS,
    )


def _exp_field(s: str) -> float:
    """``' 30034-3'`` → 0.30034 * 10.0 ** -3 (twoline2rv's arithmetic)."""
    return float(s[0] + "." + s[1:6]) * 10.0 ** int(s[6:8])


def _number_error(l1, l2, n1, n2, source) -> ParseError:
    for ln, which, no, fields in ((l1, 1, n1, _FIELDS1), (l2, 2, n2, _FIELDS2)):
        for a, b, field in fields:
            if field in ("line number", "catalog number", "classification", "international designator",
                         "ephemeris type", "checksum"):
                continue
            text = ln[a:b]
            if not text.strip():
                if field in ("element set number", "revolution number"):
                    continue
                ok = False
            elif field in ("mean motion ddot", "bstar"):
                ok = text[1:6].strip().isdigit() and " " not in text[1:6].strip() and text[7].isdigit()
            elif field == "eccentricity":
                ok = " " not in text.strip()
            else:
                try:
                    (int if field in ("epoch year", "element set number", "revolution number") else float)(text)
                    ok = True
                except ValueError:
                    ok = False
            if not ok:
                return _field_error(ln, which, no, source, field,
                                    f"columns {a + 1}-{b} ({field}) hold {text!r}, which is not a number")
    return _field_error(l1, 1, n1, source, None, "a numeric field of the element set cannot be read")


def parse_tle_lines(
    line1: str,
    line2: str,
    name: str = "",
    *,
    source: str = "<string>",
    line_number: int = 1,
    verify_checksum: bool = True,
) -> ElementSet:
    """One element set from its two lines (``line_number`` is the 1-based number of line 1
    in ``source``). Raises :class:`ParseError` naming the line, field and column."""
    l1 = line1.rstrip()
    l2 = line2.rstrip()
    n1, n2 = line_number, line_number + 1
    if len(l1) > 69:
        l1 = l1[:69].rstrip()
    if len(l2) > 69:
        l2 = l2[:69].rstrip()
    if not _L1.match(l1):
        raise _template_error(l1, 1, source, n1)
    if not _L2.match(l2):
        raise _template_error(l2, 2, source, n2)

    if verify_checksum:
        for ln, no, which in ((l1, n1, 1), (l2, n2, 2)):
            if len(ln) == 69 and ln[68] != " " and int(ln[68]) != checksum(ln):
                raise _field_error(
                    ln, which, no, source, "checksum",
                    f"checksum mismatch: column 69 says {ln[68]}, the line adds up to {checksum(ln)}",
                    hint="a character of the line was changed after the checksum was computed; "
                         "re-download the element set (do not just fix the checksum digit)",
                )

    try:
        norad_id = from_alpha5(l1[2:7])
    except ValueError as e:
        raise _field_error(l1, 1, n1, source, "catalog number", str(e)) from None
    if l2[2:7] != l1[2:7]:
        raise _field_error(
            l2, 2, n2, source, "catalog number",
            f"catalog number {l2[2:7]!r} on line 2 differs from {l1[2:7]!r} on line 1",
            hint="the two lines belong to different objects; check that no line was lost or swapped",
        )

    try:  # fast path: every field converts; the slow path below finds the culprit
        yy = int(l1[18:20])
        day = float(l1[20:32])
        ndot = float(l1[33:43])
        nddot = float(l1[44] + "." + l1[45:50]) * 10.0 ** int(l1[50:52])
        bstar = float(l1[53] + "." + l1[54:59]) * 10.0 ** int(l1[59:61])
        elnum_s = l1[64:68]
        elnum = int(elnum_s) if elnum_s != "    " else 0
        incl = float(l2[8:16])
        raan = float(l2[17:25])
        ecc_s = l2[26:33]
        ecc = float("0." + ecc_s.replace(" ", "0")) if " " not in ecc_s.strip() else float("x")
        argp = float(l2[34:42])
        ma = float(l2[43:51])
        n = float(l2[52:63])
        rev_s = l2[63:68]
        rev = int(rev_s) if rev_s != "     " else 0
    except ValueError:
        raise _number_error(l1, l2, n1, n2, source) from None
    eph = l1[62]
    if not 1.0 <= day < 367.0:
        raise _field_error(
            l1, 1, n1, source, "epoch day",
            f"epoch day of year {day!r} is outside 1 <= day < 367",
            hint="columns 21-32 hold the day of the year with its fraction: 001.00000000 is 1 January 00:00",
        )

    if not 0.0 <= incl <= 180.0:
        raise _field_error(l2, 2, n2, source, "inclination",
                           f"inclination {incl} deg is outside 0..180 deg")
    for value, field in ((raan, "raan"), (argp, "argument of perigee"), (ma, "mean anomaly")):
        if not 0.0 <= value <= 360.0:
            raise _field_error(l2, 2, n2, source, field, f"{field} {value} deg is outside 0..360 deg")
    if not n > 0.0:
        raise _field_error(l2, 2, n2, source, "mean motion",
                           f"mean motion {n} rev/day must be positive")

    jd1, jd2 = epoch_from_tle(yy, day)
    return ElementSet(
        norad_id,
        jd1,
        jd2,
        n,
        ecc,
        incl,
        raan,
        argp,
        ma,
        bstar,
        ndot,
        nddot,
        name,
        tle_intl_to_omm(l1[9:17]),
        l1[7] if l1[7] != " " else "U",
        elnum,
        rev,
        int(eph) if eph != " " else 0,
        source,
        n1,
    )


def _name_of(line: str) -> str:
    s = line.strip()
    if s.startswith("0 "):
        return s[2:].strip()
    if s == "0":
        return ""
    return s


def read_tle(text_or_path, source: str | None = None, *, verify_checksum: bool = True) -> ParseResult:
    """Read every element set in a TLE / 3LE / CelesTrak-style file or string.

    Good records go to ``element_sets`` (with their name when a name line precedes them),
    bad ones to ``problems``; this never raises for a bad record. Comment lines (``#``),
    blank lines and text after column 69 are ignored. Raises :class:`ParseError` only for
    whole-file problems (empty or binary input).
    """
    text, source = load_text(text_or_path, source)
    lines = split_lines(text)
    if not any(ln.strip() for ln in lines):
        raise empty_file_error(source)
    result = ParseResult(source=source, format="tle")
    out = result.element_sets
    problems = result.problems
    n_lines = len(lines)
    name = ""
    name_line = 0  # 1-based line number of the pending name, 0 when none
    i = 0
    while i < n_lines:
        ln = lines[i]
        if ln[:2] == "1 ":
            # find line 2: the next line that is not blank/comment
            j = i + 1
            while j < n_lines and (not lines[j].strip() or lines[j].lstrip()[:1] == "#"):
                j += 1
            if j < n_lines and lines[j][:2] == "2 ":
                try:
                    es = parse_tle_lines(
                        ln, lines[j], name if name_line else "",
                        source=source, line_number=i + 1, verify_checksum=verify_checksum,
                    )
                except ParseError as e:
                    if j != i + 1:  # line 2 is not right below line 1: line numbers as they are
                        if e.line == i + 2:
                            e.line = j + 1
                    problems.append(e)
                else:
                    if j != i + 1:
                        es = es.with_(source_line=i + 1)
                    out.append(es)
                name_line = 0
                i = j + 1
                continue
            if len(ln.rstrip()) > 24:  # a line 1 without its line 2
                problems.append(ParseError(
                    "TLE line 1 is not followed by a line 2 (a line starting with '2 ')",
                    source=source, line=i + 1, field="line 2", expected=LINE2_TEMPLATE, text=ln,
                    hint="the element set is incomplete; re-download it or delete the stray line",
                ))
                name_line = 0
                i += 1
                continue
        stripped = ln.strip()
        if not stripped or stripped[0] == "#":
            i += 1
            continue
        if ln[:2] == "2 " and len(ln.rstrip()) > 24:
            problems.append(ParseError(
                "TLE line 2 without a line 1 before it",
                source=source, line=i + 1, field="line 1", expected=LINE1_TEMPLATE, text=ln,
                hint="the element set is incomplete; re-download it or delete the stray line",
            ))
            name_line = 0
            i += 1
            continue
        # a name line: '0 NAME' (3LE) or a plain name (CelesTrak)
        if name_line:
            problems.append(ParseError(
                "name line not followed by the two lines of an element set",
                source=source, line=name_line, field="name",
                expected="0 OBJECT NAME (or a plain name), then line 1 and line 2 of the TLE",
                text=lines[name_line - 1],
                hint="delete the stray line, or restore the element set that belongs to it",
            ))
        name = _name_of(ln)
        name_line = i + 1
        i += 1
    if name_line:
        problems.append(ParseError(
            "name line at the end of the file without an element set after it"
            if name_line == n_lines or not any(x.strip() for x in lines[name_line:])
            else "name line not followed by the two lines of an element set",
            source=source, line=name_line, field="name",
            expected="0 OBJECT NAME (or a plain name), then line 1 and line 2 of the TLE",
            text=lines[name_line - 1],
            hint="the file may be truncated; re-download it",
        ))
    return result


# --- writing ---------------------------------------------------------------------------
def _exp_text(x: float, field: str, es: ElementSet) -> str:
    """0.00030034 → ' 30034-3'; zero → ' 00000-0'."""
    if x == 0.0:
        return " 00000-0"
    if not math.isfinite(x):
        raise WriteError(f"object {es.norad_id}: {field} {x!r} cannot be written in a TLE")
    sign = "-" if x < 0 else " "
    mant, exp = f"{abs(x):.4e}".split("e")
    digits = mant.replace(".", "")
    e = int(exp) + 1
    if e < -9:
        return " 00000-0"
    if e > 9:
        raise WriteError(
            f"object {es.norad_id}: {field} {x!r} is too large for the TLE field (at most 0.99999e+9)"
        )
    return f"{sign}{digits}{'-' if e < 0 else '+'}{abs(e)}"


def _check_range(es: ElementSet, value: float, lo: float, hi: float, field: str) -> None:
    if not (lo <= value <= hi):
        raise WriteError(f"object {es.norad_id}: {field} {value!r} is outside {lo}..{hi} and cannot be written in a TLE")


def format_tle(es: ElementSet) -> tuple[str, str]:
    """``(line1, line2)`` of one element set, with checksums; Alpha-5 for ids 100000..339999.

    Raises :class:`WriteError` for what a TLE cannot hold (ids above 339999, epochs outside
    1957–2056, |mean motion dot| >= 1, out-of-range angles)."""
    sat = to_alpha5(es.norad_id)
    year, day = epoch_to_tle(es.epoch_jd1, es.epoch_jd2)
    if not 1957 <= year <= 2056:
        raise WriteError(
            f"object {es.norad_id}: epoch year {year} cannot be written in a TLE (two-digit years cover 1957–2056)"
        )
    ndot = es.mean_motion_dot_rev_day2
    if not abs(ndot) < 0.999999995:
        raise WriteError(f"object {es.norad_id}: mean motion dot {ndot!r} rev/day² does not fit the TLE field")
    ndot_s = f"{ndot:.8f}".replace("0.", ".", 1)
    if ndot_s[0] != "-":
        ndot_s = " " + ndot_s
    intl = omm_intl_to_tle(es.intl_designator)
    if len(intl) > 8 or not intl.isascii():
        raise WriteError(f"object {es.norad_id}: international designator {es.intl_designator!r} does not fit the TLE field")
    cls = (es.classification or "U")[:1]
    elnum = es.element_set_no
    if not 0 <= elnum <= 9999:
        elnum = elnum % 10000
    line1 = (
        f"1 {sat}{cls} {intl:<8} {year % 100:02d}{day} {ndot_s} "
        f"{_exp_text(es.mean_motion_ddot_rev_day3, 'mean motion ddot', es)} "
        f"{_exp_text(es.bstar_per_earth_radius, 'bstar', es)} {es.ephemeris_type % 10:d} {elnum:4d}"
    )
    _check_range(es, es.inclination_deg, 0.0, 180.0, "inclination")
    for v, f in ((es.raan_deg, "raan"), (es.arg_perigee_deg, "argument of perigee"), (es.mean_anomaly_deg, "mean anomaly")):
        _check_range(es, v, 0.0, 360.0, f)
    _check_range(es, es.eccentricity, 0.0, 0.99999995, "eccentricity")
    n = es.mean_motion_rev_day
    if not 0.0 < n < 99.999999995:
        raise WriteError(f"object {es.norad_id}: mean motion {n!r} rev/day does not fit the TLE field")
    ecc = f"{es.eccentricity:.7f}"[2:]
    rev = es.rev_at_epoch % 100000
    line2 = (
        f"2 {sat} {es.inclination_deg:8.4f} {es.raan_deg:8.4f} {ecc} "
        f"{es.arg_perigee_deg:8.4f} {es.mean_anomaly_deg:8.4f} {n:11.8f}{rev:5d}"
    )
    return line1 + str(checksum(line1)), line2 + str(checksum(line2))


def write_tle(
    element_sets: Iterable[ElementSet],
    path_or_file,
    names: bool = True,
    *,
    name_prefix: str = "0 ",
    newline: str = "\n",
) -> int:
    """Write element sets as 3LE (``names=True``: a ``0 NAME`` line before each, or a plain
    name line with ``name_prefix=''`` as CelesTrak writes) or as bare TLE. Returns the count."""
    count = 0
    with open_for_writing(path_or_file, newline="") as f:
        chunk = []
        for es in element_sets:
            l1, l2 = format_tle(es)
            if names:
                chunk.append(f"{name_prefix}{es.name}".rstrip() if es.name or name_prefix.strip() else es.name)
            chunk.append(l1)
            chunk.append(l2)
            count += 1
            if len(chunk) >= 3000:
                f.write(newline.join(chunk) + newline)
                chunk = []
        if chunk:
            f.write(newline.join(chunk) + newline)
    return count


__all__ = [
    "LINE1_TEMPLATE",
    "LINE2_TEMPLATE",
    "MAX_TLE_NORAD_ID",
    "checksum",
    "epoch_from_tle",
    "epoch_to_tle",
    "format_tle",
    "from_alpha5",
    "omm_intl_to_tle",
    "parse_tle_lines",
    "read_tle",
    "tle_intl_to_omm",
    "to_alpha5",
    "write_tle",
]
