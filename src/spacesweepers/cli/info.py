"""`sweepers info`: versions, the database in use, where files live."""

from __future__ import annotations

import typer
from rich.table import Table

from ._common import console, data_dir, default_db_url, emit_json, state


def register(app: typer.Typer) -> None:
    @app.command("info")
    def info(json: bool = typer.Option(False, "--json")):
        """Show versions, the database URL in use and what it holds."""
        import importlib.metadata as md

        from .. import __version__

        d = {
            "version": __version__,
            "database_url": state.url,
            "default_database_url": default_db_url(),
            "data_dir": str(data_dir()),
            "packages": {p: _version(md, p) for p in ("sgp4", "skyfield", "pyerfa", "numpy", "SQLAlchemy", "heyoka")},
        }
        try:
            from ..catalog.store import Store

            with Store(state.url) as store:
                d["schema_revision"] = store.schema_revision()
                d["objects"] = store.count()
        except Exception as e:  # info must work even when the database is unusable
            d["database_error"] = f"{type(e).__name__}: {e}"
        if json:
            emit_json(d)
            return
        t = Table(show_header=False, title=f"Space Sweepers {__version__}")
        t.add_column(style="bold")
        t.add_column()
        for k in ("database_url", "default_database_url", "data_dir", "schema_revision", "objects", "database_error"):
            if k in d:
                t.add_row(k.replace("_", " "), str(d[k]))
        for p, v in d["packages"].items():
            t.add_row(p, v)
        console.print(t)


def _version(md, name):
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return "not installed"
