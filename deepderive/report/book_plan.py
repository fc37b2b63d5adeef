"""The book's plan: its chapters, its index of generated functions and its quiz answers (no LaTeX run here)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    """A part of the lecture: its title, a short LaTeX introduction and its derivations in lecture order."""

    title: str
    intro: str
    names: tuple


# The parts of the lecture (/work/shared/lecture.md) as ranges of its result numbers: a new derivation joins the
# chapter of its first R number without any edit here. (first R, last R, title, intro)
PARTS = (
    (1, 2, "Linear units",
     r"Threshold logic units on Boolean inputs and the perceptron on real ones: what one unit computes, and "
     r"how it learns from its mistakes."),
    (3, 9, "From LDA to logistic regression",
     r"Gaussian classes with a shared covariance give a posterior that is a sigmoid of a linear function; "
     r"fitting that form directly by maximum likelihood is logistic regression, with its loss, gradient and "
     r"Hessian."),
    (10, 13, "Optimisation",
     r"Gradient descent as the minimiser of a local model, the step-size law on a quadratic, the empirical "
     r"risk and the unbiased stochastic gradient."),
    (14, 18, "Networks and automatic differentiation",
     r"Layers and multi-layer perceptrons, the chain rule, reverse mode by hand on the lecture's guiding "
     r"example, and what forward and reverse mode cost."),
    (19, 20, "Depth",
     r"Products of derivatives over depth: why saturating activations shrink gradients, what the ReLU "
     r"changes, and which initial variances keep signals alive."),
    (21, 24, "Capacity",
     r"What networks can represent: universal approximation, Barron's bound, infinitely wide networks as "
     r"Gaussian processes, and the linear regions of deep ReLU networks."),
)


class PlanError(LookupError):
    """A derivation cannot be placed in the book (no R number, or one outside every part)."""


def first_result(source) -> int:
    """The first lecture result number a derivation's ``source`` names: "R6, R20" -> 6, "R15–R17" -> 15."""
    m = re.search(r"R\s*(\d+)", str(source or ""))
    if not m:
        raise PlanError(f"source {source!r} names no lecture result (R1 … R24)")
    return int(m.group(1))


def part_of(number: int) -> int:
    """The index in PARTS of the part holding lecture result `number`."""
    for k, (lo, hi, *_rest) in enumerate(PARTS):
        if lo <= number <= hi:
            return k
    raise PlanError(f"lecture result R{number} lies in no part of the book (PARTS covers R1 … R{PARTS[-1][1]})")


def chapters(derivations=None) -> list[Chapter]:
    """One chapter per part of the lecture, each with its derivations sorted by first R number (ties by name).

    ``derivations``: Derivation objects (default: every registered one). Every one lands in exactly one
    chapter; one that cannot be placed is a PlanError naming it."""
    if derivations is None:
        import derivations as registry

        derivations = [registry.get(n) for n in registry.names()]
    placed: dict[int, list] = {k: [] for k in range(len(PARTS))}
    for d in derivations:
        try:
            r = first_result(d.source)
            placed[part_of(r)].append((r, d.name))
        except PlanError as exc:
            raise PlanError(f"derivation {d.name!r}: {exc}") from None
    return [Chapter(title, intro, tuple(name for _, name in sorted(placed[k])))
            for k, (_lo, _hi, title, intro) in enumerate(PARTS)]


def ordered_names(derivations=None) -> list[str]:
    """Every derivation's name in book order."""
    return [n for ch in chapters(derivations) for n in ch.names]


# ---- the index of generated functions ----------------------------------------------------------------------

@dataclass(frozen=True)
class IndexEntry:
    """One generated function: where it lives, how it is called, what it computes, what it comes from."""

    qualname: str
    signature: str
    summary: str
    derivation: str

    def __iter__(self):   # unpacks as (qualname, signature, summary, derivation)
        return iter((self.qualname, self.signature, self.summary, self.derivation))


