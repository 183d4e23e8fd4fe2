"""Debris clouds as catalog objects: breakup fragments → SGP4 element sets, and how a cloud
spreads (Gabbard diagram, J2 plane drift, encounter rate of the satellites near it).

Pipeline of :func:`explode` / :func:`collide`:

1. the parent's TEME state at the event time from SGP4;
2. fragments from :mod:`.breakup` (NASA standard breakup model), each with an isotropic
   ejection Δv added to its parent's velocity (position unchanged);
3. SGP4 mean elements of every fragment at the event time by inverting SGP4
   (:mod:`.meanelements`; residuals in metres are kept), B* from each fragment's A/M with
   :func:`.lifetime.bstar_per_earth_radius`;
4. fragments on escape or re-entry orbits are counted and left out of the catalog.

Generated objects are marked by three things: catalog numbers from
:data:`GENERATED_ID_BASE` up (far outside the 5-digit/Alpha-5 range of real objects),
names ending in ``(GEN)`` (``FENGYUN 1C DEB (GEN)``), and one :class:`GeneratedInfo`
per object that names its parent(s) and event — the record the database stores next to
:class:`~spacesweepers.catalog.elements.ObjectMetadata`, so every command can say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..catalog.elements import ElementSet, ObjectMetadata
from ..errors import SweepersError
from ..time import Time
from ..units import J2_EARTH, WGS72_MU_KM3_S2, WGS72_RE_KM
from . import breakup as _bm
from .lifetime import bstar_per_earth_radius
from .meanelements import (
    STATUS, mean_elements_from_states, rv_to_equinoctial, states_from_element_sets, _wrap,
)

GENERATED_ID_BASE = 800_000
GENERATED_SUFFIX = " (GEN)"

# Documented fallbacks for objects whose mass is unknown (our assumption, stated in
# docs/population.md): by SATCAT object type, or from a radar cross-section through the
# NASA model's size/density relation.
DEFAULT_MASS_KG = {"PAYLOAD": 1000.0, "ROCKET BODY": 1500.0, "DEBRIS": 5.0, "UNKNOWN": 100.0}


class CloudError(SweepersError, ValueError):
    """A what-if breakup that cannot be computed as asked."""


def estimate_mass_kg(object_type: str | None = None, rcs_m2: float | None = None) -> tuple[float, str]:
    """A mass for an object whose mass is unknown, and a sentence saying how it was made.

    With a radar cross-section: the size ``Lc = 2 √(RCS/π)`` and the NASA breakup model's
    bulk density ``92.937 Lc^-0.74 kg/m³`` of a sphere (J2001 eq. 1). Otherwise a round
    figure per SATCAT type (:data:`DEFAULT_MASS_KG`).
    """
    if rcs_m2 is not None and rcs_m2 > 0:
        lc = 2.0 * math.sqrt(rcs_m2 / math.pi)
        m = math.pi / 6.0 * lc**3 * _bm.DENSITY_COEFF_KG_M3 * lc**_bm.DENSITY_EXPONENT
        return m, (f"mass unknown: estimated {m:.0f} kg from RCS {rcs_m2:g} m² "
                   "(sphere of the NASA breakup model's bulk density)")
    t = (object_type or "UNKNOWN").upper()
    m = DEFAULT_MASS_KG.get(t, DEFAULT_MASS_KG["UNKNOWN"])
    return m, f"mass unknown: assumed {m:.0f} kg, the default for a {t.lower()} (give --mass to override)"


@dataclass(frozen=True)
class Body:
    """One object that breaks up: its element set and what the breakup model needs."""

    element_set: ElementSet
    mass_kg: float | None = None
    object_type: str | None = None  # SATCAT type; ROCKET BODY uses the upper-stage A/M laws
    name: str | None = None
    rcs_m2: float | None = None

    @property
    def label(self) -> str:
        return (self.name or self.element_set.name or f"OBJECT {self.element_set.norad_id}").strip()


@dataclass(frozen=True)
class GeneratedInfo:
    """What the database keeps about one generated object (fragment)."""

    norad_id: int
    event_id: str
    event_kind: str  # "explosion" | "collision" | "intact" (a generated intact object)
    event_epoch_utc: str
    parent_ids: tuple[int, ...]
    parent_index: int
    lc_m: float
    area_to_mass_m2_kg: float
    mass_kg: float
    dv_m_s: float

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True, eq=False)
class Cloud:
    """A generated debris cloud, ready to store: element sets, metadata and
    :class:`GeneratedInfo` in the same order, plus the event facts and statistics."""

    event_id: str
    kind: str
    epoch: Time
    parents: tuple[Body, ...]
    element_sets: list[ElementSet]
    metadata: list[ObjectMetadata]
    generated: list[GeneratedInfo]
    fragments: "_bm.Fragments"  # all sampled fragments, catalogued or not
    status: np.ndarray  # per sampled fragment, see meanelements.STATUS
    residual_position_m: np.ndarray
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n(self) -> int:
        return len(self.element_sets)

    def summary(self) -> dict:
        counts = {STATUS[k]: int(np.count_nonzero(self.status == k)) for k in STATUS if np.any(self.status == k)}
        ok = self.status == 0
        return {
            "event_id": self.event_id,
            "kind": self.kind,
            "epoch": self.epoch.utc_iso,
            "parents": [b.element_set.norad_id for b in self.parents],
            "catastrophic": self.fragments.catastrophic,
            "specific_energy_j_g": self.fragments.specific_energy_j_g,
            "fragments_sampled": self.fragments.n,
            "fragments_catalogued": self.n,
            "lc_min_m": self.fragments.lc_min_m,
            "status_counts": counts,
            "mass_budget_kg": self.fragments.mass_budget_kg,
            "fragment_mass_kg": self.fragments.total_mass_kg,
            "max_residual_position_m": float(np.nanmax(self.residual_position_m[ok])) if ok.any() else None,
            "notes": list(self.notes),
        }


def _body(b) -> Body:
    if isinstance(b, Body):
        return b
    if isinstance(b, ElementSet):
        return Body(b)
    raise CloudError(f"expected an ElementSet or a Body, got {type(b).__name__}")


def _mass(body: Body, notes: list) -> float:
    if body.mass_kg is None:
        m, why = estimate_mass_kg(body.object_type, body.rcs_m2)
        notes.append(f"{body.label}: {why}")
        return m
    if not (body.mass_kg > 0 and math.isfinite(body.mass_kg)):
        raise CloudError(f"{body.label}: mass must be a positive number of kg, got {body.mass_kg}")
    return float(body.mass_kg)


def _parent_type(body: Body) -> str:
    t = (body.object_type or "").upper()
    if not t:
        from ..catalog.elements import object_type_from_name

        t = object_type_from_name(body.label)
    return "rocket body" if t == "ROCKET BODY" else "spacecraft"


def _state(es: ElementSet, t: Time):
    r, v, err = states_from_element_sets([es], t)
    if err[0] != 0:
        raise CloudError(
            f"{es.name or es.norad_id}: SGP4 cannot propagate this object to {t.utc_iso} "
            f"(sgp4 error {int(err[0])}); pick a time closer to its epoch {es.epoch.utc_iso}"
        )
    return r[0], v[0]


def _event_id(kind: str, bodies, t: Time) -> str:
    ids = "-".join(str(b.element_set.norad_id) for b in bodies)
    return f"{kind[:4].upper()}-{ids}-{t.iso(0)[:19].replace(':', '').replace('-', '')}"


def _catalogue(kind, bodies, frags: "_bm.Fragments", t: Time, first_id: int, notes: list,
               event_id: str | None, name_prefix: str | None) -> Cloud:
    states = [_state(b.element_set, t) for b in bodies]
    pidx = frags.parent_index.astype(int)
    r0 = np.array([s[0] for s in states])[pidx]
    v0 = np.array([s[1] for s in states])[pidx]
    v = v0 + frags.dv_m_s * 1e-3
    # first guess: parent's mean elements at t plus the fragment-minus-parent osculating change
    parent_mean = mean_elements_from_states(np.array([s[0] for s in states]), np.array([s[1] for s in states]), t)
    y_par_osc = rv_to_equinoctial(np.array([s[0] for s in states]), np.array([s[1] for s in states]))
    y_frag = rv_to_equinoctial(r0, v)
    guess = parent_mean.equinoctial[pidx] + _wrap(y_frag - y_par_osc[pidx])
    ecc = np.hypot(y_frag[:, 1], y_frag[:, 2])
    perigee = y_frag[:, 0] * (1 - ecc) - WGS72_RE_KM
    with np.errstate(invalid="ignore"):
        bstar = np.nan_to_num(bstar_per_earth_radius(frags.area_to_mass_m2_kg, np.where(np.isfinite(perigee), perigee, 500.0)))
    bstar = np.minimum(bstar, 1.0)  # SGP4 handles B* up to order 1/ER; cap pathological HAMR values
    me = mean_elements_from_states(r0, v, t, bstar, first_guess=guess)
    eid = event_id or _event_id(kind, bodies, t)
    ok = np.flatnonzero(me.ok)
    ids = first_id + np.arange(ok.size)
    # a generated parent's label already ends in ' (GEN)': strip it, or fragments get two
    labels = [_without_suffix(name_prefix or b.label) for b in bodies]
    names = [f"{labels[p]} DEB{GENERATED_SUFFIX}" if not frags.is_remnant[p_i] else f"{labels[p]}{GENERATED_SUFFIX}"
             for p_i, p in zip(ok, pidx[ok])]
    # fragments carry their parent's launch designator without the piece letters
    designators = [bodies[p].element_set.intl_designator.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for p in pidx[ok]]
    sub = _take_mean(me, ok)
    element_sets = sub.element_sets(ids, names, designators, source=f"generated:{eid}")
    parent_ids = tuple(b.element_set.norad_id for b in bodies)
    dvn = frags.dv_norm_m_s
    metadata, generated = [], []
    epoch_iso = t.utc_iso
    for j, k in enumerate(ok):
        nid = int(ids[j])
        metadata.append(ObjectMetadata(nid, name=names[j], intl_designator=designators[j] or None,
                                       object_type="DEBRIS", source=f"generated:{eid}"))
        generated.append(GeneratedInfo(nid, eid, kind, epoch_iso, parent_ids, int(pidx[k]), float(frags.lc_m[k]),
                                       float(frags.area_to_mass_m2_kg[k]), float(frags.mass_kg[k]), float(dvn[k])))
    lost = frags.n - ok.size
    if lost:
        notes.append(f"{lost} of {frags.n} fragments are not catalogued (re-entry, escape or no SGP4 fit)")
    return Cloud(eid, kind, t, tuple(bodies), element_sets, metadata, generated, frags, me.status,
                 me.residual_position_m, tuple(list(frags.notes) + notes))


def _without_suffix(label: str) -> str:
    return label[: -len(GENERATED_SUFFIX)].rstrip() if label.endswith(GENERATED_SUFFIX) else label


def _take_mean(me, idx):
    from .meanelements import MeanElements

    return MeanElements(me.epoch, me.equinoctial[idx], me.bstar_per_earth_radius[idx], me.status[idx],
                        me.residual_position_m[idx], me.residual_velocity_mm_s[idx], me.iterations)


def _event_time(bodies, at) -> Time:
    if at is None:
        return bodies[0].element_set.epoch
    from ..time import as_time

    return as_time(at)


def explode(parent, *, at=None, lc_min_m: float = 0.1, scale_factor: float = 1.0, seed=None,
            first_norad_id: int = GENERATED_ID_BASE, event_id: str | None = None,
            name_prefix: str | None = None, mass_conservation: str = "limit") -> Cloud:
    """What if ``parent`` (an :class:`ElementSet` or :class:`Body`) explodes at ``at``
    (default: its epoch)? Fragments down to ``lc_min_m`` (default 10 cm, trackable)."""
    body = _body(parent)
    notes: list[str] = []
    t = _event_time([body], at)
    mass = _mass(body, notes)
    frags = _bm.explosion(mass, parent_type=_parent_type(body), lc_min_m=lc_min_m, scale_factor=scale_factor,
                          mass_conservation=mass_conservation, seed=seed)
    return _catalogue("explosion", [body], frags, t, first_norad_id, notes, event_id, name_prefix)


def collide(body1, body2, *, at=None, impact_speed_km_s: float | None = None, lc_min_m: float = 0.1, seed=None,
            first_norad_id: int = GENERATED_ID_BASE, event_id: str | None = None,
            mass_conservation: str = "limit") -> Cloud:
    """What if two objects collide at ``at`` (their TCA)? The impact speed is the relative
    speed of their SGP4 states at that time unless given (e.g. for a ground-launched
    interceptor, whose orbit is not in the catalog). Each fragment leaves from its own
    parent's position and velocity."""
    b1, b2 = _body(body1), _body(body2)
    if b1.element_set.norad_id == b2.element_set.norad_id:
        raise CloudError("an object cannot collide with itself; give two different catalog numbers")
    notes: list[str] = []
    t = _event_time([b1, b2], at)
    m1, m2 = _mass(b1, notes), _mass(b2, notes)
    if impact_speed_km_s is None:
        (r1, v1), (r2, v2) = _state(b1.element_set, t), _state(b2.element_set, t)
        impact_speed_km_s = float(np.linalg.norm(v1 - v2))
        miss = float(np.linalg.norm(r1 - r2))
        notes.append(f"impact speed {impact_speed_km_s:.3f} km/s from the two SGP4 states; "
                     f"their separation at that time is {miss:.3f} km")
        if impact_speed_km_s < 1e-3:
            raise CloudError("the two objects move together at that time (relative speed < 1 m/s); "
                             "give the TCA of a real conjunction")
    frags = _bm.collision(m1, m2, impact_speed_km_s, parent_types=(_parent_type(b1), _parent_type(b2)),
                          lc_min_m=lc_min_m, mass_conservation=mass_conservation, seed=seed)
    return _catalogue("collision", [b1, b2], frags, t, first_norad_id, notes, event_id, None)


