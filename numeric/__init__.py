"""deepderive's numeric runtime: generated code, gradient checks, optimisers and data checks.

Every module imported here imports only NumPy and the standard library at the top (SciPy, autograd
and SymPy load inside the functions that need them), so ``import numeric.generated.logistic`` costs
NumPy alone.
"""
from .autodiff import under_autograd
from .checks.result import CheckResult
from .clarke import KinkCheck, check_kink
from .gradcheck import GradientCheck, check_gradient
from .optim import gradient_descent, sgd

__all__ = ["CheckResult", "GradientCheck", "KinkCheck", "check_gradient", "check_kink", "gradient_descent", "sgd",
           "under_autograd"]
