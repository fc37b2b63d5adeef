"""The checks a generated function makes first (shapes, labels, open intervals): cheap, each a one-line ValueError.

They follow from the Spec and its derivation: a design matrix's rows, the shapes of the bound matrix symbols,
`Spec.labels` (their allowed values, checked to be the finite domain the proof's case split used) and
`Spec.bounds`.  One Python comparison per argument and one vectorised test per label argument: no second pass
over the data, and a call on one row pays a few NumPy calls more (measured in issue #16's report).
"""
from __future__ import annotations

import sympy as sp

from .spec import CodegenError, Spec

_ROWS = sp.Symbol("N")   # the row count of the design matrix

# A label test is (condition, mask of the bad labels for the message, comment).  At N = 1 every NumPy call
# costs about as much as a tenth of a loss, so the common sets get the test with the fewest calls: for {0, 1}
# one comparison and two np.count_nonzero (no ufunc machinery): every nonzero label (NaN and inf included) must
# be a 1.  Exact for floats, integers and booleans alike.  Other sets compare value by value.
_LABEL_TESTS = {
    frozenset({0, 1}): ("np.count_nonzero({y}) != np.count_nonzero({y} == 1)", "({y} != 0) & ({y} != 1)",
                        "  # each nonzero label must be a 1"),
    frozenset({-1, 1}): ("np.count_nonzero(np.abs({y}) != 1)", "np.abs({y}) != 1", ""),
}


def _shape_text(shape) -> str:
    return "scalar" if not shape else "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _arg_shapes(spec: Spec, results: dict) -> dict:
    """{python arg: its shape as a tuple of dimension symbols}, for the arguments whose shape the generator knows."""
    mats = {m.name: m for e in results.values() for m in sp.sympify(e).atoms(sp.MatrixSymbol)}
    bound = dict(spec.bind)
    shapes = {}
    for sym, design in spec.rows:
        if sym not in mats:
            raise CodegenError(f"{spec.name}: per-sample vector {sym!r} is not in the derivation's results")
        shapes[design] = (_ROWS, mats[sym].shape[0])
    for sym, arg in bound.items():
        if arg in spec.args and arg not in shapes and sym in mats:
            m = mats[sym]
            shapes[arg] = (m.shape[0],) if m.shape[1] == 1 else tuple(m.shape)
    for arg, _ in spec.labels:
        shapes[arg] = (_ROWS,)
    return shapes


def shape_check(spec: Spec, results: dict, mean: bool) -> list[str]:
    """One `if` comparing every known shape: the design matrices first (they fix N and p), then the arguments in
    order.  A design matrix of a per-row function may also be one row, a 1-D x."""
    shapes = _arg_shapes(spec, results)
    if not shapes:
        return []
    designs = [design for _, design in spec.rows]
    order = designs + [a for a in spec.args if a in shapes and a not in designs]
    known: dict = {}          # dimension symbol -> its code
    tests = []
    for arg in order:
        shape = shapes[arg]
        if arg in designs and not mean:
            tests.append(f"{arg}.ndim not in (1, 2)")
            known.setdefault(shape[1], f"{arg}.shape[-1]")
            continue
        if all(d in known for d in shape):
            tests.append(f"{arg}.shape != ({', '.join(known[d] for d in shape)}{',' if len(shape) == 1 else ''})")
            continue
        tests.append(f"{arg}.ndim != {len(shape)}")
        for k, d in enumerate(shape):
            if d in known:
                tests.append(f"{arg}.shape[{k}] != {known[d]}")
            else:
                known[d] = f"{arg}.shape[{k}]"
    texts = {a: _shape_text(shapes[a]) for a in shapes}
    if not mean:
        texts.update({d: f"{texts[d]} or {_shape_text(shapes[d][1:])}" for d in designs})
    need = ", ".join(f"{a} {texts[a]}" for a in spec.args if a in shapes)
    got = ", ".join(f"{a} {{{a}.shape}}" for a in spec.args if a in shapes)
    return _if_any(tests) + [f'    raise ValueError(f"need {need}; "', f'                     f"got {got}")']


_WIDTH = 110   # the generated modules' line length, as the project's


def _if_any(tests) -> list[str]:
    """``if a or b or c:``, broken inside parentheses when it would not fit on a line of the function body."""
    one = f"if {' or '.join(tests)}:"
    if len(one) + 4 <= _WIDTH:
        return [one]
    lines, line = [], "if (" + tests[0]
    for t in tests[1:]:
        if len(line) + len(t) + 8 > _WIDTH:
            lines.append(line)
            line = "        or " + t
        else:
            line += " or " + t
    return lines + [line + "):"]


def _used(spec: Spec, arg: str, results: dict):
    """The name of the symbol bound to `arg` that the outputs use, or None if they do not use it."""
    used = {s.name for o in spec.outputs for s in sp.sympify(results[o.result]).free_symbols}
    return next((sym for sym, py in spec.bind if py == arg and sym in used), None)


