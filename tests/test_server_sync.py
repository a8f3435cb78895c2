"""Offline, then sync: a laptop's SQLite file and the server converge by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chuyi_cli.store import Store
from tests.conftest import PgServer


@pytest.fixture
def office(pg_server: PgServer, chuyi, monkeypatch) -> Iterator[PgServer]:
    """The emptied server; a 长沙市 recorder ``cs`` whose laptop records under its login.
    Emptied again at the end (some tests write around chuyi, leaving its projection out
    of step with the history)."""
    pg_server.reset()
    login = pg_server.login("cs")
    chuyi("--db", pg_server.conninfo, "server", "grant", login, "--recorder", "--region", "长沙")
    monkeypatch.setenv("CHUYI_USER", login)
    yield pg_server
    pg_server.reset()


def _server(office: PgServer) -> tuple[str, str]:
    return ("--db", office.as_login(office.login("cs")))


def _sync(chuyi, office, laptop, code=0):
    return chuyi("--db", str(laptop), "--lang", "en", "sync", "--to",
                 office.as_login(office.login("cs")), code=code)  # fmt: skip


def _same(chuyi, office, laptop) -> None:
    here = chuyi.json("--db", str(laptop), "status")
    there = chuyi.json(*_server(office), "status")
    assert here == there
    ids = sorted(e["id"] for e in chuyi.json("--db", str(laptop), "log"))
    assert ids == sorted(e["id"] for e in chuyi.json(*_server(office), "log"))


def test_a_visit_recorded_offline_reaches_the_server_and_back(chuyi, office, tmp_path):
    laptop = tmp_path / "laptop.db"
    chuyi("--db", str(laptop), "record", "实训基地", "乡下职校", "--region", "浏阳",
          "--stage", "遴选")  # fmt: skip
    chuyi(*_server(office), "record", "实训基地", "城里职校", "--region", "长沙", "--stage", "验收")
    assert "pushed 1 entries to the server, pulled 1" in _sync(chuyi, office, laptop).stdout
    _same(chuyi, office, laptop)
    assert "pushed 0 entries to the server, pulled 0" in _sync(chuyi, office, laptop).stdout


def test_a_conflicting_id_is_refused_and_listed_and_nothing_moves(chuyi, office, tmp_path):
    laptop = tmp_path / "laptop.db"
    chuyi(*_server(office), "record", "实训基地", "甲", "--region", "长沙", "--stage", "遴选")
    entry = chuyi.json(*_server(office), "log")[0]
    with Store.open(laptop) as store:  # the same id, another unit: a diverged copy
        from chuyi_cli.domain import Entry

        fields = {k: entry.get(k) for k in Entry._fields}
        store.add([Entry(**{**fields, "unit": "乙"})])
    refused = _sync(chuyi, office, laptop, code=1)
    assert "same id and different content" in refused.stderr
    assert entry["id"][:12] in refused.stderr
    assert len(chuyi.json("--db", str(laptop), "log")) == 1


def test_entries_not_granted_stay_on_the_laptop_and_are_listed(chuyi, office, tmp_path):
    laptop = tmp_path / "laptop.db"
    chuyi("--db", str(laptop), "record", "实训基地", "株洲职校", "--region", "株洲",
          "--stage", "遴选")  # fmt: skip
    chuyi("--db", str(laptop), "record", "实训基地", "长沙职校", "--region", "长沙",
          "--stage", "遴选")  # fmt: skip
    done = _sync(chuyi, office, laptop, code=1)
    assert "pushed 1 entries" in done.stdout
    assert "holds no grant for its region or target; kept on this machine" in done.stderr
    assert len(chuyi.json(*_server(office), "log")) == 1


STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("laptop"),
            st.sampled_from(["甲", "乙", "丙"]),
            st.sampled_from(["遴选", "验收"]),
        ),  # fmt: skip
        st.tuples(
            st.just("server"), st.sampled_from(["甲", "丁"]), st.sampled_from(["遴选", "验收"])
        ),
        st.tuples(st.just("void-laptop"), st.integers(0, 20)),
        st.just(("sync",)),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],
)
@given(steps=STEPS)
def test_any_interleaving_of_records_and_syncs_converges(chuyi, office, tmp_path_factory, steps):
    """Records on the laptop and on the server, voids, syncs, in any order: a last sync
    leaves both with the same history and the same status, and another does nothing."""
    office.reset()
    laptop = tmp_path_factory.mktemp("laptop") / "laptop.db"
    Store.open(laptop).close()
    day = dt.date.today().isoformat()
    for step in steps:
        if step[0] == "laptop":
            chuyi("--db", str(laptop), "record", "实训基地", step[1], "--region", "长沙",
                  "--stage", step[2], "--date", day, "--again")  # fmt: skip
        elif step[0] == "server":
            chuyi(*_server(office), "record", "实训基地", step[1], "--region", "长沙",
                  "--stage", step[2], "--date", day, "--again")  # fmt: skip
        elif step[0] == "void-laptop":
            live = [e for e in chuyi.json("--db", str(laptop), "log") if not e["voids"]]
            if live:
                target = live[step[1] % len(live)]["id"]
                chuyi("--db", str(laptop), "void", target[:12], "--reason", "复核", code=None)
        else:
            _sync(chuyi, office, laptop)
    _sync(chuyi, office, laptop)
    _same(chuyi, office, laptop)
    assert "pushed 0 entries to the server, pulled 0" in _sync(chuyi, office, laptop).stdout


# ----------------------------------------------------- what the last sync left, and its guards
# A sync leaves a mark of both sides in the laptop's file; the next reads only what was
# written since. These tests change one side under that mark and see the next sync right.


def _record(chuyi, db, unit, region="长沙", code=0):
    return chuyi("--db", db, "record", "实训基地", unit, "--region", region, "--stage", "遴选",
                 "--again", code=code)  # fmt: skip


def _ids(chuyi, db) -> set[str]:
    return {e["id"] for e in chuyi.json("--db", db, "log")}


def test_an_entry_committed_on_the_server_after_a_sync_began_reaches_the_next(
    chuyi, office, tmp_path
):
    """An entry whose transaction took its seq before a later one, and committed after a
    sync read that later one, is not passed over by the next sync."""
    import psycopg

    from tests.test_server import insert

    laptop = tmp_path / "laptop.db"
    Store.open(laptop).close()
    _sync(chuyi, office, laptop)
    late = psycopg.connect(office.as_login(office.login("cs")))  # a transaction left open
    try:
        late.execute(insert("430100"))
        _record(chuyi, _server(office)[1], "先提交的职校")
        assert "pulled 1" in _sync(chuyi, office, laptop).stdout  # (the later seq, committed)
        late.commit()
    finally:
        late.close()
    assert "pulled 1" in _sync(chuyi, office, laptop).stdout
    assert _ids(chuyi, str(laptop)) == _ids(chuyi, _server(office)[1])
    assert "pulled 0" in _sync(chuyi, office, laptop).stdout


def test_a_laptop_file_restored_from_an_older_copy_gets_back_what_it_lost(chuyi, office, tmp_path):
    laptop = tmp_path / "laptop.db"
    _record(chuyi, str(laptop), "甲职校")
    _sync(chuyi, office, laptop)
    chuyi("--db", str(laptop), "backup", str(tmp_path / "older.db"))
    _record(chuyi, str(laptop), "乙职校")
    assert "pushed 1 entries" in _sync(chuyi, office, laptop).stdout
    _record(chuyi, _server(office)[1], "丙职校")
    laptop.unlink()
    (tmp_path / "older.db").rename(laptop)
    done = _sync(chuyi, office, laptop)
    assert "pushed 0 entries to the server, pulled 2" in done.stdout
    _same(chuyi, office, laptop)


def test_a_file_that_is_not_the_one_its_mark_was_made_on_is_compared_whole(chuyi, office, tmp_path):
    """The mark carried over to a file of other entries (the entry at its seq another, or
    another count up to it) is not trusted: every entry of that file is compared."""
    import sqlite3

    first, other = tmp_path / "first.db", tmp_path / "other.db"
    _record(chuyi, str(first), "甲职校")
    _sync(chuyi, office, first)
    for unit in ("乙职校", "丙职校"):
        _record(chuyi, str(other), unit)
    con = sqlite3.connect(other)
    con.execute("ATTACH DATABASE ? AS first", (str(first),))
    con.execute("CREATE TABLE sync_mark AS SELECT * FROM first.sync_mark")
    con.commit()
    con.close()
    done = _sync(chuyi, office, other)
    assert "pushed 2 entries to the server, pulled 1" in done.stdout
    _same(chuyi, office, other)


class Scratch(PgServer):
    """A second database of the server's, made (again) by :meth:`made`."""

    def _run(self, *statements: str) -> None:
        import psycopg

        from tests.conftest import PG_ADMIN, make_conninfo

        postgres = make_conninfo(PG_ADMIN, dbname="postgres")
        with psycopg.connect(postgres, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def made(self) -> None:
        self._run(
            f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
            f'CREATE DATABASE "{self.database}"',
        )

    def dropped(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture
def scratch(office: PgServer) -> Iterator[Scratch]:
    """A second, empty database of the server (not initialised); dropped at the end."""
    other = Scratch(office.database + "_b", office.prefix)
    other.made()
    try:
        yield other
    finally:
        other.dropped()


def _init(chuyi, server: PgServer) -> None:
    chuyi("--db", server.conninfo, "server", "init")
    chuyi("--db", server.conninfo, "server", "grant", server.login("cs"), "--recorder",
          "--region", "长沙")  # fmt: skip


def test_a_server_database_made_again_gets_every_entry_again(chuyi, scratch, tmp_path):
    laptop = tmp_path / "laptop.db"
    _init(chuyi, scratch)
    _record(chuyi, str(laptop), "甲职校")
    _record(chuyi, str(laptop), "乙职校")
    assert "pushed 2 entries" in _sync(chuyi, scratch, laptop).stdout
    scratch.made()
    _init(chuyi, scratch)
    assert "pushed 2 entries to the server, pulled 0" in _sync(chuyi, scratch, laptop).stdout
    _same(chuyi, scratch, laptop)


def test_a_server_database_restored_from_a_dump_gets_what_the_dump_lacks(chuyi, scratch, tmp_path):
    """Restored from a dump taken before the last sync, the database holds as many entries
    below that sync's mark as it did; it is another database all the same, and the entry
    that sync pushed goes again."""
    import subprocess

    laptop, dump = tmp_path / "laptop.db", tmp_path / "chuyi.dump"
    _init(chuyi, scratch)
    _record(chuyi, str(laptop), "甲职校")
    _sync(chuyi, scratch, laptop)
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "-d", scratch.conninfo], check=True)
    _record(chuyi, str(laptop), "乙职校")
    assert "pushed 1 entries" in _sync(chuyi, scratch, laptop).stdout
    scratch.made()
    subprocess.run(["pg_restore", "-d", scratch.conninfo, str(dump)], check=True)
    assert len(chuyi.json("--db", scratch.as_login(scratch.login("cs")), "log")) == 1
    assert "pushed 1 entries to the server, pulled 0" in _sync(chuyi, scratch, laptop).stdout
    _same(chuyi, scratch, laptop)


