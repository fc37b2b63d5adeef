"""Figures of optimisation (R10–R13): GD's local model, the lecture's three pictures as strips, the step-size sweep, SGD against batch GD.

Every number drawn or quoted comes from numeric.gd_study in the same call (cached, fixed seeds, real data); the
checks of numeric.checks.optimisation judge the same functions.
"""
from __future__ import annotations

from functools import partial

import numpy as np
from matplotlib.figure import Figure

from .figures import figure, new_figure, save, styled, tex_number

_X = np.linspace(-5.5, 6.5, 1201)          # the pictures' θ axis
_YLIM = (-7.5, 6.0)
#: the iterations each strip shows (the last panel of the bounce: the orbit long after, with its trapping interval)
_PANELS = {"local": (0, 2, 4, 8), "global": (0, 2, 4, 8), "bounce": (0, 1, 2, 200)}
_TITLES = {"local": "picture 1", "global": "picture 2", "bounce": "picture 3"}


_fmt = partial(tex_number, fixed_below=1e5)


def _int(x: float) -> str:
    """An integer count for LaTeX with thin-space thousands."""
    return f"{int(round(x)):,}".replace(",", r"\,")


def _closeness(err: float) -> str:
    """How close a float endpoint is to the minimum (found by Newton on the generated L')."""
    return "the same double" if err == 0 else rf"to ${_fmt(err, 2)}$"


def _model_curve(ax, theta0, gamma, colour):
    """GD's local model at θ₀ (generated local_model), drawn where it is on the axes, and its minimiser."""
    from numeric.generated import gd

    m = gd.local_model(_X, theta0, gamma)
    shown = (m > _YLIM[0]) & (m < _YLIM[1])
    ax.plot(np.where(shown, _X, np.nan), m, color=colour, lw=1.1, ls="--")
    nxt = theta0 - gamma * float(gd.picture_grad(np.float64(theta0)))
    ax.plot([nxt], [float(gd.local_model(np.float64(nxt), theta0, gamma))], "v", color=colour, ms=4)
    return nxt


def _loss_axes(ax):
    from numeric.generated import gd

    ax.plot(_X, gd.picture_loss(_X), color="black", lw=1.3)
    ax.set(xlim=(_X[0], _X[-1]), ylim=_YLIM, xlabel=r"$\theta$")


def _strip(path, name):
    from numeric import gd_study as S
    from numeric.generated import gd

    pic = S.picture(name)
    panels = _PANELS[name]
    fig = Figure(figsize=(6.4, 1.95), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True)
    for ax, k in zip(axes, panels):
        _loss_axes(ax)
        seen = pic.path[:k + 1]
        if name == "bounce" and k > 10:
            b = S.bounce()
            ax.axvspan(*b.interval, color="tab:orange", alpha=0.15, lw=0)
            ax.plot(seen, gd.picture_loss(seen), "o", color="tab:blue", ms=1.5, alpha=0.5)
        else:
            ax.plot(seen, gd.picture_loss(seen), "-o", color="tab:blue", ms=2.5, lw=0.6, alpha=0.8)
            _model_curve(ax, pic.path[k], pic.gamma, "tab:red")
        ax.plot([pic.path[k]], [float(gd.picture_loss(pic.path[k]))], "o", color="tab:red", ms=4)
        ax.set_title(rf"$t = {k}$, $\theta_t = {pic.path[k]:.3f}$", fontsize=8)
    axes[0].set_ylabel(rf"{_TITLES[name]}: $L(\theta)$")
    save(fig, path)
    return pic


@figure("gd-pictures", name="picture-1-local")
@styled
def picture_local(path):
    from numeric import gd_study as S

    pic = _strip(path, "local")
    cp = S.critical_points()
    return (rf"The lecture's first picture: GD on $L(\theta) = 0.02((\theta - 0.333)^4 - 30\theta^2)$ from "
            rf"$\theta_0 = {pic.theta0}$ with $\gamma = {pic.gamma}$. Each panel: the loss (black), the local model "
            rf"$L(\theta_t) + (\theta - \theta_t)L'(\theta_t) + (\theta - \theta_t)^2/(2\gamma)$ at the iterate (dashed, "
            rf"its minimum $\theta_{{t+1}}$ marked $\triangledown$) and the iterates so far (blue). After "
            rf"{S.PICTURE_STEPS} steps $\theta = {pic.end:.10f}$, the left (local) minimum "
            rf"$\theta_{{\mathrm{{local}}}} = {cp.theta_local:.10f}$ ({_closeness(pic.end_err)}); "
            rf"$\gamma = {pic.gamma} < 2/L''(\theta_{{\mathrm{{local}}}}) = {cp.gamma_critical:.4f}$.")


