"""The interrupt handler in the corners a real process reaches only by chance: a signal
in the middle of the renderer's import, and one whose exception Python swallows."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from chuyi_cli import i18n, interrupts


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("_said", False), ("_committed", False), ("_holding", False)):
        monkeypatch.setattr(interrupts, name, value)
    monkeypatch.setattr(interrupts, "_requested", False)
    monkeypatch.setattr(interrupts, "_pending", None)
    yield
    i18n.set_lang(None)


def test_the_interrupt_is_said_while_the_renderer_is_half_imported(
    fresh: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    half = types.ModuleType("chuyi_cli.render")  # as during its import: no names yet
    monkeypatch.setitem(sys.modules, "chuyi_cli.render", half)
    i18n.set_lang("zh")
    with pytest.raises(KeyboardInterrupt):
        interrupts._handler(2, None)
    interrupts.report()
    assert capsys.readouterr().err == i18n.MESSAGES["interrupted"][0] + "\n"


def test_an_interrupt_lost_on_the_way_still_stops_the_commit(
    fresh: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python ignores an exception raised in a weakref callback (importlib's module locks
    have one): the run goes on, and must not then commit what it said it would not."""
    from chuyi_cli.store import Store

    store = Store.open(tmp_path / "c.db")
    try:
        with pytest.raises(KeyboardInterrupt), store.write() as db:
            db.execute("CREATE TABLE scratch (x INTEGER) STRICT")
            try:
                interrupts._handler(2, None)
            except KeyboardInterrupt:
                pass  # lost, as in a callback
            db.execute("INSERT INTO scratch VALUES (1)")
        assert "scratch" not in {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
    finally:
        store.close()
    assert capsys.readouterr().err == ""  # said once, by whoever catches it
