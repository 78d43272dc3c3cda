"""Chat backend: instruct causal LMs through their chat template, with versioned prompt templates.

The prompt ``summarize-short.v1`` asks for a short factual summary. A custom prompt is any text with a
``{document}`` placeholder (it is named ``custom:<sha256[:8]>`` in fingerprints). Outputs are cleaned of
chat artefacts by ``clean-chat.v1`` (role markers, "Summary:" / "Here is a summary" lead-ins, quotes,
markdown emphasis).
"""

from __future__ import annotations

import hashlib
import re

from toolkit.errors import ConfigError, UnknownNameError
from toolkit.summarization.base import GenerativeSummarizer

PROMPTS: dict[str, tuple[str, str]] = {
    "summarize-short.v1": (
        "You are a careful assistant. You write short, factual summaries.",
        "Summarize the following text in two or three sentences. State only facts given in the text.\n\n"
        "{document}",
    ),
}
CLEANER = "clean-chat.v1"

_ROLE = re.compile(r"^\s*(?:<\|?[a-z_]+\|?>\s*)*(?:assistant|system|user)\s*[:\n]", re.IGNORECASE)
_MARKER = re.compile(r"<\|[^|>]{1,30}\|>|</?s>|\[/?INST\]")
_LEAD_IN = re.compile(
    r"^\s*(?:(?:sure|certainly|okay|ok)[,!.]?\s*)?(?:here(?:'s| is) (?:a |the |my )?(?:short |brief |concise )?"
    r"summary[^:\n]*:|(?:short |brief )?summary\s*:|tl;?dr\s*:)\s*",
    re.IGNORECASE,
)
_EMPHASIS = re.compile(r"\*\*|__|^#+\s*", re.MULTILINE)


def resolve_prompt(prompt: str) -> tuple[str, str, str]:
    """``(name, system, user_template)`` of a template name or custom template text.

    Raises:
        UnknownNameError: A name that looks like a template name (no ``{document}``) is not known.

    Example:
        >>> resolve_prompt("summarize-short.v1")[0]
        'summarize-short.v1'
        >>> resolve_prompt("Summarise: {document}")[0]
        'custom:d6e3157f'
    """
    if prompt in PROMPTS:
        system, user = PROMPTS[prompt]
        return prompt, system, user
    if "{document}" in prompt:
        digest = hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:8]
        return f"custom:{digest}", "", prompt
    raise UnknownNameError("prompt template", prompt, [*PROMPTS, "<text with {document}>"])


def clean_chat_output(text: str) -> str:
    """Remove chat artefacts from a generated summary (``clean-chat.v1``).

    Example:
        >>> clean_chat_output("<|im_start|>assistant\\nHere is a short summary: **The cat sat.**<|im_end|>")
        'The cat sat.'
        >>> clean_chat_output('Summary: "Rain fell."')
        'Rain fell.'
    """
    text = _MARKER.sub(" ", text)
    text = _ROLE.sub("", text, count=1)
    text = _LEAD_IN.sub("", text, count=1)
    text = _EMPHASIS.sub("", text)
    text = " ".join(text.split())
    if len(text) >= 2 and text[0] in "\"'“" and text[-1] in "\"'”" and text.count(text[0]) <= 2:
        text = text[1:-1].strip()
    return text


class ChatSummarizer(GenerativeSummarizer):
    """Decoder-only instruct model driven through its chat template (left padding)."""

    kind = "chat"
    left_pad = True

    def _prepare(self) -> None:
        self._prompt, self._system, self._user = resolve_prompt(self.settings.prompt)
        self._has_template = bool(getattr(self.tokenizer, "chat_template", None))
        if self.model.config.is_encoder_decoder:
            raise ConfigError([f"model: '{self.name}' is an encoder-decoder model; it needs the seq2seq backend"])

    @property
    def prompt_name(self) -> str:
        return f"{self._prompt}+{CLEANER}"

    def render(self, document: str) -> str:
        """The full prompt text for one document (chat template applied).

        Example: see ``tests/test_summarization_tiny.py``.
        """
        user = self._user.replace("{document}", document)
        if not self._has_template:
            head = f"{self._system}\n\n" if self._system else ""
            return f"{head}{user}\n\nSummary:"
        messages = [{"role": "user", "content": user}]
        if self._system:
            messages.insert(0, {"role": "system", "content": self._system})
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def _prompt_ids(self, text: str) -> list[int]:
        return list(self.tokenizer(self.render(text), add_special_tokens=False)["input_ids"])

    def _overhead(self) -> int:
        return len(self._prompt_ids(""))

    def _context(self) -> int:
        config = self.model.config
        context = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None) or 2048
        limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(limit, int) and 0 < limit < 1_000_000:
            context = min(context, limit)
        return int(context)

    def _clean(self, text: str) -> str:
        return clean_chat_output(text)
