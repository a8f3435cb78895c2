"""Every test gets its own database and a plain, English, non-terminal environment."""

from __future__ import annotations

import compileall
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chuyi_cli.catalog import load_catalog
from chuyi_cli.cli import app
from chuyi_cli.regions import gazetteer
from tests.processes import output_encoding
from tests.runner import ChuyiRunner, run_here

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    compiled(config)
    in_memory(config)


def compiled(config: pytest.Config) -> None:
    """chuyi's modules compiled once (by the first process: pytest-xdist's workers start
    after it), and the tests' own as pytest rewrites them, kept for the next run.

    Installed, chuyi runs from its bytecode. A checkout under PYTHONDONTWRITEBYTECODE (as
    this project's machines set it) would compile every module of chuyi at each of the
    suite's hundreds of processes (some 80 ms each) and rewrite every test module in each
    worker at each run (some 2 s); the bytecode is read, wherever the variable is set."""
    sys.dont_write_bytecode = False
    if not hasattr(config, "workerinput"):
        compileall.compile_dir(ROOT / "chuyi_cli", quiet=1)


def in_memory(config: pytest.Config) -> None:
    """The tests' files in memory (/dev/shm) where the machine has room for them.

    Every write chuyi makes syncs the disk (``synchronous=FULL``): some 20 ms a record on
    this project's machine, most of a short test's time, and nothing a test looks at (a
    killed process loses nothing a sync would keep). ``--basetemp`` or ``TMPDIR`` set by
    hand, or ``CHUYI_TESTS_ON_DISK=1``, keep them where they say."""
    if config.option.basetemp or os.environ.get("TMPDIR") or os.environ.get("CHUYI_TESTS_ON_DISK"):
        return
    memory = Path("/dev/shm")
    try:
        roomy = shutil.disk_usage(memory).free >= 2 * 2**30 and os.access(memory, os.W_OK)
    except OSError:
        return
    if roomy:
        os.environ["TMPDIR"] = str(memory)
        tempfile.tempdir = None  # (gettempdir() reads TMPDIR again)


# The engine the behaviour tests run on: SQLite (a file per test), or, with
# CHUYI_TEST_ENGINE=postgresql, the session's server database emptied before each test
# and used as the login "tester" (CHUYI_USER's name: the recorder the tests expect).
ENGINE = os.environ.get("CHUYI_TEST_ENGINE", "sqlite")


