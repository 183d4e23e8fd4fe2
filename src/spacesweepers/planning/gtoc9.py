"""GTOC9 "The Kessler Run": debris set, mission files, validator and scorer.

Units: SI (m, m/s, kg) as the problem is stated; epochs are MJD2000 *days* of 86,400 s
(``_mjd2000_day``). GTOC9 has no leap seconds: its day count is uniform, so epochs are
plain floats here, not :class:`~spacesweepers.time.Time` (``Time.from_mjd2000`` turns one
into a UTC instant for display).

Our mission-file format (one file per mission, one line per impulsive event; see
docs/gtoc9.md)::

    # epoch_mjd2000_day x_m y_m z_m vx_m_s vy_m_s vz_m_s dvx_m_s dvy_m_s dvz_m_s mass_kg event_id

* position and velocity are the spacecraft's **before** the impulse, mass is **before** the
  impulse; event_id is the debris id at an arrival or departure, −1 for a deep-space impulse;
* each debris appears on two consecutive lines, arrival then departure (≥ 5 days later);
  the first line of a mission is the launch delivery onto its first debris (ΔV = 0), the
  last line is the end of the stay at the last debris (ΔV = 0).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import NotFound, ParseError, SweepersError
from ..propagation.j2 import (
    GTOC9_J2_MODEL,
    PropagationError,
    kepler_to_cartesian,
    perigee_radius_min_m,
    propagate_j2,
    secular_elements,
    secular_rates,
)
from ..units import (
    DAY_S,
    GTOC9_ALPHA_MEUR_KG2,
    GTOC9_BASE_COST_MEUR,
    GTOC9_EPS_M_KG,
    GTOC9_EPS_R_M,
    GTOC9_EPS_V_M_S,
    GTOC9_G0_M_S2,
    GTOC9_GAP_DAYS,
    GTOC9_ISP_S,
    GTOC9_M_DE_KG,
    GTOC9_M_DRY_KG,
    GTOC9_M_PROP_MAX_KG,
    GTOC9_R_PERIGEE_MIN_M,
    GTOC9_STAY_DAYS,
)

__all__ = [
    "VEX_M_S",
    "WINDOW_MJD2000_DAY",
    "DebrisSet",
    "Event",
    "Mission",
    "Violation",
    "CheckReport",
    "MissionScore",
    "ScoreReport",
    "read_mission",
    "write_mission",
    "read_missions",
    "check_missions",
    "score_missions",
    "minimum_initial_mass_kg",
    "mission_from_legs",
]

VEX_M_S = GTOC9_ISP_S * GTOC9_G0_M_S2  # 3334.26 m/s
#: the MTS-DP convention: t = 0 at MJD2000 23467, last stay ends ≤ 23467 + 2952 days (unverified; docs)
WINDOW_MJD2000_DAY = (23467.0, 26419.0)
HEADER = "# epoch_mjd2000_day x_m y_m z_m vx_m_s vy_m_s vz_m_s dvx_m_s dvy_m_s dvz_m_s mass_kg event_id"
_STAY_EPS_DAY = 1e-6  # 0.09 s: epochs written as decimal days cannot hold exact sums


# --- debris ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DebrisSet:
    """The GTOC9 debris: ids, reference epochs (MJD2000 days) and elements (a m, e, i, Ω, ω, M rad)."""

    ids: np.ndarray
    epoch_mjd2000_day: np.ndarray
    elements: np.ndarray  # (n, 6)

    @classmethod
    def from_csv(cls, path: str | Path) -> "DebrisSet":
        """Read ``debris.csv`` (header id,epoch_mjd2000_day,a_m,e,i_rad,raan_rad,argp_rad,mean_anomaly_rad)."""
        path = Path(path)
        if not path.is_file():
            raise NotFound(f"debris file {path} not found; it is ../shared/data/gtoc9/debris.csv in the shared data")
        rows = []
        with path.open(newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            for k, row in enumerate(reader, start=2):
                if not row or row[0].startswith("#"):
                    continue
                try:
                    rows.append([float(x) for x in row])
                except ValueError:
                    raise ParseError(source=str(path), message="not a number", line=k, expected=",".join(header or []),
                                     text=",".join(row)) from None
                if len(row) != 8:
                    raise ParseError(source=str(path), message=f"{len(row)} columns instead of 8", line=k,
                                     expected=",".join(header or []), text=",".join(row))
        arr = np.array(rows)
        order = np.argsort(arr[:, 0])
        arr = arr[order]
        return cls(arr[:, 0].astype(int), arr[:, 1].copy(), arr[:, 2:8].copy())

    def __len__(self) -> int:
        return len(self.ids)

    def _index(self, ids) -> np.ndarray:
        ids = np.asarray(ids, dtype=int)
        pos = np.searchsorted(self.ids, ids)
        pos = np.clip(pos, 0, len(self.ids) - 1)
        if np.any(self.ids[pos] != ids):
            bad = np.atleast_1d(ids)[np.atleast_1d(self.ids[pos] != ids)][0]
            raise NotFound(f"no debris with id {int(bad)}; ids run from {self.ids.min()} to {self.ids.max()}")
        return pos

    def elements_at(self, ids, t_mjd2000_day) -> np.ndarray:
        """Secular-J2 elements (..., 6) of debris ``ids`` at ``t_mjd2000_day`` (arrays broadcast)."""
        k = self._index(ids)
        dt = (np.asarray(t_mjd2000_day, dtype=float) - self.epoch_mjd2000_day[k]) * DAY_S
        return secular_elements(self.elements[k], dt, GTOC9_J2_MODEL)

    def state(self, ids, t_mjd2000_day) -> tuple[np.ndarray, np.ndarray]:
        """GTOC9 ephemeris: position (m) and velocity (m/s), shape (..., 3), of ``ids`` at the epochs.

        Elements advanced with the secular J2 rates, then turned into a Keplerian state (the
        velocity part due to Ω̇ and ω̇ is ignored, as the problem prescribes).
        """
        return kepler_to_cartesian(self.elements_at(ids, t_mjd2000_day), GTOC9_J2_MODEL.mu_m3_s2)

    @cached_property
    def _node_table(self):
        _, draan, _ = secular_rates(self.elements[:, 0], self.elements[:, 1], self.elements[:, 2], GTOC9_J2_MODEL)
        return ({int(i): k for k, i in enumerate(self.ids)}, self.elements[:, 3].tolist(), (draan * DAY_S).tolist(),
                self.epoch_mjd2000_day.tolist())

    @cached_property
    def _node_arrays(self):
        index, raan0, rate, epoch = self._node_table
        return index, np.array(raan0), np.array(rate), np.array(epoch)

    def nodes_rad(self, debris_ids, t_mjd2000_day) -> np.ndarray:
        """:meth:`node_rad` element-wise over arrays of ids and epochs (the same arithmetic,
        for node gaps of many positions at once)."""
        index, raan0, rate, epoch = self._node_arrays
        k = np.array([index[int(i)] for i in np.ravel(debris_ids)], dtype=int).reshape(np.shape(debris_ids))
        return (raan0[k] + rate[k] * (np.asarray(t_mjd2000_day, dtype=float) - epoch[k])) % (2 * math.pi)

    def node_rad(self, debris_id: int, t_mjd2000_day: float) -> float:
        """RAAN (rad, in [0, 2π)) of one debris at one epoch: :meth:`raan_rad` for a single
        value, in plain floats (the local search asks it ~10⁵ times)."""
        index, raan0, rate, epoch = self._node_table
        try:
            k = index[int(debris_id)]
        except KeyError:
            self._index(debris_id)  # raises NotFound with the valid range
            raise
        return (raan0[k] + rate[k] * (t_mjd2000_day - epoch[k])) % (2 * math.pi)

    def raan_rad(self, t_mjd2000_day) -> np.ndarray:
        """RAAN (rad) of every debris at each epoch: shape (n_debris, n_times)."""
        t = np.atleast_1d(np.asarray(t_mjd2000_day, dtype=float))
        return self.elements_at(self.ids[:, None], t[None, :])[..., 3]


# --- mission files -------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """One line of a mission file: an impulse (possibly zero) at an epoch."""

    epoch_mjd2000_day: float
    r_m: np.ndarray
    v_m_s: np.ndarray
    dv_m_s: np.ndarray
    mass_kg: float
    event_id: int
    line: int = 0

    def to_dict(self) -> dict:
        return {"epoch_mjd2000_day": self.epoch_mjd2000_day, "r_m": list(map(float, self.r_m)),
                "v_m_s": list(map(float, self.v_m_s)), "dv_m_s": list(map(float, self.dv_m_s)),
                "mass_kg": self.mass_kg, "event_id": self.event_id, "line": self.line}


@dataclass(frozen=True)
class Mission:
    """The events of one mission, in file order; ``name`` is usually the file name."""

    name: str
    events: tuple[Event, ...]

    @property
    def debris_ids(self) -> list[int]:
        """Debris in visiting order (the arrival lines)."""
        return [e.event_id for e, r in zip(self.events, _roles(self.events)) if r == "arrival"]

    @property
    def start_mjd2000_day(self) -> float:
        return self.events[0].epoch_mjd2000_day

    @property
    def end_mjd2000_day(self) -> float:
        return self.events[-1].epoch_mjd2000_day

    @property
    def m0_kg(self) -> float:
        return self.events[0].mass_kg

    @property
    def dv_total_m_s(self) -> float:
        return float(sum(np.linalg.norm(e.dv_m_s) for e in self.events))


def _roles(events: Sequence[Event]) -> list[str]:
    """'arrival', 'departure' or 'dsm' for every event (pairs of equal debris ids)."""
    roles = []
    open_id = None
    for ev in events:
        if ev.event_id < 0:
            roles.append("dsm")
        elif open_id == ev.event_id:
            roles.append("departure")
            open_id = None
        else:
            roles.append("arrival")
            open_id = ev.event_id
    return roles


def _fmt(x: float) -> str:
    return repr(float(x))


def write_mission(mission: Mission, path: str | Path) -> Path:
    """Write ``mission`` in our format (full double precision, header comment)."""
    path = Path(path)
    lines = [f"# Space Sweepers GTOC9 mission file: {mission.name}", HEADER]
    for e in mission.events:
        nums = [e.epoch_mjd2000_day, *e.r_m, *e.v_m_s, *e.dv_m_s, e.mass_kg]
        lines.append(" ".join(_fmt(x) for x in nums) + f" {int(e.event_id)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def read_mission(path: str | Path, name: str | None = None) -> Mission:
    """Read one mission file; bad lines raise :class:`ParseError` with file, line and the template."""
    path = Path(path)
    events = []
    for k, raw in enumerate(path.read_text().splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.replace(",", " ").split()
        if len(parts) != 12:
            raise ParseError(source=str(path), message=f"{len(parts)} columns instead of 12", line=k, expected=HEADER[2:],
                             text=text, hint="one event per line, whitespace-separated, see docs/gtoc9.md")
        try:
            nums = [float(x) for x in parts[:11]]
            eid = int(float(parts[11]))
        except ValueError:
            raise ParseError(source=str(path), message="not a number", line=k, expected=HEADER[2:], text=text) from None
        if not all(math.isfinite(x) for x in nums):
            raise ParseError(source=str(path), message="NaN or infinity", line=k, expected=HEADER[2:], text=text)
        events.append(Event(nums[0], np.array(nums[1:4]), np.array(nums[4:7]), np.array(nums[7:10]),
                            nums[10], eid, k))
    if not events:
        raise ParseError(source=str(path), message="no events", expected=HEADER[2:])
    return Mission(name or path.name, tuple(events))


def read_missions(directory: str | Path) -> list[Mission]:
    """Every ``*.txt`` mission file in ``directory`` (sorted by name)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise NotFound(f"{directory} is not a directory of mission files")
    files = sorted(p for p in directory.iterdir() if p.suffix == ".txt" and p.is_file())
    if not files:
        raise NotFound(f"no mission files (*.txt) in {directory}")
    return [read_mission(p) for p in files]


