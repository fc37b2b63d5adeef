"""Figures of R23 (Neal's infinite-width limit): sampled covariance vs kernel, kurtosis vs width, GP vs finite draws.

Every number drawn or quoted comes from numeric.nngp_study's cached runs, the ones numeric.checks.nngp judges.
"""
from __future__ import annotations


import numpy as np
from matplotlib.figure import Figure

from .figures import figure, new_figure, save, styled, tex_number

_COLOURS = {"erf": "tab:blue", "relu": "tab:red", "step": "tab:green"}
_TITLES = {"erf": r"$\mathrm{erf}$", "relu": "ReLU", "step": r"step $H$"}
_DRAW_COLOURS = ("tab:blue", "tab:orange", "tab:purple", "tab:brown", "tab:olive", "tab:cyan")
_FINE = 241


def _direction() -> str:
    from numeric import nngp_study as S

    return "(%s)" % ", ".join(f"{d:g}" for d in S.DIRECTION)


def _prior_tex(prior) -> str:
    return (r"$\sigma_u = %g$, $\sigma_a = %g$, $\omega_v = %g$, $\sigma_b = %g$"
            % (prior.sigma_u, prior.sigma_a, prior.omega_v, prior.sigma_b))


def _g(x: float, digits: int = 2) -> str:
    """A caption number, 2 significant digits unless told (a partial with digits= refused _g(x, 4))."""
    return tex_number(x, digits)


@figure("nngp", name="sampled-covariance")
@styled
def sampled_covariance(path):
    from numeric import nngp_study as S

    c = S.covariance_study()
    t = np.linspace(c.t[0], c.t[-1], _FINE)
    shown = (c.widths[0], c.widths[-1])
    fig, axes = new_figure(3, height=2.5)
    for ax, a in zip(axes, S.ACTIVATIONS):
        ax.plot(t, S.kernel(S.line(t), S.x_fixed(), a, c.prior)[:, 0], color=_COLOURS[a], lw=1.4,
                label="kernel")
        for q, marker, shift in zip(shown, ("o", "s"), (-0.06, 0.06)):
            ax.errorbar(c.t + shift, c.mc[a][q], yerr=2.0 * c.se[a][q], fmt=marker, ms=3, lw=0.8, capsize=1.5,
                        color="black" if q == shown[0] else "0.5", label=f"$q = {q}$")
        ax.axvline(c.t_fixed, color="0.6", lw=0.8, ls=":")
        ax.set(xlabel="$t$,  $x = t\\,%s$" % _direction(), title=_TITLES[a])
    axes[0].set_ylabel(r"$E[f(x)f(x')]$")
    # the ReLU kernel is flat and low on the left; short labels keep the legend left of the dotted t = 1
    axes[1].legend(frameon=False, fontsize=6.5, loc="upper left")
    save(fig, path)
    zmax = {q: max(float(np.max(np.abs(c.z[a][q]))) for a in S.ACTIVATIONS) for q in c.widths}
    return (r"The covariance $E[f(x)f(x')]$ of sampled finite networks $f(x) = b + \sum_{j=1}^q v_j h_j(x)$ "
            r"($v_j \sim N(0, \omega_v^2/q)$, %s) against the generated \texttt{nngp.kernel} $\sigma_b^2 + "
            r"\omega_v^2 E[h(x)h(x')]$ (lines), for $x$ on the line $t\,%s$ and $x'$ fixed at $t = %g$ "
            r"(dotted). One pool of $%d$ hidden units with all weights drawn (seed %d; the three activations share "
            r"them) is cut into $%d/q$ independent networks of each width $q$. Points: the mean of $f(x)f(x')$ over "
            r"the %d networks at $q = %d$ and the %d at $q = %d$, bars $\pm 2$ standard errors. The covariance is the kernel at "
            r"every width, not only as $q \to \infty$: the largest $|$estimate $-$ kernel$|$ over the %d points and "
            r"three activations is %s standard errors at $q = %s$ respectively (checked: at most %g)."
            % (_prior_tex(c.prior), _direction(), c.t_fixed, c.units, S.COV_SEED, c.units,
               c.networks[shown[0]], shown[0], c.networks[shown[1]], shown[1], len(c.t),
               ", ".join(f"{zmax[q]:.2f}" for q in c.widths), ", ".join(map(str, c.widths)), S.Z))