_RECORDER = "a recorder other than the login (--by, a sheet's column): a server refuses it"
_FILE = "the SQLite file itself (its path, locks, backup, tables)"
# The behaviour tests of what only a SQLite file does, and why (CHUYI_TEST_ENGINE=postgresql
# skips them, saying so); a test may say it itself with @pytest.mark.sqlite_only(why).
SQLITE_ONLY = {
    "test_cli_record.py::test_entries_cannot_be_edited_in_the_database": _FILE,
    "test_cli_record.py::test_recorder_defaults": _RECORDER,
    "test_cli_zh.py::test_the_import_takes_the_same_stage_words": _RECORDER,
    "test_cli_zh.py::test_the_same_lookup_serves_record_show_units_log_and_the_import": _RECORDER,
    "test_completion.py::test_void_completes_entry_ids_of_the_database_and_never_creates_one": (
        _FILE
    ),
    "test_encoding.py::test_every_command_writes_a_gbk_console_without_failing": _RECORDER,
    "test_encoding.py::test_export_to_a_gbk_stdout_is_the_utf8_file_excel_opens": _RECORDER,
    "test_encoding.py::test_json_to_a_gbk_console_escapes_and_loses_nothing": _RECORDER,
    "test_exchange.py::test_chinese_headers_in_each_encoding": _RECORDER,
    "test_exchange.py::test_dry_run_counts_but_stores_nothing": _RECORDER,
    "test_layout.py::test_burn_up_counts_each_quarter_as_the_history_had_it": _FILE,
    "test_layout.py::test_log_shows_the_newest_50_in_a_terminal_and_all_in_a_pipe": _RECORDER,
    "test_official_reading.py::test_an_assessment_without_a_year_is_kept_listed_and_counted_for_none": (  # noqa: E501
        _RECORDER
    ),
    "test_recording_rules.py::test_an_exported_entry_keeps_evidence_hashed_on_another_machine": (
        _RECORDER
    ),
    "test_recording_rules.py::test_check_compares_each_regions_last_record_with_the_history": (
        _FILE
    ),
    "test_recording_rules.py::test_import_applies_the_evidence_rule_row_by_row": _RECORDER,
    "test_recording_rules.py::test_import_refuses_implausible_quantities_unless_forced": (
        _RECORDER
    ),
    "test_recording_rules.py::test_import_skips_repeated_observations_and_lists_them": _RECORDER,
    "test_recording_rules.py::test_the_same_observation_twice_is_refused_unless_again": _RECORDER,
    "test_server.py::test_server_commands_need_a_server": "CHUYI_DB names the server here",
    "test_sheets.py::test_a_csv_with_title_rows_and_office_columns_imports": _RECORDER,
    "test_sheets.py::test_a_dry_run_without_problems_says_nothing_was_written": _RECORDER,
    "test_sheets.py::test_an_office_workbook_imports_as_filled": _RECORDER,
    "test_sheets.py::test_an_xlsm_workbook_is_read_as_a_workbook": _RECORDER,
    "test_sheets.py::test_codes_typed_as_numbers_and_text_cells_keep_their_value": _RECORDER,
    "test_sheets.py::test_dry_run_shows_per_target_counts_and_the_first_rows_as_read": _RECORDER,
    "test_sheets.py::test_headers_refused_with_did_you_mean_and_strict_refuses_other_columns": (
        _RECORDER
    ),
    "test_sheets.py::test_import_json_result_has_no_notes_on_stdout": _RECORDER,
    "test_sheets.py::test_targets_and_stages_in_the_words_offices_write": _RECORDER,
    "test_sheets.py::test_the_first_sheet_with_a_target_column_is_read_or_the_one_named": (
        _RECORDER
    ),
    "test_store.py::test_a_locked_database_waits_then_exits_75": _FILE,
    "test_store.py::test_backup_while_writing": _FILE,
    "test_store.py::test_check_finds_a_derived_state_out_of_step_and_repair_mends_it": _FILE,
    "test_template.py::test_a_template_filled_and_saved_by_libreoffice_imports": _RECORDER,
    "test_template.py::test_a_template_filled_in_imports_cleanly": _RECORDER,
    "test_windows.py::test_the_recorder_is_the_windows_login_without_a_password_database": (
        _RECORDER
    ),
    "test_workbooks.py::test_a_sheet_typed_into_libreoffice_imports_as_typed": _RECORDER,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the server, the tests of what only a SQLite file does (its path, its locks, its
    backup, a recorder other than the login) do not apply: each says why it is skipped."""
    if ENGINE != "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        key = f"{item.path.name}::{item.originalname}"
        why = marker.args[0] if marker is not None else SQLITE_ONLY.get(key)
        if why is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))


# The signals that stop a run (chuyi_cli.platform.termination_signals), as this test process
# handles them when it starts.
STOPPING = [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]


@pytest.fixture(autouse=True)
def signal_handlers() -> Iterator[None]:
    """Each test ends with the signal handlers it began with. A command run in the test's
    own process may leave a signal ignored (a pager's Ctrl-C, chuyi's own once a command
    has said how it ended), and a process started later inherits that: a test of Ctrl-C
    run after it in the same process (or pytest-xdist worker) would see no interrupt."""
    before = {number: signal.getsignal(number) for number in STOPPING}
    yield
    for number, handler in before.items():
        if signal.getsignal(number) is not handler and handler is not None:
            signal.signal(number, handler)


@pytest.fixture(autouse=True)
def isolated(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    new_database: Path,
    kept_cache: Path,
) -> Path:
    db = tmp_path / "chuyi.db"
    monkeypatch.setenv("CHUYI_DB", str(db))
    # What chuyi keeps between runs, as a first run kept it: a copy of that kept once (a
    # test's first command would otherwise parse the catalog's YAML, some 10 ms).
    cache = shutil.copytree(kept_cache, tmp_path / "kept")
    monkeypatch.setenv("CHUYI_CACHE_DIR", str(cache))
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
    # an error for a reading command (see test_cli_lang.py). A copy of one new database,
    # made once (making one costs some 30 ms of schema and syncs).
    shutil.copyfile(new_database, db)
    if ENGINE == "postgresql":
        server = request.getfixturevalue("pg_server")
        server.reset()
        monkeypatch.setenv("CHUYI_DB", server.as_login("tester"))
    return db


@pytest.fixture(scope="session")
def kept_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache folder (chuyi_cli/cache.py) as chuyi's first run leaves it: the checked
    catalog and the gazetteer kept."""
    folder = tmp_path_factory.mktemp("kept")
    first = (
        "from chuyi_cli.catalog import load_catalog; from chuyi_cli.regions import gazetteer\n"
        "load_catalog(); gazetteer()"
    )
    env = {**os.environ, "CHUYI_CACHE_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", first], env=env, check=True)
    assert {p.name.split("-")[0] for p in folder.iterdir()} == {"catalog", "gazetteer"}
    return folder


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database as ``Store.open`` makes it on a path where there is none."""
    from chuyi_cli.store import Store

    db = tmp_path_factory.mktemp("new") / "chuyi.db"
    Store.open(db).close()
    return db


# What `visits` (tests/test_cli_record.py) records: a dozen units across targets and
# regions, a spacing variant, a revoked unit.
VISITS = [
    (
        "culture-bases",
        "湖南工业职业技术学院",
        "--region",
        "长沙",
        "--stage",
        "building",
        "--date",
        "2023-05-01",
    ),
    (
        "culture-bases",
        " 湖南 工业职业技术学院 ",
        "--region",
        "430100",
        "--stage",
        "accepted",
        "--date",
        "2024-05-01",
    ),
    ("culture-bases", "醴陵陶瓷文化馆", "--region", "醴陵", "--stage", "accepted"),
    ("culture-bases", "岳阳楼基地", "--region", "岳阳市", "--stage", "selected"),
    ("training-bases", "长沙汽车实训基地", "--region", "长沙", "--stage", "accepted"),
    ("training-bases", "衡阳实训基地", "--region", "衡阳", "--stage", "revoked"),
    ("public-school-per-county", "浏阳市职业中专", "--region", "浏阳", "--stage", "accepted"),
    ("public-school-per-county", "宁乡职业中专", "--region", "宁乡市", "--stage", "accepted"),
    (
        "public-college-per-city",
        "湘西职业技术学院",
        "--region",
        "湘西州",
        "--stage",
        "accepted",
    ),
    ("rebuilt-school-per-city", "株洲楚怡中职", "--region", "攸县", "--stage", "accepted"),
    ("culture-bases-named", "新化县楚怡工业学校", "--stage", "accepted"),
    ("think-tank-lectures", "--quantity", "3", "--date", "2025-06-01"),
    ("annual-assessment", "--year", "2025", "--state", "in_progress"),
]


@pytest.fixture(scope="session")
def recorded_visits(
    tmp_path_factory: pytest.TempPathFactory, new_database: Path
) -> tuple[Path, dict[int, str]]:
    """The visits recorded once a session, as a test records them (its environment),
    and the id of each entry by its order."""
    folder = tmp_path_factory.mktemp("visits")
    db = folder / "chuyi.db"
    shutil.copyfile(new_database, db)
    env = {
        "CHUYI_DB": str(db),
        "CHUYI_CACHE_DIR": str(folder / "cache"),
        "CHUYI_TARGETS": None,
        "CHUYI_USER": "tester",
        "LANG": "en_US.UTF-8",
        "CHUYI_LANG": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
    }
    ids = {}
    for i, row in enumerate(VISITS):
        done = run_here(env, "record", *row, "--json")
        assert done.returncode == 0, done.stderr
        ids[i] = json.loads(done.stdout)["id"]
    return db, ids


@pytest.fixture(scope="session")
def office_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice user profile for the session's conversions: LibreOffice makes it on
    its first start (about a second) and every later conversion reuses it."""
    return tmp_path_factory.mktemp("office") / "profile"


