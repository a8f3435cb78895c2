"""Errors the core raises; the command line turns each into a message and an exit code."""

from __future__ import annotations

from collections.abc import Sequence

from chuyi_cli.i18n import Cause, Message

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_ERROR = 1  # a chuyi error: bad input, bad file, unknown name
EXIT_USAGE = 2  # the command line itself is wrong (Typer/Click)
EXIT_ALERT = 3  # `summary --fail-on` found a target in that class or worse
EXIT_LOCKED = 75  # the database stayed locked by another process (EX_TEMPFAIL)


class ChuyiError(Exception):
    """An error with a message fit to show a user.

    ``ChuyiError("unknown_target", text=t)`` names a message of ``i18n.MESSAGES``, worded
    in the user's language when shown; a plain sentence is shown as it is.
    """

    exit_code = EXIT_ERROR

    def __init__(self, message: str | Message = "", /, **fields: object) -> None:
        self.message = message if isinstance(message, Message) else Message(message, **fields)
        super().__init__(self.message.key)

    def __str__(self) -> str:
        return self.message.text()


class ProblemsError(ChuyiError):
    """Several problems found at once, each a line like ``FILE:LINE: reason``."""

    def __init__(self, problems: Sequence[str | Message], heading: str | Message = "") -> None:
        self.problems = problems
        self.heading = heading
        super().__init__("problems")

    def lines(self) -> list[str]:
        """The heading (if any) and every problem, worded in the user's language."""
        items = ([self.heading] if self.heading else []) + list(self.problems)
        return [str(item) for item in items]

    def __str__(self) -> str:
        return "\n".join(self.lines())


# Why a file operation failed (an errno), as a message: the reason in words in Chinese,
# the system's own words in English (see ``os.*`` in i18n.MESSAGES).
_ERRNO_WORDS = {
    "ENOENT": "not_found",
    "EACCES": "denied",
    "EPERM": "denied",
    "EISDIR": "is_folder",
    "ENOTDIR": "not_folder",
    "EEXIST": "exists",
    "ENOSPC": "disk_full",
    "EDQUOT": "quota",
    "EROFS": "read_only",
    "EIO": "io",
    "ENAMETOOLONG": "name_too_long",
    "ELOOP": "loop",
    "EMFILE": "too_many_files",
    "ENFILE": "too_many_files",
    "EBUSY": "busy",
    "ETXTBSY": "busy",
    "EXDEV": "cross_device",
    "EFBIG": "too_big",
    "ENXIO": "no_device",
    "ENODEV": "no_device",
    "EINVAL": "invalid",
    "ENOTEMPTY": "not_empty",
    "ESTALE": "network",
    "ETIMEDOUT": "network",
    "EHOSTDOWN": "network",
    "EHOSTUNREACH": "network",
}


def os_reason(exc: OSError) -> Cause:
    """Why ``exc`` happened, worded in the user's language when shown: in Chinese from its
    error number (文件或文件夹不存在), in English the system's own words."""
    import errno

    detail = exc.strerror or str(exc) or type(exc).__name__
    name = errno.errorcode.get(exc.errno or 0, "")
    words = _ERRNO_WORDS.get(name)
    if words is None:
        return Cause("os.other", code=name or exc.errno or "?", detail=detail)
    return Cause("os." + words, detail=detail)
