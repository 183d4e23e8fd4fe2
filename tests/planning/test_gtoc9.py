"""GTOC9: debris data, mission files, every validator rule broken on purpose, scorer by hand."""

import math
from dataclasses import replace

import numpy as np
import pytest

from spacesweepers.errors import ParseError
from spacesweepers.planning import gtoc9 as g
from spacesweepers.units import GTOC9_M_DE_KG, GTOC9_M_DRY_KG


def test_debris_file_matches_readme_ranges(debris):
    assert len(debris) == 123 and list(debris.ids) == list(range(123))
    a_km = debris.elements[:, 0] / 1e3
    assert a_km.min() == pytest.approx(6996.1, abs=0.1) and a_km.max() == pytest.approx(7274.0, abs=0.1)
    rp_km = a_km * (1 - debris.elements[:, 1])
    assert rp_km.min() == pytest.approx(6978.8, abs=0.1)
    # Sun-synchronous region: nodes drift eastwards near 360°/365.25 days
    rate = np.degrees(np.diff(debris.raan_rad([23467.0, 23468.0]), axis=1)[:, 0] % (2 * np.pi))
    assert abs(rate.mean() - 360.0 / 365.25) < 0.1 and np.all((rate > 0.6) & (rate < 1.4))  # deg/day


def test_ephemeris_reproduces_elements_at_reference_epoch(debris):
    r, v = debris.state(debris.ids, debris.epoch_mjd2000_day)
    from spacesweepers.propagation.j2 import cartesian_to_kepler

    el = cartesian_to_kepler(r, v)
    np.testing.assert_allclose(el[:, 0], debris.elements[:, 0], rtol=1e-12)
    np.testing.assert_allclose(el[:, 2], debris.elements[:, 2], atol=1e-12)


def test_valid_two_debris_mission_passes(valid_mission, debris, tmp_path):
    rep = g.check_missions([valid_mission], debris, require_all=False)
    assert rep.ok, [str(v) for v in rep.violations]
    assert rep.n_arcs == 1 and rep.n_debris == 2
    full = g.check_missions([valid_mission], debris)
    assert [v.rule for v in full.violations] == ["coverage"] and full.violations[0].excess == 121


def test_mission_file_round_trip_is_exact(valid_mission, tmp_path):
    p = g.write_mission(valid_mission, tmp_path / "m1.txt")
    back = g.read_mission(p)
    for a, b in zip(valid_mission.events, back.events):
        assert a.epoch_mjd2000_day == b.epoch_mjd2000_day and a.mass_kg == b.mass_kg
        assert np.array_equal(a.r_m, b.r_m) and np.array_equal(a.dv_m_s, b.dv_m_s)


def test_bad_line_names_file_and_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text(g.HEADER + "\n23500 1 2 3 4 5 6 7 8 9 2000\n")
    with pytest.raises(ParseError) as e:
        g.read_mission(p)
    assert e.value.line == 2 and "11 columns" in str(e.value)


def _rules(missions, debris, **kw):
    return {v.rule for v in g.check_missions(missions, debris, require_all=False, **kw).violations}


def _with(mission, k, **changes):
    ev = list(mission.events)
    ev[k] = replace(ev[k], **changes)
    return replace(mission, events=tuple(ev))


def test_each_rule_is_caught(valid_mission, debris, leg_60_86):
    m = valid_mission
    ev = m.events
    # stay: launch 4 days before departure instead of 5 (state and mass still consistent)
    r, v = debris.state(60, 23496.0)
    assert _rules([_with(m, 0, epoch_mjd2000_day=23496.0, r_m=r, v_m_s=v)], debris) == {"stay"}
    # mass bookkeeping off by 1e-6 kg on the arrival line
    assert _rules([_with(m, 2, mass_kg=ev[2].mass_kg + 1e-6)], debris) == {"mass"}
    # arc: arrival position stated 150 m away (also 150 m from the debris)
    assert "arc" in _rules([_with(m, 2, r_m=ev[2].r_m + np.array([150.0, 0, 0]))], debris)
    # debris-state: arrival impulse leaves 2 m/s relative velocity
    assert "debris-state" in _rules([_with(m, 2, dv_m_s=ev[2].dv_m_s + np.array([0, 2.0, 0]))], debris)
    # launch with a non-zero impulse
    assert "launch" in _rules([_with(m, 0, dv_m_s=np.array([1.0, 0, 0]))], debris)
    # order / format: lines swapped
    swapped = replace(m, events=(ev[0], ev[2], ev[1], ev[3]))
    assert {"order", "format"} <= _rules([swapped], debris)
    # duplicate and gap: the same mission flown twice
    assert {"duplicate", "gap"} <= _rules([m, replace(m, name="m2")], debris)
    # window
    assert _rules([m], debris, window_mjd2000_day=(23600.0, 26419.0)) == {"window"}
    # propellant: 6000 kg more than needed, or 50 kg too little
    visits = [(60, 23495.0, 23500.0), (86, 23501.0, 23506.0)]
    heavy = g.mission_from_legs("h", debris, visits, [leg_60_86], m0_kg=m.m0_kg + 6000.0)
    assert _rules([heavy], debris) == {"propellant"}
    light = g.mission_from_legs("l", debris, visits, [leg_60_86], m0_kg=m.m0_kg - 50.0)
    assert _rules([light], debris) == {"propellant"}


