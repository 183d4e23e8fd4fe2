"""The catalog's database tables (SQLAlchemy Core), the single source of truth that the
Alembic migrations in ``catalog/migrations`` must reproduce (a test compares them).

Tables
------
``sources``         one row per ingest: where the data came from (path or URL), the SHA-256 of
                    its bytes, its format, when, and what was loaded / already present / skipped.
``objects``         one row per catalogued object (NORAD id), SATCAT-style facts. Element sets
                    create a row when an object is new; metadata files fill and update it.
``element_sets``    the element-set history: every SGP4 mean element set ever loaded, each with
                    its source and line. Unique on (norad_id, epoch_jd1, epoch_jd2), so loading
                    the same file twice adds nothing.
``screening_runs``  one row per stored conjunction screening (window, threshold, primaries).
``conjunctions``    its events: both objects, TCA, miss distance, relative speed, RTN miss vector,
                    HBR and Pc (see :mod:`spacesweepers.danger.screening`).
``size_estimates``  hard-body radius and mass per NORAD id (NASA CARA table). No foreign key to
                    ``objects`` on purpose: the CARA table lists every id ever catalogued (58k,
                    decayed ones included) and must not create 30k phantom objects.

Units are in the column names, as everywhere in Space Sweepers. Epochs are UTC: ``epoch`` is a
timestamp (microsecond resolution, for ordering, range queries and humans) and
``epoch_jd1``/``epoch_jd2`` the split Julian date exactly as read (bit-exact round trip).
"""

from __future__ import annotations

from datetime import timezone

import sqlalchemy as sa

#: Constraint names are fixed so that migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The Alembic version table of the catalog's migrations. Named for the catalog so that other
#: parts of Space Sweepers (the service) can keep their own migration history in the same database.
VERSION_TABLE = "alembic_version_catalog"

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back time-zone aware (UTC). SQLite keeps no
    zone and would hand back naive datetimes, which :class:`~spacesweepers.time.Time` refuses."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("location", sa.String, nullable=False, comment="file path or URL"),
    sa.Column("sha256", sa.String(64), nullable=True, comment="SHA-256 of the bytes read; NULL if none"),
    sa.Column("format", sa.String, nullable=False),
    sa.Column("ingested_at", UTCDateTime(), nullable=False),
    sa.Column("strict", sa.Boolean, nullable=False),
    sa.Column("n_element_sets", sa.Integer, nullable=False, comment="new element sets written"),
    sa.Column("n_objects_created", sa.Integer, nullable=False),
    sa.Column("n_objects_updated", sa.Integer, nullable=False),
    sa.Column("n_sizes", sa.Integer, nullable=False, comment="size estimates written or changed"),
    sa.Column("n_already_present", sa.Integer, nullable=False),
    sa.Column("n_skipped", sa.Integer, nullable=False, comment="bad records left out"),
    sa.Column("n_problems", sa.Integer, nullable=False),
)