@figure("gd-pictures", name="picture-2-global")
@styled
def picture_global(path):
    from numeric import gd_study as S

    pic = _strip(path, "global")
    cp = S.critical_points()
    return (rf"The second picture: the same loss and step $\gamma = {pic.gamma}$ from $\theta_0 = {pic.theta0}$, just "
            rf"right of the maximum $\theta_{{\max}} = {cp.theta_max:.4f}$: GD goes right and ends at "
            rf"$\theta = {pic.end:.10f}$, the global minimum $\theta_{{\mathrm{{global}}}} = {cp.theta_global:.10f}$ "
            rf"({_closeness(pic.end_err)}), overshooting it a little on the way: $\gamma L''(\theta_{{\mathrm{{global}}}}) "
            rf"= {pic.gamma * cp.curv_global:.3f} > 1$, so the last approach alternates sides; still "
            rf"$\gamma < 2/L''(\theta_{{\mathrm{{global}}}}) = {cp.gamma_critical_global:.4f}$.")


@figure("gd-pictures", name="picture-3-bounce")
@styled
def picture_bounce(path):
    from numeric import gd_study as S

    pic = _strip(path, "bounce")
    b, e = S.bounce(), S.escape()
    lo, hi = b.interval
    return (rf"The third picture: $\theta_0 = {pic.theta0}$, $\gamma = {pic.gamma}$. The slide calls it divergence; "
            rf"it is not. $\gamma$ exceeds $2/L''(\theta_{{\mathrm{{local}}}}) = {b.gamma_critical:.4f}$, so the left "
            rf"minimum repels and the iterates bounce around it for ever, but they stay in "
            rf"$I = [T(c), T(T(c))] = [{lo:.4f}, {hi:.4f}]$ (shaded in the last panel, with {_int(S.PICTURE_STEPS)} "
            rf"iterates), where $T(\theta) = \theta - \gamma L'(\theta)$ is the GD map and $c = {b.c:.4f}$ its critical "
            rf"point: $T(I) = [{b.image[0]:.4f}, {b.image[1]:.4f}] \subseteq I$ and $\theta_0 \in I$. They settle on "
            rf"no cycle: the orbit is chaotic, with Lyapunov exponent (mean of $\log|T'(\theta_t)|$ over "
            rf"{_int(b.keep)} steps) ${b.lyapunov:.3f} > 0$, and ${b.lyapunov_starts.min():.3f}$ to "
            rf"${b.lyapunov_starts.max():.3f}$ from {len(b.lyapunov_starts)} starts across $I$; no period up to "
            rf"{b.max_period} recurs. Escape to infinity from $\theta_0 = -2$ begins only at $\gamma = {e.crisis:.5f}$, "
            rf"where $T^2(c)$ reaches the maximum $\theta_{{\max}}$ (a boundary crisis; bisection on a "
            rf"{_int(e.steps)}-step bounded-orbit test gives {e.bisection:.5f}), not near 1.7 as the lecture's "
            rf"estimate had it.")


