"""Live element sets from CelesTrak's GP API, fetched politely.

CelesTrak (https://celestrak.org, Dr T.S. Kelso) serves the public GP catalogue at
``{base}/NORAD/elements/gp.php?{QUERY}=VALUE&FORMAT={FORMAT}`` where QUERY is one of
``GROUP`` (a named set such as ``active`` or ``cosmos-2251-debris``), ``CATNR`` (one
catalogue number), ``INTDES`` (a launch, ``yyyy-nnn``), ``NAME`` (part of a name) or
``SPECIAL``. We ask for the OMM formats ``json`` and ``csv``: unlike TLEs they carry
catalogue numbers above 99,999 (:data:`FORMATS`).

CelesTrak is a free service run on donations, and it says how it wants to be used:

* GP data changes at most every 2 hours, so the same query must not be downloaded more
  often than that. Since 2023 it answers over-eager clients with **HTTP 403** and a
  text such as "GP data has not updated since your last successful download of
  GROUP=starlink at … UTC. Data is updated once every 2 hours."
* Machine-to-machine clients must stop asking when they get anything other than 200
  and report to a human; clients that keep hammering end up in the firewall.

So :class:`CelesTrakClient` keeps a cache (one body + one metadata file per query,
written atomically) and

1. never contacts the server within :data:`MIN_INTERVAL_S` (2 h) of the last successful
   check of the same query: it returns the cached copy and says so (``status='cached'``);
2. after that, asks conditionally (``If-None-Match`` / ``If-Modified-Since``); a 304
   answer reuses the cache (``status='not-modified'``);
3. after a 403 (or 429) it does not ask that query again for 2 hours (or the server's
   ``Retry-After``, whichever is longer) — not even with ``force=True``;
4. retries only 5xx answers, at most ``max_retries`` times with exponential backoff;
   redirects are not followed (CelesTrak uses 301 to flag wrong domains and legacy
   URLs: the error says which base URL to configure instead);
5. refuses truncated or unparseable bodies (Content-Length mismatch, JSON that does not
   parse, CSV rows with missing fields) and never overwrites the cache with them.

When fresh data cannot be had for a *transient* reason — the server cannot be reached,
403, 5xx, a truncated body — and a cached copy exists, the cached copy is returned with
``status='stale'`` and a ``warning`` that says why and how old it is (pass
``allow_stale=False`` to get the :class:`CelesTrakError` instead). Answers that say the
*query* is wrong (404, "No GP data found", "Invalid query") always raise.

``force=True`` skips rule 1 only. It is impolite — CelesTrak will usually answer 403
anyway — and exists for the rare case where you know the data changed; the command line
does not need to offer it.

:func:`update` is the pipeline step: fetch each group, read it with the OMM reader
(:mod:`spacesweepers.catalog.formats`) and ingest it into a
:class:`~spacesweepers.catalog.store.Store` with the query URL as provenance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import time as _time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import NetworkError, SweepersError

DEFAULT_BASE_URL = "https://celestrak.org"
GP_PATH = "/NORAD/elements/gp.php"
ENV_BASE_URL = "SWEEPERS_CELESTRAK_URL"

MIN_INTERVAL_S = 2 * 3600.0
"""CelesTrak updates GP data at most every 2 hours; we ask at most that often per query."""

BACKOFF_AFTER_403_S = 2 * 3600.0
"""How long a query stays blocked after CelesTrak answered 403 (unless Retry-After says longer)."""

FORMATS = ("json", "csv")
QUERY_KINDS = ("GROUP", "CATNR", "INTDES", "NAME", "SPECIAL")

DEBRIS_GROUPS = (
    "cosmos-1408-debris",  # Russian ASAT test, 2021-11-15
    "fengyun-1c-debris",  # Chinese ASAT test, 2007-01-11
    "iridium-33-debris",  # Iridium 33 / Cosmos 2251 collision, 2009-02-10
    "cosmos-2251-debris",
)
"""CelesTrak's groups of debris from the four best-known fragmentation events."""

ALL_GROUPS = ("active", *DEBRIS_GROUPS)
"""What ``sweepers catalog update --all`` fetches.

CelesTrak has no group for the whole catalogue: ``active`` holds the working payloads,
and the debris groups hold the big fragmentation clouds. Rocket bodies, dead payloads and
other debris are not in any GP group; for the complete public catalogue download a GP
file from Space-Track.org and load it with ``sweepers catalog load FILE``.
"""

CSV_HEADER = (
    "OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION",
    "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
    "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT",
)
"""Column order of CelesTrak's OMM CSV (``FORMAT=csv``)."""

