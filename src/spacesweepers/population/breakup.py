"""NASA Standard Breakup Model (EVOLVE 4.0), vectorized and seeded.

Units of this module: SI — metres, kilograms, metres per second — because the model is
published in SI. Every public name carries its unit (``lc_m``, ``mass_kg``, ``dv_m_s``);
impact speeds are taken in km/s, as the literature writes them.

The model (Johnson, Krisko, Liou & Anz-Meador 2001, "NASA's new breakup model of EVOLVE
4.0", Adv. Space Res. 28(9) 1377–1384 — "J2001" below; the clarifications of Krisko 2011,
"Proper implementation of the 1998 NASA breakup model", ODQN 15(4) — "K2011"):

Fragment count above a characteristic length ``Lc`` (m):

* explosion (J2001 eq. 2):         N(Lc) = 6 S Lc^-1.6            (S = 1 by default)
* collision (J2001 eq. 4):         N(Lc) = 0.1 M^0.75 Lc^-1.71    (M in kg)

  with ``M = m_target + m_projectile`` for a catastrophic collision and
  ``M = m_projectile v_imp^2`` (v in km/s) otherwise (K2011 restores the square that the
  2001 paper dropped). A collision is catastrophic when the specific energy of the
  projectile, ``E/m_target = ½ m_p v² / m_t``, reaches 40 J/g (J2001).

Characteristic lengths are drawn from the truncated power law that the cumulative counts
imply: pdf ∝ Lc^-(β+1) on [Lc_min, Lc_max], β = 1.6 (explosions) or 1.71 (collisions),
by inverse transform sampling. ``Lc_max`` is the parent's size (below).

Area-to-mass ratio, χ = log10(A/M [m²/kg]), λc = log10(Lc [m]) (J2001 eqs. 5–7):

* Lc > 11 cm: a two-component normal mixture
  ``α(λc) N(μ1(λc), σ1(λc)) + (1 − α(λc)) N(μ2(λc), σ2(λc))`` with separate piecewise-linear
  parameter functions for upper-stage (rocket body) and spacecraft parents
  (:data:`AM_PARAMETERS` lists every constant);
* Lc < 8 cm: one normal ``N(μ_soc(λc), σ_soc(λc))`` for both parent types;
* 8 cm ≤ Lc ≤ 11 cm: J2001 only says the two regimes are bridged. We bridge the
  *distributions*: the large-fragment mixture with probability ``w = (Lc − 0.08)/0.03`` and
  the small-fragment normal otherwise, which makes the pdf continuous at both ends.
  (DLR's implementation, Schuhmacher et al. 2021, interpolates two *sampled values*
  instead; both are "a bridge" in the sense of J2001.)

Average cross-section from the characteristic length (J2001 eq. 8):
``A = 0.540424 Lc²`` for Lc < 1.67 mm, else ``A = 0.556945 Lc^2.0047077`` (m²);
mass ``m = A / (A/M)``.

Ejection speed, ν = log10(Δv [m/s]) (J2001 eqs. 11–12), normal with σ = 0.4 and
mean ``0.2 χ + 1.85`` (explosions) or ``0.9 χ + 2.9`` (collisions); the direction is
isotropic (uniform on the sphere).

Parent size when not given: a sphere of the NASA-model bulk density
``ρ = 92.937 Lc^-0.74 kg/m³`` (J2001 eq. 1), i.e. ``Lc = (6 m / (92.937 π))^(1/2.26)``,
the convention of the DLR/ESA implementation (Schuhmacher et al. 2021).

Mass conservation: the model's fragment count does not depend on the parent's mass
for explosions, so a sampled cloud can weigh more or less than its parent. As the
literature's implementations do (K2011; Schuhmacher et al. 2021), ``mass_conservation``
``"limit"`` (default) removes fragments until the cloud is no heavier than the mass that
breaks up — the heaviest first, because the overshoot comes from the few largest pieces
drawn up to the parent's size and removing them keeps the count law intact at the sizes
it was fitted on (DLR removes the last-drawn fragments instead, which thins every size) — and reports the remainder as
:attr:`Fragments.unassigned_mass_kg` (mass in fragments smaller than ``Lc_min``);
``"enforce"`` also adds fragments from the same distributions until the budget is met
(this inflates the count above ``Lc_min`` and is off by default); ``"none"`` keeps the
model's count whatever its mass. In a non-catastrophic collision only ``M`` breaks up;
the rest of the two bodies is kept as one *remnant* fragment with zero Δv
(K2011; DLR does the same).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np

from ..errors import SweepersError

ParentType = Literal["spacecraft", "rocket body"]
EventKind = Literal["explosion", "collision"]

# --- published constants (J2001 unless stated) --------------------------------------------
EXPLOSION_COEFF = 6.0  # N = 6 S Lc^-1.6 (eq. 2)
EXPLOSION_EXPONENT = 1.6
COLLISION_COEFF = 0.1  # N = 0.1 M^0.75 Lc^-1.71 (eq. 4)
COLLISION_MASS_EXPONENT = 0.75
COLLISION_EXPONENT = 1.71
CATASTROPHIC_THRESHOLD_J_G = 40.0  # specific energy E_p / m_target, J/g
SMALL_LC_M = 0.08  # below: small-fragment A/M distribution
LARGE_LC_M = 0.11  # above: parent-type A/M mixtures
AREA_LC_BOUND_M = 0.00167  # eq. 8
AREA_SMALL_COEFF = 0.540424
AREA_LARGE_COEFF = 0.556945
AREA_LARGE_EXPONENT = 2.0047077
DV_EXPLOSION = (0.2, 1.85)  # mu_nu = a chi + b (eq. 11)
DV_COLLISION = (0.9, 2.9)  # (eq. 12)
DV_SIGMA = 0.4
DENSITY_COEFF_KG_M3 = 92.937  # rho = 92.937 Lc^-0.74 (eq. 1)
DENSITY_EXPONENT = -0.74

# Piecewise-linear parameters of the A/M distributions, J2001 eqs. 5–7:
# (lambda_lo, lambda_hi, value at/below lo, value at/above hi, slope); in between
# value = value_lo + slope (lambda - lambda_lo) — the paper's "c0 + c1 (λc + λ0)" forms.
AM_PARAMETERS = {
    "rocket body": {  # eq. 5, Lc > 11 cm
        "alpha": (-1.4, 0.0, 1.0, 0.5, -0.3571),
        "mu1": (-0.5, 0.0, -0.45, -0.9, -0.9),
        "sigma1": (0.0, 0.0, 0.55, 0.55, 0.0),
        "mu2": (0.0, 0.0, -0.9, -0.9, 0.0),
        "sigma2": (-1.0, 0.1, 0.28, 0.1, -0.1636),
    },
    "spacecraft": {  # eq. 6, Lc > 11 cm
        "alpha": (-1.95, 0.55, 0.0, 1.0, 0.4),
        "mu1": (-1.1, 0.0, -0.6, -0.95, -0.318),
        "sigma1": (-1.3, -0.3, 0.1, 0.3, 0.2),
        "mu2": (-0.7, -0.1, -1.2, -2.0, -1.333),
        "sigma2": (-0.5, -0.3, 0.5, 0.3, -1.0),
    },
    "small": {  # eq. 7, Lc < 8 cm, both parent types
        "mu": (-1.75, -1.25, -0.3, -1.0, -1.4),
        # sigma_soc = 0.2 for λc <= -3.5, 0.2 + 0.1333 (λc + 3.5) above (no upper clamp)
        "sigma": (-3.5, math.inf, 0.2, math.nan, 0.1333),
    },
}
# The spacecraft alpha line is written 0.3 + 0.4 (λc + 1.2) in J2001; at λc = -1.95 it is 0,
# which is the value_lo/slope form above. Likewise every other entry.

PARENT_TYPES = ("spacecraft", "rocket body")
MASS_CONSERVATION = ("limit", "enforce", "none")


class BreakupError(SweepersError, ValueError):
    """Impossible breakup parameters (negative mass, length or speed, unknown type)."""


def _piecewise(lam: np.ndarray, spec: tuple) -> np.ndarray:
    lo, hi, v_lo, v_hi, slope = spec
    out = v_lo + slope * (lam - lo)
    out = np.where(lam <= lo, v_lo, out)
    if math.isfinite(hi):
        out = np.where(lam >= hi, v_hi, out)
    return out


def am_distribution_parameters(lc_m, parent_type: ParentType) -> dict[str, np.ndarray]:
    """The published A/M distribution parameters at characteristic length(s) ``lc_m``.

    For ``lc_m`` > 11 cm returns ``alpha, mu1, sigma1, mu2, sigma2`` of the parent type's
    mixture (J2001 eq. 5 or 6); use ``parent_type="small"`` for ``mu, sigma`` of the
    small-fragment normal (eq. 7). Values are evaluated at any length given.
    """
    lam = np.log10(np.asarray(lc_m, dtype=float))
    key = _parent_key(parent_type, allow_small=True)
    return {name: _piecewise(lam, spec) for name, spec in AM_PARAMETERS[key].items()}


def am_log_mean_std(lc_m, parent_type: ParentType) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean and standard deviation of χ = log10(A/M) that the model prescribes at
    ``lc_m`` (including the 8–11 cm bridge), for validating samples."""
    lc = np.asarray(lc_m, dtype=float)
    big = am_distribution_parameters(lc, parent_type)
    small = am_distribution_parameters(lc, "small")
    w = np.clip((lc - SMALL_LC_M) / (LARGE_LC_M - SMALL_LC_M), 0.0, 1.0)
    comps = [  # (weight, mu, sigma)
        (w * big["alpha"], big["mu1"], big["sigma1"]),
        (w * (1 - big["alpha"]), big["mu2"], big["sigma2"]),
        (1 - w, small["mu"], small["sigma"]),
    ]
    mean = sum(p * m for p, m, _ in comps)
    second = sum(p * (s**2 + m**2) for p, m, s in comps)
    return mean, np.sqrt(np.maximum(second - mean**2, 0.0))


