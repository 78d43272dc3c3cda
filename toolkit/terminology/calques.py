"""Calque and transliteration generation (``calques.v1``): from a source term such as 金湘军, the
renderings a bad MT system produces, e.g. "Jinxiang Army", "Jin Xiang Army", "Gold Xiang Army",
"Hunan Army", "Jin Xiang Jun", "Xiangjun Jin", "Chin Hsiang-chün".

Readings come from CC-CEDICT word entries first (proper-noun readings preferred: 长治 is Changzhi),
falling back per character; pypinyin's own reading is added as one more (often wrong) rendering,
because that is what naive systems print (长治 -> "Zhang Zhi"). Glosses are the short English
definitions of CC-CEDICT words and characters, mixed with pinyin over every split of the term.
"""

from __future__ import annotations

import functools
import itertools
import re

from toolkit.terminology.cedict import Cedict, CedictEntry, load_cedict
from toolkit.terminology.english import is_english
from toolkit.terminology.romanize import strip_marks, tone_mark, wade_giles
from toolkit.terminology.textnorm import fold_term, is_unspaced

#: Versioned name of the generator (part of signatures).
CALQUES_NAME = "calques.v1"
#: Most renderings kept per source term.
MAX_CALQUES = 300

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_GLOSS_OK = re.compile(r"^[A-Za-z][A-Za-z' -]*$")
_SKIP_GLOSS = ("surname", "variant", "classifier", "see ", "used in", "old ", "cl:", "also ", "pr.", "abbr. for sb", "erhua")


def has_han(text: str) -> bool:
    """True when ``text`` contains a Han character."""
    return _HAN.search(text) is not None


def _title(words: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in words.split())


@functools.lru_cache(maxsize=65536)
def _glosses(word: str) -> tuple[str, ...]:
    out: list[str] = []
    for entry in load_cedict().lookup(word):
        for raw in entry.definitions:
            gloss = _PAREN.sub("", raw).strip()
            low = gloss.lower()
            if low.startswith("abbr. for "):
                gloss = gloss[len("abbr. for "):]
            elif any(low.startswith(s) for s in _SKIP_GLOSS):
                continue
            gloss = re.split(r"[^\x00-\x7f]|[,;:]", gloss, maxsplit=1)[0].strip()
            for article in ("to ", "a ", "an ", "the "):
                if gloss.lower().startswith(article):
                    gloss = gloss[len(article):]
            if not gloss or not _GLOSS_OK.match(gloss) or len(gloss.split()) > 2:
                continue
            title = _title(gloss)
            if title not in out:
                out.append(title)
            if len(out) == 2:
                return tuple(out)
    return tuple(out)


def _segment(source: str, d: Cedict) -> list[str]:
    """Backward maximum matching over CC-CEDICT headwords (潞安化工集团 -> 潞|安|化工|集团)."""
    out: list[str] = []
    j = len(source)
    while j > 0:
        for i in range(max(0, j - d.max_word_len), j):
            if j - i == 1 or d.lookup(source[i:j]):
                out.insert(0, source[i:j])
                j = i
                break
    return out


def _best_entry(word: str, d: Cedict) -> CedictEntry | None:
    entries = [e for e in d.lookup(word) if len(e.syllables) == len(word)]
    return entries[0] if entries else None


def _readings(source: str, d: Cedict) -> list[tuple[list[str], list[str]]]:
    """Candidate readings: (toneless syllables, tone-marked syllables); CC-CEDICT first, then pypinyin."""
    from pypinyin import Style, lazy_pinyin

    plain: list[str] = []
    marked: list[str] = []
    for word in _segment(source, d):
        entry = _best_entry(word, d)
        if entry is not None:
            plain.extend(s.lower() for s in entry.syllables)
            marked.extend(tone_mark(s).lower() for s in entry.pinyin.split())
        else:
            plain.extend(lazy_pinyin(word, style=Style.NORMAL, v_to_u=True))
            marked.extend(lazy_pinyin(word, style=Style.TONE))
    readings = [(plain, marked)]
    naive = lazy_pinyin(source, style=Style.NORMAL, v_to_u=True)
    naive_marked = lazy_pinyin(source, style=Style.TONE)
    if naive != plain and len(naive) == len(source):
        readings.append((naive, naive_marked))
    return readings


def join_pinyin(syllables: list[str]) -> str:
    """Join syllables into one pinyin word, with the apostrophe before a/e/o (``Lu'an``).

    Example:
        >>> join_pinyin(["lu", "an"]), join_pinyin(["chang", "zhi"])
        ("Lu'an", 'Changzhi')
    """
    out = ""
    for i, s in enumerate(syllables):
        if i and s[:1].lower() in "aeoāáǎàēéěèōóǒò":
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


def _looks_like_person(source: str, d: Cedict) -> bool:
    if not 2 <= len(source) <= 3 or _best_entry(source, d) is not None:
        return False
    return any("surname" in x for e in d.lookup(source[0]) for x in e.definitions)


def romanize(source: str, *, type: str | None = None) -> str:
    """The standard pinyin rendering of a Chinese term (CC-CEDICT readings first).

    Persons get surname + given name (``金湘军`` -> ``Jin Xiangjun``); other terms one word.

    Example:
        >>> romanize("长治"), romanize("金湘军", type="person")
        ('Changzhi', 'Jin Xiangjun')
    """
    d = load_cedict()
    plain = _readings(source, d)[0][0]
    person = type == "person" or (type is None and _looks_like_person(source, d))
    if person and len(plain) >= 2:
        return f"{plain[0].title()} {join_pinyin(plain[1:])}"
    return join_pinyin(plain)


