"""Offline, then sync: a laptop's SQLite file and the server converge by id."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chuyi_cli.store import Store
from tests.conftest import PgServer


@pytest.fixture
def office(pg_server: PgServer, chuyi, monkeypatch) -> PgServer:
    """The emptied server; a 长沙市 recorder ``cs`` whose laptop records under its login."""
    pg_server.reset()
    login = pg_server.login("cs")
    chuyi("--db", pg_server.conninfo, "server", "grant", login, "--recorder", "--region", "长沙")
    monkeypatch.setenv("CHUYI_USER", login)
    return pg_server


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
