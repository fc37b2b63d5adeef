"""Code generation: derivations' closed forms → plain NumPy modules in numeric/generated/."""
from .spec import Spec, emit, specs
from .write import CodegenError, generate_all, render_module

__all__ = ["Spec", "emit", "specs", "CodegenError", "generate_all", "render_module"]