_NUMERIC_FIELDS = (
    "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER",
    "MEAN_ANOMALY", "NORAD_CAT_ID", "BSTAR", "MEAN_MOTION_DOT",
)
_REQUIRED_FIELDS = ("NORAD_CAT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY")
_RETRY_STATUS = (500, 502, 503, 504)
_LOAD_HINT = (
    "to work offline, load a file you downloaded elsewhere: sweepers catalog load FILE "
    "(TLE/3LE, OMM JSON or CSV)"
)

STATUSES = ("fetched", "not-modified", "cached", "stale")
"""How a :class:`FetchResult` got its body: downloaded now; confirmed unchanged by a 304;
taken from the cache without contacting the server (2-hour rule); or an older cached copy
returned because fresh data could not be had (see ``warning``)."""


class QueryError(SweepersError, ValueError):
    """A GP query that cannot be sent (unknown kind, empty value, bad format)."""


class CelesTrakError(NetworkError):
    """CelesTrak could not be reached or gave no usable answer.

    ``kind`` says which: ``'unreachable'`` (connection refused, DNS failure, timeout),
    ``'refused'`` (403/429: too many downloads; see ``retry_after``), ``'server-error'``
    (5xx after retries), ``'truncated'`` (body shorter than declared or not parseable),
    ``'not-found'`` (404), ``'no-data'`` ("No GP data found"), ``'invalid-query'``,
    ``'redirect'`` (301/302/…), ``'http-error'`` (any other status), ``'offline'`` (the
    caller said not to contact the server and there is no cached copy).
    ``cached_at`` is when the cached copy of this query was downloaded, if there is one.
    """

    def __init__(self, message: str, *, kind: str, url: str, status_code: int | None = None,
                 server_text: str | None = None, cached_at: datetime | None = None,
                 retry_after: datetime | None = None):
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.status_code = status_code
        self.server_text = server_text
        self.cached_at = cached_at
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """True when asking again later may succeed (a cached copy may stand in meanwhile)."""
        return self.kind in ("unreachable", "refused", "server-error", "truncated", "offline")


# --- queries -----------------------------------------------------------------------------
_GROUP_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_INTDES_RE = re.compile(r"^\d{4}-\d{3}[A-Z]{0,3}$")


@dataclass(frozen=True)
class GPQuery:
    """One GP query: ``kind`` (GROUP, CATNR, INTDES, NAME, SPECIAL), its ``value`` and the
    ``format`` asked for (``json`` or ``csv``). Build one with a named constructor."""

    kind: str
    value: str
    format: str = "json"

    def __post_init__(self):
        kind = str(self.kind).upper()
        fmt = str(self.format).lower()
        value = str(self.value).strip()
        if kind not in QUERY_KINDS:
            raise QueryError(f"unknown CelesTrak query {self.kind!r}; use one of {', '.join(QUERY_KINDS)}")
        if fmt not in FORMATS:
            raise QueryError(
                f"format {self.format!r} is not supported for CelesTrak downloads; use 'json' or 'csv' "
                "(OMM, which also carries catalogue numbers above 99999)"
            )
        if not value:
            raise QueryError(f"empty {kind} in a CelesTrak query; give e.g. GROUP=active or CATNR=25544")
        if kind == "GROUP" and not _GROUP_RE.match(value):
            raise QueryError(
                f"{value!r} is not a CelesTrak group name; names look like 'active', 'stations', "
                f"'cosmos-2251-debris' (letters, digits and '-')"
            )
        if kind == "CATNR" and not (value.isdigit() and len(value) <= 9):
            raise QueryError(f"CATNR must be a catalogue number of 1 to 9 digits, not {value!r}")
        if kind == "INTDES" and not _INTDES_RE.match(value.upper()):
            raise QueryError(f"INTDES must be an international designator yyyy-nnn (e.g. 1998-067), not {value!r}")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "format", fmt)
        object.__setattr__(self, "value", value.upper() if kind == "INTDES" else value)

    @classmethod
    def group(cls, name: str, format: str = "json") -> "GPQuery":
        return cls("GROUP", name, format)

    @classmethod
    def catnr(cls, norad_id: int | str, format: str = "json") -> "GPQuery":
        return cls("CATNR", str(norad_id), format)

    @classmethod
    def intdes(cls, designator: str, format: str = "json") -> "GPQuery":
        return cls("INTDES", designator, format)

    @classmethod
    def name(cls, text: str, format: str = "json") -> "GPQuery":
        return cls("NAME", text, format)

    @classmethod
    def parse(cls, text: str, format: str = "json") -> "GPQuery":
        """``'GROUP=active'``, ``'CATNR=25544'``, …; a bare word is a group name."""
        if "=" in text:
            kind, _, value = text.partition("=")
            return cls(kind.strip(), value, format)
        return cls("GROUP", text, format)

    @property
    def params(self) -> dict[str, str]:
        return {self.kind: self.value, "FORMAT": self.format}

    @property
    def label(self) -> str:
        """``GROUP=active`` — how CelesTrak itself names the query in its messages."""
        return f"{self.kind}={self.value}"

    @property
    def cache_key(self) -> str:
        """File-name-safe, unique name of this query's cache entry."""
        safe = re.sub(r"[^a-z0-9._-]+", "_", self.value.lower()).strip("._") or "_"
        if safe != self.value:
            safe += "-" + hashlib.sha1(self.value.encode()).hexdigest()[:8]
        return f"{self.kind.lower()}-{safe}.{self.format}"

    def __str__(self) -> str:
        return f"{self.label}&FORMAT={self.format}"


