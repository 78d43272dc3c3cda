"""Sentence splitting and token-budgeted chunks for long documents (map-reduce summarisation).

A document longer than the model's budget (context minus prompt minus summary room) is split on
sentence boundaries into chunks that each fit; each chunk is summarised, the chunk summaries are joined
and summarised again (repeated while the joined text is still too long). A single sentence longer than
the budget is split at token boundaries (that is still splitting, not truncation). Only when the rounds
run out is the text cut, and the result then says ``truncated=True``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# End of sentence: ., !, ? (optionally followed by closing quotes/brackets) then space and an opening
# letter/digit/quote; or CJK full stops. Abbreviations such as "e.g." before lower case do not split.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])|(?<=[。！？])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|St|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Jr|Sr|Inc|Ltd|Co|No|vs|etc)\.$|(?:^|\s)(?:[A-Z]\.)+$"
)

Counter = Callable[[str], int]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (paragraph breaks always split).

    Args:
        text: Any text.

    Returns:
        Non-empty stripped sentences in order.

    Example:
        >>> split_sentences("Dr. Smith went home. It rained! Did it? yes.\\n\\nNew part")
        ['Dr. Smith went home.', 'It rained!', 'Did it? yes.', 'New part']
        >>> split_sentences("他来了。她走了。")
        ['他来了。', '她走了。']
    """
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        pending = ""
        for piece in _SENTENCE_END.split(paragraph):
            piece = " ".join(piece.split())
            if not piece:
                continue
            pending = f"{pending} {piece}" if pending else piece
            if not _ABBREVIATION.search(pending):
                out.append(pending)
                pending = ""
        if pending:
            out.append(pending)
    return out


def chunk_sentences(
    sentences: Sequence[str],
    budget: int,
    count: Counter,
    split_long: Callable[[str, int], list[str]],
) -> list[str]:
    """Pack consecutive sentences into chunks of at most ``budget`` tokens.

    Args:
        sentences: Sentences in document order.
        budget: Maximum tokens per chunk (>= 1).
        count: Token counter of the model's tokenizer.
        split_long: Splits one over-long sentence into pieces of at most ``budget`` tokens.

    Returns:
        Chunks (sentences joined by one space).

    Example:
        >>> words = lambda s: len(s.split())
        >>> chunk_sentences(["a b", "c d e", "f", "g h i j k"], 5, words, lambda s, n: [s])
        ['a b', 'c d e f', 'g h i j k']
    """
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for sentence in sentences:
        n = count(sentence)
        pieces = [sentence] if n <= budget else split_long(sentence, budget)
        for piece in pieces:
            m = n if len(pieces) == 1 else count(piece)
            # +1: the joining space may add a token at the seam
            if current and used + m + 1 > budget:
                chunks.append(" ".join(current))
                current, used = [], 0
            current.append(piece)
            used += m + (1 if len(current) > 1 else 0)
    if current:
        chunks.append(" ".join(current))
    return chunks


def split_text(text: str, budget: int, count: Counter, split_long: Callable[[str, int], list[str]]) -> list[str]:
    """Chunks of ``text`` that fit ``budget`` tokens; ``[text]`` when it already fits.

    Example:
        >>> split_text("One two. Three four five. Six.", 3, lambda s: len(s.split()), lambda s, n: [s])
        ['One two.', 'Three four five.', 'Six.']
    """
    if count(text) <= budget:
        return [text]
    return chunk_sentences(split_sentences(text), budget, count, split_long)