objects = sa.Table(
    "objects",
    metadata,
    sa.Column("norad_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String, nullable=True),
    sa.Column("intl_designator", sa.String, nullable=True),
    sa.Column("object_type", sa.String, nullable=True),
    sa.Column(
        "object_type_guessed", sa.Boolean, nullable=False, server_default=sa.false(),
        comment="true when object_type was guessed from the name (no SATCAT metadata yet)",
    ),
    sa.Column("rcs_size", sa.String, nullable=True),
    sa.Column("rcs_m2", sa.Double, nullable=True),
    sa.Column("country", sa.String, nullable=True),
    sa.Column("launch_date", sa.Date, nullable=True),
    sa.Column("launch_site", sa.String, nullable=True),
    sa.Column("launch_vehicle", sa.String, nullable=True),
    sa.Column("decay_date", sa.Date, nullable=True),
    sa.Column("generated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("parent_event", sa.String, nullable=True, comment="breakup event of a generated fragment"),
    sa.Column("first_seen_source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("updated_source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
)

#: ElementSet fields stored one to one, in ElementSet order (after norad_id and the epoch).
ELEMENT_FIELDS = (
    "mean_motion_rev_day",
    "eccentricity",
    "inclination_deg",
    "raan_deg",
    "arg_perigee_deg",
    "mean_anomaly_deg",
    "bstar_per_earth_radius",
    "mean_motion_dot_rev_day2",
    "mean_motion_ddot_rev_day3",
)
ELEMENT_TEXT_FIELDS = ("name", "intl_designator", "classification", "element_set_no", "rev_at_epoch", "ephemeris_type")

element_sets = sa.Table(
    "element_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("norad_id", sa.Integer, sa.ForeignKey("objects.norad_id"), nullable=False),
    sa.Column("epoch", UTCDateTime(), nullable=False, comment="UTC, rounded to the microsecond"),
    sa.Column("epoch_jd1", sa.Double, nullable=False, comment="UTC split Julian date, exactly as read"),
    sa.Column("epoch_jd2", sa.Double, nullable=False),
    *[sa.Column(f, sa.Double, nullable=False) for f in ELEMENT_FIELDS],
    sa.Column("name", sa.String, nullable=False),
    sa.Column("intl_designator", sa.String, nullable=False),
    sa.Column("classification", sa.String, nullable=False),
    sa.Column("element_set_no", sa.Integer, nullable=False),
    sa.Column("rev_at_epoch", sa.Integer, nullable=False),
    sa.Column("ephemeris_type", sa.Integer, nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False, comment="1-based line (or record) in the source"),
    sa.UniqueConstraint("norad_id", "epoch_jd1", "epoch_jd2"),
    sa.Index(None, "norad_id", "epoch"),
)

size_estimates = sa.Table(
    "size_estimates",
    metadata,
    sa.Column("norad_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("hbr_m", sa.Double, nullable=True),
    sa.Column("hbr_sigma_m", sa.Double, nullable=True),
    sa.Column("hbr_source", sa.String, nullable=True),
    sa.Column("mass_kg", sa.Double, nullable=True),
    sa.Column("mass_sigma_kg", sa.Double, nullable=True),
    sa.Column("mass_source", sa.String, nullable=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("source_line", sa.Integer, nullable=False),
)

screening_runs = sa.Table(
    "screening_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("window_start", UTCDateTime(), nullable=False),
    sa.Column("duration_s", sa.Double, nullable=False),
    sa.Column("threshold_km", sa.Double, nullable=False),
    sa.Column("primaries", sa.String, nullable=True, comment="comma-separated NORAD ids; NULL = all-vs-all"),
    sa.Column("n_objects", sa.Integer, nullable=False),
    sa.Column("n_events", sa.Integer, nullable=False),
    sa.Column("wall_s", sa.Double, nullable=False),
)

conjunctions = sa.Table(
    "conjunctions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("screening_runs.id"), nullable=False),
    sa.Column("primary_id", sa.Integer, nullable=False),
    sa.Column("secondary_id", sa.Integer, nullable=False),
    sa.Column("tca", UTCDateTime(), nullable=False, comment="UTC, rounded to the microsecond"),
    sa.Column("tca_jd1", sa.Double, nullable=False),
    sa.Column("tca_jd2", sa.Double, nullable=False),
    sa.Column("miss_km", sa.Double, nullable=False),
    sa.Column("vrel_kms", sa.Double, nullable=False),
    sa.Column("miss_r_km", sa.Double, nullable=False, comment="secondary - primary in the primary's RTN frame"),
    sa.Column("miss_t_km", sa.Double, nullable=False),
    sa.Column("miss_n_km", sa.Double, nullable=False),
    sa.Column("hbr_m", sa.Double, nullable=False),
    sa.Column("pc", sa.Double, nullable=False),
    sa.Column("pc_method", sa.String, nullable=False),
    sa.Column("usage_violation", sa.Boolean, nullable=False),
    sa.Column("note", sa.String, nullable=True),
    sa.Index(None, "primary_id", "tca"),
    sa.Index(None, "secondary_id", "tca"),
    sa.Index(None, "tca"),
)

__all__ = ["metadata", "sources", "objects", "element_sets", "size_estimates", "screening_runs", "conjunctions",
           "VERSION_TABLE", "ELEMENT_FIELDS"]
