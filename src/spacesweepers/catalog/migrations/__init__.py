"""Alembic migrations of the catalog database (run by :class:`spacesweepers.catalog.store.Store`).

The store upgrades a database to the head revision when it opens it, with an Alembic
``Config`` built in code (:func:`spacesweepers.catalog.store.alembic_config`): no alembic.ini is
needed. The catalog's version table is ``alembic_version_catalog``, so other parts of Space
Sweepers can keep their own migrations in the same database.

To write a new revision after changing ``catalog/schema.py``, autogenerate it against a scratch
database at the current head, then read and correct the generated file (SQLite needs batch mode,
which env.py turns on; write boolean defaults as ``sa.false()``, not ``sa.text('0')``)::

    from alembic import command
    from spacesweepers.catalog.store import Store, alembic_config

    Store("sqlite:////tmp/scratch.db").close()  # at head
    command.revision(alembic_config("sqlite:////tmp/scratch.db"), "what changed", autogenerate=True)

``tests/catalog/test_store.py::test_migration_head_matches_the_models`` fails until the
revisions and the models agree.
"""
