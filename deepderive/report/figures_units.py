"""Figures of the linear units (R1, R2, R6): XOR in two layers, the perceptron against Novikoff's bound, σ(kz) → H(z).

Every number drawn or quoted is computed in the same call from numeric.units, numeric.perceptron and the
generated sigmoid (fixed data, no randomness); the checks of numeric.checks.units judge the same functions.
"""
from __future__ import annotations

import numpy as np

from .figures import figure, new_figure, save, styled

# the runs the checks judge: (iris features, epochs)
_RUNS = (((0, 1, 2, 3), 20), ((0, 1), 1000))
_COLOURS = ("tab:blue", "tab:red")


def _sci(x: float, digits: int = 2) -> str:
    """A float for LaTeX: fixed point when readable, else m x 10^e."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:,.{max(digits, len(str(int(abs(x)))))}g}".replace(",", "{,}")
    m, e = f"{x:.{digits - 1}e}".split("e")
    return rf"{m}\times 10^{{{int(e)}}}"


# ---- threshold-units (R1) ----------------------------------------------------------------------------------

_H_OR, _H_AND = r"h_{\mathrm{OR}}", r"h_{\mathrm{AND}}"    # the hidden units' outputs: names, not products of letters


@figure("threshold-units", name="xor-two-layers")
@styled
def xor_two_layers(path):
    from numeric import units as U

    from scipy.optimize import linprog

    X = U.inputs(2).astype(float)
    xor = U.table_of(U.XOR)
    # one unit would need w.x + b >= 1 on the XOR rows and <= -1 on the others (equivalent, by scaling)
    s = 2.0 * xor - 1.0
    lp = linprog(np.zeros(3), A_ub=-(s[:, None] * np.column_stack([X, np.ones(4)])), b_ub=-np.ones(4),
                 bounds=[(None, None)] * 3, method="highs")
    hidden = U.XOR.layers[0](X)
    (w_or, w_and), (b_or, b_and) = U.XOR.layers[0].W.T, U.XOR.layers[0].b
    w_out, b_out = U.XOR.layers[1].W[:, 0], U.XOR.layers[1].b[0]

    fig, (ax1, ax2) = new_figure(2, height=2.9)
    t = np.linspace(-0.4, 1.4, 2)
    ax1.fill_between(t, -b_or / w_or[1] - w_or[0] / w_or[1] * t, -b_and / w_and[1] - w_and[0] / w_and[1] * t,
                     color="tab:green", alpha=0.12, lw=0, label="XOR fires")
    for (w, b), name, style in (((w_or, b_or), "OR", "-"), ((w_and, b_and), "AND", "--")):
        ax1.plot(t, -(b + w[0] * t) / w[1], color="black", ls=style, lw=1.1,
                 label=rf"{name}: ${_affine(w, b, ('x_1', 'x_2'))} = 0$")
    _points(ax1, X, xor)
    ax1.set(xlim=(-0.4, 1.4), ylim=(-0.4, 1.4), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
            title="inputs: no single line separates XOR")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False, fontsize=6.5)

    ax2.plot(t, -(b_out + w_out[0] * t) / w_out[1], color="black", lw=1.1,
             label=rf"output: ${_affine(w_out, b_out, (_H_OR, _H_AND))} = 0$")
    jitter = np.array([[-0.04, 0.0], [0.0, 0.0], [0.04, 0.0], [0.0, 0.0]])   # (0,1) and (1,0) land on one point
    _points(ax2, hidden + jitter, xor)
    ax2.set(xlim=(-0.4, 1.4), ylim=(-0.4, 1.4), xlabel=f"${_H_OR}$", ylabel=f"${_H_AND}$", aspect="equal",
            title="hidden layer: now one line does")
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False, fontsize=6.5)
    save(fig, path)
    return (r"XOR by two layers of threshold units (\texttt{numeric.units.XOR}). Left: the four inputs (filled: "
            r"XOR $= 1$) and the hidden units' lines, OR $= H(x_1 + x_2 - \frac12)$ and AND $= H(x_1 + x_2 - \frac32)$; "
            r"XOR fires in the band between them, which no single line can carve out (the derivation's Farkas "
            r"certificate; SciPy's LP solver HiGHS, asked for $(w, b)$ with $w^T x + b \geq 1$ on the two XOR rows and $\leq -1$ on the other two, reports: %s). Right: the hidden layer maps the "
            r"inputs $(x_1, x_2)$ to $(h_{\mathrm{OR}}, h_{\mathrm{AND}}) \in \{%s\}$ (the two mixed inputs coincide at "
            r"$(1, 0)$, drawn slightly "
            r"apart), where the output unit $H(h_{\mathrm{OR}} - h_{\mathrm{AND}} - \frac12)$ separates them: outputs $%s$ on the rows "
            r"$00, 01, 10, 11$. The derivation's two-layer network is the other classic one, "
            r"XOR $= \mathrm{AND}(\mathrm{OR}, \mathrm{NAND})$: both compute the same table." % ("infeasible" if lp.status == 2 else f"status {lp.status} (NOT infeasible)",
                                     ", ".join(sorted({f"({int(a)}, {int(b)})" for a, b in hidden})),
                                     ", ".join(map(str, xor.tolist()))))


def _affine(w, b, names) -> str:
    """'x_1 + x_2 - 0.5' for weights (1, 1), bias -0.5, names x_1, x_2: the unit's pre-activation in LaTeX."""
    out = ""
    for wi, name in zip(w, names):
        sign = "-" if wi < 0 else ("+" if out else "")
        mag = "" if abs(wi) == 1 else f"{abs(wi):g}"
        out += f" {sign} {mag}{name}" if out else f"{sign}{mag}{name}"
    return out + (f" - {-b:g}" if b < 0 else f" + {b:g}")


