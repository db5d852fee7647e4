"""Helpers for tests that need a running fake ScrapeCreators server (no Django needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .config import FakeConfig
from .server import FakeScrapeCreatorsServer


@contextmanager
def running_fake_server(**config: Any) -> Iterator[FakeScrapeCreatorsServer]:
    """`with running_fake_server(latency_profile="real", time_scale=0.01) as sc: sc.base_url`."""
    server = FakeScrapeCreatorsServer("127.0.0.1", 0, FakeConfig().merged(config)).start()
    try:
        yield server
    finally:
        server.stop()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


def shape_mismatches(
    expected: Any, actual: Any, optional: frozenset[str] | set[str] = frozenset(), path: str = "$"
) -> list[str]:
    """Where `actual` differs from `expected` in keys, nesting or JSON types (values ignored).

    `null` on either side matches any type (upstream fields are nullable). A list's items are each
    compared with the closest expected item. `optional` holds paths such as
    "$.search_item_list[].search_aweme_info" that may be missing or extra.
    """
    if expected is None or actual is None:
        return []
    if _kind(expected) != _kind(actual):
        return [f"{path}: {_kind(actual)} instead of {_kind(expected)}"]
    if isinstance(expected, dict):
        out = [
            f"{path}.{k}: missing"
            for k in expected
            if k not in actual and f"{path}.{k}" not in optional
        ]
        out += [
            f"{path}.{k}: unexpected"
            for k in actual
            if k not in expected and f"{path}.{k}" not in optional
        ]
        for k in expected.keys() & actual.keys():
            out += shape_mismatches(expected[k], actual[k], optional, f"{path}.{k}")
        return out
    if isinstance(expected, list) and expected and actual:
        out = []
        for item in actual:
            diffs = [shape_mismatches(e, item, optional, f"{path}[]") for e in expected]
            closest = min(diffs, key=len)
            out += closest
        return sorted(set(out))
    return []
