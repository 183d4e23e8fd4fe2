"""Criticality index: each factor against its published formula, and the ranking on the real
snapshot with NASA CARA masses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spacesweepers.catalog.elements import ElementSet, SizeEstimate
from spacesweepers.catalog.formats import read
from spacesweepers.danger.criticality import criticality
from spacesweepers.danger.screening import ScreeningResult
from spacesweepers.time import Time

MU = 398600.8
RE = 6378.135


def _circular(nid, alt_km, incl=53.0, raan=0.0, name="DEB"):
    a = RE + alt_km
    n = math.sqrt(MU / a**3) * 86400 / (2 * math.pi)
    return ElementSet(norad_id=nid, epoch_jd1=2460226.5, epoch_jd2=0.5, mean_motion_rev_day=n, eccentricity=0.0,
                      inclination_deg=incl, raan_deg=raan, arg_perigee_deg=0.0, mean_anomaly_deg=0.0, name=name)


def test_fragments_follow_the_nasa_breakup_model():
    """N(≥10 cm) = 0.1 M^0.75 Lc^-1.71 (Johnson et al. 2001): 912 fragments for 1,000 kg."""
    els = [_circular(1, 800, name="SL-16 R/B"), _circular(2, 800, name="PAYLOAD X")]
    t = criticality(els, sizes={1: SizeEstimate(1, hbr_m=5.0, mass_kg=8300.0), 2: SizeEstimate(2, hbr_m=1.0, mass_kg=1000.0)})
    by = dict(zip(t["norad_id"].tolist(), t["fragments_10cm"].tolist()))
    assert by[2] == pytest.approx(0.1 * 1000**0.75 * 0.1**-1.71, rel=1e-12)
    assert by[2] == pytest.approx(912.0, abs=1.0)
    assert by[1] == pytest.approx(0.1 * 8300**0.75 * 0.1**-1.71, rel=1e-12)


def test_density_rate_is_the_kinetic_gas_value():
    """N objects spread evenly in one 10-km shell: λ = N/(4π r² Δr) · v · π R² (per year)."""
    N, alt = 400, 800.0  # a shell centre of the density grid
    els = [_circular(k + 1, alt, incl=float(k % 180), raan=float(k * 7 % 360)) for k in range(N)]
    t = criticality(els, sizes={k + 1: SizeEstimate(k + 1, hbr_m=1.5, mass_kg=100.0) for k in range(N)})
    r = RE + alt
    rho = N / (4 / 3 * math.pi * ((r + 5) ** 3 - (r - 5) ** 3))
    lam = rho * 10.0 * math.pi * (2.0e-3) ** 2 * 365.25 * 86400
    assert np.allclose(t["collision_rate_per_yr"], lam, rtol=1e-6)


def test_screening_rate_replaces_the_density_rate():
    els = [_circular(1, 800), _circular(2, 800, raan=90.0), _circular(3, 800, raan=45.0)]
    res = ScreeningResult(Time.from_iso("2023-10-09T12:00:00Z"), 7 * 86400.0, 5.0, None,
                          {"primary": np.array([1, 1]), "secondary": np.array([2, 3]), "hbr_m": np.array([10.0, 20.0])})
    t = criticality(els, screening=res)
    lam = dict(zip(t["norad_id"].tolist(), t["collision_rate_per_yr"].tolist()))
    T = 7 / 365.25
    assert lam[1] == pytest.approx(((0.010 / 5) ** 2 + (0.020 / 5) ** 2) / T)
    assert lam[2] == pytest.approx((0.010 / 5) ** 2 / T)


def test_ranking_of_the_real_snapshot(snapshot_3le, shared_data):
    els = read(snapshot_3le).element_sets
    sizes = {s.norad_id: s for s in read(shared_data / "catalog" / "cara_hbr_mass_estimates_2026-06-01.csv").sizes}
    t = criticality(els, sizes=sizes)
    assert len(t) == 26140 and list(t["rank"][:3]) == [1, 2, 3]
    assert np.all(np.diff(t["index"]) <= 0)
    top = t.top(50)
    # the most critical objects are intact objects in LEO (below 2,000 km), as in McKnight et al. 2021
    assert top["mass_kg"].min() >= 100.0  # no small fragment among them
    assert np.all(top["perigee_km"] < 2000)
    # an object that re-enters within weeks cannot rank high
    assert np.all(top["lifetime_yr"] > 0.1)
    # CARA masses are used where published
    iss = int(np.flatnonzero(t["norad_id"] == 25544)[0])
    assert t["mass_source"][iss] == "CARA table" and t["mass_kg"][iss] == sizes[25544].mass_kg
