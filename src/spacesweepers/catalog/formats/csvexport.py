"""Plain CSV export of element sets for spreadsheets: one row per object with the OMM
keys (CelesTrak's order, so :func:`~.omm.read_omm_csv` reads the file back) followed by
derived columns: semi-major axis, perigee and apogee altitude above the WGS-72 equator,
and period."""

from __future__ import annotations

import csv
import io
from typing import Iterable

from ..elements import ElementSet
from ._common import fmt_float, open_for_writing
from .omm import OMM_KEYS, element_set_to_omm

DERIVED_COLUMNS = ("SEMI_MAJOR_AXIS_KM", "PERIGEE_KM", "APOGEE_KM", "PERIOD_MIN")
CSV_COLUMNS = OMM_KEYS + DERIVED_COLUMNS


def _derived(x: float) -> str:
    return f"{x:.3f}" if x == x and abs(x) != float("inf") else ""


def dumps_csv(element_sets: Iterable[ElementSet]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for es in element_sets:
        row = [fmt_float(v) if isinstance(v, float) else v for v in element_set_to_omm(es).values()]
        row += [_derived(es.semi_major_axis_km), _derived(es.perigee_km), _derived(es.apogee_km),
                _derived(es.period_min)]
        w.writerow(row)
    return out.getvalue()


def write_csv(element_sets: Iterable[ElementSet], path_or_file) -> int:
    """Write the CSV export; returns the number of rows."""
    items = list(element_sets)
    with open_for_writing(path_or_file, newline="") as f:
        f.write(dumps_csv(items))
    return len(items)


__all__ = ["CSV_COLUMNS", "DERIVED_COLUMNS", "dumps_csv", "write_csv"]
