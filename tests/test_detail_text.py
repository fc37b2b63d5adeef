"""The checks' details and the generated functions' summaries read as mathematics and words, not as code.

The report prints a check's detail through checktable.check_text (PDF) and report.html.checks.detail_text
(HTML): a detail writes its mathematics in $...$, which both pass through as math; outside it the text must
hold no ASCII pseudo-maths (|x|, x^L, (1/4)**L, 4*eps, <=) nor numeric.gradcheck's one-line "[PASS] ..." verdict.
A generated function's summary (its docstring's first paragraph, printed in the book's index) is words or
$LaTeX$, never code.
"""
import ast
import functools
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import numeric.generated
from deepderive.report.checktable import NOTATIONS, check_text, replace_ensuremath
from numeric import checks
from numeric.checks.result import gradient_check_text, tex_num

ROOT = Path(__file__).resolve().parents[1]

#: what a detail may not show as text (outside $...$ and the notations' \ensuremath), in check_text's LaTeX
_PSEUDO_MATH = {
    "an ASCII bar |x|": r"\\textbar\{\}",
    "an ASCII power ^ or **": r"\\textasciicircum\{\}|\*\*",
    "an ASCII product *": r"\*",
    "an ASCII < or >": r"\\textless\{\}|\\textgreater\{\}",
    "gradcheck's [PASS]/[FAIL] line": r"\[(PASS|FAIL)\]",
    "a function call written as code": r"\b(exp|log|sqrt|max|min)\(",
    "max|...| written as code": r"\b(max|min|sup|sum)\\textbar",
    "|diff| for a difference": r"\bdiff\b",
}
_NOTATION = re.compile("|".join("(?:%s)" % p for p, _ in NOTATIONS))


def _outside_math(tex: str) -> str:
    """check_text's LaTeX with every $...$ and \\ensuremath{...} (balanced braces) cut out."""
    return re.sub(r"\$[^$]*\$", " ", replace_ensuremath(tex, lambda inside: " "))


def pseudo_maths(detail: str, latex: bool | None = None) -> list[str]:
    """What in a check's detail would print as ASCII pseudo-maths or break the HTML (empty when it reads well);
    `latex`: the detail is read as LaTeX text (it holds $...$; a piece of one that does, for the source scan)."""
    found = [what for what, pattern in _PSEUDO_MATH.items() if re.search(pattern, _outside_math(check_text(detail)))]
    # a power or product the notations would rescue in the PDF is still code in the source: write it as maths
    found += ["a ^ or * outside $...$"] * bool(re.search(r"[*^]", re.sub(r"\$[^$]*\$", " ", detail)))
    if detail.count("$") % 2:
        found.append("an unmatched $")
    elif latex or (latex is None and "$" in detail):
        # with $...$ the HTML reads the text as LaTeX (detail_text): the ASCII notations are not turned into
        # maths there, and a ~ would be a no-break space
        text = re.sub(r"\$[^$]*\$", " ", detail)
        found += [f"the ASCII notation {m.group(0)!r} beside $...$" for m in _NOTATION.finditer(text)]
        found += ["a ~ beside $...$"] * ("~" in text)
        found += ["a brace beside $...$ (a group in LaTeX text)"] * bool(re.search(r"[{}]", text))
    return found


def assert_reads_as_maths(detail: str):
    """For any check's detail (tests/test_checks.py can call it on every registered check it runs)."""
    bad = pseudo_maths(detail)
    assert not bad, f"{bad} in the detail {detail!r}"


# ---- a check's name, data and what it compared: the same, stricter ---------------------------------------

#: ASCII spellings of maths a name, data or compared text may not hold outside $...$ (the report's notations
#: would rescue some in the PDF, but these texts are short and read on their own: they write the maths as maths)
_ASCII_MATHS = {
    "a notation the PDF would have to rescue (<=, ->, ~, ||, inf, a Greek name, ...)": None,   # NOTATIONS
    "an ASCII plus-minus +-": r"\+-",
    "dyhat/dw for a derivative": r"\bd(yhat|L)/d",
    "an ASCII range 1..50": r"\w\s?\.\.\s?\w",
    "lam for lambda": r"\blam\b",
    "a subscript written x_k": r"(?<![\w.])[A-Za-z]_[A-Za-z0-9]{1,3}\b(?!\()",
    "prod for a product": r"\bprod\b",
}