@figure("gd-pictures", name="orbit-diagram")
@styled
def orbit_diagram(path):
    from numeric import gd_study as S

    od, b, e = S.orbit_diagram(), S.bounce(), S.escape()
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    G = np.broadcast_to(od.gammas, od.tail.shape)
    # ~10^5 points: drawn as an image inside the vector figure, or the PDF and SVG weigh tens of MB
    ax1.plot(G.ravel(), od.tail.ravel(), ",", color="black", alpha=0.5, rasterized=True)
    ax2.plot(od.gammas, od.lyapunov, color="tab:blue", lw=0.7)
    ax2.axhline(0.0, color="black", lw=0.8)
    for ax in (ax1, ax2):
        for g, c, lab in ((b.gamma_critical, "tab:green", r"$\gamma_{\mathrm{crit}}$"), (b.gamma, "tab:red", r"$\gamma = 1.3$"),
                          (e.crisis, "tab:purple", "escape")):
            ax.axvline(g, color=c, lw=1.0, ls="--", label=lab)
    ax1.set(ylabel=rf"$\theta_t$, last {od.keep} of {od.burn + od.keep}", title=rf"GD from $\theta_0 = {od.theta0}$")
    ax1.legend(loc="upper left", frameon=False, fontsize=7)
    # the whole swept range: beyond the crisis the orbits escape and leave the panels blank
    ax2.set(xlabel=r"step size $\gamma$", ylabel="Lyapunov exponent", ylim=(-2.0, 1.0),
            xlim=(od.gammas[0], od.gammas[-1]))
    save(fig, path)
    return (rf"Where the third picture sits: GD on the lecture's loss from $\theta_0 = {od.theta0}$ for "
            rf"{len(od.gammas)} step sizes $\gamma \in [{od.gammas[0]:g}, {od.gammas[-1]:g}]$ (top: the last "
            rf"{od.keep} of {od.burn + od.keep} iterates; bottom: the mean of $\log|1 - \gamma L''(\theta_t)|$ over "
            rf"them, negative on an attracting cycle, positive on a chaotic orbit). Up to "
            rf"$\gamma_{{\mathrm{{crit}}}} = {b.gamma_critical:.4f}$ GD converges to the left minimum; beyond, a "
            rf"period-2 cycle, then period doublings into chaos; $\gamma = 1.3$ is chaotic (exponent "
            rf"${b.lyapunov:.3f}$); from $\gamma = {e.crisis:.4f}$ the orbit escapes to infinity (blank).")


# ---- gd-local-model ----------------------------------------------------------------------------------------

@figure("gd-local-model", name="local-model")
@styled
def local_model(path):
    from numeric.generated import gd

    theta0, gammas, colours = -1.0, (0.25, 0.5, 1.3), ("tab:green", "tab:blue", "tab:red")
    fig, (ax,) = new_figure(1, height=2.8)
    _loss_axes(ax)
    nxt = [_model_curve(ax, theta0, g, c) for g, c in zip(gammas, colours)]
    for g, c in zip(gammas, colours):
        ax.plot([], [], color=c, ls="--", label=rf"local model, $\gamma = {g}$")
    ax.plot([theta0], [float(gd.picture_loss(np.float64(theta0)))], "o", color="black", ms=4, label=r"$\theta_0$")
    ax.plot([], [], color="black", lw=1.3, label=r"the loss $L(\theta)$")
    ax.plot([], [], "v", color="grey", ms=4, label=r"GD step $\theta_0 - \gamma L'(\theta_0)$")
    # beside the axes: inside, the loss curve crosses every free spot wide enough for six entries
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=7)
    save(fig, path)
    slope = float(gd.picture_grad(np.float64(theta0)))
    steps = ", ".join(rf"${n:.4f}$" for n in nxt)
    return (rf"R10's local model on the lecture's loss at $\theta_0 = {theta0}$ ($L'(\theta_0) = {slope:.4f}$): "
            rf"$\hat L(\theta) = L(\theta_0) + (\theta - \theta_0)L'(\theta_0) + (\theta - \theta_0)^2/(2\gamma)$ "
            rf"for $\gamma = {', '.join(str(g) for g in gammas)}$ (generated \texttt{{local\_model}}). Each touches "
            rf"$L$ at $\theta_0$ with its slope; its minimiser ($\triangledown$) is the GD step "
            rf"$\theta_0 - \gamma L'(\theta_0)$: {steps}. A smaller $\gamma$ is a more curved, more cautious model.")


# ---- gd-step-size ------------------------------------------------------------------------------------------

