"""``chuyi server …``: the shared PostgreSQL store, as the province's IT sets it up.

The server is the one ``--db`` or ``CHUYI_DB`` names (``postgresql://…``, ``service=…``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from chuyi_cli.cli.frame import F, app, command, guarded, session_now
from chuyi_cli.errors import ChuyiError
from chuyi_cli.shell import ChuyiCommand, ChuyiGroup, complete_regions, complete_targets

commands = typer.Typer(
    cls=ChuyiGroup,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(commands, name="server", help="help.server")


def _command(name: str) -> Callable[[F], F]:
    def register(func: F) -> F:
        commands.command(
            name,
            cls=ChuyiCommand,
            help=f"help.server.{name}",
            epilog=f"ex.server.{name}",
        )(guarded(func))
        return func

    return register


def _server() -> str:
    """The server the global options name; an error when they name a file."""
    conninfo = session_now().server
    if conninfo is None:
        raise ChuyiError("server_needed")
    return conninfo


LoginArg = Annotated[str, typer.Argument(help="help.server.login", show_default=False)]


@_command("init")
def init_command() -> None:
    """Create the schema, the roles and the gazetteer on the server (again: brings them up
    to date); run by a superuser."""
    from chuyi_cli.i18n import say
    from chuyi_cli.server import admin

    done = admin.init(_server())
    if done.applied:
        typer.echo(say("server_initialised", database=done.database, server=done.server))
    else:
        typer.echo(say("server_up_to_date", database=done.database, server=done.server))


@_command("grant")
def grant_command(
    login: LoginArg,
    recorder: Annotated[bool, typer.Option("--recorder", help="help.server.recorder")] = False,
    viewer: Annotated[bool, typer.Option("--viewer", help="help.server.viewer")] = False,
    admin_role: Annotated[bool, typer.Option("--admin", help="help.server.admin")] = False,
    region: Annotated[
        str | None,
        typer.Option("--region", help="help.server.region", autocompletion=complete_regions),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="help.server.target", autocompletion=complete_targets),
    ] = None,
) -> None:
    """Let a login record for a region (--recorder), read (--viewer) or grant (--admin)."""
    from chuyi_cli.i18n import say
    from chuyi_cli.server import admin

    roles = (("recorder", recorder), ("viewer", viewer), ("admin", admin_role))
    chosen = [role for role, on in roles if on]
    if len(chosen) != 1:
        raise ChuyiError("server_one_role")
    role = chosen[0]
    if role != "recorder" and (region or target):
        raise ChuyiError("server_region_for_recorder")
    if role == "recorder" and not region:
        raise ChuyiError("server_region_needed")
    code = name = target_id = None
    if region:
        from chuyi_cli.regions import gazetteer

        place = gazetteer().get(region)
        code, name = place.code, place.name
    if target:
        target_id = session_now().plan().find(target).id
    conninfo = _server()
    created = admin.grant(conninfo, login, role, code, target_id)
    if created:
        typer.echo(say("server_login_created", login=login), err=True)
    if role == "recorder":
        key = "server_granted_target" if target_id else "server_granted_region"
        typer.echo(say(key, login=login, region=name, target=target_id))
    else:
        typer.echo(say("server_granted_role", login=login, role=say("server_role." + role)))


@_command("revoke")
def revoke_command(
    login: LoginArg,
    region: Annotated[
        str | None,
        typer.Option("--region", help="help.server.revoke_region", autocompletion=complete_regions),
    ] = None,
) -> None:
    """Take a login's grants away (all, or one region's); its entries stay on record."""
    from chuyi_cli.i18n import say
    from chuyi_cli.server import admin

    code = name = None
    if region:
        from chuyi_cli.regions import gazetteer

        place = gazetteer().get(region)
        code, name = place.code, place.name
    admin.revoke(_server(), login, code)
    if code:
        typer.echo(say("server_revoked_region", login=login, region=name))
    else:
        typer.echo(say("server_revoked", login=login))


@_command("grants")
def grants_command(
    as_json: Annotated[bool, typer.Option("--json", help="help.json")] = False,
) -> None:
    """Every login granted a chuyi role: its roles and the regions it records for."""
    from chuyi_cli.i18n import say
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.server import admin

    places = gazetteer()
    found = admin.grants(_server())
    if as_json:
        import json

        rows = [
            {
                "login": g.login,
                "roles": list(g.roles),
                "regions": [{"region": r, "target": t} for r, t in g.regions],
            }
            for g in found
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(say("server_no_grants"))
    for g in found:
        roles = "、".join(say("server_role." + r) for r in g.roles) or "-"
        regions = ", ".join(
            places.by_code[r].name + (f" ({t})" if t else "") if r in places.by_code else r
            for r, t in g.regions
        )
        typer.echo(f"{g.login}: {roles}" + (f" — {regions}" if regions else ""))


@_command("check")
def check_command(
    repair: Annotated[bool, typer.Option("--repair", help="help.server.repair")] = False,
) -> None:
    """Whether the schema, the roles, the policies, the rights and the projection are as
    init made them; --repair brings them back."""
    from chuyi_cli.errors import ProblemsError
    from chuyi_cli.i18n import Message, say
    from chuyi_cli.server import admin

    if repair:
        admin.repair(_server())
    problems = admin.check(_server())
    if problems:
        raise ProblemsError(list(problems), Message("server_check_heading"))
    typer.echo(say("server_check_ok"))


@command("sync")
def sync_command(
    to: Annotated[str, typer.Option("--to", help="help.sync.to", show_default=False)],
    full: Annotated[bool, typer.Option("--full", help="help.sync.full")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="help.json")] = False,
) -> None:
    """Exchange entries with the server: push what it lacks, pull what this file lacks."""
    from chuyi_cli.errors import ProblemsError
    from chuyi_cli.i18n import Message, say
    from chuyi_cli.server import server_named
    from chuyi_cli.server.store import ServerStore
    from chuyi_cli.server.sync import sync

    session = session_now()
    conninfo = server_named(to)
    if conninfo is None:
        raise ChuyiError("sync_needs_server", text=to)
    if session.server is not None:
        raise ChuyiError("sync_needs_file")
    with session.store(write=True) as laptop, ServerStore.open(conninfo) as server:
        done = sync(laptop, server, full=full)
    if done.conflicts:
        raise ProblemsError(
            [Message("sync_conflict", id=a.id[:12]) for a, _ in done.conflicts],
            Message("sync_conflicts", count=len(done.conflicts)),
        )
    if as_json:
        import json

        refused = [{"id": e.id, "why": why} for e, why in done.refused]
        body = {"pushed": done.pushed, "pulled": done.pulled, "refused": refused}
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        typer.echo(say("sync_done", pushed=done.pushed, pulled=done.pulled))
    if done.refused:
        for e, why in done.refused:
            typer.echo(say("sync_refused_" + why, id=e.id[:8], target=e.target), err=True)
        raise typer.Exit(1)
