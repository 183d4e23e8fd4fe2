"""A salvage ship is data: masses, engine, kits, mission limits and where it starts.

Read from TOML (:meth:`Ship.from_toml`; the *Victory* ships with the package:
``Ship.builtin("victory")``). Keys name their units::

    name = "Victory"
    dry_mass_kg = 900.0        # without propellant or kits
    propellant_kg = 1800.0
    isp_s = 320.0
    kit_mass_kg = 40.0         # one capture/de-orbit kit, left on each target
    kit_count = 8              # at most this many targets per mission
    max_mission_days = 365.0   # launch to the end of the last stay
    stay_days = 2.0            # time at each target
    [start]
    epoch = "catalog"          # newest element-set epoch of the targets, or ISO 8601 UTC
    orbit = "first-target"     # launcher delivers the ship onto its first target, or a parking
                               # orbit: altitude_km, inclination_deg, raan_deg (circular)

Mass bookkeeping (GTOC9-style): the ship starts with ``dry + propellant + kit_count × kit``;
each impulse burns ``m (1 − exp(−ΔV / (Isp g0)))``; each capture leaves one kit behind.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..errors import SweepersError
from ..units import G0_M_S2

__all__ = ["Ship", "ShipError"]

_REQUIRED = ("dry_mass_kg", "propellant_kg", "isp_s", "kit_mass_kg", "kit_count", "max_mission_days")


class ShipError(SweepersError, ValueError):
    """A ship file that cannot describe a flyable ship."""


@dataclass(frozen=True)
class Ship:
    name: str
    dry_mass_kg: float
    propellant_kg: float
    isp_s: float
    kit_mass_kg: float
    kit_count: int
    max_mission_days: float
    stay_days: float = 2.0
    start_epoch: str = "catalog"
    start_orbit: str = "first-target"  # or "parking"
    parking_altitude_km: float | None = None
    parking_inclination_deg: float | None = None
    parking_raan_deg: float | None = None
    source: str = "<ship>"

    # --- constructors -----------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> "Ship":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ShipError(f"ship file {path} not found; fix: give an existing TOML file, or use the built-in "
                            "'victory' (--ship victory)") from None
        except tomllib.TOMLDecodeError as e:
            raise ShipError(f"{path}: not valid TOML ({e})") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def builtin(cls, name: str = "victory") -> "Ship":
        import importlib.resources as resources

        f = resources.files("spacesweepers") / "data" / "ships" / f"{name.lower()}.toml"
        if not f.is_file():
            raise ShipError(f"no built-in ship {name!r}; built-in ships: victory")
        return cls.from_dict(tomllib.loads(f.read_text()), source=f"built-in ship {name.lower()}")

    @classmethod
    def load(cls, spec: str | Path) -> "Ship":
        """A TOML file, or the name of a built-in ship (``victory``)."""
        p = Path(spec)
        if p.suffix.lower() == ".toml" or p.exists():
            return cls.from_toml(p)
        return cls.builtin(str(spec))

    @classmethod
    def from_dict(cls, data: dict, source: str = "<ship>") -> "Ship":
        missing = [k for k in _REQUIRED if k not in data]
        if missing:
            raise ShipError(f"{source}: missing key(s) {', '.join(missing)}; a ship needs {', '.join(_REQUIRED)} "
                            "(units in the names; see docs/planning.md)")
        start = data.get("start", {}) or {}
        orbit = str(start.get("orbit", "first-target"))
        kw = dict(
            name=str(data.get("name", Path(source).stem)),
            **{k: float(data[k]) for k in _REQUIRED if k != "kit_count"},
            kit_count=int(data["kit_count"]),
            stay_days=float(data.get("stay_days", 2.0)),
            start_epoch=str(start.get("epoch", "catalog")),
            source=source,
        )
        if orbit == "first-target" and not any(k in start for k in ("altitude_km", "inclination_deg")):
            kw["start_orbit"] = "first-target"
        else:
            miss = [k for k in ("altitude_km", "inclination_deg", "raan_deg") if k not in start]
            if miss:
                raise ShipError(f"{source}: [start] parking orbit needs {', '.join(miss)} "
                                "(or orbit = \"first-target\")")
            kw.update(start_orbit="parking", parking_altitude_km=float(start["altitude_km"]),
                      parking_inclination_deg=float(start["inclination_deg"]), parking_raan_deg=float(start["raan_deg"]))
        ship = cls(**kw)
        ship.validate()
        return ship

    def validate(self) -> None:
        problems = []
        for k in ("dry_mass_kg", "isp_s", "max_mission_days"):
            v = getattr(self, k)
            if not (math.isfinite(v) and v > 0):
                problems.append(f"{k} = {v} must be > 0")
        if not (math.isfinite(self.propellant_kg) and self.propellant_kg > 0):
            problems.append(f"propellant_kg = {self.propellant_kg}: a ship with no propellant cannot fly any leg "
                            "(set propellant_kg > 0)")
        if self.kit_count < 1:
            problems.append(f"kit_count = {self.kit_count}: without a capture/de-orbit kit no target can be removed")
        if not (self.kit_mass_kg >= 0 and self.stay_days >= 0):
            problems.append("kit_mass_kg and stay_days must be ≥ 0")
        if self.start_orbit == "parking" and not (150.0 <= (self.parking_altitude_km or 0) <= 40000.0):
            problems.append(f"parking altitude {self.parking_altitude_km} km is outside 150–40,000 km")
        if problems:
            raise ShipError(f"{self.source}: ship '{self.name}' cannot fly: " + "; ".join(problems))

    # --- derived ----------------------------------------------------------------------
    @property
    def exhaust_velocity_m_s(self) -> float:
        return self.isp_s * G0_M_S2

    @property
    def launch_mass_kg(self) -> float:
        return self.dry_mass_kg + self.propellant_kg + self.kit_count * self.kit_mass_kg

    def dv_capacity_m_s(self, n_kits_used: int | None = None) -> float:
        """ΔV (m/s) the full propellant load gives with all kits on board (a lower bound: kits
        left on targets make the ship lighter)."""
        m0 = self.launch_mass_kg
        return self.exhaust_velocity_m_s * math.log(m0 / (m0 - self.propellant_kg))

    def propellant_for_kg(self, dv_m_s, mass_kg):
        """Propellant (kg) burnt by ΔV (m/s) at mass ``mass_kg`` (arrays broadcast)."""
        import numpy as np

        return np.asarray(mass_kg) * -np.expm1(-np.asarray(dv_m_s) / self.exhaust_velocity_m_s)

    def with_(self, **changes) -> "Ship":
        s = replace(self, **changes)
        s.validate()
        return s

    def to_dict(self) -> dict:
        d = asdict(self)
        d["launch_mass_kg"] = self.launch_mass_kg
        d["dv_capacity_m_s"] = self.dv_capacity_m_s()
        return d
