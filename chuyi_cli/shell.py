"""The command line's own words in the run's language: help pages, usage errors, completion.

Typer builds the commands with catalogue keys for their help (``help="help.status"``); the
group below words them in the run's language just before click reads them, so one process
can show either language and ``--help`` still builds nothing but names and help. Click's
own words (``Usage:``, ``Options``, ``No such option``) are worded here too, and help text
is wrapped by display width, so Chinese lines fit the terminal.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from typer import _click as click
from typer import core as typer_core
from typer.exceptions import Abort

from chuyi_cli.i18n import MESSAGES, Message, Names, current_lang, lang_named, say, set_lang

# Click's words (as typer passes them to gettext) and the catalogue keys that word them.
_CLICK_WORDS = {
    "Arguments": "click.arguments",
    "Options": "click.options",
    "Commands": "click.commands",
    "default: {default}": "click.default",
    "required": "click.required",
    "env var: {var}": "click.env_var",
    "(dynamic)": "click.dynamic",
    "Aborted!": "click.aborted",
    "Missing command.": "click.missing_command",
    "No such command {name!r}.": "click.no_such_command",
}

# The metavar of an option's value, by click's type name.
_VALUE_WORDS = {
    "str": "meta.text",
    "text": "meta.text",
    "int": "meta.integer",
    "integer": "meta.integer",
    "int range": "meta.integer",
    "integer range": "meta.integer",
    "path": "meta.path",
}


def _click_word(message: str) -> str:
    key = _CLICK_WORDS.get(message)
    return say(key) if key else message


def worded(text: str | None) -> str | None:
    """A catalogue key worded in the run's language; any other text as it is."""
    return say(text) if text and text in MESSAGES else text


def lang_asked(args: Sequence[str]) -> str | None:
    """The language a command line names with ``--lang`` (global or a command's), if any."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return lang_named(args[i + 1])
        if arg.startswith("--lang="):
            return lang_named(arg.partition("=")[2])
    return None


def localise(command: Any) -> None:
    """Word a command's help, arguments and options (and its commands') in the run's language."""
    chinese = current_lang() == "zh"
    command.help = worded(command.help)
    if command.epilog in MESSAGES:
        examples = "\n".join("  " + line for line in say(command.epilog).splitlines())
        command.epilog = f"{say('ex.heading')}\n\n\b\n{examples}"
    if chinese and command.help:
        command.short_help = command.help.split("\n\n")[0]
    command.options_metavar = say("meta.options")
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = say("meta.command")
    for param in command.params:
        if param.name in ("install_completion", "show_completion"):
            param.help = "help.chuyi." + param.name.replace("_", "-")
        if param.name == "install_completion":
            param.callback = _install_completion
        param.help = worded(getattr(param, "help", None))
        if param.param_type_name == "argument":
            key = "meta." + (param.name or "")
            if key in MESSAGES:
                param.metavar = say(key)
        elif param.metavar in MESSAGES:  # a metavar the catalogue words (e.g. meta.stage)
            param.metavar = say(param.metavar)
        elif not getattr(param, "is_flag", False) and param.metavar is None:
            value = _VALUE_WORDS.get(getattr(param.type, "name", ""))
            if value and chinese:
                param.metavar = say(value)
    for sub in getattr(command, "commands", {}).values():
        localise(sub)


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    """``--install-completion``: typer's, said in the run's language."""
    if not value or ctx.resilient_parsing:
        return value
    from typer._completion_shared import install

    shell, path = install(shell=value if isinstance(value, str) else None)
    sys.stdout.write(say("completion_installed", shell=shell, path=path) + "\n")
    sys.exit(0)


if TYPE_CHECKING:  # (mixed into click's commands below: typed as one of them)
    _Command = click.Command
else:
    _Command = object


class _Wording(_Command):
    """What the group and its commands share: the help option and usage line worded."""

    def get_help_option(self, ctx: click.Context) -> typer_core.TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = say("help.help")
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=say("click.usage"))