# --- validator -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Violation:
    """One broken rule: where, which, and by how much (``excess`` in ``unit``)."""

    mission: str
    line: int | None
    rule: str
    message: str
    excess: float | None = None
    unit: str = ""

    def to_dict(self) -> dict:
        return {"mission": self.mission, "line": self.line, "rule": self.rule, "message": self.message,
                "excess": self.excess, "unit": self.unit}

    def __str__(self) -> str:
        where = self.mission + (f":{self.line}" if self.line else "")
        return f"{where}: [{self.rule}] {self.message}"


@dataclass
class CheckReport:
    violations: list[Violation] = field(default_factory=list)
    n_missions: int = 0
    n_debris: int = 0
    n_arcs: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict:
        return {"ok": self.ok, "n_missions": self.n_missions, "n_debris": self.n_debris,
                "n_arcs": self.n_arcs, "violations": [v.to_dict() for v in self.violations]}


RULES = {
    "format": "event structure: arrival/departure pairs per debris, deep-space events (−1) between them",
    "order": "epochs do not decrease",
    "launch": "the first event is the launch delivery onto a debris with ΔV = 0",
    "stay": f"stay at each debris ≥ {GTOC9_STAY_DAYS:g} days",
    "debris-state": f"state at a debris matches its ephemeris within {GTOC9_EPS_R_M:g} m / {GTOC9_EPS_V_M_S:g} m/s",
    "arc": f"J2 re-integration of each arc reaches the next stated state within {GTOC9_EPS_R_M:g} m / {GTOC9_EPS_V_M_S:g} m/s",
    "perigee": f"osculating perigee radius ≥ {GTOC9_R_PERIGEE_MIN_M / 1e3:g} km along every arc",
    "mass": f"mass bookkeeping (rocket equation, Isp·g0 = {VEX_M_S:.3f} m/s, {GTOC9_M_DE_KG:g} kg per debris) within {GTOC9_EPS_M_KG:g} kg",
    "propellant": f"propellant load ≤ {GTOC9_M_PROP_MAX_KG:g} kg and never below dry mass",
    "window": "missions inside the time window",
    "gap": f"≥ {GTOC9_GAP_DAYS:g} days between the end of a mission and the start of the next",
    "duplicate": "no debris removed twice",
    "coverage": "every debris removed",
}


