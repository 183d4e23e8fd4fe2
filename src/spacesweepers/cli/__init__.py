"""The ``sweepers`` command (Typer + Rich).

Each area of the pipeline has its own sub-application in a module of this package
(``catalog``, ``where``, ``plot``, …); this module wires them together and owns the
global options and the error handling described in :mod:`._common`.
"""

from __future__ import annotations

import importlib
import sys
from typing import Optional

import typer

from ..errors import SweepersError
from ._common import err_console, state

app = typer.Typer(
    name="sweepers",
    help="Space Sweepers: catalog, propagation, conjunctions, breakups and salvage planning.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global(
    db: Optional[str] = typer.Option(
        None, "--db", envvar="SWEEPERS_DB", help="Database URL (SQLAlchemy), e.g. sqlite:///sweepers.db or postgresql+psycopg://user@host/db."
    ),
):
    state.db_url = db


# Sub-applications: (module, attribute, name). A module that defines commands at top
# level registers them with ``register(app)`` instead.
_SUBAPPS = [
    ("info", "register", None),
    ("catalog", "app", "catalog"),
    ("where", "register", None),
    ("plot", "app", "plot"),
    ("cdm", "app", "cdm"),
    ("gtoc9", "app", "gtoc9"),
    ("demo", "register", None),
    ("screen", "register", None),
    ("risk", "app", "risk"),
    ("plan", "app", "plan"),
]

for module, attr, name in _SUBAPPS:
    mod = importlib.import_module(f".{module}", __name__)
    obj = getattr(mod, attr)
    if name is None:
        obj(app)
    else:
        app.add_typer(obj, name=name)

# `sweepers whatif …` and `sweepers catalog generate` live with the population model
from . import catalog as _catalog, population as _population  # noqa: E402

_population.register(app, _catalog.app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning our own errors into a message on stderr and exit 1."""
    try:
        rv = app(args=argv, standalone_mode=False)
        if isinstance(rv, int):  # typer.Exit(code) comes back as a return value here
            return rv
    except SweepersError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, markup=True, soft_wrap=True)
        return 1
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as e:
        # usage errors (unknown option, bad value): Typer's own click exceptions know how to show themselves
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show(file=sys.stderr)
            return e.exit_code
        raise
    return 0


def _entry() -> None:
    sys.exit(main())