def _summary(fn) -> str:
    """The docstring's first paragraph on one line, as the function's own section shows it (code.summary)."""
    from .code import summary

    return summary(inspect.getdoc(fn) or "")


def generated_index() -> list[IndexEntry]:
    """Every function listed in a numeric.generated module's DERIVED_FROM, sorted by qualified name.

    A module that fails to import, or lists a function it does not define, is an error: the book's index must
    not silently lose a function."""
    import numeric.generated as pkg

    out = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        modname = f"{pkg.__name__}.{info.name}"
        mod = importlib.import_module(modname)
        for fname, dname in sorted(getattr(mod, "DERIVED_FROM", {}).items()):
            fn = getattr(mod, fname, None)
            if not callable(fn):
                raise PlanError(f"{modname}.DERIVED_FROM lists {fname!r}, which the module does not define")
            out.append(IndexEntry(f"{modname}.{fname}", f"{fname}{inspect.signature(fn)}", _summary(fn), dname))
    return sorted(out, key=lambda e: e.qualname)


# ---- the closing quiz, answered from what the build verified -------------------------------------------------
#
# `evidence` is what `deepderive build` already computed: {derivation name: [CheckResult]}. Every number an
# answer quotes is read from one CheckResult's numeric field (never typed in here) and recorded in
# QuizAnswer.numbers, so a reader (and a test) can trace each back to its check row.

class MissingEvidence(LookupError):
    """A quiz answer needs a check result the evidence does not hold."""


@dataclass(frozen=True)
class Cited:
    """One number an answer quotes: which check row, which field, its value, and how it is printed."""

    derivation: str
    check: str
    field: str
    value: float
    text: str


@dataclass(frozen=True)
class QuizAnswer:
    """A quiz question, its answer (LaTeX text, maths in $...$), the derivations it cites and the numbers it
    quotes; ``missing``: the check rows the evidence lacked (their numbers then read "not measured")."""

    question: str
    answer: str
    cites: tuple
    numbers: tuple = ()
    missing: tuple = ()


FIELDS = ("max_abs_err", "max_rel_err", "tolerance")


def tex_number(x: float, digits: int = 3) -> str:
    r"""A float as LaTeX maths for prose: `digits` significant digits, powers of ten as $1.4\times10^{-15}$."""
    x = float(x)
    if x != x:
        return r"\mathrm{NaN}"
    if x in (float("inf"), float("-inf")):
        return ("-" if x < 0 else "") + r"\infty"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return "%.*g" % (digits, x)
    mant, exp = ("%.*e" % (digits - 1, x)).split("e")
    mant = mant.rstrip("0").rstrip(".")
    power = r"10^{%d}" % int(exp)
    return power if mant == "1" else r"%s\times %s" % (mant, power)


def _plain_prefix(prefix: str) -> str:
    """A check-name prefix as plain words for the "not measured" note: its maths ($...$, which a prefix may cut
    open) left out and marked "...", so that the note is text in the PDF and the HTML alike."""
    plain = re.sub(r"\$[^$]*(\$|$)", " ... ", prefix)
    return " ".join(plain.split()).replace(": ...", " ...") if "$" in prefix else prefix