@pytest.fixture(scope="session")
def browser_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Chromium user-data folder for the session's printed pages, likewise."""
    return tmp_path_factory.mktemp("browser") / "profile"


@pytest.fixture(scope="session")
def plan():
    return load_catalog()


@pytest.fixture(scope="session")
def places():
    return gazetteer()


class Chuyi:
    """Runs chuyi as a user would, through Typer's CliRunner."""

    def __init__(self) -> None:
        self.runner = ChuyiRunner(charset=output_encoding())

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


# ----------------------------------------------------------------------- PostgreSQL server
# The tests of the shared store run against a real server (CI's .ci/run fails when none
# answers): CHUYI_TEST_PG names a superuser's connection, by default the local socket.
PG_ADMIN = os.environ.get("CHUYI_TEST_PG", "host=/var/run/postgresql user=postgres")


class PgServer:
    """A database of this test session's own on the server, ``chuyi server init``-ed, and
    logins named with this session's prefix (roles belong to the whole server)."""

    def __init__(self, database: str, prefix: str) -> None:
        self.database = database
        self.prefix = prefix
        self.conninfo = make_conninfo(PG_ADMIN, dbname=database)

    def login(self, name: str) -> str:
        """A login of this session (``cs`` → ``t1234_cs``)."""
        return self.prefix + name

    def as_login(self, login: str) -> str:
        """The connection string of ``login`` on this database (trust authentication)."""
        return make_conninfo(self.conninfo, user=login)

    def admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.conninfo, autocommit=True)

    def reset(self) -> None:
        """Empty the history and its projection (as a superuser may: the append-only
        trigger does not fire for a replica's session)."""
        with self.admin() as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute(
                "TRUNCATE chuyi.entry, chuyi.unit_state, chuyi.tally, chuyi.stage_total,"
                " chuyi.region_last, chuyi.unit_delta RESTART IDENTITY"
            )