def _as_query(query: "GPQuery | str", fmt: str) -> GPQuery:
    if isinstance(query, GPQuery):
        return query
    return GPQuery.parse(query, fmt)


# --- results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FetchResult:
    """The body of one query and how it was obtained (``status``, one of :data:`STATUSES`).

    ``fetched_at`` is when this body was downloaded from CelesTrak, ``checked_at`` when
    the server last confirmed it (download or 304). ``message`` is one sentence for
    people; ``warning`` is set for ``'stale'`` results and says what went wrong, and
    ``error_kind`` is then the :attr:`CelesTrakError.kind` of that failure.
    """

    query: GPQuery
    url: str
    status: str
    body: bytes
    fetched_at: datetime
    checked_at: datetime
    message: str
    warning: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error_kind: str | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def contacted_server(self) -> bool:
        return self.status in ("fetched", "not-modified")

    def to_dict(self) -> dict:
        return {
            "query": self.query.label,
            "format": self.query.format,
            "url": self.url,
            "status": self.status,
            "bytes": len(self.body),
            "fetched_at": _iso(self.fetched_at),
            "checked_at": _iso(self.checked_at),
            "message": self.message,
            "warning": self.warning,
        }


# --- the cache ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CacheEntry:
    """What the cache knows about one query. ``body`` is None when only metadata exists
    (e.g. the first request was refused)."""

    url: str
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    checked_at: datetime | None = None
    blocked_until: datetime | None = None
    blocked_reason: str | None = None


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _from_iso(s) -> datetime | None:
    if not s:
        return None
    t = datetime.fromisoformat(str(s).replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _human(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class GPCache:
    """One folder; per query ``<key>`` (body) and ``<key>.meta.json`` (URL, ETag,
    Last-Modified, download and check times, SHA-256 of the body, 403 back-off).

    The body is written first and the metadata last, both atomically; a body whose size or
    SHA-256 disagrees with its metadata is ignored, so a crash never yields a mixed entry.
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def _paths(self, query: GPQuery) -> tuple[Path, Path]:
        body = self.directory / query.cache_key
        return body, body.with_name(body.name + ".meta.json")

    def load(self, query: GPQuery) -> CacheEntry | None:
        body_path, meta_path = self._paths(query)
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (FileNotFoundError, ValueError, OSError):
            return None
        try:
            body = None
            if meta.get("sha256"):
                try:
                    data = body_path.read_bytes()
                except OSError:
                    data = None
                if data is not None and len(data) == meta.get("bytes") and hashlib.sha256(data).hexdigest() == meta["sha256"]:
                    body = data
            return CacheEntry(
                url=meta.get("url", ""),
                body=body,
                etag=meta.get("etag") if body is not None else None,
                last_modified=meta.get("last_modified") if body is not None else None,
                fetched_at=_from_iso(meta.get("fetched_at")) if body is not None else None,
                checked_at=_from_iso(meta.get("checked_at")) if body is not None else None,
                blocked_until=_from_iso(meta.get("blocked_until")),
                blocked_reason=meta.get("blocked_reason"),
            )
        except (ValueError, TypeError, KeyError):
            return None

    def save(self, query: GPQuery, entry: CacheEntry, *, write_body: bool) -> None:
        body_path, meta_path = self._paths(query)
        if write_body and entry.body is not None:
            _atomic_write(body_path, entry.body)
        meta = {
            "query": query.label,
            "format": query.format,
            "url": entry.url,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "fetched_at": _iso(entry.fetched_at),
            "checked_at": _iso(entry.checked_at),
            "blocked_until": _iso(entry.blocked_until),
            "blocked_reason": entry.blocked_reason,
            "bytes": None if entry.body is None else len(entry.body),
            "sha256": None if entry.body is None else hashlib.sha256(entry.body).hexdigest(),
        }
        _atomic_write(meta_path, (json.dumps(meta, indent=1) + "\n").encode())

    def body_path(self, query: GPQuery) -> Path:
        return self._paths(query)[0]


def default_cache_dir() -> Path:
    """``data_dir()/cache/celestrak`` (``$SWEEPERS_HOME/cache/celestrak`` when set)."""
    from ..paths import data_dir

    return data_dir() / "cache" / "celestrak"


# --- body checks -------------------------------------------------------------------------
def _server_text(body: bytes, limit: int = 400) -> str:
    text = body.decode("utf-8", "replace").strip()
    text = re.sub(r"<[^>]+>", " ", text)  # error pages may be HTML
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] + ("…" if len(text) > limit else "")


def check_body(body: bytes, query: GPQuery, url: str) -> int:
    """Raise :class:`CelesTrakError` unless ``body`` is one complete OMM document in the
    query's format; return the number of records in it."""
    head = body[:200].lstrip().lower()
    if head.startswith(b"no gp data found"):
        raise CelesTrakError(
            f"CelesTrak has no GP data for {query.label} (it answered 'No GP data found'). "
            + ("Check the group name against https://celestrak.org/NORAD/elements/ ; a debris group "
               "empties as its pieces decay." if query.kind == "GROUP"
               else "Check the value; decayed objects get no GP data."),
            kind="no-data", url=url, status_code=200, server_text=_server_text(body),
        )
    if head.startswith(b"invalid query"):
        raise CelesTrakError(
            f"CelesTrak rejected {query.label} as an invalid query: {_server_text(body)}",
            kind="invalid-query", url=url, status_code=200, server_text=_server_text(body),
        )
    where = f"the {query.format.upper()} body of {url} ({len(body)} bytes)"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CelesTrakError(f"{where} is not UTF-8 text ({e}); it was not cached",
                             kind="truncated", url=url, status_code=200) from None
    if query.format == "json":
        try:
            data = json.loads(text)
        except ValueError as e:
            raise CelesTrakError(
                f"{where} is not complete JSON ({e}); the download was probably cut short. "
                "The cache was not overwritten; try again later.",
                kind="truncated", url=url, status_code=200, server_text=_server_text(body, 200),
            ) from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise CelesTrakError(f"{where} is JSON but not a list of OMM records; it was not cached",
                                 kind="truncated", url=url, status_code=200, server_text=_server_text(body, 200))
        for k, rec in enumerate(data, 1):
            missing = [f for f in _REQUIRED_FIELDS if f not in rec]
            if missing:
                raise CelesTrakError(f"{where}: record {k} lacks {', '.join(missing)}; it was not cached",
                                     kind="truncated", url=url, status_code=200)
        n = len(data)
    else:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        while rows and not any(c.strip() for c in rows[-1]):
            rows.pop()
        if not rows or not set(_REQUIRED_FIELDS) <= {c.strip() for c in rows[0]}:
            raise CelesTrakError(
                f"{where} does not start with CelesTrak's OMM CSV header ({','.join(CSV_HEADER[:4])},…): "
                f"{_server_text(body, 120)!r}; it was not cached",
                kind="truncated", url=url, status_code=200,
            )
        header = [c.strip() for c in rows[0]]
        numeric = [header.index(f) for f in _NUMERIC_FIELDS if f in header]
        for line_no, row in enumerate(rows[1:], 2):
            if len(row) != len(header):
                raise CelesTrakError(
                    f"{where}, line {line_no}: {len(row)} fields where the header has {len(header)}; "
                    "the download was probably cut short. The cache was not overwritten; try again later.",
                    kind="truncated", url=url, status_code=200,
                )
            for i in numeric:
                try:
                    float(row[i])
                except ValueError:
                    raise CelesTrakError(
                        f"{where}, line {line_no}, field {header[i]}: {row[i]!r} is not a number; "
                        "it was not cached", kind="truncated", url=url, status_code=200,
                    ) from None
        n = len(rows) - 1
    if n == 0:
        raise CelesTrakError(f"CelesTrak returned no records for {query.label}", kind="no-data",
                             url=url, status_code=200)
    return n


# --- the client --------------------------------------------------------------------------
def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class CelesTrakClient:
    """Fetches GP queries from CelesTrak (or a mirror) with a polite cache.

    Parameters
    ----------
    base_url:
        Server root; default ``$SWEEPERS_CELESTRAK_URL`` or https://celestrak.org.
    cache_dir:
        Where bodies and metadata are kept; default ``data_dir()/cache/celestrak``.
    clock:
        Returns the current time as an aware :class:`datetime` (tests inject one to let
        2 hours pass without sleeping).
    min_interval_s:
        The 2-hour rule; lowering it is only for mirrors you run yourself.
    max_retries, backoff_s:
        5xx answers are retried ``max_retries`` times, waiting ``backoff_s``, then twice
        that, … (or the server's ``Retry-After``, capped at 60 s).
    allow_stale:
        Return the cached copy (``status='stale'`` with a warning) when fresh data cannot
        be had for a transient reason; with False such failures raise.
    sleep:
        Waits between retries (tests inject one that records instead of sleeping).
    """

    def __init__(
        self,
        base_url: str | None = None,
        cache_dir: str | os.PathLike | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        timeout_s: float = 60.0,
        min_interval_s: float = MIN_INTERVAL_S,
        max_retries: int = 2,
        backoff_s: float = 2.0,
        allow_stale: bool = True,
        sleep: Callable[[float], None] | None = None,
        user_agent: str | None = None,
    ):
        import httpx

        from .. import __version__

        base = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        if not re.match(r"^https?://[^/\s]+", base):
            raise QueryError(f"CelesTrak base URL must start with http:// or https://, not {base!r}")
        self.base_url = base.rstrip("/")
        self.cache = GPCache(cache_dir if cache_dir is not None else default_cache_dir())
        self._clock = clock or _utcnow
        self.min_interval_s = float(min_interval_s)
        self.max_retries = int(max_retries)
        self.backoff_s = float(backoff_s)
        self.allow_stale = allow_stale
        self._sleep = sleep or _time.sleep
        self.requests_sent = 0
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 15.0)),
            follow_redirects=False,
            headers={"User-Agent": user_agent or f"spacesweepers/{__version__} (CelesTrak GP client; caches 2 h)"},
        )

    # --- context management ----------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "CelesTrakClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- public ----------------------------------------------------------------------------
    def url(self, query: GPQuery | str, fmt: str = "json") -> str:
        """The full URL of a query, as recorded for provenance."""
        import httpx

        q = _as_query(query, fmt)
        return str(httpx.URL(self.base_url + GP_PATH, params=q.params))

    def cached(self, query: GPQuery | str, fmt: str = "json") -> FetchResult | None:
        """The cached copy of a query without contacting anyone, or None."""
        q = _as_query(query, fmt)
        entry = self.cache.load(q)
        if entry is None or entry.body is None:
            return None
        return self._from_cache(q, entry, "cached", f"cached copy of {q.label} from {_human(entry.fetched_at)}")

    def fetch_group(self, group: str, fmt: str = "json", *, force: bool = False,
                    offline: bool | str = False) -> FetchResult:
        """:meth:`fetch` of ``GROUP=group``."""
        return self.fetch(GPQuery.group(group, fmt), force=force, offline=offline)

    def fetch(self, query: GPQuery | str, fmt: str = "json", *, force: bool = False,
              offline: bool | str = False) -> FetchResult:
        """Fetch one query (a :class:`GPQuery`, or text like ``'GROUP=active'``), obeying
        the 2-hour rule unless ``force``; see the module docstring for the rules.

        ``offline`` (True, or a sentence saying why) never contacts the server: the cached
        copy comes back as ``'cached'`` inside the 2-hour window, else as ``'stale'``; with
        no cached copy a :class:`CelesTrakError` (kind ``'offline'``) is raised.
        """
        q = _as_query(query, fmt)
        url = self.url(q)
        now = self._now()
        entry = self.cache.load(q)
        has_body = entry is not None and entry.body is not None

        # 403 back-off: never ask again early, whatever the caller says.
        if entry is not None and entry.blocked_until is not None and now < entry.blocked_until:
            err = CelesTrakError(
                f"CelesTrak refused {q.label} earlier ({entry.blocked_reason or 'HTTP 403'}); "
                f"not asking again before {_human(entry.blocked_until)}, as CelesTrak's usage policy asks. "
                + (f"The cached copy from {_human(entry.fetched_at)} is still usable."
                   if has_body else _LOAD_HINT),
                kind="refused", url=url, status_code=403, server_text=entry.blocked_reason,
                cached_at=entry.fetched_at if has_body else None, retry_after=entry.blocked_until,
            )
            return self._fallback(q, entry, err)

        # The 2-hour rule.
        if has_body and not force and entry.checked_at is not None:
            age_s = (now - entry.checked_at).total_seconds()
            if 0 <= age_s < self.min_interval_s:
                nxt = entry.checked_at + timedelta(seconds=self.min_interval_s)
                return self._from_cache(
                    q, entry, "cached",
                    f"{q.label}: using the copy downloaded {_human(entry.fetched_at)}, last checked "
                    f"{_ago(age_s)} ago; CelesTrak updates GP data at most every 2 hours, so the server "
                    f"was not contacted (next check after {_human(nxt)})",
                )

        if offline:
            why = offline if isinstance(offline, str) else "offline mode"
            return self._fallback(q, entry, CelesTrakError(
                f"{q.label}: CelesTrak not asked ({why})"
                + (f"; using cached copy from {_human(entry.fetched_at)}" if has_body else f". {_LOAD_HINT}"),
                kind="offline", url=url, cached_at=entry.fetched_at if has_body else None))

        headers = {}
        if has_body:
            if entry.etag:
                headers["If-None-Match"] = entry.etag
            if entry.last_modified:
                headers["If-Modified-Since"] = entry.last_modified
        try:
            response = self._get(url, headers, q, entry)
        except CelesTrakError as err:
            return self._fallback(q, entry, err)

        now = self._now()
        if response.status_code == 304:
            if not has_body:
                return self._fallback(q, entry, CelesTrakError(
                    f"CelesTrak answered 304 Not Modified for {url}, but there is no cached copy to reuse",
                    kind="http-error", url=url, status_code=304))
            new = replace(entry, checked_at=now, blocked_until=None, blocked_reason=None)
            self.cache.save(q, new, write_body=False)
            return self._from_cache(
                q, new, "not-modified",
                f"{q.label}: not modified since the copy downloaded {_human(entry.fetched_at)} (HTTP 304)",
            )

        body = response.content
        try:
            n = check_body(body, q, url)
        except CelesTrakError as err:
            if has_body and err.transient:
                err = CelesTrakError(f"{err}; using cached copy from {_human(entry.fetched_at)}", kind=err.kind,
                                     url=url, status_code=200, server_text=err.server_text,
                                     cached_at=entry.fetched_at)
            return self._fallback(q, entry, err)
        new = CacheEntry(
            url=url, body=body, etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            fetched_at=now, checked_at=now,
        )
        self.cache.save(q, new, write_body=True)
        return FetchResult(
            query=q, url=url, status="fetched", body=body, fetched_at=now, checked_at=now,
            message=f"{q.label}: downloaded {n} record(s), {len(body):,} bytes, at {_human(now)}",
            etag=new.etag, last_modified=new.last_modified,
        )

    # --- internals ---------------------------------------------------------------------------
    def _now(self) -> datetime:
        t = self._clock()
        if not isinstance(t, datetime) or t.tzinfo is None:
            raise SweepersError("the CelesTrak client's clock must return an aware datetime (UTC)")
        return t

    def _from_cache(self, q: GPQuery, entry: CacheEntry, status: str, message: str,
                    warning: str | None = None, error_kind: str | None = None) -> FetchResult:
        return FetchResult(
            query=q, url=entry.url or self.url(q), status=status, body=entry.body,
            fetched_at=entry.fetched_at, checked_at=entry.checked_at, message=message,
            warning=warning, etag=entry.etag, last_modified=entry.last_modified, error_kind=error_kind,
        )

    def _fallback(self, q: GPQuery, entry: CacheEntry | None, err: CelesTrakError) -> FetchResult:
        """Return the cached copy for a transient failure (when allowed), else raise."""
        if err.transient and self.allow_stale and entry is not None and entry.body is not None:
            return self._from_cache(q, entry, "stale", f"{q.label}: cached copy from {_human(entry.fetched_at)}",
                                    warning=str(err), error_kind=err.kind)
        raise err

    def _get(self, url: str, headers: dict, q: GPQuery, entry: CacheEntry | None):
        """One GET with bounded retries of 5xx; returns a 200 or 304 response, raises
        :class:`CelesTrakError` for everything else (recording 403 back-offs)."""
        import httpx

        cached_at = entry.fetched_at if entry is not None and entry.body is not None else None
        cache_note = f"; using cached copy from {_human(cached_at)}" if cached_at else f". {_LOAD_HINT}"
        attempt = 0
        while True:
            attempt += 1
            self.requests_sent += 1
            try:
                response = self._http.get(url, headers=headers)
            except httpx.RemoteProtocolError as e:
                raise CelesTrakError(
                    f"the download of {url} was cut short ({e}); the cache was not overwritten{cache_note}",
                    kind="truncated", url=url, cached_at=cached_at,
                ) from None
            except (httpx.TransportError, OSError) as e:
                reason = str(e) or type(e).__name__
                raise CelesTrakError(
                    f"cannot reach {self.base_url}: {reason}{cache_note}",
                    kind="unreachable", url=url, cached_at=cached_at,
                ) from None

            status = response.status_code
            if status in (200, 304):
                declared = response.headers.get("Content-Length")
                if status == 200 and declared is not None and declared.isdigit() \
                        and response.num_bytes_downloaded != int(declared):
                    raise CelesTrakError(
                        f"the download of {url} was cut short: {response.num_bytes_downloaded} of "
                        f"{int(declared)} bytes; the cache was not overwritten{cache_note}",
                        kind="truncated", url=url, cached_at=cached_at,
                    )
                return response

            text = _server_text(response.content)
            if status in (403, 429):
                now = self._now()
                wait = max(BACKOFF_AFTER_403_S, _retry_after_s(response, now) or 0.0)
                until = now + timedelta(seconds=wait)
                reason = f"HTTP {status}: {text}" if text else f"HTTP {status}"
                base = entry if entry is not None else CacheEntry(url=url)
                self.cache.save(q, replace(base, url=base.url or url, blocked_until=until, blocked_reason=reason),
                                write_body=False)
                raise CelesTrakError(
                    f"CelesTrak refused {q.label} with HTTP {status}: {text or '(no text)'}. "
                    f"CelesTrak blocks clients that download the same data more than once every 2 hours; "
                    f"this client will not ask again before {_human(until)}{cache_note}",
                    kind="refused", url=url, status_code=status, server_text=text,
                    cached_at=cached_at, retry_after=until,
                )
            if status in _RETRY_STATUS and attempt <= self.max_retries:
                delay = _retry_after_s(response, self._now())
                delay = min(60.0, delay if delay is not None else self.backoff_s * 2 ** (attempt - 1))
                self._sleep(delay)
                continue
            if status in _RETRY_STATUS:
                raise CelesTrakError(
                    f"CelesTrak answered HTTP {status} for {url} {attempt} time(s): {text or '(no text)'}; "
                    f"try again later{cache_note}",
                    kind="server-error", url=url, status_code=status, server_text=text, cached_at=cached_at,
                )
            if status == 404:
                raise CelesTrakError(
                    f"CelesTrak answered 404 Not Found for {url}: {text or '(no text)'}. The GP API lives at "
                    f"{{base}}{GP_PATH}; check the base URL ({ENV_BASE_URL}, now {self.base_url}).",
                    kind="not-found", url=url, status_code=404, server_text=text, cached_at=cached_at,
                )
            if 300 <= status < 400:
                where = response.headers.get("Location", "?")
                raise CelesTrakError(
                    f"CelesTrak redirected {url} to {where} (HTTP {status}). CelesTrak uses redirects to flag "
                    f"wrong domains and retired URLs, so this client does not follow them: set {ENV_BASE_URL} "
                    f"(now {self.base_url}) to the new server, e.g. {DEFAULT_BASE_URL}.",
                    kind="redirect", url=url, status_code=status, server_text=where, cached_at=cached_at,
                )
            raise CelesTrakError(
                f"CelesTrak answered HTTP {status} for {url}: {text or '(no text)'}",
                kind="http-error", url=url, status_code=status, server_text=text, cached_at=cached_at,
            )


