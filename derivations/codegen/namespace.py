"""The routes of a generated function by input type: NumPy arrays, other array-API libraries, one Python float.

A generated function's body calls ``xp.exp``, ``xp.where``, ...: ``xp`` is NumPy itself for NumPy arrays (one
``type(a) is np.ndarray`` test per array argument, about 30 ns, and the body is the NumPy code of before), and for
arrays of another library (JAX, Dask, PyTorch, CuPy) the namespace array-api-compat gives, imported only then.
The body has no in-place assignment and no Python `if` on a value (the label checks, which need one, run on NumPy
arrays only), so it runs under `jax.jit` and stays lazy on Dask.  A one-argument activation also takes one Python
float through the same forms in `math`, without a NumPy call.
"""
from __future__ import annotations

import ast
import re
import textwrap

from .spec import Spec

# The modules whose one-argument functions get the Python float route: their stable forms take exp of
# non-positive numbers only and no log or root, so math raises nothing where NumPy would give inf or NaN.
FLOAT_ROUTE = frozenset({"activations"})

# Where an object's type comes from -> NumPy's own route: Python numbers and lists, NumPy scalars and arrays,
# and autograd's boxes (numeric.autodiff runs the same code with np bound to autograd.numpy).
_NUMPY_ROUTE = ("builtins", "numpy", "autograd")

HELPER = f'''def _namespace(name, arrays, needs):
    """The array-API namespace of `arrays` when one of them is not NumPy's (np itself otherwise: Python numbers,
    lists, NumPy scalars); ImportError when array-api-compat is missing, TypeError naming each operation of
    `needs` the namespace lacks (name: the function's, for the messages)."""
    foreign = [a for a in arrays if type(a).__module__.partition(".")[0] not in {_NUMPY_ROUTE!r}]
    if not foreign:
        return np
    try:
        import array_api_compat
    except ImportError:
        raise ImportError(f"{{name}}: arrays of {{type(foreign[0]).__module__}} go through array-api-compat; "
                          f"install it (pip install array-api-compat)") from None
    xp = array_api_compat.array_namespace(*foreign)
    missing = [op for op in needs if not hasattr(xp, op)]
    if missing:
        raise TypeError(f"{{name}}: {{xp.__name__}} has no {{', '.join(missing)}}, which it needs")
    return xp
'''


def needs(lines, ret: str) -> tuple:
    """The attributes of ``xp`` the statements and the return expression use, sorted."""
    tree = ast.parse("".join(f"{line}\n" for line in lines) + f"return {ret}\n")
    return tuple(sorted({n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                         and isinstance(n.value, ast.Name) and n.value.id == "xp"}))


def array_args(spec: Spec, shapes: dict) -> list[str]:
    """The arguments whose type picks the route: those with a known array shape, else every argument."""
    return [a for a in spec.args if a in shapes] or list(spec.args)


def numpy_test(spec: Spec, shapes: dict) -> str:
    """True for NumPy arrays (not autograd's boxes, not another library's arrays): one type test per array argument
    (about 30 ns each), an isinstance for each scalar one next to them; NumPy scalars too for a one-argument
    elementwise function."""
    arrays = array_args(spec, shapes)
    if not shapes and len(arrays) == 1:      # elementwise: a NumPy scalar as a 1-element array, bit for bit
        return f"type({arrays[0]}) is np.ndarray or isinstance({arrays[0]}, np.generic)"
    test = " is ".join(f"type({a})" for a in arrays) + " is np.ndarray"
    scalars = [a for a in spec.args if a not in arrays]     # a float first: one type test (isinstance ~100 ns)
    return test + "".join(f" and (type({a}) is float or isinstance({a}, (int, np.generic)))" for a in scalars)


def dispatch(spec: Spec, shapes: dict, ops: tuple, flag: bool = True) -> list[str]:
    """The statements binding ``numpy`` (the NumPy route applies; flag=False: no such route, no such name) and
    ``xp``: NumPy, else `_namespace`."""
    args = ", ".join(spec.args) + ("," if len(spec.args) == 1 else "")
    call = f"_namespace({spec.name!r}, ({args}), {ops!r})"
    if not flag:
        return [f"xp = np if {numpy_test(spec, shapes)} else {call}"]
    return [f"numpy = {numpy_test(spec, shapes)}", f"xp = np if numpy else {call}"]


def has_float_route(spec: Spec) -> bool:
    return spec.module in FLOAT_ROUTE and len(spec.args) == 1 and not spec.rows


def float_route(spec: Spec, lines, ret: str) -> list[str]:
    """``if type(z) is float:`` and the function's statements in `math` under it."""
    arg = spec.args[0]
    return ([f"if type({arg}) is float:  # one Python float: the same forms in math, no NumPy call"]
            + [f"    {line}" for line in lines] + [f"    return {ret}"])


