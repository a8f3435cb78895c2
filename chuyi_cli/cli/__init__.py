"""The ``chuyi`` command line: parse, call the core, hand the result to a renderer.

One module per group of commands (``frame.COMMANDS`` names them). ``main`` imports only
the modules of the commands its command line names; ``app`` is the whole command line,
every command registered (as tests and completion use it).
"""

from typing import Any

from chuyi_cli.cli.frame import Session
from chuyi_cli.cli.launch import main

__all__ = ["Session", "app", "main"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from chuyi_cli.cli.frame import app, load_commands

        load_commands()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
