"""The cost model of a salvage mission (money in MEUR, like GTOC9's score).

    profit = Σ bounty(target) − launch − propellant_kg × propellant_price − days × operations

* ``launch_meur`` — one launch per ship and mission (default 25 MEUR: a small launcher's
  dedicated ride for a ~3 t tug).
* ``propellant_meur_per_kg`` — propellant burnt, priced as delivered to orbit (default 0.01
  MEUR/kg = 10,000 EUR/kg; the launch of the tank is in the launch cost, so this is the
  marginal price of carrying it).
* ``operations_meur_per_day`` — ground segment and crew while the mission lasts (default 0.02).
* ``bounty_meur_per_index`` — default bounty: proportional to the target's criticality index
  (expected trackable fragments it would add, :mod:`spacesweepers.danger.criticality`);
  default 30 MEUR per unit of index (a top derelict rocket body, index ≈ 0.4, pays 12 MEUR).
* ``bounties_meur`` — a bounty per NORAD id overrides the default (a paying customer).

All figures are assumptions to be replaced by yours: ``--costs FILE`` (TOML with these keys,
bounties as a ``[bounties_meur]`` table ``"25730" = 12.5``) and ``--bounty ID=MEUR``.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..errors import SweepersError

__all__ = ["CostModel"]


@dataclass(frozen=True)
class CostModel:
    launch_meur: float = 25.0
    propellant_meur_per_kg: float = 0.01
    operations_meur_per_day: float = 0.02
    bounty_meur_per_index: float = 30.0
    bounties_meur: dict = field(default_factory=dict)

    @classmethod
    def from_toml(cls, path: str | Path) -> "CostModel":
        try:
            data = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise SweepersError(f"cost model {path}: {e}") from None
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise SweepersError(f"cost model {path}: unknown key(s) {', '.join(sorted(unknown))}; "
                                f"known: {', '.join(sorted(known))}")
        b = {int(k): float(v) for k, v in (data.pop("bounties_meur", {}) or {}).items()}
        return cls(**{k: float(v) for k, v in data.items()}, bounties_meur=b)

    def with_bounties(self, bounties: dict) -> "CostModel":
        return replace(self, bounties_meur={**self.bounties_meur, **{int(k): float(v) for k, v in bounties.items()}})

    def bounty_meur(self, norad_id: int, index: float) -> float:
        b = self.bounties_meur.get(int(norad_id))
        return float(b) if b is not None else float(self.bounty_meur_per_index * index)

    def mission_cost_meur(self, propellant_kg: float, days: float) -> float:
        return self.launch_meur + self.propellant_meur_per_kg * propellant_kg + self.operations_meur_per_day * days

    def to_dict(self) -> dict:
        d = asdict(self)
        d["bounties_meur"] = {str(k): v for k, v in self.bounties_meur.items()}
        return d
