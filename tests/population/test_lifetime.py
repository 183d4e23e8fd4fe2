"""Drag lifetime against published rules of thumb and the model's own table.

Reference: Wertz & Larson, *Space Mission Analysis and Design* (3rd ed., Fig. 8-4 / Table 8-5
area): for a ballistic coefficient m/(Cd A) = 50 kg/m², a circular orbit lasts months at
400 km, years at 500 km, decades at 600 km and centuries at 800 km, with solar maximum
shortening it several-fold. Bands below are those orders of magnitude.
"""

import numpy as np
import pytest

from spacesweepers.population import lifetime as lt

B = 1 / 50.0  # m^2/kg, i.e. m/(Cd A) = 50 kg/m^2


@pytest.mark.parametrize("h_km,lo_yr,hi_yr", [(400, 0.1, 2.0), (500, 1.0, 8.0), (600, 5.0, 50.0), (800, 80.0, 800.0)])
def test_circular_lifetime_orders_of_magnitude(h_km, lo_yr, hi_yr):
    assert lo_yr <= float(lt.lifetime_years(h_km, h_km, B)) <= hi_yr


def test_solar_activity_shortens_lifetime():
    h = np.array([400.0, 600.0, 800.0])
    lo, mid, hi = (lt.lifetime_years(h, h, B, f107=f) for f in (70.0, 150.0, 250.0))
    assert np.all(lo > mid) and np.all(mid > hi)
    assert np.all(lo / hi > 3)


def test_table_density_reproduced_at_reference_activity():
    for h0, rho0, _ in lt.EXPONENTIAL_ATMOSPHERE:
        assert lt.density_kg_m3(h0)[0] == pytest.approx(rho0, rel=0.01)


def test_eccentric_orbit_decays_and_gto_is_finite():
    # GTO perigee 250 km: decades for drag alone, much longer than a circular 250 km orbit
    gto = float(lt.lifetime_years(250.0, 35786.0, B))
    assert 5.0 < gto < 500.0
    assert float(lt.lifetime_years(250.0, 250.0, B)) < 0.1


def test_failure_is_data_and_bad_input_errors():
    out = lt.lifetime_days([400.0, 400.0, 50.0, 3000.0], [400.0, 400.0, 50.0, 3000.0], [0.02, np.nan, 0.02, 0.02])
    assert np.isfinite(out[0]) and np.isnan(out[1]) and out[2] == 0.0 and np.isinf(out[3])
    with pytest.raises(lt.LifetimeError):
        lt.lifetime_days(500.0, 400.0, 0.02)
    with pytest.raises(lt.LifetimeError):
        lt.lifetime_days(500.0, 500.0, 0.02, f107=-5.0)


def test_interpolated_table_matches_direct_integration():
    hp = np.array([420.0, 555.0, 812.0, 633.0])
    ha = np.array([420.0, 1200.0, 850.0, 5000.0])
    a = lt.WGS72_RE_KM + 0.5 * (hp + ha)
    e = (ha - hp) / (2 * a)
    direct = lt._decay_times_s(a, e, 150.0, 15.0, 1e20, nodes=48) / 86400.0 / B
    assert lt.lifetime_days(hp, ha, B) == pytest.approx(direct, rel=0.05)
