"""deepderive's numeric side: generated code, gradient checks, optimisers, data checks and reports.

Attributes load lazily, so that ``import numeric.generated.logistic`` costs NumPy alone.
"""
import importlib

_LAZY = {
    "check_gradient": "numeric.gradcheck",
    "check_kink": "numeric.gradcheck",
    "GradientCheck": "numeric.gradcheck",
    "gradient_descent": "numeric.optim",
    "sgd": "numeric.optim",
    "under_autograd": "numeric.autodiff",
    "CheckResult": "numeric.checks.result",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'numeric' has no attribute {name!r}")
