"""Errors the core raises; the command line turns each into a message and an exit code."""

from __future__ import annotations

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_ERROR = 1  # a chuyi error: bad input, bad file, unknown name
EXIT_USAGE = 2  # the command line itself is wrong (Typer/Click)
EXIT_ALERT = 3  # `summary --fail-on` found a target in that class or worse
EXIT_LOCKED = 75  # the database stayed locked by another process (EX_TEMPFAIL)


class ChuyiError(Exception):
    """An error with a message fit to show a user as it is."""

    exit_code = EXIT_ERROR


class ProblemsError(ChuyiError):
    """Several problems found at once, each a line like ``FILE:LINE: reason``."""

    def __init__(self, problems: list[str], heading: str = "") -> None:
        self.problems = problems
        self.heading = heading
        lines = ([heading] if heading else []) + problems
        super().__init__("\n".join(lines))
