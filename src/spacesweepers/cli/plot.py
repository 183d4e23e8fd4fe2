"""`sweepers plot gabbard|altitude`: catalog plots as PNG files."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._common import console, emit_json, object_types, open_store, status

app = typer.Typer(help="Catalog plots (PNG).", no_args_is_help=True)


def _load(as_of, object_type):
    with open_store() as store:
        where = {"object_type": object_type.upper()} if object_type else None
        elements = store.latest(as_of=as_of, where=where)
        types = object_types(store, [e.norad_id for e in elements])
    return elements, types


@app.command("gabbard")
def gabbard(
    out: Path = typer.Option(Path("gabbard.png"), "--out", "-o"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Latest element sets as of this time (ISO 8601)."),
    object_type: Optional[str] = typer.Option(None, "--type", help="Only PAYLOAD, ROCKET BODY, DEBRIS or UNKNOWN."),
    json: bool = typer.Option(False, "--json"),
):
    """Gabbard diagram: apogee and perigee altitude against period, coloured by object type."""
    from ..catalog.plots import gabbard as plot

    with status(f"plotting {out}", not json):
        elements, types = _load(as_of, object_type)
        plot(elements, out, types=types)
    _done(out, len(elements), json)


@app.command("altitude")
def altitude(
    out: Path = typer.Option(Path("altitude.png"), "--out", "-o"),
    as_of: Optional[str] = typer.Option(None, "--as-of"),
    object_type: Optional[str] = typer.Option(None, "--type"),
    json: bool = typer.Option(False, "--json"),
):
    """Histogram of mean altitude in LEO, stacked by object type."""
    from ..catalog.plots import altitude_histogram as plot

    with status(f"plotting {out}", not json):
        elements, types = _load(as_of, object_type)
        plot(elements, out, types=types)
    _done(out, len(elements), json)


def _done(out: Path, n: int, json: bool) -> None:
    if json:
        emit_json({"file": str(out), "objects": n})
    else:
        console.print(f"[green]✓[/] wrote {out} ({n:,} objects)")
