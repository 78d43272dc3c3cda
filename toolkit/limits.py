"""Named limits on input sizes: a small hostile file must not take gigabytes or hours (issue 22).

(Bootstrap resamples are bounded by ``toolkit.scoring.settings.MAX_RESAMPLES``, beside the setting.)
Each limit is checked where the value is read, with an error that names the file, key or line, the
limit and what to do. They are far above any real use; raise one here if a real input needs more.
"""

from __future__ import annotations

#: Most variants plus alternatives one glossary entry may list.
MAX_TERMS_PER_ENTRY = 10_000
#: Longest glossary term (canonical, variant, alternative or source), in characters.
MAX_TERM_CHARS = 1_000
#: Deepest element nesting accepted in a TBX file (real TBX nests fewer than 10 levels).
MAX_XML_DEPTH = 100
#: Deepest nesting of lists and mappings accepted in a YAML config or glossary (PyYAML slows down
#: quadratically with depth; real files nest fewer than 10 levels).
MAX_YAML_DEPTH = 100
#: Seconds to wait for a TCP connection to a Ray address before saying nothing listens there.
RAY_PROBE_SECONDS = 3.0

__all__ = ["MAX_TERMS_PER_ENTRY", "MAX_TERM_CHARS", "MAX_XML_DEPTH", "MAX_YAML_DEPTH", "RAY_PROBE_SECONDS"]
