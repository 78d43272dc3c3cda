"""The report's caps, in one place: how much of a large run the report reads, shows and draws (issue 19).

A report of a million documents must not hold a million documents: :func:`toolkit.runs.report_data.load_run`
reads ``scores.jsonl`` :data:`SCORE_ROWS_CHUNK` rows at a time into numpy arrays (the summaries
:data:`TEXT_ROWS_CHUNK` at a time, into word counts), keeps the summary rows (and
reads the source texts) only of the first :data:`SHOWN_DOCUMENTS`, the markdown table lists the first
:data:`TABLE_DOCUMENTS` and says how many it leaves out, and a plot with more than :data:`PLOT_POINTS` points a
series draws a seeded random sample of them (the caption says so). Runs under every cap get the report they
always got, byte for byte. Raise a cap here, nowhere else.

Example:
    >>> SHOWN_DOCUMENTS <= TABLE_DOCUMENTS, MAX_WORST <= SHOWN_DOCUMENTS
    (True, True)
"""

from __future__ import annotations

#: Documents shown one by one in the HTML report (source, references, summaries); the rest are counted.
SHOWN_DOCUMENTS = 200
#: Documents listed in the markdown report's per-document table (each with a row per system).
TABLE_DOCUMENTS = 1000
#: Documents listed in the HTML report's worst-documents table.
MAX_WORST = 50
#: Points a plot draws per series (per system and metric); above it, a seeded random sample of this many.
PLOT_POINTS = 5000
#: Seed of that sample (``numpy.random.default_rng``): the same run gives the same plot.
PLOT_SEED = 12345
#: ``scores.jsonl`` rows parsed at a time while the report reads them (some 600 bytes each as Python objects).
SCORE_ROWS_CHUNK = 2000
#: Rows parsed at a time from the files that carry texts (summaries, faithfulness findings: kilobytes a row).
TEXT_ROWS_CHUNK = 64

__all__ = ["MAX_WORST", "PLOT_POINTS", "PLOT_SEED", "SCORE_ROWS_CHUNK", "SHOWN_DOCUMENTS", "TABLE_DOCUMENTS",
           "TEXT_ROWS_CHUNK"]