class _Reader:
    """Reads numbers out of the evidence for one answer, remembering what it read and what was missing."""

    def __init__(self, evidence):
        self.evidence = evidence or {}
        self.numbers: list[Cited] = []
        self.missing: list[str] = []

    def rows(self, derivation: str, prefix: str) -> list:
        rows = [c for c in self.evidence.get(derivation, ()) if str(c.name).startswith(prefix)]
        if not rows:
            self.missing.append(f"{derivation}: {_plain_prefix(prefix)}")
        return rows

    def num(self, derivation: str, prefix: str, field: str, largest: bool = True, digits: int = 3) -> str:
        """The field of the check row named `prefix` (the largest over every row whose name starts with it):
        '$<number>$', or 'not measured' (and recorded as missing) when no such row was run."""
        assert field in FIELDS, field
        rows = self.rows(derivation, prefix)
        if not rows:
            return r"(not measured in this build)"
        pick = (max if largest else min)(rows, key=lambda c: float(getattr(c, field)))
        value = float(getattr(pick, field))
        cited = Cited(derivation, pick.name, field, value, tex_number(value, digits))
        self.numbers.append(cited)
        return "$%s$" % cited.text

    def passed(self, *derivations: str) -> str:
        """'k of n' checks of the derivations that passed (counted from the evidence; an answer counts every
        result it cites, not one of them)."""
        rows = []
        for derivation in derivations:
            if derivation not in self.evidence:     # not run; a result with no registered checks adds none
                self.missing.append(f"{derivation}: any check")
            rows += list(self.evidence.get(derivation, ()))
        if not rows:
            return "none (not run in this build)"
        return "%d of %d" % (sum(bool(c.passed) for c in rows), len(rows))

    def within(self, derivation: str, prefix: str, field: str, target: str) -> str:
        """'within <number> of <target>', or 'exactly <target>' when the number read is 0 (as num)."""
        number = self.num(derivation, prefix, field)
        if self.numbers and number == "$%s$" % self.numbers[-1].text and self.numbers[-1].value == 0:
            return "exactly %s" % target
        return "within %s of %s" % (number, target)

    def answer(self, question: str, text: str, cites) -> QuizAnswer:
        return QuizAnswer(question, " ".join(text.split()), tuple(cites), tuple(self.numbers), tuple(self.missing))


def _sigmoid_assumptions(r: _Reader) -> QuizAnswer:
    CITES = ("lda-posterior", "sigmoid", "logistic-regression")
    text = rf"""
    Two classes whose inputs are Gaussian with means $\mu_0, \mu_1$ and one shared covariance $\Sigma$, with prior
    $\rho = P(y=1)$. Bayes' rule then gives $P(y=1 \mid x) = \sigma(w^\top x + b)$ with $w = \Sigma^{{-1}}(\mu_1 -
    \mu_0)$: the quadratic terms cancel because $\Sigma$ is shared, and the log prior odds
    $\log\frac{{\rho}}{{1-\rho}}$ enter only the bias (proved
    step by step in lda-posterior; the sigmoid itself in sigmoid). Numerically, the generated posterior agrees with
    Bayes' rule evaluated by SciPy to an absolute error of at most
    {r.num("lda-posterior", "lda_posterior vs Bayes' rule", "max_abs_err")} on iris and wine, and its weights match
    scikit-learn's LDA coefficients to a relative error of at most
    {r.num("lda-posterior", "lda_params vs sklearn coef_", "max_rel_err")} ({r.passed(*CITES)} checks of the
    cited results pass).
    Logistic regression keeps only the form $\sigma(w^\top x + b)$ and fits it by maximum likelihood, without
    the Gaussian assumption."""
    return r.answer("What model assumptions lie behind the sigmoid (R3--R5)?", text, CITES)


def _sgd(r: _Reader) -> QuizAnswer:
    CITES = ("sgd-unbiased", "gd-step-size")
    text = rf"""
    A good learning algorithm: with the sample index drawn uniformly, the expected stochastic gradient is exactly the
    gradient of the empirical risk (proved in sgd-unbiased; measured, the mean of the per-sample gradients equals the
    batch gradient to a relative {r.num("sgd-unbiased", "mean of per-sample gradients", "max_rel_err")}), and one
    step costs one example instead of $N$. On breast cancer, SGD reached the optimum's test error with
    {r.num("sgd-unbiased", "Bottou's trade-off", "max_abs_err")} times the per-sample gradient evaluations batch
    gradient descent needed. A poor optimiser: its noise does not vanish at the optimum, so averaged SGD ends at a
    relative excess loss of {r.num("sgd-unbiased", "averaged SGD", "max_rel_err")}, while batch gradient descent
    reaches a far smaller excess with only
    {r.num("sgd-unbiased", "Bottou's trade-off", "max_rel_err")} times the evaluations SGD would need
    ({r.passed(*CITES)} checks of the cited results pass)."""
    return r.answer("Why is SGD a good learning algorithm though a poor optimiser (R13)?", text, CITES)


