"""Build the C extension; everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("snsw._fastops", ["src/snsw/_fastops.c"], extra_compile_args=["-O2"])])
