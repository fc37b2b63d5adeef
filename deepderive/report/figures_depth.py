"""Figures of the depth chapter (R19–R20): Glorot and Bengio's histograms, gradient norms per layer, chains over depth, dead ReLUs.

Every number drawn or quoted comes from numeric.depth_study in the same call (fixed seeds, real data);
the checks of numeric.checks.depth_study judge the same functions.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figures import figure, new_figure, save, styled

_SCHEME_TITLE = {"standard": r"standard, $U[\pm 1/\sqrt{q_{\rm in}}]$",
                 "glorot": r"normalised (Glorot), $U[\pm\sqrt{6/(q_{\rm in}+q_{\rm out})}]$",
                 "he": r"He, $N(0, 2/q_{\rm in})$"}
_BINS = 101


def _fmt(x: float, digits: int = 2) -> str:
    """A float for LaTeX: fixed point when readable, else m x 10^e."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:.{digits + 1}g}"
    m, e = f"{x:.{digits - 1}e}".split("e")
    return rf"{m}\times 10^{{{int(e)}}}"


def _histograms(ax, arrays, lim, colours):
    """Normalised histograms (each sums to 1) of every layer's values on a common range [−lim, lim]."""
    edges = np.linspace(-lim, lim, _BINS + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    for k, (a, colour) in enumerate(zip(arrays, colours)):
        counts, _ = np.histogram(np.clip(a, -lim, lim), bins=edges)
        ax.plot(centres, counts / a.size, color=colour, lw=1.1, label=f"layer {k + 1}")


# ---- init-variance: Glorot and Bengio's figures 6-7 -------------------------------------------------

@figure("init-variance", name="glorot-bengio-histograms")
@styled
def glorot_bengio_histograms(path):
    from numeric import depth_study as S

    stats = {s: S.glorot_bengio(scheme=s) for s in S.GB_SCHEMES}
    first = stats["standard"]
    colours = [(0.1 + 0.8 * k / (first.depth - 1), 0.25, 0.9 - 0.8 * k / (first.depth - 1))
               for k in range(first.depth)]
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    axes = fig.subplots(2, 2)
    # one gradient range for both schemes, as in the paper: the standard init's narrow peaks are the point
    glim = max(float(np.quantile(np.abs(d), 0.999)) for st in stats.values() for d in st.deltas)
    for col, scheme in enumerate(S.GB_SCHEMES):
        st = stats[scheme]
        _histograms(axes[0, col], st.activations, 1.0, colours)
        axes[0, col].set(title=_SCHEME_TITLE[scheme], xlabel=r"activation $h_k = \tanh(z_k)$")
        _histograms(axes[1, col], st.deltas, glim, colours)
        axes[1, col].set(xlabel=r"back-propagated gradient $\partial L/\partial z_k$")
        axes[1, col].locator_params(axis="x", nbins=5)
    axes[0, 0].set_ylabel("fraction of values")
    axes[1, 0].set_ylabel("fraction of values")
    axes[0, 1].legend(frameon=False, fontsize=7)
    save(fig, path)
    std, gl = stats["standard"], stats["glorot"]
    total = {s: float(st.delta_std[0] ** 2 / st.delta_std[-1] ** 2) for s, st in stats.items()}
    return (r"Glorot and Bengio's figures 6--7 reproduced with the generated \texttt{mlp.layers}: a $\tanh$ network "
            r"of %d hidden layers of width %d on %d rows of the standardised digits (64 pixels, $y = 1$ for the "
            r"digits 5--9), one sigmoid output, zero biases, at initialisation. Normalised histograms per hidden "
            r"layer of the activations (top) and of the back-propagated gradients $\partial L/\partial z_k$ "
            r"(bottom, per row; one range for both columns). Standard initialisation (left): the activations "
            r"narrow layer by layer (standard deviation %s in layer 1, %s in layer %d) and so do the gradients "
            r"going back, $\operatorname{Var}(\partial L/\partial z_k)/\operatorname{Var}(\partial L/\partial "
            r"z_{k+1})$ between %s and %s, against the derivation's $q\operatorname{Var}(W)\,E[\tanh'(z_k)^2] \le "
            r"q\operatorname{Var}(W) = 1/3$; from "
            r"layer %d down to layer 1 the variance falls by $%s$. Normalised initialisation (right): activation "
            r"standard deviation %s to %s, gradient variance ratios between %s and %s, a factor %s from layer %d down to layer 1."
            % (first.depth, first.width, first.n, _fmt(std.act_std[0]), _fmt(std.act_std[-1]), first.depth,
               _fmt(std.delta_ratio.min()), _fmt(std.delta_ratio.max()), first.depth, _fmt(total["standard"]),
               _fmt(gl.act_std[0]), _fmt(gl.act_std[-1]), _fmt(gl.delta_ratio.min()), _fmt(gl.delta_ratio.max()),
               _fmt(total["glorot"]), first.depth))


@figure("init-variance", name="gradient-norms-per-layer")
@styled
def gradient_norm_table(path):
    from numeric import depth_study as S

    t = S.gradient_norms()
    logs = np.log10(t.norms)
    fig, (ax,) = new_figure(1, width=6.4, height=3.9)
    im = ax.imshow(logs, cmap="viridis", aspect="auto")
    for (i, k), v in np.ndenumerate(logs):
        ax.text(k, i, f"{v:.1f}", ha="center", va="center", fontsize=6.5,
                color="white" if v < logs.min() + 0.6 * np.ptp(logs) else "black")
    labels = [f"{a}, {s}" + ("  [const]" if c else "") for (a, s), c in zip(t.rows, t.constant)]
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xticks(range(t.depth + 1), [str(k + 1) for k in range(t.depth + 1)])
    ax.set(xlabel=r"layer $k$ (1 = input side; %d = output)" % (t.depth + 1),
           title=r"$\log_{10}\|\partial L/\partial W_k\|_F$ at initialisation")
    ax.grid(False)
    band = slice(1, t.depth)
    ax.axvspan(band.start - 0.5, band.stop - 0.5, ymin=0, ymax=1, fill=False, ec="white", lw=1.2, ls="--")
    for i, rho in enumerate(t.decay):
        ax.text(t.depth + 0.7, i, rf"$\rho = {rho:.2f}$", ha="left", va="center", fontsize=7, clip_on=False)
    fig.colorbar(im, ax=ax, shrink=0.8, pad=0.1, label=r"$\log_{10}$ norm")
    save(fig, path)
    rows = dict(zip(t.rows, range(len(t.rows))))
    sig = [(s, rows[("sigmoid", s)]) for s in ("standard", "glorot", "he") if ("sigmoid", s) in rows]
    const = [f"{a}/{s}" for (a, s), c in zip(t.rows, t.constant) if c]
    return (r"Frobenius norms of the weight gradients $\partial L/\partial W_k$ of the mean cross-entropy at "
            r"initialisation (generated \texttt{mlp.value\_and\_grad}, $\lambda = 0$), %d hidden layers of width %d "
            r"on the %s, for each hidden activation and initialisation (one seed per "
            r"scheme, shared by its three activations). $\rho$ is the per-layer decay ratio, the geometric mean "
            r"of $\|\partial L/\partial W_k\|/\|\partial L/\partial W_{k+1}\|$ over the $%d\times%d$ layers "
            r"$k = 2..%d$ (dashed box), i.e.\ $(\|\partial L/\partial W_2\|/\|\partial L/\partial W_{%d}\|)^{1/%d}$; "
            r"a row is marked [const] when those norms stay within a factor %g of each other. Sigmoid decays "
            r"exponentially towards the input: $\rho = %s$ (%s init), against the scalar bound's $\frac14$ per "
            r"layer. For a matrix layer $\sigma' \le \frac14$ gives $\|\partial L/\partial z_k\| \le \frac14"
            r"\|W_{k+1}\|_2\,\|\partial L/\partial z_{k+1}\|$ per row (checked in the table of checks): the "
            r"measured mean factor for $\partial L/\partial z$ is %s against the bound's %s. Constant rows: %s. With $\tanh$ and ReLU the activations and the gradients "
            r"$\partial L/\partial z$ scale by the same factor per layer in opposite directions, so their product "
            r"$\partial L/\partial W_k = h_{k-1}^T\,\partial L/\partial z_k$ stays level (Glorot and Bengio's "
            r"observation); sigmoid's activations do not shrink (mean $\frac12$), so nothing compensates."
            % (t.depth, t.width, t.data.replace("_", r"\_"), t.width, t.width, t.depth, t.depth, t.depth - 2,
               S.CONSTANT_FACTOR, ", ".join(f"{t.decay[i]:.3f}" for _, i in sig), ", ".join(s for s, _ in sig),
               ", ".join(f"{t.delta_decay[i]:.3f}" for _, i in sig), ", ".join(f"{t.bound[i]:.3f}" for _, i in sig),
               ", ".join(const) if const else "none"))


# ---- depth-chain ---------------------------------------------------------------------------------------

@figure("depth-chain", name="gradient-vs-depth")
@styled
def chain_gradient_vs_depth(path):
    from numeric import depth_study as S

    c = S.chain_gradient_vs_depth()
    L = c.depths
    bound = 0.25 ** L.astype(float)
    fig, (ax1, ax3, ax2) = new_figure(3, height=2.7)
    lo, med, hi = np.quantile(c.sigmoid_normalised, [0.1, 0.5, 0.9], axis=1)
    ax1.fill_between(L, lo, hi, color="tab:blue", alpha=0.25, lw=0)
    ax1.semilogy(L, med, color="tab:blue", lw=1.4, label="sigmoid (median, 10-90%)")
    ax1.semilogy(L, np.median(c.relu_normalised, axis=1), color="tab:green", lw=1.4, label="ReLU, active path")
    ax1.semilogy(L, bound, color="black", lw=1.0, ls="--", label=r"bound $(1/4)^L$")
    ax1.set(xlabel="depth $L$", ylabel=r"$|d\hat y/dw_1| \,/\, (|x|\prod_{k\geq 2}|w_k|)$",
            title="normalised by the weights")
    ax1.legend(frameon=False, fontsize=6.5)
    # the same, divided by the bound: below 1 everywhere, the gap growing as (4 sigma')^L
    lo, med, hi = np.quantile(c.sigmoid_normalised / bound[:, None], [0.1, 0.5, 0.9], axis=1)
    ax3.fill_between(L, lo, hi, color="tab:blue", alpha=0.25, lw=0)
    ax3.plot(L, med, color="tab:blue", lw=1.4, label="sigmoid")
    ax3.axhline(1.0, color="black", lw=1.0, ls="--", label="bound")
    ax3.set(xlabel="depth $L$", ylim=(0, 1.05), title=r"sigmoid, divided by $(1/4)^L$")
    ax3.legend(frameon=False, fontsize=6.5)
    for raw, colour, label in ((c.sigmoid_raw, "tab:blue", "sigmoid"), (c.relu_raw, "tab:green", "ReLU, active path")):
        lo, med, hi = np.quantile(raw, [0.1, 0.5, 0.9], axis=1)
        ax2.fill_between(L, lo, hi, color=colour, alpha=0.2, lw=0)
        ax2.semilogy(L, med, color=colour, lw=1.4, label=label)
    ax2.set(xlabel="depth $L$", ylabel=r"$|d\hat y/dw_1|$", title=r"raw, $x, w_k \sim U[-1, 1]$")
    ax2.legend(frameon=False, fontsize=6.5)
    save(fig, path)
    ratio = c.sigmoid_normalised / bound[:, None]
    per_layer = float(np.median(c.sigmoid_normalised[-1]) ** (1.0 / L[-1]))
    return (r"First-layer gradient of random scalar chains against depth $L = %d..%d$, %d chains per depth with "
            r"$x$ and every $w_k$ drawn from $U[-1, 1]$ (so $|w_k| \le 1$; seed 0). Sigmoid chains by the "
            r"generated \texttt{chain\_grad}; ReLU chains $\hat y = \mathrm{ReLU}(w_L \cdots \mathrm{ReLU}(w_1 x))$ "
            r"by the closed form $x\prod_{k\ge2} w_k$, with the signs of the same draws set so that the path is "
            r"active, and checked against autograd (largest relative difference $%s$). Left: divided by "
            r"$|x|\prod_{k\ge 2}|w_k|$, the sigmoid chain's gradient is $\prod_k \sigma'(u_{2k-1})$, below the bound "
            r"$(1/4)^L$ for every chain (middle: divided by the bound; largest ratio $1 - %s$, median %s at $L = %d$, a "
            r"geometric mean $\sigma'$ of %.3f per layer against $\frac14$), while the ReLU chain's is exactly 1 on "
            r"active paths. Right: the raw "
            r"gradients; with $|w_k| \le 1$ even the ReLU chain shrinks, through $\prod|w_k|$ alone (median "
            r"$%s$ at $L = %d$, sigmoid $%s$)."
            % (L[0], L[-1], c.chains, _fmt(c.relu_autograd_err), _fmt(1.0 - float(ratio.max())), _fmt(float(np.median(ratio[-1]))),
               L[-1], per_layer, _fmt(float(np.median(c.relu_raw[-1]))), L[-1],
               _fmt(float(np.median(c.sigmoid_raw[-1])))))


# ---- activations: dying ReLU ---------------------------------------------------------------------------

@figure("activations", name="dying-relu")
@styled
def dying_relu(path):
    from numeric import depth_study as S
    from numeric.data import breast_cancer

    r = S.dying_relu()
    settings = [("at init", None, r.at_init)] + [(f"step {lr:g}", lr, r.after[lr]) for lr in r.lrs]
    layers = r.at_init.shape[1]
    fig, (ax1, ax2) = new_figure(2, height=2.8)
    x = np.arange(len(settings))
    width = 0.8 / layers
    for k in range(layers):
        colour = ("tab:green", "tab:olive", "tab:purple", "tab:brown")[k % 4]
        pos = x - 0.4 + width * (k + 0.5)
        ax1.bar(pos, [frac[:, k].mean() for _, _, frac in settings], width=width, color=colour, alpha=0.7,
                label=f"hidden layer {k + 1}")
        for p, (_, _, frac) in zip(pos, settings):
            ax1.plot(np.full(len(r.seeds), p), frac[:, k], "o", color="black", ms=2.5)
    ax1.set_xticks(x, [s for s, _, _ in settings])
    ax1.set(ylabel="fraction of units dead on every row", ylim=(0, 1.05), title="dead ReLU units (dots: seeds)")
    ax1.legend(frameon=False, fontsize=7, loc="upper left")
    y = breast_cancer().y
    prior = float(y.mean())
    constant = -(prior * np.log(prior) + (1 - prior) * np.log(1 - prior))
    for i, (_, lr, _) in enumerate(settings):
        ax2.plot(np.full(len(r.seeds), i), r.loss[lr], "o", color="tab:red", ms=4)
    ax2.axhline(constant, color="black", lw=0.9, ls="--", label="constant predictor")
    ax2.set_xticks(x, [s for s, _, _ in settings])
    ax2.set(ylabel="training loss", yscale="log", title=f"after {r.epochs} epochs of SGD")
    ax2.legend(frameon=False, fontsize=7)
    save(fig, path)
    mean = {lr: float(r.after[lr].mean()) for lr in r.lrs}
    worst = {lr: float(r.after[lr].max()) for lr in r.lrs}

    def pct(f):
        return f"{100 * f:.0f}\\%"
    return (r"Dying ReLUs on the breast cancer data ($N = %d$, standardised): networks of widths $%s$, He "
            r"initialisation (seeds %s), trained by minibatch SGD (\texttt{numeric.optim.sgd}, batch %d, %d epochs, "
            r"constant step) with the generated \texttt{mlp.value\_and\_grad}. A unit is dead when its output is 0 "
            r"on every training row; then its bias and all its weights get exactly zero gradient (a registered "
            r"check), so only a change below it can revive it. At initialisation %.0f\%% of the hidden units are dead; "
            r"after training with step %s, %s (mean training loss %s); with step %s, %s on average (up to %s of a "
            r"layer); with step %s, %s on average (up to %s of a layer), and the mean training loss is %s, against "
            r"$%.3f$ for the best constant predictor (dashed)."
            % (len(y), ", ".join(map(str, r.widths)), ", ".join(map(str, r.seeds)), r.batch, r.epochs,
               100 * float(r.at_init.mean()),
               _fmt(r.lrs[0]), pct(mean[r.lrs[0]]), _fmt(float(r.loss[r.lrs[0]].mean()), 3),
               _fmt(r.lrs[1]), pct(mean[r.lrs[1]]), pct(worst[r.lrs[1]]),
               _fmt(r.lrs[-1]), pct(mean[r.lrs[-1]]), pct(worst[r.lrs[-1]]),
               _fmt(float(r.loss[r.lrs[-1]].mean()), 3), constant))