class ChuyiCommand(_Wording, typer_core.TyperCommand):
    """A chuyi command: help worded in the run's language."""


class ChuyiGroup(_Wording, typer_core.TyperGroup):
    """The ``chuyi`` group: chooses the run's language before click reads a word, and
    words click's usage errors in it."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if os.environ.get("_CHUYI_COMPLETE"):
            _quoting_shells()
        set_lang(lang_asked(argv))
        _word_click()
        localise(self)
        if not standalone_mode:  # a caller that handles the outcome
            return super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.exceptions.ClickException as exc:
            show_usage_error(exc)
            sys.exit(exc.exit_code)
        except Abort:
            sys.stderr.write(say("click.aborted") + "\n")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _word_click() -> None:
    """Click's help words go through typer's gettext: word them from the catalogue."""
    # (typer.core and click's formatting import these names without exporting them; click
    # names term_len's argument x)
    typer_core._ = _click_word  # type: ignore[attr-defined]
    formatting = click.formatting
    formatting.term_len = display_width  # type: ignore[attr-defined,assignment]
    formatting.wrap_text = wrap_text
    _keep_guarded_streams()


def _keep_guarded_streams() -> None:
    """Click writes to a stream whose encoding is ASCII through a UTF-8 wrapper of its
    own: help, prompts and `typer.echo` would bypass the stand-ins every other output
    writes (chuyi_cli/streams.py). A stream that writes stand-ins is taken as it is."""
    from typer._click import _compat

    from chuyi_cli.streams import HANDLER

    misconfigured = _compat._stream_is_misconfigured
    if getattr(misconfigured, "chuyi", False):
        return

    def keeps_guarded(stream: Any) -> bool:
        return getattr(stream, "errors", None) != HANDLER and misconfigured(stream)

    keeps_guarded.chuyi = True  # type: ignore[attr-defined]
    _compat._stream_is_misconfigured = keeps_guarded


# --------------------------------------------------------------------------- usage errors


def show_usage_error(exc: Any) -> None:
    """A usage error as click shows it, in the run's language."""
    ctx = getattr(exc, "ctx", None)
    lines = []
    if ctx is not None and isinstance(exc, click.exceptions.UsageError):
        lines.append(ctx.get_usage())
        names = ctx.help_option_names
        if ctx.command.get_help_option(ctx) is not None and names:
            lines.append(say("click.try_help", command=f"{ctx.command_path} {names[0]}"))
        lines.append("")
    lines.append(say("usage_error", message=usage_text(exc)))
    sys.stderr.write("\n".join(lines) + "\n")


# click's sentences (compiled only when a usage error is worded)
_CLICK_PATTERNS: list[tuple[str, str]] = [
    (r"^No such command '(?P<name>.+)'\.?$", "click.no_such_command_named"),
    (r"^Got unexpected extra arguments? \((?P<name>.+)\)$", "click.extra_arguments"),
    (
        r"^Option '(?P<name>.+)' requires (an argument|\d+ arguments)\.$",
        "click.needs_value",
    ),
    (r"^Option '(?P<name>.+)' does not take a value\.$", "click.takes_no_value"),
    (
        r"^'?(?P<name>.*?)'? is not a valid (integer|int|float)( range)?\.$",
        "click.not_a_number",
    ),
    (r"^(?P<name>.+) is not in the range (?P<range>.+)\.$", "click.out_of_range"),
]


def _click_sentence(text: str) -> str | Message:
    """One of click's English sentences worded from the catalogue (as it is if unknown)."""
    text, _, mean = text.partition(" Did you mean ")
    text = text.rstrip() if not mean else text.rstrip(".。 ")
    for pattern, key in _CLICK_PATTERNS:
        found = re.match(pattern, text)
        if found:
            fields = found.groupdict()
            message = Message(
                key,
                name=fields["name"],
                **({"range": fields["range"]} if "range" in fields else {}),
            )
            break
    else:
        message = Message(text)
    if mean:
        return Message(
            "click.with_hint", message=message, hint=Message("did_you_mean", names=mean.rstrip("?"))
        )
    return message