def _parent_key(parent_type: str, allow_small: bool = False) -> str:
    key = str(parent_type).strip().lower().replace("_", " ")
    aliases = {"rb": "rocket body", "r/b": "rocket body", "upper stage": "rocket body",
               "sc": "spacecraft", "s/c": "spacecraft", "payload": "spacecraft",
               "debris": "spacecraft", "unknown": "spacecraft"}
    key = aliases.get(key, key)
    if key in PARENT_TYPES or (allow_small and key == "small"):
        return key
    raise BreakupError(
        f"unknown parent type {parent_type!r}; use 'spacecraft' or 'rocket body' "
        "(SATCAT 'ROCKET BODY' objects use the upper-stage distributions, everything else 'spacecraft')"
    )


# --- published closed forms -------------------------------------------------------------
def explosion_fragment_count(lc_m, scale_factor: float = 1.0):
    """N(≥ Lc) = 6 S Lc^-1.6 (J2001 eq. 2), fragments at least ``lc_m`` metres."""
    lc = _positive("lc_m", lc_m)
    if not scale_factor > 0:
        raise BreakupError(f"scale_factor S must be positive, got {scale_factor}")
    return EXPLOSION_COEFF * scale_factor * lc ** (-EXPLOSION_EXPONENT)


def collision_fragment_count(lc_m, mass_kg):
    """N(≥ Lc) = 0.1 M^0.75 Lc^-1.71 (J2001 eq. 4); ``mass_kg`` is M from :func:`collision_mass`."""
    lc = _positive("lc_m", lc_m)
    m = _positive("mass_kg", mass_kg)
    return COLLISION_COEFF * m**COLLISION_MASS_EXPONENT * lc ** (-COLLISION_EXPONENT)


