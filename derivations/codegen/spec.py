"""What to generate: one entry per NumPy function, naming the derivation result it computes."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Output:
    """One computed value: a derivation result, reduced over the samples or not."""

    name: str
    result: str                 # key in Derivation.results
    reduce: str | None = None   # "mean" over the rows of the design matrix, or None (per sample)


@dataclass(frozen=True)
class Spec:
    module: str                 # numeric.generated.<module>
    name: str
    derivation: str
    args: tuple                 # Python parameter names, in order
    bind: tuple                 # ((sympy symbol name, python name), ...)
    outputs: tuple              # Output, ...
    summary: str
    rows: tuple = ()            # ((per-sample vector symbol name, design matrix arg), ...)
    lets: tuple = ()            # ((python name, derivation, result key), ...) computed first
    returns: str | None = None  # Python expression of the outputs; default: the outputs in order
    doc_extra: str = ""


_SPECS: list[Spec] = []
MODULE_DOCS: dict[str, str] = {}


def describe(module: str, text: str):
    """The one-line docstring of a generated module."""
    MODULE_DOCS[module] = text


def emit(spec: Spec) -> Spec:
    """Register a generated function (library modules call this next to their derivations)."""
    if any(s.module == spec.module and s.name == spec.name for s in _SPECS):
        raise ValueError(f"{spec.module}.{spec.name} is emitted twice")
    _SPECS.append(spec)
    return spec


def specs() -> list[Spec]:
    from .. import registry
    registry.names()  # importing the library registers its emits
    return list(_SPECS)


_CUSTOM: dict = {}


def custom_module(module: str, render):
    """Register a module whose text a renderer of its own writes (e.g. loops over a depth L)."""
    _CUSTOM[module] = render


def custom_modules() -> dict:
    specs()
    return dict(_CUSTOM)