@figure("gd-step-size", name="step-size-sweep")
@styled
def step_size_sweep(path):
    from numeric import gd_study as S

    sw = S.step_sweep()
    fig, (ax1, ax2) = new_figure(2, height=2.8)
    ok = sw.steps >= 0
    ax1.plot(sw.ratios[ok], sw.steps[ok], "o", color="tab:blue", ms=3, label="GD")
    pr = sw.predicted >= 0
    ax1.plot(sw.ratios[pr], sw.predicted[pr], "-", color="black", lw=0.8, label="closed form")
    best = 2 * sw.lam[-1] / (sw.lam[0] + sw.lam[-1])
    ax1.set(yscale="log", xlabel=r"$\gamma\,\lambda_{\max}$", ylabel=rf"steps to $\|\nabla L\|_\infty \leq {_fmt(sw.tol, 1)}$",
            xlim=(0, sw.ratios[-1] + 0.05))
    top = 1e30
    shown = np.isfinite(sw.final) & (sw.final < top)
    ax2.plot(sw.ratios[shown], sw.final[shown], "o", color="tab:blue", ms=3)
    ax2.plot(sw.ratios[~shown], np.full((~shown).sum(), top), "^", color="tab:red", ms=4, label=r"beyond $10^{30}$")
    ax2.set(yscale="log", ylim=(1e-20, 1e32), xlabel=r"$\gamma\,\lambda_{\max}$",
            ylabel=r"$L/L(\theta_0)$ at the end", xlim=(0, sw.ratios[-1] + 0.05))
    ax2.legend(loc="center left", frameon=False, fontsize=7)
    for ax in (ax1, ax2):
        ax.axvline(2.0, color="tab:red", lw=1.0, ls="--", label=r"$\gamma = 2/\lambda_{\max}$")
    ax1.axvline(best, color="tab:green", lw=0.8, ls=":", label=r"$2/(\lambda_{\min} + \lambda_{\max})$")
    # above the falling curve, its right edge left of the vertical markers at r = 1.9 and 2
    ax1.legend(loc="upper right", bbox_to_anchor=(1.8 / ax1.get_xlim()[1], 1.0), frameon=False, fontsize=7,
               borderaxespad=0.2)
    save(fig, path)
    reached = sw.ratios[ok]
    return (rf"R11 on a real quadratic: GD on $\frac12\theta^\top A\theta$, $A = X^\top X/N$ of 5 standardised "
            rf"breast-cancer features ($\lambda_{{\max}} = {sw.lam[-1]:.4f}$, $\lambda_{{\min}} = {sw.lam[0]:.4f}$), "
            rf"from one fixed $\theta_0$, for {len(sw.ratios)} steps $\gamma = r/\lambda_{{\max}}$. Left: steps until "
            rf"$\|\nabla L\|_\infty \leq {_fmt(sw.tol, 1)}$ (at most {_int(sw.max_steps)}), measured (dots) and from "
            rf"the eigen-decomposition's closed form (line), which agree step for step; fastest near "
            rf"$2/(\lambda_{{\min}} + \lambda_{{\max}})$ ($r = {best:.3f}$). Right: the loss ratio at the end; "
            rf"the tolerance is reached for $r \in [{reached.min():g}, {reached.max():g}]$ (the smaller $r$ are still "
            rf"decreasing after {_int(sw.max_steps)} steps), and for every $r > 2$ the loss grows without bound "
            rf"(${_fmt(sw.final[sw.ratios > 2][0], 2)}$ at $r = {sw.ratios[sw.ratios > 2][0]:g}$; $\triangle$: "
            rf"beyond $10^{{30}}$ or overflowed). At $r = 2$ exactly the top mode neither grows nor shrinks "
            rf"(ratio {_fmt(sw.final[np.isclose(sw.ratios, 2.0)][0], 3)}).")


# ---- sgd-unbiased ------------------------------------------------------------------------------------------

def _excess(curve, star):
    return np.maximum((curve.loss - star) / star, 1e-17)


@figure("sgd-unbiased", name="sgd-vs-gd")
@styled
def sgd_vs_gd(path):
    from numeric import gd_study as S

    r = S.sgd_vs_gd()
    N = r.n_train
    fig, (ax1, ax2) = new_figure(2, height=2.8)
    for c, lab, col in ((r.gd, "batch GD", "tab:blue"), (r.sgd, "SGD (averaged)", "tab:orange")):
        ax1.plot(np.maximum(c.updates, 1), _excess(c, r.loss_star), color=col, lw=1.1, label=lab)
        ax2.plot(np.maximum(c.evals, 1) / N, _excess(c, r.loss_star), color=col, lw=1.1, label=lab)
    ax1.set(xscale="log", yscale="log", xlabel="parameter updates", ylabel=r"$(L - L^*)/L^*$ (train)")
    ax2.set(xscale="log", yscale="log", xlabel=rf"epochs (gradient evaluations / $N$, $N = {N}$)")
    ax1.legend(loc="lower left", frameon=False, fontsize=7)
    save(fig, path)
    gd_ex, sgd_ex = _excess(r.gd, r.loss_star), _excess(r.sgd, r.loss_star)
    return (rf"Logistic regression on {r.description.replace('_', ' ')} with the generated loss and gradient: batch GD "
            rf"(step $1/L_\sigma = {r.gd_lr:.3f}$, {len(r.gd.loss) - 1} steps) and SGD (one row per step, step "
            rf"${S.SGD_LR}/(1 + t/{S.SGD_T0})$, Polyak--Ruppert average after the first epoch, {S.SGD_EPOCHS} epochs), "
            rf"against scikit-learn's optimum $L^* = {r.loss_star:.6f}$ (unpenalised, newton-cg). Left, per update: "
            rf"GD is far ahead. Right, per epoch ($N$ per-sample gradients): SGD is ahead early (after one epoch "
            rf"${_fmt(sgd_ex[np.searchsorted(r.sgd.evals, N)], 2)}$ against GD's "
            rf"${_fmt(gd_ex[1], 2)}$), then its excess falls only like $1/t$ and ends at ${_fmt(sgd_ex[-1], 2)}$, "
            rf"while GD's falls geometrically to ${_fmt(gd_ex[-1], 2)}$.")


