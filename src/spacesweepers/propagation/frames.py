"""Frames for SGP4 output: TEME → GCRS, TEME → ITRS, ITRS → WGS-84 geodetic.

Arrays in, arrays out, vectorized over objects × times. Positions have shape
``(..., n_time, 3)`` (typically ``(n_obj, n_time, 3)``) with ``times`` a 1-D
:class:`~spacesweepers.time.Time` of length ``n_time``; a scalar ``times`` takes
``(..., 3)``. Units: km, km/s, degrees for angles that leave this module.

* **TEME → GCRS**: skyfield's ``TEME`` frame (AIAA 2006-6753 Appendix C):
  IAU 2000A nutation and precession, built-in timescale, no EOP corrections
  (dX, dY = 0). Velocity is rotated with the same matrix; the frame's own rotation
  rate (precession, ~2e-11 rad/s) is neglected, < 1 mm/s for any Earth orbit.
* **TEME → ITRS**: the classic SGP4 route of AIAA 2006-6753 (as skyfield's
  ``TEME_to_ITRF``): rotate by GMST 1982 of UT1 into the pseudo-Earth-fixed frame,
  subtract Earth rotation (ω × r) from the velocity, then apply polar motion
  ``W = rot_x(yp) rot_y(xp)`` (skyfield's convention).
  Polar motion ``xp_arcsec``/``yp_arcsec`` defaults to 0: the result is then the PEF
  frame, which differs from ITRS by up to ~0.5″ (≈ 15 m at the surface, ≈ 20 m at GEO).
  ``dut1_s`` (UT1 − UTC) defaults to the value in skyfield's built-in tables; pass
  the IERS value for the day when metres matter (1 ms of UT1 ≈ 0.46 m at the equator,
  ≈ 3 m at GEO).
* **ITRS → geodetic**: ERFA ``gc2gde`` (Fukushima's closed method) on the WGS-84
  ellipsoid, in km directly (no metre conversion copy).

NaN positions (failed SGP4 states) give NaN in every output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..time import Time
from ..units import DAY_S, WGS84_A_KM, WGS84_F

_ARCSEC_RAD = np.pi / (180.0 * 3600.0)


@dataclass(frozen=True, slots=True)
class GcrsState:
    """Geocentric Celestial Reference System position and velocity."""

    r_gcrs_km: np.ndarray
    v_gcrs_km_s: np.ndarray | None


@dataclass(frozen=True, slots=True)
class ItrsState:
    """Earth-fixed (ITRS) position and velocity relative to the rotating Earth."""

    r_itrs_km: np.ndarray
    v_itrs_km_s: np.ndarray | None


@dataclass(frozen=True, slots=True)
class Geodetic:
    """WGS-84 geodetic coordinates; ``lon_deg`` in (-180, 180]."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray


# --- rotation matrices, one per time: shape (n_time, 3, 3) or (3, 3) ------------------
def teme_to_gcrs_matrix(times: Time) -> np.ndarray:
    """Matrices ``M`` with ``r_gcrs = M @ r_teme`` (skyfield's TEME frame)."""
    from skyfield.sgp4lib import TEME

    R = TEME.rotation_at(times.skyfield)  # GCRS → TEME, shape (3, 3[, n_time])
    # its transpose, time axis first: M[t, i, j] = R[j, i, t]
    return np.ascontiguousarray(np.moveaxis(R, -1, 0).swapaxes(-1, -2) if R.ndim == 3 else R.T)


def _ut1_split(times: Time, dut1_s):
    """UT1 as (whole JD, fraction) for GMST."""
    if dut1_s is None:
        t = times.skyfield
        return np.asarray(t.whole, float), np.asarray(t.ut1_fraction, float)
    return np.asarray(times.jd1, float), np.asarray(times.jd2, float) + np.asarray(dut1_s, float) / DAY_S


