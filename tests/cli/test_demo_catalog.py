"""`sweepers demo --catalog FILE` end to end on a real slice of the 2023-10-09 snapshot: the
demo uses the user's file (no download, no generated population) and says so."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from spacesweepers.catalog import schema
from spacesweepers.catalog.store import Store
from spacesweepers.cli import main


def test_demo_on_a_catalog_file(capsys, tmp_path, monkeypatch, snapshot_slice):
    # Vanguard 1 … Thor Ablestar R/B (the first ten objects) plus the ISS and HST: 12 objects, a few
    # rocket bodies to rank, and two of the demo's notable objects
    path = snapshot_slice(10, (b"25544", b"20580"))
    db = tmp_path / "demo.db"
    monkeypatch.setenv("SWEEPERS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWEEPERS_DB", f"sqlite:///{db}")
    monkeypatch.setenv("COLUMNS", "200")
    code = main(["demo", "--catalog", str(path), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 0, err
    text = " ".join(out.split())
    assert f"population used: your catalog file(s): {path}" in text
    assert f"demo finished — population: your catalog file(s): {path}" in text
    assert "CelesTrak" not in text and "generated offline" not in text
    assert f"{path}: 12 element set(s) loaded, 12 object(s) created" in text
    assert "12 objects, 12 element sets, 0 size estimates, 1 ingests" in text
    assert "12 objects propagated to" in text
    for step in ("1. population", "2. catalog statistics", "3. propagate every object", "4. where are",
                 "5. plots", "6. conjunctions in the next 24 hours", "7. the top-10 junk", "8. the Victory's route"):
        assert step in text, step
    step4 = text.split("4. where are")[1].split("5. plots")[0]
    assert "International Space Station" in step4 and "Hubble Space Telescope" in step4

    with Store(f"sqlite:///{db}") as store:
        assert store.count() == 12
        (src,) = store.sources()
        assert src.location == str(path.resolve()) and src.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert store.object(25544).latest.epoch.iso(3) == "2023-10-09T17:09:24.186Z"  # the file's epoch
        with store.engine.connect() as conn:
            runs = conn.execute(sa.select(sa.func.count()).select_from(schema.screening_runs)).scalar_one()
        assert runs == 1
    for f in ("gabbard.png", "altitude.png", "victory-timeline.png"):
        assert (tmp_path / "out" / f).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f