@figure("sgd-unbiased", name="bottou-tradeoff")
@styled
def bottou_tradeoff(path):
    from numeric import gd_study as S

    r, t = S.sgd_vs_gd(), S.tradeoff()
    fig, (ax1, ax2) = new_figure(2, height=2.8)
    for c, lab, col in ((r.gd, "batch GD", "tab:blue"), (r.sgd, "SGD", "tab:orange")):
        ax1.plot(np.maximum(c.evals, 1), c.test_err, color=col, lw=1.0, label=lab, drawstyle="steps-post")
        ax2.plot(np.maximum(c.evals, 1), _excess(c, r.loss_star), color=col, lw=1.1, label=lab)
    ax1.axhline(t["test_level"], color="black", lw=0.8, ls=":", label=r"$\theta^*$ + 1 test point")
    ax1.axhline(r.test_err_star, color="black", lw=0.8, ls="--", label=r"at $\theta^*$")
    for x, col in ((t["sgd_test"], "tab:orange"), (t["gd_test"], "tab:blue")):
        ax1.axvline(x, color=col, lw=0.8, ls=":")
    T = np.geomspace(r.sgd.evals[-1], 3 * t["sgd_opt_pj"], 50)
    # an en dash: matplotlib sets "--" as two hyphens (no TeX ligature)
    ax2.plot(T, t["pj"] / (T - r.n_train), color="tab:orange", lw=1.0, ls="--", label="SGD, Polyak\u2013Juditsky")
    ax2.axhline(t["opt_level"], color="black", lw=0.8, ls=":")
    ax2.axvline(t["gd_opt"], color="tab:blue", lw=0.8, ls=":")
    ax2.axvline(t["sgd_opt_pj"], color="tab:orange", lw=0.8, ls=":")
    ax1.set(xscale="log", xlabel="per-sample gradient evaluations", ylabel="test error", ylim=(0, 0.45))
    ax1.set_xlim(right=2e7)      # room for the legend right of GD's dotted marker
    ax2.set(xscale="log", yscale="log", xlabel="per-sample gradient evaluations", ylabel=r"$(L - L^*)/L^*$ (train)")
    # right of the dotted markers, between the high early errors and the flat level near the optimum
    ax1.legend(loc="center right", frameon=False, fontsize=6.5, handlelength=1.2, borderaxespad=0.1, borderpad=0.1)
    ax2.legend(loc="lower left", frameon=False, fontsize=7)
    save(fig, path)
    return (rf"Bottou's trade-off, cost counted in per-sample gradient evaluations (deterministic, no timings). "
            rf"Left: test error on the {len(S.split().y_test)} held-out rows; to stay at or below "
            rf"${t['test_level']:.4f}$ (the optimum's ${r.test_err_star:.4f}$ plus one test point) SGD needs "
            rf"{_int(t['sgd_test'])} evaluations, GD {_int(t['gd_test'])}. Right: the optimisation error; to a "
            rf"relative excess of ${_fmt(t['opt_level'], 1)}$ GD needs {_int(t['gd_opt'])}, while SGD, whose "
            rf"{S.SGD_EPOCHS} epochs ({_int(t['sgd_evals'])} evaluations) end at ${_fmt(t['sgd_final'], 2)}$, would "
            rf"need about ${_fmt(t['sgd_opt_pj'], 2)}$ at the Polyak--Juditsky rate "
            rf"$\mathrm{{tr}}(H^{{-1}}\Sigma)/(2T) = {_fmt(t['pj'], 3)}/T$ (dashed: a prediction beyond the run). "
            rf"SGD is the better learner and the worse optimiser.")
