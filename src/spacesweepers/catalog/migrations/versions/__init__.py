"""Catalog migration revisions (a package so that they ship in the wheel)."""
