"""``qa.punctuation.v1`` (per segment) and ``qa.quotes.v1`` (per document): punctuation and spacing artefacts.

Per segment: a stray mark after a full stop or comma (". ," in the sample article), doubled marks (",,"),
a space before a mark ("word ,") or inside a time ("5: 00"), brackets and curly double quotes that open
without closing (or close without opening), an odd number of straight double quotes, and a lower-case word
right after a full stop ("increase. efficiency"). A space just inside straight quotes (a quoted ' Hannah '
with spaces) gets confidence 0.5, under the default threshold: WMT21 raters left it unmarked in 5 of the
154 error-free segments. Per document: curly and straight quotes or apostrophes mixed (the style most used
is the document's choice; the others are flagged). MQM: Fluency/Punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.qa.base import DocumentInput, document_check, segment_check
from toolkit.qa.records import Finding

NAME = "qa.punctuation.v1"
QUOTES_NAME = "qa.quotes.v1"

# (pattern, message, confidence); the match is the flagged span.
_PATTERNS: tuple[tuple[re.Pattern[str], str, float], ...] = (
    (re.compile(r"(?<!\.)[.,;:!?] +[,;:](?=\s|$)|(?<!\.)[,;:] +\.(?!\.)"), "stray punctuation mark after another ({text!r})", 0.9),
    (re.compile(r"^\s*[,;:] "), "segment starts with a stray mark ({text!r})", 0.85),
    (re.compile(r",,+|;;+|::+|,[;.](?!\.)|;,|(?<![.\s])\.\.(?!\.)"), "doubled punctuation ({text!r})", 0.85),
    (re.compile(r"(?<=\w) +[,;!?](?=\s|$)|(?<=[a-z]) +\.(?=\s|$)"), "space before a punctuation mark ({text!r})", 0.6),
    (re.compile(r"(?<=\d): (?=\d\d\b)"), "space inside a time ({text!r})", 0.8),
)
_LOWER_AFTER_STOP = re.compile(r"\b([a-z]{3,})\. ([a-z]{2,})\b")
_ABBREVIATIONS = frozenset({"etc", "approx", "incl", "esp", "vol", "vols", "nos", "dept", "govt", "corp", "inc", "ltd", "misc", "cf", "al", "viz", "jan", "feb", "mar", "apr", "aug", "sept", "oct", "nov", "dec", "est", "pct", "min", "max"})
_PAIRS = {"(": ")", "[": "]", "{": "}", "\u201c": "\u201d"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def _unbalanced(target: str) -> Iterator[Finding]:
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(target):
        if ch in _PAIRS:
            if ch == "\u201c" and stack and stack[-1][0] == "\u201c":
                # an opening curly quote while one is open: the earlier one is never closed
                o, pos = stack.pop()
                yield Finding(NAME, "minor", pos, pos + 1, o, "opening quote “ is never closed (another “ opens first)", 0.75)
            stack.append((ch, i))
        elif ch in _CLOSERS:
            if stack and stack[-1][0] == _CLOSERS[ch]:
                stack.pop()
            elif not any(o == _CLOSERS[ch] for o, _ in stack):
                yield Finding(NAME, "minor", i, i + 1, ch, f"closing {ch!r} without an opening {_CLOSERS[ch]!r}", 0.7)
            else:  # closes an outer pair: the inner ones never closed
                while stack and stack[-1][0] != _CLOSERS[ch]:
                    o, pos = stack.pop()
                    yield Finding(NAME, "minor", pos, pos + 1, o, f"{o!r} is never closed", 0.7)
                stack.pop()
    for o, pos in stack:
        yield Finding(NAME, "minor", pos, pos + 1, o, f"{o!r} is never closed", 0.7)
    straight = [m.start() for m in re.finditer('"', target)]
    if len(straight) % 2:
        pos = straight[-1]
        yield Finding(NAME, "minor", pos, pos + 1, '"', "odd number of straight double quotes: one is never closed", 0.6)
        return
    for k in range(0, len(straight), 2):  # paired in order: a space just inside the quotes (" Hannah ")
        o, c = straight[k], straight[k + 1]
        if c - o > 2 and (target[o + 1] == " " or target[c - 1] == " "):
            yield Finding(NAME, "minor", o, c + 1, target[o: c + 1], f"space just inside quotes ({target[o: c + 1]!r})", 0.5)


def _find(target: str, source: str | None, doc: DocumentInput) -> Iterator[Finding]:
    found: list[Finding] = []
    for pattern, message, confidence in _PATTERNS:
        for m in pattern.finditer(target):
            found.append(Finding(NAME, "minor", m.start(), m.end(), m.group(), message.format(text=m.group()), confidence))
    for m in _LOWER_AFTER_STOP.finditer(target):
        if m.group(1) in _ABBREVIATIONS:
            continue
        found.append(Finding(
            NAME, "minor", m.start(1), m.end(2), m.group(),
            f"full stop inside a sentence: {m.group()!r} (the next word is lower case)", 0.65,
        ))
    found.extend(_unbalanced(target))
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -f.confidence)):
        if kept and f.start < kept[-1].end:
            continue  # one finding per spot: the first (most confident) of overlapping ones
        kept.append(f)
    yield from kept


_CURLY = re.compile("[\u2018\u2019\u201c\u201d]")
_STRAIGHT = re.compile("['\"]")


def _find_mixed(doc: DocumentInput) -> Iterator[tuple[int, Finding]]:
    curly = [(i, m.start(), m.group()) for i, t in enumerate(doc.targets) for m in _CURLY.finditer(t)]
    straight = [(i, m.start(), m.group()) for i, t in enumerate(doc.targets) for m in _STRAIGHT.finditer(t)]
    if not curly or not straight:
        return
    if len(curly) > len(straight) or (len(curly) == len(straight) and min(curly) < min(straight)):
        minority, style = straight, "curly"
    else:
        minority, style = curly, "straight"
    counts = f"{len(curly)} curly, {len(straight)} straight"
    for i, pos, ch in minority:
        kind = "apostrophe" if ch in "'\u2019" else "quote"
        yield i, Finding(
            QUOTES_NAME, "minor", pos, pos + 1, ch,
            f"{'straight' if style == 'curly' else 'curly'} {kind} {ch!r} in a document that uses {style} quotes ({counts})",
            0.8,
        )


CHECK = segment_check(NAME, _find, threshold=0.6,
                      description="stray or doubled punctuation, space before a mark, unbalanced brackets/quotes, full stop mid-sentence")

QUOTES_CHECK = document_check(QUOTES_NAME, _find_mixed, threshold=0.5,
                              description="curly and straight quotes or apostrophes mixed within one document")
