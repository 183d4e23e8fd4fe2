"""Single-ship salvage routes through real catalog targets.

:func:`plan_route` picks and orders targets, schedules each arrival, flies every chosen leg
with a J2 transfer (:mod:`.catalog_legs`) and says, for every target it did not take, which
constraint blocked it.

**Search** (estimates only, vectorised over candidates × waits × flight times): a beam search
over sequences. From the ship's current target (arrival epoch ``t``), a leg departs at
``t + stay + wait`` (``wait`` from :attr:`SearchOptions.waits_day`, letting the nodes drift
into line by themselves) and flies ``tof`` days (:attr:`SearchOptions.tofs_day`, the ship
drifting on an intermediate orbit); its ΔV is the fast nodal-drift estimate
(:func:`~.estimate.estimate_legs_dv_m_s`) times :attr:`SearchOptions.dv_margin` (exact
catalog legs cost 1.5–2.5× the estimate: the phasing and the final two-impulse arc are not
in the estimate). For each candidate only its cheapest (wait, tof) in propellant per day is
kept. Each node keeps its best ``children`` extensions by value gained per kg of propellant,
the beam keeps ``beam_width`` nodes by objective value, and the best node seen at any depth
is the plan. Objectives: ``risk`` (Σ criticality index removed; the default) or ``profit``
(Σ bounty − propellant and operations cost, :class:`~.economics.CostModel`).

**Constraints** (each a name that appears in the reasons): ``propellant`` (rocket equation
with the ship's mass, kits dropped at each target), ``budget-dv`` (a cap on total ΔV),
``duration`` (end of the last stay ≤ start + max mission days), ``kits`` (one per target),
``reach`` (cheapest estimated leg from any stop of the route exceeds the ship's whole ΔV
capacity), ``decay`` (perigee below 250 km or SGP4 cannot propagate it), ``catalog`` (no such
object), ``exact-transfer`` (the J2 transfer could not be flown), ``value`` (reachable but a
better use of propellant was found).

**Flight**: legs are flown in order; when a leg fails or the exact ΔV breaks a budget the
route is cut before that target (the cut targets get the reason).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import SweepersError
from ..time import Time
from ..units import DAY_S
from .catalog_legs import MIN_TARGET_PERIGEE_KM, CatalogBodies, ParkingOrbit, fly_leg, mjd2000_day
from .economics import CostModel
from .estimate import estimate_legs_dv_m_s
from .ship import Ship

__all__ = ["SearchOptions", "Target", "Leg", "Route", "plan_route", "targets_from_store", "greedy_route",
           "RoutePlanningError"]


class RoutePlanningError(SweepersError, ValueError):
    """Inputs that no route can be planned from (and why)."""


@dataclass(frozen=True)
class SearchOptions:
    waits_day: tuple = (0.0, 5.0, 15.0, 30.0)
    tofs_day: tuple = (20.0, 40.0, 60.0, 90.0)
    dv_margin: float = 2.0
    beam_width: int = 24
    children: int = 6
    objective: str = "risk"  # or "profit"
    seed: int = 0


@dataclass(frozen=True)
class Target:
    norad_id: int
    name: str
    value_index: float  # criticality index (risk removed)
    bounty_meur: float
    mass_kg: float = math.nan

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Leg:
    dep_id: int  # -1: parking orbit
    arr_id: int
    t_dep_mjd2000_day: float
    t_arr_mjd2000_day: float
    dv_estimate_m_s: float
    dv_m_s: float = math.nan  # flown (exact) ΔV
    propellant_kg: float = math.nan
    mass_before_kg: float = math.nan
    mode: str = ""
    ok: bool = False
    message: str = ""
    transfer: object = None

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "transfer"}
        d["depart_utc"] = Time.from_mjd2000(self.t_dep_mjd2000_day).iso(0)
        d["arrive_utc"] = Time.from_mjd2000(self.t_arr_mjd2000_day).iso(0)
        if self.transfer is not None:
            d["impulses"] = [{"epoch_utc": Time.from_mjd2000(i.epoch_mjd2000_day).iso(0),
                              "dv_m_s": i.dv_norm_m_s} for i in self.transfer.impulses]
            d["miss_r_m"], d["perigee_min_km"] = self.transfer.miss_r_m, self.transfer.perigee_min_m / 1e3
        return d


@dataclass
class Route:
    ship: Ship
    costs: CostModel
    start_mjd2000_day: float
    targets: list  # visited Target, in order
    arrivals_mjd2000_day: list
    legs: list
    blocked: dict  # norad id -> (constraint, reason)
    flown: bool
    options: SearchOptions
    budget_dv_m_s: float
    notes: list = field(default_factory=list)

    @property
    def n_removed(self) -> int:
        return len(self.targets)

    @property
    def risk_removed(self) -> float:
        return float(sum(t.value_index for t in self.targets))

    @property
    def propellant_kg(self) -> float:
        return float(sum(_leg_prop(l, self.flown) for l in self.legs))

    @property
    def dv_m_s(self) -> float:
        return float(sum((l.dv_m_s if self.flown else l.dv_estimate_m_s * self.options.dv_margin) for l in self.legs))

    @property
    def end_mjd2000_day(self) -> float:
        if not self.arrivals_mjd2000_day:
            return self.start_mjd2000_day
        return self.arrivals_mjd2000_day[-1] + self.ship.stay_days

    @property
    def days(self) -> float:
        return self.end_mjd2000_day - self.start_mjd2000_day

    @property
    def bounty_meur(self) -> float:
        return float(sum(t.bounty_meur for t in self.targets))

    @property
    def cost_meur(self) -> float:
        return self.costs.mission_cost_meur(self.propellant_kg, self.days) if self.targets else 0.0

    @property
    def profit_meur(self) -> float:
        return self.bounty_meur - self.cost_meur

    @property
    def risk_per_tonne(self) -> float:
        p = self.propellant_kg
        return self.risk_removed / (p / 1000.0) if p > 0 else math.nan

    def summary(self) -> dict:
        return {"ship": self.ship.name, "targets_removed": self.n_removed, "risk_removed_index": self.risk_removed,
                "dv_m_s": self.dv_m_s, "propellant_kg": self.propellant_kg, "days": self.days,
                "bounty_meur": self.bounty_meur, "cost_meur": self.cost_meur, "profit_meur": self.profit_meur,
                "risk_per_tonne_propellant": self.risk_per_tonne, "flown": self.flown}

    def to_dict(self) -> dict:
        visits = []
        for k, (t, ta) in enumerate(zip(self.targets, self.arrivals_mjd2000_day)):
            visits.append({**t.to_dict(), "order": k + 1, "arrive_utc": Time.from_mjd2000(ta).iso(0),
                           "leave_utc": Time.from_mjd2000(ta + self.ship.stay_days).iso(0)})
        return {
            "ship": self.ship.to_dict(), "costs": self.costs.to_dict(),
            "start_utc": Time.from_mjd2000(self.start_mjd2000_day).iso(0),
            "budget_dv_m_s": self.budget_dv_m_s, "summary": self.summary(), "visits": visits,
            "legs": [l.to_dict() for l in self.legs],
            "blocked": [{"norad_id": k, "constraint": c, "reason": r} for k, (c, r) in self.blocked.items()],
            "notes": self.notes,
            "search": dict(self.options.__dict__),
        }


def _leg_prop(leg: Leg, flown: bool) -> float:
    return leg.propellant_kg if math.isfinite(leg.propellant_kg) else 0.0


# --- targets ------------------------------------------------------------------------------------
def targets_from_store(store, spec: list[str], costs: CostModel, as_of=None, types=("ROCKET BODY", "DEBRIS", "UNKNOWN"),
                       screening=None):
    """Element sets, :class:`Target` values and unknown ids for ``spec``: ``["top:50"]`` (the 50 most
    critical objects of ``types``) or NORAD ids (strings). Values are criticality indices (with the
    collision rates of ``screening``, a ScreeningResult, when given)."""
    from ..danger.criticality import criticality

    table = criticality(store, as_of=as_of, screening=screening)
    col = table.columns
    pos = {int(n): k for k, n in enumerate(col["norad_id"].tolist())}
    ids: list[int] = []
    unknown: list[int] = []
    for item in spec:
        for part in str(item).replace(",", " ").split():
            if part.lower().startswith("top:"):
                try:
                    n = int(part[4:])
                except ValueError:
                    raise RoutePlanningError(f"cannot read {part!r}: write top:N, e.g. top:50") from None
                keep = np.isin(col["object_type"].astype(str), list(types))
                ids += [int(i) for i in col["norad_id"][keep][:n]]
            else:
                try:
                    nid = int(part)
                except ValueError:
                    raise RoutePlanningError(f"cannot read target {part!r}: give NORAD ids or top:N") from None
                (ids if nid in pos else unknown).append(nid)
    ids = list(dict.fromkeys(ids))
    if not ids and not unknown:
        raise RoutePlanningError("no targets: give --targets top:N or NORAD ids")
    element_sets = store.latest(as_of, ids=ids) if ids else []
    targets = {}
    for nid in ids:
        k = pos[nid]
        idx = float(col["index"][k])
        targets[nid] = Target(nid, str(col["name"][k]), idx, costs.bounty_meur(nid, idx), float(col["mass_kg"][k]))
    return element_sets, targets, unknown


# --- search ---------------------------------------------------------------------------------------
@dataclass
class _Node:
    seq: tuple  # target ids
    arrivals: tuple
    legs: tuple  # (dep, arr, t_dep, t_arr, dv_est)
    t: float  # arrival epoch at the current stop
    prop_used: float
    dv_used: float
    value: float
    score: float


def _score(obj: str, value_risk: float, bounty: float, prop_kg: float, days: float, costs: CostModel) -> float:
    if obj == "risk":
        return value_risk
    return bounty - prop_kg * costs.propellant_meur_per_kg - days * costs.operations_meur_per_day


def _options_grid(opts: SearchOptions):
    w = np.asarray(opts.waits_day, float)
    f = np.asarray(opts.tofs_day, float)
    return np.repeat(w, len(f)), np.tile(f, len(w))


def _expand(bodies, node: _Node, cur: int, cand_idx: np.ndarray, ship: Ship, opts: SearchOptions, t_end: float):
    """Cheapest estimated option (wait, tof) per candidate from the node's stop: returns
    (dv_est (n,), t_dep (n,), t_arr (n,)); NaN where nothing fits the mission duration."""
    waits, tofs = _options_grid(opts)
    t_dep = node.t + (ship.stay_days if node.seq else 0.0) + waits  # (k,)
    t_arr = t_dep + tofs
    el_dep = bodies.elements_at(cur, t_dep) if cur == -1 else bodies.all_elements_at(t_dep)[:, bodies.index(cur)[0]]
    el_arr = bodies.all_elements_at(t_dep)[:, cand_idx]  # (k, n, 6)
    dv = estimate_legs_dv_m_s(el_dep[:, None, :], el_arr, (tofs * DAY_S)[:, None])  # (k, n)
    dv = np.where((t_arr + ship.stay_days <= t_end + 1e-9)[:, None], dv, np.inf)
    # the option that uses the least of the two scarce resources, each as a fraction of one
    # target's fair share: ΔV capacity / kits and mission days / kits
    share_dv = ship.dv_capacity_m_s() / ship.kit_count
    share_days = ship.max_mission_days / ship.kit_count
    rank = dv * opts.dv_margin / share_dv + ((t_arr - node.t) / share_days)[:, None]
    best = np.argmin(rank, axis=0)
    n = np.arange(len(cand_idx))
    return dv[best, n], t_dep[best], t_arr[best]


def _search(bodies: CatalogBodies, targets: dict, ship: Ship, costs: CostModel, opts: SearchOptions,
            t0: float, budget_dv: float, start_id: int | None, exclude=()):
    ids = [i for i in bodies.ids.tolist() if i in targets and i not in exclude]
    idx_all = bodies.index(ids) if ids else np.zeros(0, np.int64)
    t_end = t0 + ship.max_mission_days
    rng = np.random.default_rng(opts.seed)
    jitter = dict(zip(ids, rng.random(len(ids)) * 1e-9))
    ve = ship.exhaust_velocity_m_s
    root = _Node((), (), (), t0, 0.0, 0.0, 0.0, 0.0)
    beam = [root]
    best = root
    vals = [targets[i].value_index if opts.objective == "risk" else targets[i].bounty_meur for i in ids]
    mean_gain = float(np.mean(vals)) if vals else 0.0
    cheapest = {}  # target -> cheapest estimated leg seen (dv, from)
    for _depth in range(min(ship.kit_count, len(ids))):
        children = []
        for node in beam:
            kits_left = ship.kit_count - len(node.seq)
            mass = ship.dry_mass_kg + ship.propellant_kg - node.prop_used + kits_left * ship.kit_mass_kg
            rem = [k for k, i in enumerate(ids) if i not in node.seq]
            if not rem:
                continue
            cand = idx_all[rem]
            cand_ids = [ids[k] for k in rem]
            if not node.seq and start_id is None:  # the launcher delivers the ship onto its first target
                dv = np.zeros(len(cand))
                t_dep = np.full(len(cand), t0)
                t_arr = np.full(len(cand), t0)
            else:
                cur = node.seq[-1] if node.seq else start_id
                dv, t_dep, t_arr = _expand(bodies, node, cur, cand, ship, opts, t_end)
                for i, d in zip(cand_ids, dv.tolist()):
                    if d < cheapest.get(i, (math.inf,))[0]:
                        cheapest[i] = (d * opts.dv_margin, cur)
            dvm = dv * opts.dv_margin
            prop = mass * -np.expm1(-dvm / ve)
            ok = (np.isfinite(dvm) & (node.prop_used + prop <= ship.propellant_kg + 1e-9)
                  & (node.dv_used + dvm <= budget_dv + 1e-9))
            gains = []
            for k in np.flatnonzero(ok):
                tgt = targets[cand_ids[k]]
                seq = node.seq + (cand_ids[k],)
                p = node.prop_used + float(prop[k])
                days = float(t_arr[k]) + ship.stay_days - t0
                bounty = sum(targets[i].bounty_meur for i in seq)
                val = node.value + tgt.value_index
                sc = _score(opts.objective, val, bounty, p, days, costs)
                eff = (sc - node.score) / (float(prop[k]) + 1.0) + jitter[cand_ids[k]]
                gains.append((eff, k, seq, p, val, sc))
            gains.sort(key=lambda g: -g[0])
            for eff, k, seq, p, val, sc in gains[: opts.children]:
                leg = (node.seq[-1] if node.seq else (start_id if start_id is not None else 0), seq[-1],
                       float(t_dep[k]), float(t_arr[k]), float(dv[k]))
                children.append(_Node(seq, node.arrivals + (float(t_arr[k]),),
                                      node.legs + ((leg,) if (node.seq or start_id is not None) else ()),
                                      float(t_arr[k]), p, node.dv_used + float(dvm[k]), val, sc))
        if not children:
            break
        # one node per visited set and last stop (the cheapest), then the best by score
        uniq = {}
        for c in children:
            key = (frozenset(c.seq), c.seq[-1])
            if key not in uniq or (c.score, -c.prop_used) > (uniq[key].score, -uniq[key].prop_used):
                uniq[key] = c
        # rank by what a node has plus what its leftover propellant and time are worth: each
        # target's fair share of both buys one more target of the mean value
        def potential(c):
            kits = ship.kit_count - len(c.seq)
            p_left = (ship.propellant_kg - c.prop_used) / (ship.propellant_kg / ship.kit_count)
            d_left = (t_end - c.t) / (ship.max_mission_days / ship.kit_count)
            return c.score + mean_gain * max(0.0, min(kits, p_left, d_left))

        beam = sorted(uniq.values(), key=lambda c: (-potential(c), c.prop_used, c.seq))[: opts.beam_width]
        if (beam[0].score, -beam[0].prop_used) > (best.score, -best.prop_used):
            best = beam[0]
    return best, cheapest


# --- reasons ---------------------------------------------------------------------------------
def _reasons(bodies, targets, route_ids, cheapest, ship, opts, budget_dv, left_prop, left_dv, days_left_ok):
    out = {}
    cap = ship.dv_capacity_m_s() if ship.propellant_kg > 0 else 0.0
    for nid, tgt in targets.items():
        if nid in route_ids:
            continue
        c = cheapest.get(nid)
        if c is None or not math.isfinite(c[0]):
            out[nid] = ("duration", f"no leg to it from the route's stops fits in {ship.max_mission_days:g} days "
                                    f"(waits {list(opts.waits_day)} d, flights {list(opts.tofs_day)} d)")
            continue
        dv, frm = c
        src = "the parking orbit" if frm == -1 else f"{frm}"
        if dv > cap:
            out[nid] = ("reach", f"cheapest estimated leg {dv:,.0f} m/s (from {src}, ×{opts.dv_margin:g} margin) > the "
                                 f"ship's whole ΔV capacity {cap:,.0f} m/s{_geometry(bodies, frm, nid)}")
        elif dv > budget_dv:
            out[nid] = ("budget-dv", f"cheapest estimated leg {dv:,.0f} m/s (from {src}) > --budget-dv {budget_dv:,.0f} m/s")
        elif len(route_ids) >= ship.kit_count:
            out[nid] = ("kits", f"all {ship.kit_count} kits used on the chosen targets")
        elif dv > left_dv:
            out[nid] = ("propellant", f"cheapest estimated leg {dv:,.0f} m/s (from {src}) > the {left_dv:,.0f} m/s "
                                      f"left ({left_prop:,.0f} kg) after the chosen targets")
        else:
            out[nid] = ("value", f"reachable (≈{dv:,.0f} m/s from {src}) but the chosen targets remove more "
                                 f"{'risk' if opts.objective == 'risk' else 'profit'} for the propellant")
    return out


def _geometry(bodies, frm, nid) -> str:
    try:
        t = 0.5 * (bodies._epoch.min() + bodies._epoch.max()) if len(bodies) else 0.0
        a = bodies.elements_at(frm, t) if frm == -1 else bodies.elements_at(int(frm), t)
        b = bodies.elements_at(int(nid), t)
        di = math.degrees(abs(b[2] - a[2]))
        dh = (b[0] - a[0]) / 1e3
        dn = math.degrees(abs((b[3] - a[3] + math.pi) % (2 * math.pi) - math.pi))
        return f" (Δi {di:.1f}°, ΔΩ {dn:.0f}°, Δa {dh:+,.0f} km)"
    except Exception:  # noqa: BLE001 — geometry is only a hint
        return ""


# --- the planner --------------------------------------------------------------------------
def _start_epoch(ship: Ship, element_sets, start) -> float:
    if start is not None:
        return mjd2000_day(start if isinstance(start, Time) else Time.from_iso(str(start)))
    if ship.start_epoch != "catalog":
        return mjd2000_day(Time.from_iso(ship.start_epoch))
    if not element_sets:
        raise RoutePlanningError("no element sets to take the start epoch from; give --start")
    return max(mjd2000_day(e.epoch) for e in element_sets)


def _parking(ship: Ship, t0: float) -> ParkingOrbit | None:
    if ship.start_orbit != "parking":
        return None
    from ..units import WGS72_RE_KM

    a = (WGS72_RE_KM + ship.parking_altitude_km) * 1e3
    return ParkingOrbit((a, 0.0, math.radians(ship.parking_inclination_deg), math.radians(ship.parking_raan_deg), 0.0, 0.0), t0)


def _prefilter(element_sets, targets, t0):
    """Targets that decay or that SGP4 cannot propagate to the start are blocked up front."""
    from ..propagation.j2 import PropagationError, elementset_state

    good, blocked = [], {}
    for e in element_sets:
        if e.perigee_km < MIN_TARGET_PERIGEE_KM:
            blocked[e.norad_id] = ("decay", f"perigee {e.perigee_km:.0f} km < {MIN_TARGET_PERIGEE_KM:.0f} km: "
                                            "it re-enters by itself, soon")
            continue
        try:
            elementset_state(e, Time.from_mjd2000(t0))
        except PropagationError as err:
            blocked[e.norad_id] = ("decay", str(err))
            continue
        good.append(e)
    for nid in targets:
        if nid not in {e.norad_id for e in element_sets} and nid not in blocked:
            blocked[nid] = ("catalog", "no element set")
    return good, blocked


def plan_route(element_sets, targets: dict, ship: Ship, costs: CostModel | None = None, *,
               options: SearchOptions | None = None, budget_dv_m_s: float | None = None,
               days: float | None = None, start=None, fly: bool = True, unknown_ids=(), exclude=(),
               progress=None) -> Route:
    """Plan (and by default fly) one ship's route through ``targets`` (dict id → :class:`Target`)."""
    costs = costs or CostModel()
    opts = options or SearchOptions()
    if opts.objective not in ("risk", "profit"):
        raise RoutePlanningError(f"objective must be 'risk' or 'profit', not {opts.objective!r}")
    if days is not None:
        if not days > 0:
            raise RoutePlanningError(f"--days {days}: a mission needs a positive duration")
        ship = ship.with_(max_mission_days=float(days))
    cap = ship.dv_capacity_m_s()
    if budget_dv_m_s is None:
        budget_dv_m_s = math.inf
    elif not budget_dv_m_s >= 0:
        raise RoutePlanningError(f"--budget-dv {budget_dv_m_s}: a ΔV budget must be ≥ 0 m/s")
    t0 = _start_epoch(ship, element_sets, start)
    good, blocked = _prefilter(element_sets, targets, t0 if element_sets else 0.0)
    for nid in unknown_ids:
        blocked[int(nid)] = ("catalog", "not in the catalog (check the NORAD id or load a newer catalog)")
    notes = []
    if budget_dv_m_s > cap and math.isfinite(budget_dv_m_s):
        notes.append(f"--budget-dv {budget_dv_m_s:,.0f} m/s is more than the ship's propellant gives "
                     f"({cap:,.0f} m/s): the propellant is the binding limit")
    parking = _parking(ship, t0)
    bodies = CatalogBodies(good, parking)
    start_id = -1 if parking is not None else None
    live = {k: v for k, v in targets.items() if k in {e.norad_id for e in good}}
    best, cheapest = _search(bodies, live, ship, costs, opts, t0, budget_dv_m_s, start_id, exclude)
    legs = [Leg(d, a, td, ta, dv) for (d, a, td, ta, dv) in best.legs]
    route = Route(ship, costs, t0, [targets[i] for i in best.seq], list(best.arrivals), legs, {}, False, opts,
                  budget_dv_m_s, notes)
    _mass_book(route, flown=False)
    if fly and legs:
        _fly(route, bodies, progress)
    left_prop = ship.propellant_kg - route.propellant_kg
    mass_end = ship.dry_mass_kg + left_prop + (ship.kit_count - route.n_removed) * ship.kit_mass_kg
    left_dv = ship.exhaust_velocity_m_s * math.log(mass_end / (mass_end - left_prop)) if left_prop > 0 else 0.0
    left_dv = min(left_dv, budget_dv_m_s - route.dv_m_s)
    reasons = _reasons(bodies, live, set(t.norad_id for t in route.targets), cheapest, ship, opts, budget_dv_m_s,
                       left_prop, left_dv, True)
    route.blocked = {**blocked, **reasons, **route.blocked}
    for t in route.targets:
        route.blocked.pop(t.norad_id, None)
    if not route.targets:
        why = "; ".join(f"{k}: {c} — {r}" for k, (c, r) in list(route.blocked.items())[:5])
        route.notes.append(f"no target can be removed: {why}")
    return route


