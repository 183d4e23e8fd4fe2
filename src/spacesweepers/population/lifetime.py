"""Drag-based orbital lifetime, vectorized over objects.

Units: kilometres, seconds, kilograms (densities in kg/m³ as tabulated); lifetimes are
returned in days (``_days``) and years (``_years``).

**Atmosphere.** The piecewise exponential model of Vallado, *Fundamentals of
Astrodynamics and Applications* (4th ed., Table 8-4), built from CIRA-72 for mean solar
activity: ``ρ(h) = ρ0 exp(-(h - h0)/H)`` in the band of ``h``, ``h0`` the band's base.

**Solar activity.** Above 180 km the thermosphere's scale heights grow with the exospheric
temperature. We scale every scale height above 180 km by ``T∞(F10.7, Ap) / T∞(150, 15)``
with ``T∞ = 900 + 2.5 (F10.7 − 70) + 1.5 Ap`` kelvin (the relation of the IPS Radio and
Space Services note "Satellite Orbital Decay Calculations", 1999) and keep the density at
180 km fixed, so F10.7 = 150, Ap = 15 reproduces the table. This gives density ratios
between solar maximum (F10.7 ≈ 250) and minimum (≈ 70) of about 8 at 400 km and about 90
at 800 km, the range of the CIRA/MSIS tables. It is an engineering approximation, meant for
lifetimes to within a factor of about two, not for orbit determination.

**Decay.** Gauss's equations for a drag acceleration ``−½ B ρ v²`` along the velocity
(no atmospheric rotation), ``B = Cd A / m`` (m²/kg), averaged over one orbit:

    da/dt = −(B a² / μ) ⟨ρ v³⟩_M          de/dt = −B (1 − e²) ⟨ρ v cos E / (1 − e cos E)⟩_M

written over the eccentric anomaly E (``dM = (1 − e cos E) dE``) and evaluated with 16
Gauss–Legendre nodes clustered at perigee (E = π s²), the density taken from the banded
model at each node. For e → 0 this is ``da/dt = −B √(μ a) ρ``; unlike King-Hele's series
in e (1964) it stays right for GTO-like orbits. The equations are integrated with a
midpoint rule and steps that move the perigee by at most a fifth of a scale height and the apogee by at most 5 %, until
the perigee is below 100 km (re-entry). Lifetimes longer
than ``max_years`` are reported as ``inf``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..errors import SweepersError
from ..units import DAY_S, WGS72_MU_KM3_S2, WGS72_RE_KM

# Vallado (2013) Table 8-4: base altitude h0 (km), nominal density rho0 (kg/m^3), scale height H (km)
EXPONENTIAL_ATMOSPHERE = np.array([
    (0.0, 1.225, 7.249), (25.0, 3.899e-2, 6.349), (30.0, 1.774e-2, 6.682),
    (40.0, 3.972e-3, 7.554), (50.0, 1.057e-3, 8.382), (60.0, 3.206e-4, 7.714),
    (70.0, 8.770e-5, 6.549), (80.0, 1.905e-5, 5.799), (90.0, 3.396e-6, 5.382),
    (100.0, 5.297e-7, 5.877), (110.0, 9.661e-8, 7.263), (120.0, 2.438e-8, 9.473),
    (130.0, 8.484e-9, 12.636), (140.0, 3.845e-9, 16.149), (150.0, 2.070e-9, 22.523),
    (180.0, 5.464e-10, 29.740), (200.0, 2.789e-10, 37.105), (250.0, 7.248e-11, 45.546),
    (300.0, 2.418e-11, 53.628), (350.0, 9.518e-12, 53.298), (400.0, 3.725e-12, 58.515),
    (450.0, 1.585e-12, 60.828), (500.0, 6.967e-13, 63.822), (600.0, 1.454e-13, 71.835),
    (700.0, 3.614e-14, 88.667), (800.0, 1.170e-14, 124.64), (900.0, 5.245e-15, 181.05),
    (1000.0, 3.019e-15, 268.00),
])
REFERENCE_F107 = 150.0
REFERENCE_AP = 15.0
SOLAR_BASE_KM = 180.0
REENTRY_ALTITUDE_KM = 100.0
DEFAULT_CD = 2.2


class LifetimeError(SweepersError, ValueError):
    """Impossible inputs to the lifetime estimate."""


def exospheric_temperature_k(f107: float, ap: float = REFERENCE_AP) -> float:
    """T∞ = 900 + 2.5 (F10.7 − 70) + 1.5 Ap (IPS 1999)."""
    return 900.0 + 2.5 * (f107 - 70.0) + 1.5 * ap


def _check_solar(f107, ap):
    if not (50.0 <= f107 <= 400.0):
        raise LifetimeError(f"F10.7 = {f107} sfu is outside 50–400 (solar minimum ≈ 70, maximum ≈ 250)")
    if not (0.0 <= ap <= 400.0):
        raise LifetimeError(f"Ap = {ap} is outside 0–400")


def _bands(f107: float, ap: float):
    """(h0, log rho0, H) of every band for this solar activity."""
    h0 = EXPONENTIAL_ATMOSPHERE[:, 0].copy()
    H = EXPONENTIAL_ATMOSPHERE[:, 2].copy()
    logr = np.log(EXPONENTIAL_ATMOSPHERE[:, 1]).copy()
    k = exospheric_temperature_k(f107, ap) / exospheric_temperature_k(REFERENCE_F107, REFERENCE_AP)
    top = h0 >= SOLAR_BASE_KM
    H[top] *= k
    # re-chain the base densities above 180 km so the profile stays continuous
    for j in np.flatnonzero(top)[1:]:
        logr[j] = logr[j - 1] - (h0[j] - h0[j - 1]) / H[j - 1]
    return h0, logr, H


def density_kg_m3(altitude_km, f107: float = REFERENCE_F107, ap: float = REFERENCE_AP):
    """Atmospheric density (kg/m³) at ``altitude_km`` (arrays broadcast) and its local scale
    height (km), as a pair."""
    _check_solar(f107, ap)
    h = np.asarray(altitude_km, dtype=float)
    h0, logr, H = _bands(f107, ap)
    j = np.clip(np.searchsorted(h0, h, side="right") - 1, 0, len(h0) - 1)
    return np.exp(logr[j] - (h - h0[j]) / H[j]), H[j]


def ballistic_coefficient_m2_kg(area_to_mass_m2_kg, cd: float = DEFAULT_CD):
    """B = Cd A/m (m²/kg) — the inverse of the 'ballistic coefficient' m/(Cd A) in kg/m²."""
    return cd * np.asarray(area_to_mass_m2_kg, dtype=float)


def _decay_times_s(a, e, f107, ap, limit_s, nodes: int = 16):
    """Seconds to re-entry for B = 1 m²/kg (integration described in the module notes)."""
    re = WGS72_RE_KM
    mu = WGS72_MU_KM3_S2
    h0, logr, Hb = _bands(f107, ap)
    # Gauss-Legendre in s on [0, 1], E = pi s^2 clusters the nodes at perigee (E = 0)
    s, w = np.polynomial.legendre.leggauss(nodes)
    s = 0.5 * (s + 1.0)
    w = 0.5 * w
    E = math.pi * s**2
    wE = w * 2.0 * math.pi * s / math.pi  # dE = 2 pi s ds; average over [0, pi] -> divide by pi
    cosE = np.cos(E)

    def rates(a_, e_):
        ec = e_[:, None] * cosE[None, :]
        r = a_[:, None] * (1.0 - ec)
        h = r - re
        j = np.clip(np.searchsorted(h0, h, side="right") - 1, 0, len(h0) - 1)
        rho = np.exp(logr[j] - (h - h0[j]) / Hb[j]) * 1e3  # kg/m^3 * (m^2/kg -> km^2/kg) * (1/m^3 -> 1/km^3)
        v = np.sqrt(mu / a_[:, None] * (1.0 + ec) / (1.0 - ec))
        dadt = -(a_**2 / mu) * ((rho * v**3 * (1.0 - ec)) @ wE)
        dedt = -(1.0 - e_**2) * ((rho * v * cosE[None, :]) @ wE)
        hp_ = a_ * (1 - e_) - re
        jp = np.clip(np.searchsorted(h0, hp_, side="right") - 1, 0, len(h0) - 1)
        return dadt, np.where(e_ > 0, dedt, 0.0), Hb[jp]

    out = np.full(a.size, np.inf)
    idx = np.arange(a.size)
    aa, ee, tt = a.copy(), e.copy(), np.zeros(a.size)
    for _ in range(100000):
        if idx.size == 0:
            break
        dadt, dedt, H = rates(aa, ee)
        dhp = np.abs(dadt * (1 - ee) - aa * dedt)
        dt = np.minimum(0.2 * H / np.maximum(dhp, 1e-300), 0.05 * (aa * (1 + ee) - re) / np.maximum(-dadt, 1e-300))
        am = aa + 0.5 * dt * dadt
        em = np.clip(ee + 0.5 * dt * dedt, 0.0, None)
        dadt2, dedt2, _ = rates(am, em)
        aa = aa + dt * dadt2
        ee = np.clip(ee + dt * dedt2, 0.0, None)
        tt = tt + dt
        fin = (aa * (1 - ee) - re <= REENTRY_ALTITUDE_KM) | (tt >= limit_s)
        if fin.any():
            out[idx[fin]] = np.where(tt[fin] >= limit_s, np.inf, tt[fin])
            keep = ~fin
            idx, aa, ee, tt = idx[keep], aa[keep], ee[keep], tt[keep]
    return out


# The decay path in (a, e) does not depend on B (B only scales time), so the time to
# re-entry is tau(h_p, h_a) / B: tabulate tau once per solar activity and interpolate.
_GRID_HP_KM = np.concatenate([np.arange(100.0, 1000.0, 10.0), np.arange(1000.0, 2501.0, 50.0)])
_GRID_X = np.linspace(0.0, math.log1p(80000.0), 40)  # x = ln(1 + h_a - h_p)
_TAU_LIMIT_S = 1e7 * 365.25 * DAY_S


@lru_cache(maxsize=16)
def _tau_table(f107: float, ap: float):
    from scipy.interpolate import RegularGridInterpolator

    hp, x = np.meshgrid(_GRID_HP_KM, _GRID_X, indexing="ij")
    ha = hp + np.expm1(x)
    a = WGS72_RE_KM + 0.5 * (hp + ha)
    e = (ha - hp) / (2 * a)
    tau = _decay_times_s(a.ravel(), e.ravel(), f107, ap, _TAU_LIMIT_S).reshape(hp.shape)
    logtau = np.log(np.maximum(np.minimum(tau, _TAU_LIMIT_S), 1.0))
    return RegularGridInterpolator((_GRID_HP_KM, _GRID_X), logtau, bounds_error=False, fill_value=None)


def lifetime_days(perigee_km, apogee_km, ballistic_m2_kg, *, f107: float = REFERENCE_F107,
                  ap: float = REFERENCE_AP, max_years: float = 10_000.0) -> np.ndarray:
    """Days until re-entry for orbits of given perigee and apogee altitudes (km, above the
    WGS-72 radius) and ``B = Cd A/m`` (m²/kg). Arrays broadcast.

    Objects already below 100 km get 0; objects that would last longer than ``max_years``,
    or whose perigee is above 2,500 km, get ``inf``; a missing or non-positive B gives
    ``nan`` (a failure is data, not an exception). The time for B = 1 m²/kg is tabulated
    once per solar activity on a perigee × apogee grid and divided by B (the decay path
    does not depend on B), so a million objects take well under a second.
    """
    _check_solar(f107, ap)
    hp, ha, B = np.broadcast_arrays(np.asarray(perigee_km, float), np.asarray(apogee_km, float),
                                    np.asarray(ballistic_m2_kg, float))
    if np.any(ha < hp - 1e-6):
        raise LifetimeError("apogee below perigee: give perigee_km first, then apogee_km")
    table = _tau_table(float(f107), float(ap))
    x = np.log1p(np.clip(ha - hp, 0.0, 80000.0))
    pts = np.stack([np.clip(hp, _GRID_HP_KM[0], _GRID_HP_KM[-1]).ravel(), x.ravel()], axis=-1)
    tau_s = np.exp(table(pts)).reshape(hp.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        days = tau_s / B / DAY_S
    days = np.where((tau_s >= 0.999 * _TAU_LIMIT_S) | (hp > _GRID_HP_KM[-1]), np.inf, days)
    days = np.where(days > max_years * 365.25, np.inf, days)
    days = np.where(hp <= REENTRY_ALTITUDE_KM, 0.0, days)
    days = np.where((B > 0) & np.isfinite(B) & np.isfinite(hp) & np.isfinite(ha), days, np.nan)
    return days


def lifetime_years(perigee_km, apogee_km, ballistic_m2_kg, **kw) -> np.ndarray:
    """:func:`lifetime_days` in Julian years."""
    return lifetime_days(perigee_km, apogee_km, ballistic_m2_kg, **kw) / 365.25


def element_sets_lifetime_days(element_sets, area_to_mass_m2_kg, *, cd: float = DEFAULT_CD,
                               **kw) -> np.ndarray:
    """Lifetime of each :class:`~spacesweepers.catalog.elements.ElementSet` from its mean
    perigee/apogee and a given A/M (m²/kg) per object (array or one value)."""
    hp = np.array([es.perigee_km for es in element_sets])
    ha = np.array([es.apogee_km for es in element_sets])
    return lifetime_days(hp, ha, ballistic_coefficient_m2_kg(area_to_mass_m2_kg, cd), **kw)


# --- SGP4 B* consistent with this atmosphere -----------------------------------------------
RHO0_SGP4_KG_M2_ER = 0.15696615  # B* = B ρ0 / 2 with ρ0 = 2.461e-5 kg/m²/km × 6378.135 km
_SGP4_Q0_KM = 120.0
_SGP4_S0_KM = 78.0


def bstar_per_earth_radius(area_to_mass_m2_kg, perigee_km, *, cd: float = DEFAULT_CD,
                           f107: float = REFERENCE_F107, ap: float = REFERENCE_AP,
                           calibrate: bool = True):
    """SGP4 drag term B* (1/earth radii) for objects of given A/M and perigee altitude.

    Physical value: ``B* = ρ0 Cd (A/m) / 2`` with ``ρ0 = 0.15696615 kg/m²`` (the
    reference density of SGP4 times one earth radius; Hoots & Roehrich 1980, Vallado 2006).
    With ``calibrate`` (default) it is multiplied by ``ρ_model(h_p) / ρ_SGP4(h_p)``, the
    ratio of this module's density to SGP4's built-in power-law density
    ``ρ ∝ ((q0 − s)/(h − s))^4`` (q0 = 120 km, s = 78 km, both relative to the 120-km value)
    at the perigee, so that SGP4 decays an object about as fast as :func:`lifetime_days`
    says. SGP4's density falls off much more slowly than the real one above ~600 km, which
    is why element sets fitted to tracking data carry much smaller B* there.
    """
    am = np.asarray(area_to_mass_m2_kg, dtype=float)
    b = 0.5 * RHO0_SGP4_KG_M2_ER * cd * am
    if not calibrate:
        return b
    hp = np.maximum(np.asarray(perigee_km, dtype=float), _SGP4_Q0_KM)
    rho, _ = density_kg_m3(hp, f107, ap)
    rho120, _ = density_kg_m3(_SGP4_Q0_KM, REFERENCE_F107, REFERENCE_AP)
    sgp4_rel = ((_SGP4_Q0_KM - _SGP4_S0_KM) / (hp - _SGP4_S0_KM)) ** 4
    return b * (rho / rho120) / sgp4_rel


__all__ = [
    "EXPONENTIAL_ATMOSPHERE", "density_kg_m3", "exospheric_temperature_k", "lifetime_days",
    "lifetime_years", "element_sets_lifetime_days", "ballistic_coefficient_m2_kg",
    "bstar_per_earth_radius", "LifetimeError",
]
