"""Deterministic generated populations for offline use and scale tests.

``demo`` (:func:`demo_population`) is a realistic, reproducible catalog of a few thousand
objects, every one of them generated and labelled so (names end in ``(GEN)``, catalog
numbers from :data:`~.clouds.GENERATED_ID_BASE`):

* intact objects on published orbits — sun-synchronous satellites (inclination from the
  sun-synchronous condition), constellation shells (Starlink Gen1 shells 550 km/53.0°,
  540 km/53.2°, 570 km/70°, 560 km/97.6° from SpaceX's FCC filings; OneWeb 1,200 km/87.9°),
  GPS-like MEO (20,180 km, 55°, six planes), the geostationary belt (35,786 km) and GTO
  rocket bodies (250 × 35,786 km at 6° and 27°), plus the old LEO rocket-body families
  (SL-16 at 840 km/71°, SL-8 at 760 km/74° and 82.9°);
* the clouds of three historical breakups from their published parent orbits and masses:
  Fengyun-1C (ASAT, 2007-01-11 22:26 UTC, 865 × 845 km, 98.65°, 880 kg, 9.36 km/s,
  interceptor assumed 35 kg;
  Pardini & Anselmo 2009), Iridium 33 × Cosmos 2251 (2009-02-10 16:56 UTC, 789 km,
  86.4° and 74.0°, 560 kg and 900 kg, 11.7 km/s; Kelso 2009) and Cosmos 1408 (ASAT,
  2021-11-15 02:47 UTC, 490 × 465 km, 82.56°, 1,750 kg, interceptor assumed 50 kg at
  7 km/s — its mass is not published).

Clouds are generated at their event epochs with SGP4 mean elements at that epoch, as a
real catalog holds element sets of different ages; a user propagating to "now" sees them
after SGP4's decay. ``scale`` multiplies the population: intact families get ``scale``
times as many members, and clouds go down to smaller fragments, ``Lc_min = 10 cm ×
scale^(-1/1.71)``, so that the count law yields about ``scale`` times more fragments —
about a million objects at ``scale ≈ 220`` (fragments down to about 4 mm; small fragments
re-enter or escape more often, so clouds grow a little less than ``scale``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..catalog.elements import ElementSet, ObjectMetadata
from ..errors import SweepersError
from ..time import Time
from ..units import J2_EARTH, WGS72_RE_KM
from . import clouds as _clouds
from .clouds import GENERATED_ID_BASE, GENERATED_SUFFIX, Body, Cloud, GeneratedInfo
from .meanelements import mean_motion_rev_day

PRESETS = ("demo",)
DEMO_EPOCH_ISO = "2023-10-09T00:00:00Z"  # the epoch of the intact objects (same day as the shared snapshot)
DEMO_SEED = 20070111


class PresetError(SweepersError, ValueError):
    """An unknown preset or an impossible scale."""


@dataclass(frozen=True)
class Family:
    """A family of intact objects on one published orbit type."""

    key: str
    name: str
    object_type: str
    count: int
    perigee_km: float
    apogee_km: float
    inclination_deg: float | None  # None: sun-synchronous
    planes: int
    mass_kg: float
    country: str = ""
    jitter_km: float = 0.0


# counts are for scale 1; sources in the module docstring
DEMO_FAMILIES = (
    Family("sso", "SSO SAT", "PAYLOAD", 300, 500.0, 820.0, None, 300, 800.0, jitter_km=0.0),
    Family("stl1", "STARLINK-550", "PAYLOAD", 720, 550.0, 550.0, 53.0, 72, 306.0, jitter_km=1.0),
    Family("stl2", "STARLINK-540", "PAYLOAD", 360, 540.0, 540.0, 53.2, 36, 306.0, jitter_km=1.0),
    Family("stl3", "STARLINK-570", "PAYLOAD", 120, 570.0, 570.0, 70.0, 12, 306.0, jitter_km=1.0),
    Family("stl4", "STARLINK-560", "PAYLOAD", 60, 560.0, 560.0, 97.6, 6, 306.0, jitter_km=1.0),
    Family("ow", "ONEWEB", "PAYLOAD", 216, 1200.0, 1200.0, 87.9, 18, 147.0, jitter_km=2.0),
    Family("gps", "GPS-LIKE", "PAYLOAD", 24, 20180.0, 20180.0, 55.0, 6, 2000.0),
    Family("geo", "GEO SAT", "PAYLOAD", 200, 35786.0, 35786.0, 0.05, 200, 3000.0, jitter_km=5.0),
    Family("gto6", "GTO R/B", "ROCKET BODY", 40, 250.0, 35786.0, 6.0, 40, 4500.0, jitter_km=60.0),
    Family("gto27", "GTO R/B", "ROCKET BODY", 40, 250.0, 35786.0, 27.0, 40, 4000.0, jitter_km=60.0),
    Family("sl16", "SL-16 R/B", "ROCKET BODY", 20, 835.0, 850.0, 71.0, 20, 8900.0, jitter_km=5.0),
    Family("sl8a", "SL-8 R/B", "ROCKET BODY", 40, 740.0, 780.0, 74.0, 40, 1400.0, jitter_km=10.0),
    Family("sl8b", "SL-8 R/B", "ROCKET BODY", 40, 950.0, 1000.0, 82.9, 40, 1400.0, jitter_km=10.0),
)


@dataclass(frozen=True)
class HistoricalEvent:
    key: str
    name: str
    epoch_iso: str
    intl_designators: tuple[str, ...]
    norad_ids: tuple[int, ...]
    masses_kg: tuple[float, ...]
    perigee_km: tuple[float, ...]
    apogee_km: tuple[float, ...]
    inclination_deg: tuple[float, ...]
    impact_speed_km_s: float
    interceptor_mass_kg: float | None  # ASAT tests: the interceptor is not in orbit
    object_types: tuple[str, ...]
    latitude_deg: float  # where it happened (collision geometry)
    tracked_fragments: int  # catalogued fragments, for comparison (see docs/population.md)
    tracked_source: str = ""


HISTORICAL_EVENTS = (
    HistoricalEvent("fy1c", "FENGYUN 1C", "2007-01-11T22:26:00Z", ("1999-025A",), (25730,), (880.0,),
                    (845.0,), (865.0,), (98.65,), 9.36, 35.0, ("PAYLOAD",), 31.0, 3549,
                    "Wikipedia 'List of space debris producing events' (SSN catalogued pieces)"),
    HistoricalEvent("irco", "IRIDIUM 33 / COSMOS 2251", "2009-02-10T16:56:00Z", ("1997-051C", "1993-036A"),
                    (24946, 22675), (560.0, 900.0), (776.0, 776.0), (800.0, 800.0), (86.4, 74.0), 11.7, None,
                    ("PAYLOAD", "PAYLOAD"), 72.5, 659 + 1716,
                    "Wikipedia 'List of space debris producing events': Iridium 33 659 + Kosmos 2251 1,716"),
    HistoricalEvent("c1408", "COSMOS 1408", "2021-11-15T02:47:00Z", ("1982-092A",), (13552,), (1750.0,),
                    (465.0,), (490.0,), (82.56,), 7.0, 50.0, ("PAYLOAD",), 60.0, 1562,
                    "Wikipedia 'List of space debris producing events' (SSN catalogued pieces)"),
)


@dataclass
class Population:
    """A generated population: element sets, metadata and generated-info in the same order."""

    name: str
    element_sets: list[ElementSet] = field(default_factory=list)
    metadata: list[ObjectMetadata] = field(default_factory=list)
    generated: list[GeneratedInfo] = field(default_factory=list)
    clouds: list[Cloud] = field(default_factory=list)
    masses_kg: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.element_sets)

    def extend_cloud(self, cloud: Cloud) -> None:
        self.clouds.append(cloud)
        self.element_sets.extend(cloud.element_sets)
        self.metadata.extend(cloud.metadata)
        self.generated.extend(cloud.generated)
        self.masses_kg.extend(g.mass_kg for g in cloud.generated)

    @property
    def description(self) -> str:
        """One line for humans: size, families and clouds."""
        kinds = ", ".join(f"{k.lower()} {v:,}" for k, v in self.counts().items())
        clouds = ", ".join(c.event_id for c in self.clouds)
        return f"{self.n:,} generated objects ({kinds}){'; clouds ' + clouds if clouds else ''}"

    def parse_result(self):
        """Element sets, metadata and size estimates (mass; hard-body radius Lc/2 for fragments)
        as a :class:`~spacesweepers.catalog.elements.ParseResult` for ``Store.ingest``."""
        return parse_result_of(f"generated:{self.name}", self.element_sets, self.metadata, self.generated,
                               self.masses_kg)

    def generated_ids(self) -> list[int]:
        return [g.norad_id for g in self.generated]

    def parent_events(self) -> dict[int, str]:
        """NORAD id → event id of every object (``DEMO-<FAMILY>`` for intact generated ones)."""
        return {g.norad_id: g.event_id for g in self.generated}

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.metadata:
            out[m.object_type or "UNKNOWN"] = out.get(m.object_type or "UNKNOWN", 0) + 1
        return out


def parse_result_of(source: str, element_sets, metadata, generated, masses_kg=None):
    """A ParseResult of generated objects, with a SizeEstimate each (mass, HBR = Lc/2)."""
    from ..catalog.elements import ParseResult, SizeEstimate

    sizes = []
    for k, g in enumerate(generated):
        mass = g.mass_kg if masses_kg is None else masses_kg[k]
        hbr = 0.5 * g.lc_m if math.isfinite(g.lc_m) else None
        sizes.append(SizeEstimate(g.norad_id, hbr_m=hbr, hbr_source="generated: Lc/2 (NASA breakup model)" if hbr else None,
                                  mass_kg=float(mass) if mass and math.isfinite(mass) else None,
                                  mass_source="generated" if mass else None, source=source))
    return ParseResult(source=source, format="generated", element_sets=list(element_sets),
                       metadata=list(metadata), sizes=sizes)


def sun_synchronous_inclination_deg(a_km, e=0.0):
    """Inclination whose J2 nodal drift equals the Sun's mean motion (0.9856°/day)."""
    a = np.asarray(a_km, float)
    n = np.sqrt(398600.4418 / a**3)  # rad/s
    rate = 2 * math.pi / (365.2422 * 86400.0)
    cosi = -rate / (1.5 * n * J2_EARTH * (WGS72_RE_KM / (a * (1 - e**2))) ** 2)
    return np.degrees(np.arccos(np.clip(cosi, -1, 1)))


