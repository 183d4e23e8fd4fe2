"""`sweepers demo --offline` end to end: the generated population, statistics, propagation,
one day of all-vs-all screening stored in the database, the top-10 junk, and the Victory's route."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from spacesweepers.catalog import schema
from spacesweepers.catalog.store import Store
from spacesweepers.cli import main


def test_offline_demo_runs_every_step(capsys, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    monkeypatch.setenv("SWEEPERS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWEEPERS_DB", f"sqlite:///{db}")
    monkeypatch.setenv("COLUMNS", "200")
    code = main(["demo", "--offline", "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 0, err
    text = " ".join(out.split())
    assert "population used: the generated offline demo population" in text
    for step in ("1. population", "2. catalog statistics", "3. propagate every object", "4. where are",
                 "5. plots", "6. conjunctions in the next 24 hours", "7. the top-10 junk", "8. the Victory's route"):
        assert step in text, step

    # step 6: the events it printed are the ones it stored
    n_events = int(re.search(r"(\d+) conjunctions < 5 km", text).group(1))
    assert n_events > 100  # 3,558 objects incl. three dense clouds: thousands of 5 km approaches a day
    with Store(f"sqlite:///{db}") as store, store.engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(schema.conjunctions)).scalar_one()
    assert stored == n_events

    # step 7: the same ranking as `sweepers risk top --with-screening` on that database
    shown = [int(m) for m in re.findall(r"│\s+\d+ │ (\d+) │", out.split("7. the top-10 junk")[1].split("8. the Victory")[0])]
    assert len(shown) == 10
    code = main(["risk", "top", "--n", "10", "--with-screening", "--json", "--plot", str(tmp_path / "r.png")])
    ranked = json.loads(capsys.readouterr().out)
    assert [r["norad_id"] for r in ranked] == shown

    # step 8: a route that removes something, within the Victory's propellant
    m = re.search(r"removed (\d+) objects.*propellant ([\d,]+) of ([\d,]+) kg", text)
    assert m and int(m.group(1)) >= 1
    assert float(m.group(2).replace(",", "")) <= float(m.group(3).replace(",", ""))
    for f in ("gabbard.png", "altitude.png", "risk-top.png", "victory-timeline.png", "victory-dv.png"):
        assert (tmp_path / "out" / f).stat().st_size > 5_000, f
