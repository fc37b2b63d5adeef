"""Linear regions (R24): the zig-zag of q ReLUs, q^L pieces from L layers, and Montúfar's q^{L−1}(q+1) for p = 1."""
import sympy as sp

from ..core import Derivation
from ..functions import relu
from ..registry import register
from .universal import unit_signs

# A point of piece k: x = x_k + u = x_{k+1} − v with u ≥ 0, v > 0, so the piece width is h = u + v.
u = sp.Symbol("u", nonnegative=True)
v = sp.Symbol("v", positive=True)
h = sp.Symbol("h", positive=True)
x = sp.Symbol("x", real=True)
k = sp.Symbol("k", integer=True, positive=True)          # the piece, in the induction
i, l, j = sp.symbols("i l j", integer=True, positive=True)
q = sp.Symbol("q", integer=True, positive=True)          # the width
L = sp.Symbol("L", integer=True, positive=True)          # the depth
jj = sp.Symbol("j", integer=True, nonnegative=True)      # the index of Montúfar's binomial sum
EXPLICIT_DEPTH = 2                                        # the tent composed with itself, written out


def zigzag_coef(n):
    """The slope change at x_n, in units of 1/h: +1 at x_0, then ±2 (the slope flips between +1/h and −1/h)."""
    return 1 if n == 0 else 2 * (-1) ** n


def tent(point, width):
    """The q = 2 zig-zag at scale `width`: ReLU(x) − 2 ReLU(x − width), which maps [0, 2·width] onto [0, width]."""
    return relu(point) - 2 * relu(point - width)


def tents(point, width, depth):
    """The tent composed `depth` times, the inner one widest: [0, 2^depth · width] onto [0, width]."""
    for layer in reversed(range(depth)):
        point = tent(point, width * 2 ** layer)
    return point


def _zigzag(d):
    """g(x) = (1/h)[ReLU(x) + 2 Σ_{i=1}^{q−1} (−1)^i ReLU(x − ih)]: on piece k, t = (x − x_k)/h or 1 − t."""
    d.derive(sp.Sum(zigzag_coef(i) * (x - i * h) / h, (i, 1, k)), name="zigzag_piece").then(
        (1 - (-1) ** k) / 2 + (-1) ** k * (x - k * h) / h - x / h,
        r"by induction on $k$ (the new term $2(-1)^{k+1}(x - x_{k+1})/h$ flips the slope): with only the units "
        r"$i \le k$ active on piece $k$ (the unit signs above), "
        r"$g(x) = x/h + \sum_{i=1}^{k} 2(-1)^i (x - x_i)/h$ is $t$ for even $k$ and $1 - t$ for odd $k$, "
        r"$t = (x - x_k)/h \in [0, 1]$: each piece is mapped onto $[0, 1]$", induction=k)


def _tent_pieces(d):
    """The tent composed L = 1, 2 times, every piece written out with its ReLUs: u or v on each of 2^L pieces."""
    width = u + v
    for depth in range(1, EXPLICIT_DEPTH + 1):
        for piece in range(2 ** depth):
            value = u if piece % 2 == 0 else v
            left, right = piece * h, (piece + 1) * h          # the piece's ends: x = left + u = right - v
            shown = (rf"$u = {'x - ' + sp.latex(left) if piece else 'x'}$, rising from $0$ to $h$" if value is u else
                     rf"$v = {sp.latex(right - x)}$, falling from $h$ to $0$")
            d.derive(tents(piece * width + u, width, depth), name=f"tent{depth}_piece{piece}").then(
                value, rf"$L = {depth}$, piece {piece} of $2^{depth}$: "
                       rf"$x = {sp.latex(left + u)} = {sp.latex(right - v)}$, $h = u + v$; every ReLU's sign is "
                       rf"fixed, and the composite is {shown} as $x$ crosses the piece")