def intercept(target, *, interceptor_mass_kg: float, impact_speed_km_s: float, at=None,
              lc_min_m: float = 0.1, seed=None, first_norad_id: int = GENERATED_ID_BASE,
              event_id: str | None = None, mass_conservation: str = "limit") -> Cloud:
    """A direct-ascent interceptor (not in orbit) hits ``target``: the NASA collision model
    with the interceptor as projectile; every fragment leaves from the target's state (the
    interceptor's own momentum, which skews real clouds, is not modelled)."""
    from dataclasses import replace

    body = _body(target)
    notes: list[str] = [f"interceptor of {interceptor_mass_kg:g} kg at {impact_speed_km_s:g} km/s (not catalogued)"]
    t = _event_time([body], at)
    m = _mass(body, notes)
    frags = _bm.collision(m, interceptor_mass_kg, impact_speed_km_s, parent_types=(_parent_type(body), "spacecraft"),
                          lc_min_m=lc_min_m, mass_conservation=mass_conservation, seed=seed)
    frags = replace(frags, parent_index=np.zeros(frags.n, np.int8))
    return _catalogue("collision", [body], frags, t, first_norad_id, notes, event_id, None)


# --- how a cloud spreads ---------------------------------------------------------------------
def osculating_elements(element_sets, t: Time) -> dict[str, np.ndarray]:
    """Osculating period (min), apogee and perigee altitude (km), inclination, RAAN (deg)
    and SGP4 error code of each element set at ``t`` (for Gabbard diagrams)."""
    from .meanelements import equinoctial_to_classical

    r, v, err = states_from_element_sets(element_sets, t)
    c = equinoctial_to_classical(rv_to_equinoctial(r, v))
    a, e = c["a"], c["e"]
    with np.errstate(invalid="ignore"):
        period = 2 * math.pi * np.sqrt(a**3 / WGS72_MU_KM3_S2) / 60.0
    bad = err != 0
    out = {"period_min": period, "apogee_km": a * (1 + e) - WGS72_RE_KM, "perigee_km": a * (1 - e) - WGS72_RE_KM,
           "inclination_deg": np.degrees(c["i"]), "raan_deg": np.degrees(c["raan"])}
    for k in out:
        out[k] = np.where(bad, np.nan, out[k])
    out["error"] = err
    return out


