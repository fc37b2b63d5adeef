"""Stage 3, assemble: a plan's statements and its block's, in order of need, into a function's body and source."""
from __future__ import annotations

import ast

from .block import Block
from .guards import empty_check
from .plan import Plan


def assemble(plan: Plan, block: Block) -> tuple[list[str], str]:
    """(statements, return expression) of the function: the input checks, the prelude, then each output's statements
    as it needs them."""
    head, lines, ret = assemble_parts(plan, block)
    return head + lines, ret


def _bare(txt: str) -> bool:
    """True when `txt` needs no parentheses before an attribute or an operator of higher precedence: a name, a call,
    an attribute, a subscript."""
    return isinstance(ast.parse(txt, mode="eval").body, (ast.Name, ast.Call, ast.Attribute, ast.Subscript))


def assemble_parts(plan: Plan, block: Block) -> tuple[list[str], list[str], str]:
    """assemble's statements in two parts: the input checks (with n and its check), then the computation."""
    lines = list(plan.prelude)
    finals = []
    for name, parts in plan.outputs:
        terms = []
        for index, template in parts:
            if index is None:
                terms.append(template)
                continue
            new, txt = block.code_of(index)
            lines += new
            sign = ""
            if template.startswith("{}.sum()") and txt.startswith("-") and _bare(txt[1:]):
                sign, txt = "-", txt[1:]            # -t.sum(), not (-t).sum(): a scalar negated, not an array
            bare = template == "{}" or _bare(txt)
            terms.append(sign + template.format(txt if bare else f"({txt})"))
        finals.append((name, " + ".join(terms)))
        named = name is not None and (len(plan.outputs) > 1 or plan.returns)
        if named and finals[-1][1] != name:
            lines.append(f"{name} = {finals[-1][1]}")   # before later outputs' temporaries
        if not named:
            finals[-1] = (None, finals[-1][1])
    if plan.returns:
        ret = plan.returns
    elif plan.as_tuple and len(finals) == 1:
        ret = f"({finals[0][0] or finals[0][1]},)"
    elif plan.as_tuple:
        ret = ", ".join(name or txt for name, txt in finals)
    elif len(finals) == 1:
        ret = finals[0][1]
    else:
        ret = ", ".join(name or txt for name, txt in finals)
    head = list(plan.guards)
    if plan.size_of:
        head += [f"n = {plan.size_of}.shape[0]"] + empty_check(plan.size_of)
    return head, free_dead(lines, ret, set(plan.temporaries)), ret


def _loads(stmt: str) -> set:
    return {n.id for n in ast.walk(ast.parse(stmt)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def free_dead(lines, ret, temporaries) -> list[str]:
    """`del` each temporary after its last use when more statements follow.

    Peak memory decides speed at N ~ 10⁴: every (N,) array alive at the peak is pages that the
    allocator returns to the system after each call and takes back, page fault by page fault, in
    the next.  Freeing temporaries early keeps the peak at the few arrays a statement needs.
    """
    uses = [_loads(line) for line in lines] + [_loads(ret)]
    last = {v: max(i for i, u in enumerate(uses) if v in u) for v in temporaries if any(v in u for u in uses)}
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        dead = [v for v in sorted(last, key=lambda v: (len(v), v)) if last[v] == i]
        if dead and i < len(lines) - 1:
            out.append("del " + ", ".join(dead))
    return out


def function_source(name: str, args, lines, ret: str, doc: str = "") -> str:
    """The text of ``def name(args):``, its docstring (already indented, may be empty), body and return."""
    src = f"def {name}({', '.join(args)}):\n{doc}"
    src += "".join(f"    {line}\n" for line in lines)
    return src + f"    return {ret}\n"
