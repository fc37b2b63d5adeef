"""A layer chain's module from its closed form: h_j = f(w_j h_{j−1}) of symbolic depth L, forward pass and gradient.

The closed form dŷ/dw_k = h_{k−1} f'(w_k h_{k−1}) Π_{j=k+1}^{L} w_j f'(w_j h_{j−1}) has a symbolic depth L,
so the generated code is a loop, its size independent of L: a forward pass storing h_{k−1} and
f'(u_k), then a reverse cumulative product of the layer factors w_j f'(u_j).  Before writing it, the
derivation's results are compared with the chain the template computes, written out for small depths;
the per-layer expressions go through the same stable lowering and printer as the other generated modules.
"""
from __future__ import annotations

import itertools

import sympy as sp

from .block import Block
from .spec import Chain, CodegenError
from .stable import lower

_DEPTHS = range(1, 4)   # values of each integer symbol at which the results are compared with the template


def _layers(grad, d):
    """The product over the layers in `grad`: (index, first layer, last layer)."""
    products = [a for a in sp.Mul.make_args(grad) if isinstance(a, sp.Product)]
    if len(products) != 1 or len(products[0].limits) != 1:
        raise CodegenError(f"{d.name}: expected one product over the layers in {grad}")
    (var, lo, hi), = products[0].limits
    if not hi.is_integer:
        raise CodegenError(f"{d.name}: the product's last layer {hi} is not an integer")
    return var, lo, hi


def _explicit(chain: Chain, depth: int, k: int):
    """h_depth of the chain written out, layer k's weight the symbol chain.weight and the others w[j]."""
    h = chain.x
    for j in range(1, depth + 1):
        h = chain.activation((chain.weight if j == k else chain.weights[j]) * h)
    return h


def check_shape(chain: Chain, d):
    """CodegenError unless the derivation's results are the chain the template computes.

    Every integer symbol of the results (the layer k, the depth) is set to each of a few small values;
    then the forward result must be the written-out chain and the gradient result, its product expanded,
    the derivative of that chain by w_k.
    """
    for key in (chain.forward, chain.grad):
        if key not in d.results:
            raise CodegenError(f"{d.name}: no result {key!r}")
    forward, grad = d.results[chain.forward], d.results[chain.grad]
    var, lo, hi = _layers(grad, d)
    ints = sorted((s for s in (forward.free_symbols | grad.free_symbols) if s.is_Symbol and s.is_integer),
                  key=sp.default_sort_key)
    seen = 0
    for values in itertools.product(_DEPTHS, repeat=len(ints)):
        at = {s: sp.Integer(v) for s, v in zip(ints, values)}
        k, depth = lo.xreplace(at) - 1, hi.xreplace(at)
        if not (k.is_Integer and depth.is_Integer) or not 1 <= k <= depth:
            continue
        seen += 1
        want = _explicit(chain, int(depth), int(k))
        if forward.xreplace(at) != want:
            raise CodegenError(f"{d.name}: result {chain.forward!r} at {at} is not the chain {want}")
        got = grad.xreplace(at).doit()
        if sp.expand(got - sp.diff(want, chain.weight)) != 0:
            raise CodegenError(f"{d.name}: result {chain.grad!r} at {at} is not the chain's derivative by "
                               f"{chain.weight}")
    if not seen:
        raise CodegenError(f"{d.name}: no layer k and depth L >= k among the values {list(_DEPTHS)} of {ints}")


def _layer_code(chain: Chain, indent, ns="np"):
    """Stable f(u) and f'(u) of one pre-activation u, sharing common parts (e.g. exp(−|u|)) through CSE; in math for
    ns="math" (one Python float)."""
    u = sp.Symbol("u", real=True)
    block = Block([lower(chain.activation(u)), lower(chain.derivative(u))], ns=ns)
    lines_h, h = block.code_of(0)
    lines_s, s = block.code_of(1)
    return [indent + line for line in lines_h + lines_s], h, s


# A Python float x through the chain in math floats (measured at L = 8, 64, 1024: 0.4-1.1x a plain Python loop over
# math floats, 12-30x faster than the NumPy route on a 0-d array). Off, the module is NumPy alone.
FLOAT_ROUTE = True


def _float_route(text: str) -> str:
    """The module text without its Python float routes (FLOAT_ROUTE off)."""
    text = text.replace("import math\n\n", "")
    for start, end in (("    if type(x) is float and", "    h = x\n    for j in range(len(w)):"),
                       ("    if type(x) is float and", "    w = np.asarray(w, dtype=np.float64)\n")):
        i = text.index(start)
        text = text[:i] + text[text.index(end, i):]
    text = text[:text.index("\n\ndef _chain_grad_float(")].rstrip("\n") + "\n"
    return "\n".join(line for line in text.split("\n") if not line.startswith("    A Python float x "))