def gabbard(element_sets, times) -> list[dict[str, np.ndarray]]:
    """Gabbard diagram data (apogee/perigee vs period) of a cloud at each of ``times``."""
    return [osculating_elements(element_sets, t) for t in times]


def j2_raan_rate_deg_day(element_sets) -> np.ndarray:
    """Secular nodal drift dΩ/dt = −3/2 n J2 (Re/p)² cos i of each element set (deg/day)."""
    n = np.array([es.mean_motion_rev_day for es in element_sets]) * 360.0  # deg/day
    a = np.array([es.semi_major_axis_km for es in element_sets])
    e = np.array([es.eccentricity for es in element_sets])
    i = np.radians([es.inclination_deg for es in element_sets])
    p = a * (1 - e**2)
    return -1.5 * n * J2_EARTH * (WGS72_RE_KM / p) ** 2 * np.cos(i)


def plane_spread_deg(element_sets, days) -> np.ndarray:
    """Spread of the orbital planes after ``days`` (array): the circular standard deviation
    of the right ascensions of the nodes, advanced by their J2 drift (deg). A cloud becomes
    a shell around the Earth when this approaches 100°+ (uniform nodes give about 104°)."""
    raan0 = np.radians([es.raan_deg for es in element_sets])
    rate = np.radians(j2_raan_rate_deg_day(element_sets))
    days = np.atleast_1d(np.asarray(days, float))
    node = raan0[None, :] + rate[None, :] * days[:, None]
    R = np.abs(np.mean(np.exp(1j * node), axis=1))
    return np.degrees(np.sqrt(-2.0 * np.log(np.clip(R, 1e-12, 1.0))))


