"""A network's module from its layer-level backprop results: forward pass, loss and gradient for any depth.

A backprop derivation proves, for one layer k of a network of any depth and with f = σ, the results

* ``forward``  h_k = f(W_kᵀh_{k−1} + b_k);            * ``loss_out``  softplus((1 − 2y)s) of the output logit s;
* ``delta_out``  δ_L = ∂loss/∂s = σ(s) − y;            * ``delta``  δ_k = (W_{k+1}δ_{k+1}) ⊙ f'(z_k);
* ``grad_W``  ∂ℓ/∂W_k = h_{k−1}δ_kᵀ;  ``grad_b``  ∂ℓ/∂b_k = δ_k;  ``penalty_grad``  ∇ λ‖W_k‖²_F = 2λW_k.

The generated code runs that recursion over all rows of X at once (Z_k = H_{k−1}W_k + b_k, and
Δ_k = (Δ_{k+1}W_{k+1}ᵀ) ⊙ f'(Z_k)), its loop independent of the depth, with one forward pass that stores
h_{k−1} and f'(z_k) for the backward pass. f and f' of each activation are its stable lowerings (proved in
'stable-forms') through the project's printer. Before writing, ``check_shape`` confirms that

1. the results are the formulas the template's code spells (``_template``), at explicit sizes;
2. each f' is SymPy's derivative of its f, and the output δ is the derivative of the output loss;
3. the recursion built from the results, with every MatrixSymbol an explicit matrix of symbols, is SymPy's
   derivative of the written-out network loss, entry by entry, at depths 1–3 and small non-square widths,
   for every activation — and, for R17's guiding example, also its derivation's closed forms.
"""
from __future__ import annotations

import sympy as sp

from ..entrywise import Map
from ..functions import sigmoid, sigmoid_prime, softplus, unfold, where
from ..matrices import to_explicit
from ..prove import scalar_zero
from .block import Block
from .guards import empty_check, label_check, label_helper
from .spec import CodegenError, Network
from .stable import array_lowerings, lower

# q_0 … q_L of the networks compared at depths L = 1, 2, 3: non-square layers, so a missing transpose shows.
_WIDTHS = ((2, 1), (2, 3, 1), (2, 3, 2, 1))
_GUIDING = (2, 3, 1)          # R17: x ∈ R^p, W_1 ∈ R^{p×q}, W_2 ∈ R^q
_KEYS = ("forward", "loss_out", "delta_out", "delta", "grad_W", "grad_b", "penalty_grad")
_NAMES = {"W": "W", "V": "V", "h": "h", "b": "b", "z": "z", "d": "d", "delta": "delta",
          "s": "s", "y": "y", "lam": "lambda"}
_GUIDING_KEYS = ("loss", "grad_W1", "grad_W2")
_GUIDING_NAMES = {"W1": "W_1", "W2": "W_2", "x": "x", "y": "y", "lam": "lambda"}


# ---- the derivation's symbols and the template's formulas ---------------------------------------------

def _symbols(d, keys, names):
    """The symbols the results are written in, found by name: {role: symbol}; CodegenError naming what is missing."""
    missing = [k for k in keys if k not in d.results]
    if missing:
        raise CodegenError(f"{d.name}: no result {', '.join(map(repr, missing))}")
    found = {}
    for key in keys:
        for a in sp.preorder_traversal(d.results[key]):
            if isinstance(a, (sp.MatrixSymbol, sp.Symbol)):
                found.setdefault(a.name, a)
    absent = [n for n in names.values() if n not in found]
    if absent:
        raise CodegenError(f"{d.name}: the results use no symbol named {', '.join(map(repr, absent))}")
    return {role: found[n] for role, n in names.items()}