@dataclass(frozen=True)
class CollisionRegime:
    """Outcome class of a collision: ``mass_kg`` is the M of the count law."""

    catastrophic: bool
    specific_energy_j_g: float
    mass_kg: float
    target_mass_kg: float
    projectile_mass_kg: float


def collision_mass(mass1_kg: float, mass2_kg: float, impact_speed_km_s: float) -> CollisionRegime:
    """Catastrophic or not (40 J/g rule, J2001) and the M of the count law.

    The heavier body is the target. Specific energy ``½ m_p v² / m_t`` in J/g; M is the sum
    of both masses when catastrophic, else ``m_p v²`` with v in km/s (K2011).
    """
    m1 = float(_positive("mass1_kg", mass1_kg))
    m2 = float(_positive("mass2_kg", mass2_kg))
    v = float(_positive("impact_speed_km_s", impact_speed_km_s))
    if v > 30.0:
        raise BreakupError(
            f"impact speed {v} km/s is faster than any two Earth-orbiting objects can meet "
            "(at most about 16 km/s in LEO); give the relative speed in km/s"
        )
    mt, mp = (m1, m2) if m1 >= m2 else (m2, m1)
    energy_j_g = 0.5 * mp * (v * 1e3) ** 2 / (mt * 1e3)
    catastrophic = energy_j_g >= CATASTROPHIC_THRESHOLD_J_G
    m = mt + mp if catastrophic else min(mp * v**2, mt + mp)
    return CollisionRegime(catastrophic, energy_j_g, m, mt, mp)


