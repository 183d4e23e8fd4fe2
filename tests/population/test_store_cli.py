"""Generated objects in the database and the what-if / generate commands."""

import json

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
