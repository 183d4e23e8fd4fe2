"""`sweepers where ID… --at TIME`: where objects are, from their latest element sets."""

from __future__ import annotations

from typing import List

import numpy as np
import typer
from rich.table import Table

from ..errors import NotFound
from ..time import as_time
from ._common import console, emit_json, norad_id, open_store


def locate(elements, t):
    """Geodetic position, TEME state and SGP4 status of each element set at time ``t``."""
    from ..propagation import Propagator

    eph = Propagator(elements).at(t)
    geo = eph.geodetic()
    messages = eph.error_messages()
    rows = []
    for k, e in enumerate(elements):
        code = int(eph.error[k, 0])
        rows.append({
            "norad_id": e.norad_id,
            "name": e.name,
            "time_utc": t.iso(3),
            "element_epoch_utc": e.epoch.iso(3),
            "age_days": float(t.seconds_since(e.epoch) / 86400.0),
            "lat_deg": float(geo.lat_deg[k, 0]),
            "lon_deg": float(geo.lon_deg[k, 0]),
            "alt_km": float(geo.alt_km[k, 0]),
            "r_teme_km": eph.r_teme_km[k, 0].tolist(),
            "v_teme_km_s": eph.v_teme_km_s[k, 0].tolist(),
            "status": code,
            "message": messages.get(e.norad_id) if code else None,
        })
    return rows


def print_locations(rows, title: str) -> None:
    t = Table(title=title)
    for col, just in (("NORAD", "right"), ("name", "left"), ("lat °", "right"), ("lon °", "right"),
                      ("alt km", "right"), ("elements age d", "right"), ("status", "left")):
        t.add_column(col, justify=just)
    for r in rows:
        ok = r["status"] == 0
        t.add_row(str(r["norad_id"]), r["name"] or "",
                  f"{r['lat_deg']:.3f}" if ok else "—", f"{r['lon_deg']:.3f}" if ok else "—",
                  f"{r['alt_km']:,.1f}" if ok else "—", f"{r['age_days']:.2f}",
                  "ok" if ok else f"[red]{r['message']}[/]")
    console.print(t)


def register(app: typer.Typer) -> None:
    @app.command("where")
    def where(
        norad_ids: List[int] = typer.Argument(..., metavar="ID", parser=norad_id, help="NORAD catalog numbers (25544, or Alpha-5 such as T0000)."),
        at: str = typer.Option("now", "--at", help="Time (ISO 8601, e.g. 2023-10-09T12:00:00Z) or 'now'."),
        json: bool = typer.Option(False, "--json"),
    ):
        """Latitude, longitude and altitude (WGS-84) of objects at a time."""
        t = as_time(at)
        with open_store() as store:
            elements = store.latest(as_of=None, ids=norad_ids)
        missing = sorted(set(norad_ids) - {e.norad_id for e in elements})
        if missing:
            raise NotFound(f"no element sets for NORAD id(s) {', '.join(map(str, missing))}; "
                           "load them first with `sweepers catalog load FILE` or `sweepers catalog update`")
        rows = locate(elements, t)
        if json:
            emit_json(rows)
        else:
            print_locations(rows, f"positions at {t.iso(0)}")
