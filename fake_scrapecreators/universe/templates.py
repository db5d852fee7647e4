"""Shape templates: one object of each kind, cut from the contract's example bodies.

`templates.json` holds the real key sets and nesting (an aweme, a search user, a following user,
the TikTok profile, the Instagram user, an Instagram hashtag post, a YouTube video, a shelf item
and a channel). Builders start from a fresh copy and overwrite every value that carries identity,
so the many null/flag "noise" keys keep the upstream shape without being retyped here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PATH = Path(__file__).with_name("templates.json")


@cache
def _raw() -> dict[str, str]:
    data = json.loads(_PATH.read_text(encoding="utf-8"))
    # Keep each template as a JSON string: json.loads is a faster deep copy than copy.deepcopy.
    return {name: json.dumps(obj, ensure_ascii=False) for name, obj in data.items()}


def template(name: str) -> Any:
    """A fresh, mutable copy of the named template."""
    return json.loads(_raw()[name])