def _points(ax, P, labels):
    for value, marker, face in ((1, "o", "tab:green"), (0, "o", "white")):
        m = labels == value
        ax.scatter(P[m, 0], P[m, 1], s=60, marker=marker, facecolor=face, edgecolor="black", lw=1.0, zorder=3,
                   label=f"XOR $= {value}$")


# ---- perceptron (R2) ---------------------------------------------------------------------------------------

def _study():
    from numeric.perceptron import fit, iris_setosa, max_margin, novikoff

    out = []
    for features, epochs in _RUNS:
        d = iris_setosa(features)
        r = fit(d.X, d.y, epochs)
        nb = novikoff(d.X, d.y, *max_margin(d.X, d.y))
        out.append((d, r, nb))
    return out


@figure("perceptron", name="mistakes-vs-novikoff")
@styled
def mistakes_vs_novikoff(path):
    from numeric.perceptron import IRIS_FEATURES

    runs = _study()
    fig, (ax1, ax2) = new_figure(2, height=3.0)
    for (d, r, nb), colour in zip(runs, _COLOURS):
        label = "all 4 features" if d.X.shape[1] == 4 else "sepal length, width"
        epochs = np.arange(1, r.epochs + 1)
        ax1.step(epochs, np.cumsum(r.mistakes_per_epoch), where="post", color=colour, lw=1.4,
                 label=f"{label}: {r.mistakes} updates")
        ax1.axhline(nb.bound, color=colour, ls="--", lw=1.0, label=rf"$(R/\gamma)^2 = {nb.bound:.0f}$")
    ax1.set(xscale="log", yscale="log", xlabel="epoch", ylabel="updates so far", ylim=(1, 2e5),
            title="perceptron updates against Novikoff's bound")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False, fontsize=6.5)   # as the right one

    d, r, nb = runs[1]
    y = d.y == 1
    ax2.scatter(d.X[y, 0], d.X[y, 1], s=10, color="tab:red", label="setosa", zorder=3)
    ax2.scatter(d.X[~y, 0], d.X[~y, 1], s=10, color="tab:gray", label="versicolor, virginica", zorder=3)
    lo, hi = d.X[:, 0].min() - 0.2, d.X[:, 0].max() + 0.2
    t = np.linspace(lo, hi, 2)
    ax2.plot(t, -(r.b + r.w[0] * t) / r.w[1], color="black", lw=1.2, label=f"perceptron, epoch {r.epochs}")
    ax2.plot(t, -(nb.b + nb.w[0] * t) / nb.w[1], color="tab:orange", ls="--", lw=1.2, label="max-margin")
    ax2.set(xlim=(lo, hi), ylim=(d.X[:, 1].min() - 0.3, d.X[:, 1].max() + 0.3),
            xlabel=f"{IRIS_FEATURES[0]} (cm)", ylabel=f"{IRIS_FEATURES[1]} (cm)", title="sepal features: a narrow margin")
    # below the axes: inside, the two boundaries cross every corner the points leave free
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False, fontsize=6.5)
    save(fig, path)

    def describe(d, r, nb):
        last = int(np.flatnonzero(r.mistakes_per_epoch)[-1]) + 1
        return (r"%s: %d updates, the last in epoch %d, against $(R/\gamma)^2 = (%.4g/%.4g)^2 = %s$ "
                r"(%.2g\%% of the bound)" % ("All four features" if d.X.shape[1] == 4 else "sepal length and width",
                                             r.mistakes, last, nb.R, nb.gamma, _sci(nb.bound, 3),
                                             100 * r.mistakes / nb.bound))
    return (r"The perceptron rule (\texttt{numeric.perceptron.fit}, $\eta = 1$, rows in file order, from $w = 0$, "
            r"$b = 0$; bit for bit scikit-learn's \texttt{Perceptron}) on iris, setosa against the other two species, "
            r"raw centimetres. Left (log--log): updates so far against the epoch, and Novikoff's bound $(R/\gamma)^2$ "
            r"(dashed) with $R = \max_i\|(x_i, 1)\|$ and $\gamma$ the margin of the max-margin separator of the "
            r"augmented rows. %s; %s. The bound holds with a wide gap, and predicts the ordering: the narrow sepal "
            r"margin costs hundreds of epochs. Right: the sepal data, the perceptron's final boundary "
            r"$w^T x + b = 0$ with $w = (%.1f, %.1f)$, $b = %g$ (it separates but hugs the classes) and the "
            r"max-margin boundary (dashed)." % (describe(*runs[0]), describe(*runs[1]), r.w[0], r.w[1], r.b))