def usage_text(exc: Any) -> str:
    """What was wrong with the command line, in the run's language."""
    if current_lang() != "zh":
        return str(exc.format_message())
    errors = click.exceptions
    if isinstance(exc, errors.NoSuchOption):
        hint: str | Message = ""
        if exc.possibilities:
            hint = Message("did_you_mean", names=Names(sorted(exc.possibilities)))
        return say("click.no_such_option", name=exc.option_name, hint=hint)
    if isinstance(exc, errors.MissingParameter):
        param = exc.param
        if param is not None and param.param_type_name == "argument":
            return say("click.missing_argument", name=_param_hint(exc))
        return say("click.missing_option", name=_param_hint(exc))
    if isinstance(exc, errors.BadParameter):
        return say("click.bad_value", name=_param_hint(exc), message=_click_sentence(exc.message))
    return str(_click_sentence(exc.message))


def _param_hint(exc: click.exceptions.BadParameter) -> str | Sequence[str]:
    """The option or argument a usage error is about, as click names it."""
    if exc.param_hint:
        return exc.param_hint
    if exc.param is None:
        return ""
    # (click's own message passes a context that may be missing: the hint never reads it)
    return exc.param.get_error_hint(exc.ctx)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- help by width


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: East Asian wide characters count two."""
    from unicodedata import east_asian_width

    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    if text.isascii():
        return len(text)
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def _tokens(text: str) -> list[str]:
    """Words and spaces, each Chinese character a word of its own: a line may break
    between two Chinese characters, never where a Latin letter, digit or sign touches
    (``二(四)1``, ``CHUYI_DB，``, ``2030``)."""
    out: list[str] = []
    for word in re.split(r"(\s+)", text):
        if not word:
            continue
        if word.isspace():
            out.append(" ")
            continue
        start = 0
        for k in range(1, len(word)):
            if not word[k - 1].isascii() and not word[k].isascii():
                out.append(word[start:k])
                start = k
        out.append(word[start:])
    return out


_NO_LINE_START = set("，。；：、）》」』”！？,.;:)")


def _fill(text: str, width: int, first: str, rest: str) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    indent, used = first, display_width(first)
    for token in _tokens(" ".join(text.split())):
        if token.isspace():
            if line:
                line.append(" ")
                used += 1
            continue
        size = display_width(token)
        if used + size > width and line:
            # closing punctuation never starts a line: the character before it goes along
            carried = [line.pop()] if token[0] in _NO_LINE_START and len(line) > 1 else []
            lines.append((indent + "".join(line)).rstrip())
            line, indent = carried, rest
            used = display_width(rest) + sum(display_width(t) for t in line)
        line.append(token)
        used += size
    lines.append((indent + "".join(line)).rstrip())
    return lines


def wrap_text(
    text: str,
    width: int = 78,
    initial_indent: str = "",
    subsequent_indent: str = "",
    preserve_paragraphs: bool = False,
) -> str:
    """Click's wrap_text by display width: a Chinese line breaks between characters,
    never inside an English word, and fits the columns it is given."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return "\n".join(_fill(text, width, initial_indent, subsequent_indent))
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        if block.startswith("\b"):
            kept = block.split("\n")[1:]
            out.append("\n".join(initial_indent + line for line in kept))
        else:
            out.append("\n".join(_fill(block, width, initial_indent, subsequent_indent)))
    return "\n\n".join(out)


# --------------------------------------------------------------------------- completion


# What bash would read as more than a word's letters: each is put behind a backslash.
_BASH_SPECIAL = re.compile(r"""([\s()\[\]{}<>|&;$`'"\\*?!#~])""")


