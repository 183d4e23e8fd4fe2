"""The catalog database: element-set history, object metadata, sizes and provenance.

:class:`Store` opens (and creates) an embedded SQLite file or a PostgreSQL database by URL,
upgrades it to the newest schema with Alembic, loads parsed catalog files in **one transaction
per file** (:meth:`Store.ingest`) and answers the questions the rest of the pipeline asks:
the latest element set of every object as of a time (:meth:`Store.latest`), an object's history
(:meth:`Store.history`), everything known about one object (:meth:`Store.object`), counts and
statistics, and where every row came from (:meth:`Store.sources`).

Rules the store follows
-----------------------
* **Ingest is all or nothing.** A file is written in one transaction; a crash or kill leaves the
  database exactly as before. By default bad records are left out and reported with their line
  numbers (:attr:`IngestReport.problems`); ``strict=True`` refuses the whole file
  (:class:`~spacesweepers.errors.IngestRejected`) and writes nothing, not even a ``sources`` row.
  An input in which not one record is good is refused the same way, strict or not
  (:class:`~spacesweepers.errors.NoGoodRecords`): garbage is an error, not an empty success.
* **Idempotent.** Element sets are unique per (NORAD id, epoch); loading a file again adds no
  rows, and the report counts what was already present. Every ingest is still recorded in
  ``sources`` (an audit log: it says the file was seen again and added nothing).
* **Who wins.** Metadata files (SATCAT, OMM with SATCAT fields) are authoritative: their known
  values replace stored ones; unknown (``None``) values never erase anything. Element sets only
  create an object when it is new. While an object has no metadata its name and designator follow
  its newest element set, and its ``object_type`` is guessed from the name with
  :func:`~spacesweepers.catalog.elements.object_type_from_name` and flagged
  ``object_type_guessed``; the first metadata record with a type clears the flag.
* **Generated objects** (breakup clouds, demo populations) are flagged in the same transaction
  (``ingest(..., generated=True, parent_events={id: event})``) and never mixed up with observed
  ones: ``latest(where={"generated": False})`` gives the observed catalog.
* **Sizes** (CARA HBR/mass table) are kept per NORAD id without a foreign key to ``objects``: the
  table lists every object ever catalogued and must not create phantom objects.
* **Epochs** are stored twice: a UTC timestamp (microsecond resolution; ordering and "as of"
  queries use it) and the split Julian date exactly as read, so element sets round-trip bit-exact.

SQLite is opened in WAL mode with foreign keys on and a 30 s busy timeout; writers take the
write lock at the start of their transaction (``BEGIN IMMEDIATE``). On PostgreSQL, writers take
a transaction-scoped advisory lock, so concurrent ingests queue instead of colliding.

Test hook: when the environment variable ``SWEEPERS_TEST_PAUSE_BEFORE_COMMIT`` names a file,
:meth:`Store.ingest` writes that file and sleeps (10 minutes) after all rows are written and
before the commit. The crash-safety tests kill the process there. Nothing else reads it.
"""

from __future__ import annotations

import hashlib
import math
import os
import time as _clock
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from ..errors import IngestRejected, NoGoodRecords, NotFound, ParseError, SweepersError
from ..time import Time, as_time
from . import schema
from .elements import (
    OBJECT_TYPES,
    REGIMES,
    ElementSet,
    ObjectMetadata,
    ParseResult,
    SizeEstimate,
    object_type_from_name,
    orbit_regime,
)

PAUSE_ENV = "SWEEPERS_TEST_PAUSE_BEFORE_COMMIT"
_PG_LOCK_KEY = 0x5357_4550  # "SWEP": the catalog writers' advisory lock
_CHUNK = 5000  # ids per IN (...) query; well under SQLite's 32,766 parameters

_META_COLS = (
    "name", "intl_designator", "object_type", "rcs_size", "rcs_m2", "country",
    "launch_date", "launch_site", "launch_vehicle", "decay_date",
)
_SIZE_COLS = ("hbr_m", "hbr_sigma_m", "hbr_source", "mass_kg", "mass_sigma_kg", "mass_source")
_ES_COLS = ("epoch_jd1", "epoch_jd2", *schema.ELEMENT_FIELDS, *schema.ELEMENT_TEXT_FIELDS)


# --- results ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceRecord:
    """One ingest, as recorded in the ``sources`` table."""

    id: int
    location: str
    sha256: str | None
    format: str
    ingested_at: Time
    strict: bool
    n_element_sets: int
    n_objects_created: int
    n_objects_updated: int
    n_sizes: int
    n_already_present: int
    n_skipped: int
    n_problems: int

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["ingested_at"] = self.ingested_at.iso(6)
        return d