def test_entries_refused_are_listed_at_every_sync_until_they_go(chuyi, office, tmp_path):
    laptop = tmp_path / "laptop.db"
    zhuzhou = chuyi.json("--db", str(laptop), "record", "实训基地", "株洲职校", "--region",
                         "株洲", "--stage", "遴选")  # fmt: skip
    chuyi("--db", str(laptop), "void", zhuzhou["id"][:12], "--reason", "复核")
    _record(chuyi, str(laptop), "长沙职校")
    for pushed in (1, 0, 0):
        done = _sync(chuyi, office, laptop, code=1)
        assert f"pushed {pushed} entries" in done.stdout
        assert done.stderr.count("kept on this machine") == 2  # (the entry, its void)
        assert zhuzhou["id"][:8] in done.stderr
    admin = ("--db", office.conninfo, "server")
    chuyi(*admin, "grant", office.login("cs"), "--recorder", "--region", "株洲")
    try:
        assert "pushed 2 entries" in _sync(chuyi, office, laptop).stdout  # (with its void)
        _same(chuyi, office, laptop)
        assert "pushed 0 entries to the server, pulled 0" in _sync(chuyi, office, laptop).stdout
    finally:  # (grants outlive the test's entries)
        chuyi(*admin, "revoke", office.login("cs"), "--region", "株洲")


