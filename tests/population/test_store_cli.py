"""Generated objects in the database and the what-if / generate commands."""

import json

import pytest

import typer
from typer.testing import CliRunner

from spacesweepers.catalog.store import Store
from spacesweepers.cli import population as cp
from spacesweepers.cli._common import state
from spacesweepers.population import presets as pr


def _app():
    app, cat = typer.Typer(), typer.Typer()
    app.add_typer(cat, name="catalog")

    @app.callback()
    def _cb():
        pass

    cp.register(app, cat)
    return app


def test_cloud_is_stored_flagged_with_parent_event(db_url):
    cloud = pr.historical_cloud("fy1c")
    with Store(db_url) as store:
        cp.store_cloud(store, cloud)
        obj = store.object(cloud.element_sets[0].norad_id)
        assert obj.generated and obj.parent_event == "HIST-FY1C"
        assert obj.metadata.name.endswith("DEB (GEN)")
        assert obj.size.mass_kg > 0 and obj.size.hbr_m > 0.04
        assert store.stats().n_generated == cloud.n


def test_generate_and_whatif_commands(tmp_path, monkeypatch):
    state.db_url = f"sqlite:///{tmp_path / 'w.db'}"
    try:
        app = _app()
        r = CliRunner().invoke(app, ["catalog", "generate", "--preset", "demo", "--scale", "0.05", "--json"])
        assert r.exit_code == 0, r.output
        out = json.loads(r.output)
        assert out["objects"] > 100 and len(out["clouds"]) == 3
        r = CliRunner().invoke(app, ["whatif", "explode", "800001", "--json", "--plot", str(tmp_path / "g.png")])
        assert r.exit_code == 0, r.output
        rep = json.loads(r.output)
        assert rep["cloud"]["fragments_catalogued"] > 100
        assert [row["days"] for row in rep["spreading"]] == [0.0, 7.0, 30.0, 90.0]
        assert (tmp_path / "g.png").stat().st_size > 10_000
        r = CliRunner().invoke(app, ["whatif", "explode", "99999999"])
        assert r.exit_code != 0 and "99999999" in str(r.exception)
    finally:
        state.db_url = None


# --- whatif collide: the collision time is the pair's closest approach --------------------------
TCA_ISO = "2023-10-12T06:00:00Z"


def _crossing_pair_db(url, ids=(900001, 900002)):
    """Two generated objects that meet at one point at TCA_ISO (700 km, circular, 53° and 98°),
    their element sets fitted there by inverting SGP4 and carried back 1.5 days (age_to), so the
    catalog holds them at an epoch before the encounter as a real catalog would."""
    import math

    import numpy as np

    from spacesweepers.catalog.elements import ObjectMetadata, ParseResult
    from spacesweepers.population.meanelements import mean_elements_from_states
    from spacesweepers.time import Time

    tca = Time.from_iso(TCA_ISO)
    r0 = 6378.135 + 700.0
    vc = math.sqrt(398600.8 / r0)
    r = np.array([[r0, 0.0, 0.0]] * 2)
    v = np.array([[0.0, vc * math.cos(math.radians(i)), vc * math.sin(math.radians(i))] for i in (53.0, 98.0)])
    sets = mean_elements_from_states(r, v, tca).element_sets(list(ids), ["PAIR A (GEN)", "PAIR B (GEN)"])
    keep, sets = pr.age_to(sets, tca.plus_days(-1.5))
    assert list(keep) == [0, 1]
    meta = [ObjectMetadata(e.norad_id, name=e.name, object_type="PAYLOAD") for e in sets]
    with Store(url) as store:
        store.ingest(ParseResult("test:pair", "generated", sets, meta), generated=True)
    return vc * 2 * math.sin(math.radians(45.0) / 2)  # relative speed of the two circular velocities


