"""The command line's frame: the typer app, the session the global options set up, the
options many commands share, and how a command is registered and guarded."""

import contextlib
import functools
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.shell import ChuyiCommand, ChuyiGroup

if TYPE_CHECKING:  # (each imported where it is needed: a command loads only what it uses)
    import datetime

    from chuyi_cli.catalog_nodes import Plan
    from chuyi_cli.render import Output
    from chuyi_cli.store import Store

app = typer.Typer(
    name="chuyi",
    cls=ChuyiGroup,
    help="help.chuyi",
    invoke_without_command=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# Every command and the module of chuyi_cli.cli that defines it, in the order `chuyi
# --help` lists them. A command line imports only the modules of the commands it names.
COMMANDS = {
    "targets": "catalog",
    "show": "catalog",
    "regions": "catalog",
    "check": "catalog",
    "record": "recording",
    "void": "recording",
    "log": "history",
    "units": "history",
    "import": "exchange",
    "export": "exchange",
    "template": "exchange",
    "backup": "exchange",
    "status": "reports",
    "regions-status": "reports",
    "summary": "reports",
    "report": "reports",
    "sync": "server",
    "server": "server",
}


def load_commands(names: Collection[str] | None = None) -> None:
    """Register the commands named (every command when None) by importing their modules."""
    for module in dict.fromkeys(COMMANDS[n] for n in COMMANDS if names is None or n in names):
        __import__(f"chuyi_cli.cli.{module}")


def _lang_value(value: str | None) -> str | None:
    """``--lang``: zh or en, in any case (``ZH``, ``zh_CN``, ``中文`` too)."""
    from chuyi_cli.i18n import lang_named, say

    if value is None:
        return None
    lang = lang_named(value)
    if lang is None:
        raise typer.BadParameter(say("bad_lang", text=value))
    return lang


def _complete_lang(incomplete: str) -> list[str]:
    return [v for v in ("zh", "en") if v.startswith(incomplete)]


def word_option(kind: str, allowed: tuple[str, ...] | None = None) -> Callable[..., Any]:
    """An option's callback that takes the words of ``kind`` in Chinese or English
    (``--stage 验收`` = ``--stage accepted``) and gives the value chuyi stores."""

    def value(text: str | None) -> str | None:
        if text is None:
            return None
        from chuyi_cli.vocabulary import value_of

        try:
            return value_of(kind, text, allowed)
        except ChuyiError as exc:
            raise typer.BadParameter(str(exc)) from None

    return value


JsonOpt = Annotated[bool, typer.Option("--json", help="help.json")]
PlainOpt = Annotated[bool, typer.Option("--plain", help="help.plain")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="help.as_of"),
]
WidthOpt = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=60,  # (the narrowest every report keeps to: tests/test_layout.py)
        max=1000,
        help="help.width",
        show_default=False,
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="help.lang",
        callback=_lang_value,
        autocompletion=_complete_lang,
        metavar="zh|en",
    ),
]