def _mass_book(route: Route, flown: bool) -> None:
    ship = route.ship
    used = 0.0
    first_free = route.ship.start_orbit != "parking"
    for k, leg in enumerate(route.legs):
        kits_left = ship.kit_count - (k + (1 if first_free else 0))
        m = ship.dry_mass_kg + ship.propellant_kg - used + kits_left * ship.kit_mass_kg
        dv = leg.dv_m_s if flown else leg.dv_estimate_m_s * route.options.dv_margin
        leg.mass_before_kg = m
        leg.propellant_kg = float(ship.propellant_for_kg(dv, m))
        used += leg.propellant_kg


def _fly(route: Route, bodies: CatalogBodies, progress=None) -> None:
    """Fly the planned legs in order. A leg that cannot be flown, or whose exact ΔV breaks a
    budget, drops its target: the ship then flies from where it is to the next planned target
    (same planned arrival), and so on."""
    ship = route.ship
    first_free = ship.start_orbit != "parking"
    used, dv_used = 0.0, 0.0
    planned = list(zip(route.legs, route.targets[1:] if first_free else route.targets,
                       route.arrivals_mjd2000_day[1:] if first_free else route.arrivals_mjd2000_day))
    keep_t = route.targets[:1] if first_free else []
    keep_a = route.arrivals_mjd2000_day[:1] if first_free else []
    legs = []
    cur = route.legs[0].dep_id if route.legs else None
    t_free = route.legs[0].t_dep_mjd2000_day if route.legs else 0.0
    for k, (leg, tgt, t_arr) in enumerate(planned):
        if progress:
            progress(k, len(planned), leg)
        if cur != leg.dep_id:  # a target was dropped: re-estimate the leg from where the ship is
            el = lambda i: bodies.elements_at(i, t_free)  # noqa: E731
            est = float(estimate_legs_dv_m_s(el(cur), el(leg.arr_id), (leg.t_arr_mjd2000_day - t_free) * DAY_S))
            leg = Leg(cur, leg.arr_id, t_free, leg.t_arr_mjd2000_day, est)
        else:
            leg = Leg(cur, leg.arr_id, leg.t_dep_mjd2000_day, leg.t_arr_mjd2000_day, leg.dv_estimate_m_s)
        n_done = len(keep_t)
        kits_left = ship.kit_count - n_done
        m = ship.dry_mass_kg + ship.propellant_kg - used + kits_left * ship.kit_mass_kg
        planned_dv = leg.dv_estimate_m_s * route.options.dv_margin
        p_plan = float(ship.propellant_for_kg(planned_dv, m))
        if used + p_plan > ship.propellant_kg + 1e-9 or dv_used + planned_dv > route.budget_dv_m_s + 1e-9:
            c = "propellant" if used + p_plan > ship.propellant_kg + 1e-9 else "budget-dv"
            route.blocked[leg.arr_id] = (c, f"after the flown legs, the leg {leg.dep_id} → {leg.arr_id} (≈{planned_dv:,.0f} m/s) "
                                            f"no longer fits: {ship.propellant_kg - used:,.0f} kg left")
            route.notes.append(f"dropped {leg.arr_id}: {c} (flown legs cost more than estimated)")
            continue
        tr = fly_leg(bodies, leg.dep_id, leg.t_dep_mjd2000_day, leg.arr_id, leg.t_arr_mjd2000_day)
        leg.transfer, leg.mode, leg.message = tr, tr.mode, tr.message
        why = None
        if tr.ok and tr.dv_total_m_s > 1.5 * planned_dv + 200.0:
            why = ("exact-transfer", f"the J2 transfer {leg.dep_id} → {leg.arr_id} costs {tr.dv_total_m_s:,.0f} m/s, "
                                     f"far above the planned {planned_dv:,.0f} m/s: not worth it")
        elif not tr.ok:
            why = ("exact-transfer", f"the J2 transfer {leg.dep_id} → {leg.arr_id} could not be flown: {tr.message}")
        else:
            p = float(ship.propellant_for_kg(tr.dv_total_m_s, m))
            if used + p > ship.propellant_kg + 1e-9:
                why = ("propellant", f"flown leg from {leg.dep_id} costs {tr.dv_total_m_s:,.0f} m/s = "
                                     f"{p:,.0f} kg, only {ship.propellant_kg - used:,.0f} kg left")
            elif dv_used + tr.dv_total_m_s > route.budget_dv_m_s + 1e-9:
                why = ("budget-dv", f"flown leg from {leg.dep_id} costs {tr.dv_total_m_s:,.0f} m/s; "
                                    f"{route.budget_dv_m_s - dv_used:,.0f} m/s of the budget left")
        if why is not None:
            route.blocked[leg.arr_id] = why
            route.notes.append(f"dropped {leg.arr_id} (leg {leg.dep_id} → {leg.arr_id}): {why[0]}; "
                               "the ship goes on to the next planned target")
            continue
        leg.dv_m_s, leg.ok = tr.dv_total_m_s, True
        leg.mass_before_kg, leg.propellant_kg = m, p
        used += p
        dv_used += tr.dv_total_m_s
        legs.append(leg)
        keep_t.append(tgt)
        keep_a.append(t_arr)
        cur, t_free = tgt.norad_id, t_arr + ship.stay_days
    route.legs, route.targets, route.arrivals_mjd2000_day = legs, keep_t, keep_a
    route.flown = True