def radial_density_per_km3(element_sets, altitudes_km, dh_km: float = 10.0) -> np.ndarray:
    """Time-averaged number density (objects/km³) of ``element_sets`` in spherical shells
    centred on ``altitudes_km`` (width ``dh_km``), once the planes have spread (a shell).
    An orbit from r_p to r_a spends a fraction ∝ r / √((r − r_p)(r_a − r)) of its time at
    radius r; the fraction in each shell is integrated exactly (arcsine law)."""
    a = np.array([es.semi_major_axis_km for es in element_sets])
    e = np.array([es.eccentricity for es in element_sets])
    rp, ra = a * (1 - e), a * (1 + e)
    h = np.atleast_1d(np.asarray(altitudes_km, float))
    lo, hi = WGS72_RE_KM + h - dh_km / 2, WGS72_RE_KM + h + dh_km / 2

    def frac_below(r):  # fraction of time at radius < r (Kepler: r = a(1 - e cos E), M = E - e sin E)
        with np.errstate(invalid="ignore", divide="ignore"):
            cosE = np.clip((1 - r[:, None] / a[None, :]) / np.where(e > 0, e, 1.0)[None, :], -1, 1)
            E = np.arccos(cosE)
            f = (E - e[None, :] * np.sin(E)) / math.pi
        circ = (e[None, :] == 0)
        f = np.where(circ, (r[:, None] >= a[None, :]).astype(float), f)
        return np.where(r[:, None] <= rp[None, :], 0.0, np.where(r[:, None] >= ra[None, :], 1.0, f))

    frac = frac_below(hi) - frac_below(lo)
    vol = 4.0 / 3.0 * math.pi * (hi**3 - lo**3)
    return frac.sum(axis=1) / vol


