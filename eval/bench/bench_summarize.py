"""Benchmark of the summarisation engine against a naive ``model.generate`` loop (issue 9, point 8).

Documents: ~300-token windows (whole sentences) cut from the news articles in
``../shared/data/summarization/*.jsonl`` relative to the repository (``--data``), ``seed_article.txt`` and the two WMT21 news
documents (English references), the ``--docs`` windows nearest 300 tokens (default 50), the same
prompt (``summarize-short.v1`` through the chat template) for every variant, greedy, 64 new tokens.

Variants, each in its own subprocess (so peak RSS is its own):

- ``naive``: ``model.generate`` one document at a time, float32 (how most scripts do it).
- ``ours-fp32-b8``: ``Summarizer.summarize`` (length-sorted batches of 8, left padding), float32.
- ``ours-bf16-b8``: the same in bfloat16; ``ours-<dtype>-b<N>`` for other batch sizes.
- ``exact-b<N>``: ``load_summarizer(..., precision="exact")`` (float32), batches of N (issue 18).
- ``fast``: ``precision="fast"`` (float32 on this CPU, batches of at least ``FAST_MIN_BATCH``); ``fast-b<N>`` for
  batches of N (at least ``FAST_MIN_BATCH``).
- ``<variant>-dyncache``: the same with transformers' own key/value cache (``torch.cat`` every step) instead of
  ``toolkit.summarization.kvcache`` (issue 18: what the growing cache gains, texts identical); it also pads the
  whole prompt (no shared-prefix prefill), i.e. the path before both changes.
- ``<variant>-noprefix``: the same with every prompt padded whole instead of its shared prefix prefilled once
  (``toolkit.summarization.prefix``; issue 18: what it gains, texts identical).
- ``<variant>-generate``: greedy search through ``model.generate`` (shared prefix and growing cache kept)
  instead of ``toolkit.summarization.greedy`` (prefill 4 rows at a time, decode the batch together): what
  that gains, texts identical. ``-noprefix`` and ``-dyncache`` imply it (the paths before it).

The load average (``uptime``) is recorded before and after the run and per variant: the dev machine is
shared, so absolute numbers move with it; ratios measured in one run are what to compare.

Reported: end-to-end new tokens/s (prefill included), ratio to naive, peak RSS, whether the texts equal
the naive float32 texts, and ROUGE-L F (rouge-score, no stemming) against them. A prefill-only pass
(``max_new_tokens=1``) splits the time into prefill and decoding. Load times: cold (dequantise the GGUF,
empty cache folder) and warm (safetensors cache), in fresh processes.

Run from the repository root:  ``.venv/bin/python eval/bench/bench_summarize.py [--docs 10]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "summarization"
FILES = ["xsum_sample.jsonl", "summeval_documents.jsonl", "bbc_news_summary.jsonl", "newsroom_humaneval.jsonl",
         "realsumm.jsonl"]
NEW_TOKENS = 64
TARGET_TOKENS = 300
PREFILL_DOCS = 16  # the prefill-only pass (max_new_tokens=1) runs on this many docs, scaled by prompt tokens


def articles(data: Path) -> list[str]:
    """News articles: the summarisation sets, the seed article, and the two WMT21 news documents
    (English references of ``translation/newstest2021_zhen_segments.jsonl``, segments in order)."""
    out: list[str] = []
    for name in FILES:
        path = data / name
        if path.is_file():
            out += [json.loads(line)["document"] for line in path.read_text(encoding="utf-8").splitlines()]
    seed = data.parent / "seed_article.txt"
    if seed.is_file():
        out.append(seed.read_text(encoding="utf-8"))
    wmt = data.parent / "translation" / "newstest2021_zhen_segments.jsonl"
    if wmt.is_file():
        rows = [json.loads(line) for line in wmt.read_text(encoding="utf-8").splitlines()]
        for doc in ([r for r in rows if r["seg_id"] < 140], [r for r in rows if r["seg_id"] >= 140]):
            out.append(" ".join(r["reference"] for r in sorted(doc, key=lambda r: r["seg_id"])))
    return out


def make_documents(data: Path, n: int, count) -> list[str]:
    """Cut articles into windows of whole sentences of about TARGET_TOKENS tokens (>= 280)."""
    from toolkit.summarization.chunking import split_sentences

    docs: list[str] = []
    for article in articles(data):
        window: list[str] = []
        used = 0
        for sentence in split_sentences(article):
            window.append(sentence)
            used += count(sentence)
            if used >= TARGET_TOKENS - 20:
                docs.append(" ".join(window))
                window, used = [], 0
    docs.sort(key=lambda d: (abs(count(d) - TARGET_TOKENS), d))  # nearest to 300 tokens first
    return docs[:n]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_variant(variant: str) -> tuple[str, str, int]:
    """``(precision, dtype setting, batch size)`` of a variant name.

    ``ours-bf16-b32`` -> ("exact", "bfloat16", 32); ``naive`` -> ("exact", "float32", 1);
    ``exact-b8`` -> ("exact", "auto", 8); ``fast`` -> ("fast", "auto", FAST_MIN_BATCH). Suffixes ``-generate``,
    ``-noprefix`` and ``-dyncache`` (run by :func:`run_variant`) pick the paths before issue 18's changes.
    """
    variant = variant.removesuffix("-dyncache").removesuffix("-noprefix").removesuffix("-generate")
    if variant == "naive":
        return "exact", "float32", 1
    if variant.startswith(("exact", "fast")):
        precision, _, batch = variant.partition("-")
        from toolkit.summarization.batching import FAST_MIN_BATCH

        return precision, "auto", int(batch.removeprefix("b")) if batch else (FAST_MIN_BATCH if precision == "fast" else 16)
    _, dtype, batch = variant.split("-")
    return "exact", {"fp32": "float32", "bf16": "bfloat16"}[dtype], int(batch.removeprefix("b"))


def run_variant(variant: str, docs_path: str, threads: int, limit: int | None = None) -> dict:
    import torch

    from toolkit.summarization import load_summarizer

    torch.set_num_threads(threads)
    os.environ["TOOLKIT_NUM_THREADS"] = str(threads)
    if variant.endswith(("-dyncache", "-noprefix", "-generate")):  # the path before summarization.greedy
        from toolkit.summarization import base

        base.greedy_applies = lambda *args: False
    if variant.endswith(("-dyncache", "-noprefix")):  # the path before summarization.prefix: whole prompts padded
        base.prefilled_batch = lambda *args: None
        if variant.endswith("-dyncache"):  # and before summarization.kvcache (torch.cat every step)
            base.cache_kwargs = lambda *args: {}
    docs = json.loads(Path(docs_path).read_text())[:limit]
    precision, dtype, batch_size = parse_variant(variant)
    s = load_summarizer("smollm2-135m", settings={"max_new_tokens": NEW_TOKENS, "dtype": dtype}, device="cpu",
                        precision=precision)
    dtype = s.info["dtype"]
    prompts = [s._prompt_ids(d) for d in docs]
    prompt_tokens = sum(len(p) for p in prompts)
    out: dict = {"variant": variant, "dtype": dtype, "threads": threads, "docs": len(docs),
                 "prompt_tokens": prompt_tokens, "load_before": os.getloadavg()[0]}
    if variant == "naive":
        texts, new_tokens = [], 0
        start = time.perf_counter()
        with torch.inference_mode():
            for ids in prompts:
                generated = s.model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                             max_new_tokens=NEW_TOKENS, do_sample=False, temperature=None, top_p=None,
                                             top_k=None, pad_token_id=s.pad_id)
                row = generated[0, len(ids):].tolist()
                n = s._count_new(row)
                new_tokens += n
                texts.append(s._clean(s.tokenizer.decode(row[:n], skip_special_tokens=True)))
        out["seconds"] = time.perf_counter() - start
        # prefill only: one forward over each prompt of the subset, scaled to all prompt tokens
        subset = prompts[:PREFILL_DOCS]
        start = time.perf_counter()
        with torch.inference_mode():
            for ids in subset:
                s.model(input_ids=torch.tensor([ids]))
        out["prefill_seconds"] = (time.perf_counter() - start) * prompt_tokens / sum(len(p) for p in subset)
    else:
        start = time.perf_counter()
        results = s.summarize(docs, batch_size=batch_size)
        out["seconds"] = time.perf_counter() - start
        texts = [r.text for r in results]
        new_tokens = sum(r.tokens_out for r in results)
        prefill = s.settings.replace(max_new_tokens=1)
        s.settings = prefill
        subset = docs[:PREFILL_DOCS]
        start = time.perf_counter()
        s.summarize(subset, batch_size=batch_size)
        out["prefill_seconds"] = (time.perf_counter() - start) * prompt_tokens / sum(len(p) for p in prompts[:PREFILL_DOCS])
    out.update(texts=texts, new_tokens=new_tokens, tokens_per_s=new_tokens / out["seconds"],
               peak_rss_mb=peak_rss_mb(), load_after=os.getloadavg()[0])
    return out


# SmolLM2-135M linear layers (in, out): q, k/v, o, MLP up/gate, MLP down, lm_head
SMOLLM2_LINEARS = [(576, 576), (576, 192), (576, 1536), (1536, 576), (576, 49152)]


def matmul_paths(threads: int, repeats: int) -> dict:
    """Seconds per SmolLM2-shaped linear layer in float32, bfloat16 and int8 dynamic quantisation (fbgemm),
    at a decoding shape (16 rows: one step of a batch of 16) and a prefill shape (512 rows; lm_head left
    out, generate computes logits for the last position only), best of ``repeats`` rounds. Decides which
    dtype ``precision: fast`` may use on this CPU."""
    import warnings

    import torch

    from toolkit.summarization.batching import cpu_has_bf16

    torch.set_num_threads(threads)
    warnings.filterwarnings("ignore")
    rows: list[dict] = []
    for m in (16, 512):
        totals = {}
        for path in ("float32", "bfloat16", "int8-dynamic"):
            best = float("inf")
            layers = []
            for fan_in, fan_out in SMOLLM2_LINEARS if m == 16 else SMOLLM2_LINEARS[:-1]:
                layer = torch.nn.Linear(fan_in, fan_out, bias=False)
                if path == "bfloat16":
                    layer = layer.to(torch.bfloat16)
                elif path == "int8-dynamic":
                    layer = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(layer), {torch.nn.Linear},
                                                                   dtype=torch.qint8)
                layers.append((layer, torch.randn(m, fan_in, dtype=torch.bfloat16 if path == "bfloat16" else torch.float32)))
            with torch.inference_mode():
                for layer, x in layers:
                    layer(x)
                for _ in range(repeats):
                    start = time.perf_counter()
                    for layer, x in layers:
                        layer(x)
                    best = min(best, time.perf_counter() - start)
            totals[path] = best
        for path, seconds in totals.items():
            rows.append({"rows": m, "path": path, "ms": round(seconds * 1e3, 3),
                         "vs_float32": round(totals["float32"] / seconds, 2)})
    return {"threads": threads, "repeats": repeats, "cpu_has_native_bf16": cpu_has_bf16(),
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(), "rows": rows}


def time_load(cache_dir: str) -> dict:
    start = time.perf_counter()
    import torch  # noqa: F401
    import transformers  # noqa: F401

    imports = time.perf_counter() - start
    os.environ["TOOLKIT_CACHE_DIR"] = cache_dir
    from toolkit.summarization import load_summarizer

    start = time.perf_counter()
    s = load_summarizer("smollm2-135m", settings={"dtype": "float32"}, device="cpu")
    return {"origin": s.info["origin"], "load_seconds": time.perf_counter() - start, "import_seconds": imports,
            "peak_rss_mb": peak_rss_mb()}


def rouge_l(predictions: list[str], references: list[str]) -> float:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    scores = [scorer.score(r, p)["rougeL"].fmeasure for p, r in zip(predictions, references)]
    return 100 * sum(scores) / len(scores)


def write_report(report: dict, runs: dict, out: str, threads: int) -> None:
    a_out = out
    base = runs.get("naive") or runs[next(iter(runs))]
    fp32 = next((r for v, r in runs.items() if v.startswith(("ours-fp32", "exact"))), None)
    rows = []
    for variant, r in runs.items():
        same = sum(x == y for x, y in zip(r["texts"], base["texts"]))
        n_cmp = min(len(r["texts"]), len(base["texts"]))
        rows.append({
            "variant": variant, "dtype": r["dtype"], "seconds": round(r["seconds"], 1),
            "prefill_seconds": round(r["prefill_seconds"], 1), "new_tokens": r["new_tokens"],
            "tokens_per_s": round(r["tokens_per_s"], 1), "speedup": round(r["tokens_per_s"] / base["tokens_per_s"], 2),
            "docs": r["docs"], "peak_rss_mb": round(r["peak_rss_mb"]), "same_texts_as_naive": f"{same}/{n_cmp}",
            "rougeL_vs_naive_fp32": round(rouge_l(r["texts"][:n_cmp], base["texts"][:n_cmp]), 2),
            "same_texts_as_ours_fp32": f"{sum(x == y for x, y in zip(r['texts'], fp32['texts']))}/{len(r['texts'])}" if fp32 else "",
            "rougeL_vs_ours_fp32": round(rouge_l(r["texts"], fp32["texts"][: len(r["texts"])]), 2) if fp32 else "",
            "load_avg": f"{r['load_before']:.1f}->{r['load_after']:.1f}",
        })
    report["rows"] = rows
    report["texts"] = {v: r["texts"] for v, r in runs.items()}
    Path(a_out).parent.mkdir(parents=True, exist_ok=True)
    Path(a_out).write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"{report['docs']} docs, mean {report['doc_tokens_mean']:.0f} doc tokens, {NEW_TOKENS} new tokens, "
          f"{threads} threads")
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")


def child(args: list[str]) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--variants", default="naive,ours-fp32-b8,ours-bf16-b8,ours-bf16-b16")
    parser.add_argument("--naive-docs", type=int, default=0, help="run the naive loop on the first N docs only")
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--out", default="eval/bench/results/summarize.json")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--matmul", action="store_true",
                        help="only time SmolLM2-shaped linear layers per dtype (float32, bfloat16, int8 dynamic)")
    parser.add_argument("--_variant")
    parser.add_argument("--_docs-file")
    parser.add_argument("--_limit", type=int, default=0)
    parser.add_argument("--_load")
    a = parser.parse_args()
    if a.matmul:
        before = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
        result = matmul_paths(a.threads, 5)
        result.update(uptime_before=before,
                      uptime_after=subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip())
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(result, indent=1))
        print(json.dumps(result, indent=1))
        return
    if a._variant:
        print(json.dumps(run_variant(a._variant, a._docs_file, a.threads, a._limit or None)))
        return
    if a._load:
        print(json.dumps(time_load(a._load)))
        return

    from transformers import AutoTokenizer

    from toolkit.summarization.gguf_default import (
        GGUF_SHA256,
        cache_dir_for,
        cache_root,
    )

    tokenizer = AutoTokenizer.from_pretrained(cache_dir_for(GGUF_SHA256, cache_root()))
    docs = make_documents(Path(a.data), a.docs, lambda t: len(tokenizer(t, add_special_tokens=False)["input_ids"]))
    lengths = [len(tokenizer(d, add_special_tokens=False)["input_ids"]) for d in docs]
    report: dict = {"docs": len(docs), "doc_tokens_mean": sum(lengths) / len(lengths), "threads": a.threads,
                    "new_tokens": NEW_TOKENS, "cpu": os.cpu_count()}
    report["uptime_before"] = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        docs_file = Path(tmp) / "docs.json"
        docs_file.write_text(json.dumps(docs))
        if not a.skip_load:
            report["cold_load"] = child(["--_load", str(Path(tmp) / "cache")])
            report["warm_load"] = child(["--_load", str(Path(tmp) / "cache")])
        runs = {}
        for variant in a.variants.split(","):
            limit = a.naive_docs if variant == "naive" and a.naive_docs else 0
            runs[variant] = child(["--_variant", variant, "--_docs-file", str(docs_file), "--threads", str(a.threads),
                                   "--_limit", str(limit)])
            r = runs[variant]
            write_report(report, runs, a.out, a.threads)
            print(f"{variant}: {r['tokens_per_s']:.1f} new tok/s, {r['seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB, "
                  f"load avg {r['load_before']:.1f}->{r['load_after']:.1f}", file=sys.stderr)
    report["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    write_report(report, runs, a.out, a.threads)
    print(f"uptime before: {report['uptime_before']}\nuptime after:  {report['uptime_after']}")
    for key in ("cold_load", "warm_load"):
        if key in report:
            r = report[key]
            print(f"{key}: {r['load_seconds']:.2f} s load ({r['origin']}), {r['import_seconds']:.2f} s torch+transformers "
                  f"import, peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
