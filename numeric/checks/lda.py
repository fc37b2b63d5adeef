"""Numeric checks of the generated LDA posterior against Bayes' rule with Gaussian densities and sklearn."""
from __future__ import annotations

import numpy as np

from ..floats import EPS, TINY
from . import register
from .result import CheckResult, tex_num

DERIVATION = "lda-posterior"


def _estimates(X, y):
    """Class means, pooled within-class covariance and prior of class 1, as sklearn's LDA
    (solver "lsqr"/"eigen", no shrinkage) estimates them: covariance_ = sum_k prior_k * S_k with S_k
    the biased (1/N_k) class covariance, i.e. the within-class scatter divided by N, not N - 2."""
    N = len(y)
    mu = [X[y == k].mean(axis=0) for k in (0, 1)]
    scatter = sum((X[y == k] - mu[k]).T @ (X[y == k] - mu[k]) for k in (0, 1))
    return mu[0], mu[1], scatter / N, float(np.mean(y))


def _datasets():
    from numeric.data import iris_two_class, wine_two_class

    return [iris_two_class(), wine_two_class()]


@register(DERIVATION)
def against_bayes_rule() -> list[CheckResult]:
    from scipy.special import expit
    from scipy.stats import multivariate_normal as mvn

    from numeric.generated import lda as G

    out = []
    for d in _datasets():
        X, y = d.X, d.y
        N, n = X.shape
        mu0, mu1, S, pi = _estimates(X, y)
        got = G.lda_posterior(X, mu0, mu1, S, pi)

        # The oracle runs in standardised coordinates u = (x - c)/s: the Jacobian of that map is
        # common to both class densities and cancels in Bayes' rule, so the posterior is unchanged,
        # while scipy's eigh-based logpdf, whose error grows with the normwise kappa(Sigma), no
        # longer sees wine's raw feature scales (kappa 5.8e6 raw vs ~28 standardised).
        c, s = X.mean(axis=0), X.std(axis=0)
        U = (X - c) / s
        m0, m1, C, _ = _estimates(U, y)
        log_odds = mvn.logpdf(U, m1, C) + np.log(pi) - mvn.logpdf(U, m0, C) - np.log1p(-pi)
        ref = expit(log_odds)
        err = np.abs(got - ref)

        # First-order error bounds on the log-odds a, times dp/da = p(1-p):
        # generated: GEPP solve is componentwise backward stable, (Sigma + E) w = dmu with
        #   |E| <= 3n eps |Sigma|, so |da_i| <= 3n eps |Sigma^-1 (x_i - m)|^T |Sigma| |w| (scale-free);
        # oracle: eigh is normwise backward stable, so the Mahalanobis terms move by at most
        #   3n eps ||C|| ||C^-1 (u - m_k)||^2.
        w, _ = G.lda_params(mu0, mu1, S, pi)
        V = np.linalg.solve(S, (X - (mu0 + mu1) / 2).T).T
        gen = 3 * n * EPS * (np.abs(V) @ np.abs(S) @ np.abs(w))
        V0 = np.linalg.solve(C, (U - m0).T).T
        V1 = np.linalg.solve(C, (U - m1).T).T
        orc = 3 * n * EPS * np.linalg.norm(C, 2) * ((V0 ** 2).sum(1) + (V1 ** 2).sum(1)) / 2
        bound = float(np.max(ref * (1 - ref) * (gen + orc))) + 4 * EPS

        # The same oracle in raw coordinates, to record how far conditioning limits it there.
        raw_ref = expit(mvn.logpdf(X, mu1, S) + np.log(pi) - mvn.logpdf(X, mu0, S) - np.log1p(-pi))
        Vr0 = np.linalg.solve(S, (X - mu0).T).T
        Vr1 = np.linalg.solve(S, (X - mu1).T).T
        raw_bound = float(np.max(raw_ref * (1 - raw_ref) * 3 * n * EPS * np.linalg.norm(S, 2)
                                 * ((Vr0 ** 2).sum(1) + (Vr1 ** 2).sum(1)) / 2))

        tol = 1e-10
        sat = float(np.min(np.minimum(ref, 1 - ref)))
        out.append(CheckResult(
            derivation=DERIVATION, name=f"lda_posterior vs Bayes' rule ({d.name})",
            compared=(r"generated lda_posterior vs Bayes' rule $p(x \mid 1)\rho / (p(x \mid 0)(1 - \rho) + "
                      r"p(x \mid 1)\rho)$, the densities from scipy.stats.multivariate_normal.logpdf and a stable "
                      r"logistic (scipy expit)"),
            data=(f"{d.description}; every row; class means, pooled covariance = within-class scatter over $N$ "
                  f"(sklearn's normalisation), prior $\\rho = {pi:.6g}$ (class frequency)"),
            max_abs_err=float(err.max()),
            max_rel_err=float(np.max(err / np.maximum(np.minimum(ref, 1 - ref), TINY))),
            tolerance=tol, passed=bool(np.all(np.isfinite(got)) and err.max() <= tol),
            detail=(f"absolute error on probabilities (the relative error is relative to $\\min(p, 1 - p)$, the "
                    f"smallest being {sat:.3g}); $\\kappa_2(\\Sigma) = {tex_num(np.linalg.cond(S))}$ raw, "
                    f"${tex_num(np.linalg.cond(C))}$ standardised; first-order rounding bound (generated solve and "
                    f"oracle eigh) ${tex_num(bound)} \\leq 10^{{-10}}$, the tolerance; with the oracle in raw "
                    f"coordinates the error is {np.abs(got - raw_ref).max():.3g} against that oracle's own bound "
                    f"{raw_bound:.3g}"),
        ))
    return out


