"""django-tables2 asks ``inspect.signature`` which arguments a column's ``render`` takes — for
every cell of every table (``django_tables2.utils.call_with_appropriate``). That was an eighth of
the CPU of the ticket list (275 cells a page; bench/load.py). A function's signature never
changes, so it is kept per function here: ``install()`` (called once from ``enlace.core.tables``)
wraps the library's ``signature`` with a bounded memo keyed by the function (and whether it
came bound to an object, which drops ``self``)."""

from __future__ import annotations

from django_tables2 import utils

_LIMIT = 4096  # distinct render functions are a few hundred; lambdas made per call would grow it


def install() -> None:
    original = utils.signature
    if getattr(original, "memoized", False):
        return
    memo: dict = {}

    def signature(fn):
        try:
            key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # not hashable: ask every time
            return original(fn)
        if len(memo) >= _LIMIT:
            memo.clear()
        memo[key] = found = original(fn)
        return found

    signature.memoized = True
    utils.signature = signature