def make_conninfo(base: str, **parts: str) -> str:
    from psycopg.conninfo import make_conninfo as made

    return made(base, **parts)


def grant_tester(server: PgServer) -> None:
    """The login "tester" (CHUYI_USER's name, the recorder the behaviour tests expect) a
    recorder of the province on ``server``'s database. Roles belong to the whole server and
    every session (each pytest-xdist worker, each other checkout's run) grants this same
    one: the first grant creates it, and two at once would both try, so the grants take
    turns under a server-wide advisory lock (held on the postgres database)."""
    import psycopg

    with psycopg.connect(make_conninfo(PG_ADMIN, dbname="postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('chuyi tests tester'))")
        try:
            Chuyi()(
                "--db", server.conninfo, "server", "grant", "tester", "--recorder",
                "--region", "湖南省",
            )  # fmt: skip
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('chuyi tests tester'))")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A fresh database (``chuyi_test_<pid>``) initialised by ``chuyi server init``; dropped,
    with the session's logins, at the end. A server that does not answer fails the test."""
    import psycopg

    pid = os.getpid()
    server = PgServer(f"chuyi_test_{pid}", f"t{pid}_")
    with psycopg.connect(make_conninfo(PG_ADMIN, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{server.database}"')
    result = Chuyi()("--db", server.conninfo, "server", "init")
    assert "chuyi" in result.stdout, result.stdout
    if ENGINE == "postgresql":
        grant_tester(server)
    try:
        yield server
    finally:
        with psycopg.connect(make_conninfo(PG_ADMIN, dbname="postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)')
            logins = conn.execute(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", (server.prefix,)
            ).fetchall()
            for (login,) in logins:
                conn.execute(f'DROP ROLE "{login}"')
