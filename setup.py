"""The build: pyproject.toml holds the metadata; this file adds what setuptools needs code for.

* The optional compiled core: C extension modules built from ``adcli/_native/`` with
  ``optional=True``, so a machine without a C compiler still installs adcli, in pure Python
  (``adcli --version`` says which path runs).  Add a module by appending to ``EXTENSIONS``.
* The grammar: ``grammar/adcli.lark`` at the top of the repo ships as ``adcli/grammar/adcli.lark``.

Rebuild the extensions in a checkout with ``pip install -e .`` or
``python setup.py build_ext --inplace``.
"""

from __future__ import annotations

import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

NATIVE = "adcli/_native"
EXTENSIONS = [
    # -fno-builtin: every math function is the C library's, as Python's math module calls it
    # (gcc would otherwise turn pow(u, 2.0) into u*u, which differs from libm's pow in the last
    # bit); sqrt and fabs stay exact either way.
    Extension(
        "adcli._csweep",
        [f"{NATIVE}/csweep.c"],
        depends=[f"{NATIVE}/rules.h"],
        extra_compile_args=["-fno-builtin"] if os.name == "posix" else [],
    ),
    Extension(
        "adcli._cparse",
        [f"{NATIVE}/{name}.c" for name in ("cparse", "cparse_tables", "cparse_build")],
        depends=[f"{NATIVE}/cparse.h", f"{NATIVE}/dictslot.h"],
    ),
    Extension(
        "adcli._cjson",
        [f"{NATIVE}/cjson.c"],
        depends=[f"{NATIVE}/{name}.h" for name in ("float_repr", "powers", "dictslot")],
    ),
]
for extension in EXTENSIONS:
    extension.optional = True  # a failed build is a warning: adcli runs in pure Python

# IEEE double arithmetic exactly as Python's: no contraction into fused multiply-adds, no
# value-changing optimisations, so the compiled sweeps give Python's bits.
FLAGS = {
    "unix": ["-O2", "-ffp-contract=off", "-fno-fast-math", "-fno-finite-math-only"],
    "msvc": ["/O2", "/fp:precise", "/fp:contract-"],
}


class BuildExt(build_ext):
    def build_extensions(self) -> None:
        flags = FLAGS.get(self.compiler.compiler_type, [])
        for ext in self.extensions:
            ext.extra_compile_args = [*flags, *ext.extra_compile_args]
            if self.compiler.compiler_type == "unix":
                ext.libraries = [*ext.libraries, "m"]
        super().build_extensions()


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        target = os.path.join(self.build_lib, "adcli", "grammar")
        self.mkpath(target)
        self.copy_file(os.path.join("grammar", "adcli.lark"), os.path.join(target, "adcli.lark"))


setup(ext_modules=EXTENSIONS, cmdclass={"build_ext": BuildExt, "build_py": BuildPy})
