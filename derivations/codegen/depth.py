"""Generate numeric/generated/depth.py from the depth chain's closed form (R19).

The closed form dŷ/dw_k = h_{k−1} σ'(w_k h_{k−1}) Π_{j=k+1}^{L} w_j σ'(w_j h_{j−1}) has a symbolic
depth L, so the generated code is a loop, its size independent of L: a forward pass storing h_{k−1}
and σ'(u_k), then a reverse cumulative product of the layer factors w_j σ'(u_j).  The per-layer
expressions are taken from the derivation's result and printed through the same stable lowering and
printer as the other generated modules.
"""
from __future__ import annotations

import sympy as sp

from ..functions import sigmoid, sigmoid_prime
from .block import Block
from .stable import lower
from .write import HEADER, CodegenError

DERIVATION = "depth-chain"


def _parts(d):
    """Check the result has the shape the template implements; return (layer factor, first factor)."""
    from ..library import depth

    grad = d.results.get("grad")
    if grad is None:
        raise CodegenError(f"{d.name}: no result 'grad'")
    products = [a for a in sp.Mul.make_args(grad) if isinstance(a, sp.Product)]
    if len(products) != 1:
        raise CodegenError(f"{d.name}: expected one product over the layers in {grad}")
    prod = products[0]
    (var, lo, hi), = prod.limits
    if lo != depth.k + 1 or not (hi.is_Symbol and hi.is_integer):
        raise CodegenError(f"{d.name}: expected a product over j = k+1..L, got {prod.limits}")
    first = sp.Mul(*[a for a in sp.Mul.make_args(grad) if a is not prod])
    h_prev = depth.below(depth.k - 1, depth.x)
    if sp.expand(first - h_prev * sigmoid_prime(depth.t * h_prev)) != 0:
        raise CodegenError(f"{d.name}: first factor {first} is not h_(k-1) σ'(w_k h_(k-1))")
    if prod.function != depth.layer_factor(var):
        raise CodegenError(f"{d.name}: layer factor {prod.function} is not w_j σ'(w_j h_(j-1))")
    if d.results["forward"] != depth.chain(hi, depth.k, depth.t, depth.x):
        raise CodegenError(f"{d.name}: forward result is not h_L")
    return prod.function, first


def depth_t():
    from ..library import depth
    return depth.t


def _layer_code(indent):
    """Stable σ(u) and σ'(u) of one pre-activation u, sharing exp(−|u|) through CSE."""
    u = sp.Symbol("u", real=True)
    block = Block([lower(sigmoid(u)), lower(sigmoid_prime(u))])
    lines_h, h = block.code_of(0)
    lines_s, s = block.code_of(1)
    return [indent + line for line in lines_h + lines_s], h, s


def render_depth_module(get=None) -> str:
    """The text of numeric/generated/depth.py (deterministic; independent of the depth L)."""
    from .. import registry

    get = get or registry.get
    d = get(DERIVATION)
    factor, first = _parts(d)
    layer_lines, h_code, s_code = _layer_code("        ")
    formula = sp.latex(d.results["grad"], symbol_names={depth_t(): "w_k"})
    out = HEADER
    out += '"""The depth chain (R19): forward pass and gradient of a scalar sigmoid chain of any depth, ' \
           'generated from verified derivations."""\n'
    out += "import numpy as np\n\n"
    out += "__all__ = ['chain_forward', 'chain_grad']\n"
    out += f"DERIVED_FROM = {{'chain_forward': {DERIVATION!r}, 'chain_grad': {DERIVATION!r}}}\n"
    out += f'''

def chain_forward(x, w):
    r"""The chain's output: yhat = sigma(w[L-1] sigma(... sigma(w[0] x))).

    Formula: $h_0 = x$, $h_j = \\sigma(w_j h_{{j-1}})$, $\\hat y = h_L$.
    x: scalar or array of inputs; w: (L,) weights, w[0] the first layer's.
    Derived in: '{d.name}' ({d.source}); check with `deepderive verify {d.name}`.
    """
    h = x
    for j in range(len(w)):
        u = w[j] * h
{chr(10).join(layer_lines)}
        h = {h_code}
    return h


def chain_grad(x, w):
    r"""dyhat/dw_k for every layer k, shape (L,), for a scalar x: O(L) time, code size independent of L.

    Formula: $\\frac{{\\partial \\hat y}}{{\\partial w_k}} = {formula}$
    Forward pass storing h_(k-1) and sigma'(u_k); then a reverse cumulative product of w_j sigma'(u_j).
    Derived in: '{d.name}' ({d.source}); check with `deepderive verify {d.name}`.
    """
    w = np.asarray(w, dtype=np.float64)
    h = x
    hs = []
    ds = []
    for j in range(w.shape[0]):
        u = w[j] * h
{chr(10).join(layer_lines)}
        hs.append(h)
        ds.append({s_code})
        h = {h_code}
    tail = 1.0
    grads = []
    for j in range(w.shape[0] - 1, -1, -1):
        grads.append(hs[j] * ds[j] * tail)
        tail = tail * (w[j] * ds[j])
    return np.array(grads[::-1], dtype=np.float64)
'''
    return out


def write_depth_module(out_dir=None):
    """Write numeric/generated/depth.py (what generate_all should call); returns (path, was fresh)."""
    import pathlib

    from .write import atomic_write, generated_dir

    path = pathlib.Path(out_dir or generated_dir()) / "depth.py"
    text = render_depth_module()
    fresh = path.exists() and path.read_text(encoding="utf-8") == text
    if not fresh:
        atomic_write(path, text)
    return str(path), fresh