@dataclass
class IngestReport:
    """What :meth:`Store.ingest` did with one input."""

    source: str
    format: str
    sha256: str | None
    source_id: int
    strict: bool
    element_sets_loaded: int = 0
    element_sets_present: int = 0  # already in the database
    element_sets_repeated: int = 0  # the same (id, epoch) more than once in the input
    objects_created: int = 0
    objects_updated: int = 0
    metadata_present: int = 0  # metadata records that changed nothing
    sizes_loaded: int = 0  # new or changed size estimates
    sizes_present: int = 0
    problems: list[ParseError] = field(default_factory=list)
    parse_s: float = 0.0
    write_s: float = 0.0

    @property
    def already_present(self) -> int:
        """Records that were in the database already (nothing to write)."""
        return self.element_sets_present + self.metadata_present + self.sizes_present

    @property
    def n_skipped(self) -> int:
        """Bad records left out (one problem per bad record)."""
        return len(self.problems)

    def problem_report(self) -> str:
        """Every problem, in line order, with its location, the text found and how to fix it."""
        ordered = sorted(self.problems, key=lambda p: (p.source, p.line if p.line is not None else -1))
        return "\n".join(str(p) for p in ordered)

    def summary(self) -> str:
        parts = [
            f"{self.source}: {self.element_sets_loaded} element set(s) loaded",
            f"{self.objects_created} object(s) created, {self.objects_updated} updated",
        ]
        if self.sizes_loaded or self.sizes_present:
            parts.append(f"{self.sizes_loaded} size estimate(s) loaded")
        parts.append(f"{self.already_present} already present")
        if self.element_sets_repeated:
            parts.append(f"{self.element_sets_repeated} repeated in the file")
        parts.append(f"{self.n_skipped} bad record(s) skipped")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.summary() + ("\n" + self.problem_report() if self.problems else "")

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "problems"}
        d["already_present"] = self.already_present
        d["n_skipped"] = self.n_skipped
        d["problems"] = [p.to_dict() for p in self.problems]
        return d


@dataclass(frozen=True)
class CatalogObject:
    """Everything the catalog knows about one object."""

    metadata: ObjectMetadata
    object_type_guessed: bool
    generated: bool
    parent_event: str | None
    size: SizeEstimate | None
    latest: ElementSet | None
    n_element_sets: int
    first_seen: SourceRecord
    updated: SourceRecord

    @property
    def norad_id(self) -> int:
        return self.metadata.norad_id

    def to_dict(self) -> dict:
        meta = {k: getattr(self.metadata, k) for k in self.metadata.__dataclass_fields__ if k not in ("source", "source_line")}
        return {
            **meta,
            "object_type_guessed": self.object_type_guessed,
            "generated": self.generated,
            "parent_event": self.parent_event,
            "size": None if self.size is None else {k: getattr(self.size, k) for k in ("hbr_m", "hbr_sigma_m", "hbr_source", "mass_kg", "mass_sigma_kg", "mass_source", "source", "source_line")},
            "latest": None if self.latest is None else _es_to_dict(self.latest),
            "n_element_sets": self.n_element_sets,
            "first_seen": self.first_seen.to_dict(),
            "updated": self.updated.to_dict(),
        }


@dataclass(frozen=True)
class CatalogStats:
    """Counts of the catalog. ``by_object_type`` uses the stored type, else the guess from the
    name; ``by_regime`` classifies each object's latest element set (as of ``as_of``) with
    :func:`~spacesweepers.catalog.elements.orbit_regime`; objects without one count as ``NONE``."""

    n_objects: int
    n_element_sets: int
    n_size_estimates: int
    n_sources: int
    by_object_type: dict[str, int]
    by_regime: dict[str, int]
    as_of: Time | None = None
    n_generated: int = 0  # objects flagged generated (breakup clouds, demo populations)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["as_of"] = None if self.as_of is None else self.as_of.iso(6)
        return d


def _es_to_dict(e: ElementSet) -> dict:
    d = {k: getattr(e, k) for k in e.__dataclass_fields__}
    d["epoch"] = e.epoch.iso(6)
    return d


