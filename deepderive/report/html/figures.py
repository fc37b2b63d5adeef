"""Figures inline: each figure's SVG (or PNG) as a data URI, drawn afresh when no file is given."""
from __future__ import annotations

import base64
import pathlib
import tempfile

from .. import figures as figure_registry
from .latex_text import latex_to_html

#: file suffix -> MIME type, in order of preference (vector first)
MIME = {".svg": "image/svg+xml", ".png": "image/png"}


#: an SVG larger than this (a scatter of 10^5 points is tens of MB) is replaced by the figure's PNG
SVG_LIMIT = 1_000_000


class FigureMissing(FileNotFoundError):
    """A figure has no file to embed and no registered figure function to draw it."""


def embeddable(path, svg_limit: int | None = None) -> pathlib.Path | None:
    """The file to embed for a figure drawn at `path` (any suffix: its siblings are looked up): its SVG
    unless larger than `svg_limit` bytes, else its PNG; None when neither will do."""
    path = pathlib.Path(path)
    svg, png = path.with_suffix(".svg"), path.with_suffix(".png")
    if svg.is_file() and svg.stat().st_size <= (SVG_LIMIT if svg_limit is None else svg_limit):
        return svg
    return png if png.is_file() else None


def data_uri(path) -> str:
    path = pathlib.Path(path)
    return "data:%s;base64,%s" % (MIME[path.suffix], base64.b64encode(path.read_bytes()).decode("ascii"))


def _draw_one(spec, name: str, folder: pathlib.Path) -> tuple[pathlib.Path, str]:
    """Draw one figure into `folder`: as SVG, or as PNG when its SVG is too large; (file, caption)."""
    stem = spec.filename(name).rsplit(".", 1)[0]
    target = folder / (stem + ".svg")
    caption = spec.fn(str(target))
    if target.stat().st_size > SVG_LIMIT:
        target = folder / (stem + ".png")
        caption = spec.fn(str(target))
    return target, caption or ""


def draw(name: str):
    """Draw the figures registered for derivation `name`: ([(data URI, caption, figure name)], notes);
    a figure that fails is a note naming it, as on the PDF pages."""
    out, notes = [], []
    with tempfile.TemporaryDirectory(prefix="deepderive-html-") as tmp:
        for spec in figure_registry.figures_for(name):
            try:
                target, caption = _draw_one(spec, name, pathlib.Path(tmp))
            except Exception as exc:
                notes.append(f"figure {spec.name} could not be drawn: {type(exc).__name__}: {exc}")
                continue
            out.append((data_uri(target), caption, spec.name))
    return out, notes


def _given(name: str, path, caption: str):
    """(data URI, caption, figure name) of a figure file already drawn; redrawn when it has nothing embeddable."""
    path = pathlib.Path(path)
    found = embeddable(path)
    if found is not None:
        return data_uri(found), caption, path.stem
    for spec in figure_registry.figures_for(name):
        if spec.filename(name).rsplit(".", 1)[0] == path.stem:
            with tempfile.TemporaryDirectory(prefix="deepderive-html-") as tmp:
                target, _ = _draw_one(spec, name, pathlib.Path(tmp))
                return data_uri(target), caption, path.stem
    raise FigureMissing(f"figure {path.name}: no {path.with_suffix('.svg').name} (of at most {SVG_LIMIT} bytes) "
                        f"or {path.with_suffix('.png').name} to embed, and no figure of {name!r} draws it")


def reused(name: str, reports_dir) -> list | None:
    """[(figure file, caption)] of the figures the per-derivation report in `reports_dir` already drew (the
    captions read back from its .tex), or None when that page or one of its figures is missing."""
    from ..build import _safe_stem
    from ..document import figure_captions

    reports_dir = pathlib.Path(reports_dir)
    stem = _safe_stem(name)
    page = reports_dir / f"{stem}.tex"
    if not page.is_file():
        return None
    captions = figure_captions(page.read_text(encoding="ascii", errors="replace"))
    shown = []
    for spec in figure_registry.figures_for(name):
        rel = f"figures/{spec.filename(stem)}"
        if rel not in captions or embeddable(reports_dir / rel) is None:
            return None
        shown.append((reports_dir / rel, captions[rel]))
    return shown


def render_figure(uri: str, caption: str, alt: str) -> str:
    return ('<figure><img src="%s" alt="%s"><figcaption>%s</figcaption></figure>'
            % (uri, alt.replace('"', "&quot;"), latex_to_html(caption)))


def render_figures(name: str, given=None) -> tuple[str, list[str]]:
    """The figures of derivation `name` and notes on those that failed: `given` [(path, caption)] files
    already drawn (their SVG/PNG siblings are embedded), or, when None, the registered figures drawn now."""
    if given is not None:
        shown, notes = [_given(name, p, c) for p, c in given], []
    else:
        shown, notes = draw(name)
    return "".join(render_figure(uri, c, f) for uri, c, f in shown), notes