# ---- soft-heaviside (R6) -----------------------------------------------------------------------------------

_KS = (1, 3, 10, 30, 100)
_DELTAS = (0.1, 0.3, 1.0)


@figure("soft-heaviside", name="sigmoid-kz-vs-heaviside")
@styled
def sigmoid_kz_vs_heaviside(path):
    from numeric.generated.activations import sigmoid

    fig, (ax1, ax2) = new_figure(2, height=2.9)
    z = np.linspace(-2.0, 2.0, 2001)
    shades = np.linspace(0.8, 0.0, len(_KS))
    for k, s in zip(_KS, shades):
        ax1.plot(z, sigmoid(k * z), color=(s, s, 1.0 if k < _KS[-1] else 0.6), lw=1.3, label=rf"$\sigma({k}z)$")
    ax1.plot([-2, 0], [0, 0], color="black", lw=1.0, ls="--")
    ax1.plot([0, 2], [1, 1], color="black", lw=1.0, ls="--", label="$H(z)$")
    ax1.plot([0], [0.5], "o", color="black", ms=3.5, mfc="white", zorder=3)    # sigma(0) = 1/2: open
    ax1.plot([0], [1.0], "o", color="black", ms=3.5, zorder=3)                # H(0) = 1: filled
    ax1.set(xlabel="$z$", ylim=(-0.05, 1.05), title=r"$\sigma(kz) \to H(z)$ for $z \neq 0$")
    ax1.legend(loc="upper left", frameon=False, fontsize=6.5)

    k = np.linspace(0.0, 300.0, 601)
    sups = {}
    for delta, colour in zip(_DELTAS, ("tab:blue", "tab:orange", "tab:green")):
        zz = np.concatenate([-delta * np.logspace(0, 2, 200)[::-1], delta * np.logspace(0, 2, 200)])
        H = (zz >= 0).astype(float)
        with np.errstate(under="ignore"):
            sup = np.array([np.max(np.abs(sigmoid(kk * zz) - H)) for kk in k])
        sups[delta] = sup
        ax2.semilogy(k, sup, color=colour, lw=2.6, alpha=0.6, label=rf"$\delta = {delta:g}$")
        ax2.semilogy(k, np.exp(-k * delta), color="black", lw=0.8, ls="--")
    i = int(np.searchsorted(k, 100.0))
    # the values the caption quotes, at k = 100, marked; the axis reaches down to the smallest of them
    ax2.plot([k[i]] * len(_DELTAS), [sups[d][i] for d in _DELTAS], "o", color="black", ms=3, zorder=3)
    ax2.set(xlabel="$k$", ylim=(1e-50, 1.5), title=r"$\sup_{|z| \geq \delta} |\sigma(kz) - H(z)|$ and $e^{-k\delta}$ (dashed)")
    ax2.legend(loc="lower left", frameon=False, fontsize=6.5)
    save(fig, path)
    return (r"Left: $\sigma(kz)$ for $k = %s$ (the generated \texttt{sigmoid}) approaches the Heaviside step $H$ "
            r"(dashed) at every $z \neq 0$; at $z = 0$ it stays $\sigma(0) = \frac12$ (open dot) while $H(0) = 1$ "
            r"(filled dot). Right: "
            r"the worst gap over $|z| \geq \delta$, measured on a grid, is $\sigma(-k\delta) = "
            r"e^{-k\delta}/(1 + e^{-k\delta})$, so it falls like $e^{-k\delta}$ (dashed), a straight line on this "
            r"scale: at $k = %g$ (dots) it is $%s$, $%s$ and $%s$ for $\delta = %s$. The convergence is uniform on "
            r"$|z| \geq \delta$ but not on all of $z \neq 0$: the smaller $\delta$, the larger the $k$ needed."
            % (", ".join(map(str, _KS)), k[i], *(_sci(float(sups[d][i])) for d in _DELTAS),
               ", ".join(f"{d:g}" for d in _DELTAS)))