class Session:
    """What the global options chose, and the catalog and database they point to."""

    def __init__(
        self, targets: Path | None = None, db: Path | str | None = None, lang: str | None = None
    ) -> None:
        self.targets = targets
        # A PostgreSQL server (postgresql://…, service=…) or a SQLite file.
        self.server: str | None = None
        if db is not None:
            from chuyi_cli.server import server_named

            self.server = server_named(str(db))
        self.db = Path(db) if db is not None and self.server is None else None
        self.login: str | None = None  # the server's name for whoever runs this
        self.lang = lang
        self._plan: Plan | None = None

    def plan(self) -> "Plan":
        if self._plan is None:
            from chuyi_cli.catalog import load_catalog

            self._plan = load_catalog(self.targets)
        return self._plan

    def store(self, write: bool = False) -> "Store":
        """The database: one named by --db or CHUYI_DB must exist for a command that only
        reads (nothing is created by a typo); a writing command creates it and says where.
        The default one (the user data folder) is created by any command."""
        from chuyi_cli.store import Store

        store: Store
        if self.server is not None:
            from chuyi_cli.server.store import ServerStore

            store = ServerStore.open(self.server)
            self.login = store.login
            return store
        if self.db is not None and not self.db.exists():
            if not write:
                raise ChuyiError("db_missing", path=self.db)
            from chuyi_cli.i18n import say

            store = Store.open(self.db)
            typer.echo(say("db_created", path=self.db), err=True)
            return store
        return Store.open(self.db)

    def all_or_nothing(self, work: "Callable[[Store], T]") -> T:
        """Run ``work`` (a write that is refused whole or done whole: an import) on the
        database. One that does not exist yet is made beside its path and takes its name
        only when ``work`` succeeds: refused or interrupted, nothing is left."""
        from chuyi_cli.store import LockedError, Store, default_db_path

        path = self.db if self.db is not None else default_db_path()
        if self.server is not None or path.exists():  # (a server's import is its transaction)
            with self.store(write=True) as store:
                return work(store)
        from chuyi_cli.files import link_new, temporary_beside
        from chuyi_cli.i18n import say

        made = _folders_made(path.parent)
        try:
            with temporary_beside(path) as tmp:
                tmp.unlink()  # (its name is kept: the new database is made under it)
                with Store.open(tmp) as store, store.unshared():
                    result = work(store)
                if not link_new(tmp, path):
                    raise LockedError("db_made_meanwhile", path=path)
        except BaseException:
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        typer.echo(say("db_created", path=path), err=True)
        return result

    def language(self, lang: str | None = None) -> str:
        from chuyi_cli.i18n import default_lang

        return lang or self.lang or default_lang()

    def output(
        self, lang: str | None = None, plain: bool = False, width: int | None = None
    ) -> "Output":
        from chuyi_cli.i18n import set_lang
        from chuyi_cli.render import Output

        chosen = self.language(lang)
        set_lang(chosen)
        return Output(chosen, plain, width=width)


_SESSION = Session()


def _folders_made(folder: Path) -> list[Path]:
    """Make ``folder`` and the folders above it that are missing; the ones made, outermost
    first (to be taken away again if nothing comes to be written in them)."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    made = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            made.append(folder)
    except OSError as exc:
        from chuyi_cli.errors import os_reason

        for done in reversed(made):
            with contextlib.suppress(OSError):
                done.rmdir()
        raise ChuyiError("db_no_folder", path=folder, reason=os_reason(exc)) from None
    return made


def session_now() -> Session:
    """The session the global options of this invocation set up."""
    return _SESSION


def begin_session(targets: Path | None, db: str | None, lang: str | None) -> Session:
    """The session of this invocation, as its global options chose."""
    global _SESSION
    _SESSION = Session(targets=targets, db=db, lang=lang)
    return _SESSION


def fail(message: object, code: int = 1) -> typer.Exit:
    from chuyi_cli.i18n import say

    typer.echo(say("error", message=message), err=True)
    return typer.Exit(code)


def guarded(func: F) -> F:
    """Turn chuyi's errors into a message on stderr and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ProblemsError as exc:
            for line in exc.lines():
                typer.echo(line, err=True)
            raise typer.Exit(exc.exit_code) from None
        except ChuyiError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            from chuyi_cli.interrupts import EXIT_INTERRUPTED, report

            report()
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


def command(name: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command; its help and examples are catalogue keys (help.NAME, ex.NAME)."""

    def register(func: F) -> F:
        kwargs.setdefault("help", f"help.{name}")
        kwargs.setdefault("epilog", f"ex.{name}")
        app.command(name, cls=ChuyiCommand, **kwargs)(guarded(func))
        return func

    return register


def todays_date() -> "datetime.date":
    import datetime

    return datetime.date.today()


def recorder_name(by: str | None) -> str:
    session = session_now()
    if session.server is not None:  # the server's login, never a name the client gives
        if by:
            raise ChuyiError("server_by_refused")
        if session.login is None:
            session.store().close()
        return str(session.login)
    if by:
        return by
    if os.environ.get("CHUYI_USER"):
        return os.environ["CHUYI_USER"]
    import getpass  # (with termios: only a record without --by needs it)

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def date_given(text: str | None, what: str = "date") -> "datetime.date | None":
    from chuyi_cli.canonical import parse_date

    return None if text is None else parse_date(text, what)
