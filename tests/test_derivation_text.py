"""The derivations' human-facing text reads as maths: titles, statements, justifications, definitions and the
prover's "how" lines hold no ASCII pseudo-maths (``->``, ``9*z/10``, ``np.maximum``, ``x_1`` in plain text), and the
words of a step agree with what it proves."""
import re

import pytest
import sympy as sp

from derivations import PROVED, Derivation, registry
from derivations.codegen import stable
from derivations.prove import Context, judge, judge_induction

MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$", re.S)         # a $...$ span of LaTeX source
TEXTTT = re.compile(r"\\texttt\{.*?\}")                   # code named as code, on purpose

#: ASCII spellings of maths in the prose around the $...$ spans
PSEUDO_TEXT = {"arrow": r"->", "ascii <=": r"<=", "ascii >=": r">=", "power": r"\*\*", "numpy": r"\bnp\.",
               "product star": r"\w\*\w", "bare subscript": r"(?<!\\)_", "caret": r"\^",
               "call": r"\b(Max|Min|where|sqrt|exp|log|tanh|sigma)\(", "identifier": r"\b\w+_prime\b",
               "float literal": r"\b\de-?\d"}
#: code inside a formula
PSEUDO_MATH = {"arrow": r"->", "power": r"\*\*", "numpy": r"\bnp\.", "product star": r"\w\*\w",
               "SymPy call": r"\b(Max|Min|where)\(", "identifier": r"_prime",
               # amssymb has no blackboard 1: \mathbb{1} prints as another glyph
               "blackboard one": r"\\mathbb\{1\}"}
#: ASCII spellings in the plain-text "how" lines (every reader shows them as text, so maths is Unicode)
PSEUDO_HOW = {"arrow": r"->", "product star": r"\w\*\w", "power": r"\*\*", "subscript": r"\b[A-Za-z]_\w",
              "float literal": r"\b1e-?\d"}


def _texts(d):
    yield "title", d.title
    yield "statement", d.statement
    for k, s in enumerate(d.steps, 1):
        yield f"step {k}", s.why
    for symbol, _expr, why in d.definitions:
        yield f"definition of {symbol}", why


def _library_texts():
    for name in registry.names():
        for where, text in _texts(registry.get(name)):
            yield name, where, str(text)


def _offences(text, table):
    return [(label, m.group()) for label, pattern in table.items() for m in re.finditer(pattern, text)]


def test_every_statement_and_justification_writes_its_maths_as_maths():
    found = []
    for name, where, text in _library_texts():
        prose = TEXTTT.sub("", MATH.sub("", text))
        found += [(name, where, "text", o) for o in _offences(prose, PSEUDO_TEXT)]
        found += [(name, where, "math", o) for span in MATH.findall(text) for o in _offences(span, PSEUDO_MATH)]
    assert not found, found


def test_a_set_of_signs_is_written_with_a_minus_sign():
    # "{-1, 1}" in a plain-text title shows a hyphen; a minus is U+2212 there, or $-1$ in maths
    titles = {name: registry.get(name).title for name in registry.names()}
    assert not [t for t in titles.values() if re.search(r"(?<![$\w])-\d", MATH.sub("", t))], titles
    assert "{\u22121, 1}" in titles["logistic-loss-pm1"]


def test_the_stable_forms_say_what_each_identity_is():
    whys = [why for _lhs, _rhs, why in stable.proofs()]
    for why in whys:
        prose = TEXTTT.sub("", MATH.sub("", why))
        assert not _offences(prose, PSEUDO_TEXT), why
        assert not [o for span in MATH.findall(why) for o in _offences(span, PSEUDO_MATH)], why
        # "rewrite A as A": a claim whose two sides print alike must say in words what is proved
        sides = re.fullmatch(r"rewrite \$(.*)\$ as \$(.*)\$", why)
        assert not sides or sides.group(1) != sides.group(2), why
    tanh_rename = next(why for lhs, rhs, why in stable.proofs() if lhs == sp.tanh(sp.Symbol("z", real=True))
                       and rhs != lhs)
    assert "same function" in tanh_rename