def check_missions(missions: Sequence[Mission], debris: DebrisSet, *, require_all: bool = True,
                   window_mjd2000_day: tuple[float, float] | None = WINDOW_MJD2000_DAY) -> CheckReport:
    """Check ``missions`` against every GTOC9 rule we could confirm (see :data:`RULES`).

    ``require_all=False`` skips the coverage rule (for partial plans); ``window_mjd2000_day=None``
    skips the time-window rule. Returns every violation, not just the first.
    """
    rep = CheckReport(n_missions=len(missions))
    seen: dict[int, str] = {}
    for mis in missions:
        _check_one(mis, debris, rep, seen, window_mjd2000_day)
    # gaps between missions (sorted by start)
    order = sorted(missions, key=lambda m: m.start_mjd2000_day)
    for prev, nxt in zip(order, order[1:]):
        gap = nxt.start_mjd2000_day - prev.end_mjd2000_day
        if gap < GTOC9_GAP_DAYS - _STAY_EPS_DAY:
            rep.violations.append(Violation(
                nxt.name, nxt.events[0].line, "gap",
                f"starts {gap:.6f} days after {prev.name} ends; at least {GTOC9_GAP_DAYS:g} days required "
                f"(short by {GTOC9_GAP_DAYS - gap:.6f} days)", GTOC9_GAP_DAYS - gap, "day"))
    rep.n_debris = len(seen)
    if require_all:
        missing = sorted(set(int(i) for i in debris.ids) - set(seen))
        if missing:
            shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
            rep.violations.append(Violation("(all)", None, "coverage",
                                            f"{len(missing)} debris never removed: {shown}", len(missing), "debris"))
    return rep


