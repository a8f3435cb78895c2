"""chuyi on the shared server: the same commands, the same answers as on a SQLite file,
and the server's rules as a user of chuyi meets them."""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chuyi_cli.store import Store
from tests.conftest import PgServer


@pytest.fixture
def server(pg_server: PgServer, chuyi) -> PgServer:
    """The session's server database, emptied, with a 长沙市 recorder (``cs``) and a
    province recorder (``prov``)."""
    pg_server.reset()
    db = ("--db", pg_server.conninfo, "server", "grant")
    chuyi(*db, pg_server.login("cs"), "--recorder", "--region", "长沙市")
    chuyi(*db, pg_server.login("prov"), "--recorder", "--region", "湖南省")
    return pg_server


def on(server: PgServer, login: str) -> tuple[str, str]:
    return ("--db", server.as_login(server.login(login)))


def test_a_city_recorder_is_refused_another_city_through_chuyi(chuyi, server):
    cs = on(server, "cs")
    chuyi(*cs, "record", "实训基地", "长沙职院", "--region", "长沙", "--stage", "遴选")
    chuyi(*cs, "record", "实训基地", "浏阳职院", "--region", "浏阳", "--stage", "遴选")
    refused = chuyi(
        *cs,
        "--lang",
        "en",
        "record",
        "实训基地",
        "株洲职院",
        "--region",
        "株洲",
        "--stage",
        "遴选",
        code=1,
    )
    assert f"login {server.login('cs')} holds no recorder grant for 株洲市" in refused.stderr
    assert "nothing was" in refused.stderr
    assert "--recorder --region 株洲市" in refused.stderr
    units = chuyi.json(*cs, "units", "training-bases")
    assert sorted(u["name"] for u in units) == ["浏阳职院", "长沙职院"]


def test_the_recorder_is_the_login_and_by_is_refused(chuyi, server):
    prov = on(server, "prov")
    entry = chuyi.json(*prov, "record", "大讲堂", "--quantity", "1")
    assert entry["recorder"] == server.login("prov")
    refused = chuyi(*prov, "--lang", "en", "record", "大讲堂", "--by", "王五", code=1)
    assert "--by is refused" in refused.stderr
    assert len(chuyi.json(*prov, "log")) == 1


def test_an_entry_of_no_region_needs_a_grant_of_the_province(chuyi, server):
    refused = chuyi(*on(server, "cs"), "--lang", "en", "record", "大讲堂", code=1)
    assert "no recorder grant for 湖南省" in refused.stderr


def test_a_void_is_an_entry_too_and_nothing_is_changed(chuyi, server):
    cs = on(server, "cs")
    entry = chuyi.json(*cs, "record", "实训基地", "长沙职院", "--region", "长沙", "--stage", "验收")
    chuyi(*cs, "void", entry["id"][:8], "--reason", "写错了")
    log = chuyi.json(*cs, "log")
    assert [e["voids"] for e in log] == [entry["id"], None]
    with server.admin() as conn:
        assert conn.execute("SELECT count(*) FROM chuyi.entry").fetchone()[0] == 2


def test_a_viewer_reads_and_cannot_record(chuyi, server):
    viewer = server.login("viewer")
    chuyi("--db", server.conninfo, "server", "grant", viewer, "--viewer")
    chuyi(*on(server, "prov"), "record", "大讲堂", "--quantity", "3")
    as_viewer = ("--db", server.as_login(viewer))
    assert chuyi.json(*as_viewer, "status")
    refused = chuyi(*as_viewer, "--lang", "en", "record", "大讲堂", code=1)
    assert "refused" in refused.stderr or "grant" in refused.stderr
    assert len(chuyi.json(*as_viewer, "log")) == 1


def test_an_unreachable_server_writes_nothing_anywhere(chuyi, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("XDG_DATA_HOME", str(here))  # (where a default database would go)
    result = chuyi(
        "--db",
        "postgresql://nobody@127.0.0.1:1/chuyi",
        "--lang",
        "en",
        "record",
        "大讲堂",
        "--quantity",
        "1",
        code=75,
    )
    assert "cannot reach the server" in result.stderr and "nothing was written" in result.stderr
    assert list(here.iterdir()) == []


def test_check_on_a_server_says_the_projection_is_in_step(chuyi, server):
    prov = on(server, "prov")
    chuyi(*prov, "record", "实训基地", "某职院", "--region", "岳阳", "--stage", "遴选")
    assert chuyi(*prov, "check").exit_code == 0


# --------------------------------------------------------------- the same as on SQLite

ACTIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("named"),
            st.sampled_from(["甲校", "乙校", "丙校"]),
            st.sampled_from(["长沙", "浏阳", "株洲", "岳阳"]),
            st.sampled_from(["遴选", "建设中", "验收", "撤销"]),
            st.integers(0, 400),
        ),
        st.tuples(st.just("lecture"), st.integers(1, 5), st.integers(0, 400)),
        st.tuples(st.just("void"), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=12,
)


