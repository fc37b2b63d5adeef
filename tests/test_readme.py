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