def _check_one(mis: Mission, debris: DebrisSet, rep: CheckReport, seen: dict, window):
    ev = mis.events
    roles = _roles(ev)
    V = rep.violations.append
    name = mis.name
    # structure
    if roles[0] != "arrival":
        V(Violation(name, ev[0].line, "format", "the first event must be the arrival at (delivery onto) a debris"))
        return
    if roles[-1] != "departure":
        V(Violation(name, ev[-1].line, "format",
                    "the last event must end the stay at the last debris (its id again, ΔV = 0)"))
    for k in range(1, len(ev)):
        if roles[k] == "dsm" and roles[k - 1] == "arrival":
            V(Violation(name, ev[k].line, "format",
                        f"deep-space event inside the stay at debris {ev[k - 1].event_id}; "
                        "a debris needs an arrival and a departure line"))
        if roles[k] == "arrival" and roles[k - 1] == "arrival":
            V(Violation(name, ev[k].line, "format", f"arrival at debris {ev[k].event_id} before departing "
                        f"from debris {ev[k - 1].event_id}"))
    if np.linalg.norm(ev[0].dv_m_s) > 0:
        V(Violation(name, ev[0].line, "launch", f"the launch delivery has ΔV = {np.linalg.norm(ev[0].dv_m_s):.6g} m/s; "
                    "must be 0 (the launcher puts the spacecraft on the first debris)",
                    float(np.linalg.norm(ev[0].dv_m_s)), "m/s"))
    for k in range(1, len(ev)):
        if ev[k].epoch_mjd2000_day < ev[k - 1].epoch_mjd2000_day:
            V(Violation(name, ev[k].line, "order", f"epoch {ev[k].epoch_mjd2000_day} is before the previous "
                        f"line's {ev[k - 1].epoch_mjd2000_day}",
                        ev[k - 1].epoch_mjd2000_day - ev[k].epoch_mjd2000_day, "day"))
    if window is not None:
        t0, t1 = window
        if mis.start_mjd2000_day < t0:
            V(Violation(name, ev[0].line, "window", f"starts at MJD2000 {mis.start_mjd2000_day}, before {t0:g}",
                        t0 - mis.start_mjd2000_day, "day"))
        if mis.end_mjd2000_day > t1:
            V(Violation(name, ev[-1].line, "window", f"ends at MJD2000 {mis.end_mjd2000_day}, after {t1:g}",
                        mis.end_mjd2000_day - t1, "day"))

    # debris ids, duplicates, stays
    n_visits = 0
    arrival_k = {}
    for k, (e, role) in enumerate(zip(ev, roles)):
        if role == "dsm":
            continue
        if not np.any(debris.ids == e.event_id):
            V(Violation(name, e.line, "format", f"unknown debris id {e.event_id} (ids are "
                        f"{debris.ids.min()}..{debris.ids.max()})"))
            continue
        if role == "arrival":
            n_visits += 1
            arrival_k[k] = e.event_id
            if e.event_id in seen:
                V(Violation(name, e.line, "duplicate", f"debris {e.event_id} already removed by {seen[e.event_id]}",
                            1, "debris"))
            else:
                seen[e.event_id] = name
        else:
            stay = e.epoch_mjd2000_day - ev[k - 1].epoch_mjd2000_day
            if stay < GTOC9_STAY_DAYS - _STAY_EPS_DAY:
                V(Violation(name, e.line, "stay", f"stay at debris {e.event_id} lasts {stay:.6f} days, short by "
                            f"{GTOC9_STAY_DAYS - stay:.6f} days", GTOC9_STAY_DAYS - stay, "day"))
        # state at the debris
        rd, vd = debris.state(e.event_id, e.epoch_mjd2000_day)
        dr = float(np.linalg.norm(e.r_m - rd))
        v_after = e.v_m_s + (e.dv_m_s if role == "arrival" else 0.0)
        dv = float(np.linalg.norm(v_after - vd))
        what = "after the arrival impulse" if role == "arrival" else "before the departure impulse"
        if dr > GTOC9_EPS_R_M:
            V(Violation(name, e.line, "debris-state", f"position is {dr:.3f} m from debris {e.event_id}; "
                        f"tolerance {GTOC9_EPS_R_M:g} m (over by {dr - GTOC9_EPS_R_M:.3f} m)", dr - GTOC9_EPS_R_M, "m"))
        if dv > GTOC9_EPS_V_M_S:
            V(Violation(name, e.line, "debris-state", f"velocity {what} differs from debris {e.event_id}'s by "
                        f"{dv:.4f} m/s; tolerance {GTOC9_EPS_V_M_S:g} m/s", dv - GTOC9_EPS_V_M_S, "m/s"))

    # arcs, perigee and mass
    for k in range(len(ev) - 1):
        a, b = ev[k], ev[k + 1]
        inside_stay = roles[k] == "arrival" and roles[k + 1] == "departure"
        # mass
        m_expect = a.mass_kg * math.exp(-float(np.linalg.norm(a.dv_m_s)) / VEX_M_S)
        if roles[k] == "arrival":
            m_expect -= GTOC9_M_DE_KG
        if abs(b.mass_kg - m_expect) > GTOC9_EPS_M_KG:
            V(Violation(name, b.line, "mass", f"mass {b.mass_kg!r} kg, expected {m_expect!r} kg from the previous "
                        f"line (off by {b.mass_kg - m_expect:+.3e} kg, tolerance {GTOC9_EPS_M_KG:g} kg)",
                        abs(b.mass_kg - m_expect) - GTOC9_EPS_M_KG, "kg"))
        if inside_stay or b.epoch_mjd2000_day < a.epoch_mjd2000_day:
            continue
        rep.n_arcs += 1
        tof = (b.epoch_mjd2000_day - a.epoch_mjd2000_day) * DAY_S
        v0 = a.v_m_s + a.dv_m_s
        try:
            r1, v1 = propagate_j2(a.r_m, v0, tof)
            rp, t_rp = perigee_radius_min_m(a.r_m, v0, tof)
        except PropagationError as exc:
            V(Violation(name, a.line, "arc", f"arc to line {b.line} cannot be integrated: {exc}"))
            continue
        dr = float(np.linalg.norm(r1 - b.r_m))
        dv = float(np.linalg.norm(v1 - b.v_m_s))
        if dr > GTOC9_EPS_R_M:
            V(Violation(name, b.line, "arc", f"J2 integration from line {a.line} arrives {dr:.3f} m from the stated "
                        f"position (tolerance {GTOC9_EPS_R_M:g} m, over by {dr - GTOC9_EPS_R_M:.3f} m)",
                        dr - GTOC9_EPS_R_M, "m"))
        if dv > GTOC9_EPS_V_M_S:
            V(Violation(name, b.line, "arc", f"J2 integration from line {a.line} arrives {dv:.4f} m/s off the stated "
                        f"velocity (tolerance {GTOC9_EPS_V_M_S:g} m/s)", dv - GTOC9_EPS_V_M_S, "m/s"))
        if rp < GTOC9_R_PERIGEE_MIN_M:
            V(Violation(name, a.line, "perigee", f"perigee radius falls to {rp / 1e3:.3f} km "
                        f"{t_rp / DAY_S:.4f} days after this line, below {GTOC9_R_PERIGEE_MIN_M / 1e3:g} km "
                        f"(by {(GTOC9_R_PERIGEE_MIN_M - rp) / 1e3:.3f} km)", GTOC9_R_PERIGEE_MIN_M - rp, "m"))

    # propellant
    prop = ev[0].mass_kg - GTOC9_M_DRY_KG - n_visits * GTOC9_M_DE_KG
    if prop > GTOC9_M_PROP_MAX_KG + GTOC9_EPS_M_KG:
        V(Violation(name, ev[0].line, "propellant", f"initial mass {ev[0].mass_kg:.6f} kg carries {prop:.6f} kg of "
                    f"propellant; at most {GTOC9_M_PROP_MAX_KG:g} kg (over by {prop - GTOC9_M_PROP_MAX_KG:.6f} kg)",
                    prop - GTOC9_M_PROP_MAX_KG, "kg"))
    m_end = ev[-1].mass_kg * math.exp(-float(np.linalg.norm(ev[-1].dv_m_s)) / VEX_M_S)
    if m_end < GTOC9_M_DRY_KG - GTOC9_EPS_M_KG:
        V(Violation(name, ev[-1].line, "propellant", f"final mass {m_end:.6f} kg is below the dry mass "
                    f"{GTOC9_M_DRY_KG:g} kg: the propellant ran out (short by {GTOC9_M_DRY_KG - m_end:.6f} kg)",
                    GTOC9_M_DRY_KG - m_end, "kg"))