def _ramp_pieces():
    """(words, value at the piece's left end, at its right end) of linear-regions' tent pieces, the composite
    evaluated with a plain max for ReLU (h = 1): independent of the derivation's symbols."""
    from derivations.library import regions
    relu = lambda t: max(t, 0.0)                                       # noqa: E731
    d = registry.get("linear-regions")
    out = []
    for depth in range(1, regions.EXPLICIT_DEPTH + 1):
        for piece in range(2 ** depth):
            def composite(x):
                for layer in reversed(range(depth)):
                    w = 2.0 ** layer
                    x = relu(x) - 2 * relu(x - w)
                return x
            step = next(s for s in d.steps if s.chain == f"tent{depth}_piece{piece}")
            out.append((step.why, composite(piece + 1e-9), composite(piece + 1 - 1e-9)))
    return out


def test_each_tent_piece_is_said_to_rise_or_fall_as_it_does():
    pieces = _ramp_pieces()
    assert len(pieces) == 6
    for why, left, right in pieces:
        rising = right > left
        assert (r"rising from $0$ to $h$" in why) == rising, (why, left, right)
        assert (r"falling from $h$ to $0$" in why) == (not rising), (why, left, right)
        assert abs(min(left, right)) < 1e-6 and abs(max(left, right) - 1) < 1e-6     # 0 and h at the ends


# ---- the prover's "how" lines ------------------------------------------------------------------------------

def _how_ok(detail):
    assert not _offences(detail, PSEUDO_HOW), detail


def test_an_induction_step_is_written_with_an_arrow():
    i, n = sp.symbols("i n", integer=True, positive=True)
    c = sp.Symbol("c", positive=True)
    v = judge_induction(sp.Sum(c, (i, 1, n)), n * c, n, Context())
    assert v.status == PROVED and "step n \u2192 n + 1" in v.detail, v.detail
    _how_ok(v.detail)


def test_a_case_split_names_its_quantity_in_maths():
    z = sp.Symbol("z", real=True)
    v = judge(sp.Max(9 * z / 10, 0), sp.Piecewise((0, z < 0), (9 * z / 10, True)), Context())
    assert v.status == PROVED and re.search("sign of \u2212?9z/10 ", v.detail), v.detail   # either sign of g
    _how_ok(v.detail)
    v = judge(sp.Max(-z, 0), sp.Piecewise((0, z > 0), (-z, True)), Context())
    assert v.status == PROVED and re.search("sign of \u2212?z ", v.detail), v.detail
    _how_ok(v.detail)


def test_a_constant_claim_is_not_said_to_be_sampled():
    v = judge(sp.log(4), 2 * sp.log(2), Context())
    assert v.status == PROVED and "both sides are constants" in v.detail and "point" not in v.detail, v.detail


def test_cases_over_subscripted_symbols_name_them_with_subscripts():
    x1, x2 = sp.symbols("x_1 x_2", real=True)
    d = Derivation("cases-text", "cases", domains={x1: {0, 1}, x2: {0, 1}})
    rows = tuple({x1: a, x2: b} for a in (0, 1) for b in (0, 1))
    d.derive(x1 * x2).then(sp.Min(x1, x2), "both bits", cases=rows)
    step = d.verify().steps[0]
    assert step.status == PROVED, step.detail
    assert step.detail.startswith("4 cases over x\u2081, x\u2082, 4 proved; case x\u2081 = 0, x\u2082 = 0: "), step.detail
    _how_ok(step.detail)


@pytest.mark.parametrize("name", ["threshold-units"])
def test_a_library_proof_reads_as_maths(library_proof, name):
    for s in library_proof(name).steps:
        _how_ok(s.detail)
        assert "at 1 point" not in s.detail, s.detail
