"""What to generate: one entry per NumPy function (or per layer-chain module), naming the derivation results it computes."""
from __future__ import annotations

from dataclasses import dataclass


class CodegenError(Exception):
    """A closed form the generator cannot turn into NumPy code."""


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
    labels: tuple = ()          # ((python arg, allowed values), ...): one label per row; the values must be the
                                # derivation's finite domain of the symbol bound to the arg (checked by codegen)
    bounds: tuple = ()          # ((python arg, low, high), ...): the scalar arg must lie in the open interval


@dataclass(frozen=True)
class Chain:
    """A whole module for a scalar chain h_0 = x, h_j = f(w_j h_{j−1}) of any depth L: its output and gradient.

    The derivation's results name the closed forms (`forward` = h_L, `grad` = ∂h_L/∂w_k as h_{k−1} f'(w_k h_{k−1})
    times a product over the layers j = k+1..L); the fields below name the symbols those forms are written in.
    """

    module: str
    derivation: str
    activation: object          # SymPy function f of one layer
    derivative: object          # SymPy function f' (its stable form must be known to stable.LOWERINGS)
    x: object                   # the input symbol h_0
    weights: object             # the IndexedBase w: layer j's weight is w[j]
    weight: object              # the symbol standing for w_k, the weight differentiated by
    forward: str = "forward"
    grad: str = "grad"


@dataclass(frozen=True)
class Network:
    """A whole module for a network of layers h_k = f(W_kᵀh_{k−1} + b_k): its forward pass, loss and gradient.

    The template's backward recursion is the layer-level results of `derivation` (``forward``, ``loss_out``,
    ``delta_out``, ``delta``, ``grad_W``, ``grad_b``, ``penalty_grad``, proved with f = σ); `closed_forms`
    names a derivation whose closed forms the generated gradient must also equal (R17's guiding example).
    """

    module: str
    derivation: str
    template: str               # "mlp": any depth, biases, squared penalty; "guiding": R17, two layers, norms
    activations: tuple          # ((name, f, f'), ...) for the hidden layers; f' needs a stable form
    closed_forms: str | None = None


@dataclass(frozen=True)
class Kernel:
    """A whole module for an infinite-width kernel K(x, x') = (covariance result)(C = E[h(x)h(x')]) over all pairs of
    rows of X1, X2, one generated function per activation and a dispatcher on the activation's name.

    Each activation names the derivation result giving E[h(x)h(x')] and the feature rows its symbols are computed
    from (codegen/kernel.py: "angle", rows (σ_a, σ_u x); "erf", rows (1, √2σ_a, √2σ_u x)).
    """

    module: str
    derivation: str
    covariance: str             # result σ_b² + ω_v² C, in the symbol C
    activations: tuple          # ((name, result key, feature rows, refuse zero rows), ...)


_SPECS: list = []
MODULE_DOCS: dict[str, str] = {}


def describe(module: str, text: str):
    """The one-line docstring of a generated module."""
    MODULE_DOCS[module] = text


def emit(spec):
    """Register a generated function (Spec) or module (Chain, Network, Kernel); library modules call this next to their
    derivations."""
    if not isinstance(spec, (Spec, Chain, Network, Kernel)):
        raise TypeError(f"emit expects a Spec, a Chain, a Network or a Kernel, got {type(spec).__name__}")
    name = getattr(spec, "name", None)
    if any(s.module == spec.module and getattr(s, "name", None) == name for s in _SPECS):
        raise ValueError(f"{spec.module}.{name or '<module>'} is emitted twice")
    _SPECS.append(spec)
    return spec


def specs() -> list:
    """Every emitted Spec, Chain and Network, after the registry has imported the library (which emits them)."""
    from .. import registry
    registry.names()
    return list(_SPECS)