@figure("nngp", name="kurtosis-vs-width")
@styled
def kurtosis_vs_width(path):
    from numeric import nngp_study as S

    k = S.kurtosis_study()
    q = np.array(k.widths, dtype=float)
    qq = np.geomspace(q[0] * 0.8, q[-1] * 1.25, 50)
    fig, (ax1, ax2) = new_figure(2, height=2.8)
    for i, a in enumerate(S.ACTIVATIONS):
        col, A = _COLOURS[a], float(k.formula[a][0] * k.widths[0])
        shift = 1.0 + 0.06 * (i - 1)
        ax1.loglog(qq, A / qq, color=col, lw=1.0, label=f"{_TITLES[a]}: ${A:.3g}/q$")
        pos = k.kappa[a] > 2.0 * k.se[a]
        lower = np.where(pos, 2.0 * k.se[a], 0.0)
        ax1.errorbar(q[pos] * shift, k.kappa[a][pos], yerr=[lower[pos], 2.0 * k.se[a][pos]], fmt="o", ms=3.5,
                     color=col, lw=0.9, capsize=1.5)
        # widths where the estimate is within 2 SE of 0: its upper 2-SE bound only, as a downward triangle
        ax1.plot(q[~pos] * shift, (k.kappa[a] + 2.0 * k.se[a])[~pos], "v", ms=4, color=col, mfc="none")
        ax2.errorbar(q * shift, k.kappa[a] / k.formula[a], yerr=2.0 * k.se[a] / k.formula[a], fmt="o", ms=3.5,
                     color=col, lw=0.9, capsize=1.5, label=_TITLES[a])
    ax1.set(xlabel="width $q$", ylabel="excess kurtosis of $f(x')$", title=r"kurtosis $\to 0$ as $1/q$")
    ax1.legend(frameon=False, fontsize=6.5, loc="lower left")
    ax2.axhline(1.0, color="black", lw=1.0)
    ax2.axhline(0.0, color="0.6", lw=0.8, ls=":")
    ax2.set_xscale("log")
    ax2.set(xlabel="width $q$", ylabel="estimate / formula", ylim=(-1.5, 3.0),
            title=r"estimate over the $1/q$ formula ($\pm 2$ SE)")
    ax2.legend(frameon=False, fontsize=6.5, loc="upper left")
    save(fig, path)
    resolved = {a: [w for w, kap, se in zip(k.widths, k.kappa[a], k.se[a]) if kap > S.Z * se] for a in S.ACTIVATIONS}
    zmax = {a: float(np.max(np.abs(k.z[a]))) for a in S.ACTIVATIONS}
    return (r"Excess kurtosis $E f^4/(E f^2)^2 - 3$ of $f(x')$ ($x' = %g\,%s$, %s) over sampled networks: one "
            r"pool of $%d$ hidden units (seed %d) cut into $%d/q$ independent networks of width $q$, standard errors "
            r"by the delta method from the sample moments up to $f^8$. Lines: the lecture's "
            r"$3\omega_v^4(E h^4 - (E h^2)^2)/(q(\sigma_b^2 + \omega_v^2 E h^2)^2)$, with $E h^2$, $E h^4$ by "
            r"quadrature: %s. Left (log--log): estimates with $\pm 2$ SE; an open triangle marks the upper "
            r"2-SE bound where the estimate is within 2 SE of 0. Right: the estimate over the formula (1 under the "
            r"law; bars cut at the axes where the SE dwarfs the kurtosis). Largest $|$estimate $-$ formula$|$: "
            r"%s SE (checked: at most %g); the estimate is more than "
            r"%g SE above 0 (the non-Gaussianity resolved) up to $q$ = %s; least-squares slopes of $\log\kappa$ "
            r"against $\log q$ over the widths where the estimate exceeds 3 SE: %s (the law: $-1$). The kurtosis "
            r"falls with the width while the covariance (previous figure) does not change."
            % (S.T_FIXED, _direction(), _prior_tex(k.prior), k.units, S.KURT_SEED, k.units,
               "; ".join(f"{_TITLES[a]} ${_g(float(k.formula[a][0] * k.widths[0]), 4)}/q$" for a in S.ACTIVATIONS),
               ", ".join(f"{_TITLES[a]} {zmax[a]:.2f}" for a in S.ACTIVATIONS), S.Z, S.Z,
               ", ".join(f"{max(resolved[a]) if resolved[a] else '--'} ({_TITLES[a]})" for a in S.ACTIVATIONS),
               ", ".join(f"{_TITLES[a]} ${k.slope[a]:.2f}$" for a in S.ACTIVATIONS)))


@figure("nngp", name="gp-vs-finite-networks")
@styled
def gp_vs_finite(path):
    from numeric import nngp_study as S

    g = S.gp_samples()
    small, large = g.widths
    fig = Figure(figsize=(6.4, 5.4), layout="constrained")
    axes = fig.subplots(3, 3, sharex=True)
    for row, a in zip(axes, S.ACTIVATIONS):
        panels = ((g.finite[a][small], f"{a}, network $q = {small}$"), (g.finite[a][large], f"network $q = {large}$"),
                  (g.gp[a], "GP prior (kernel)"))
        lim = max(float(np.max(np.abs(d))) for d, _ in panels) * 1.05
        for ax, (draws, title) in zip(row, panels):
            for d, colour in zip(draws, _DRAW_COLOURS):
                ax.plot(g.t, d, lw=1.0, color=colour, alpha=0.9)
            ax.set(ylim=(-lim, lim), title=title)
            ax.title.set_fontsize(8)
    for ax in axes[-1]:
        ax.set_xlabel("$t$")
    save(fig, path)
    return (r"Prior draws on the line $x = t\,%s$, $t \in [%g, %g]$ (%d points), %s, %d draws per panel. "
            r"Left and middle: sampled networks $f(x) = b + \sum_{j=1}^q v_j h_j(x)$ with all weights drawn, at "
            r"$q = %d$ and $q = %d$. Right: the Gaussian process with the generated kernel, $L\xi$ with "
            r"$\xi \sim N(0, I)$ and $LL^T$ the Cholesky factorisation of $K + %s\,\max_i K_{ii}\, I$ (the jitter: "
            r"the smooth kernels' smallest eigenvalues are at rounding level, smallest over largest eigenvalue of "
            r"$K$: %s). At $q = %d$ a step network is a staircase of at most %d jumps and a ReLU network is "
            r"piecewise linear with at most %d kinks: far from Gaussian, though its covariance is already the "
            r"kernel's. At $q = %d$ the draws look like the GP's (the step network's many small jumps give the rough, "
            r"Brownian-like paths of the kernel $(\pi - \theta)/2\pi$)."
            % (_direction(), g.t[0], g.t[-1], len(g.t), _prior_tex(g.prior), S.GP_DRAWS, small, large, _g(g.jitter, 2),
               ", ".join(f"{a} ${_g(g.min_eig[a], 2)}$" for a in S.ACTIVATIONS), small, small, small, large))