def _replay(chuyi, db: tuple[str, ...], actions) -> None:
    import datetime as dt

    ids: list[str] = []
    start = dt.date.today() - dt.timedelta(days=400)
    for action in actions:
        if action[0] == "named":
            _, unit, region, stage, day = action
            date = (start + dt.timedelta(days=day)).isoformat()
            args = ("record", "实训基地", unit, "--region", region, "--stage", stage)
            result = chuyi(*db, *args, "--date", date, "--again", "--json", code=None)
        elif action[0] == "lecture":
            _, quantity, day = action
            date = (start + dt.timedelta(days=day)).isoformat()
            args = ("record", "大讲堂", "--quantity", str(quantity), "--date", date)
            result = chuyi(*db, *args, "--json", code=None)
        else:
            if not ids:
                continue
            target = ids[action[1] % len(ids)]
            result = chuyi(*db, "void", target[:12], "--reason", "复核", "--json", code=None)
        if result.exit_code == 0:
            ids.append(json.loads(result.stdout)["id"])


def _views(chuyi, db: tuple[str, ...]) -> list[object]:
    views = []
    for args in (("status",), ("units", "training-bases"), ("regions-status",)):
        views.append(chuyi.json(*db, *args))
    for since in ("30d", "300d"):  # (the entries' ids differ: each store made its own)
        text = chuyi(*db, "summary", "--since", since).stdout
        views.append(re.sub(r"\b[0-9a-f]{8}\b", "<id>", text))
    return views


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # (a replay is slow to shrink)
)
@given(actions=ACTIONS)
def test_the_server_answers_as_a_sqlite_file_does(chuyi, server, tmp_path_factory, actions):
    """Any mix of records and voids, replayed on a SQLite file and on the server as one
    login: status, units, regions-status and summary say the same on both."""
    server.reset()
    login = server.login("prov")
    path = tmp_path_factory.mktemp("same") / "chuyi.db"
    Store.open(path).close()
    sqlite = ("--db", str(path))
    os.environ["CHUYI_USER"] = login  # (the recorder is the login on the server)
    try:
        _replay(chuyi, sqlite, actions)
        _replay(chuyi, on(server, "prov"), actions)
    finally:
        os.environ["CHUYI_USER"] = "tester"
    assert _views(chuyi, on(server, "prov")) == _views(chuyi, sqlite)
    assert chuyi(*on(server, "prov"), "check").exit_code == 0


def test_the_month_ends_a_burn_up_reads_are_read_alike_on_the_server(chuyi, server, tmp_path):
    """The burn-up's month ends, each target's rows at the stages it counts, read on the
    server as inside a SQLite file: the same tallies."""
    from chuyi_cli.catalog import load_catalog
    from chuyi_cli.progress import counted_stages
    from chuyi_cli.report import regions_counted
    from chuyi_cli.server.store import ServerStore
    from chuyi_cli.tally import at_stages

    path = tmp_path / "chuyi.db"
    Store.open(path).close()
    visits = [
        ("public-college-per-city", "浏阳职院", "浏阳", "遴选", "2023-03-04"),
        ("public-college-per-city", "长沙职院", "长沙", "遴选", "2023-03-05"),
        ("public-college-per-city", "醴陵职院", "醴陵", "验收", "2023-04-02"),
        ("rebuilt-school-per-city", "某校", "浏阳", "验收", "2023-05-04"),
        ("public-school-per-county", "某中职", "浏阳", "建设中", "2023-05-06"),
        ("training-bases", "甲基地", "岳阳", "建设中", "2023-04-03"),
        ("training-bases", "乙基地", "岳阳", "验收", "2023-04-04"),
    ]
    for db in (("--db", str(path)), on(server, "prov")):
        for target, unit, region, stage, day in visits:
            chuyi(*db, "record", target, unit, "--region", region, "--stage", stage, "--date", day)
    plan = load_catalog(None)
    asked = ("2023-03-31", "2023-04-30", "2023-05-31", "2023-06-15")
    stages = {t.id: s for t in plan.targets if (s := counted_stages(t)) is not None}
    keep = regions_counted(plan)
    with Store.open(path) as sqlite, ServerStore.open(on(server, "prov")[1]) as remote:
        here = sqlite.tallies_at(asked, keep)
        there = remote.tallies_at(asked, keep)
        counted_here = sqlite.tallies_at(asked, keep, None, stages)
        counted_there = remote.tallies_at(asked, keep, None, stages)
    assert there == here
    assert counted_there == counted_here == {d: at_stages(here[d], stages) for d in asked}
    assert counted_here["2023-04-30"]["training-bases"] == [("", "accepted", 1, 1, 0)]
    assert counted_here["2023-04-30"]["public-college-per-city"] == [
        ("430281", "accepted", 1, 1, 0)  # 醴陵市: the others only selected
    ]