def _retry_after_s(response, now: datetime) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        t = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return max(0.0, (t - now).total_seconds())


def _ago(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


# --- the pipeline step -------------------------------------------------------------------
@dataclass
class UpdateReport:
    """What :func:`update` did for one query.

    ``status``: ``fetched`` / ``not-modified`` / ``cached`` / ``stale`` (see
    :data:`STATUSES`) or ``error`` (then ``error`` says why and nothing was ingested).
    ``objects``: element sets read from the body; ``new_element_sets``: how many of them
    the store did not have; ``problems``: records the reader could not read.
    """

    query: str
    url: str
    status: str
    format: str = "json"
    fetched_at: datetime | None = None
    objects: int = 0
    new_element_sets: int = 0
    problems: int = 0
    message: str = ""
    warning: str | None = None
    error: str | None = None
    ingest: object | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status != "error"

    def summary(self) -> str:
        """One line for people, e.g. ``GROUP=active: fetched, 12 element set(s), 12 new``."""
        if self.error:
            return f"{self.query}: error: {self.error}"
        line = f"{self.query}: {self.status}, {self.objects} element set(s), {self.new_element_sets} new"
        if self.problems:
            line += f", {self.problems} bad record(s) skipped"
        return line

    def __str__(self) -> str:
        """The summary line, then the warning (if any) on a second, indented line."""
        return self.summary() + (f"\n  warning: {self.warning}" if self.warning else "")

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "format": self.format,
            "url": self.url,
            "status": self.status,
            "fetched_at": _iso(self.fetched_at),
            "objects": self.objects,
            "new_element_sets": self.new_element_sets,
            "problems": self.problems,
            "message": self.message,
            "warning": self.warning,
            "error": self.error,
        }


