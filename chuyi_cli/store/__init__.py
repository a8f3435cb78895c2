"""The store: the history (append-only entries) and what it comes to, now and on any
past day, in one SQLite file.

- :mod:`~chuyi_cli.store.schema`: the migrations, SQL only, frozen as they landed
- :mod:`~chuyi_cli.store.sqlite`: connecting, PRAGMAs, write transactions, backup
- :mod:`~chuyi_cli.store.sqlite_errors`: SQLite's errors as messages
- :mod:`~chuyi_cli.store.rows`: rows as the tables hold them
- :mod:`~chuyi_cli.store.derive`: the derived tables kept in step by every write
- :mod:`~chuyi_cli.store.history`: appending entries, finding them, the log
- :mod:`~chuyi_cli.store.batches`: an import's batches in one transaction
- :mod:`~chuyi_cli.store.present`: unit states, the tally, regions' last records
- :mod:`~chuyi_cli.store.past`: the same on an earlier day
"""

from __future__ import annotations

from collections.abc import Callable

from chuyi_cli.store.past import Past
from chuyi_cli.store.schema import APPLICATION_ID, ENTRY_INDEXES, SCHEMA_VERSION
from chuyi_cli.store.sqlite import default_db_path, migrate
from chuyi_cli.store.sqlite_errors import LockedError, sqlite_errors
from chuyi_cli.store.unit_pass import Cells

__all__ = [
    "APPLICATION_ID",
    "ENTRY_INDEXES",
    "SCHEMA_VERSION",
    "LockedError",
    "Store",
    "default_db_path",
    "migrate",
    "sqlite_errors",
]


class Store(Past):
    """A chuyi database: open it with :meth:`open`, close it with :meth:`close`."""

    def derived_in_step(self, each: Callable[[list[Cells]], None] | None = None) -> bool:
        """Whether every derived table equals what the history folds to (a full scan)."""
        from chuyi_cli.store.derive import derived_in_step

        with sqlite_errors(self.path):
            return derived_in_step(self.db, each)

    def rebuild(self) -> None:
        """Make again what a damaged file lacks (a derived table, an index, a trigger) and
        derive unit_state, tally, region_last and unit_delta again from the history."""
        from chuyi_cli.store.derive import derive_all

        with self.write() as db:
            self.restore_parts(db)
            derive_all(db)