@register(DERIVATION)
def against_sklearn() -> list[CheckResult]:
    import warnings

    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    from numeric.data import wine_two_class
    from numeric.generated import lda as G

    wine = wine_two_class()
    std = type(wine)(wine.name + "-standardised", (wine.X - wine.X.mean(0)) / wine.X.std(0), wine.y,
                     wine.description + ", standardised columns")
    out = []
    for d in _datasets() + [std]:
        X, y = d.X, d.y
        N, n = X.shape
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lda = LinearDiscriminantAnalysis(solver="lsqr", store_covariance=True).fit(X, y)
        mu0, mu1, S, pi = lda.means_[0], lda.means_[1], lda.covariance_, float(lda.priors_[1])
        own = _estimates(X, y)
        cov_gap = float(np.abs(S - own[2]).max() / np.abs(S).max())

        w, b = G.lda_params(mu0, mu1, S, pi)
        w_sk, b_sk = lda.coef_[0], float(lda.intercept_[0])
        got = G.lda_posterior(X, mu0, mu1, S, pi)
        ref = lda.predict_proba(X)[:, 1]

        # sklearn solves with lstsq (SVD), which is only normwise stable: forward error
        # ||dw|| / ||w|| <= 3n eps kappa2(Sigma). It propagates to b through the midpoint m and to the
        # probabilities through (x - m).dw, times p(1-p); 8 eps covers the few roundings of the dot products.
        kappa = float(np.linalg.cond(S))
        tol_w = 3 * n * EPS * kappa
        mid = (mu0 + mu1) / 2
        tol_b = float(np.linalg.norm(mid) * tol_w * np.linalg.norm(w) + 8 * EPS * (abs(b) + abs(mid @ w)))
        tol_p = float(np.max(ref * (1 - ref) * (np.linalg.norm(X - mid, axis=1) * tol_w * np.linalg.norm(w)
                                                 + 8 * EPS * (np.abs(X) @ np.abs(w) + abs(b))))) + 2 * EPS
        w_rel = float(np.linalg.norm(w - w_sk) / np.linalg.norm(w_sk))
        b_err = abs(b - b_sk)
        p_err = np.abs(got - ref)
        scaled = "standardised" in d.description
        label = f"{d.name}" + ("" if scaled or d.name == "iris" else ", raw scales")
        out.append(CheckResult(
            derivation=DERIVATION, name=f"lda_posterior vs sklearn predict_proba ({label})",
            compared="generated lda_posterior fed sklearn's means_, covariance_, priors_[1] vs predict_proba(X)[:, 1]",
            data=f"{d.description}; scikit-learn's LDA, solver 'lsqr', covariance stored",
            max_abs_err=float(p_err.max()),
            max_rel_err=float(np.max(p_err / np.maximum(np.minimum(ref, 1 - ref), TINY))),
            tolerance=tol_p, passed=bool(p_err.max() <= tol_p),
            detail=(f"tolerance $\\max_i p_i(1 - p_i)\\,\\|x_i - m\\|\\,3n\\varepsilon\\,\\kappa_2\\,\\|w\\|$ "
                    f"plus rounding, $\\kappa_2 = \\kappa_2(\\Sigma) = {tex_num(kappa)}$; the covariance_ of sklearn "
                    f"equals the within-class scatter over $N$ to {cov_gap:.2g} relative"),
        ))
        out.append(CheckResult(
            derivation=DERIVATION, name=f"lda_params vs sklearn coef_, intercept_ ({label})",
            compared=("generated lda_params(means_, covariance_, priors_[1]), giving $(w, b)$, vs sklearn coef_[0], "
                      "intercept_[0]"),
            data=f"{d.description}; scikit-learn's LDA, solver 'lsqr', covariance stored",
            max_abs_err=float(max(np.abs(w - w_sk).max(), b_err)), max_rel_err=w_rel,
            tolerance=tol_w, passed=bool(w_rel <= tol_w and b_err <= tol_b),
            detail=(f"$\\|w - \\mathrm{{coef}}\\| / \\|\\mathrm{{coef}}\\| = {tex_num(w_rel)}$ (tolerance "
                    f"$3n\\varepsilon\\,\\kappa_2 = {tex_num(tol_w)}$); $|b - \\mathrm{{intercept}}| = {tex_num(b_err)}$ "
                    f"(tolerance $\\|m\\|\\,\\|\\Delta w\\| + 8\\varepsilon \\sum|\\text{{terms}}| = {tex_num(tol_b)}$; "
                    f"$b = {b:.6g}$)"),
        ))
    return out
