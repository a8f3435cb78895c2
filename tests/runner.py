"""Typer's CliRunner, building the command line as ``chuyi`` itself builds it."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
import typer.utils
from typer.testing import CliRunner

# Typer reads each command's parameters from its function's signature (inspect.signature,
# get_type_hints) every time it builds the command line, which a process of ``chuyi`` does
# once and the tests do at every invocation: some 4 ms of a short command's time here, the
# same answer each time. Read once a function, for the whole session (typer copies what it
# keeps and changes none of it).
typer.main.get_params_from_function = functools.cache(typer.utils.get_params_from_function)


@contextlib.contextmanager
def only_named(
    app: typer.Typer, args: Sequence[str], env: Mapping[str, Any] | None
) -> Iterator[None]:
    """Only the commands ``args`` names, as ``chuyi_cli.cli.main`` keeps them for a run.

    Typer builds every registered command on every invocation (about 17 ms here, most of
    a short command's time in the tests); a process of ``chuyi`` builds only the one its
    command line names, and every command when it names none or completes a line."""
    completing = "_CHUYI_COMPLETE" in os.environ or "_CHUYI_COMPLETE" in (env or {})
    saved = list(app.registered_commands)
    words = set(args)
    named = [c for c in saved if c.name in words]
    if named and not completing:
        app.registered_commands[:] = named
    try:
        yield
    finally:
        app.registered_commands[:] = saved


class ChuyiRunner(CliRunner):
    def invoke(self, app: typer.Typer, args: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        words = [args] if isinstance(args, str) else list(args or [])
        with only_named(app, words, kwargs.get("env")):
            return super().invoke(app, args, **kwargs)


@dataclass
class Ran:
    """What a run of chuyi gave: as ``subprocess.CompletedProcess`` names it."""

    returncode: int
    stdout: str
    stderr: str


def run_here(env: Mapping[str, str | None], *args: str) -> Ran:
    """``chuyi ARGS`` through the CliRunner with ``env`` set (None unsets a variable): the
    same command as its own process runs, without starting an interpreter. Whatever is
    raised past the command fails the test, as a traceback would."""
    from chuyi_cli.cli import app

    result = ChuyiRunner().invoke(app, list(args), env=dict(env))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"chuyi {args!r} raised {result.exception!r}") from result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
