"""The shared store's server: its schema, roles and policies, against a real PostgreSQL.

What a login may do is the server's rule, whoever writes: these tests write through
``psql`` and psycopg as each login, the way someone bypassing chuyi would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuyi_cli.regions import gazetteer
from chuyi_cli.server import server_named
from tests.conftest import PgServer, make_conninfo
from tests.processes import output_encoding

CHANGSHA, LIUYANG, ZHUZHOU, PROVINCE = "430100", "430181", "430200", "430000"


def psql(conninfo: str, sql: str) -> subprocess.CompletedProcess[str]:
    """``sql`` run by psql as the login ``conninfo`` names; stops at the first error."""
    return subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
        capture_output=True,
        text=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        check=False,
    )


def insert(region: str | None, target: str = "training-bases", recorder: str | None = None) -> str:
    """An INSERT of one entry, as psql users would type it; its id is new."""
    columns = "id, target, unit, region, stage, observed, recorded"
    values = [uuid.uuid4().hex, target, "某职业学院", region, "selected", "2025-06-01"]
    values.append("2025-06-01T08:00:00+00:00")
    if recorder is not None:
        columns += ", recorder"
        values.append(recorder)
    quoted = ", ".join("NULL" if v is None else "'" + v + "'" for v in values)
    return f"INSERT INTO chuyi.entry ({columns}) VALUES ({quoted})"


def count(server: PgServer) -> int:
    with server.admin() as conn:
        return int(conn.execute("SELECT count(*) FROM chuyi.entry").fetchone()[0])


@pytest.fixture(scope="module")
def logins(pg_server: PgServer) -> dict[str, str]:
    """A 长沙市 recorder, a 株洲 recorder for one target, a province recorder, a viewer."""
    from tests.conftest import Chuyi

    chuyi = Chuyi()
    names = {k: pg_server.login(k) for k in ("cs", "zz", "prov", "viewer", "county")}
    db = ("--db", pg_server.conninfo, "server", "grant")
    chuyi(*db, names["cs"], "--recorder", "--region", "长沙市")
    chuyi(*db, names["zz"], "--recorder", "--region", "株洲", "--target", "training-bases")
    chuyi(*db, names["prov"], "--recorder", "--region", "湖南省")
    chuyi(*db, names["viewer"], "--viewer")
    chuyi(*db, names["county"], "--recorder", "--region", "浏阳")
    return names


# --------------------------------------------------------------------- init, grant, check


def test_init_again_changes_nothing_and_check_finds_all_as_made(chuyi, pg_server):
    again = chuyi("--db", pg_server.conninfo, "--lang", "en", "server", "init")
    assert "up to date" in again.stdout
    checked = chuyi("--db", pg_server.conninfo, "--lang", "en", "server", "check")
    assert checked.stdout.startswith("ok:")


def test_grants_are_listed_with_their_regions(chuyi, pg_server, logins):
    listed = {g["login"]: g for g in chuyi.json("--db", pg_server.conninfo, "server", "grants")}
    assert listed[logins["cs"]] == {
        "login": logins["cs"],
        "roles": ["recorder"],
        "regions": [{"region": CHANGSHA, "target": None}],
    }
    assert listed[logins["zz"]]["regions"] == [{"region": ZHUZHOU, "target": "training-bases"}]
    assert listed[logins["viewer"]]["roles"] == ["viewer"]


def test_a_recorder_needs_a_region_and_one_role_is_given(chuyi, pg_server):
    db = ("--db", pg_server.conninfo, "--lang", "en", "server", "grant", pg_server.login("x"))
    assert "region" in chuyi(*db, "--recorder", code=1).stderr
    assert "exactly one role" in chuyi(*db, "--recorder", "--viewer", code=1).stderr
    assert "unknown region" in chuyi(*db, "--recorder", "--region", "火星", code=1).stderr.lower()


def test_reserved_names_and_superusers_are_no_logins_to_grant(chuyi, pg_server):
    db = ("--db", pg_server.conninfo, "--lang", "en", "server", "grant")
    assert "reserved" in chuyi(*db, "chuyi_owner", "--admin", code=1).stderr
    assert "superuser" in chuyi(*db, "postgres", "--viewer", code=1).stderr


def test_only_an_admin_grants(chuyi, pg_server, logins):
    as_cs = make_conninfo(pg_server.conninfo, user=logins["cs"])
    refused = chuyi(
        "--db", as_cs, "--lang", "en", "server", "grant", logins["cs"], "--admin", code=1
    )
    assert "no chuyi admin" in refused.stderr
    boss = pg_server.login("boss")
    chuyi("--db", pg_server.conninfo, "server", "grant", boss, "--admin")
    as_boss = pg_server.as_login(boss)
    yy = pg_server.login("yy")
    chuyi("--db", as_boss, "server", "grant", yy, "--recorder", "--region", "岳阳")
    listed = {g["login"]: g for g in chuyi.json("--db", as_boss, "server", "grants")}
    assert listed[yy]["regions"] == [{"region": "430600", "target": None}]


def test_check_finds_a_trigger_turned_off_and_a_right_to_change_entries(chuyi, pg_server):
    db = ("--db", pg_server.conninfo, "--lang", "en", "server", "check")
    with pg_server.admin() as conn:
        conn.execute("ALTER TABLE chuyi.entry DISABLE TRIGGER entry_no_change")
        conn.execute("ALTER TABLE chuyi.projection_pending DISABLE TRIGGER projection_settled")
        conn.execute("GRANT UPDATE ON chuyi.entry TO chuyi_viewer")
        try:
            found = chuyi(*db, code=1).stderr
        finally:
            conn.execute("ALTER TABLE chuyi.entry ENABLE TRIGGER entry_no_change")
            conn.execute("ALTER TABLE chuyi.projection_pending ENABLE TRIGGER projection_settled")
            conn.execute("REVOKE UPDATE ON chuyi.entry FROM chuyi_viewer")
    assert "trigger entry_no_change is missing or disabled" in found
    assert "trigger projection_settled is missing or disabled" in found
    assert "chuyi_viewer holds a right it should not: UPDATE" in found
    chuyi(*db)


def test_check_finds_a_recorder_free_to_place_entries_and_repair_takes_it_back(chuyi, pg_server):
    """A recorder's INSERT is of the entry's own columns (m005): the right to name seq or
    written, given on the whole table or on those columns, is found and taken back."""
    check = ("--db", pg_server.conninfo, "--lang", "en", "server", "check")
    chuyi(*check)
    with pg_server.admin() as conn:
        conn.execute("GRANT INSERT ON chuyi.entry TO chuyi_recorder")
        conn.execute("GRANT INSERT (written) ON chuyi.entry TO chuyi_viewer")
    found = chuyi(*check, code=1).stderr
    assert "chuyi_recorder holds a right it should not: INSERT" in found
    assert "chuyi_viewer holds a right it should not: INSERT (written)" in found
    chuyi(*check, "--repair")
    chuyi(*check)


def _naming(sql: str, column: str, value: str, overriding: str = "") -> str:
    """An INSERT of one entry that also names ``column``."""
    head, values = sql.split(") VALUES (", 1)
    return f"{head}, {column}){overriding} VALUES ({values[:-1]}, {value})"


@pytest.mark.parametrize(
    ("column", "value", "overriding"),
    [("written", "'1'", ""), ("seq", "1", " OVERRIDING SYSTEM VALUE")],
)
def test_only_the_server_places_an_entry(pg_server, logins, column, value, overriding):
    """A recorder cannot give an entry its place (seq) or make it look written long ago
    (written: a laptop's next sync would not read it)."""
    as_cs = pg_server.as_login(logins["cs"])
    before = count(pg_server)
    refused = psql(as_cs, _naming(insert(CHANGSHA), column, value, overriding))
    assert refused.returncode != 0 and "permission denied" in refused.stderr
    assert count(pg_server) == before
    written = psql(as_cs, insert(CHANGSHA) + " RETURNING written IS NOT NULL AND seq > 0")
    assert written.returncode == 0 and written.stdout.strip() == "t"
    assert count(pg_server) == before + 1


def test_check_finds_a_projection_out_of_step_and_repair_derives_it(chuyi, pg_server, logins):
    db = ("--db", pg_server.conninfo, "--lang", "en", "server", "check")
    assert psql(pg_server.as_login(logins["prov"]), insert(CHANGSHA)).returncode == 0  # by hand
    chuyi(*db)  # (the server projects what it is given, whoever gives it)
    with pg_server.admin() as conn:  # (a superuser, above the owner's rights)
        conn.execute("UPDATE chuyi.tally SET units = units + 1")
    assert "out of step" in chuyi(*db, code=1).stderr
    with pg_server.admin() as conn:
        conn.execute("ALTER TABLE chuyi.entry DISABLE TRIGGER entry_admitted")
    assert chuyi(*db, "--repair").stdout.startswith("ok:")
    assert psql(pg_server.as_login(logins["cs"]), insert(ZHUZHOU)).returncode != 0


# --------------------------------------------------------------- the server's own rules


def test_a_city_recorder_records_its_city_and_counties_only(pg_server, logins):
    as_cs = pg_server.as_login(logins["cs"])
    before = count(pg_server)
    assert psql(as_cs, insert(CHANGSHA)).returncode == 0
    assert psql(as_cs, insert(LIUYANG)).returncode == 0  # a 县市区 of 长沙市
    refused = psql(as_cs, insert(ZHUZHOU))
    assert refused.returncode != 0
    assert f"login {logins['cs']} holds no recorder grant for region {ZHUZHOU}" in refused.stderr
    assert count(pg_server) == before + 2


def test_the_recorder_is_the_login_and_cannot_be_set(pg_server, logins):
    as_cs = pg_server.as_login(logins["cs"])
    refused = psql(as_cs, insert(CHANGSHA, recorder=logins["prov"]))
    assert refused.returncode != 0
    assert "recorder is the login that writes it" in refused.stderr
    written = psql(as_cs, insert(CHANGSHA) + " RETURNING recorder")
    assert written.stdout.strip() == logins["cs"]


def test_a_superuser_is_checked_unless_it_writes_as_itself(pg_server, logins):
    """The admission trigger is not called for a superuser's own rows (m003), which it
    would let through: a row naming another recorder, or written under SET ROLE, is
    refused as before."""
    before = count(pg_server)
    other = psql(pg_server.conninfo, insert(CHANGSHA, recorder=logins["cs"]))
    assert other.returncode != 0 and "recorder is the login that writes it" in other.stderr
    as_role = psql(pg_server.conninfo, f'SET ROLE "{logins["zz"]}"; {insert(CHANGSHA)}')
    assert as_role.returncode != 0
    assert count(pg_server) == before
    assert psql(pg_server.conninfo, insert(ZHUZHOU)).returncode == 0
    assert count(pg_server) == before + 1


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE chuyi.entry SET unit = '别的学校'",
        "DELETE FROM chuyi.entry",
        "TRUNCATE chuyi.entry",
    ],
)
def test_nobody_changes_or_removes_an_entry(pg_server, logins, sql):
    assert psql(pg_server.as_login(logins["cs"]), insert(CHANGSHA)).returncode == 0
    before = count(pg_server)
    for login in (logins["cs"], logins["viewer"], logins["prov"]):
        refused = psql(pg_server.as_login(login), sql)
        assert refused.returncode != 0 and "permission denied" in refused.stderr
    superuser = psql(pg_server.conninfo, sql)  # above every privilege, not above the trigger
    assert superuser.returncode != 0 and "append-only" in superuser.stderr
    assert count(pg_server) == before