#: a dotted name of code (mpmath.diff, numeric.units.XOR); w.x_i, a one-letter name with a dot, is not one
_CODE_NAME = re.compile(r"\b[A-Za-z_]\w+(?:\.[A-Za-z_]\w*)+")


def field_pseudo_maths(text: str, latex: bool | None = None) -> list[str]:
    """What in a check's name, data or compared text reads as ASCII pseudo-maths (empty when it reads well):
    pseudo_maths, and any ASCII maths outside $...$ (:data:`_ASCII_MATHS`)."""
    text = _CODE_NAME.sub("code", text)         # mpmath.diff, numeric.units.XOR: code, named as code
    found = pseudo_maths(text, latex)
    outside = re.sub(r"\$[^$]*\$", " ", text)
    for what, pattern in _ASCII_MATHS.items():
        if re.search(pattern or _NOTATION, outside):
            found.append(what)
    return found


FIELDS = ("name", "data", "compared")


def assert_fields_read_as_maths(r):
    """For any CheckResult: its name, data and compared read as words and $...$ maths (tests/test_checks.py
    calls it on every registered check it runs)."""
    bad = {f: field_pseudo_maths(getattr(r, f)) for f in FIELDS}
    bad = {f: (v, getattr(r, f)) for f, v in bad.items() if v}
    assert not bad, f"{r.derivation}: {bad}"


# ---- the detail strings, read from the checks' source ---------------------------------------------------

_DETAIL_ARG = 8     # result(derivation, name, compared, data, abs_err, rel_err, tol, passed, detail)


def _detail_expressions(fn: ast.FunctionDef, field: str = "detail", module: ast.Module | None = None):
    """The expressions a check function builds each detail (or name, data, compared: `field`) from, one list per
    result: that argument of a result() or CheckResult() call, and (followed through names) whatever was assigned
    or appended to a name it uses (in the function, and in `module`'s top level when given)."""
    assigned = {}
    for node in ([fn] + [n for n in module.body if isinstance(n, ast.Assign)] if module else [fn]):
        _assignments(node, assigned)
    roots = []
    index = {"detail": _DETAIL_ARG, "name": 1, "compared": 2, "data": 3}[field]
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_result", "result", "CheckResult"):
            roots += [k.value for k in node.keywords if k.arg == field]
            roots += node.args[index:index + 1]
    groups = []
    for root in roots:
        seen, todo, out = set(), [root], []
        while todo:
            expr = todo.pop()
            out.append(expr)
            for name in {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)} - seen:
                seen.add(name)
                todo += assigned.get(name, [])
        groups.append(out)
    return groups


