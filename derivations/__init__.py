"""deepderive's symbolic side: derivations as chains of proved steps, and their closed forms."""
from .core import Derivation, Proof, Step, StepResult
from .functions import sigmoid, sigmoid_prime, softplus
from .matrices import Grad, Jacobian, hessian, scalar
from .prove import CHECKED, FAILED, PROVED
from .registry import UnknownDerivation, get, load_file, names, register

__all__ = ["Derivation", "Proof", "Step", "StepResult", "sigmoid", "sigmoid_prime", "softplus",
           "Grad", "Jacobian", "hessian", "scalar", "PROVED", "CHECKED", "FAILED",
           "UnknownDerivation", "get", "load_file", "names", "register"]