def test_a_viewer_reads_and_cannot_write(pg_server, logins):
    as_viewer = pg_server.as_login(logins["viewer"])
    assert psql(as_viewer, "SELECT count(*) FROM chuyi.entry").returncode == 0
    refused = psql(as_viewer, insert(CHANGSHA))
    assert refused.returncode != 0 and "permission denied for table entry" in refused.stderr


def test_a_grant_for_one_target_covers_that_target_only(pg_server, logins):
    as_zz = pg_server.as_login(logins["zz"])
    assert psql(as_zz, insert(ZHUZHOU, "training-bases")).returncode == 0
    refused = psql(as_zz, insert(ZHUZHOU, "culture-bases"))
    assert refused.returncode != 0 and "target culture-bases" in refused.stderr


def test_an_entry_of_no_region_is_the_provinces(pg_server, logins):
    assert psql(pg_server.as_login(logins["prov"]), insert(None)).returncode == 0
    refused = psql(pg_server.as_login(logins["cs"]), insert(None))
    assert refused.returncode != 0 and "no recorder grant" in refused.stderr


def test_a_revoked_login_records_no_more(chuyi, pg_server):
    login = pg_server.login("leaver")
    chuyi("--db", pg_server.conninfo, "server", "grant", login, "--recorder", "--region", "长沙")
    assert psql(pg_server.as_login(login), insert(CHANGSHA)).returncode == 0
    chuyi("--db", pg_server.conninfo, "server", "revoke", login)
    refused = psql(pg_server.as_login(login), insert(CHANGSHA))
    assert refused.returncode != 0 and "permission denied" in refused.stderr
    gone = {g["login"] for g in chuyi.json("--db", pg_server.conninfo, "server", "grants")}
    assert login not in gone