def _family_sets(f: Family, scale: float, epoch: Time, first_id: int, rng) -> tuple[list, list, list, list]:
    n = max(1, int(round(f.count * scale)))
    planes = max(1, min(f.planes, n))
    k = np.arange(n)
    plane = k % planes
    slot = k // planes
    per_plane = int(math.ceil(n / planes))
    jit = rng.normal(0.0, 1.0, (2, n))
    hp = f.perigee_km + f.jitter_km * jit[0]
    ha = np.maximum(f.apogee_km + f.jitter_km * jit[1], hp) if f.apogee_km != f.perigee_km else hp + abs(f.jitter_km * jit[1]) * 0.1
    if f.key == "sso":
        hp = rng.uniform(f.perigee_km, f.apogee_km, n)
        ha = hp + rng.uniform(0.0, 3.0, n)
    a = WGS72_RE_KM + 0.5 * (hp + ha)
    e = (ha - hp) / (2 * a)
    inc = sun_synchronous_inclination_deg(a, e) if f.inclination_deg is None else np.full(n, f.inclination_deg)
    inc = inc + rng.normal(0.0, 0.01, n)
    inc = np.abs(inc)
    raan = (360.0 * plane / planes + rng.normal(0.0, 0.05, n)) % 360.0
    if f.key == "geo":  # the belt: longitudes spread, nodes wander
        raan = rng.uniform(0, 360, n)
    M = (360.0 * slot / per_plane + (plane * 360.0 / max(n, 1)) + rng.normal(0.0, 0.05, n)) % 360.0
    argp = rng.uniform(0.0, 360.0, n)
    nrev = mean_motion_rev_day(a)
    # B* from A/M of an intact object (~0.01 m^2/kg); tiny and harmless above LEO
    from .lifetime import bstar_per_earth_radius

    bstar = bstar_per_earth_radius(np.full(n, 0.01), hp)
    ids = first_id + k
    jd1, jd2 = float(epoch.jd1), float(epoch.jd2)
    ess, metas, gens, masses = [], [], [], []
    for j in range(n):
        name = f"{f.name} {j + 1}{GENERATED_SUFFIX}"
        nid = int(ids[j])
        ess.append(ElementSet(nid, jd1, jd2, float(nrev[j]), float(e[j]), float(inc[j]), float(raan[j]),
                              float(argp[j]), float(M[j]), float(bstar[j]), name=name,
                              source=f"generated:demo:{f.key}", source_line=j + 1))
        metas.append(ObjectMetadata(nid, name=name, object_type=f.object_type, source=f"generated:demo:{f.key}"))
        gens.append(GeneratedInfo(nid, f"DEMO-{f.key.upper()}", "intact", epoch.utc_iso, (), 0, math.nan,
                                  math.nan, f.mass_kg, 0.0))
        masses.append(f.mass_kg)
    return ess, metas, gens, masses


