"""Numeric checks, registered per derivation: each returns a list of CheckResult."""
from __future__ import annotations

import importlib
from typing import Callable

from .result import CheckResult

_CHECKS: dict[str, list[Callable[[], list[CheckResult]]]] = {}
# Modules that register checks; importing them fills the table.
_MODULES = ("numeric.checks.activations", "numeric.checks.lda", "numeric.checks.logistic")
_loaded = False


def register(derivation: str):
    """Decorator: register a zero-argument function returning CheckResults for `derivation`."""
    def deco(fn):
        _CHECKS.setdefault(derivation, []).append(fn)
        return fn
    return deco


def _load():
    global _loaded
    if not _loaded:
        for mod in _MODULES:
            importlib.import_module(mod)
        _loaded = True


def for_derivation(name: str) -> list[Callable[[], list[CheckResult]]]:
    _load()
    return list(_CHECKS.get(name, ()))


def run(name: str) -> list[CheckResult]:
    """Run every check registered for derivation `name`."""
    return [r for fn in for_derivation(name) for r in fn()]


__all__ = ["CheckResult", "register", "run", "for_derivation"]
