"""Crash safety: an ingest killed with SIGKILL inside its transaction leaves the database exactly
as it was, on SQLite (WAL) and PostgreSQL.

The ingest of the full 26,140-object snapshot runs in a child process with the store's test hook
``SWEEPERS_TEST_PAUSE_BEFORE_COMMIT``: after every row is written, and before the commit, the
child writes a marker file and sleeps. The test checks that the transaction really is open and
holds the writers' lock, kills the child with SIGKILL, and compares every row of every table.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from spacesweepers.catalog import schema
from spacesweepers.catalog.elements import ElementSet, ParseResult
from spacesweepers.catalog.store import PAUSE_ENV, Store

CHILD = "import sys; from spacesweepers.catalog.store import Store; Store(sys.argv[1]).ingest(sys.argv[2])"


def dump(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as c:
        return {
            t.name: [tuple(r) for r in c.execute(sa.select(t).order_by(*t.primary_key.columns))]
            for t in schema.metadata.sorted_tables
        }


def writers_lock_is_held(store: Store) -> bool:
    """Whether another transaction holds the catalog writers' lock right now."""
    if store.url.get_backend_name() == "sqlite":
        import sqlite3

        con = sqlite3.connect(store.url.database, timeout=0, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            return "locked" in str(e)
        finally:
            con.close()
        return False
    with store.engine.connect() as c:
        n = c.execute(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")).scalar_one()
    return n > 0


def test_killed_ingest_changes_nothing(db_url, snapshot_3le, tmp_path):
    small = ParseResult("small.tle", "tle", [
        ElementSet(5, 2460226.5, 0.54072583, 10.85092911, 0.1844295, 34.2426, 102.8218, 34.348, 336.3609,
                   3.7082e-4, 2.74e-6, name="VANGUARD 1", intl_designator="1958-002B", source_line=2),
        ElementSet(25544, 2460226.5, 0.71486326, 15.49983917, 0.0005123, 51.641, 121.2575, 92.319, 358.8196,
                   3.5938e-4, 2.01e-4, name="ISS (ZARYA)", intl_designator="1998-067A", source_line=5),
    ])
    with Store(db_url) as store:
        store.ingest(small)
        before = dump(store)
        assert len(before["element_sets"]) == 2

        marker = tmp_path / "in-transaction"
        env = {**os.environ, PAUSE_ENV: str(marker)}
        child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, str(snapshot_3le)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 90
            while not marker.exists():
                assert child.poll() is None, child.communicate()[1].decode()[-2000:]
                assert time.monotonic() < deadline, "the child never reached the commit"
                time.sleep(0.05)
            assert writers_lock_is_held(store)
            if store.url.get_backend_name() == "sqlite":  # uncommitted pages went to the WAL
                assert os.path.getsize(store.url.database + "-wal") > 0
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL

    with Store(db_url) as store:  # a fresh engine: nothing cached from before
        assert dump(store) == before
        # and the lock was released: the next ingest goes through
        deadline = time.monotonic() + 30
        while writers_lock_is_held(store) and time.monotonic() < deadline:
            time.sleep(0.1)
        rep = store.ingest(small)
        assert (rep.element_sets_present, rep.element_sets_loaded) == (2, 0)
