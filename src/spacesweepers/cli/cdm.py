"""`sweepers cdm …`: conjunction data messages.

``sweepers cdm pc FILE…`` prints the collision probability of each CDM (KVN, XML or
Space-Track JSON): Foster and Chan 2D Pc, the Alfano maximum Pc, NASA CARA's usage-violation
checks and, where the 2D assumptions fail (or with ``--mc``), a Monte Carlo Pc over the
whole encounter with its confidence interval.

Hard-body radius, first that applies: ``--hbr-m``; the message's ``COMMENT HBR = … [m]``;
per object the CARA size table of ``--sizes FILE``, else (without ``--sizes``) the CARA sizes
stored in the catalog database (global ``--db``), then the RCS class stored there, then 5 m
(:mod:`spacesweepers.danger.hbr`). A database that does not exist is not created: the
defaults apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import SweepersError
from ._common import console, emit_json

app = typer.Typer(help="Conjunction data messages (CCSDS CDM): read, compute Pc.", no_args_is_help=True)


@app.callback()
def _group():
    """Conjunction data messages (CCSDS CDM): read, compute Pc."""


def _sizes(path: Optional[Path]):
    if path is None:
        return {}
    from ..catalog.formats.cara import read_cara_csv

    res = read_cara_csv(path)
    return {s.norad_id: s for s in res.sizes}


def _catalog_ids(cdms) -> list[int]:
    ids = []
    for cdm in cdms:
        for obj in (cdm.object1, cdm.object2):
            try:
                ids.append(int(obj.designator))
            except (TypeError, ValueError):
                pass
    return ids


def _stored_inputs(ids) -> tuple[dict, dict, str | None]:
    """``(sizes, rcs, note)`` for catalog numbers ``ids`` from the catalog database; empty when
    there is no database (a SQLite file that does not exist is not created) or it cannot be read
    (the note says why)."""
    import sqlalchemy as sa

    from ..danger.screening import store_inputs
    from ._common import open_store, state

    url = state.url
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:" and not Path(path).exists():
            return {}, {}, None
    try:
        with open_store() as store:
            sizes, rcs, _ = store_inputs(store, ids)
    except (SweepersError, sa.exc.SQLAlchemyError, OSError) as e:
        return {}, {}, f"catalog database {url} not read ({type(e).__name__}: {e}); default HBRs used"
    return sizes, rcs, None


def assess_cdm(cdm, *, hbr_m=None, sizes=None, rcs=None, mc: bool = False, mc_trials: int = 100_000, seed: int = 0,
               confidence: float = 0.95, mc_window: str = "rectilinear") -> dict:
    """Everything `sweepers cdm pc` reports for one message, as a dict. ``sizes``:
    ``{norad_id: SizeEstimate}``, ``rcs``: ``{norad_id: 'SMALL'|'MEDIUM'|'LARGE'}`` for the HBR."""
    from ..danger.hbr import combined_hbr
    from ..danger.pc import assess

    sizes = sizes or {}
    rcs = rcs or {}

    def of(table, obj):
        try:
            return table.get(int(obj.designator))
        except (TypeError, ValueError):
            return None

    hb = combined_hbr(user_hbr_m=hbr_m, cdm_hbr_m=cdm.hbr_m, size1=of(sizes, cdm.object1),
                      size2=of(sizes, cdm.object2), rcs1=of(rcs, cdm.object1), rcs2=of(rcs, cdm.object2))
    r1, v1, C1, r2, v2, C2 = cdm.pc_inputs()
    a = assess(r1, v1, C1, r2, v2, C2, hb.hbr_m, monte_carlo="all" if mc else "violations",
               mc_trials=mc_trials, seed=seed, confidence=confidence, mc_window=mc_window)
    m = a.monte_carlo[0]
    out = {
        "message_id": cdm.message_id,
        "tca_utc": cdm.tca.iso(3),
        "object1": {"designator": cdm.object1.designator, "name": cdm.object1.name, "frame": cdm.object1.ref_frame},
        "object2": {"designator": cdm.object2.designator, "name": cdm.object2.name, "frame": cdm.object2.ref_frame},
        "miss_m": float(a.plane.miss_m[0]),
        "miss_m_stated": cdm.miss_distance_m,
        "rel_speed_m_s": float(a.plane.rel_speed_m_s[0]),
        "hbr_m": hb.hbr_m,
        "hbr_source": hb.source,
        "pc_foster": float(a.pc_foster[0]),
        "pc_chan": float(a.pc_chan[0]),
        "pc_max": float(a.pc_max[0]),
        "pc_mc": m.pc if m else None,
        "pc_mc_ci": [m.ci_low, m.ci_high] if m else None,
        "pc_mc_confidence": m.confidence if m else None,
        "pc_mc_trials": m.trials if m else None,
        "pc_mc_hits": m.hits if m else None,
        "pc_mc_window_s": [m.t_start_s, m.t_stop_s] if m else None,
        "pc": float(a.pc[0]),
        "pc_method": a.method[0],
        "pc_stated": cdm.collision_probability,
        "pc_stated_method": cdm.collision_probability_method,
        "usage_violation": bool(a.violations.violated[0] or a.plane.status[0] != 0),
        "extended": float(a.violations.extended[0]),
        "offset": float(a.violations.offset[0]),
        "covariance_repaired": bool(a.plane.remediated[0]),
        "warnings": a.warnings(0),
    }
    return out


@app.command("pc")
def pc_cmd(
    files: List[Path] = typer.Argument(..., help="CDM files: KVN, XML or Space-Track JSON."),
    hbr_m: Optional[float] = typer.Option(None, "--hbr-m", help="Combined hard-body radius in metres (overrides the CDM's COMMENT HBR)."),
    sizes: Optional[Path] = typer.Option(None, "--sizes", help="NASA CARA HBR/mass CSV, used when neither --hbr-m nor the CDM gives an HBR (default: the CARA sizes and RCS classes stored in the catalog database, --db)."),
    mc: bool = typer.Option(False, "--mc", help="Run the Monte Carlo encounter Pc for every message (it always runs on usage violations)."),
    mc_trials: int = typer.Option(100_000, "--mc-trials", min=100, help="Monte Carlo trials."),
    seed: int = typer.Option(0, "--seed", help="Seed of the Monte Carlo generator."),
    confidence: float = typer.Option(0.95, "--confidence", min=0.5, max=0.9999, help="Confidence of the Monte Carlo interval."),
    mc_window: str = typer.Option("rectilinear", "--mc-window", help="Monte Carlo time span: 'rectilinear' (CARA's [Ta, Tb], containing TCA) or 'segment' (± half the shortest orbital period; slow GEO encounters need it)."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per file."),
):
    """Collision probability of each CDM."""
    from ..catalog.formats.cdm import read_cdm

    if hbr_m is not None and not hbr_m > 0:
        raise SweepersError(f"--hbr-m must be a positive number of metres, got {hbr_m}")
    if mc_window not in ("rectilinear", "segment"):
        raise SweepersError(f"--mc-window must be 'rectilinear' or 'segment', got {mc_window!r}")
    messages = []
    for f in files:
        if not f.is_file():
            raise SweepersError(f"{f}: no such file")
        msgs = read_cdm(f)
        for k, cdm in enumerate(msgs if isinstance(msgs, list) else [msgs]):
            messages.append((str(f) + (f"[{k}]" if isinstance(msgs, list) else ""), cdm))
    table, rcs, note, sizes_from = _sizes(sizes), {}, None, "--sizes" if sizes is not None else None
    if hbr_m is None and any(cdm.hbr_m is None for _, cdm in messages):
        stored, rcs, note = _stored_inputs(_catalog_ids(cdm for _, cdm in messages))
        if sizes is None:
            table = stored
        if sizes is None and (stored or rcs):
            sizes_from = "database"
    results = []
    for name, cdm in messages:
        r = {"file": name}
        r.update(assess_cdm(cdm, hbr_m=hbr_m, sizes=table, rcs=rcs, mc=mc, mc_trials=mc_trials, seed=seed,
                            confidence=confidence, mc_window=mc_window))
        r["sizes_from"] = sizes_from if r["hbr_source"].startswith("objects") else None
        if note:
            r["warnings"] = [*r["warnings"], note]
        results.append(r)
    if json_out:
        emit_json(results)
        return
    from rich.table import Table

    for r in results:
        t = Table(title=f"{r['file']}", show_header=False, title_justify="left")
        t.add_row("TCA (UTC)", r["tca_utc"])
        t.add_row("objects", f"{r['object1']['designator']} {r['object1']['name']}  ×  "
                             f"{r['object2']['designator']} {r['object2']['name']}")
        t.add_row("miss / speed", f"{r['miss_m']:.1f} m   {r['rel_speed_m_s']:.3f} m/s")
        t.add_row("HBR", f"{r['hbr_m']:.3f} m ({r['hbr_source']}"
                         + (f"; sizes from the {r['sizes_from']}" if r["sizes_from"] == "database" else "") + ")")
        t.add_row("Pc Foster 2D", f"{r['pc_foster']:.6e}")
        t.add_row("Pc Chan 2D", f"{r['pc_chan']:.6e}")
        t.add_row("Pc max (Alfano)", f"{r['pc_max']:.6e}")
        if r["pc_mc"] is not None:
            lo, hi = r["pc_mc_ci"]
            t.add_row("Pc Monte Carlo", f"{r['pc_mc']:.6e}  [{lo:.3e}, {hi:.3e}] {r['pc_mc_confidence']:.0%}, "
                                        f"{r['pc_mc_hits']}/{r['pc_mc_trials']}")
        if r["pc_stated"] is not None:
            t.add_row("Pc in message", f"{r['pc_stated']:.6e} ({r['pc_stated_method']})")
        t.add_row("Pc to use", f"[bold]{r['pc']:.6e}[/] ({r['pc_method']})")
        console.print(t)
        for w in r["warnings"]:
            console.print(f"  [yellow]warning:[/] {w}", highlight=False)
