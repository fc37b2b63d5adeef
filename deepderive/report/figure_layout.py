"""Figure layout judged in display coordinates: legends over plotted data, panel titles too close."""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.transforms import Bbox

PAD_PT = 2.0            # a legend closer than this to a line touches it
TITLE_GAP_IN = 0.25     # panel titles closer than this read as one (5.1 had 0.14 in)


def _segment_meets(p, q, box) -> bool:
    """Liang–Barsky: does the segment p→q meet the rectangle `box`?"""
    (x0, y0), (x1, y1) = box.get_points()
    t0, t1 = 0.0, 1.0
    for d, lo, hi, v in ((q[0] - p[0], x0, x1, p[0]), (q[1] - p[1], y0, y1, p[1])):
        if d == 0:
            if not lo <= v <= hi:
                return False
            continue
        a, b = sorted(((lo - v) / d, (hi - v) / d))
        t0, t1 = max(t0, a), min(t1, b)
        if t0 > t1:
            return False
    return True


def _polyline_meets(pts, box) -> bool:
    ok = np.all(np.isfinite(pts), axis=1)
    return any(ok[i] and ok[i + 1] and _segment_meets(pts[i], pts[i + 1], box) for i in range(len(pts) - 1))


def _points_meet(pts, radius, box) -> bool:
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    (x0, y0), (x1, y1) = box.get_points()
    return bool(np.any((pts[:, 0] >= x0 - radius) & (pts[:, 0] <= x1 + radius)
                       & (pts[:, 1] >= y0 - radius) & (pts[:, 1] <= y1 + radius)))


def _covered(ax, box, dpi) -> list[str]:
    """The artists of `ax` (lines, markers, scatter points, line collections) drawn inside `box`."""
    clip = Bbox.intersection(box, ax.get_window_extent())
    if clip is None:
        return []
    out = []
    for line in ax.get_lines():
        if not line.get_visible() or len(line.get_xydata()) == 0:
            continue
        pts = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        hit = line.get_linestyle() not in ("None", "", " ") and _polyline_meets(pts, clip)
        if not hit and line.get_marker() not in ("None", "", " ", None):
            hit = _points_meet(pts, line.get_markersize() / 2 * dpi / 72, clip)
        if hit:
            out.append(line.get_label())
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            pts = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
            r = np.sqrt(np.max(coll.get_sizes())) / 2 * dpi / 72 if len(coll.get_sizes()) else 0.0
            if _points_meet(pts, r, clip):
                out.append(coll.get_label())
        elif isinstance(coll, LineCollection):
            tr = coll.get_transform()
            if any(_polyline_meets(tr.transform(p.vertices), clip) for p in coll.get_paths()):
                out.append(coll.get_label())
    return out


def legends_over_data(fig) -> list[tuple[str, str]]:
    """(axes title, artist label) for every plotted artist some legend of `fig` covers or touches."""
    pad = PAD_PT * fig.dpi / 72
    found = []
    for k, ax in enumerate(fig.axes):
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        box = legend.get_window_extent().padded(pad)
        found += [(ax.get_title() or f"axes {k + 1}", label)
                  for other in fig.axes for label in _covered(other, box, fig.dpi)]
    return found


def titles_too_close(fig) -> list[tuple[str, str]]:
    half = TITLE_GAP_IN * fig.dpi / 2
    titles = [ax.title for ax in fig.axes if ax.get_title()]
    return [(a.get_text(), b.get_text()) for i, a in enumerate(titles) for b in titles[i + 1:]
            if a.get_window_extent().padded(half).overlaps(b.get_window_extent().padded(half))]
