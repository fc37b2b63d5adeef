"""Stage 4, docstring: what a generated function computes, its formula and the derivation it comes from."""
from __future__ import annotations

import re

import sympy as sp

from .guards import describe, label_sets
from .spec import CodegenError, Spec


#: code in a summary, outside its $...$ (the book prints the summary as text: formulas are words, Unicode or LaTeX)
CODE_IN_SUMMARY = {"**": r"\*\*", "*": r"\*", "^": r"\^", "[": r"\[", "np.": r"\bnp\.", "@": r"@"}


def check_summary(summary: str, where: str) -> str:
    """The summary itself, or CodegenError naming the code it holds (x**2, w[0], np.tanh, X @ w, e^u)."""
    text = re.sub(r"\$[^$]*\$", " ", summary)
    found = [token for token, pattern in CODE_IN_SUMMARY.items() if re.search(pattern, text)]
    if found or summary.count("$") % 2:
        raise CodegenError(f"{where}: the summary {summary!r} reads as code ({', '.join(found) or 'an unmatched $'}): "
                           "write its formula in words, Unicode (θ², σ(z), wᵀx) or $LaTeX$")
    return summary


ROUTES = "Other array-API arrays (JAX, jax.jit too; Dask, lazily; PyTorch) go through array-api-compat{labels}."


def docstring(spec: Spec, name: str, source: str, results: dict, routes=(), foreign: bool = False) -> str:
    """The indented raw docstring of the function `spec` generates from derivation `name` (lecture `source`)."""
    formula = "; ".join(f"{o.name} = {sp.latex(results[o.result])}" for o in spec.outputs)
    lines = [f'r"""{check_summary(spec.summary, f"{spec.module}.{spec.name}")}', "", f"Formula: ${formula}$"]
    if any(o.reduce for o in spec.outputs):
        lines.append(f"Mean over the rows of {spec.rows[0][1]}.")
    if spec.doc_extra:
        lines.append(spec.doc_extra)
    lines += [line for line in describe(spec, results).split("\n") if line]
    lines += list(routes)
    if foreign:
        labels = "; the labels are checked on NumPy arrays only" if label_sets(spec, results) else ""
        lines.append(ROUTES.format(labels=labels))
    lines += [f"Derived in: '{name}' ({source}); check with `deepderive verify {name}`.", '"""']
    return "".join(f"    {line}\n" if line else "\n" for line in lines)