# --- scorer ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MissionScore:
    name: str
    n_debris: int
    start_mjd2000_day: float
    end_mjd2000_day: float
    dv_total_m_s: float
    m0_kg: float
    propellant_kg: float
    base_cost_meur: float
    mass_cost_meur: float

    @property
    def cost_meur(self) -> float:
        return self.base_cost_meur + self.mass_cost_meur

    def to_dict(self) -> dict:
        return {**self.__dict__, "cost_meur": self.cost_meur}


@dataclass(frozen=True)
class ScoreReport:
    missions: tuple[MissionScore, ...]

    @property
    def j_meur(self) -> float:
        return float(sum(m.cost_meur for m in self.missions))

    def to_dict(self) -> dict:
        return {"j_meur": self.j_meur, "n_missions": len(self.missions),
                "n_debris": sum(m.n_debris for m in self.missions),
                "missions": [m.to_dict() for m in self.missions]}


def score_missions(missions: Sequence[Mission], base_cost_meur: float | Sequence[float] | None = None) -> ScoreReport:
    """J = Σ [c_i + α (m0_i − m_dry)²] (MEUR) with the stated initial masses.

    ``base_cost_meur``: None → 55 MEUR for every mission (the reproducible convention);
    a number → that for every mission; a sequence → one per mission, in the given order.
    """
    n = len(missions)
    if base_cost_meur is None:
        costs = [GTOC9_BASE_COST_MEUR] * n
    elif isinstance(base_cost_meur, (int, float)):
        costs = [float(base_cost_meur)] * n
    else:
        costs = [float(c) for c in base_cost_meur]
        if len(costs) != n:
            raise SweepersError(f"{len(costs)} base costs given for {n} missions; give one per mission "
                                "(in the order of the mission files) or a single value")
    out = []
    for mis, c in zip(missions, costs):
        nd = sum(1 for r in _roles(mis.events) if r == "arrival")
        m0 = mis.m0_kg
        out.append(MissionScore(mis.name, nd, mis.start_mjd2000_day, mis.end_mjd2000_day, mis.dv_total_m_s, m0,
                                m0 - GTOC9_M_DRY_KG - nd * GTOC9_M_DE_KG, c,
                                GTOC9_ALPHA_MEUR_KG2 * (m0 - GTOC9_M_DRY_KG) ** 2))
    return ScoreReport(tuple(out))


