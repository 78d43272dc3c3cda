"""Term accuracy on the whole WMT21 terminology en-fr dev set (971 segments), our protocols beside the official.

The data is not in this repository: pass the ``data/`` folder of github.com/mahfuzibnalam/terminology_evaluation
(commit 040906f: ``dev.en-fr.en.sgm``, ``dev.en-fr.fr.sgm``, ``en-fr.dev.txt.truecased.sgm``, MIT; TICO-19 CC0)::

    .venv/bin/python eval/terminology/wmt21_full_dev.py PATH/TO/terminology_evaluation/data

Prints ``wmt21`` with annotated and with plain references, and the ``glossary`` protocol (per segment and per
occurrence) with one glossary built from the annotations (an entry per source term, alternatives merged).
The official script prints 759 correct of 901 with Stanza lemmas equal to the tokens (exact tier), and
759 + 15 lemma matches = 0.8590 with Stanza (its README). Measured 2026-12-01: wmt21 759/901 (annotated
references), 758/901 (plain); glossary 815/991 = 82.24 (no reference), 839/991 = 84.66 (with the reference's
surface forms), 908/1080 = 84.07 per occurrence; terms.v1 gave 715/978 = 73.11.
"""

from __future__ import annotations

import html
import re
import sys
import warnings
from pathlib import Path

_SEG = re.compile(r'<seg id="([^"]+)">(.*)</seg>')


def _segments(path: Path) -> list[tuple[str, str]]:
    return [m.groups() for m in map(_SEG.search, path.read_text(encoding="utf-8").splitlines()) if m]


def main(argv: list[str] | None = None) -> int:
    from toolkit.terminology import Glossary, parse_annotations, term_accuracy, wmt21_exact

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__)
        return 2
    data = Path(args[0])
    src = _segments(data / "dev.en-fr.en.sgm")
    ref = _segments(data / "dev.en-fr.fr.sgm")
    hyp = dict(_segments(data / "en-fr.dev.txt.truecased.sgm"))
    rows = [(s, r, html.unescape(hyp[i])) for (i, s), (_, r) in zip(src, ref)]
    for label, plain_refs in (("annotated references", False), ("plain references", True)):
        counts = [wmt21_exact(h, source=s, reference=parse_annotations(r)[0] if plain_refs else r) for s, r, h in rows]
        correct, total = sum(c for c, _ in counts), sum(t for _, t in counts)
        print(f"wmt21, {label}: {correct}/{total} = {100 * correct / total:.2f}")
    entries: dict[str, list[str]] = {}
    for s, _, _ in rows:
        for t in parse_annotations(s)[1]:
            alts = entries.setdefault(t.src, [])
            alts.extend(a for a in t.alternatives if a not in alts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = Glossary.from_records([{"canonical": v[0], "alternatives": "|".join(v[1:]), "source": k}
                                   for k, v in entries.items()])
    sources = [parse_annotations(s)[0] for s, _, _ in rows]
    references = [parse_annotations(r)[0] for _, r, _ in rows]
    predictions = [h for _, _, h in rows]
    for label, kwargs in (("glossary, no reference", {}), ("glossary", {"references": references}),
                          ("glossary, per occurrence", {"references": references, "per_occurrence": True})):
        r = term_accuracy(predictions=predictions, sources=sources, glossary=g, calques=False, **kwargs)
        print(f"{label}: {r.correct}/{r.expected} = {r.accuracy:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
