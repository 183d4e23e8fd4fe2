"""`sweepers where` (written in the integration step)."""


def register(app):
    pass