def minimum_initial_mass_kg(leg_dv_m_s: Iterable[float]) -> float:
    """Smallest m0 (kg) that flies transfers of these total ΔVs (m/s) and ends with no propellant.

    Backwards from the last debris: m = m_dry + m_de; for each leg going back,
    m ← m·exp(ΔV_leg / (Isp g0)) + m_de.
    """
    m = GTOC9_M_DRY_KG + GTOC9_M_DE_KG
    for dv in reversed(list(leg_dv_m_s)):
        m = m * math.exp(float(dv) / VEX_M_S) + GTOC9_M_DE_KG
    return m


def mission_from_legs(name: str, debris: DebrisSet, visits: Sequence[tuple[int, float, float]],
                      legs: Sequence, m0_kg: float | None = None) -> Mission:
    """Build a mission from visits ``(debris_id, arrival_mjd2000_day, departure_mjd2000_day)`` and
    the transfers between them (objects with ``impulses``, as :func:`~.transfer.exact_transfer`
    returns), doing the mass bookkeeping. ``m0_kg`` defaults to :func:`minimum_initial_mass_kg`.
    """
    if len(legs) != len(visits) - 1:
        raise SweepersError(f"{len(visits)} visits need {len(visits) - 1} transfers, got {len(legs)}")
    if m0_kg is None:
        m0_kg = minimum_initial_mass_kg([leg.dv_total_m_s for leg in legs])
    events = []
    m = m0_kg
    zero = np.zeros(3)

    def add(t, r, v, dv, eid):
        nonlocal m
        events.append(Event(float(t), np.asarray(r, float), np.asarray(v, float), np.asarray(dv, float), m, int(eid)))
        m = m * math.exp(-float(np.linalg.norm(dv)) / VEX_M_S)

    for j, (did, t_arr, t_dep) in enumerate(visits):
        if j == 0:
            r, v = debris.state(did, t_arr)
            add(t_arr, r, v, zero, did)
        else:
            imp = legs[j - 1].impulses[-1]
            add(imp.epoch_mjd2000_day, imp.r_m, imp.v_m_s, imp.dv_m_s, did)
        m -= GTOC9_M_DE_KG
        if j + 1 < len(visits):
            imps = legs[j].impulses
            add(imps[0].epoch_mjd2000_day, imps[0].r_m, imps[0].v_m_s, imps[0].dv_m_s, did)
            for imp in imps[1:-1]:
                add(imp.epoch_mjd2000_day, imp.r_m, imp.v_m_s, imp.dv_m_s, -1)
        else:
            r, v = debris.state(did, t_dep)
            add(t_dep, r, v, zero, did)
    return Mission(name, tuple(events))