def render_chain_module(chain: Chain, d, doc: str) -> str:
    """The text (after the header) of the module `chain` describes, from derivation `d` (deterministic)."""
    text = _render_chain_module(chain, d, doc)
    return text if FLOAT_ROUTE else _float_route(text)


def _render_chain_module(chain: Chain, d, doc: str) -> str:
    check_shape(chain, d)
    layer_lines, h_code, s_code = _layer_code(chain, "        ")
    float_lines, fh_code, fs_code = _layer_code(chain, "            ", ns="math")
    formula = sp.latex(d.results[chain.grad], symbol_names=d.names)
    out = f'"""{doc}, generated from verified derivations."""\n'
    out += "import math\n\nimport numpy as np\n\n"
    out += "__all__ = ['chain_forward', 'chain_grad']\n"
    out += f"DERIVED_FROM = {{'chain_forward': {d.name!r}, 'chain_grad': {d.name!r}}}\n"
    out += f'''

def chain_forward(x, w):
    r"""The chain's output ŷ after its L sigmoid layers.

    Formula: $h_0 = x$, $h_j = \\sigma(w_j h_{{j-1}})$, $\\hat y = h_L$.
    x: scalar or array of inputs; w: (L,) weights, w[0] the first layer's.
    A Python float x gives a Python float, each layer in math (a NumPy call per layer costs more than its arithmetic).
    Derived in: '{d.name}' ({d.source}); check with `deepderive verify {d.name}`.
    """
    if type(x) is float and isinstance(w, (list, tuple, np.ndarray)):  # not autograd's boxes
        h = x
        for wj in np.asarray(w, dtype=np.float64).tolist():
            u = wj * h
{chr(10).join(float_lines)}
            h = {fh_code}
        return h
    h = x
    for j in range(len(w)):
        u = w[j] * h
{chr(10).join(layer_lines)}
        h = {h_code}
    return h


def chain_grad(x, w):
    r"""The gradient ∂ŷ/∂wₖ for every layer k and input: a forward and a backward pass of L steps each.

    Formula: $\\frac{{\\partial \\hat y}}{{\\partial w_k}} = {formula}$
    Forward pass storing h_(k-1) and sigma'(u_k); then a reverse cumulative product of w_j sigma'(u_j).
    x: scalar or array of inputs, each its own chain; w: (L,) weights, w[0] the first layer's.
    Returns shape np.shape(x) + (L,), so (L,) for a scalar x.
    A Python float x takes the same steps in math floats, one NumPy call in all (the result array).
    Derived in: '{d.name}' ({d.source}); check with `deepderive verify {d.name}`.
    """
    if type(x) is float and isinstance(w, (list, tuple, np.ndarray)):  # not autograd's boxes
        return _chain_grad_float(x, np.asarray(w, dtype=np.float64).tolist())
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    h = x
    hs = []
    ds = []
    for j in range(w.shape[0]):
        u = w[j] * h
{chr(10).join(layer_lines)}
        hs.append(h)
        ds.append({s_code})
        h = {h_code}
    if w.shape[0] and np.isinf(x).any():
        # x sigma'(w_1 x) at x = +-inf would be inf * 0 where sigma' underflowed; its limit is 0, as for finite x
        hs[0] = np.where(ds[0] == 0.0, 0.0, x)
    grads = np.empty(x.shape + w.shape)
    tail = 1.0
    for j in range(w.shape[0] - 1, -1, -1):
        grads[..., j] = hs[j] * ds[j] * tail
        tail = tail * (w[j] * ds[j])
    return grads


def _chain_grad_float(x, w):
    """chain_grad of one Python float x and the weights as a list of floats, in math: the same steps, no NumPy call
    but the array returned."""
    h = x
    hs = []
    ds = []
    for wj in w:
        u = wj * h
{chr(10).join(line[4:] for line in float_lines)}
        hs.append(h)
        ds.append({fs_code})
        h = {fh_code}
    if w and math.isinf(x):
        hs[0] = 0.0 if ds[0] == 0.0 else x      # as chain_grad: the limit 0 of x sigma'(w_1 x), not inf * 0
    grads = [0.0] * len(w)
    tail = 1.0
    for j in range(len(w) - 1, -1, -1):
        grads[j] = hs[j] * ds[j] * tail
        tail = tail * (w[j] * ds[j])
    return np.array(grads)
'''
    return out
