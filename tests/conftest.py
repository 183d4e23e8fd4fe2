"""Shared fixtures.

* ``shared_data`` — the folder ../shared/data with real catalogs, CDMs and GTOC9 data.
  Missing data skips the test on a developer machine and FAILS it when CI=true.
* ``db_url`` — a fresh, empty database, once for SQLite and once for a real PostgreSQL
  server (``SWEEPERS_TEST_POSTGRES_URL``, set by tools/test-with-postgres, which
  ``make test`` runs). Without a server the PostgreSQL case skips locally and fails in CI.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required data and services must be present)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = Path(os.environ.get("SWEEPERS_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (path / "catalog").is_dir():
        _missing(f"shared data folder {path} not found; set SWEEPERS_SHARED_DATA")
    return path


@pytest.fixture(scope="session")
def snapshot_3le(shared_data) -> Path:
    """The full 2023-10-09 public catalog snapshot (26,140 objects, 3LE, CRLF)."""
    return shared_data / "catalog" / "spacetrack_3le_2023-10-09.tle"


def _postgres_base_url() -> str | None:
    return os.environ.get("SWEEPERS_TEST_POSTGRES_URL") or None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """URL of a new empty database (SQLite file or a fresh PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sweepers.db'}"
        return
    base = _postgres_base_url()
    if base is None:
        _missing("no PostgreSQL server: SWEEPERS_TEST_POSTGRES_URL is not set (make test starts one)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def cli(capsys):
    """The ``sweepers`` command line run in-process: ``cli(*argv)`` → (exit status, stdout, stderr)."""
    from spacesweepers.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
