"""The table of named derivations; library modules add entries, the engine never names them."""
from __future__ import annotations

import importlib
import importlib.util
import pathlib
import pkgutil
import sys
from typing import Callable

from .core import Derivation

_FACTORIES: dict[str, Callable[[], Derivation]] = {}
_BUILT: dict[str, Derivation] = {}
_loaded = False


class UnknownDerivation(KeyError):
    def __str__(self):
        return self.args[0]


def register(name: str):
    """Decorator: register a zero-argument factory returning the Derivation called `name`."""
    def deco(factory):
        if name in _FACTORIES:
            raise ValueError(f"derivation {name!r} is registered twice")
        _FACTORIES[name] = factory
        return factory
    return deco


def _load_library():
    """Import every module of derivations.library (found, not listed): each registers its derivations."""
    global _loaded
    if _loaded:
        return
    from . import library

    for info in pkgutil.iter_modules(library.__path__):     # sorted by module name
        if not info.name.startswith("_"):
            importlib.import_module(f"{library.__name__}.{info.name}")
    _loaded = True


def names() -> list[str]:
    _load_library()
    return list(_FACTORIES)


def known(name: str) -> str:
    """`name` if it is a registered derivation; UnknownDerivation naming the known ones otherwise."""
    _load_library()
    if not isinstance(name, str) or name not in _FACTORIES:
        raise UnknownDerivation(f"unknown derivation {name!r}; known: {', '.join(_FACTORIES)}")
    return name


def is_registered(d) -> bool:
    """True iff `d` is the library's own Derivation object, not a user's derivation of the same name."""
    return isinstance(d, Derivation) and _BUILT.get(d.name) is d


def get(name: str) -> Derivation:
    known(name)
    if name not in _BUILT:
        d = _FACTORIES[name]()
        if d.name != name:
            raise ValueError(f"factory for {name!r} built {d.name!r}")
        _BUILT[name] = d
    return _BUILT[name]


def load_file(path) -> list[Derivation]:
    """Run a user's Python file (their own code) and return the Derivations it defines at top level."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such derivations file: {path}")
    spec = importlib.util.spec_from_file_location(f"_deepderive_user_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found = [v for v in vars(module).values() if isinstance(v, Derivation)]
    if not found:
        raise ValueError(f"{path} defines no Derivation at top level")
    return found
