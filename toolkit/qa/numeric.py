"""``qa.numbers.v1``: numbers, percentages, money, dates and times in the target against the source.

Chinese numerals and magnitudes in the source (两万, 1.2亿, 百分之三十, 二〇二三年四月二十四日) are read with
``cn2an`` (smart mode: digits and Chinese numerals mixed), a bare magnitude (百, 千, 万) as its value, and a
mantissa with 万亿/亿/万 scaled by hand where cn2an refuses it (5.6万亿). Target numbers are digits (with
thousands separators, decimals, ordinal suffixes, a following ``%``/``percent`` and a magnitude word:
"1.2 billion") and month names. A target number is fine when some source number has the same value (a
rounded one with a magnitude word within 5%; "the 1990s" for 90年代). Otherwise it is flagged: as
mis-scaled when it is a source value times a power of ten (万/亿 confusion), else as not in the source.
Numbers inside words (G20, COVID-19) are not checked, and a target month must be one the source names.
MQM: Accuracy/Mistranslation on number spans, Locale convention/Date format.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from toolkit.qa.base import DocumentInput, segment_check
from toolkit.qa.records import Evidence, Finding

NAME = "qa.numbers.v1"

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_CN_NUM = re.compile(r"(?:百分之)?(?:[0-9〇零一二两三四五六七八九十百千万亿点.]|,(?=\d{3}(?!\d)))+%?")
_MAGNITUDES = (("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3), ("百", 1e2))
_BARE = {"十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "亿": 1e8}
_EN_NUM = re.compile(
    r"(?<![\w\-/.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(st|nd|rd|th|s)?(?![\w])(?![.,]\d)"
    r"(\s*%|\s+percent\b|\s+per\s+cent\b)?(\s+(?:thousand|million|billion|trillion)\b)?"
)
_EN_TIME = re.compile(r"(?<![\w:.])(\d{1,2}):\s?(\d{2})(?![\w:])")
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_EN_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)(?=\s+\d)"
)


@dataclass(frozen=True)
class SourceNumber:
    """A number read from the source: its value and where it is."""

    value: float
    start: int
    end: int
    text: str
    month: bool = False


@functools.lru_cache(maxsize=4096)
def _cn_value(token: str) -> float | None:
    """Value of one numeral token (``1.2亿``, ``两万``, ``百分之三十``) or None."""
    import cn2an

    tok = token.removeprefix("百分之").rstrip("%").strip("点.").replace(",", "")
    if not tok:
        return None
    if tok in _BARE:
        return _BARE[tok]
    try:
        return float(cn2an.cn2an(tok, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    for suffix, scale in _MAGNITUDES:
        if tok.endswith(suffix) and len(tok) > len(suffix):
            head = _cn_value(tok[: -len(suffix)])
            return None if head is None else head * scale
    return None


def _split_values(token: str) -> list[tuple[int, int, float]]:
    """``(start, end, value)`` of a token, or of its longest readable pieces when it does not read whole."""
    whole = _cn_value(token)
    if whole is not None:
        return [(0, len(token), whole)]
    out, i = [], 0
    while i < len(token):
        for j in range(len(token), i, -1):
            v = _cn_value(token[i:j])
            if v is not None:
                out.append((i, j, v))
                i = j
                break
        else:
            i += 1
    return out


def _en_value(m: re.Match[str]) -> float:
    digits, frac, _suffix, _percent, scale = m.groups()
    v = float(digits.replace(",", "") + (frac or ""))
    return v * _EN_SCALE[scale.strip().lower()] if scale else v


def source_numbers(source: str, lang: str = "zh") -> list[SourceNumber]:
    """Numbers in a source, with offsets: Chinese numerals (``zh``), or digits and month names (``en``, the
    English document of a summary: "1.2 million" counts as 1,200,000 and as 1.2).

    Example:
        >>> [(n.value, n.text) for n in source_numbers("去年增长百分之三十，达到1.2亿元，4月24日，共1,800人")]
        [(30.0, '百分之三十'), (120000000.0, '1.2亿'), (4.0, '4'), (24.0, '24'), (1800.0, '1,800')]
        >>> [(n.value, n.month) for n in source_numbers("On May 3, 1.2 million voted.", lang="en")]
        [(5.0, True), (3.0, False), (1200000.0, False), (1.2, False)]
    """
    out: list[SourceNumber] = []
    if lang.startswith("en"):
        for m in _EN_MONTH.finditer(source):
            name = m.group(1).rstrip(".").lower()
            number = next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name))
            out.append(SourceNumber(float(number), m.start(1), m.end(1), m.group(1), True))
        for m in _EN_NUM.finditer(source):
            end = m.start() + len(m.group().rstrip())
            out.append(SourceNumber(_en_value(m), m.start(), end, source[m.start():end]))
            if m.group(5):
                out.append(SourceNumber(float(m.group(1).replace(",", "") + (m.group(2) or "")), m.start(), end,
                                        source[m.start():end]))
        return sorted(out, key=lambda n: n.start)
    text = source.translate(_FULLWIDTH)
    for m in _CN_NUM.finditer(text):
        for s, e, v in _split_values(m.group()):
            start, end = m.start() + s, m.start() + e
            month = text[end: end + 1] == "月"
            out.append(SourceNumber(v, start, end, source[start:end], month))
    return out


def _same(v: float, s: float) -> bool:
    return abs(v - s) <= 1e-9 * max(abs(v), abs(s), 1.0)


def _power_of_ten(v: float, s: float) -> bool:
    if v <= 0 or s <= 0:
        return False
    k = math.log10(v / s)
    return abs(k - round(k)) < 1e-9 and 1 <= abs(round(k)) <= 8


def _month_evidence(n: SourceNumber, source: str) -> Evidence:
    end = n.end + 1 if source[n.end:n.end + 1] == "月" else n.end
    return Evidence(n.start, end, source[n.start:end])


def _find(target: str, source: str | None, doc: DocumentInput) -> Iterator[Finding]:
    if source is None:
        return
    nums = source_numbers(source, doc.source_lang)
    values = [n.value for n in nums]
    times = []
    for m in _EN_TIME.finditer(target):
        times.append((m.start(), m.end()))
        hour, minute = int(m.group(1)), int(m.group(2))
        hour_ok = any(_same(hour, s) or _same(hour, s + 12) or _same(hour + 12, s) for s in values)
        if nums and not (hour_ok and (minute == 0 or any(_same(minute, s) for s in values))):
            yield Finding(
                NAME, "major", m.start(), m.end(), m.group(),
                f"time {m.group()!r} matches no time in the source ({', '.join(dict.fromkeys(n.text for n in nums))})", 0.7,
            )
    for m in _EN_NUM.finditer(target):
        if any(s <= m.start() < e for s, e in times):
            continue
        suffix, scale = m.group(3), m.group(5)
        v = _en_value(m)
        text = m.group().rstrip()
        if any(_same(v, s) for s in values):
            continue
        if scale and any(abs(v - s) <= 0.05 * max(v, s) for s in values):
            continue
        if suffix == "s" and any(_same(v, 1900 + s) or _same(v, 2000 + s) for s in values if s < 100):
            continue
        scaled = next((n for n in nums if _power_of_ten(v, n.value)), None)
        if scaled is not None and (scale or m.group(2) or v >= 1000):
            yield Finding(
                NAME, "major", m.start(), m.start() + len(text), text,
                f"{text!r} ({v:,.10g}) is the source's {scaled.text} ({scaled.value:,.10g}) at the wrong scale",
                0.85, Evidence(scaled.start, scaled.end, scaled.text),
            )
        elif nums:
            yield Finding(
                NAME, "major", m.start(), m.start() + len(text), text,
                f"{text!r} matches no number in the source ({', '.join(dict.fromkeys(n.text for n in nums))})", 0.7,
            )
        else:
            yield Finding(NAME, "minor", m.start(), m.start() + len(text), text, f"{text!r}: the source has no numbers", 0.45)
    months = {int(n.value) for n in nums if n.month}
    if months:
        for m in _EN_MONTH.finditer(target):
            name = m.group(1).rstrip(".").lower()
            number = next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name))
            if number not in months:
                ev = next(n for n in nums if n.month)
                yield Finding(
                    NAME, "major", m.start(1), m.end(1), m.group(1),
                    f"month {m.group(1)!r} ({number}) is not the source's month ({ev.text})", 0.75,
                    _month_evidence(ev, source),
                )


CHECK = segment_check(NAME, _find, threshold=0.6, needs_source=True,
                      description="numbers, percentages, money and dates against the source (Chinese numerals read with cn2an)")
