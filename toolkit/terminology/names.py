"""Standard English names (``names.v1``): what CC-CEDICT gives as the English name of a place or person,
and the usual short forms and demonyms of countries.

A CC-CEDICT proper-noun entry whose gloss starts with its own romanisation gives a *standard name*:
北京 "Beijing, capital of ..." gives ``Beijing``, 习近平 "Xi Jinping (1953-) ..." gives ``Xi Jinping``,
北京市 "Beijing municipality" gives ``Beijing`` too (the romanisation of the headword's first syllables).
A name is *ambiguous* when a headword it romanises whole is also an ordinary word: 大兴 is Daxing district
and "to undertake on a large scale", so "Daxing" may be a word left untranslated.

:data:`COUNTRY_FORMS` lists, for common country and region names, the English renderings a correct
translation uses (英国: United Kingdom, UK, Britain, British...); written by hand for this module.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from toolkit.terminology.romanize import strip_marks

NAMES_NAME = "names.v1"
_LEAD = re.compile(r"^[A-Z][A-Za-z'’-]*(?: [A-Z][A-Za-z'’-]*)*")

#: English renderings of common country and region names: name, short forms, demonym.
COUNTRY_FORMS: dict[str, tuple[str, ...]] = {
    "中国": ("China", "PRC", "People's Republic of China", "Chinese"),
    "英国": ("United Kingdom", "UK", "U.K.", "Britain", "Great Britain", "British"),
    "美国": ("United States", "US", "U.S.", "USA", "U.S.A.", "America", "American"),
    "俄罗斯": ("Russia", "Russian Federation", "Russian"),
    "日本": ("Japan", "Japanese"),
    "韩国": ("South Korea", "Korea", "Republic of Korea", "ROK", "Korean", "South Korean"),
    "朝鲜": ("North Korea", "DPRK", "North Korean"),
    "法国": ("France", "French"),
    "德国": ("Germany", "German"),
    "意大利": ("Italy", "Italian"),
    "西班牙": ("Spain", "Spanish"),
    "印度": ("India", "Indian"),
    "加拿大": ("Canada", "Canadian"),
    "澳大利亚": ("Australia", "Australian"),
    "乌克兰": ("Ukraine", "Ukrainian"),
    "荷兰": ("Netherlands", "the Netherlands", "Holland", "Dutch"),
    "欧盟": ("European Union", "EU", "E.U."),
    "欧洲": ("Europe", "European"),
    "联合国": ("United Nations", "UN", "U.N."),
    "台湾": ("Taiwan", "Taiwanese"),
    "香港": ("Hong Kong", "HK", "Hongkong"),
    "澳门": ("Macao", "Macau"),
}


@dataclass(frozen=True)
class StandardName:
    """A standard English name and the CC-CEDICT headwords that give it."""

    name: str
    headwords: tuple[str, ...]
    ambiguous: bool


def _key(name: str) -> str:
    return re.sub(r"[\s'’-]+", "", strip_marks(name)).lower()


@functools.lru_cache(maxsize=1)
def standard_names() -> dict[str, StandardName]:
    """Standard names from CC-CEDICT, keyed by their folded form (lower case, no spaces, hyphens or marks).

    Example:
        >>> names = standard_names()
        >>> names["beijing"].name, names["beijing"].ambiguous, names["daxing"].ambiguous
        ('Beijing', False, True)
        >>> names["xijinping"].name
        'Xi Jinping'
    """
    from toolkit.terminology.cedict import load_cedict

    d = load_cedict()
    found: dict[str, tuple[str, dict[str, bool]]] = {}
    for word, entries in d.by_word.items():
        if len(word) < 2:
            continue
        common = any(not e.is_proper for e in entries)
        for e in entries:
            if not e.is_proper or not e.definitions or word != e.simplified:
                continue
            m = _LEAD.match(e.definitions[0])
            if m is None:
                continue
            syls = [s.lower() for s in e.syllables]
            words = m.group().split()
            # the longest leading run of words that romanises the headword's first syllables (two or more)
            for k in range(len(words), 0, -1):
                name = " ".join(words[:k])
                key = _key(name)
                if any(key == "".join(syls[:j]) for j in range(2, len(syls) + 1)):
                    _, heads = found.setdefault(key, (name, {}))
                    heads[word] = heads.get(word, False) or (common and key == "".join(syls))
                    break
    return {
        key: StandardName(name, tuple(heads), any(heads.values()))
        for key, (name, heads) in found.items()
    }


def standard_name(text: str) -> StandardName | None:
    """The standard name written as ``text`` ("Beijing", "Xi Jinping", "Xi Jin-ping"), or None.

    Example:
        >>> standard_name("Xinjiang").headwords[:1], standard_name("Daxingg")
        (('新疆',), None)
    """
    return standard_names().get(_key(text))


def country_forms(source: str) -> tuple[str, ...]:
    """The English renderings of a country or region name given in Chinese (empty when not listed).

    Example:
        >>> country_forms("英国")[:4]
        ('United Kingdom', 'UK', 'U.K.', 'Britain')
    """
    return COUNTRY_FORMS.get(source, ())
