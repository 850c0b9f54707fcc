"""Modules that higher apps contribute by name (``enlace/<app>/dashboard.py``,
``enlace/<app>/search.py``), imported by core without importing the apps themselves."""

import importlib

from django.apps import apps

_done: set[str] = set()


def discover(module: str) -> None:
    """Import ``enlace.<app>.<module>`` of every installed Enlace app that has one (once)."""
    if module in _done:
        return
    for config in apps.get_app_configs():
        if not config.name.startswith("enlace."):
            continue
        try:
            importlib.import_module(f"{config.name}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module}":
                raise
    _done.add(module)
