"""Fleet campaigns: several ships share one target list without conflicts.

Ships are planned one after the other (:func:`~.route.plan_route`): each takes the best route
through the targets that earlier ships left, so no target is visited twice; ship ``k`` launches
``k × launch_gap_days`` after the first (one launch campaign at a time), and every ship's route
fits its own mission window. :func:`check_fleet` verifies both properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .route import Route, plan_route

__all__ = ["Fleet", "plan_fleet", "check_fleet"]


@dataclass
class Fleet:
    routes: list
    launch_gap_days: float
    blocked: dict = field(default_factory=dict)

    def summary(self) -> dict:
        rs = self.routes
        prop = sum(r.propellant_kg for r in rs)
        risk = sum(r.risk_removed for r in rs)
        return {"ships": len(rs), "targets_removed": sum(r.n_removed for r in rs), "risk_removed_index": risk,
                "propellant_kg": prop, "bounty_meur": sum(r.bounty_meur for r in rs),
                "cost_meur": sum(r.cost_meur for r in rs), "profit_meur": sum(r.profit_meur for r in rs),
                "risk_per_tonne_propellant": risk / (prop / 1000.0) if prop > 0 else None}

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "launch_gap_days": self.launch_gap_days,
                "routes": [r.to_dict() for r in self.routes],
                "blocked": [{"norad_id": k, "constraint": c, "reason": r} for k, (c, r) in self.blocked.items()]}


def plan_fleet(element_sets, targets: dict, ships: list, costs=None, *, launch_gap_days: float = 7.0, start=None,
               progress=None, **kw) -> Fleet:
    """Plan ``ships`` (a list of :class:`~.ship.Ship`) in turn over ``targets``."""
    from ..time import Time
    from .route import _start_epoch

    t0 = _start_epoch(ships[0], element_sets, start)
    routes: list[Route] = []
    taken: set[int] = set()
    for k, ship in enumerate(ships):
        t_k = Time.from_mjd2000(t0 + k * launch_gap_days)
        if progress:
            progress(k, ship)
        r = plan_route(element_sets, targets, ship, costs, start=t_k, exclude=taken, **kw)
        taken |= {t.norad_id for t in r.targets}
        for nid in taken:
            r.blocked.pop(nid, None)
        routes.append(r)
    blocked = {}
    for r in routes:  # a target no ship took: the last ship's reason is the one that counts
        for nid, why in r.blocked.items():
            if nid not in taken:
                blocked[nid] = why
    return Fleet(routes, launch_gap_days, blocked)


def check_fleet(fleet: Fleet) -> list[str]:
    """Conflicts, as sentences (empty when there are none): a target twice, launches closer than
    the gap, a route outside its mission window, a stay overlapping the next departure."""
    problems = []
    seen: dict[int, str] = {}
    for r in fleet.routes:
        for t in r.targets:
            if t.norad_id in seen:
                problems.append(f"target {t.norad_id} visited by {seen[t.norad_id]} and {r.ship.name}")
            seen[t.norad_id] = r.ship.name
        if r.days > r.ship.max_mission_days + 1e-6:
            problems.append(f"{r.ship.name}: {r.days:.1f} days > {r.ship.max_mission_days:g}")
        for k, leg in enumerate(r.legs):
            prev_arr = r.arrivals_mjd2000_day[k] if r.ship.start_orbit != "parking" else (
                r.arrivals_mjd2000_day[k - 1] if k else r.start_mjd2000_day - r.ship.stay_days)
            if leg.t_dep_mjd2000_day < prev_arr + r.ship.stay_days - 1e-9:
                problems.append(f"{r.ship.name}: leg {k + 1} leaves before the stay at {leg.dep_id} ends")
    starts = sorted(r.start_mjd2000_day for r in fleet.routes)
    for a, b in zip(starts, starts[1:]):
        if b - a < fleet.launch_gap_days - 1e-9:
            problems.append(f"launches {b - a:.2f} days apart < {fleet.launch_gap_days:g}")
    return problems