def bash_word(value: str, quote: str = "") -> str:
    """``value`` as bash reads it back as one word. Bash puts a completion on the line as
    it is given, so a parenthesis left bare (``职教集团(联盟)``) would be a syntax error:
    each character the shell would read otherwise gets a backslash, or, when the word
    typed so far opens a quote (``'二(四``), the value is given inside that quote."""
    if quote == "'":
        return "'" + value.replace("'", "'\\''") + "'"
    if quote == '"':
        return '"' + re.sub(r'([$`"\\])', r"\\\1", value) + '"'
    return _BASH_SPECIAL.sub(r"\\\1", value)


def _typed_quote() -> str:
    """The quote the word being completed opens, as bash passes that word (its words are
    joined by newlines, the script's IFS)."""
    words = os.environ.get("COMP_WORDS", "").split("\n")
    try:
        typed = words[int(os.environ.get("COMP_CWORD", ""))]
    except (ValueError, IndexError):
        return ""
    return typed[:1] if typed[:1] in ("'", '"') else ""


def _quoting_shells() -> None:
    """Completion for bash quotes what it offers (zsh and fish quote what they insert)."""
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import BashComplete, completion_init

    class QuotingBash(BashComplete):
        def format_completion(self, item: Any) -> str:
            return bash_word(str(item.value), _typed_quote())

    completion_init()
    add_completion_class(QuotingBash, "bash")


def complete_targets(incomplete: str) -> list[tuple[str, str]]:
    """Target ids and refs that start with what was typed, and the notice's words: for
    ``职教`` the rest of each title from there (``职教名师``, ``职教大师`` …), each of
    which names its target alone, as ``chuyi record`` takes it."""
    from chuyi_cli.catalog import load_catalog

    try:
        plan = load_catalog(os.environ.get("CHUYI_TARGETS") or None)
    except Exception:
        return []
    typed = incomplete.replace("（", "(").replace("）", ")")
    found: dict[str, str] = {}
    for target in plan.targets:
        if target.id.startswith(typed.lower()):
            found.setdefault(target.id, target.title)
    if typed:
        refs = [t.ref for t in plan.targets]
        for target in plan.targets:
            if target.ref.startswith(typed) and refs.count(target.ref) == 1:
                found.setdefault(target.ref, target.title)
        for target in plan.targets:
            title = re.sub('[“”"]', "", target.title)
            start = title.find(typed)
            while start >= 0:
                words = title[start:]
                try:
                    if plan.find(words).id == target.id:
                        found.setdefault(words, target.id)
                except Exception:
                    pass  # the rest of this title names more than this target
                start = title.find(typed, start + 1)
    return list(found.items())


def complete_regions(incomplete: str) -> list[tuple[str, str]]:
    """Region names, short names and codes that start with what was typed."""
    from chuyi_cli.regions import gazetteer

    found: dict[str, str] = {}
    for region in gazetteer().regions:
        for key in (region.name, *region.aliases, region.code):
            if key.startswith(incomplete):
                found.setdefault(key, region.name if key != region.name else region.code)
    return list(found.items())


def _completer(kind: str) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        from chuyi_cli.vocabulary import complete as words

        return words(kind, incomplete)

    return complete


complete_stages = _completer("stage")
complete_states = _completer("state")
complete_classes = _completer("class")
complete_levels = _completer("level")


def complete_entries(incomplete: str) -> list[tuple[str, str]]:
    """Entry ids (their first 8 characters) that start with what was typed, newest first;
    from an existing database only, which completing never creates."""
    from pathlib import Path

    from chuyi_cli.store import Store, default_db_path

    path = Path(os.environ.get("CHUYI_DB") or default_db_path())
    if not path.is_file():
        return []
    try:
        with Store.open(path) as store:
            entries = store.entries(None, None, None, None)
    except Exception:
        return []
    found = []
    for entry in entries:
        if entry.id.startswith(incomplete.lower()) and not entry.voids:
            what = " ".join(x for x in (entry.observed, entry.target, entry.unit or "") if x)
            found.append((entry.id[:8], what))
        if len(found) >= 50:
            break
    return found
