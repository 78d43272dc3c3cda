"""toolkit: terminology, summarisation and scoring for MT and summarisation evaluation.

The public API is re-exported here; everything else is internal.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