def _circular_at(ev: HistoricalEvent, k: int, epoch: Time, raan_deg: float, u_deg: float) -> ElementSet:
    a = WGS72_RE_KM + 0.5 * (ev.perigee_km[k] + ev.apogee_km[k])
    e = (ev.apogee_km[k] - ev.perigee_km[k]) / (2 * a)
    return ElementSet(ev.norad_ids[k], float(epoch.jd1), float(epoch.jd2), float(mean_motion_rev_day(a)), e,
                      ev.inclination_deg[k], raan_deg % 360.0, 90.0, (u_deg - 90.0) % 360.0,
                      name=ev.name.split(" / ")[k], intl_designator=ev.intl_designators[k], source="generated:demo")


def _crossing(ev: HistoricalEvent, epoch: Time) -> tuple[ElementSet, ElementSet]:
    """Two orbits that pass through the same point at latitude ``ev.latitude_deg`` at ``epoch``,
    the second one on the branch that gives the larger relative speed (head-on-like)."""
    lat = math.radians(ev.latitude_deg)
    i1, i2 = (math.radians(x) for x in ev.inclination_deg)
    u1 = math.asin(math.sin(lat) / math.sin(i1))
    raan1 = 40.0
    # longitude of the point in the inertial frame
    lon = math.radians(raan1) + math.atan2(math.cos(i1) * math.sin(u1), math.cos(u1))
    best = None
    for u2 in (math.asin(math.sin(lat) / math.sin(i2)), math.pi - math.asin(math.sin(lat) / math.sin(i2))):
        raan2 = lon - math.atan2(math.cos(i2) * math.sin(u2), math.cos(u2))
        # relative direction of the two velocities at the point (circular orbits)
        def vel(i, raan, u):
            return np.array([-math.cos(raan) * math.sin(u) - math.sin(raan) * math.cos(u) * math.cos(i),
                             -math.sin(raan) * math.sin(u) + math.cos(raan) * math.cos(u) * math.cos(i),
                             math.cos(u) * math.sin(i)])
        dv = np.linalg.norm(vel(i1, math.radians(raan1), u1) - vel(i2, raan2, u2))
        if best is None or dv > best[0]:
            best = (dv, u2, raan2)
    _, u2, raan2 = best
    return (_circular_at(ev, 0, epoch, raan1, math.degrees(u1)),
            _circular_at(ev, 1, epoch, math.degrees(raan2), math.degrees(u2)))


