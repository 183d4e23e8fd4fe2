"""Propagation: SGP4 for the whole catalog × many times in one call, and frames.

    from spacesweepers.propagation import Propagator, propagate
    eph = Propagator(element_sets).at(times)      # Ephemeris, TEME km and km/s
    eph.r_teme_km, eph.v_teme_km_s, eph.error      # (n_obj, n_time, 3), …, (n_obj, n_time)
    eph.gcrs(), eph.itrs(), eph.geodetic()         # other frames, same shapes
"""

from .sgp4batch import (
    ERROR_MESSAGES,
    INVALID_ELEMENTS,
    Ephemeris,
    PropagationProblem,
    Propagator,
    propagate,
)
from .frames import GcrsState, Geodetic, ItrsState, itrs_to_geodetic, teme_to_gcrs, teme_to_itrs

__all__ = [
    "Propagator", "propagate", "Ephemeris", "PropagationProblem", "ERROR_MESSAGES", "INVALID_ELEMENTS",
    "GcrsState", "ItrsState", "Geodetic", "teme_to_gcrs", "teme_to_itrs", "itrs_to_geodetic",
]
