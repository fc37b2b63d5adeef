"""Figures for the reports: a registry of plotting functions, keyed by derivation name.

A figure function takes the path to write and returns its caption (LaTeX)::

    @figure("lda-posterior")
    def posterior_vs_sklearn(path):
        fig = new_figure(2)
        ...
        save(fig, path)
        return r"Generated posterior against scikit-learn's ..."

New chapters add entries here, or in their own module ``deepderive/report/figures_<chapter>.py``
with the same decorator (such modules are found with pkgutil, not listed), without touching the
report engine. A figure belongs to the library's registered derivation of that name: an unknown
name is an error at registration, and a user's derivation that reuses a library name gets none. Figures are drawn on ``matplotlib.figure.Figure`` objects and written with
``savefig``: no pyplot, nothing shown on screen, and no ``matplotlib.use(...)`` either, since that
would switch (and close the figures of) the backend of whoever imports this module; a bare Figure
needs no backend, so this is headless everywhere. :func:`save` strips every timestamp and version
string, so the same inputs give the same bytes.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass
from typing import Callable

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .figure_layout import legends_over_data, titles_too_close

#: rcParams in force while a figure is drawn and saved: fixed fonts and sizes, and a fixed SVG salt.
STYLE = {
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "mathtext.fontset": "cm",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.hashsalt": "deepderive",
    "pdf.compression": 6,
}
EXTENSION = ".pdf"   # pdflatex includes PDF figures as vector graphics


@dataclass(frozen=True)
class FigureSpec:
    name: str                       # file stem, e.g. "posterior-vs-sklearn"
    derivations: tuple              # the derivation names whose reports show it
    fn: Callable[[str], str]        # fn(path) -> caption (LaTeX)
    shared: bool = False            # registered for several derivations on purpose (figure(..., shared=True))

    def filename(self, derivation: str) -> str:
        return f"{derivation}-{self.name}{EXTENSION}"


_FIGURES: list[FigureSpec] = []
_MODULE_PREFIX = "figures_"     # sibling modules deepderive/report/figures_*.py hold more figures
_loaded = False


def figure(*derivations: str, name: str | None = None, shared: bool = False):
    """Decorator: register ``fn(path) -> caption`` as a figure of the given derivation's report.

    Each name must be a registered derivation (UnknownDerivation naming the known ones otherwise). A
    figure belongs to one derivation: the book shows every derivation's page, so a figure on two pages
    is printed twice; give several names only with ``shared=True``, when the figure is meant for each."""
    from derivations.registry import UnknownDerivation, known

    if not derivations:
        raise TypeError("figure() needs at least one derivation name")
    for d in derivations:
        try:
            known(d)
        except UnknownDerivation as exc:
            raise UnknownDerivation(f"figure registered for an {exc}") from None
    if len(derivations) > 1 and not shared:
        raise ValueError(f"figure {name or ''!s} registered for {', '.join(derivations)}: a figure belongs to one "
                         "derivation (pass shared=True to show it on each of their pages)")

    def deco(fn):
        stem = (name or fn.__name__).replace("_", "-")
        for d in derivations:
            if any(f.name == stem and d in f.derivations for f in _FIGURES):
                raise ValueError(f"figure {stem!r} is registered twice for {d!r}")
        if not shared and any(f.fn is fn for f in _FIGURES):       # stacked @figure decorators
            raise ValueError(f"figure function {fn.__name__!r} is already registered for another derivation "
                             "(pass shared=True to show it on each of their pages)")
        _FIGURES.append(FigureSpec(stem, tuple(derivations), fn, shared))
        return fn
    return deco


def _load():
    """Import the figure modules beside this one (``figures_*.py``, found with pkgutil)."""
    global _loaded
    if _loaded:
        return
    package, _, _ = __name__.rpartition(".")
    here = os.path.dirname(os.path.abspath(__file__))
    for info in pkgutil.iter_modules([here]):
        if info.name.startswith(_MODULE_PREFIX):
            importlib.import_module(f"{package}.{info.name}")
    _loaded = True


def figures_for(derivation) -> list[FigureSpec]:
    """The figures of a registered derivation (its name, or the library's Derivation object itself),
    in registration order. Anything else has none: a name that is not registered, and a user's
    Derivation even when it reuses a library name (the library's figures say nothing about it)."""
    from derivations.registry import is_registered, names

    if isinstance(derivation, str):
        key = derivation if derivation in names() else None
    else:
        key = derivation.name if is_registered(derivation) else None
    if key is None:
        return []
    _load()
    return [f for f in _FIGURES if key in f.derivations]


def new_figure(ncols: int = 1, *, width: float = 6.4, height: float = 2.7):
    """A Figure with `ncols` axes side by side (no pyplot state involved)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


#: savefig metadata per format that leaves out every date, producer and version string
_METADATA = {".pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
             ".png": {"Software": None},
             ".svg": {"Date": None, "Creator": None}}


class FigureLayoutError(ValueError):
    """A figure drawn with a defect a reader would see (a legend running across its axes' frame)."""


def legends_crossing_frame(fig) -> list[str]:
    """The axes (by title) whose legend lies partly inside and partly outside their frame: an inside legend
    too wide or too tall for its axes, whose text then runs over the frame or into the next panel. A legend
    placed wholly outside its axes (below them, say) is deliberate and not listed. Call it after the figure
    was drawn (savefig draws it): the layout engine has then placed the axes."""
    out = []
    for k, ax in enumerate(fig.axes):
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        lb, ab = legend.get_window_extent(), ax.get_window_extent()
        tol = 0.01 * fig.dpi          # a hundredth of an inch: rounding, not a crossing
        inside = lb.x0 >= ab.x0 - tol and lb.y0 >= ab.y0 - tol and lb.x1 <= ab.x1 + tol and lb.y1 <= ab.y1 + tol
        if lb.overlaps(ab) and not inside:
            out.append(ax.get_title() or f"axes {k + 1}")
    return out


def save(fig, path) -> None:
    """Write `fig` to `path` with deterministic bytes (no dates, no producer, no version strings), and an
    SVG sibling ``<same stem>.svg`` beside a PDF or PNG (for the HTML book: inline vector graphics).

    A legend crossing its axes' frame or covering plotted data, or titles running together (layout_problems),
    is a FigureLayoutError naming them, and nothing is left written."""
    path = os.fspath(path)
    stem, ext = os.path.splitext(path)
    ext = ext.lower()
    if ext not in _METADATA:
        raise ValueError(f"unsupported figure format {ext!r} (use .pdf, .png or .svg)")
    written = [path] + ([stem + ".svg"] if ext != ".svg" else [])
    with matplotlib.rc_context(STYLE):      # svg.hashsalt fixed: the SVG's clip-path ids are the same every run
        fig.savefig(path, metadata=_METADATA[ext], dpi=150)
        problems = layout_problems(fig)
        if not problems and ext != ".svg":
            fig.savefig(stem + ".svg", metadata=_METADATA[".svg"], dpi=150)
    if problems:
        for f in written:
            if os.path.exists(f):
                os.remove(f)
        raise FigureLayoutError(f"{os.path.basename(path)}: " + "; ".join(problems))


def layout_problems(fig) -> list[str]:
    """What a reader would trip over in the drawn `fig`: a legend crossing its frame, a legend over plotted data,
    panel titles running together (figure_layout judges them in display coordinates)."""
    crossing = legends_crossing_frame(fig)
    out = [f"the legend of {', '.join(repr(t) for t in crossing)} crosses its axes' frame (shorten its labels, "
           "move it, or place it wholly outside the axes)"] if crossing else []
    out += [f"the legend of {where!r} covers {what!r} (move it off the data)" for where, what in legends_over_data(fig)]
    out += [f"the titles {a!r} and {b!r} run together" for a, b in titles_too_close(fig)]
    return out


def styled(fn):
    """Run a figure function under :data:`STYLE` so that drawing and saving see the same rcParams."""
    def wrapper(path):
        with matplotlib.rc_context(STYLE):
            return fn(path)
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


# ---- the lecture's figures ----------------------------------------------------------------------

@figure("sigmoid", name="steepness-and-slope")   # the file name the reports and tests know
@styled
def sigmoid_symmetry_and_slope(path):
    # the sigmoid's own results: sigma(-z) = 1 - sigma(z) and sigma' <= 1/4 (the limit sigma(kz) -> H(z) is
    # soft-heaviside's figure: drawn here too, the book would show it twice)
    from numeric.generated.activations import sigmoid, sigmoid_prime

    fig, (ax1, ax2) = new_figure(2)
    z = np.linspace(-6.0, 6.0, 1201)
    mirror, complement = sigmoid(-z), 1.0 - sigmoid(z)
    gap = float(np.max(np.abs(mirror - complement)))
    ax1.plot(z, sigmoid(z), color="tab:blue", lw=1.6, label=r"$\sigma(z)$")
    ax1.plot(z, mirror, color="tab:orange", lw=1.6, label=r"$\sigma(-z)$")
    ax1.plot(z[::60], complement[::60], "o", color="black", ms=3, label=r"$1 - \sigma(z)$")
    ax1.plot([0], [0.5], "o", color="tab:blue", ms=4, mfc="white")
    ax1.set(xlabel="$z$", title=r"$\sigma(-z) = 1 - \sigma(z)$", ylim=(-0.05, 1.05))
    ax1.legend(loc="center right", frameon=False)

    z = np.linspace(-8.0, 8.0, 801)
    ax2.plot(z, sigmoid_prime(z), color="tab:orange", lw=1.6, label=r"$\sigma'(z) = \sigma(z)\,\sigma(-z)$")
    ax2.axhline(0.25, color="black", lw=1.0, ls="--", label=r"$1/4$")
    ax2.plot([0], [0.25], "o", color="tab:orange", ms=4)
    ax2.set(xlabel="$z$", title=r"$\sigma'(z) \leq 1/4$, equality at $z = 0$", ylim=(-0.01, 0.37))
    ax2.legend(loc="upper right", frameon=False, borderaxespad=0.2)     # above the line at 1/4, clear of the curve
    save(fig, path)
    return (r"Left: $\sigma(z)$ and its mirror image $\sigma(-z)$, which is $1 - \sigma(z)$ (dots): the two cross at "
            r"$\sigma(0) = \frac12$; on $[-6, 6]$ the generated \texttt{sigmoid} gives $\sigma(-z)$ and $1 - \sigma(z)$ "
            r"within $%s$ of each other. Right: $\sigma'(z) = \sigma(z)\sigma(-z) \leq \frac14$, with equality only "
            r"at $z=0$ (R20). Both panels are computed by \texttt{numeric.generated.activations}; the limit "
            r"$\sigma(kz) \to H(z)$ is drawn with the result \texttt{soft-heaviside}." % _sci(gap))


def _lda_fit(data):
    """The plug-in estimates scikit-learn's LDA uses: class means, priors, pooled biased covariance."""
    X, y = data.X, data.y
    prior1 = float(np.mean(y == 1))
    mu0, mu1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    Sigma = (1 - prior1) * np.cov(X[y == 0].T, bias=True) + prior1 * np.cov(X[y == 1].T, bias=True)
    return mu0, mu1, Sigma, prior1


@figure("lda-posterior", name="posterior-vs-sklearn")
@styled
def lda_posterior_vs_sklearn(path):
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    from numeric.data import iris_two_class
    from numeric.generated.lda import lda_params, lda_posterior

    data = iris_two_class()
    X, y = data.X, data.y
    mu0, mu1, Sigma, prior1 = _lda_fit(data)
    w, b = lda_params(mu0, mu1, Sigma, prior1)
    ours = lda_posterior(X, mu0, mu1, Sigma, prior1)
    sk = LinearDiscriminantAnalysis().fit(X, y).predict_proba(X)[:, 1]
    err = float(np.max(np.abs(ours - sk)))

    fig, (ax1, ax2) = new_figure(2, height=3.0)
    lo, hi = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    post = lda_posterior(grid, mu0, mu1, Sigma, prior1).reshape(g1.shape)
    cs = ax1.contourf(g1, g2, post, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
    ax1.contour(g1, g2, post, levels=[0.5], colors="black", linewidths=1.2)
    for label, marker, colour, text in ((0, "o", "tab:blue", "versicolor ($y=0$)"),
                                         (1, "^", "tab:red", "virginica ($y=1$)")):
        m = y == label
        ax1.scatter(X[m, 0], X[m, 1], s=12, marker=marker, color=colour, edgecolor="white", lw=0.4, label=text)
    ax1.set(xlabel="petal length (cm)", ylabel="petal width (cm)", xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]),
            title=r"generated posterior $\sigma(w^Tx+b)$")
    ax1.legend(loc="lower right", frameon=True, framealpha=0.85)   # the one corner with no iris point
    fig.colorbar(cs, ax=ax1, shrink=0.85, ticks=[0, 0.5, 1])

    ax2.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--")
    ax2.scatter(sk, ours, s=12, color="tab:purple", alpha=0.8)
    ax2.set(xlabel="scikit-learn predict_proba", ylabel="generated lda_posterior", xlim=(-0.03, 1.03),
            ylim=(-0.03, 1.03), title=f"max $|$difference$|$ = {err:.1e}", aspect="equal")
    save(fig, path)
    return (r"LDA on iris (versicolor vs virginica, petal length and width, $N = %d$). Left: the generated "
            r"\texttt{lda\_posterior} with plug-in estimates (class means, shared biased covariance, class "
            r"frequencies); the black line is the decision boundary $w^T x + b = 0$, "
            r"$w = (%.3f, %.3f)$, $b = %.3f$. Right: the same posterior against scikit-learn's "
            r"\texttt{LinearDiscriminantAnalysis.predict\_proba}: every point lies on the diagonal "
            r"(largest difference $%s$)." % (len(y), w[0], w[1], b, _sci(err)))


def tex_number(x: float, digits: int = 3, fixed_below: float = 1e4) -> str:
    """A float for a LaTeX caption: `digits` significant digits in fixed point when 1e-3 ≤ |x| < fixed_below,
    else m × 10^e (captions of every chapter share it, so numbers read alike across the reports)."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < fixed_below:
        return f"{x:.{digits}g}"
    m, e = f"{x:.{digits - 1}e}".split("e")
    return rf"{m}\times 10^{{{int(e)}}}"


def _sci(x: float) -> str:
    return tex_number(x, 2, fixed_below=0)


def _gradient_descent(grad, theta0, lr, steps, loss):
    """Losses of fixed-step gradient descent, index 0 = start (numeric.optim's optimiser)."""
    from numeric.optim import gradient_descent

    return np.asarray(gradient_descent(grad, theta0, lr=lr, steps=steps, loss=loss).losses)


@figure("logistic-gradient", name="gradient-descent")   # it runs R9's gradient and Hessian, not R7's loss alone
@styled
def logistic_gradient_descent(path):
    from numeric.data import breast_cancer
    from numeric.generated.logistic import cross_entropy, cross_entropy_grad, cross_entropy_hessian

    data = breast_cancer()
    X, y = data.X, data.y
    n, p = X.shape
    Xt = np.column_stack([X, np.ones(n)])
    L = float(np.linalg.eigvalsh(Xt.T @ Xt / n)[-1]) / 4          # smoothness of the mean cross-entropy
    lam, steps = 1e-2, 3000

    def loss(th, lam=0.0):
        return cross_entropy(th[:p], th[p], X, y) + lam / 2 * th @ th

    def grad(th, lam=0.0):
        gw, gb = cross_entropy_grad(th[:p], th[p], X, y)
        return np.append(gw, gb) + lam * th

    plain = _gradient_descent(grad, np.zeros(p + 1), 1 / L, steps, loss)
    ridge = _gradient_descent(lambda th: grad(th, lam), np.zeros(p + 1), 1 / (L + lam), steps,
                              lambda th: loss(th, lam))
    th = np.zeros(p + 1)                                           # the ridge optimum, by Newton
    for _ in range(30):
        th = th - np.linalg.solve(cross_entropy_hessian(th[:p], th[p], X, y) + lam * np.eye(p + 1), grad(th, lam))
    fstar = loss(th, lam)

    k = np.arange(steps + 1)
    fig, (ax1, ax2) = new_figure(2)
    ax1.loglog(k[1:], plain[1:], color="tab:blue", lw=1.4, label=r"$\ell(\theta_k) - \inf\,\ell$")
    ax1.set(xlabel="iteration $k$", ylabel="gap to the optimum", title=r"no penalty: $\inf\,\ell = 0$, not attained")
    ax1.legend(frameon=False)
    gap = np.maximum(ridge - fstar, 1e-17)
    ax2.semilogy(k, gap, color="tab:red", lw=1.4, label=r"$f(\theta_k) - f^*$")
    ax2.semilogy(k, (ridge[0] - fstar) * (1 - lam / (L + lam)) ** k, color="black", lw=0.9, ls="--",
                 label=r"bound $(1 - \frac{\lambda}{L+\lambda})^k\,(f(\theta_0) - f^*)$")
    # the gap ends near 1e-12: the decades below it are left free for the legend, which covered the red curve
    ax2.set(xlabel="iteration $k$", title=rf"ridge $f = \ell + \frac{{\lambda}}{{2}}\|\theta\|^2$, $\lambda = {lam:g}$",
            ylim=(1e-19, 10.0))
    ax2.legend(frameon=False, loc="lower left")
    save(fig, path)
    return (r"Gradient descent from $\theta_0 = 0$ with step $1/L$ on the mean cross-entropy $\ell$ of the "
            r"breast cancer data ($N = %d$, $p = %d$, standardised columns), using the generated "
            r"\texttt{cross\_entropy\_grad} and \texttt{numeric.optim.gradient\_descent}; "
            r"$L = \lambda_{\max}(\tilde X^T\tilde X/N)/4 = %.2f$ with "
            r"$\tilde x = (x, 1)$. Left (log--log): these classes are linearly separable, so $\ell$ has "
            r"infimum $0$, never attained: $\|\theta_k\|$ grows without bound and the gap shrinks only "
            r"sublinearly ($\ell(\theta_{%d}) = %.3f$). Right: with a ridge penalty the "
            r"optimum $f^*$ (Newton's method with the generated \texttt{cross\_entropy\_hessian}) is attained "
            r"and the gap falls linearly, below the strong-convexity bound (dashed)." % (n, p, L, steps, plain[-1]))
