"""Where Space Sweepers keeps files: the default database, caches, generated outputs."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """``SWEEPERS_HOME`` if set, else the user's data directory (platformdirs)."""
    env = os.environ.get("SWEEPERS_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("spacesweepers", appauthor=False))


def default_db_url() -> str:
    """The embedded default database: a SQLite file in :func:`data_dir`."""
    return f"sqlite:///{data_dir() / 'sweepers.db'}"
