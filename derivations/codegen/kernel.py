"""An infinite-width kernel's module: per activation E[h(x)h(x')] over all pairs of rows, and a dispatcher.

A kernel derivation (library/nngp.py) proves, in scalar symbols, the closed forms of E[h(x)h(x')] for each
activation, written in quantities of unit feature rows that the template below computes without squaring a huge
or tiny input and without cancellation (‖u ∓ u'‖² of unit rows summed from u ∓ u' itself), and the covariance
σ_b² + ω_v² C. The template's helpers build the feature rows and those quantities for all pairs at once; the
formulas themselves are the results, printed by the project's printer (no formula is written here).
"""
from __future__ import annotations

import sympy as sp

from .block import Block
from .spec import CodegenError, Kernel

_HELPERS = '''

def _inputs(X1, X2, sigma_u, sigma_a):
    """X1 (N1, p) and X2 (N2, p) as float arrays; ValueError for other shapes, for sigma_u or sigma_a not finite and
    >= 0, for entries not finite, and for sigma_a or sigma_u * |x| >= 1e100 (the ReLU kernel, of size
    sigma_u^2 |x| |x'|, times omega_v^2 could overflow)."""
    X1, X2 = _real_array("X1", X1), _real_array("X2", X2)
    if X1.ndim != 2 or X2.ndim != 2 or X1.shape[1] != X2.shape[1]:
        raise ValueError(f"need X1 (N1, p) and X2 (N2, p) with the same p; got {X1.shape} and {X2.shape}")
    _check_scale("sigma_u", sigma_u, float("inf"))
    _check_scale("sigma_a", sigma_a, 1e100)
    for name, X in (("X1", X1), ("X2", X2)):
        m = np.abs(X).max(initial=0.0)
        if not m < float("inf"):                # NaN fails the comparison too
            raise ValueError(f"{name} must hold finite numbers (no inf or nan)")
        if sigma_u * min(m, 1.0) >= 1e100 / max(m, 1.0):      # sigma_u * m >= 1e100, with no overflow
            raise ValueError(f"sigma_u * |{name}| must stay below 1e100; got {sigma_u} * {m}")
    return X1, X2


def _real_array(name, X):
    """X as a float64 array; TypeError for entries that are not real numbers (complex ones would lose their
    imaginary part silently, objects and strings would fail inside NumPy)."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {X.dtype}")
    return X.astype(np.float64)


def _check_scale(name, value, limit):
    """TypeError unless value is a real number (not a bool or an array), ValueError unless 0 <= value < limit
    (a NaN fails too)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    if not 0.0 <= value < limit:
        raise ValueError(f"{name} must be finite, >= 0 and below {limit}; got {value}")


def _rows(X, lead, scale):
    """The feature rows (lead, scale * x) of the rows x of X scaled to unit length, and their lengths: each row is
    divided by its largest entry first, so the squares summed are at most 1, one of them 1 (no overflow, and only
    terms below 1e-308 of the sum underflow); a zero row stays zero, of length 0."""
    Y = np.empty((X.shape[0], len(lead) + X.shape[1]))
    Y[:, :len(lead)] = lead
    Y[:, len(lead):] = scale * X
    m = np.abs(Y).max(axis=1, initial=0.0)[:, None]
    Y = Y / np.where(m > 0.0, m, 1.0)
    r = np.sqrt((Y * Y).sum(axis=1))[:, None]
    return Y / np.where(r > 0.0, r, 1.0), (m * r)[:, 0]


def _distances(U1, U2):
    """(|u - w|^2, |u + w|^2) for every row u of U1 and w of U2, shape (N1, N2) each, summed from u - w and u + w
    themselves: the first is 0 exactly when u = w and accurate near it, where |u|^2 - 2 u^T w + |w|^2 cancels."""
    minus = np.empty((U1.shape[0], U2.shape[0]))
    minus[...] = 0.0
    plus = minus.copy()
    for k in range(U1.shape[1]):
        D = np.add.outer(U1[:, k], -U2[:, k])
        minus += D * D
        S = np.add.outer(U1[:, k], U2[:, k])
        plus += S * S
    return minus, plus
'''