def test_sync_full_compares_every_entry_again(chuyi, office, tmp_path):
    """An entry swapped on the server behind its rules (an entry from before the server's
    migration m004 gone, another written as if from before it: as many such entries as
    before) is past the mark's notice; --full finds it."""
    laptop = tmp_path / "laptop.db"
    _record(chuyi, _server(office)[1], "甲职校")
    with office.admin() as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE chuyi.entry SET written = NULL")  # (as if from before m004)
    _sync(chuyi, office, laptop)
    gone = chuyi.json("--db", str(laptop), "log")[0]["id"]
    with office.admin() as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "INSERT INTO chuyi.entry (id, target, unit, region, stage, observed, recorded,"
            " recorder, written) SELECT 'swapped-in-0001', target, '丁职校', region, stage,"
            " observed, recorded, recorder, NULL FROM chuyi.entry WHERE id = %s",
            (gone,),
        )
        conn.execute("DELETE FROM chuyi.entry WHERE id = %s", (gone,))
    assert "pushed 0 entries to the server, pulled 0" in _sync(chuyi, office, laptop).stdout
    full = chuyi("--db", str(laptop), "--lang", "en", "sync", "--full", "--to",
                 office.as_login(office.login("cs")))  # fmt: skip
    assert "pushed 1 entries to the server, pulled 1" in full.stdout
    assert _ids(chuyi, str(laptop)) == _ids(chuyi, _server(office)[1])


