"""Every test gets its own database and a plain, English, non-terminal environment."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chuyi_cli.catalog import load_catalog
from chuyi_cli.cli import app
from chuyi_cli.regions import gazetteer
from tests.processes import output_encoding

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "chuyi.db"
    monkeypatch.setenv("CHUYI_DB", str(db))
    monkeypatch.setenv("CHUYI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CHUYI_TARGETS", raising=False)
    monkeypatch.setenv("CHUYI_USER", "tester")
    # English, named by the locale, so that the tests check the English forms; a test of
    # the default (Chinese when nothing names a language) sets the environment itself.
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("CHUYI_LANG", raising=False)
    from chuyi_cli import i18n

    i18n.set_lang(None)  # a run with --lang before this test chose its own language
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("CHUYI_BUSY_TIMEOUT", "2")
    monkeypatch.setenv("COLUMNS", "200")
    # CHUYI_DB names a database that exists, as a user's does: one named but missing is
    # an error for a reading command (see test_cli_lang.py).
    from chuyi_cli.store import Store

    Store.open(db).close()
    return db


@pytest.fixture(scope="session")
def plan():
    return load_catalog()


@pytest.fixture(scope="session")
def places():
    return gazetteer()


class Chuyi:
    """Runs chuyi as a user would, through Typer's CliRunner."""

    def __init__(self) -> None:
        self.runner = CliRunner(charset=output_encoding())

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):
        result = self.runner.invoke(app, list(args), input=input)
        if code is not None:
            assert result.exit_code == code, (
                f"chuyi {' '.join(args)} exited {result.exit_code}, not {code}:\n"
                f"{result.stdout}\n{result.stderr}\n{result.exception!r}"
            )
        return result

    def json(self, *args: str):
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def chuyi() -> Chuyi:
    return Chuyi()


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()
