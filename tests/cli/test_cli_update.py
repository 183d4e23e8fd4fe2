"""`sweepers catalog update` and the demo's online branch against a real HTTP server on
127.0.0.1 that answers like CelesTrak's GP API (tests/catalog/celestrak_server.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "catalog"))
from celestrak_server import GPServer, read_3le, tle_to_omm  # noqa: E402


@pytest.fixture()
def server(snapshot_3le):
    wanted_ids = {25544, 20580, 43013, 27424}
    sets = read_3le(snapshot_3le, lambda name, norad: norad in wanted_ids or name.startswith("FENGYUN 1C DEB"))
    records = [tle_to_omm(*s) for s in sets]
    srv = GPServer()
    srv.serve("GROUP", "active", [r for r in records if int(r["NORAD_CAT_ID"]) in wanted_ids])
    srv.serve("GROUP", "fengyun-1c-debris", [r for r in records if r["OBJECT_NAME"] == "FENGYUN 1C DEB"])
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture()
def env(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SWEEPERS_CELESTRAK_URL", server.base_url)
    monkeypatch.setenv("SWEEPERS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SWEEPERS_DB", f"sqlite:///{tmp_path / 'update.db'}")
    return tmp_path


def test_update_loads_groups_and_respects_the_two_hour_rule(env, server, cli):
    code, out, err = cli("catalog", "update", "--group", "active", "--group", "fengyun-1c-debris", "--json")
    assert code == 0, err
    reports = json.loads(out)
    assert [r["status"] for r in reports] == ["fetched", "fetched"]
    n_debris = reports[1]["objects"]
    assert reports[0]["objects"] == 4 and n_debris > 100  # FY-1C has thousands of tracked pieces
    code, out, _ = cli("catalog", "show", "25544", "--json")
    assert json.loads(out)["first_seen"]["location"].startswith(server.base_url)

    # again at once: served from the cache, nothing sent to the server
    before = server.count()
    code, out, err = cli("catalog", "update", "--group", "active", "--json")
    assert code == 0 and json.loads(out)[0]["status"] == "cached"
    assert server.count() == before


def test_unknown_group_fails_with_the_servers_words(env, cli):
    code, out, err = cli("catalog", "update", "--group", "no-such-group")
    assert code == 1
    assert "No GP data found" in err and "no-such-group" in err


def test_demo_uses_celestrak_when_it_answers(env, cli):
    code, out, err = cli("demo", "--out", str(env / "demo-out"))
    assert code == 0, err
    assert "population used: CelesTrak GP data" in " ".join(out.split())
    assert (env / "demo-out" / "gabbard.png").stat().st_size > 5_000