def _counts(d):
    """pieces(L) = q · pieces(L − 1) with pieces(0) = 1, and Montúfar's bound for p = 1."""
    d.derive(sp.Product(q, (l, 1, L)), name="zigzag_count").then(
        q ** L, r"each layer's zig-zag maps each piece of the layers below onto $[0, 1]$ monotonically, so it "
                r"splits it into $q$ pieces whose slopes alternate in sign (none merge): "
                r"$\mathrm{pieces}(L) = q\,\mathrm{pieces}(L-1)$, $\prod_{l=1}^{L} q = q^L$ by induction",
        induction=L)
    montufar = sp.Product(sp.floor(q / 1) ** 1, (i, 1, L - 1)) * sp.Sum(sp.binomial(q, jj), (jj, 0, 1))
    d.derive(montufar, name="montufar").then(
        q ** (L - 1) * (q + 1), r"Montúfar's $\prod_{i=1}^{L-1}\lfloor n_i/n_0\rfloor^{n_0}\sum_{j=0}^{n_0}"
                                r"\binom{n_L}{j}$ at $n_0 = 1$, $n_i = q$: $q^{L-1}\left(\binom q0 + \binom q1\right)$")
    d.then(q ** L, r"$q^{L-1}(q + 1) - q^L = q^{L-1} > 0$: more than the zig-zag's $q^L$, and equal to the general "
                   r"$(q/p)^{(L-1)p}q^p = q^L$ at $p = 1$ up to the factor $(q+1)/q$",
           relation=">", certificate=q ** (L - 1))


STATEMENT = (
    r"\textbf{Theorem} (cited, not proved here: Montúfar, Pascanu, Cho \& Bengio 2014): a ReLU network with $p$ "
    r"inputs and $L$ hidden layers of width $q \ge p$ can compute functions with "
    r"$\Omega\!\left((q/p)^{(L-1)p}q^p\right)$ linear regions, from the exact lower bound "
    r"$\prod_{i=1}^{L-1}\lfloor n_i/n_0\rfloor^{n_0}\sum_{j=0}^{n_0}\binom{n_L}{j}$ ($n_0 = p$, widths "
    r"$n_i \ge n_0$). \textbf{Theorem} (cited: Serra, Tjandraatmadja \& Ramalingam 2018): for one input the "
    r"maximum number of pieces over all networks of widths $n_l \ge 3$ is $\prod_l (n_l + 1)$. "
    r"\textbf{Proved}: the $q$-tooth zig-zag $g(x) = \frac1h[\operatorname{ReLU}(x) + 2\sum_{i=1}^{q-1}(-1)^i"
    r"\operatorname{ReLU}(x - ih)]$, $h = 1/q$ ($q$ ReLUs; for $q = 2$ the tent "
    r"$2\operatorname{ReLU}(x) - 4\operatorname{ReLU}(x - \frac12)$), is $t$ or $1 - t$ on its piece $k$, "
    r"$t = (x - x_k)/h$, so it maps each of its $q$ pieces onto $[0, 1]$: the units' signs on piece $k$ are "
    r"proved for symbolic $i$, $k$, and the sum of the active units for every $k$ by induction (summing the "
    r"units' values over a symbolic $k$ is not an engine step). The scaled tent "
    r"$\operatorname{ReLU}(x) - 2\operatorname{ReLU}(x - h)$, composed $L = 1, 2$ times (widths $2^{L-1}h, \dots, h$), "
    r"is proved, with every ReLU, to rise from $0$ to $h$ or fall from $h$ to $0$ on each of its $2^L$ pieces. Composing $L$ "
    r"zig-zags multiplies the pieces by $q$ per layer (in words: each piece of the layers below is mapped onto "
    r"$[0,1]$ monotonically, and adjacent new pieces have slopes of opposite signs, so none merge): $q^L$ pieces "
    r"on $[0,1]$. For $p = 1$ and width $q$ Montúfar's bound is $q^{L-1}(q + 1) > q^L$ (proved for symbolic "
    r"$q$, $L$); a construction reaching it is the numeric side's \texttt{montufar\_network}."
)


@register("linear-regions")
def build():
    d = Derivation("linear-regions", "Linear regions: the zig-zag construction and Montúfar's bound",
                   source="R24", statement=STATEMENT)
    unit_signs(d)
    _zigzag(d)
    _tent_pieces(d)
    _counts(d)
    for name in ("zigzag_piece", "zigzag_count", "tent2_piece1"):
        d.result(name)
    return d