# Feature rows -> (their doc, the statements computing the result's symbols for all pairs, {symbol name: Python
# name}). Each becomes one helper, _<features>_features(X1, X2, sigma_u, sigma_a), shared by the kernels using it.
FEATURES = {
    "angle": (
        "with y = (sigma_a, sigma_u x) and its unit row yhat = y/|y|: n_1 = |y|, rho = yhat^T yhat',\n    "
        "delta_m = |yhat - yhat'|^2/2, delta_p = |yhat + yhat'|^2/2",
        ["U1, n1 = _rows(X1, (sigma_a,), sigma_u)",
         "U2, n2 = _rows(X2, (sigma_a,), sigma_u)",
         "rho = U1 @ U2.T",
         "dm, dp = _distances(U1, U2)",
         "dm, dp = 0.5 * dm, 0.5 * dp",
         "n1, n2 = n1[:, None], n2[None, :]"],
        {"n_1": "n1", "n_2": "n2", "rho": "rho", "delta_m": "dm", "delta_p": "dp"}),
    "erf": (
        "with w = (1, sqrt(2) sigma_a, sqrt(2) sigma_u x) and its unit row (a_1, e) = w/|w|:\n    epsilon = e^T e', "
        "Delta_m = |e - e'|^2, Delta_p = |e + e'|^2",
        ["W1, _ = _rows(X1, (1.0, np.sqrt(2.0) * sigma_a), np.sqrt(2.0) * sigma_u)",
         "W2, _ = _rows(X2, (1.0, np.sqrt(2.0) * sigma_a), np.sqrt(2.0) * sigma_u)",
         "a1, a2 = W1[:, :1], W2[:, 0][None, :]",
         "e1, e2 = W1[:, 1:], W2[:, 1:]",
         "epsilon = e1 @ e2.T",
         "Dm, Dp = _distances(e1, e2)"],
        {"a_1": "a1", "a_2": "a2", "epsilon": "epsilon", "Delta_m": "Dm", "Delta_p": "Dp"}),
}


def _features_helper(features) -> str:
    """The helper computing one kind of feature-row quantities for all pairs of rows."""
    doc, lines, names = FEATURES[features]
    out = ", ".join(names.values())
    return (f"\n\ndef _{features}_features(X1, X2, sigma_u, sigma_a):\n"
            f'    """({out}) for every pair of rows,\n    {doc}."""\n'
            + "".join(f"    {line}\n" for line in lines) + f"    return {out}\n")


_ZERO_ROWS = ['if (n1 == 0.0).any() or (n2 == 0.0).any():',
              '    raise ValueError("a row with sigma_a = 0 and sigma_u * x = 0: its pre-activation is 0 for every "',
              '                     "network, where the {name} kernel is undefined")']


def _code(expr, names: dict, what: str) -> tuple[list[str], str]:
    """The statements and expression computing a result whose symbols are all in `names` (name -> Python name)."""
    free = {s.name for s in expr.free_symbols}
    if free - names.keys():
        raise CodegenError(f"{what}: the result uses {sorted(free - names.keys())}, which the template does not "
                           f"compute (it gives {sorted(names)})")
    expr = expr.xreplace({s: sp.Symbol(names[s.name], real=True) for s in expr.free_symbols})
    return Block([expr]).code_of(0)


