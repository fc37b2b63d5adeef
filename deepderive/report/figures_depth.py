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


def _layer_colours(depth: int):
    """One colour per layer from a sequential colormap, in clearly distinct steps (layer 1 dark, last light)."""
    from matplotlib import colormaps

    return [colormaps["viridis"](v) for v in np.linspace(0.0, 0.85, depth)]


def _histograms(ax, arrays, edges, colours, transform=lambda a: a):
    """Normalised histograms (each sums to 1) of every layer's transform(values) on the common bin `edges`."""
    centres = np.sqrt(edges[:-1] * edges[1:]) if edges[0] > 0 else (edges[:-1] + edges[1:]) / 2
    for k, (a, colour) in enumerate(zip(arrays, colours)):
        v = np.clip(transform(a), edges[0], edges[-1])
        counts, _ = np.histogram(v, bins=edges)
        ax.plot(centres, counts / a.size, color=colour, lw=1.2, label=f"layer {k + 1}")


def _span(values, digits: int = 3) -> str:
    """'a to b' of an array's smallest and largest values."""
    return f"{_fmt(float(np.min(values)), digits)} to {_fmt(float(np.max(values)), digits)}"


# ---- init-variance: Glorot and Bengio's figures 6-7 -------------------------------------------------

@figure("init-variance", name="glorot-bengio-histograms")
@styled
def glorot_bengio_histograms(path):
    from numeric import depth_study as S

    stats = {s: S.glorot_bengio(scheme=s) for s in S.GB_SCHEMES}
    first = stats["standard"]
    colours = _layer_colours(first.depth)
    fig = Figure(figsize=(6.4, 5.0), layout="constrained")
    axes = fig.subplots(2, 2)
    # |dL/dz| on log-spaced bins, one range for both columns (as Glorot and Bengio use one range per figure):
    # the standard init's gradients shrink by orders of magnitude from layer to layer, which a linear range
    # collapses into one or two bins; on a log axis each layer keeps its shape and the shift is visible
    mags = np.concatenate([np.abs(d).ravel() for st in stats.values() for d in st.deltas])
    lo, hi = float(mags[mags > 0].min()), float(mags.max())
    log_edges = np.geomspace(lo, hi, _BINS + 1)
    lin_edges = np.linspace(-1.0, 1.0, _BINS + 1)
    for col, scheme in enumerate(S.GB_SCHEMES):
        st = stats[scheme]
        _histograms(axes[0, col], st.activations, lin_edges, colours)
        axes[0, col].set(title=_SCHEME_TITLE[scheme], xlabel=r"activation $h_k = \tanh(z_k)$")
        _histograms(axes[1, col], st.deltas, log_edges, colours, np.abs)
        axes[1, col].set(xscale="log", xlabel=r"$|\partial L/\partial z_k|$ (log-spaced bins)")
    axes[0, 0].set_ylabel("fraction of values")
    axes[1, 0].set_ylabel("fraction of values")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=first.depth, frameon=False, fontsize=7)
    save(fig, path)
    std, gl = stats["standard"], stats["glorot"]
    total = {s: float(st.delta_std[0] ** 2 / st.delta_std[-1] ** 2) for s, st in stats.items()}
    worst = max(float(np.max(np.abs(np.concatenate([st.delta_ratio / st.delta_pred, st.act_ratio / st.act_pred]) - 1)))
                for st in stats.values())

    def fwd_bwd(st):
        return (r"activation standard deviation %s in layer 1, %s in layer %d, mean within $\pm %s$; per layer "
                r"$\operatorname{Var}(h_{k+1})/\operatorname{Var}(h_k)$ = %s against the linear gain "
                r"$q_{\rm in}\operatorname{Var}(W)$ = %s times $\tanh$'s measured squashing "
                r"$\operatorname{Var}(\tanh z)/\operatorname{Var}(z)$ = %s (measured/predicted %s); going back, "
                r"$\operatorname{Var}(\partial L/\partial z_k)/\operatorname{Var}(\partial L/\partial z_{k+1})$ = "
                r"%s against $q_{\rm out}\operatorname{Var}(W)$ = %s times the measured mean of $\tanh'(z_k)^2$ "
                r"= %s (measured/predicted %s); from layer %d down to layer 1 the gradient variance falls to "
                r"$%s$ times its value"
                % (_fmt(st.act_std[0]), _fmt(st.act_std[-1]), st.depth, _fmt(float(np.abs(st.act_mean).max()), 1),
                   _span(st.act_ratio), _span(st.fwd_gain, 3), _span(st.squash), _span(st.act_ratio / st.act_pred, 3),
                   _span(st.delta_ratio), _span(st.back_gain, 3), _span(st.tanh_prime_sq),
                   _span(st.delta_ratio / st.delta_pred, 3), st.depth, _fmt(total[st.scheme])))
    return (r"Glorot and Bengio's figures 6--7 reproduced with the generated \texttt{mlp.layers}: a $\tanh$ network "
            r"of %d hidden layers of width %d on %d rows of the standardised digits (64 pixels, $y = 1$ for the "
            r"digits 5--9), one sigmoid output, zero biases, at initialisation. Normalised histograms per hidden "
            r"layer of the activations (top, 101 bins on $[-1, 1]$) and of the magnitudes of the back-propagated "
            r"gradients $|\partial L/\partial z_k|$ (bottom, per row; 101 log-spaced bins on one range for both "
            r"columns, so that each layer keeps its shape while its scale shifts). Each panel has its own y-scale. "
            r"The derivation proves the linear gain $q\operatorname{Var}(W)$ (1/3 for the standard "
            r"initialisation, 1 for Glorot's at equal widths) and $|\tanh z| \le |z|$, $\tanh' \le 1$, so for "
            r"$\tanh$ the gain is at most the linear one; the predictions below are the linear gain times $\tanh$'s "
            r"factor measured on the same sample. Standard initialisation (left): %s. Normalised initialisation "
            r"(right): %s. A variance over $q = %d$ units fluctuates by about $\sqrt{2/q} = %s$ per layer; the largest "
            r"deviation of measured/predicted from 1 is %s of those. The registered checks judge these same ratios "
            r"(tolerance $4\sqrt{2/q}$)."
            % (first.depth, first.width, first.n, fwd_bwd(std), fwd_bwd(gl), first.width,
               _fmt(float(np.sqrt(2.0 / first.width)), 2), _fmt(worst / np.sqrt(2.0 / first.width), 2)))