# ---- NumPy arrays: compiled kernels, one row in floats, blocks of rows ---------------------------------------------

_LOADERS = {"_expit": "expit", "_log_expit": "log_expit"}


def _loader(name: str, kernel: str) -> str:
    return (f"def {name}(z):\n"
            f'    """scipy.special.{kernel}, imported on the first call (importing this module costs NumPy alone);\n'
            f'    the call rebinds {name} to it."""\n'
            f"    global {name}\n"
            f"    from scipy.special import {kernel} as {name}\n"
            f"    return {name}(z)\n")


_SIGMOID = '''def _sigmoid(z):
    """sigma(z) for a NumPy array z: scipy.special.expit, 1/(1 + e^-z), within 2 ulps where it is not 0; where it is
    0 (z < -709.78, where e^-z overflows), sigma(z) = e^z/(1 + e^z) is e^z to the last bit of the subnormal it is,
    so those entries are e^z."""
    s = _expit(z)
    if np.count_nonzero(s) < s.size:     # a zero: z < -709.78 or -inf (count_nonzero needs no ufunc call)
        s = np.where(s == 0.0, np.exp(np.minimum(z, 0.0)), s)
    return s
'''


def loaders(text: str) -> list[str]:
    """The lazy SciPy loaders the functions' text calls itself (printer.KERNELS), in a fixed order: each module
    keeps its own, since a loader rebinds the name in the module that calls it."""
    return [_loader(name, kernel) for name, kernel in _LOADERS.items() if re.search(rf"\b{name}\(", text)]


# The helpers every module may call, written once in numeric/generated/_routes.py and imported from there.
ROUTES = "_routes"
_SHARED = {"_namespace": HELPER, "_sigmoid": _SIGMOID}   # name -> its definition (_in_blocks: BLOCKS, below)


def shared_import(text: str) -> str:
    """``from ._routes import ...`` for the shared helpers the functions' text calls ("" for none)."""
    used = sorted(name for name in (*_SHARED, "_in_blocks") if re.search(rf"\b{name}\(", text))
    return f"from .{ROUTES} import {', '.join(used)}\n\n" if used else ""


def routes_module() -> str:
    """The text (after the header) of numeric/generated/_routes.py: the route helpers the generated modules share."""
    return ('"""The routes the generated functions share: the array-API namespace of the inputs, sigma on NumPy '
            'arrays, sums over\nblocks of rows."""\nimport numpy as np\n\n\n'
            + "\n\n".join([HELPER, _SIGMOID, _loader("_expit", "expit"), BLOCKS]))



SHORT = 128        # at most this many rows: the fewest calls; more: the least per row (measured crossover ~150)
BLOCK = 4096        # rows per block: 4096 x 32 float64 is 1 MiB, in cache between its two products with X
BLOCKED = 16000     # more rows go in blocks. Measured (p = 32): one pass is 15-25% faster up to 14000 rows, and
                    # much slower from 16384, where each (N,) temporary reaches 128 KiB, which malloc maps and unmaps
                    # per call: page faults

BLOCKS = f'''_BLOCK = {BLOCK}   # rows per block: a block of X (1 MiB at 32 float64 columns) stays in cache between its products


def _in_blocks(sums, fixed, rows):
    """sums(*fixed, *blocks of rows) added over consecutive blocks of _BLOCK rows, always in the same order (the same
    bytes every call): each block of X is read from memory once, for X @ w and for the products with X while it is
    still in cache, and the temporaries are one block long."""
    total = None
    for i in range(0, rows[0].shape[0], _BLOCK):
        part = sums(*fixed, *(r[i:i + _BLOCK] for r in rows))
        total = part if total is None else tuple(t + q for t, q in zip(total, part))
    return total
'''


def over_rows(spec: Spec) -> bool:
    """Every output a mean over the rows of a design matrix: the function gets the row and block routes."""
    return bool(spec.rows) and all(o.reduce == "mean" for o in spec.outputs)


def _row_args(spec: Spec, shapes: dict) -> tuple[list[str], list[str]]:
    """(the arguments fixed across rows, the per-row ones: design matrices and (N,) vectors), each in order."""
    rows = [a for a in spec.args if a in shapes and str(shapes[a][0]) == "N"]
    return [a for a in spec.args if a not in rows], rows


def _sums_name(spec: Spec, length: str) -> str:
    return f"_{spec.name}_{length}"


_LENGTHS = {"short": "arrays of at most {short} rows, in the fewest NumPy calls (SciPy's kernels)",
            "long": "arrays of more rows, at the least cost per row (one exp a row)",
            "sums": "arrays"}