def _expectation(d, name, key, features, refuse_zero) -> str:
    if key not in d.results:
        raise CodegenError(f"{d.name}: no result {key!r} (E[h(x)h(x')] for {name})")
    if features not in FEATURES:
        raise CodegenError(f"{d.name}: {name}: unknown feature rows {features!r}; known: {', '.join(FEATURES)}")
    doc, _, names = FEATURES[features]
    body, ret = _code(d.results[key], names, f"{d.name}.{key}")
    lines = ["X1, X2 = _inputs(X1, X2, sigma_u, sigma_a)",
             f"{', '.join(names.values())} = _{features}_features(X1, X2, sigma_u, sigma_a)"]
    if refuse_zero:
        lines += [line.replace("{name}", name) for line in _ZERO_ROWS]
    text = (f"def kernel_{name}(X1, X2, sigma_u, sigma_a):\n"
            f'    r"""The mean of h(x) h(x′) for h(x) = {name}(a + uᵀx), a and each entry of u normal, of variances\n'
            f"    σ_a² and σ_u², for every row x of X1 and x′ of X2: shape (N1, N2).\n\n"
            f"    Formula: ${sp.latex(d.results[key])}$,\n"
            f"    {doc}.\n"
            f"    Derived in: '{d.name}' ({d.source}), result '{key}'; check with `deepderive verify {d.name}`.\n"
            f'    """\n')
    return text + "".join(f"    {line}\n" for line in lines + body) + f"    return {ret}\n"


def _dispatcher(d, spec: Kernel) -> str:
    if spec.covariance not in d.results:
        raise CodegenError(f"{d.name}: no result {spec.covariance!r} (the covariance in C)")
    body, ret = _code(d.results[spec.covariance], {"C": "C", "sigma_b": "sigma_b", "omega_v": "omega_v"},
                      f"{d.name}.{spec.covariance}")
    names = ", ".join(n for n, *_ in spec.activations)
    return ("def kernel(X1, X2, activation, sigma_u, sigma_a, omega_v, sigma_b):\n"
            f'    r"""The infinite-width covariance K(x, x′), the mean of f(x) f(x′) for f(x) = b + ∑ⱼ vⱼhⱼ(x), for every row x\n'
            f"    of X1 and x′ of X2: shape (N1, N2). activation: one of {names}; hⱼ(x) = activation(aⱼ + uⱼᵀx).\n\n"
            f"    Formula: ${sp.latex(d.results[spec.covariance])}$, C = E[h(x) h(x')] (kernel_<activation>).\n"
            "    ValueError for an unknown activation, omega_v not in [0, 1e50), sigma_b not in [0, 1e150), and as\n"
            "    kernel_<activation>.\n"
            f"    Derived in: '{d.name}' ({d.source}), result '{spec.covariance}'; check with `deepderive verify {d.name}`.\n"
            '    """\n'
            "    expectation = _pick(activation)\n"
            '    _check_scale("omega_v", omega_v, 1e50)\n'
            '    _check_scale("sigma_b", sigma_b, 1e150)\n'
            "    C = expectation(X1, X2, sigma_u, sigma_a)\n"
            + "".join(f"    {line}\n" for line in body) + f"    return {ret}\n")


def render_kernel_module(spec: Kernel, d, doc: str) -> str:
    """The text of the module (after the header line) for a Kernel spec and its verified derivation `d`."""
    names = [n for n, *_ in spec.activations]
    functions = ["kernel"] + [f"kernel_{n}" for n in names]
    text = f'"""{doc}, generated from verified derivations."""\nimport numpy as np\n\n'
    text += "__all__ = [" + ", ".join(repr(f) for f in functions) + "]\n"
    text += "DERIVED_FROM = {" + ", ".join(f"{f!r}: {d.name!r}" for f in functions) + "}\n"
    text += "ACTIVATIONS = (" + ", ".join(repr(n) for n in names) + ("," if len(names) == 1 else "") + ")\n"
    text += _HELPERS
    for features in dict.fromkeys(f for _, _, f, _ in spec.activations if f in FEATURES):
        text += _features_helper(features)
    for name, key, features, refuse_zero in spec.activations:
        text += "\n\n" + _expectation(d, name, key, features, refuse_zero)
    text += ("\n\n_EXPECTATIONS = {" + ", ".join(f"{n!r}: kernel_{n}" for n in names) + "}\n\n\n"
             "def _pick(activation):\n"
             '    """kernel_<activation>; ValueError naming the choices for any other value."""\n'
             "    try:\n"
             "        return _EXPECTATIONS[activation]\n"
             "    except (KeyError, TypeError):\n"
             '        raise ValueError(f"activation must be one of {\', \'.join(ACTIVATIONS)}; got {activation!r}") from None\n')
    return text + "\n\n" + _dispatcher(d, spec)
