"""Figures of the capacity chapter (R21, R22, R24): the interpolant's error, R11's loss in ReLU pieces, Barron's trade-off, linear regions.

Every number drawn or quoted comes from numeric.capacity_study in the same cached calls (fixed seeds) that the
checks of numeric.checks.capacity judge.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figures import figure, new_figure, save, styled, tex_number


#: R11's local minimum on the left (the lecture: θ ≈ −3.3613).
LEFT_MINIMUM = -3.3613


_fmt = tex_number


# ---- linear-regions (R24) ------------------------------------------------------------------------------

@figure("linear-regions", name="pieces-vs-neurons")
@styled
def pieces_vs_neurons(path):
    from numeric import capacity as C
    from numeric import capacity_study as S

    rows = S.random_counts()
    cons = S.constructions()
    fig, (ax1, ax2) = new_figure(2, height=3.0)
    q, L = 3, 2
    x = np.linspace(0.0, 1.0, 2001)
    for net, colour, label in ((C.sawtooth_network(q, L), "tab:blue", rf"sawtooth: $q^L = {q ** L}$"),
                               (C.montufar_network(q, L), "tab:red", rf"Montúfar: $q^{{L-1}}(q+1) = {q * (q + 1)}$")):
        w, b = net
        h = x[:, None]
        for W, c in zip(w[:-1], b[:-1]):
            h = np.maximum(h @ W + c, 0.0)
        y = (h @ w[-1] + b[-1])[:, 0]
        y = y / np.max(np.abs(y))
        kinks = [float(t) for t in C.breakpoints(w, b, 0.0, 1.0)]
        ax1.plot(x, y, color=colour, lw=1.3, label=label)
        ax1.plot(kinks, np.interp(kinks, x, y), "o", color=colour, ms=2.5)
    ax1.set(xlabel="$x$", ylabel="output (scaled to max 1)", title=rf"$q = {q}$, $L = {L}$: exact breakpoints (dots)",
            ylim=(-0.05, 1.35))
    ax1.legend(loc="upper center", frameon=False, fontsize=7, ncol=1)

    markers = {8: "o", 16: "s", 32: "^"}
    for width in S.RANDOM_WIDTHS:
        sel = [r for r in rows if r.width == width]
        n = [r.neurons for r in sel]
        ax2.plot(n, [r.mean for r in sel], marker=markers.get(width, "o"), color="tab:green", lw=1.0, ms=4,
                 label=rf"He, width {width}")
        ax2.plot(n, [r.montufar_bound for r in sel], marker=markers.get(width, "o"), color="tab:red", lw=0.8,
                 ls="--", ms=3, mfc="none")
        for r in sel:
            ax2.plot([r.neurons] * len(r.counts), r.counts, ".", color="tab:green", ms=2, alpha=0.6)
    grid = np.array([8, 128])
    ax2.plot(grid, grid, color="black", lw=0.8, ls=":", label="count = neurons")
    ax2.plot([], [], color="tab:red", ls="--", label=r"$q^{L-1}(q+1)$")
    ax2.set(xscale="log", yscale="log", xlabel="neurons $qL$", ylabel="linear pieces (exact)",
            title=rf"random networks on $[{S.RANDOM_INTERVAL[0]:g}, {S.RANDOM_INTERVAL[1]:g}]$")
    ax2.legend(loc="upper left", frameon=False, fontsize=6.5)
    save(fig, path)
    slope = S.loglog_slope(rows)
    per = [r.mean / r.neurons for r in rows]
    big = [c for c in cons if c.sawtooth > S.SAMPLES]
    return (r"Left: the networks of \texttt{numeric.capacity} with $q = %d$, $L = %d$: the sawtooth (a $q$-tooth "
            r"zig-zag per layer) and Mont\'ufar's construction ($L-1$ zig-zag layers, then a layer with $q$ kinks "
            r"inside $(0, 1)$), with their breakpoints found by \texttt{count\_regions} in exact rational "
            r"arithmetic. Over $(q, L) \in \{%s\}$ the exact counts equal $q^L$ and $q^{L-1}(q+1)$ every time (up to "
            r"%d pieces); %d equally spaced samples see at most as many, and the sawtooths with more pieces than "
            r"samples show only %s (the check lists the Mont\'ufar ones too). Right: exact counts of random "
            r"networks (\texttt{numeric.init.network}, He weights "
            r"$N(0, 2/q_{\rm in})$, biases $N(0, %s^2)$; zero biases would make the network positively homogeneous, "
            r"with at most 2 pieces), %d seeds per shape (dots; lines through the means), widths %s, depths %s: the "
            r"mean count per neuron stays between %s and %s, a log--log slope of %s against the neuron count "
            r"(linear: 1, Hanin \& Rolnick 2019), while the construction's $q^{L-1}(q+1)$ (dashed) grows "
            r"exponentially in depth: at $L = %d$ the random networks reach %s of it at most."
            % (q, L, ", ".join(f"({c.q},{c.L})" for c in cons), max(c.montufar for c in cons), S.SAMPLES,
               ", ".join(f"{c.sawtooth_sampled} of {c.sawtooth}" for c in big), _fmt(S.BIAS_SD, 2),
               len(S.RANDOM_SEEDS), ", ".join(map(str, S.RANDOM_WIDTHS)), ", ".join(map(str, S.RANDOM_DEPTHS)),
               _fmt(min(per), 2), _fmt(max(per), 2), _fmt(slope, 2), max(S.RANDOM_DEPTHS),
               _fmt(max(r.mean / r.montufar_bound for r in rows if r.depth == max(S.RANDOM_DEPTHS)), 2)))


# ---- universal-approximation (R21) --------------------------------------------------------------------

@figure("universal-approximation", name="interpolant-error")
@styled
def interpolant_error(path):
    from numeric import capacity_study as S

    rows = S.sine_errors()
    q = np.array([r.q for r in rows], dtype=float)
    sup = np.array([r.sup for r in rows])
    bound = np.array([r.bound for r in rows])
    fig, (ax1, ax2) = new_figure(2)
    ax1.loglog(q, bound, color="black", lw=1.0, ls="--", label=r"bound $\pi^2/(2q^2)$")
    ax1.loglog(q, sup, "o", color="tab:blue", ms=3.5, label=r"measured $\sup|f - f_q|$")
    ax1.set(xlabel="units $q$", ylabel="sup error", title=r"$f(x) = \sin 2\pi x$ on $[0, 1]$")
    ax1.legend(frameon=False)
    ax2.semilogx(q, sup / bound, "o-", color="tab:blue", ms=3.5, lw=1.0, label="measured / bound")
    tail = q >= 8
    ax2.semilogx(q[tail], 1.0 - 7.0 * np.pi ** 2 / (12.0 * q[tail] ** 2), color="black", lw=0.8, ls=":",
                 label=r"$1 - 7\pi^2/(12q^2)$")
    ax2.axhline(1.0, color="black", lw=0.8, ls="--")
    ax2.set(xlabel="units $q$", ylabel=r"$\sup|f - f_q| \,/\, (\pi^2/2q^2)$", title="the bound is tight as $q$ grows",
            ylim=(0.6, 1.03))
    ax2.legend(frameon=False, loc="lower right")
    save(fig, path)
    last = rows[-1]
    return (r"The ReLU interpolant $f_q(x) = f(0) + \sum_{i<q} c_i\,\mathrm{ReLU}(x - i/q)$ of $\sin 2\pi x$ "
            r"(\texttt{numeric.capacity.relu\_interpolant}) for $q = %s$. Its sup error is measured per piece on a "
            r"grid of %d points, then at 30 digits (mpmath) at the exact maximum $\cos 2\pi x = s_i/2\pi$ of the "
            r"pieces within %s\%% of the worst. Left: the error never exceeds $(h^2/8)\max|f''| = \pi^2/(2q^2)$. "
            r"Right: the ratio tends to 1, as $1 - 7\pi^2/(12q^2)$ (dotted; the error of the chord next to the knot "
            r"$x = 1/4$, where $|f''| = 4\pi^2$ is largest, expanded to fourth order): %s at $q = %d$ "
            r"($\sup = %s$). At every $q$, $f_q$ agrees with \texttt{numpy.interp} on the same knots to $%s$."
            % (", ".join(str(r.q) for r in rows), S.GRID_PER_PIECE, _fmt(100 * S.CANDIDATE, 2),
               f"{last.sup / last.bound:.7f}", last.q, _fmt(last.sup), _fmt(max(r.interp_diff for r in rows), 2)))


@figure("universal-approximation", name="r11-strip")
@styled
def r11_strip(path):
    from numeric import capacity as C
    from numeric import capacity_study as S

    g = C.relu_interpolant(S.r11_loss, S.R11_UNITS, *S.R11_INTERVAL)
    fits = S.r11_fits()
    grid = S.r11_grid()
    target = S.r11_loss(grid)
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    top = fig.subfigures(2, 1, height_ratios=(1.0, 1.25))
    axes = top[0].subplots(1, len(S.STRIP_PANELS), sharey=True)
    for ax, k in zip(axes, S.STRIP_PANELS):
        part = S.partial_interpolant(k)
        ax.plot(grid, target, color="0.6", lw=1.6)
        ax.plot(grid, part(grid), color="tab:blue", lw=1.1)
        ax.plot(g.knots[:k + 1], g.values[:k + 1], "o", color="tab:blue", ms=2.5)
        ax.set(title=f"{k} unit{'s' if k > 1 else ''}", xlabel=r"$\theta$", ylim=(-7.0, 2.0), xlim=S.R11_INTERVAL)
    axes[0].set_ylabel(r"$L(\theta)$")
    ax1, ax2 = top[1].subplots(1, 2)
    ax1.plot(grid, target, color="0.6", lw=2.2, label=r"$L(\theta)$")
    ax1.plot(grid, g(grid), color="tab:blue", lw=1.1, label="13-knot construction")
    shades = ["tab:orange", "tab:red", "tab:purple", "tab:brown"]
    for f, colour in zip(fits, shades):
        ax1.plot(grid, f(grid), color=colour, lw=0.9, ls="--", label=f"SGD, seed {f.seed}")
    ax1.set(xlabel=r"$\theta$", ylim=(-7.0, 3.5), title="12 ReLU units: construction vs SGD")
    ax1.legend(frameon=False, fontsize=6, loc="upper right", ncol=2)
    ax2.plot(grid, np.abs(g(grid) - target), color="tab:blue", lw=1.0, label="construction")
    for f, colour in zip(fits, shades):
        ax2.plot(grid, np.abs(f(grid) - target), color=colour, lw=0.8, ls="--")
    ax2.axhline(S.r11_bound(), color="black", lw=0.8, ls=":", label=r"$(h^2/8)\max|L''|$")
    # the errors fill the panel up to about 5: the decade above them is left free for the legend
    ax2.set(xlabel=r"$\theta$", yscale="log", ylim=(1e-4, 1e2), title="absolute error")
    ax2.legend(frameon=False, fontsize=6.5, loc="upper center", ncol=2, borderaxespad=0.2)
    save(fig, path)
    f0 = fits[0]
    lo, hi = S.R11_INTERVAL
    return (r"R11's loss $L(\theta) = 0.02((\theta - 0.333)^4 - 30\theta^2)$ (grey) in ReLU pieces at 13 knots on "
            r"$[-5, 6]$, $h = 11/12$. Top: the lecture's animation as a strip, the units added one at a time "
            r"(%s units): $L(x_0) + \sum_{i<k} c_i\,\mathrm{ReLU}(\theta - x_i)$ interpolates $L$ on $[x_0, x_k]$ "
            r"and goes on along its last chord. Bottom: the finished 12-unit construction has sup error %s and RMS "
            r"%s on $[-5, 6]$, within the bound $(h^2/8)\max|L''| = %s$ ($\max|L''|$ at $\theta = 6$). Against it, "
            r"one-hidden-layer ReLU networks of the same 12 units trained by minibatch SGD (\texttt{numeric.optim.sgd}, "
            r"%d epochs over %d rows $\theta \sim U[-5, 6]$, batches of %d, step %s, squared loss on inputs rescaled to "
            r"$[-1, 1]$; He initial weights, first-layer kinks uniform; the gradient is the generated "
            r"\texttt{mlp.layers} back-propagation, whose deltas at labels 0 and 1 differ by $\partial s/\partial z_k$, "
            r"times the residual), one run per seed: %s. SGD minimises the mean squared error, not the sup, and from "
            r"some initialisations it settles in a poor minimum: units whose kink $-b_j/w_j$ lies outside $[-5, 6]$ "
            r"(they add only an affine term there) %s, and the leftmost kink inside $[-5, 6]$ at %s (seeds in "
            r"order): %d of the %d runs have no kink left of the local minimum $\theta \approx -3.36$ and are a "
            r"single line over the left well."
            % (", ".join(map(str, S.STRIP_PANELS)), _fmt(f0.construction_sup), _fmt(f0.construction_rms),
               _fmt(S.r11_bound()), S.SGD_EPOCHS, S.SGD_ROWS, S.SGD_BATCH, _fmt(S.SGD_LR),
               "; ".join(f"seed {f.seed}: sup {_fmt(f.sgd_sup)}, RMS {_fmt(f.sgd_rms)}, {f.sgd_pieces} pieces"
                         for f in fits),
               ", ".join(str(sum(not lo <= k <= hi for k in f.kinks)) for f in fits),
               ", ".join(f"${_fmt(min(k for k in f.kinks if lo <= k <= hi), 2)}$" for f in fits),   # math: a minus
               sum(min(k for k in f.kinks if lo <= k <= hi) > LEFT_MINIMUM for f in fits), len(fits)))


# ---- barron (R22) -----------------------------------------------------------------------------------------

@figure("barron", name="error-vs-units")
@styled
def barron_error(path):
    from numeric import capacity_study as S

    b = S.barron()
    q = np.array(b.qs, dtype=float)
    fig, (ax,) = new_figure(1, width=5.2, height=3.2)
    ax.plot(q, b.mise, color="black", lw=1.4, label="expected integrated squared error")
    ax.errorbar(q, b.mc, yerr=2 * b.mc_se, fmt="o", color="tab:grey", ms=2.5, lw=0.7,
                label=f"Monte Carlo, {S.BARRON_MC} noise draws ($\\pm 2$ s.e.)")
    ax.plot(q, b.bias2, color="tab:blue", lw=1.0, ls="--", label=r"bias$^2$ (approximation)")
    ax.plot(q, b.variance, color="tab:orange", lw=1.0, ls="--", label="variance (estimation)")
    ax.plot(q, b.shape(q), color="tab:red", lw=1.0, ls=":",
            label=r"fitted shape $a/q + b\,(q/N)\log N$")
    ax.axvline(b.q_best, color="black", lw=0.6, ls="-.")
    ax.axvline(b.q_star, color="tab:red", lw=0.6, ls="-.")
    ax.set(yscale="log", xlabel="units $q$", ylabel="error", ylim=(1e-3, 1.0),
           title=rf"$N = {b.n}$: measured minimum at $q = {b.q_best}$, fitted $q^* = {b.q_star:.1f}$")
    ax.legend(frameon=False, fontsize=6.5, loc="upper right")
    save(fig, path)
    return (r"Barron's trade-off on $y = \sin 2\pi x + \varepsilon$, $\varepsilon \sim N(0, %s^2)$, $N = %d$ rows "
            r"$x \sim U[0, 1]$ (seed %d), $p = 1$: $q$ ReLU units $\mathrm{ReLU}(x - i/q)$ (the interpolant's) and a "
            r"bias, output layer fitted by least squares. The expected mean integrated squared error over the noise is "
            r"computed in closed form as bias$^2$ + variance (the fit is linear in $y$) and agrees with a Monte Carlo "
            r"over %d noise draws (points). The variance grows as $\sigma^2(q+1)/N$ (ratio %s--%s), the estimation "
            r"term $(qp/N)\log N$ without its $\log N$; the bias falls, here much faster than $C^2/q$ (a smooth "
            r"target in one dimension). The curve is U-shaped with its minimum %s at $q = %d$. The bound's shape "
            r"$a/q + b(q/N)\log N$ fitted to the curve (relative least squares, $a, b \ge 0$; fitted constants, not "
            r"Barron's $C_f$): $a = %s$, $b = %s$, minimised at $q^* = \sqrt{a/b}\,\sqrt{N/(p\log N)} = %s$, against "
            r"the measured %d."
            % (_fmt(S.BARRON_NOISE, 2), b.n, S.BARRON_SEED, S.BARRON_MC,
               _fmt(float(np.min(b.variance * b.n / (S.BARRON_NOISE ** 2 * (q + 1)))), 3),
               _fmt(float(np.max(b.variance * b.n / (S.BARRON_NOISE ** 2 * (q + 1)))), 3),
               _fmt(float(b.mise.min())), b.q_best, _fmt(b.a), _fmt(b.b), f"{b.q_star:.2f}", b.q_best))
