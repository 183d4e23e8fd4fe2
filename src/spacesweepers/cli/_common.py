"""Conventions every ``sweepers`` command follows.

* The database: global ``--db URL`` option, else ``SWEEPERS_DB``, else a SQLite file in the
  user's data directory (:func:`default_db_url`; ``sweepers info`` prints it).
* ``--json`` (per command): print machine-readable JSON on stdout and nothing else there.
  Use :func:`emit_json`. Human output goes through :data:`console` (stdout) with Rich.
* Errors: raise :class:`~spacesweepers.errors.SweepersError`; :func:`run_cli` prints it on
  stderr and exits with status 1 (2 for usage errors, as Click does).
* Progress: :func:`progress` gives a Rich progress bar on stderr, silent with ``--json``.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console

from ..paths import data_dir, default_db_url  # noqa: F401  (re-exported for the commands)

console = Console()
err_console = Console(stderr=True)


@dataclass
class State:
    db_url: str | None = None

    @property
    def url(self) -> str:
        return self.db_url or os.environ.get("SWEEPERS_DB") or default_db_url()


state = State()


def _default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _clean(o):
    """Replace NaN/inf by None so the output is strict JSON."""
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    return o


def emit_json(obj) -> None:
    """Write ``obj`` as strict JSON to stdout (NaN becomes null)."""
    text = json.dumps(_clean(json.loads(json.dumps(obj, default=_default))), indent=2)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def progress(enabled: bool = True):
    """A Rich progress bar on stderr (disabled when ``enabled`` is false, e.g. with --json)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not enabled,
        transient=True,
    )


def status(message: str, enabled: bool = True):
    """A Rich spinner with ``message`` on stderr while a step runs (nothing when disabled)."""
    import contextlib

    return err_console.status(message) if enabled else contextlib.nullcontext()


def open_store():
    """The catalog database chosen by --db / SWEEPERS_DB / the default (a context manager)."""
    from ..catalog.store import Store

    return Store(state.url)


def norad_id(text: str) -> int:
    """A NORAD catalog number from the command line: plain digits (``25544``, ``400000``) or
    the TLE's Alpha-5 form (``T0000`` = 270000). Use as ``typer.Argument(parser=norad_id)``."""
    import typer

    from ..catalog.formats.tle import from_alpha5

    s = str(text).strip()
    try:
        n = int(s) if s.isdigit() else from_alpha5(s.upper()) if len(s) == 5 else None
    except ValueError:
        n = None
    if n is None:
        raise typer.BadParameter(
            f"{text!r} is not a catalog number: give digits (25544, 400000) or Alpha-5, a letter A-Z "
            "without I and O then 4 digits (A0000 = 100000, T0000 = 270000, Z9999 = 339999)"
        )
    if n <= 0:
        raise typer.BadParameter(f"{text!r}: catalog numbers start at 1")
    return n


def object_types(store, norad_ids) -> list[str]:
    """Stored object type of each id (guessed from the name where the catalog has none)."""
    import sqlalchemy as sa

    from ..catalog import schema

    ids = [int(i) for i in norad_ids]
    found: dict[int, str] = {}
    with store.engine.connect() as conn:
        for k in range(0, len(ids), 5000):
            chunk = ids[k:k + 5000]
            q = sa.select(schema.objects.c.norad_id, schema.objects.c.object_type).where(schema.objects.c.norad_id.in_(chunk))
            found.update({int(i): t for i, t in conn.execute(q)})
    return [found.get(i) or "UNKNOWN" for i in ids]
