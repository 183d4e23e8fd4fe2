"""Catalog ingest speed: the full public snapshot into a fresh database, against the floor.

Measures, in one run and side by side:

* parse   — reading the 3LE file into element sets (``spacesweepers.catalog.formats``),
* open    — creating the database and its schema (Alembic upgrade to head),
* insert  — ``Store.ingest`` of the parsed records (one transaction: provenance, objects with a
            guessed type, element sets, duplicate check),
* total   — parse + open + insert, and rows/s over the total,

for SQLite and, when ``SWEEPERS_TEST_POSTGRES_URL`` is set or ``--db URL`` is given, PostgreSQL
(a throwaway database is created next to the one in the URL and dropped afterwards). The
**floor** is a plain ``sqlite3`` ``executemany`` of the same rows (objects and element sets, the
same columns) into a fresh WAL-mode file in one transaction: what inserting costs with no
library in between. The ratio insert / floor is what the store's own work costs on top.

    .venv/bin/python benchmarks/ingest.py [--catalog FILE] [--db postgresql://…]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def default_catalog() -> Path:
    data = Path(os.environ.get("SWEEPERS_SHARED_DATA", ROOT.parent / "shared" / "data"))
    return data / "catalog" / "spacetrack_3le_2023-10-09.tle"


def parse(path: Path):
    from spacesweepers.catalog.formats import read

    t0 = time.perf_counter()
    result = read(path)
    return result, time.perf_counter() - t0


def floor_sqlite3(result, folder: Path) -> float:
    """Plain sqlite3: executemany of the same rows, one transaction, WAL, no library."""
    from spacesweepers.catalog.elements import object_type_from_name

    con = sqlite3.connect(folder / "floor.db", isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("CREATE TABLE objects (norad_id INTEGER PRIMARY KEY, name TEXT, intl_designator TEXT, object_type TEXT)")
    cols = ("norad_id epoch_jd1 epoch_jd2 mean_motion_rev_day eccentricity inclination_deg raan_deg arg_perigee_deg "
            "mean_anomaly_deg bstar_per_earth_radius mean_motion_dot_rev_day2 mean_motion_ddot_rev_day3 name "
            "intl_designator classification element_set_no rev_at_epoch ephemeris_type source_line").split()
    con.execute(f"CREATE TABLE element_sets (id INTEGER PRIMARY KEY, {', '.join(cols)}, "
                "UNIQUE (norad_id, epoch_jd1, epoch_jd2))")
    t0 = time.perf_counter()
    objects = [(e.norad_id, e.name, e.intl_designator, object_type_from_name(e.name)) for e in result.element_sets]
    rows = [tuple(getattr(e, c) for c in cols) for e in result.element_sets]
    con.execute("BEGIN")
    con.executemany("INSERT INTO objects VALUES (?, ?, ?, ?)", objects)
    con.executemany(f"INSERT INTO element_sets ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    con.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def run_store(url: str, result) -> tuple[float, float, object]:
    from spacesweepers.catalog.store import Store

    t0 = time.perf_counter()
    store = Store(url)
    t_open = time.perf_counter() - t0
    t1 = time.perf_counter()
    report = store.ingest(result)
    t_insert = time.perf_counter() - t1
    n = store.count()
    store.close()
    assert n == len({e.norad_id for e in result.element_sets}), (n, report)
    return t_open, t_insert, report


def postgres_database(base: str):
    """A fresh database on the server of ``base``: (url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(base)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    name = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(u, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return u.set(database=name).render_as_string(hide_password=False), drop


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--catalog", type=Path, default=default_catalog())
    ap.add_argument("--db", help="also measure this PostgreSQL server (default: $SWEEPERS_TEST_POSTGRES_URL)")
    args = ap.parse_args(argv)
    if not args.catalog.is_file():
        print(f"ingest benchmark: catalog {args.catalog} not found; give --catalog or set SWEEPERS_SHARED_DATA",
              file=sys.stderr)
        return 1
    pg = args.db or os.environ.get("SWEEPERS_TEST_POSTGRES_URL")

    result, t_parse = parse(args.catalog)
    n = len(result.element_sets)
    with tempfile.TemporaryDirectory(prefix="sweepers-bench-") as tmp:
        folder = Path(tmp)
        t_floor = floor_sqlite3(result, folder)
        rows = [("sqlite", *run_store(f"sqlite:///{folder / 'store.db'}", result))]
        if pg:
            url, drop = postgres_database(pg)
            try:
                rows.append(("postgresql", *run_store(url, result)))
            finally:
                drop()

    print(f"catalog ingest: {args.catalog.name}, {n:,} element sets, {len(result.problems)} problems")
    print(f"  parse (formats reader)        {t_parse:7.2f} s")
    print(f"  floor: plain sqlite3 executemany of the same rows {t_floor:7.3f} s  ({n / t_floor:,.0f} rows/s)")
    print(f"  {'back end':<11} {'open s':>7} {'insert s':>9} {'total s':>8} {'rows/s':>9} {'insert/floor':>13}")
    for name, t_open, t_insert, _ in rows:
        total = t_parse + t_open + t_insert
        print(f"  {name:<11} {t_open:7.2f} {t_insert:9.2f} {total:8.2f} {n / total:9,.0f} {t_insert / t_floor:12.1f}x")
    worst = max(t_parse + r[1] + r[2] for r in rows if r[0] == "sqlite")
    print(f"  target: SQLite total < 10 s -> {'met' if worst < 10 else 'NOT met'} ({worst:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
