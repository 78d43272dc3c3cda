"""``qa.script.v1``: source script left in the target: Han characters, full-width punctuation and forms,
Chinese corner quotes and title marks (「」『』《》), and the Chinese ellipsis written as six or more dots.

MQM: Accuracy/Source language fragment (Han), Fluency/Punctuation (punctuation). A run of Han characters
is major; a lone punctuation mark minor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.qa.base import DocumentInput, segment_check
from toolkit.qa.records import Finding

NAME = "qa.script.v1"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")
# CJK punctuation (、。〈〉《》「」『』【】〔〕〖〗〜), full-width forms (！＂，．：；？ＡＢ１２…), the ideographic space.
_CJK_PUNCT = re.compile(r"[\u3000-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff5e\uff5f-\uff65]+")
_DOT_ELLIPSIS = re.compile(r"\.{6,}|…{2,}")


def _find(target: str, source: str | None, doc: DocumentInput) -> Iterator[Finding]:
    if doc.target_lang.startswith(("zh", "ja", "ko")):
        return
    found: list[Finding] = []
    for m in _HAN.finditer(target):
        found.append(Finding(
            NAME, "major", m.start(), m.end(), m.group(),
            f"Chinese characters left in the translation: {m.group()!r}", 0.95,
        ))
    for m in _CJK_PUNCT.finditer(target):
        text = m.group()
        found.append(Finding(
            NAME, "minor", m.start(), m.end(), text,
            f"full-width or CJK punctuation {text!r} in {doc.target_lang} text; use the ASCII form", 0.9,
        ))
    for m in _DOT_ELLIPSIS.finditer(target):
        found.append(Finding(
            NAME, "minor", m.start(), m.end(), m.group(),
            "Chinese-style ellipsis (……) copied as dots; use one ellipsis (...)", 0.7,
        ))
    yield from sorted(found, key=lambda f: f.start)


CHECK = segment_check(NAME, _find, threshold=0.5,
                      description="Han characters, full-width/CJK punctuation or a 6-dot ellipsis left in the target")
