"""Tiny random summarisation models built from configs (Llama-style, BART, T5) with a tiny WordLevel tokenizer
(with a ChatML template), saved to a folder so that tests load them through the real loading code.

Shared by the summarisation, CLI, warm-run and Ray executor tests (``from helpers.tiny_models import
build_model``; ``tests/`` is on ``sys.path`` in pytest's default import mode). ``torch`` and ``transformers`` are
imported when a model is built, so a test module can import this one before its ``importorskip``.
"""

from __future__ import annotations

from pathlib import Path

SPECIALS = ["<pad>", "</s>", "<unk>", "<s>", "<|im_start|>", "<|im_end|>"]  # T5 order: pad=0, eos=1, unk=2
CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
WORDS = (
    "the a of to in and is was for on that with as by at from it an be are this were has have said "
    "river town flood water road roads train trains work repair damage council people city rain storm "
    "minister visited area homes business cost week day year police fire hotel bus report new old "
    "summarize following text two three sentences state only facts given you careful assistant write "
    "short factual summaries summary system user : . , ! ? ' \" - ( )"
).split()

DOCS = [
    "The river flooded the town. Roads were closed for a week.",
    "Police said the fire at the hotel was started by a bus. People left the hotel at night. "
    "The council will report on the damage. The cost is not known.",
    "Rain.",
    "The minister visited the area and said repair work on the roads is under way.",
    "Trains were late. Trains were cancelled. The storm damaged the old road and new homes in the city.",
    "A new report on water in the river was given to the council this year.",
    "Business owners said the flood cost them a year of work.",
    "The town has a new hotel.",
]


def build_tokenizer(folder: Path, model_max_length: int = 512) -> None:
    """Save the tiny WordLevel tokenizer (lower-casing, whitespace split, ChatML template) into ``folder``."""
    import transformers
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="</s>", bos_token="<s>",
        additional_special_tokens=["<|im_start|>", "<|im_end|>"], model_max_length=model_max_length,
    )
    fast.chat_template = CHATML
    fast.save_pretrained(folder)


def vocab_size() -> int:
    """Tokens in the tiny vocabulary (specials first)."""
    return len(dict.fromkeys(SPECIALS + WORDS))


def build_model(kind: str, folder: Path, *, context: int = 512, safe: bool = True) -> Path:
    """Random tiny model of ``kind`` (llama, bart, t5) saved with its tokenizer into ``folder``."""
    import torch
    import transformers

    torch.manual_seed(0)
    v = vocab_size()
    common = dict(vocab_size=v, pad_token_id=0, eos_token_id=1, bos_token_id=3)
    if kind == "llama":
        config = transformers.LlamaConfig(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=context, tie_word_embeddings=False,
            initializer_range=0.3, **common,
        )
        model = transformers.LlamaForCausalLM(config)
    elif kind == "bart":
        config = transformers.BartConfig(
            d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
            encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=context, decoder_start_token_id=1,
            forced_bos_token_id=None, forced_eos_token_id=None, init_std=0.3, **common,
        )
        model = transformers.BartForConditionalGeneration(config)
    else:
        config = transformers.T5Config(
            d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4, decoder_start_token_id=0,
            n_positions=context, initializer_factor=8.0, **common,
        )
        model = transformers.T5ForConditionalGeneration(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=safe)
    build_tokenizer(folder, model_max_length=context)
    return folder


LONG_SENTENCES = [
    "The river flooded the town and the water damaged the old road .",
    "Police said people left their homes at night .",
    "The council will report on the cost of the repair work this year .",
    "Trains were late for a week as the storm damaged the roads .",
]


def long_document(tokens: int) -> str:
    """Sentences from the tiny vocabulary repeated until the text has at least ``tokens`` words."""
    out: list[str] = []
    i = 0
    while sum(len(s.split()) for s in out) < tokens:
        out.append(LONG_SENTENCES[i % len(LONG_SENTENCES)])
        i += 1
    return " ".join(out)
