"""Rebuild the hand-made run folder ``tests/data/report/seed-demo/`` (see README.md here).

The folder follows the run-folder layout of issue 4 (``/tmp/run_schema.md`` when it was written) so that the
report can be tested without running models. Inputs: ``inputs/documents.jsonl`` (paragraphs p1, p2, p5, p6 of
the seed article with the project's reference summaries, copied from ``eval/seed/``). What is computed here:

- normalisation: a literal rewrite of "the Jinxiang Army" to "Jin Xiangjun" (the edit the terminology issue
  asks for), with edit offsets in the old and new text; suspects are pinyin-looking names with no glossary entry;
- summaries: ``lead-3`` and ``lead-3+norm`` are the first three sentences of the original and normalised text;
  ``smollm2-135m`` summaries were written by hand in the style of a small model (no model was run);
- scores: rouge1/rougeL F1 from rouge-score 0.1.2 (no stemming) x 100, sentence BLEU and chrF from sacrebleu,
  ``terms`` = 100 x share of the glossary entries found in the source whose canonical term the summary holds
  (with no variant); the corpus score is the mean of the per-document scores, CIs a seeded bootstrap (1,000),
  comparisons a paired bootstrap with Holm correction over the three pairs of each metric.

Run: ``.venv/bin/python tests/data/report/make_fixture.py`` (deterministic; rewrites the folder).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import sacrebleu
import yaml
from rouge_score import rouge_scorer

HERE = Path(__file__).resolve().parent
OUT = HERE / "seed-demo"
SEED = 12345
RESAMPLES = 1000

GLOSSARY = [  # (entry id, source, canonical, variants, alternatives)
    ("glossary.tsv:2", "金湘军", "Jin Xiangjun", ["the Jinxiang Army", "Jinxiang Army"], []),
    ("glossary.tsv:3", "唐志平", "Tang Zhiping", [], []),
    ("glossary.tsv:4", "晋城", "Jincheng", [], []),
    ("glossary.tsv:5", "长治", "Changzhi", [], []),
    ("glossary.tsv:6", "潞安", "Lu'an", [], ["Lu’an"]),
]
SUSPECTS = ["Daxing", "Panzhuang", "Sihe", "Zhangze", "Binhu", "Huangcheng Xiangfu", "Tunliu"]

SMOLLM = {
    "p1": "Jin Xiangjun, deputy secretary of the provincial party committee and governor, went to Jincheng and "
    "Changzhi from April 24th to 26th to carry out theme education and Daxing investigation and research. He "
    "emphasized that it is necessary to study and implement the spirit of the 20th National Congress and "
    "contribute to Chinese-style modernization in Shanxi.",
    "p2": "The pilot project of comprehensive reform of the energy revolution is a major mission entrusted to "
    "Shanxi. Jin Xiangjun inspected the coalbed methane processing center and the Sihe Coal Mine and said it is "
    "necessary to accelerate the growth of coalbed methane and improve the ability to guarantee clean energy. "
    "Changzhi City was selected as a climate investment and financing pilot.",
    "p5": "In Luzhou District, Changzhi City, the Jinxiang Army listened to the report on the ecological "
    "protection of the five lakes. He pointed out that it is necessary to practice ecological civilization "
    "thought and expand tourism. In Yangcheng County, he emphasized building scenic spot brands.",
    "p6": "The Jinxiang Army came to the former site of the First Branch of the Anti-Japanese University in "
    "Tunliu District and demanded that the protection of revolutionary cultural relics be strengthened and the "
    "revolutionary spirit be carried forward.",
}
SMOLLM_SECONDS = {"p1": 3.42, "p2": 4.87, "p5": 2.91, "p6": 2.15}
METRICS = ["rouge1", "rougeL", "bleu", "chrf", "terms"]
SIGNATURES = {
    "rouge1": "rouge1|f|mode:rouge-score|tok:default|stem:no|multi-ref:best|toolkit:0.1.0|rouge-score:0.1.2",
    "rougeL": "rougeL|f|mode:rouge-score|tok:default|stem:no|multi-ref:best|toolkit:0.1.0|rouge-score:0.1.2",
    "bleu": "bleu|nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|toolkit:0.1.0|sacrebleu:2.6.0",
    "chrf": "chrf|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|toolkit:0.1.0|sacrebleu:2.6.0",
    "terms": "terms|match:exact|glossary:3f1c9a0d|toolkit:0.1.0",
}


def sha(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def normalise(text: str) -> tuple[str, list[dict]]:
    edits, parts, pos, shift = [], [], 0, 0
    for match in re.finditer(r"\b[Tt]he Jinxiang Army\b", text):
        parts.append(text[pos : match.start()])
        after = "Jin Xiangjun"
        new_start = match.start() + shift
        edits.append({
            "old_start": match.start(), "old_end": match.end(), "new_start": new_start,
            "new_end": new_start + len(after), "before": match.group(0), "after": after,
            "entry": "glossary.tsv:2", "kind": "variant",
        })
        parts.append(after)
        shift += len(after) - (match.end() - match.start())
        pos = match.end()
    parts.append(text[pos:])
    return "".join(parts), edits


def suspects(text: str) -> list[dict]:
    found = []
    for word in SUSPECTS:
        for match in re.finditer(rf"\b{re.escape(word)}\b", text):
            found.append({"start": match.start(), "end": match.end(), "text": match.group(0),
                          "reason": "reads as pinyin; no glossary entry"})
    return sorted(found, key=lambda s: s["start"])


def lead3(text: str) -> str:
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"(])", text.strip())
    return " ".join(sentences[:3])


def terms_score(source: str, summary: str) -> float:
    expected = correct = 0
    for _, _, canonical, variants, alternatives in GLOSSARY:
        forms = [canonical, *variants, *alternatives]
        if not any(re.search(rf"\b{re.escape(f)}\b", source, re.I) for f in forms):
            continue
        expected += 1
        has_ok = any(re.search(rf"\b{re.escape(f)}\b", summary) for f in [canonical, *alternatives])
        has_bad = any(re.search(rf"\b{re.escape(f)}\b", summary, re.I) for f in variants)
        correct += int(has_ok and not has_bad)
    return 100.0 * correct / expected if expected else 100.0


def text_accuracy(texts: list[str], sources: list[str]) -> dict:
    """Term accuracy of whole texts in the shape of ``toolkit.terminology.TermAccuracy.to_dict()``."""
    per_entry = []
    for entry_id, _, canonical, variants, alternatives in GLOSSARY:
        row = {"entry": entry_id, "canonical": canonical, "expected": 0, "correct": 0, "leaked": 0}
        for text, source in zip(texts, sources):
            if not any(re.search(rf"\b{re.escape(f)}\b", source, re.I) for f in [canonical, *variants, *alternatives]):
                continue
            row["expected"] += 1
            ok = any(re.search(rf"\b{re.escape(f)}\b", text) for f in [canonical, *alternatives])
            leak = any(re.search(rf"\b{re.escape(f)}\b", text, re.I) for f in variants)
            row["correct"] += int(ok and not leak)
            row["leaked"] += int(leak)
        per_entry.append(row)
    expected = sum(r["expected"] for r in per_entry)
    correct = sum(r["correct"] for r in per_entry)
    leaked = sum(r["leaked"] for r in per_entry)
    return {
        "accuracy": round(100.0 * correct / expected, 2), "variant_leak_rate": round(100.0 * leaked / expected, 2),
        "recall": round(100.0 * correct / expected, 2), "precision": 100.0, "segments": len(texts),
        "expected": expected, "correct": correct, "leaked": leaked, "extra": 0, "found": expected,
        "per_entry": per_entry, "signature": "term-accuracy|match:exact|glossary:3f1c9a0d|toolkit:0.1.0",
    }


def bootstrap_ci(values: np.ndarray, rng: np.random.Generator) -> list[float]:
    idx = rng.integers(0, len(values), size=(RESAMPLES, len(values)))
    means = values[idx].mean(axis=1)
    return [round(float(np.percentile(means, 2.5)), 2), round(float(np.percentile(means, 97.5)), 2)]


def paired_p(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> float:
    delta = a - b
    observed = delta.mean()
    idx = rng.integers(0, len(delta), size=(RESAMPLES, len(delta)))
    means = delta[idx].mean(axis=1)
    extreme = np.sum(np.abs(means - observed) >= abs(observed) - 1e-12)
    return float((extreme + 1) / (RESAMPLES + 1))


def holm(pvalues: list[float]) -> list[float]:
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted, running = [0.0] * len(pvalues), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def main() -> None:
    docs = [json.loads(line) for line in (HERE / "inputs" / "documents.jsonl").read_text("utf-8").splitlines()]
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "summaries").mkdir(parents=True)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=False)
    norm_rows, summaries, scores = [], {"lead-3": [], "lead-3+norm": [], "smollm2-135m": []}, []
    per = {s: {m: [] for m in METRICS} for s in summaries}
    for doc in docs:
        text, edits = normalise(doc["text"])
        norm_rows.append({"id": doc["id"], "key": sha(doc["text"] + "|en-basic.v1|fuzzy:no"), "text": text,
                          "original": doc["text"], "edits": edits, "suspects": suspects(text)})
        outputs = {"lead-3": lead3(doc["text"]), "lead-3+norm": lead3(text), "smollm2-135m": SMOLLM[doc["id"]]}
        for system, summary in outputs.items():
            model = "HuggingFaceTB/SmolLM2-135M-Instruct" if system.startswith("smollm2") else "lead-3"
            settings = ({"max_new_tokens": 96, "num_beams": 1, "do_sample": False} if model != "lead-3"
                        else {"sentences": 3})
            source = text if system.endswith("+norm") else doc["text"]
            key = sha(source + json.dumps(settings, sort_keys=True) + model)
            summaries[system].append({
                "id": doc["id"], "key": key, "system": system, "text": summary, "model": model,
                "model_hash": sha(model, 64) if model != "lead-3" else None, "settings": settings,
                "tokens_in": len(source.split()), "tokens_out": len(summary.split()), "chunked": False,
                "truncated": False, "n_chunks": 1,
                "seconds": SMOLLM_SECONDS[doc["id"]] if model != "lead-3" else 0.0004,
            })
            ref = doc["references"][0]
            rouge = scorer.score(ref, summary)
            values = {
                "rouge1": 100 * rouge["rouge1"].fmeasure, "rougeL": 100 * rouge["rougeL"].fmeasure,
                "bleu": sacrebleu.sentence_bleu(summary, [ref]).score,
                "chrf": sacrebleu.sentence_chrf(summary, [ref]).score,
                "terms": terms_score(doc["text"], summary),
            }
            for metric in METRICS:
                value = round(values[metric], 4)
                per[system][metric].append(value)
                scores.append({"id": doc["id"], "system": system, "metric": metric, "score": value,
                               "key": sha(key + metric)})
    rng = np.random.default_rng(SEED)
    systems = {}
    for system in summaries:
        metrics = {}
        for metric in METRICS:
            values = np.array(per[system][metric])
            metrics[metric] = {"score": round(float(values.mean()), 2), "ci": bootstrap_ci(values, rng),
                               "signature": SIGNATURES[metric] + f"|bs:{RESAMPLES}|seed:{SEED}"}
        base = system.removesuffix("+norm")
        systems[system] = {"input": "normalised" if system.endswith("+norm") else "original", "base": base,
                           "metrics": metrics}
    comparisons = []
    pairs = [("lead-3+norm", "lead-3"), ("smollm2-135m", "lead-3"), ("smollm2-135m", "lead-3+norm")]
    for metric in METRICS:
        raw = [paired_p(np.array(per[a][metric]), np.array(per[b][metric]), rng) for a, b in pairs]
        for (a, b), p, p_holm in zip(pairs, raw, holm(raw)):
            delta = float(np.mean(per[a][metric]) - np.mean(per[b][metric]))
            comparisons.append({"metric": metric, "a": a, "b": b, "delta": round(delta, 2),
                                "p_value": round(p, 4), "p_holm": round(p_holm, 4), "method": "paired-bootstrap",
                                "significant": bool(p_holm < 0.05)})
    n_edits = sum(len(r["edits"]) for r in norm_rows)
    n_suspects = sum(len(r["suspects"]) for r in norm_rows)
    run_signature = "run:seed-demo|docs:4|systems:3|metrics:5|bs:1000|seed:12345|toolkit:0.1.0|" + sha(
        json.dumps(comparisons), 12)
    results = {
        "name": "seed-demo", "run_signature": run_signature, "documents": len(docs), "systems": systems,
        "comparisons": comparisons,
        "terminology": {"edits": n_edits, "suspects": n_suspects, "entries": len(GLOSSARY), "term_accuracy": {
            "original": text_accuracy([r["original"] for r in norm_rows], [r["original"] for r in norm_rows]),
            "normalised": text_accuracy([r["text"] for r in norm_rows], [r["original"] for r in norm_rows])}},
        "metric_signatures": {m: SIGNATURES[m] for m in METRICS},
    }
    manifest = {
        "toolkit_version": "0.1.0", "python": "3.11.2", "platform": "Linux-6.1.0-x86_64-with-glibc2.36",
        "machine": {"cpu": "x86_64", "cores": 2, "memory_gb": 8.0, "gpu": None},
        "packages": {"torch": "2.13.0", "transformers": "4.57.1", "sacrebleu": "2.6.0", "rouge-score": "0.1.2",
                     "numpy": "2.4.6"},
        "git_commit": None,
        "models": {
            "lead-3": {"spec": "lead-3", "model": "lead-3", "model_hash": None, "fingerprint": "lead-3|sentences:3"},
            "lead-3+norm": {"spec": "lead-3", "model": "lead-3", "model_hash": None,
                            "fingerprint": "lead-3|sentences:3"},
            "smollm2-135m": {"spec": "hf:HuggingFaceTB/SmolLM2-135M-Instruct",
                             "model": "HuggingFaceTB/SmolLM2-135M-Instruct",
                             "model_hash": sha("HuggingFaceTB/SmolLM2-135M-Instruct", 64),
                             "fingerprint": "smollm2-135m|greedy|max_new_tokens:96"},
        },
        "glossary": {"path": "eval/seed/glossary.tsv", "sha256": sha("glossary", 64), "entries": len(GLOSSARY)},
        "data": {"path": "tests/data/report/inputs/documents.jsonl",
                 "sha256": hashlib.sha256((HERE / "inputs" / "documents.jsonl").read_bytes()).hexdigest(),
                 "documents": len(docs)},
        "seeds": {"bootstrap": SEED, "generation": 0},
        "metric_signatures": results["metric_signatures"],
        "started": "2026-11-26T22:10:04Z", "finished": "2026-11-26T22:10:31Z", "run_signature": run_signature,
    }
    config = {
        "name": "seed-demo",
        "data": {"path": "tests/data/report/inputs/documents.jsonl", "format": "jsonl", "id_field": "id",
                 "text_field": "text", "references_field": "references", "source_field": None},
        "glossary": {"path": "eval/seed/glossary.tsv", "normalize": "both", "fuzzy": False},
        "systems": [{"name": "lead-3", "model": "lead-3"},
                    {"name": "smollm2-135m", "model": "hf:HuggingFaceTB/SmolLM2-135M-Instruct",
                     "generation": {"max_new_tokens": 96, "num_beams": 1}}],
        "metrics": METRICS, "bootstrap": {"resamples": RESAMPLES, "seed": SEED},
        "output_dir": "runs", "limit": None,
    }

    def dump_jsonl(path: Path, rows: list[dict]) -> None:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    dump_jsonl(OUT / "normalised.jsonl", norm_rows)
    for system, rows in summaries.items():
        dump_jsonl(OUT / "summaries" / f"{system}.jsonl", rows)
    dump_jsonl(OUT / "scores.jsonl", scores)
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (OUT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (OUT / "config.resolved.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                              encoding="utf-8")


if __name__ == "__main__":
    main()
