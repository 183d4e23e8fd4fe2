"""Units and physical constants.

Internal unit system of the numeric core: kilometres, seconds, kilograms, radians
(kilometres and km/s for positions and velocities, as SGP4 returns them). Angles
that cross a public API are named ``_deg`` or ``_rad``; every public number names its
unit in its name (``miss_distance_km``, ``dv_m_s``, ``mass_kg``).

Constants are named for their source. SGP4 element sets are defined with WGS-72
constants; the GTOC9 problem fixes its own; geodetic output uses WGS-84.
"""

import math

# --- conversions -------------------------------------------------------------------
DEG = math.pi / 180.0
DAY_S = 86400.0
MIN_S = 60.0
KM_M = 1000.0
AU_KM = 149_597_870.7
G0_M_S2 = 9.80665  # standard gravity

# --- Earth, WGS-84 (geodetic output) ------------------------------------------------
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563

# --- Earth, WGS-72 (the constants SGP4 element sets are fitted with) ----------------
WGS72_MU_KM3_S2 = 398600.8
WGS72_RE_KM = 6378.135
WGS72_J2 = 0.001082616

# --- Earth, EGM-96 / JGM-3 values used for J2 dynamics outside GTOC9 ---------------
MU_EARTH_KM3_S2 = 398600.4418
RE_EARTH_KM = 6378.137
J2_EARTH = 1.08262668e-3
OMEGA_EARTH_RAD_S = 7.292115e-5

# --- GTOC9 problem constants (Kelvins "Constants" page; see docs/gtoc9.md) ---------
GTOC9_MU_M3_S2 = 398600.4418e9
GTOC9_J2 = 1.08262668e-3
GTOC9_RE_M = 6378137.0
GTOC9_ISP_S = 340.0
GTOC9_G0_M_S2 = 9.80665
GTOC9_M_DRY_KG = 2000.0
GTOC9_M_DE_KG = 30.0
GTOC9_M_PROP_MAX_KG = 5000.0
GTOC9_R_PERIGEE_MIN_M = 6_600_000.0
GTOC9_ALPHA_MEUR_KG2 = 2.0e-6
GTOC9_BASE_COST_MEUR = 55.0
GTOC9_STAY_DAYS = 5.0
GTOC9_GAP_DAYS = 30.0
GTOC9_EPS_R_M = 100.0
GTOC9_EPS_V_M_S = 1.0
GTOC9_EPS_M_KG = 1e-8