def _autodiff(r: _Reader) -> QuizAnswer:
    CITES = ("chain-rule", "guiding-example", "backprop", "forward-vs-reverse")
    text = rf"""
    The mechanical application of the chain rule, $\frac{{dy}}{{dx}} = \sum_k \frac{{\partial y}}{{\partial u_k}}
    \frac{{d u_k}}{{dx}}$ (proved in chain-rule), to a program's elementary operations, with no symbolic expression
    swell and no finite-difference error. Reverse mode propagates adjoints from the output back (worked by hand in
    guiding-example, in general in backprop); forward mode propagates tangents from the inputs. The generated
    gradients agree with autograd to a relative {r.num("guiding-example", "value_and_grad vs autograd", "max_rel_err")}
    on the guiding example and {r.num("backprop", "value_and_grad vs autograd", "max_rel_err")} over every
    multi-layer perceptron checked ({r.passed(*CITES)} checks of the four cited results pass). For
    $f: \mathbb{{R}}^n \to \mathbb{{R}}^m$
    forward mode needs $n$ sweeps and reverse mode $m$, each costing about twice an evaluation (measured constant
    {r.within("forward-vs-reverse", "cost:", "max_abs_err", "2")}); both Jacobians agree to a relative
    {r.num("forward-vs-reverse", "Jacobian by forward", "max_rel_err")} (forward-vs-reverse), which is why a scalar
    loss is differentiated in reverse mode."""
    return r.answer("What is automatic differentiation (R16--R18)?", text, CITES)


def _saturation(r: _Reader) -> QuizAnswer:
    CITES = ("depth-chain", "sigmoid", "activations", "relu-chain", "init-variance")
    text = rf"""
    By the chain rule the gradient reaching the first layer of a chain is a product over the layers of $w_k
    \sigma'(z_k)$ (proved for every depth $L$ in depth-chain), and $0 < \sigma'(z) \le \frac14$ with equality only at
    $0$ (proved in sigmoid and activations). So $|\partial \hat y / \partial w_1| \le 4^{{-L}} |x| \prod_{{k \ge
    2}} |w_k|$: in depth-chain's random chains the measured gradient never exceeded this bound (largest excess
    {r.num("depth-chain", "sigmoid chain:", "max_abs_err")}), and in the networks of init-variance, on breast
    cancer, no layer's backpropagated error exceeded its $\frac14 \lVert W \rVert_2$ bound (largest excess
    {r.num("init-variance", "sigmoid, each backward step", "max_abs_err")}). The gradient shrinks geometrically with depth and
    the first layers barely learn; saturated units ($|z|$ large, $\sigma' \approx 0$) make it worse. A ReLU on
    its active path has derivative 1, with no shrinking factor (relu-chain: normalised gradient
    {r.within("relu-chain", "ReLU chain, active path: no shrinking", "max_abs_err", "1")}; {r.passed(*CITES)} checks
    of the cited results pass)."""
    return r.answer("Why do saturating activations make deep networks hard to train (R19--R20)?", text, CITES)