def check_labels(spec: Spec, results: dict, domains: dict):
    """CodegenError unless each label set of the Spec is the finite domain its symbol has in the derivation (the
    set its case split proved the closed forms on)."""
    for arg, values in spec.labels:
        sym = _used(spec, arg, results)
        if sym is None:
            continue
        domain = next((v for s, v in domains.items() if s.name == sym), None)
        if domain != frozenset(values):
            raise CodegenError(f"{spec.name}: labels {arg!r} allow {sorted(values)}, but the derivation's domain of "
                               f"{sym!r} is {sorted(domain) if isinstance(domain, frozenset) else domain}")


def _words(values) -> str:
    """0 or 1; -1, 0 or 1."""
    values = sorted(values)
    return ", ".join(str(v) for v in values[:-1]) + f" or {values[-1]}"


def _helper_name(values) -> str:
    """_check_labels_0_1, _check_labels_m1_1: one helper per label set, named for it."""
    return "_check_labels_" + "_".join(str(v).replace("-", "m") for v in sorted(values))


def label_helper(values) -> str:
    """The source of the module-level function that checks a label array against `values` (emitted once per
    module, called by each function taking such labels): one row by float comparisons (about 0.2 us, where the
    cheapest array test costs about 2 us, a tenth of a loss at N = 1), more rows by one vectorised test."""
    mask = " & ".join(f"({{y}} != {v})" for v in sorted(values))
    test, mask, why = _LABEL_TESTS.get(frozenset(values), (f"np.count_nonzero({mask})", mask, ""))
    allowed = ", ".join(repr(float(v)) for v in sorted(values))
    return (f"def {_helper_name(values)}(y, name):\n"
            f'    """ValueError unless every entry of y is {_words(values)} (name: the argument\'s name, for the message)."""\n'
            f"    if y.shape[0] == 1:  # one row: no NumPy call\n"
            f"        wrong = float(y[0]) not in ({allowed})\n"
            f"    else:\n"
            f"        wrong = {test.format(y='y')}{why}\n"
            f"    if wrong:\n"
            f"        k = np.flatnonzero({mask.format(y='y')})[0]\n"
            f'        raise ValueError(f"{{name}} must hold labels {_words(values)}; got {{name}}[{{k}}] = {{y[k]}}")\n')


def label_check(arg: str, values) -> list[str]:
    """The call of label_helper's function for `arg`."""
    return [f"{_helper_name(values)}({arg}, {arg!r})"]


def label_sets(spec: Spec, results: dict) -> set:
    """The label sets a Spec's function checks (each needs its helper in the module)."""
    return {frozenset(values) for arg, values in spec.labels if _used(spec, arg, results)}


def label_checks(spec: Spec, results: dict) -> list[str]:
    """A label_check per label argument the outputs use (the Hessian of the cross-entropy does not use y)."""
    return [line for arg, values in spec.labels if _used(spec, arg, results) for line in label_check(arg, values)]


def bound_checks(spec: Spec) -> list[str]:
    """low < arg < high for each (arg, low, high) of Spec.bounds: false for NaN, so NaN is refused too."""
    lines = []
    for arg, low, high in spec.bounds:
        lines += [f"if not {float(low)!r} < {arg} < {float(high)!r}:",
                  f'    raise ValueError(f"{arg} must lie strictly between {low} and {high}; got {{{arg}}}")']
    return lines


def empty_check(design: str) -> list[str]:
    """A mean over no rows is undefined: say so rather than return NaN with a warning."""
    return ["if n == 0:",
            f'    raise ValueError("{design} has no rows: a mean over no samples is undefined")']


def describe(spec: Spec, results: dict) -> str:
    """The docstring's lines on what the checks refuse ("" when the function checks nothing)."""
    mean = any(o.reduce for o in spec.outputs)
    parts = ["other shapes"] if _arg_shapes(spec, results) else []
    for arg, values in spec.labels:
        if _used(spec, arg, results):
            parts.append(f"{arg} other than {_words(values)}")
    parts += [f"{arg} outside ({low}, {high})" for arg, low, high in spec.bounds]
    if mean and spec.rows:
        parts.append(f"{spec.rows[0][1]} without rows")
    if not parts:
        return ""
    text = "ValueError for " + "; ".join(parts) + "."
    if mean and spec.rows:
        text += f"\nA transposed square {spec.rows[0][1]} (N = p) cannot be told from its shape."
    return text


def guards(spec: Spec, results: dict, ns: str = "np") -> list[str]:
    """The statements checking a generated function's inputs, before anything is computed.  In code over an
    array-API namespace ``xp`` the label checks run on NumPy arrays only: elsewhere they would need a value
    (a Python `if` on a traced JAX value, a computation of a lazy Dask array)."""
    mean = any(o.reduce for o in spec.outputs)
    labels = label_checks(spec, results)
    if labels and ns == "xp":
        labels = ["if xp is np:  # the labels' values: NumPy only (no `if` on a traced or lazy array)"] + \
                 [f"    {line}" for line in labels]
    return shape_check(spec, results, mean) + labels + bound_checks(spec)
