"""The server's projection (unit_state, the tally, stage_total, region_last, unit_delta):
derived by the server itself from the history as each write commits, written by no login
but the owner, and the same, row for row, as what a SQLite file derives from the same
entries."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuyi_cli.domain import Entry
from chuyi_cli.rules import void_of
from chuyi_cli.server.db import target_lock
from chuyi_cli.server.store import ServerStore
from chuyi_cli.store import Store
from chuyi_cli.store.derive import DELTA_DAYS
from tests.conftest import PgServer
from tests.test_server import CHANGSHA, insert, psql

PROJECTION = ("unit_state", "tally", "stage_total", "region_last", "unit_delta", "delta_mark")


@pytest.fixture
def server(pg_server: PgServer, chuyi) -> PgServer:
    """The session's server database, emptied, with a 长沙市 recorder (``cs``), a province
    recorder (``prov``), an admin and a viewer."""
    pg_server.reset()
    db = ("--db", pg_server.conninfo, "server", "grant")
    chuyi(*db, pg_server.login("cs"), "--recorder", "--region", "长沙市")
    chuyi(*db, pg_server.login("prov"), "--recorder", "--region", "湖南省")
    chuyi(*db, pg_server.login("boss"), "--admin")
    chuyi(*db, pg_server.login("viewer"), "--viewer")
    return pg_server


def rows(conn: Any, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5")]


def projection(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the projection, row for row, in one order."""
    found = {}
    for table in PROJECTION:
        name = f"chuyi.{table}" if not hasattr(conn, "total_changes") else table
        if table == "delta_mark":
            found[table] = [tuple(r) for r in conn.execute(f"SELECT day FROM {name}")]
        elif table == "region_last":
            found[table] = [tuple(r) for r in conn.execute(f"SELECT * FROM {name} ORDER BY 1")]
        elif table == "stage_total":
            found[table] = [tuple(r) for r in conn.execute(f"SELECT * FROM {name} ORDER BY 1, 2")]
        else:
            found[table] = rows(conn, name)
    return found


# ------------------------------------------------------------------ who may write it


WRITES = {
    "INSERT": "INSERT INTO chuyi.{t} SELECT * FROM chuyi.{t}",
    "UPDATE": "UPDATE chuyi.{t} SET {c} = {c}",
    "DELETE": "DELETE FROM chuyi.{t}",
    "TRUNCATE": "TRUNCATE chuyi.{t}",
}
FIRST_COLUMN = {"delta_mark": "day", "region_last": "region"}


@pytest.mark.parametrize("table", PROJECTION)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_no_login_but_the_owner_writes_the_projection(chuyi, server, table, write):
    """A recorder (as the 长沙市 one forging its figures with psql), an admin and a viewer:
    the server refuses each write of each projection table, and nothing changes."""
    as_cs = server.as_login(server.login("cs"))
    assert psql(as_cs, insert(CHANGSHA)).returncode == 0
    with server.admin() as conn:
        before = projection(conn)
    assert before["tally"], "the recorder's entry is in the tally"
    sql = WRITES[write].format(t=table, c=FIRST_COLUMN.get(table, "target"))
    for login in ("cs", "prov", "boss", "viewer"):
        refused = psql(server.as_login(server.login(login)), sql)
        assert refused.returncode != 0, (login, sql)
        assert f"permission denied for table {table}" in refused.stderr
    with server.admin() as conn:
        assert projection(conn) == before
    checked = chuyi("--db", server.conninfo, "--lang", "en", "server", "check")
    assert checked.stdout.startswith("ok:")


def test_the_tally_cannot_be_forged_and_a_recorder_cannot_derive_or_queue(server):
    as_cs = server.as_login(server.login("cs"))
    assert psql(as_cs, insert(CHANGSHA)).returncode == 0
    for sql in (
        "UPDATE chuyi.tally SET units = 999",
        "SELECT chuyi.derive_projection()",
        "SELECT chuyi.derive_units(txid_current())",
        "INSERT INTO chuyi.projection_due VALUES (txid_current(), 'training-bases', 'x')",
        "INSERT INTO chuyi.projection_pending VALUES (txid_current())",
    ):
        refused = psql(as_cs, sql)
        assert refused.returncode != 0 and "permission denied" in refused.stderr, sql
    with server.admin() as conn:
        assert conn.execute("SELECT units FROM chuyi.tally").fetchall() == [(1,)]