def sums_helper(spec: Spec, shapes: dict, lines, ret: str, length: str) -> str:
    """The module-level function computing the outputs of `spec` summed (not averaged) over the rows it is given:
    the NumPy route's work for short arrays (stable.KERNEL_FORMS) or long ones (stable.LONG_FORMS, all rows or one
    block)."""
    fixed, rows = _row_args(spec, shapes)
    text = (f"The outputs of {spec.name} on NumPy {_LENGTHS[length].format(short=SHORT)}: summed over the "
            f"rows of {rows[0]} given instead of averaged, as a tuple.")
    doc = "\n".join(textwrap.wrap(text, 110, initial_indent='    """', subsequent_indent="    ")) + '"""\n'

    body = "".join(f"    {line}\n" for line in lines)
    return f"def {_sums_name(spec, length)}({', '.join(fixed + rows)}):\n{doc}{body}    return {ret}\n\n\n"


def _indent(lines, by="    "):
    return [f"{by}{line}" for line in lines]


def _unused_rebinding(line: str, rest) -> bool:
    """``y = float(y[0])`` for a y that no later statement reads (the Hessian does not use the labels)."""
    m = re.fullmatch(r"(\w+) = float\(\1\[0\]\)", line)
    return bool(m) and not any(re.search(rf"\b{m.group(1)}\b", later) for later in rest)


def rows_route(spec: Spec, shapes: dict, row_lines, row_ret: str, split: bool = True) -> list[str]:
    """``if xp is np:`` one row in Python floats; up to BLOCKED rows in one pass, more in blocks; each mean the sum
    divided by n."""
    fixed, rows = _row_args(spec, shapes)
    names = [o.name for o in spec.outputs]
    target = ", ".join(names) if len(names) > 1 else f"({names[0]},)"
    args = ", ".join(fixed + rows)
    long = _sums_name(spec, "long" if split else "sums")
    blocks = (f"_in_blocks({long}, ({', '.join(fixed)}{',' if len(fixed) == 1 else ''}), "
              f"({', '.join(rows)}{',' if len(rows) == 1 else ''}))")
    means = ", ".join(f"{n} / n" for n in names)
    out = ["if numpy:",
           "    if n == 1:  # one row: Python floats in math, NumPy only for the products with the row"]
    row_lines = [line for i, line in enumerate(row_lines) if not _unused_rebinding(line, row_lines[i + 1:] + [row_ret])]
    out += _indent(row_lines, "        ") + [f"        return {row_ret}"]
    if split:
        out += [f"    if n <= {SHORT}:", f"        {target} = {_sums_name(spec, 'short')}({args})",
                f"    elif n <= {BLOCKED}:"]
    else:
        out += [f"    if n <= {BLOCKED}:"]
    out += [f"        {target} = {long}({args})", "    else:", f"        {target} = {blocks}"]
    if spec.returns:
        out += [f"    {', '.join(names)} = {means}", f"    return {spec.returns}"]
    else:
        out += [f"    return {means}"]
    return out


def kernel_route(spec: Spec, shapes: dict, ops, head, body, ret, k_lines, k_ret) -> list[str]:
    """The statements of a function without the row routes: NumPy arrays through the NumPy route's forms where those
    change the code (returning early), every namespace through `body`."""
    same = k_lines == [line.replace("xp.", "np.") for line in body] and k_ret == ret.replace("xp.", "np.")
    if same and "xp" not in "\n".join(head + body + [ret]):
        return head + body          # operators alone: any array library's arrays work as they are
    if same:
        return dispatch(spec, shapes, ops, flag=False) + head + body
    if not head:   # nothing to check: the NumPy route first, then any other namespace
        args = ", ".join(spec.args) + ("," if len(spec.args) == 1 else "")
        return ([f"if {numpy_test(spec, shapes)}:"] + _indent(k_lines) + [f"    return {k_ret}",
                f"xp = _namespace({spec.name!r}, ({args}), {ops!r})"] + body)
    return dispatch(spec, shapes, ops) + head + ["if numpy:"] + _indent(k_lines) + [f"    return {k_ret}"] + body


def describe_routes(spec: Spec, lines, helper: str) -> list[str]:
    """The docstring's lines on the routes the function takes."""
    text = "\n".join(lines) + helper
    kernels = [k for k, used in (("scipy.special.expit", "_sigmoid(" in text),
                                 ("scipy.special.log_expit", "_log_expit(" in text)) if used]
    out = []
    if has_float_route(spec):
        out.append("A Python float gives a Python float, by the same forms in math.")
    if over_rows(spec):
        out.append(f"NumPy arrays: one row in Python floats; up to {SHORT} rows in the fewest calls; more in one exp a "
                   f"row, in blocks of {BLOCK} beyond {BLOCKED}.")
    if kernels:
        out.append(f"NumPy arrays use {' and '.join(kernels)} (SciPy imported on first use).")
    return out