def characteristic_length_from_mass(mass_kg):
    """Size of a sphere of the model's bulk density 92.937 Lc^-0.74 kg/m³ (J2001 eq. 1)."""
    m = _positive("mass_kg", mass_kg)
    return (6.0 * m / (DENSITY_COEFF_KG_M3 * math.pi)) ** (1.0 / (3.0 + DENSITY_EXPONENT))


def area_from_lc(lc_m):
    """Average cross-section (m²) from the characteristic length (J2001 eq. 8)."""
    lc = np.asarray(lc_m, dtype=float)
    return np.where(lc < AREA_LC_BOUND_M, AREA_SMALL_COEFF * lc**2,
                    AREA_LARGE_COEFF * lc**AREA_LARGE_EXPONENT)


# --- samplers (arrays in, arrays out) ----------------------------------------------------
def sample_characteristic_length(n: int, lc_min_m: float, lc_max_m: float, exponent: float,
                                 rng: np.random.Generator) -> np.ndarray:
    """``n`` lengths from the power law with cumulative N(≥L) ∝ L^-exponent on
    [lc_min_m, lc_max_m] (inverse transform)."""
    u = rng.random(n)
    a = lc_min_m ** (-exponent)
    b = lc_max_m ** (-exponent)
    return (a - u * (a - b)) ** (-1.0 / exponent)


def sample_log_area_to_mass(lc_m: np.ndarray, parent_type, rng: np.random.Generator) -> np.ndarray:
    """χ = log10(A/M) for each length (J2001 eqs. 5–7, bridged 8–11 cm as described above).

    ``parent_type`` is one type for all, or an array of per-fragment codes
    (0 spacecraft, 1 rocket body).
    """
    lc = np.asarray(lc_m, dtype=float)
    n = lc.size
    lam = np.log10(lc)
    if isinstance(parent_type, str):
        code = np.full(n, PARENT_TYPES.index(_parent_key(parent_type)), dtype=np.int8)
    else:
        code = np.asarray(parent_type, dtype=np.int8)
    w = np.clip((lc - SMALL_LC_M) / (LARGE_LC_M - SMALL_LC_M), 0.0, 1.0)
    u = rng.random((2, n))
    z = rng.standard_normal(n)
    use_big = u[0] < w
    mu = np.empty(n)
    sigma = np.empty(n)
    small = ~use_big
    if small.any():
        p = AM_PARAMETERS["small"]
        mu[small] = _piecewise(lam[small], p["mu"])
        sigma[small] = _piecewise(lam[small], p["sigma"])
    for k, name in enumerate(PARENT_TYPES):
        sel = use_big & (code == k)
        if not sel.any():
            continue
        p = AM_PARAMETERS[name]
        ls = lam[sel]
        first = u[1, sel] < _piecewise(ls, p["alpha"])
        mu[sel] = np.where(first, _piecewise(ls, p["mu1"]), _piecewise(ls, p["mu2"]))
        sigma[sel] = np.where(first, _piecewise(ls, p["sigma1"]), _piecewise(ls, p["sigma2"]))
    return mu + sigma * z


