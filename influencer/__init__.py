import sys

# Our `sysconfig` app shadows the standard-library module of the same name (see
# sysconfig/__init__.py). If the standard one was imported before the project was on the
# path, drop it so `import sysconfig` finds the app, which carries the stdlib API too.
if not hasattr(sys.modules.get("sysconfig"), "__path__"):
    sys.modules.pop("sysconfig", None)
