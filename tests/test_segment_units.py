"""Batched scoring: units computed on batches of segments, joined, give exactly the values of one call.

This is what lets the run engine score on Ray actors and resume stored scores: ``segment_units`` on any
split of the segments, a JSON round trip, then ``score(..., units=...)`` must equal ``score`` on the whole.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from toolkit.scoring import compare, score, segment_units

DATA = Path(__file__).parent / "data" / "scoring"
CORPORA = Path(__file__).parent / "data" / "corpora"  # fixtures shared by several test modules
OUTPUTS = [json.loads(line) for line in (CORPORA / "summeval_system_outputs.jsonl").read_text().splitlines()]
DOCUMENTS = {row["id"]: row for row in map(json.loads, (CORPORA / "summeval_documents.jsonl").read_text().splitlines())}
REFERENCES = {row["id"]: ["\n".join(sentences) for sentences in row["reference_sentences"]]
              for row in map(json.loads, (CORPORA / "rouge155_summeval_references.jsonl").read_text().splitlines())}

# 27 of the 80 SummEval outputs (16 systems x 5 documents); reference counts vary (1 to 3): nrefs:var
OUTPUTS = OUTPUTS[::3]
PREDICTIONS = [row["summary"] for row in OUTPUTS]
IDS = [f"{row['id'][:12]}/{row['system']}" for row in OUTPUTS]
REFS = [REFERENCES[row["id"]][: 1 + i % 3] for i, row in enumerate(OUTPUTS)]
SOURCES = [DOCUMENTS[row["id"]]["document"] for row in OUTPUTS]
METRICS = ["rouge", "rouge1_p", "bleu", "chrf", "chrf++", "diagnostics"]


def _batched_units(metrics, batch, **options):
    units = []
    for start in range(0, len(PREDICTIONS), batch):
        part = segment_units(predictions=PREDICTIONS[start:start + batch], references=REFS[start:start + batch],
                             sources=SOURCES[start:start + batch], ids=IDS[start:start + batch], metrics=metrics,
                             **options)
        units += json.loads(json.dumps(part))  # as a run store or a Ray actor hands them back
    return units


def _same(a, b):
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("options", [{}, {"rouge_mode": "rouge155", "stem": True}])
def test_joined_batches_equal_one_call(options):
    metrics = METRICS + (["rougeSU4"] if options else [])
    whole = score(predictions=PREDICTIONS, references=REFS, sources=SOURCES, ids=IDS, metrics=metrics,
                  bootstrap=200, **options)
    joined = score(predictions=PREDICTIONS, references=REFS, sources=SOURCES, ids=IDS, metrics=metrics,
                   bootstrap=200, units=_batched_units(metrics, 7, **options), **options)
    assert whole.to_dict() == joined.to_dict()  # corpus values, intervals, extras (BLEU counts, rouge155 CI), signatures
    assert all(_same(a[k], b[k]) for a, b in zip(whole.segments, joined.segments) for k in a)
    assert "nrefs:var" in joined["bleu"].signature
    assert joined["bleu"].score == pytest.approx(13.3, abs=20)  # a real, non-degenerate value


def test_sacrebleu_units_from_batches_on_wmt21():
    hyps = (DATA / "wmt21.Facebook-AI.en").read_text(encoding="utf-8").splitlines()[:40]
    ref_a = (DATA / "wmt21.ref.en").read_text(encoding="utf-8").splitlines()[:40]
    ref_b = (DATA / "wmt21.Borderline.en").read_text(encoding="utf-8").splitlines()[:40]
    refs = [[a, b] if i % 2 else [a] for i, (a, b) in enumerate(zip(ref_a, ref_b))]
    metrics = ["bleu", "chrf", "ter"]
    units = [u for start in range(0, 40, 6)
             for u in json.loads(json.dumps(segment_units(predictions=hyps[start:start + 6], references=refs[start:start + 6],
                                                          metrics=metrics)))]
    whole = score(predictions=hyps, references=refs, metrics=metrics, bootstrap=100)
    joined = score(predictions=hyps, references=refs, metrics=metrics, bootstrap=100, units=units)
    assert whole.to_dict() == joined.to_dict() and whole.segments == joined.segments
    assert joined["ter"].signature.startswith("ter|nrefs:var")


def test_units_are_used_not_recomputed():
    units = segment_units(predictions=PREDICTIONS[:2], references=REFS[:2], metrics=["rouge1", "ter"])
    key = next(k for k in units[0] if k.startswith("rouge1|"))
    forged = [dict(u, **{key: [0.25, 0.5, 1 / 3]}) for u in units]
    report = score(predictions=PREDICTIONS[:2], references=REFS[:2], metrics=["rouge1", "rouge1_r"], units=forged,
                   bootstrap=0)
    assert report["rouge1"].score == pytest.approx(100 / 3) and report["rouge1_r"].score == 50.0


def test_units_of_other_settings_are_not_used():
    plain = segment_units(predictions=PREDICTIONS[:4], references=REFS[:4], metrics=["rouge2"])
    stemmed = score(predictions=PREDICTIONS[:4], references=REFS[:4], metrics=["rouge2"], stem=True, units=plain,
                    bootstrap=0)
    direct = score(predictions=PREDICTIONS[:4], references=REFS[:4], metrics=["rouge2"], stem=True, bootstrap=0)
    assert stemmed["rouge2"].score == direct["rouge2"].score


def test_terms_units_from_batches():
    terminology = pytest.importorskip("toolkit.terminology")
    glossary = terminology.Glossary.from_records([
        {"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "source": "金湘军"},
        {"canonical": "Changzhi", "variants": "Zhangzhi", "source": "长治"},
    ])
    preds = ["Jin Xiangjun went to Changzhi.", "The Jinxiang Army went to Zhangzhi.", "Nothing here."]
    sources = ["金湘军到长治。", "金湘军到长治。", "无。"]
    refs = [["Jin Xiangjun visited Changzhi."]] * 3
    options = dict(references=refs, sources=sources, metrics=["terms", "terms_leak"], glossary=glossary)
    units = [u for i in range(3) for u in segment_units(predictions=preds[i:i + 1], **{
        **options, "references": refs[i:i + 1], "sources": sources[i:i + 1]})]
    joined = score(predictions=preds, units=units, bootstrap=0, **options)
    assert joined["terms"].score == 50.0 and joined["terms_leak"].score == 50.0
    assert joined.to_dict() == score(predictions=preds, bootstrap=0, **options).to_dict()


def test_minilm_cosine_units_do_not_depend_on_the_batch():
    metrics = ["minilm-cosine"]
    whole = score(predictions=PREDICTIONS[:12], references=REFS[:12], metrics=metrics, bootstrap=0)
    units = [u for start in (0, 5) for u in segment_units(
        predictions=PREDICTIONS[start:start + 5 if start == 0 else 12], references=REFS[start:start + 5 if start == 0 else 12],
        metrics=metrics)]
    joined = score(predictions=PREDICTIONS[:12], references=REFS[:12], metrics=metrics, units=units, bootstrap=0)
    assert [r["minilm-cosine"] for r in joined.segments] == [r["minilm-cosine"] for r in whole.segments]
    assert 20 < whole["minilm-cosine"].score < 95


def test_compare_with_units_matches_compare():
    systems = {"a": PREDICTIONS[:10], "b": PREDICTIONS[10:20]}
    refs = REFS[:10]
    units = {name: segment_units(predictions=preds, references=refs, metrics=["rougeL", "chrf"])
             for name, preds in systems.items()}
    direct = compare(systems=systems, references=refs, metrics=["rougeL", "chrf"], resamples=100)
    joined = compare(systems=systems, references=refs, metrics=["rougeL", "chrf"], resamples=100, units=units)
    assert direct.to_dict() == joined.to_dict()


def test_units_of_the_wrong_length_name_the_problem():
    from toolkit.errors import InputLengthError

    units = segment_units(predictions=PREDICTIONS[:2], references=REFS[:2], metrics=["rouge1"])
    with pytest.raises(InputLengthError, match="units has 2 entries for 3 segments"):
        score(predictions=PREDICTIONS[:3], references=REFS[:3], metrics=["rouge1"], units=units, bootstrap=0)


SEED = Path(__file__).resolve().parents[1] / "eval" / "seed"


@pytest.fixture(scope="module")
def seed_glossary():
    terminology = pytest.importorskip("toolkit.terminology")
    return terminology.load_glossary(SEED / "glossary.tsv")


def _registry_cases():
    from toolkit.scoring import available, metric_info

    return [name for name in available() if not metric_info(name).needs_model]  # minilm-cosine: tested above


@pytest.mark.parametrize("name", _registry_cases())
def test_every_metric_gives_the_same_values_from_batched_units(name, seed_glossary):
    """Registry contract: for every metric, units computed on 3 batches and joined give one call's values."""
    from toolkit.scoring import metric_info

    docs = [json.loads(line) for line in (SEED / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    # lead-2 of each seed paragraph, and the Jinxiang Army mistranslation kept in the article's
    predictions = [" ".join(d["text"].split(". ")[:2]) for d in docs]
    options = dict(references=[d["references"] for d in docs], sources=[d["text"] for d in docs], metrics=[name],
                   ids=[d["id"] for d in docs])
    info = metric_info(name)
    if info.rouge_modes:
        options["rouge_mode"] = info.rouge_modes[0]
    if info.needs_glossary:
        options["glossary"] = seed_glossary
    units = []
    for part in (slice(0, 2), slice(2, 5), slice(5, 7)):
        units += json.loads(json.dumps(segment_units(
            predictions=predictions[part], **{k: (v[part] if isinstance(v, list) and k != "metrics" else v)
                                              for k, v in options.items()})))
    whole = score(predictions=predictions, bootstrap=100, **options)
    joined = score(predictions=predictions, bootstrap=100, units=units, **options)
    assert all(_same(a[k], b[k]) for a, b in zip(whole.segments, joined.segments) for k in a)
    assert _same(whole[name].score, joined[name].score) and whole[name].ci == joined[name].ci
    assert whole[name].signature == joined[name].signature and whole[name].extra == joined[name].extra
    assert not math.isnan(joined[name].score)
