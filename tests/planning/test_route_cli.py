"""`sweepers plan route|fleet` end to end on the generated demo population."""

from __future__ import annotations

import json

from test_route import demo_db  # noqa: F401  (the generated demo population, one per session)


def test_plan_route_json_and_unknown_ids(demo_db, tmp_path, cli):
    rc, out, err = cli("--db", demo_db, "plan", "route", "--targets", "top:15", "--targets", "99999999",
                       "--no-fly", "--json", "--plots", str(tmp_path))
    assert rc == 0, err
    d = json.loads(out)
    assert d["summary"]["targets_removed"] >= 3
    assert {"norad_id": 99999999, "constraint": "catalog",
            "reason": "not in the catalog (check the NORAD id or load a newer catalog)"} in d["blocked"]
    assert {p.split("/")[-1] for p in d["plots"]} == {"timeline.png", "victory-raan.png", "victory-dv.png"}
    rc, out, err = cli("--db", demo_db, "plan", "route", "--targets", "99999999,88888888", "--no-fly")
    assert rc == 1 and "none of the targets is in the catalog" in err


def test_plan_route_bad_ship_and_budget(demo_db, tmp_path, cli):
    f = tmp_path / "dry.toml"
    f.write_text('dry_mass_kg = 500\npropellant_kg = 0\nisp_s = 300\nkit_mass_kg = 30\nkit_count = 4\n'
                 'max_mission_days = 100\n')
    rc, out, err = cli("--db", demo_db, "plan", "route", "--ship", str(f), "--targets", "top:5", "--no-fly")
    assert rc == 1 and "no propellant" in err
    rc, out, err = cli("--db", demo_db, "plan", "route", "--targets", "top:10", "--budget-dv", "0", "--no-fly")
    assert rc == 0 and "budget-dv" in out


def test_plan_fleet(demo_db, cli):
    rc, out, err = cli("--db", demo_db, "plan", "fleet", "--ships", "2", "--targets", "top:20", "--no-fly",
                       "--json")
    assert rc == 0, err
    d = json.loads(out)
    ids = [v["norad_id"] for r in d["routes"] for v in r["visits"]]
    assert len(ids) == len(set(ids)) and d["summary"]["ships"] == 2
