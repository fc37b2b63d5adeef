"""The engine's mutation self-test (issue #8): every false claim is rejected, every true one is proved.

The claims live in soundness_claims.py, one small derivation each, grouped by the class of hole they
probe (scalar, matrix, calculus, bound, assumptions/far, tolerance, kink, induction, cases, define,
chain, partials). Their labels come from the mathematics, checked by hand and with mpmath at random
points, never from the engine.
"""
import pytest

from derivations import PROVED
from soundness_claims import CLAIMS, FALSE, TRUE


def _params(claims):
    out = []
    for cl in claims:
        marks = []
        if cl.xfail:
            marks.append(pytest.mark.xfail(reason=cl.xfail, strict=False))
        if cl.slow:
            marks.append(pytest.mark.slow)
        out.append(pytest.param(cl, id=cl.id, marks=marks))
    return out


def _describe(proof):
    lines = [f"  step {n}: {s.status}: {s.detail}" for n, s in enumerate(proof.steps)]
    lines += [f"  problem: {msg}" for msg in proof.problems]
    return "\n".join(lines)


@pytest.mark.parametrize("claim", _params(TRUE))
def test_true_claim_is_proved(claim):
    proof = claim.build().verify()
    assert proof.steps, "a true claim has at least one step"
    not_proved = [n for n, s in enumerate(proof.steps) if s.status != PROVED]
    assert not not_proved and not proof.problems, f"{claim.id} not proved:\n{_describe(proof)}"
    assert proof.ok


@pytest.mark.parametrize("claim", _params(FALSE))
def test_false_claim_is_rejected(claim):
    proof = claim.build().verify()
    assert not proof.ok, f"{claim.id} accepted:\n{_describe(proof)}"
    assert len(proof.steps) > max(claim.bad, default=-1), f"{claim.id}: steps missing from the proof"
    proved = [n for n in claim.bad if proof.steps[n].status == PROVED]
    assert not proved, f"{claim.id}: false step(s) {proved} proved:\n{_describe(proof)}"
    if claim.problem:
        assert proof.problems, f"{claim.id}: expected a problem to be reported:\n{_describe(proof)}"


# ---- the suite itself --------------------------------------------------------------------------

def test_suite_is_large_enough():
    assert len(TRUE) >= 60 and len(FALSE) >= 60, (len(TRUE), len(FALSE))


def test_claim_ids_are_unique():
    ids = [cl.id for cl in CLAIMS]
    assert len(ids) == len(set(ids))


def test_every_class_has_false_claims_and_true_controls():
    kinds_true = {cl.kind for cl in TRUE}
    kinds_false = {cl.kind for cl in FALSE}
    for kind in ("scalar", "matrix", "calculus", "bound", "assumptions", "tolerance", "kink", "induction",
                 "cases", "define", "chain", "partials"):
        assert kind in kinds_true and kind in kinds_false, kind
