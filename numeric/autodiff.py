"""Run generated NumPy code under autograd.numpy, unchanged, so autograd can differentiate it."""
from __future__ import annotations

import types


def under_autograd(module):
    """A copy of `module`'s namespace whose functions see ``np`` as ``autograd.numpy``.

    Generated modules refer to NumPy only through the global name ``np``; rebinding that global in
    fresh function objects runs the very same source under autograd (no source is re-executed).
    """
    import autograd.numpy as anp

    ns = dict(vars(module))
    ns["np"] = anp
    package = module.__name__.rpartition(".")[0]
    for name, value in list(ns.items()):   # its own functions and those it imports from its package (the routes)
        if isinstance(value, types.FunctionType) and value.__module__.rpartition(".")[0] == package:
            ns[name] = types.FunctionType(value.__code__, ns, value.__name__, value.__defaults__, value.__closure__)
    return types.SimpleNamespace(**{k: v for k, v in ns.items() if not k.startswith("__")})