def historical_cloud(key: str, *, lc_min_m: float = 0.1, seed: int = DEMO_SEED,
                     first_norad_id: int = GENERATED_ID_BASE) -> Cloud:
    """The cloud of one historical breakup ('fy1c', 'irco', 'c1408') from its published
    parent orbit(s) and mass(es)."""
    ev = next((e for e in HISTORICAL_EVENTS if e.key == key), None)
    if ev is None:
        raise PresetError(f"unknown historical event {key!r}; known: {', '.join(e.key for e in HISTORICAL_EVENTS)}")
    epoch = Time.from_iso(ev.epoch_iso)
    eid = f"HIST-{key.upper()}"
    if ev.interceptor_mass_kg is not None:
        parent = _circular_at(ev, 0, epoch, 100.0, 30.0)
        body = Body(parent, mass_kg=ev.masses_kg[0], object_type=ev.object_types[0], name=ev.name)
        return _clouds.intercept(body, interceptor_mass_kg=ev.interceptor_mass_kg,
                                 impact_speed_km_s=ev.impact_speed_km_s, at=epoch, lc_min_m=lc_min_m, seed=seed,
                                 first_norad_id=first_norad_id, event_id=eid)
    p1, p2 = _crossing(ev, epoch)
    b1 = Body(p1, mass_kg=ev.masses_kg[0], object_type=ev.object_types[0])
    b2 = Body(p2, mass_kg=ev.masses_kg[1], object_type=ev.object_types[1])
    return _clouds.collide(b1, b2, at=epoch, impact_speed_km_s=ev.impact_speed_km_s, lc_min_m=lc_min_m, seed=seed,
                           first_norad_id=first_norad_id, event_id=eid)


