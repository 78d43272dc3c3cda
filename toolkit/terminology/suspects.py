"""Name checks (``suspects.v2``): spans of an English text that read as a bad rendering of a name, such as
"Daxing" in "Daxing investigation and research" (大兴调查研究, "vigorously carry out investigation"), or a
name cut into syllables ("He Li Feng", "Ho Li Pei" for 何立峰, He Lifeng). They are findings for a person
to review, each with a confidence (0-1); :func:`find_suspects` reports those at or above a threshold.

Checks:

- ``pinyin``: a capitalised token that splits into two or more pinyin syllables and that neither the
  glossary, the English word list (or another European one: "Agence"; :mod:`.english`) nor CC-CEDICT's
  standard names (:mod:`.names`)
  explain. A standard name ("Beijing", "Xinjiang") is correct, not a suspect, unless the name is also an
  ordinary word (大兴: Daxing district, or "on a large scale"), when it stays a suspect with a lower
  confidence; given the source, a standard name whose headword is in the source is always correct.
- ``split-name``: three or more capitalised one-syllable tokens in a row (pinyin or Wade-Giles: "Ho Li
  Pei"), or two when the source holds a person's name they spell; the suggestion is that name's standard
  romanisation (surname, then the given name in one word).

Confidences: ``pinyin`` 0.7, 0.8 when the token is a CC-CEDICT romanisation, 0.9 when its headword is in
the source, 0.4 when it spells a name of the source that is not an organisation's (吉克隽逸 "Jike Junyi":
the standard pinyin of a person's name is right; 泛林集团 "Fanlin Group" is not Lam Research's name); an
ambiguous standard name 0.6; ``split-name`` 0.8, 0.9 when a name of the source matches it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from toolkit.terminology.english import ENGLISH_NAME, EUROPEAN_NAME, is_english, is_european_word
from toolkit.terminology.names import NAMES_NAME, standard_name
from toolkit.terminology.records import Glossary, Suspect
from toolkit.terminology.romanize import split_syllables, strip_marks, wade_giles
from toolkit.terminology.textnorm import fold_term, fold_text

SUSPECTS_NAME = "suspects.v2"
#: Findings under this confidence are not reported (the ``threshold`` default).
DEFAULT_THRESHOLD = 0.5
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_HAN = re.compile(r"[\u3400-\u9fff]+")


def suspects_signature() -> str:
    """The versions behind the name checks (for reports).

    Example:
        >>> suspects_signature()
        'suspects.v2|english:spellchecker-en|european:spellchecker-fr-de-es-it-pt|names.v1'
    """
    return "|".join([SUSPECTS_NAME, ENGLISH_NAME, EUROPEAN_NAME, NAMES_NAME])


def _glossary_words(glossary: Glossary) -> set[str]:
    cached = glossary._cache.get("suspects:words")
    if cached is None:
        cached = set()
        for e in glossary.entries:
            for term in (e.canonical, *e.alternatives):
                for w in fold_term(term).replace("-", " ").split():
                    cached.add(strip_marks(w).replace("'", ""))
        glossary._cache["suspects:words"] = cached
    return cached


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    plain: str  # lower case, marks and apostrophes dropped


def _tokens(text: str) -> list[_Token]:
    ft = fold_text(text)
    out = []
    for m in _TOKEN.finditer(ft.folded):
        start, end = ft.to_original(m.start()), ft.to_original(m.end(), end=True)
        out.append(_Token(start, end, text[start:end], strip_marks(m.group()).lower().replace("'", "")))
    return out


def _wade_giles_syllables(syllables: set[str]) -> set[str]:
    return {strip_marks(wade_giles(s)).replace("'", "") for s in syllables}


@functools.lru_cache(maxsize=65536)
def _readings(ch: str) -> frozenset[str]:
    """The toneless pinyin readings of one character (CC-CEDICT, lower case)."""
    from toolkit.terminology.cedict import load_cedict

    return frozenset(s.lower() for e in load_cedict().lookup(ch) for s in e.syllables if len(e.syllables) == 1)


@functools.lru_cache(maxsize=65536)
def _readings_wg(ch: str) -> frozenset[str]:
    """Pinyin and Wade-Giles readings of one character."""
    syls = _readings(ch)
    return syls | {strip_marks(wade_giles(s)).replace("'", "") for s in syls}


@functools.lru_cache(maxsize=65536)
def _is_surname(ch: str) -> bool:
    from toolkit.terminology.cedict import load_cedict

    return any("surname" in x for e in load_cedict().lookup(ch) for x in e.definitions)


@functools.lru_cache(maxsize=16)
def _source_index(source: str) -> dict[str, list[tuple[str, int]]]:
    """Where each reading (pinyin or Wade-Giles) starts in the source's Han runs: ``{reading: [(run, i)]}``."""
    index: dict[str, list[tuple[str, int]]] = {}
    for run in _HAN.findall(source):
        for i, ch in enumerate(run):
            for reading in _readings_wg(ch):
                index.setdefault(reading, []).append((run, i))
    return index


