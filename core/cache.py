"""The database cache for keys that coordinate processes (the "coordination" cache alias).

Rate-limiter leases and slots, and the sysconfig version stamp. Django's database cache culls by
deleting a share of its rows in key order once the table holds more than MAX_ENTRIES, live rows
included: a vanished lease lets one more request in than the in-flight cap allows. This one only
ever deletes expired rows; its live keys are few and short-lived by construction.
"""

import random
from collections.abc import Container

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections


def claim_one(
    cache: BaseCache, keys: list[str], taken: Container[str], value: object, timeout: float
) -> str | None:
    """Claim one of `keys` that `taken` (one `get_many` of them) shows free; None when others
    claimed every free one first. `add` decides, so no two callers ever hold the same key; the
    random order keeps callers in other processes from racing for the same one."""
    free = [key for key in keys if key not in taken]
    random.shuffle(free)
    for key in free:
        if cache.add(key, value, timeout=timeout):
            return key
    return None


class CoordinationCache(DatabaseCache):
    def _cull(self, db, cursor, now, num):
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        expires = connection.ops.quote_name("expires")
        cursor.execute(
            f"DELETE FROM {table} WHERE {expires} < %s",  # noqa: S608 - quoted identifiers
            [connection.ops.adapt_datetimefield_value(now)],
        )
