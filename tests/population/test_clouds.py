"""Clouds as catalog objects, what-if commands' model layer, and the demo preset."""

import math

import numpy as np
import pytest

from spacesweepers.catalog.elements import ElementSet
from spacesweepers.population import clouds as cl
from spacesweepers.population import presets as pr
from spacesweepers.time import Time

EP = Time.from_iso("2007-01-11T22:26:00Z")
FY1C = ElementSet(25730, float(EP.jd1), float(EP.jd2), 14.19, 0.0014, 98.65, 10.0, 90.0, 200.0,
                  name="FENGYUN 1C", intl_designator="1999-025A")


def test_explosion_cloud_is_generated_and_reproduces_breakup_states():
    c = cl.explode(cl.Body(FY1C, mass_kg=880.0, object_type="PAYLOAD"), seed=3)
    assert c.n > 150
    assert all(e.name.endswith("DEB (GEN)") for e in c.element_sets)
    assert all(e.norad_id >= cl.GENERATED_ID_BASE for e in c.element_sets)
    assert all(g.parent_ids == (25730,) and g.event_kind == "explosion" for g in c.generated)
    assert [m.norad_id for m in c.metadata] == [e.norad_id for e in c.element_sets]
    assert np.nanmax(c.residual_position_m[c.status == 0]) <= 1.0
    # SGP4 of the generated sets at the event reproduces parent state + dv
    from spacesweepers.population.meanelements import states_from_element_sets

    r, v, err = states_from_element_sets(c.element_sets, EP)
    r0, v0, _ = states_from_element_sets([FY1C], EP)
    ok = np.flatnonzero(c.status == 0)
    dv_back = (v - v0) * 1e3
    assert np.abs(np.linalg.norm(r - r0, axis=1)).max() < 2e-3  # km
    assert np.abs(dv_back - c.fragments.dv_m_s[ok]).max() < 0.01  # m/s; 1 m position tolerance


def test_unknown_mass_uses_documented_estimate():
    c = cl.explode(FY1C.with_(name="SL-8 R/B"), seed=1)
    assert any("mass unknown" in n for n in c.notes)
    m, why = cl.estimate_mass_kg("ROCKET BODY")
    assert m == cl.DEFAULT_MASS_KG["ROCKET BODY"] and "assumed" in why


def test_bad_what_if_inputs():
    with pytest.raises(cl.CloudError):
        cl.explode(cl.Body(FY1C, mass_kg=-5.0))
    with pytest.raises(cl.CloudError):
        cl.collide(FY1C, FY1C)


def test_plane_spread_grows_with_j2_drift():
    c = cl.explode(cl.Body(FY1C, mass_kg=880.0), seed=4)
    s = cl.plane_spread_deg(c.element_sets, [0.0, 30.0, 365.0])
    assert s[0] < 3.0 and s[0] < s[1] < s[2]
    rate = cl.j2_raan_rate_deg_day([FY1C])[0]
    assert rate == pytest.approx(0.9856, abs=0.05)  # FY-1C was sun-synchronous


def test_radial_density_integrates_to_count():
    c = cl.explode(cl.Body(FY1C, mass_kg=880.0), seed=5)
    h = np.arange(0.0, 20000.0, 10.0) + 5.0
    dens = cl.radial_density_per_km3(c.element_sets, h, dh_km=10.0)
    r = cl.WGS72_RE_KM + h
    total = np.sum(dens * 4 / 3 * math.pi * ((r + 5) ** 3 - (r - 5) ** 3))
    assert total == pytest.approx(c.n, rel=1e-3)


def test_demo_preset_is_deterministic_fast_and_realistic():
    import time

    t0 = time.perf_counter()
    pop = pr.demo_population()
    assert time.perf_counter() - t0 < 10.0
    assert 3000 < pop.n < 10000
    ids = [e.norad_id for e in pop.element_sets]
    assert len(set(ids)) == len(ids)
    assert all(e.name.endswith("(GEN)") for e in pop.element_sets)
    again = pr.demo_population()
    assert again.element_sets == pop.element_sets
    # sun-synchronous inclination at 800 km is 98.6 deg (published)
    assert pr.sun_synchronous_inclination_deg(6378.137 + 800.0) == pytest.approx(98.6, abs=0.1)
    # the three historical clouds
    assert [c.event_id for c in pop.clouds] == ["HIST-FY1C", "HIST-IRCO", "HIST-C1408"]
    with pytest.raises(pr.PresetError):
        pr.generate("nope")
    with pytest.raises(pr.PresetError):
        pr.demo_population(scale=-2)


def test_fragments_of_a_generated_parent_carry_one_gen_suffix():
    parent = FY1C.with_(norad_id=800067, name="STARLINK-550 68 (GEN)")
    c = cl.explode(cl.Body(parent, mass_kg=306.0, object_type="PAYLOAD"), seed=1)
    assert {e.name for e in c.element_sets} == {"STARLINK-550 68 DEB (GEN)"}
    assert {m.name for m in c.metadata} == {"STARLINK-550 68 DEB (GEN)"}


def _low_cloud():
    """A rocket body exploding in a 300 km circular orbit: most 10-cm fragments (A/M ~0.1 m²/kg,
    lifetimes of days) come down within a week, which SGP4 alone does not see."""
    from spacesweepers.population.meanelements import mean_motion_rev_day

    ep = Time.from_iso("2023-10-09T00:00:00Z")
    par = ElementSet(900001, float(ep.jd1), float(ep.jd2), float(mean_motion_rev_day(cl.WGS72_RE_KM + 300.0)),
                     0.001, 51.6, 10.0, 90.0, 200.0, name="LOW R/B (GEN)")
    return cl.explode(cl.Body(par, mass_kg=1000.0, object_type="ROCKET BODY"), seed=2)


def test_spreading_report_counts_decayed_fragments_as_re_entered():
    from spacesweepers.cli.population import spreading_report
    from spacesweepers.population.lifetime import element_sets_lifetime_days

    c = _low_cloud()
    days = (0.0, 7.0, 30.0, 90.0)
    rows = spreading_report(c, days=days)["spreading"]
    assert [r["in_orbit"] + r["re_entered"] for r in rows] == [c.n] * 4
    assert rows[0]["in_orbit"] == c.n and rows[0]["perigee_min_km"] >= 100.0
    up = [r["in_orbit"] for r in rows]
    assert up == sorted(up, reverse=True) and up[1] < 0.25 * c.n and up[3] == 0
    assert rows[3]["perigee_min_km"] is None
    # SGP4 alone still propagates more of them after a week than have survived drag
    sgp4_up = [int(np.isfinite(g["apogee_km"]).sum()) for g in cl.gabbard(c.element_sets, [c.epoch.plus_days(7.0)])]
    assert sgp4_up[0] > up[1]
    # every survivor at 7 days has a drag lifetime of at least 7 days
    life = element_sets_lifetime_days(c.element_sets, [g.area_to_mass_m2_kg for g in c.generated])
    assert up[1] <= int((life >= 7.0).sum())
    # more solar activity, denser thermosphere, fewer survivors
    hi = spreading_report(c, days=(7.0,), f107=250.0)["spreading"][0]["in_orbit"]
    lo = spreading_report(c, days=(7.0,), f107=70.0)["spreading"][0]["in_orbit"]
    assert hi < up[1] < lo
