"""TEME → ITRS and TEME → GCRS against Vallado's published example.

Vallado, Crawford, Hujsak, Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753
(Rev 2), Appendix C, and Vallado, *Fundamentals of Astrodynamics and Applications*
(4th ed., 2013) Example 3-15 / Table 3-6, at 2004-04-06 07:51:28.386009 UTC with
ΔUT1 = -0.4399619 s, xp = -0.140682″, yp = 0.333309″ (the same numbers skyfield's
``test_appendix_c_conversion_from_TEME_to_ITRF`` uses):

    r_TEME = ( 5094.18016210,  6127.64465950, 6380.34453270) km
    v_TEME = (-4.746131487,    0.785818041,   5.531931288)  km/s
    r_ITRF = (-1033.4793830,   7901.2952754,  6380.3565958) km
    v_ITRF = (-3.225636520,   -2.872451450,   5.531924446)  km/s
    r_GCRF = ( 5102.50895790,  6123.01140070, 6378.13692820) km
    v_GCRF = (-4.7432201570,   0.7905364970,  5.5337557270) km/s
"""

from __future__ import annotations

import numpy as np
import pytest

from spacesweepers.propagation import Ephemeris, teme_to_gcrs, teme_to_itrs
from spacesweepers.time import Time

T = "2004-04-06T07:51:28.386009Z"
DUT1_S = -0.4399619
XP, YP = -0.140682, 0.333309
R_TEME = np.array([5094.18016210, 6127.64465950, 6380.34453270])
V_TEME = np.array([-4.746131487, 0.785818041, 5.531931288])
R_ITRF = np.array([-1033.4793830, 7901.2952754, 6380.3565958])
V_ITRF = np.array([-3.225636520, -2.872451450, 5.531924446])
R_GCRF = np.array([5102.50895790, 6123.01140070, 6378.13692820])
V_GCRF = np.array([-4.7432201570, 0.7905364970, 5.5337557270])

OMEGA_EARTH_RAD_S = 7.292115e-5


def test_teme_to_itrs_reproduces_the_published_example():
    t = Time.from_iso(T)
    s = teme_to_itrs(R_TEME, V_TEME, t, xp_arcsec=XP, yp_arcsec=YP, dut1_s=DUT1_S)
    # 1.5 cm: the example was computed with the UT1 instant in one double-precision
    # Julian date, whose resolution here is 40 µs (1 ulp of 2.45e6 d) = 2.3 cm of Earth
    # rotation at this distance from the axis; we keep UT1 split and land 8.5 mm away,
    # i.e. 15 µs of rotation. Velocity: 0.1 mm/s (our ω = dGMST82/dt vs the example's
    # IERS ω differ by 1e-7 relative, 0.06 mm/s here).
    assert np.max(np.abs(s.r_itrs_km - R_ITRF)) * 1e3 < 0.015  # m
    assert np.max(np.abs(s.v_itrs_km_s - V_ITRF)) * 1e6 < 0.1  # mm/s
    # without polar motion the result is the PEF frame: the published PEF vector
    # (Vallado Table 3-6: -1033.4750313, 7901.3055856, 6380.3445328 km) within 1.5 cm
    pef = teme_to_itrs(R_TEME, V_TEME, t, dut1_s=DUT1_S)
    assert np.max(np.abs(pef.r_itrs_km - [-1033.4750313, 7901.3055856, 6380.3445328])) * 1e3 < 0.015
    assert np.max(np.abs(pef.v_itrs_km_s - [-3.225632747, -2.872442511, 5.531931288])) * 1e6 < 0.1


