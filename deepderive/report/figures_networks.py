"""Figures of the networks chapter: training against scikit-learn, gradients against autograd, forward vs reverse.

Every number drawn is deterministic: fixed seeds and data, and no timings (the forward-vs-reverse
figure plots counted operations; measured times live in the check table, where noise can do no harm).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .figures import figure, new_figure, save, styled, tex_number

_COLOURS = {"sigmoid": "tab:blue", "tanh": "tab:orange", "relu": "tab:green", "leaky_relu": "tab:red",
            "start": "tab:blue", "trained": "tab:red"}
#: what a legend calls each activation: the reader's words and symbols, not the Python identifiers
_NAMES = {"sigmoid": r"$\sigma$", "tanh": r"$\tanh$", "relu": "ReLU", "leaky_relu": "leaky ReLU"}


_sci = partial(tex_number, digits=2, fixed_below=0)


def _gradient_scatter(ax, pairs, title):
    """|generated| against |autograd| on log axes, one colour per key (an activation, "start", "trained"); the
    diagonal dashed. The points lie on the diagonal, so the legend goes in the corner below it."""
    lo, hi = np.inf, 0.0
    for key, claim, ref in pairs:
        keep = (np.abs(ref) > 0) & (np.abs(claim) > 0)
        a, c = np.abs(ref[keep]), np.abs(claim[keep])
        lo, hi = min(lo, a.min(), c.min()), max(hi, a.max(), c.max())
        ax.scatter(a, c, s=7, alpha=0.7, color=_COLOURS.get(key, "tab:purple"), label=_NAMES.get(key, key),
                   edgecolor="none")
    ax.plot([lo, hi], [lo, hi], color="black", lw=0.8, ls="--")
    ax.set(xscale="log", yscale="log", xlabel="|autograd| of the reference loss", ylabel="|generated|",
           title=title, aspect="equal")
    ax.legend(loc="lower right", frameon=False, markerscale=1.5)


# ---- backprop ------------------------------------------------------------------------------------

def _backprop_gradients():
    """(activation, point, claim, autograd) at depth 3 for every activation, both points."""
    import autograd

    from numeric.checks import networks as N
    from numeric.generated import mlp

    X, y, _ = N._grad_data()
    out = []
    for activation, depth, label, widths, W, b in N.gradient_cases():
        if depth != 3:
            continue
        _, gW, gb = mlp.value_and_grad(W, b, X, y, activation=activation, lam=N.LAM)
        f = N._reference_theta_loss(widths, X, y, activation, N.LAM)
        ref = np.asarray(autograd.grad(f)(N.flatten(W, b)))
        out.append((activation, label, N.flatten(gW, gb), ref))
    return out


@figure("backprop", name="gradient-vs-autograd")
@styled
def backprop_gradient_vs_autograd(path):
    rows = _backprop_gradients()
    fig, (ax1, ax2) = new_figure(2, height=3.0)
    _gradient_scatter(ax1, [(a, c, r) for a, p, c, r in rows if p == "moderate"],
                      "moderate points")
    _gradient_scatter(ax2, [(a, c, r) for a, p, c, r in rows if p == "saturating"],
                      "saturating points ($\\max|s| = 60$)")
    worst = max(float(np.max(np.abs(c - r)) / np.max(np.abs(r))) for _, _, c, r in rows)
    save(fig, path)
    return (r"Every weight and bias gradient of a depth-3 MLP (widths $(4, 5, 5, 1)$, $\lambda = 10^{-3}$) on "
            r"64 breast-cancer rows, from the generated \texttt{mlp.value\_and\_grad} against autograd applied to "
            r"an independently written textbook loss, for each hidden activation. Left: Glorot-initialised "
            r"weights; right: saturating weights (hidden weights $\times 4$ for $\sigma$ and $\tanh$, output "
            r"rescaled to $\max|s| = 60$). ReLU points are moved off the kinks. Every point lies on the "
            r"diagonal: the largest normwise relative difference is $%s$." % _sci(worst))


@figure("backprop", name="training-vs-sklearn")
@styled
def backprop_training_vs_sklearn(path):
    from numeric.checks import networks as N

    fig, (ax1, ax2) = new_figure(2, height=2.9)
    worst = 0.0
    for activation in N.SKLEARN_ACTIVATION:
        widths, ours, theirs, losses, sk = N.trajectories(activation)
        k = np.arange(len(losses))
        colour = _COLOURS[activation]
        ax1.plot(k, losses, color=colour, lw=1.4)
        ax1.plot(k[::5], sk[::5], "o", color=colour, ms=3.5, mfc="none")
        # one entry per activation, line and circle together (the caption says which is which): six entries
        # would cover the steep first steps
        ax1.plot([], [], "o-", color=colour, lw=1.4, ms=3.5, mfc="none", label=_NAMES[activation])
        rel = np.max(np.abs(ours - theirs), axis=1) / np.max(np.abs(theirs), axis=1)
        worst = max(worst, float(rel.max()))
        ax2.semilogy(np.arange(len(rel))[1:], np.maximum(rel[1:], 1e-18), color=colour, lw=1.2, label=_NAMES[activation])
    ax1.set(xlabel="full-batch step", ylabel="training loss", title="loss along the trajectory")
    # the free middle of the panel, below the slow sigmoid curve and above the fast tanh and ReLU ones
    ax1.legend(loc="center left", bbox_to_anchor=(0.4, 0.36), frameon=False, fontsize=7)
    ax2.axhline(N.TRAJ_TOL, color="black", lw=0.9, ls="--", label="tolerance $10^{-10}$")
    ax2.set(xlabel="full-batch step", ylabel=r"$\max|\theta_{\rm gen} - \theta_{\rm sk}| / \max|\theta_{\rm sk}|$",
            title="distance between the two trajectories", ylim=(1e-18, 1e-8))
    ax2.legend(frameon=False, fontsize=7)
    save(fig, path)
    return (r"Full-batch gradient descent on breast cancer ($N = 569$, 30 standardised features, widths "
            r"$(30, 8, 8, 1)$, step $%g$, $\lambda = %g$) with the generated gradient, against scikit-learn's "
            r"\texttt{MLPClassifier} (SGD solver, momentum 0, batch size $N$, no shuffling, constant step, "
            r"$\alpha = 2N\lambda$) advanced by one \texttt{partial\_fit} per step from the same weights. Left: the generated loss (lines) and scikit-learn's \texttt{loss\_} (circles). Right: the "
            r"two parameter trajectories stay within $%s$ of each other (relative to the largest parameter) over "
            r"%d steps." % (N.TRAJ_LR, N.TRAJ_LAM, _sci(worst), N.TRAJ_STEPS))


# ---- guiding example -----------------------------------------------------------------------------

@figure("guiding-example", name="training-and-gradient")
@styled
def guiding_training_and_gradient(path):
    import autograd
    import autograd.numpy as anp

    from numeric.checks import networks as N
    from numeric.data import breast_cancer
    from numeric.generated import guiding

    d = breast_cancer()
    X, y = d.X, d.y
    r, split = N.guiding_training()
    fig, (ax1, ax2) = new_figure(2, height=3.0)
    ax1.plot(np.arange(len(r.losses)), r.losses, color="tab:blue", lw=1.4, marker="o", ms=2.5)
    ax1.set(xlabel="epoch", ylabel=r"loss $\ell$ on all rows", yscale="log",
            title=f"SGD, batch {N.GUIDE_BATCH}, step {N.GUIDE_LR}")
    pairs = []
    A0, B0 = N._guide_start(X.shape[1], N.GUIDE_HIDDEN)
    for label, (A, B) in (("start", (A0, B0)), ("trained", split(r.theta))):
        _, g1, g2 = guiding.value_and_grad(A, B, X, y, N.GUIDE_LAM)
        f = lambda A_, B_: N.guiding_reference_loss(A_, B_, X, y, N.GUIDE_LAM, anp)
        ref = np.concatenate([np.ravel(autograd.grad(f, 0)(A, B)), autograd.grad(f, 1)(A, B)])
        pairs.append((label, np.concatenate([np.ravel(g1), g2]), ref))
    _gradient_scatter(ax2, pairs, r"$(\mathrm{d}\ell/\mathrm{d}W_1, \mathrm{d}\ell/\mathrm{d}W_2)$")
    worst = max(float(np.max(np.abs(c - a)) / np.max(np.abs(a))) for _, c, a in pairs)
    save(fig, path)
    return (r"The guiding example (R17) $\ell = \mathrm{cross\_ent}(y, \sigma(W_2^T\sigma(W_1^Tx))) + \lambda(\|W_1\| "
            r"+ \|W_2\|)$, mean over the breast-cancer rows ($N = %d$, $p = %d$, $q = %d$, $\lambda = %g$). Left: "
            r"the loss per epoch of SGD (\texttt{numeric.optim.sgd}, seed 0) with the generated "
            r"\texttt{guiding.value\_and\_grad}, from %.3f to %.3f. Right: the generated gradient against autograd "
            r"of the lecture's loss written independently, at the start and at the trained weights; largest "
            r"normwise relative difference $%s$." % (len(y), X.shape[1], N.GUIDE_HIDDEN, N.GUIDE_LAM, r.losses[0],
                                                    r.losses[-1], _sci(worst)))


# ---- forward vs reverse mode ---------------------------------------------------------------------

@figure("forward-vs-reverse", name="sweep-costs")
@styled
def forward_vs_reverse_costs(path):
    from numeric.checks import networks as N

    rows = N.fvr_counts()
    fig, (ax1, ax2) = new_figure(2, height=2.9)
    for ax, key, fixed in ((ax1, "n", "m"), (ax2, "m", "n")):
        sel = [r for r in rows if r[fixed] == N.FVR_FIXED]
        x = np.array([r[key] for r in sel], dtype=float)
        fwd = np.array([r["ops"]["forward"] / r["ops"]["eval"] for r in sel])
        rev = np.array([r["ops"]["reverse"] / r["ops"]["eval"] for r in sel])
        ax.loglog(x, fwd, "o-", color="tab:blue", lw=1.4, ms=4, label="forward: $n$ JVP sweeps")
        ax.loglog(x, rev, "s-", color="tab:red", lw=1.4, ms=4, label="reverse: $m$ VJP sweeps")
        ax.loglog(x, 2 * x, color="black", lw=0.8, ls="--", label=f"$2{key}$")
        ax.set(xlabel=f"${key}$ (with ${fixed} = {N.FVR_FIXED}$)", ylabel="Jacobian cost / one evaluation",
               title=f"varying the {'input' if key == 'n' else 'output'} width ${key}$")
        ax.legend(frameon=False, fontsize=7)
    c = [r["ops"][mode] / (r[k] * r["ops"]["eval"]) for r in rows for mode, k in (("forward", "n"), ("reverse", "m"))]
    save(fig, path)
    return (r"The Jacobian of an MLP $f: \mathrm{R}^n \to \mathrm{R}^m$ (widths $(n, %d, %d, m)$, $\tanh$ hidden "
            r"layers) by forward mode ($n$ sweeps, \texttt{numeric.jacobian.forward\_jacobian}) and reverse mode "
            r"($m$ sweeps), its cost counted in multiply-adds relative to one evaluation of $f$: forward mode costs "
            r"$n\,c$ and reverse mode $m\,c$ evaluations with $c \in [%.2f, %.2f]$ by operation count, so reverse "
            r"wins when $n \gg m$ and forward when $m \gg n$ (R18). Counts, not times, are drawn so the figure is "
            r"the same on every run; the measured wall-clock constant $c$ is in the check table." %
            (N.FVR_HIDDEN, N.FVR_HIDDEN, min(c), max(c)))


# ---- activations (R20) and the MLP (R15) -----------------------------------------------------------

@figure("activations", name="relu-family-and-depth-bound")
@styled
def activations_relu_family(path):
    from numeric import depth_study as S
    from numeric.generated.activations import leaky_relu, leaky_relu_prime, relu, relu_prime, sigmoid_prime

    fig, (ax1, ax2) = new_figure(2)
    z = np.linspace(-3.0, 3.0, 601)
    ax1.plot(z, relu(z), color=_COLOURS["relu"], lw=1.6, label=r"$\mathrm{ReLU}(z)$")
    ax1.plot(z, leaky_relu(z), color=_COLOURS["leaky_relu"], lw=1.2, ls="--", label=r"LeakyReLU, $\alpha = 0.1$")
    # the derivatives jump at 0: each side drawn on its own (no vertical line), the value at 0 a filled dot and
    # the other side's limit an open one
    left, right = z[z < 0], z[z > 0]
    for f, colour, label in ((relu_prime, _COLOURS["relu"], r"$\mathrm{ReLU}'$"),
                             (leaky_relu_prime, _COLOURS["leaky_relu"], r"$\mathrm{LeakyReLU}'$")):
        ax1.plot(left, f(left), color=colour, lw=1.0, alpha=0.7, label=label)
        ax1.plot(right, f(right), color=colour, lw=1.0, alpha=0.7)
        at0 = float(f(np.float64(0.0)))
        limits = {float(f(np.float64(-1e-9))), float(f(np.float64(1e-9)))} - {at0}
        ax1.plot([0.0], [at0], "o", color=colour, ms=4)
        ax1.plot([0.0] * len(limits), sorted(limits), "o", mfc="white", mec=colour, ms=4)
    ax1.set(xlabel="$z$", title=r"the ReLU family; $\mathrm{ReLU}'(0) = 0$ by convention", ylim=(-0.5, 3.1))
    ax1.legend(loc="upper left", frameon=False)

    # R20's setting x = 1, |w_k| = 1 (random signs): real chains by the generated chain_grad against (1/4)^L
    u = S.unit_chains()
    L = u.depths
    bound = 0.25 ** L.astype(float)
    ax2.semilogy(L, bound, color="0.6", lw=3.2, solid_capstyle="butt", label=r"bound $(1/4)^L$")
    ax2.fill_between(L, u.sigmoid.min(axis=1), u.sigmoid.max(axis=1), color=_COLOURS["sigmoid"], alpha=0.3, lw=0)
    ax2.semilogy(L, np.median(u.sigmoid, axis=1), "o-", color=_COLOURS["sigmoid"], lw=1.0, ms=2.5,
                 label="sigmoid chains (median, range)")
    ax2.semilogy(L, u.relu_active, color=_COLOURS["relu"], lw=1.4, label=r"ReLU, active path ($w_k = +1$)")
    # the gradients end near 1e-12: the decades below are left free for the legend
    ax2.set(xlabel="depth $L$", ylabel=r"$|d\hat y/dw_1|$", title=r"$x = 1$, $|w_k| = 1$, random signs",
            ylim=(1e-17, 10.0))
    ax2.legend(loc="lower left", frameon=False, fontsize=7)
    save(fig, path)
    ratio = u.sigmoid / bound[:, None]
    alive = u.relu_random.mean(axis=1)
    first_dead = int(L[np.argmax(alive == 0)]) if np.any(alive == 0) else None
    return (r"Left: ReLU and leaky ReLU ($\alpha = 0.1$) with their derivatives, by "
            r"\texttt{numeric.generated.activations}; at the kink a filled dot marks the value the code returns "
            r"(the lecture's convention, $\mathrm{ReLU}'(0) = %g$, $\mathrm{LeakyReLU}'(0) = %g$) and an open one "
            r"the limit from the right. Right: %d chains per depth with $x = 1$ and $w_k = \pm 1$, signs drawn at "
            r"random (seed %d), so $|d\hat y/dw_1|$ equals its normalised form $|d\hat y/dw_1|/(|x|\prod_{k\ge2}"
            r"|w_k|)$. The sigmoid chains' gradients, by the generated \texttt{chain\_grad}, stay below the bound "
            r"$(1/4)^L$: their ratio to it lies between %s and %s (%s to %s at $L = %d$): $\sigma'(u) = \frac14$ only at $u = 0$, "
            r"while here $u_1 = \pm 1$ ($\sigma'(\pm 1) = %s$) and every later $|u_k| = \sigma(u_{k-1}) > 0$. On "
            r"an active ReLU path (every $w_k = +1$) autograd gives $d\hat y/dw_1 = %s$ at every depth; with random "
            r"signs only the chains whose every $w_k$ is $+1$ are active (the fraction with gradient 1 is %s at "
            r"$L = 1$%s), the others have gradient 0."
            % (float(relu_prime(np.float64(0.0))), float(leaky_relu_prime(np.float64(0.0))), u.chains, u.seed,
               _num(ratio.min()), _num(ratio.max()), _num(ratio[-1].min()), _num(ratio[-1].max()), L[-1],
               _num(float(sigmoid_prime(np.float64(1.0)))),
               _num(float(u.relu_active.min())) if u.relu_active.min() == u.relu_active.max() else
               f"{_num(float(u.relu_active.min()))}..{_num(float(u.relu_active.max()))}",
               _num(alive[0]), f", 0 from $L = {first_dead}$ on, against $2^{{-L}}$" if first_dead else ""))


def _num(x: float) -> str:
    """A float for a caption: 3 significant digits."""
    return f"{float(x):.3g}"


@figure("mlp", name="linear-collapse")
@styled
def mlp_linear_collapse(path):
    from numeric.generated.mlp import forward

    rng = np.random.default_rng(15)
    fig, (ax1, ax2) = new_figure(2)
    x = np.linspace(-3.0, 3.0, 401)[:, None]
    widths = (1, 16, 16, 1)
    weights = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in zip(widths, widths[1:])]
    biases = [rng.normal(size=b) for b in widths[1:]]
    for name in ("sigmoid", "tanh", "relu"):
        ax1.plot(x[:, 0], forward(weights, biases, x, activation=name), color=_COLOURS[name], lw=1.4,
                 label=_NAMES[name])
    ax1.set(xlabel="$x$", ylabel=r"$P(y = 1 \mid x)$", title="one network, three hidden activations")
    ax1.legend(loc="best", frameon=False)
    # identity activations: the same weights collapse to one layer, logit linear in x
    W = weights[0] @ weights[1] @ weights[2]
    c = (biases[0] @ weights[1] + biases[1]) @ weights[2] + biases[2]
    ax2.plot(x[:, 0], (x @ W + c)[:, 0], color="black", lw=1.4, label=r"$(W_1W_2W_3)^T x + c$")
    ax2.set(xlabel="$x$", ylabel="logit", title="without the nonlinearity: one linear layer")
    ax2.legend(loc="best", frameon=False)
    save(fig, path)
    return (r"Left: \texttt{numeric.generated.mlp.forward} for one set of weights (widths 1, 16, 16, 1) with "
            r"sigmoid, tanh and ReLU hidden layers. Right: with the identity as activation the same weights "
            r"compose to a single linear map, as the derivation's step $W_2^T(W_1^T x + b_1) + b_2 = "
            r"(W_1W_2)^T x + (W_2^T b_1 + b_2)$ shows.")