# --- the baseline --------------------------------------------------------------------------
def greedy_route(element_sets, targets: dict, ship: Ship, costs: CostModel | None = None, *,
                 options: SearchOptions | None = None, budget_dv_m_s: float | None = None, start=None) -> Route:
    """Greedy nearest-ΔV baseline: start on the target that has the cheapest estimated leg to
    any other, then always go to the target with the cheapest estimated next leg (same grid of
    waits and flight times, same margin and constraints) until nothing fits."""
    opts = options or SearchOptions()
    costs = costs or CostModel()
    budget = math.inf if budget_dv_m_s is None else budget_dv_m_s
    t0 = _start_epoch(ship, element_sets, start)
    good, _ = _prefilter(element_sets, targets, t0)
    bodies = CatalogBodies(good, _parking(ship, t0))
    ids = [i for i in bodies.ids.tolist() if i in targets]
    ve, t_end = ship.exhaust_velocity_m_s, t0 + ship.max_mission_days
    start_id = -1 if bodies.parking is not None else None
    if start_id is None:  # first target: the one with the cheapest leg to any other
        node0 = _Node((), (), (), t0, 0.0, 0.0, 0.0, 0.0)
        best_first, best_dv = ids[0], math.inf
        for i in ids:
            n = _Node((i,), (t0,), (), t0, 0.0, 0.0, 0.0, 0.0)
            others = [j for j in ids if j != i]
            if not others:
                break
            dv, _, _ = _expand(bodies, n, i, bodies.index(others), ship, opts, t_end)
            if dv.min() < best_dv:
                best_first, best_dv = i, float(dv.min())
        del node0
        node = _Node((best_first,), (t0,), (), t0, 0.0, 0.0, targets[best_first].value_index, 0.0)
    else:
        node = _Node((), (), (), t0, 0.0, 0.0, 0.0, 0.0)
    while len(node.seq) < ship.kit_count:
        rem = [j for j in ids if j not in node.seq]
        if not rem:
            break
        cur = node.seq[-1] if node.seq else start_id
        dv, td, ta = _expand(bodies, node, cur, bodies.index(rem), ship, opts, t_end)
        dvm = dv * opts.dv_margin
        mass = ship.dry_mass_kg + ship.propellant_kg - node.prop_used + (ship.kit_count - len(node.seq)) * ship.kit_mass_kg
        prop = mass * -np.expm1(-dvm / ve)
        ok = np.isfinite(dvm) & (node.prop_used + prop <= ship.propellant_kg) & (node.dv_used + dvm <= budget)
        if not ok.any():
            break
        k = int(np.argmin(np.where(ok, dvm, np.inf)))
        leg = (cur, rem[k], float(td[k]), float(ta[k]), float(dv[k]))
        node = _Node(node.seq + (rem[k],), node.arrivals + (float(ta[k]),), node.legs + (leg,), float(ta[k]),
                     node.prop_used + float(prop[k]), node.dv_used + float(dvm[k]),
                     node.value + targets[rem[k]].value_index, 0.0)
    legs = [Leg(*l) for l in node.legs]
    route = Route(ship, costs, t0, [targets[i] for i in node.seq], list(node.arrivals), legs, {}, False, opts, budget)
    _mass_book(route, flown=False)
    return route
