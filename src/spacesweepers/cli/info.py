"""`sweepers info` (written in the integration step)."""


def register(app):
    pass
