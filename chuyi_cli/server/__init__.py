"""The province's shared store on a PostgreSQL server: its schema, roles and grants.

This module only tells a server from a file (``--db``/``CHUYI_DB``), with nothing
imported: psycopg is imported by :mod:`chuyi_cli.server.connect`, and only when a server
is named, so a run on a SQLite file starts as fast as before.
"""

from __future__ import annotations

# The keywords of a libpq connection string (``psql "service=chuyi"``,
# ``host=… dbname=…``): a value of --db that starts with one of these and ``=`` names a
# server, as psql reads its database argument.
_CONNINFO_KEYS = frozenset(
    (
        "host hostaddr port dbname user password passfile channel_binding connect_timeout"
        " client_encoding options application_name fallback_application_name keepalives"
        " keepalives_idle keepalives_interval keepalives_count tcp_user_timeout replication"
        " gssencmode sslmode requiressl sslcompression sslcert sslkey sslpassword"
        " sslcertmode sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version"
        " ssl_max_protocol_version krbsrvname gsslib gssdelegation service"
        " target_session_attrs load_balance_hosts"
    ).split()
)
_URI_PREFIXES = ("postgresql://", "postgres://")


def server_named(text: str | None) -> str | None:
    """The connection string ``text`` names, if it names a PostgreSQL server.

    A server is named as psql takes one: a URI (``postgresql://host/db``; ``postgresql://``
    alone takes everything from the ``PG*`` variables and ``~/.pg_service.conf``, as
    ``psql`` does) or ``key=value`` pairs (``service=chuyi``, ``host=… dbname=…``).
    Anything else is a SQLite file."""
    if not text:
        return None
    value = text.strip()
    if value.lower().startswith(_URI_PREFIXES):
        return value
    key, equals, _ = value.partition("=")
    if equals and key.strip().lower() in _CONNINFO_KEYS:
        return value
    return None