def test_entries_written_through_psql_are_in_the_projection(chuyi, server):
    """Whoever writes the entries, with chuyi or without: the server projects them, in the
    same transaction (a rolled-back one leaves nothing)."""
    as_cs = server.as_login(server.login("cs"))
    assert psql(as_cs, insert(CHANGSHA)).returncode == 0
    rolled_back = psql(as_cs, f"BEGIN; {insert(CHANGSHA)}; ROLLBACK")
    assert rolled_back.returncode == 0
    both = psql(as_cs, f"BEGIN; {insert(CHANGSHA)}; {insert(CHANGSHA, 'culture-bases')}; COMMIT")
    assert both.returncode == 0
    with server.admin() as conn:
        tally = conn.execute("SELECT target, region, units, live FROM chuyi.tally ORDER BY 1")
        assert tally.fetchall() == [
            ("culture-bases", CHANGSHA, 1, 1),
            ("training-bases", CHANGSHA, 1, 2),
        ]
        assert conn.execute("SELECT count(*) FROM chuyi.projection_due").fetchone()[0] == 0
    assert chuyi("--db", server.conninfo, "check").exit_code == 0


def test_check_finds_a_forged_projection_and_an_admins_repair_derives_it(chuyi, server):
    as_cs = server.as_login(server.login("cs"))
    assert psql(as_cs, insert(CHANGSHA)).returncode == 0
    with server.admin() as conn:  # (the owner's rights: a superuser's)
        right = projection(conn)
        conn.execute("UPDATE chuyi.tally SET units = 999")
        conn.execute("DELETE FROM chuyi.region_last")
    check = ("--lang", "en", "check")
    assert "out of step" in chuyi("--db", server.conninfo, "server", "check", code=1).stderr
    refused = chuyi("--db", as_cs, *check, "--repair", code=1)
    assert "derive_projection" in refused.stderr
    boss = ("--db", server.as_login(server.login("boss")))
    assert chuyi(*boss, *check, "--repair").stdout.startswith("ok")
    with server.admin() as conn:
        assert projection(conn) == right


def test_the_server_takes_the_locks_chuyi_takes(server):
    with server.admin() as conn:
        for target in ("training-bases", "大讲堂", ""):
            found = conn.execute("SELECT chuyi.target_lock(%s)", (target,)).fetchone()[0]
            assert found == target_lock(target)
        migration = (Path(__file__).parent.parent / "chuyi_cli/server/sql").glob(
            "m*_projection_by_server.sql"
        )
        text = next(migration).read_text(encoding="utf-8")
    assert f"current_date - {DELTA_DAYS}" in text  # unit_delta's window is the SQLite store's


# -------------------------------------------------------- the same as a SQLite file derives

TODAY = dt.date.today()
UNITS = ["甲校", "乙校", "丙校"]
REGIONS = ["430100", "430181", "430200", None]
STAGES = ["selected", "building", "accepted", "revoked"]
# Days around the start of unit_delta's window, and on both sides of it.
DAYS = st.integers(0, 140).map(lambda n: (TODAY - dt.timedelta(days=n)).isoformat())
RECORDED = st.integers(0, 3).map(lambda n: f"{TODAY.isoformat()}T08:00:0{n}Z")  # ties too