def _template(S, f, fp):
    """What the generated code computes for each result, per sample (column vectors), with activation f."""
    m = (1 - 2 * S["y"]) * S["s"]
    return {
        "forward": Map(f, S["W"].T * S["h"] + S["b"]),          # z = h @ W + b; h = f(z)
        "loss_out": softplus(m),                                 # softplus of m = (1 - 2y) s
        "delta_out": (1 - 2 * S["y"]) * sigmoid(m),              # (1 - 2y) sigma(m), stable where sigma(s) - y cancels
        "delta": sp.HadamardProduct(S["V"] * S["d"], Map(fp, S["z"])),   # (delta @ V.T) * f'(z)
        "grad_W": S["h"] * S["delta"].T,                         # h.T @ delta
        "grad_b": S["delta"],                                    # delta summed over the rows
        "penalty_grad": 2 * S["lam"] * S["W"],                   # 2 lam W
    }


def _normal(e):
    """σ' = σ(1 − σ) (proved in 'sigmoid') and σ(−a) = 1 − σ(a): one spelling of the sigmoid's atoms."""
    e = e.replace(sigmoid_prime, lambda a: sigmoid(a) * (1 - sigmoid(a)))
    return e.replace(lambda n: isinstance(n, sigmoid) and n.args[0].could_extract_minus_sign(),
                     lambda n: 1 - sigmoid(-n.args[0]))


def _entries(m):
    return list(m) if isinstance(m, sp.MatrixBase) else [m]


def _same(a, b) -> bool:
    """Equal entry by entry: expanded in the atoms f(·), f'(·) (cheap), else unfolded by the prover's simplifiers."""
    ea, eb = _entries(a), _entries(b)
    if len(ea) != len(eb):
        return False
    for u, v in zip(ea, eb):
        diff = _normal(u - v)
        if sp.expand(diff) != 0 and not scalar_zero(unfold(diff), split=False)[0]:
            return False
    return True


def _cases(d, y):
    """The substitutions covering y's finite domain ({y: 0}, {y: 1}); CodegenError without one."""
    dom = d.domains.get(y)
    if not isinstance(dom, frozenset):
        raise CodegenError(f"{d.name}: {y} needs a finite domain such as {{0, 1}} (the loss is one softplus there)")
    return [{y: sp.sympify(v)} for v in sorted(dom, key=float)]


def _explicit(expr, table):
    """expr with each MatrixSymbol of `table` an explicit matrix, its dimension symbols at those sizes."""
    sizes = {}
    for ms, mat in table.items():
        for dim, n in zip(ms.shape, mat.shape):
            if isinstance(dim, sp.Symbol):
                if sizes.get(dim, n) != n:
                    raise CodegenError(f"dimension {dim} would be both {sizes[dim]} and {n}")
                sizes[dim] = n
    out = to_explicit(expr, table, sizes)
    return out.xreplace({k: sp.Integer(v) for k, v in sizes.items()}) if isinstance(out, sp.Basic) else out


def _matrix(name, rows, cols):
    return sp.ImmutableMatrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}" if cols > 1 else f"{name}_{i}",
                                                                 real=True))


# ---- the shape check ----------------------------------------------------------------------------------

def _check_template(d, S, cases):
    """Each result equals the formula the template spells (with σ, as proved), at explicit sizes and each y."""
    p, q, r = 2, 3, 2
    table = {S["W"]: _matrix("w", p, q), S["V"]: _matrix("v", q, r), S["h"]: _matrix("h", p, 1),
             S["b"]: _matrix("b", q, 1), S["z"]: _matrix("z", q, 1), S["d"]: _matrix("d", r, 1),
             S["delta"]: _matrix("delta", q, 1)}
    want = _template(S, sigmoid, sigmoid_prime)
    for key in _KEYS:
        table_k = {m: v for m, v in table.items() if d.results[key].has(m) or want[key].has(m)}
        got, spelled = _explicit(d.results[key], table_k), _explicit(want[key], table_k)
        if not all(_same(got.xreplace(c), spelled.xreplace(c)) for c in cases):
            raise CodegenError(f"{d.name}: result {key!r} = {d.results[key]} is not what the template computes, "
                               f"{want[key]}")


