"""``qa.repetition.v1``: a word or phrase repeated back to back ("the the", "in the in the"), and decoding
loops (a phrase three or more times in a row). MQM: Fluency/Grammar, Accuracy/Addition.

Repeats that English allows get a confidence under the default threshold: "had had", "that that", "what it
is is", a phrasal verb's particle before the same preposition ("taken in in the church", a correct WMT21
translation), and doubles capitalised both times ("Bora Bora", a name such as "Lin Lin"; "The the" is
flagged).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.qa.base import DocumentInput, segment_check
from toolkit.qa.records import Finding

NAME = "qa.repetition.v1"

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_GAP = re.compile(r"[ \t\u00a0,]*")  # a line break ends a paragraph: no repeat across it
_ALLOWED_DOUBLES = frozenset({
    "had", "that", "is", "very", "so", "bye", "no", "yes", "knock", "many", "far", "more", "again",
    "in", "on", "up", "out", "off", "over", "down", "by", "around", "through",  # particle + preposition
})
MAX_N = 8


def _find(target: str, source: str | None, doc: DocumentInput) -> Iterator[Finding]:
    words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(target)]
    toks = [w for _, _, w in words]
    i, found = 0, []
    while i < len(words):
        hit = None
        for n in range(1, MAX_N + 1):
            if i + 2 * n > len(words):
                break
            reps = 1
            while i + (reps + 1) * n <= len(words) and toks[i + reps * n: i + (reps + 1) * n] == toks[i: i + n]:
                reps += 1
            if reps < 2:
                continue
            # the copies must follow each other with only spaces or commas between them (not a line break)
            ok = all(_GAP.fullmatch(target[words[i + k * n - 1][1]: words[i + k * n][0]]) for k in range(1, reps))
            if ok:
                hit = (n, reps)
                break
        if hit is None:
            i += 1
            continue
        n, reps = hit
        first = toks[i: i + n]
        start, end = words[i + n][0], words[i + reps * n - 1][1]
        phrase = target[words[i][0]: words[i + n - 1][1]]
        if reps >= 3:
            conf, sev, msg = 0.95, "major", f"{phrase!r} repeated {reps} times in a row (a decoding loop?)"
        elif n == 1 and (first[0] in _ALLOWED_DOUBLES or first[0].isdigit()):
            conf, sev, msg = 0.3, "minor", f"word repeated: {phrase!r} (often correct)"
        elif n == 1 and target[words[i][0]].isupper() and target[words[i + 1][0]].isupper():
            conf, sev, msg = 0.4, "minor", f"capitalised word repeated: {phrase!r} (a name?)"
        else:
            conf, sev, msg = (0.8 if n == 1 else 0.9), "minor", f"{'word' if n == 1 else 'phrase'} repeated: {phrase!r}"
        found.append(Finding(NAME, sev, start, end, target[start:end], msg, conf))
        i += reps * n
    yield from found


CHECK = segment_check(NAME, _find, threshold=0.6,
                      description="a word or phrase repeated back to back, or looping three or more times")
