"""`sweepers screen`: conjunction screening of the catalog (all-vs-all or primaries-vs-all)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..errors import SweepersError
from ..time import as_time
from ._common import console, emit_json, err_console, open_store, progress
from ._common import norad_id as parse_norad_id
from .population import generated_ids


def register(app: typer.Typer) -> None:
    @app.command("screen")
    def screen_cmd(
        primary: Optional[List[int]] = typer.Option(None, "--primary", parser=parse_norad_id, help="Screen these objects (catalog numbers: digits, or Alpha-5 such as T0000) against all; repeat the option. Default: all-vs-all."),
        start: str = typer.Option("now", "--start", help="Window start (ISO 8601 UTC) or 'now'."),
        days: float = typer.Option(7.0, "--days", help="Window length in days."),
        threshold_km: float = typer.Option(5.0, "--threshold-km", help="Miss-distance threshold (km)."),
        hbr_m: Optional[float] = typer.Option(None, "--hbr-m", help="Combined hard-body radius for every pair (m); default from CARA sizes / RCS class / 5 m per object."),
        as_of: Optional[str] = typer.Option(None, "--as-of", help="Use element sets as of this time (default: the latest of each object)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Write the events to FILE (.csv, .json or .parquet)."),
        cdm_out: Optional[Path] = typer.Option(None, "--cdm-out", help="Write one CDM (KVN) per event into this folder."),
        store_results: bool = typer.Option(True, "--store/--no-store", help="Store the run and its events in the database."),
        workers: Optional[int] = typer.Option(None, "--workers", help="Processes (default: all CPUs)."),
        resume: Optional[Path] = typer.Option(None, "--resume", help="Checkpoint folder: finished chunks are kept there and an interrupted run with the same inputs resumes from them."),
        limit: int = typer.Option(30, "--limit", help="Rows shown in the terminal table."),
        json: bool = typer.Option(False, "--json", help="Print the events as a JSON list on stdout."),
    ):
        """Find close approaches: TCA, miss distance, relative speed, RTN miss vector and Alfano maximum Pc."""
        from ..danger.screening import save_screening, screen, store_inputs

        t0 = as_time(start)
        with open_store() as store:
            elements = store.latest(as_time(as_of) if as_of else None)
            if not elements:
                raise SweepersError("the catalog is empty: load element sets first (sweepers catalog load FILE)")
            sizes, rcs, names = store_inputs(store, [e.norad_id for e in elements])
            with progress(not json) as bar:
                task = bar.add_task("screening", total=None)

                def tick(done, total):
                    bar.update(task, completed=done, total=total)

                res = screen(elements, t0, days=days, threshold_km=threshold_km, primaries=primary or None,
                             hbr_m=hbr_m, sizes=sizes, rcs=rcs, workers=workers, checkpoint=resume, progress=tick)
            run_id = save_screening(store, res) if store_results else None
            gen = generated_ids(store, [*res.table["primary"].tolist(), *res.table["secondary"].tolist()])
        if out is not None:
            res.write(out)
        if cdm_out is not None:
            res.write_cdms(cdm_out, names=names)
        if json:
            emit_json([{**r, "primary_generated": r["primary"] in gen, "secondary_generated": r["secondary"] in gen}
                       for r in res.rows()])
            return
        for p in res.problems[:10]:
            err_console.print(f"[yellow]note:[/] {p}", highlight=False)
        if len(res.problems) > 10:
            err_console.print(f"[yellow]note:[/] … and {len(res.problems) - 10} more objects reported", highlight=False)
        print_events(res, threshold_km, days, limit, generated=gen)
        if run_id is not None:
            console.print(f"stored as screening run {run_id}")


def print_events(res, threshold_km: float, days: float, limit: int = 30, generated=frozenset()) -> None:
    """The closest ``limit`` events of a screening result as a Rich table; catalog numbers in
    ``generated`` are marked GEN."""
    table = Table(title=f"{len(res)} conjunctions < {threshold_km:g} km, {res.start.iso(0)} + {days:g} d "
                        f"({res.stats['objects']} objects, {res.stats['wall_s']:.1f} s)")
    for col in ("primary", "secondary", "TCA (UTC)", "miss km", "vrel km/s", "R/T/N km", "HBR m", "Pc max", "slow"):
        table.add_column(col, justify="right" if col != "TCA (UTC)" else "left")
    rows = res.rows()
    order = sorted(range(len(rows)), key=lambda k: rows[k]["miss_km"])[:limit]
    for k in order:
        r = rows[k]
        pri, sec = (f"{r[c]} GEN" if r[c] in generated else str(r[c]) for c in ("primary", "secondary"))
        table.add_row(pri, sec, r["tca_utc"][:23], f"{r['miss_km']:.3f}",
                      f"{r['vrel_kms']:.3f}", "/".join(f"{x:.2f}" for x in r["miss_rtn_km"]), f"{r['hbr_m']:.1f}",
                      "—" if r["pc"] is None else f"{r['pc']:.2e}", "yes" if r["usage_violation"] else "")
    console.print(table)
    console.print("Pc is Alfano's maximum over all covariances (public element sets carry no covariance); "
                  "slow = 2D Pc usage violation (slow or long encounter): no valid Pc without a covariance (—)."
                  + (" GEN = a generated object (breakup model or preset), not observed." if generated else ""))
