"""Which junk to sweep first: a criticality index per object.

In the spirit of ESA's environmental index (Letizia, Colombo, Lewis et al. 2016–2018: collision
probability × consequence of the resulting fragments for the environment) and of McKnight et
al. 2021 ("Identifying the 50 statistically-most-concerning derelict objects in LEO", Acta
Astronautica 181: mass, collision rate from the local density, persistence, and the operational
satellites that the debris would threaten), for every object:

* **mass** ``m`` (kg): NASA CARA's mass estimate (``size_estimates``) when it has one (for a
  generated object, the mass its generator stored there, labelled ``generated``); else from
  the RCS class through the NASA breakup model's size–density relation
  (:func:`spacesweepers.population.clouds.estimate_mass_kg`, RCS SMALL/MEDIUM/LARGE taken as
  0.05/0.5/5 m²); else the round figure per object type of that function.
* **collision rate** ``λ`` (1/yr): kinetic-gas estimate ``λ = ρ̄ · v_rel · π R_c²`` with ``ρ̄`` the
  catalog's number density averaged over the object's orbit (time at each radius, Kepler), ``R_c``
  the object's hard-body radius + 0.5 m (a typical partner), ``v_rel`` 10 km/s (perigee below
  2,000 km), 0.5 km/s (GEO belt) or 3 km/s (other). When a screening result is given, objects
  that appear in it use the observed rate instead: ``λ = Σ_events (HBR_event / d)² / T`` — every
  close approach within ``d`` hits with probability ``(R/d)²`` for misses spread evenly over the
  disc of radius ``d``.
* **remaining lifetime** ``τ`` (yr): drag estimate of :func:`spacesweepers.population.lifetime.
  lifetime_years` with ``B = 2.2 · π HBR² / m`` when CARA gives the HBR, else ``2.2 · A/M`` with
  A/M 0.01 m²/kg for payloads and rocket bodies, 0.1 for debris, 0.03 unknown
  (:data:`AM_DEFAULT_M2_KG`); persistence counts up to 100 years.
* **collision probability over its remaining life**: ``P = 1 − exp(−λ · min(τ, 100 yr))``.
* **consequence**: fragments ≥ 10 cm of a catastrophic breakup, NASA standard breakup model
  ``N = 0.1 m^0.75 L_c^−1.71`` at ``L_c`` = 0.1 m (Johnson et al. 2001), times the density of
  payloads (operational satellites, as far as the catalog tells) averaged over the object's
  orbit, relative to the highest payload density anywhere (``w_pay`` in 0…1).

``index = P · N · w_pay`` — the expected number of trackable fragments it will add, weighted by
how crowded with payloads its orbit is. The ``rank`` orders the catalog by it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..units import WGS72_MU_KM3_S2, WGS72_RE_KM

RCS_CLASS_M2 = {"SMALL": 0.05, "MEDIUM": 0.5, "LARGE": 5.0}
#: A/M (m²/kg) for the drag lifetime when the CARA table has no HBR: intact objects ~0.01,
#: fragments ~0.1 (NASA breakup model, 10-cm class), unknown in between.
AM_DEFAULT_M2_KG = {"PAYLOAD": 0.01, "ROCKET BODY": 0.01, "DEBRIS": 0.1, "UNKNOWN": 0.03}
PERSISTENCE_CAP_YR = 100.0
LC_M = 0.1
YEAR_S = 365.25 * 86400.0


def _vrel_km_s(rp_km, ra_km):
    hp, ha = rp_km - WGS72_RE_KM, ra_km - WGS72_RE_KM
    geo = (np.abs(hp - 35786) < 500) & (np.abs(ha - 35786) < 500)
    return np.where(hp < 2000, 10.0, np.where(geo, 0.5, 3.0))


def _orbit_average(profile_r_km, profile, a, e, n_e: int = 48):
    """Time average of a radial profile over Kepler orbits (a, e arrays): sample the eccentric
    anomaly, weight by dM = (1 − e cos E) dE."""
    E = (np.arange(n_e) + 0.5) * (2 * np.pi / n_e)
    r = a[:, None] * (1 - e[:, None] * np.cos(E)[None, :])
    w = 1 - e[:, None] * np.cos(E)[None, :]
    vals = np.interp(r, profile_r_km, profile, left=0.0, right=0.0)
    return (vals * w).sum(1) / w.sum(1)


def _density_profile(a, e, r_grid, dr):
    """Number density (1/km³) in spherical shells of width ``dr`` centred on ``r_grid``."""
    rp, ra = a * (1 - e), a * (1 + e)
    lo, hi = r_grid - dr / 2, r_grid + dr / 2

    def frac_below(r):
        out = np.zeros(len(r))
        for k in range(0, len(a), 4000):
            aa, ee, pp, qq = a[k:k + 4000], e[k:k + 4000], rp[k:k + 4000], ra[k:k + 4000]
            with np.errstate(invalid="ignore", divide="ignore"):
                cosE = np.clip((1 - r[:, None] / aa[None, :]) / np.where(ee > 0, ee, 1.0)[None, :], -1, 1)
                Ea = np.arccos(cosE)
                f = (Ea - ee[None, :] * np.sin(Ea)) / math.pi
            f = np.where(ee[None, :] == 0, (r[:, None] >= aa[None, :]).astype(float), f)
            f = np.where(r[:, None] <= pp[None, :], 0.0, np.where(r[:, None] >= qq[None, :], 1.0, f))
            out += np.nansum(f, axis=1)
        return out

    return (frac_below(hi) - frac_below(lo)) / (4.0 / 3.0 * math.pi * (hi**3 - lo**3))


@dataclass
class CriticalityTable:
    """One row per object (arrays), sorted by ``rank`` (1 = most critical)."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["norad_id"])

    def __getitem__(self, key: str) -> np.ndarray:
        return self.columns[key]

    def top(self, n: int) -> "CriticalityTable":
        return CriticalityTable({k: v[:n] for k, v in self.columns.items()})

    def rows(self) -> list[dict]:
        out = []
        for k in range(len(self)):
            row = {}
            for name, col in self.columns.items():
                x = col[k]
                row[name] = x.item() if hasattr(x, "item") else x
            out.append(row)
        return out

    def why(self, k: int) -> str:
        """One line that says what drives the index of row ``k``."""
        c = self.columns
        life = c["lifetime_yr"][k]
        life_s = "> 10,000 yr" if not np.isfinite(life) else f"{life:.3g} yr"
        return (f"{c['mass_kg'][k]:.0f} kg ({c['mass_source'][k]}) → {c['fragments_10cm'][k]:.0f} fragments ≥10 cm; "
                f"λ = {c['collision_rate_per_yr'][k]:.2e}/yr ({c['rate_source'][k]}), lifetime {life_s} → "
                f"P = {c['p_collision_life'][k]:.2e}; payload density ×{c['payload_weight'][k]:.2f}")

    def plot(self, path, n_label: int = 10, title: str = "Criticality index vs altitude") -> None:
        """PNG: index vs mean altitude, marker area by mass, top ``n_label`` labelled."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        c = self.columns
        alt = 0.5 * (c["perigee_km"] + c["apogee_km"])
        idx = c["index"]
        keep = idx > 0
        fig, ax = plt.subplots(figsize=(9, 5.5))
        types = c["object_type"]
        for t, col in (("ROCKET BODY", "tab:red"), ("PAYLOAD", "tab:blue"), ("DEBRIS", "tab:gray"), ("UNKNOWN", "tab:olive")):
            m = keep & (types == t)
            if m.any():
                ax.scatter(alt[m], idx[m], s=np.clip(np.sqrt(c["mass_kg"][m]), 1, 120), c=col, alpha=0.5, label=t,
                           edgecolors="none")
        for k in range(min(n_label, len(self))):
            if idx[k] > 0:
                ax.annotate(str(c["norad_id"][k]), (alt[k], idx[k]), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.set_yscale("log")
        ax.set_xlim(150, 2100)
        ax.set_xlabel("mean altitude (km)")
        ax.set_ylabel("criticality index (expected ≥10 cm fragments × payload-density weight)")
        ax.set_title(title + " — marker area ∝ √mass")
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=130)
        plt.close(fig)


def criticality(store_or_elements, *, as_of=None, screening=None, sizes: dict | None = None,
                rcs: dict | None = None, object_types: dict | None = None, names: dict | None = None,
                f107: float = 150.0) -> CriticalityTable:
    """Criticality index of every object (see the module notes for the formula and sources).

    ``store_or_elements``: a :class:`~spacesweepers.catalog.store.Store` (latest element sets as
    of ``as_of``, CARA sizes/masses, RCS classes, object types and names are read from it) or a
    sequence of ElementSets (then ``sizes``/``rcs``/``object_types``/``names`` dicts by NORAD id
    may be given). ``screening``: a :class:`~.screening.ScreeningResult` whose events give the
    observed collision rate of the objects in it.
    """
    from ..catalog.elements import object_type_from_name
    from ..population.clouds import DEFAULT_MASS_KG, estimate_mass_kg
    from ..population.lifetime import lifetime_years
    from .hbr import object_hbr

    if hasattr(store_or_elements, "latest"):
        from .screening import store_inputs

        store = store_or_elements
        elements = store.latest(as_of)
        s_sizes, s_rcs, s_names = store_inputs(store, [e.norad_id for e in elements])
        from ..cli._common import object_types as _types

        types = dict(zip([e.norad_id for e in elements], _types(store, [e.norad_id for e in elements])))
        sizes, rcs, names = {**s_sizes, **(sizes or {})}, {**s_rcs, **(rcs or {})}, {**s_names, **(names or {})}
        object_types = {**types, **(object_types or {})}
    else:
        elements = list(getattr(store_or_elements, "element_sets", store_or_elements))
    sizes, rcs, names, object_types = sizes or {}, rcs or {}, names or {}, object_types or {}
    ids = np.array([e.norad_id for e in elements], np.int64)
    n_rad_s = np.array([e.mean_motion_rev_day for e in elements]) * 2 * np.pi / 86400.0
    e = np.clip(np.array([e_.eccentricity for e_ in elements]), 0.0, 0.999)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(n_rad_s > 0, (WGS72_MU_KM3_S2 / n_rad_s**2) ** (1 / 3), np.nan)
    a = np.nan_to_num(a, nan=WGS72_RE_KM)
    rp, ra = a * (1 - e), a * (1 + e)
    otype = np.array([(object_types.get(int(i)) or object_type_from_name(el.name or "")) for i, el in zip(ids, elements)],
                     dtype=object)
    # mass and HBR
    mass = np.empty(len(ids))
    msrc = np.empty(len(ids), dtype=object)
    hbr = np.empty(len(ids))
    for k, nid in enumerate(ids.tolist()):
        sz = sizes.get(nid)
        oh = object_hbr(sz, rcs.get(nid))
        hbr[k] = oh.hbr_m
        if sz is not None and sz.mass_kg is not None and math.isfinite(sz.mass_kg) and sz.mass_kg > 0:
            # generated objects carry their breakup-model or preset mass in the same table
            mass[k], msrc[k] = sz.mass_kg, ("generated" if (sz.mass_source or "").startswith("generated")
                                            else "CARA table")
        elif rcs.get(nid) in RCS_CLASS_M2:
            mass[k] = estimate_mass_kg(otype[k], RCS_CLASS_M2[rcs[nid]])[0]
            msrc[k] = f"RCS {rcs[nid]}"
        else:
            mass[k] = DEFAULT_MASS_KG.get(str(otype[k]), DEFAULT_MASS_KG["UNKNOWN"])
            msrc[k] = f"{str(otype[k]).lower()} default"
    # densities: all objects and payloads, in shells (10 km to 2,500 km altitude, 100 km above)
    r_lo = np.arange(WGS72_RE_KM + 100, WGS72_RE_KM + 2500, 10.0)
    r_hi = np.arange(WGS72_RE_KM + 2500, WGS72_RE_KM + 45000, 100.0)
    dens = np.concatenate([_density_profile(a, e, r_lo, 10.0), _density_profile(a, e, r_hi, 100.0)])
    pay = otype == "PAYLOAD"
    dens_p = np.concatenate([_density_profile(a[pay], e[pay], r_lo, 10.0), _density_profile(a[pay], e[pay], r_hi, 100.0)])
    r_grid = np.concatenate([r_lo, r_hi])
    rho = _orbit_average(r_grid, dens, a, e)
    rho_p = _orbit_average(r_grid, dens_p, a, e)
    w_pay = rho_p / dens_p.max() if dens_p.max() > 0 else np.zeros(len(ids))
    rc_km = (hbr + 0.5) / 1e3
    lam = rho * _vrel_km_s(rp, ra) * np.pi * rc_km**2 * YEAR_S
    rate_src = np.array(["density"] * len(ids), dtype=object)
    if screening is not None and len(screening):
        T_yr = screening.duration_s / YEAR_S
        contrib = (screening.table["hbr_m"] / 1e3 / screening.threshold_km) ** 2 / T_yr
        obs: dict[int, float] = {}
        for col in ("primary", "secondary"):
            for nid, c in zip(screening.table[col].tolist(), contrib.tolist()):
                obs[nid] = obs.get(nid, 0.0) + c
        pos = {nid: k for k, nid in enumerate(ids.tolist())}
        screened = set(screening.stats.get("screened_ids", [])) or None
        for nid, val in obs.items():
            if nid in pos:
                lam[pos[nid]] = val
                rate_src[pos[nid]] = "screening"
        if screened:
            for nid in screened - set(obs):
                if nid in pos:
                    lam[pos[nid]] = 0.0
                    rate_src[pos[nid]] = "screening (no events)"
    # area for drag: π HBR² where CARA gives the HBR, else a typical A/M per type
    am_default = np.array([AM_DEFAULT_M2_KG.get(str(t), AM_DEFAULT_M2_KG["UNKNOWN"]) for t in otype])
    cara_hbr = np.array([(sizes.get(int(i)) is not None and sizes[int(i)].hbr_m is not None) for i in ids], bool)
    B = 2.2 * np.where(cara_hbr, np.pi * hbr**2 / mass, am_default)
    life = lifetime_years(np.maximum(rp - WGS72_RE_KM, 0.0), np.maximum(ra - WGS72_RE_KM, 0.0), B, f107=f107)
    life = np.where(np.isnan(life), 0.0, life)
    p_life = -np.expm1(-lam * np.minimum(life, PERSISTENCE_CAP_YR))
    frags = 0.1 * mass**0.75 * LC_M**-1.71
    index = p_life * frags * w_pay
    order = np.lexsort((ids, -index))
    cols = {
        "rank": np.arange(1, len(ids) + 1), "norad_id": ids, "name": np.array([names.get(int(i)) or el.name or "" for i, el in
                                                                                zip(ids, elements)], dtype=object),
        "object_type": otype, "perigee_km": rp - WGS72_RE_KM, "apogee_km": ra - WGS72_RE_KM, "mass_kg": mass,
        "mass_source": msrc, "hbr_m": hbr, "collision_rate_per_yr": lam, "rate_source": rate_src, "lifetime_yr": life,
        "p_collision_life": p_life, "fragments_10cm": frags, "payload_weight": w_pay, "index": index,
    }
    cols = {k: (v if k == "rank" else np.asarray(v)[order]) for k, v in cols.items()}
    return CriticalityTable(cols)


__all__ = ["criticality", "CriticalityTable", "RCS_CLASS_M2"]
