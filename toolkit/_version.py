"""The toolkit's version, declared once: ``pyproject.toml`` reads it, and so do ``toolkit.__version__``,
``toolkit --version`` and every signature and manifest.

This module imports nothing, so build tools and signatures read it without loading the package.

>>> from toolkit._version import __version__
>>> __version__.count(".")
2
"""

__version__ = "0.1.0"
