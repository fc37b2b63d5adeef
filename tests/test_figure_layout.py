"""Figure layout: no legend covers a plotted line or point, panel titles keep apart, labels read as maths.

Each figure is drawn through the registry as the report draws it, with ``save`` replaced by a layout pass
(matplotlib's constrained layout runs, nothing is written), and judged in display coordinates: a legend's
window extent against every line segment, marker and scatter point of every axes, clipped to the axes.
"""
from __future__ import annotations

import importlib
import os

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from deepderive.report import figures as F
from deepderive.report.figure_layout import legends_over_data, titles_too_close

# ---- drawing through the registry ---------------------------------------------------------------------

_MODULES = ("figures", "figures_units", "figures_optim", "figures_networks", "figures_capacity", "figures_depth",
            "figures_nngp")


_DRAWN: dict = {}       # (derivation, name) -> (Figure, caption): each figure drawn once per session


def draw(tmp_path_factory, derivation, name):
    """Run the registered figure `name` of `derivation` as the report does; return (Figure, caption)."""
    if (derivation, name) not in _DRAWN:
        with pytest.MonkeyPatch.context() as mp:
            _DRAWN[derivation, name] = _draw(mp, tmp_path_factory.mktemp("fig"), derivation, name)
    return _DRAWN[derivation, name]


def _draw(monkeypatch, tmp_path, derivation, name):
    drawn = []

    def layout_only(fig, path):
        with matplotlib.rc_context(F.STYLE):
            fig.draw_without_rendering()
        drawn.append(fig)

    for m in _MODULES:
        module = importlib.import_module(f"deepderive.report.{m}")
        if hasattr(module, "save"):
            monkeypatch.setattr(module, "save", layout_only)
    (spec,) = [s for s in F.figures_for(derivation) if s.name == name]
    caption = spec.fn(os.fspath(tmp_path / spec.filename(derivation)))
    (fig,) = drawn
    return fig, caption


def _texts(fig) -> list[str]:
    out = []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return out


# ---- the judge judged -----------------------------------------------------------------------------------

def test_the_judge_sees_a_legend_on_a_line_and_not_one_beside_it():
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.subplots()
    x = np.linspace(0, 1, 50)
    ax.plot(x, x, label="diagonal")
    ax.scatter([0.05], [0.95], label="a point")
    ax.legend(loc="upper left")
    fig.draw_without_rendering()
    assert ("axes 1", "a point") in legends_over_data(fig)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2))    # wholly below the axes
    fig.draw_without_rendering()
    assert legends_over_data(fig) == []
    ax.plot([0.97], [0.03], "o", label="in the corner")      # a marker alone, no line
    ax.legend(loc="lower right")
    fig.draw_without_rendering()
    assert ("axes 1", "in the corner") in legends_over_data(fig)


# ---- the figures the page readers flagged ---------------------------------------------------------------

CHEAP = [("gd-local-model", "local-model"), ("threshold-units", "xor-two-layers"),
         ("soft-heaviside", "sigmoid-kz-vs-heaviside")]


def _every_other_figure():
    """Every other registered figure: most compute their data (training runs, fits, sweeps) for a second or more,
    so the suite's time budget keeps them out of the default run; DEEPDERIVE_ALL_FIGURES=1 runs them all (about
    half a minute). Among them the ones the page readers flagged: LDA, logistic GD, the step-size sweep,
    Bottou's trade-off, backprop's two, the depth chain and R11's strip."""
    from derivations.registry import names

    run = os.environ.get("DEEPDERIVE_ALL_FIGURES") == "1"
    skip = pytest.mark.skipif(not run, reason="costly figure: set DEEPDERIVE_ALL_FIGURES=1")
    return [pytest.param(d, spec.name, marks=skip) for d in names() for spec in F.figures_for(d)
            if (d, spec.name) not in CHEAP and d in spec.derivations[:1]]


@pytest.mark.parametrize("derivation,name", CHEAP + _every_other_figure())
def test_no_legend_covers_data_and_titles_keep_apart(tmp_path_factory, derivation, name):
    fig, _ = draw(tmp_path_factory, derivation, name)
    assert F.layout_problems(fig) == []     # what save() refuses, for every build of the report
    text = " ".join(_texts(fig))
    assert "--" not in text and "_relu" not in text      # an en dash, and words rather than identifiers


def test_xor_names_its_inputs_as_the_statement_does(tmp_path_factory):
    fig, caption = draw(tmp_path_factory, "threshold-units", "xor-two-layers")
    left, right = fig.axes
    assert (left.get_xlabel(), left.get_ylabel()) == ("$x_1$", "$x_2$")
    assert r"\mathrm{AND}" in right.get_ylabel() and r"\mathrm{OR}" in right.get_xlabel()
    assert "h_{AND}" not in caption and "H(a + b" not in caption and r"h_{\mathrm{AND}}" in caption


def test_soft_heaviside_draws_the_dots_and_values_its_caption_quotes(tmp_path_factory):
    fig, caption = draw(tmp_path_factory, "soft-heaviside", "sigmoid-kz-vs-heaviside")
    left, right = fig.axes
    filled = {(float(x), float(y)) for line in left.get_lines() if line.get_marker() == "o"
              and line.get_markerfacecolor() not in ("white", (1.0, 1.0, 1.0, 1.0))
              for x, y in line.get_xydata()}
    assert (0.0, 1.0) in filled and "H(0) = 1$ (filled dot)" in caption     # H(0) = 1, drawn
    # every value quoted at k = 100 lies inside the right panel: sigma(-100 delta), by the closed form
    lo, hi = right.get_ylim()
    for delta in (0.1, 0.3, 1.0):
        assert lo < 1 / (1 + np.exp(100 * delta)) < hi


def test_save_refuses_a_legend_over_data_and_leaves_nothing(tmp_path):
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.subplots()
    ax.scatter([0.05], [0.95], label="a point")
    ax.plot([0, 1], [0, 1], label="diagonal")
    ax.legend(loc="upper left")
    with pytest.raises(F.FigureLayoutError, match="covers 'a point'"):
        F.save(fig, tmp_path / "f.pdf")
    assert list(tmp_path.iterdir()) == []
