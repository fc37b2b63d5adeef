"""The README's networks example runs as written (a reader copies it whole)."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _block_after(heading):
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_networks_example_runs_and_trains():
    scope: dict = {}
    exec(compile(_block_after("## Networks and backpropagation"), "README.md", "exec"), scope)
    assert scope["p"].shape == (200,) and scope["dW1"].shape == (4, 3) and scope["dW2"].shape == (3,)
    # 100 steps of gradient descent fit the training rows better than the network that always says 1/2
    trained = scope["mlp"].value_and_grad(scope["weights"], scope["biases"], scope["X"], scope["y"],
                                          activation="relu")[0]
    assert trained < 0.6931471805599453


def test_the_depth_example_runs():
    """Its shapes, and the Glorot draw's variance 2/(q_in + q_out) within 5 standard errors."""
    import numpy as np

    scope: dict = {}
    exec(compile(_block_after("## Depth and initialisation"), "README.md", "exec"), scope)
    assert [a.shape for a in scope["acts"]] == [(569, 100), (569, 100)]
    assert [d.shape for d in scope["deltas"]] == [(569, 100), (569, 100), (569, 1)]
    g = scope["g"]
    assert g.shape == (5, 20) and np.all(np.isfinite(g))
    assert abs(scope["weights"][1].var() - 2 / 200) < 5 * np.sqrt(2 / 10_000) * 2 / 200   # Gaussian SE, > uniform's


def test_the_linear_units_example_runs():
    """XOR from the DNF against Python's own xor; the perceptron's mistakes within the bound it quotes."""
    scope: dict = {}
    exec(compile(_block_after("## Linear units and the perceptron"), "README.md", "exec"), scope)
    assert list(scope["out"]) == [a ^ b for a in (0, 1) for b in (0, 1)]
    assert scope["fit"].mistakes == 5 and abs(scope["bound"] - 221.8) < 0.05


def test_the_gradient_descent_example_runs():
    import mpmath

    scope: dict = {}
    exec(compile(_block_after("## Gradient descent and SGD"), "README.md", "exec"), scope)
    root = mpmath.findroot(lambda t: 0.08 * (t - mpmath.mpf("0.333")) ** 3 - mpmath.mpf("1.2") * t, -3.36)
    assert abs(scope["p"].end - float(root)) <= 1e-15 * abs(float(root))
    assert abs(scope["slope"]) < 1e-14 and 1.52 < scope["e"].crisis < 1.53


def test_the_capacity_example_runs():
    import numpy as np

    scope: dict = {}
    exec(compile(_block_after("## Capacity"), "README.md", "exec"), scope)
    assert scope["pieces"] == 3 ** 4
    x = np.linspace(0, 1, 100_001)
    err = np.max(np.abs(scope["f"](x) - np.sin(2 * np.pi * x)))
    assert err <= np.pi ** 2 / (2 * 16 ** 2) and abs(err - 0.01885) < 1e-5
    K = scope["K"]
    assert K.shape == (5, 5) and np.allclose(K, K.T) and np.linalg.eigvalsh(K).min() > 0
