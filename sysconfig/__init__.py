"""System configuration: typed, hot-reloadable knobs that staff change at runtime.

This app's name is also the name of a standard-library module, and a top-level package
shadows it. Standard-library code (zoneinfo, venv, pip…) still calls
`sysconfig.get_config_var()` and friends, so the package first takes in the real module's
namespace; the app's own submodules (`sysconfig.models`, …) load as usual.
"""

import importlib.util as _importlib_util
import os as _os

_spec = _importlib_util.spec_from_file_location(
    "_stdlib_sysconfig", _os.path.join(_os.path.dirname(_os.__file__), "sysconfig.py")
)
# A path ending in .py always gets a spec with a source loader.
assert _spec is not None and _spec.loader is not None
_stdlib = _importlib_util.module_from_spec(_spec)
_spec.loader.exec_module(_stdlib)
globals().update({k: v for k, v in vars(_stdlib).items() if not k.startswith("__")})