def test_whatif_collide_uses_the_pairs_closest_approach(tmp_path):
    import math

    from spacesweepers.population import breakup as bm

    state.db_url = f"sqlite:///{tmp_path / 'pair.db'}"
    try:
        vrel = _crossing_pair_db(state.db_url)
        app = _app()
        r = CliRunner().invoke(app, ["whatif", "collide", "900001", "900002", "--mass1", "500", "--mass2", "300",
                                     "--seed", "1", "--json"])
        assert r.exit_code == 0, r.output
        rep = json.loads(r.output)
        enc = rep["encounter"]
        # the screener finds the encounter the pair was built for: TCA to 1 ms, miss to 100 m
        assert enc["found_by"] == "screening" and enc["search_days"] == 7.0
        assert enc["search_start_utc"].startswith("2023-10-10T18:00:00")
        assert enc["tca_utc"].startswith("2023-10-12T06:00:00.00")
        assert enc["miss_km"] < 0.1 and not enc["hypothetical"] and enc["warning"] is None
        assert enc["vrel_km_s"] == pytest.approx(vrel, abs=0.05)
        s = rep["cloud"]
        assert s["epoch"].startswith("2023-10-12T06:00:00.00")
        # 300 kg at 5.7 km/s on 500 kg: ~10,000 J/g ≫ 40 J/g, catastrophic, M = 800 kg;
        # N(≥10 cm) = 0.1 M^0.75 (0.1^-1.71 − Lc_parent^-1.71), less the few heaviest dropped for mass
        assert s["catastrophic"]
        lc_max = float(bm.characteristic_length_from_mass(500.0))
        expected = round(0.1 * 800**0.75 * (0.1**-1.71 - lc_max**-1.71))
        assert expected - 20 <= s["fragments_sampled"] <= expected
        # every sampled fragment is catalogued or counted as escaped / re-entering / not fitted
        assert sum(s["status_counts"].values()) == s["fragments_sampled"]
        assert s["fragments_catalogued"] == s["status_counts"]["ok"] > 0.8 * s["fragments_sampled"]

        # the same pair at a time when they are far apart: a hypothetical collision, said so
        r = CliRunner().invoke(app, ["whatif", "collide", "900001", "900002", "--at", "2023-10-11T00:00:00Z",
                                     "--mass1", "500", "--mass2", "300", "--seed", "1"])
        assert r.exit_code == 0, r.output
        text = " ".join(r.output.split())
        assert "these objects do not collide at 2023-10-11T00:00:00" in text
        assert "the collision is hypothetical" in text and "(the time given with --at)" in text
        r = CliRunner().invoke(app, ["whatif", "collide", "900001", "900001"])
        assert r.exit_code != 0 and "itself" in str(r.exception)
    finally:
        state.db_url = None


def test_commands_take_alpha5_catalog_numbers(tmp_path, monkeypatch, cli):
    """Catalog numbers past 99999 in the TLE's Alpha-5 form (T0000 = 270000) name the same
    objects in `screen --primary`, `whatif explode` and `whatif collide` as their digits."""
    url = f"sqlite:///{tmp_path / 'a5.db'}"
    monkeypatch.setenv("SWEEPERS_DB", url)
    _crossing_pair_db(url, ids=(270000, 270001))
    code, out, err = cli("screen", "--primary", "T0000", "--start", "2023-10-11T12:00:00Z", "--days", "1",
                         "--threshold-km", "5", "--workers", "1", "--json")
    assert code == 0, err
    ev = json.loads(out)
    assert len(ev) == 1 and {ev[0]["primary"], ev[0]["secondary"]} == {270000, 270001}
    assert ev[0]["tca_utc"].startswith("2023-10-12T06:00:00") and ev[0]["miss_km"] < 0.1
    code, out, err = cli("whatif", "explode", "T0001", "--mass", "300", "--seed", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["cloud"]["fragments_catalogued"] > 50
    code, out, err = cli("whatif", "collide", "T0000", "T0000")
    assert code != 0 and "itself" in out + err
    code, out, err = cli("whatif", "explode", "T00O0")
    assert code != 0 and "Alpha-5" in " ".join((out + err).split())


def test_closest_approach_says_when_orbits_never_meet():
    from spacesweepers.catalog.elements import ElementSet
    from spacesweepers.errors import SweepersError
    from spacesweepers.time import Time

    ep = Time.from_iso("2023-10-09T00:00:00Z")
    leo = ElementSet(900001, float(ep.jd1), float(ep.jd2), 15.0, 0.001, 53.0, 0.0, 0.0, 0.0, name="LEO (GEN)")
    geo = ElementSet(900002, float(ep.jd1), float(ep.jd2), 1.0027, 0.0001, 0.05, 0.0, 0.0, 0.0, name="GEO (GEN)")
    with pytest.raises(SweepersError, match="never come within 1000 km.*--at"):
        cp.closest_approach(leo, geo, days=1.0)
