"""Stage 4, docstring: what a generated function computes, its formula and the derivation it comes from."""
from __future__ import annotations

import sympy as sp

from .guards import describe, label_sets
from .spec import Spec


ROUTES = "Other array-API arrays (JAX, jax.jit too; Dask, lazily; PyTorch) go through array-api-compat{labels}."


def docstring(spec: Spec, name: str, source: str, results: dict, routes=(), foreign: bool = False) -> str:
    """The indented raw docstring of the function `spec` generates from derivation `name` (lecture `source`)."""
    formula = "; ".join(f"{o.name} = {sp.latex(results[o.result])}" for o in spec.outputs)
    lines = [f'r"""{spec.summary}', "", f"Formula: ${formula}$"]
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
