"""`sweepers screen` and `sweepers risk top` end to end on real objects: JSON schema on stdout,
CSV/JSON/Parquet files, one readable CDM per event, events stored in the database."""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

from spacesweepers.catalog import schema
from spacesweepers.catalog.formats.cdm import read_cdm
from spacesweepers.catalog.store import Store


@pytest.fixture()
def db(tmp_path, monkeypatch, snapshot_3le, shared_data):
    """300 FY-1C fragments and the CARA size table in a fresh SQLite database."""
    url = f"sqlite:///{tmp_path / 'screen.db'}"
    monkeypatch.setenv("SWEEPERS_DB", url)
    lines = snapshot_3le.read_bytes().split(b"\r\n")
    keep = lines[:300]  # 100 early objects (payloads, rocket bodies) for the risk ranking
    for i in range(0, len(lines) - 2, 3):
        if lines[i].startswith(b"0 FENGYUN 1C DEB") and len(keep) < 900:
            keep += lines[i:i + 3]
    path = tmp_path / "fy1c.tle"
    path.write_bytes(b"\r\n".join(keep) + b"\r\n")
    with Store(url) as s:
        s.ingest(path)
        s.ingest(shared_data / "catalog" / "cara_hbr_mass_estimates_2026-06-01.csv")
    return url


def test_screen_json_files_cdms_and_database(db, tmp_path, cli):
    code, out, err = cli("screen", "--start", "2023-10-09T12:00:00Z", "--days", "0.5", "--threshold-km", "20",
                         "--workers", "1", "--json", "--out", str(tmp_path / "ev.csv"), "--cdm-out", str(tmp_path / "cdm"))
    assert code == 0, err
    events = json.loads(out)
    assert len(events) >= 10
    for ev in events:
        assert {"primary", "secondary", "tca_utc", "miss_km", "vrel_kms", "pc", "miss_rtn_km", "hbr_m"} <= set(ev)
        assert ev["tca_utc"].endswith("Z") and 0 <= ev["miss_km"] <= 20
        if ev["usage_violation"]:  # no valid Pc without a covariance
            assert ev["pc"] is None and ev["pc_method"] == "NONE-2D-USAGE-VIOLATION"
        else:
            assert 0 <= ev["pc"] <= 1 and ev["pc_method"] == "ALFANO-2005-MAX"
        assert ev["primary"] < ev["secondary"]  # all-vs-all: the lower catalog number is the primary
        assert abs(sum(x * x for x in ev["miss_rtn_km"]) ** 0.5 - ev["miss_km"]) < 1e-9
    with open(tmp_path / "ev.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(events) and float(rows[0]["miss_km"]) == events[0]["miss_km"]
    cdms = sorted((tmp_path / "cdm").glob("*.cdm"))
    assert len(cdms) == len(events)
    got = sorted((read_cdm(p).miss_distance_m, read_cdm(p).collision_probability) for p in cdms)
    want = sorted((e["miss_km"] * 1e3, e["pc"]) for e in events)
    for (m1, p1), (m2, p2) in zip(got, want):
        assert abs(m1 - m2) < 1e-3  # GCRS rotation keeps lengths
        assert (p1 is None) if p2 is None else p1 == pytest.approx(p2, rel=1e-6)
    with Store(db) as s, s.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(schema.conjunctions)).scalar_one()
        run_row = conn.execute(sa.select(schema.screening_runs)).one()
    assert n == len(events) and run_row.n_events == len(events) and run_row.primaries is None


def test_screen_primary_parquet_and_table(db, tmp_path, cli):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    code, out, err = cli("screen", "--start", "2023-10-09T12:00:00Z", "--days", "0.5", "--threshold-km", "20",
                         "--workers", "1", "--json")
    prim = json.loads(out)[0]["primary"]
    code, out, err = cli("screen", "--primary", str(prim), "--start", "2023-10-09T12:00:00Z", "--days", "0.5",
                         "--threshold-km", "20", "--workers", "1", "--out", str(tmp_path / "ev.parquet"), "--no-store")
    assert code == 0, err
    assert "conjunctions < 20 km" in out and "Alfano" in out
    t = pq.read_table(tmp_path / "ev.parquet").to_pydict()
    assert set(t["primary"]) == {prim} and len(t["tca_utc"]) >= 1


def test_screen_unknown_primary_is_an_error(db, cli):
    code, out, err = cli("screen", "--primary", "1", "--days", "0.1", "--start", "2023-10-09T12:00:00Z")
    assert code == 1 and "not among" in err and out == ""


def test_risk_top_json_and_plot(db, tmp_path, cli):
    code, out, err = cli("risk", "top", "--n", "5", "--json", "--plot", str(tmp_path / "risk.png"))
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 5 and [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["index"] >= rows[-1]["index"] > 0
    assert "fragments" in rows[0]["why"]
    assert (tmp_path / "risk.png").stat().st_size > 10_000


def test_screen_resume_keeps_finished_chunks_and_gives_the_same_events(db, tmp_path, cli):
    args = ["screen", "--start", "2023-10-09T12:00:00Z", "--days", "0.5", "--threshold-km", "20", "--workers", "1",
            "--json", "--no-store", "--resume", str(tmp_path / "ck")]
    code, out, err = cli(*args)
    assert code == 0, err
    first = json.loads(out)
    chunks = sorted((tmp_path / "ck").glob("chunk_*.npz"))
    assert len(chunks) >= 2 and len(first) >= 10
    for f in chunks[::2]:
        f.unlink()  # as if the first run had been killed before these chunks
    kept = {f.name: f.stat().st_mtime_ns for f in chunks[1::2]}
    code, out, err = cli(*args)
    assert code == 0, err
    assert json.loads(out) == first
    assert {f.name: f.stat().st_mtime_ns for f in chunks[1::2]} == kept  # finished chunks were not redone
    assert sorted(f.name for f in (tmp_path / "ck").glob("chunk_*.npz")) == [f.name for f in chunks]
