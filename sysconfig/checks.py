"""`manage.py check`: the knob registry is consistent, and code reads only knobs that exist.

The code scan is deliberately simple: `config.get` calls with a literal key in the
project's own apps (f-strings and variables are not followed). `config.get` raises UnknownKnob
in development and tests anyway; this finds a typo before the line runs.
"""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ValidationError

from .registry import REGISTRY, TYPES
from .values import parse

_LITERAL_GET = re.compile(r"""(?<![\w.])config\.get\(\s*(?<![fF])["']([^"'{}]+)["']\s*\)""")


@register()
def registry_is_consistent(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for name, knob in REGISTRY.items():
        if knob.type not in TYPES or "." not in name:
            errors.append(Error(f"Knob {name} has an invalid name or type.", id="sysconfig.E001"))
            continue
        for env, value in {"default": knob.default, **knob.env_defaults}.items():
            try:
                parse(knob, value)
            except ValidationError as exc:
                errors.append(
                    Error(
                        f"Knob {name}: {env} value {value!r} is invalid: {'; '.join(exc.messages)}",
                        id="sysconfig.E002",
                    )
                )
    return errors


@register()
def code_reads_known_knobs(app_configs=None, **kwargs) -> list[Error]:
    base = Path(settings.BASE_DIR).resolve()
    errors = []
    for app in app_configs or apps.get_app_configs():
        root = Path(app.path).resolve()
        if base not in root.parents or "site-packages" in root.parts:
            continue  # third-party code
        for source in root.rglob("*.py"):
            if "migrations" in source.parts:
                continue
            text = source.read_text(encoding="utf-8", errors="replace")
            for match in _LITERAL_GET.finditer(text):
                if match.group(1) not in REGISTRY:
                    line = text.count("\n", 0, match.start()) + 1
                    errors.append(
                        Error(
                            f"Unknown config key {match.group(1)!r}.",
                            obj=f"{source.relative_to(base)}:{line}",
                            hint="Add it to sysconfig/registry.py or fix the name.",
                            id="sysconfig.E003",
                        )
                    )
    return errors