# --- configuration ------------------------------------------------------------------------
def alembic_config(url: str | URL | None = None):
    """An Alembic ``Config`` for the catalog migrations, built in code (no alembic.ini)."""
    from importlib.resources import files

    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("spacesweepers.catalog") / "migrations"))
    if url is not None:
        u = make_url(url) if isinstance(url, str) else url
        cfg.set_main_option("sqlalchemy.url", u.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def _normalize_url(url: str | URL) -> URL:
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    return u


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")  # durable across process crashes in WAL mode
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA cache_size = -65536")  # 64 MiB
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("sweepers_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _chunks(seq: Sequence, n: int = _CHUNK) -> Iterator[Sequence]:
    for k in range(0, len(seq), n):
        yield seq[k : k + n]


def _iso_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def _finite_or_none(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _read(path: Path, format: str | None) -> ParseResult:
    from .formats import read

    return read(path, format=format) if format else read(path)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- the store -------------------------------------------------------------------------------
class Store:
    """The catalog database at ``url`` (``sqlite:///path/to/file.db`` or ``postgresql://…``).

    Opening creates the SQLite file (and its folder) if needed and upgrades the schema to the
    newest revision. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, url: str | URL, *, upgrade: bool = True):
        self.url = _normalize_url(url)
        self._sqlite = self.url.get_backend_name() == "sqlite"
        if self._sqlite:
            db = self.url.database
            if db and db != ":memory:" and not db.startswith("file:"):
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(self.url)
            sa.event.listen(self.engine, "connect", _sqlite_on_connect)
            sa.event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            self.engine = sa.create_engine(self.url)
        if upgrade:
            try:
                self.upgrade()
            except sa.exc.OperationalError as e:
                self.engine.dispose()
                raise SweepersError(
                    f"cannot open the catalog database {self!r}: {str(e.orig).strip().splitlines()[0]}. "
                    "Check the URL (sqlite:///path/to/file.db or postgresql://user@host/db), that the "
                    "server is running and that you may write there."
                ) from e

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # --- schema -----------------------------------------------------------------------------
    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (``None`` for an empty database)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn, opts={"version_table": schema.VERSION_TABLE}).get_current_revision()

    def upgrade(self) -> None:
        """Bring the schema to the newest revision (inside one locked transaction)."""
        from alembic import command
        from alembic.script import ScriptDirectory

        cfg = alembic_config(self.url)
        script = ScriptDirectory.from_config(cfg)
        head = script.get_current_head()
        current = self.schema_revision()
        if current == head:
            return
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise SweepersError(
                f"the catalog database {self!r} is at schema revision {current!r}, which this version of "
                "Space Sweepers does not know (it was written by a newer version); upgrade Space Sweepers "
                "or use another database."
            )
        with self._write() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction that holds the writers' lock from its first statement."""
        with self.engine.connect() as conn:
            conn.execution_options(sweepers_write=True)
            with conn.begin():
                if not self._sqlite:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                yield conn

    # --- ingest -------------------------------------------------------------------------------
    def ingest(
        self,
        data: str | os.PathLike | ParseResult,
        strict: bool = False,
        source_url: str | None = None,
        format: str | None = None,
        *,
        generated: Iterable[int] | bool = (),
        parent_events: Mapping[int, str] | None = None,
    ) -> IngestReport:
        """Load a catalog file (parsed with :func:`spacesweepers.catalog.formats.read`) or an
        already parsed :class:`ParseResult`, in one transaction.

        ``strict=False`` loads every good record and reports the bad ones (with line numbers);
        ``strict=True`` raises :class:`IngestRejected` if there is any bad record and changes
        nothing. An input with bad records and not one good one raises :class:`NoGoodRecords`
        (a subclass of :class:`IngestRejected`) either way. ``source_url`` is recorded as the
        provenance instead of the file path (for downloads); ``format`` forces the reader.

        ``generated`` flags objects of the input as generated (not observed): a collection of
        NORAD ids, or ``True`` for every object of the input. ``parent_events`` maps NORAD ids
        to the breakup event that made them (and flags them generated too). Both are written in
        the same transaction as the records.
        """
        t0 = _clock.perf_counter()
        if isinstance(data, ParseResult):
            result = data
            path = Path(result.source) if result.source and Path(result.source).is_file() else None
        else:
            path = Path(data)
            if not path.is_file():
                raise NotFound(
                    f"no file {str(path)!r} to ingest; give the path of a catalog file "
                    "(TLE/3LE, OMM, SATCAT, CARA HBR/mass CSV)"
                )
            result = _read(path, format)
        sha = _sha256(path) if path is not None else None
        location = source_url or (str(path.resolve()) if path is not None else result.source or "<records>")
        element_sets, metadata, sizes, extra = _validate(result)
        problems = list(result.problems) + extra
        parse_s = _clock.perf_counter() - t0
        if problems and not (element_sets or metadata or sizes):
            raise NoGoodRecords(location, problems)
        if strict and problems:
            raise IngestRejected(location, problems)

        t1 = _clock.perf_counter()
        with self._write() as conn:
            flags = _generated_flags(generated, parent_events, element_sets, metadata, sizes)
            report = _Ingest(conn, location, result.format or "unknown", sha, strict).run(
                element_sets, metadata, sizes, flags
            )
            report.problems = problems
            conn.execute(
                sa.update(schema.sources)
                .where(schema.sources.c.id == report.source_id)
                .values(n_skipped=report.n_skipped, n_problems=len(problems))
            )
            pause = os.environ.get(PAUSE_ENV)
            if pause:
                Path(pause).write_text(str(os.getpid()))
                _clock.sleep(600.0)
        report.parse_s = parse_s
        report.write_s = _clock.perf_counter() - t1
        return report

    # --- queries ----------------------------------------------------------------------------------
    def _locations(self, conn) -> dict[int, str]:
        s = schema.sources
        return dict(conn.execute(sa.select(s.c.id, s.c.location)).all())

    def latest(
        self,
        as_of: Time | str | datetime | None = None,
        ids: Iterable[int] | None = None,
        where: Mapping[str, Any] | sa.ColumnElement[bool] | None = None,
    ) -> list[ElementSet]:
        """The latest element set of each object with epoch ≤ ``as_of`` (all epochs if ``None``),
        sorted by NORAD id.

        ``ids`` limits the objects. ``where`` filters on the ``objects`` table, either as a mapping
        ``{column: value}`` (a list or tuple value means "any of") or as a SQLAlchemy expression
        over :data:`spacesweepers.catalog.schema.objects`, e.g. ``{"object_type": "DEBRIS"}``.
        """
        es, ob = schema.element_sets, schema.objects
        conds = []
        if as_of is not None:
            conds.append(es.c.epoch <= _utc_datetime(as_time(as_of)))
        if where is not None:
            conds.append(_where_clause(where))
        rn = sa.func.row_number().over(partition_by=es.c.norad_id, order_by=(es.c.epoch.desc(), es.c.id.desc()))
        base = sa.select(es, rn.label("rn"))
        if where is not None:
            base = base.join_from(es, ob, es.c.norad_id == ob.c.norad_id)
        id_chunks: list[Sequence[int] | None] = [None]
        if ids is not None:
            id_list = sorted({int(i) for i in ids})
            id_chunks = list(_chunks(id_list)) or []
        out: list[ElementSet] = []
        with self.engine.connect() as conn:
            loc = self._locations(conn)
            for chunk in id_chunks:
                q = base.where(*conds)
                if chunk is not None:
                    q = q.where(es.c.norad_id.in_(chunk))
                sub = q.subquery()
                rows = conn.execute(sa.select(*_es_columns(sub)).where(sub.c.rn == 1).order_by(sub.c.norad_id)).all()
                out.extend(_rows_to_es(rows, loc))
        return out

    def history(self, norad_id: int) -> list[ElementSet]:
        """Every stored element set of one object, oldest first."""
        es = schema.element_sets
        with self.engine.connect() as conn:
            self._require(conn, norad_id)
            loc = self._locations(conn)
            rows = conn.execute(
                sa.select(*_es_columns(es)).where(es.c.norad_id == int(norad_id)).order_by(es.c.epoch, es.c.id)
            ).all()
        return _rows_to_es(rows, loc)

    def _require(self, conn, norad_id: int):
        ob = schema.objects
        row = conn.execute(sa.select(ob).where(ob.c.norad_id == int(norad_id))).first()
        if row is None:
            n = conn.execute(sa.select(sa.func.count()).select_from(ob)).scalar_one()
            raise NotFound(
                f"no object with NORAD id {norad_id} in the catalog {self!r} ({n} objects). "
                + ("The catalog is empty: load a catalog file first (Store.ingest / `sweepers catalog load FILE`)."
                   if n == 0 else "Check the id (catalog numbers, not COSPAR designators), or load a newer catalog.")
            )
        return row

    def object(self, norad_id: int) -> CatalogObject:
        """Metadata, size estimate, latest element set and provenance of one object."""
        es, sz, src = schema.element_sets, schema.size_estimates, schema.sources
        with self.engine.connect() as conn:
            row = self._require(conn, norad_id)
            loc = self._locations(conn)
            latest = conn.execute(
                sa.select(*_es_columns(es)).where(es.c.norad_id == row.norad_id)
                .order_by(es.c.epoch.desc(), es.c.id.desc()).limit(1)
            ).all()
            n_es = conn.execute(sa.select(sa.func.count()).select_from(es).where(es.c.norad_id == row.norad_id)).scalar_one()
            size = conn.execute(sa.select(sz).where(sz.c.norad_id == row.norad_id)).first()
            srcs = {
                r.id: _row_to_source(r)
                for r in conn.execute(sa.select(src).where(src.c.id.in_({row.first_seen_source_id, row.updated_source_id})))
            }
        meta = ObjectMetadata(
            norad_id=row.norad_id,
            **{c: (getattr(row, c).isoformat() if isinstance(getattr(row, c), date) else getattr(row, c)) for c in _META_COLS},
            source=srcs[row.updated_source_id].location,
        )
        size_rec = None
        if size is not None:
            size_rec = SizeEstimate(
                norad_id=size.norad_id, **{c: getattr(size, c) for c in _SIZE_COLS},
                source=loc.get(size.source_id, ""), source_line=size.source_line,
            )
        return CatalogObject(
            metadata=meta,
            object_type_guessed=bool(row.object_type_guessed),
            generated=bool(row.generated),
            parent_event=row.parent_event,
            size=size_rec,
            latest=_rows_to_es(latest, loc)[0] if latest else None,
            n_element_sets=int(n_es),
            first_seen=srcs[row.first_seen_source_id],
            updated=srcs[row.updated_source_id],
        )

    def count(self) -> int:
        """Number of objects in the catalog."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(schema.objects)).scalar_one()

    def stats(self, as_of: Time | str | datetime | None = None) -> CatalogStats:
        """Counts by object type and by orbital regime (see :class:`CatalogStats`)."""
        ob = schema.objects
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(ob.c.norad_id, ob.c.object_type, ob.c.name, ob.c.generated)).all()
            n_es = conn.execute(sa.select(sa.func.count()).select_from(schema.element_sets)).scalar_one()
            n_sz = conn.execute(sa.select(sa.func.count()).select_from(schema.size_estimates)).scalar_one()
            n_src = conn.execute(sa.select(sa.func.count()).select_from(schema.sources)).scalar_one()
        by_type = dict.fromkeys(OBJECT_TYPES, 0)
        for r in rows:
            t = r.object_type or object_type_from_name(r.name or "")
            by_type[t] = by_type.get(t, 0) + 1
        by_regime = dict.fromkeys(REGIMES, 0)
        latest = self.latest(as_of)
        for e in latest:
            g = orbit_regime(e.perigee_km, e.apogee_km, e.mean_motion_rev_day, e.eccentricity)
            by_regime[g] += 1
        if len(rows) > len(latest):
            by_regime["NONE"] = len(rows) - len(latest)
        return CatalogStats(
            n_objects=len(rows), n_element_sets=int(n_es), n_size_estimates=int(n_sz), n_sources=int(n_src),
            by_object_type=by_type, by_regime=by_regime, as_of=None if as_of is None else as_time(as_of),
            n_generated=sum(1 for r in rows if r.generated),
        )

    def sources(self) -> list[SourceRecord]:
        """Every ingest, oldest first."""
        s = schema.sources
        with self.engine.connect() as conn:
            return [_row_to_source(r) for r in conn.execute(sa.select(s).order_by(s.c.id))]


# --- helpers ----------------------------------------------------------------------------------
def _utc_datetime(t: Time) -> datetime:
    d = t.to_datetime()
    if isinstance(d, list):
        raise SweepersError(f"expected one instant, got {t!r}")
    return d


def _where_clause(where) -> sa.ColumnElement[bool]:
    if isinstance(where, Mapping):
        ob = schema.objects
        parts = []
        for key, value in where.items():
            if key not in ob.c:
                raise SweepersError(
                    f"cannot filter on {key!r}: the objects table has columns {', '.join(ob.c.keys())}"
                )
            col = ob.c[key]
            if isinstance(value, (list, tuple, set, frozenset)):
                parts.append(col.in_(list(value)))
            elif value is None:
                parts.append(col.is_(None))
            else:
                parts.append(col == value)
        return sa.and_(sa.true(), *parts)
    return where


#: element_sets columns in ElementSet's positional order, then source_id and source_line
_ES_ORDER = ("norad_id", *_ES_COLS, "source_id", "source_line")


def _es_columns(table) -> list:
    return [table.c[c] for c in _ES_ORDER]


def _rows_to_es(rows, locations: Mapping[int, str]) -> list[ElementSet]:
    """ElementSets from rows selected with :func:`_es_columns` (positional: fast)."""
    return [ElementSet(*r[:18], locations.get(r[18], ""), r[19]) for r in rows]


def _row_to_source(r) -> SourceRecord:
    return SourceRecord(
        id=r.id, location=r.location, sha256=r.sha256, format=r.format, ingested_at=Time.from_datetime(r.ingested_at),
        strict=bool(r.strict), n_element_sets=r.n_element_sets, n_objects_created=r.n_objects_created,
        n_objects_updated=r.n_objects_updated, n_sizes=r.n_sizes, n_already_present=r.n_already_present,
        n_skipped=r.n_skipped, n_problems=r.n_problems,
    )


_MAX_ID = 2**31 - 1  # the id column is a 32-bit integer (OMM allows 9 digits: fits)


def _problem(rec, result: ParseResult, fld: str, message: str, text, hint: str) -> ParseError:
    return ParseError(
        message=message, source=rec.source or result.source, line=rec.source_line or None,
        field=fld, text=repr(text), hint=hint, record=result.format not in ("tle", "3le", "csv"),
    )


def _validate(result: ParseResult):
    """Checks a database needs beyond the readers' own (ids, finite numbers, ISO dates).
    Returns the good records of each kind and a problem per bad record."""
    problems: list[ParseError] = []
    good_es = []
    id_hint = f"NORAD catalog numbers are positive integers below {_MAX_ID + 1:,}"
    for e in result.element_sets:
        if not isinstance(e.norad_id, (int, np.integer)) or not 0 < e.norad_id <= _MAX_ID:
            problems.append(_problem(e, result, "norad_id", "catalog number out of range", e.norad_id, id_hint))
            continue
        bad = next((f for f in ("epoch_jd1", "epoch_jd2", *schema.ELEMENT_FIELDS) if not math.isfinite(getattr(e, f))), None)
        if bad is not None:
            problems.append(_problem(e, result, bad, "not a finite number", getattr(e, bad), "correct the element set"))
            continue
        good_es.append(e)
    good_meta = []
    for m in result.metadata:
        if not isinstance(m.norad_id, (int, np.integer)) or not 0 < m.norad_id <= _MAX_ID:
            problems.append(_problem(m, result, "norad_id", "catalog number out of range", m.norad_id, id_hint))
            continue
        try:
            for f in ("launch_date", "decay_date"):
                _iso_date(getattr(m, f))
        except ValueError:
            problems.append(_problem(m, result, f, "not an ISO date", getattr(m, f), "write dates as YYYY-MM-DD"))
            continue
        good_meta.append(m)
    good_sizes = []
    for s in result.sizes:
        if not isinstance(s.norad_id, (int, np.integer)) or not 0 < s.norad_id <= _MAX_ID:
            problems.append(_problem(s, result, "norad_id", "catalog number out of range", s.norad_id, id_hint))
            continue
        good_sizes.append(s)
    return good_es, good_meta, good_sizes, problems


def _generated_flags(generated, parent_events, element_sets, metadata, sizes) -> dict[int, str | None]:
    """NORAD id → parent event (or None) of every object to flag as generated."""
    if generated is True:
        ids = {int(x.norad_id) for x in (*element_sets, *metadata)}
    elif generated is False or generated is None:
        ids = set()
    else:
        ids = {int(i) for i in generated}
    flags: dict[int, str | None] = dict.fromkeys(ids)
    for nid, event in (parent_events or {}).items():
        flags[int(nid)] = str(event) if event is not None else None
    return flags


def _bulk_insert(conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """INSERT many rows through the driver's own ``executemany``.

    SQLAlchemy's per-row parameter processing costs several times the insert itself on a
    26,000-row catalog (benchmarks/ingest.py), so the bulk paths bypass it. Values are adapted
    here to what the column types would have written: on SQLite, timestamps and dates as the
    same ISO strings SQLAlchemy stores (read back by its DateTime/Date types); PostgreSQL
    (psycopg) adapts datetimes and dates itself, and gets the rows by ``COPY`` inside the same
    transaction.
    """
    if not rows:
        return
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conv = [k for k, c in enumerate(columns) if isinstance(table.c[c].type, (sa.DateTime, sa.Date))]
        if conv:
            rows = [list(r) for r in rows]
            for r in rows:
                for k in conv:
                    v = r[k]
                    if isinstance(v, datetime):
                        r[k] = v.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
                    elif isinstance(v, date):
                        r[k] = v.isoformat()
    quote = conn.dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
    if conn.dialect.driver == "psycopg":  # COPY: several times faster than executemany
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {target} FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        return
    marks = ", ".join(("?" if conn.dialect.paramstyle == "qmark" else "%s") for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({marks})", [tuple(r) for r in rows])


class _Ingest:
    """The body of one ingest transaction (see :meth:`Store.ingest`)."""

    def __init__(self, conn: sa.Connection, location: str, fmt: str, sha: str | None, strict: bool):
        self.conn = conn
        self.now = datetime.now(timezone.utc)
        zeros = dict.fromkeys(
            ("n_element_sets", "n_objects_created", "n_objects_updated", "n_sizes", "n_already_present",
             "n_skipped", "n_problems"), 0,
        )
        res = conn.execute(
            sa.insert(schema.sources).values(
                location=location, sha256=sha, format=fmt, ingested_at=self.now, strict=strict, **zeros
            )
        )
        self.src = int(res.inserted_primary_key[0])
        self.report = IngestReport(source=location, format=fmt, sha256=sha, source_id=self.src, strict=strict)

    def _fetch(self, table, key, ids: Sequence[int], *cols) -> list:
        if not ids:
            return []
        rows = []
        sel = sa.select(*(cols or (table,)))
        for chunk in _chunks(sorted(ids)):
            rows.extend(self.conn.execute(sel.where(key.in_(chunk))).all())
        return rows

    def run(
        self,
        element_sets: list[ElementSet],
        metadata: list[ObjectMetadata],
        sizes: list[SizeEstimate],
        flags: Mapping[int, str | None] | None = None,
    ) -> IngestReport:
        conn, rep, src = self.conn, self.report, self.src
        ob, es, sz = schema.objects, schema.element_sets, schema.size_estimates

        # unique element sets of the input (first occurrence wins)
        unique: dict[tuple, ElementSet] = {}
        for e in element_sets:
            key = (int(e.norad_id), float(e.epoch_jd1), float(e.epoch_jd2))
            if key in unique:
                rep.element_sets_repeated += 1
            else:
                unique[key] = e
        meta_by_id = {int(m.norad_id): m for m in metadata}  # last record of an id wins
        ids = set(meta_by_id) | {k[0] for k in unique}

        has_objects = conn.execute(sa.select(ob.c.norad_id).limit(1)).first() is not None
        existing = {r.norad_id: dict(r._mapping) for r in self._fetch(ob, ob.c.norad_id, list(ids))} if has_objects else {}
        new: dict[int, dict] = {}
        changed: set[int] = set()

        # 1. metadata: authoritative, known values replace stored ones
        for nid, m in meta_by_id.items():
            vals = {}
            for c in _META_COLS:
                v = getattr(m, c)
                if c in ("launch_date", "decay_date"):
                    v = _iso_date(v)
                elif c == "rcs_m2":
                    v = _finite_or_none(v)
                if v is not None:
                    vals[c] = v
            row = existing.get(nid)
            if row is None:
                row = new[nid] = self._new_object(nid)
                row.update(vals)
                continue
            diff = {c: v for c, v in vals.items() if row[c] != v}
            if "object_type" in vals and row["object_type_guessed"]:
                diff["object_type"] = vals["object_type"]
                diff["object_type_guessed"] = False
            if diff:
                row.update(diff)
                changed.add(nid)
            else:
                rep.metadata_present += 1

        # 2. element sets: which are new, and what the newest says about objects without metadata
        stored_keys: set[tuple] = set()
        newest_stored: dict[int, float] = {}
        with_history = [i for i in ids if i in existing]
        for r in self._fetch(es, es.c.norad_id, with_history, es.c.norad_id, es.c.epoch_jd1, es.c.epoch_jd2):
            stored_keys.add((r[0], r[1], r[2]))
            jd = r[1] + r[2]
            if jd > newest_stored.get(r[0], -math.inf):
                newest_stored[r[0]] = jd
        to_insert = [e for k, e in unique.items() if k not in stored_keys]
        rep.element_sets_present = len(unique) - len(to_insert)
        newest_in: dict[int, ElementSet] = {}
        for e in to_insert:
            cur = newest_in.get(e.norad_id)
            if cur is None or e.epoch_jd1 + e.epoch_jd2 > cur.epoch_jd1 + cur.epoch_jd2:
                newest_in[e.norad_id] = e
        for nid, e in newest_in.items():
            row = new.get(nid) or existing.get(nid)
            if row is None:
                row = new[nid] = self._new_object(nid)
                metadata_known = False
            else:
                metadata_known = not row["object_type_guessed"] and row["object_type"] is not None
            is_newest = e.epoch_jd1 + e.epoch_jd2 > newest_stored.get(nid, -math.inf)
            diff = {}
            for c in ("name", "intl_designator"):
                v = getattr(e, c) or None
                if v is not None and (row[c] is None or (is_newest and not metadata_known and row[c] != v)):
                    diff[c] = v
            name = diff.get("name", row["name"])
            if row["object_type"] is None or (row["object_type_guessed"] and "name" in diff):
                guess = object_type_from_name(name or "")
                if row["object_type"] != guess or not row["object_type_guessed"]:
                    diff["object_type"], diff["object_type_guessed"] = guess, True
            if diff:
                row.update(diff)
                if nid not in new:
                    changed.add(nid)

        # generated objects and their parent event
        for nid, event in (flags or {}).items():
            row = new.get(nid) or existing.get(nid)
            if row is None:
                continue  # only objects of this input (a size-only id creates no object)
            diff = {k: v for k, v in (("generated", True), ("parent_event", event)) if v is not None and row[k] != v}
            if diff:
                row.update(diff)
                if nid not in new:
                    changed.add(nid)

        # 3. write objects first (element sets refer to them)
        if new:
            cols = list(next(iter(new.values())))
            _bulk_insert(conn, ob, cols, [tuple(r[c] for c in cols) for r in new.values()])
        if changed:
            mutable = (*_META_COLS, "object_type_guessed", "generated", "parent_event")
            stmt = (
                sa.update(ob)
                .where(ob.c.norad_id == sa.bindparam("b_norad_id"))
                .values({c: sa.bindparam(c) for c in (*mutable, "updated_source_id")})
            )
            conn.execute(
                stmt,
                [{"b_norad_id": i, **{c: existing[i][c] for c in mutable}, "updated_source_id": src} for i in sorted(changed)],
            )
        rep.objects_created, rep.objects_updated = len(new), len(changed)

        if to_insert:
            jd1 = np.array([e.epoch_jd1 for e in to_insert], dtype=float)
            jd2 = np.array([e.epoch_jd2 for e in to_insert], dtype=float)
            epochs = Time(jd1, jd2).to_datetime()
            cols = ("norad_id", "epoch", *_ES_COLS, "source_id", "source_line")
            rows = [
                (int(e.norad_id), ep, e.epoch_jd1, e.epoch_jd2, e.mean_motion_rev_day, e.eccentricity,
                 e.inclination_deg, e.raan_deg, e.arg_perigee_deg, e.mean_anomaly_deg, e.bstar_per_earth_radius,
                 e.mean_motion_dot_rev_day2, e.mean_motion_ddot_rev_day3, e.name, e.intl_designator,
                 e.classification, int(e.element_set_no), int(e.rev_at_epoch), int(e.ephemeris_type),
                 src, int(e.source_line or 0))
                for e, ep in zip(to_insert, epochs)
            ]
            _bulk_insert(conn, es, cols, rows)
        rep.element_sets_loaded = len(to_insert)

        # 4. sizes
        size_by_id = {int(s.norad_id): s for s in sizes}
        if size_by_id:
            has_sizes = conn.execute(sa.select(sz.c.norad_id).limit(1)).first() is not None
            stored = {r.norad_id: r for r in self._fetch(sz, sz.c.norad_id, list(size_by_id))} if has_sizes else {}
            ins, upd = [], []
            for nid, s in size_by_id.items():
                vals = {c: getattr(s, c) for c in _SIZE_COLS}
                for c in ("hbr_m", "hbr_sigma_m", "mass_kg", "mass_sigma_kg"):
                    vals[c] = _finite_or_none(vals[c])
                old = stored.get(nid)
                if old is not None and all(getattr(old, c) == vals[c] for c in _SIZE_COLS):
                    rep.sizes_present += 1
                    continue
                row = {**vals, "source_id": src, "source_line": int(s.source_line or 0)}
                if old is None:
                    ins.append({"norad_id": nid, **row})
                else:
                    upd.append({"b_norad_id": nid, **row})
            if ins:
                conn.execute(sa.insert(sz), ins)
            if upd:
                conn.execute(
                    sa.update(sz).where(sz.c.norad_id == sa.bindparam("b_norad_id"))
                    .values({c: sa.bindparam(c) for c in (*_SIZE_COLS, "source_id", "source_line")}),
                    upd,
                )
            rep.sizes_loaded = len(ins) + len(upd)

        conn.execute(
            sa.update(schema.sources).where(schema.sources.c.id == src).values(
                n_element_sets=rep.element_sets_loaded, n_objects_created=rep.objects_created,
                n_objects_updated=rep.objects_updated, n_sizes=rep.sizes_loaded,
                n_already_present=rep.already_present,
            )
        )
        return rep

    def _new_object(self, nid: int) -> dict:
        row = dict.fromkeys(_META_COLS)
        row.update(
            norad_id=nid, object_type_guessed=False, generated=False, parent_event=None,
            first_seen_source_id=self.src, updated_source_id=self.src,
        )
        return row


__all__ = ["Store", "IngestReport", "CatalogObject", "CatalogStats", "SourceRecord", "alembic_config", "PAUSE_ENV"]