_COLUMNS = (r"$\rho$", "pred.", "fwd", "bwd", r"$\sqrt{b/f}$")


@figure("init-variance", name="gradient-norms-per-layer")
@styled
def gradient_norm_table(path):
    from numeric import depth_study as S

    t = S.gradient_norms()
    logs = np.log10(t.norms)
    fig = Figure(figsize=(6.4, 4.3), layout="constrained")
    ax, tab = fig.subplots(1, 2, gridspec_kw={"width_ratios": (3.0, 1.45)})
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
    fig.colorbar(im, ax=ax, location="bottom", shrink=0.6, aspect=40, pad=0.02, label=r"$\log_{10}$ norm")
    # the per-layer gains next to the rows: measured forward and backward against the derivation's prediction
    tab.set(xlim=(-0.5, len(_COLUMNS) - 0.5), ylim=ax.get_ylim())
    tab.axis("off")
    for j, head in enumerate(_COLUMNS):
        tab.text(j, -0.6, head, ha="center", va="bottom", fontsize=7.5)
    for i in range(len(t.rows)):
        pred = "--" if np.isnan(t.predicted[i]) else f"{t.predicted[i]:.2f}"
        cells = (f"{t.decay[i]:.2f}", pred, f"{t.fwd[i]:.2f}", f"{t.bwd[i]:.2f}", f"{np.sqrt(t.bwd[i] / t.fwd[i]):.2f}")
        for j, cell in enumerate(cells):
            tab.text(j, i, cell, ha="center", va="center", fontsize=7,
                     weight="bold" if t.constant[i] and j in (1, 2, 3) else "normal")
    save(fig, path)
    rows = dict(zip(t.rows, range(len(t.rows))))
    sig = [rows[("sigmoid", s)] for s in ("standard", "glorot", "he") if ("sigmoid", s) in rows]
    other = [i for i, (a, _) in enumerate(t.rows) if a != "sigmoid"]
    const = [f"{a}/{s}" for (a, s), c in zip(t.rows, t.constant) if c]

    def listing(idx, f):
        return ", ".join(f"{t.rows[i][0]}/{t.rows[i][1]} {f(i)}" for i in idx)
    return (r"Left: Frobenius norms of the weight gradients $\partial L/\partial W_k$ of the mean cross-entropy at "
            r"initialisation (generated \texttt{mlp.value\_and\_grad}, $\lambda = 0$), %d hidden layers of width %d "
            r"on the %s, for each hidden activation and initialisation (one seed per scheme, shared by its three "
            r"activations). Right: per-layer variance gains over the $%d\times%d$ layers $k = 2..%d$ (dashed box), "
            r"each a geometric mean over the %d steps: fwd $= (\operatorname{Var} h_{%d}/\operatorname{Var} "
            r"h_1)^{1/%d}$ for the activations going up, bwd $= (\operatorname{Var}\,\partial L/\partial z_1/"
            r"\operatorname{Var}\,\partial L/\partial z_{%d})^{1/%d}$ for the back-propagated gradients going down; "
            r"pred.\ is the derivation's gain $q\operatorname{Var}(W)$ for $\tanh$ (exact in its linear regime, "
            r"otherwise an upper bound) and $q\operatorname{Var}(W)/2$ for ReLU, none for sigmoid (its outputs are "
            r"not zero-mean: mean activation %s). A row is marked [const] (bold) when the predicted gain is 1 and both "
            r"measured gains are within %d\%% of it: %s. $\rho$ is the per-layer ratio of the weight-gradient norms, "
            r"$(\|\partial L/\partial W_2\|/\|\partial L/\partial W_{%d}\|)^{1/%d}$. Since "
            r"$\partial L/\partial W_k = h_{k-1}^T\,\partial L/\partial z_k$ pairs one layer's activations with "
            r"the next one's gradients, $\rho \approx \sqrt{\rm bwd/fwd}$ (last column, $\sqrt{b/f}$): for $\tanh$ and ReLU "
            r"the two gains are nearly equal (bwd/fwd %s), so the weight-gradient norms stay level even where "
            r"both gains are far from 1. Sigmoid: fwd %s but bwd %s, so $\rho$ = %s, an exponential decay "
            r"towards the input. The bound is not $\frac14$ per layer but $\sigma' \le \frac14$ gives "
            r"$\|\partial L/\partial z_k\| \le \frac14\|W_{k+1}\|_2\,\|\partial L/\partial z_{k+1}\|$ per row "
            r"(largest ratio of the two sides %s, checked): the measured per-layer factor of the RMS of "
            r"$\partial L/\partial z$ is %s against the bound's geometric mean $\frac14\|W_{k+1}\|_2$ of %s "
            r"(standard, Glorot, He)."
            % (t.depth, t.width, t.data.replace("_", r"\_"), t.width, t.width, t.depth, t.depth - 1, t.depth,
               t.depth - 1, t.depth, t.depth - 1,
               _span(t.act_mean[sig], 2), round(100 * S.GAIN_TOL), ", ".join(const) if const else "none",
               t.depth, t.depth - 2,
               _span(t.bwd[other] / t.fwd[other], 2), _span(t.fwd[sig], 2), _span(t.bwd[sig], 2),
               ", ".join(f"{t.decay[i]:.2f}" for i in sig), _span(t.row_bound[sig], 2),
               ", ".join(f"{t.delta_decay[i]:.3f}" for i in sig), ", ".join(f"{t.bound[i]:.3f}" for i in sig)))


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
    # the bound drawn wide and light under the sigmoid median: on a log scale over 30 decades they nearly coincide
    # (the middle panel shows the gap)
    ax1.semilogy(L, bound, color="0.6", lw=3.2, solid_capstyle="butt", label=r"bound $(1/4)^L$")
    ax1.fill_between(L, lo, hi, color="tab:blue", alpha=0.25, lw=0, label="sigmoid, 10\u201390%")
    ax1.semilogy(L, med, color="tab:blue", lw=1.0, marker="o", ms=2, markevery=5, label="sigmoid, median")
    ax1.semilogy(L, np.median(c.relu_normalised, axis=1), color="tab:green", lw=1.4, label="ReLU, active path")
    ax1.set(xlabel="depth $L$", ylabel=r"$|d\hat y/dw_1| \,/\, (|x|\prod_{k\geq 2}|w_k|)$",
            title="normalised by the weights", ylim=(1e-33, 1e20))
    # every curve starts at or below 1 and falls (the ReLU one stays at 1): the decades above 1 are left free
    # for the legend, which would cover the curves anywhere else in this narrow panel
    ax1.legend(frameon=False, fontsize=6.5, loc="upper right", borderaxespad=0.2)
    # the same, divided by the bound: below 1 everywhere, the gap growing as (4 sigma')^L
    lo, med, hi = np.quantile(c.sigmoid_normalised / bound[:, None], [0.1, 0.5, 0.9], axis=1)
    ax3.fill_between(L, lo, hi, color="tab:blue", alpha=0.25, lw=0)
    ax3.plot(L, med, color="tab:blue", lw=1.4, label="sigmoid")
    ax3.axhline(1.0, color="black", lw=1.0, ls="--", label="bound")
    ax3.set(xlabel="depth $L$", ylim=(0, 1.05), title=r"sigmoid $/\,(1/4)^L$")
    ax3.legend(frameon=False, fontsize=6.5, loc="lower left")
    for raw, colour, label in ((c.sigmoid_raw, "tab:blue", "sigmoid"), (c.relu_raw, "tab:green", "ReLU, active path")):
        lo, med, hi = np.quantile(raw, [0.1, 0.5, 0.9], axis=1)
        ax2.fill_between(L, lo, hi, color=colour, alpha=0.2, lw=0)
        ax2.semilogy(L, med, color=colour, lw=1.4, label=label)
    ax2.set(xlabel="depth $L$", ylabel=r"$|d\hat y/dw_1|$", title=r"raw: $x, w_k \sim U[-1, 1]$")
    ax2.legend(frameon=False, fontsize=6.5, loc="lower left")
    save(fig, path)
    ratio = c.sigmoid_normalised / bound[:, None]
    per_layer = float(np.median(c.sigmoid_normalised[-1]) ** (1.0 / L[-1]))
    return (r"First-layer gradient of random scalar chains against depth $L = %d..%d$, %d chains per depth with "
            r"$x$ and every $w_k$ drawn from $U[-1, 1]$ (so $|w_k| \le 1$; seed 0). Sigmoid chains by the "
            r"generated \texttt{chain\_grad}; ReLU chains $\hat y = \mathrm{ReLU}(w_L \cdots \mathrm{ReLU}(w_1 x))$ "
            r"by the closed form $x\prod_{k\ge2} w_k$, with the signs of the same draws set so that the path is "
            r"active, and checked against autograd (largest relative difference $%s$). Left: divided by "
            r"$|x|\prod_{k\ge 2}|w_k|$, the sigmoid chain's gradient is $\prod_k \sigma'(u_{2k-1})$, below the bound "
            r"$(1/4)^L$ (wide grey) for every chain, too close to it to tell apart over %d decades, hence the middle "
            r"panel: divided by the bound, largest ratio $1 - %s$, median %s at $L = %d$, a "
            r"geometric mean $\sigma'$ of %.3f per layer against $\frac14$. The ReLU chain's is exactly 1 on "
            r"active paths. Right: the raw "
            r"gradients; with $|w_k| \le 1$ even the ReLU chain shrinks, through $\prod|w_k|$ alone (median "
            r"$%s$ at $L = %d$, sigmoid $%s$)."
            % (L[0], L[-1], c.chains, _fmt(c.relu_autograd_err), int(-np.log10(bound[-1])),
               _fmt(1.0 - float(ratio.max())), _fmt(float(np.median(ratio[-1])), 3),
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
        visible = any(frac[:, k].max() > 0 for _, _, frac in settings)
        ax1.bar(pos, [frac[:, k].mean() for _, _, frac in settings], width=width, color=colour, alpha=0.7,
                label=f"hidden layer {k + 1}" if visible else None)
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
    never = [k + 1 for k in range(layers) if all(frac[:, k].max() == 0 for _, _, frac in settings)]
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
               _fmt(float(r.loss[r.lrs[-1]].mean()), 3), constant)
            + (r" Hidden layer%s %s (width%s %s) ha%s no dead unit in any network at any setting (fraction 0 for "
               r"every seed), hence no bar%s." % ("s" if len(never) > 1 else "", ", ".join(map(str, never)),
                                               "s" if len(never) > 1 else "",
                                               ", ".join(str(r.widths[k]) for k in never),
                                               "ve" if len(never) > 1 else "s", "s" if len(never) > 1 else "")
               if never else ""))
