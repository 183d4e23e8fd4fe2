"""Alembic migrations of the catalog database (run by :class:`spacesweepers.catalog.store.Store`).

The store upgrades a database to the head revision when it opens it, with an Alembic
``Config`` built in code (:func:`spacesweepers.catalog.store.alembic_config`): no alembic.ini is
needed. To write a new revision after changing ``catalog/schema.py``::

    python -m spacesweepers.catalog.store revision "what changed" --db sqlite:///scratch.db

which autogenerates it against a database at the current head (check the generated file).
"""
