"""What the province's IT runs on the server: ``init`` (the schema, the roles, the
gazetteer), ``grant`` and ``revoke`` (who may do what), ``check`` (all as init made it).

The rules themselves are the server's (``sql/``): chuyi only asks it to apply them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from chuyi_cli.errors import ChuyiError
from chuyi_cli.i18n import Message
from chuyi_cli.server.connect import ServerUnavailable, connect, detail, refusal, server_errors

if TYPE_CHECKING:
    from psycopg import Connection

_SQL = Path(__file__).resolve().parent / "sql"

# The server's migrations, in order, each applied once and recorded by name.
MIGRATIONS = (
    "m001_schema",
    "m002_projection",
    "m003_admitted_when",
    "m004_sync_marks",
    "m005_written_by_server",
    "m006_projection_by_server",
)
# The columns of an entry that only the server gives (m005): nobody may INSERT them.
_SERVER_COLUMNS = ("seq", "written")
ROLES = ("chuyi_owner", "chuyi_admin", "chuyi_recorder", "chuyi_viewer")
RECORDING_ROLES = ("admin", "recorder", "viewer")
# What init makes and check looks for.
_POLICIES = {("entry_read", "r"), ("entry_record", "a")}
_TRIGGERS = {
    "entry_admitted": "entry",
    "entry_no_change": "entry",
    "entry_no_truncate": "entry",
    "entry_projected": "entry",
    "projection_settled": "projection_pending",
}
_TABLES = (
    "migration",
    "region",
    "grant_scope",
    "entry",
    "unit_state",
    "tally",
    "stage_total",
    "region_last",
    "unit_delta",
    "delta_mark",
    "identity",
    "projection_due",
    "projection_region",
    "projection_pending",
)
# The projection: the server's triggers write it (as its owner); nobody else may.
_PROJECTION = ("unit_state", "tally", "stage_total", "region_last", "unit_delta", "delta_mark")
_ADMIN_FUNCTIONS = ("grant_login", "revoke_login")


def sql(name: str) -> str:
    return (_SQL / f"{name}.sql").read_text(encoding="utf-8")


def _value(conn: Connection[Any], query: str, params: tuple[object, ...] = ()) -> Any:
    """The one value a query of one row and one column gives."""
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise AssertionError(f"no row: {query}")
    return row[0]


class Initialised(NamedTuple):
    server: str
    database: str
    applied: list[str]  # migrations applied by this run (none: it was up to date)
    regions: int


def init(conninfo: str) -> Initialised:
    """Create (or bring up to date) the schema, the roles and the gazetteer; idempotent.
    (Tried again when another init, on another database, changed a role at that moment.)"""
    import psycopg

    for attempt in range(5):
        try:
            return _init(conninfo)
        except psycopg.errors.InternalError_:  # "tuple concurrently updated"
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _init(conninfo: str) -> Initialised:
    from chuyi_cli.server.connect import where

    with connect(conninfo) as conn, server_errors(conninfo):
        row = conn.execute(
            "SELECT rolsuper, current_database() FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        if row is None or not row[0]:
            raise ChuyiError("server_init_superuser", login=conn.info.user)
        database = str(row[1])
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('chuyi server init'))")
        conn.execute(sql("roles"))
        done = _applied(conn)
        applied = []
        for name in MIGRATIONS:
            if name in done:
                continue
            conn.execute(sql(name))
            conn.execute("INSERT INTO chuyi.migration (name) VALUES (%s)", (name,))
            applied.append(name)
        regions = _load_regions(conn)
        if applied:  # the projection derived from the history, as SQLite does after migrating
            conn.execute("SELECT chuyi.derive_projection()")
    return Initialised(where(conninfo), database, applied, regions)


def _applied(conn: Connection[Any]) -> set[str]:
    if _value(conn, "SELECT to_regclass('chuyi.migration')") is None:
        return set()
    return {r[0] for r in conn.execute("SELECT name FROM chuyi.migration")}


def _load_regions(conn: Connection[Any]) -> int:
    """The shipped gazetteer into chuyi.region (parents first), names kept up to date."""
    from chuyi_cli.regions import LEVELS, gazetteer

    rows = sorted(gazetteer().regions, key=lambda r: (LEVELS.index(r.level), r.code))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO chuyi.region (code, name, level, parent) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,"
            " parent = excluded.parent",
            [(r.code, r.name, r.level, r.parent) for r in rows],
        )
    return len(rows)


def grant(
    conninfo: str, login: str, role: str, region: str | None = None, target: str | None = None
) -> bool:
    """Grant ``login`` a role (a recorder: for ``region``, a code, and ``target`` or every
    target). The login is created when the server has none of that name; True then."""
    if role not in RECORDING_ROLES:
        raise ValueError(role)
    return bool(
        _call(conninfo, "SELECT chuyi.grant_login(%s, %s, %s, %s)", (login, role, region, target))
    )


def revoke(conninfo: str, login: str, region: str | None = None) -> int:
    """Take ``login``'s grants away (every role, or one region of a recorder's); the
    number of region grants removed. The login itself stays: its entries name it."""
    return int(_call(conninfo, "SELECT chuyi.revoke_login(%s, %s)", (login, region)))


def _call(conninfo: str, query: str, params: tuple[object, ...]) -> Any:
    import psycopg

    conn = connect(conninfo)
    try:
        with conn, server_errors(conninfo):
            try:
                return _value(conn, query, params)
            except psycopg.errors.InsufficientPrivilege as exc:
                if detail(exc):
                    raise
                raise ChuyiError("server_not_admin", login=conn.info.user) from None
            except psycopg.errors.UndefinedFunction:
                raise ChuyiError("server_not_initialised", database=conn.info.dbname) from None
            except (psycopg.errors.InvalidParameterValue, psycopg.errors.UndefinedObject) as exc:
                said = detail(exc)
                if said.get("chuyi") == "reserved_login":
                    raise ChuyiError("server_reserved_login", login=said["login"]) from None
                if said.get("chuyi") == "superuser":
                    raise ChuyiError("server_superuser_login", login=said["login"]) from None
                if said.get("chuyi") == "no_login":
                    raise ChuyiError("server_no_login", login=said["login"]) from None
                raise refusal(exc) from None
            except psycopg.errors.ForeignKeyViolation:
                raise ChuyiError("server_regions_missing", database=conn.info.dbname) from None
    finally:
        conn.close()


class Grant(NamedTuple):
    login: str
    roles: tuple[str, ...]  # admin, recorder, viewer
    regions: tuple[tuple[str, str | None], ...]  # (region code, target or None)


def grants(conninfo: str) -> list[Grant]:
    """Every login granted a chuyi role, with its roles and regions."""
    with connect(conninfo) as conn, server_errors(conninfo):
        members = conn.execute(
            "SELECT m.rolname, r.rolname FROM pg_auth_members a"
            " JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member"
            " WHERE r.rolname IN ('chuyi_admin', 'chuyi_recorder', 'chuyi_viewer')"
            " ORDER BY 1, 2"
        ).fetchall()
        scopes = conn.execute(
            "SELECT login, region, target FROM chuyi.grant_scope ORDER BY 1, 2, 3"
        ).fetchall()
    logins: dict[str, tuple[list[str], list[tuple[str, str | None]]]] = {}
    for login, role in members:
        logins.setdefault(login, ([], []))[0].append(role.removeprefix("chuyi_"))
    for login, region, target in scopes:
        logins.setdefault(login, ([], []))[1].append((region, target))
    return [Grant(k, tuple(v[0]), tuple(v[1])) for k, v in sorted(logins.items())]


def check(conninfo: str) -> list[Message]:
    """What differs from what ``init`` made: missing migrations, roles that log in or have
    members they should not, RLS off, policies or triggers missing or disabled, rights to
    change entries. Empty when all is as made."""
    with connect(conninfo) as conn, server_errors(conninfo):
        if _value(conn, "SELECT to_regnamespace('chuyi')") is None:
            return [Message("server_not_initialised", database=conn.info.dbname)]
        problems = _check_schema(conn) + _check_roles(conn) + _check_rights(conn)
    if not problems:
        from chuyi_cli.server.store import ServerStore

        with ServerStore.open(conninfo) as store:
            if not store.derived_in_step():
                problems.append(Message("server_check_projection"))
    return problems


def repair(conninfo: str) -> None:
    """Bring back what ``check`` finds: as a superuser, the roles, the triggers, row-level
    security and the rights as init made them; as anyone who may write, the projection
    derived again from the history."""
    with connect(conninfo) as conn, server_errors(conninfo):
        superuser = _value(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if superuser:
            conn.execute(sql("roles"))
            for trigger, table in _TRIGGERS.items():
                conn.execute(f"ALTER TABLE chuyi.{table} ENABLE TRIGGER {trigger}")
            conn.execute("ALTER TABLE chuyi.entry ENABLE ROW LEVEL SECURITY")
            conn.execute(
                "REVOKE UPDATE, DELETE, TRUNCATE ON chuyi.entry"
                " FROM PUBLIC, chuyi_owner, chuyi_admin, chuyi_recorder, chuyi_viewer"
            )
            conn.execute("REVOKE INSERT ON chuyi.entry FROM PUBLIC, chuyi_admin, chuyi_viewer")
            placing = conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'chuyi.entry'::regclass"
                " AND attname = ANY(%s)",
                (list(_SERVER_COLUMNS),),
            ).fetchall()
            conn.execute(
                f"REVOKE INSERT ({', '.join(c for (c,) in placing)}) ON chuyi.entry"
                " FROM PUBLIC, chuyi_admin, chuyi_recorder, chuyi_viewer"
            )
            conn.execute(sql("m005_written_by_server"))  # a recorder's INSERT, as m005 gave it
            conn.execute("GRANT UPDATE (seq) ON chuyi.entry TO chuyi_owner")
            conn.execute(
                "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "
                + ", ".join(
                    f"chuyi.{t}"
                    for t in (
                        *_PROJECTION,
                        "projection_due",
                        "projection_region",
                        "projection_pending",
                    )
                )
                + " FROM PUBLIC, chuyi_admin, chuyi_recorder, chuyi_viewer"
            )
    from chuyi_cli.server.store import ServerStore

    with ServerStore.open(conninfo) as store:
        store.rebuild()


def _check_schema(conn: Connection[Any]) -> list[Message]:
    problems = []
    done = _applied(conn)
    problems += [Message("server_check_migration", name=m) for m in MIGRATIONS if m not in done]
    owners = conn.execute(
        "SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity FROM pg_class c"
        " WHERE c.relnamespace = 'chuyi'::regnamespace AND c.relkind = 'r'"
    ).fetchall()
    found = {name: (owner, rls) for name, owner, rls in owners}
    for table in _TABLES:
        if table not in found:
            problems.append(Message("server_check_table", table=table))
        elif found[table][0] != "chuyi_owner":
            problems.append(Message("server_check_owner", table=table, owner=found[table][0]))
    if "entry" in found and not found["entry"][1]:
        problems.append(Message("server_check_rls"))
    policies = set(
        conn.execute(
            "SELECT polname, polcmd::text FROM pg_policy WHERE polrelid = 'chuyi.entry'::regclass"
        ).fetchall()
    )
    problems += [Message("server_check_policy", name=p) for p, _ in sorted(_POLICIES - policies)]
    triggers = dict(
        conn.execute(
            "SELECT tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgrelid IN (SELECT oid FROM pg_class"
            "  WHERE relnamespace = 'chuyi'::regnamespace"
            "  AND relname = ANY(%s))",
            (sorted(set(_TRIGGERS.values())),),
        ).fetchall()
    )
    for name in _TRIGGERS:
        if triggers.get(name) != "O":
            problems.append(Message("server_check_trigger", name=name))
    return problems


def _check_roles(conn: Connection[Any]) -> list[Message]:
    problems = []
    rows = dict(
        conn.execute(
            "SELECT rolname, rolcanlogin OR rolsuper OR rolbypassrls FROM pg_roles"
            " WHERE rolname = ANY(%s)",
            (list(ROLES),),
        ).fetchall()
    )
    for role in ROLES:
        if role not in rows:
            problems.append(Message("server_check_role", role=role))
        elif rows[role]:
            problems.append(Message("server_check_role_login", role=role))
    members = conn.execute(
        "SELECT pg_get_userbyid(member) FROM pg_auth_members WHERE roleid = 'chuyi_owner'::regrole"
    ).fetchall()
    problems += [Message("server_check_owner_member", login=m) for (m,) in members]
    return problems


# Who holds a right, by name, in aclexplode's rows (aliased ``a``; grantee 0 is PUBLIC).
_GRANTEE = "CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END"


def _check_rights(conn: Connection[Any]) -> list[Message]:
    """Nobody may change entries; only recorders append (the columns m005 names); only the
    owner writes the projection; only admins grant. Each query finds the rights held that
    should not be, as (who, which right)."""
    held = [
        (
            f"SELECT {_GRANTEE}, a.privilege_type || ' (' || c.relname || ')'"
            " FROM pg_class c, aclexplode(c.relacl) a"
            " WHERE c.relnamespace = 'chuyi'::regnamespace AND c.relname = ANY(%s)"
            " AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')"
            " AND a.grantee <> c.relowner ORDER BY c.relname, 1, a.privilege_type",
            (list(_PROJECTION),),
        ),
        (  # (a recorder's INSERT is of named columns, m005: on the whole table it is too much)
            f"SELECT {_GRANTEE}, a.privilege_type"
            " FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = 'chuyi.entry'::regclass"
            " AND (a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')"
            " OR a.privilege_type = 'INSERT' AND pg_get_userbyid(a.grantee) <> 'chuyi_owner')",
            (),
        ),
        (
            f"SELECT {_GRANTEE}, 'INSERT (' || c.attname || ')'"
            " FROM pg_attribute c, aclexplode(c.attacl) a"
            " WHERE c.attrelid = 'chuyi.entry'::regclass AND a.privilege_type = 'INSERT'"
            " AND c.attname = ANY(%s) AND pg_get_userbyid(a.grantee) <> 'chuyi_owner'",
            (list(_SERVER_COLUMNS),),
        ),
        (
            f"SELECT {_GRANTEE}, p.proname FROM pg_proc p,"
            " aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a"
            " WHERE p.pronamespace = 'chuyi'::regnamespace AND p.proname = ANY(%s)"
            " AND a.privilege_type = 'EXECUTE'"
            " AND pg_get_userbyid(a.grantee) NOT IN ('chuyi_admin', 'chuyi_owner')",
            (list(_ADMIN_FUNCTIONS),),
        ),
    ]
    return [
        Message("server_check_right", login=grantee, right=right)
        for sql, params in held
        for grantee, right in conn.execute(sql, params).fetchall()
    ]


__all__ = ["ServerUnavailable", "check", "grant", "grants", "init", "revoke"]