def _derivative(f):
    """f' as SymPy differentiates f, as a function of one argument."""
    u = sp.Dummy("u", real=True)
    return sp.Lambda(u, sp.diff(f(u), u))


def _check_derivatives(name, f, fp, S, d, cases):
    """f' is f's derivative, and δ_out is the derivative of the output loss (each y of the domain)."""
    u = sp.Dummy("u", real=True)
    ok, why = scalar_zero(unfold(fp(u) - _derivative(f)(u)))
    if not ok:
        raise CodegenError(f"activation {name!r}: {fp.__name__} is not the derivative of {f} ({why})")
    s = S["s"]
    for c in cases:
        diff = (d.results["delta_out"] - sp.diff(d.results["loss_out"], s)).xreplace(c)
        if not scalar_zero(unfold(diff))[0]:
            raise CodegenError(f"{d.name}: delta_out is not the derivative of loss_out by {s} at {c}")


def _recursion(d, S, f, fp, widths, penalty, biases=True):
    """The template's loss and gradient for explicit widths, built from the results: (loss, [(W_k, gW_k, b_k, gb_k)])."""
    D = _derivative(f)
    forward = d.results["forward"].replace(sigmoid, f)
    if not isinstance(forward, Map):
        raise CodegenError(f"{d.name}: result 'forward' is not an activation applied entrywise to an affine map")
    affine = forward.arg
    x = _matrix("x", widths[0], 1)
    L = len(widths) - 1
    Ws = [_matrix(f"W{k}", widths[k - 1], widths[k]) for k in range(1, L + 1)]
    bs = [_matrix(f"b{k}", widths[k], 1) if biases else sp.zeros(widths[k], 1) for k in range(1, L + 1)]
    hs, zs = [x], []
    for k in range(L):
        at = {S["W"]: Ws[k], S["h"]: hs[-1], S["b"]: sp.ImmutableMatrix(bs[k])}
        zs.append(_explicit(affine, at))
        if k < L - 1:
            hs.append(_explicit(forward, at))
    s = zs[-1][0, 0]
    tmpl = _template(S, f, fp)
    delta = sp.ImmutableMatrix([[tmpl["delta_out"].xreplace({S["s"]: s})]])
    loss = d.results["loss_out"].xreplace({S["s"]: s}) + penalty(Ws)[0]
    grads = []
    for k in range(L - 1, -1, -1):
        gW = _explicit(d.results["grad_W"], {S["h"]: hs[k], S["delta"]: delta}) + penalty(Ws)[1][k]
        gb = _explicit(d.results["grad_b"], {S["delta"]: delta})
        grads.append((Ws[k], gW, bs[k], gb))
        if k:
            prime = d.results["delta"].replace(sigmoid_prime, fp)
            delta = _explicit(prime, {S["V"]: Ws[k], S["d"]: delta, S["z"]: zs[k - 1]})
            delta = delta.replace(fp, lambda a: D(a))
    return loss, grads[::-1]


def _compare(name, loss, grads, biases=True):
    """Each entry of the recursion's gradient against SymPy's derivative of the written-out loss."""
    for k, (W, gW, b, gb) in enumerate(grads, 1):
        pairs = list(zip(W, gW)) + (list(zip(b, gb)) if biases else [])
        for sym, g in pairs:
            if sp.expand(_normal(g - sp.diff(loss, sym))) != 0:
                raise CodegenError(f"{name}: the recursion's derivative by {sym} (layer {k}) is not SymPy's "
                                   f"derivative of the written-out loss")