def test_a_sync_interrupted_after_its_push_leaves_the_mark_and_the_next_finishes(
    chuyi, office, tmp_path, monkeypatch
):
    """Ctrl-C after the server stored the push and before the laptop stored the pull: the
    mark stays where the last completed sync left it, and the next sync does the rest
    (what is on both sides already is skipped)."""
    import sqlite3

    from chuyi_cli.server import sync as syncing

    laptop = tmp_path / "laptop.db"
    _record(chuyi, str(laptop), "甲职校")
    _sync(chuyi, office, laptop)

    def mark() -> list[tuple]:
        con = sqlite3.connect(laptop)
        try:
            return con.execute("SELECT * FROM sync_mark").fetchall()
        finally:
            con.close()

    marked = mark()
    _record(chuyi, str(laptop), "乙职校")
    _record(chuyi, _server(office)[1], "丙职校")

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(syncing, "_pull", interrupted)
        _sync(chuyi, office, laptop, code=130)
    assert mark() == marked
    assert len(chuyi.json(*_server(office), "log")) == 3  # (the push went through)
    assert "pushed 0 entries to the server, pulled 1" in _sync(chuyi, office, laptop).stdout
    _same(chuyi, office, laptop)
    assert "pushed 0 entries to the server, pulled 0" in _sync(chuyi, office, laptop).stdout
