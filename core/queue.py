"""The one way to enqueue background work.

With the ORM broker the enqueue is a row in the same database, so calling `enqueue` inside
a transaction commits (or rolls back) together with the caller's rows: a job and its first
step can never be separated. Other brokers are not transactional, so there we enqueue on
commit instead.

In synchronous mode (tests, `Q_CLUSTER["sync"]`) tasks run inline once the caller's
transaction commits, through a trampoline: a task that enqueues its follow-up does not
recurse, the follow-up runs after it returns.
"""

import logging
import threading
from collections import deque
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_q.tasks import async_task

logger = logging.getLogger(__name__)
_sync_state = threading.local()


def enqueue(func: str, *args: Any, task_name: str | None = None, **kwargs: Any) -> None:
    """Run `func` (a dotted path) in a worker with the given arguments."""
    conf = settings.Q_CLUSTER
    if conf.get("sync"):
        # After commit, like a real worker would see it; never inside the caller's transaction.
        transaction.on_commit(lambda: _run_inline(func, args, kwargs))
        return
    # Explicit, so the decision is ours (settings) and not django-q's import-time copy of them.
    q_options = {"sync": False, **({"task_name": task_name} if task_name else {})}
    if conf.get("orm"):
        async_task(func, *args, q_options=q_options, **kwargs)
    else:
        transaction.on_commit(lambda: async_task(func, *args, q_options=q_options, **kwargs))


def _run_inline(func: str, args: tuple, kwargs: dict) -> None:
    pending = getattr(_sync_state, "pending", None)
    if pending is not None:
        pending.append((func, args, kwargs))
        return
    pending = _sync_state.pending = deque([(func, args, kwargs)])
    try:
        while pending:
            name, a, kw = pending.popleft()
            import_string(name)(*a, **kw)
    finally:
        _sync_state.pending = None