def check_shape(net: Network, d, closed=None):
    """CodegenError unless the template computes what `d`'s results (and `closed`'s closed forms) say."""
    S = _symbols(d, _KEYS, _NAMES)
    cases = _cases(d, S["y"])
    _check_template(d, S, cases)
    for name, f, fp in net.activations:
        _check_derivatives(name, f, fp, S, d, cases)
    if net.template == "mlp":
        def penalty(Ws):
            return (S["lam"] * sum(e ** 2 for W in Ws for e in W),
                    [_explicit(d.results["penalty_grad"], {S["W"]: W}) for W in Ws])
        for name, f, fp in net.activations:
            for widths in _WIDTHS:
                loss, grads = _recursion(d, S, f, fp, widths, penalty)
                _compare(f"{d.name} with {name} at widths {widths}", loss, grads)
    elif net.template == "guiding":
        _check_guiding(net, d, S, closed, cases)
    else:
        raise CodegenError(f"{net.module}: no network template {net.template!r}")


def _norm_penalty(S):
    """λ(‖W_1‖_F + ‖W_2‖₂) and its gradient λW/‖W‖ (the template's; R17's norms are not squared)."""
    def penalty(Ws):
        norms = [sp.sqrt(sum(e ** 2 for e in W)) for W in Ws]
        return S["lam"] * sum(norms), [S["lam"] * W / n for W, n in zip(Ws, norms)]
    return penalty


def _check_guiding(net, d, S, closed, cases):
    if closed is None:
        raise CodegenError(f"{net.module}: the guiding template needs the derivation of its closed forms")
    G = _symbols(closed, _GUIDING_KEYS, _GUIDING_NAMES)
    (name, f, fp), = net.activations
    loss, grads = _recursion(d, S, f, fp, _GUIDING, _norm_penalty(S), biases=False)
    _compare(f"{net.module} from {d.name}", loss, grads, biases=False)
    (W1, gW1, _, _), (W2, gW2, _, _) = grads
    table = {G["W1"]: W1, G["W2"]: W2, G["x"]: _matrix("x", _GUIDING[0], 1)}
    here = {G["y"]: S["y"], G["lam"]: S["lam"]}
    for key, mine in (("loss", loss), ("grad_W1", gW1), ("grad_W2", gW2)):
        theirs = _explicit(closed.results[key], table).xreplace(here)
        if not all(_same(sp.sympify(theirs).xreplace(c), sp.sympify(mine).xreplace(c)) for c in cases):
            raise CodegenError(f"{closed.name}: result {key!r} is not what the {net.module} template computes")


# ---- the module's text --------------------------------------------------------------------------------

def _as_mask(e):
    """where(c, 1, 0) as the comparison c itself: a boolean array, which multiplies by exactly 1 or 0, made in
    one NumPy call where np.where with scalar branches costs several times that per entry."""
    return e.replace(lambda n: isinstance(n, where) and n.args[1] == 1 and n.args[2] == 0, lambda n: n.args[0])


def _block_code(exprs, indent="    "):
    """Statements and the code of each expression, sharing common parts, in the array forms; max/min as
    np.maximum/np.minimum (finite at ±inf, one call each: nothing here is differentiated again, so autograd's
    tie rule for the kink-free spelling is moot)."""
    block = Block([_as_mask(lower(e, array_lowerings())) for e in exprs], kinks=False)
    lines, codes = [], []
    for k in range(len(exprs)):
        more, c = block.code_of(k)
        lines += more
        codes.append(c)
    return [indent + line for line in lines], codes


def _activation_functions(activations) -> str:
    """_<name>(z) -> f(z) and _<name>_and_prime(z) -> (f(z), f'(z)) for each hidden activation, and their tables."""
    z = sp.Symbol("z", real=True)
    out = ""
    for name, f, fp in activations:
        lines, (fz,) = _block_code([f(z)])
        out += f'\n\ndef _{name}(z):\n    """{name}(z), stable form."""\n'
        out += "".join(line + "\n" for line in lines) + f"    return {fz}\n"
        lines, (fz, dz) = _block_code([f(z), fp(z)])
        out += f'\n\ndef _{name}_and_prime(z):\n    """({name}(z), {name}\'(z)), sharing their common parts."""\n'
        out += "".join(line + "\n" for line in lines) + f"    return {fz}, {dz}\n"
    names = [a[0] for a in activations]
    out += "\n\n# Activation by name: one dict lookup per call.\n"
    out += "_F = {" + ", ".join(f"{n!r}: _{n}" for n in names) + "}\n"
    out += "_F_AND_PRIME = {" + ", ".join(f"{n!r}: _{n}_and_prime" for n in names) + "}\n"
    return out