RECORD = st.one_of(
    st.tuples(
        st.just("training-bases"), st.sampled_from(UNITS), st.sampled_from(REGIONS),
        st.sampled_from(STAGES), st.none(), DAYS, RECORDED,
    ),
    st.tuples(
        st.just("think-tank-lectures"), st.none(), st.sampled_from(REGIONS), st.none(),
        st.integers(1, 5), DAYS, RECORDED,
    ),
)  # fmt: skip
ACTION = st.one_of(
    st.tuples(st.just("record"), RECORD),
    st.tuples(st.just("void"), st.integers(0, 50), DAYS, RECORDED),
    st.tuples(st.just("import"), st.lists(RECORD, min_size=1, max_size=6), st.integers(0, 3)),
)


class Replay:
    """The same entries into a SQLite file and onto the server, as one recorder."""

    def __init__(self, sqlite: Store, server: ServerStore, login: str) -> None:
        self.stores, self.login = (sqlite, server), login
        self.live: list[Entry] = []  # entries that are neither voids nor voided

    def entry(self, record: tuple[Any, ...]) -> Entry:
        target, unit, region, stage, quantity, day, recorded = record
        return Entry(uuid.uuid4().hex, target, unit, region, stage, None, quantity, day,
                     recorded, self.login)  # fmt: skip

    def void(self, pick: int, day: str, recorded: str) -> Entry | None:
        if not self.live:
            return None
        cancelled = self.live.pop(pick % len(self.live))
        return void_of(cancelled, uuid.uuid4().hex, day, recorded, self.login, "复核")

    def __call__(self, action: tuple[Any, ...]) -> None:
        if action[0] == "record":
            entry = self.entry(action[1])
            self.live.append(entry)
            for store in self.stores:
                store.add([entry], again=True)
        elif action[0] == "void":
            void = self.void(*action[1:])
            for store in self.stores:
                if void is not None:
                    store.add([void])
        else:
            entries = [self.entry(r) for r in action[1]]
            self.live += entries
            voids = [v for v in (self.void(p, *action[1][0][5:]) for p in range(action[2])) if v]
            for store in self.stores:
                store.import_batches(iter([entries]), list, False, voids=lambda: iter([voids]))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(ACTION, min_size=1, max_size=14))
def test_the_server_derives_what_a_sqlite_file_derives(server, tmp_path_factory, actions):
    """Records, voids, back-dated entries and imports (with voids), by a recorder: the
    server's projection is, row for row, what the SQLite store derives from the same
    entries; and deriving it all again (a repair) gives the same rows."""
    server.reset()
    path = tmp_path_factory.mktemp("same") / "chuyi.db"
    login = server.login("prov")
    with Store.open(path) as sqlite, ServerStore.open(server.as_login(login)) as remote:
        replay = Replay(sqlite, remote, login)
        for action in actions:
            replay(action)
        expected = projection(sqlite.db)
        assert projection(remote.db.conn) == expected
        assert remote.derived_in_step()
    with server.admin() as conn:
        conn.execute("SELECT chuyi.derive_projection()")
        assert projection(conn) == expected


def test_a_large_import_is_derived_as_a_sqlite_file_derives_it(server, tmp_path):
    """An import of many units (the server reads their recent entries in one pass, as
    for a bulk import) and voids among them, then a record and a void of one unit."""
    import random

    pick = random.Random(16)
    login = server.login("prov")
    with (
        Store.open(tmp_path / "chuyi.db") as sqlite,
        ServerStore.open(server.as_login(login)) as remote,
    ):
        replay = Replay(sqlite, remote, login)
        records = [
            ("training-bases", f"学校{pick.randrange(1500)}", pick.choice(REGIONS),
             pick.choice(STAGES), None, str(TODAY - dt.timedelta(days=pick.randrange(140))),
             f"{TODAY.isoformat()}T08:00:0{pick.randrange(4)}Z")
            for _ in range(6000)
        ]  # fmt: skip
        replay(("import", records, 300))
        replay(("record", records[0]))
        replay(("void", 7, TODAY.isoformat(), f"{TODAY.isoformat()}T09:00:00Z"))
        expected = projection(sqlite.db)
        assert len(expected["unit_state"]) > 1000 and len(expected["unit_delta"]) > 1000
        assert projection(remote.db.conn) == expected