def test_perigee_rule(valid_mission, debris):
    """A departure impulse that drops perigee below 6,600 km is caught (besides the miss it causes)."""
    ev = valid_mission.events
    vhat = ev[1].v_m_s / np.linalg.norm(ev[1].v_m_s)
    bad = _with(valid_mission, 1, dv_m_s=-250.0 * vhat)
    rules = _rules([bad], debris)
    assert "perigee" in rules and "arc" in rules
    msg = [v for v in g.check_missions([bad], debris, require_all=False).violations if v.rule == "perigee"][0]
    assert msg.line == ev[1].line and msg.unit == "m" and msg.excess > 0


def test_scorer_by_hand(valid_mission):
    m0 = valid_mission.m0_kg
    j = 55.0 + 2.0e-6 * (m0 - 2000.0) ** 2
    assert g.score_missions([valid_mission]).j_meur == pytest.approx(j, rel=1e-15)
    two = [valid_mission, replace(valid_mission, name="m2")]
    assert g.score_missions(two, [45.0, 50.0]).j_meur == pytest.approx(95.0 + 2 * 2.0e-6 * (m0 - 2000.0) ** 2)
    row = g.score_missions([valid_mission]).missions[0]
    assert row.n_debris == 2 and row.propellant_kg == pytest.approx(m0 - 2000.0 - 60.0)


def test_minimum_initial_mass_follows_the_readme_recursion(leg_60_86, valid_mission):
    dv = 1000.0
    assert g.minimum_initial_mass_kg([dv]) == pytest.approx(
        (GTOC9_M_DRY_KG + GTOC9_M_DE_KG) * math.exp(dv / 3334.261) + GTOC9_M_DE_KG, rel=1e-6)
    # the hand-built mission ends with exactly no propellant
    last = valid_mission.events[-1]
    assert last.mass_kg == pytest.approx(GTOC9_M_DRY_KG, abs=1e-8)


def test_cli_check_and_score(valid_mission, debris, tmp_path, shared_data, monkeypatch):
    from typer.testing import CliRunner

    from spacesweepers.cli.gtoc9 import app

    monkeypatch.setenv("SWEEPERS_GTOC9_DEBRIS", str(shared_data / "gtoc9" / "debris.csv"))
    g.write_mission(valid_mission, tmp_path / "mission01.txt")
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(tmp_path), "--partial", "--json"])
    assert ok.exit_code == 0 and '"ok": true' in ok.stdout
    bad = runner.invoke(app, ["check", str(tmp_path), "--json"])
    assert bad.exit_code != 0 and '"rule": "coverage"' in bad.stdout
    sc = runner.invoke(app, ["score", str(tmp_path), "--json", "--base-cost", "45"])
    assert sc.exit_code == 0 and '"base_cost_meur": 45.0' in sc.stdout


def test_cli_plots_draw_the_cheapest_leg_of_the_estimate(debris, tmp_path, shared_data, monkeypatch):
    """`gtoc9 plot cost-map` stars the cheapest point of the estimate over its grid, and both
    plots are real PNG images of the figure's size."""
    import re

    import matplotlib.image as mpimg
    import numpy as np
    from typer.testing import CliRunner

    from spacesweepers.cli.gtoc9 import app
    from spacesweepers.planning.estimate import estimate_debris_legs

    monkeypatch.setenv("SWEEPERS_GTOC9_DEBRIS", str(shared_data / "gtoc9" / "debris.csv"))
    runner = CliRunner()
    res = runner.invoke(app, ["plot", "cost-map", "60", "86", str(tmp_path / "cost.png"), "--days", "60"])
    assert res.exit_code == 0, res.stdout
    dv, t, tof = map(float, re.search(r"cheapest: ([\d.]+) m/s departing MJD2000 ([\d.]+) with ([\d.]+) days",
                                      " ".join(res.stdout.split())).groups())
    grid = estimate_debris_legs(debris, 60, 86, np.linspace(23467.0, 23527.0, 300)[:, None],
                                np.linspace(0.5, 30.0, 120)[None, :])
    assert dv == pytest.approx(grid.min(), abs=0.05)  # the starred point is the grid's minimum
    assert dv == pytest.approx(float(estimate_debris_legs(debris, 60, 86, t, tof)), abs=0.5)
    assert mpimg.imread(tmp_path / "cost.png").shape[:2] == (660, 990)  # 9 × 6 in at 110 dpi
    res = runner.invoke(app, ["plot", "raan", str(tmp_path / "raan.png"), "--days", "100"])
    assert res.exit_code == 0 and mpimg.imread(tmp_path / "raan.png").shape[0] > 300