def _guard_code(lines, indent="    ") -> str:
    """guards.py's input checks, indented into a function body (the same words as the Spec-generated functions')."""
    return "\n".join(indent + line for line in lines)


def _output_code(indent="    "):
    """The output layer: softplus(m) and sigma(m) of the margin m = (1 - 2y)s, sharing exp(-|m|)."""
    m = sp.Symbol("m", real=True)
    lines, (loss, sig) = _block_code([softplus(m), sigmoid(m)], indent)
    return lines, loss, sig


def _latex(d, key):
    return sp.latex(d.results[key], symbol_names=d.names)


def render_network_module(net: Network, get, doc: str) -> str:
    """The text (after the header) of the module `net` describes (deterministic)."""
    d = get(net.derivation)
    closed = get(net.closed_forms) if net.closed_forms else None
    check_shape(net, d, closed)
    render = {"mlp": _render_mlp, "guiding": _render_guiding}[net.template]
    return render(net, d, closed, doc)


def _formulas(d) -> str:
    rows = (("layer", "forward"), ("output loss", "loss_out"), ("output delta", "delta_out"),
            ("delta", "delta"), ("dl/dW_k", "grad_W"), ("dl/db_k", "grad_b"), ("penalty", "penalty_grad"))
    return "".join(f"      {label}: ${_latex(d, key)}$\n" for label, key in rows)