def _initialisation(r: _Reader) -> QuizAnswer:
    CITES = ("init-variance", "activations")
    text = rf"""
    Each layer multiplies the variance of the signal by $q_\mathrm{{in}} \operatorname{{Var}}(W)$ going forward and
    by $q_\mathrm{{out}} \operatorname{{Var}}(W)$ going back, halved for a ReLU (proved in init-variance), so over
    $L$ layers the signal and the gradient are multiplied by that factor to the power $L$: too small and they vanish,
    too large and they explode. LeCun's $1/q_\mathrm{{in}}$ makes the forward factor 1 (the backward one only when
    $q_\mathrm{{in}} = q_\mathrm{{out}}$), and He's $2/q_\mathrm{{in}}$ does the same for ReLU. No single variance makes
    both factors 1 unless $q_\mathrm{{in}} = q_\mathrm{{out}}$: Glorot's $2/(q_\mathrm{{in}} + q_\mathrm{{out}})$ is the
    compromise: it gives both gains 1 only for a square layer, and otherwise lies between the forward choice
    $1/q_\mathrm{{in}}$ and the backward choice $1/q_\mathrm{{out}}$ (proved in init-variance). Measured on deep
    random stacks of square layers, the per-layer gain stays
    {r.within("init-variance", "glorot: forward variance ratio", "max_abs_err", "1")} for Glorot (linear units)
    and {r.within("init-variance", "he: forward variance ratio", "max_abs_err", "1")} for He (ReLU units); in
    ten-layer ReLU networks on breast cancer the gains equal the derived $q v / 2$ to a relative
    {r.num("init-variance", "relu: per-layer variance gain", "max_abs_err")} ({r.passed(*CITES)} checks of the
    cited results pass)."""
    return r.answer("Why does weight initialisation matter (R20)?", text, CITES)


def _universal(r: _Reader) -> QuizAnswer:
    CITES = ("universal-approximation", "barron", "linear-regions")
    text = rf"""
    A network with one hidden layer of enough units approximates any continuous function on a compact set
    arbitrarily well, provided its activation is not a polynomial (Cybenko, Hornik, Leshno). The constructive
    version proved in universal-approximation: with ReLU units the piecewise-linear interpolant $f_q$ at $q+1$
    knots is a network of $q$ units and $\sup |f - f_q| \le h^2 \max|f''|/8$. For $\sin 2\pi x$ the measured sup error
    reaches at most {r.num("universal-approximation", "sin 2πx: sup error", "max_abs_err", digits=7)} times the
    bound $\pi^2/(2q^2)$ over every $q$ checked (the bound is tight); for the lecture's loss with 13 knots,
    {r.num("universal-approximation", "R11's loss, 13 knots", "max_abs_err")} times it. The theorem says nothing
    about how many units are needed (Barron's bound in barron) or whether training finds them (the checks of
    universal-approximation train networks of the construction's size by SGD and compare). Depth, by contrast,
    multiplies the number of linear pieces (linear-regions; {r.passed(*CITES)} checks of the cited results pass)."""
    return r.answer("What does the universal approximation theorem say (R21)?", text, CITES)


QUESTIONS = (_sigmoid_assumptions, _sgd, _autodiff, _saturation, _initialisation, _universal)


def quiz(evidence, strict: bool = False) -> list[QuizAnswer]:
    """The six answers of the lecture's closing quiz, in its order, from `evidence` ({name: [CheckResult]}).

    A check row the evidence lacks makes its number read "not measured" and is listed in ``missing``; with
    ``strict`` it is a MissingEvidence error instead."""
    answers = [question(_Reader(evidence)) for question in QUESTIONS]
    lacking = [m for a in answers for m in a.missing]
    if strict and lacking:
        raise MissingEvidence("the quiz needs check results the build did not give: " + "; ".join(lacking))
    return answers


def evidence_of(verified) -> dict:
    """{name: [CheckResult]} from {name: (proof, checks)} or {name: Verified}, or a list of Verified records."""
    if not isinstance(verified, dict):
        verified = {v.derivation.name: v for v in verified}
    out = {}
    for name, v in verified.items():
        checks = v[1] if isinstance(v, tuple) else getattr(v, "checks", v)
        out[name] = list(checks or ())
    return out