def _source_names(source: str, parts: list[str]) -> list[tuple[str, list[frozenset[str]]]]:
    """Substrings of ``source`` as long as ``parts`` whose first character is a surname read ``parts[0]``:
    (name, readings per character)."""
    n = len(parts)
    out = []
    for run, i in _source_index(source).get(parts[0], ()):
        name = run[i:i + n]
        if len(name) == n and _is_surname(name[0]):
            out.append((name, [_readings_wg(ch) for ch in name]))
    return out


def _match_source_name(parts: list[str], source: str | None, *, exact: bool = False) -> str:
    """The source name (Chinese) that the syllables ``parts`` spell, all (or all but one) right; ``""`` if none."""
    if not source:
        return ""
    best, best_hits = "", 0
    need = len(parts) if exact else max(len(parts) - 1, 2)
    for name, readings in _source_names(source, parts):
        hits = sum(p in r for p, r in zip(parts, readings))
        if hits >= need and hits > best_hits and parts[0] in readings[0]:
            best, best_hits = name, hits
    return best


def find_suspects(
    text: str,
    *,
    glossary: Glossary | None = None,
    source: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Suspect]:
    """Spans of ``text`` that look like an untranslated romanisation or a name cut into syllables.

    Args:
        text: English text (a translation or a summary).
        glossary: known terms: a glossary match (canonical, alternative, variant, calque) is never a
            suspect here (variants and calques are reported by :func:`toolkit.terminology.align`).
        source: the source text (Chinese); names it holds confirm standard names and give suggestions.
        threshold: the lowest confidence (0-1) reported; lower it to see more, raise it for fewer false alarms.

    Returns:
        Suspects in text order, each with a reason, a confidence and, when known, a suggestion.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "source": "金湘军", "type": "person"}])
        >>> [(s.text, s.start) for s in find_suspects("Daxing research by Jin Xiangjun in Beijing", glossary=g)]
        [('Daxing', 0)]
        >>> s = find_suspects("Vice Premier He Li Feng met them.", source="国务院副总理何立峰会见了他们。")[0]
        >>> s.text, s.check, s.suggestion, s.confidence
        ('He Li Feng', 'split-name', 'He Lifeng', 0.9)
    """
    from toolkit.terminology.cedict import load_cedict
    from toolkit.terminology.index import align

    d = load_cedict()
    covered: list[tuple[int, int]] = []
    known: set[str] = set()
    if glossary is not None and len(glossary):
        covered = [(m.start, m.end) for m in align(text, glossary=glossary)]
        known = _glossary_words(glossary)
    tokens = [t for t in _tokens(text) if not any(t.start < ce and t.end > cs for cs, ce in covered)]
    syllables = d.syllables
    one_syllable = syllables | _wade_giles_syllables(syllables)
    out: list[Suspect] = []
    used: set[int] = set()

    # split-name: capitalised one-syllable tokens in a row, separated by single spaces or hyphens
    i = 0
    while i < len(tokens):
        j = i
        while (j < len(tokens) and tokens[j].text[:1].isupper() and tokens[j].plain in one_syllable
               and (j == i or text[tokens[j - 1].end:tokens[j].start] in (" ", "-"))):
            j += 1
        run = tokens[i:j]
        if len(run) >= 2 and not all(is_english(t.plain) and t.plain not in syllables for t in run):
            parts = [t.plain for t in run]
            name = _match_source_name(parts, source)
            if name or len(run) >= 3:
                from toolkit.terminology.calques import romanize

                start, end = run[0].start, run[-1].end
                suggestion = romanize(name, type="person") if name else ""
                if not suggestion or fold_term(suggestion) != fold_term(text[start:end]):
                    reason = "reads as a name cut into syllables"
                    reason += f" (source {name}: {suggestion})" if name else ""
                    out.append(Suspect(start, end, text[start:end], reason, 0.9 if name else 0.8, suggestion,
                                       "split-name"))
                    used.update(range(i, j))
            i = j
        else:
            i = max(j, i + 1)

    # multi-word standard names ("Liu Xiaobo", "Xi Jinping"): correct unless ambiguous
    for k in range(len(tokens)):
        for n in (3, 2):
            group = tokens[k:k + n]
            if len(group) < n or any(g in used for g in range(k, k + n)):
                continue
            if any(text[a.end:b.start] not in (" ", "-") for a, b in zip(group, group[1:])):
                continue
            std = standard_name(text[group[0].start:group[-1].end])
            if std is not None and " " in std.name and not std.ambiguous:
                used.update(range(k, k + n))

    for k, tok in enumerate(tokens):
        word = tok.text
        if k in used or not word[0].isupper() or (len(word) > 1 and word.isupper()):
            continue
        plain = tok.plain
        if not plain.isascii() or plain in known:
            continue
        parts = split_syllables(plain, syllables)
        if not parts or len(parts) < 2:
            continue
        if source and k > 0 and tokens[k - 1].plain in syllables and text[tokens[k - 1].end:tok.start] == " ":
            if _match_source_name([tokens[k - 1].plain, *parts], source, exact=True):
                continue  # the given name of a person the source names ("He Lifeng" for 何立峰)
        heads = list(dict.fromkeys(d.romanized.get(plain, [])))
        in_source = [h for h in heads if source and h in source]
        std = standard_name(word)
        if std is not None and std.name.count(" ") == 0:
            std_in_source = [h for h in std.headwords if source and h in source]
            if not std.ambiguous or (std_in_source and not _all_ordinary_words(std_in_source, d)):
                continue  # a standard name: correct
            confidence = 0.6
            reason = (f"reads as pinyin ({' '.join(parts)}) but matches no glossary entry; "
                      f"CC-CEDICT has {', '.join(heads[:3] or std.headwords[:3])}")
            out.append(Suspect(tok.start, tok.end, word, reason, confidence, "", "pinyin"))
            continue
        if is_european_word(plain):
            continue  # an English word, or a word of a European name ("Agence France-Presse")
        confidence = 0.9 if in_source else 0.8 if heads else 0.7
        reason = f"reads as pinyin ({' '.join(parts)}) but matches no glossary entry"
        if heads:
            reason += f"; CC-CEDICT has {', '.join(heads[:3])}"
        spelled = _spelled_in_source(parts, source, d) if source and not in_source else None
        if spelled is not None:
            name, org = spelled
            if not org:  # the standard pinyin of a name the source holds (a person or a place): likely right
                confidence = 0.4
                reason += f"; spells the source's {name}"
            else:
                reason += f"; spells the source's {name}, the name of an organisation (its English name?)"
        out.append(Suspect(tok.start, tok.end, word, reason, confidence, "", "pinyin"))
    return sorted((s for s in out if s.confidence >= threshold), key=lambda s: s.start)


_ORG_SUFFIXES = ("集团", "公司", "银行", "銀行", "科技", "大学", "大學", "网", "網", "报", "報", "集團")


def _spelled_in_source(parts: list[str], source: str, d) -> tuple[str, bool] | None:  # noqa: ANN001 - Cedict
    """The source substring whose characters read ``parts`` (not an ordinary word), and whether an organisation
    suffix (集团, 公司...) follows it; None when the source holds no such substring."""
    n = len(parts)
    for run, i in _source_index(source).get(parts[0], ()):
        piece = run[i:i + n]
        if len(piece) == n and all(p in _readings(ch) for p, ch in zip(parts, piece)):
            if any(not e.is_proper for e in d.lookup(piece)):
                continue  # an ordinary word (大兴 "on a large scale"): pinyin is a mistranslation
            return piece, run[i + n:].startswith(_ORG_SUFFIXES)
    return None


def _all_ordinary_words(headwords: list[str], d) -> bool:  # noqa: ANN001 - Cedict
    """True when every headword (of a name, found in the source) is also an ordinary word (大兴), so the
    source may not mean the name; False when one is a name only (大兴区)."""
    return all(any(not e.is_proper for e in d.lookup(h)) for h in headwords)