def _assignments(tree, assigned: dict):
    """{name: [expressions assigned or appended to it]} in `tree`, added to `assigned`."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                for name in ast.walk(t):
                    if isinstance(name, ast.Name):
                        assigned.setdefault(name.id, []).append(node.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
              and isinstance(node.func.value, ast.Name)):
            assigned.setdefault(node.func.value.id, []).extend(node.args)


def _text(node) -> str:
    """A string literal, or an f-string with each {field} as 0."""
    if isinstance(node, ast.Constant):
        return node.value
    return "".join(v.value if isinstance(v, ast.Constant) else "0" for v in node.values)


def _pieces(node):
    """(line, text) of each string literal or f-string of an expression that is text of the detail: not an
    f-string's fields, a subscript's key (r["ops"]) nor a string argument of a call (_derived("gd-pictures"))."""
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return [(node.lineno, _text(node))]
    if isinstance(node, ast.Subscript):
        return _pieces(node.value)
    if isinstance(node, ast.Call):
        args = [a for a in node.args + [k.value for k in node.keywords] if not isinstance(a, (ast.Constant, ast.JoinedStr))]
        return [p for child in [node.func] + args for p in _pieces(child)]
    return [p for child in ast.iter_child_nodes(node) for p in _pieces(child)]


@functools.lru_cache(maxsize=None)
def _detail_strings(field: str = "detail"):
    """(file, line, text, latex) of every literal piece of every check's detail (or name, data, compared: `field`,
    followed to module-level constants too), f-string fields as 0; latex when a piece of the same text holds
    $...$ (the whole text is then read as LaTeX)."""
    out = []
    for path in sorted((ROOT / "numeric" / "checks").glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            for group in _detail_expressions(fn, field, None if field == "detail" else tree):
                pieces = [p for expr in group for p in _pieces(expr)]
                latex = any("$" in t for _, t in pieces)
                out += [(path.name, line, t, latex) for line, t in pieces]
    return tuple(sorted(set(out)))


def test_the_source_scan_finds_the_details():
    texts = [t for _, _, t, _ in _detail_strings()]
    assert len(texts) > 150
    assert any("ulps of the correctly rounded value" in t for t in texts)          # activations: a keyword detail
    assert any("normwise relative error" in t for t in texts)                      # logistic: a positional one
    assert any("largest $|z|$" in t for t in texts)                                # nngp: through a name


def test_no_detail_in_the_source_reads_as_ascii_pseudo_maths():
    bad = {(f, line, t): pseudo_maths(t, latex) for f, line, t, latex in _detail_strings()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, "\n".join(f"{f}:{line}: {v} in {t!r}" for (f, line, t), v in bad.items())


@pytest.mark.parametrize("field", FIELDS)
def test_the_source_scan_finds_the_names_data_and_compared(field):
    texts = [t for _, _, t, _ in _detail_strings(field)]
    assert len(texts) > 60
    seen = {"name": ("vs mpmath", "dead ReLU units get exactly zero gradient", "kernel vs quadrature"),
            "data": ("points", "breast cancer", "seed"),
            "compared": ("generated activations.", "autograd", "sklearn")}[field]
    for words in seen:
        assert any(words in t for t in texts), words


@pytest.mark.parametrize("field", FIELDS)
def test_no_name_data_or_compared_in_the_source_reads_as_ascii_pseudo_maths(field):
    bad = {(f, line, t): field_pseudo_maths(t, latex) for f, line, t, latex in _detail_strings(field)}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, "\n".join(f"{f}:{line}: {v} in {t!r}" for (f, line, t), v in bad.items())


def test_the_field_test_catches_the_old_names_data_and_compared():
    # what the book's check tables printed before: each is caught
    for old in ("|dyhat/dw_1| <= (1/4)**L", "dyhat/dw_1 = x times the product of w_k (k >= 2)",
                "sigmoid(kz) -> H(z)", "grid of 4215 points z in [-1000, 1000] incl. +-1000, +-745, 0; z = -inf",
                "fixed w = 0.3*N(0, I) (seed 0), b = 0.2; min(p, 1-p) = 0.000999", "t_i (w.x_i + b) >= 1",
                "step 1/L, L = lambda_max(X~^T X~)/(4N)", "LogisticRegression(C=inf)", "lam = 0.001",
                "lda_params(means_) -> (w, b)", "W <- W - 0.5 grad", "32 chains per depth L = 1..50",
                "x ~ N(0, I)", "max |s| = 3.97"):
        assert field_pseudo_maths(old), old
    for new in (r"$|\partial\hat y/\partial w_1| \le (1/4)^L$", r"grid of 4215 points $z \in [-1000, 1000]$",
                "generated activations.leaky_relu_prime vs autograd.elementwise_grad of leaky_relu",
                "sklearn Perceptron(shuffle=False, eta0=1, fit_intercept=True): coef_ and intercept_",
                r"$\sigma(kz) \to H(z)$ (R6)", r"breast cancer, N=569, p=30, standardised; $\lambda = 0.001$"):
        assert not field_pseudo_maths(new), (new, field_pseudo_maths(new))


def test_the_pseudo_maths_test_catches_the_old_details():
    # the details the report printed before: each is caught
    for old in ("normwise relative error max|diff| / max|grad| = 1.27e-15",
                "sum|r_i x_i| / |sum r_i x_i| <= 1.29, so (log2 N + p) eps x cond",
                "ratio to (1/4)**L from 0.142 to 0.786",
                "relative error over results in the normal range, tolerance 4*eps",
                "[PASS] cross_entropy: max rel err 1.41e-11 (tol 1.49e-08, abs 4.93e-12)",
                "all with |z| >= 708.40 where exp(-1|z|) < tiny",
                "the $\\max$ of x <= 3",                                     # a notation beside $...$
                "$x$ ~ 3"):
        assert pseudo_maths(old), old
    assert not pseudo_maths(r"normwise relative error $\max|\Delta| / \max|\nabla L| = 1.27\times10^{-15}$")
    assert not pseudo_maths("ratio to $(1/4)^L$ from 0.142 to 0.786; tolerance $4\\varepsilon$")


# ---- the details as the checks make them --------------------------------------------------------------

#: checks cheap enough to run here, among them those the report printed as pseudo-maths
_RUN = {"logistic-gradient": {"gradient_vs_autograd_and_fd", "hessian_checks"},
        "sigmoid": {"heaviside_limit"},
        "sgd-unbiased": {"gradient_mean_is_batch_gradient"},
        "soft-heaviside": {"heaviside_rate"},
        "relu-chain": {"relu_chain_checks"}}


@pytest.mark.parametrize("derivation", sorted(_RUN))
def test_run_details_read_as_maths(derivation):
    fns = [fn for fn in checks.for_derivation(derivation) if fn.__name__ in _RUN[derivation]]
    assert {fn.__name__ for fn in fns} == _RUN[derivation]
    for fn in fns:
        for r in fn():
            assert_reads_as_maths(r.detail)
            assert_fields_read_as_maths(r)


@pytest.mark.parametrize("field", ("detail",) + FIELDS)
def test_the_html_reads_every_detail_as_latex(field):
    from deepderive.report.html.checks import detail_text

    for f, line, t, _ in _detail_strings(field):
        if "$" in t:
            html = detail_text(t)
            # every formula became MathML, and no LaTeX command is left outside the formulas' alt texts
            assert "<math" in html and "\\" not in re.sub(r'alttext="[^"]*"', "", html), (f, line, t, html)


def test_check_text_passes_math_through_and_escapes_the_rest():
    tex = check_text(r"error $\max|\Delta| \leq 10^{-12}$ at x_1 |z| <= 3 $\sigma'(0)$")
    assert r"$\max|\Delta| \leq 10^{-12}$" in tex and r"$\sigma'(0)$" in tex
    assert r"x\_1" in tex and r"\ensuremath{\leq}" in tex                         # the text as before
    assert check_text("price $5") == r"price \$5"                                 # a lone $ stays text


def test_the_new_notations_read_as_maths():
    # a text without $...$ (a check written before, or elsewhere): the page still prints these notations as maths
    assert check_text("4*eps") == r"4\ensuremath{\cdot}\ensuremath{\varepsilon}"
    assert check_text("lam * sum") == r"lam \ensuremath{\cdot} sum"
    assert check_text("all r < 2, r > 2") == r"all r \ensuremath{<} 2, r \ensuremath{>} 2"
    assert check_text("z = -inf, inf") == r"z = -\ensuremath{\infty}, \ensuremath{\infty}"
    assert check_text("x <= 1 -> 0") == r"x \ensuremath{\leq} 1 \ensuremath{\to} 0"        # the older ones first
    assert check_text("(1/4)**L") == r"(1/4)\ensuremath{^{L}}"


def test_tex_num_against_float_formatting():
    for x in (1.27e-15, 0.0462, 3.0, -2.5e7, 1e-12, 0.0):
        tex = tex_num(x)
        m = re.fullmatch(r"(-?[\d.]+)(?:\\times10\^\{(-?\d+)\})?|10\^\{(-?\d+)\}", tex)
        assert m, tex
        value = float(m.group(1)) * 10.0 ** int(m.group(2) or 0) if m.group(1) else 10.0 ** int(m.group(3))
        assert value == pytest.approx(float(f"{x:.3g}"), rel=1e-12, abs=0), (x, tex)


def test_a_gradient_check_in_words():
    from numeric.gradcheck import check_gradient

    A = np.arange(6.0).reshape(2, 3) / 7
    gc = check_gradient(lambda w, b: np.sum(np.tanh(A @ w + b)),
                        lambda w, b: ((1 - np.tanh(A @ w + b) ** 2) @ A, np.sum(1 - np.tanh(A @ w + b) ** 2)),
                        np.array([0.3, -0.2, 0.5]), 0.1, wrt=(0, 1), oracles=("richardson",), name="tanh_sum")
    text = gradient_check_text(gc)
    assert gc.passed and "[PASS]" in gc.summary()                                # the terminal's line
    assert text.startswith("largest error at argument") and "claim" in text and "Richardson" in text
    assert "agrees with every oracle" in text and "index (" not in text
    assert_reads_as_maths(text)


# ---- the generated functions' summaries -------------------------------------------------------------------

_CODE = {"Python power **": r"\*\*", "an index [": r"\[", "NumPy np.": r"\bnp\.", "a caret ^": r"\^",
         "a product *": r"\*", "an underscore name": r"\b[a-z]+_[a-z]\w*\(", "sigma( as code": r"\bsigma\("}


def _summaries():
    out = []
    for info in pkgutil.iter_modules(numeric.generated.__path__):
        mod = importlib.import_module(f"numeric.generated.{info.name}")
        for fname in getattr(mod, "DERIVED_FROM", {}):
            doc = inspect.getdoc(getattr(mod, fname)) or ""
            out.append((f"{info.name}.{fname}", " ".join(doc.split("\n\n")[0].split())))
    return out


def code_in_summary(summary: str) -> list[str]:
    """The code-like tokens of a summary outside its $...$ formulas."""
    if summary.count("$") % 2:
        return ["an unmatched $"]
    text = re.sub(r"\$[^$]*\$", " ", summary)
    return [what for what, pattern in _CODE.items() if re.search(pattern, text)]


def test_the_summary_test_catches_code():
    for old in ("yhat = sigma(w[L-1] * sigma(... sigma(w[0] * x)))", "0.02((theta-0.333)^4 - 30 theta^2)",
                "softplus(u) = log(1+e^u)", "np.where(z > 0, z, 0)"):
        assert code_in_summary(old), old
    assert not code_in_summary(r"The loss $L(\theta) = 0.02((\theta - 0.333)^4 - 30\theta^2)$ and its gradient.")


def test_no_generated_summary_holds_code():
    summaries = _summaries()
    assert len(summaries) > 20
    bad = {name: code_in_summary(s) for name, s in summaries if code_in_summary(s)}
    assert not bad, "\n".join(f"{name}: {v}: {dict(summaries)[name]!r}" for name, v in bad.items())


def test_the_stable_forms_are_named_as_maths():
    from derivations.codegen.stable import rewrites

    for name, _, _ in rewrites():
        assert not code_in_summary(name), name


def test_codegen_refuses_a_summary_written_as_code():
    from derivations.codegen.docstring import check_summary
    from derivations.codegen.spec import CodegenError

    for code in ("Loss 0.02((theta - 0.333)^4)", "The gradient x**2", "P = sigmoid(w @ x + b)", "h = w[0] x",
                 "np.tanh of z", "half $\\sigma"):
        with pytest.raises(CodegenError, match="reads as code"):
            check_summary(code, "mod.fn")
    for words in ("The lecture's loss L(θ) = 0.02((θ − 0.333)⁴ − 30 θ²).", r"The output $\hat y$ of the chain."):
        assert check_summary(words, "mod.fn") == words


# ---- the terminal: names and data with $...$ print as Unicode -------------------------------------------------

def test_the_terminal_prints_check_names_and_data_as_unicode():
    import io
    from types import SimpleNamespace

    from deepderive.cli import Verified, check_text as terminal_text, print_verified
    from numeric.checks.result import result

    assert terminal_text(r"$\sigma(kz) \to H(z)$ (R6)") == "σ(kz) → H(z) (R6)"
    assert terminal_text("all 4 rows of {0,1}²") == "all 4 rows of {0,1}²"           # no $: printed as it is
    check = result("sigmoid", r"sigmoid chain, $x = 1$: $|\partial\hat y/\partial w_1| \leq (1/4)^L$", "c",
                   r"$L = 1, \ldots, 20$ and $z \in [-1000, 1000]$ incl. $\pm10^{-8}$", 0.0, 0.0, 1e-12, True)
    proof = SimpleNamespace(steps=[], problems=[], counts=lambda: {})
    out = io.StringIO()
    print_verified([Verified(SimpleNamespace(name="sigmoid", title="t", source="R6"), proof, [check])], file=out)
    line = next(s for s in out.getvalue().splitlines() if "check" in s)
    assert "sigmoid chain, x = 1: |∂ŷ/∂w₁| ≤ (1/4)ᴸ:" in line and "L = 1, …, 20 and z ∈ [-1000, 1000] incl. ±10⁻⁸" in line
    assert "$" not in line and "\\" not in line
