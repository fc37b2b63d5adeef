"""Code generation: derivations' closed forms → plain NumPy source, in four stages.

plan (what a function computes: matrix statements, scalar closed forms in stable form, outputs) →
block (one-sided kinks, common subexpressions, statements in order of need) → assemble (the body
and its return, temporaries freed) → docstring.  `generate()` returns every generated module as
{file name: text}; writing the files is the application's job (`deepderive codegen`).
"""
from .assemble import assemble, free_dead, function_source
from .block import Block
from .docstring import docstring
from .module import HEADER, generate, modules, render_function, render_module
from .plan import Plan, plan, scalars
from .printer import KNOWN, NUMPY_NAMES, UnsupportedCode, code
from .spec import Chain, CodegenError, Output, Spec, describe, emit, specs
from .stable import LOWERINGS, lift, lower, rewrite

__all__ = ["plan", "Plan", "scalars", "Block", "assemble", "free_dead", "function_source", "docstring",
           "HEADER", "generate", "modules", "render_function", "render_module", "KNOWN", "NUMPY_NAMES",
           "UnsupportedCode", "code", "Chain", "CodegenError", "Output", "Spec", "describe", "emit", "specs",
           "LOWERINGS", "lift", "lower", "rewrite"]