def test_revoking_one_region_keeps_the_others(chuyi, pg_server):
    login = pg_server.login("two")
    db = ("--db", pg_server.conninfo, "server")
    chuyi(*db, "grant", login, "--recorder", "--region", "长沙")
    chuyi(*db, "grant", login, "--recorder", "--region", "株洲")
    chuyi(*db, "revoke", login, "--region", "长沙")
    as_two = pg_server.as_login(login)
    assert psql(as_two, insert(ZHUZHOU)).returncode == 0
    assert psql(as_two, insert(CHANGSHA)).returncode != 0


REGIONS = [r.code for r in gazetteer().regions]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(granted=st.sampled_from(REGIONS), written=st.sampled_from(REGIONS))
def test_a_grant_covers_exactly_the_regions_the_gazetteer_puts_under_it(
    pg_server, granted, written
):
    """For any region granted and any region written: the server admits the entry exactly
    when the gazetteer puts the written region within the granted one."""
    import psycopg

    places = gazetteer()
    login = pg_server.login("g" + granted)
    with pg_server.admin() as conn:
        conn.execute("SELECT chuyi.grant_login(%s, 'recorder', %s, NULL)", (login, granted))
    within = written in places.within(places.by_code[granted])
    with psycopg.connect(pg_server.as_login(login)) as conn:
        try:
            conn.execute(insert(written))
            admitted = True
        except psycopg.errors.InsufficientPrivilege:
            admitted = False
        conn.rollback()
    assert admitted == within


