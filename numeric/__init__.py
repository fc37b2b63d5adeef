"""deepderive's numeric runtime: generated code, gradient checks, optimisers and data checks.

The names below load on first use (PEP 562), so ``import numeric.generated.logistic`` costs NumPy
alone: the gradient checker, the Clarke test and the optimisers are not imported by generated code.
"""
from importlib import import_module

# name -> the module that defines it
_EXPORTS = {
    "under_autograd": ".autodiff",
    "CheckResult": ".checks.result",
    "KinkCheck": ".clarke", "check_kink": ".clarke",
    "GradientCheck": ".gradcheck", "check_gradient": ".gradcheck",
    "gradient_descent": ".optim", "sgd": ".optim",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'numeric' has no attribute {name!r}")
    value = globals()[name] = getattr(import_module(module, __name__), name)
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
