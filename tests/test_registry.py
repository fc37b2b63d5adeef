"""The registries: library, check and figure modules are found (not listed), names are validated when
registered, checks and figures belong to the library's own Derivation objects, and every registered
derivation is fully proved (driven by derivations.names(), so a new one is tested without a list)."""
import pathlib
import sys

import pytest
import sympy as sp

import derivations
from derivations import CHECKED, FAILED, PROVED, Derivation, UnknownDerivation
from derivations.registry import is_registered
from numeric import checks

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _modules(folder: pathlib.Path, package: str) -> list[str]:
    return [f"{package}.{p.stem}" for p in sorted(folder.glob("*.py")) if not p.stem.startswith("_")]


# ---- found, not listed --------------------------------------------------------------------------

def test_every_library_module_is_loaded_by_names():
    derivations.names()
    missing = [m for m in _modules(ROOT / "derivations" / "library", "derivations.library") if m not in sys.modules]
    assert not missing, f"library modules not discovered: {missing}"


def test_every_check_module_is_loaded():
    checks.for_derivation("sigmoid")
    missing = [m for m in _modules(ROOT / "numeric" / "checks", "numeric.checks") if m not in sys.modules]
    assert not missing, f"check modules not discovered: {missing}"


def test_no_hand_kept_module_lists_remain():
    from derivations import registry

    assert not hasattr(registry, "_LIBRARY") and not hasattr(checks, "_MODULES")


# ---- names validated at registration ------------------------------------------------------------

def test_checks_for_an_unknown_derivation_are_refused_at_registration():
    with pytest.raises(UnknownDerivation) as err:
        checks.register("sigmiod")
    msg = str(err.value)
    assert "'sigmiod'" in msg and all(n in msg for n in derivations.names())


def test_a_figure_of_an_unknown_derivation_is_refused_at_registration():
    from deepderive.report.figures import figure

    with pytest.raises(UnknownDerivation) as err:
        figure("sigmoid", "lda-posterio")
    msg = str(err.value)
    assert "'lda-posterio'" in msg and "lda-posterior" in msg


def test_every_registered_check_and_figure_names_a_registered_derivation():
    from deepderive.report import figures

    checks.for_derivation("sigmoid")
    figures.figures_for("sigmoid")
    names = set(derivations.names())
    assert set(checks._CHECKS) <= names
    assert {d for f in figures._FIGURES for d in f.derivations} <= names


# ---- keyed by the library's object --------------------------------------------------------------

def _users_own(name):
    z = sp.Symbol("z", real=True)
    d = Derivation(name, "a user's derivation that reuses a library name")
    d.step(derivations.sigmoid(z) + derivations.sigmoid(-z), 1, why="symmetry")
    return d


@pytest.mark.parametrize("name", ["sigmoid", "lda-posterior"])
def test_a_users_derivation_with_a_library_name_gets_no_checks_or_figures(name):
    from deepderive.report import figures_for

    library, mine = derivations.get(name), _users_own(name)
    assert is_registered(library) and not is_registered(mine)
    assert checks.for_derivation(library) == checks.for_derivation(name) != []
    assert figures_for(library) == figures_for(name) != []
    assert checks.for_derivation(mine) == [] and checks.run(mine) == []
    assert figures_for(mine) == []


def test_unregistered_names_have_no_checks_or_figures():
    from deepderive.report import figures_for

    assert checks.for_derivation("mine-good") == [] and figures_for("mine-good") == []


def test_a_check_that_raises_is_a_failed_row_when_caught(monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(checks, "for_derivation", lambda d: [broken])
    with pytest.raises(RuntimeError):
        checks.run("sigmoid")
    row, = checks.run("sigmoid", catch=True)
    assert not row.passed and row.name == "broken" and "RuntimeError: boom" in row.detail


# ---- every registered derivation is proved ------------------------------------------------------

@pytest.mark.parametrize("name", derivations.names())
def test_every_step_of_every_registered_derivation_is_proved(name, library_proof):
    d = derivations.get(name)
    assert d.steps, f"{name} has no steps"
    proof = library_proof(name)
    bad = [(s.why, s.status, s.detail) for s in proof.steps if s.status != PROVED]
    assert not bad, f"{name}: steps not proved: {bad}"
    assert not proof.problems, f"{name}: {proof.problems}"
    assert proof.ok
    assert proof.counts() == {PROVED: len(proof.steps), CHECKED: 0, FAILED: 0}