def teme_to_itrs_matrices(times: Time, xp_arcsec=0.0, yp_arcsec=0.0, dut1_s=None):
    """``(A, B)`` with ``r_itrs = A @ r_teme`` and ``v_itrs = A @ v_teme + B @ r_teme``.

    ``A = W R3(θ)`` with θ = GMST 1982 of UT1 and ``W = rot_x(yp) rot_y(xp)``;
    ``B = W Ω R3(θ)`` carries −ω × r (ω = dθ/dt along +z).
    """
    from skyfield.sgp4lib import theta_GMST1982

    whole, frac = _ut1_split(times, dut1_s)
    theta, theta_dot_rad_day = theta_GMST1982(whole, frac)
    omega_rad_s = theta_dot_rad_day / DAY_S
    c, s = np.cos(theta), np.sin(theta)
    zero, one = np.zeros_like(c), np.ones_like(c)
    # R3(θ): TEME → PEF (rotation of the axes by +θ about z)
    R = np.stack([np.stack([c, s, zero], -1), np.stack([-s, c, zero], -1), np.stack([zero, zero, one], -1)], -2)
    # −ω × r in PEF: (ω y, −ω x, 0)
    Om = np.zeros(R.shape)
    Om[..., 0, 1] = omega_rad_s
    Om[..., 1, 0] = -omega_rad_s
    xp = np.asarray(xp_arcsec, float) * _ARCSEC_RAD
    yp = np.asarray(yp_arcsec, float) * _ARCSEC_RAD
    if np.any(xp != 0.0) or np.any(yp != 0.0):
        xp, yp = np.broadcast_arrays(xp, yp)
        cx, sx, cy, sy = np.cos(xp), np.sin(xp), np.cos(yp), np.sin(yp)
        z = np.zeros_like(cx)
        # W = rot_x(yp) @ rot_y(xp) as in skyfield's TEME_to_ITRF: PEF → ITRS
        W = np.stack([
            np.stack([cx, z, sx], -1),
            np.stack([sx * sy, cy, -sy * cx], -1),
            np.stack([-sx * cy, sy, cx * cy], -1),
        ], -2)
        A = W @ R
        B = W @ Om @ R
    else:
        A = R
        B = Om @ R
    return A, B


def _apply(M: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``M @ x`` for matrices ``(n_time, 3, 3)`` and vectors ``(..., n_time, 3)`` (or one
    matrix ``(3, 3)`` and vectors ``(..., 3)``) without copying ``x``."""
    if M.ndim == 2:
        return x @ M.T
    return np.einsum("tij,...tj->...ti", M, x, optimize=True)


def _check(r, times: Time) -> None:
    n = times.shape[0] if times.shape else None
    if r.shape[-1] != 3 or (n is not None and (r.ndim < 2 or r.shape[-2] != n)):
        want = f"(..., {n}, 3)" if n is not None else "(..., 3)"
        raise ValueError(f"position/velocity arrays must have shape {want} for these times; got {r.shape}")


# --- public conversions -------------------------------------------------------------
def teme_to_gcrs(r_teme_km, v_teme_km_s, times: Time) -> GcrsState:
    """TEME → GCRS for positions (and velocities, if given) at ``times``."""
    r = np.asarray(r_teme_km, float)
    _check(r, times)
    M = teme_to_gcrs_matrix(times)
    v = None if v_teme_km_s is None else _apply(M, np.asarray(v_teme_km_s, float))
    return GcrsState(_apply(M, r), v)


def teme_to_itrs(r_teme_km, v_teme_km_s, times: Time, xp_arcsec=0.0, yp_arcsec=0.0, dut1_s=None) -> ItrsState:
    """TEME → ITRS (position; velocity relative to the rotating Earth if given).

    ``xp_arcsec``, ``yp_arcsec``: IERS polar motion in arcseconds (scalar or per time;
    default 0, i.e. the PEF frame). ``dut1_s``: UT1 − UTC in seconds (scalar or per
    time; default ``None`` = skyfield's built-in table).
    """
    r = np.asarray(r_teme_km, float)
    _check(r, times)
    A, B = teme_to_itrs_matrices(times, xp_arcsec, yp_arcsec, dut1_s)
    r_itrs = _apply(A, r)
    v_itrs = None
    if v_teme_km_s is not None:
        v_itrs = _apply(A, np.asarray(v_teme_km_s, float))
        v_itrs += _apply(B, r)
    return ItrsState(r_itrs, v_itrs)


def itrs_to_geodetic(r_itrs_km) -> Geodetic:
    """WGS-84 geodetic latitude/longitude (degrees) and altitude above the ellipsoid (km)."""
    import erfa

    r = np.asarray(r_itrs_km, float)
    if r.shape[-1] != 3:
        raise ValueError(f"positions must have shape (..., 3); got {r.shape}")
    with np.errstate(invalid="ignore"):
        elong, phi, height = erfa.gc2gde(WGS84_A_KM, WGS84_F, r)
    lat = np.degrees(phi)
    lon = np.degrees(elong)
    bad = np.isnan(height)
    if bad.any():  # ERFA returns lat 90°, lon 0° for NaN input
        lat[bad] = np.nan
        lon[bad] = np.nan
    return Geodetic(lat, lon, height)


__all__ = [
    "GcrsState", "ItrsState", "Geodetic",
    "teme_to_gcrs", "teme_to_itrs", "itrs_to_geodetic",
    "teme_to_gcrs_matrix", "teme_to_itrs_matrices",
]