def _render_mlp(net, d, closed, doc) -> str:
    names = [a[0] for a in net.activations]
    out_lines, loss_code, sig_code = _output_code()
    fwd_lines, (prob_code,) = _block_code([sigmoid(sp.Symbol("s", real=True))])
    src = f"""{d.name!r} ({d.source})"""
    text = f'"""{doc}, generated from verified derivations."""\n'
    text += "import numpy as np\n\n"
    text += "__all__ = ['forward', 'value_and_grad', 'layers']\n"
    text += f"DERIVED_FROM = {{'forward': {d.name!r}, 'value_and_grad': {d.name!r}, 'layers': {d.name!r}}}\n"
    text += f"ACTIVATIONS = {tuple(names)!r}\n"
    text += _activation_functions(net.activations)
    text += "\n\n" + label_helper((0, 1))
    text += f'''

def _pick(table, activation):
    try:
        return table[activation]
    except (KeyError, TypeError):
        raise ValueError(f"activation must be one of {{', '.join(ACTIVATIONS)}}, got {{activation!r}}") from None


def _check(weights, biases, X):
    """ValueError unless X is (N, q_0), weights[k] is (q_k, q_(k+1)), biases[k] is (q_(k+1),) and q_L = 1."""
    q = X.shape[-1]
    ok = X.ndim == 2 and 0 < len(weights) == len(biases)
    for W, b in zip(weights, biases):
        ok = ok and b.ndim == 1 and W.shape == (q, b.shape[0])
        q = W.shape[-1]
    if not (ok and q == 1):
        raise ValueError(f"need X (N, q_0), weights[k] (q_k, q_(k+1)), biases[k] (q_(k+1),) and one output unit; "
                         f"got X {{X.shape}}, weights {{[W.shape for W in weights]}}, "
                         f"biases {{[b.shape for b in biases]}}")


def _forward_and_output(weights, biases, X, y, activation, mean):
    """(h_0 .. h_(L-1), f'(z_1) .. f'(z_(L-1)), each row's output loss (N, 1), the output delta (N, 1)): the checked
    inputs' forward pass, stored for the backward pass. The delta is d loss_n / d s, divided by N if mean."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    f = _pick(_F_AND_PRIME, activation)
    _check(weights, biases, X)
    n = X.shape[0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({{n}},), got {{y.shape}}")
{_guard_code(label_check("y", (0, 1)))}
    if mean and n == 0:
        raise ValueError("X has no rows: a mean over no samples is undefined")
    hs = [X]          # h_0 ... h_(L-1): the inputs of each layer
    primes = []       # f'(z_1) ... f'(z_(L-1))
    h = X
    for W, b in zip(weights[:-1], biases[:-1]):
        z = h @ W
        z += b
        h, prime = f(z)
        hs.append(h)
        primes.append(prime)
    s = h @ weights[-1]
    s += biases[-1]
    sign = (1.0 - 2.0 * y)[:, None]
    m = sign * s
{chr(10).join(out_lines)}
    delta = {sig_code}
    delta *= sign * (1.0 / n) if mean else sign
    return hs, primes, {loss_code}, delta


def forward(weights, biases, X, activation="relu"):
    r"""P(y = 1 | x) for each row of X, shape (N,): hidden layers hₖ = f(hₖ₋₁Wₖ + bₖ), a sigmoid output.

    Formula: ${_latex(d, "forward")}$ per layer ($\\sigma$ replaced by the activation f), output $\\sigma(s)$.
    weights[k]: (q_k, q_(k+1)), biases[k]: (q_(k+1),), the last layer one unit; activation: one of
    {", ".join(names)} (hidden layers).
    Derived in: {src}; check with `deepderive verify {d.name}`.
    """
    X = np.asarray(X, dtype=np.float64)
    f = _pick(_F, activation)
    _check(weights, biases, X)
    h = X
    for W, b in zip(weights[:-1], biases[:-1]):
        h = f(h @ W + b)
    s = h @ weights[-1][:, 0] + biases[-1][0]
{chr(10).join(fwd_lines)}
    return {prob_code}


def value_and_grad(weights, biases, X, y, activation="relu", lam=0.0):
    r"""(loss, grad_weights, grad_biases): mean binary cross-entropy plus lam ∑ₖ ‖Wₖ‖² (Frobenius), and its gradient.

    Formulas, per sample (the layer-level results of {src}, proved with f = sigma and valid for any
    differentiable f; the code's shape check confirmed them for each activation at depths 1-3):
{_formulas(d)}    The rows of X go through at once: one forward pass stores h_(k-1) and f'(z_k), the backward
    pass runs delta_k = (delta_(k+1) @ W_(k+1).T) * f'(z_k); the mean's 1/N is folded into delta_L. The output
    loss is softplus(m) with m = (1 - 2y) s and delta_L = (1 - 2y) sigma(m): no overflow, no cancellation,
    exact at saturated logits. y: (N,) labels in {{0, 1}}; biases are not penalised.
    Derived in: {src}; check with `deepderive verify {d.name}`.
    """
    hs, primes, losses, delta = _forward_and_output(weights, biases, X, y, activation, mean=True)
    loss = np.add.reduce(losses, axis=None) / losses.shape[0]
    L = len(weights)
    grad_weights = [None] * L
    grad_biases = [None] * L
    for k in range(L - 1, -1, -1):
        grad_weights[k] = hs[k].T @ delta
        grad_biases[k] = np.add.reduce(delta, axis=0)
        if k:
            delta = delta @ weights[k].T
            delta *= primes[k - 1]
    if lam:
        for k, W in enumerate(weights):
            loss += lam * np.vdot(W, W)
            grad_weights[k] += (2.0 * lam) * W
    return loss, grad_weights, grad_biases


def layers(weights, biases, X, y, activation="relu"):
    r"""(activations, deltas): what each layer holds for each row, as Glorot and Bengio (2010) plot it.

    activations[k]: h_(k+1) = f(z_(k+1)), shape (N, q_(k+1)), for the hidden layers k = 0 .. L-2;
    deltas[k]: d loss_n / d z_(k+1), shape (N, q_(k+1)), for every layer k = 0 .. L-1 (the last is the
    output logit's), where loss_n is row n's own cross-entropy (not divided by N): the same recursion
    as value_and_grad, kept per row instead of summed into the weight gradients.
    Derived in: {src}; check with `deepderive verify {d.name}`.
    """
    hs, primes, _, delta = _forward_and_output(weights, biases, X, y, activation, mean=False)
    deltas = [delta]
    for k in range(len(weights) - 1, 0, -1):
        delta = delta @ weights[k].T
        delta *= primes[k - 1]
        deltas.append(delta)
    return hs[1:], deltas[::-1]
'''
    return text


