"""`sweepers risk top`: which junk to sweep first (criticality index)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ._common import console, emit_json, open_store

app = typer.Typer(help="Criticality of catalogued objects: which junk to sweep first.", no_args_is_help=True)

_JUNK = ["ROCKET BODY", "DEBRIS", "UNKNOWN"]


@app.command("top")
def top(
    n: int = typer.Option(50, "--n", help="How many objects to list."),
    object_type: Optional[List[str]] = typer.Option(None, "--type", help="Object types to rank (repeat). Default: ROCKET BODY, DEBRIS, UNKNOWN (add PAYLOAD for derelict satellites)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Element sets as of this time (default: latest)."),
    with_screening: bool = typer.Option(False, "--with-screening", help="Use the latest stored all-vs-all screening run for collision rates."),
    plot: Optional[Path] = typer.Option(Path("risk-top.png"), "--plot", help="PNG: index vs altitude, marker size by mass."),
    f107: float = typer.Option(150.0, "--f107", help="Solar flux F10.7 (sfu) for the drag lifetimes (50-400; minimum ≈ 70, mean 150, maximum ≈ 250): higher activity shortens LEO lifetimes and lowers their index."),
    json: bool = typer.Option(False, "--json"),
):
    """Rank the catalog by criticality index and say why each object ranks where it does."""
    types = [t.upper() for t in (object_type or _JUNK)]
    with open_store() as store:
        scr = _latest_screening(store) if with_screening else None
        sel = ranked(store, types, as_of=as_of, screening=scr, f107=f107)
    topn = sel.top(n)
    if plot is not None:
        sel.plot(plot, n_label=min(n, 15))
    if json:
        rows = topn.rows()
        for k, r in enumerate(rows):
            r["why"] = topn.why(k)
        emit_json(rows)
        return
    print_top(topn, f"Top {len(topn)} of {len(sel)} objects ({', '.join(types)}) by criticality index")
    if plot is not None:
        console.print(f"plot written to {plot}")


def ranked(store, types=_JUNK, *, as_of=None, screening=None, f107: float = 150.0):
    """The criticality table of the objects of these types, ranked from 1 (drag lifetimes at
    solar flux ``f107``)."""
    import numpy as np

    from ..danger.criticality import CriticalityTable, criticality

    table = criticality(store, as_of=as_of, screening=screening, f107=f107)
    keep = np.isin(table["object_type"].astype(str), [t.upper() for t in types])
    sel = CriticalityTable({k: v[keep] for k, v in table.columns.items()})
    sel.columns["rank"] = np.arange(1, len(sel) + 1)
    return sel


def print_top(topn, title: str, n_why: int = 10) -> None:
    """A ranked criticality table and, for the first ``n_why`` rows, why each ranks there."""
    import numpy as np

    t = Table(title=title)
    for col in ("#", "NORAD", "name", "type", "alt km", "mass kg", "λ /yr", "life yr", "frags", "w_pay", "index"):
        t.add_column(col, justify="left" if col in ("name", "type") else "right")
    c = topn.columns
    for k in range(len(topn)):
        life = c["lifetime_yr"][k]
        t.add_row(str(c["rank"][k]), str(c["norad_id"][k]), str(c["name"][k])[:24], str(c["object_type"][k]),
                  f"{c['perigee_km'][k]:.0f}–{c['apogee_km'][k]:.0f}", f"{c['mass_kg'][k]:.0f}",
                  f"{c['collision_rate_per_yr'][k]:.1e}", "∞" if not np.isfinite(life) else f"{life:.0f}",
                  f"{c['fragments_10cm'][k]:.0f}", f"{c['payload_weight'][k]:.2f}", f"{c['index'][k]:.3g}")
    console.print(t)
    for k in range(min(len(topn), n_why)):
        console.print(f"{c['rank'][k]:>3}. {c['norad_id'][k]}: {topn.why(k)}", highlight=False)


def _latest_screening(store):
    """The latest stored all-vs-all screening run as a ScreeningResult (events only)."""
    import numpy as np
    import sqlalchemy as sa

    from ..catalog import schema
    from ..danger.screening import ScreeningResult
    from ..time import Time

    sr, cj = schema.screening_runs, schema.conjunctions
    with store.engine.connect() as conn:
        run = conn.execute(sa.select(sr).where(sr.c.primaries.is_(None)).order_by(sr.c.id.desc()).limit(1)).first()
        if run is None:
            return None
        rows = conn.execute(sa.select(cj.c.primary_id, cj.c.secondary_id, cj.c.hbr_m).where(cj.c.run_id == run.id)).all()
    table = {"primary": np.array([r[0] for r in rows], np.int64), "secondary": np.array([r[1] for r in rows], np.int64),
             "hbr_m": np.array([r[2] for r in rows], float)}
    return ScreeningResult(Time.from_datetime(run.window_start), run.duration_s, run.threshold_km, None, table)