def test_teme_to_itrs_with_builtin_ut1_is_within_what_its_dut1_error_implies():
    """skyfield's built-in table has its own ΔUT1 for that day; the position error must
    be what that ΔUT1 difference rotates the Earth by: |δΔUT1| ω r_xy (+ the 1.5 cm above)."""
    t = Time.from_iso(T)
    builtin_dut1_s = float(t.skyfield.dut1)
    assert abs(builtin_dut1_s - DUT1_S) < 1e-3  # IERS final ΔUT1 in skyfield's table within 1 ms
    r_xy_km = np.hypot(*R_ITRF[:2])
    bound_m = abs(builtin_dut1_s - DUT1_S) * OMEGA_EARTH_RAD_S * r_xy_km * 1e3 + 0.015
    s = teme_to_itrs(R_TEME, V_TEME, t, xp_arcsec=XP, yp_arcsec=YP)
    err_m = np.linalg.norm(s.r_itrs_km - R_ITRF) * 1e3
    assert err_m < bound_m < 0.6  # 0.27 m with skyfield 1.55's table
    assert np.max(np.abs(s.v_itrs_km_s - V_ITRF)) * 1e6 < 0.3  # mm/s


def test_teme_to_gcrs_reproduces_the_published_example():
    # skyfield's TEME frame (IAU 2000A) vs Vallado's GCRF (IAU-76/FK5 + the day's
    # dPsi/dEps corrections) agree within 3 mm and 0.002 mm/s here; we require 2 cm
    # (1 mas of nutation/precession difference is 4 cm at this radius) and 0.01 mm/s.
    s = teme_to_gcrs(R_TEME, V_TEME, Time.from_iso(T))
    assert np.max(np.abs(s.r_gcrs_km - R_GCRF)) * 1e3 < 0.02  # m
    assert np.max(np.abs(s.v_gcrs_km_s - V_GCRF)) * 1e6 < 0.01  # mm/s


def test_ephemeris_frames_vectorize_over_objects_and_times():
    """An (n_obj, n_time) ephemeris converts exactly as each state on its own, NaN stays
    NaN, rotation preserves |r|, and ITRS velocity = TEME velocity − ω × r."""
    times = Time.from_iso(T).plus_seconds(np.array([0.0, 1800.0, 86400.0 * 3]))
    rng = np.random.default_rng(7)
    r = rng.normal(size=(4, 3, 3)) * 7000.0
    v = rng.normal(size=(4, 3, 3)) * 7.0
    r[2, 1] = np.nan
    v[2, 1] = np.nan
    error = np.zeros((4, 3), np.uint8)
    error[2, 1] = 6
    eph = Ephemeris(np.arange(4), times, r, v, error)
    itrs, gcrs = eph.itrs(xp_arcsec=XP, yp_arcsec=YP, dut1_s=DUT1_S), eph.gcrs()
    for i in range(4):
        for k in range(3):
            one = teme_to_itrs(r[i, k], v[i, k], times[k], xp_arcsec=XP, yp_arcsec=YP, dut1_s=DUT1_S)
            np.testing.assert_allclose(itrs.r_itrs_km[i, k], one.r_itrs_km, rtol=0, atol=1e-9)
            np.testing.assert_allclose(itrs.v_itrs_km_s[i, k], one.v_itrs_km_s, rtol=0, atol=1e-12)
            g = teme_to_gcrs(r[i, k], v[i, k], times[k])
            np.testing.assert_allclose(gcrs.r_gcrs_km[i, k], g.r_gcrs_km, rtol=0, atol=1e-9)
    assert np.isnan(itrs.r_itrs_km[2, 1]).all() and np.isnan(gcrs.v_gcrs_km_s[2, 1]).all()
    ok = ~np.isnan(r[..., 0])
    np.testing.assert_allclose(np.linalg.norm(itrs.r_itrs_km, axis=-1)[ok], np.linalg.norm(r, axis=-1)[ok],
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(gcrs.r_gcrs_km, axis=-1)[ok], np.linalg.norm(r, axis=-1)[ok],
                               rtol=0, atol=1e-9)
    # a satellite at rest in TEME moves westward at ω r_xy in the Earth-fixed frame
    still = teme_to_itrs(r, np.zeros_like(r), times)
    speed = np.linalg.norm(still.v_itrs_km_s, axis=-1)[ok]
    np.testing.assert_allclose(speed, 7.2921158e-5 * np.hypot(r[..., 0], r[..., 1])[ok], rtol=1e-6)


def test_shape_errors_say_what_was_expected():
    with pytest.raises(ValueError, match=r"\(\.\.\., 2, 3\)"):
        teme_to_itrs(np.zeros((5, 3)), None, Time.from_iso([T, T]))