def _render_guiding(net, d, closed, doc) -> str:
    (name, _, _), = net.activations
    out_lines, loss_code, sig_code = _output_code()
    src = f"{closed.name!r} ({closed.source}) and {d.name!r} ({d.source})"
    formulas = "".join(f"      {key}: ${sp.latex(closed.results[key], symbol_names=closed.names)}$\n"
                       for key in _GUIDING_KEYS)
    text = f'"""{doc}, generated from verified derivations."""\n'
    text += "import numpy as np\n\n"
    text += "__all__ = ['value_and_grad']\n"
    text += f"DERIVED_FROM = {{'value_and_grad': {closed.name!r}}}\n"
    text += _activation_functions(net.activations)
    text += "\n\n" + label_helper((0, 1))
    text += f'''

def value_and_grad(W1, W2, X, y, lam):
    r"""(loss, dW1, dW2) of R17's guiding example, f(x) = σ(W2ᵀ σ(W1ᵀx)), the mean over the rows of X.

    loss = mean cross-entropy + lam (||W1||_F + ||W2||_2), the norms not squared; no biases.
    Formulas, per sample:
{formulas}    computed as the two-layer case of the backprop recursion in {d.name!r}: delta_out = (1 - 2y) sigma(m) with
    m = (1 - 2y) s, delta_1 = (W2 delta_out) * sigma'(W1^T x) (sigma' = h (1 - h) in its stable form).
    W1: (p, q), W2: (q,), X: (N, p), y: (N,) labels in {{0, 1}}. Where a norm is 0 its gradient term is taken
    as 0, the subgradient of least norm.
    Derived in: {src}; check with `deepderive verify {closed.name}`.
    """
    W1 = np.asarray(W1, dtype=np.float64)
    W2 = np.asarray(W2, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or W1.ndim != 2 or W1.shape[0] != X.shape[1] or W2.shape != (W1.shape[1],):
        raise ValueError(f"need X (N, p), W1 (p, q), W2 (q,); got {{X.shape}}, {{W1.shape}}, {{W2.shape}}")
    n = X.shape[0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({{n}},), got {{y.shape}}")
{_guard_code(label_check("y", (0, 1)) + empty_check("X"))}
    h, prime = _{name}_and_prime(X @ W1)
    s = h @ W2
    sign = 1.0 - 2.0 * y
    m = sign * s
{chr(10).join(out_lines)}
    loss = np.add.reduce({loss_code}) / n
    delta = {sig_code}
    delta *= sign * (1.0 / n)
    dW2 = h.T @ delta
    g = np.multiply.outer(delta, W2)
    g *= prime
    dW1 = X.T @ g
    n1 = np.sqrt(np.vdot(W1, W1))
    n2 = np.sqrt(np.vdot(W2, W2))
    loss += lam * (n1 + n2)
    if n1 > 0.0:
        dW1 += (lam / n1) * W1
    if n2 > 0.0:
        dW2 += (lam / n2) * W2
    return loss, dW1, dW2
'''
    return text