# ------------------------------------------------------------------------ reaching it


def test_an_unreachable_server_is_exit_75_and_says_so(chuyi, tmp_path):
    result = chuyi(
        "--db", "postgresql://nobody@127.0.0.1:1/chuyi", "--lang", "en", "server", "check", code=75
    )
    assert "cannot reach the server nobody@127.0.0.1:1/chuyi" in result.stderr
    assert "try again" in result.stderr


def test_a_missing_database_is_refused_by_name(chuyi, pg_server):
    missing = make_conninfo(pg_server.conninfo, dbname=pg_server.database + "_none")
    result = chuyi("--db", missing, "--lang", "en", "server", "check", code=1)
    assert "does not exist" in result.stderr


def test_server_commands_need_a_server(chuyi):
    assert "need a PostgreSQL server" in chuyi("server", "check", code=1).stderr


@pytest.mark.parametrize(
    ("text", "server"),
    [
        ("postgresql://u@h:5432/chuyi", True),
        ("postgres://h/chuyi", True),
        ("postgresql://", True),
        ("service=chuyi", True),
        ("host=/var/run/postgresql dbname=chuyi", True),
        ("chuyi.db", False),
        ("/home/li/楚怡/chuyi.db", False),
        ("a=b.db", False),
        ("C:\\数据\\chuyi.db", False),
    ],
)
def test_a_server_is_named_as_psql_takes_one(text, server):
    assert (server_named(text) is not None) is server


def test_a_sqlite_run_never_imports_the_server_driver(chuyi, isolated):
    """psycopg costs some 150 ms to import: only a server's runs pay it."""
    chuyi("record", "大讲堂", "--quantity", "2")
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['chuyi', '--db', {str(isolated)!r}, 'status']\n"
        "try:\n    runpy.run_module('chuyi_cli', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if 'psycopg' in m or 'server' in m)))"
    )
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        encoding=output_encoding(),
        cwd=root,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip().endswith("['chuyi_cli.server']"), run.stderr


def test_the_grants_json_is_json(chuyi, pg_server, logins):
    rows = json.loads(chuyi("--db", pg_server.conninfo, "server", "grants", "--json").stdout)
    assert all(set(r) == {"login", "roles", "regions"} for r in rows)