def age_to(element_sets, epoch: Time) -> tuple[np.ndarray, list[ElementSet]]:
    """Carry element sets forward to ``epoch`` and re-fit them as SGP4 mean elements there.

    The state at ``epoch`` comes from SGP4 itself (secular J2 drift of node and perigee,
    drag through each fragment's B*), and :func:`~.meanelements.mean_elements_from_states`
    inverts it at the new epoch, keeping B*. Objects whose SGP4 run fails on the way
    (re-entered: perigee below the surface, eccentricity driven out of range) or that cannot
    be inverted are left out. Returns the indices of the objects kept and their new element
    sets, in the same order.
    """
    from ..propagation import Propagator
    from .meanelements import mean_elements_from_states

    if not element_sets:
        return np.zeros(0, np.intp), []
    eph = Propagator(element_sets).at(epoch)
    idx = np.flatnonzero(eph.ok[:, 0])
    if idx.size == 0:
        return idx, []
    olds = [element_sets[i] for i in idx]
    bstar = np.array([e.bstar_per_earth_radius for e in olds])
    me = mean_elements_from_states(eph.r_teme_km[idx, 0], eph.v_teme_km_s[idx, 0], epoch, bstar)
    new = me.element_sets([e.norad_id for e in olds], [e.name for e in olds],
                          [e.intl_designator for e in olds], only_ok=True)
    kept = idx[me.status == 0]
    # an inversion can report success with non-finite elements near re-entry: leave those out too
    finite = [math.isfinite(e.mean_motion_rev_day) and math.isfinite(e.eccentricity) for e in new]
    return kept[np.asarray(finite, bool)], [e for e, f in zip(new, finite) if f]


def demo_population(scale: float = 1.0, seed: int = DEMO_SEED, *, clouds: bool = True,
                    first_norad_id: int = GENERATED_ID_BASE, progress=None, epoch: Time | None = None) -> Population:
    """The ``demo`` preset (module notes). Deterministic for a given ``scale``, ``seed`` and ``epoch``.

    ``epoch`` (default 2023-10-09, the day of the shared catalog snapshot) is the epoch of the
    intact objects; the historical clouds, generated at their event dates, are aged to it with
    :func:`age_to` (fragments that re-entered by then are left out). Without ``epoch`` the clouds
    keep their event-date element sets.
    """
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and 0.01 <= scale <= 2000):
        raise PresetError(f"scale must be a number from 0.01 to 2000 (1 ≈ 5,300 objects, 220 ≈ 1,000,000), got {scale!r}")
    aged_epoch = epoch
    epoch = Time.from_iso(DEMO_EPOCH_ISO) if epoch is None else epoch
    rng = np.random.default_rng(seed)
    pop = Population("demo" if scale == 1 else f"demo×{scale:g}")
    next_id = first_norad_id
    for f in DEMO_FAMILIES:
        ess, metas, gens, masses = _family_sets(f, scale, epoch, next_id, rng)
        pop.element_sets += ess
        pop.metadata += metas
        pop.generated += gens
        pop.masses_kg += masses
        next_id += len(ess)
        if progress:
            progress(f.key, len(ess))
    if clouds:
        lc_min = 0.1 * scale ** (-1.0 / 1.71)
        lc_min = max(lc_min, 1e-3)
        if lc_min != 0.1:
            pop.notes.append(f"clouds include fragments down to {lc_min * 100:.2g} cm (scale {scale:g})")
        for k, ev in enumerate(HISTORICAL_EVENTS):
            c = historical_cloud(ev.key, lc_min_m=lc_min, seed=seed + k, first_norad_id=next_id)
            next_id += c.n
            if aged_epoch is None:
                pop.extend_cloud(c)
            else:
                keep, aged = age_to(c.element_sets, aged_epoch)
                pop.clouds.append(c)
                pop.element_sets.extend(aged)
                pop.metadata.extend(c.metadata[i] for i in keep)
                pop.generated.extend(c.generated[i] for i in keep)
                pop.masses_kg.extend(c.generated[i].mass_kg for i in keep)
                pop.notes.append(f"{ev.key}: {len(keep)} of {c.n} catalogued fragments still in orbit at "
                                 f"{aged_epoch.iso(0)} (SGP4 from {c.epoch.iso(0)[:10]})")
            if progress:
                progress(ev.key, c.n)
    return pop


def generate(preset: str = "demo", *, scale: float = 1.0, seed: int | None = None, **kw) -> Population:
    """A population by preset name (``sweepers catalog generate --preset demo``)."""
    if preset not in PRESETS:
        raise PresetError(f"unknown preset {preset!r}; available: {', '.join(PRESETS)}")
    return demo_population(scale, DEMO_SEED if seed is None else seed, **kw)


__all__ = ["Population", "Family", "HistoricalEvent", "DEMO_FAMILIES", "HISTORICAL_EVENTS", "PRESETS",
           "demo_population", "historical_cloud", "generate", "sun_synchronous_inclination_deg", "PresetError"]
