"""Numeric checks, registered per library derivation: each returns a list of CheckResult."""
from __future__ import annotations

import importlib
import math
import pkgutil
from typing import Callable

from .result import CheckResult

_CHECKS: dict[str, list[Callable[[], list[CheckResult]]]] = {}
_loaded = False


def register(derivation: str):
    """Decorator: register a zero-argument function returning CheckResults for the library derivation
    called `derivation`. An unknown name is an error here, at import, not a silent "no checks" later."""
    from derivations.registry import UnknownDerivation, known

    try:
        known(derivation)
    except UnknownDerivation as exc:
        raise UnknownDerivation(f"checks registered for an {exc}") from None

    def deco(fn):
        _CHECKS.setdefault(derivation, []).append(fn)
        return fn
    return deco


def _load():
    """Import every module of this package (found, not listed): each registers its checks."""
    global _loaded
    if not _loaded:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True


def _key(derivation) -> str | None:
    """The registered name whose checks apply to `derivation` (a name or a Derivation), or None.

    A Derivation gets the checks only if it IS the library's object: a user's file may define its own
    "sigmoid", and the library's checks say nothing about it."""
    from derivations.registry import is_registered, names

    if isinstance(derivation, str):
        return derivation if derivation in names() else None
    return derivation.name if is_registered(derivation) else None


def for_derivation(derivation) -> list[Callable[[], list[CheckResult]]]:
    """The checks of a registered derivation (by name or library object); none for anything else."""
    key = _key(derivation)
    if key is None:
        return []
    _load()
    return list(_CHECKS.get(key, ()))


def run(derivation, *, catch: bool = False) -> list[CheckResult]:
    """Run every check registered for `derivation` (a registered name, or a Derivation object).

    With catch, a check that raises becomes a failed CheckResult naming the exception, so one broken
    check cannot hide the others' verdicts."""
    out = []
    for fn in for_derivation(derivation):
        try:
            out += fn()
        except Exception as exc:
            if not catch:
                raise
            out.append(_raised(derivation, fn, exc))
    return out


def _raised(derivation, fn, exc) -> CheckResult:
    nan = math.nan
    name = derivation if isinstance(derivation, str) else derivation.name
    return CheckResult(name, getattr(fn, "__name__", "check"), "the check raised", "--", nan, nan, nan, False,
                       f"{type(exc).__name__}: {exc}")


__all__ = ["CheckResult", "register", "run", "for_derivation"]