_HALT_KINDS = ("refused", "server-error", "redirect", "not-found", "http-error", "unreachable")


def _parse(result: FetchResult):
    """The body of a fetch read with the OMM reader, with the URL as its source."""
    from .formats.omm import read_omm_csv, read_omm_json

    reader = read_omm_csv if result.query.format == "csv" else read_omm_json
    return reader(result.body, source=result.url)


def update(
    store,
    groups: Sequence[str | GPQuery] | str = ALL_GROUPS,
    fmt: str = "json",
    client: CelesTrakClient | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    *,
    force: bool = False,
    strict: bool = False,
) -> list[UpdateReport]:
    """Fetch each group (or query), read it as OMM and ingest it into ``store``.

    ``store`` is a :class:`~spacesweepers.catalog.store.Store` or a database URL.
    ``groups`` are group names, ``'CATNR=25544'``-style texts or :class:`GPQuery` objects;
    default :data:`ALL_GROUPS`. One group's failure is reported, not raised, so the others
    still load. ``progress(done, total, label)`` is called before each query and once at
    the end. Returns one :class:`UpdateReport` per query, in order.

    CelesTrak asks machine clients to stop at the first non-200 answer and tell a human.
    So after a refusal, a server error, a redirect, a 404 or an unreachable server, the
    remaining queries are not sent: they are served from the cache when a copy exists
    (``'cached'``/``'stale'``) and reported as errors otherwise.
    """
    from .store import Store

    if isinstance(groups, str):
        groups = [groups]
    queries = [_as_query(g, fmt) for g in groups]
    if isinstance(store, str):
        store = Store(store)
    own_client = client is None
    client = client or CelesTrakClient()
    reports: list[UpdateReport] = []
    halted: str | None = None
    try:
        for i, q in enumerate(queries):
            if progress is not None:
                progress(i, len(queries), q.label)
            url = client.url(q)
            try:
                result = client.fetch(q, force=force, offline=halted or False)
                kind = result.error_kind
            except CelesTrakError as e:
                result, kind = e, e.kind
            if halted is None and kind in _HALT_KINDS:
                halted = f"stopped after {q.label} failed ({kind}), as CelesTrak's usage policy asks"
            if isinstance(result, CelesTrakError):
                reports.append(UpdateReport(query=q.label, url=result.url or url, status="error",
                                            format=q.format, fetched_at=result.cached_at, error=str(result)))
                continue
            try:
                parsed = _parse(result)
                ingest = store.ingest(parsed, strict=strict, source_url=result.url)
            except SweepersError as e:  # a whole-file parse error, or a strict ingest rejected
                reports.append(UpdateReport(query=q.label, url=result.url, status="error", format=q.format,
                                            fetched_at=result.fetched_at, message=result.message,
                                            warning=result.warning, error=str(e)))
                continue
            reports.append(UpdateReport(
                query=q.label, url=result.url, status=result.status, format=q.format,
                fetched_at=result.fetched_at, objects=len(parsed.element_sets),
                new_element_sets=ingest.element_sets_loaded, problems=len(ingest.problems),
                message=result.message, warning=result.warning, ingest=ingest,
            ))
        if progress is not None:
            progress(len(queries), len(queries), "done")
    finally:
        if own_client:
            client.close()
    return reports


__all__ = [
    "ALL_GROUPS",
    "DEBRIS_GROUPS",
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "FORMATS",
    "MIN_INTERVAL_S",
    "STATUSES",
    "CelesTrakClient",
    "CelesTrakError",
    "FetchResult",
    "GPCache",
    "GPQuery",
    "QueryError",
    "UpdateReport",
    "check_body",
    "default_cache_dir",
    "update",
]