def _name_forms(plain: list[str], marked: list[str], person: bool) -> list[str]:
    t = [s.title() for s in plain]
    tm = [s.title() for s in marked]
    wg = [wade_giles(s) for s in plain]
    forms = [
        join_pinyin(plain),
        " ".join(t),
        "-".join(t),
        join_pinyin(marked),
        " ".join(tm),
        "-".join(wg).title().replace("'", "'").capitalize(),
        "".join(wg).capitalize(),
    ]
    forms.append(strip_marks(forms[-2]))
    forms.append(strip_marks(forms[-2]))
    if person and len(plain) >= 2:
        sur, given = t[0], plain[1:]
        given_joined = join_pinyin(given)
        given_hyph = given[0].title() + "".join("-" + g for g in given[1:])
        wg_given = wade_giles(given[0]).capitalize() + "".join("-" + wade_giles(g) for g in given[1:])
        wg_sur = wade_giles(plain[0]).capitalize()
        forms += [
            f"{sur} {given_joined}",
            f"{sur} {given_hyph}",
            f"{sur} {'-'.join(g.title() for g in given)}",
            f"{sur}-{given_joined}",
            f"{given_joined} {sur}",
            f"{' '.join(g.title() for g in given)} {sur}",
            f"{tm[0]} {join_pinyin(marked[1:])}",
            f"{wg_sur} {wg_given}",
            strip_marks(f"{wg_sur} {wg_given}"),
            f"{wg_given} {wg_sur}",
            strip_marks(f"{wg_given} {wg_sur}"),
        ]
    return forms


def _splits(n: int) -> list[list[int]]:
    """Every way to cut ``range(n)`` into contiguous pieces, as lists of cut points."""
    out = []
    for mask in range(1 << (n - 1)):
        cuts = [i + 1 for i in range(n - 1) if mask >> i & 1]
        out.append([0, *cuts, n])
    return out


def _mixed_forms(source: str, plain: list[str], d: Cedict, person: bool) -> list[str]:
    n = len(source)
    if n <= 4:
        splits = _splits(n)
    else:  # long terms: the dictionary segmentation only
        seg = _segment(source, d)
        bounds = [0]
        for w in seg:
            bounds.append(bounds[-1] + len(w))
        splits = [bounds]
        lead = 0  # leading one-character pieces read as one name (潞|安 -> Lu'an)
        while lead < len(seg) and len(seg[lead]) == 1:
            lead += 1
        if lead >= 2:
            splits.append([0, *bounds[lead:]])
    forms: list[str] = []
    for bounds in splits:
        options = []
        for a, b in itertools.pairwise(bounds):
            piece = source[a:b]
            opts = [join_pinyin(plain[a:b])]
            if b - a == 1 or d.lookup(piece):
                opts += list(_glosses(piece))
            options.append(opts)
        for combo in itertools.islice(itertools.product(*options), 200):
            forms.append(" ".join(combo))
    if person:  # the given name's gloss alone, as in 湘军 -> "Hunan Army"
        for a in range(1, n - 1):
            piece = source[a:]
            if d.lookup(piece):
                forms += [g for g in _glosses(piece) if len(g.split()) >= 2]
    return forms


def generate_calques(source: str, *, canonical: str | None = None, type: str | None = None) -> list[str]:
    """Renderings of ``source`` that a bad MT system produces (pinyin forms, Wade-Giles, glosses).

    Args:
        source: the source-language term (Chinese; other scripts give no calques).
        canonical: the correct English term, left out of the result (default: :func:`romanize`).
        type: the entry type; ``person`` adds surname/given-name orders (guessed when None).

    Returns:
        Distinct renderings in a stable order, the canonical term and its case variants excluded.

    Example:
        >>> calques = generate_calques("金湘军", canonical="Jin Xiangjun")
        >>> [c for c in ("Jinxiang Army", "Jin Xiang Army", "Gold Xiang Army", "Hunan Army") if c in calques]
        ['Jinxiang Army', 'Jin Xiang Army', 'Gold Xiang Army', 'Hunan Army']
    """
    source = source.strip()
    if not source or not has_han(source) or not all(is_unspaced(c) for c in source):
        return []
    d = load_cedict()
    person = type == "person" or (type is None and _looks_like_person(source, d))
    if canonical is None:
        canonical = romanize(source, type="person" if person else None)
    forms: list[str] = []
    for plain, marked in _readings(source, d):
        forms += _name_forms(plain, marked, person)
        forms += _mixed_forms(source, plain, d, person)
    banned = {fold_term(canonical)}
    out: list[str] = []
    seen: set[str] = set()
    for form in forms:
        key = fold_term(form)
        if not key or key in banned or key in seen:
            continue
        tokens = key.split()
        if len(tokens) == 1 and (len(key) < 4 or key in d.english or is_english(key)):
            continue  # one short or ordinary English word is no calque
        seen.add(key)
        out.append(form)
        if len(out) >= MAX_CALQUES:
            break
    return out


@functools.lru_cache(maxsize=4096)
def cached_calques(source: str, canonical: str | None, type: str | None) -> tuple[str, ...]:
    """:func:`generate_calques` memoised (glossary indexes and fuzzy matching share the results)."""
    return tuple(generate_calques(source, canonical=canonical, type=type))
