"""J2 dynamics: heyoka vs DOP853, conserved quantities, secular rates, STM, SGP4 states."""

import math

import numpy as np
import pytest

from spacesweepers.propagation import j2
from spacesweepers.units import DAY_S


def _random_orbits(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(6900e3, 7400e3, n)
    e = rng.uniform(0.0, 0.05, n)
    i = rng.uniform(0.1, 3.0, n)
    el = np.stack([a, e, i, *rng.uniform(0, 2 * np.pi, (3, n))], -1)
    return j2.kepler_to_cartesian(el)


def _energy(r, v, m=j2.GTOC9_J2_MODEL):
    rn = np.linalg.norm(r)
    s2 = (r[2] / rn) ** 2
    u = -m.mu_m3_s2 / rn * (1 - m.j2 * (m.re_m / rn) ** 2 * (3 * s2 - 1) / 2)
    return 0.5 * np.dot(v, v) + u


def test_heyoka_matches_dop853_to_metres_over_days():
    r0, v0 = _random_orbits(3, 1)
    for k in range(3):
        r1, v1 = j2.propagate_j2(r0[k], v0[k], 2 * DAY_S)
        r2, v2 = j2.propagate_scipy(r0[k], v0[k], 2 * DAY_S)
        assert np.linalg.norm(r1 - r2) < 1.0  # m after 2 days (~30 revolutions)
        assert np.linalg.norm(v1 - v2) < 1e-3  # m/s


def test_energy_and_polar_angular_momentum_are_conserved():
    r0, v0 = _random_orbits(2, 2)
    for k in range(2):
        r1, v1 = j2.propagate_j2(r0[k], v0[k], 5 * DAY_S)
        e0, e1 = _energy(r0[k], v0[k]), _energy(r1, v1)
        assert abs(e1 - e0) < 1e-6  # J/kg, of ~2.8e7
        hz0, hz1 = np.cross(r0[k], v0[k])[2], np.cross(r1, v1)[2]
        assert abs(hz1 - hz0) < 1e-3  # m²/s, of ~5e10


def test_secular_node_and_perigee_drift_match_analytic_rates():
    # Sun-synchronous-like orbit: a 7000 km, e 0.01, i 98°
    el0 = np.array([7000e3, 0.01, math.radians(98.0), 1.0, 0.5, 0.0])
    r0, v0 = j2.kepler_to_cartesian(el0)
    days = 10.0
    n, draan, dargp = j2.secular_rates(*el0[:3])
    period = 2 * math.pi / n
    # mean elements: average osculating Ω over one revolution at both ends
    t_a = np.linspace(0, period, 73)[:-1]
    t_b = days * DAY_S + t_a
    s = j2.propagate_j2_grid(r0, v0, np.concatenate([t_a, t_b]))
    el = j2.cartesian_to_kepler(s[:, :3], s[:, 3:])
    raan = np.unwrap(el[:, 3])
    drift = raan[72:].mean() - raan[:72].mean()
    expected = draan * days * DAY_S  # about +9.9° over 10 days
    assert abs(math.degrees(expected)) > 9.0
    assert abs(drift - expected) < 0.005 * abs(expected)  # mean vs osculating a: O(J2) difference
    u = np.unwrap(el[:, 4] + el[:, 5])  # ω + M: perigee drift shows in e-vector; check e-vector angle
    ev = el[:, 1] * np.exp(1j * el[:, 4])
    w_a, w_b = np.angle(ev[:72].mean()), np.angle(ev[72:].mean())
    dw = (w_b - w_a + math.pi) % (2 * math.pi) - math.pi
    assert abs(dw - dargp * days * DAY_S) < 0.05 * abs(dargp * days * DAY_S)
    del u


def test_stm_matches_finite_differences():
    r0, v0 = _random_orbits(1, 3)
    r1, v1, stm = j2.propagate_j2_stm(r0[0], v0[0], 0.5 * DAY_S)
    h = 1e-2  # m/s
    for k in range(3):
        dv = np.zeros(3)
        dv[k] = h
        rp, _ = j2.propagate_j2(r0[0], v0[0] + dv, 0.5 * DAY_S)
        rm, _ = j2.propagate_j2(r0[0], v0[0] - dv, 0.5 * DAY_S)
        np.testing.assert_allclose((rp - rm) / (2 * h), stm[:3, 3 + k], rtol=1e-5, atol=1e-2)


def test_kepler_round_trip():
    r0, v0 = _random_orbits(50, 4)
    el = j2.cartesian_to_kepler(r0, v0)
    r1, v1 = j2.kepler_to_cartesian(el)
    assert np.max(np.linalg.norm(r1 - r0, axis=-1)) < 1e-5  # m
    assert np.max(np.linalg.norm(v1 - v0, axis=-1)) < 1e-8  # m/s


def test_elementset_state_reproduces_vallado_00005():
    """Vallado's SGP4 verification case 00005 at t = 0 (tcppver.out)."""
    from spacesweepers.catalog.elements import ElementSet
    from spacesweepers.time import Time

    es = ElementSet(norad_id=5, epoch_jd1=2451722.5, epoch_jd2=0.78495062, mean_motion_rev_day=10.82419157,
                    eccentricity=0.1859667, inclination_deg=34.2682, raan_deg=348.7242,
                    arg_perigee_deg=331.7664, mean_anomaly_deg=19.3264, bstar_per_earth_radius=2.8098e-5,
                    mean_motion_dot_rev_day2=2.3e-7)
    r, v, el = j2.elementset_state(es, Time(2451722.5, 0.78495062))
    np.testing.assert_allclose(r, np.array([7022.46529266, -1400.08296755, 0.03995155]) * 1e3, atol=1.0)
    np.testing.assert_allclose(v, np.array([1.893841015, 6.405893759, 4.534807250]) * 1e3, atol=1e-3)
    assert el[1] == pytest.approx(0.1859667, abs=0.01)  # osculating vs mean e
    assert math.degrees(el[2]) == pytest.approx(34.2682, abs=0.1)