def sample_delta_v(log_area_to_mass: np.ndarray, kind: EventKind, rng: np.random.Generator) -> np.ndarray:
    """Ejection velocities (n, 3) in m/s: log10 speed ~ N(a χ + b, 0.4), isotropic direction."""
    chi = np.asarray(log_area_to_mass, dtype=float)
    a, b = DV_EXPLOSION if kind == "explosion" else DV_COLLISION
    n = chi.size
    speed = 10.0 ** (a * chi + b + DV_SIGMA * rng.standard_normal(n))
    u = rng.random((2, n))
    cz = 2.0 * u[0] - 1.0
    phi = 2.0 * math.pi * u[1]
    sz = np.sqrt(1.0 - cz * cz)
    out = np.empty((n, 3))
    out[:, 0] = speed * sz * np.cos(phi)
    out[:, 1] = speed * sz * np.sin(phi)
    out[:, 2] = speed * cz
    return out


# --- the result --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Fragments:
    """One sampled debris cloud (arrays of length :attr:`n`, SI units).

    ``dv_m_s`` is each fragment's ejection velocity relative to its parent, in the frame of
    the parent's velocity vector (isotropic, so any inertial frame); ``parent_index`` says
    which input body it came from (0 = first argument, 1 = second in a collision);
    ``is_remnant`` marks the intact remainder of a non-catastrophic collision.
    """

    kind: str
    lc_m: np.ndarray
    area_to_mass_m2_kg: np.ndarray
    area_m2: np.ndarray
    mass_kg: np.ndarray
    dv_m_s: np.ndarray
    parent_index: np.ndarray
    is_remnant: np.ndarray
    mass_budget_kg: float
    lc_min_m: float
    catastrophic: bool = True
    specific_energy_j_g: float = math.nan
    n_removed_for_mass: int = 0
    n_added_for_mass: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n(self) -> int:
        return int(self.lc_m.size)

    @property
    def total_mass_kg(self) -> float:
        return float(self.mass_kg.sum())

    @property
    def unassigned_mass_kg(self) -> float:
        """Budget not in any sampled fragment (mass in fragments below ``lc_min_m``)."""
        return max(self.mass_budget_kg - self.total_mass_kg, 0.0)

    @property
    def dv_norm_m_s(self) -> np.ndarray:
        return np.linalg.norm(self.dv_m_s, axis=1)

    def count_at_least(self, lc_m: float) -> int:
        return int(np.count_nonzero(self.lc_m >= lc_m))

    def take(self, index) -> "Fragments":
        """A cloud made of a subset of these fragments (same event facts)."""
        pick = lambda a: a[index]
        return Fragments(
            self.kind, pick(self.lc_m), pick(self.area_to_mass_m2_kg), pick(self.area_m2),
            pick(self.mass_kg), pick(self.dv_m_s), pick(self.parent_index), pick(self.is_remnant),
            self.mass_budget_kg, self.lc_min_m, self.catastrophic, self.specific_energy_j_g,
            self.n_removed_for_mass, self.n_added_for_mass, self.notes,
        )


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _positive(name: str, value):
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise BreakupError(f"{name} must be a positive finite number, got {value!r}")
    return arr if arr.shape else float(arr)


