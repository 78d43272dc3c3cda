"""The signature of a ROUGE number: every setting and version behind it, sacreBLEU style."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata

from toolkit._version import __version__
from toolkit.scoring.rouge.perl import PERL_OPTIONS
from toolkit.scoring.rouge.score import (
    _TOKENIZER_NAMES,
    DEFAULT_VARIANTS,
    _check_settings,
)

#: The rouge-score release that ``rouge-score`` mode reproduces (tests/test_rouge_parity.py); rouge-score itself is
#: not needed at run time, so the signature names the release the parity test pins, not what is installed.
ROUGE_SCORE_REFERENCE = "0.1.2"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def rouge_signature(
    *,
    variants: Sequence[str] = DEFAULT_VARIANTS,
    mode: str = "rouge-score",
    stem: bool = False,
    multi_ref: str = "best",
    lsum_split: str = "newline",
    rouge155_exceptions: bool = True,
) -> str:
    """The signature of every setting behind a ROUGE number (sacreBLEU style ``key:value|...``).

    Example:
        >>> rouge_signature(variants=["rougeL"]).split("|")[:6]
        ['rouge', 'variants:rougeL', 'mode:rouge-score', 'tok:rouge-score.v1', 'stem:no', 'lsum:newline']
    """
    _check_settings(variants, mode, multi_ref, lsum_split)
    if not stem:
        stemmer = "no"
    elif mode == "rouge155":
        stemmer = "rouge155-porter+wordnet-2.0-exc" if rouge155_exceptions else "rouge155-porter+empty-exc-db"
    else:
        stemmer = f"nltk-porter-{_version('nltk')}"
    parts = [
        "rouge",
        f"variants:{','.join(variants)}",
        f"mode:{mode}",
        f"tok:{_TOKENIZER_NAMES[mode]}",
        f"stem:{stemmer}",
        f"lsum:{lsum_split}",
    ]
    if mode == "rouge155":
        parts.append(f"multi:{multi_ref}({'-f A' if multi_ref == 'average' else '-f B'})")
        parts.append(f"perl:{PERL_OPTIONS}{' -m' if stem else ''}")
    else:
        parts.append(f"multi:{multi_ref}")
        if mode == "rouge-score":
            parts.append(f"rouge-score:{ROUGE_SCORE_REFERENCE}-equivalent")
    parts.append(f"toolkit:{__version__}")
    return "|".join(parts)
