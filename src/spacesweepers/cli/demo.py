"""`sweepers demo` (written in the integration step)."""


def register(app):
    pass