def _check_lengths(lc_min_m, lc_max_m):
    lc_min = float(_positive("lc_min_m", lc_min_m))
    if lc_min < 1e-4 or lc_min > 10.0:
        raise BreakupError(
            f"lc_min_m = {lc_min} m is outside the model's range; the NASA model is fitted for "
            "1 mm to a few metres (use 0.1 for the trackable population, 0.01 for 1 cm)"
        )
    lc_max = float(_positive("lc_max_m", lc_max_m))
    if lc_max <= lc_min:
        raise BreakupError(
            f"the largest fragment ({lc_max:.3g} m, the parent's size) must be larger than "
            f"lc_min_m = {lc_min:.3g} m; lower lc_min_m"
        )
    return lc_min, lc_max


def _fill(kind, n, lc_min, lc_max, exponent, codes_for, rng):
    lc = sample_characteristic_length(n, lc_min, lc_max, exponent, rng)
    codes, parent_idx = codes_for(lc)
    chi = sample_log_area_to_mass(lc, codes, rng)
    am = 10.0**chi
    area = area_from_lc(lc)
    return lc, am, area, area / am, parent_idx, chi


def _build(kind, n, lc_min, lc_max, exponent, codes_for, budget_kg, mass_conservation, rng,
           remnant=None, catastrophic=True, energy=math.nan):
    if mass_conservation not in MASS_CONSERVATION:
        raise BreakupError(f"mass_conservation must be one of {MASS_CONSERVATION}, got {mass_conservation!r}")
    lc, am, area, mass, pidx, chi = _fill(kind, n, lc_min, lc_max, exponent, codes_for, rng)
    removed = added = 0
    notes = []
    if mass_conservation != "none":
        cum = np.cumsum(mass)
        if cum.size and cum[-1] > budget_kg:
            # drop the heaviest fragments first: the overshoot comes from the few largest
            # pieces, and dropping them keeps the count law where it was fitted
            order = np.argsort(mass)[::-1]
            excess = cum[-1] - budget_kg
            removed = int(np.searchsorted(np.cumsum(mass[order]), excess, side="left")) + 1
            keep = np.sort(order[removed:])
            lc, am, area, mass, pidx, chi = (a[keep] for a in (lc, am, area, mass, pidx, chi))
            notes.append(f"removed the {removed} heaviest fragments so the cloud is no heavier "
                         f"than its {budget_kg:.6g} kg budget")
        elif mass_conservation == "enforce" and cum.size:
            total = float(cum[-1]) if cum.size else 0.0
            parts = [(lc, am, area, mass, pidx, chi)]
            while total < budget_kg:
                batch = max(64, lc.size // 4)
                extra = _fill(kind, batch, lc_min, lc_max, exponent, codes_for, rng)
                c = total + np.cumsum(extra[3])
                stop = int(np.searchsorted(c, budget_kg, side="right"))
                if stop < batch:
                    extra = tuple(a[:stop] for a in extra)
                    parts.append(extra)
                    total = float(c[stop - 1]) if stop else total
                    added += stop
                    break
                parts.append(extra)
                total = float(c[-1])
                added += batch
            lc, am, area, mass, pidx, chi = (np.concatenate([p[k] for p in parts]) for k in range(6))
            notes.append(f"added {added} fragments to reach the {budget_kg:.6g} kg budget")
    dv = sample_delta_v(chi, kind, rng)
    is_remnant = np.zeros(lc.size, dtype=bool)
    if remnant is not None:
        r_mass, r_parent, r_code = remnant
        r_lc = float(characteristic_length_from_mass(r_mass))
        r_area = float(area_from_lc(r_lc))
        lc = np.append(lc, r_lc)
        am = np.append(am, r_area / r_mass)
        area = np.append(area, r_area)
        mass = np.append(mass, r_mass)
        pidx = np.append(pidx, np.int8(r_parent))
        dv = np.vstack([dv, np.zeros((1, 3))])
        is_remnant = np.append(is_remnant, True)
        notes.append(f"non-catastrophic: the target survives as one {r_mass:.6g} kg remnant")
    return Fragments(kind, lc, am, area, mass, dv, pidx.astype(np.int8), is_remnant, float(budget_kg),
                     lc_min, catastrophic, energy, removed, added, tuple(notes))


def explosion(mass_kg: float, *, parent_type: ParentType = "rocket body", lc_min_m: float = 0.1,
              lc_max_m: float | None = None, scale_factor: float = 1.0,
              mass_conservation: str = "limit", seed=None) -> Fragments:
    """Fragments of one exploding object (J2001 explosion model).

    ``round(N(lc_min) − N(lc_max))`` fragments are drawn, so the number at least ``L`` long
    follows N(≥L) = 6 S L^-1.6 up to the parent size ``lc_max_m`` (default: from the mass,
    :func:`characteristic_length_from_mass`).
    """
    mass = float(_positive("mass_kg", mass_kg))
    code = PARENT_TYPES.index(_parent_key(parent_type))
    lc_max = characteristic_length_from_mass(mass) if lc_max_m is None else lc_max_m
    lc_min, lc_max = _check_lengths(lc_min_m, lc_max)
    n = int(round(explosion_fragment_count(lc_min, scale_factor) - explosion_fragment_count(lc_max, scale_factor)))
    codes_for = lambda lc: (np.full(lc.size, code, np.int8), np.zeros(lc.size, np.int8))
    return _build("explosion", n, lc_min, lc_max, EXPLOSION_EXPONENT, codes_for, mass,
                  mass_conservation, _rng(seed))


def collision(mass1_kg: float, mass2_kg: float, impact_speed_km_s: float, *,
              parent_types: Sequence[ParentType] = ("spacecraft", "spacecraft"),
              lc_min_m: float = 0.1, lc_max_m: Sequence[float] | None = None,
              mass_conservation: str = "limit", seed=None) -> Fragments:
    """Fragments of a collision between bodies 1 and 2 (J2001 collision model).

    Catastrophic (≥ 40 J/g): both bodies break up, M = m1 + m2. Otherwise the projectile
    and M = m_p v² of cratered target break up and the rest of the target is one remnant.
    Fragments longer than the smaller body belong to the larger one; the others are shared
    in proportion to mass (the DLR/ESA convention). Each fragment uses its parent's A/M
    distribution and collision Δv law.
    """
    regime = collision_mass(mass1_kg, mass2_kg, impact_speed_km_s)
    types = [PARENT_TYPES.index(_parent_key(t)) for t in parent_types]
    if len(types) != 2:
        raise BreakupError("parent_types needs two entries, one per body")
    masses = (float(mass1_kg), float(mass2_kg))
    if lc_max_m is None:
        sizes = tuple(float(characteristic_length_from_mass(m)) for m in masses)
    else:
        sizes = tuple(float(_positive("lc_max_m", x)) for x in lc_max_m)
    lc_min, lc_max = _check_lengths(lc_min_m, max(sizes))
    big = 0 if masses[0] >= masses[1] else 1
    small_size = sizes[1 - big]
    share_big = masses[big] / (masses[0] + masses[1])

    def codes_for(lc):
        u = rng.random(lc.size)
        pidx = np.where((lc > small_size) | (u < share_big), big, 1 - big).astype(np.int8)
        return np.asarray(types, np.int8)[pidx], pidx

    rng = _rng(seed)
    n = int(round(collision_fragment_count(lc_min, regime.mass_kg)
                  - collision_fragment_count(lc_max, regime.mass_kg)))
    remnant = None
    if not regime.catastrophic:
        remnant = (masses[big] + masses[1 - big] - regime.mass_kg, big, types[big])
    return _build("collision", max(n, 0), lc_min, lc_max, COLLISION_EXPONENT, codes_for, regime.mass_kg,
                  mass_conservation, rng, remnant, regime.catastrophic, regime.specific_energy_j_g)


__all__ = [
    "Fragments", "CollisionRegime", "BreakupError", "explosion", "collision", "collision_mass",
    "explosion_fragment_count", "collision_fragment_count", "characteristic_length_from_mass",
    "area_from_lc", "am_distribution_parameters", "am_log_mean_std", "sample_characteristic_length",
    "sample_log_area_to_mass", "sample_delta_v", "AM_PARAMETERS", "PARENT_TYPES",
]
