"""What a streamed run holds per document on the driver (issue 19): counted, not timed or measured in RSS.

- :class:`toolkit.runs.shard_stats.SystemStats` keeps statistics rows only for the sacreBLEU metrics (ROUGE's
  are rebuilt from its segment scores), as int32 where the counts fit, and the corpus results stay those of
  ``score()``, with the ids in resampling order (no reordered copy) or not;
- the ids are one buffer (:class:`toolkit.runs.doc_ids.IdList`), the duplicate-id check 8 bytes an id.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from toolkit.runs.data import _HashSet
from toolkit.runs.doc_ids import IdList
from toolkit.runs.shard_stats import SystemStats, _in_resample_order, corpus_results, shard_stats
from toolkit.scoring import score, segment_units
from toolkit.scoring.settings import ScoringSettings

ROOT = Path(__file__).resolve().parents[1]
METRICS = ["rouge1", "rougeL", "bleu"]


@pytest.mark.parametrize("ids_in_order", [True, False])
def test_system_stats_hold_compact_rows_and_equal_score(ids_in_order: bool) -> None:
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev" / "news.jsonl").read_text(encoding="utf-8").splitlines()][:12]
    preds = [". ".join(r["text"].split(". ")[:2]) for r in rows]
    refs = [r["references"][:1] for r in rows]
    ids = [str(i) for i in range(len(preds))]
    ids = ids if ids_in_order else ids[::-1]
    assert _in_resample_order(ids) is ids_in_order
    settings = ScoringSettings(resamples=50, seed=3)
    units = segment_units(predictions=preds, references=refs, metrics=METRICS, ids=ids, settings=settings)
    collected = SystemStats(METRICS, capacity=len(preds))
    for lo in range(0, len(preds), 5):
        stats, _ = shard_stats(predictions=preds[lo:lo + 5], references=refs[lo:lo + 5], ids=ids[lo:lo + 5],
                               units=units[lo:lo + 5], metrics=METRICS, settings=settings)
        collected.add(stats, refs[lo:lo + 5])
    assert set(collected.rows) == {"bleu"}  # no ROUGE rows: mean_stats rebuilds them from the scores
    bleu_rows = collected.rows["bleu"].values()
    assert bleu_rows.dtype == np.int32 and bleu_rows.shape == (12, 10)  # sys/ref length, 4 matches, 4 totals
    whole = score(predictions=preds, references=refs, metrics=METRICS, ids=ids, settings=settings)
    merged = corpus_results(collected.merged(settings), IdList_of(ids), settings)
    assert {m: r.to_dict() for m, r in merged.items()} == {m: r.to_dict() for m, r in whole.corpus.items()}


def IdList_of(ids: list[str]) -> IdList:  # noqa: N802 - reads as the type it builds
    out = IdList()
    out.extend(ids)
    return out


def test_ids_and_id_hashes_are_compact_buffers() -> None:
    ids = IdList_of([f"d{i:07d}" for i in range(1000)])
    assert len(ids._blob) == 8 * 1000 and len(ids._ends) == 1000 and ids[999] == "d0000999"
    seen = _HashSet()
    for h in range(0, 3 * _HashSet.MERGE_AT, 3):
        seen.add(h)
    assert len(seen.sorted) == _HashSet.MERGE_AT and len(seen.pending) == 0  # merged into one uint64 array
    assert seen.sorted.dtype == np.uint64 and (3 in seen, 4 in seen, 3 * (_HashSet.MERGE_AT - 1) in seen) == (True, False, True)