def encounter_rate_per_year(cloud_sets, satellite_altitudes_km, *, radius_km: float = 1.0,
                            v_rel_km_s: float = 10.0) -> np.ndarray:
    """Expected number of passes closer than ``radius_km`` per year between a satellite at
    each altitude and the cloud, by the kinetic-gas estimate ``density × π R² × v_rel``
    (after plane spreading; a screening run gives the exact figure)."""
    dens = radial_density_per_km3(cloud_sets, satellite_altitudes_km)
    return dens * math.pi * radius_km**2 * v_rel_km_s * 86400.0 * 365.25


def plot_gabbard(element_sets, times, path, title: str = "") -> None:
    """Write a PNG Gabbard diagram (apogee and perigee vs period) for several times."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    times = list(times)
    fig, axes = plt.subplots(1, len(times), figsize=(4.2 * len(times), 4), sharey=True, squeeze=False)
    t0 = times[0]
    for ax, t, d in zip(axes[0], times, gabbard(element_sets, times)):
        ax.scatter(d["period_min"], d["apogee_km"], s=2, c="tab:red", label="apogee")
        ax.scatter(d["period_min"], d["perigee_km"], s=2, c="tab:blue", label="perigee")
        ax.set_xlabel("period (min)")
        ax.set_title(f"+{t.seconds_since(t0) / 86400:.0f} d")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("altitude (km)")
    axes[0][0].legend(loc="upper left", markerscale=4)
    fig.suptitle(title or "Gabbard diagram (generated)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


__all__ = [
    "Cloud", "Body", "GeneratedInfo", "CloudError", "explode", "collide", "intercept", "estimate_mass_kg",
    "osculating_elements", "gabbard", "j2_raan_rate_deg_day", "plane_spread_deg",
    "radial_density_per_km3", "encounter_rate_per_year", "plot_gabbard", "GENERATED_ID_BASE",
    "GENERATED_SUFFIX", "DEFAULT_MASS_KG",
]
